/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the JSON and tree suites.  fabric_diff() compares two
 * fabrics field by field: equal bytes from the writer could hide a field
 * the writer forgets, so round-trip tests compare the models too.
 */
#ifndef P2PDMA_TEST_JTEST_H
#define P2PDMA_TEST_JTEST_H

#include <stddef.h>
#include <stdint.h>

#include "p2pdma.h"

/* 0 when equal; otherwise 1 and a description of the first difference. */
int fabric_diff(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b,
		char *why, size_t len);

/* Load @text as JSON and finalize; fails the test with the reason on error. */
struct p2pdma_fabric *load_json_text(const char *text, const char *name);

/* Write as JSON; fails the test on error. */
char *write_json(const struct p2pdma_fabric *f);

/* Add a function from a template; fails the test on error. */
struct p2pdma_function *jt_add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
			       struct p2pdma_function *parent, struct p2pdma_function *t);

/*
 * A random, finalized fabric of at most @budget functions, every field
 * drawn at random but the tree consistent (bus numbers, addresses).  A
 * budget of 100 or more is (nearly) used up.
 */
struct p2pdma_fabric *jt_random_fabric(uint64_t *rng, size_t budget);

#endif
