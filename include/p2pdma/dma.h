/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma DMA mapping: scatter-gather lists that mix host memory and
 * p2pmem of several providers, mapped for one client device the way the
 * kernel's dma-direct and dma-iommu map_sg do it (DESIGN.md layer 4,
 * KERNEL-FACTS.md section 5).
 *
 * Per segment, by the policy's map type for (segment's provider, client):
 *   BUS_ADDR          the PCI bus address, marked P2PDMA_SG_DMA_BUS_ADDRESS;
 *                     no IOVA is used and unmap skips it.
 *   THRU_HOST_BRIDGE  mapped like host memory: an IOVA in the client's
 *   and host memory   IOMMU domain, or phys_to_dma() (CPU physical + the
 *                     client's dma_offset) when the client has no
 *                     translating domain.
 *   NOT_SUPPORTED     the whole map fails with -EREMOTEIO and nothing is
 *                     mapped: every verdict is taken before any IOVA is.
 *
 * IOMMU domains come from the model: a function's IOMMU group with type
 * "DMA", "DMA-FQ" or "unmanaged" (VFIO) translates, one domain per group;
 * "identity" (passthrough) and no group map directly; "blocked" refuses
 * every mapping (-EIO).  A group whose type is unknown is taken as
 * translating (the kernel's default with an IOMMU on) and said so.
 *
 * IOVA allocation follows the kernel's allocator where it shows: granule
 * 4 KiB, never IOVA 0, top-down, sizes under 32 granules rounded up to a
 * power of two (the rcache sizes), ranges aligned to their size rounded
 * up to a power of two, first below 4 GiB and then below 2^48 (the
 * PCI SAC trick).  A whole list gets one IOVA range; segments that end
 * and start on granule boundaries merge into one DMA entry up to the
 * maximum segment size, as iommu_dma_map_sg() does.  dma-direct never
 * merges: one DMA entry per segment.
 *
 * Thread safety: one context may map and unmap different lists from
 * several threads at once.  A list is used by one thread at a time.
 */
#ifndef P2PDMA_DMA_H
#define P2PDMA_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"
#include "p2pdma/mem.h"
#include "p2pdma/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* DMA_MAPPING_ERROR */
#define P2PDMA_DMA_ERROR		(~0ULL)
/* SG_DMA_BUS_ADDRESS: dma_address is a PCI bus address; nothing to unmap. */
#define P2PDMA_SG_DMA_BUS_ADDRESS	(1u << 0)
/* The IOMMU page size our domains use. */
#define P2PDMA_IOVA_GRANULE		4096ULL
/* dma_get_max_seg_size() of a device whose driver set none. */
#define P2PDMA_DEFAULT_MAX_SEG_SIZE	(64ULL << 10)

/* How a segment got its DMA address. */
enum p2pdma_dma_how {
	P2PDMA_DMA_UNMAPPED,
	P2PDMA_DMA_BUS_ADDR,	/* PCI bus address, no IOVA (BUS_ADDR) */
	P2PDMA_DMA_IOVA,	/* through the client's IOMMU domain */
	P2PDMA_DMA_DIRECT,	/* phys_to_dma(): CPU physical + dma_offset */
};

/* "unmapped", "bus address", "IOVA", "direct" */
const char *p2pdma_dma_how_name(enum p2pdma_dma_how how);

/* ---------------------------------------------------------------------- */
/* Scatter-gather lists                                                    */

struct p2pdma_sg {
	/* Input: a CPU physical range, host RAM or p2pmem. */
	uint64_t phys;
	uint64_t len;

	/* Output per segment, for the client it is mapped for. */
	uint64_t seg_dma;		/* where phys lands; P2PDMA_DMA_ERROR unmapped */
	enum p2pdma_dma_how how;
	/*
	 * Set by every map attempt, also a refused one, for the segments it
	 * looked at (a refusal stops at the segment refused):
	 */
	const struct p2pdma_provider *provider;	/* NULL: host memory */
	enum p2pdma_map_type map_type;		/* p2pmem only; UNKNOWN for host */

	/* Output in the kernel's layout: entries [0, dma_nents) hold the DMA list. */
	uint64_t dma_address;
	uint64_t dma_len;
	unsigned int dma_flags;		/* P2PDMA_SG_DMA_BUS_ADDRESS */
};

struct p2pdma_sgl {
	struct p2pdma_sg *sg;
	size_t nents;
	size_t dma_nents;		/* after a successful map, else 0 */
	ptrdiff_t failed;		/* segment the last map failed on, or -1 */

	/* Private: the mapping. */
	size_t cap;
	bool mapped;
	const struct p2pdma_function *client;
	struct p2pdma_iova_domain *domain;
	uint64_t iova, iova_len;	/* the IOVA range reserved, if any */
};

void p2pdma_sgl_init(struct p2pdma_sgl *s);
/* Append a segment: -EINVAL for length 0 or a range past 2^64, -EBUSY while mapped. */
int p2pdma_sgl_add(struct p2pdma_sgl *s, uint64_t phys, uint64_t len,
		   struct p2pdma_error *e);
/* Free the list's memory; unmap it first (a mapped list keeps its IOVA). */
void p2pdma_sgl_release(struct p2pdma_sgl *s);

/*
 * A segment as the CLI takes it: "p2p:PROVIDER:SIZE" or "host:SIZE"
 * (PROVIDER a PCI address, SIZE as p2pdma_size_parse(), > 0).
 */
enum p2pdma_segment_kind {
	P2PDMA_SEGMENT_HOST,
	P2PDMA_SEGMENT_P2P,
};

struct p2pdma_segment_spec {
	enum p2pdma_segment_kind kind;
	struct p2pdma_bdf provider;	/* P2P only */
	uint64_t size;
};

int p2pdma_segment_spec_parse(const char *s, struct p2pdma_segment_spec *out,
			      struct p2pdma_error *e);

/*
 * Build a list from specs: p2pmem from each named provider's pool, host
 * buffers from p2pdma_mem_host_alloc().  On failure nothing stays
 * allocated.  p2pdma_sgl_free_buffers() gives the p2pmem back.
 */
int p2pdma_sgl_from_specs(struct p2pdma_mem *m,
			  const struct p2pdma_segment_spec *specs, size_t n,
			  struct p2pdma_sgl *s, struct p2pdma_error *e);
void p2pdma_sgl_free_buffers(struct p2pdma_mem *m, struct p2pdma_sgl *s);

/* ---------------------------------------------------------------------- */
/* The DMA context                                                         */

struct p2pdma_dma;
struct p2pdma_iova_domain;

/*
 * Where verdicts come from when not from a policy object (tests inject
 * them).  @reason (may be written up to @len bytes) explains a
 * NOT_SUPPORTED answer.  Called under the context's verdict lock, so it
 * need not be thread-safe.
 */
typedef enum p2pdma_map_type (*p2pdma_verdict_fn)(void *arg,
						  const struct p2pdma_function *provider,
						  const struct p2pdma_function *client,
						  char *reason, size_t len);

struct p2pdma_dma_opts {
	/* Verdicts: @verdict if set, else @policy (one of them is required). */
	struct p2pdma_policy *policy;
	p2pdma_verdict_fn verdict;
	void *verdict_arg;
	/* Longest merged IOVA DMA entry; 0: P2PDMA_DEFAULT_MAX_SEG_SIZE. */
	uint64_t max_seg_size;
};

int p2pdma_dma_new(struct p2pdma_mem *m, const struct p2pdma_dma_opts *o,
		   struct p2pdma_dma **out, struct p2pdma_error *e);
/* Frees the domains; mappings still out are forgotten. */
void p2pdma_dma_free(struct p2pdma_dma *d);

enum p2pdma_dma_mode {
	P2PDMA_DMA_MODE_DIRECT,		/* no translating domain: phys_to_dma() */
	P2PDMA_DMA_MODE_IOMMU,		/* IOVA through the group's domain */
	P2PDMA_DMA_MODE_BLOCKED,	/* group type "blocked": no DMA at all */
};

/* "direct", "iommu", "blocked" */
const char *p2pdma_dma_mode_name(enum p2pdma_dma_mode mode);

struct p2pdma_dma_client_info {
	enum p2pdma_dma_mode mode;
	int iommu_group;		/* -1: none */
	const char *group_type;		/* as the model says, NULL: unknown */
	bool mode_assumed;		/* group type unknown: taken as translating */
	uint64_t dma_offset;		/* direct mode */
	uint64_t iova_mapped;		/* bytes of IOVA reserved in its domain now */
};

int p2pdma_dma_client_info(struct p2pdma_dma *d, const struct p2pdma_function *client,
			   struct p2pdma_dma_client_info *out, struct p2pdma_error *e);

/*
 * Map @s for @client.  Returns the number of DMA entries (>= 1), or:
 *   -EREMOTEIO  a p2pmem segment's provider and @client cannot do P2P
 *               (NOT_SUPPORTED); the reason names the segment, the
 *               provider, the client and the policy's reason;
 *   -EINVAL     an empty list, a segment that is neither RAM nor p2pmem
 *               (e.g. a BAR that is not p2pmem: use map_resource), one
 *               that crosses the end of its RAM range or p2pmem range,
 *               a client not in the model, a list already mapped;
 *   -ENOMEM     the client's IOVA space is full;
 *   -EIO        the client's IOMMU group is blocked, or (direct mapping)
 *               a p2pmem segment lies above the client's DMA mask.
 * On any error nothing is mapped: the IOVA allocators are exactly as
 * before, every segment's DMA fields read P2PDMA_DMA_ERROR / 0, and
 * s->failed names the segment at fault (-1 when none is).
 */
int p2pdma_dma_map_sg(struct p2pdma_dma *d, const struct p2pdma_function *client,
		      struct p2pdma_sgl *s, struct p2pdma_error *e);
/*
 * Before 6.0 (the policy's kernel release), a list that mixes host memory
 * and p2pmem, or two providers, fails with -EINVAL: the kernel mapped
 * P2PDMA pages only through pci_p2pdma_map_sg().  After a map, this says
 * where the release maps a segment wrongly (dma-direct, 6.16 to 7.0), or
 * NULL.
 */
const char *p2pdma_dma_release_note(struct p2pdma_dma *d, const struct p2pdma_sgl *s);

/*
 * Undo a map: bus-address segments are only unmarked, the IOVA range is
 * freed.  -EINVAL when @s is not mapped, or mapped for another client.
 */
int p2pdma_dma_unmap_sg(struct p2pdma_dma *d, const struct p2pdma_function *client,
			struct p2pdma_sgl *s, struct p2pdma_error *e);

/* A peer BAR range mapped for a client (dma_map_resource). */
struct p2pdma_dma_resource {
	uint64_t phys, size;
	const struct p2pdma_function *owner;	/* the BAR's function */
	int bar;
	enum p2pdma_map_type map_type;
	uint64_t dma_addr;
	enum p2pdma_dma_how how;

	/* Private. */
	const struct p2pdma_function *client;
	struct p2pdma_iova_domain *domain;
	uint64_t iova, iova_len;
	bool mapped;
};

/*
 * Map [phys, phys + size), which must lie inside one memory BAR, for
 * @client.  The BAR's function is the provider for the policy (any
 * memory BAR, as the kernel's p2pdma_provider since 6.19): BUS_ADDR gives
 * the bus address; THRU_HOST_BRIDGE an IOVA, or the CPU physical address
 * unchanged in direct mode (dma_map_resource applies no dma offset);
 * NOT_SUPPORTED -EREMOTEIO (the kernel's dma-buf helper says -EINVAL).
 */
int p2pdma_dma_map_resource(struct p2pdma_dma *d, const struct p2pdma_function *client,
			    uint64_t phys, uint64_t size,
			    struct p2pdma_dma_resource *out, struct p2pdma_error *e);
/* -EINVAL when @r is not mapped (never was, or unmapped already). */
int p2pdma_dma_unmap_resource(struct p2pdma_dma *d, struct p2pdma_dma_resource *r,
			      struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_DMA_H */
