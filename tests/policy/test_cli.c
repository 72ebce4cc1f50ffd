// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `p2pdma check`, `matrix` and `find` as a user runs them: exit statuses
 * (0 yes, 1 no, 2 bad usage or input), the text a person reads, JSON a
 * program parses, help, and the what-if options.  Expected verdicts are
 * the hand-worked ones of test_verdict.c.
 */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "policy_test.h"

static char *fixture(const char *name)
{
	char *rel, *p;

	if (asprintf(&rel, "policy/%s.json", name) < 0)
		return NULL;
	p = tu_data_path(rel);
	free(rel);
	return p;
}

/* Run p2pdma -i FIXTURE ARGS; returns the exit status. */
static int run(const char *fx, char **out, char **err, const char *args)
{
	char *path = fixture(fx);
	int rc = tu_run(out, err, "%s -i '%s' %s", tu_p2pdma_bin(), path, args);

	free(path);
	return rc;
}

static void test_check_exit_codes(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	/* BUS_ADDR: yes. */
	assert_int_equal(run("q35-switches", &out, &err, "check 03:00.0 04:00.1"), 0);
	pt_expect_contains(out, "BUS_ADDR");
	pt_expect_contains(out, "distance_many 4");
	free(out);
	free(err);
	/* ACS on 06:01.0 and 29c0: no, with the kernel's own lines. */
	assert_int_equal(run("q35-switches", &out, &err, "check 07:00.0 08:00.0"), 1);
	pt_expect_contains(out, "NOT_SUPPORTED");
	pt_expect_contains(out, "nvidia 0000:08:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:06:01.0");
	pt_expect_contains(out, "the kernel's own words");
	pt_expect_contains(out, "setpci -s 0000:06:01.0 ECAP_ACS+0x6.w=0000");
	free(out);
	free(err);
	/* Several clients: one refused makes the whole set "no". */
	assert_int_equal(run("q35-switches", &out, &err, "check 03:00.0 04:00.1 09:00.0"), 1);
	pt_expect_contains(out, "distance_many -1");
	free(out);
	free(err);
	/* A device that is not PCI. */
	assert_int_equal(run("q35-switches", &out, &err, "check 03:00.0 platform:foo"), 1);
	pt_expect_contains(out, "platform foo: cannot be used for peer-to-peer DMA as it is not a PCI device");
	free(out);
	free(err);
	/* Uncertain is not a yes. */
	assert_int_equal(run("unknown-acs", &out, &err, "check 03:00.0 04:00.0"), 1);
	pt_expect_contains(out, "UNCERTAIN: NOT_SUPPORTED or BUS_ADDR");
	free(out);
	free(err);
}

static void test_check_bad_usage(void **state)
{
	static const char *const bad[] = {
		"check 03:00.0",			/* no client */
		"check",
		"check 03:00.0 33:00.0",		/* not in this machine */
		"check 03:00.0 nvme0",			/* neither an address nor BUS:NAME */
		"check platform:foo 03:00.0",		/* the provider must be PCI */
		"check 03:00.0 04:00.1 --iommu maybe",
		"check 03:00.0 04:00.1 --cpu vax",
		"check 03:00.0 04:00.1 --frobnicate",
		"matrix extra",
		"find",
		"find 04:00.1 --seed -3",
		"find 04:00.1 --seed x",
	};
	char *out = NULL, *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc = run("q35-switches", &out, &err, bad[i]);

		if (rc != 2)
			fail_msg("'%s' exited %d, expected 2 (stderr: %s)", bad[i], rc, err);
		if (!err || !*err)
			fail_msg("'%s' printed no error", bad[i]);
		free(out);
		free(err);
	}
	assert_int_equal(run("q35-switches", &out, &err, "check 03:00.0 33:00.0"), 2);
	pt_expect_contains(err, "no PCI function 0000:33:00.0");
	free(out);
	free(err);
}

static void test_help(void **state)
{
	static const char *const cmds[] = { "check", "matrix", "find" };
	char *out = NULL, *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		char args[64];

		snprintf(args, sizeof(args), "%s --help", cmds[i]);
		assert_int_equal(tu_run(&out, &err, "%s %s", tu_p2pdma_bin(), args), 0);
		pt_expect_contains(out, "Usage: p2pdma [-i SRC] ");
		pt_expect_contains(out, "--cmdline");
		free(out);
		free(err);
	}
}

