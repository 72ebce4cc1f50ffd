/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the policy suites: load a hand-worked topology from
 * tests/data/policy, get a verdict, compare lists of BDFs and log lines.
 */
#ifndef P2PDMA_POLICY_TEST_H
#define P2PDMA_POLICY_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct pt {
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
};

static inline void pt_open(struct pt *t, const char *fixture)
{
	char *path = tu_data_path(fixture);

	t->f = tu_load(path);
	free(path);
	t->p = p2pdma_policy_new(t->f);
	assert_non_null(t->p);
}

static inline void pt_close(struct pt *t)
{
	p2pdma_policy_free(t->p);
	p2pdma_fabric_free(t->f);
}

static inline struct p2pdma_function *pt_fn(struct pt *t, const char *bdf)
{
	struct p2pdma_function *fn = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(t->f, bdf, &fn, &e))
		fail_msg("no function %s: %s", bdf, e.reason);
	return fn;
}

static inline struct p2pdma_verdict *pt_verdict(struct pt *t, const char *prov,
						const char *client)
{
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_verdict_get(t->p, pt_fn(t, prov), pt_fn(t, client), NULL, &v, &e))
		fail_msg("verdict %s -> %s failed: %s", prov, client, e.reason);
	return v;
}

/* "0000:02:00.0;0000:02:01.0" against a list of functions ("" = none). */
static inline void pt_expect_fns(const struct p2pdma_function *const *fns, size_t n,
				 const char *expected)
{
	char got[4096] = "", name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			strcat(got, ";");
		strcat(got, p2pdma_bdf_format(&fns[i]->bdf, name, sizeof(name)));
	}
	if (strcmp(got, expected))
		fail_msg("devices '%s', expected '%s'", got, expected);
}

/* The path as "a > b > c" with host bridges by name. */
static inline void pt_expect_path(const struct p2pdma_verdict *v, const char *expected)
{
	char got[4096] = "", name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < v->nr_path; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, v->path[i].fn ? p2pdma_bdf_format(&v->path[i].fn->bdf, name,
							       sizeof(name)) :
		       v->path[i].hb->name);
	}
	if (strcmp(got, expected))
		fail_msg("path '%s', expected '%s'", got, expected);
}

/* Exactly these log lines, in order (NULL-terminated list). */
static inline void pt_expect_log(char *const *lines, size_t n, const char *const *expected)
{
	size_t i;

	for (i = 0; expected[i]; i++) {
		if (i >= n)
			fail_msg("missing log line %zu: '%s'", i, expected[i]);
		if (strcmp(lines[i], expected[i]))
			fail_msg("log line %zu:\n  got      '%s'\n  expected '%s'", i, lines[i],
				 expected[i]);
	}
	if (n != i)
		fail_msg("%zu log lines, expected %zu (extra: '%s')", n, i, lines[i]);
}

static inline void pt_expect_contains(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("'%s' does not contain '%s'", s ? s : "(null)", needle);
}

#endif /* P2PDMA_POLICY_TEST_H */
