// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Property tests of the p2pmem pool over seeded random operations
 * (tu_seed: the seed is printed; P2PDMA_SEED repeats a run):
 *  - against a plain page-array model: no overlap, every page accounted
 *    for, "available" exact, and an allocation fails only when no
 *    contiguous run of free pages exists in any one range;
 *  - several threads allocating and freeing at once never get
 *    overlapping buffers (each claims its pages with compare-and-swap);
 *  - removal with wait racing with allocating threads ends with nothing
 *    allocated and nothing leaked.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkfabric.h"
#include "mem_internal.h"

#define PAGE 4096ULL

struct model_range {
	uint64_t phys, pages;
	uint32_t *owner;	/* allocation id per page, 0 = free */
};

struct live {
	uint64_t phys, size;
	uint32_t id;
};

/* Does any range hold @n contiguous free pages? (the genpool question) */
static bool model_has_run(struct model_range *r, size_t nr, uint64_t n)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		uint64_t run = 0, p;

		for (p = 0; p < r[i].pages; p++) {
			run = r[i].owner[p] ? 0 : run + 1;
			if (run >= n)
				return true;
		}
	}
	return false;
}

static struct model_range *model_find(struct model_range *r, size_t nr, uint64_t phys)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (phys >= r[i].phys && phys < r[i].phys + r[i].pages * PAGE)
			return &r[i];
	return NULL;
}

static uint64_t pick_size(uint64_t *rng)
{
	switch (tu_rand(rng) % 8) {
	case 0: return (1 + tu_rand(rng) % 512) * PAGE;		/* up to 2 MiB */
	case 1: return 1 + tu_rand(rng) % (64 * PAGE);		/* unaligned bytes */
	default: return (1 + tu_rand(rng) % 8) * PAGE;		/* small: cache path */
	}
}

static void test_random_vs_model(void **state)
{
	uint64_t seed = tu_seed(), rng = seed;
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	struct model_range mr[3];
	struct p2pdma_mem *m;
	struct live *live;
	size_t nlive = 0, i, round;
	uint32_t next_id = 1;
	struct hand h;

	(void)state;
	hand_build(&h, false);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	/* Three ranges of different shapes: 6 MiB (not a power of two), 2 MiB, 8 MiB. */
	assert_int_equal(p2pdma_provider_add(m, h.nvme, 2, 6 * MiB, 0, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.nvme, 2, 2 * MiB, 6 * MiB, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.nvme, 2, 8 * MiB, 16 * MiB, &e), 0);
	p = p2pdma_provider_find(m, h.nvme);
	for (i = 0; i < 3; i++) {
		struct p2pdma_p2pmem_range r;

		assert_int_equal(p2pdma_provider_range(p, i, &r), 0);
		mr[i].phys = r.phys;
		mr[i].pages = r.size / PAGE;
		mr[i].owner = calloc(mr[i].pages, sizeof(uint32_t));
	}
	live = calloc(20000, sizeof(*live));
	for (round = 0; round < 20000; round++) {
		bool do_alloc = nlive == 0 || (tu_rand(&rng) % 100) < 55;

		if (do_alloc && nlive < 20000) {
			uint64_t size = pick_size(&rng), n = (size + PAGE - 1) / PAGE, a, k;
			int ret = p2pdma_p2pmem_alloc(p, size, &a, &e);
			struct model_range *r;

			if (ret) {
				assert_int_equal(ret, -ENOMEM);
				if (model_has_run(mr, 3, n))
					fail_msg("seed %llu round %zu: %llu pages refused but a run exists",
						 (unsigned long long)seed, round,
						 (unsigned long long)n);
				continue;
			}
			r = model_find(mr, 3, a);
			assert_non_null(r);
			assert_int_equal(a % PAGE, 0);
			assert_true(a + n * PAGE <= r->phys + r->pages * PAGE);
			for (k = 0; k < n; k++) {
				if (r->owner[(a - r->phys) / PAGE + k])
					fail_msg("seed %llu round %zu: overlap at %#llx",
						 (unsigned long long)seed, round,
						 (unsigned long long)(a + k * PAGE));
				r->owner[(a - r->phys) / PAGE + k] = next_id;
			}
			live[nlive++] = (struct live){ a, size, next_id++ };
		} else {
			size_t j = tu_rand(&rng) % nlive;
			struct model_range *r = model_find(mr, 3, live[j].phys);
			uint64_t n = (live[j].size + PAGE - 1) / PAGE, k;

			assert_int_equal(p2pdma_p2pmem_free(p, live[j].phys, live[j].size, &e), 0);
			/* A second free of the same buffer is refused. */
			if (!(round % 97))
				assert_int_equal(p2pdma_p2pmem_free(p, live[j].phys, live[j].size, &e),
						 -EINVAL);
			for (k = 0; k < n; k++)
				r->owner[(live[j].phys - r->phys) / PAGE + k] = 0;
			live[j] = live[--nlive];
		}
		if (!(round % 64)) {
			uint64_t freep = 0, k;

			for (i = 0; i < 3; i++)
				for (k = 0; k < mr[i].pages; k++)
					freep += !mr[i].owner[k];
			assert_true(p2pdma_provider_available(p) == freep * PAGE);
			assert_int_equal(p2pdma_provider_nr_allocated(p), nlive);
		}
		if (!(round % 1000))
			assert_int_equal(p2pdma_provider_check(p), 0);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(p2pdma_p2pmem_free(p, live[nlive].phys, live[nlive].size, &e), 0);
	}
	assert_true(p2pdma_provider_available(p) == 16 * MiB);
	assert_int_equal(p2pdma_provider_check(p), 0);
	for (i = 0; i < 3; i++)
		free(mr[i].owner);
	free(live);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

/* ---------------------------------------------------------------------- */

#define THREADS 4
#define STRESS_ROUNDS 20000

struct stress {
	struct p2pdma_provider *p;
	uint64_t base, pages;
	_Atomic uint32_t *owner;
	atomic_int overlaps;
	atomic_int errors;
	uint64_t seed;
};

struct worker {
	struct stress *s;
	uint32_t id;
	pthread_t t;
};

static void release(struct stress *s, uint32_t id, uint64_t a, uint64_t size)
{
	uint64_t k, n = (size + PAGE - 1) / PAGE;

	for (k = 0; k < n; k++) {
		uint32_t want = id;

		if (!atomic_compare_exchange_strong(&s->owner[(a - s->base) / PAGE + k], &want, 0))
			atomic_fetch_add(&s->overlaps, 1);
	}
	if (p2pdma_p2pmem_free(s->p, a, size, NULL))
		atomic_fetch_add(&s->errors, 1);
}

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	uint64_t rng = s->seed * 31 + w->id, held_a[16], held_s[16];
	int nheld = 0, r;

	for (r = 0; r < STRESS_ROUNDS; r++) {
		if (nheld < 16 && (nheld == 0 || tu_rand(&rng) % 2)) {
			uint64_t size = (1 + tu_rand(&rng) % 16) * PAGE, a, k;

			if (p2pdma_p2pmem_alloc(s->p, size, &a, NULL))
				continue;	/* pool momentarily full: fine */
			for (k = 0; k < size / PAGE; k++) {
				uint32_t want = 0;

				if (!atomic_compare_exchange_strong(&s->owner[(a - s->base) / PAGE + k],
								    &want, w->id))
					atomic_fetch_add(&s->overlaps, 1);
			}
			held_a[nheld] = a;
			held_s[nheld++] = size;
		} else {
			int j = (int)(tu_rand(&rng) % (uint64_t)nheld);

			release(s, w->id, held_a[j], held_s[j]);
			held_a[j] = held_a[--nheld];
			held_s[j] = held_s[nheld];
		}
	}
	while (nheld--)
		release(s, w->id, held_a[nheld], held_s[nheld]);
	return NULL;
}

