// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's parsing of pci=disable_acs_redir= and pci=config_acs=
 * (KERNEL-FACTS 1.6, drivers/pci/pci.c as summarised there), the order in
 * which pci_enable_acs() applies them, the CPU what-if, and the cache
 * being dropped when the model changes.  Expected register values are
 * worked out by hand from ctrl = (fw_ctrl & ~mask) | (flags & mask).
 */
#include <errno.h>

#include "policy_test.h"
#include "policy_int.h"

static int match(struct pt *t, const char *bdf, const char *s)
{
	const char *end = NULL;

	return p2pdma_dev_str_match(pt_fn(t, bdf), s, &end);
}

/*
 * pci_dev_str_match() on amd-zen-switch: 00:01.1 > 01:00.0 > 02:00.0,
 * 02:02.0 (1022:57a3), 02:04.0 (1022:57a4).
 */
static void test_device_strings(void **state)
{
	const char *end = NULL;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	/* Plain addresses, with and without the domain. */
	assert_int_equal(match(&t, "02:00.0", "0000:02:00.0"), 1);
	assert_int_equal(match(&t, "02:00.0", "02:00.0"), 1);
	assert_int_equal(match(&t, "02:02.0", "02:00.0"), 0);
	assert_int_equal(match(&t, "0001:01:00.0", "01:00.0"), 0);	/* domain 0 implied */
	assert_int_equal(match(&t, "0001:01:00.0", "1:01:00.0"), 1);
	/*
	 * Paths, matched from the device upward: the last /DD.F is the device
	 * itself, each earlier one its upstream bridge, the first BB:DD.F the
	 * topmost one named.
	 */
	assert_int_equal(match(&t, "02:00.0", "00:01.1/00.0/00.0"), 1);
	assert_int_equal(match(&t, "02:02.0", "00:01.1/00.0/00.0"), 0);
	assert_int_equal(match(&t, "02:02.0", "0000:00:01.1/00.0/02.0"), 1);
	assert_int_equal(match(&t, "02:02.0", "01:00.0/02.0"), 1);
	assert_int_equal(match(&t, "01:00.0", "00:01.1/00.0"), 1);
	/* The kernel's sscanf: a "0x" prefix is accepted, the slot is masked to 5 bits. */
	assert_int_equal(match(&t, "02:00.0", "0x0:0x2:0x0.0x0"), 1);
	assert_int_equal(match(&t, "00:01.1", "00:21.1"), 1);
	/*
	 * ... and "0x" is swallowed even with no digit after it, so a
	 * trailing 'x' after the function is no junk to the kernel.
	 */
	assert_int_equal(match(&t, "02:00.0", "02:00.0x"), 1);
	/* Junk after the function, a missing function: cannot parse. */
	assert_int_equal(match(&t, "02:00.0", "02:00.0z"), -EINVAL);
	assert_int_equal(match(&t, "02:00.0", "0000:02:00"), -EINVAL);
	assert_int_equal(match(&t, "02:00.0", "00:01.1/00.0z/00.0"), -EINVAL);
	assert_int_equal(match(&t, "02:00.0", "\"0000:02:00.0"), -EINVAL);
	/* A path entry ends only at ';': a ',' is part of it and breaks it. */
	assert_int_equal(match(&t, "02:00.0", "0000:02:00.0,0000:02:02.0"), -EINVAL);
	assert_int_equal(p2pdma_dev_str_match(pt_fn(&t, "02:00.0"), "02:02.0;02:00.0", &end), 0);
	assert_string_equal(end, ";02:00.0");

	/* IDs: 0 is a wildcard, %hx keeps the low 16 bits. */
	assert_int_equal(match(&t, "02:00.0", "pci:1022:57a3"), 1);
	assert_int_equal(match(&t, "02:04.0", "pci:1022:57a3"), 0);
	assert_int_equal(match(&t, "02:04.0", "pci:1022:0"), 1);
	assert_int_equal(match(&t, "03:00.0", "pci:0:0"), 1);
	assert_int_equal(match(&t, "02:00.0", "pci:11022:57a3"), 1);
	assert_int_equal(match(&t, "02:00.0", "pci:1022:57a3:0:0"), 1);
	assert_int_equal(match(&t, "02:00.0", "pci:1022:57a3:1022:1"), 0);
	assert_int_equal(match(&t, "02:00.0", "pci:1022"), -EINVAL);
	assert_int_equal(p2pdma_dev_str_match(pt_fn(&t, "02:00.0"), "pci:1022:57a3;x", &end), 1);
	assert_string_equal(end, ";x");
	pt_close(&t);
}

