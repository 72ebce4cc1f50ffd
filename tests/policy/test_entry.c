// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The public p2pdma_map_type()'s way in: the common call is one short
 * path and everything else is out of line (verdict.c), so each thing the
 * short path must turn away is checked here to go the long way and come
 * back with the documented answer (policy.h: NOT_SUPPORTED, distance -1).
 *
 * On q35-switches (hand-worked in test_verdict.c and test_kcache.c):
 * 03:00.0 -> 04:00.1 is BUS_ADDR at distance 4 (they meet at 01:00.0, two
 * hops each side, nothing on the path redirects); once 02:01.0 redirects
 * (ACS Control 0x0020, no allow-listed host bridge, a CPU that is not
 * Zen) it is NOT_SUPPORTED, still at distance 4: the kernel's distance
 * does not depend on ACS.  The call answers a pair below two root ports
 * in line and the rest out of line: both ways are taken here.
 */
#include "policy_test.h"

#define BUS P2PDMA_MAP_BUS_ADDR
#define NOPE P2PDMA_MAP_NOT_SUPPORTED

/* The answer, with the distance written over a value the call must replace. */
static enum p2pdma_map_type ask(struct p2pdma_policy *p, const struct p2pdma_function *a,
				const struct p2pdma_function *b, int *d)
{
	*d = 12345;
	return p2pdma_map_type(p, a, b, d);
}

/* Refused as a stranger: NOT_SUPPORTED, distance -1. */
static void refused(struct p2pdma_policy *p, const struct p2pdma_function *a,
		    const struct p2pdma_function *b)
{
	int d;

	assert_int_equal(ask(p, a, b, &d), NOPE);
	assert_int_equal(d, -1);
}

/* q35-switches with its provider 03:00.0 in *a, its client 04:00.1 in *b. */
static void open_pair(struct pt *t, struct p2pdma_function **a, struct p2pdma_function **b)
{
	pt_open(t, "policy/q35-switches.json");
	*a = pt_fn(t, "03:00.0");
	*b = pt_fn(t, "04:00.1");
}

/* The common case, with and without a distance wanted. */
static void test_answer_and_distance(void **state)
{
	struct p2pdma_function *a, *b;
	struct pt t;
	int d;

	(void)state;
	open_pair(&t, &a, &b);
	assert_int_equal(ask(t.p, a, b, &d), BUS);
	assert_int_equal(d, 4);
	assert_int_equal(p2pdma_map_type(t.p, a, b, NULL), BUS);
	/* Reversed roles: the same meeting point, the same hops. */
	assert_int_equal(ask(t.p, b, a, &d), BUS);
	assert_int_equal(d, 4);
	pt_close(&t);
}

/*
 * Below two root ports (test_verdict.c, test_root_ports_unlisted):
 * 03:00.0 and 09:00.0 share no upstream device, distance 4 + 2 = 6, and
 * 8086:29c0 is not allow-listed: NOT_SUPPORTED either way round.  With
 * 09:00.0 (no p2pmem) as the provider the call answers in line and the
 * kernel caches nothing; with 03:00.0 (p2pmem in the fixture) it goes
 * the long way and the kernel caches the pair, with the same answer.
 */
static void test_pair_below_two_root_ports(void **state)
{
	struct p2pdma_function *a, *b, *c;
	struct pt t;
	int d;

	(void)state;
	open_pair(&t, &a, &b);
	c = pt_fn(&t, "09:00.0");
	assert_false(c->p2pmem.present);
	assert_true(a->p2pmem.present);
	assert_int_equal(ask(t.p, c, a, &d), NOPE);
	assert_int_equal(d, 6);
	assert_int_equal(p2pdma_map_type(t.p, c, a, NULL), NOPE);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, c, a), P2PDMA_MAP_UNKNOWN);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, a, c), P2PDMA_MAP_UNKNOWN);
	assert_int_equal(ask(t.p, a, c, &d), NOPE);
	assert_int_equal(d, 6);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, a, c), NOPE);
	pt_close(&t);
}

/*
 * What is not a function of this policy's fabric: no policy, no device
 * (NULL: "not a PCI device"), a copy of a real function (its index is
 * right, its address is not), one whose index is past the end, and the
 * same-index function of another fabric loaded from the same file.
 */
static void test_strangers_refused(void **state)
{
	struct p2pdma_function *a, *b, copy, far;
	struct pt t, other;
	int d;

	(void)state;
	open_pair(&t, &a, &b);
	pt_open(&other, "policy/q35-switches.json");
	copy = *b;
	far = *b;
	far.index = t.f->nr_fns + 7;
	refused(NULL, a, b);
	refused(t.p, NULL, b);
	refused(t.p, a, NULL);
	refused(t.p, a, &copy);
	refused(t.p, &copy, a);
	refused(t.p, a, &far);
	refused(t.p, &far, a);
	refused(t.p, a, pt_fn(&other, "04:00.1"));
	refused(t.p, pt_fn(&other, "03:00.0"), b);
	/* Without a distance wanted, the same refusals. */
	assert_int_equal(p2pdma_map_type(t.p, a, &copy, NULL), NOPE);
	assert_int_equal(p2pdma_map_type(NULL, a, b, NULL), NOPE);
	/* A refusal leaves the index as it was: the real pair still answers. */
	assert_int_equal(ask(t.p, a, b, &d), BUS);
	assert_int_equal(d, 4);
	pt_close(&other);
	pt_close(&t);
}

/*
 * A fabric edit after the last answer: the next call, with no sync of
 * its own, answers for the fabric as it is now; and a refused call
 * right after an edit does not stop the one after it from rebuilding.
 */
static void test_edit_seen_without_sync(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_function *a, *b, copy;
	struct pt t;
	int d;

	(void)state;
	open_pair(&t, &a, &b);
	copy = *b;
	assert_int_equal(ask(t.p, a, b, &d), BUS);
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(t.f, pt_fn(&t, "02:01.0"), 0x0020, &e), 0);
	refused(t.p, a, &copy);
	assert_int_equal(ask(t.p, a, b, &d), NOPE);
	assert_int_equal(d, 4);
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(t.f, pt_fn(&t, "02:01.0"), 0, &e), 0);
	assert_int_equal(ask(t.p, a, b, &d), BUS);
	assert_int_equal(d, 4);
	pt_close(&t);
}

/*
 * The kernel writes its cache at the end of calc_map_type_and_dist()
 * (KERNEL-FACTS 1 and 3.3), which a refused call never reaches: a call
 * refused for a stranger client records nothing for a provider with
 * p2pmem, the real call records the pair.
 */
static void test_refusal_caches_nothing(void **state)
{
	struct p2pdma_function *a, *b, copy;
	struct pt t;
	int d;

	(void)state;
	open_pair(&t, &a, &b);
	assert_true(a->p2pmem.present);	/* in the fixture */
	copy = *b;
	refused(t.p, a, &copy);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, a, b), P2PDMA_MAP_UNKNOWN);
	assert_int_equal(ask(t.p, a, b, &d), BUS);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, a, b), BUS);
	pt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_and_distance),
		cmocka_unit_test(test_pair_below_two_root_ports),
		cmocka_unit_test(test_strangers_refused),
		cmocka_unit_test(test_edit_seen_without_sync),
		cmocka_unit_test(test_refusal_caches_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
