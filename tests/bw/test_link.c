// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Link arithmetic against the figures of the PCIe specification as
 * ../shared/MODEL-ANCHORS.md tabulates them, and TLP overhead worked by
 * hand: a 256-byte write carries 16 bytes of header and 8 of framing,
 * sequence number and LCRC; a completion 12 and 8; a read request 24
 * bytes per 512-byte max read request.
 */
#include <string.h>

#include "testutil.h"

#define GB 1e9

static void raw_rates_match_the_spec_table(void **state)
{
	(void)state;
	/* x16, one direction, before protocol overhead. */
	assert_float_equal(p2pdma_bw_link_raw(2500, 16), 4.0 * GB, 1e3);
	assert_float_equal(p2pdma_bw_link_raw(5000, 16), 8.0 * GB, 1e3);
	assert_float_equal(p2pdma_bw_link_raw(8000, 16), 15.7538461 * GB, 1e3);
	assert_float_equal(p2pdma_bw_link_raw(16000, 16), 31.5076923 * GB, 1e3);
	assert_float_equal(p2pdma_bw_link_raw(32000, 16), 63.0153846 * GB, 1e3);
	/* Gen6: 64 GT/s x 16 / 8 x 242/256 = 121 GB/s. */
	assert_float_equal(p2pdma_bw_link_raw(64000, 16), 121.0 * GB, 1e3);
	/* Width scales linearly; unknown is 0. */
	assert_float_equal(p2pdma_bw_link_raw(8000, 4), 3.93846154 * GB, 1e3);
	assert_float_equal(p2pdma_bw_link_raw(0, 16), 0, 0);
}

static void tlp_overhead_by_hand(void **state)
{
	struct p2pdma_bw_tlp_cost c;

	(void)state;
	p2pdma_bw_tlp_cost(16000, 256, 512, false, &c);
	assert_float_equal(c.data, 280.0 / 256, 1e-12);
	assert_float_equal(c.request, 0, 0);
	p2pdma_bw_tlp_cost(16000, 256, 512, true, &c);
	assert_float_equal(c.data, 276.0 / 256, 1e-12);
	assert_float_equal(c.request, 24.0 / 512, 1e-12);
	p2pdma_bw_tlp_cost(2500, 128, 512, false, &c);
	assert_float_equal(c.data, 152.0 / 128, 1e-12);
	/* FLIT mode: the header only; framing and CRC live in the flit. */
	p2pdma_bw_tlp_cost(64000, 256, 512, false, &c);
	assert_float_equal(c.data, 272.0 / 256, 1e-12);
}

static void payload_rates(void **state)
{
	(void)state;
	/* Gen3 x4, MPS 256 writes: 3.938 GB/s x 256/280 = 3.601 GB/s. */
	assert_float_equal(p2pdma_bw_link_payload(8000, 4, 256, 512, false),
			   3.60087912 * GB, 1e3);
	/* Gen4 x16 writes: 31.508 x 256/280 = 28.807 GB/s. */
	assert_float_equal(p2pdma_bw_link_payload(16000, 16, 256, 512, false),
			   28.8070330 * GB, 1e3);
	/* Gen5 x16 reads' completions: 63.015 x 256/276 = 58.449 GB/s. */
	assert_float_equal(p2pdma_bw_link_payload(32000, 16, 256, 512, true),
			   58.4490524 * GB, 1e3);
}

static void platforms_follow_the_cpu(void **state)
{
	struct p2pdma_cpu amd = { .known = true, .vendor = "AuthenticAMD", .family = 0x19,
				  .model = 0x11 };
	struct p2pdma_cpu arl = { .known = true, .vendor = "GenuineIntel", .family = 6,
				  .model = 0xc6 };
	struct p2pdma_cpu odd = { .known = true, .vendor = "GenuineIntel", .family = 6,
				  .model = 0x01 };
	const struct p2pdma_bw_platform *p, *all;
	bool assumed;
	size_t n, i;

	(void)state;
	p = p2pdma_bw_platform_for_cpu(&amd, &assumed);
	assert_string_equal(p->name, "amd-zen4");
	assert_false(assumed);
	assert_true(p->rc_peer_reads && p->rc_peer_writes);
	/* Intel client root complexes forward peer writes only (#1253). */
	p = p2pdma_bw_platform_for_cpu(&arl, &assumed);
	assert_string_equal(p->name, "intel-client");
	assert_true(p->rc_peer_writes);
	assert_false(p->rc_peer_reads);
	p = p2pdma_bw_platform_for_cpu(&odd, &assumed);
	assert_true(assumed);
	assert_non_null(strstr(p->name, "assumed"));
	p = p2pdma_bw_platform_for_cpu(NULL, &assumed);
	assert_true(assumed);
	/* Every row says where its figures come from; Intel servers read slower. */
	all = p2pdma_bw_platforms(&n);
	assert_true(n >= 10);
	for (i = 0; i < n; i++) {
		assert_non_null(all[i].dram_src);
		assert_non_null(all[i].inter_socket_src);
		assert_non_null(all[i].rc_src);
		assert_true(all[i].dram_bw > 0);
		if (strstr(all[i].name, "intel-") == all[i].name && all[i].rc_peer_reads)
			assert_true(all[i].rc_peer_read_cost > 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_rates_match_the_spec_table),
		cmocka_unit_test(tlp_overhead_by_hand),
		cmocka_unit_test(payload_rates),
		cmocka_unit_test(platforms_follow_the_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
