// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-thread caches of free p2pmem blocks, so that threads sharing one
 * provider do not queue on its lock (the kernel's allocator is used from
 * every CPU at once: nvmet, block I/O).
 *
 * Each thread is given one of P2PDMA_NR_SLOTS slots (round robin on its
 * first allocation); a slot holds small stacks of free aligned blocks of
 * 1-16 pages.  A small alloc pops from its slot, a small free pushes to
 * the freeing thread's slot; both take only that slot's lock, which no
 * other thread takes except for the rare whole-pool operations below.
 * A slot refills from the buddies, and gives a batch back when full,
 * under the provider's lock: one provider lock round trip per batch.
 *
 * Exactness, as the pool promises it:
 *  - no overlap: a block is in exactly one place (a buddy's free lists,
 *    one slot's stack, or a user's hands); the buddy records every block
 *    it lent to the slots as allocated;
 *  - double frees: one bit per block (p2pmem_range.user) says a user
 *    holds it, flipped with one atomic read-modify-write by the thread
 *    that allocates or frees, whichever slot it uses;
 *  - "available" counts the slots' cached pages as free; it and the
 *    outstanding-buffer count are read with every slot locked;
 *  - an allocation fails only after every slot gave its blocks back;
 *  - removal locks every slot to stop them (the state changes under all
 *    locks), then counts what is out; frees after that take the
 *    provider's lock and wake a waiting removal at zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem_internal.h"

static atomic_uint slot_seq;
static _Thread_local unsigned int my_slot;	/* slot index + 1; 0: none yet */

static struct p2pdma_pslot *slots_of(const struct p2pdma_provider *p)
{
	return atomic_load_explicit(&((struct p2pdma_provider *)p)->slots,
				    memory_order_acquire);
}

static struct p2pdma_spinlock *plock(const struct p2pdma_provider *p)
{
	return (struct p2pdma_spinlock *)&p->lock;
}

int p2pdma_pcpu_order(uint64_t phys, uint64_t pages)
{
	unsigned int k;

	if (!pages || pages & (pages - 1))
		return -1;
	k = (unsigned int)__builtin_ctzll(pages);
	if (k >= P2PDMA_SLOT_ORDERS || (phys / P2PDMA_PAGE_SIZE) & (pages - 1))
		return -1;
	return (int)k;
}

/* ---- the user bits ---------------------------------------------------- */

/* 64-bit words in a cache line, and blocks a line holds. */
#define USER_LINE_WORDS		8
#define USER_LINE_BLOCKS	(USER_LINE_WORDS * 64)
/* At least 8 lines: neighbouring blocks of a small range in two as well. */
#define USER_MIN_SHIFT		3

int p2pdma_range_user_init(struct p2pmem_range *r)
{
	uint64_t npages = r->size / P2PDMA_PAGE_SIZE;
	unsigned int k, shift;

	for (k = 0; k < P2PDMA_SLOT_ORDERS; k++) {
		for (shift = USER_MIN_SHIFT;
		     ((uint64_t)USER_LINE_BLOCKS << shift) < (npages >> k) + 1; shift++)
			;
		r->user_shift[k] = shift;
		r->user[k] = aligned_alloc(64, (size_t)64 << shift);
		if (!r->user[k])
			return -ENOMEM;
		memset((void *)r->user[k], 0, (size_t)64 << shift);
	}
	return 0;
}

_Atomic uint64_t *p2pdma_range_user_word(const struct p2pmem_range *r, unsigned int k,
					 uint64_t b, uint64_t *bit)
{
	unsigned int shift = r->user_shift[k];
	uint64_t in_line = b >> shift;	/* 0 .. USER_LINE_BLOCKS - 1 */
	uint64_t line = b & ((1ULL << shift) - 1);

	*bit = 1ULL << (in_line & 63);
	return &r->user[k][line * USER_LINE_WORDS + in_line / 64];
}

void p2pdma_range_destroy(struct p2pmem_range *r)
{
	unsigned int k;

	for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
		free((void *)r->user[k]);
	buddy_destroy(&r->buddy);
	free(r);
}

