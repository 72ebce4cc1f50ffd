// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NCCL <pci> elements without vendor/device attributes (mutation audit
 * tests-2026-12: N3).  In azhpc-ndv5-topo.xml (a real Azure dump, see
 * tests/data/real/README.md) the 16 GPUs and NICs carry no IDs: each
 * sits alone on its own host bridge, so whether the kernel allows a pair
 * depends on the host bridges' IDs in its allow-list (KERNEL-FACTS 1.4)
 * on this Intel (not AMD Zen) CPU.  Unknown IDs must stay 0xffff (never
 * a real vendor) and make the answer uncertain; taken as 0 they would
 * give a certain refusal.
 */
#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

static struct p2pdma_fabric *load(const char *rel)
{
	char *path = tu_real_path(rel);
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s: %s", rel, e.reason);
	free(path);
	return f;
}

static struct p2pdma_function *fn(struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &r, &e))
		fail_msg("%s", e.reason);
	return r;
}

static void test_ids_stay_unknown(void **state)
{
	struct p2pdma_fabric *f = load("nccl/azhpc-ndv5-topo.xml");
	size_t i;

	(void)state;
	assert_int_equal(f->nr_fns, 16);
	for (i = 0; i < f->nr_fns; i++) {
		assert_int_equal(f->fns[i]->vendor, 0xffff);
		assert_int_equal(f->fns[i]->device, 0xffff);
		assert_int_equal(f->fns[i]->subsys_vendor, 0xffff);
		assert_int_equal(f->fns[i]->subsys_device, 0xffff);
	}
	p2pdma_fabric_free(f);
}

/* GPU 0001:00:00.0 -> GPU 0002:00:00.0: across host bridges, IDs unknown. */
static void test_verdict_uncertain(void **state)
{
	struct p2pdma_fabric *f = load("nccl/azhpc-ndv5-topo.xml");
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_non_null(p);
	assert_int_equal(p2pdma_verdict_get(p, fn(f, "0001:00:00.0"), fn(f, "0002:00:00.0"),
					    NULL, &v, &e), 0);
	assert_false(v->certain);
	assert_non_null(v->uncertain);
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_stay_unknown),
		cmocka_unit_test(test_verdict_uncertain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