static void test_threads_no_overlap(void **state)
{
	struct p2pdma_error e = { 0 };
	struct worker w[THREADS];
	struct stress s = { 0 };
	struct p2pdma_mem *m;
	struct hand h;
	int i;

	(void)state;
	hand_build(&h, false);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	/* Small on purpose (2 MiB = 512 pages): threads compete for the same pages. */
	assert_int_equal(p2pdma_provider_add(m, h.cmb, 2, 2 * MiB, 0, &e), 0);
	s.p = p2pdma_provider_find(m, h.cmb);
	s.base = 0x400000200000ULL;
	s.pages = 512;
	s.owner = calloc(s.pages, sizeof(*s.owner));
	s.seed = tu_seed();
	for (i = 0; i < THREADS; i++) {
		w[i].s = &s;
		w[i].id = (uint32_t)i + 1;
		assert_int_equal(pthread_create(&w[i].t, NULL, stress_worker, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].t, NULL);
	assert_int_equal(atomic_load(&s.overlaps), 0);
	assert_int_equal(atomic_load(&s.errors), 0);
	assert_true(p2pdma_provider_available(s.p) == 2 * MiB);
	assert_int_equal(p2pdma_provider_nr_allocated(s.p), 0);
	assert_int_equal(p2pdma_provider_check(s.p), 0);
	free((void *)s.owner);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

/* Threads allocate until removal starts, then give everything back. */
struct churn {
	struct p2pdma_provider *p;
	atomic_int refused;
	uint64_t seed;
};

static void *churn_worker(void *arg)
{
	struct churn *c = arg;
	uint64_t held[64], rng = c->seed ^ (uint64_t)(uintptr_t)&held;
	int n = 0;

	for (;;) {
		uint64_t a;
		int ret = p2pdma_p2pmem_alloc(c->p, PAGE, &a, NULL);

		if (ret == -ENODEV)
			break;
		if (!ret) {
			if (n == 64)
				p2pdma_p2pmem_free(c->p, held[--n], PAGE, NULL);
			held[n++] = a;
		}
		if (n && tu_rand(&rng) % 3 == 0)
			p2pdma_p2pmem_free(c->p, held[--n], PAGE, NULL);
	}
	atomic_fetch_add(&c->refused, 1);
	while (n)
		p2pdma_p2pmem_free(c->p, held[--n], PAGE, NULL);
	return NULL;
}

static void test_remove_under_load(void **state)
{
	struct p2pdma_error e = { 0 };
	struct churn c = { 0 };
	pthread_t t[THREADS];
	struct p2pdma_mem *m;
	struct hand h;
	int i;

	(void)state;
	hand_build(&h, false);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.cmb, 2, 4 * MiB, 0, &e), 0);
	c.p = p2pdma_provider_find(m, h.cmb);
	c.seed = tu_seed();
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn_worker, &c), 0);
	usleep(20000);
	assert_int_equal(p2pdma_provider_remove(m, c.p, P2PDMA_REMOVE_WAIT, &e), 0);
	/* Removal returned: every buffer had been given back. */
	assert_int_equal(p2pdma_provider_nr_allocated(c.p), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&c.refused), THREADS);
	assert_null(p2pdma_provider_find(m, h.cmb));
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_model),
		cmocka_unit_test(test_threads_no_overlap),
		cmocka_unit_test(test_remove_under_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
