// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The workload reader and the built-in workloads, on the built-in
 * dual-xeon-8gpu machine: a file that uses every key, and a file for
 * each mistake, refused with one line naming the file and JSON path.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static struct p2pdma_fabric *xeon(void)
{
	char *path = NULL;
	struct p2pdma_fabric *f;

	assert_true(asprintf(&path, "%s/dual-xeon-8gpu.json", getenv("P2PDMA_MACHINES_DIR")) > 0);
	f = tu_load(path);
	free(path);
	return f;
}

static const struct p2pdma_function *fn(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *out = NULL;

	assert_int_equal(p2pdma_fabric_lookup(f, bdf, &out, NULL), 0);
	return out;
}

static void every_key_read(void **state)
{
	struct p2pdma_fabric *f = xeon();
	struct p2pdma_bw_workload *w = NULL;
	struct p2pdma_error e = { 0 };
	char *path = tu_data_path("bw/copy-xeon.json");

	(void)state;
	if (p2pdma_bw_workload_load(f, path, &w, &e))
		fail_msg("%s", e.reason);
	assert_int_equal(w->nr_flows, 3);
	assert_ptr_equal(w->flows[0].from, fn(f, "0000:1d:00.0"));
	assert_ptr_equal(w->flows[0].to, fn(f, "0000:40:00.0"));
	assert_int_equal(w->flows[0].bytes, 1073741824);
	assert_int_equal(w->flows[0].via, P2PDMA_BW_VIA_AUTO);
	assert_int_equal(w->flows[0].host_node, -1);
	assert_int_equal(w->flows[1].bytes, 4ULL << 30);
	assert_int_equal(w->flows[1].via, P2PDMA_BW_VIA_DEVICE);
	assert_ptr_equal(w->flows[1].via_fn, fn(f, "0000:1a:00.0"));
	assert_float_equal(w->flows[1].max_rate, 3.2e9, 1);
	assert_int_equal(w->flows[2].via, P2PDMA_BW_VIA_HOST);
	assert_int_equal(w->flows[2].host_node, 1);
	assert_int_equal(w->override.mps, 256);
	assert_float_equal(w->override.dram_bw, 100e9, 1);
	assert_true(isnan(w->override.inter_socket_bw));
	assert_int_equal(w->override.rc_peer_reads, -1);
	assert_non_null(strstr(w->description, "p2pmem"));
	p2pdma_bw_workload_free(w);
	p2pdma_fabric_free(f);
	free(path);
}

static const struct {
	const char *file, *path, *says;
} bad[] = {
	{ "unknown-device.json", "$.flows[0].to", "no device 0000:77:00.0" },
	{ "self.json", "$.flows[0].to", "from a device to itself" },
	{ "negative.json", "$.flows[0].bytes", "-5 is negative" },
	{ "absurd.json", "$.flows[0].bytes", "out of range (1 byte to 1 PiB)" },
	{ "zero.json", "$.flows[0].bytes", "out of range" },
	{ "unknown-key.json", "$.flows[0].speed", "unknown key" },
	{ "unknown-top.json", "$.flow", "unknown key" },
	{ "bridge.json", "$.flows[1].from", "is a bridge" },
	{ "bad-via.json", "$.flows[0].via", "sideways" },
	{ "syntax.json", ":1:", "" },
	{ "no-flows.json", "$.flows", "no flows" },
	{ "bad-size.json", "$.flows[0].bytes", "\"lots\" is not a size" },
	{ "bad-mps.json", "$.platform.max_payload_size", "not a power of two" },
	{ "missing-to.json", "$.flows[0]", "missing key \"to\"" },
	{ "flows-object.json", "$.flows", "expected an array" },
	{ "bad-format.json", "$.format", "p2pdma-workload" },
	{ "negative-rate.json", "$.platform.dram_bandwidth", "out of range" },
	{ "not-object.json", "$", "expected an object" },
};

static void mistakes_named_by_path(void **state)
{
	struct p2pdma_fabric *f = xeon();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct p2pdma_bw_workload *w = (void *)1;
		struct p2pdma_error e = { 0 };
		char *rel = NULL, *path, *want = NULL;
		int ret;

		assert_true(asprintf(&rel, "bw-bad/%s", bad[i].file) > 0);
		path = tu_data_path(rel);
		ret = p2pdma_bw_workload_load(f, path, &w, &e);
		if (ret >= 0 || w)
			fail_msg("%s: accepted", bad[i].file);
		assert_int_equal(ret, e.err);
		assert_null(strchr(e.reason, '\n'));
		assert_true(asprintf(&want, "%s%s%s", path, bad[i].path[0] == ':' ? "" : ": ",
				     bad[i].path) > 0);
		if (strncmp(e.reason, want, strlen(want)) || !strstr(e.reason, bad[i].says))
			fail_msg("%s: got \"%s\", want \"%s...%s\"", bad[i].file, e.reason, want,
				 bad[i].says);
		free(want);
		free(rel);
		free(path);
	}
	p2pdma_fabric_free(f);
}

/* The built-ins pair every device with the nearest free partner. */
static void builtins_generated(void **state)
{
	struct p2pdma_fabric *f = xeon();
	struct p2pdma_bw_workload *w = NULL;
	struct p2pdma_error e = { 0 };
	const char *const *n;
	size_t i, count = 0;

	(void)state;
	for (n = p2pdma_bw_builtin_names(); *n; n++, count++) {
		if (p2pdma_bw_workload_builtin(f, *n, &w, &e))
			fail_msg("%s: %s", *n, e.reason);
		assert_true(w->nr_flows > 0);
		for (i = 0; i < w->nr_flows; i++)
			assert_ptr_not_equal(w->flows[i].from, w->flows[i].to);
		p2pdma_bw_workload_free(w);
	}
	assert_int_equal(count, 6);
	/* 4 NVMe drives each write into a GPU under the same switch. */
	assert_int_equal(p2pdma_bw_workload_builtin(f, "storage-gpu", &w, &e), 0);
	assert_int_equal(w->nr_flows, 8);	/* 8 GPUs (not the BMC's VGA), 4 drives */
	assert_ptr_equal(w->flows[0].from, fn(f, "0000:1d:00.0"));
	assert_ptr_equal(w->flows[0].to->parent->parent, fn(f, "0000:18:00.0"));
	p2pdma_bw_workload_free(w);
	/* copy: a ring over the 4 drives. */
	assert_int_equal(p2pdma_bw_workload_builtin(f, "copy", &w, &e), 0);
	assert_int_equal(w->nr_flows, 4);
	assert_ptr_equal(w->flows[3].to, fn(f, "0000:1d:00.0"));
	p2pdma_bw_workload_free(w);
	assert_int_equal(p2pdma_bw_workload_builtin(f, "nope", &w, &e), -ENOENT);
	assert_non_null(strstr(e.reason, "all-busy"));
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_key_read),
		cmocka_unit_test(mistakes_named_by_path),
		cmocka_unit_test(builtins_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
