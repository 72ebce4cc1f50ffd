/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reference router for the simulated platform, written apart from it:
 * a plain linear decode of the windows (every memory BAR of the
 * initiator's hierarchy at bus addresses, then host RAM, then every BAR
 * by CPU address), the ancestor walk and ACS bits longhand, the IOMMU as
 * the list of mappings the caller made, the root complex's forwarding as
 * a table worked by hand from the kernel's host-bridge rule.  Shared by
 * the seeded property test (test_props.c) and the router's fuzzer
 * (fuzz/fuzz_route.c); no cmocka, so the fuzzer can link it.
 */
#ifndef P2PDMA_SIMREF_H
#define P2PDMA_SIMREF_H

#include <stdbool.h>
#include <stdint.h>

#include "p2pdma.h"

#define MAX_MAPS	64

struct map_rec {
	const struct p2pdma_function *client;
	uint64_t iova, phys, len;	/* page-granular, as the IOMMU maps */
};

struct buf_rec {
	struct p2pdma_provider *p;
	uint64_t phys, size;
	bool live;
};

struct world {
	const char *machine;
	struct p2pdma_fabric *f;
	struct p2pdma_sim *s;
	bool (*forwards)(const struct p2pdma_host_bridge *in, const struct p2pdma_host_bridge *out);
	struct map_rec maps[MAX_MAPS * 8];
	size_t nr_maps;
	struct buf_rec bufs[MAX_MAPS];
	size_t nr_bufs;
	struct p2pdma_sgl sgls[MAX_MAPS];
	const struct p2pdma_function *sgl_client[MAX_MAPS];
	size_t nr_sgls;
	const struct p2pdma_function **eps;
	size_t nr_eps;
	uint64_t rng;
	uint64_t seed;
	/* Outcomes seen, so a sweep that stopped reaching a case fails. */
	uint64_t seen[P2PDMA_SIM_FAULT_BLOCKED + 1];
	uint64_t local, redirected;
	/*
	 * Host RAM handed out for mappings since the simulation was made:
	 * the library never takes a host buffer back (mem.h), so a world
	 * that lives for millions of fuzz inputs must be renewed before its
	 * RAM runs out.
	 */
	uint64_t host_bytes;
};


struct ref {
	enum p2pdma_sim_fault fault;
	enum p2pdma_sim_target target;
	const struct p2pdma_function *fn;
	int bar;
	uint64_t phys;
	bool rc;
	size_t hops;
};


/* Hand-worked forwarding: every host-bridge pair / only inside one host bridge. */
bool simref_fwd_all(const struct p2pdma_host_bridge *in, const struct p2pdma_host_bridge *out);
bool simref_fwd_same(const struct p2pdma_host_bridge *in, const struct p2pdma_host_bridge *out);

/* Load @machine, make its simulation with whole-BAR providers; NULL on failure (message on stderr). */
struct world *simref_world_new(const char *machine, uint64_t seed,
			       bool (*fwd)(const struct p2pdma_host_bridge *,
					   const struct p2pdma_host_bridge *));
void simref_world_free(struct world *w);
/* A new simulation of the same fabric and providers: host RAM all free again. */
void simref_world_renew(struct world *w);

uint64_t simref_rand(uint64_t *state);
void simref_shuffle_acs(struct world *w);
void simref_make_buffers(struct world *w);
void simref_make_maps(struct world *w);
void simref_unmap_all(struct world *w);
void simref_free_bufs(struct world *w);
/* An address worth trying (inside and around windows, buffers, mappings, RAM), and a length. */
uint64_t simref_pick_addr(struct world *w, const struct p2pdma_function *a, uint64_t *len);
/* What the reference says @a's DMA does. */
void simref_route(struct world *w, const struct p2pdma_function *a, uint64_t addr,
		  uint64_t len, bool write, struct ref *r);
/* One DMA from @a (NULL: a random endpoint) routed by both; aborts with the seed on a mismatch. */
void simref_check(struct world *w, const struct p2pdma_function *a, uint64_t addr, uint64_t len,
		  bool write, uint64_t i);
/* One random DMA, checked. */
void simref_check_one(struct world *w, uint64_t i);

#endif /* P2PDMA_SIMREF_H */