/* next_arg() and pci_setup(): what reaches the ACS code. */
static void test_cmdline_split(void **state)
{
	struct p2pdma_acs_params a;

	(void)state;
	assert_int_equal(p2pdma_cmdline_acs_params(
		"BOOT_IMAGE=/vmlinuz quiet pci=disable_acs_redir=0000:02:00.0;0000:02:02.0 iommu=pt", &a), 0);
	assert_string_equal(a.disable_acs_redir, "0000:02:00.0;0000:02:02.0");
	assert_null(a.config_acs);
	assert_false(a.noats);
	p2pdma_acs_params_free(&a);

	/* One pci= with several comma-separated options. */
	assert_int_equal(p2pdma_cmdline_acs_params("pci=noats,disable_acs_redir=a;b,config_acs=1@c", &a), 0);
	assert_true(a.noats);
	assert_string_equal(a.disable_acs_redir, "a;b");
	assert_string_equal(a.config_acs, "1@c");
	assert_int_equal(a.nr_notes, 0);
	p2pdma_acs_params_free(&a);

	/* The last one wins, and we say so. */
	assert_int_equal(p2pdma_cmdline_acs_params("pci=disable_acs_redir=X pci=disable_acs_redir=Y", &a), 0);
	assert_string_equal(a.disable_acs_redir, "Y");
	assert_int_equal(a.nr_notes, 1);
	pt_expect_contains(a.notes[0], "only the last one");
	p2pdma_acs_params_free(&a);

	/* Quotes: around the whole parameter or right after '=' they go; inside they stay. */
	assert_int_equal(p2pdma_cmdline_acs_params("\"pci=disable_acs_redir=A;B\" x", &a), 0);
	assert_string_equal(a.disable_acs_redir, "A;B");
	p2pdma_acs_params_free(&a);
	assert_int_equal(p2pdma_cmdline_acs_params("pci=\"disable_acs_redir=A B\"", &a), 0);
	assert_string_equal(a.disable_acs_redir, "A B");
	p2pdma_acs_params_free(&a);
	assert_int_equal(p2pdma_cmdline_acs_params("pci=disable_acs_redir=\"A;B\"", &a), 0);
	assert_string_equal(a.disable_acs_redir, "\"A;B\"");
	p2pdma_acs_params_free(&a);

	/* "--" ends the kernel's part of the line. */
	assert_int_equal(p2pdma_cmdline_acs_params("ro -- pci=disable_acs_redir=A", &a), 0);
	assert_null(a.disable_acs_redir);
	p2pdma_acs_params_free(&a);

	/* pci= options split at commas: the second device becomes an unknown option. */
	assert_int_equal(p2pdma_cmdline_acs_params("pci=disable_acs_redir=0000:02:00.0,0000:02:02.0", &a), 0);
	assert_string_equal(a.disable_acs_redir, "0000:02:00.0");
	assert_int_equal(a.nr_notes, 1);
	pt_expect_contains(a.notes[0], "PCI: Unknown option `0000:02:02.0'");
	p2pdma_acs_params_free(&a);

	/* Not a pci= parameter, no value, a different spelling: nothing. */
	assert_int_equal(p2pdma_cmdline_acs_params("pcie=disable_acs_redir=A pci xpci=config_acs=1@A", &a), 0);
	assert_null(a.disable_acs_redir);
	assert_null(a.config_acs);
	p2pdma_acs_params_free(&a);
	assert_int_equal(p2pdma_cmdline_acs_params(NULL, &a), 0);
	assert_int_equal(p2pdma_cmdline_acs_params("", &a), 0);
}

static struct p2pdma_whatif_report *apply(struct pt *t, const char *cmdline, int iommu,
					  const char *cpu)
{
	struct p2pdma_whatif w = { .cmdline = cmdline, .iommu = iommu, .cpu = cpu };
	struct p2pdma_whatif_report *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_whatif_apply(t->p, &w, &r, &e))
		fail_msg("what-if failed: %s", e.reason);
	return r;
}

