/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the bandwidth model: the link constants of params.c.
 */
#ifndef P2PDMA_BW_INT_H
#define P2PDMA_BW_INT_H

#include "p2pdma/bw.h"
#include "util.h"

struct bw_link_consts {
	double enc_8b10b;		/* 2.5 and 5 GT/s */
	double enc_128b130b;		/* 8 to 32 GT/s */
	double enc_flit;		/* 64 GT/s FLIT mode */
	uint32_t flit_mts;		/* from this rate on, FLIT mode */
	unsigned int req_hdr;		/* request TLP header, 64-bit address */
	unsigned int cpl_hdr;		/* completion TLP header */
	unsigned int framing;		/* framing, sequence number, LCRC per TLP */
	unsigned int framing_flit;	/* the same in FLIT mode */
	/* A link whose state neither end reported (said as assumed). */
	uint32_t unknown_mts, unknown_width;
};

extern const struct bw_link_consts bw_link;

/*
 * The function whose link carries @fn's traffic: a VF's PF, and the
 * lowest function of a multi-function device (they share one link).
 */
const struct p2pdma_function *bw_link_owner(const struct p2pdma_function *fn);

/* A GPU (or accelerator) with memory to transfer into. */
bool bw_is_gpu(const struct p2pdma_function *fn);
/* A GPU, or a p2pmem device that is neither a drive nor a NIC. */
bool bw_is_memory(const struct p2pdma_function *fn);

/* An empty workload named @name, overrides unset. */
struct p2pdma_bw_workload *bw_workload_new(const char *name);

/* ---------------------------------------------------------------------- */
/* The model: resources named once, and what each flow charges to them     */

struct p2pdma_sim_route;

struct bw_dir {
	const struct p2pdma_function *a, *b;	/* root ports, data from a to b */
	long res;
};

struct bw_catalog {
	const struct p2pdma_fabric *f;
	struct p2pdma_bw_platform plat;
	struct p2pdma_bw_resource *res;
	size_t nr_res, res_cap;
	int nodes;		/* NUMA nodes 0 .. nodes - 1 */
	long *link_res;		/* [2 * fn index + up] */
	long *dram_res;		/* [node], [nodes] for unknown */
	long *rc_res;		/* [node], [nodes] for unknown */
	long *xs_res;		/* [from * nodes + to] */
	struct bw_dir *dir;	/* root complex one way, port to port */
	size_t nr_dir;
	char **assumed;
	size_t nr_assumed;
};

struct bw_use {
	long res;
	double cost;
};

/* One flow in one mode: the resources it loads, per payload byte. */
struct bw_plan {
	bool ok;
	char *reason;		/* when !ok */
	struct bw_use *uses;
	size_t nr, cap;
	struct p2pdma_buf path;	/* "A > B > RAM:0 > C": where the data goes */
	struct p2pdma_buf leg;	/* the leg being routed, one token a line */
	uint64_t host_bytes;
};

int bw_catalog_init(struct bw_catalog *c, const struct p2pdma_fabric *f,
		    const struct p2pdma_bw_platform *plat);
void bw_catalog_release(struct bw_catalog *c);
void bw_catalog_discard(struct bw_catalog *c);
int bw_assume(struct bw_catalog *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
long bw_device_resource(struct bw_catalog *c, size_t flow, double rate);

int bw_plan_use(struct bw_plan *p, long res, double cost);
int bw_plan_route(struct bw_catalog *c, struct bw_plan *p,
		  const struct p2pdma_sim_route *rt, bool write);
void bw_plan_release(struct bw_plan *p);

#endif /* P2PDMA_BW_INT_H */
