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
#include "p2pdma/policy.h"
#include "p2pdma/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Platform figures                                                        */

/*
 * The figures of one platform, bytes per second.  P2PDMA_BW_UNLIMITED
 * means "no published limit: not a bottleneck" (the resource is left
 * out); what the root complex does not forward at all is a flag.
 */
#define P2PDMA_BW_UNLIMITED 1e30

struct p2pdma_bw_platform {
	const char *name;		/* "amd-zen3", "intel-client", ... */
	double dram_bw;			/* per NUMA node, reads and writes together */
	double inter_socket_bw;		/* per direction between two sockets */
	/*
	 * Root complex peer forwarding: everything one socket's root complex
	 * forwards (both ways together), and one way between two root ports.
	 */
	double rc_peer_bw;
	double rc_peer_dir_bw;
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

/* ---------------------------------------------------------------------- */
/* Workloads                                                               */

enum p2pdma_bw_via {
	P2PDMA_BW_VIA_AUTO,	/* into the target if it is memory, else find's provider */
	P2PDMA_BW_VIA_HOST,	/* through a host bounce buffer */
	P2PDMA_BW_VIA_DEVICE,	/* through this device's memory (p2pmem or BAR) */
};

/* One transfer: @from's data lands in @to, through @via. */
struct p2pdma_bw_flow_spec {
	const struct p2pdma_function *from, *to;
	uint64_t bytes;
	enum p2pdma_bw_via via;
	const struct p2pdma_function *via_fn;	/* VIA_DEVICE only */
	double max_rate;	/* the devices' own limit (e.g. flash), 0: none */
	int host_node;		/* bounce buffer's NUMA node, -1: @from's */
};

/* Figures a workload overrides; NaN / -1 / 0 where it does not. */
struct p2pdma_bw_override {
	double dram_bw, inter_socket_bw, rc_peer_bw, rc_peer_dir_bw, rc_peer_read_cost;
	int rc_peer_reads, rc_peer_writes;	/* -1: as the platform says */
	unsigned int mps, mrrs;			/* 0: as the platform says */
};

struct p2pdma_bw_workload {
	char *name;			/* the file, or the built-in's name */
	char *description;		/* NULL: none */
	struct p2pdma_bw_flow_spec *flows;
	size_t nr_flows;
	struct p2pdma_bw_override override;
};

/* Every override unset. */
void p2pdma_bw_override_init(struct p2pdma_bw_override *ov);

/* The largest transfer a workload may name: 1 PiB. */
#define P2PDMA_BW_MAX_BYTES (1ULL << 50)

/*
 * Read a workload (doc/workload.md) against the machine @f: every device
 * must exist in it.  @name names the text in messages; every mistake is
 * one line "NAME: $.flows[2].to: ...".
 */
int p2pdma_bw_workload_parse(const struct p2pdma_fabric *f, const char *name,
			     const char *text, size_t len,
			     struct p2pdma_bw_workload **out, struct p2pdma_error *e);
int p2pdma_bw_workload_load(const struct p2pdma_fabric *f, const char *path,
			    struct p2pdma_bw_workload **out, struct p2pdma_error *e);
void p2pdma_bw_workload_free(struct p2pdma_bw_workload *w);

/* Names of the built-in workloads, NULL-terminated. */
const char *const *p2pdma_bw_builtin_names(void);
/* One sentence saying what the built-in @name does, or NULL. */
const char *p2pdma_bw_builtin_summary(const char *name);
/*
 * Generate the built-in workload @name for @f from its NVMe drives, NICs,
 * GPUs and p2pmem providers.  -ENOENT for an unknown name, -ENODEV with
 * a reason when the machine lacks the devices it needs.
 */
int p2pdma_bw_workload_builtin(const struct p2pdma_fabric *f, const char *name,
			       struct p2pdma_bw_workload **out, struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Simulation on the simulated platform                                    */


/* What the model charges: a link direction, DRAM, the socket link, the root complex. */
enum p2pdma_bw_res_kind {
	P2PDMA_BW_RES_LINK,
	P2PDMA_BW_RES_DRAM,
	P2PDMA_BW_RES_INTER_SOCKET,
	P2PDMA_BW_RES_RC_PEER,
	P2PDMA_BW_RES_DEVICE,		/* a flow's own max_rate */
};

struct p2pdma_bw_resource {
	enum p2pdma_bw_res_kind kind;
	char *name;		/* "link 0000:03:00.0 up", "dram node 0", ... */
	const struct p2pdma_function *fn;	/* LINK: the link above fn */
	bool up;				/* LINK: towards the root */
	int node, node2;	/* DRAM, RC_PEER: node; INTER_SOCKET: from, to */
	double capacity;	/* bytes/s on the wire (links: before TLP overhead) */
	double p2p_load, bounce_load;	/* bytes/s on the wire, everything at once */
};

/* One mode (P2P or bounce) of one flow. */
struct p2pdma_bw_mode {
	bool ok;		/* false: refused; @reason says why */
	char *reason;
	double rate;		/* payload bytes/s, all flows running at once */
	double time;		/* completion time, s, as flows finish and others speed up */
	long bottleneck;	/* index into result->res, -1: none */
	uint64_t host_bytes;	/* bytes written to plus read from host memory */
	/* Link owners crossed, in order, "RC" where the root complex forwards. */
	char *path;
	const struct p2pdma_function *via;	/* the memory gone through, NULL: host */
	int host_node;				/* host memory's node, -1 none/unknown */
	long *res;		/* what it loads: indices into result->res, each once */
	size_t nr_res;
};

struct p2pdma_bw_flow_result {
	enum p2pdma_map_type verdict;	/* worst verdict of the P2P legs; UNKNOWN: via host */
	struct p2pdma_bw_mode p2p, bounce;
};

struct p2pdma_bw_result {
	struct p2pdma_bw_platform platform;	/* after the workload's overrides */
	struct p2pdma_bw_flow_result *flows;	/* in workload order */
	size_t nr_flows;
	struct p2pdma_bw_resource *res;
	size_t nr_res;
	double p2p_time, bounce_time;		/* the last flow's completion */
	uint64_t p2p_host_bytes, bounce_host_bytes;
	/* What the model had to assume: unknown links, CPU, MPS, RAM nodes. */
	char **assumed;
	size_t nr_assumed;
};

/*
 * Simulate @w on @s: every flow as written (P2P) and through host memory
 * (bounce), each mode with all its flows at once.  A flow the kernel or
 * the root complex refuses in P2P has only a bounce figure.
 */
int p2pdma_bw_simulate(struct p2pdma_sim *s, const struct p2pdma_bw_workload *w,
		       struct p2pdma_bw_result **out, struct p2pdma_error *e);
/*
 * The same with @flags: P2PDMA_BW_RATES_ONLY solves each mode once and
 * gives each flow bytes / rate as its time, skipping the re-solves as
 * flows finish (for very large workloads).
 */
#define P2PDMA_BW_RATES_ONLY (1u << 0)
int p2pdma_bw_simulate_ex(struct p2pdma_sim *s, const struct p2pdma_bw_workload *w,
			  unsigned int flags, struct p2pdma_bw_result **out,
			  struct p2pdma_error *e);
void p2pdma_bw_result_free(struct p2pdma_bw_result *r);

/*
 * The modelled time of one DMA on an otherwise idle platform:
 * @initiator puts @dma_addr on the wire for @len bytes (@write or read),
 * routed by p2pdma_sim_route().  For "p2pdma copy" to report.
 */
int p2pdma_bw_transfer_time(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			    uint64_t dma_addr, uint64_t len, bool write,
			    double *seconds, double *rate, struct p2pdma_error *e);

/*
 * The modelled time and throughput of a p2pdma_sim_copy() that returned
 * @res: its two legs (the source's Read into the buffer, the
 * destination's Write out of it) streaming together, @res->bytes in all,
 * on an otherwise idle platform.  "p2pdma copy" reports it in one call.
 */
int p2pdma_bw_copy_time(struct p2pdma_sim *s, const struct p2pdma_sim_copy_result *res,
			double *seconds, double *rate, struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_BW_H */
