// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's per-provider verdict cache, as a kernel that has run since
 * this policy was made would hold it.
 *
 * The kernel keeps, per provider with p2pdma state, an xarray from client
 * to map type (KERNEL-FACTS 3.3).  A DMA mapping stores a pair's verdict
 * the first time that pair is computed and then only reads it; a distance
 * call recomputes and rewrites it; only unbinding the provider's driver
 * drops it.  So a cached answer is the one the kernel computed the last
 * time it wrote the pair, which may be under an older fabric (an ACS
 * change, a what-if), and a pair never asked has no answer at all.
 *
 * An n x n table would cost 16 MiB at 4,096 functions.  Here a row exists
 * only for a provider that was asked (only providers with p2pmem are, and
 * they are few): a bitmap of the clients asked, n bits.  An asked pair
 * whose answer is not in @over is answered by the current index: it was
 * stored under this index, and the index answers as it did then.  Before
 * an index is dropped for a new fabric generation, every asked pair not
 * yet in @over gets its answer under that old index written there
 * ("frozen"), so no old index has to be kept.  A distance rewrite goes to
 * @over only when it differs from the current index.  Memory: one pointer
 * per function, n/8 bytes per row, and the pairs asked before a change.
 *
 * A hot-plug (the function count changes) drops every row: the bit and
 * pair numbers no longer name the same functions.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static size_t row_words(size_t n)
{
	return (n + P2PDMA_KC_BITS - 1) / P2PDMA_KC_BITS;
}

static void drop_rows(struct p2pdma_kcache *kc)
{
	size_t i;

	for (i = 0; kc->row && i < kc->n; i++)
		free(kc->row[i]);
	free(kc->row);
	free(kc->over);
	kc->row = NULL;
	kc->n = 0;
	kc->nr_rows = 0;
	kc->over = NULL;
	kc->over_cap = 0;
	kc->nr_over = 0;
}

void p2pdma_kcache_free(struct p2pdma_policy *p)
{
	drop_rows(&p->kc);
}

size_t p2pdma_kcache_bytes(const struct p2pdma_policy *p)
{
	const struct p2pdma_kcache *kc = &p->kc;

	return kc->n * sizeof(*kc->row) +
	       kc->nr_rows * row_words(kc->n) * sizeof(**kc->row) +
	       kc->over_cap * sizeof(*kc->over);
}

/* The row pointers for this index's functions; false when out of memory. */
static bool rows_ready(struct p2pdma_policy *p)
{
	struct p2pdma_kcache *kc = &p->kc;

	if (kc->n == p->n && kc->row)
		return true;
	drop_rows(kc);
	kc->row = calloc(p->n ? p->n : 1, sizeof(*kc->row));
	if (!kc->row)
		return false;
	kc->n = p->n;
	return true;
}

uint64_t *p2pdma_kcache_start_row(struct p2pdma_policy *p, size_t pi)
{
	struct p2pdma_kcache *kc = &p->kc;

	if (!rows_ready(p))
		return NULL;
	if (!kc->row[pi]) {
		kc->row[pi] = calloc(row_words(kc->n) ? row_words(kc->n) : 1,
				     sizeof(**kc->row));
		if (kc->row[pi])
			kc->nr_rows++;
	}
	return kc->row[pi];
}

static bool asked(const struct p2pdma_kcache *kc, size_t pi, size_t ci)
{
	return kc->row[pi][ci / P2PDMA_KC_BITS] & (UINT64_C(1) << (ci % P2PDMA_KC_BITS));
}

/* ---- pairs answered otherwise than by the current index ---- */

static size_t over_hash(const struct p2pdma_kcache *kc, uint32_t pi, uint32_t ci)
{
	uint64_t h = ((uint64_t)pi << 32 | ci) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (kc->over_cap - 1);
}

static struct p2pdma_kover *over_find(const struct p2pdma_kcache *kc, uint32_t pi, uint32_t ci)
{
	size_t i;

