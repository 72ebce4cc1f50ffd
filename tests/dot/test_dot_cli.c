// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --dot / --svg FILE helper the topo and check commands call
 * (cli/dot_output.c): DOT on stdout, a picture through Graphviz's dot,
 * and a clear way out when dot is not installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"

#define LAMBDA "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt"

/* Run @fn with fd @fd sent to a file; return what was written there. */
static char *capture_fd(int fd, int (*fn)(void *), void *arg, int *ret)
{
	char tmpl[] = "/tmp/p2pdma-dotcli-XXXXXX";
	int tmp = mkstemp(tmpl), saved;
	char *text;

	assert_true(tmp >= 0);
	fflush(NULL);
	saved = dup(fd);
	dup2(tmp, fd);
	*ret = fn(arg);
	fflush(NULL);
	dup2(saved, fd);
	close(saved);
	close(tmp);
	text = tu_read_file(tmpl, NULL);
	unlink(tmpl);
	return text;
}

struct call {
	const struct p2pdma_fabric *f;
	const char *svg;
};

static int call(void *arg)
{
	struct call *c = arg;

	return cli_dot_output(c->f, NULL, c->svg);
}

static struct p2pdma_fabric *lambda(void)
{
	char *p = tu_real_path(LAMBDA);
	struct p2pdma_fabric *f = tu_load(p);

	free(p);
	return f;
}

static void test_dot_on_stdout(void **state)
{
	struct p2pdma_fabric *f = lambda();
	struct call c = { f, NULL };
	struct p2pdma_error e = { 0 };
	char *out, *direct;
	int ret;

	(void)state;
	out = capture_fd(STDOUT_FILENO, call, &c, &ret);
	assert_int_equal(ret, EXIT_OK);
	assert_int_equal(p2pdma_fabric_write_dot(f, NULL, &direct, &e), 0);
	assert_string_equal(out, direct);
	free(out);
	free(direct);
	p2pdma_fabric_free(f);
}

static void test_svg_rendered(void **state)
{
	struct p2pdma_fabric *f;
	char *dir, *svg, *png, *text, *err;
	struct call c;
	int ret;

	(void)state;
	if (tu_run(NULL, NULL, "command -v dot >/dev/null") != 0)
		fail_msg("Graphviz's dot is not installed: install graphviz (./build.sh deps)");
	unsetenv("P2PDMA_DOT");
	f = lambda();
	dir = tu_mkdtemp();
	assert_true(asprintf(&svg, "%s/topo.svg", dir) > 0);
	c = (struct call){ f, svg };
	err = capture_fd(STDERR_FILENO, call, &c, &ret);
	assert_int_equal(ret, EXIT_OK);
	assert_string_equal(err, "");
	text = tu_read_file(svg, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "<svg"));
	/* The GPU and a redirecting root port are in the picture. */
	assert_non_null(strstr(text, "0000:2e:00.0"));
	assert_non_null(strstr(text, "ACS: SV RR CR UF"));
	free(text);
	free(err);
	/* A .png name gives PNG. */
	assert_true(asprintf(&png, "%s/topo.png", dir) > 0);
	c.svg = png;
	err = capture_fd(STDERR_FILENO, call, &c, &ret);
	assert_int_equal(ret, EXIT_OK);
	text = tu_read_file(png, NULL);
	assert_non_null(text);
	assert_int_equal(memcmp(text, "\x89PNG", 4), 0);
	free(text);
	free(err);
	free(png);
	free(svg);
	tu_rmtree(dir);
	free(dir);
	p2pdma_fabric_free(f);
}

static void test_dot_missing(void **state)
{
	struct p2pdma_fabric *f = lambda();
	char *dir = tu_mkdtemp(), *svg, *err;
	struct call c;
	int ret;

	(void)state;
	assert_true(asprintf(&svg, "%s/topo.svg", dir) > 0);
	setenv("P2PDMA_DOT", "/nonexistent/dot", 1);
	c = (struct call){ f, svg };
	err = capture_fd(STDERR_FILENO, call, &c, &ret);
	unsetenv("P2PDMA_DOT");
	assert_int_equal(ret, EXIT_USAGE);
	assert_non_null(strstr(err, "p2pdma: error: cannot render"));
	assert_non_null(strstr(err, "apt-get install graphviz"));
	assert_non_null(strstr(err, "--dot"));
	assert_int_equal(access(svg, F_OK), -1);
	free(err);
	free(svg);
	tu_rmtree(dir);
	free(dir);
	p2pdma_fabric_free(f);
}

/* dot failing (here: "false" in its place) is reported with its status. */
static void test_dot_fails(void **state)
{
	struct p2pdma_fabric *f = lambda();
	struct call c = { f, "/tmp/never-written.svg" };
	char *err;
	int ret;

	(void)state;
	setenv("P2PDMA_DOT", "false", 1);
	err = capture_fd(STDERR_FILENO, call, &c, &ret);
	unsetenv("P2PDMA_DOT");
	assert_int_equal(ret, EXIT_USAGE);
	assert_non_null(strstr(err, "could not render /tmp/never-written.svg (exit status 1)"));
	free(err);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot_on_stdout),
		cmocka_unit_test(test_svg_rendered),
		cmocka_unit_test(test_dot_missing),
		cmocka_unit_test(test_dot_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
