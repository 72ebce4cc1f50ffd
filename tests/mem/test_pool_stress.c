// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stress of the shared p2pmem pool with its per-thread slots (pcpu.c),
 * meant to run under ThreadSanitizer as well (build.sh runs it so):
 *  - many threads allocate and free at once, half of their buffers freed
 *    by another thread (through a hand-over box): every page has at most
 *    one owner (claimed with compare-and-swap), every free succeeds, and
 *    once the threads are done "available" is the whole pool again, the
 *    whole pool can be allocated in one piece, nothing is counted as
 *    allocated and the internal accounting checks out; a buffer freed by
 *    a second thread is refused to a third (a double free across slots);
 *  - the same load while the main thread removes the provider: without
 *    wait the removal is refused while buffers are out and allocations
 *    go on; with wait it returns only when every buffer came back, every
 *    thread then sees -ENODEV, and nothing is counted as allocated.
 * Seeded (tu_seed; P2PDMA_SEED repeats a run); the seed is printed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mkfabric.h"
#include "mem_internal.h"

#define PAGE 4096ULL
#define THREADS 8
#define HELD 24
#define BOX 64

/* The cmb's BAR2: two ranges of 2 MiB and 4 MiB (1536 pages in all). */
#define BASE 0x400000200000ULL
#define PAGES 1536

struct shared {
	struct p2pdma_provider *p;
	_Atomic uint32_t owner[PAGES];
	/* Buffers handed to another thread to free: phys << 5 | pages, 0 empty. */
	_Atomic uint64_t box[BOX];
	atomic_int overlaps, errors, enodev;
	atomic_bool stop;
	uint64_t seed;
	int rounds;
};

struct worker {
	struct shared *s;
	uint32_t id;
	pthread_t t;
	uint64_t a[HELD], n[HELD];
	int nheld;
};

static void claim(struct shared *s, uint32_t id, uint64_t a, uint64_t n, bool take)
{
	uint64_t k;

	for (k = 0; k < n; k++) {
		_Atomic uint32_t *o = &s->owner[(a - BASE) / PAGE + k];
		uint32_t want = take ? 0 : id;

		if (!atomic_compare_exchange_strong(o, &want, take ? id : 0))
			atomic_fetch_add(&s->overlaps, 1);
	}
}

/* Give the pages up first: after the free another thread may get them. */
static void release(struct shared *s, uint32_t id, uint64_t a, uint64_t n)
{
	claim(s, id, a, n, false);
	if (p2pdma_p2pmem_free(s->p, a, n * PAGE, NULL))
		atomic_fetch_add(&s->errors, 1);
}

/* A buffer out of the box (phys << 5 | pages), freed here: its pages change hands first. */
static void free_boxed(struct shared *s, struct worker *w, uint64_t v)
{
	uint64_t a = v >> 5, n = v & 31, k;

	if (!v)
		return;
	for (k = 0; k < n; k++)
		atomic_store(&s->owner[(a - BASE) / PAGE + k], w->id);
	release(s, w->id, a, n);
}

static void free_from_box(struct shared *s, struct worker *w, uint64_t *rng)
{
	free_boxed(s, w, atomic_exchange(&s->box[tu_rand(rng) % BOX], 0));
}

static void empty_box(struct shared *s, struct worker *w)
{
	int i;

	for (i = 0; i < BOX; i++)
		free_boxed(s, w, atomic_exchange(&s->box[i], 0));
}

static void drop_one(struct shared *s, struct worker *w, uint64_t *rng)
{
	int j = (int)(tu_rand(rng) % (uint64_t)w->nheld);
	uint64_t a = w->a[j], n = w->n[j], k, v;

	w->a[j] = w->a[--w->nheld];
	w->n[j] = w->n[w->nheld];
	if (tu_rand(rng) % 2 == 0) {
		/* Into the box for another thread; the owner mark goes with it. */
		v = a << 5 | n;
		for (k = 0; k < n; k++)
			atomic_store(&s->owner[(a - BASE) / PAGE + k], 0x80000000u);
		/* Whatever that place held is freed here. */
		free_boxed(s, w, atomic_exchange(&s->box[tu_rand(rng) % BOX], v));
		return;
	}
	release(s, w->id, a, n);
}

static uint64_t pick_pages(uint64_t *rng)
{
	static const uint64_t sizes[] = { 1, 1, 1, 2, 2, 4, 8, 16, 3, 5 };

	return sizes[tu_rand(rng) % (sizeof(sizes) / sizeof(sizes[0]))];
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	uint64_t rng = s->seed * 977 + w->id;
	int r;

	for (r = 0; !atomic_load(&s->stop) && (s->rounds < 0 || r < s->rounds); r++) {
		if (w->nheld < HELD && tu_rand(&rng) % 2) {
			uint64_t n = pick_pages(&rng), a;
			int ret = p2pdma_p2pmem_alloc(s->p, n * PAGE, &a, NULL);

			if (ret == -ENODEV) {
				atomic_fetch_add(&s->enodev, 1);
				break;
			}
			if (ret)
				continue;	/* momentarily full */
			claim(s, w->id, a, n, true);
			w->a[w->nheld] = a;
			w->n[w->nheld++] = n;
		} else if (w->nheld && tu_rand(&rng) % 3) {
			drop_one(s, w, &rng);
		} else {
			free_from_box(s, w, &rng);
		}
	}
	while (w->nheld) {
		w->nheld--;
		release(s, w->id, w->a[w->nheld], w->n[w->nheld]);
	}
	/* What this thread boxed, unless another took it, goes back too. */
	empty_box(s, w);
	return NULL;
}

