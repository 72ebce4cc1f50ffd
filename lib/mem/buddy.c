// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Buddy page allocator for one p2pmem range (see buddy.h for the design).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buddy.h"

static inline uint64_t nblocks(const struct buddy *b, unsigned int k)
{
	return b->npages >> k;
}

static inline unsigned int order_for(uint64_t n)
{
	return n <= 1 ? 0 : 64 - (unsigned int)__builtin_clzll(n - 1);
}

/*
 * The largest aligned block starting at @a that ends at or before @end:
 * cutting [a, end) into such pieces from the left gives the same pieces
 * on allocation and on free.
 */
static inline unsigned int piece_order(const struct buddy *b, uint64_t a, uint64_t end)
{
	unsigned int k = a ? (unsigned int)__builtin_ctzll(a) : 63;
	unsigned int fit = 63 - (unsigned int)__builtin_clzll(end - a);

	if (k > fit)
		k = fit;
	return k < b->max_order ? k : b->max_order;
}

static inline void fl_add(struct buddy *b, unsigned int k, uint64_t idx)
{
	hb_set(&b->free[k], idx);
	b->nonempty |= 1ULL << k;
}

static inline void fl_del(struct buddy *b, unsigned int k, uint64_t idx)
{
	struct hbitmap *h = &b->free[k];

	hb_clear(h, idx);
	if (!h->lv[h->levels - 1][0])
		b->nonempty &= ~(1ULL << k);
}

/* Put a free block back, merging with its buddy as far up as it goes. */
static void put_block(struct buddy *b, unsigned int k, uint64_t idx)
{
	while (k < b->max_order) {
		uint64_t bud = idx ^ 1;

		if (bud >= nblocks(b, k) || !hb_test(&b->free[k], bud))
			break;
		fl_del(b, k, bud);
		idx >>= 1;
		k++;
	}
	fl_add(b, k, idx);
}

static void put_range(struct buddy *b, uint64_t a, uint64_t end)
{
	while (a < end) {
		unsigned int k = piece_order(b, a, end);

		put_block(b, k, a >> k);
		a += 1ULL << k;
	}
}

/* A free block of order @k, split from a larger one if need be; -1 if none. */
static int64_t take_block(struct buddy *b, unsigned int k)
{
	uint64_t m = k < 64 ? b->nonempty >> k : 0;
	unsigned int j;
	uint64_t idx;

	if (!m)
		return -1;
	j = k + (unsigned int)__builtin_ctzll(m);
	idx = (uint64_t)hb_first(&b->free[j]);
	fl_del(b, j, idx);
	while (j > k) {
		j--;
		idx <<= 1;
		fl_add(b, j, idx + 1);
	}
	return (int64_t)(idx << k);
}

static bool cache_empty(const struct buddy *b)
{
	unsigned int k;

	for (k = 0; k < BUDDY_CACHE_ORDERS; k++)
		if (b->cache[k].nr)
			return false;
	return true;
}

static void drain_cache(struct buddy *b)
{
	unsigned int k;

	for (k = 0; k < BUDDY_CACHE_ORDERS; k++)
		while (b->cache[k].nr)
			put_block(b, k, b->cache[k].idx[--b->cache[k].nr]);
}

/* Order of the free block that starts at page @p, or -1 (p is not free). */
static int free_block_at(const struct buddy *b, uint64_t p)
{
	unsigned int k, top = p ? (unsigned int)__builtin_ctzll(p) : 63;

	if (top > b->max_order)
		top = b->max_order;
	for (k = 0; k <= top; k++)
		if ((p >> k) < nblocks(b, k) && hb_test(&b->free[k], p >> k))
			return (int)k;
	return -1;
}

/* Pages covered by the allocated piece that starts at @p (1 if none). */
static uint64_t alloc_piece_at(const struct buddy *b, uint64_t p)
{
	unsigned int k, top = p ? (unsigned int)__builtin_ctzll(p) : 63;

	if (top > b->max_order)
		top = b->max_order;
	for (k = 0; k <= top; k++)
		if ((p >> k) < nblocks(b, k) && bm_test(b->alloc[k], p >> k))
			return 1ULL << k;
	return 1;
}

/*
 * First fit over the free blocks in address order, for runs that cross
 * buddy boundaries.  Every page is in a free block or an allocated piece
 * (the cache was drained), so the walk steps from block to block.
 * With @n == 0, returns the longest run's length instead.
 */
