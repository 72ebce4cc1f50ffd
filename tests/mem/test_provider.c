// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Providers and their pool on the hand-worked machine (mkfabric.h):
 * pci_p2pdma_add_resource()'s checks one by one (KERNEL-FACTS 3.5), the
 * sysfs numbers, bus addresses with a non-zero host-bridge offset (4),
 * allocation and its errors (3.6), lifetime (3.7), providers from the
 * model.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkfabric.h"
#include "mem_internal.h"

struct ctx {
	struct hand h;
	struct p2pdma_mem *m;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct p2pdma_error e = { 0 };

	hand_build(&c->h, true);
	assert_int_equal(p2pdma_mem_new(c->h.f, NULL, 0, &c->m, &e), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	p2pdma_mem_free(c->m);
	p2pdma_fabric_free(c->h.f);
	free(c);
	return 0;
}

#define ADD_FAILS(c, fn, bar, size, off, err, msg) do {				\
	struct p2pdma_error _e = { 0 };						\
	assert_int_equal(p2pdma_provider_add((c)->m, fn, bar, size, off, &_e), err); \
	assert_string_equal(_e.reason, msg);					\
} while (0)

static void test_add_checks(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_function *nvme = c->h.nvme;

	ADD_FAILS(c, nvme, 6, 0, 0, -EINVAL, "0000:03:00.0: BAR 6 does not exist (BARs are 0-5)");
	ADD_FAILS(c, nvme, -1, 0, 0, -EINVAL, "0000:03:00.0: BAR -1 does not exist (BARs are 0-5)");
	ADD_FAILS(c, nvme, 1, 0, 0, -EINVAL, "0000:03:00.0: BAR 1 is not in use");
	ADD_FAILS(c, nvme, 4, 0, 0, -EINVAL,
		  "0000:03:00.0: BAR 4 is an I/O port BAR; p2pmem must be a memory BAR");
	ADD_FAILS(c, nvme, 2, 0, 64 * MiB, -EINVAL,
		  "0000:03:00.0: offset 0x4000000 is not inside BAR 2 (64 MiB)");
	ADD_FAILS(c, nvme, 2, 64 * MiB, 2 * MiB, -EINVAL,
		  "0000:03:00.0: 64 MiB at offset 0x200000 runs past the end of BAR 2 (64 MiB)");
	ADD_FAILS(c, nvme, 2, 2 * MiB, 1 * MiB, -EINVAL,
		  "0000:03:00.0: p2pmem start 0x380000100000 (BAR 2 + 0x100000) is not aligned to 2 MiB, as memory hot-plug (memremap_pages) needs");
	ADD_FAILS(c, nvme, 2, 3 * MiB, 0, -EINVAL,
		  "0000:03:00.0: p2pmem size 3 MiB is not a multiple of 2 MiB, as memory hot-plug (memremap_pages) needs");
	/* BAR0 starts 2 MiB aligned (0xf7000000) but "the rest" is only 16 KiB. */
	ADD_FAILS(c, nvme, 0, 0, 0, -EINVAL,
		  "0000:03:00.0: p2pmem size 16 KiB is not a multiple of 2 MiB, as memory hot-plug (memremap_pages) needs");
	/* Nothing was registered by the refusals. */
	assert_null(p2pdma_provider_find(c->m, nvme));
	assert_int_equal(p2pdma_mem_nr_providers(c->m), 0);

	/* A function of another fabric. */
	{
		struct hand other;
		struct p2pdma_error e = { 0 };

		hand_build(&other, false);
		assert_int_equal(p2pdma_provider_add(c->m, other.nvme, 2, 0, 0, &e), -EINVAL);
		assert_string_equal(e.reason, "not a function of this machine");
		p2pdma_fabric_free(other.f);
	}
}

