// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "jtest.h"
#include "loaders.h"

#define DIFF(cond, ...)						\
	do {							\
		if (cond) {					\
			snprintf(why, len, __VA_ARGS__);	\
			return 1;				\
		}						\
	} while (0)

static const char *bdf_or_none(const struct p2pdma_function *fn, char *buf, size_t len)
{
	if (!fn)
		return "none";
	return p2pdma_bdf_format(&fn->bdf, buf, len);
}

static int fn_diff(const struct p2pdma_function *x, const struct p2pdma_function *y,
		   char *why, size_t len)
{
	char n[P2PDMA_BDF_STRLEN], p1[P2PDMA_BDF_STRLEN], p2[P2PDMA_BDF_STRLEN];
	int i;

	p2pdma_bdf_format(&x->bdf, n, sizeof(n));
	DIFF(p2pdma_bdf_cmp(&x->bdf, &y->bdf), "function order differs at %s", n);
	DIFF(x->vendor != y->vendor || x->device != y->device, "%s: ids", n);
	DIFF(x->subsys_vendor != y->subsys_vendor || x->subsys_device != y->subsys_device,
	     "%s: subsystem ids", n);
	DIFF(x->class_code != y->class_code || x->revision != y->revision, "%s: class/rev", n);
	DIFF(x->role != y->role, "%s: role", n);
	DIFF(strcmp(bdf_or_none(x->parent, p1, sizeof(p1)), bdf_or_none(y->parent, p2, sizeof(p2))),
	     "%s: parent %s vs %s", n, p1, p2);
	DIFF(strcmp(bdf_or_none(x->physfn, p1, sizeof(p1)), bdf_or_none(y->physfn, p2, sizeof(p2))),
	     "%s: physfn %s vs %s", n, p1, p2);
	DIFF(x->host->index != y->host->index, "%s: host bridge", n);
	DIFF(x->depth != y->depth || x->nr_children != y->nr_children, "%s: depth/children", n);
	DIFF(x->secondary_bus != y->secondary_bus || x->subordinate_bus != y->subordinate_bus,
	     "%s: bus range", n);
	DIFF(x->pcie_type != y->pcie_type, "%s: pcie_type", n);
	DIFF(memcmp(&x->link, &y->link, sizeof(x->link)), "%s: link", n);
	DIFF(x->acs_state != y->acs_state, "%s: acs_state", n);
	DIFF(x->acs_state == P2PDMA_ACS_PRESENT &&
	     (x->acs_cap != y->acs_cap || x->acs_ctrl != y->acs_ctrl), "%s: acs registers", n);
	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		DIFF(x->bars[i].start != y->bars[i].start || x->bars[i].size != y->bars[i].size ||
		     x->bars[i].flags != y->bars[i].flags, "%s: BAR %d", n, i);
	DIFF(x->dma_offset != y->dma_offset, "%s: dma_offset", n);
	DIFF(x->dma_mask_bits != y->dma_mask_bits, "%s: dma_mask_bits", n);
	DIFF(x->iommu_group != y->iommu_group || x->numa_node != y->numa_node,
	     "%s: iommu group / numa", n);
	DIFF(!x->driver != !y->driver || (x->driver && strcmp(x->driver, y->driver)),
	     "%s: driver", n);
	DIFF(x->p2pmem.present != y->p2pmem.present ||
	     (x->p2pmem.present && (x->p2pmem.size != y->p2pmem.size ||
				    x->p2pmem.available != y->p2pmem.available ||
				    x->p2pmem.published != y->p2pmem.published)), "%s: p2pmem", n);
	return 0;
}

static int hb_diff(const struct p2pdma_host_bridge *x, const struct p2pdma_host_bridge *y,
		   char *why, size_t len)
{
	size_t i;

	DIFF(strcmp(x->name, y->name), "host bridge name %s vs %s", x->name, y->name);
	DIFF(x->domain != y->domain || x->bus != y->bus, "%s: domain/bus", x->name);
	DIFF(x->bus_offset != y->bus_offset, "%s: bus_offset", x->name);
	DIFF(x->numa_node != y->numa_node, "%s: numa_node", x->name);
	DIFF(x->nr_children != y->nr_children, "%s: number of children", x->name);
	for (i = 0; i < x->nr_children; i++)
		DIFF(x->children[i]->index != y->children[i]->index, "%s: child %zu", x->name, i);
	return 0;
}