static int64_t scan_runs(const struct buddy *b, uint64_t n, uint64_t *longest)
{
	uint64_t p = 0, start = 0, len = 0, best = 0;

	while (p < b->npages) {
		int k = free_block_at(b, p);

		if (k < 0) {
			len = 0;
			p += alloc_piece_at(b, p);
			continue;
		}
		if (!len)
			start = p;
		len += 1ULL << k;
		p += 1ULL << k;
		if (len > best)
			best = len;
		if (n && len >= n)
			return (int64_t)start;
	}
	if (longest)
		*longest = best;
	return -1;
}

/* Take [s, s + n) out of the free blocks that cover it; give back the rest. */
static void carve(struct buddy *b, uint64_t s, uint64_t n)
{
	uint64_t p = s, end = s + n;

	while (p < end) {
		unsigned int k = (unsigned int)free_block_at(b, p);
		uint64_t bend = p + (1ULL << k);

		fl_del(b, k, p >> k);
		if (bend > end)
			put_range(b, end, bend);
		p = bend;
	}
}

static void mark(struct buddy *b, uint64_t a, uint64_t n, bool set)
{
	uint64_t end = a + n;

	while (a < end) {
		unsigned int k = piece_order(b, a, end);

		if (set)
			bm_set(b->alloc[k], a >> k);
		else
			bm_clear(b->alloc[k], a >> k);
		a += 1ULL << k;
	}
}

static bool marked(const struct buddy *b, uint64_t a, uint64_t n)
{
	uint64_t end = a + n;

	while (a < end) {
		unsigned int k = piece_order(b, a, end);

		if (!bm_test(b->alloc[k], a >> k))
			return false;
		a += 1ULL << k;
	}
	return true;
}

int buddy_init(struct buddy *b, uint64_t npages)
{
	unsigned int k;

	memset(b, 0, sizeof(*b));
	if (!npages)
		return -EINVAL;
	b->npages = npages;
	b->max_order = 63 - (unsigned int)__builtin_clzll(npages);
	b->free = calloc(b->max_order + 1, sizeof(*b->free));
	b->alloc = calloc(b->max_order + 1, sizeof(*b->alloc));
	if (!b->free || !b->alloc)
		goto nomem;
	for (k = 0; k <= b->max_order; k++) {
		if (hb_init(&b->free[k], nblocks(b, k)))
			goto nomem;
		b->alloc[k] = calloc((nblocks(b, k) + 63) / 64, sizeof(uint64_t));
		if (!b->alloc[k])
			goto nomem;
	}
	put_range(b, 0, npages);
	b->free_pages = npages;
	return 0;
nomem:
	buddy_destroy(b);
	return -ENOMEM;
}

void buddy_destroy(struct buddy *b)
{
	unsigned int k;

	if (b->free)
		for (k = 0; k <= b->max_order; k++)
			hb_destroy(&b->free[k]);
	if (b->alloc)
		for (k = 0; k <= b->max_order; k++)
			free(b->alloc[k]);
	free(b->free);
	free(b->alloc);
	memset(b, 0, sizeof(*b));
}

int64_t buddy_alloc(struct buddy *b, uint64_t n)
{
	unsigned int k = order_for(n);
	int64_t i = -1;

	if (!n || n > b->free_pages)
		return -1;
	if (n == 1ULL << k && k < BUDDY_CACHE_ORDERS && b->cache[k].nr) {
		/* The hot path: a recently freed block of exactly this order. */
		uint64_t idx = b->cache[k].idx[--b->cache[k].nr];

		bm_set(b->alloc[k], idx);
		b->free_pages -= n;
		b->nr_allocs++;
		return (int64_t)(idx << k);
	}
	if (k <= b->max_order) {
		i = take_block(b, k);
		if (i < 0 && !cache_empty(b)) {
			drain_cache(b);
			i = take_block(b, k);
		}
		if (i >= 0) {
			put_range(b, (uint64_t)i + n, (uint64_t)i + (1ULL << k));
			goto got;
		}
	}
	drain_cache(b);
	i = scan_runs(b, n, NULL);
	if (i < 0)
		return -1;
	carve(b, (uint64_t)i, n);
got:
	mark(b, (uint64_t)i, n, true);
	b->free_pages -= n;
	b->nr_allocs++;
	return i;
}

