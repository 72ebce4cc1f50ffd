// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Several clients and provider choice (KERNEL-FACTS 3.1, 3.2):
 * pci_p2pdma_distance_many() and pci_p2pmem_find_many().
 */
#include <errno.h>
#include <stdio.h>

#include "policy_test.h"

static void clients(struct pt *t, struct p2pdma_client *c, const char *const *names, size_t n)
{
	struct p2pdma_error e = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (p2pdma_client_parse(t->f, names[i], &c[i], &e))
			fail_msg("%s: %s", names[i], e.reason);
}

/*
 * q35-switches, provider 03:00.0: client 04:00.1 is at distance 4 and
 * 07:00.0 at 6 (see test_verdict), both BUS_ADDR: the sum is 10.  Adding
 * 09:00.0 (NOT_SUPPORTED, different root port on 29c0) makes it -1; the
 * verbose walk still computes every client.
 */
static void test_distance_many(void **state)
{
	static const char *const names[] = { "04:00.1", "07:00.0", "09:00.0" };
	struct p2pdma_client c[3];
	enum p2pdma_map_type types[3];
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	clients(&t, c, names, 3);
	assert_int_equal(p2pdma_distance_many(t.p, pt_fn(&t, "03:00.0"), c, 2, types), 10);
	assert_int_equal(types[0], P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(types[1], P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_distance_many(t.p, pt_fn(&t, "03:00.0"), c, 3, types), -1);
	assert_int_equal(types[2], P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_distance_many(t.p, pt_fn(&t, "03:00.0"), c, 0, NULL), -1);
	/* The provider itself as the only client: 0, the best there is. */
	clients(&t, c, (const char *const[]){ "03:00.0" }, 1);
	assert_int_equal(p2pdma_distance_many(t.p, pt_fn(&t, "03:00.0"), c, 1, NULL), 0);
	pt_close(&t);
}

/*
 * find on q35-switches: published providers are 03:00.0 and 0a:00.0.  For
 * client 04:00.1, 03:00.0 is BUS_ADDR at 4 and 0a:00.0 redirects itself
 * (NOT_SUPPORTED on 29c0): 03:00.0, the only one at the smallest distance.
 */
static void test_find_single(void **state)
{
	struct p2pdma_find_result *r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_client c[1];
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	clients(&t, c, (const char *const[]){ "04:00.1" }, 1);
	assert_int_equal(p2pdma_find(t.p, c, 1, 7, &r, &e), 0);
	assert_ptr_equal(r->chosen, pt_fn(&t, "03:00.0"));
	assert_int_equal(r->distance, 4);
	assert_int_equal(r->nr_ties, 1);
	assert_int_equal(r->nr_candidates, 2);
	assert_ptr_equal(r->candidates[1].provider, pt_fn(&t, "0a:00.0"));
	assert_int_equal(r->candidates[1].distance, -1);
	p2pdma_find_result_free(r);
	pt_close(&t);
}

/*
 * sandy-2s: published providers 01:00.0 and 0001:01:00.0.  Client
 * 81:00.0 sits under pci0000:80 (3c01, REQ_SAME_HOST_BRIDGE): both are
 * refused, nothing is found.  On an AMD Zen both are allowed at distance
 * 2 + 2 = 4: a tie, chosen uniformly; a seed repeats its choice.
 */
static void test_find_ties(void **state)
{
	struct p2pdma_whatif w = { .iommu = -1, .cpu = "amd-zen" };
	struct p2pdma_whatif_report *rep;
	struct p2pdma_find_result *r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_client c[1];
	size_t first = 0, i;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/sandy-2s.json");
	clients(&t, c, (const char *const[]){ "81:00.0" }, 1);
	assert_int_equal(p2pdma_find(t.p, c, 1, 1, &r, &e), 0);
	assert_null(r->chosen);
	assert_int_equal(r->nr_candidates, 2);
	p2pdma_find_result_free(r);

	assert_int_equal(p2pdma_whatif_apply(t.p, &w, &rep, &e), 0);
	p2pdma_whatif_report_free(rep);
	for (i = 0; i < 2000; i++) {
		const struct p2pdma_function *again;

		assert_int_equal(p2pdma_find(t.p, c, 1, i, &r, &e), 0);
		assert_int_equal(r->nr_ties, 2);
		assert_int_equal(r->distance, 4);
		first += r->chosen == pt_fn(&t, "01:00.0");
		again = r->chosen;
		p2pdma_find_result_free(r);
		assert_int_equal(p2pdma_find(t.p, c, 1, i, &r, &e), 0);
		assert_ptr_equal(r->chosen, again);
		p2pdma_find_result_free(r);
	}
	/* Binomial(2000, 1/2): 1000 +- 22; 800..1200 is nine deviations. */
	if (first < 800 || first > 1200)
		fail_msg("01:00.0 chosen %zu times of 2000", first);
	pt_close(&t);
}

/*
 * The kernel keeps at most PAGE_SIZE / sizeof(void *) = 512 ties.  600
 * published providers, each alone on a root bus slot (chain of one), and a
 * client on another host bridge: every pair has no common device,
 * distance 1 + 1 = 2, allowed by the AMD Zen rule.  Only the first 512 in
 * the kernel's walk (BDF order) can be chosen.
 */
static struct p2pdma_fabric *many_providers(void)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_cpu cpu = { .known = true, .vendor = "AuthenticAMD", .family = 0x19 };
	struct p2pdma_error e = { 0 };
	unsigned int h, i;

	for (h = 0; h < 4; h++) {
		struct p2pdma_host_bridge *hb;

		assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, (uint8_t)(h * 0x40), &hb, &e), 0);
		for (i = 0; i < (h < 3 ? 200u : 1u); i++) {
			struct p2pdma_function tmpl;

			p2pdma_function_init(&tmpl);
			tmpl.bdf.bus = (uint8_t)(h * 0x40);
			tmpl.bdf.dev = (uint8_t)(i / 8);
			tmpl.bdf.fn = (uint8_t)(i % 8);
			tmpl.vendor = 0x1de5;
			tmpl.device = 0x3000;
			tmpl.class_code = 0x058000;
			tmpl.acs_state = P2PDMA_ACS_ABSENT;
			tmpl.p2pmem.present = h < 3;
			tmpl.p2pmem.published = h < 3;
			tmpl.p2pmem.size = tmpl.p2pmem.available = 1 << 20;
			assert_int_equal(p2pdma_fabric_add_function(f, hb, NULL, &tmpl, NULL, &e), 0);
		}
	}
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	p2pdma_fabric_set_cpu(f, &cpu);
	return f;
}