int fabric_diff(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b,
		char *why, size_t len)
{
	size_t i;

	DIFF(a->cpu.known != b->cpu.known, "cpu.known");
	DIFF(a->cpu.known && (strcmp(a->cpu.vendor, b->cpu.vendor) ||
			      a->cpu.family != b->cpu.family || a->cpu.model != b->cpu.model),
	     "cpu");
	DIFF(!a->cmdline != !b->cmdline || (a->cmdline && strcmp(a->cmdline, b->cmdline)),
	     "cmdline");
	DIFF(!a->kernel_release != !b->kernel_release ||
	     (a->kernel_release && strcmp(a->kernel_release, b->kernel_release)), "kernel");
	DIFF(a->nr_nv_paths != b->nr_nv_paths, "number of nvidia-smi paths");
	for (i = 0; i < a->nr_nv_paths; i++) {
		const struct p2pdma_nv_path *x = &a->nv_paths[i], *y = &b->nv_paths[i];

		DIFF(strcmp(x->name_a, y->name_a) || strcmp(x->name_b, y->name_b) ||
		     strcmp(x->cls, y->cls) || x->bdf_known != y->bdf_known ||
		     (x->bdf_known && (p2pdma_bdf_cmp(&x->a, &y->a) || p2pdma_bdf_cmp(&x->b, &y->b))),
		     "nvidia-smi path %zu", i);
	}
	DIFF(a->nr_ram != b->nr_ram, "number of RAM ranges");
	for (i = 0; i < a->nr_ram; i++)
		DIFF(a->ram[i].start != b->ram[i].start || a->ram[i].size != b->ram[i].size ||
		     a->ram[i].numa_node != b->ram[i].numa_node, "RAM range %zu", i);
	DIFF(a->nr_hbs != b->nr_hbs || a->nr_fns != b->nr_fns, "sizes");
	DIFF(a->nr_acs_unknown != b->nr_acs_unknown, "nr_acs_unknown");
	for (i = 0; i < a->nr_hbs; i++)
		if (hb_diff(a->hbs[i], b->hbs[i], why, len))
			return 1;
	for (i = 0; i < a->nr_fns; i++)
		if (fn_diff(a->fns[i], b->fns[i], why, len))
			return 1;
	/* Groups: every group b lists must be in a with the same type (a may lack unnamed ones). */
	for (i = 0; i < b->nr_groups; i++) {
		const struct p2pdma_iommu_group *g = p2pdma_fabric_iommu_group(a, b->groups[i].id);
		const char *ta = g ? g->type : NULL, *tb = b->groups[i].type;

		DIFF(!ta != !tb || (ta && strcmp(ta, tb)), "IOMMU group %d type", b->groups[i].id);
	}
	for (i = 0; i < a->nr_groups; i++)
		DIFF(!p2pdma_fabric_iommu_group(b, a->groups[i].id), "IOMMU group %d lost",
		     a->groups[i].id);
	return 0;
}

struct p2pdma_fabric *load_json_text(const char *text, const char *name)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };

	assert_non_null(f);
	if (p2pdma_load_json_buf(f, text, strlen(text), name, &e) ||
	    p2pdma_fabric_finalize(f, &e)) {
		p2pdma_fabric_free(f);
		fail_msg("loading %s failed: %s", name, e.reason);
	}
	return f;
}

char *write_json(const struct p2pdma_fabric *f)
{
	struct p2pdma_error e = { 0 };
	char *s = NULL;

	if (p2pdma_fabric_write_json(f, &s, &e))
		fail_msg("writing JSON failed: %s", e.reason);
	return s;
}

struct p2pdma_function *jt_add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
			       struct p2pdma_function *parent, struct p2pdma_function *t)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_function *out = NULL;

	if (p2pdma_fabric_add_function(f, hb, parent, t, &out, &e))
		fail_msg("add_function: %s", e.reason);
	return out;
}

struct gen {
	struct p2pdma_fabric *f;
	uint64_t *rng;
	int next_bus;
	size_t budget;
	uint64_t next_addr;	/* BARs are disjoint: every address has one owner */
};

static uint64_t rnd(struct gen *g, uint64_t n)
{
	return n ? tu_rand(g->rng) % n : 0;
}

