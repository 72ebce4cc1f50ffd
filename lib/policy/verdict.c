// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pair verdict in O(1) from the index, for the public calls too.
 *
 * calc_map_type_and_dist() in the kernel, restated over the index:
 *   - common upstream device = LCA in the upstream forest;
 *   - distance = hops from each side to it, or both chain lengths when
 *     there is none;
 *   - the devices it ACS-checks are the provider's chain up to and
 *     including the common device plus the client's chain below it, so
 *     their redirect count is R(p) + R(c) - 2 R(lca) + r(lca);
 *   - none redirecting: BUS_ADDR, and the host bridge is never asked;
 *   - otherwise (or with no common device): THRU_HOST_BRIDGE when the
 *     CPU rule or the allow-list allows it, else NOT_SUPPORTED.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

const char *p2pdma_map_type_name(enum p2pdma_map_type t)
{
	switch (t) {
	case P2PDMA_MAP_NOT_SUPPORTED: return "NOT_SUPPORTED";
	case P2PDMA_MAP_BUS_ADDR: return "BUS_ADDR";
	case P2PDMA_MAP_THRU_HOST_BRIDGE: return "THRU_HOST_BRIDGE";
	default: return "UNKNOWN";
	}
}

/* host_bridge_whitelist(): both must pass; an unknown ID leaves it open. */
static enum p2pdma_tri hb_allowed(const struct p2pdma_policy *p, size_t ha, size_t hb)
{
	const struct p2pdma_phb *a = &p->phb[ha], *b = &p->phb[hb];

	if (ha == hb)
		return a->id_unknown ? P2PDMA_MAYBE : a->ok_same ? P2PDMA_YES : P2PDMA_NO;
	if ((!a->id_unknown && !a->ok_diff) || (!b->id_unknown && !b->ok_diff))
		return P2PDMA_NO;
	if (a->id_unknown || b->id_unknown)
		return P2PDMA_MAYBE;
	return P2PDMA_YES;
}

/*
 * The host-bridge leg: the CPU rule first, then the allow-list.  With an
 * unknown CPU and a failing allow-list, or an allow-list answer that
 * depends on an unknown ID, both answers are possible.
 */
static unsigned int thru_possible(const struct p2pdma_policy *p, enum p2pdma_tri hb_ok)
{
	const unsigned int thru = 1u << P2PDMA_MAP_THRU_HOST_BRIDGE;
	const unsigned int no = 1u << P2PDMA_MAP_NOT_SUPPORTED;

	if (hb_ok == P2PDMA_YES || p->cpu_ok)
		return thru;
	if (hb_ok == P2PDMA_MAYBE || !p->cpu_known)
		return thru | no;
	return no;
}

/* The checked devices' redirect states, counted by walking (deep trees). */
static void walk_counts(const struct p2pdma_policy *p, int32_t a, int32_t b, int32_t lca,
			uint32_t *redir, uint32_t *unknown)
{
	int32_t x;

	*redir = 0;
	*unknown = 0;
	for (x = a; x >= 0; x = p->up[x]) {
		uint8_t r = p->node[x].flags & P2PDMA_PN_REDIR;

		*redir += r == P2PDMA_REDIR_YES;
		*unknown += r == P2PDMA_REDIR_UNKNOWN;
		if (x == lca)
			break;
	}
	for (x = b; x >= 0 && x != lca; x = p->up[x]) {
		uint8_t r = p->node[x].flags & P2PDMA_PN_REDIR;

		*redir += r == P2PDMA_REDIR_YES;
		*unknown += r == P2PDMA_REDIR_UNKNOWN;
	}
}

static void counts(const struct p2pdma_policy *p, size_t pi, size_t ci, int lca,
		   uint32_t *redir, uint32_t *unknown)
{
	const struct p2pdma_pnode *a = &p->node[pi], *b = &p->node[ci], *l = &p->node[lca];
	uint8_t r = l->flags & P2PDMA_PN_REDIR;

	if (!p->fast_lca) {
		walk_counts(p, (int32_t)pi, (int32_t)ci, lca, redir, unknown);
		return;
	}
	*redir = (uint32_t)(a->R + b->R - 2 * l->R + (r == P2PDMA_REDIR_YES));
	*unknown = (uint32_t)(a->U + b->U - 2 * l->U + (r == P2PDMA_REDIR_UNKNOWN));
}

void p2pdma_fast_verdict(const struct p2pdma_policy *p, size_t pi, size_t ci,
			 struct p2pdma_fast *out)
{
	const struct p2pdma_function *fa = p->f->fns[pi], *fb = p->f->fns[ci];
	int lca = p2pdma_lca(p, pi, ci);
	unsigned int possible;

	out->lca = lca;
	out->hb_ok = hb_allowed(p, fa->host->index, fb->host->index);
	if (lca < 0) {
		/* The kernel's dist_a and dist_b: both whole chains. */
		out->distance = (int)(p->depth[pi] + 1 + p->depth[ci] + 1);
		out->nr_redir = 0;
		out->nr_unknown = 0;
		possible = thru_possible(p, out->hb_ok);
	} else {
		out->distance = (int)(p->depth[pi] + p->depth[ci] - 2 * p->depth[lca]);
		counts(p, pi, ci, lca, &out->nr_redir, &out->nr_unknown);
		if (out->nr_redir)
			possible = thru_possible(p, out->hb_ok);
		else if (out->nr_unknown)
			possible = (1u << P2PDMA_MAP_BUS_ADDR) | thru_possible(p, out->hb_ok);
		else
			possible = 1u << P2PDMA_MAP_BUS_ADDR;
	}
	out->possible = possible;
	out->certain = !(possible & (possible - 1));
	if (lca >= 0 && !out->nr_redir)
		out->type = P2PDMA_MAP_BUS_ADDR;
	else if (out->hb_ok == P2PDMA_YES || p->cpu_ok)
		out->type = P2PDMA_MAP_THRU_HOST_BRIDGE;
	else
		out->type = P2PDMA_MAP_NOT_SUPPORTED;
}

