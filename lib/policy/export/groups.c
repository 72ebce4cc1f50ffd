// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * P2P groups: what a scheduler's "matchAttribute" or a DRA driver needs
 * and Kubernetes' pcieRoot does not say ("same root complex" is not "can
 * do P2P").  First fit in BDF order: a device joins the first group with
 * whose every member it can do P2P for certain, else starts one.  Two
 * groups can never merge: the first member of the later group failed to
 * join the earlier one, and that group has only grown since.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy_int.h"

static bool can_p2p(const struct p2pdma_policy *p, const struct p2pdma_function *a,
		    const struct p2pdma_function *b, bool *bus_addr)
{
	struct p2pdma_fast fv;

	p2pdma_fast_verdict(p, a->index, b->index, &fv);
	if (!fv.certain || fv.type == P2PDMA_MAP_NOT_SUPPORTED)
		return false;
	*bus_addr &= fv.type == P2PDMA_MAP_BUS_ADDR;
	return true;
}

/* Can @fn join @g?  Sets the group's type if so. */
static bool fits(const struct p2pdma_policy *p, struct p2pdma_p2p_group *g,
		 const struct p2pdma_function *fn)
{
	bool bus = g->map_type == P2PDMA_MAP_BUS_ADDR;
	size_t i;

	for (i = 0; i < g->nr_devs; i++)
		if (!can_p2p(p, g->devs[i], fn, &bus))
			return false;
	g->map_type = bus ? P2PDMA_MAP_BUS_ADDR : P2PDMA_MAP_THRU_HOST_BRIDGE;
	return true;
}

/* Append, doubling the array at powers of two. */
static int push(struct p2pdma_p2p_group *g, const struct p2pdma_function *fn)
{
	size_t n = g->nr_devs;

	if (!n || !(n & (n - 1))) {
		const struct p2pdma_function **d = realloc(g->devs, (n ? 2 * n : 1) * sizeof(*d));

		if (!d)
			return -ENOMEM;
		g->devs = d;
	}
	g->devs[g->nr_devs++] = fn;
	return 0;
}

static int start(struct p2pdma_p2p_groups *gs, const struct p2pdma_function *fn)
{
	struct p2pdma_p2p_group *g = &gs->groups[gs->nr_groups++];

	snprintf(g->id, sizeof(g->id), "p2p-%04x-%02x-%02x.%x", fn->bdf.domain, fn->bdf.bus,
		 fn->bdf.dev, fn->bdf.fn);
	g->map_type = P2PDMA_MAP_BUS_ADDR;
	return push(g, fn);
}

static int place(const struct p2pdma_policy *p, struct p2pdma_p2p_groups *gs,
		 const struct p2pdma_function *fn)
{
	size_t i;

	for (i = 0; i < gs->nr_groups; i++)
		if (fits(p, &gs->groups[i], fn))
			return push(&gs->groups[i], fn);
	return start(gs, fn);
}

int p2pdma_p2p_groups_get(struct p2pdma_policy *p, struct p2pdma_p2p_groups **out,
			  struct p2pdma_error *e)
{
	struct p2pdma_fabric *f = p2pdma_policy_fabric(p);
	struct p2pdma_p2p_groups *gs = calloc(1, sizeof(*gs));
	size_t i, n = f->nr_fns ? f->nr_fns : 1;
	int ret = gs ? p2pdma_policy_sync(p) : -ENOMEM;

	*out = NULL;
	if (!ret && !(gs->groups = calloc(n, sizeof(*gs->groups))))
		ret = -ENOMEM;
	for (i = 0; !ret && i < f->nr_fns; i++)
		if (!p2pdma_function_is_bridge(f->fns[i]) && p2pdma_fn_default_class(f->fns[i]))
			ret = place(p, gs, f->fns[i]);
	if (ret) {
		p2pdma_p2p_groups_free(gs);
		return p2pdma_fail(e, ret, ret == -EINVAL ? "the fabric is not finalized" :
				   "out of memory");
	}
	*out = gs;
	return 0;
}

void p2pdma_p2p_groups_free(struct p2pdma_p2p_groups *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; g->groups && i < g->nr_groups; i++)
		free(g->groups[i].devs);
	free(g->groups);
	free(g);
}
