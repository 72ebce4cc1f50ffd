// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sparse memory (see store.h): an open-addressing hash from block index
 * to a block of SIM_STORE_BLOCK bytes.  Blocks come from calloc, which
 * for this size maps fresh zero pages: even a made block costs only the
 * pages written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define EMPTY UINT64_MAX

struct slot {
	uint64_t key;
	uint8_t *data;
};

struct sim_store {
	struct slot *t;
	size_t cap, nr;		/* cap: power of two */
	sim_fill_fn fill;
	const void *fill_arg;
	/* The last block found: DMAs mostly walk forward through one block. */
	uint64_t last_key;
	uint8_t *last;
};

struct sim_store *sim_store_new(sim_fill_fn fill, const void *fill_arg)
{
	struct sim_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->fill = fill;
	st->fill_arg = fill_arg;
	st->last_key = EMPTY;
	return st;
}

void sim_store_free(struct sim_store *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->cap; i++)
		if (st->t[i].key != EMPTY)
			free(st->t[i].data);
	free(st->t);
	free(st);
}

static size_t hash(uint64_t k, size_t cap)
{
	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 32) & (cap - 1);
}

static struct slot *lookup(const struct sim_store *st, uint64_t key)
{
	size_t i;

	if (!st->cap)
		return NULL;
	for (i = hash(key, st->cap);; i = (i + 1) & (st->cap - 1)) {
		if (st->t[i].key == key)
			return &st->t[i];
		if (st->t[i].key == EMPTY)
			return NULL;
	}
}

static int grow(struct sim_store *st)
{
	size_t ncap = st->cap ? st->cap * 2 : 64, i, j;
	struct slot *nt = malloc(ncap * sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (i = 0; i < ncap; i++)
		nt[i].key = EMPTY;
	for (i = 0; i < st->cap; i++) {
		if (st->t[i].key == EMPTY)
			continue;
		for (j = hash(st->t[i].key, ncap); nt[j].key != EMPTY; j = (j + 1) & (ncap - 1))
			;
		nt[j] = st->t[i];
	}
	free(st->t);
	st->t = nt;
	st->cap = ncap;
	return 0;
}

static uint8_t *make_block(struct sim_store *st, uint64_t key)
{
	uint8_t *b;
	size_t j;

	if (2 * (st->nr + 1) > st->cap && grow(st))
		return NULL;
	b = calloc(1, SIM_STORE_BLOCK);
	if (!b)
		return NULL;
	if (st->fill)
		st->fill(st->fill_arg, key * SIM_STORE_BLOCK, b, SIM_STORE_BLOCK);
	for (j = hash(key, st->cap); st->t[j].key != EMPTY; j = (j + 1) & (st->cap - 1))
		;
	st->t[j].key = key;
	st->t[j].data = b;
	st->nr++;
	return b;
}

static uint8_t *block(struct sim_store *st, uint64_t key, bool create)
{
	struct slot *sl;
	uint8_t *b;

	if (key == st->last_key)
		return st->last;
	sl = lookup(st, key);
	b = sl ? sl->data : create ? make_block(st, key) : NULL;
	if (b) {
		st->last_key = key;
		st->last = b;
	}
	return b;
}

void *sim_store_span(struct sim_store *st, uint64_t off, uint64_t len, bool create,
		     uint64_t *n)
{
	uint64_t in = off % SIM_STORE_BLOCK, room = SIM_STORE_BLOCK - in;
	uint8_t *b = block(st, off / SIM_STORE_BLOCK, create);

	*n = len < room ? len : room;
	if (!b && create)
		*n = 0;
	return b ? b + in : NULL;
}

int sim_store_write(struct sim_store *st, uint64_t off, const void *buf, uint64_t len)
{
	const uint8_t *p = buf;

	while (len) {
		uint64_t n;
		uint8_t *d = sim_store_span(st, off, len, true, &n);

		if (!d)
			return -ENOMEM;
		memcpy(d, p, n);
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

void sim_store_read(struct sim_store *st, uint64_t off, void *buf, uint64_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t n;
		const uint8_t *s = sim_store_span(st, off, len, false, &n);

		if (s)
			memcpy(p, s, n);
		else if (st->fill)
			st->fill(st->fill_arg, off, p, n);
		else
			memset(p, 0, n);
		p += n;
		off += n;
		len -= n;
	}
}

uint64_t sim_store_resident(const struct sim_store *st)
{
	return st->nr * SIM_STORE_BLOCK;
}
