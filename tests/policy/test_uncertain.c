// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unknown state is never guessed (ISSUE 4, DESIGN "the rules"): when an
 * ACS Control register the kernel would read is unknown, or the CPU is,
 * the verdict lists the answers the kernel could give and says how to get
 * a certain one.  unknown-acs.json: host bridge 8086:29c0 (not listed),
 * Intel CPU; root port 00:01.0 (unknown) > USP 01:00.0 > DSP 02:00.0
 * (unknown) > 03:00.0, DSP 02:01.0 (0) > 04:00.0, DSP 02:02.0 (RR|CR) >
 * 05:00.0; root port 00:02.0 (unknown) > 06:00.0.
 */
#include <errno.h>

#include <json-c/json.h>

#include "policy_test.h"

/*
 * 03:00.0 <-> 04:00.0 meet at 01:00.0; the kernel checks 03:00.0, 02:00.0
 * (unknown), 01:00.0, 04:00.0, 02:01.0 (0).  If 02:00.0 does not redirect:
 * BUS_ADDR; if it does: host-bridge rule, 29c0 unlisted, Intel:
 * NOT_SUPPORTED.  Two answers: uncertain, JSON says "UNKNOWN".  (00:01.0
 * is above the common device and does not matter.)
 */
static void test_uncertain_acs(void **state)
{
	struct json_object *o, *x;
	struct p2pdma_verdict *v;
	char *json;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/unknown-acs.json");
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_false(v->certain);
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_BUS_ADDR) | (1u << P2PDMA_MAP_NOT_SUPPORTED));
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);	/* the "no redirect" case */
	assert_int_equal(v->distance, 4);
	assert_int_equal(v->nr_acs, 0);
	pt_expect_fns(v->acs_unknown, v->nr_acs_unknown, "0000:02:00.0");
	assert_int_equal(v->nr_kernel_log, 0);
	pt_expect_contains(v->uncertain, "BUS_ADDR");
	pt_expect_contains(v->uncertain, "NOT_SUPPORTED");
	pt_expect_contains(v->uncertain, "as root");
	pt_expect_contains(v->uncertain, "p2pdma capture");
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:02:00.0");
	assert_string_equal(v->fix_setpci[0], "setpci -s 0000:02:00.0 ECAP_ACS+0x6.w=0000:002c");
	pt_expect_contains(v->fix, "If one of them does redirect");
	assert_int_equal(p2pdma_verdict_write_json(v, &json), 0);
	o = json_tokener_parse(json);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "map_type", &x));
	assert_string_equal(json_object_get_string(x), "UNKNOWN");
	assert_true(json_object_object_get_ex(o, "possible", &x));
	assert_int_equal(json_object_array_length(x), 2);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(x, 0)), "NOT_SUPPORTED");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(x, 1)), "BUS_ADDR");
	assert_true(json_object_object_get_ex(o, "certain", &x));
	assert_false(json_object_get_boolean(x));
	json_object_put(o);
	free(json);
	p2pdma_verdict_free(v);
	assert_int_equal(p2pdma_map_type(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "04:00.0"), NULL),
			 P2PDMA_MAP_BUS_ADDR);
	pt_close(&t);
}

/*
 * Certain despite unknown ACS.  03:00.0 <-> 05:00.0: 02:02.0 (0x000c)
 * redirects, so the host-bridge rule applies whatever 02:00.0 holds:
 * NOT_SUPPORTED for sure.  The kernel's list has only 02:02.0; our fix
 * also names 02:00.0, which may redirect too.
 * 04:00.0 <-> 06:00.0: no common device, the kernel ignores ACS, so the
 * unknown root ports do not matter: NOT_SUPPORTED for sure.
 */
