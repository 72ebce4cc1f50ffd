// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the JSON machine description loader.
 *
 * Beyond "no crash, no leak": a refused input must come with a one-line
 * reason, and an accepted one must round-trip (write, load, write gives
 * the same bytes) and draw as a tree.  A violation aborts, so libFuzzer
 * keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2pdma_fabric *load(const char *text, size_t len, struct p2pdma_error *e)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();

	if (!f)
		return NULL;
	if (p2pdma_load_json_buf(f, text, len, "fuzz.json", e) ||
	    p2pdma_fabric_finalize(f, e)) {
		p2pdma_fabric_free(f);
		return NULL;
	}
	return f;
}

static void check_roundtrip(const struct p2pdma_fabric *f)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *g;
	char *a = NULL, *b = NULL, *t = NULL;

	if (p2pdma_fabric_write_json(f, &a, &e) || p2pdma_fabric_write_tree(f, &t, &e))
		abort();
	g = load(a, strlen(a), &e);
	if (!g)
		abort();	/* our own output must load */
	if (p2pdma_fabric_write_json(g, &b, &e) || strcmp(a, b))
		abort();
	p2pdma_fabric_free(g);
	free(a);
	free(b);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = load((const char *)data, size, &e);

	if (!f) {
		if (!e.reason[0] || strchr(e.reason, '\n'))
			abort();
		return 0;
	}
	check_roundtrip(f);
	p2pdma_fabric_free(f);
	return 0;
}
