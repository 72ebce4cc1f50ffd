// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy rules the mutation audit (tests-2026-12: W2, A3, weak test 9)
 * found unchecked.  Expected values come from the kernel's rules as
 * KERNEL-FACTS.md states them: pci_enable_acs() applies
 * pci=disable_acs_redir= and then pci=config_acs= (1.6), each as
 * ctrl = (fw_ctrl & ~mask) | (flags & mask); X86_VENDOR_AMD covers the
 * "AMDisbetter!" vendor string as well as "AuthenticAMD" (1.4); and the
 * allow-list table of 1.4, transcribed in kernel_allow_list.h.
 */
#include <errno.h>

#include "policy_test.h"
#include "kernel_allow_list.h"

static struct p2pdma_whatif_report *apply(struct pt *t, const char *cmdline)
{
	struct p2pdma_whatif w = { .cmdline = cmdline, .iommu = -1 };
	struct p2pdma_whatif_report *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_whatif_apply(t->p, &w, &r, &e))
		fail_msg("what-if failed: %s", e.reason);
	return r;
}

static enum p2pdma_map_type pair(struct pt *t, const char *a, const char *b)
{
	return p2pdma_map_type(t->p, pt_fn(t, a), pt_fn(t, b), NULL);
}

/*
 * q35-switches 06:01.0, ACS Control 0x0c (RR CR).  disable_acs_redir
 * first: 0x0c & ~0x2c = 0x00; then config_acs "1100" (mask 0x0f, flags
 * 0x0c): (0x00 & ~0x0f) | 0x0c = 0x0c.  config_acs wins: RR and CR stay
 * set and 07:00.0 <-> 08:00.0 stays NOT_SUPPORTED (the other order
 * would give 0x00 and BUS_ADDR).  The order on the command line does
 * not matter.
 */
static void test_config_acs_after_disable_acs_redir(void **state)
{
	static const char *const lines[] = {
		"pci=disable_acs_redir=0000:06:01.0 pci=config_acs=1100@0000:06:01.0",
		"pci=config_acs=1100@0000:06:01.0 pci=disable_acs_redir=0000:06:01.0",
	};
	struct p2pdma_whatif_report *r;
	struct pt t;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		pt_open(&t, "policy/q35-switches.json");
		r = apply(&t, lines[i]);
		assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x0c);
		assert_int_equal(r->nr_changes, 0);
		assert_int_equal(pair(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
		p2pdma_whatif_report_free(r);
		pt_close(&t);
	}
	/* config_acs "0100" (mask 0x0f, flags 0x04) after it: 0x04, RR alone still redirects. */
	pt_open(&t, "policy/q35-switches.json");
	r = apply(&t, "pci=disable_acs_redir=0000:06:01.0 pci=config_acs=0100@0000:06:01.0");
	assert_int_equal(pt_fn(&t, "06:01.0")->acs_ctrl, 0x04);
	assert_int_equal(pair(&t, "07:00.0", "08:00.0"), P2PDMA_MAP_NOT_SUPPORTED);
	p2pdma_whatif_report_free(r);
	pt_close(&t);
}

/*
 * A machine that already boots with config_acs= on a device the fix
 * names: the fix must say that config_acs wins over the
 * disable_acs_redir it proposes (fix.c's note), and only for that device.
 */
static void test_fix_notes_loaded_config_acs(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_fabric_set_cmdline(t.f, "ro pci=config_acs=1100@0000:06:01.0"), 0);
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:06:01.0");
	pt_expect_contains(v->fix,
			   "Note: pci=config_acs= on this machine's command line also names 0000:06:01.0; the kernel applies it after disable_acs_redir and it wins");
	p2pdma_verdict_free(v);
	pt_close(&t);

	/* config_acs naming another device: no note. */
	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_fabric_set_cmdline(t.f, "pci=config_acs=1100@0000:06:02.0"), 0);
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_non_null(v->fix);
	assert_null(strstr(v->fix, "Note: pci=config_acs="));
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * cpu_supports_p2pdma(): X86_VENDOR_AMD is "AuthenticAMD" only, not the
 * early engineering samples' "AMDisbetter!" (KERNEL-FACTS.md section 11).
 */
static void test_cpu_rule_amdisbetter(void **state)
{
	struct p2pdma_cpu c = { .known = true, .family = 0x17 };

	(void)state;
	strcpy(c.vendor, "AuthenticAMD");
	assert_true(p2pdma_cpu_supports_p2pdma(&c));
	c.family = 0x16;
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
	/* Other spellings are other vendors. */
	c.family = 0x17;
	strcpy(c.vendor, "AMDisbetter!");
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
	strcpy(c.vendor, "AuthenticAMd");
	assert_false(p2pdma_cpu_supports_p2pdma(&c));
}

/* Every row of the library's table against the kernel's, in order. */
static void test_allow_list_every_row(void **state)
{
	const struct p2pdma_allow_entry *t;
	size_t n, i;

	(void)state;
	t = p2pdma_allow_list(&n);
	assert_int_equal(n, KAL_SIZE);
	for (i = 0; i < n; i++) {
		const struct kal_entry *k = &kernel_allow_list[i];
		unsigned int same = !!(t[i].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);

		if (t[i].vendor != k->vendor || t[i].device != k->device || same != k->req_same)
			fail_msg("allow-list row %zu: %04x:%x same=%u, the kernel's is %04x:%x same=%u",
				 i, t[i].vendor, t[i].device, same, k->vendor, k->device,
				 k->req_same);
		assert_int_equal(t[i].flags & ~P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_acs_after_disable_acs_redir),
		cmocka_unit_test(test_fix_notes_loaded_config_acs),
		cmocka_unit_test(test_cpu_rule_amdisbetter),
		cmocka_unit_test(test_allow_list_every_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
