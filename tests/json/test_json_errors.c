// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON loader refuses bad descriptions with one line that names the
 * file and the JSON path (or line and column), and never hands back a
 * partial model.  Each fixture in tests/data/json/ is small.json with one
 * thing wrong; the expected text is written here by hand from
 * doc/json-format.md, not taken from the loader's output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "loaders.h"
#include "util.h"
#include "jtest.h"

struct bad_case {
	const char *file;
	const char *reason;	/* what follows the file's path */
};

#define FN0 "$.host_bridges[0].children[0]"
#define RP1 "$.host_bridges[0].children[1]"
#define RP2 "$.host_bridges[0].children[2]"
#define NVME RP1 ".children[0]"
#define USP RP2 ".children[0]"
#define DSP USP ".children[0]"
#define VF DSP ".children[1]"

static const struct bad_case cases[] = {
	/* Syntax: line and column, then json-c's own words. */
	{ "bad-syntax.json", ":4:3: object value separator ',' expected" },
	{ "bad-comment.json", ":4:3: quoted object property name expected" },
	{ "bad-trailing.json", ":10:1: unexpected character" },
	{ "bad-utf8.json", ":5:30: invalid utf-8 string" },
	{ "bad-truncated.json", ":70:21: unexpected end of file (the JSON is incomplete)" },
	{ "bad-empty.json", ": the file is empty (expected a JSON object)" },
	/* Not our format at all. */
	{ "bad-not-object.json", ": $: expected an object, got an array" },
	{ "not-a-machine.json",
	  ": $: missing key \"format\" (is this a p2pdma machine description?)" },
	{ "bad-format.json", ": $.format: \"p2pdma\" is not \"p2pdma-machine\"" },
	{ "bad-version.json", ": $.version: version 2 is newer than this p2pdma reads (1)" },
	/* Keys: the doc's own example, a missing key naming its object. */
	{ "bad-unknown-key.json", ": " RP2 ".acs_ctl: unknown key" },
	{ "bad-missing-key.json", ": " NVME ": missing key \"iommu_group\"" },
	{ "bad-missing-top.json", ": $: missing key \"host_bridges\"" },
	/* Types and ranges. */
	{ "bad-type.json", ": " RP1 ".vendor: expected a string, got an integer" },
	{ "bad-float.json", ": " FN0 ".revision: expected an integer 0-255, got a number with a fraction or exponent" },
	{ "bad-revision.json", ": " FN0 ".revision: 256 is out of range (0-255)" },
	{ "bad-numa.json", ": " FN0 ".numa_node: -1 is out of range (0-2147483647, or null for unknown)" },
	{ "bad-hb-bus.json", ": $.host_bridges[0].bus: 256 is out of range (0-255)" },
	{ "bad-hex-id.json", ": " FN0 ".device: expected 4 hex digits, got \"202\"" },
	{ "bad-class.json", ": " NVME ".class: expected 6 hex digits, got \"0108\"" },
	{ "bad-bdf.json", ": " RP1 ".bdf: \"0000:00:20.0\" is not a PCI address (DDDD:BB:DD.F or BB:DD.F)" },
	{ "bad-role.json", ": " USP ".role: \"bridge\" is not a role (endpoint, root_port, switch_upstream, switch_downstream, pci_bridge)" },
	{ "bad-nul.json", ": " NVME ".driver: the string contains a NUL character" },
	{ "bad-empty-string.json", ": " NVME ".driver: the string is empty (use null for none)" },
	{ "bad-kernel.json", ": $.kernel: \"6.12 rc1\" is not a kernel release (no blanks or control characters)" },
	{ "bad-kernel-type.json", ": $.kernel: expected a string or null, got an integer" },
	{ "bad-cpu-vendor.json", ": $.cpu.vendor: longer than a CPU vendor id (at most 15 characters)" },
	{ "bad-dma-offset.json", ": " NVME ".dma_offset: expected a hex string \"0x...\" of at most 16 digits, got \"0x10000000000000000\"" },
	{ "bad-link.json", ": " RP1 ".link.speed: \"fast\" is not a link speed (\"8.0 GT/s\" or \"unknown\")" },
	/* The tree as JSON nests it. */
	{ "bad-parent.json", ": " DSP ".parent: says 0000:00:02.0, but the object sits in the children of 0000:02:00.0" },
	{ "bad-parent-root.json", ": " FN0 ".parent: says 0000:00:01.0, but the object sits on a root bus (parent null)" },
	{ "bad-physfn.json", ": " VF ".physfn: no function 0000:04:00.5 in this description" },
	{ "bad-physfn-self.json", ": " VF ".physfn: a function cannot be its own PF" },
	{ "bad-endpoint-children.json", ": " NVME ".children: an endpoint has no functions behind it (is \"role\" right?)" },
	{ "bad-endpoint-bus.json", ": " NVME ".secondary_bus: only a bridge has a bus range (use null for an endpoint)" },
	{ "bad-hb-dup.json", ": $.host_bridges[1]: host bridge 0000:00 is described twice" },
	/* ACS state and registers agree. */
	{ "bad-acs-state.json", ": " RP1 ".acs_state: \"off\" is not an ACS state (unknown, absent, present)" },
	{ "bad-acs-null.json", ": " RP2 ".acs_ctrl: is null, but acs_state is \"present\" (give the register value)" },
	{ "bad-acs-unknown.json", ": " DSP ".acs_cap: must be null when acs_state is \"unknown\"" },
	/* BARs. */
	{ "bad-bar-index.json", ": " NVME ".bars[1].index: 6 is out of range (0-5)" },
	{ "bad-bar-dup.json", ": " NVME ".bars[1].index: BAR 0 is listed twice" },
	{ "bad-bar-size.json", ": " NVME ".bars[0].size: 0 is out of range (at least 1)" },
	{ "bad-bar-start.json", ": " NVME ".bars[0].start: expected a hex string \"0x...\" of at most 16 digits, got \"d0000000\"" },
	{ "bad-bar-flags.json", ": " NVME ".bars[1].flags: \"mem 64 prefetchable\" is not a list of flags (\"io\" or \"mem\", then \"64\" and \"prefetch\", one space apart)" },
	{ "bad-bar-io-mem.json", ": " NVME ".bars[0].flags: a BAR is either \"io\" or \"mem\", not both" },
	{ "bad-bar-wrap.json", ": " NVME ".bars[1].size: the BAR runs past the end of the 64-bit address space" },
	/* Groups, memory, p2pmem. */
	{ "bad-group.json", ": " USP ".iommu_group: group 99 is not listed in $.iommu_groups" },
	{ "bad-group-dup.json", ": $.iommu_groups: group 2 is listed twice" },
	{ "bad-ram.json", ": $.ram[0].size: 0 is out of range (at least 1)" },
	/* Every physical address has one owner: 1 GiB + 4 GiB runs into 2 GiB. */
	{ "bad-ram-overlap.json",
	  ": $.ram[1]: host RAM [0x40000000-0x13fffffff] overlaps host RAM [0x0-0x7fffffff]" },
	/* 4 GiB of RAM from 0 swallows the NVMe's BAR 0 at 0xd0000000 (16 KiB). */
	{ "bad-ram-bar.json",
	  ": 0000:01:00.0 BAR 0 [0xd0000000-0xd0003fff] overlaps host RAM [0x0-0xffffffff]" },
	{ "bad-p2pmem.json", ": " NVME ".p2pmem.available: 33554432 is more than the pool's size 16777216" },
	/* What only the whole tree shows: the model's checks, naming the function. */
	{ "bad-duplicate-bdf.json", ": 0000:04:00.0 is described twice" },
	{ "bad-bus-range.json", ": 0000:02:00.0: bus 02 is outside the range [05-06] of its parent bridge 0000:00:02.0" },
};

