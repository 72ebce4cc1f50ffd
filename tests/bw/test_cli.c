// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma simulate from the outside: the table, the JSON keys the issue
 * names, the graph, and one line with exit status 2 for every bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "testutil.h"

#define XEON "-i builtin:dual-xeon-8gpu"

static void table_for_a_builtin(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, &err, "%s %s simulate --workload storage-gpu",
				tu_p2pdma_bin(), XEON), 0);
	assert_non_null(strstr(out, "Workload: storage-gpu"));
	assert_non_null(strstr(out, "BUS_ADDR"));
	assert_non_null(strstr(out, "P2P path: 0000:40:00.0 > 0000:3d:00.0"));
	assert_non_null(strstr(out, "Host memory: P2P 0 B, bounce 16 GiB"));
	assert_non_null(strstr(out, "Assumed: max payload size 256"));
	free(out);
	free(err);
}

static struct json_object *key(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("no key \"%s\"", k);
	return v;
}

static void json_keys_as_the_issue_says(void **state)
{
	struct json_object *o, *flows, *f0, *util;
	char *out = NULL, *path = tu_data_path("bw/copy-xeon.json");
	size_t i;

	(void)state;
	assert_int_equal(tu_run(&out, NULL, "%s %s simulate %s --json", tu_p2pdma_bin(), XEON,
				path), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	flows = key(o, "flows");
	assert_int_equal(json_object_array_length(flows), 3);
	for (i = 0; i < 3; i++) {
		f0 = json_object_array_get_idx(flows, i);
		key(f0, "p2p_throughput");
		assert_true(json_object_get_double(key(f0, "bounce_throughput")) > 0);
		key(f0, "p2p_host_memory_bytes");
		key(f0, "bottleneck");
	}
	/* Flow 1 goes into the GPU's BAR, capped by its max_rate: 3.2 GB/s, no host bytes. */
	f0 = json_object_array_get_idx(flows, 1);
	assert_float_equal(json_object_get_double(key(f0, "p2p_throughput")), 3.2e9, 1);
	assert_int_equal(json_object_get_int64(key(f0, "p2p_host_memory_bytes")), 0);
	assert_int_equal(json_object_get_int64(key(f0, "bounce_host_memory_bytes")), 8LL << 30);
	/* Flow 2 asked for host memory: it has host bytes in both runs. */
	f0 = json_object_array_get_idx(flows, 2);
	assert_int_equal(json_object_get_int64(key(f0, "p2p_host_memory_bytes")), 2 * 65536);
	/* Per flow, per resource it loads: flow 1 runs at its device limit, full. */
	util = key(key(f0, "utilization"), "bounce");
	assert_true(json_object_object_length(util) > 0);
	f0 = json_object_array_get_idx(flows, 1);
	util = key(key(f0, "utilization"), "p2p");
	assert_float_equal(json_object_get_double(key(util, "flow 1 device limit")), 1, 1e-9);
	util = key(o, "resources");
	assert_true(json_object_array_length(util) > 0);
	key(json_object_array_get_idx(util, 0), "p2p");
	key(json_object_array_get_idx(util, 0), "capacity");
	key(key(o, "totals"), "bounce_host_memory_bytes");
	json_object_put(o);
	free(out);
	free(path);
}

static void dot_colours_links(void **state)
{
	char *out = NULL, *line;

	(void)state;
	assert_int_equal(tu_run(&out, NULL, "%s %s simulate --workload gpu-nic --dot",
				tu_p2pdma_bin(), XEON), 0);
	assert_non_null(strstr(out, "digraph"));
	assert_non_null(strstr(out, "P2P up "));
	assert_non_null(strstr(out, "color=\"#c0392b\""));	/* a full link */
	free(out);
	/* Each edge carries its own figures: the NIC's link is full one way (red). */
	assert_int_equal(tu_run(&out, NULL, "%s -i builtin:amd-epyc-2gpu simulate --dot",
				tu_p2pdma_bin()), 0);
	line = strstr(out, "\"0000:40:03.1\" -> \"0000:42:00.0\"");
	assert_non_null(line);
	*strchr(line, '\n') = '\0';
	assert_non_null(strstr(line, "down 100%"));
	assert_non_null(strstr(line, "#c0392b"));
	free(out);
}

/* Bad input: one line on stderr, naming the file and JSON path; exit 2. */
static void bad_input_exits_2(void **state)
{
	static const char *const bad[][2] = {
		{ "bw-bad/unknown-device.json", "$.flows[0].to: no device" },
		{ "bw-bad/self.json", "$.flows[0].to: a flow from a device to itself" },
		{ "bw-bad/negative.json", "$.flows[0].bytes: -5 is negative" },
		{ "bw-bad/absurd.json", "$.flows[0].bytes: 1152921504606846976 is out of range" },
		{ "bw-bad/unknown-key.json", "$.flows[0].speed: unknown key" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = tu_data_path(bad[i][0]), *out = NULL, *err = NULL;

		assert_int_equal(tu_run(&out, &err, "%s %s simulate %s", tu_p2pdma_bin(), XEON,
					path), 2);
		assert_string_equal(out, "");
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, bad[i][1]));
		assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
		free(path);
		free(out);
		free(err);
	}
}

