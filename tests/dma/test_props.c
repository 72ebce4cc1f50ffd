// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Property tests of DMA mapping over seeded random topologies and lists
 * (tu_seed prints the seed; P2PDMA_SEED repeats a run).  Verdicts come
 * from a seeded hash of the pair, so every map type meets every kind of
 * client (direct with and without a DMA offset, translating domains) and
 * every host-bridge bus offset.  For each list and client:
 *  - a refused map (some p2pmem segment NOT_SUPPORTED) returns
 *    -EREMOTEIO on the first such segment and leaves the IOVA allocators
 *    and every pool byte-identical, with no DMA address left behind;
 *  - a mapped list gives bus segments phys + their host bridge's offset,
 *    marked, and direct segments phys + the client's DMA offset;
 *  - marked segments never consume IOVA: the IOVA a list reserves equals
 *    what the same list without its bus segments reserves, and a list of
 *    bus segments only reserves none;
 *  - the DMA list covers exactly the bytes of the segments, in order,
 *    inside the reserved IOVA range, no entry longer than the maximum;
 *  - map then unmap, in any order and with several lists out at once,
 *    returns every resource: the allocators end byte-identical to new.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"
#include "dma_internal.h"

#define PAGE 4096ULL
#define TOPOLOGIES 30
#define LISTS 60
#define MAX_OUT 6

struct world {
	struct rnd_topo t;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	struct p2pdma_provider **prov;
	size_t nr_prov;
	uint64_t vseed;
	uint64_t max_seg;
};

static enum p2pdma_map_type hashed_verdict(void *arg, const struct p2pdma_function *p,
					   const struct p2pdma_function *c,
					   char *reason, size_t len)
{
	struct world *w = arg;
	uint64_t x = w->vseed ^ (p->index * 0x9e3779b97f4a7c15ULL) ^ (c->index * 0xc2b2ae3d27d4eb4fULL);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	switch (x % 6) {
	case 0:
		snprintf(reason, len, "hashed refusal");
		return P2PDMA_MAP_NOT_SUPPORTED;
	case 1: case 2: case 3:
		return P2PDMA_MAP_BUS_ADDR;
	default:
		return P2PDMA_MAP_THRU_HOST_BRIDGE;
	}
}

static uint64_t pools_hash(struct world *w)
{
	uint64_t h = 0;
	size_t i;

	for (i = 0; i < w->nr_prov; i++)
		h = h * 31 + p2pdma_provider_state_hash(w->prov[i]);
	return h;
}

static void world_build(struct world *w, uint64_t *rng)
{
	struct p2pdma_dma_opts o = { .verdict = hashed_verdict, .verdict_arg = w };
	static const uint64_t segs[] = { 0, 4096, 1ULL << 20, 16384 };
	struct p2pdma_error e = { 0 };
	size_t i;

	memset(w, 0, sizeof(*w));
	rnd_topo_build(&w->t, rng);
	assert_int_equal(p2pdma_mem_new(w->t.f, NULL, 0, &w->m, &e), 0);
	w->prov = calloc(w->t.nr_eps, sizeof(*w->prov));
	for (i = 0; i < w->t.nr_eps; i++) {
		if (tu_rand(rng) % 2 && w->nr_prov)
			continue;
		assert_int_equal(p2pdma_provider_add(w->m, w->t.eps[i], 0, 0, 0, &e), 0);
		w->prov[w->nr_prov++] = p2pdma_provider_find(w->m, w->t.eps[i]);
	}
	w->vseed = tu_rand(rng);
	w->max_seg = segs[tu_rand(rng) % 4];
	o.max_seg_size = w->max_seg;
	if (!w->max_seg)
		w->max_seg = P2PDMA_DEFAULT_MAX_SEG_SIZE;
	assert_int_equal(p2pdma_dma_new(w->m, &o, &w->d, &e), 0);
}

static void world_free(struct world *w)
{
	p2pdma_dma_free(w->d);
	p2pdma_mem_free(w->m);
	free(w->prov);
	rnd_topo_free(&w->t);
}

struct buf {
	struct p2pdma_provider *p;
	uint64_t phys, size;
};

struct list {
	struct p2pdma_sgl s;
	struct buf bufs[16];
	int nbufs;
	const struct p2pdma_function *client;
};