static enum p2pdma_map_type pair(struct pt *t, const char *a, const char *b, int *d)
{
	return p2pdma_map_type(t->p, pt_fn(t, a), pt_fn(t, b), d);
}

/*
 * amd-zen-switch, 03:00.0 <-> 04:00.0: THRU_HOST_BRIDGE because 02:00.0
 * and 02:02.0 (ctrl 0x1d) redirect.  disable_acs_redir on both, by path:
 * each becomes (0x1d & ~0x2c) = 0x11 and the kernel logs "Configured ACS
 * to 0x0011"; nothing redirects any more: BUS_ADDR.
 */
static void test_disable_acs_redir_path(void **state)
{
	static const char *const log[] = {
		"pci 0000:02:00.0: Configured ACS to 0x0011",
		"pci 0000:02:02.0: Configured ACS to 0x0011",
		NULL,
	};
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	r = apply(&t, "pci=disable_acs_redir=00:01.1/00.0/00.0;00:01.1/00.0/02.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, log);
	assert_int_equal(r->nr_changes, 2);
	assert_int_equal(r->changes[0].before, 0x1d);
	assert_int_equal(r->changes[0].after, 0x11);
	assert_int_equal(pt_fn(&t, "02:02.0")->acs_ctrl, 0x11);
	assert_int_equal(pt_fn(&t, "02:04.0")->acs_ctrl, 0x1d);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/* pci:VVVV:DDDD: both 57a3 ports, not the 57a4 one. */
static void test_disable_acs_redir_ids(void **state)
{
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, "pci=disable_acs_redir=pci:1022:57a3", -1, NULL);
	assert_int_equal(r->nr_changes, 2);
	assert_int_equal(pt_fn(&t, "02:00.0")->acs_ctrl, 0x11);
	assert_int_equal(pt_fn(&t, "02:04.0")->acs_ctrl, 0x1d);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	/* 05:00.0 is behind 02:04.0, still redirecting: through the host bridge. */
	assert_int_equal(pair(&t, "03:00.0", "05:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * config_acs with 'x', several devices (the 2025 fix lets the loop go on
 * to later entries).  "xx000xx": from the right, SV x, TB x, RR 0, CR 0,
 * UF 0, EC x, DT x: mask 0x1c, flags 0, so 0x1d -> 0x01.
 */
static void test_config_acs_x(void **state)
{
	static const char *const log[] = {
		"pci 0000:02:00.0: Configured ACS to 0x0001",
		"pci 0000:02:02.0: Configured ACS to 0x0001",
		NULL,
	};
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, "pci=config_acs=xx000xx@0000:02:00.0;xx000xx@0000:02:02.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, log);
	assert_int_equal(pt_fn(&t, "02:00.0")->acs_ctrl, 0x01);
	assert_int_equal(pt_fn(&t, "02:02.0")->acs_ctrl, 0x01);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * q35-switches 06:01.0 (ctrl 0x000c, RR|CR):
 *   "xx00x": SV x, TB 0, RR 0, CR x, UF x: mask 0x06, 0x0c -> 0x08: CR
 *            still set, 07:00.0 <-> 08:00.0 stays NOT_SUPPORTED;
 *   "0000":  mask 0x0f: 0x0c -> 0x00: BUS_ADDR;
 *   "1x0xx": SV x, TB x, RR 0, CR x, UF 1: mask 0x14, flags 0x10:
 *            (0x0c & ~0x14) | 0x10 = 0x18.
 * Each starts again from the loaded ("firmware") value 0x0c.
 */
static void test_config_acs_values(void **state)
{
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=config_acs=xx00x@0000:06:01.0", -1, NULL);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x08);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=config_acs=0000@0000:06:01.0", -1, NULL);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x00);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=config_acs=1x0xx@0000:06:01.0", -1, NULL);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x18);
	assert_string_equal(r->kernel_log[0], "pci 0000:06:01.0: Configured ACS to 0x0018");
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * Bad strings: the kernel ignores the parameter and prints its message
 * for every device with an ACS capability, in enumeration order; on
 * amd-zen-switch those are 00:01.1, 02:00.0, 02:02.0, 02:04.0,
 * 0001:00:01.1.  "Can't parse" is printed once, without a device.
 */
static void expect_bad(const char *cmdline, const char *msg)
{
	static const char *const devs[] = {
		"0000:00:01.1", "0000:02:00.0", "0000:02:02.0", "0000:02:04.0", "0001:00:01.1",
	};
	char lines[5][128];
	const char *expected[6];
	struct p2pdma_whatif_report *r;
	struct pt t;
	size_t i;

	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, cmdline, -1, NULL);
	for (i = 0; i < 5; i++) {
		snprintf(lines[i], sizeof(lines[i]), "pci %s: %s", devs[i], msg);
		expected[i] = lines[i];
	}
	expected[5] = NULL;
	pt_expect_log(r->kernel_log, r->nr_kernel_log, expected);
	assert_int_equal(r->nr_changes, 0);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

static void test_bad_strings(void **state)
{
	static const char *const cant[] = { "PCI: Can't parse ACS command line parameter", NULL };
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	expect_bad("pci=config_acs=12@0000:02:00.0", "Invalid ACS flags... Ignoring");
	expect_bad("pci=config_acs=0000:02:00.0", "ACS Flags missing");
	/* Eight characters: bit 7 is outside SV..DT. */
	expect_bad("pci=config_acs=10000000@0000:02:00.0", "Invalid ACS flags specified");

	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, "pci=disable_acs_redir=0000:02:00", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, cant);
	assert_int_equal(r->nr_changes, 0);
	p2pdma_whatif_report_free(r);
	/* Quotes left inside the value make the device string unparsable. */
	r = apply(&t, "pci=disable_acs_redir=\"0000:02:00.0;0000:02:02.0\"", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, cant);
	p2pdma_whatif_report_free(r);
	/* A comma cuts the list: only 02:00.0 is cleared, 02:02.0 still redirects. */
	r = apply(&t, "pci=disable_acs_redir=0000:02:00.0,0000:02:02.0", -1, NULL);
	assert_int_equal(r->nr_changes, 1);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	/*
	 * A flag string longer than 16 characters: the kernel's int shift
	 * loses bits past 15 in the u16 mask, so a '1' at position 16 is not
	 * "invalid"; "1" + 16 'x': mask 0, the device just gets its firmware
	 * value back ("Configured ACS to 0x001d").
	 */
	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, "pci=config_acs=1xxxxxxxxxxxxxxxx@0000:02:00.0", -1, NULL);
	assert_int_equal(r->nr_kernel_log, 1);
	assert_string_equal(r->kernel_log[0], "pci 0000:02:00.0: Configured ACS to 0x001d");
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * --iommu on: pci_std_enable_acs() sets SV|RR|CR|UF where capable (cap
 * 0x1f on q35's ports gives 0x1d; the endpoint 0a:00.0 with cap 0x0c
 * gets RR|CR = 0x0c).  Then 03:00.0 <-> 04:00.1 (BUS_ADDR as loaded) finds
 * 02:00.0 on the provider side and 02:01.0 on the client side redirecting
 * (00:01.0 is above the common device 01:00.0, not checked):
 * NOT_SUPPORTED with list "0000:02:00.0;0000:02:01.0".  With pci=noats TB
 * is set too: 0x1f.
 */
static void test_iommu_on(void **state)
{
	struct p2pdma_whatif_report *r;
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, NULL, 1, NULL);
	assert_int_equal(pt_fn(&t, "00:01.0")->acs_ctrl, 0x1d);
	assert_int_equal(pt_fn(&t, "02:00.0")->acs_ctrl, 0x1d);
	assert_int_equal(pt_fn(&t, "0a:00.0")->acs_ctrl, 0x0c);
	v = pt_verdict(&t, "03:00.0", "04:00.1");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	pt_expect_fns(v->acs, v->nr_acs, "0000:02:00.0;0000:02:01.0");
	p2pdma_verdict_free(v);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=noats", 1, NULL);
	assert_int_equal(pt_fn(&t, "02:00.0")->acs_ctrl, 0x1f);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * --iommu on with disable_acs_redir on 02:00.0: the kernel enables 0x1d,
 * then recomputes from fw_ctrl: (0x0000 & ~0x2c) | 0 = 0x0000 - the SV and
 * UF it had just set are dropped too.  Only 02:01.0 redirects now.
 */
static void test_iommu_then_disable(void **state)
{
	struct p2pdma_whatif_report *r;
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=disable_acs_redir=0000:02:00.0", 1, NULL);
	assert_int_equal(pt_fn(&t, "02:00.0")->acs_ctrl, 0x0000);
	assert_int_equal(pt_fn(&t, "02:01.0")->acs_ctrl, 0x1d);
	v = pt_verdict(&t, "03:00.0", "04:00.1");
	pt_expect_fns(v->acs, v->nr_acs, "0000:02:01.0");
	p2pdma_verdict_free(v);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * --cpu on amd-zen-switch (03:00.0 <-> 04:00.0, redirected): Hygon and
 * pre-Zen AMD fail the CPU rule, so the allow-list is asked with
 * warn=true: 1022:1480 is not listed, the whitelist line appears on
 * 00:00.0 and the pair is refused.  Zen (0x17) allows it again.
 */
static void test_cpu_whatif(void **state)
{
	struct p2pdma_whatif_report *r;
	struct p2pdma_verdict *v;
	struct p2pdma_whatif w = { .iommu = -1 };
	struct p2pdma_error e = { 0 };
	struct pt t;

	(void)state;
	pt_open(&t, "policy/amd-zen-switch.json");
	r = apply(&t, NULL, -1, "hygon");
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->nr_kernel_log, 4);
	assert_string_equal(v->kernel_log[2], "pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 1022:1480");
	p2pdma_verdict_free(v);
	p2pdma_whatif_report_free(r);

	r = apply(&t, NULL, -1, "AuthenticAMD:0x15");
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_whatif_report_free(r);
	r = apply(&t, NULL, -1, "AuthenticAMD:0x17");
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	p2pdma_whatif_report_free(r);

	/* sandy-2s across domains: refused as loaded, allowed on an AMD Zen. */
	pt_close(&t);
	pt_open(&t, "policy/sandy-2s.json");
	assert_int_equal(pair(&t, "0001:01:00.0", "04:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	r = apply(&t, NULL, -1, "amd-zen");
	assert_int_equal(pair(&t, "0001:01:00.0", "04:00.0", NULL), P2PDMA_MAP_THRU_HOST_BRIDGE);
	p2pdma_whatif_report_free(r);
	/* Bad options are errors; bad cmdline strings are not. */
	assert_int_equal(p2pdma_whatif_set(&w, "iommu", "maybe", &e), -EINVAL);
	assert_int_equal(p2pdma_whatif_set(&w, "cpu", "vax", &e), -EINVAL);
	assert_int_equal(p2pdma_whatif_set(&w, "cmdline", "pci=config_acs=@@@", &e), 0);
	pt_close(&t);
}

/*
 * The cache: a what-if edit bumps the generation, our cached answer is
 * dropped and the new one comes back; the kernel-side view keeps the old
 * answer (the kernel never re-checks), until a distance call overwrites
 * it or the provider's driver is unbound.
 */
static void test_cache_and_stale_kernel(void **state)
{
	struct p2pdma_whatif_report *r;
	struct p2pdma_verdict *v;
	struct p2pdma_error e = { 0 };
	struct pt t;
	uint64_t gen;
	int d;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	/* Without p2pdma state the kernel has no cache for the provider (11.5). */
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", &d), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "07:00.0"), pt_fn(&t, "08:00.0")),
			 P2PDMA_MAP_UNKNOWN);
	((struct p2pdma_function *)pt_fn(&t, "07:00.0"))->p2pmem.present = true;
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", &d), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "07:00.0"), pt_fn(&t, "08:00.0")),
			 P2PDMA_MAP_NOT_SUPPORTED);
	gen = t.f->generation;
	r = apply(&t, "pci=disable_acs_redir=0000:06:01.0", -1, NULL);
	assert_true(t.f->generation > gen);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "07:00.0"), pt_fn(&t, "08:00.0")),
			 P2PDMA_MAP_NOT_SUPPORTED);
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(v->kernel_cached, P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_verdict_free(v);
	/* The distance call rewrote the kernel's entry. */
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "07:00.0"), pt_fn(&t, "08:00.0")),
			 P2PDMA_MAP_BUS_ADDR);
	p2pdma_policy_forget_provider(t.p, pt_fn(&t, "07:00.0"));
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "07:00.0"), pt_fn(&t, "08:00.0")),
			 P2PDMA_MAP_UNKNOWN);
	p2pdma_whatif_report_free(r);

	/* A direct register edit works the same way. */
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(t.f, pt_fn(&t, "02:01.0"), 0x0020, &e), 0);
	assert_int_equal(pair(&t, "03:00.0", "04:00.1", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(t.f, pt_fn(&t, "02:01.0"), 0x0000, &e), 0);
	assert_int_equal(pair(&t, "03:00.0", "04:00.1", NULL), P2PDMA_MAP_BUS_ADDR);
	pt_close(&t);
}

