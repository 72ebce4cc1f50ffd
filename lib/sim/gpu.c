// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * GPU model: its largest prefetchable memory BAR is device memory that
 * peers DMA into and out of (the BAR's bytes, made lazily, so a 64 GiB
 * BAR costs nothing until written).
 */
#include <errno.h>
#include <stdlib.h>

#include "util.h"
#include "sim_internal.h"

struct p2pdma_sim_gpu {
	const struct p2pdma_function *fn;
	int bar;		/* -1: no memory BAR */
};

static int largest_bar(const struct p2pdma_function *fn)
{
	int i, best = -1;

	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		const struct p2pdma_bar *b = &fn->bars[i];

		if (!(b->flags & P2PDMA_BAR_MEM) || !b->size || !b->start)
			continue;
		/* Prefetchable first (VRAM apertures are), then size. */
		if (best < 0 ||
		    (b->flags & P2PDMA_BAR_PREFETCH) > (fn->bars[best].flags & P2PDMA_BAR_PREFETCH) ||
		    ((b->flags & P2PDMA_BAR_PREFETCH) == (fn->bars[best].flags & P2PDMA_BAR_PREFETCH) &&
		     b->size > fn->bars[best].size))
			best = i;
	}
	return best;
}

int sim_gpu_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		   struct p2pdma_error *e)
{
	struct p2pdma_sim_gpu *g = calloc(1, sizeof(*g));

	if (!g)
		return p2pdma_fail(e, -ENOMEM, "out of memory for a GPU model");
	g->fn = fn;
	g->bar = largest_bar(fn);
	s->fns[fn->index].kind = SIM_DEV_GPU;
	s->fns[fn->index].dev = g;
	return 0;
}

struct p2pdma_sim_gpu *p2pdma_sim_gpu(struct p2pdma_sim *s, const struct p2pdma_function *fn)
{
	if (!sim_fn_valid(s, fn) || s->fns[fn->index].kind != SIM_DEV_GPU)
		return NULL;
	return s->fns[fn->index].dev;
}

int p2pdma_sim_gpu_bar(const struct p2pdma_sim_gpu *g, int *bar, uint64_t *phys,
		       uint64_t *size)
{
	if (g->bar < 0)
		return -ENOENT;
	*bar = g->bar;
	*phys = g->fn->bars[g->bar].start;
	*size = g->fn->bars[g->bar].size;
	return 0;
}