/* JSON parses, and carries the verdict keys with the right types. */
static void test_check_json(void **state)
{
	struct json_object *o, *vs, *v, *x;
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run("sandy-2s", &out, &err, "check 04:00.0 05:00.0 01:00.0 --json"), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "distance_many", &x));
	/* 4 (04:00.0-05:00.0 below the switch) + 6 (to 01:00.0 on another root port) */
	assert_int_equal(json_object_get_int(x), 10);
	assert_true(json_object_object_get_ex(o, "verdicts", &vs));
	assert_int_equal(json_object_array_length(vs), 2);
	v = json_object_array_get_idx(vs, 0);
	assert_true(json_object_object_get_ex(v, "map_type", &x));
	assert_string_equal(json_object_get_string(x), "THRU_HOST_BRIDGE");
	assert_true(json_object_object_get_ex(v, "common_upstream", &x));
	assert_string_equal(json_object_get_string(x), "0000:02:00.0");
	assert_true(json_object_object_get_ex(v, "acs_redirect", &x));
	assert_int_equal(json_object_array_length(x), 2);
	assert_true(json_object_object_get_ex(v, "host_bridge_allowed", &x));
	assert_true(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(v, "path_class", &x));
	assert_string_equal(json_object_get_string(x), "PIX");
	assert_true(json_object_object_get_ex(v, "kernel_log", &x));
	assert_int_equal(json_object_array_length(x), 2);
	v = json_object_array_get_idx(vs, 1);
	assert_true(json_object_object_get_ex(v, "common_upstream", &x));
	assert_null(x);
	json_object_put(o);
	free(out);
	free(err);
}

/* --cmdline changes the answer and shows what the kernel would log. */
static void test_check_whatif(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run("q35-switches", &out, &err,
			     "check 07:00.0 08:00.0 --cmdline 'quiet pci=disable_acs_redir=0000:06:01.0'"), 0);
	pt_expect_contains(out, "pci 0000:06:01.0: Configured ACS to 0x0000");
	pt_expect_contains(out, "BUS_ADDR");
	free(out);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err,
			     "check 07:00.0 08:00.0 --cmdline 'pci=config_acs=1x@0000:06:01.0x'"), 1);
	/*
	 * The kernel swallows the trailing "x" of the address, so 06:01.0
	 * matches; "1x" sets TB (mask 0x02): 0x0c -> 0x0e, RR and CR stay.
	 */
	pt_expect_contains(out, "pci 0000:06:01.0: Configured ACS to 0x000e");
	free(out);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err,
			     "check 07:00.0 08:00.0 --cmdline 'pci=config_acs=12@0000:06:01.0'"), 1);
	pt_expect_contains(out, "Invalid ACS flags... Ignoring");
	free(out);
	free(err);
	assert_int_equal(run("amd-zen-switch", &out, &err, "check 03:00.0 04:00.0 --cpu hygon"), 1);
	pt_expect_contains(out, "Host bridge not in P2PDMA whitelist: 1022:1480");
	free(out);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err, "check 03:00.0 04:00.1 --iommu on"), 1);
	pt_expect_contains(out, "0000:02:00.0;0000:02:01.0");
	free(out);
	free(err);
}

