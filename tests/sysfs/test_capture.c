// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `p2pdma capture` on the machine running the tests: loading the capture
 * gives the same model as loading the live machine, through the library
 * and through the command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs_builder.h"
#include "testutil.h"

struct ctx {
	char *dir;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = tu_mkdtemp();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	tu_rmtree(c->dir);
	free(c->dir);
	free(c);
	return 0;
}

/* The two models written as JSON: the same text. */
static void same_json(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b)
{
	struct p2pdma_error e = { 0 };
	char *ja = NULL, *jb = NULL;

	assert_int_equal(p2pdma_fabric_write_json(a, &ja, &e), 0);
	assert_non_null(ja);
	assert_int_equal(p2pdma_fabric_write_json(b, &jb, &e), 0);
	assert_string_equal(ja, jb);
	free(ja);
	free(jb);
}

static void test_live_capture(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *live, *cap;
	char *out;

	/* Linux always has it; without it this test would check nothing. */
	if (access("/sys/devices", F_OK))
		fail_msg("no /sys/devices: run the tests on Linux with sysfs mounted");
	assert_true(asprintf(&out, "%s/live.tar.xz", c->dir) > 0);
	if (p2pdma_capture("/", out, NULL, NULL, &e))
		fail_msg("capture: %s", e.reason);
	live = sb_load("/", NULL, NULL, 0);
	cap = sb_load(out, NULL, NULL, 0);
	fprintf(stderr, "# live machine: %zu functions, %zu host bridges, ACS unknown for %zu\n",
		live->nr_fns, live->nr_hbs, live->nr_acs_unknown);
	sb_assert_same_model(live, cap);
	same_json(live, cap);
	p2pdma_fabric_free(live);
	p2pdma_fabric_free(cap);
	free(out);
}

static void test_cli(void **state)
{
	struct ctx *c = *state;
	const char *bin = tu_p2pdma_bin();
	char *out = NULL, *err = NULL, *live = NULL, *cap = NULL;
	struct p2pdma_fabric *f;
	char *path;

	assert_true(asprintf(&path, "%s/cli.tar.gz", c->dir) > 0);
	assert_int_equal(tu_run(&out, &err, "%s capture --help", bin), 0);
	assert_non_null(strstr(out, "Usage: p2pdma [-i SRC] capture OUT.tar.xz"));
	assert_non_null(strstr(out, "--root DIR"));
	free(out);
	free(err);

	/* Bad usage: exit 2 and a one-line reason. */
	assert_int_equal(tu_run(&out, &err, "%s capture", bin), 2);
	assert_non_null(strstr(err, "capture needs the name of the tarball"));
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "%s capture a.tar b.tar", bin), 2);
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "%s capture %s/x.zip", bin, c->dir), 2);
	assert_non_null(strstr(err, "p2pdma: error: "));
	assert_non_null(strstr(err, "x.zip: name the capture .tar"));
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "%s -i %s capture %s/y.tar", bin, path, c->dir), 2);
	assert_non_null(strstr(err, "is not a directory"));
	free(out);
	free(err);

	/* The live machine, then the same through the loader. */
	assert_int_equal(tu_run(&out, &err, "%s capture %s", bin, path), 0);
	assert_non_null(strstr(out, "load it with: p2pdma -i "));
	free(out);
	free(err);
	f = tu_load(path);
	assert_true(f->nr_fns > 0 || f->nr_hbs == 0);
	p2pdma_fabric_free(f);

	/* When `topo --json` exists, the two JSON descriptions are identical. */
	if (tu_run(&live, &err, "%s topo --json", bin) == 0) {
		free(err);
		assert_int_equal(tu_run(&cap, &err, "%s -i %s topo --json", bin, path), 0);
		assert_string_equal(live, cap);
	} else {
		fprintf(stderr, "# 'topo --json' not available yet: %s", err ? err : "");
	}
	free(live);
	free(cap);
	free(err);
	free(path);
}

/* --root: capture a captured tree (the hwloc layout) and get the same machine. */
static void test_cli_root(void **state)
{
	struct ctx *c = *state;
	char *tarball = tu_real_path("sysfs/hwloc-2pa-pcidomain32bits.tar.bz2");
	char *out = NULL, *err = NULL, *path;
	struct p2pdma_fabric *a, *b;

	assert_int_equal(tu_run(NULL, NULL, "mkdir -p %s/tree && tar -C %s/tree -xf '%s'",
				c->dir, c->dir, tarball), 0);
	assert_true(asprintf(&path, "%s/re.tar", c->dir) > 0);
	assert_int_equal(tu_run(&out, &err, "%s capture --root %s/tree %s", tu_p2pdma_bin(),
				c->dir, path), 0);
	free(out);
	free(err);
	a = tu_load(tarball);
	b = tu_load(path);
	sb_assert_same_model(a, b);
	p2pdma_fabric_free(a);
	p2pdma_fabric_free(b);
	/* The same through -i DIR. */
	assert_int_equal(tu_run(&out, &err, "%s -i %s/tree capture %s", tu_p2pdma_bin(),
				c->dir, path), 0);
	free(out);
	free(err);
	free(path);
	free(tarball);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_capture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_root, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