/* Set (@take) or clear the block's user bit; false if it already was. */
static bool user_flip(struct p2pmem_range *r, unsigned int k, uint64_t phys, bool take)
{
	uint64_t b = (phys - r->phys) / P2PDMA_PAGE_SIZE >> k, bit, old;
	_Atomic uint64_t *w = p2pdma_range_user_word(r, k, b, &bit);

	if (take)
		old = atomic_fetch_or_explicit(w, bit, memory_order_relaxed);
	else
		old = atomic_fetch_and_explicit(w, ~bit, memory_order_relaxed);
	return !!(old & bit) != take;
}

void p2pdma_pcpu_user_took(struct p2pdma_provider *p, struct p2pmem_range *r,
			   unsigned int k, uint64_t phys)
{
	user_flip(r, k, phys, true);
	p->lent++;
	p->small_out++;
}

bool p2pdma_pcpu_user_gave(struct p2pmem_range *r, unsigned int k, uint64_t phys)
{
	return user_flip(r, k, phys, false);
}

void p2pdma_pcpu_range_added(struct p2pdma_provider *p, struct p2pmem_range *r)
{
	size_t n = atomic_load(&p->nr_fast);

	if (n == P2PDMA_FAST_RANGES)
		return;		/* its frees take the provider's lock */
	atomic_store(&p->fast[n], r);
	atomic_store_explicit(&p->nr_fast, n + 1, memory_order_release);
}

static struct p2pmem_range *fast_range(struct p2pdma_provider *p, uint64_t phys)
{
	size_t n = atomic_load_explicit(&p->nr_fast, memory_order_acquire), i;

	for (i = 0; i < n; i++) {
		struct p2pmem_range *r = atomic_load_explicit(&p->fast[i], memory_order_relaxed);

		if (phys >= r->phys && phys <= r->last)
			return r;
	}
	return NULL;
}

/* ---- slots -------------------------------------------------------------- */

/* This thread's slot, made (under the provider's lock) on first use. */
static struct p2pdma_pslot *my_slot_of(struct p2pdma_provider *p)
{
	struct p2pdma_pslot *s = slots_of(p);
	unsigned int i;

	if (!my_slot)
		my_slot = atomic_fetch_add(&slot_seq, 1) % P2PDMA_NR_SLOTS + 1;
	if (s)
		return &s[my_slot - 1];
	p2pdma_spin_lock(&p->lock);
	s = slots_of(p);
	if (!s && p->state == PROVIDER_LIVE) {
		s = aligned_alloc(64, P2PDMA_NR_SLOTS * sizeof(*s));
		if (s) {
			memset(s, 0, P2PDMA_NR_SLOTS * sizeof(*s));
			for (i = 0; i < P2PDMA_NR_SLOTS; i++)
				p2pdma_spin_init(&s[i].lock);
			atomic_store_explicit(&p->slots, s, memory_order_release);
		}
	}
	p2pdma_spin_unlock(&p->lock);
	return s ? &s[my_slot - 1] : NULL;
}

void p2pdma_pcpu_lock_all(struct p2pdma_provider *p)
{
	struct p2pdma_pslot *s;
	unsigned int i;

	for (;;) {
		s = slots_of(p);
		for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
			p2pdma_spin_lock(&s[i].lock);
		p2pdma_spin_lock(plock(p));
		if (slots_of(p) == s)
			return;
		/* The slots appeared meanwhile (they never go): lock them too. */
		p2pdma_spin_unlock(plock(p));
	}
}

void p2pdma_pcpu_unlock_all(struct p2pdma_provider *p)
{
	struct p2pdma_pslot *s = slots_of(p);
	unsigned int i;

	p2pdma_spin_unlock(plock(p));
	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
		p2pdma_spin_unlock(&s[i].lock);
}

int64_t p2pdma_pcpu_outstanding(const struct p2pdma_provider *p)
{
	const struct p2pdma_pslot *s = slots_of(p);
	int64_t n = (int64_t)p->nr_allocated + p->small_out;
	unsigned int i;

	if (p->state != PROVIDER_LIVE)
		return n + p->frozen_out;
	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
		n += s[i].out;
	return n;
}

uint64_t p2pdma_pcpu_cached_pages(const struct p2pdma_provider *p)
{
	const struct p2pdma_pslot *s = slots_of(p);
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
		n += s[i].cached_pages;
	return n;
}

void p2pdma_pcpu_freeze(struct p2pdma_provider *p)
{
	const struct p2pdma_pslot *s = slots_of(p);
	unsigned int i;

	p->frozen_out = 0;
	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
		p->frozen_out += s[i].out;
}

