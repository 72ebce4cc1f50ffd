// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's verdict on hand-worked topologies (tests/data/policy/, one JSON file each).
 * Every expectation is derived by hand from KERNEL-FACTS.md 1.2-1.4 and
 * section 2 (calc_map_type_and_dist(), host_bridge_whitelist(), the
 * messages), written out in the comment next to it, not taken from the
 * code under test.
 *
 * Notation in the derivations: chain(X) = X, pci_upstream_bridge(X), ...
 * up to the root bus (a VF's second element is its PF's parent).
 */
#include <errno.h>

#include "policy_test.h"

/*
 * q35-switches: same switch.  chain(03:00.0) = 03:00.0 02:00.0 01:00.0
 * 00:01.0; chain(04:00.1) = 04:00.1 02:01.0 01:00.0 00:01.0.  The first
 * provider-chain device on the client chain is 01:00.0 (dist_a 2, dist_b
 * 2): distance 4.  Checked: 03:00.0 (no ACS), 02:00.0 (ctrl 0), 01:00.0
 * (no ACS), 04:00.1 (no ACS), 02:01.0 (ctrl 0): none redirects, so
 * BUS_ADDR and the host bridge is never asked; nothing is logged.
 * nvidia-smi: one switch = PIX.
 */
static void test_same_switch(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;
	int d;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "03:00.0", "04:00.1");
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	assert_true(v->certain);
	assert_int_equal(v->distance, 4);
	pt_expect_fns(&v->common, 1, "0000:01:00.0");
	pt_expect_path(v, "0000:03:00.0 0000:02:00.0 0000:01:00.0 0000:02:01.0 0000:04:00.1");
	assert_int_equal(v->nr_acs, 0);
	assert_int_equal(v->host_bridge_allowed, -1);
	assert_int_equal(v->hb_rule, P2PDMA_HB_NOT_CONSULTED);
	assert_int_equal(v->nr_kernel_log, 0);
	assert_int_equal(v->path_class, P2PDMA_PATH_PIX);
	assert_null(v->fix);
	p2pdma_verdict_free(v);
	/* The fast path says the same. */
	assert_int_equal(p2pdma_map_type(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "04:00.1"), &d),
			 P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(d, 4);
	pt_close(&t);
}

/*
 * Two switch levels.  chain(07:00.0) = 07:00.0 06:00.0 05:00.0 02:02.0
 * 01:00.0 00:01.0; common with chain(03:00.0) is 01:00.0: dist_a 2,
 * dist_b 4, distance 6.  No checked device redirects: BUS_ADDR.  The path
 * crosses switch B (06:00.0/05:00.0) and switch A (02:02.0/01:00.0/
 * 02:00.0): two bridges as nvidia-smi counts them, PXB.  Reversed
 * roles give the same distance (the walk is symmetric in length).
 */
static void test_two_switch_levels(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "03:00.0", "07:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(v->distance, 6);
	pt_expect_fns(&v->common, 1, "0000:01:00.0");
	pt_expect_path(v, "0000:03:00.0 0000:02:00.0 0000:01:00.0 0000:02:02.0 0000:05:00.0 0000:06:00.0 0000:07:00.0");
	assert_int_equal(v->path_class, P2PDMA_PATH_PXB);
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "07:00.0", "03:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(v->distance, 6);
	p2pdma_verdict_free(v);
	/* Both GPUs below switch B, clean side: not this pair (06:01.0 redirects). */
	pt_close(&t);
}

/*
 * ACS on a downstream port.  chain(07:00.0) and chain(08:00.0) meet at
 * 05:00.0 (distance 2 + 2 = 4).  Checked: 07:00.0, 06:00.0 (0), 05:00.0
 * (no ACS), then the client side 08:00.0, 06:01.0 (ctrl 0x000c: RR|CR):
 * one redirect, list "0000:06:01.0".  The verbose path prints the two ACS
 * lines with the client's prefix (driver nvidia).  CPU GenuineIntel: no
 * CPU rule.  Same host bridge pci0000:00, whose first device 00:00.0 is
 * at devfn 00.0: 8086:29c0, in no allow-list entry; warn is true on the
 * redirect path, so "Host bridge not in P2PDMA whitelist: 8086:29c0" is
 * printed on 00:00.0 (no driver: prefix "pci").  Result NOT_SUPPORTED and
 * the "cannot be used" line.  The fix clears RR|CR on 06:01.0:
 * 0x000c & ~0x002c = 0x0000.
 */
