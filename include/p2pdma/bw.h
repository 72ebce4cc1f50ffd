/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma bandwidth model: what peer-to-peer buys on a simulated platform.
 *
 * Three parts, each usable alone:
 *
 *  - the platform's figures (link arithmetic, DRAM, inter-socket, root
 *    complex peer forwarding), every one in lib/bw/params.c with its
 *    source, chosen per CPU and overridable;
 *  - a max-min fair solver (progressive filling) over an abstract set of
 *    resources and flows, each flow loading each resource it crosses by
 *    a cost per payload byte;
 *  - workloads (concurrent transfers from, to and via devices) read from
 *    JSON or generated for a machine, and their simulation on a
 *    struct p2pdma_sim: every leg's path comes from p2pdma_sim_route(),
 *    as P2P and as a bounce through host memory, side by side.
 *
 * Rates are payload bytes per second, times seconds, sizes bytes.
 */
#ifndef P2PDMA_BW_H
#define P2PDMA_BW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Platform figures                                                        */

/*
 * The figures of one platform.  A rate of 0 means "not forwarded";
 * P2PDMA_BW_UNLIMITED means "no published limit: not a bottleneck".
 */
#define P2PDMA_BW_UNLIMITED 1e30

struct p2pdma_bw_platform {
	const char *name;		/* "amd-zen3", "intel-client", ... */
	double dram_bw;			/* per NUMA node, reads and writes together */
	double inter_socket_bw;		/* per direction between two sockets */
	/* Root complex peer forwarding, per socket, per direction. */
	double rc_peer_bw;
	double rc_peer_read_cost;	/* a forwarded peer read byte costs this many */
	bool rc_peer_writes;		/* forwards peer memory writes */
	bool rc_peer_reads;		/* forwards peer memory reads */
	unsigned int mps;		/* max payload size, bytes */
	unsigned int mrrs;		/* max read request size, bytes */
	/* Where each figure comes from (one line each). */
	const char *dram_src, *inter_socket_src, *rc_src;
};

/*
 * The platform row for @cpu (vendor, family, model).  *@assumed is set
 * when no row matches and a generic one is returned; its name then says
 * what was assumed.
 */
const struct p2pdma_bw_platform *p2pdma_bw_platform_for_cpu(const struct p2pdma_cpu *cpu,
							    bool *assumed);
/* Every row of the table; *@n its length. */
const struct p2pdma_bw_platform *p2pdma_bw_platforms(size_t *n);

/* ---------------------------------------------------------------------- */
/* Link arithmetic                                                         */

/*
 * Bytes per second one direction of a link carries before protocol
 * overhead: @mts mega-transfers/s per lane times @width lanes times the
 * encoding's efficiency (8b/10b up to 5 GT/s, 128b/130b from 8 GT/s,
 * the FLIT's 242/256 at 64 GT/s), over 8 bits.  0 for unknown input.
 */
double p2pdma_bw_link_raw(uint32_t mts, uint32_t width);

/*
 * What one payload byte costs in link bytes, for a link at @mts with
 * max payload @mps and max read request @mrrs:
 *  - @data: a write's data (posted write TLPs) or a read's completions;
 *  - @request: a read's requests, on the other direction (0 for writes).
 */
struct p2pdma_bw_tlp_cost {
	double data;
	double request;
};

void p2pdma_bw_tlp_cost(uint32_t mts, unsigned int mps, unsigned int mrrs, bool read,
			struct p2pdma_bw_tlp_cost *out);

/* Payload bytes/s one direction carries for a stream of writes (or reads). */
double p2pdma_bw_link_payload(uint32_t mts, uint32_t width, unsigned int mps,
			      unsigned int mrrs, bool read);

/* ---------------------------------------------------------------------- */
/* Max-min fair sharing                                                    */

/*
 * A network of resources (capacity in bytes/s) and flows; a flow loads
 * each resource it uses by its rate times a cost.  Solving gives every
 * flow the max-min fair rate (progressive filling: all rates rise
 * together; a resource that fills freezes the flows crossing it).
 */
struct p2pdma_bw_net;

struct p2pdma_bw_net *p2pdma_bw_net_new(void);
void p2pdma_bw_net_free(struct p2pdma_bw_net *n);

/* Index of the new resource or flow, or -ENOMEM. */
long p2pdma_bw_net_add_resource(struct p2pdma_bw_net *n, double capacity);
long p2pdma_bw_net_add_flow(struct p2pdma_bw_net *n);
/* @flow loads @res by @cost per byte of payload (costs of repeats add up). */
int p2pdma_bw_net_use(struct p2pdma_bw_net *n, long flow, long res, double cost);

/* Rates of every flow.  A flow that uses nothing gets P2PDMA_BW_UNLIMITED. */
int p2pdma_bw_net_solve(struct p2pdma_bw_net *n, struct p2pdma_error *e);
double p2pdma_bw_net_rate(const struct p2pdma_bw_net *n, long flow);
/* The resource that froze the flow, -1 for none. */
long p2pdma_bw_net_bottleneck(const struct p2pdma_bw_net *n, long flow);
/* The sum of rate x cost over the flows using @res. */
double p2pdma_bw_net_load(const struct p2pdma_bw_net *n, long res);
double p2pdma_bw_net_capacity(const struct p2pdma_bw_net *n, long res);

/*
 * Run every flow to completion: flow i moves @bytes[i]; whenever one
 * finishes the others share what it freed (a new solve).  @done[i]
 * receives its completion time in seconds.
 */
int p2pdma_bw_net_run(struct p2pdma_bw_net *n, const double *bytes, double *done,
		      struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_BW_H */