static void test_certain_despite_unknown(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/unknown-acs.json");
	v = pt_verdict(&t, "03:00.0", "05:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	pt_expect_fns(v->acs, v->nr_acs, "0000:02:02.0");
	pt_expect_fns(v->acs_unknown, v->nr_acs_unknown, "0000:02:00.0");
	assert_string_equal(v->kernel_log[1],
			    "nvidia 0000:05:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:02:02.0");
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:02:02.0;0000:02:00.0");
	assert_string_equal(v->fix_setpci[0], "setpci -s 0000:02:02.0 ECAP_ACS+0x6.w=0000");
	assert_string_equal(v->fix_setpci[1], "setpci -s 0000:02:00.0 ECAP_ACS+0x6.w=0000:002c");
	pt_expect_contains(v->reason, "Certain although");
	assert_null(v->uncertain);
	p2pdma_verdict_free(v);

	v = pt_verdict(&t, "04:00.0", "06:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->nr_acs_unknown, 0);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * An unknown CPU: on an AMD Zen the kernel allows every host-bridge path,
 * on anything else 29c0 refuses.  04:00.0 <-> 06:00.0 becomes
 * THRU_HOST_BRIDGE or NOT_SUPPORTED; 03:00.0 <-> 04:00.0 any of three.
 */
static void test_unknown_cpu(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/unknown-acs.json");
	t.f->cpu.known = false;
	p2pdma_fabric_touch(t.f);
	v = pt_verdict(&t, "04:00.0", "06:00.0");
	assert_false(v->certain);
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_THRU_HOST_BRIDGE) |
					(1u << P2PDMA_MAP_NOT_SUPPORTED));
	pt_expect_contains(v->uncertain, "CPU is unknown");
	pt_expect_contains(v->uncertain, "--cpu");
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_THRU_HOST_BRIDGE) |
					(1u << P2PDMA_MAP_NOT_SUPPORTED) | (1u << P2PDMA_MAP_BUS_ADDR));
	p2pdma_verdict_free(v);
	/* A BUS_ADDR pair needs no CPU: 04:00.0 with itself. */
	v = pt_verdict(&t, "04:00.0", "04:00.0");
	assert_true(v->certain);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * What-ifs that settle an unknown register: disable_acs_redir clears
 * RR|CR|EC whatever the register held, so 02:00.0 is known not to
 * redirect and 03:00.0 <-> 04:00.0 is BUS_ADDR for sure.  config_acs
 * "0000" leaves EC (bit 5) from the unknown register: still uncertain;
 * "000000" covers bits 0-5: certain.
 */
static void test_whatif_settles_unknown(void **state)
{
	struct p2pdma_whatif w = { .iommu = -1 };
	struct p2pdma_whatif_report *r;
	struct p2pdma_error e = { 0 };
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/unknown-acs.json");
	w.cmdline = "pci=disable_acs_redir=0000:02:00.0";
	assert_int_equal(p2pdma_whatif_apply(t.p, &w, &r, &e), 0);
	assert_int_equal(r->nr_changes, 1);
	assert_true(r->changes[0].unknown_cleared);
	p2pdma_whatif_report_free(r);
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	p2pdma_verdict_free(v);
	pt_close(&t);

	pt_open(&t, "policy/unknown-acs.json");
	w.cmdline = "pci=config_acs=0000@0000:02:00.0";
	assert_int_equal(p2pdma_whatif_apply(t.p, &w, &r, &e), 0);
	assert_int_equal(r->nr_changes, 0);
	p2pdma_whatif_report_free(r);
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_false(v->certain);
	p2pdma_verdict_free(v);
	w.cmdline = "pci=config_acs=000000@0000:02:00.0";
	assert_int_equal(p2pdma_whatif_apply(t.p, &w, &r, &e), 0);
	p2pdma_whatif_report_free(r);
	v = pt_verdict(&t, "03:00.0", "04:00.0");
	assert_true(v->certain);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/* The matrix marks uncertain cells '?' and says why below. */
static void test_matrix_marks_uncertain(void **state)
{
	struct p2pdma_error e = { 0 };
	char *out;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/unknown-acs.json");
	assert_int_equal(p2pdma_matrix_write(t.p, P2PDMA_MATRIX_DEFAULT, NULL, false, &out, &e), 0);
	pt_expect_contains(out, "?4 PIX");	/* 03:00.0 <-> 04:00.0 */
	pt_expect_contains(out, "N4 PIX");	/* 03:00.0 <-> 05:00.0 */
	pt_expect_contains(out, "could not be read");
	free(out);
	assert_int_equal(p2pdma_matrix_write(t.p, P2PDMA_MATRIX_DEFAULT, NULL, true, &out, &e), 0);
	pt_expect_contains(out, "\"map_type\": \"UNKNOWN\"");
	free(out);
	pt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncertain_acs),
		cmocka_unit_test(test_certain_despite_unknown),
		cmocka_unit_test(test_unknown_cpu),
		cmocka_unit_test(test_whatif_settles_unknown),
		cmocka_unit_test(test_matrix_marks_uncertain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