static void bad_usage_exits_2(void **state)
{
	static const char *const args[] = {
		"simulate --workload nope",
		"simulate a.json --workload copy",
		"simulate a.json b.json",
		"simulate --json --dot",
		"simulate --frobnicate",
		"simulate /nonexistent/w.json",
	};
	char *err = NULL, *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		if (tu_run(NULL, &err, "%s %s %s", tu_p2pdma_bin(), XEON, args[i]) != 2)
			fail_msg("'%s' did not exit 2", args[i]);
		free(err);
	}
	/* A machine without the devices: the error says what is missing. */
	assert_int_equal(tu_run(NULL, &err, "%s -i builtin:amd-epyc-2gpu simulate --workload copy",
				tu_p2pdma_bin()), 2);
	assert_non_null(strstr(err, "needs at least 2 NVMe drives; this machine has 1"));
	free(err);
	/* An NCCL topology gives no BARs: its GPUs cannot be written into, and that is said. */
	path = tu_real_path("nccl/azhpc-ndv4-topo.xml");
	assert_int_equal(tu_run(NULL, &err, "%s -i %s simulate --workload gpu-nic",
				tu_p2pdma_bin(), path), 2);
	assert_non_null(strstr(err, "8 GPU(s) are described without BARs"));
	free(err);
	free(path);
}

/* The manual page has the command and every long option its --help names. */
static void man_page_covers_help(void **state)
{
	static const char *const opts[] = { "--workload", "--json", "--dot", "--svg", "--help" };
	char *man, *path, *out = NULL;
	size_t i;

	(void)state;
	assert_true(asprintf(&path, "%s/doc/p2pdma.1", P2PDMA_SOURCE_ROOT) > 0);
	man = tu_read_file(path, NULL);
	assert_non_null(man);
	assert_non_null(strstr(man, ".SS simulate"));
	assert_int_equal(tu_run(&out, NULL, "%s simulate --help", tu_p2pdma_bin()), 0);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char roff[32];

		assert_non_null(strstr(out, opts[i]));
		snprintf(roff, sizeof(roff), "\\-\\-%s", opts[i] + 2);
		if (strcmp(opts[i], "--help") && !strstr(man, roff))
			fail_msg("doc/p2pdma.1 lacks %s", opts[i]);
	}
	free(out);
	free(man);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_for_a_builtin),
		cmocka_unit_test(json_keys_as_the_issue_says),
		cmocka_unit_test(dot_colours_links),
		cmocka_unit_test(bad_input_exits_2),
		cmocka_unit_test(bad_usage_exits_2),
		cmocka_unit_test(man_page_covers_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