void p2pdma_pcpu_forget(struct p2pdma_provider *p)
{
	struct p2pdma_pslot *s = slots_of(p);
	unsigned int i;

	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++) {
		memset(s[i].nr, 0, sizeof(s[i].nr));
		s[i].cached_pages = 0;
	}
	atomic_store(&p->nr_fast, 0);
}

/* Give the bottom @n blocks of order @k back; slot and provider locked. */
static void give_back(struct p2pdma_provider *p, struct p2pdma_pslot *s, unsigned int k,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct p2pdma_pslot_block *b = &s->blk[k][i];

		buddy_free(&b->r->buddy, (b->phys - b->r->phys) / P2PDMA_PAGE_SIZE, 1u << k);
	}
	memmove(s->blk[k], s->blk[k] + n, (s->nr[k] - n) * sizeof(s->blk[k][0]));
	s->nr[k] -= n;
	s->cached_pages -= (uint64_t)n << k;
	p->lent -= n;
}

/*
 * Order-@k blocks from the buddies, newest range first.  One block when
 * the provider's lock is free (a lone thread then gets the buddy's
 * first-fit placement, as the kernel's genpool gives it), a batch when
 * other threads hold it, so that they meet there less often.
 */
static void refill(struct p2pdma_provider *p, struct p2pdma_pslot *s, unsigned int k)
{
	unsigned int want = 1;
	uint64_t idx[P2PDMA_SLOT_BATCH];
	size_t i;

	if (!p2pdma_spin_trylock(&p->lock)) {
		p2pdma_spin_lock(&p->lock);
		want = P2PDMA_SLOT_BATCH;
	}
	for (i = p->nr_ranges; p->state == PROVIDER_LIVE && i-- > 0 && !s->nr[k];) {
		struct p2pmem_range *r = p->ranges[i];
		unsigned int got = buddy_take(&r->buddy, k, idx, want), j;

		/* Pushed in reverse: the lowest address is popped first. */
		for (j = got; j-- > 0;)
			s->blk[k][s->nr[k]++] = (struct p2pdma_pslot_block){
				r->phys + idx[j] * P2PDMA_PAGE_SIZE, r };
		s->cached_pages += (uint64_t)got << k;
		p->lent += got;
	}
	p2pdma_spin_unlock(&p->lock);
}

bool p2pdma_pcpu_drain(struct p2pdma_provider *p)
{
	struct p2pdma_pslot *s = slots_of(p);
	bool any = false;
	unsigned int i, k;

	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++) {
		p2pdma_spin_lock(&s[i].lock);
		if (s[i].cached_pages) {
			p2pdma_spin_lock(&p->lock);
			for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
				give_back(p, &s[i], k, s[i].nr[k]);
			p2pdma_spin_unlock(&p->lock);
			any = true;
		}
		p2pdma_spin_unlock(&s[i].lock);
	}
	return any;
}

/* Pop a block for a user; the slot is locked and live. */
static bool pop(struct p2pdma_pslot *s, unsigned int k, uint64_t *phys)
{
	struct p2pdma_pslot_block *b;

	if (!s->nr[k])
		return false;
	b = &s->blk[k][--s->nr[k]];
	/* A cached block has its bit clear: nobody else can set it. */
	user_flip(b->r, k, b->phys, true);
	s->cached_pages -= 1ULL << k;
	s->out++;
	*phys = b->phys;
	return true;
}

int p2pdma_pcpu_alloc(struct p2pdma_provider *p, unsigned int k, uint64_t *phys)
{
	struct p2pdma_pslot *s = my_slot_of(p);
	int tries;

	if (!s)
		return 1;
	for (tries = 0; tries < 2; tries++) {
		p2pdma_spin_lock(&s->lock);
		if (p->state != PROVIDER_LIVE) {
			p2pdma_spin_unlock(&s->lock);
			return -ENODEV;
		}
		if (!s->nr[k])
			refill(p, s, k);
		if (pop(s, k, phys)) {
			p2pdma_spin_unlock(&s->lock);
			return 0;
		}
		p2pdma_spin_unlock(&s->lock);
		/* No whole block free: the other slots give theirs back, once. */
		if (!tries && !p2pdma_pcpu_drain(p))
			break;
	}
	return 1;
}