static void test_ranges_and_sysfs(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_p2pmem_range r;
	struct p2pdma_provider *p, *q;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 0, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.nvme);
	assert_non_null(p);
	assert_ptr_equal(p2pdma_provider_function(p), c->h.nvme);
	assert_false(p2pdma_provider_published(p));
	assert_true(p2pdma_provider_size(p) == 32 * MiB);
	assert_true(p2pdma_provider_available(p) == 32 * MiB);

	/* size 0 = the rest of the BAR: a second range of the same provider. */
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 0, 32 * MiB, &e), 0);
	assert_ptr_equal(p2pdma_provider_find(c->m, c->h.nvme), p);
	assert_int_equal(p2pdma_provider_nr_ranges(p), 2);
	assert_true(p2pdma_provider_size(p) == 64 * MiB);
	assert_int_equal(p2pdma_provider_range(p, 1, &r), 0);
	assert_int_equal(r.bar, 2);
	assert_true(r.offset == 32 * MiB);
	assert_true(r.phys == 0x380002000000ULL);
	assert_true(r.bus == 0x380002000000ULL);	/* bus offset 0 on pci0000:00 */
	assert_true(r.size == 32 * MiB);
	assert_int_equal(p2pdma_provider_range(p, 2, &r), -ENOENT);

	/* Registering memory twice. */
	ADD_FAILS(c, c->h.nvme, 2, 2 * MiB, 16 * MiB, -EEXIST,
		  "0000:03:00.0: [0x380001000000-0x3800011fffff] overlaps p2pmem [0x380000000000-0x380001ffffff] already registered by 0000:03:00.0");
	p2pdma_provider_publish(p, true);
	assert_true(p2pdma_provider_published(p));
	p2pdma_provider_publish(p, false);
	assert_false(p2pdma_provider_published(p));

	/* Lookup by name: not a provider, not a function, not an address. */
	assert_int_equal(p2pdma_provider_lookup(c->m, "0000:03:00.0", &q, &e), 0);
	assert_ptr_equal(q, p);
	assert_int_equal(p2pdma_provider_lookup(c->m, "04:00.0", &q, &e), -ENOENT);
	assert_string_equal(e.reason, "0000:04:00.0 has no p2pmem (it is not a provider)");
	assert_int_equal(p2pdma_provider_lookup(c->m, "0000:07:00.0", &q, &e), -ENOENT);
	assert_int_equal(p2pdma_provider_lookup(c->m, "nvme0", &q, &e), -EINVAL);

	assert_int_equal(p2pdma_mem_nr_providers(c->m), 1);
	assert_ptr_equal(p2pdma_mem_provider(c->m, 0), p);
	assert_null(p2pdma_mem_provider(c->m, 1));
}

static void test_alloc_free(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	uint64_t a, b;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 0, &e), 0);
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 32 * MiB, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.nvme);

	/*
	 * genpool puts a new chunk at the head of its list, so the range
	 * added last serves first; inside it, first fit: its start.
	 */
	assert_int_equal(p2pdma_p2pmem_alloc(p, 5000, &a, &e), 0);
	assert_true(a == 0x380002000000ULL);
	/* 5000 bytes take two whole pages. */
	assert_true(p2pdma_provider_available(p) == 64 * MiB - 8192);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &b, &e), 0);
	assert_true(b == 0x380002002000ULL);
	assert_int_equal(p2pdma_provider_nr_allocated(p), 2);

	/* Bad requests. */
	assert_int_equal(p2pdma_p2pmem_alloc(p, 0, &a, &e), -EINVAL);
	assert_string_equal(e.reason, "0000:03:00.0: cannot allocate 0 bytes");
	assert_int_equal(p2pdma_p2pmem_alloc(p, 65 * MiB, &a, &e), -ENOMEM);
	assert_string_equal(e.reason, "0000:03:00.0: 65 MiB is larger than its p2pmem pool (64 MiB)");
	/* 33 MiB fits the pool but no single range: allocations never span ranges. */
	assert_int_equal(p2pdma_p2pmem_alloc(p, 33 * MiB, &a, &e), -ENOMEM);
	assert_non_null(strstr(e.reason, "no contiguous 33 MiB free in one p2pmem range"));

	/* Bad frees: each names what is wrong, and changes nothing. */
	assert_int_equal(p2pdma_p2pmem_free(p, b, 8192, &e), -EINVAL);
	assert_string_equal(e.reason,
			    "0000:03:00.0: [0x380002002000, 8 KiB] is not an allocated buffer (a double free, or not the size that was allocated)");
	assert_int_equal(p2pdma_p2pmem_free(p, b + 1, 4096, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "not page aligned"));
	assert_int_equal(p2pdma_p2pmem_free(p, 0x390000000000ULL, 4096, &e), -EINVAL);
	assert_string_equal(e.reason, "0000:03:00.0: 0x390000000000 is not p2pmem of this provider");
	assert_int_equal(p2pdma_p2pmem_free(p, b, 0, &e), -EINVAL);
	assert_int_equal(p2pdma_provider_nr_allocated(p), 2);

	assert_int_equal(p2pdma_p2pmem_free(p, b, 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, b, 4096, &e), -EINVAL);	/* double free */
	assert_int_equal(p2pdma_p2pmem_free(p, a, 5000, &e), 0);
	assert_true(p2pdma_provider_available(p) == 64 * MiB);
	assert_int_equal(p2pdma_provider_nr_allocated(p), 0);
	assert_int_equal(p2pdma_provider_check(p), 0);
}

