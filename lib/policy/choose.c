// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Several clients and provider choice (KERNEL-FACTS 3.1, 3.2):
 * pci_p2pdma_distance_many() sums the distances and gives -1 as soon as a
 * client cannot do P2P with the provider; pci_p2pmem_find_many() keeps the
 * published providers at the smallest total distance (at most a page of
 * pointers) and picks one of them uniformly at random.  The kernel's
 * random choice is not repeatable; ours is, from a seed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

static bool all_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return true;
}

/* "BUS:NAME" for a device that is not PCI, e.g. platform:foo, virtio:virtio0. */
static bool nonpci_syntax(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t i, len;

	if (!colon || colon == s || !colon[1])
		return false;
	len = (size_t)(colon - s);
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return !all_hex(s, len) && !(len == 3 && !strncasecmp(s, "pci", 3));
}

int p2pdma_client_parse(const struct p2pdma_fabric *f, const char *s,
			struct p2pdma_client *out, struct p2pdma_error *e)
{
	struct p2pdma_bdf b;
	struct p2pdma_function *fn;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return p2pdma_fail(e, -EINVAL, "empty device name");
	if (!p2pdma_bdf_parse(s, &b)) {
		int ret = p2pdma_fabric_lookup(f, s, &fn, e);

		if (ret)
			return ret;
		out->fn = fn;
		out->name = s;
		return 0;
	}
	if (nonpci_syntax(s)) {
		out->name = s;
		return 0;
	}
	return p2pdma_fail(e, -EINVAL,
			   "'%s' is neither a PCI address (DDDD:BB:DD.F or BB:DD.F) nor BUS:NAME for a device that is not PCI (e.g. platform:foo)",
			   s);
}

/*
 * @verbose: the kernel's verbose walk goes on after a refused client (so
 * every client's verdict is computed and cached); the quiet one, used by
 * find, stops at the first.
 */
static int distance_many(struct p2pdma_policy *p,
			 const struct p2pdma_function *provider,
			 const struct p2pdma_client *clients, size_t n,
			 enum p2pdma_map_type *types, bool verbose)
{
	bool not_supported = false;
	int total = 0;
	size_t i;

	if (types)
		for (i = 0; i < n; i++)
			types[i] = P2PDMA_MAP_UNKNOWN;
	if (!n || !p || p2pdma_policy_sync(p) || !provider ||
	    provider->index >= p->n || p->f->fns[provider->index] != provider)
		return -1;
	for (i = 0; i < n; i++) {
		const struct p2pdma_function *c = clients[i].fn;
		struct p2pdma_fast fv;

		/* find_parent_pci_dev() found nothing: -1 at once. */
		if (!c || c->index >= p->n || p->f->fns[c->index] != c) {
			if (types)
				types[i] = P2PDMA_MAP_NOT_SUPPORTED;
			return -1;
		}
		p2pdma_fast_verdict(p, provider->index, c->index, &fv);
		/* The kernel writes a cache only a provider with p2pdma state has. */
		if (provider->p2pmem.present)
			p2pdma_cache_store_kernel(p, provider->index, c->index, fv.type);
		if (types)
			types[i] = fv.type;
		if (fv.type == P2PDMA_MAP_NOT_SUPPORTED)
			not_supported = true;
		if (not_supported && !verbose)
			break;
		total += fv.distance;
	}
	return not_supported ? -1 : total;
}

int p2pdma_distance_many(struct p2pdma_policy *p,
			 const struct p2pdma_function *provider,
			 const struct p2pdma_client *clients, size_t n,
			 enum p2pdma_map_type *types)
{
	return distance_many(p, provider, clients, n, types, true);
}

/* Every verdict for this provider certain? */
static bool all_certain(struct p2pdma_policy *p, const struct p2pdma_function *provider,
			const struct p2pdma_client *clients, size_t n)
{
	struct p2pdma_fast fv;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!clients[i].fn)
			continue;
		p2pdma_fast_verdict(p, provider->index, clients[i].fn->index, &fv);
		if (!fv.certain)
			return false;
	}
	return true;
}

/* splitmix64: small, good enough to pick among ties, and seedable. */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias. */
static size_t rand_below(uint64_t *s, size_t n)
{
	uint64_t limit = -(uint64_t)n % n, r;

	do {
		r = splitmix64(s);
	} while (r < limit);
	return (size_t)(r % n);
}

int p2pdma_find(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		size_t n, uint64_t seed, struct p2pdma_find_result **out,
		struct p2pdma_error *e)
{
	const struct p2pdma_function **ties = NULL;
	struct p2pdma_find_result *r;
	int closest = -1, ret;
	size_t i;

	*out = NULL;
	ret = p2pdma_policy_sync(p);
	if (ret)
		return p2pdma_fail(e, ret, "cannot index the machine");
	r = calloc(1, sizeof(*r));
	ties = malloc(P2PDMA_FIND_MAX_TIES * sizeof(*ties));
	if (!r || !ties)
		goto nomem;
	r->seed = seed;
	r->distance = -1;
	for (i = 0; i < p->f->nr_fns; i++) {
		const struct p2pdma_function *fn = p->f->fns[i];
		struct p2pdma_candidate *nc;
		int d;

		if (!fn->p2pmem.present || !fn->p2pmem.published)
			continue;
		d = distance_many(p, fn, clients, n, NULL, false);
		nc = realloc(r->candidates, (r->nr_candidates + 1) * sizeof(*nc));
		if (!nc)
			goto nomem;
		r->candidates = nc;
		nc[r->nr_candidates].provider = fn;
		nc[r->nr_candidates].distance = d;
		nc[r->nr_candidates].certain = all_certain(p, fn, clients, n);
		r->nr_candidates++;
		if (d < 0 || (closest >= 0 && d > closest))
			continue;
		if (d == closest && r->nr_ties >= P2PDMA_FIND_MAX_TIES)
			continue;
		if (closest < 0 || d < closest) {
			r->nr_ties = 0;
			closest = d;
		}
		ties[r->nr_ties++] = fn;
	}
	if (r->nr_ties) {
		uint64_t s = seed;

		r->chosen = ties[rand_below(&s, r->nr_ties)];
		r->distance = closest;
	}
	free(ties);
	*out = r;
	return 0;
nomem:
	free(ties);
	p2pdma_find_result_free(r);
	return p2pdma_fail(e, -ENOMEM, "out of memory");
}

void p2pdma_find_result_free(struct p2pdma_find_result *r)
{
	if (!r)
		return;
	free(r->candidates);
	free(r);
}