int p2pdma_pcpu_free(struct p2pdma_provider *p, unsigned int k, uint64_t phys)
{
	struct p2pdma_pslot *s = slots_of(p);
	struct p2pmem_range *r;

	if (!s)
		return 1;
	if (!my_slot)
		my_slot = atomic_fetch_add(&slot_seq, 1) % P2PDMA_NR_SLOTS + 1;
	s = &s[my_slot - 1];
	p2pdma_spin_lock(&s->lock);
	r = p->state == PROVIDER_LIVE ? fast_range(p, phys) : NULL;
	if (!r) {
		p2pdma_spin_unlock(&s->lock);
		return 1;
	}
	if (!user_flip(r, k, phys, false)) {
		p2pdma_spin_unlock(&s->lock);
		return -EINVAL;
	}
	if (s->nr[k] == P2PDMA_SLOT_DEPTH) {
		p2pdma_spin_lock(&p->lock);
		give_back(p, s, k, P2PDMA_SLOT_BATCH);
		p2pdma_spin_unlock(&p->lock);
	}
	s->blk[k][s->nr[k]++] = (struct p2pdma_pslot_block){ phys, r };
	s->cached_pages += 1ULL << k;
	s->out--;
	p2pdma_spin_unlock(&s->lock);
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

/* Under lock_all: every cached block lent, its user bit clear; counts add up. */
int p2pdma_pcpu_check(const struct p2pdma_provider *p)
{
	const struct p2pdma_pslot *s = slots_of(p);
	int64_t cached = 0;
	unsigned int i, k, j;

	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++) {
		uint64_t pages = 0;

		for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
			for (j = 0; j < s[i].nr[k]; j++) {
				const struct p2pdma_pslot_block *b = &s[i].blk[k][j];
				uint64_t blk = (b->phys - b->r->phys) / P2PDMA_PAGE_SIZE >> k, bit;

				if (!bm_test(b->r->buddy.alloc[k], blk) ||
				    atomic_load(p2pdma_range_user_word(b->r, k, blk, &bit)) & bit)
					return -EIO;
				pages += 1ULL << k;
			}
		if (pages != s[i].cached_pages)
			return -EIO;
		for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
			cached += s[i].nr[k];
	}
	/* Lent blocks are cached or in users' hands. */
	if (p->state == PROVIDER_LIVE &&
	    p->lent != cached + p2pdma_pcpu_outstanding(p) - (int64_t)p->nr_allocated)
		return -EIO;
	return 0;
}

uint64_t p2pdma_pcpu_hash(const struct p2pdma_provider *p, uint64_t h)
{
	const struct p2pdma_pslot *s = slots_of(p);
	int64_t out = p2pdma_pcpu_outstanding(p);
	unsigned int i, k;

	h = p2pdma_fnv1a(h, &out, sizeof(out));
	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++)
		for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
			h = p2pdma_fnv1a(h, s[i].blk[k], s[i].nr[k] * sizeof(s[i].blk[k][0]));
	return h;
}

/* The first cached block of order @k of slot @s inside [first, end) of @r. */
static uint64_t slot_first_cached(struct p2pdma_pslot *s, unsigned int k,
				  const struct p2pmem_range *r, uint64_t first,
				  uint64_t end)
{
	uint64_t best = end;
	unsigned int i;

	for (i = 0; i < s->nr[k]; i++) {
		const struct p2pdma_pslot_block *b = &s->blk[k][i];
		uint64_t pg = (b->phys - r->phys) / P2PDMA_PAGE_SIZE;

		if (b->r != r || pg + (1u << k) <= first || pg >= best)
			continue;
		best = pg < first ? first : pg;
	}
	return best;
}

uint64_t p2pdma_pcpu_first_cached(const struct p2pmem_range *r, uint64_t first,
				  uint64_t n)
{
	struct p2pdma_pslot *s = slots_of(r->provider);
	uint64_t end = first + n;
	unsigned int i, k;

	for (i = 0; s && i < P2PDMA_NR_SLOTS; i++) {
		p2pdma_spin_lock(&s[i].lock);
		for (k = 0; k < P2PDMA_SLOT_ORDERS; k++)
			end = slot_first_cached(&s[i], k, r, first, end);
		p2pdma_spin_unlock(&s[i].lock);
	}
	return end;
}
