// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hierarchical bitmap used by the p2pmem pool (see hbitmap.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hbitmap.h"

int hb_init(struct hbitmap *h, uint64_t nbits)
{
	uint64_t n = nbits ? nbits : 1;
	unsigned int l = 0;

	memset(h, 0, sizeof(*h));
	h->nbits = nbits;
	for (;;) {
		size_t words = (size_t)((n + 63) / 64);

		if (l == HB_MAX_LEVELS) {
			hb_destroy(h);
			return -ENOMEM;
		}
		h->lv[l] = calloc(words, sizeof(uint64_t));
		if (!h->lv[l]) {
			hb_destroy(h);
			return -ENOMEM;
		}
		h->nwords[l] = words;
		l++;
		if (words == 1)
			break;
		n = words;
	}
	h->levels = l;
	return 0;
}

void hb_destroy(struct hbitmap *h)
{
	unsigned int l;

	for (l = 0; l < HB_MAX_LEVELS; l++)
		free(h->lv[l]);
	memset(h, 0, sizeof(*h));
}

void hb_set(struct hbitmap *h, uint64_t i)
{
	unsigned int l;

	/* Climb only while a word goes from empty to non-empty. */
	for (l = 0; l < h->levels; l++) {
		uint64_t *w = &h->lv[l][i >> 6];
		bool was_empty = *w == 0;

		*w |= 1ULL << (i & 63);
		if (!was_empty)
			return;
		i >>= 6;
	}
}

void hb_clear(struct hbitmap *h, uint64_t i)
{
	unsigned int l;

	/* Climb only while a word becomes empty. */
	for (l = 0; l < h->levels; l++) {
		uint64_t *w = &h->lv[l][i >> 6];

		*w &= ~(1ULL << (i & 63));
		if (*w)
			return;
		i >>= 6;
	}
}

int64_t hb_first(const struct hbitmap *h)
{
	uint64_t i = 0;
	int l;

	if (!h->lv[h->levels - 1][0])
		return -1;
	for (l = (int)h->levels - 1; l >= 0; l--) {
		uint64_t w = h->lv[l][i];

		i = (i << 6) | (uint64_t)__builtin_ctzll(w);
	}
	return (int64_t)i;
}

uint64_t p2pdma_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t hb_hash(const struct hbitmap *h, uint64_t seed)
{
	return p2pdma_fnv1a(seed, h->lv[0], h->nwords[0] * sizeof(uint64_t));
}