static void test_bad_file(void **state)
{
	const struct bad_case *c = *state;
	struct p2pdma_error e;
	char *path = tu_data_path("json/");
	char *want;
	size_t n = strlen(path);

	path = realloc(path, n + strlen(c->file) + 1);
	strcpy(path + n, c->file);
	assert_true(asprintf(&want, "%s%s", path, c->reason) > 0);
	assert_int_not_equal(tu_load_fails(path, &e), 0);
	assert_true(e.err < 0);
	assert_null(strchr(e.reason, '\n'));
	assert_string_equal(e.reason, want);
	free(want);
	free(path);
}

/* The fixtures are small.json with one change: small.json itself loads. */
static void test_base_loads(void **state)
{
	char *path = tu_data_path("json/small.json");
	struct p2pdma_fabric *f;

	(void)state;
	f = tu_load(path);
	assert_int_equal(f->nr_fns, 8);
	p2pdma_fabric_free(f);
	free(path);
}

static struct p2pdma_fabric *load_buf_fabric(const char *text, size_t len,
					     struct p2pdma_error *e)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();

	memset(e, 0, sizeof(*e));
	if (p2pdma_load_json_buf(f, text, len, "mem.json", e)) {
		p2pdma_fabric_free(f);
		return NULL;
	}
	/* As p2pdma_fabric_load() does: the model's checks name no file. */
	if (p2pdma_fabric_finalize(f, e)) {
		p2pdma_error_prefix(e, "mem.json");
		p2pdma_fabric_free(f);
		return NULL;
	}
	return f;
}