static void test_matrix(void **state)
{
	struct json_object *o, *x, *row, *cell, *m;
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run("q35-switches", &out, &err, "matrix"), 0);
	/* NVMe0 = 03:00.0, first NIC = 04:00.0: B4 PIX. */
	pt_expect_contains(out, "NVMe0");
	pt_expect_contains(out, "B4 PIX");
	pt_expect_contains(out, "N6 PHB");	/* 03:00.0 <-> 09:00.0 */
	pt_expect_contains(out, "BUS_ADDR");
	pt_expect_contains(out, "NODE = ");
	pt_expect_contains(out, "0000:09:00.0");
	/* The host bridge device 00:00.0 (class 0600) only with --all. */
	if (strstr(out, "0000:00:00.0"))
		fail_msg("default matrix lists 00:00.0");
	free(out);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err, "matrix --all"), 0);
	pt_expect_contains(out, "0000:00:00.0");
	free(out);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err, "matrix --json"), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "devices", &x));
	assert_true(json_object_object_get_ex(o, "matrix", &m));
	assert_int_equal(json_object_array_length(m), json_object_array_length(x));
	/* The diagonal is distance 0, class X. */
	row = json_object_array_get_idx(m, 0);
	cell = json_object_array_get_idx(row, 0);
	assert_true(json_object_object_get_ex(cell, "path_class", &x));
	assert_string_equal(json_object_get_string(x), "X");
	assert_true(json_object_object_get_ex(cell, "distance", &x));
	assert_int_equal(json_object_get_int(x), 0);
	json_object_put(o);
	free(out);
	free(err);
}

static void test_find(void **state)
{
	char *out = NULL, *err = NULL, *again = NULL;

	(void)state;
	assert_int_equal(run("q35-switches", &out, &err, "find 04:00.1 --seed 1"), 0);
	pt_expect_contains(out, "provider    0000:03:00.0");
	free(out);
	free(err);
	/* Both published providers are refused for 81:00.0: exit 1, reasons listed. */
	assert_int_equal(run("sandy-2s", &out, &err, "find 81:00.0"), 1);
	pt_expect_contains(out, "provider    none");
	pt_expect_contains(out, "0000:01:00.0");
	free(out);
	free(err);
	/* On an AMD Zen they tie; a seed repeats the choice. */
	assert_int_equal(run("sandy-2s", &out, &err, "find 81:00.0 --cpu amd-zen --seed 42 --all"), 0);
	free(err);
	assert_int_equal(run("sandy-2s", &again, &err, "find 81:00.0 --cpu amd-zen --seed 42 --all"), 0);
	assert_string_equal(out, again);
	pt_expect_contains(out, "one of 2 providers");
	pt_expect_contains(out, "--seed 42 repeats it");
	free(out);
	free(again);
	free(err);
	assert_int_equal(run("q35-switches", &out, &err, "find 04:00.1 07:00.0 --json --seed 9"), 0);
	pt_expect_contains(out, "\"chosen\": \"0000:03:00.0\"");
	pt_expect_contains(out, "\"distance\": 10");
	free(out);
	free(err);
}

/*
 * --kernel: a bad release, or one before P2PDMA (4.20), is one line and
 * exit 2; a good one is named in the output, which also says where
 * another release differs (sandy-2s: 8086:3c00 is listed from 5.5).
 */
static void test_kernel_option(void **state)
{
	static const char *const bad[][2] = {
		{ "banana", "p2pdma: error: --kernel: 'banana' is not a kernel release (try 6.12, 6.12.117, 6.8.0-49-generic or next)\n" },
		{ "4.19", "p2pdma: error: --kernel: kernel 4.19 predates P2PDMA (first in 4.20)\n" },
		{ "", "p2pdma: error: --kernel: empty kernel release (try 6.12, 6.12.117, 5.15 or next)\n" },
	};
	char *out = NULL, *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(tu_run(&out, &err, "%s --kernel '%s' topo", tu_p2pdma_bin(),
					bad[i][0]), 2);
		assert_string_equal(err, bad[i][1]);
		free(out);
		free(err);
	}
	assert_int_equal(run("sandy-2s", &out, &err,
			     "check 01:00.0 04:00.0"), 0);
	assert_non_null(strstr(out, "Kernel release: 7.3 (the machine's kernel release is unknown"));
	free(out);
	free(err);
	assert_int_equal(run("sandy-2s", &out, &err,
			     "--kernel 5.4 check 01:00.0 04:00.0"), 1);
	assert_non_null(strstr(out, "Kernel release: 5.4\n"));
	assert_non_null(strstr(out, "releases      On 5.5 and later this pair is THRU_HOST_BRIDGE."));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_exit_codes),
		cmocka_unit_test(test_check_bad_usage),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_check_json),
		cmocka_unit_test(test_check_whatif),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_kernel_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
