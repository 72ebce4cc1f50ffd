/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hierarchical bitmap: the leaf level holds the bits, each level above
 * has one bit per non-zero word below it, up to a single word.  Finding
 * the first set bit costs one count-trailing-zeros per level (6 levels
 * for 2^32 bits) instead of a scan, which is what keeps the p2pmem pool's
 * allocation cost independent of the pool's size.
 */
#ifndef P2PDMA_HBITMAP_H
#define P2PDMA_HBITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_MAX_LEVELS 12

struct hbitmap {
	uint64_t nbits;
	unsigned int levels;
	uint64_t *lv[HB_MAX_LEVELS];	/* lv[0] = leaf bits */
	size_t nwords[HB_MAX_LEVELS];
};

/* All bits clear.  0 or -ENOMEM. */
int hb_init(struct hbitmap *h, uint64_t nbits);
void hb_destroy(struct hbitmap *h);

static inline bool hb_test(const struct hbitmap *h, uint64_t i)
{
	return (h->lv[0][i >> 6] >> (i & 63)) & 1;
}

void hb_set(struct hbitmap *h, uint64_t i);
void hb_clear(struct hbitmap *h, uint64_t i);
/* Lowest set bit, or -1 when none is set. */
int64_t hb_first(const struct hbitmap *h);

/* FNV-1a over the leaf level (the levels above follow from it). */
uint64_t hb_hash(const struct hbitmap *h, uint64_t seed);

/* Plain bitmaps (no summary levels). */
static inline bool bm_test(const uint64_t *bm, uint64_t i)
{
	return (bm[i >> 6] >> (i & 63)) & 1;
}

static inline void bm_set(uint64_t *bm, uint64_t i)
{
	bm[i >> 6] |= 1ULL << (i & 63);
}

static inline void bm_clear(uint64_t *bm, uint64_t i)
{
	bm[i >> 6] &= ~(1ULL << (i & 63));
}

uint64_t p2pdma_fnv1a(uint64_t h, const void *data, size_t len);

#endif /* P2PDMA_HBITMAP_H */
