// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's verdict cache as the policy keeps it in O(n) (kcache.c):
 * the kernel stores a verdict when a pair is first mapped, rewrites it on
 * a distance call, and drops a provider's entries only when its driver
 * is unbound (KERNEL-FACTS 3.3).  On q35-switches (hand-worked in
 * test_whatif.c): 03:00.0 -> 04:00.1 is BUS_ADDR, NOT_SUPPORTED once
 * 02:01.0 redirects (ACS Control 0x0020); 07:00.0 -> 08:00.0 is
 * NOT_SUPPORTED, BUS_ADDR after pci=disable_acs_redir=0000:06:01.0;
 * 03:00.0 -> 04:00.0 (the NIC's other function, no ACS of its own, the
 * same path through 02:00.0 and 02:01.0) answers as 03:00.0 -> 04:00.1.
 * Each pair keeps the answer of the epoch in which the kernel stored it,
 * across several changes; a pair never asked has none, even when its
 * provider has other pairs cached; rewrites go with the provider.
 */
#include <errno.h>

#include "policy_test.h"
#include "policy_int.h"

static enum p2pdma_map_type ask(struct pt *t, const char *a, const char *b)
{
	return p2pdma_map_type(t->p, pt_fn(t, a), pt_fn(t, b), NULL);
}

static enum p2pdma_map_type cached(struct pt *t, const char *a, const char *b)
{
	return p2pdma_policy_kernel_cached(t->p, pt_fn(t, a), pt_fn(t, b));
}

static void set_ctrl(struct pt *t, const char *bdf, uint16_t ctrl)
{
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_set_acs_ctrl(t->f, pt_fn(t, bdf), ctrl, &e), 0);
}