static int load_buf(const char *text, size_t len, struct p2pdma_error *e)
{
	struct p2pdma_fabric *f = load_buf_fabric(text, len, e);

	p2pdma_fabric_free(f);
	return f ? 0 : e->err;
}

/* Deep nesting is an error with a position, not a stack overflow. */
static void test_too_deep(void **state)
{
	const size_t depth = 100000;
	struct p2pdma_error e;
	char *s = malloc(depth * 2 + 1);

	(void)state;
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[depth * 2] = '\0';
	assert_int_equal(load_buf(s, depth * 2, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "mem.json:1:"));
	assert_non_null(strstr(e.reason, "nested too deeply"));
	free(s);
}

/* Every proper prefix of a valid description is refused, cleanly. */
static void test_every_prefix(void **state)
{
	char *path = tu_data_path("json/small.json");
	struct p2pdma_error e;
	size_t len, i;
	char *text = tu_read_file(path, &len);

	(void)state;
	assert_non_null(text);
	assert_int_equal(text[len - 1], '\n');
	for (i = 0; i + 1 < len; i++) {
		if (!load_buf(text, i, &e))
			fail_msg("a prefix of %zu bytes loaded", i);
		assert_int_equal(strncmp(e.reason, "mem.json", 8), 0);
		assert_null(strchr(e.reason, '\n'));
	}
	/* Without its final newline it is still whole. */
	assert_int_equal(load_buf(text, len - 1, &e), 0);
	free(text);
	free(path);
}

/*
 * Random damage: whatever a changed byte does, the loader refuses with a
 * one-line reason or loads something that writes and reloads the same.
 */
static void test_random_damage(void **state)
{
	static const char alphabet[] = "{}[]\",:0123456789abcdefx.- \n\\nul";
	char *path = tu_data_path("json/small.json");
	uint64_t rng = tu_seed();
	struct p2pdma_error e;
	size_t len, i, loaded = 0;
	char *text = tu_read_file(path, &len), *copy = malloc(len + 1), *a, *b;
	struct p2pdma_fabric *f, *g;

	(void)state;
	for (i = 0; i < 3000; i++) {
		int k, edits = 1 + (int)(tu_rand(&rng) % 3);

		memcpy(copy, text, len + 1);
		for (k = 0; k < edits; k++)
			copy[tu_rand(&rng) % len] = alphabet[tu_rand(&rng) % (sizeof(alphabet) - 1)];
		f = load_buf_fabric(copy, len, &e);
		if (!f) {
			assert_int_equal(strncmp(e.reason, "mem.json", 8), 0);
			assert_null(strchr(e.reason, '\n'));
			/* Where: "mem.json:LINE:COL: " or "mem.json: $.json.path". */
			if (!tu_names_place(e.reason, "mem.json"))
				fail_msg("seed %llu: the reason names no line or JSON path: %s",
					 (unsigned long long)tu_seed(), e.reason);
			continue;
		}
		a = write_json(f);
		g = load_json_text(a, "rewritten");
		b = write_json(g);
		assert_string_equal(a, b);
		free(a);
		free(b);
		p2pdma_fabric_free(f);
		p2pdma_fabric_free(g);
		loaded++;
	}
	print_message("# %zu of 3000 damaged copies still loaded\n", loaded);
	free(copy);
	free(text);
	free(path);
}

int main(void)
{
	size_t n = sizeof(cases) / sizeof(cases[0]), i;
	struct CMUnitTest *tests = calloc(n + 4, sizeof(*tests));
	int ret;

	for (i = 0; i < n; i++) {
		tests[i].name = cases[i].file;
		tests[i].test_func = test_bad_file;
		tests[i].initial_state = (void *)&cases[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_base_loads);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_too_deep);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_every_prefix);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_random_damage);
	ret = _cmocka_run_group_tests("json-errors", tests, n, NULL, NULL);
	free(tests);
	return ret;
}
