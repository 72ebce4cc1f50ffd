/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The memory layer's structures, shared by its files and read by the DMA
 * layer (which finds the p2pmem range of a segment in its hot path).
 * Not installed.
 */
#ifndef P2PDMA_MEM_INTERNAL_H
#define P2PDMA_MEM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "p2pdma/mem.h"
#include "buddy.h"
#include "spinlock.h"

/* One pci_p2pdma_add_resource() call: a genpool chunk in the kernel. */
struct p2pmem_range {
	struct p2pdma_provider *provider;
	int bar;
	uint64_t offset;	/* inside the BAR */
	uint64_t phys;		/* CPU physical start */
	uint64_t last;		/* inclusive */
	uint64_t bus;		/* bus address of the start */
	uint64_t size;
	struct buddy buddy;
};

enum provider_state {
	PROVIDER_LIVE,
	PROVIDER_DYING,		/* removal started: no new allocations */
	PROVIDER_DEAD,		/* removed: ranges freed, struct kept */
};

struct p2pdma_provider {
	struct p2pdma_mem *mem;
	const struct p2pdma_function *fn;
	/* Guards the ranges, their buddies, state and nr_allocated. */
	struct p2pdma_spinlock lock;
	struct p2pmem_range **ranges;	/* in the order added */
	size_t nr_ranges;
	uint64_t nr_allocated;
	enum provider_state state;
	atomic_bool published;
	/* Removal with P2PDMA_REMOVE_WAIT sleeps here until the last free. */
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
};

struct p2pdma_mem {
	const struct p2pdma_fabric *f;
	struct p2pdma_addr_map *map;
	/*
	 * Guards the lists below.  Readers: lookups and DMA mapping (once
	 * per map call); writers: add and remove.
	 */
	pthread_rwlock_t lock;
	struct p2pdma_provider **live;		/* sorted by BDF */
	size_t nr_live, live_cap;
	struct p2pdma_provider **all;		/* every provider ever made */
	size_t nr_all, all_cap;
	struct p2pmem_range **index;		/* live ranges, sorted by phys */
	size_t nr_index, index_cap;

	/* Host buffers: a bump pointer over the RAM ranges (sorted copy). */
	struct p2pdma_ram_range *ram;
	size_t nr_ram;
	pthread_mutex_t host_lock;
	uint64_t host_next;
};

/*
 * The p2pmem range holding [phys, phys + len), or NULL.  The caller holds
 * m->lock for reading.  *@partial is set when @phys is p2pmem but the
 * segment runs past the end of its range.
 */
static inline struct p2pmem_range *p2pmem_find(const struct p2pdma_mem *m,
					       uint64_t phys, uint64_t len,
					       bool *partial)
{
	size_t lo = 0, hi = m->nr_index;
	struct p2pmem_range *r;

	*partial = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->index[mid]->phys <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	r = m->index[lo - 1];
	if (phys > r->last)
		return NULL;
	if (len && len - 1 > r->last - phys) {
		*partial = true;
		return NULL;
	}
	return r;
}

/*
 * For the simulated platform: is [phys, phys + len) p2pmem, and is all of
 * it inside live allocations?  0: not p2pmem at all (no range holds
 * @phys); 1: p2pmem, every byte allocated; -EADDRNOTAVAIL: p2pmem, and
 * *@bad is the first byte no allocation covers (also for a range that
 * runs past its p2pmem range).  *@provider (may be NULL) receives the
 * provider.  Takes the locks it needs.
 */
int p2pmem_check_allocated(const struct p2pdma_mem *m, uint64_t phys, uint64_t len,
			   const struct p2pdma_provider **provider, uint64_t *bad);

void p2pdma_mem_read_lock(const struct p2pdma_mem *m);
void p2pdma_mem_read_unlock(const struct p2pdma_mem *m);

/* List upkeep (mem.c); the caller holds m->lock for writing. */
int p2pdma_mem_link_provider(struct p2pdma_mem *m, struct p2pdma_provider *p);
void p2pdma_mem_unlink_provider(struct p2pdma_mem *m, struct p2pdma_provider *p);
int p2pdma_mem_index_range(struct p2pdma_mem *m, struct p2pmem_range *r);
struct p2pmem_range *p2pdma_mem_overlap(const struct p2pdma_mem *m, uint64_t phys,
					uint64_t last);
void p2pdma_provider_destroy(struct p2pdma_provider *p);

/* Digest of a provider's pool state (every range), for tests. */
uint64_t p2pdma_provider_state_hash(struct p2pdma_provider *p);
/* buddy_check() over every range; 0 or -EIO. */
int p2pdma_provider_check(struct p2pdma_provider *p);

#endif /* P2PDMA_MEM_INTERNAL_H */