enum p2pdma_map_type p2pdma_pair_type_walk(const struct p2pdma_policy *p, size_t a,
					   size_t b, int *distance)
{
	struct p2pdma_fast fv;

	p2pdma_fast_verdict(p, a, b, &fv);
	*distance = fv.distance;
	return fv.type;
}

/* A function of this policy's fabric, by index; -1 for a stranger. */
static long fn_index(const struct p2pdma_policy *p, const struct p2pdma_function *fn)
{
	if (!fn || fn->index >= p->n || p->f->fns[fn->index] != fn)
		return -1;
	return (long)fn->index;
}

/*
 * The index is for the fabric as it is now (p2pdma_policy_sync()'s test),
 * with one branch: the three hold on every call but the first after a
 * fabric change.
 */
static inline bool index_current(const struct p2pdma_policy *p)
{
	return p->valid & (p->gen == p->f->generation) & (p->n == p->f->nr_fns);
}

/* A provider and a client of this policy's fabric, as indices. */
static inline bool pair_index(const struct p2pdma_policy *p, const struct p2pdma_function *a,
			      const struct p2pdma_function *b, size_t *ai, size_t *bi)
{
	if (__builtin_expect(!a || !b, 0))
		return false;
	*ai = a->index;
	*bi = b->index;
	return (*ai < p->n) & (*bi < p->n) && (p->f->fns[*ai] == a) & (p->f->fns[*bi] == b);
}

/*
 * Straight from the index: an answer costs what the index costs.  The
 * kernel's DMA-mapping path stores a pair's verdict the first time the
 * pair is computed, and only for a provider with p2pdma state; here that
 * is one bit in the provider's row (kcache.c), whose answer the current
 * index gives until the fabric changes.
 */
P2PDMA_HOT enum p2pdma_map_type map_type_at(struct p2pdma_policy *p,
					   const struct p2pdma_function *provider,
					   size_t pi, size_t ci, int *distance)
{
	enum p2pdma_map_type t;
	int d;

	/* Only a provider with p2pdma state has a cache in the kernel. */
	if (__builtin_expect(provider->p2pmem.present, 0))
		p2pdma_kcache_ask(p, pi, ci);
	t = p2pdma_pair_type(p, (uint32_t)pi, (uint32_t)ci, &d);
	if (distance)
		*distance = d;
	return t;
}

/*
 * What is rare, out of line so that the common call stays one short
 * path: no policy, an index to (re)build, a function that is not of this
 * policy's fabric (or not a PCI device at all: NULL).
 */
static __attribute__((cold, noinline)) enum p2pdma_map_type
map_type_slow(struct p2pdma_policy *p, const struct p2pdma_function *provider,
	      const struct p2pdma_function *client, int *distance)
{
	size_t pi, ci;

	if (distance)
		*distance = -1;
	if (!p || p2pdma_policy_sync(p) || !pair_index(p, provider, client, &pi, &ci))
		return P2PDMA_MAP_NOT_SUPPORTED;
	return map_type_at(p, provider, pi, ci, distance);
}

/*
 * A pair below one root-bus function, every pair of an index that walks,
 * and every pair of a provider whose asks the kernel caches: the whole
 * answer, out of line so that the common call saves no registers.
 */
static __attribute__((noinline)) enum p2pdma_map_type
map_type_full(struct p2pdma_policy *p, const struct p2pdma_function *provider,
	      size_t pi, size_t ci, int *distance)
{
	return map_type_at(p, provider, pi, ci, distance);
}

enum p2pdma_map_type p2pdma_map_type(struct p2pdma_policy *p,
				     const struct p2pdma_function *provider,
				     const struct p2pdma_function *client,
				     int *distance)
{
	enum p2pdma_map_type t;
	size_t pi, ci;
	int d;

	if (__builtin_expect(!p || !index_current(p) ||
			     !pair_index(p, provider, client, &pi, &ci), 0))
		return map_type_slow(p, provider, client, distance);
	if (__builtin_expect(provider->p2pmem.present | !p->fast_lca, 0) ||
	    p->top[pi] == p->top[ci])
		return map_type_full(p, provider, pi, ci, distance);
	/* Below different root-bus functions: no common upstream device. */
	t = p2pdma_pair_apart(p, (uint32_t)pi, (uint32_t)ci, &d);
	if (distance)
		*distance = d;
	return t;
}

enum p2pdma_map_type p2pdma_policy_kernel_cached(struct p2pdma_policy *p,
						 const struct p2pdma_function *provider,
						 const struct p2pdma_function *client)
{
	long pi, ci;

	if (!p || p2pdma_policy_sync(p))
		return P2PDMA_MAP_UNKNOWN;
	pi = fn_index(p, provider);
	ci = fn_index(p, client);
	if (pi < 0 || ci < 0)
		return P2PDMA_MAP_UNKNOWN;
	return p2pdma_kcache_answer(p, (size_t)pi, (size_t)ci);
}

void p2pdma_policy_forget_provider(struct p2pdma_policy *p,
				   const struct p2pdma_function *provider)
{
	long pi;

	if (!p || p2pdma_policy_sync(p))
		return;
	pi = fn_index(p, provider);
	if (pi >= 0)
		p2pdma_kcache_forget(p, (size_t)pi);
}