static void random_fields(struct gen *g, struct p2pdma_function *t)
{
	static const uint32_t speeds[] = { 0, 2500, 5000, 8000, 16000, 32000, 64000 };
	int i;

	t->vendor = (uint16_t)rnd(g, 0x10000);
	t->device = (uint16_t)rnd(g, 0x10000);
	t->subsys_vendor = (uint16_t)rnd(g, 0x10000);
	t->subsys_device = (uint16_t)rnd(g, 0x10000);
	t->class_code = (uint32_t)rnd(g, 0x1000000);
	t->revision = (uint8_t)rnd(g, 256);
	t->pcie_type = (int)rnd(g, 17) - 1;
	if (rnd(g, 4))
		t->link = (struct p2pdma_link){ speeds[rnd(g, 7)], (uint32_t)rnd(g, 64),
						speeds[rnd(g, 7)], (uint32_t)rnd(g, 64) };
	t->acs_state = (enum p2pdma_acs_state)rnd(g, 3);
	if (t->acs_state == P2PDMA_ACS_PRESENT) {
		t->acs_cap = (uint16_t)rnd(g, 0x10000);
		t->acs_ctrl = (uint16_t)rnd(g, 0x10000);
	}
	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		if (rnd(g, 3))
			continue;
		t->bars[i].size = 1ULL << rnd(g, 40);
		g->next_addr += rnd(g, 1ULL << 40);
		t->bars[i].start = (g->next_addr + t->bars[i].size - 1) & ~(t->bars[i].size - 1);
		g->next_addr = t->bars[i].start + t->bars[i].size;
		t->bars[i].flags = rnd(g, 2) ? P2PDMA_BAR_MEM : P2PDMA_BAR_IO;
		t->bars[i].flags |= (unsigned int)rnd(g, 4) << 2;
	}
	t->dma_offset = rnd(g, 4) ? 0 : tu_rand(g->rng);
	t->dma_mask_bits = rnd(g, 2) ? -1 : (int)rnd(g, 65);
	t->iommu_group = (int)rnd(g, 40) - 1;
	t->numa_node = (int)rnd(g, 5) - 1;
	t->driver = rnd(g, 2) ? "drv" : NULL;
	if (!rnd(g, 5)) {
		t->p2pmem.present = true;
		t->p2pmem.size = tu_rand(g->rng) >> rnd(g, 64);
		t->p2pmem.available = t->p2pmem.size >> rnd(g, 8);
		t->p2pmem.published = rnd(g, 2);
	}
}

/* A random subtree whose bus numbers are consistent, as finalize wants. */
static void random_subtree(struct gen *g, struct p2pdma_host_bridge *hb,
			   struct p2pdma_function *parent, int bus, int depth)
{
	int dev, nr = 1 + (int)rnd(g, 4);

	for (dev = 0; dev < nr && g->budget; dev++) {
		struct p2pdma_function t, *fn;
		bool bridge = depth < 6 && g->next_bus < 250 && rnd(g, 3) == 0;

		g->budget--;
		p2pdma_function_init(&t);
		random_fields(g, &t);
		t.bdf = (struct p2pdma_bdf){ hb->domain, (uint8_t)bus, (uint8_t)dev,
					     (uint8_t)rnd(g, 8) };
		t.role = bridge ? (enum p2pdma_role)(1 + rnd(g, 4)) : P2PDMA_ROLE_ENDPOINT;
		if (!bridge) {
			fn = jt_add(g->f, hb, parent, &t);
			continue;
		}
		t.secondary_bus = ++g->next_bus;
		fn = jt_add(g->f, hb, parent, &t);
		random_subtree(g, hb, fn, fn->secondary_bus, depth + 1);
		fn->subordinate_bus = g->next_bus;
	}
}

static void random_groups(struct gen *g)
{
	struct p2pdma_error e = { 0 };
	int id;

	for (id = 0; id < 40; id++)
		if (!rnd(g, 3))
			assert_int_equal(p2pdma_fabric_set_iommu_group_type(g->f, id,
				rnd(g, 2) ? "identity" : NULL, &e), 0);
}

struct p2pdma_fabric *jt_random_fabric(uint64_t *rng, size_t budget)
{
	struct gen g = { .f = p2pdma_fabric_new(), .rng = rng, .budget = budget,
			 .next_addr = 1ULL << 32 };
	struct p2pdma_error e = { 0 };
	int h, nr = 1 + (int)rnd(&g, 4);

	if (rnd(&g, 2)) {
		g.f->cpu.known = true;
		snprintf(g.f->cpu.vendor, sizeof(g.f->cpu.vendor), "AuthenticAMD");
		g.f->cpu.family = (unsigned int)rnd(&g, 0x20);
		g.f->cpu.model = (unsigned int)rnd(&g, 0x100);
	}
	if (rnd(&g, 2))
		assert_int_equal(p2pdma_fabric_set_kernel_release(g.f, rnd(&g, 2) ? "6.12.117" :
								  "5.15.0-122-generic"), 0);
	random_groups(&g);
	/* Distinct domains, so root buses never collide; big budgets get many. */
	if (budget >= 100)
		nr = 64;
	for (h = 0; h < nr && g.budget; h++) {
		struct p2pdma_host_bridge *hb;
		uint32_t dom = (uint32_t)h + (rnd(&g, 3) ? 0 : 0x10000 * (uint32_t)(1 + rnd(&g, 16)));

		g.next_bus = (int)rnd(&g, 128);
		assert_int_equal(p2pdma_fabric_add_host_bridge(g.f, NULL, dom, (uint8_t)g.next_bus,
							       &hb, &e), 0);
		hb->numa_node = (int)rnd(&g, 3) - 1;
		hb->bus_offset = rnd(&g, 4) ? 0 : tu_rand(rng);
		random_subtree(&g, hb, NULL, hb->bus, 0);
	}
	if (p2pdma_fabric_finalize(g.f, &e))
		fail_msg("a random fabric did not finalize: %s", e.reason);
	return g.f;
}