/*
 * The fix merges with a disable_acs_redir= the machine already boots
 * with (the kernel keeps only the last one given).
 */
static void test_fix_keeps_existing_list(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_fabric_set_cmdline(t.f, "ro pci=disable_acs_redir=0000:00:02.0"), 0);
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:00:02.0;0000:06:01.0");
	pt_expect_contains(v->fix, "already boots with pci=disable_acs_redir=0000:00:02.0");
	p2pdma_verdict_free(v);
	pt_close(&t);
}


/* ---------------------------------------------------------------------- */
/* The command line by kernel release (KERNEL-FACTS 11.2, 11.4)            */

static void set_release(struct pt *t, const char *rel)
{
	assert_int_equal(p2pdma_fabric_set_kernel_release(t->f, rel), 0);
}

/*
 * q35-switches, 06:01.0: cap 0x1f, ctrl RR|CR (0x000c) as firmware left
 * it.  disable_acs_redir on 6.12.0 (the 6.11 merge): ctrl = (0x0c &
 * ~0x2c) | (fw 0x0c & 0x2c) = 0x0c, then |= ~0x2c limited to the
 * capabilities (0x13): 0x1f, still RR|CR, so 07:00.0 -> 08:00.0 stays
 * refused.  On 6.12.117 (the fix): (fw & ~0x2c) | 0 = 0x0000, BUS_ADDR.
 */