static void test_find_tie_cap(void **state)
{
	struct p2pdma_fabric *f = many_providers();
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_find_result *r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_client c = { 0 };
	bool seen_last_bus = false;
	uint64_t s;

	(void)state;
	assert_int_equal(p2pdma_client_parse(f, "c0:00.0", &c, &e), 0);
	for (s = 0; s < 3000; s++) {
		assert_int_equal(p2pdma_find(p, &c, 1, s, &r, &e), 0);
		assert_int_equal(r->nr_candidates, 600);
		assert_int_equal(r->nr_ties, P2PDMA_FIND_MAX_TIES);
		assert_int_equal(r->distance, 2);
		/* 512 = 200 on bus 00, 200 on bus 40, 112 on bus 80 (devices 00-0d). */
		if (r->chosen->bdf.bus == 0x80) {
			assert_true(r->chosen->bdf.dev * 8 + r->chosen->bdf.fn < 112);
			seen_last_bus = true;
		}
		p2pdma_find_result_free(r);
	}
	assert_true(seen_last_bus);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* The writers: text lists every candidate with --all, JSON has the choice. */
static void test_find_write(void **state)
{
	struct p2pdma_find_result *r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_client c[2];
	char *out;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	clients(&t, c, (const char *const[]){ "04:00.1", "07:00.0" }, 2);
	assert_int_equal(p2pdma_find(t.p, c, 2, 3, &r, &e), 0);
	assert_int_equal(r->distance, 10);
	assert_int_equal(p2pdma_find_write(t.p, c, 2, r, NULL, true, false, &out, &e), 0);
	pt_expect_contains(out, "provider    0000:03:00.0");
	pt_expect_contains(out, "distance    10");
	pt_expect_contains(out, "0000:0a:00.0");
	pt_expect_contains(out, "unusable");
	free(out);
	assert_int_equal(p2pdma_find_write(t.p, c, 2, r, NULL, false, true, &out, &e), 0);
	pt_expect_contains(out, "\"chosen\": \"0000:03:00.0\"");
	pt_expect_contains(out, "\"seed\": 3");
	free(out);
	p2pdma_find_result_free(r);
	pt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_many),
		cmocka_unit_test(test_find_single),
		cmocka_unit_test(test_find_ties),
		cmocka_unit_test(test_find_tie_cap),
		cmocka_unit_test(test_find_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
