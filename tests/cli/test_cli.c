// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The p2pdma command as a user meets it: global options, exit statuses,
 * "topo" on the built-in machines, JSON through a pipe, bad input.
 * Exit statuses and wording are the CLI contract of issue 3 (0 success,
 * 2 bad usage or input; errors on one line that names the culprit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define P tu_p2pdma_bin()

static void assert_starts(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("\"%.80s\" does not start with \"%s\"", s, prefix);
}

/*
 * The error is one line on stderr, naming @what; a "Try 'p2pdma --help'."
 * hint may follow it.
 */
static void assert_one_error_line(const struct tu_output *r, const char *what)
{
	const char *nl = strchr(r->err, '\n');

	assert_starts(r->err, "p2pdma: error: ");
	assert_non_null(nl);
	if (!memmem(r->err, (size_t)(nl - r->err), what, strlen(what)))
		fail_msg("the error line lacks \"%s\": %s", what, r->err);
	if (nl[1])
		assert_starts(nl + 1, "Try 'p2pdma ");
}

static void test_help(void **state)
{
	struct tu_output r = tu_capture("%s --help", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_starts(r.out, "Usage: p2pdma ");
	assert_non_null(strstr(r.out, "\n  topo "));
	assert_non_null(strstr(r.out, "\n  machines "));
	assert_string_equal(r.err, "");
	tu_output_free(&r);
	r = tu_capture("%s help", P);
	assert_int_equal(r.status, 0);
	assert_starts(r.out, "Usage: p2pdma ");
	tu_output_free(&r);
}

static void test_version(void **state)
{
	struct tu_output r = tu_capture("%s --version", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_starts(r.out, "p2pdma ");
	tu_output_free(&r);
}

static void test_bad_usage(void **state)
{
	struct tu_output r = tu_capture("%s", P);

	(void)state;
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "Usage: p2pdma"));
	tu_output_free(&r);

	r = tu_capture("%s frobnicate", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "unknown command 'frobnicate'");
	tu_output_free(&r);

	r = tu_capture("%s --no-such-option topo", P);
	assert_int_equal(r.status, 2);
	tu_output_free(&r);

	r = tu_capture("%s --input-format yaml -i x topo", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "unknown input format 'yaml'");
	tu_output_free(&r);

	r = tu_capture("%s -i", P);
	assert_int_equal(r.status, 2);
	tu_output_free(&r);
}

static void test_topo_help_and_usage(void **state)
{
	struct tu_output r = tu_capture("%s topo --help", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_starts(r.out, "Usage: p2pdma [-i SRC] topo [--json | --dot | --svg FILE] [--all]\n");
	assert_non_null(strstr(r.out, "--json"));
	tu_output_free(&r);

	r = tu_capture("%s -i builtin:dual-xeon-8gpu topo --dot-please", P);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	tu_output_free(&r);

	r = tu_capture("%s -i builtin:dual-xeon-8gpu topo extra", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "'extra'");
	tu_output_free(&r);
}

static void test_machines(void **state)
{
	struct tu_output r = tu_capture("%s machines", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "builtin:amd-epyc-2gpu\nbuiltin:dual-xeon-8gpu\n");
	tu_output_free(&r);
	r = tu_capture("%s machines extra", P);
	assert_int_equal(r.status, 2);
	tu_output_free(&r);
}

/* The README's main job: the tree of the default machine. */
static void test_topo_builtin(void **state)
{
	struct tu_output r = tu_capture("%s -i builtin:dual-xeon-8gpu topo", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_starts(r.out, "CPU: GenuineIntel, family 6 (0x6), model 106 (0x6a)\n");
	assert_non_null(strstr(r.out, "\n    +-0000:19:00.0 switch_downstream: Broadcom / LSI PEX880xx PCIe Gen 4 Switch [1000:c010]; x16 16.0 GT/s; ACS redirect: RR CR; IOMMU group 10; NUMA 0; driver pcieport\n"));
	assert_non_null(strstr(r.out, "\n    +-0000:b2:00.0 switch_downstream: Broadcom / LSI PEX880xx PCIe Gen 4 Switch [1000:c010]; x16 16.0 GT/s; ACS redirect: off; IOMMU group 28; NUMA 1; driver pcieport\n"));
	tu_output_free(&r);
}

/* topo --json, piped back in with "-i -", and through a file: same bytes. */
static void test_json_pipe_and_file(void **state)
{
	char *dir = tu_mkdtemp();
	struct tu_output a, b, c, d;

	(void)state;
	a = tu_capture("%s -i builtin:amd-epyc-2gpu topo --json", P);
	assert_int_equal(a.status, 0);
	assert_starts(a.out, "{\n  \"format\": \"p2pdma-machine\",\n  \"version\": 1,\n");
	b = tu_capture("%s -i builtin:amd-epyc-2gpu topo --json | %s -i - topo --json", P, P);
	assert_int_equal(b.status, 0);
	assert_string_equal(a.out, b.out);
	c = tu_capture("%s -i builtin:amd-epyc-2gpu topo --json > %s/m.json && %s -i %s/m.json topo --json",
		P, dir, P, dir);
	assert_int_equal(c.status, 0);
	assert_string_equal(a.out, c.out);
	/* The tree from the JSON copy is the tree of the original. */
	d = tu_capture("%s -i %s/m.json topo", P, dir);
	/* Facts read off data/machines/amd-epyc-2gpu.json by hand, not p2pdma's output. */
	assert_non_null(strstr(d.out, "CPU: AuthenticAMD, family 25 (0x19), model 1 (0x1)\n"));
	assert_non_null(strstr(d.out, "3 host bridges, 21 PCI functions\n"));
	tu_output_free(&c);
	c = tu_capture("%s -i builtin:amd-epyc-2gpu topo", P);
	assert_string_equal(c.out, d.out);
	/* A file without a .json name is still recognised, and "-" with --input-format. */
	tu_output_free(&d);
	d = tu_capture("cp %s/m.json %s/machine.desc && %s -i %s/machine.desc topo --json",
		dir, dir, P, dir);
	assert_int_equal(d.status, 0);
	assert_string_equal(a.out, d.out);
	tu_output_free(&d);
	d = tu_capture("%s --input-format json -i - topo --json < %s/m.json", P, dir);
	assert_int_equal(d.status, 0);
	assert_string_equal(a.out, d.out);
	tu_output_free(&a);
	tu_output_free(&b);
	tu_output_free(&c);
	tu_output_free(&d);
	tu_rmtree(dir);
	free(dir);
}

static void test_bad_input(void **state)
{
	char *bad = tu_data_path("json/bad-unknown-key.json");
	char *syntax = tu_data_path("json/bad-syntax.json");
	char *want, *dup;
	struct tu_output r;

	(void)state;
	r = tu_capture("%s -i /nonexistent/machine.json topo", P);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.out, "");
	assert_one_error_line(&r, "/nonexistent/machine.json: No such file or directory");
	tu_output_free(&r);

	r = tu_capture("%s -i builtin:no-such-machine topo", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "no built-in machine 'no-such-machine' ('p2pdma machines' lists them)");
	tu_output_free(&r);

	r = tu_capture("%s -i %s topo", P, bad);
	assert_int_equal(r.status, 2);
	assert_true(asprintf(&want, "p2pdma: error: %s: $.host_bridges[0].children[2].acs_ctl: unknown key\n", bad) > 0);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
	free(want);
	tu_output_free(&r);

	r = tu_capture("%s -i %s topo --json", P, syntax);
	assert_int_equal(r.status, 2);
	assert_true(asprintf(&want, "p2pdma: error: %s:4:3: object value separator ',' expected\n", syntax) > 0);
	assert_string_equal(r.err, want);
	free(want);
	tu_output_free(&r);

	r = tu_capture("%s -i - topo < /dev/null", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "<stdin>: the file is empty");
	tu_output_free(&r);

	/* The model's own checks name standard input too. */
	dup = tu_data_path("json/bad-duplicate-bdf.json");
	r = tu_capture("%s -i - topo < %s", P, dup);
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "p2pdma: error: <stdin>: 0000:04:00.0 is described twice\n");
	tu_output_free(&r);
	free(dup);

	r = tu_capture("echo '{\"format\": \"p2pdma-machine\", \"version\": 1}' | %s -i - topo", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "<stdin>: $: missing key \"cpu\"");
	tu_output_free(&r);
	free(bad);
	free(syntax);
}

/*
 * topo --dot draws the machine; check --dot colours each path by the
 * verdict.  Hand-worked on the built-in machine: b3 and b6 sit under one
 * switch whose downstream ports have no ACS redirect (BUS_ADDR, 4 hops);
 * 1a is on the other socket, both host bridges are Ice Lake 8086:09a2,
 * listed without REQ_SAME_HOST_BRIDGE (THRU_HOST_BRIDGE, 4 + 4 hops).
 */
static void test_dot(void **state)
{
	struct tu_output r = tu_capture("%s -i builtin:dual-xeon-8gpu topo --dot", P);

	(void)state;
	assert_int_equal(r.status, 0);
	assert_starts(r.out, "// PCIe topology written by p2pdma");
	assert_non_null(strstr(r.out, "\ndigraph "));
	assert_non_null(strstr(r.out, "\"0000:b2:00.0\" -> \"0000:b3:00.0\" [label=\"x16 16.0 GT/s\"]"));
	assert_null(strstr(r.out, "penwidth=3"));
	tu_output_free(&r);

	r = tu_capture("%s -i builtin:dual-xeon-8gpu check --dot 0000:b6:00.0 0000:b3:00.0 0000:1a:00.0", P);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_non_null(strstr(r.out, "green: 0000:b6:00.0 -> 0000:b3:00.0, BUS_ADDR, distance 4\\n"));
	assert_non_null(strstr(r.out, "amber: 0000:b6:00.0 -> 0000:1a:00.0, THRU_HOST_BRIDGE, distance 8\\n"));
	assert_non_null(strstr(r.out, "\"0000:b2:00.0\" -> \"0000:b3:00.0\" [label=\"x16 16.0 GT/s\", color=\"#1e8449\""));
	tu_output_free(&r);

	/*
	 * A refused path is red and the exit status says no: the EPYC host
	 * bridge (1022:1480) is not on the allow-list; only the Zen CPU rule
	 * lets it through, and "--cpu intel" takes that away.
	 */
	r = tu_capture("%s -i builtin:amd-epyc-2gpu check --cpu intel --dot 0000:01:00.0 0000:41:00.0", P);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "red: 0000:01:00.0 -> 0000:41:00.0, NOT_SUPPORTED, distance 4\\n"));
	tu_output_free(&r);

	r = tu_capture("P2PDMA_DOT=/nonexistent/dot %s -i builtin:dual-xeon-8gpu topo --svg /tmp/p2pdma-never.svg", P);
	assert_int_equal(r.status, 2);
	assert_one_error_line(&r, "apt-get install graphviz");
	tu_output_free(&r);
}

