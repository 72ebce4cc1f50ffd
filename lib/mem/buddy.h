/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The page allocator behind one p2pmem range: a binary buddy system over
 * page indices, kept entirely in host-side bitmaps (p2pmem itself is
 * device memory we never touch, so free lists cannot live inside it).
 *
 * - Free blocks of order k (2^k pages, aligned to their size) are bits
 *   in a hierarchical bitmap per order; the lowest free block of the
 *   smallest order that fits is found in a few ctz steps.
 * - A request of n pages takes a block of order ceil(log2 n) and gives
 *   the tail back at once, so the pool loses only page rounding, as the
 *   kernel's genpool does (sysfs "available" matches the kernel's).
 * - When no block of that order is free, a first-fit scan over the free
 *   blocks finds a run of n pages that straddles buddies (the genpool
 *   answer), so an allocation fails only when no contiguous run exists.
 * - Each allocation is recorded as its aligned pieces in one "allocated"
 *   bitmap per order: a free must name exactly an allocation, so double
 *   frees and wrong sizes are caught without per-page metadata.
 * - A small per-order cache of freed small blocks (as the kernel's
 *   per-CPU page lists do) makes an alloc+free pair of a small buffer two
 *   stack operations instead of a split and merge down the whole tree.
 *   Cached pages count as available; they are merged back before any
 *   allocation would fail.
 *
 * Not locked: the provider holds its lock around every call.
 */
#ifndef P2PDMA_BUDDY_H
#define P2PDMA_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#include "hbitmap.h"

#define BUDDY_CACHE_ORDERS	5	/* 4 KiB .. 64 KiB blocks are cached */
#define BUDDY_CACHE_DEPTH	32

struct buddy_cache {
	unsigned int nr;
	uint64_t idx[BUDDY_CACHE_DEPTH];	/* block index at this order */
};

struct buddy {
	uint64_t npages;
	unsigned int max_order;
	uint64_t nonempty;		/* bit k: some block of order k is free */
	struct hbitmap *free;		/* [max_order + 1] */
	uint64_t **alloc;		/* [max_order + 1] plain bitmaps */
	struct buddy_cache cache[BUDDY_CACHE_ORDERS];
	uint64_t free_pages;		/* in free blocks and in the cache */
	uint64_t nr_allocs;		/* allocations out */
};

/* Every page free.  @npages >= 1.  0 or -ENOMEM. */
int buddy_init(struct buddy *b, uint64_t npages);
void buddy_destroy(struct buddy *b);

/* Index of the first of @n contiguous pages, or -1 when no run fits. */
int64_t buddy_alloc(struct buddy *b, uint64_t n);
/* 0, or -EINVAL (nothing changed) when [first, +n) is not one allocation. */
int buddy_free(struct buddy *b, uint64_t first, uint64_t n);

/*
 * Pages from @p on (at most @n) that lie in allocations, counted until
 * the first page that is not allocated: @n when all are.
 */
uint64_t buddy_allocated_run(const struct buddy *b, uint64_t p, uint64_t n);

/* The longest run of free pages (slow: walks the blocks; for messages). */
uint64_t buddy_largest_run(struct buddy *b);

/* A digest of the whole state: equal digests = byte-identical state. */
uint64_t buddy_hash(const struct buddy *b);
/*
 * Full consistency check for tests: every page is in exactly one free
 * block, cached block or allocated piece, and the counters agree.
 * 0 or -EIO.
 */
int buddy_check(const struct buddy *b);

#endif /* P2PDMA_BUDDY_H */