	if (!kc->nr_over)
		return NULL;
	for (i = over_hash(kc, pi, ci); kc->over[i].type; i = (i + 1) & (kc->over_cap - 1))
		if (kc->over[i].pi == pi && kc->over[i].ci == ci)
			return &kc->over[i];
	return NULL;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void over_remove(struct p2pdma_kcache *kc, struct p2pdma_kover *o)
{
	size_t mask = kc->over_cap - 1, hole = (size_t)(o - kc->over), i, home;

	kc->over[hole].type = 0;
	kc->nr_over--;
	for (i = (hole + 1) & mask; kc->over[i].type; i = (i + 1) & mask) {
		home = over_hash(kc, kc->over[i].pi, kc->over[i].ci);
		/* Move it back unless its home lies cyclically in (hole, i]. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			kc->over[hole] = kc->over[i];
			kc->over[i].type = 0;
			hole = i;
		}
	}
}

static void over_put(struct p2pdma_kcache *kc, const struct p2pdma_kover *o)
{
	size_t i = over_hash(kc, o->pi, o->ci);

	while (kc->over[i].type)
		i = (i + 1) & (kc->over_cap - 1);
	kc->over[i] = *o;
	kc->nr_over++;
}

static bool over_grow(struct p2pdma_kcache *kc)
{
	struct p2pdma_kover *old = kc->over;
	size_t cap = kc->over_cap, i;

	if (2 * (kc->nr_over + 1) <= kc->over_cap)
		return true;
	kc->over_cap = cap ? 2 * cap : 16;
	kc->over = calloc(kc->over_cap, sizeof(*kc->over));
	if (!kc->over) {
		kc->over = old;
		kc->over_cap = cap;
		return false;
	}
	kc->nr_over = 0;
	for (i = 0; i < cap; i++)
		if (old[i].type)
			over_put(kc, &old[i]);
	free(old);
	return true;
}

/* Write the answer of every asked pair of @pi under the index @p still holds. */
static bool freeze_row(struct p2pdma_policy *p, size_t pi)
{
	struct p2pdma_kcache *kc = &p->kc;
	struct p2pdma_kover o = { (uint32_t)pi, 0, 0 };
	size_t w, ci;
	uint64_t bits;
	int d;

	for (w = 0; w < row_words(kc->n); w++)
		for (bits = kc->row[pi][w]; bits; bits &= bits - 1) {
			ci = w * P2PDMA_KC_BITS + (size_t)__builtin_ctzll(bits);
			if (over_find(kc, (uint32_t)pi, (uint32_t)ci))
				continue;
			if (!over_grow(kc))
				return false;
			o.ci = (uint32_t)ci;
			o.type = (uint32_t)p2pdma_pair_type(p, o.pi, o.ci, &d) + 1;
			over_put(kc, &o);
		}
	return true;
}

/*
 * The index is about to be dropped for a new fabric generation: what the
 * kernel cached under it stays as it was, so freeze it; a hot-plug drops
 * every row instead.
 */
void p2pdma_kcache_keep(struct p2pdma_policy *p, size_t new_n)
{
	struct p2pdma_kcache *kc = &p->kc;
	size_t pi;

	if (new_n != p->n || kc->n != p->n) {
		drop_rows(kc);
		return;
	}
	for (pi = 0; pi < kc->n; pi++)
		if (kc->row[pi] && !freeze_row(p, pi)) {
			drop_rows(kc);	/* forget rather than answer from a wrong index */
			return;
		}
}

enum p2pdma_map_type p2pdma_kcache_answer(struct p2pdma_policy *p, size_t pi, size_t ci)
{
	const struct p2pdma_kover *o;
	int d;

	if (!p2pdma_kcache_row(p, pi) || !asked(&p->kc, pi, ci))
		return P2PDMA_MAP_UNKNOWN;
	o = over_find(&p->kc, (uint32_t)pi, (uint32_t)ci);
	if (o)
		return (enum p2pdma_map_type)(o->type - 1);
	return p2pdma_pair_type(p, (uint32_t)pi, (uint32_t)ci, &d);
}

void p2pdma_cache_store_kernel(struct p2pdma_policy *p, size_t pi, size_t ci,
			       enum p2pdma_map_type t)
{
	struct p2pdma_kcache *kc = &p->kc;
	struct p2pdma_kover o = { (uint32_t)pi, (uint32_t)ci, (uint32_t)t + 1 }, *old;
	uint64_t *row = p2pdma_kcache_start_row(p, pi);
	int d;

	if (!row)
		return;
	old = over_find(kc, o.pi, o.ci);
	if (old)
		over_remove(kc, old);
	if (p2pdma_pair_type(p, o.pi, o.ci, &d) == t) {
		row[ci / P2PDMA_KC_BITS] |= UINT64_C(1) << (ci % P2PDMA_KC_BITS);
	} else if (over_grow(kc)) {
		row[ci / P2PDMA_KC_BITS] |= UINT64_C(1) << (ci % P2PDMA_KC_BITS);
		over_put(kc, &o);
	} else {
		/* No room for the new answer: the pair is not known any more. */
		row[ci / P2PDMA_KC_BITS] &= ~(UINT64_C(1) << (ci % P2PDMA_KC_BITS));
	}
}

void p2pdma_kcache_forget(struct p2pdma_policy *p, size_t pi)
{
	struct p2pdma_kcache *kc = &p->kc;
	size_t i;

	if (!p2pdma_kcache_row(p, pi))
		return;
	free(kc->row[pi]);
	kc->row[pi] = NULL;
	kc->nr_rows--;
	for (i = 0; kc->nr_over && i < kc->over_cap; i++)
		/* A removal may shift a later entry into slot i: look again. */
		while (kc->over[i].type && kc->over[i].pi == pi)
			over_remove(kc, &kc->over[i]);
}