/*
 * A size that no per-thread slot serves (3 pages: not a power of two)
 * goes to the ranges directly: the newest range first, as genpool walks
 * its chunks, and a second free of it is refused by the range's own
 * bookkeeping, not by a slot.
 */
static void test_unslotted_size(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	uint64_t a;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 0, &e), 0);
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 32 * MiB, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.nvme);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 3 * 4096, &a, &e), 0);
	assert_true(a >= 0x380002000000ULL && a < 0x380004000000ULL);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 3 * 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 3 * 4096, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "is not an allocated buffer (a double free"));
	assert_true(p2pdma_provider_available(p) == 64 * MiB);
	assert_int_equal(p2pdma_provider_nr_allocated(p), 0);
	assert_int_equal(p2pdma_provider_check(p), 0);
}

/* The non-zero host-bridge offset: bus address = CPU physical - 0x400000000000. */
static void test_bus_offset(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_p2pmem_range r;
	struct p2pdma_provider *p;
	uint64_t a;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.cmb, 2, 0, 0, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.cmb);
	assert_int_equal(p2pdma_provider_range(p, 0, &r), 0);
	assert_true(r.phys == 0x400000200000ULL);
	assert_true(r.bus == 0x200000ULL);
	assert_true(r.size == 16 * MiB);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 1 * MiB, &a, &e), 0);
	assert_true(a == 0x400000200000ULL);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 1 * MiB, &a, &e), 0);
	assert_true(a == 0x400000300000ULL);
	assert_true(p2pdma_provider_bus_addr(p, a) == 0x300000ULL);
	assert_true(p2pdma_provider_phys_addr(p, 0x300000ULL) == a);
	/* On the other host bridge the two are the same. */
	assert_true(p2pdma_function_bus_addr(c->h.nvme, 0x380000000000ULL) == 0x380000000000ULL);
}

/*
 * First fit across buddies: with page 0 taken and pages 1-3 free, no
 * aligned 4-page block is free, yet 3 contiguous pages are (genpool
 * would return page 1).
 */
static void test_fragmented_run(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	uint64_t base = 0x400000200000ULL, a, i;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.cmb, 2, 2 * MiB, 0, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.cmb);
	for (i = 0; i < 512; i++) {
		assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &a, &e), 0);
		assert_true(a == base + i * 4096);
	}
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &a, &e), -ENOMEM);
	assert_string_equal(e.reason,
			    "0000:41:00.0: no contiguous 4 KiB free in one p2pmem range (0 B available, longest free run 0 B)");
	for (i = 1; i <= 3; i++)
		assert_int_equal(p2pdma_p2pmem_free(p, base + i * 4096, 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 3 * 4096, &a, &e), 0);
	assert_true(a == base + 4096);
	assert_int_equal(p2pdma_provider_check(p), 0);
	/* Pages 5 and 6 straddle an order-1 boundary: a 2-page run there too. */
	assert_int_equal(p2pdma_p2pmem_free(p, base + 5 * 4096, 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, base + 6 * 4096, 4096, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 8192, &a, &e), 0);
	assert_true(a == base + 5 * 4096);
	assert_int_equal(p2pdma_p2pmem_free(p, base + 4096, 3 * 4096, &e), 0);
	assert_int_equal(p2pdma_provider_check(p), 0);
}

