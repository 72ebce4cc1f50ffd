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

/*
 * Per-thread caches of free blocks (pcpu.c), as the kernel keeps per-CPU
 * page lists: a small aligned alloc or free takes only its thread's slot
 * lock, never the provider's.  A slot's blocks are "allocated" in the
 * buddy's eyes (lent); a bit per block in @user (per range and order)
 * says whether a user holds it, set and cleared atomically, so a double
 * free is caught whichever thread frees.
 */
#define P2PDMA_SLOT_ORDERS	BUDDY_CACHE_ORDERS	/* 4 KiB .. 64 KiB */
#define P2PDMA_NR_SLOTS		64
#define P2PDMA_SLOT_DEPTH	16
#define P2PDMA_SLOT_BATCH	8
#define P2PDMA_FAST_RANGES	8	/* ranges a lock-free free can find */

struct p2pmem_range;

struct p2pdma_pslot_block {
	uint64_t phys;
	struct p2pmem_range *r;
};

struct p2pdma_pslot {
	struct p2pdma_spinlock lock;
	int64_t out;		/* buffers handed out here minus freed here */
	uint64_t cached_pages;
	unsigned int nr[P2PDMA_SLOT_ORDERS];
	struct p2pdma_pslot_block blk[P2PDMA_SLOT_ORDERS][P2PDMA_SLOT_DEPTH];
} __attribute__((aligned(64)));

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
	/*
	 * One bit per block of each slot order: a user holds it (pcpu.c).
	 * Block b sits in cache line b mod 2^user_shift, so that blocks next
	 * to each other, which threads sharing the pool are handed, are not
	 * flipped in one line by several cores.
	 */
	_Atomic uint64_t *user[P2PDMA_SLOT_ORDERS];
	unsigned int user_shift[P2PDMA_SLOT_ORDERS];
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
	uint64_t nr_allocated;		/* other than the slots' sizes, under @lock */
	_Atomic enum provider_state state;	/* written under every lock (pcpu.c) */

	/*
	 * The per-thread slots (pcpu.c), made on first use under @lock.
	 * Lock order: slots in index order, then @lock.  Under @lock:
	 * @lent blocks are out of the buddies to slots or their users;
	 * @small_out of the slots' sizes went to users without a slot (+)
	 * or came back without one (-); @frozen_out is the slots' "out" sum
	 * at removal, when they stop.
	 */
	_Atomic(struct p2pdma_pslot *) slots;
	int64_t lent, small_out, frozen_out;
	/* The first ranges, for frees that take no provider lock. */
	struct p2pmem_range *_Atomic fast[P2PDMA_FAST_RANGES];
	_Atomic size_t nr_fast;
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

/* pcpu.c: the per-thread slots. */
int p2pdma_range_user_init(struct p2pmem_range *r);
/* The word that holds the user bit of order-@k block @b of @r, and the bit. */
_Atomic uint64_t *p2pdma_range_user_word(const struct p2pmem_range *r, unsigned int k,
					 uint64_t b, uint64_t *bit);
void p2pdma_range_destroy(struct p2pmem_range *r);
void p2pdma_pcpu_range_added(struct p2pdma_provider *p, struct p2pmem_range *r);
/* Orders the slots serve: 0..P2PDMA_SLOT_ORDERS-1, else -1. */
int p2pdma_pcpu_order(uint64_t phys, uint64_t pages);
/* 0, or 1: take the locked path; negative errno with no message. */
int p2pdma_pcpu_alloc(struct p2pdma_provider *p, unsigned int k, uint64_t *phys);
int p2pdma_pcpu_free(struct p2pdma_provider *p, unsigned int k, uint64_t phys);
/* Locked path: a user's block of a slot order taken or given back. */
void p2pdma_pcpu_user_took(struct p2pdma_provider *p, struct p2pmem_range *r,
			   unsigned int k, uint64_t phys);
bool p2pdma_pcpu_user_gave(struct p2pmem_range *r, unsigned int k, uint64_t phys);
/*
 * The first page index in [first, first + n) of @r that is cached free in
 * a slot, or first + n when none is.  Takes each slot's lock in turn;
 * call it without the provider's lock.
 */
uint64_t p2pdma_pcpu_first_cached(const struct p2pmem_range *r, uint64_t first,
				  uint64_t n);
/* Every slot's cached blocks back to the buddies (before a refusal). */
bool p2pdma_pcpu_drain(struct p2pdma_provider *p);
void p2pdma_pcpu_lock_all(struct p2pdma_provider *p);
void p2pdma_pcpu_unlock_all(struct p2pdma_provider *p);
/* Under lock_all (or @lock once dying): buffers out, pages cached. */
int64_t p2pdma_pcpu_outstanding(const struct p2pdma_provider *p);
uint64_t p2pdma_pcpu_cached_pages(const struct p2pdma_provider *p);
/* Under lock_all: stop the slots for removal; forget their blocks. */
void p2pdma_pcpu_freeze(struct p2pdma_provider *p);
void p2pdma_pcpu_forget(struct p2pdma_provider *p);
int p2pdma_pcpu_check(const struct p2pdma_provider *p);
uint64_t p2pdma_pcpu_hash(const struct p2pdma_provider *p, uint64_t h);

/* Digest of a provider's pool state (every range), for tests. */
uint64_t p2pdma_provider_state_hash(struct p2pdma_provider *p);
/* buddy_check() over every range; 0 or -EIO. */
int p2pdma_provider_check(struct p2pdma_provider *p);

#endif /* P2PDMA_MEM_INTERNAL_H */
