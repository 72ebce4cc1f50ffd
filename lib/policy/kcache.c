// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a kernel that never drops its verdict cache would still answer,
 * in memory linear in the number of functions.
 *
 * The kernel keeps, per provider, a map from client to map type, filled
 * on the first DMA mapping of a pair and rewritten by the distance calls;
 * only unbinding the provider's driver drops it (KERNEL-FACTS 3.3).  An
 * n x n table of those answers costs 16 MiB at 4,096 functions.  Here a
 * provider's row is one word: the index epoch at which the kernel cached
 * the provider's first pair.  The row answers every client as the fabric
 * was then, from the index of that epoch, which is kept while some row
 * still needs it.  That is exact for the clients asked in the row's first
 * epoch and, for a client first asked later, what the kernel would say
 * had it cached the pair with the others (the explanation words it so:
 * "a kernel that cached this pair before the change").  A distance call
 * that rewrites a pair to something else is remembered per pair (@over),
 * so memory grows only with the pairs rewritten after a change.
 *
 * A hot-plug (the function count changes) drops every row: the old rows'
 * indices no longer name the same functions.
 */
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static void drop_snapshots(struct p2pdma_kcache *kc)
{
	size_t i;

	for (i = 0; i < kc->nr_snap; i++) {
		p2pdma_index_free(kc->snap[i].idx);
		free(kc->snap[i].idx);
	}
	free(kc->snap);
	kc->snap = NULL;
	kc->nr_snap = 0;
}

static void drop_rows(struct p2pdma_kcache *kc)
{
	drop_snapshots(kc);
	free(kc->row);
	free(kc->over);
	kc->row = NULL;
	kc->n = 0;
	kc->cur_rows = 0;
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
	size_t b = kc->n * sizeof(*kc->row) + kc->over_cap * sizeof(*kc->over);
	size_t i;

	for (i = 0; i < kc->nr_snap; i++)
		b += sizeof(kc->snap[i]) + p2pdma_policy_bytes(kc->snap[i].idx);
	return b;
}

/* The rows for this index's functions; false when out of memory. */
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

static struct p2pdma_ksnap *snapshot_of(const struct p2pdma_kcache *kc, uint32_t epoch)
{
	size_t i;

	for (i = 0; i < kc->nr_snap; i++)
		if (kc->snap[i].epoch == epoch)
			return &kc->snap[i];
	return NULL;
}

/*
 * The index is about to be dropped for a new fabric generation: keep it
 * for the rows started in its epoch, or drop every row on a hot-plug.
 */
void p2pdma_kcache_keep(struct p2pdma_policy *p, size_t new_n)
{
	struct p2pdma_kcache *kc = &p->kc;
	struct p2pdma_ksnap *s;
	struct p2pdma_policy *idx;

	if (new_n != p->n || kc->n != p->n) {
		drop_rows(kc);
		return;
	}
	if (!kc->cur_rows)
		return;
	s = realloc(kc->snap, (kc->nr_snap + 1) * sizeof(*s));
	idx = calloc(1, sizeof(*idx));
	if (s)
		kc->snap = s;
	if (!s || !idx) {
		free(idx);
		drop_rows(kc);	/* forget rather than answer from a wrong index */
		return;
	}
	p2pdma_index_move(idx, p);
	s = &kc->snap[kc->nr_snap++];
	s->epoch = kc->epoch;
	s->rows = kc->cur_rows;
	s->idx = idx;
	kc->cur_rows = 0;
}

void p2pdma_kcache_start_row(struct p2pdma_policy *p, size_t pi)
{
	if (!rows_ready(p) || p->kc.row[pi])
		return;
	p->kc.row[pi] = p->kc.epoch;
	p->kc.cur_rows++;
}

/* A row leaves its epoch: the epoch's index goes with its last row. */
static void end_row(struct p2pdma_kcache *kc, size_t pi)
{
	struct p2pdma_ksnap *s;

	if (kc->row[pi] == kc->epoch) {
		kc->cur_rows--;
	} else {
		s = snapshot_of(kc, kc->row[pi]);
		if (s && !--s->rows) {
			p2pdma_index_free(s->idx);
			free(s->idx);
			*s = kc->snap[--kc->nr_snap];
		}
	}
	kc->row[pi] = 0;
}

/* ---- pairs a distance call rewrote: open addressing, linear probing ---- */

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

/* What the row of @pi answers for @ci, before any rewrite. */
static enum p2pdma_map_type row_answer(struct p2pdma_policy *p, size_t pi, size_t ci)
{
	const struct p2pdma_policy *idx = p;
	struct p2pdma_ksnap *s;
	int d;

	if (p->kc.row[pi] != p->kc.epoch) {
		s = snapshot_of(&p->kc, p->kc.row[pi]);
		if (!s)
			return P2PDMA_MAP_UNKNOWN;
		idx = s->idx;
	}
	return p2pdma_pair_type(idx, (uint32_t)pi, (uint32_t)ci, &d);
}

enum p2pdma_map_type p2pdma_kcache_answer(struct p2pdma_policy *p, size_t pi, size_t ci)
{
	const struct p2pdma_kover *o;

	if (!p2pdma_kcache_has_row(p, pi))
		return P2PDMA_MAP_UNKNOWN;
	o = over_find(&p->kc, (uint32_t)pi, (uint32_t)ci);
	if (o)
		return (enum p2pdma_map_type)(o->type - 1);
	return row_answer(p, pi, ci);
}

void p2pdma_cache_store_kernel(struct p2pdma_policy *p, size_t pi, size_t ci,
			       enum p2pdma_map_type t)
{
	struct p2pdma_kcache *kc = &p->kc;
	struct p2pdma_kover o = { (uint32_t)pi, (uint32_t)ci, (uint32_t)t + 1 }, *old;

	p2pdma_kcache_start_row(p, pi);
	if (!p2pdma_kcache_has_row(p, pi))
		return;
	old = over_find(kc, o.pi, o.ci);
	if (old)
		over_remove(kc, old);
	if (row_answer(p, pi, ci) != t && over_grow(kc))
		over_put(kc, &o);
}

void p2pdma_kcache_forget(struct p2pdma_policy *p, size_t pi)
{
	struct p2pdma_kcache *kc = &p->kc;
	size_t i;

	if (!p2pdma_kcache_has_row(p, pi))
		return;
	end_row(kc, pi);
	for (i = 0; kc->nr_over && i < kc->over_cap; i++)
		/* A removal may shift a later entry into slot i: look again. */
		while (kc->over[i].type && kc->over[i].pi == pi)
			over_remove(kc, &kc->over[i]);
}
