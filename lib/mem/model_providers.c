// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Providers from the machine model: functions whose p2pmem is present (a
 * kernel pool seen in sysfs, or one a description asks for) become
 * providers here.  The model says how much p2pmem there is but not where
 * in which BAR, so a rule picks the BAR (see mem.h).
 */
#include <errno.h>

#include "util.h"
#include "mem_internal.h"

static bool usable(const struct p2pdma_bar *b)
{
	return b->size && b->start && (b->flags & P2PDMA_BAR_MEM) && !(b->flags & P2PDMA_BAR_IO);
}

/* 0: prefetchable 64-bit, 1: prefetchable, 2: any other memory BAR. */
static int bar_class(const struct p2pdma_bar *b)
{
	if ((b->flags & P2PDMA_BAR_PREFETCH) && (b->flags & P2PDMA_BAR_64))
		return 0;
	return (b->flags & P2PDMA_BAR_PREFETCH) ? 1 : 2;
}

/*
 * A BAR exactly @want bytes (a p2pmem card exposing one whole BAR), else
 * the best class, smallest BAR that holds @want (an NVMe CMB BAR rather
 * than a GPU's huge aperture).  @want 0: the largest BAR of the best class.
 */
static int pick_bar(const struct p2pdma_function *fn, uint64_t want)
{
	int b, best = -1;

	for (b = 0; want && b < P2PDMA_NUM_BARS; b++)
		if (usable(&fn->bars[b]) && fn->bars[b].size == want)
			return b;
	for (b = 0; b < P2PDMA_NUM_BARS; b++) {
		const struct p2pdma_bar *r = &fn->bars[b];
		const struct p2pdma_bar *cur = best >= 0 ? &fn->bars[best] : NULL;

		if (!usable(r) || r->size < want)
			continue;
		if (!cur || bar_class(r) < bar_class(cur) ||
		    (bar_class(r) == bar_class(cur) &&
		     (want ? r->size < cur->size : r->size > cur->size)))
			best = b;
	}
	return best;
}

static int add_one(struct p2pdma_mem *m, const struct p2pdma_function *fn,
		   p2pdma_log_fn log, void *log_arg, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], a[32];
	struct p2pdma_error why = { 0 };
	struct p2pdma_provider *p;
	uint64_t size, used, phys;
	int bar, ret;

	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	/*
	 * A pool of 0 B holds nothing (the driver's registration failed, or
	 * never ran).  To the provider code a size of 0 means "the whole BAR",
	 * so such a function is not made a provider at all.
	 */
	if (!fn->p2pmem.size)
		return 0;
	bar = pick_bar(fn, fn->p2pmem.size);
	if (bar < 0) {
		p2pdma_log(log, log_arg, P2PDMA_LOG_WARN,
			   "%s: p2pmem of %s described, but no memory BAR holds it; not a provider here",
			   name, p2pdma_size_format(fn->p2pmem.size, a, sizeof(a)));
		return 0;
	}
	ret = p2pdma_provider_add(m, fn, bar, fn->p2pmem.size, 0, &why);
	if (ret == -ENOMEM)
		return p2pdma_fail(e, ret, "%s", why.reason);
	if (ret) {
		p2pdma_log(log, log_arg, P2PDMA_LOG_WARN, "%s; not a provider here", why.reason);
		return 0;
	}
	p = p2pdma_provider_find(m, fn);
	p2pdma_provider_publish(p, fn->p2pmem.published);
	size = p2pdma_provider_size(p);
	/* What others hold on the source machine stays held here. */
	if (fn->p2pmem.available < size && fn->p2pmem.size) {
		used = size - fn->p2pmem.available;
		if (p2pdma_p2pmem_alloc(p, used, &phys, &why))
			p2pdma_log(log, log_arg, P2PDMA_LOG_WARN,
				   "%s: cannot mark %s as in use: %s", name,
				   p2pdma_size_format(used, a, sizeof(a)), why.reason);
	}
	return 1;
}

int p2pdma_mem_add_model_providers(struct p2pdma_mem *m, p2pdma_log_fn log,
				   void *log_arg, struct p2pdma_error *e)
{
	int count = 0;
	size_t i;

	for (i = 0; i < m->f->nr_fns; i++) {
		const struct p2pdma_function *fn = m->f->fns[i];
		int ret;

		if (!fn->p2pmem.present || p2pdma_provider_find(m, fn))
			continue;
		ret = add_one(m, fn, log, log_arg, e);
		if (ret < 0)
			return ret;
		count += ret;
	}
	return count;
}
