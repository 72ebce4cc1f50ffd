// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand-built and random fabrics for the mem and dma suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"

struct p2pdma_host_bridge *mk_hb(struct p2pdma_fabric *f, uint32_t domain,
				 uint8_t bus, uint64_t bus_offset)
{
	struct p2pdma_host_bridge *hb = NULL;
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, domain, bus, &hb, &e), 0);
	hb->bus_offset = bus_offset;
	return hb;
}

struct p2pdma_function *mk_fn(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
			      struct p2pdma_function *parent, const char *bdf,
			      enum p2pdma_role role, int sec, int sub, int iommu_group)
{
	struct p2pdma_function t, *out = NULL;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse(bdf, &t.bdf), 0);
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sub;
	t.iommu_group = iommu_group;
	t.acs_state = P2PDMA_ACS_ABSENT;
	assert_int_equal(p2pdma_fabric_add_function(f, hb, parent, &t, &out, &e), 0);
	return out;
}

void mk_bar(struct p2pdma_function *fn, int idx, uint64_t start, uint64_t size,
	    unsigned int flags)
{
	fn->bars[idx].start = start;
	fn->bars[idx].size = size;
	fn->bars[idx].flags = flags;
}

void mk_group(struct p2pdma_fabric *f, int id, const char *type)
{
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_set_iommu_group_type(f, id, type, &e), 0);
}

void mk_finalize(struct p2pdma_fabric *f)
{
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_finalize(f, &e))
		fail_msg("finalize: %s", e.reason);
}