/* Append @name to @out in roff's spelling: every '-' is written "\\-". */
static void roff_name(char *out, size_t size, const char *name, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 3 < size; i++) {
		if (name[i] == '-')
			out[o++] = '\\';
		out[o++] = name[i];
	}
	out[o] = 0;
}

/*
 * The manual page keeps up with the program: every command the program
 * lists, and every long option each command's --help names, is in
 * doc/p2pdma.1.
 */
static void test_man_page_covers_help(void **state)
{
	static const char *const cmds[] = { "topo", "capture", "check", "matrix", "find",
					    "alloc", "map", "machines" };
	char *man, *path;
	size_t i;

	(void)state;
	assert_true(asprintf(&path, "%s/doc/p2pdma.1", P2PDMA_SOURCE_ROOT) > 0);
	man = tu_read_file(path, NULL);
	assert_non_null(man);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct tu_output r = tu_capture("%s %s --help", P, cmds[i]);
		char want[96];
		const char *s;

		assert_int_equal(r.status, 0);
		snprintf(want, sizeof(want), ".SS %s", cmds[i]);
		if (!strstr(man, want))
			fail_msg("doc/p2pdma.1 has no section for '%s'", cmds[i]);
		for (s = strstr(r.out, "--"); s; s = strstr(s + 2, "--")) {
			size_t n = strspn(s + 2, "abcdefghijklmnopqrstuvwxyz-");

			roff_name(want, sizeof(want), s, n + 2);
			if (n && !strstr(man, want))
				fail_msg("doc/p2pdma.1 lacks %.*s of '%s'", (int)n + 2, s, cmds[i]);
		}
		tu_output_free(&r);
	}
	free(man);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_bad_usage),
		cmocka_unit_test(test_topo_help_and_usage),
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_topo_builtin),
		cmocka_unit_test(test_json_pipe_and_file),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_man_page_covers_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