/* Allocated by one thread, freed by another, freed again by a third. */
struct hop {
	struct p2pdma_provider *p;
	uint64_t pages, a;
	int ret;
};

static void *hop_alloc(void *arg)
{
	struct hop *h = arg;

	h->ret = p2pdma_p2pmem_alloc(h->p, h->pages * PAGE, &h->a, NULL);
	return NULL;
}

static void *hop_free(void *arg)
{
	struct hop *h = arg;

	h->ret = p2pdma_p2pmem_free(h->p, h->a, h->pages * PAGE, NULL);
	return NULL;
}

static int in_thread(void *(*fn)(void *), struct hop *h)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, fn, h), 0);
	pthread_join(t, NULL);
	return h->ret;
}

static void double_frees_across_threads(struct p2pdma_provider *p)
{
	static const uint64_t pages[] = { 1, 2, 16, 3, 32 };
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct hop h = { .p = p, .pages = pages[i] };

		assert_int_equal(in_thread(hop_alloc, &h), 0);
		assert_int_equal(in_thread(hop_free, &h), 0);
		assert_int_equal(in_thread(hop_free, &h), -EINVAL);
		assert_int_equal(p2pdma_p2pmem_free(p, h.a, h.pages * PAGE, NULL), -EINVAL);
	}
}

static struct p2pdma_mem *setup(struct hand *h, struct shared *s, int rounds)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_mem *m;

	hand_build(h, false);
	assert_int_equal(p2pdma_mem_new(h->f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h->cmb, 2, 2 * MiB, 0, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h->cmb, 2, 4 * MiB, 2 * MiB, &e), 0);
	s->p = p2pdma_provider_find(m, h->cmb);
	s->seed = tu_seed();
	s->rounds = rounds;
	return m;
}

static void start(struct shared *s, struct worker *w)
{
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i].s = s;
		w[i].id = (uint32_t)i + 1;
		assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
	}
}

static void join(struct worker *w)
{
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].t, NULL);
}

static void check_clean(struct shared *s)
{
	if (atomic_load(&s->overlaps) || atomic_load(&s->errors))
		fail_msg("seed %llu: %d overlapping pages, %d failed frees",
			 (unsigned long long)s->seed, atomic_load(&s->overlaps),
			 atomic_load(&s->errors));
}

static void test_many_threads(void **state)
{
	struct shared *s = calloc(1, sizeof(*s));
	struct worker w[THREADS] = { 0 };
	struct p2pdma_mem *m;
	struct hand h;

	(void)state;
	m = setup(&h, s, 4000);
	start(s, w);
	join(w);
	check_clean(s);
	assert_true(p2pdma_provider_available(s->p) == 6 * MiB);
	assert_int_equal(p2pdma_provider_nr_allocated(s->p), 0);
	assert_int_equal(p2pdma_provider_check(s->p), 0);
	/* The whole pool in one piece: the slots gave every page back. */
	{
		uint64_t a;

		assert_int_equal(p2pdma_p2pmem_alloc(s->p, 4 * MiB, &a, NULL), 0);
		assert_int_equal(p2pdma_p2pmem_free(s->p, a, 4 * MiB, NULL), 0);
	}
	double_frees_across_threads(s->p);
	assert_true(p2pdma_provider_available(s->p) == 6 * MiB);
	assert_int_equal(p2pdma_provider_check(s->p), 0);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
	free(s);
}

static void test_remove_while_busy(void **state)
{
	struct shared *s = calloc(1, sizeof(*s));
	struct worker w[THREADS] = { 0 };
	struct p2pdma_error e = { 0 };
	struct p2pdma_mem *m;
	struct hand h;
	int i, refused = 0;

	(void)state;
	m = setup(&h, s, -1);
	start(s, w);
	/* Without wait: refused while buffers are out; the pool stays live. */
	for (i = 0; i < 50; i++) {
		int ret = p2pdma_provider_remove(m, s->p, 0, &e);

		if (ret == -EBUSY)
			refused++;
		else
			assert_int_equal(ret, 0);	/* everything happened to be free */
		if (ret == 0)
			break;
		usleep(200);
	}
	if (i == 50)
		assert_true(refused == 50);
	/* With wait (unless it went already): the threads stop on -ENODEV. */
	if (p2pdma_provider_find(m, h.cmb))
		assert_int_equal(p2pdma_provider_remove(m, s->p, P2PDMA_REMOVE_WAIT, &e), 0);
	assert_int_equal(p2pdma_provider_nr_allocated(s->p), 0);
	atomic_store(&s->stop, true);
	join(w);
	check_clean(s);
	assert_int_equal(p2pdma_provider_nr_allocated(s->p), 0);
	assert_null(p2pdma_provider_find(m, h.cmb));
	printf("# removal refused %d times while busy (seed %llu)\n", refused,
	       (unsigned long long)s->seed);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads),
		cmocka_unit_test(test_remove_while_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
