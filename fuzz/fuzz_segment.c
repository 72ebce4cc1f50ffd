// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for what `p2pdma alloc` and `p2pdma map` take from the
 * command line: sizes ("64K", "0x1000", "2 MiB") and segment specs
 * ("p2p:PROVIDER:SIZE", "host:SIZE").  Each line of the input is one
 * spec; the valid ones become a list on a small fixed machine, which is
 * mapped for the client the first byte picks and given back.  Checked:
 * a size printed whole reads back the same; map then unmap and free
 * leave every pool and IOVA allocator as they were.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "dma_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SPECS 16

struct fixed {
	struct p2pdma_fabric *f;
	struct p2pdma_policy *pol;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	struct p2pdma_function *clients[4];
};

static struct p2pdma_function *add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, const char *bdf,
				   enum p2pdma_role role, int sec, int group)
{
	struct p2pdma_function t, *out = NULL;

	p2pdma_function_init(&t);
	p2pdma_bdf_parse(bdf, &t.bdf);
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sec;
	t.iommu_group = group;
	t.acs_state = P2PDMA_ACS_ABSENT;
	if (p2pdma_fabric_add_function(f, hb, parent, &t, &out, NULL))
		abort();
	return out;
}

/* Two root ports, a provider under each, a client beside one; group 1 translates. */
static void fixed_build(struct fixed *x)
{
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp1, *rp2, *a, *b;
	struct p2pdma_dma_opts o = { 0 };

	x->f = p2pdma_fabric_new();
	if (p2pdma_fabric_add_host_bridge(x->f, NULL, 0, 0, &hb, NULL))
		abort();
	hb->bus_offset = (uint64_t)-0x100000000000LL;
	rp1 = add(x->f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, -1);
	rp2 = add(x->f, hb, NULL, "00:02.0", P2PDMA_ROLE_ROOT_PORT, 2, -1);
	rp1->subordinate_bus = 1;
	rp2->subordinate_bus = 2;
	a = add(x->f, hb, rp1, "01:00.0", P2PDMA_ROLE_ENDPOINT, -1, 1);
	x->clients[1] = add(x->f, hb, rp1, "01:00.1", P2PDMA_ROLE_ENDPOINT, -1, 1);
	b = add(x->f, hb, rp2, "02:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	a->bars[0] = (struct p2pdma_bar){ 0x100000000000ULL, 8ULL << 20, P2PDMA_BAR_MEM | P2PDMA_BAR_64 };
	b->bars[2] = (struct p2pdma_bar){ 0x100000800000ULL, 4ULL << 20, P2PDMA_BAR_MEM | P2PDMA_BAR_64 };
	b->dma_offset = 0x80000000ULL;
	x->clients[0] = a;
	x->clients[2] = b;
	x->clients[3] = rp2;
	if (p2pdma_fabric_set_iommu_group_type(x->f, 1, "DMA", NULL) ||
	    p2pdma_fabric_add_ram(x->f, 0x100000000ULL, 1ULL << 32, 0, NULL) ||
	    p2pdma_fabric_finalize(x->f, NULL))
		abort();
	x->pol = p2pdma_policy_new(x->f);
	o.policy = x->pol;
	if (!x->pol || p2pdma_mem_new(x->f, NULL, 0, &x->m, NULL) ||
	    p2pdma_provider_add(x->m, a, 0, 0, 0, NULL) ||
	    p2pdma_provider_add(x->m, b, 2, 0, 0, NULL) ||
	    p2pdma_dma_new(x->m, &o, &x->d, NULL))
		abort();
}

static void check_size(const char *s)
{
	char buf[64];
	uint64_t v, w;

	if (p2pdma_size_parse(s, &v))
		return;
	p2pdma_size_format(v, buf, sizeof(buf));
	if (strchr(buf, '.'))
		return;
	if (p2pdma_size_parse(buf, &w) || w != v)
		abort();
}

static uint64_t state(struct fixed *x)
{
	size_t i, n = p2pdma_mem_nr_providers(x->m);
	uint64_t h = p2pdma_dma_state_hash(x->d);

	for (i = 0; i < n; i++)
		h = h * 31 + p2pdma_provider_available(p2pdma_mem_provider(x->m, i));
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixed x;
	struct p2pdma_segment_spec specs[MAX_SPECS];
	struct p2pdma_error e;
	struct p2pdma_sgl s;
	char *text, *line, *save = NULL;
	size_t n = 0;
	uint64_t before;

	if (!x.f)
		fixed_build(&x);
	if (!size)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		check_size(line);
		if (n < MAX_SPECS && !p2pdma_segment_spec_parse(line, &specs[n], &e) &&
		    specs[n].size <= (64ULL << 20))
			n++;
	}
	free(text);
	/* Host buffers are bump-allocated and never reused: start over each run. */
	x.m->host_next = 0;
	before = state(&x);
	p2pdma_sgl_init(&s);
	if (n && !p2pdma_sgl_from_specs(x.m, specs, n, &s, &e)) {
		const struct p2pdma_function *c = x.clients[data[0] % 4];

		if (p2pdma_dma_map_sg(x.d, c, &s, &e) > 0 && p2pdma_dma_unmap_sg(x.d, c, &s, &e))
			abort();
		p2pdma_sgl_free_buffers(x.m, &s);
	}
	p2pdma_sgl_release(&s);
	if (state(&x) != before)
		abort();
	return 0;
}