static void test_acs_on_downstream_port(void **state)
{
	static const char *const log[] = {
		"nvidia 0000:08:00.0: ACS redirect is set between the client and provider (0000:07:00.0)",
		"nvidia 0000:08:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:06:01.0",
		"pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0",
		"nvidia 0000:08:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:07:00.0) do not share an upstream bridge or whitelisted host bridge",
		NULL,
	};
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_true(v->certain);
	assert_int_equal(v->distance, 4);
	pt_expect_fns(&v->common, 1, "0000:05:00.0");
	pt_expect_fns(v->acs, v->nr_acs, "0000:06:01.0");
	assert_int_equal(v->host_bridge_allowed, 0);
	assert_int_equal(v->hb_rule, P2PDMA_HB_ALLOW_LIST);
	assert_int_equal(v->nr_hb, 1);
	assert_true(v->hb[0].same_host_bridge);
	assert_true(v->hb[0].warned);
	assert_int_equal(v->hb[0].entry, -1);
	pt_expect_log(v->kernel_log, v->nr_kernel_log, log);
	assert_false(v->kernel_list_truncated);
	assert_int_equal(v->path_class, P2PDMA_PATH_PIX);
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:06:01.0");
	assert_int_equal(v->nr_fix_setpci, 1);
	assert_string_equal(v->fix_setpci[0], "setpci -s 0000:06:01.0 ECAP_ACS+0x6.w=0000");
	pt_expect_contains(v->fix, "/etc/default/grub.d/");
	pt_expect_contains(v->fix, "lost at reboot");
	pt_expect_contains(v->reason, "0000:06:01.0");
	/* Both GPUs: NCCL would call PIX usable; Linux refuses. */
	pt_expect_contains(v->peer_note, "Linux refuses");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * ACS on the provider itself.  0a:00.0 has its own ACS Control 0x0004
 * (RR).  chain(0a:00.0) = 0a:00.0 02:03.0 01:00.0 ...; with 03:00.0 the
 * common device is 01:00.0, distance 2 + 2 = 4.  The first device checked
 * is the provider: it redirects, list "0000:0a:00.0" (the other checked
 * ports are clear).  Then as above: 29c0 not listed, NOT_SUPPORTED.
 * Provider == client (0a:00.0 twice): both walks stop at once, distance
 * 0, but its own RR still sends it to the host-bridge rule: NOT_SUPPORTED
 * at distance 0.  Sibling 0a:00.1 -> 0a:00.0: common 02:03.0, distance 2,
 * the client itself redirects.
 */
static void test_acs_on_provider_itself(void **state)
{
	static const char *const self_log[] = {
		"pci 0000:0a:00.0: ACS redirect is set between the client and provider (0000:0a:00.0)",
		"pci 0000:0a:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:0a:00.0",
		"pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0",
		"pci 0000:0a:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:0a:00.0) do not share an upstream bridge or whitelisted host bridge",
		NULL,
	};
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "0a:00.0", "03:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 4);
	pt_expect_fns(v->acs, v->nr_acs, "0000:0a:00.0");
	assert_string_equal(v->kernel_log[0],
			    "nvme 0000:03:00.0: ACS redirect is set between the client and provider (0000:0a:00.0)");
	/* 0x0004 & ~0x002c */
	assert_string_equal(v->fix_setpci[0], "setpci -s 0000:0a:00.0 ECAP_ACS+0x6.w=0000");
	p2pdma_verdict_free(v);

	v = pt_verdict(&t, "0a:00.0", "0a:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 0);
	pt_expect_fns(&v->common, 1, "0000:0a:00.0");
	pt_expect_path(v, "0000:0a:00.0");
	pt_expect_log(v->kernel_log, v->nr_kernel_log, self_log);
	assert_int_equal(v->path_class, P2PDMA_PATH_X);
	p2pdma_verdict_free(v);

	v = pt_verdict(&t, "0a:00.1", "0a:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 2);
	pt_expect_fns(&v->common, 1, "0000:02:03.0");
	pt_expect_fns(v->acs, v->nr_acs, "0000:0a:00.0");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * Sibling functions, VF/PF and VF/VF.  04:00.0 and 04:00.1 sit on the bus
 * below 02:01.0: chains 04:00.x 02:01.0 ..., common 02:01.0, distance
 * 1 + 1 = 2, nothing redirects: BUS_ADDR.  VF 04:00.2 (PF 04:00.1): its
 * upstream is the PF's parent 02:01.0, so chain(VF) = 04:00.2 02:01.0 ...;
 * the PF itself is not on the VF's chain, the common device is 02:01.0,
 * distance 2.  Two VFs of the same PF: same, distance 2.  The same
 * function twice: distance 0, BUS_ADDR.
 */
static void test_siblings_vf_pf(void **state)
{
	static const char *const pairs[][2] = {
		{ "04:00.0", "04:00.1" }, { "04:00.1", "04:00.2" },
		{ "04:00.2", "04:00.1" }, { "04:00.2", "04:00.3" },
	};
	struct pt t;
	struct p2pdma_verdict *v;
	size_t i;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		v = pt_verdict(&t, pairs[i][0], pairs[i][1]);
		assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
		assert_int_equal(v->distance, 2);
		pt_expect_fns(&v->common, 1, "0000:02:01.0");
		assert_int_equal(v->path_class, P2PDMA_PATH_PIX);
		p2pdma_verdict_free(v);
	}
	v = pt_verdict(&t, "03:00.0", "03:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(v->distance, 0);
	assert_int_equal(v->path_class, P2PDMA_PATH_X);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * Different root ports on a host bridge that is not listed.  chain(03:00.0)
 * has 4 devices, chain(09:00.0) = 09:00.0 00:02.0 has 2 and they share
 * none: distance 4 + 2 = 6, ACS findings ignored, acs_redirects false.
 * Same host bridge: one look-up, same=true, warn=false: 8086:29c0 is not
 * listed, no whitelist line.  NOT_SUPPORTED and the verbose line with
 * e1000e's prefix.  nvidia-smi: through the host bridge, PHB.
 */
static void test_root_ports_unlisted(void **state)
{
	static const char *const log[] = {
		"e1000e 0000:09:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:03:00.0) do not share an upstream bridge or whitelisted host bridge",
		NULL,
	};
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "03:00.0", "09:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 6);
	assert_null(v->common);
	assert_int_equal(v->nr_acs, 0);
	pt_expect_path(v, "0000:03:00.0 0000:02:00.0 0000:01:00.0 0000:00:01.0 pci0000:00 0000:00:02.0 0000:09:00.0");
	assert_int_equal(v->nr_hb, 1);
	assert_false(v->hb[0].warned);
	pt_expect_log(v->kernel_log, v->nr_kernel_log, log);
	assert_int_equal(v->path_class, P2PDMA_PATH_PHB);
	assert_null(v->fix_cmdline);
	pt_expect_contains(v->fix, "8086:29c0");
	pt_expect_contains(v->fix, "pci=noacs");	/* named only to say it does not exist */
	pt_expect_contains(v->fix, "does not exist in mainline");
	pt_expect_contains(v->reason, "not on the kernel's P2PDMA allow-list");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * skylake-stacks: root-port-first root buses.  18:00.0 (under 17:00.0)
 * and 3b:00.0 (under 3a:00.0): no common device, distance 2 + 2 = 4.
 * Different host bridges: pci0000:17's first device 17:00.0 (devfn 00.0)
 * is 8086:2030, entry flags 0: passes with same=false; pci0000:3a likewise:
 * THRU_HOST_BRIDGE.  Both NUMA 0: NODE.
 * 18:00.0 and 19:00.0 (under 17:02.0): same host bridge, 2030 listed,
 * THRU_HOST_BRIDGE, PHB.
 * 18:00.0 and 5e:00.0: pci0000:5d's first device 5d:02.0 is not at 00.0
 * but is a root port, so it is looked up: 8086:2032, listed: THRU.
 * 01:00.0 (pci0000:00, first device 00:00.0 8086:2020, listed) and
 * 18:00.0: THRU.  ca:00.0 (pci0000:c9, 8086:09a2 at 00.0, listed): THRU.
 */
static void test_skylake_listed(void **state)
{
	static const char *const pairs[][3] = {
		{ "18:00.0", "3b:00.0", "NODE" }, { "18:00.0", "19:00.0", "PHB" },
		{ "18:00.0", "5e:00.0", "NODE" }, { "01:00.0", "18:00.0", "NODE" },
		{ "18:00.0", "ca:00.0", "SYS" },
	};
	struct pt t;
	struct p2pdma_verdict *v;
	size_t i;

	(void)state;
	pt_open(&t, "policy/skylake-stacks.json");
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		v = pt_verdict(&t, pairs[i][0], pairs[i][1]);
		assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
		assert_true(v->certain);
		assert_int_equal(v->distance, 4);
		assert_null(v->common);
		assert_int_equal(v->host_bridge_allowed, 1);
		assert_int_equal(v->hb_rule, P2PDMA_HB_ALLOW_LIST);
		assert_int_equal(v->nr_kernel_log, 0);
		assert_string_equal(p2pdma_path_class_name(v->path_class), pairs[i][2]);
		assert_null(v->fix);
		p2pdma_verdict_free(v);
	}
	v = pt_verdict(&t, "18:00.0", "5e:00.0");
	assert_int_equal(v->nr_hb, 2);
	pt_expect_fns(&v->hb[1].dev, 1, "0000:5d:02.0");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * skylake-stacks: pci0000:85's first function 85:05.0 is neither at 00.0
 * nor a root port, so pci_host_bridge_dev() finds nothing and the
 * look-up fails without a message.  18:00.0 -> 86:00.0: A (pci0000:17)
 * passes, B fails: NOT_SUPPORTED, two look-ups.  86:00.0 -> 18:00.0: A is
 * pci0000:85 and fails first; the short-circuit skips B: one look-up.
 * Distance 2 + 2 = 4; NUMA 0 vs 1: SYS.
 */
static void test_skylake_no_lookup_device(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/skylake-stacks.json");
	v = pt_verdict(&t, "18:00.0", "86:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 4);
	assert_int_equal(v->nr_hb, 2);
	assert_true(v->hb[0].passed);
	assert_null(v->hb[1].dev);
	assert_false(v->hb[1].warned);
	assert_int_equal(v->nr_kernel_log, 1);
	assert_int_equal(v->path_class, P2PDMA_PATH_SYS);
	pt_expect_contains(v->reason, "neither at 00.0 nor a root port");
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "86:00.0", "18:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->nr_hb, 1);
	assert_string_equal(v->hb[0].host->name, "pci0000:85");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * sandy-2s: REQ_SAME_HOST_BRIDGE.  01:00.0 (pci0000:00) and 81:00.0
 * (pci0000:80): no common device, distance 2 + 2 = 4; different host
 * bridges, so pci0000:00 is checked with same=false: first device 00:00.0
 * is 8086:3c00, entry REQ_SAME_HOST_BRIDGE: false, and the short-circuit
 * leaves pci0000:80 unchecked.  A matched entry never warns.  NOT_SUPPORTED.
 * 01:00.0 and 04:00.0 are both under pci0000:00 (root ports 00:02.0 and
 * 00:03.0): same=true, 3c00 passes: THRU_HOST_BRIDGE, distance 2 + 4 = 6.
 */
static void test_req_same_host_bridge(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/sandy-2s.json");
	v = pt_verdict(&t, "01:00.0", "81:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 4);
	assert_int_equal(v->nr_hb, 1);
	assert_false(v->hb[0].same_host_bridge);
	assert_int_equal(v->hb[0].dev->device, 0x3c00);
	assert_true(v->hb[0].entry >= 0);
	assert_false(v->hb[0].warned);
	assert_int_equal(v->nr_kernel_log, 1);
	assert_int_equal(v->path_class, P2PDMA_PATH_SYS);
	pt_expect_contains(v->reason, "REQ_SAME_HOST_BRIDGE");
	pt_expect_contains(v->fix, "same host bridge");
	p2pdma_verdict_free(v);

	v = pt_verdict(&t, "01:00.0", "04:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 6);
	assert_int_equal(v->nr_hb, 1);
	assert_true(v->hb[0].same_host_bridge);
	assert_int_equal(v->path_class, P2PDMA_PATH_PHB);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * sandy-2s: a switch with ACS redirect under a REQ_SAME host bridge.
 * 04:00.0 and 05:00.0 meet at 02:00.0 (distance 4); 03:08.0 and 03:10.0
 * have ctrl 0x1d (RR|CR): list "0000:03:08.0;0000:03:10.0".  Same host
 * bridge, same=true: 3c00 matches and allows; being a match it never
 * warns.  THRU_HOST_BRIDGE with the two ACS lines only.  Both GPUs and
 * NCCL would call this PIX path direct: the note says ACS sends it up.
 */
static void test_acs_with_listed_host_bridge(void **state)
{
	static const char *const log[] = {
		"nvidia 0000:05:00.0: ACS redirect is set between the client and provider (0000:04:00.0)",
		"nvidia 0000:05:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:03:08.0;0000:03:10.0",
		NULL,
	};
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/sandy-2s.json");
	v = pt_verdict(&t, "04:00.0", "05:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 4);
	pt_expect_fns(v->acs, v->nr_acs, "0000:03:08.0;0000:03:10.0");
	pt_expect_log(v->kernel_log, v->nr_kernel_log, log);
	assert_int_equal(v->host_bridge_allowed, 1);
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:03:08.0;0000:03:10.0");
	/* 0x1d & ~0x2c = 0x11 */
	assert_string_equal(v->fix_setpci[1], "setpci -s 0000:03:10.0 ECAP_ACS+0x6.w=0011");
	pt_expect_contains(v->fix, "works as is");
	pt_expect_contains(v->peer_note, "ACS redirect sends every transfer up");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * Two PCI domains.  0001:01:00.0 (pci0001:00, first device 0001:00:00.0
 * 8086:2020, flags 0) and 01:00.0 (pci0000:00, 3c00 REQ_SAME): no common
 * device (different domains never share one), distance 2 + 2 = 4.  A =
 * pci0001:00 passes with same=false, B = pci0000:00 fails (REQ_SAME):
 * NOT_SUPPORTED with two look-ups.
 */
static void test_two_domains(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/sandy-2s.json");
	v = pt_verdict(&t, "0001:01:00.0", "01:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 4);
	assert_null(v->common);
	assert_int_equal(v->nr_hb, 2);
	assert_true(v->hb[0].passed);
	assert_false(v->hb[1].passed);
	pt_expect_contains(v->reason, "different PCI domains");
	pt_expect_path(v, "0001:01:00.0 0001:00:01.0 pci0001:00 pci0000:00 0000:00:02.0 0000:01:00.0");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * amd-zen-switch: CPU AuthenticAMD family 0x17.  03:00.0 and 04:00.0 meet
 * at the switch's upstream port 01:00.0 (distance 4); 02:00.0 and 02:02.0
 * have ctrl 0x1d: list "0000:02:00.0;0000:02:02.0", acs_redirects.
 * cpu_supports_p2pdma() is true, so host_bridge_whitelist() is never
 * called (no whitelist line even though 1022:1480 is not listed):
 * THRU_HOST_BRIDGE.  Across domains (03:00.0 and 0001:01:00.0): no common
 * device, 4 + 2 = 6, the CPU rule allows it.
 */
static void test_amd_zen(void **state)
{
	static const char *const log[] = {
		"ixgbe 0000:04:00.0: ACS redirect is set between the client and provider (0000:03:00.0)",
		"ixgbe 0000:04:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:00.0;0000:02:02.0",
		NULL,
	};
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 4);
	assert_int_equal(v->hb_rule, P2PDMA_HB_CPU);
	assert_int_equal(v->nr_hb, 0);
	assert_true(v->cpu_rule);
	pt_expect_log(v->kernel_log, v->nr_kernel_log, log);
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "03:00.0", "0001:01:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 6);
	assert_int_equal(v->nr_kernel_log, 0);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * The CPU rule itself: AMD family >= 0x17 only; Hygon is its own vendor;
 * pre-Zen AMD (0x15) and Intel are not.
 */
static void test_cpu_rule(void **state)
{
	struct p2pdma_cpu c = { .known = true };
	struct p2pdma_error e = { 0 };

	(void)state;
	strcpy(c.vendor, "AuthenticAMD");
	c.family = 0x17;
	assert_true(p2pdma_cpu_supports_p2pdma(&c));
	c.family = 0x19;
	assert_true(p2pdma_cpu_supports_p2pdma(&c));
	c.family = 0x15;
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
	strcpy(c.vendor, "HygonGenuine");
	c.family = 0x18;
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
	strcpy(c.vendor, "GenuineIntel");
	c.family = 6;
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
	c.known = false;
	assert_false(p2pdma_cpu_supports_p2pdma(&c));

	assert_int_equal(p2pdma_cpu_parse("amd-zen", &c, &e), 0);
	assert_string_equal(c.vendor, "AuthenticAMD");
	assert_int_equal(c.family, 0x17);
	assert_int_equal(p2pdma_cpu_parse("AuthenticAMD:0x15", &c, &e), 0);
	assert_int_equal(c.family, 0x15);
	assert_int_equal(p2pdma_cpu_parse("hygon", &c, &e), 0);
	assert_string_equal(c.vendor, "HygonGenuine");
	assert_int_equal(p2pdma_cpu_parse("GenuineIntel:6:85", &c, &e), 0);
	assert_int_equal(c.model, 85);
	assert_int_equal(p2pdma_cpu_parse("sparc", &c, &e), -EINVAL);
	pt_expect_contains(e.reason, "unknown CPU 'sparc'");
	assert_int_equal(p2pdma_cpu_parse("AuthenticAMD:zen", &c, &e), -EINVAL);
	assert_int_equal(p2pdma_cpu_parse("", &c, &e), -EINVAL);
}

/*
 * The allow-list table is the kernel's, in its order (KERNEL-FACTS 1.4):
 * 30 entries, 3c00 first, Google any-device, Zhaoxin 1008 last.
 */
static void test_allow_list_table(void **state)
{
	size_t n;
	const struct p2pdma_allow_entry *t = p2pdma_allow_list(&n);

	(void)state;
	assert_int_equal(n, 30);
	assert_int_equal(t[0].vendor, 0x8086);
	assert_int_equal(t[0].device, 0x3c00);
	assert_true(t[0].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);
	assert_int_equal(t[4].device, 0x2030);
	assert_int_equal(t[4].flags, 0);
	assert_int_equal(t[9].device, 0x09a2);
	assert_int_equal(t[20].vendor, 0x1ae0);
	assert_int_equal(t[20].device, P2PDMA_ALLOW_ANY_DEVICE);
	assert_int_equal(t[25].vendor, 0x1d17);
	assert_true(t[25].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);
	assert_int_equal(t[29].device, 0x1008);
	assert_int_equal(t[29].flags, 0);
}

/*
 * vf-root-bus: PF 00:05.0 on root bus 00, its VF 10:00.0 on a bridgeless
 * virtual bus.  The VF's upstream bridge is its PF's, none (KERNEL-FACTS
 * 1.2, 11.5): no common upstream device, distance = 1 + 1 chains, and the
 * host-bridge rule: 00:00.0 is 8086:2020 (Skylake-E, listed from 5.5):
 * THRU_HOST_BRIDGE both ways.
 */
static void test_vf_of_root_bus_pf(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/vf-root-bus.json");
	assert_string_equal(t.f->kernel_release, "6.12.117");
	v = pt_verdict(&t, "00:05.0", "10:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 2);
	assert_null(v->common);
	pt_expect_path(v, "0000:00:05.0 pci0000:00 0000:10:00.0");
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "10:00.0", "00:05.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 2);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/* A client that is not PCI: -1 at once, "not a PCI device" (verbose). */
static void test_non_pci_client(void **state)
{
	static const char *const log[] = {
		"platform foo: cannot be used for peer-to-peer DMA as it is not a PCI device",
		NULL,
	};
	struct p2pdma_client c[2];
	struct p2pdma_error e = { 0 };
	enum p2pdma_map_type types[2];
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_client_parse(t.f, "platform:foo", &c[0], &e), 0);
	assert_null(c[0].fn);
	assert_int_equal(p2pdma_verdict_get(t.p, pt_fn(&t, "03:00.0"), NULL, "platform:foo", &v, &e), 0);
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, -1);
	assert_int_equal(v->path_class, P2PDMA_PATH_NONE);
	pt_expect_log(v->kernel_log, v->nr_kernel_log, log);
	p2pdma_verdict_free(v);
	/* distance_many stops at the first non-PCI client. */
	assert_int_equal(p2pdma_client_parse(t.f, "04:00.1", &c[1], &e), 0);
	assert_int_equal(p2pdma_distance_many(t.p, pt_fn(&t, "03:00.0"), c, 2, types), -1);
	assert_int_equal(types[0], P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(types[1], P2PDMA_MAP_UNKNOWN);
	assert_int_equal(p2pdma_map_type(t.p, pt_fn(&t, "03:00.0"), NULL, NULL),
			 P2PDMA_MAP_NOT_SUPPORTED);
	/* Names that are neither: refused with a reason. */
	assert_int_equal(p2pdma_client_parse(t.f, "nvme0", &c[0], &e), -EINVAL);
	assert_int_equal(p2pdma_client_parse(t.f, "abc:def", &c[0], &e), -EINVAL);
	assert_int_equal(p2pdma_client_parse(t.f, "pci:0000:03:00.0", &c[0], &e), -EINVAL);
	assert_int_equal(p2pdma_client_parse(t.f, "0000:33:00.0", &c[0], &e), -ENOENT);
	pt_close(&t);
}

/*
 * The kernel's 128-byte list.  long-acs-list: provider 0b:00.0 at the
 * bottom of five switches, client 10:00.0 below 02:01.0; they meet at
 * 01:00.0.  Redirecting devices in the kernel's order: provider side
 * 0a 09 08 07 06 05 04 03 02:00 01:00 (the common device is checked),
 * client side 02:01.0: 11 names, 13 characters each with the ';' = 143.
 * seq_buf keeps 127 characters: nine whole names (117) and "0000:01:00".
 * The fix has all 11.  CPU Zen: THRU_HOST_BRIDGE.
 */
static void test_list_truncation(void **state)
{
	struct pt t;
	struct p2pdma_verdict *v;

	(void)state;
	pt_open(&t, "policy/long-acs-list.json");
	v = pt_verdict(&t, "0b:00.0", "10:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 10 + 2);
	assert_int_equal(v->nr_acs, 11);
	assert_true(v->kernel_list_truncated);
	assert_string_equal(v->kernel_log[1],
			    "mlx5_core 0000:10:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir="
			    "0000:0a:00.0;0000:09:00.0;0000:08:00.0;0000:07:00.0;0000:06:00.0;"
			    "0000:05:00.0;0000:04:00.0;0000:03:00.0;0000:02:00.0;0000:01:00");
	assert_string_equal(v->fix_cmdline,
			    "pci=disable_acs_redir=0000:0a:00.0;0000:09:00.0;0000:08:00.0;0000:07:00.0;"
			    "0000:06:00.0;0000:05:00.0;0000:04:00.0;0000:03:00.0;0000:02:00.0;"
			    "0000:01:00.0;0000:02:01.0");
	assert_int_equal(v->nr_fix_setpci, 11);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/* JSON: the keys, "UNKNOWN" only when uncertain, null where none. */
static void test_json_keys(void **state)
{
	static const char *const keys[] = {
		"\"provider\": \"0000:07:00.0\"", "\"client\": \"0000:08:00.0\"",
		"\"map_type\": \"NOT_SUPPORTED\"", "\"distance\": 4",
		"\"common_upstream\": \"0000:05:00.0\"", "\"path\": [",
		"\"acs_redirect\": [", "\"host_bridge_allowed\": false",
		"\"path_class\": \"PIX\"", "\"kernel_log\": [", "\"reason\": \"",
		"\"fix\": \"", "\"certain\": true",
	};
	struct pt t;
	struct p2pdma_verdict *v;
	char *json;
	size_t i;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_int_equal(p2pdma_verdict_write_json(v, &json), 0);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		pt_expect_contains(json, keys[i]);
	free(json);
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "03:00.0", "04:00.1");
	assert_int_equal(p2pdma_verdict_write_json(v, &json), 0);
	pt_expect_contains(json, "\"host_bridge_allowed\": null");
	pt_expect_contains(json, "\"fix\": null");
	free(json);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_switch),
		cmocka_unit_test(test_two_switch_levels),
		cmocka_unit_test(test_acs_on_downstream_port),
		cmocka_unit_test(test_acs_on_provider_itself),
		cmocka_unit_test(test_siblings_vf_pf),
		cmocka_unit_test(test_root_ports_unlisted),
		cmocka_unit_test(test_skylake_listed),
		cmocka_unit_test(test_skylake_no_lookup_device),
		cmocka_unit_test(test_req_same_host_bridge),
		cmocka_unit_test(test_acs_with_listed_host_bridge),
		cmocka_unit_test(test_two_domains),
		cmocka_unit_test(test_amd_zen),
		cmocka_unit_test(test_cpu_rule),
		cmocka_unit_test(test_allow_list_table),
		cmocka_unit_test(test_vf_of_root_bus_pf),
		cmocka_unit_test(test_non_pci_client),
		cmocka_unit_test(test_list_truncation),
		cmocka_unit_test(test_json_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