/* A range that is not a power of two pages can still be handed out whole. */
static void test_whole_odd_range(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	uint64_t a;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.cmb, 2, 6 * MiB, 0, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.cmb);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 6 * MiB, &a, &e), 0);
	assert_true(a == 0x400000200000ULL);
	assert_true(p2pdma_provider_available(p) == 0);
	assert_int_equal(p2pdma_provider_check(p), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 6 * MiB, &e), 0);
	assert_true(p2pdma_provider_available(p) == 6 * MiB);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 5 * MiB, &a, &e), 0);
	assert_true(p2pdma_provider_available(p) == 1 * MiB);
	assert_int_equal(p2pdma_provider_check(p), 0);
}

struct remover {
	struct p2pdma_mem *m;
	struct p2pdma_provider *p;
	int ret;
	atomic_int done;
};

static void *remove_waiting(void *arg)
{
	struct remover *r = arg;
	struct p2pdma_error e = { 0 };

	r->ret = p2pdma_provider_remove(r->m, r->p, P2PDMA_REMOVE_WAIT, &e);
	atomic_store(&r->done, 1);
	return NULL;
}

static void test_remove(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct remover r = { .m = c->m };
	struct p2pdma_provider *p;
	uint64_t a, b, x;
	pthread_t t;
	int i;

	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 0, 0, &e), 0);
	p = p2pdma_provider_find(c->m, c->h.nvme);
	p2pdma_provider_publish(p, true);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &a, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 2 * MiB, &b, &e), 0);

	/* Without waiting: -EBUSY, and nothing changed. */
	assert_int_equal(p2pdma_provider_remove(c->m, p, 0, &e), -EBUSY);
	assert_string_equal(e.reason,
			    "0000:03:00.0: 2 p2pmem buffers are still allocated; free them first, or remove with wait");
	assert_true(p2pdma_provider_published(p));
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &x, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, x, 4096, &e), 0);

	/* Waiting: new allocations fail at once, the remover sleeps until the last free. */
	r.p = p;
	assert_int_equal(pthread_create(&t, NULL, remove_waiting, &r), 0);
	for (i = 0; i < 1000; i++) {
		if (p2pdma_p2pmem_alloc(p, 4096, &x, &e) == -ENODEV)
			break;
		assert_int_equal(p2pdma_p2pmem_free(p, x, 4096, &e), 0);
		usleep(1000);
	}
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &x, &e), -ENODEV);
	assert_string_equal(e.reason, "0000:03:00.0: the provider is being or was removed");
	assert_false(p2pdma_provider_published(p));
	/* Nothing freed early: the buffers out are still its p2pmem. */
	assert_int_equal(p2pdma_p2pmem_free(p, a, 4096, &e), 0);
	usleep(20000);
	assert_int_equal(atomic_load(&r.done), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, b, 2 * MiB, &e), 0);
	pthread_join(t, NULL);
	assert_int_equal(r.ret, 0);

	/* Gone: not found, calls on the old handle fail cleanly. */
	assert_null(p2pdma_provider_find(c->m, c->h.nvme));
	assert_int_equal(p2pdma_mem_nr_providers(c->m), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 4096, &x, &e), -ENODEV);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 4096, &e), -EINVAL);
	assert_string_equal(e.reason,
			    "0000:03:00.0: 0x380000000000 is not p2pmem of this provider (it was removed)");
	assert_int_equal(p2pdma_provider_remove(c->m, p, 0, &e), -ENODEV);
	/* The BAR can be registered again: a new provider. */
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 0, 0, &e), 0);
	assert_non_null(p2pdma_provider_find(c->m, c->h.nvme));
	assert_ptr_not_equal(p2pdma_provider_find(c->m, c->h.nvme), p);
	/* Removal of an idle provider needs no wait. */
	assert_int_equal(p2pdma_provider_remove(c->m, p2pdma_provider_find(c->m, c->h.nvme),
						0, &e), 0);
}

struct logbuf {
	char text[4096];
};