static void test_fw_redirect_bit_by_release(void **state)
{
	static const char *const buggy[] = { "pci 0000:06:01.0: Configured ACS to 0x001f", NULL };
	static const char *const fixed[] = { "pci 0000:06:01.0: Configured ACS to 0x0000", NULL };
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.12");
	r = apply(&t, "pci=disable_acs_redir=0000:06:01.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, buggy);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x1f);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.12.117");
	r = apply(&t, "pci=disable_acs_redir=0000:06:01.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, fixed);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/* Before 6.11 config_acs is an unknown pci= option; from 6.11 it applies. */
static void test_config_acs_needs_6_11(void **state)
{
	static const char *const old[] = {
		"PCI: Unknown option `config_acs=xxx11xx@0000:02:00.0'", NULL,
	};
	static const char *const now[] = { "pci 0000:02:00.0: Configured ACS to 0x000c", NULL };
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.10");
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	r = apply(&t, "pci=config_acs=xxx11xx@0000:02:00.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, old);
	assert_int_equal(r->nr_changes, 0);
	assert_int_equal(r->nr_notes, 1);
	assert_string_equal(r->notes[0], "pci=config_acs= arrived in 6.11: this kernel ignores it");
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.11");
	r = apply(&t, "pci=config_acs=xxx11xx@0000:02:00.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, now);
	assert_int_equal(pair(&t, "03:00.0", "04:00.0", NULL), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * Before 6.11 disable_acs_redir has its own words: "disabled ACS
 * redirect", and on a matched device without ACS "cannot disable ...".
 */
static void test_disable_acs_redir_before_6_11(void **state)
{
	static const char *const log[] = {
		"pci 0000:06:01.0: disabled ACS redirect",
		"pci 0000:07:00.0: cannot disable ACS redirect for this hardware as it does not have ACS capabilities",
		NULL,
	};
	static const char *const bad[] = {
		"PCI: Can't parse disable_acs_redir parameter: zz", NULL,
	};
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "5.15.0-122-generic");
	r = apply(&t, "pci=disable_acs_redir=0000:06:01.0;0000:07:00.0", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, log);
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0", NULL), P2PDMA_MAP_BUS_ADDR);
	p2pdma_whatif_report_free(r);
	r = apply(&t, "pci=disable_acs_redir=zz", -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, bad);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/* 6.12.0: config_acs takes flags from its first entry; the next fails to parse. */
static void test_config_acs_list_by_release(void **state)
{
	/* 00:01.0 comes first in enumeration, matches no first entry: "Can't parse". */
	static const char *const buggy[] = {
		"PCI: Can't parse ACS command line parameter",
		"pci 0000:02:00.0: Configured ACS to 0x000c",
		NULL,
	};
	static const char *const fixed[] = {
		"pci 0000:02:00.0: Configured ACS to 0x000c",
		"pci 0000:02:01.0: Configured ACS to 0x000c",
		NULL,
	};
	const char *cmd = "pci=config_acs=xxx11xx@0000:02:00.0;xxx11xx@0000:02:01.0";
	struct p2pdma_whatif_report *r;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.12.0");
	r = apply(&t, cmd, -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, buggy);
	assert_int_equal(pt_fn(&t, "02:01.0")->acs_ctrl, 0);
	p2pdma_whatif_report_free(r);
	pt_close(&t);

	pt_open(&t, "policy/q35-switches.json");
	set_release(&t, "6.15");
	r = apply(&t, cmd, -1, NULL);
	pt_expect_log(r->kernel_log, r->nr_kernel_log, fixed);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * An Intel SPT PCH root port (8086:a110) keeps its ACS Control at cap+8:
 * an IOMMU's enable and both parameters go there, and the cap+6 word
 * P2PDMA reads stays as it was, in every release.
 */
static void test_spt_root_port(void **state)
{
	static const char *const log[] = {
		"pci 0000:00:01.0: Intel SPT PCH root port workaround: disabled ACS redirect", NULL,
	};
	struct p2pdma_whatif_report *r;
	struct p2pdma_function *rp;
	struct p2pdma_error e = { 0 };
	const char *rels[] = { "5.15", "6.12", "6.12.117" };
	size_t i;
	struct pt t;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(rels); i++) {
		pt_open(&t, "policy/q35-switches.json");
		rp = pt_fn(&t, "00:01.0");
		rp->vendor = 0x8086;
		rp->device = 0xa110;
		set_release(&t, rels[i]);
		/* --iommu on: every other ACS port gains RR|CR; the SPT port does not. */
		r = apply(&t, NULL, 1, NULL);
		assert_int_equal(rp->acs_ctrl, 0);
		assert_int_equal(pt_fn(&t, "00:02.0")->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK,
				 P2PDMA_ACS_RR | P2PDMA_ACS_CR);
		p2pdma_whatif_report_free(r);
		assert_int_equal(p2pdma_fabric_set_acs_ctrl(t.f, rp, 0x000c, &e), 0);
		r = apply(&t, "pci=disable_acs_redir=0000:00:01.0", -1, NULL);
		pt_expect_log(r->kernel_log, r->nr_kernel_log, log);
		assert_int_equal(rp->acs_ctrl, 0x000c);
		p2pdma_whatif_report_free(r);
		pt_close(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_strings),
		cmocka_unit_test(test_cmdline_split),
		cmocka_unit_test(test_disable_acs_redir_path),
		cmocka_unit_test(test_disable_acs_redir_ids),
		cmocka_unit_test(test_config_acs_x),
		cmocka_unit_test(test_config_acs_values),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_iommu_on),
		cmocka_unit_test(test_iommu_then_disable),
		cmocka_unit_test(test_cpu_whatif),
		cmocka_unit_test(test_cache_and_stale_kernel),
		cmocka_unit_test(test_fix_keeps_existing_list),
		cmocka_unit_test(test_fw_redirect_bit_by_release),
		cmocka_unit_test(test_config_acs_needs_6_11),
		cmocka_unit_test(test_disable_acs_redir_before_6_11),
		cmocka_unit_test(test_config_acs_list_by_release),
		cmocka_unit_test(test_spt_root_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
