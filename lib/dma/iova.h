/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One IOMMU domain's IOVA allocator.  The kernel keeps allocated ranges
 * in an rbtree; a sorted array serves a model whose live mappings number
 * in the thousands at most, and makes "state identical to before" a
 * plain comparison.  See dma.h for the allocation rules.
 */
#ifndef P2PDMA_IOVA_H
#define P2PDMA_IOVA_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct p2pdma_sg;

#define IOVA_LIMIT_32	0xffffffffULL
#define IOVA_LIMIT_48	((1ULL << 48) - 1)

struct iova_range {
	uint64_t lo, hi;	/* inclusive */
	/*
	 * What it translates to (the IOMMU's page table, which the simulated
	 * platform in lib/sim walks): the IOVA segments of a mapped list, or
	 * @map_len bytes from lo on at @phys; IOVA_NO_PHYS: nothing.
	 */
	const struct p2pdma_sg *sg;
	size_t nents;
	uint64_t phys, map_len;
};

#define IOVA_NO_PHYS	UINT64_MAX

struct p2pdma_iova_domain {
	pthread_mutex_t lock;
	int group;
	struct iova_range *r;	/* sorted, disjoint */
	size_t nr, cap;
	uint64_t reserved;	/* bytes in r */
};

void iova_domain_init(struct p2pdma_iova_domain *d, int group);
void iova_domain_destroy(struct p2pdma_iova_domain *d);

/* What an allocation of @len bytes reserves (rounding to granules, rcache sizes). */
uint64_t iova_reserve_size(uint64_t len);

/* Reserve iova_reserve_size(len) bytes; 0 or -ENOMEM.  Takes the lock. */
int iova_alloc(struct p2pdma_iova_domain *d, uint64_t len, uint64_t *iova);
/*
 * The same, and record what the range translates to: its first @len
 * bytes (rounded up to the granule) to @phys on (granule-aligned).  A range reserved with iova_alloc()
 * translates nothing: every access to it faults.
 */
int iova_alloc_phys(struct p2pdma_iova_domain *d, uint64_t len, uint64_t phys,
		    uint64_t *iova);
/*
 * The same for a scatter-gather list: the range translates through the
 * list's own segments (their phys and seg_dma, once mapped), so mapping
 * costs nothing per segment.  The list must stay in place while mapped,
 * which dma.h already asks.
 */
int iova_alloc_map_sg(struct p2pdma_iova_domain *d, uint64_t len,
		      const struct p2pdma_sg *sg, size_t nents, uint64_t *iova);
/*
 * The IOMMU's walk: the CPU physical address @iova translates to, and
 * how many bytes from there on stay physically contiguous and mapped
 * (*@contig).  -EFAULT when @iova is not mapped.  Takes the lock.
 */
int iova_translate(struct p2pdma_iova_domain *d, uint64_t iova, uint64_t *phys,
		   uint64_t *contig);
/* Free exactly what iova_alloc() returned for @len; 0 or -EINVAL.  Takes the lock. */
int iova_free(struct p2pdma_iova_domain *d, uint64_t iova, uint64_t len);

/* Bytes reserved now. */
uint64_t iova_reserved(struct p2pdma_iova_domain *d);
/* Digest of the allocator state (ranges and counters), for tests. */
uint64_t iova_hash(struct p2pdma_iova_domain *d);

#endif /* P2PDMA_IOVA_H */