/* 1-12 segments: host pages, or sub-ranges of fresh p2pmem buffers, any offset. */
static void list_build(struct world *w, struct list *l, uint64_t *rng, bool bus_only_of_client)
{
	struct p2pdma_error e = { 0 };
	int n = 1 + (int)(tu_rand(rng) % 12), i;

	p2pdma_sgl_init(&l->s);
	l->nbufs = 0;
	for (i = 0; i < n; i++) {
		uint64_t size = (1 + tu_rand(rng) % 4) * PAGE, off, len, phys;

		off = tu_rand(rng) % 2 ? 0 : tu_rand(rng) % PAGE;
		len = 1 + tu_rand(rng) % (size - off);
		if (tu_rand(rng) % 3 == 0 && !bus_only_of_client) {
			assert_int_equal(p2pdma_mem_host_alloc(w->m, size, &phys, &e), 0);
		} else {
			struct p2pdma_provider *p = w->prov[tu_rand(rng) % w->nr_prov];

			if (bus_only_of_client &&
			    hashed_verdict(w, p2pdma_provider_function(p), l->client, NULL, 0) !=
			    P2PDMA_MAP_BUS_ADDR)
				continue;
			if (p2pdma_p2pmem_alloc(p, size, &phys, &e))
				continue;	/* a small pool ran out: skip */
			l->bufs[l->nbufs++] = (struct buf){ p, phys, size };
		}
		assert_int_equal(p2pdma_sgl_add(&l->s, phys + off, len, &e), 0);
	}
}

static void list_free(struct list *l)
{
	int i;

	for (i = 0; i < l->nbufs; i++)
		assert_int_equal(p2pdma_p2pmem_free(l->bufs[i].p, l->bufs[i].phys, l->bufs[i].size, NULL), 0);
	p2pdma_sgl_release(&l->s);
}

/* The first segment the hashed verdicts refuse, or -1. */
static ptrdiff_t first_refused(struct world *w, const struct list *l)
{
	size_t i;

	for (i = 0; i < l->s.nents; i++) {
		const struct p2pdma_provider *p = NULL;
		size_t k;

		/* The test knows which buffer each segment came from. */
		for (k = 0; k < (size_t)l->nbufs; k++)
			if (l->s.sg[i].phys >= l->bufs[k].phys &&
			    l->s.sg[i].phys < l->bufs[k].phys + l->bufs[k].size)
				p = l->bufs[k].p;
		if (p && hashed_verdict(w, p2pdma_provider_function(p), l->client, NULL, 0) ==
		    P2PDMA_MAP_NOT_SUPPORTED)
			return (ptrdiff_t)i;
	}
	return -1;
}

static uint64_t reserved_of(struct world *w, const struct p2pdma_function *client)
{
	struct p2pdma_dma_client_info ci;

	assert_int_equal(p2pdma_dma_client_info(w->d, client, &ci, NULL), 0);
	return ci.iova_mapped;
}

static bool is_one_segment(const struct list *l, const struct p2pdma_sg *entry)
{
	size_t i;

	for (i = 0; i < l->s.nents; i++)
		if (l->s.sg[i].seg_dma == entry->dma_address && l->s.sg[i].len == entry->dma_len)
			return true;
	return false;
}

static void check_mapped(struct world *w, struct list *l, int ret)
{
	struct p2pdma_dma_client_info ci;
	uint64_t bytes = 0, dbytes = 0;
	size_t i, bus = 0, fbus = 0;

	assert_int_equal(p2pdma_dma_client_info(w->d, l->client, &ci, NULL), 0);
	assert_int_equal((size_t)ret, l->s.dma_nents);
	for (i = 0; i < l->s.nents; i++) {
		const struct p2pdma_sg *sg = &l->s.sg[i];

		bytes += sg->len;
		if (sg->how == P2PDMA_DMA_BUS_ADDR) {
			bus++;
			assert_non_null(sg->provider);
			assert_true(sg->seg_dma ==
				    sg->phys + p2pdma_provider_function(sg->provider)->host->bus_offset);
		} else if (ci.mode == P2PDMA_DMA_MODE_DIRECT) {
			assert_int_equal(sg->how, P2PDMA_DMA_DIRECT);
			assert_true(sg->seg_dma == sg->phys + l->client->dma_offset);
		} else {
			assert_int_equal(sg->how, P2PDMA_DMA_IOVA);
			assert_true(sg->seg_dma >= l->s.iova);
			assert_true(sg->seg_dma + sg->len <= l->s.iova + l->s.iova_len);
			/* The IOVA keeps the offset inside the granule. */
			assert_true((sg->seg_dma & (PAGE - 1)) == (sg->phys & (PAGE - 1)));
		}
		if (sg->provider)
			assert_int_equal(sg->how == P2PDMA_DMA_BUS_ADDR,
					 sg->map_type == P2PDMA_MAP_BUS_ADDR);
	}
	for (i = 0; i < l->s.dma_nents; i++) {
		const struct p2pdma_sg *sg = &l->s.sg[i];

		dbytes += sg->dma_len;
		if (sg->dma_flags & P2PDMA_SG_DMA_BUS_ADDRESS) {
			fbus++;
			continue;
		}
		if (ci.mode == P2PDMA_DMA_MODE_IOMMU) {
			/* Merges stay within the maximum; one long segment alone may not. */
			assert_true(sg->dma_len <= w->max_seg || is_one_segment(l, sg));
			assert_true(sg->dma_address >= l->s.iova);
			assert_true(sg->dma_address + sg->dma_len <= l->s.iova + l->s.iova_len);
		}
	}
	assert_true(bytes == dbytes);
	assert_int_equal(bus, fbus);
	if (ci.mode == P2PDMA_DMA_MODE_DIRECT)
		assert_int_equal(l->s.dma_nents, l->s.nents);
}