int buddy_free(struct buddy *b, uint64_t first, uint64_t n)
{
	unsigned int k = order_for(n);

	if (!n || first >= b->npages || n > b->npages - first)
		return -EINVAL;
	if (n == 1ULL << k && !(first & (n - 1)) && k < BUDDY_CACHE_ORDERS &&
	    b->cache[k].nr < BUDDY_CACHE_DEPTH) {
		/* The hot path: one aligned block, straight into the cache. */
		if (!bm_test(b->alloc[k], first >> k))
			return -EINVAL;
		bm_clear(b->alloc[k], first >> k);
		b->cache[k].idx[b->cache[k].nr++] = first >> k;
		b->free_pages += n;
		b->nr_allocs--;
		return 0;
	}
	if (!marked(b, first, n))
		return -EINVAL;
	mark(b, first, n, false);
	b->free_pages += n;
	b->nr_allocs--;
	put_range(b, first, first + n);
	return 0;
}

/* Order of the allocated piece holding page @p, or -1 (p is not allocated). */
static int piece_holding(const struct buddy *b, uint64_t p)
{
	unsigned int k;

	for (k = 0; k <= b->max_order; k++)
		if ((p >> k) < nblocks(b, k) && bm_test(b->alloc[k], p >> k))
			return (int)k;
	return -1;
}

uint64_t buddy_allocated_run(const struct buddy *b, uint64_t p, uint64_t n)
{
	uint64_t done = 0;

	while (done < n && p < b->npages) {
		int k = piece_holding(b, p);
		uint64_t end;

		if (k < 0)
			break;
		/* Pieces are aligned to their size: skip to the end of this one. */
		end = ((p >> k) + 1) << k;
		done += end - p;
		p = end;
	}
	return done < n ? done : n;
}

uint64_t buddy_largest_run(struct buddy *b)
{
	uint64_t best = 0;

	drain_cache(b);
	scan_runs(b, 0, &best);
	return best;
}

uint64_t buddy_hash(const struct buddy *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int k;

	h = p2pdma_fnv1a(h, &b->npages, sizeof(b->npages));
	h = p2pdma_fnv1a(h, &b->nonempty, sizeof(b->nonempty));
	h = p2pdma_fnv1a(h, &b->free_pages, sizeof(b->free_pages));
	h = p2pdma_fnv1a(h, &b->nr_allocs, sizeof(b->nr_allocs));
	for (k = 0; k <= b->max_order; k++) {
		h = hb_hash(&b->free[k], h);
		h = p2pdma_fnv1a(h, b->alloc[k], (nblocks(b, k) + 63) / 64 * sizeof(uint64_t));
	}
	for (k = 0; k < BUDDY_CACHE_ORDERS; k++) {
		h = p2pdma_fnv1a(h, &b->cache[k].nr, sizeof(b->cache[k].nr));
		h = p2pdma_fnv1a(h, b->cache[k].idx, b->cache[k].nr * sizeof(uint64_t));
	}
	return h;
}

/* Mark pages [a, a + 2^k) in @seen; false if one was already marked. */
static bool claim(uint8_t *seen, uint64_t a, unsigned int k, uint8_t what)
{
	uint64_t i;

	for (i = a; i < a + (1ULL << k); i++) {
		if (seen[i])
			return false;
		seen[i] = what;
	}
	return true;
}

int buddy_check(const struct buddy *b)
{
	uint64_t free_pages = 0, i, alloc_pages = 0;
	uint8_t *seen = calloc(b->npages, 1);
	unsigned int k, c;
	int ret = -EIO;

	if (!seen)
		return -ENOMEM;
	for (k = 0; k <= b->max_order; k++) {
		bool any = false;

		for (i = 0; i < nblocks(b, k); i++) {
			if (hb_test(&b->free[k], i)) {
				any = true;
				if (!claim(seen, i << k, k, 1))
					goto out;
				free_pages += 1ULL << k;
				/* A free block whose buddy is free should have merged. */
				if (k < b->max_order && (i ^ 1) < nblocks(b, k) &&
				    hb_test(&b->free[k], i ^ 1))
					goto out;
			}
			if (bm_test(b->alloc[k], i)) {
				if (!claim(seen, i << k, k, 2))
					goto out;
				alloc_pages += 1ULL << k;
			}
		}
		if (any != !!(b->nonempty & (1ULL << k)))
			goto out;
		if (any != (hb_first(&b->free[k]) >= 0))
			goto out;
	}
	for (k = 0; k < BUDDY_CACHE_ORDERS; k++)
		for (c = 0; c < b->cache[k].nr; c++) {
			if (!claim(seen, b->cache[k].idx[c] << k, k, 3))
				goto out;
			free_pages += 1ULL << k;
		}
	for (i = 0; i < b->npages; i++)
		if (!seen[i])
			goto out;
	if (free_pages != b->free_pages || alloc_pages + free_pages != b->npages)
		goto out;
	ret = 0;
out:
	free(seen);
	return ret;
}
