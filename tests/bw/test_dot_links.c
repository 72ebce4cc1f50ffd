// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DOT writer's per-link labels and colours (what simulate --svg
 * uses): the label goes under the link's width and speed, the colour
 * draws the edge, a path's colour wins over it, a function from another
 * fabric is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"

static struct p2pdma_fabric *two_devices(struct p2pdma_function **rp, struct p2pdma_function **ep)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb = mk_hb(f, 0, 0, 0);

	*rp = mk_fn(f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 1, -1);
	*ep = mk_fn(f, hb, *rp, "01:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, -1);
	(*ep)->class_code = 0x010802;
	(*ep)->link = (struct p2pdma_link){ 8000, 4, 8000, 4 };
	mk_finalize(f);
	return f;
}

/* The text of the edge "FROM" -> "TO", up to its end of line. */
static char *edge(const char *dot, const char *from, const char *to)
{
	char want[96], *s, *nl;

	snprintf(want, sizeof(want), "\"%s\" -> \"%s\"", from, to);
	s = strstr(dot, want);
	assert_non_null(s);
	nl = strchr(s, '\n');
	return strndup(s, (size_t)(nl - s));
}

static void label_and_colour(void **state)
{
	struct p2pdma_function *rp, *ep;
	struct p2pdma_fabric *f = two_devices(&rp, &ep);
	struct p2pdma_dot_link l = { ep, "P2P up 95% \"full\"", "#c0392b" };
	struct p2pdma_dot_opts o = { .links = &l, .nr_links = 1 };
	struct p2pdma_error e = { 0 };
	char *dot = NULL, *line;

	(void)state;
	assert_int_equal(p2pdma_fabric_write_dot(f, &o, &dot, &e), 0);
	line = edge(dot, "0000:00:01.0", "0000:01:00.0");
	assert_string_equal(line, "\"0000:00:01.0\" -> \"0000:01:00.0\" [label=\"x4 8.0 GT/s\\n"
			    "P2P up 95% \\\"full\\\"\", color=\"#c0392b\", fontcolor=\"#c0392b\", penwidth=3];");
	free(line);
	free(dot);
	/* Without extras the edge is as before. */
	assert_int_equal(p2pdma_fabric_write_dot(f, NULL, &dot, &e), 0);
	line = edge(dot, "0000:00:01.0", "0000:01:00.0");
	assert_string_equal(line, "\"0000:00:01.0\" -> \"0000:01:00.0\" [label=\"x4 8.0 GT/s\"];");
	free(line);
	free(dot);
	p2pdma_fabric_free(f);
}

static void path_colour_wins(void **state)
{
	struct p2pdma_function *rp, *ep;
	struct p2pdma_fabric *f = two_devices(&rp, &ep);
	const struct p2pdma_function *fns[2];
	struct p2pdma_dot_link l = { ep, "busy", "#c0392b" };
	struct p2pdma_dot_path p = { fns, 2, P2PDMA_DOT_GREEN, NULL };
	struct p2pdma_dot_opts o = { .paths = &p, .nr_paths = 1, .links = &l, .nr_links = 1 };
	struct p2pdma_error e = { 0 };
	char *dot = NULL, *line;

	(void)state;
	fns[0] = rp;
	fns[1] = ep;
	assert_int_equal(p2pdma_fabric_write_dot(f, &o, &dot, &e), 0);
	line = edge(dot, "0000:00:01.0", "0000:01:00.0");
	assert_non_null(strstr(line, "busy"));
	assert_non_null(strstr(line, "color=\"#1e8449\""));
	assert_null(strstr(line, "#c0392b"));
	free(line);
	free(dot);
	p2pdma_fabric_free(f);
}

static void foreign_function_refused(void **state)
{
	struct p2pdma_function *rp, *ep, *rp2, *ep2;
	struct p2pdma_fabric *f = two_devices(&rp, &ep), *g = two_devices(&rp2, &ep2);
	struct p2pdma_dot_link l = { ep2, "x", NULL };
	struct p2pdma_dot_opts o = { .links = &l, .nr_links = 1 };
	struct p2pdma_error e = { 0 };
	char *dot = (char *)1;

	(void)state;
	assert_int_equal(p2pdma_fabric_write_dot(f, &o, &dot, &e), -EINVAL);
	assert_null(dot);
	assert_non_null(strstr(e.reason, "DOT link 0"));
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_and_colour),
		cmocka_unit_test(path_colour_wins),
		cmocka_unit_test(foreign_function_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
