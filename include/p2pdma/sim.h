/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma simulated platform (DESIGN.md layer 5): every DMA a modelled
 * device issues is routed the way PCIe hardware routes it, checked, and
 * carried out on real bytes.
 *
 * Routing.  A DMA is (initiator, DMA address, length, read or write).
 * The request climbs from the initiator port by port.  A bridge turns it
 * down towards a peer when the address falls in a window behind another
 * of its ports (windows are the memory BARs beneath, at PCI bus
 * addresses), unless a device on that peer path has ACS redirect set:
 * RR or EC send requests up to the root complex, CR sends a read's
 * completions there, so a read on such a path goes up too.  At the root
 * complex the initiator's IOMMU domain translates the address (an IOVA
 * nobody mapped is an IOMMU fault); an untranslated address reaches host
 * memory through the device's dma-ranges offset.  The CPU physical
 * address is then host RAM, or a BAR of another hierarchy, reached by
 * peer forwarding only where the platform forwards peer traffic (by
 * default where the kernel's host-bridge rule allows THRU_HOST_BRIDGE;
 * p2pdma_sim_set_rc_forward() overrides it per host bridge).
 *
 * Claims.  The target must claim the address: host RAM or a memory BAR.
 * Nobody claiming it is an Unsupported Request; an address in a
 * provider's p2pmem that no live allocation covers is a wild DMA.  Both
 * are errors with a reason: nothing is dropped or written elsewhere.
 *
 * Devices.  NVMe controllers (namespaces in sparse files or in memory,
 * unwritten blocks read as a pattern of controller, namespace and byte
 * offset; the CMB as p2pmem provider), RDMA NICs and GPUs (BAR memory).
 * All memory (host RAM, BARs) is allocated lazily in blocks, so a 64 GiB
 * BAR costs nothing until written.
 *
 * Thread safety: one simulation is used by one thread at a time.
 */
#ifndef P2PDMA_SIM_H
#define P2PDMA_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"
#include "p2pdma/mem.h"
#include "p2pdma/policy.h"
#include "p2pdma/dma.h"