/* Map @l again without its bus segments: the same IOVA, or none if all were bus. */
static void check_bus_takes_no_iova(struct world *w, struct list *l, uint64_t reserved)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_sgl t;
	uint64_t before;
	size_t i;

	p2pdma_sgl_init(&t);
	for (i = 0; i < l->s.nents; i++)
		if (l->s.sg[i].how != P2PDMA_DMA_BUS_ADDR)
			assert_int_equal(p2pdma_sgl_add(&t, l->s.sg[i].phys, l->s.sg[i].len, &e), 0);
	before = reserved_of(w, l->client);
	if (!t.nents) {
		assert_true(reserved == 0);
	} else {
		assert_true(p2pdma_dma_map_sg(w->d, l->client, &t, &e) > 0);
		assert_true(reserved_of(w, l->client) - before == reserved);
		assert_int_equal(p2pdma_dma_unmap_sg(w->d, l->client, &t, &e), 0);
	}
	p2pdma_sgl_release(&t);
}

static void unmap_one(struct world *w, struct list *out, int *nout, uint64_t *rng)
{
	int j = (int)(tu_rand(rng) % (uint64_t)*nout);

	assert_int_equal(p2pdma_dma_unmap_sg(w->d, out[j].client, &out[j].s, NULL), 0);
	list_free(&out[j]);
	out[j] = out[--*nout];
}

static void one_world(uint64_t *rng, int *refusals, int *maps)
{
	struct list out[MAX_OUT];
	struct p2pdma_error e = { 0 };
	uint64_t fresh;
	struct world w;
	int nout = 0, k;

	world_build(&w, rng);
	fresh = p2pdma_dma_state_hash(w.d);
	for (k = 0; k < LISTS; k++) {
		struct list *l = &out[nout];
		uint64_t dh, ph, r0;
		ptrdiff_t refused;
		int ret;

		l->client = w.t.eps[tu_rand(rng) % w.t.nr_eps];
		list_build(&w, l, rng, tu_rand(rng) % 8 == 0);
		if (!l->s.nents) {
			list_free(l);
			continue;
		}
		refused = first_refused(&w, l);
		dh = p2pdma_dma_state_hash(w.d);
		ph = pools_hash(&w);
		r0 = reserved_of(&w, l->client);
		ret = p2pdma_dma_map_sg(w.d, l->client, &l->s, &e);
		if (refused >= 0) {
			(*refusals)++;
			assert_int_equal(ret, -EREMOTEIO);
			assert_int_equal(l->s.failed, refused);
			assert_true(p2pdma_dma_state_hash(w.d) == dh);
			assert_true(pools_hash(&w) == ph);
			assert_int_equal(l->s.dma_nents, 0);
			assert_true(l->s.sg[0].dma_address == P2PDMA_DMA_ERROR);
			assert_true(l->s.sg[l->s.nents - 1].seg_dma == P2PDMA_DMA_ERROR);
			list_free(l);
			continue;
		}
		(*maps)++;
		if (ret <= 0)
			fail_msg("map failed: %s", e.reason);
		check_mapped(&w, l, ret);
		check_bus_takes_no_iova(&w, l, reserved_of(&w, l->client) - r0);
		nout++;
		if (nout == MAX_OUT || tu_rand(rng) % 3 == 0)
			unmap_one(&w, out, &nout, rng);
	}
	while (nout)
		unmap_one(&w, out, &nout, rng);
	assert_true(p2pdma_dma_state_hash(w.d) == fresh);
	world_free(&w);
}

static void test_random_lists(void **state)
{
	uint64_t seed = tu_seed(), rng = seed;
	int refusals = 0, maps = 0, i;

	(void)state;
	for (i = 0; i < TOPOLOGIES; i++)
		one_world(&rng, &refusals, &maps);
	/* The generator must exercise both outcomes, or the test proves little. */
	assert_true(refusals > 20);
	assert_true(maps > 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
