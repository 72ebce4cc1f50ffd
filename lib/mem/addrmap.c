// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The physical address map: host RAM and every memory BAR, sorted once,
 * so an address resolves to its owner by binary search.  The kernel gives
 * every p2pmem page a struct page (ZONE_DEVICE) to find its owner; the
 * 2019 "no struct page" discussion asked for exactly this instead, and a
 * user-space model has no reason to spend memory per page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "p2pdma/mem.h"

struct window {
	uint64_t start;
	uint64_t last;		/* inclusive: a window may end at 2^64 - 1 */
	const struct p2pdma_function *fn;	/* NULL: RAM */
	int bar;
	int numa_node;
};

struct p2pdma_addr_map {
	struct window *w;	/* sorted by start, disjoint */
	size_t nr;
	bool ram_known;
};

const char *p2pdma_addr_kind_name(enum p2pdma_addr_kind kind)
{
	switch (kind) {
	case P2PDMA_ADDR_UNCLAIMED: return "unclaimed";
	case P2PDMA_ADDR_RAM: return "ram";
	case P2PDMA_ADDR_RAM_ASSUMED: return "ram (assumed)";
	case P2PDMA_ADDR_BAR: return "bar";
	}
	return "?";
}

static int window_cmp(const void *a, const void *b)
{
	const struct window *wa = a, *wb = b;

	return p2pdma_span_cmp(wa->start, wa->last, wb->start, wb->last);
}

static void describe(const struct window *w, char *buf, size_t len)
{
	char name[P2PDMA_BDF_STRLEN];

	if (!w->fn) {
		snprintf(buf, len, "host RAM [%#llx-%#llx]",
			 (unsigned long long)w->start, (unsigned long long)w->last);
		return;
	}
	snprintf(buf, len, "BAR %d of %s [%#llx-%#llx]", w->bar,
		 p2pdma_bdf_format(&w->fn->bdf, name, sizeof(name)),
		 (unsigned long long)w->start, (unsigned long long)w->last);
}

static int add_window(struct p2pdma_addr_map *m, size_t *cap, uint64_t start,
		      uint64_t size, const struct p2pdma_function *fn, int bar,
		      int numa_node)
{
	if (p2pdma_grow((void **)&m->w, cap, m->nr + 1, sizeof(*m->w)))
		return -ENOMEM;
	m->w[m->nr].start = start;
	m->w[m->nr].last = start + size - 1;
	m->w[m->nr].fn = fn;
	m->w[m->nr].bar = bar;
	m->w[m->nr].numa_node = numa_node;
	m->nr++;
	return 0;
}

static int add_bars(struct p2pdma_addr_map *m, size_t *cap,
		    const struct p2pdma_fabric *f, struct p2pdma_error *e)
{
	size_t i;
	int b;

	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];

		for (b = 0; b < P2PDMA_NUM_BARS; b++) {
			const struct p2pdma_bar *bar = &fn->bars[b];

			/* Port space is not memory; address 0 means unassigned. */
			if (!bar->size || !bar->start || !(bar->flags & P2PDMA_BAR_MEM))
				continue;
			if (bar->start + bar->size - 1 < bar->start) {
				char name[P2PDMA_BDF_STRLEN];

				return p2pdma_fail(e, -EINVAL,
						   "BAR %d of %s wraps past the end of the address space",
						   b, p2pdma_bdf_format(&fn->bdf, name, sizeof(name)));
			}
			if (add_window(m, cap, bar->start, bar->size, fn, b, fn->numa_node))
				return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

/* Sorted by start, an overlap shows up between neighbours. */
static int check_overlaps(const struct p2pdma_addr_map *m, struct p2pdma_error *e)
{
	char a[128], b[128];
	size_t i;

	for (i = 1; i < m->nr; i++) {
		if (m->w[i].start > m->w[i - 1].last)
			continue;
		describe(&m->w[i - 1], a, sizeof(a));
		describe(&m->w[i], b, sizeof(b));
		return p2pdma_fail(e, -EINVAL, "address map: %s overlaps %s", a, b);
	}
	return 0;
}

int p2pdma_addr_map_new(const struct p2pdma_fabric *f,
			const struct p2pdma_ram_range *ram, size_t nr_ram,
			struct p2pdma_addr_map **out, struct p2pdma_error *e)
{
	struct p2pdma_addr_map *m;
	size_t cap = 0, i;
	int ret;

	*out = NULL;
	if (!ram) {
		ram = f->ram;
		nr_ram = f->nr_ram;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	m->ram_known = nr_ram > 0;
	for (i = 0; i < nr_ram; i++) {
		if (!ram[i].size || ram[i].start + ram[i].size - 1 < ram[i].start) {
			ret = p2pdma_fail(e, -EINVAL,
					  "host RAM range %zu [%#llx, size %#llx] is empty or wraps past the end of the address space",
					  i, (unsigned long long)ram[i].start,
					  (unsigned long long)ram[i].size);
			goto fail;
		}
		if (add_window(m, &cap, ram[i].start, ram[i].size, NULL, -1,
			       ram[i].numa_node)) {
			ret = p2pdma_fail(e, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	ret = add_bars(m, &cap, f, e);
	if (ret)
		goto fail;
	if (m->nr)
		qsort(m->w, m->nr, sizeof(*m->w), window_cmp);
	ret = check_overlaps(m, e);
	if (ret)
		goto fail;
	*out = m;
	return 0;
fail:
	p2pdma_addr_map_free(m);
	return ret;
}

void p2pdma_addr_map_free(struct p2pdma_addr_map *m)
{
	if (!m)
		return;
	free(m->w);
	free(m);
}

size_t p2pdma_addr_map_nr_windows(const struct p2pdma_addr_map *m)
{
	return m->nr;
}

bool p2pdma_addr_map_ram_known(const struct p2pdma_addr_map *m)
{
	return m->ram_known;
}

/* Index of the last window starting at or below @phys, or -1. */
static ptrdiff_t floor_window(const struct p2pdma_addr_map *m, uint64_t phys)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->w[mid].start <= phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

void p2pdma_addr_map_lookup(const struct p2pdma_addr_map *m, uint64_t phys,
			    struct p2pdma_addr_owner *out)
{
	ptrdiff_t i = floor_window(m, phys);
	uint64_t gap_start, gap_last;

	memset(out, 0, sizeof(*out));
	out->bar = -1;
	out->numa_node = -1;
	if (i >= 0 && phys <= m->w[i].last) {
		const struct window *w = &m->w[i];

		out->kind = w->fn ? P2PDMA_ADDR_BAR : P2PDMA_ADDR_RAM;
		out->start = w->start;
		out->last = w->last;
		out->offset = phys - w->start;
		out->fn = w->fn;
		out->bar = w->fn ? w->bar : -1;
		out->numa_node = w->fn ? -1 : w->numa_node;
		return;
	}
	/* The gap between the windows around @phys. */
	gap_start = i >= 0 ? m->w[i].last + 1 : 0;
	gap_last = (size_t)(i + 1) < m->nr ? m->w[i + 1].start - 1 : UINT64_MAX;
	out->kind = m->ram_known ? P2PDMA_ADDR_UNCLAIMED : P2PDMA_ADDR_RAM_ASSUMED;
	out->start = gap_start;
	out->last = gap_last;
	out->offset = phys - gap_start;
}