static void collect(void *arg, enum p2pdma_log_level level, const char *msg)
{
	struct logbuf *l = arg;

	(void)level;
	strncat(l->text, msg, sizeof(l->text) - strlen(l->text) - 2);
	strcat(l->text, "\n");
}

static void test_model_providers(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_p2pmem_range r;
	struct logbuf log = { "" };
	struct p2pdma_provider *p;
	struct hand h;
	struct p2pdma_mem *m;

	(void)c;
	hand_build(&h, false);
	h.f->finalized = false;
	/* NVMe: 32 MiB pool, 2 MiB in use elsewhere, published. */
	h.nvme->p2pmem = (struct p2pdma_p2pmem){ true, true, 32 * MiB, 30 * MiB };
	/* GPU: the whole of its 256 MiB prefetchable 64-bit BAR. */
	h.gpu->p2pmem = (struct p2pdma_p2pmem){ true, false, 256 * MiB, 256 * MiB };
	/* NIC: 3 MiB cannot be registered (not a 2 MiB multiple). */
	h.nic->p2pmem = (struct p2pdma_p2pmem){ true, true, 3 * MiB, 3 * MiB };
	/* CMB: a BAR of exactly the pool's size wins. */
	h.cmb->p2pmem = (struct p2pdma_p2pmem){ true, true, 16 * MiB, 16 * MiB };
	mk_bar(h.cmb, 4, 0x400002000000ULL, 64 * MiB, BAR_MEM64P);
	/* Root port: present but no BAR at all. */
	h.rp2->p2pmem = (struct p2pdma_p2pmem){ true, true, 2 * MiB, 2 * MiB };
	mk_finalize(h.f);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_mem_add_model_providers(m, collect, &log, &e), 3);
	assert_string_equal(log.text,
			    "0000:00:02.0: p2pmem of 2 MiB described, but no memory BAR holds it; not a provider here\n"
			    "0000:04:00.0: p2pmem size 3 MiB is not a multiple of 2 MiB, as memory hot-plug (memremap_pages) needs; not a provider here\n");

	p = p2pdma_provider_find(m, h.nvme);
	assert_int_equal(p2pdma_provider_range(p, 0, &r), 0);
	assert_int_equal(r.bar, 2);
	assert_true(r.offset == 0 && r.size == 32 * MiB);
	assert_true(p2pdma_provider_available(p) == 30 * MiB);
	assert_true(p2pdma_provider_published(p));

	p = p2pdma_provider_find(m, h.gpu);
	assert_int_equal(p2pdma_provider_range(p, 0, &r), 0);
	assert_int_equal(r.bar, 1);
	assert_true(r.size == 256 * MiB);
	assert_false(p2pdma_provider_published(p));

	p = p2pdma_provider_find(m, h.cmb);
	assert_int_equal(p2pdma_provider_range(p, 0, &r), 0);
	assert_int_equal(r.bar, 2);
	assert_null(p2pdma_provider_find(m, h.nic));
	/* Running it again adds nothing. */
	assert_int_equal(p2pdma_mem_add_model_providers(m, NULL, NULL, &e), 0);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

/* The BAR rule: class first (prefetchable 64-bit), then the smallest that holds it. */
static void test_model_bar_rule(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_p2pmem_range r;
	struct p2pdma_mem *m;
	struct hand h;

	(void)state;
	hand_build(&h, false);
	h.f->finalized = false;
	mk_bar(h.gpu, 0, 0xc0000000, 64 * MiB, P2PDMA_BAR_MEM);		/* 32-bit, not prefetchable */
	mk_bar(h.gpu, 3, 0x3a0000000000ULL, 64 * MiB, BAR_MEM64P);	/* smaller of class 0 */
	h.gpu->p2pmem = (struct p2pdma_p2pmem){ true, true, 32 * MiB, 32 * MiB };
	mk_finalize(h.f);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_mem_add_model_providers(m, NULL, NULL, &e), 1);
	assert_int_equal(p2pdma_provider_range(p2pdma_provider_find(m, h.gpu), 0, &r), 0);
	assert_int_equal(r.bar, 3);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ranges_and_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unslotted_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmented_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whole_odd_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_providers, setup, teardown),
		cmocka_unit_test(test_model_bar_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