void hand_build(struct hand *h, bool with_ram)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb0, *hb40;
	struct p2pdma_error e = { 0 };

	memset(h, 0, sizeof(*h));
	h->f = f;
	hb0 = mk_hb(f, 0, 0x00, 0);
	hb40 = mk_hb(f, 0, 0x40, (uint64_t)-0x400000000000LL);
	h->rp1 = mk_fn(f, hb0, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 4, 1);
	h->usp = mk_fn(f, hb0, h->rp1, "01:00.0", P2PDMA_ROLE_SWITCH_UPSTREAM, 2, 4, 2);
	h->dsp1 = mk_fn(f, hb0, h->usp, "02:00.0", P2PDMA_ROLE_SWITCH_DOWNSTREAM, 3, 3, 3);
	h->dsp2 = mk_fn(f, hb0, h->usp, "02:01.0", P2PDMA_ROLE_SWITCH_DOWNSTREAM, 4, 4, 4);
	h->nvme = mk_fn(f, hb0, h->dsp1, "03:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 10);
	h->nic = mk_fn(f, hb0, h->dsp2, "04:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 11);
	h->rp2 = mk_fn(f, hb0, NULL, "00:02.0", P2PDMA_ROLE_ROOT_PORT, 5, 5, 5);
	h->gpu = mk_fn(f, hb0, h->rp2, "05:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 12);
	h->rp40 = mk_fn(f, hb40, NULL, "40:00.0", P2PDMA_ROLE_ROOT_PORT, 0x41, 0x41, -1);
	h->cmb = mk_fn(f, hb40, h->rp40, "41:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, -1);
	h->fn1 = mk_fn(f, hb40, h->rp40, "41:00.1", P2PDMA_ROLE_ENDPOINT, -1, -1, -1);
	mk_bar(h->nvme, 0, 0xf7000000, 16384, P2PDMA_BAR_MEM);
	mk_bar(h->nvme, 2, 0x380000000000ULL, 64 * MiB, BAR_MEM64P);
	mk_bar(h->nvme, 4, 0xe000, 256, P2PDMA_BAR_IO);
	mk_bar(h->nic, 0, 0x380004000000ULL, 32 * MiB, BAR_MEM64P);
	mk_bar(h->gpu, 1, 0x390000000000ULL, 256 * MiB, BAR_MEM64P);
	mk_bar(h->cmb, 2, 0x400000200000ULL, 16 * MiB, BAR_MEM64P);
	h->cmb->dma_offset = 0x1000000000ULL;
	mk_group(f, 10, "DMA");
	mk_group(f, 11, "DMA-FQ");
	mk_group(f, 12, "identity");
	mk_group(f, 5, "blocked");
	if (with_ram) {
		assert_int_equal(p2pdma_fabric_add_ram(f, 0x1000, 0x80000000 - 0x1000, 0, &e), 0);
		assert_int_equal(p2pdma_fabric_add_ram(f, 0x100000000ULL, 0xf80000000ULL, 0, &e), 0);
	}
	mk_finalize(f);
}

/* ---------------------------------------------------------------------- */

static uint64_t rnd(uint64_t *rng, uint64_t n)
{
	return n ? tu_rand(rng) % n : 0;
}

static const char *const group_types[] = { "DMA", "DMA-FQ", "identity", "unmanaged", NULL };

struct rnd_state {
	struct rnd_topo *t;
	uint64_t *rng;
	int next_bus;
	uint64_t next_addr;	/* bump pointer for BARs: every BAR aligned to its size */
	int next_group;
	size_t cap;
};

static void rnd_bars(struct rnd_state *s, struct p2pdma_function *fn)
{
	int nb = 1 + (int)rnd(s->rng, 3), i;

	for (i = 0; i < nb; i++) {
		/* 2 MiB .. 64 MiB, aligned to its size like a real BAR. */
		uint64_t size = (2 * MiB) << rnd(s->rng, 6);

		s->next_addr = (s->next_addr + size - 1) & ~(size - 1);
		mk_bar(fn, i * 2, s->next_addr, size, BAR_MEM64P);
		s->next_addr += size;
	}
}

static void rnd_endpoint(struct rnd_state *s, struct p2pdma_host_bridge *hb,
			 struct p2pdma_function *parent, int bus, int dev)
{
	char bdf[32];
	struct p2pdma_function *fn;
	int group = -1;

	if (rnd(s->rng, 4)) {
		group = s->next_group++;
		mk_group(s->t->f, group, group_types[rnd(s->rng, 5)]);
	}
	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.0", hb->domain, bus, dev);
	fn = mk_fn(s->t->f, hb, parent, bdf, P2PDMA_ROLE_ENDPOINT, -1, -1, group);
	if (rnd(s->rng, 2))
		fn->dma_offset = rnd(s->rng, 4) * 0x100000000ULL;
	rnd_bars(s, fn);
	if (s->t->nr_eps == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->t->eps = realloc(s->t->eps, s->cap * sizeof(*s->t->eps));
		assert_non_null(s->t->eps);
	}
	s->t->eps[s->t->nr_eps++] = fn;
}

/* A root port with either one endpoint or a switch of 2-4 downstream ports. */
static void rnd_port(struct rnd_state *s, struct p2pdma_host_bridge *hb, int dev)
{
	char bdf[32];
	struct p2pdma_function *rp, *usp;
	int sec = s->next_bus++, ndsp, i;

	snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.0", hb->domain, hb->bus, dev);
	if (!rnd(s->rng, 2)) {
		rp = mk_fn(s->t->f, hb, NULL, bdf, P2PDMA_ROLE_ROOT_PORT, sec, sec, -1);
		rnd_endpoint(s, hb, rp, sec, 0);
		return;
	}
	ndsp = 2 + (int)rnd(s->rng, 3);
	rp = mk_fn(s->t->f, hb, NULL, bdf, P2PDMA_ROLE_ROOT_PORT, sec, sec + 1 + ndsp, -1);
	snprintf(bdf, sizeof(bdf), "%04x:%02x:00.0", hb->domain, sec);
	usp = mk_fn(s->t->f, hb, rp, bdf, P2PDMA_ROLE_SWITCH_UPSTREAM, sec + 1, sec + 1 + ndsp, -1);
	s->next_bus++;
	for (i = 0; i < ndsp; i++) {
		struct p2pdma_function *dsp;
		int b = s->next_bus++;

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.0", hb->domain, sec + 1, i);
		dsp = mk_fn(s->t->f, hb, usp, bdf, P2PDMA_ROLE_SWITCH_DOWNSTREAM, b, b, -1);
		rnd_endpoint(s, hb, dsp, b, 0);
	}
}

void rnd_topo_build(struct rnd_topo *t, uint64_t *rng)
{
	struct rnd_state s = { .t = t, .rng = rng };
	int nhb = 1 + (int)rnd(rng, 3), h, p;

	memset(t, 0, sizeof(*t));
	t->f = p2pdma_fabric_new();
	s.next_group = 1;
	for (h = 0; h < nhb; h++) {
		/* Root buses 0x00, 0x40, 0x80, one per host bridge; some with a bus offset. */
		uint64_t off = rnd(rng, 3) ? 0 : (uint64_t)-(int64_t)(0x100000000000ULL * (uint64_t)(h + 1));
		struct p2pdma_host_bridge *hb = mk_hb(t->f, 0, (uint8_t)(h * 0x40), off);
		int nports = 1 + (int)rnd(rng, 3);

		s.next_bus = h * 0x40 + 1;
		/* Each host bridge's window sits above its bus offset's magnitude. */
		s.next_addr = 0x200000000000ULL + (uint64_t)h * 0x100000000000ULL;
		for (p = 0; p < nports; p++)
			rnd_port(&s, hb, p + 1);
	}
	mk_finalize(t->f);
}

void rnd_topo_free(struct rnd_topo *t)
{
	p2pdma_fabric_free(t->f);
	free(t->eps);
	memset(t, 0, sizeof(*t));
}