#ifdef __cplusplus
extern "C" {
#endif

struct p2pdma_sim;	/* the platform: fabric + mem + dma + policy + devices */

struct p2pdma_sim_opts {
	/*
	 * Where NVMe namespaces keep their bytes: NULL (or "") = sparse
	 * temporary files removed at p2pdma_sim_free(); a directory = files
	 * "BDF-nN.img" kept there and reused by the next run.
	 */
	const char *backing_dir;
	/* Namespaces entirely in (lazily allocated) memory, no files. */
	bool ns_in_memory;
	/* Skip p2pdma_mem_add_model_providers() (tests add their own). */
	bool no_model_providers;
	p2pdma_log_fn log;
	void *log_arg;
};

/*
 * A platform over the finalized fabric @f (which must outlive it): a
 * policy, a memory context with the model's providers, a DMA context,
 * a device model for every NVMe controller, NIC and GPU.
 */
int p2pdma_sim_new(struct p2pdma_fabric *f, const struct p2pdma_sim_opts *o,
		   struct p2pdma_sim **out, struct p2pdma_error *e);
void p2pdma_sim_free(struct p2pdma_sim *s);
struct p2pdma_mem *p2pdma_sim_mem(struct p2pdma_sim *s);
struct p2pdma_dma *p2pdma_sim_dma(struct p2pdma_sim *s);
struct p2pdma_policy *p2pdma_sim_policy(struct p2pdma_sim *s);
struct p2pdma_fabric *p2pdma_sim_fabric(struct p2pdma_sim *s);

/* ---------------------------------------------------------------------- */
/* Routing                                                                 */

/*
 * One link of the tree: the link between @fn and what is above it (its
 * parent bridge, or its host bridge's root complex when fn->parent is
 * NULL).  Links between a switch's upstream port and its downstream
 * ports are internal to the switch, but still appear as hops (the
 * bandwidth model decides what they cost).
 */
struct p2pdma_sim_hop {
	const struct p2pdma_function *fn;
	bool up;		/* the request crosses it towards the root */
};

#define P2PDMA_SIM_MAX_HOPS 64

enum p2pdma_sim_target {
	P2PDMA_SIM_TARGET_RAM,
	P2PDMA_SIM_TARGET_BAR,
};

/* Why a DMA was not delivered (0: it was). */
enum p2pdma_sim_fault {
	P2PDMA_SIM_OK = 0,
	P2PDMA_SIM_FAULT_BAD_REQUEST,	/* bad arguments: not a DMA at all */
	P2PDMA_SIM_FAULT_IOMMU,		/* no IOVA mapping (-EFAULT) */
	P2PDMA_SIM_FAULT_UNSUPPORTED,	/* nobody claims it: UR (-ENXIO) */
	P2PDMA_SIM_FAULT_WILD,		/* p2pmem not allocated (-EADDRNOTAVAIL) */
	P2PDMA_SIM_FAULT_NO_PEER_FORWARD, /* root complex drops peer traffic (-EREMOTEIO) */
	P2PDMA_SIM_FAULT_BLOCKED,	/* the initiator's IOMMU group is blocked (-EIO) */
};

/* "ok", "bad request", "IOMMU fault", "unsupported request", "wild DMA", ... */
const char *p2pdma_sim_fault_name(enum p2pdma_sim_fault f);

struct p2pdma_sim_route {
	enum p2pdma_sim_target target;
	const struct p2pdma_function *target_fn;	/* BAR only */
	int bar;					/* BAR only, else -1 */
	uint64_t phys;		/* CPU physical address reached (after translation) */
	int ram_node;		/* RAM: its NUMA node, -1 unknown */
	bool translated;	/* the initiator's IOMMU domain translated it */
	/* Root complex: the host bridge the request entered it by (NULL: it
	 * never reached the root complex, e.g. switch-local), and the host
	 * bridge it left by towards a BAR target (NULL for RAM). */
	const struct p2pdma_host_bridge *rc_in;
	const struct p2pdma_host_bridge *rc_out;
	/* The request's path, initiator's link first, target's link last.
	 * For a read, the data (completions) crosses the same links the
	 * other way. */
	struct p2pdma_sim_hop hops[P2PDMA_SIM_MAX_HOPS];
	size_t nr_hops;

	/* Added beyond the contract. */
	enum p2pdma_sim_fault fault;	/* also set on failure */
	/* The request was turned up by ACS redirect on this device (or NULL). */
	const struct p2pdma_function *redirected_by;
	/* Bytes the address is still contiguous for in the target (>= len on success). */
	uint64_t contig;
	/* BAR only: offset inside the BAR. */
	uint64_t bar_offset;
};

/*
 * Route one DMA without moving bytes: @initiator puts @dma_addr on the
 * wire for @len bytes (@write: memory write, else read).  0 and @out
 * filled, or a negative errno and a reason naming initiator, address and
 * the place it failed (IOMMU fault, unsupported request, wild DMA into
 * p2pmem that is not allocated, peer request the root complex does not
 * forward).
 */
int p2pdma_sim_route(struct p2pdma_sim *s,
		     const struct p2pdma_function *initiator,
		     uint64_t dma_addr, uint64_t len, bool write,
		     struct p2pdma_sim_route *out, struct p2pdma_error *e);

/* Peer forwarding through one host bridge's root complex. */
enum p2pdma_sim_rc_forward {
	P2PDMA_SIM_RC_DEFAULT,	/* as the kernel's host-bridge rule says */
	P2PDMA_SIM_RC_FORWARD,	/* the hardware forwards, whatever the kernel says */
	P2PDMA_SIM_RC_DROP,	/* the hardware does not forward peer traffic */
};

/*
 * Override peer forwarding for requests entering or leaving the root
 * complex by @hb.  A peer request is forwarded when both its host
 * bridges forward.
 */
int p2pdma_sim_set_rc_forward(struct p2pdma_sim *s, const struct p2pdma_host_bridge *hb,
			      enum p2pdma_sim_rc_forward mode, struct p2pdma_error *e);
/* Whether a request entering by @in would be forwarded to a BAR below @out. */
bool p2pdma_sim_rc_forwards(struct p2pdma_sim *s, const struct p2pdma_host_bridge *in,
			    const struct p2pdma_host_bridge *out);

/* ---------------------------------------------------------------------- */
/* Moving bytes                                                            */

/*
 * A DMA that moves bytes: route, then copy between the initiator's own
 * memory @buf and the target (host RAM or BAR memory), and account it.
 * Same errors as p2pdma_sim_route(); on error nothing is written.
 * Requests longer than one target window fail (the rest would be an
 * Unsupported Request), so split at window ends as real devices do at
 * PRP/SGL entry ends.
 */
int p2pdma_sim_dma_write(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			 uint64_t dma_addr, const void *buf, uint64_t len,
			 struct p2pdma_error *e);
int p2pdma_sim_dma_read(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			uint64_t dma_addr, void *buf, uint64_t len,
			struct p2pdma_error *e);

/* The CPU's view: read/write host RAM or BAR memory by CPU physical address. */
int p2pdma_sim_cpu_write(struct p2pdma_sim *s, uint64_t phys, const void *buf,
			 uint64_t len, struct p2pdma_error *e);
int p2pdma_sim_cpu_read(struct p2pdma_sim *s, uint64_t phys, void *buf,
			uint64_t len, struct p2pdma_error *e);

/* What every delivered DMA added up to since the last reset. */
struct p2pdma_sim_stats {
	uint64_t dmas;			/* delivered DMAs */
	uint64_t faults;		/* refused DMAs */
	uint64_t bytes;			/* payload bytes delivered */
	uint64_t host_mem_written;	/* DMA bytes written into host RAM */
	uint64_t host_mem_read;		/* DMA bytes read from host RAM */
	uint64_t switch_local_bytes;	/* bytes that never reached the root complex */
	uint64_t rc_bytes;		/* bytes that crossed the root complex */
	uint64_t internal_bytes;	/* bytes a device moved inside itself */
};

void p2pdma_sim_stats(const struct p2pdma_sim *s, struct p2pdma_sim_stats *out);
void p2pdma_sim_stats_reset(struct p2pdma_sim *s);
/*
 * Payload bytes that crossed the link above @fn, towards the root (@up)
 * or away from it, since the last reset.
 */
uint64_t p2pdma_sim_link_bytes(const struct p2pdma_sim *s,
			       const struct p2pdma_function *fn, bool up);

/* ---------------------------------------------------------------------- */
/* Devices                                                                 */

/* Namespace description (from the machine JSON, or the default). */
struct p2pdma_sim_ns_info {
	uint32_t nsid;
	uint64_t nr_blocks;
	uint32_t block_size;	/* bytes: 512 or 4096 ... */
};

/* An NVMe function without namespace data: nsid 1, 1 TiB, 512-byte blocks. */
#define P2PDMA_SIM_DEFAULT_NS_BYTES	(1ULL << 40)
#define P2PDMA_SIM_DEFAULT_BLOCK_SIZE	512u

struct p2pdma_sim_nvme;
struct p2pdma_sim_nic;
struct p2pdma_sim_gpu;

/* The model of @fn, or NULL when it is not such a device. */
struct p2pdma_sim_nvme *p2pdma_sim_nvme(struct p2pdma_sim *s, const struct p2pdma_function *fn);
struct p2pdma_sim_nic *p2pdma_sim_nic(struct p2pdma_sim *s, const struct p2pdma_function *fn);
struct p2pdma_sim_gpu *p2pdma_sim_gpu(struct p2pdma_sim *s, const struct p2pdma_function *fn);

const struct p2pdma_function *p2pdma_sim_nvme_function(const struct p2pdma_sim_nvme *n);
size_t p2pdma_sim_nvme_nr_ns(const struct p2pdma_sim_nvme *n);
/* -ENOENT when @nsid is not a namespace of @n. */
int p2pdma_sim_nvme_ns(const struct p2pdma_sim_nvme *n, uint32_t nsid,
		       struct p2pdma_sim_ns_info *out, struct p2pdma_error *e);

/* One PRP/SGL entry: a DMA address for this controller and its length. */
struct p2pdma_sim_dma_seg {
	uint64_t addr;
	uint64_t len;
};

/*
 * NVMe Read: blocks [@slba, + @nlb) of namespace @nsid into the DMA
 * segments (memory writes by the controller).  NVMe Write: the other
 * way (memory reads).  The segments' lengths must add up to the
 * transfer.  A segment that the controller's own CMB claims is moved
 * inside the controller (no link crossed).  On a routing error the
 * command fails with it; a Read may have written the segments before
 * the one that failed, as a real controller would.
 */
int p2pdma_sim_nvme_read(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, uint32_t nsid,
			 uint64_t slba, uint64_t nlb,
			 const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			 struct p2pdma_error *e);
int p2pdma_sim_nvme_write(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, uint32_t nsid,
			  uint64_t slba, uint64_t nlb,
			  const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			  struct p2pdma_error *e);
/* The namespace's bytes as the host would read them (tests, --check). */
int p2pdma_sim_nvme_peek(struct p2pdma_sim_nvme *n, uint32_t nsid, uint64_t off,
			 void *buf, uint64_t len, struct p2pdma_error *e);
int p2pdma_sim_nvme_poke(struct p2pdma_sim_nvme *n, uint32_t nsid, uint64_t off,
			 const void *buf, uint64_t len, struct p2pdma_error *e);
/* The pattern unwritten bytes read as (tests). */
void p2pdma_sim_nvme_pattern(const struct p2pdma_sim_nvme *n, uint32_t nsid,
			     uint64_t off, void *buf, uint64_t len);

/* RDMA NIC: a payload arrives "from the wire" into DMA segments, or leaves from them. */
int p2pdma_sim_nic_receive(struct p2pdma_sim *s, struct p2pdma_sim_nic *n,
			   const void *payload, uint64_t len,
			   const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			   struct p2pdma_error *e);
int p2pdma_sim_nic_send(struct p2pdma_sim *s, struct p2pdma_sim_nic *n,
			void *payload, uint64_t len,
			const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			struct p2pdma_error *e);

/* GPU: its largest prefetchable BAR, memory others DMA into and out of. */
int p2pdma_sim_gpu_bar(const struct p2pdma_sim_gpu *g, int *bar, uint64_t *phys,
		       uint64_t *size);

/* ---------------------------------------------------------------------- */
/* Copy engine: NVMe to NVMe through a p2pmem buffer or host memory        */

enum p2pdma_sim_via {
	P2PDMA_SIM_VIA_AUTO,	/* the provider find would choose for {src, dst} */
	P2PDMA_SIM_VIA_HOST,	/* a host bounce buffer */
	P2PDMA_SIM_VIA_PROVIDER,	/* @via_fn's p2pmem */
};

/* One end of a copy: a namespace of an NVMe controller and a byte offset. */
struct p2pdma_sim_ns_ref {
	const struct p2pdma_function *fn;
	uint32_t nsid;			/* 0: 1 */
	uint64_t offset;		/* bytes, a multiple of the block size */
};

#define P2PDMA_SIM_COPY_CHUNK	(128ULL << 10)
#define P2PDMA_SIM_COPY_DEPTH	4u

struct p2pdma_sim_copy_req {
	struct p2pdma_sim_ns_ref src, dst;
	uint64_t size;			/* bytes, a multiple of both block sizes */
	enum p2pdma_sim_via via;
	const struct p2pdma_function *via_fn;	/* VIA_PROVIDER */
	uint64_t chunk;			/* 0: P2PDMA_SIM_COPY_CHUNK */
	unsigned int depth;		/* 0: P2PDMA_SIM_COPY_DEPTH */
	bool check;			/* compare destination with source afterwards */
	uint64_t seed;			/* provider choice among ties (VIA_AUTO) */
};

/* One leg: the source's Read into the buffer, or the destination's Write out of it. */
struct p2pdma_sim_copy_leg {
	const struct p2pdma_function *dev;
	enum p2pdma_map_type map_type;		/* UNKNOWN for host memory */
	enum p2pdma_dma_how how;		/* how the buffer was mapped for it */
	struct p2pdma_sim_route route;		/* of its first DMA */
};

struct p2pdma_sim_copy_result {
	const struct p2pdma_function *provider;	/* NULL: host memory */
	bool fallback;				/* wanted p2pmem, used host memory */
	char fallback_reason[P2PDMA_REASON_MAX];	/* one line: reason and fix */
	struct p2pdma_sim_copy_leg leg[2];	/* [0] read into, [1] write out of */
	uint64_t bytes;				/* copied */
	uint64_t chunk;
	unsigned int depth;
	uint64_t buffer_phys;			/* CPU physical start of the buffers */
	uint64_t host_memory_bytes;		/* DMA bytes into and out of host RAM */
	uint64_t switch_local_bytes, rc_bytes, internal_bytes;
	uint64_t dmas;
	bool checked;
	bool data_ok;				/* when checked */
	uint64_t first_diff;			/* when !data_ok: byte offset into the copy */
};

/*
 * Copy @req->size bytes between two namespaces through one set of
 * @depth buffers of @chunk bytes, reused.  Errors of the request (not an
 * NVMe controller, sizes, overlap, a provider without p2pmem or too
 * small) are -EINVAL with a reason and nothing written.  A provider
 * the policy refuses for either device (NOT_SUPPORTED), or a map refused
 * with -EREMOTEIO, makes it fall back to host memory and say why in
 * @res->fallback_reason.  A routing error during the copy fails it.
 */
int p2pdma_sim_copy(struct p2pdma_sim *s, const struct p2pdma_sim_copy_req *req,
		    struct p2pdma_sim_copy_result *res, struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_SIM_H */
