/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Injected verdicts for the DMA suites: the DMA layer's job is what to do
 * with a map type, not to compute it, so most tests state the map type
 * of each (provider, client) pair outright.
 */
#ifndef P2PDMA_TEST_VERDICT_STUB_H
#define P2PDMA_TEST_VERDICT_STUB_H

#include <stdio.h>

#include "p2pdma.h"

#define STUB_MAX 32

struct stub {
	struct {
		const struct p2pdma_function *provider, *client;
		enum p2pdma_map_type type;
	} pair[STUB_MAX];
	int nr;
	enum p2pdma_map_type dflt;
	int calls;
};

static inline void stub_set(struct stub *s, const struct p2pdma_function *provider,
			    const struct p2pdma_function *client, enum p2pdma_map_type t)
{
	s->pair[s->nr].provider = provider;
	s->pair[s->nr].client = client;
	s->pair[s->nr].type = t;
	s->nr++;
}

static inline enum p2pdma_map_type stub_verdict(void *arg,
						const struct p2pdma_function *provider,
						const struct p2pdma_function *client,
						char *reason, size_t len)
{
	struct stub *s = arg;
	enum p2pdma_map_type t = s->dflt;
	int i;

	s->calls++;
	for (i = 0; i < s->nr; i++)
		if (s->pair[i].provider == provider && s->pair[i].client == client)
			t = s->pair[i].type;
	if (t == P2PDMA_MAP_NOT_SUPPORTED)
		snprintf(reason, len, "stub says no");
	return t;
}

#endif
