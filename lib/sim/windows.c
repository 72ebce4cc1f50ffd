// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bridge windows at PCI bus addresses.  A bridge forwards a request down
 * when its address lies in the window behind it; the window is made of
 * the memory BARs of everything beneath (CPU physical + the host
 * bridge's bus offset).  Keeping each BAR as its own piece instead of
 * one span per bridge means a bridge never claims a hole between its
 * devices' BARs: real bridge windows can be wider, but a request into
 * such a hole would be an Unsupported Request one port lower anyway.
 *
 * So one table per host bridge, sorted by bus address, answers "which
 * function claims this address" in O(log n), and "is it behind bridge
 * B" is then "is that function below B".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "policy_int.h"
#include "sim_internal.h"

static bool bar_routed(const struct p2pdma_bar *b)
{
	/* I/O BARs live in port space; an unassigned BAR decodes nothing. */
	return (b->flags & P2PDMA_BAR_MEM) && b->size && b->start;
}

static int cmp_window(const void *a, const void *b)
{
	const struct sim_window *x = a, *y = b;

	return x->bus_lo < y->bus_lo ? -1 : x->bus_lo > y->bus_lo;
}

static int add_fn_windows(struct sim_hb *h, const struct p2pdma_function *fn,
			  size_t *cap, struct p2pdma_error *e)
{
	int i;

	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		const struct p2pdma_bar *b = &fn->bars[i];
		struct sim_window *w;

		if (!bar_routed(b))
			continue;
		if (p2pdma_grow((void **)&h->win, cap, h->nr_win + 1, sizeof(*h->win)))
			return p2pdma_fail(e, -ENOMEM, "out of memory for bridge windows");
		w = &h->win[h->nr_win++];
		w->phys_lo = b->start;
		w->bus_lo = b->start + h->hb->bus_offset;
		w->bus_hi = w->bus_lo + (b->size - 1);
		w->fn = fn;
		w->bar = i;
	}
	return 0;
}

/* Two BARs that overlap in bus space would make routing ambiguous. */
static int check_disjoint(const struct sim_hb *h, struct p2pdma_error *e)
{
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 1; i < h->nr_win; i++) {
		const struct sim_window *x = &h->win[i - 1], *y = &h->win[i];

		if (y->bus_lo <= x->bus_hi)
			return p2pdma_fail(e, -EINVAL,
					   "%s: BAR %d of %s and BAR %d of %s overlap at bus address %#llx",
					   h->hb->name, x->bar,
					   p2pdma_bdf_format(&x->fn->bdf, a, sizeof(a)), y->bar,
					   p2pdma_bdf_format(&y->fn->bdf, b, sizeof(b)),
					   (unsigned long long)y->bus_lo);
	}
	return 0;
}

/* The kernel's __host_bridge_whitelist() for @hb, in both directions. */
static void allow_list_of(struct sim_hb *h)
{
	const struct p2pdma_function *dev = p2pdma_host_bridge_dev(h->hb);
	const struct p2pdma_allow_entry *list;
	size_t n;
	int i;

	list = p2pdma_allow_list(&n);
	i = dev ? p2pdma_allow_match(dev->vendor, dev->device) : -1;
	h->ok_same = i >= 0;
	h->ok_diff = i >= 0 && !(list[i].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);
}

int sim_windows_build(struct p2pdma_sim *s, struct p2pdma_error *e)
{
	size_t i, *caps;
	int ret = 0;

	s->hbs = calloc(s->f->nr_hbs ? s->f->nr_hbs : 1, sizeof(*s->hbs));
	caps = calloc(s->f->nr_hbs ? s->f->nr_hbs : 1, sizeof(*caps));
	if (!s->hbs || !caps) {
		free(caps);
		return p2pdma_fail(e, -ENOMEM, "out of memory for host bridges");
	}
	for (i = 0; i < s->f->nr_hbs; i++) {
		s->hbs[i].hb = s->f->hbs[i];
		allow_list_of(&s->hbs[i]);
	}
	for (i = 0; i < s->f->nr_fns && !ret; i++) {
		const struct p2pdma_function *fn = s->f->fns[i];

		ret = add_fn_windows(&s->hbs[fn->host->index], fn, &caps[fn->host->index], e);
	}
	for (i = 0; i < s->f->nr_hbs && !ret; i++) {
		if (s->hbs[i].nr_win)	/* none: maybe no array, which qsort() may not take */
			qsort(s->hbs[i].win, s->hbs[i].nr_win, sizeof(*s->hbs[i].win),
			      cmp_window);
		ret = check_disjoint(&s->hbs[i], e);
	}
	free(caps);
	return ret;
}

void sim_windows_free(struct p2pdma_sim *s)
{
	size_t i;

	if (!s->hbs)
		return;
	for (i = 0; i < s->f->nr_hbs; i++)
		free(s->hbs[i].win);
	free(s->hbs);
	s->hbs = NULL;
}

const struct sim_window *sim_window_find(const struct sim_hb *h, uint64_t bus)
{
	size_t lo = 0, hi = h->nr_win;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->win[mid].bus_lo <= bus)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || bus > h->win[lo - 1].bus_hi)
		return NULL;
	return &h->win[lo - 1];
}