static void test_rows_keep_their_epoch(void **state)
{
	struct p2pdma_whatif w = { .cmdline = "pci=disable_acs_redir=0000:06:01.0", .iommu = -1 };
	struct p2pdma_whatif_report *r = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_verdict *v;
	struct pt t;
	size_t bytes;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	/*
	 * The kernel keeps a cache only for providers with p2pdma state
	 * (KERNEL-FACTS.md section 11): without it, nothing is cached.
	 * Give the two providers asked below that state.
	 */
	assert_int_equal(ask(&t, "08:00.0", "07:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "08:00.0", "07:00.0"), P2PDMA_MAP_UNKNOWN);
	pt_fn(&t, "04:00.1")->p2pmem.present = true;
	pt_fn(&t, "07:00.0")->p2pmem.present = true;
	/* Never asked: nothing cached. */
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_UNKNOWN);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(ask(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	/* 03:00.0 has a cache now, but the kernel never computed this pair. */
	assert_int_equal(cached(&t, "03:00.0", "07:00.0"), P2PDMA_MAP_UNKNOWN);
	bytes = p2pdma_policy_bytes(t.p);

	/* Epoch 2: 02:01.0 redirects; the kernel still says BUS_ADDR. */
	set_ctrl(&t, "02:01.0", 0x0020);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	/* A row started now is of this epoch. */
	assert_int_equal(ask(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_NOT_SUPPORTED);

	/* Epoch 3: back as it was; epoch 4: the what-if on 06:01.0. */
	set_ctrl(&t, "02:01.0", 0x0000);
	assert_int_equal(p2pdma_whatif_apply(t.p, &w, &r, &e), 0);
	assert_int_equal(ask(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(ask(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(cached(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(cached(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	/*
	 * The kernel's answers from before the changes are kept per pair
	 * (no old fabric is kept), which costs memory.
	 */
	assert_true(p2pdma_policy_bytes(t.p) > bytes);

	/* A distance call (the full verdict) rewrites one pair only. */
	v = pt_verdict(&t, "04:00.1", "03:00.0");
	assert_int_equal(v->kernel_cached, P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_verdict_free(v);
	assert_int_equal(cached(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_BUS_ADDR);

	/* Unbinding drops the row (and its rewrites); the others stay. */
	p2pdma_policy_forget_provider(t.p, pt_fn(&t, "04:00.1"));
	assert_int_equal(cached(&t, "04:00.1", "03:00.0"), P2PDMA_MAP_UNKNOWN);
	assert_int_equal(cached(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_policy_forget_provider(t.p, pt_fn(&t, "07:00.0"));
	p2pdma_policy_forget_provider(t.p, pt_fn(&t, "03:00.0"));
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_UNKNOWN);
	/* The kept answers went with their providers. */
	assert_int_equal(t.p->kc.nr_over, 0);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * The kernel stores each pair when that pair is first computed, not when
 * the provider's first pair was: 03:00.0 (published p2pmem) asked for
 * 04:00.1 in epoch 1 (BUS_ADDR) and for 04:00.0 only in epoch 2, when
 * 02:01.0 redirects (NOT_SUPPORTED).  After 02:01.0 is put back both
 * pairs would be BUS_ADDR if computed now, but the kernel answers each
 * from its own epoch.
 */
static void test_pair_keeps_its_own_epoch(void **state)
{
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_true(pt_fn(&t, "03:00.0")->p2pmem.present);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(cached(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_UNKNOWN);

	set_ctrl(&t, "02:01.0", 0x0020);
	assert_int_equal(ask(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);

	set_ctrl(&t, "02:01.0", 0x0000);
	assert_int_equal(p2pdma_map_type(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "04:00.0"), NULL),
			 P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(cached(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	/* Asked again: the kernel reads its cache and stores nothing new. */
	assert_int_equal(ask(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(cached(&t, "03:00.0", "04:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	/* Never asked in any epoch. */
	assert_int_equal(cached(&t, "03:00.0", "04:00.2"), P2PDMA_MAP_UNKNOWN);
	pt_close(&t);
}

/*
 * Many rewrites: every pair rewritten to a value its row does not hold,
 * half rewritten back, one provider forgotten; each pair answers what was
 * written last (the kernel's rule), whatever the table's growth and
 * removals did.
 */
static void test_many_rewrites(void **state)
{
	struct pt t;
	size_t n, i, j;
	int d;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	n = t.f->nr_fns;
	assert_true(n >= 16);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			enum p2pdma_map_type now = p2pdma_map_type(t.p, t.f->fns[i], t.f->fns[j], &d);

			/* Something else than the row holds: a rewrite to keep. */
			p2pdma_cache_store_kernel(t.p, i, j, now == P2PDMA_MAP_BUS_ADDR ?
						  P2PDMA_MAP_THRU_HOST_BRIDGE : P2PDMA_MAP_BUS_ADDR);
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j += 2)
			p2pdma_cache_store_kernel(t.p, i, j,
						  p2pdma_map_type(t.p, t.f->fns[i], t.f->fns[j], &d));
	p2pdma_policy_forget_provider(t.p, t.f->fns[3]);
	for (j = 0; j < n; j++)
		assert_int_equal(p2pdma_policy_kernel_cached(t.p, t.f->fns[3], t.f->fns[j]),
				 P2PDMA_MAP_UNKNOWN);
	for (i = 0; i < n; i++)
		for (j = 0; i != 3 && j < n; j++) {
			enum p2pdma_map_type now = p2pdma_map_type(t.p, t.f->fns[i], t.f->fns[j], &d);
			enum p2pdma_map_type got = p2pdma_policy_kernel_cached(t.p, t.f->fns[i],
									      t.f->fns[j]);
			enum p2pdma_map_type want = !(j % 2) ? now : now == P2PDMA_MAP_BUS_ADDR ?
						    P2PDMA_MAP_THRU_HOST_BRIDGE : P2PDMA_MAP_BUS_ADDR;

			if (got != want)
				fail_msg("pair %zu,%zu: cached %s, expected %s", i, j,
					 p2pdma_map_type_name(got), p2pdma_map_type_name(want));
		}
	pt_close(&t);
}

/*
 * What a refused DMA mapping says (p2pdma_verdict_reason()): the words of
 * the whole verdict, without the rewrite of the kernel's cache that a
 * distance call makes, since the kernel's mapping path only reads it.
 * 03:00.0 (p2pmem) -> 04:00.1 is stored as BUS_ADDR, then 02:01.0
 * redirects: the kernel maps from its stale BUS_ADDR while the current
 * answer is a refusal, because of 02:01.0.
 */
static void test_reason_leaves_cache(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_verdict *v;
	char why[2048], cut[10];
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_true(pt_fn(&t, "03:00.0")->p2pmem.present);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	set_ctrl(&t, "02:01.0", 0x0020);
	assert_int_equal(ask(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_verdict_reason(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "04:00.1"),
					       why, sizeof(why), &e), 0);
	assert_non_null(strstr(why, "ACS redirect is set on 0000:02:01.0"));
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_BUS_ADDR);
	/* Cut as snprintf() cuts. */
	assert_int_equal(p2pdma_verdict_reason(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "04:00.1"),
					       cut, sizeof(cut), &e), 0);
	assert_int_equal(strlen(cut), sizeof(cut) - 1);
	assert_memory_equal(cut, why, sizeof(cut) - 1);

	/* The same words as the whole verdict, which does rewrite the pair. */
	v = pt_verdict(&t, "03:00.0", "04:00.1");
	assert_string_equal(v->reason, why);
	p2pdma_verdict_free(v);
	assert_int_equal(cached(&t, "03:00.0", "04:00.1"), P2PDMA_MAP_NOT_SUPPORTED);

	/* No client, or a function of another machine: refused with a reason. */
	assert_int_equal(p2pdma_verdict_reason(t.p, pt_fn(&t, "03:00.0"), NULL, why,
					       sizeof(why), &e), -EINVAL);
	assert_string_equal(e.reason, "no client");
	{
		struct p2pdma_function stray = *pt_fn(&t, "04:00.1");

		assert_int_equal(p2pdma_verdict_reason(t.p, pt_fn(&t, "03:00.0"), &stray, why,
						       sizeof(why), &e), -EINVAL);
		assert_non_null(strstr(e.reason, "not a function of this machine"));
	}
	pt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_keep_their_epoch),
		cmocka_unit_test(test_pair_keeps_its_own_epoch),
		cmocka_unit_test(test_many_rewrites),
		cmocka_unit_test(test_reason_leaves_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
