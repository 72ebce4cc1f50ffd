// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seeded random DMAs against the reference router of simref.c: a plain
 * linear decode of the same windows (every memory BAR of the initiator's
 * hierarchy at bus addresses, then host RAM, then every BAR by CPU
 * address), the ancestor walk and the ACS bits written out longhand, and
 * the IOMMU as the list of mappings the test itself made.  The root
 * complex's forwarding comes from a table worked by hand from the
 * kernel's host-bridge rule for each machine.
 *
 * Each round randomises the ACS control of every port and endpoint,
 * allocates, maps and frees buffers, then fires DMAs at addresses inside
 * and around every window, buffer and mapping, and at random ones.
 *
 * P2PDMA_SIM_DMAS sets the number of DMAs per machine (default 10^6;
 * the 10^7 sweep of the issue is P2PDMA_SIM_DMAS=10000000).
 * P2PDMA_SEED picks the seed (default fixed); it is printed on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "simref.h"

#define DEFAULT_SEED	0x5eed5eedULL
#define DEFAULT_DMAS	1000000ULL
#define ROUNDS		20

static uint64_t nr_dmas(void)
{
	const char *s = getenv("P2PDMA_SIM_DMAS");

	return s ? strtoull(s, NULL, 0) : DEFAULT_DMAS;
}

static uint64_t seed_of(void)
{
	const char *s = getenv("P2PDMA_SEED");

	return s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
}

static void report(const struct world *w, bool iommu, bool refuses)
{
	fprintf(stderr, "# %s: ok %llu, UR %llu, wild %llu, IOMMU %llu, not forwarded %llu; "
		"below a switch %llu, ACS-redirected %llu\n", w->machine,
		(unsigned long long)w->seen[P2PDMA_SIM_OK],
		(unsigned long long)w->seen[P2PDMA_SIM_FAULT_UNSUPPORTED],
		(unsigned long long)w->seen[P2PDMA_SIM_FAULT_WILD],
		(unsigned long long)w->seen[P2PDMA_SIM_FAULT_IOMMU],
		(unsigned long long)w->seen[P2PDMA_SIM_FAULT_NO_PEER_FORWARD],
		(unsigned long long)w->local, (unsigned long long)w->redirected);
	assert_true(w->seen[P2PDMA_SIM_OK] > 0);
	assert_true(w->seen[P2PDMA_SIM_FAULT_UNSUPPORTED] > 0);
	assert_true(w->seen[P2PDMA_SIM_FAULT_WILD] > 0);
	assert_true(w->local > 0);
	assert_true(w->redirected > 0 || !iommu);
	assert_true(w->seen[P2PDMA_SIM_FAULT_IOMMU] > 0 || !iommu);
	assert_true(w->seen[P2PDMA_SIM_FAULT_NO_PEER_FORWARD] > 0 || !refuses);
}

static void run_machine(const char *machine, bool (*fwd)(const struct p2pdma_host_bridge *,
							 const struct p2pdma_host_bridge *),
			bool iommu, bool refuses)
{
	struct world *w = simref_world_new(machine, seed_of(), fwd);
	uint64_t n = nr_dmas(), i;
	int round;

	for (round = 0; round < ROUNDS; round++) {
		simref_shuffle_acs(w);
		simref_make_buffers(w);
		simref_make_maps(w);
		for (i = 0; i < n / ROUNDS; i++)
			simref_check_one(w, i);
		simref_unmap_all(w);
		simref_free_bufs(w);
	}
	report(w, iommu, refuses);
	simref_world_free(w);
}

static void test_mixed(void **state)
{
	char *p = tu_data_path("../sim/data/mixed.json");

	(void)state;
	run_machine(p, simref_fwd_same, true, true);
	free(p);
}

static void test_dual_xeon(void **state)
{
	(void)state;
	run_machine("builtin:dual-xeon-8gpu", simref_fwd_all, false, false);
}

static void test_amd_epyc(void **state)
{
	(void)state;
	run_machine("builtin:amd-epyc-2gpu", simref_fwd_all, false, false);
}

/*
 * Host buffers are never taken back (mem.h), so the router's fuzzer,
 * whose one world lives for millions of inputs, ran mixed.json's 66 GiB
 * of RAM dry after about half a million of them.  A renewed world has
 * all its RAM again: the first buffer is at 0x1000 (RAM from 0, page 0
 * never handed out), and its mappings start from none.
 */
static void test_world_renew(void **state)
{
	char *p = tu_data_path("../sim/data/mixed.json");
	struct world *w = simref_world_new(p, seed_of(), simref_fwd_same);
	struct p2pdma_error e = { 0 };
	uint64_t a;

	(void)state;
	simref_make_maps(w);	/* no buffers made: each of 24 mappings takes 3 host pages */
	assert_int_equal(w->host_bytes, 24 * 3 * 4096);
	while (!p2pdma_mem_host_alloc(p2pdma_sim_mem(w->s), 1ULL << 30, &a, &e))
		;
	assert_int_equal(p2pdma_mem_host_alloc(p2pdma_sim_mem(w->s), 3 * 4096, &a, &e), -ENOMEM);
	simref_world_renew(w);
	assert_int_equal(w->host_bytes, 0);
	assert_int_equal(w->nr_sgls, 0);
	assert_int_equal(p2pdma_mem_host_alloc(p2pdma_sim_mem(w->s), 3 * 4096, &a, &e), 0);
	assert_int_equal(a, 0x1000);
	simref_make_maps(w);
	assert_int_equal(w->host_bytes, 24 * 3 * 4096);
	simref_world_free(w);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_dual_xeon),
		cmocka_unit_test(test_amd_epyc),
		cmocka_unit_test(test_world_renew),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
