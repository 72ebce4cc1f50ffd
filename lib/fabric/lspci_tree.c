// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PCI tree of an lspci dump, from the bus numbers of its bridges.
 *
 * As "lspci -t" does it: a function sits behind the bridge with the
 * narrowest bus range [secondary, subordinate] that holds the function's
 * bus number; with no such bridge it sits on a root bus of its own
 * number.  Ranges must nest: two bridges whose ranges overlap without one
 * holding the other cannot both be right, so the file is refused, naming
 * both lines.  A bridge whose range cannot be real (secondary bus not
 * above its own bus, subordinate below secondary: an unconfigured bridge)
 * leads nowhere; the loader says so and carries on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci.h"
#include "util.h"

static int rec_cmp(const void *a, const void *b)
{
	const struct lspci_rec *ra = a, *rb = b;
	int c = p2pdma_bdf_cmp(&ra->fn.bdf, &rb->fn.bdf);

	if (c)
		return c;
	return (ra->line > rb->line) - (ra->line < rb->line);
}

int lspci_sort_check(struct lspci_doc *d, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	qsort(d->recs, d->nr, sizeof(*d->recs), rec_cmp);
	for (i = 1; i < d->nr; i++)
		if (!p2pdma_bdf_cmp(&d->recs[i - 1].fn.bdf, &d->recs[i].fn.bdf))
			return p2pdma_fail(e, -EEXIST,
					   "%s:%u: %s is described twice (first at line %u)",
					   d->name, d->recs[i].line,
					   p2pdma_bdf_format(&d->recs[i].fn.bdf, name, sizeof(name)),
					   d->recs[i - 1].line);
	return 0;
}

static bool range_real(const struct lspci_rec *r)
{
	return r->fn.secondary_bus > r->fn.bdf.bus &&
	       r->fn.subordinate_bus >= r->fn.secondary_bus;
}

/* Bridges with a range that can be real; the others are told about and dropped. */
static void drop_unconfigured(struct lspci_doc *d)
{
	char name[P2PDMA_BDF_STRLEN];
	unsigned int first = 0;
	size_t i, nr = 0;

	for (i = 0; i < d->nr; i++) {
		struct lspci_rec *r = &d->recs[i];

		if (!r->bridge || r->fn.secondary_bus < 0 || range_real(r))
			continue;
		if (!nr++) {
			first = r->line;
			p2pdma_bdf_format(&r->fn.bdf, name, sizeof(name));
		}
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_DEBUG,
			   "%s:%u: bridge with bus range [%02x-%02x] leads nowhere",
			   d->name, r->line, r->fn.secondary_bus, r->fn.subordinate_bus);
		r->fn.secondary_bus = -1;
		r->fn.subordinate_bus = -1;
	}
	if (nr)
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_WARN,
			   "%s: %zu bridge(s) have no usable bus range (first: %s at line %u): nothing is placed behind them",
			   d->name, nr, name, first);
}

static int bridge_cmp(const void *a, const void *b)
{
	const struct lspci_rec *ra = *(struct lspci_rec *const *)a;
	const struct lspci_rec *rb = *(struct lspci_rec *const *)b;

	if (ra->fn.bdf.domain != rb->fn.bdf.domain)
		return ra->fn.bdf.domain < rb->fn.bdf.domain ? -1 : 1;
	if (ra->fn.secondary_bus != rb->fn.secondary_bus)
		return ra->fn.secondary_bus < rb->fn.secondary_bus ? -1 : 1;
	if (ra->fn.subordinate_bus != rb->fn.subordinate_bus)
		return ra->fn.subordinate_bus > rb->fn.subordinate_bus ? -1 : 1;
	return (ra->line > rb->line) - (ra->line < rb->line);
}

static int overlap_error(const struct lspci_doc *d, const struct lspci_rec *a,
			 const struct lspci_rec *b, struct p2pdma_error *e)
{
	char na[P2PDMA_BDF_STRLEN], nb[P2PDMA_BDF_STRLEN];

	/* Name the later line first: that is where the reader looks. */
	if (a->line < b->line) {
		const struct lspci_rec *t = a;

		a = b;
		b = t;
	}
	return p2pdma_fail(e, -EINVAL,
			   "%s:%u: bridge %s claims buses [%02x-%02x], which overlap buses [%02x-%02x] of bridge %s (line %u)",
			   d->name, a->line, p2pdma_bdf_format(&a->fn.bdf, na, sizeof(na)),
			   a->fn.secondary_bus, a->fn.subordinate_bus,
			   b->fn.secondary_bus, b->fn.subordinate_bus,
			   p2pdma_bdf_format(&b->fn.bdf, nb, sizeof(nb)), b->line);
}

/*
 * Sorted by (domain, secondary up, subordinate down), nested ranges come
 * right after the range holding them; a stack of open ranges finds any
 * range that starts inside another and ends outside it.
 */
static int check_nesting(const struct lspci_doc *d, struct lspci_rec **br, size_t nr,
			 struct p2pdma_error *e)
{
	struct lspci_rec **stack;
	size_t i, top = 0;
	int ret = 0;

	stack = calloc(nr ? nr : 1, sizeof(*stack));
	if (!stack)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < nr && !ret; i++) {
		struct lspci_rec *r = br[i];

		while (top && (stack[top - 1]->fn.bdf.domain != r->fn.bdf.domain ||
			       stack[top - 1]->fn.subordinate_bus < r->fn.secondary_bus))
			top--;
		if (top) {
			struct lspci_rec *o = stack[top - 1];

			if (r->fn.subordinate_bus > o->fn.subordinate_bus ||
			    (r->fn.secondary_bus == o->fn.secondary_bus &&
			     r->fn.subordinate_bus == o->fn.subordinate_bus))
				ret = overlap_error(d, r, o, e);
		}
		stack[top++] = r;
	}
	free(stack);
	return ret;
}

/*
 * Parents: for each domain, owner[bus] is the narrowest bridge whose range
 * holds the bus.  Filling in sorted order lets inner ranges overwrite
 * outer ones.  Returns the parent index per record (-1: root bus).
 */
static void find_parents(struct lspci_doc *d, struct lspci_rec **br, size_t nr_br,
			 long *parent)
{
	long owner[256];
	size_t i = 0, j = 0, k;

	while (i < d->nr) {
		uint32_t dom = d->recs[i].fn.bdf.domain;

		for (k = 0; k < 256; k++)
			owner[k] = -1;
		while (j < nr_br && br[j]->fn.bdf.domain < dom)
			j++;
		for (; j < nr_br && br[j]->fn.bdf.domain == dom; j++)
			for (k = (size_t)br[j]->fn.secondary_bus;
			     k <= (size_t)br[j]->fn.subordinate_bus; k++)
				owner[k] = br[j] - d->recs;
		for (; i < d->nr && d->recs[i].fn.bdf.domain == dom; i++)
			parent[i] = owner[d->recs[i].fn.bdf.bus];
	}
}

/* A bridge's own range must lie inside its parent's, or its buses are unreachable. */
static int check_inside_parent(const struct lspci_doc *d, const long *parent,
			       struct p2pdma_error *e)
{
	char n1[P2PDMA_BDF_STRLEN], n2[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < d->nr; i++) {
		const struct lspci_rec *r = &d->recs[i], *p;

		if (parent[i] < 0 || r->fn.secondary_bus < 0)
			continue;
		p = &d->recs[parent[i]];
		if (r->fn.secondary_bus >= p->fn.secondary_bus &&
		    r->fn.subordinate_bus <= p->fn.subordinate_bus)
			continue;
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: bridge %s claims buses [%02x-%02x], outside the buses [%02x-%02x] of the bridge above it, %s (line %u)",
				   d->name, r->line, p2pdma_bdf_format(&r->fn.bdf, n1, sizeof(n1)),
				   r->fn.secondary_bus, r->fn.subordinate_bus,
				   p->fn.secondary_bus, p->fn.subordinate_bus,
				   p2pdma_bdf_format(&p->fn.bdf, n2, sizeof(n2)), p->line);
	}
	return 0;
}

static int add_all(struct p2pdma_fabric *f, struct lspci_doc *d, const long *parent,
		   struct p2pdma_function **made, struct p2pdma_error *e)
{
	size_t i;
	int ret;

	/*
	 * A parent's bus is below its secondary bus, so in BDF order every
	 * parent comes before its children.
	 */
	for (i = 0; i < d->nr; i++) {
		struct lspci_rec *r = &d->recs[i];
		struct p2pdma_function *pf = parent[i] >= 0 ? made[parent[i]] : NULL;
		struct p2pdma_host_bridge *hb;

		if (pf) {
			hb = pf->host;
		} else {
			hb = p2pdma_fabric_find_host_bridge(f, r->fn.bdf.domain, r->fn.bdf.bus);
			if (!hb) {
				ret = p2pdma_fabric_add_host_bridge(f, NULL, r->fn.bdf.domain,
								    r->fn.bdf.bus, &hb, e);
				if (ret)
					return ret;
			}
		}
		ret = p2pdma_fabric_add_function(f, hb, pf, &r->fn, &made[i], e);
		if (ret) {
			p2pdma_error_prefix(e, d->name);
			return ret;
		}
		if (r->fn.iommu_group >= 0 &&
		    !p2pdma_fabric_iommu_group(f, r->fn.iommu_group)) {
			ret = p2pdma_fabric_set_iommu_group_type(f, r->fn.iommu_group, NULL, e);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int rec_bdf_cmp(const void *key, const void *elem)
{
	return p2pdma_bdf_cmp(key, &((const struct lspci_rec *)elem)->fn.bdf);
}

struct lspci_rec *lspci_find(const struct lspci_doc *d, const struct p2pdma_bdf *bdf)
{
	return d->nr ? bsearch(bdf, d->recs, d->nr, sizeof(*d->recs), rec_bdf_cmp) : NULL;
}

/* The record of domain:rid, -1 when the file does not have it. */
static long find_rec(const struct lspci_doc *d, uint32_t domain, unsigned int rid)
{
	struct p2pdma_bdf b = {
		.domain = domain,
		.bus = (uint8_t)(rid >> 8),
		.dev = (uint8_t)((rid >> 3) & 0x1f),
		.fn = (uint8_t)(rid & 7),
	};
	const struct lspci_rec *r = lspci_find(d, &b);

	return r ? r - d->recs : -1;
}

/*
 * A VF's routing ID is its PF's plus First VF Offset plus i * VF Stride.
 * VFs read all ones in their vendor and device registers; their ids are
 * the PF's vendor and the VF Device ID.
 */
static void link_vfs(struct lspci_doc *d, struct p2pdma_function **made)
{
	size_t i;
	int k;

	for (i = 0; i < d->nr; i++) {
		struct lspci_rec *r = &d->recs[i];
		struct p2pdma_function *pf = made[i];
		unsigned int rid = (unsigned int)(pf->bdf.bus << 8 | pf->bdf.dev << 3 | pf->bdf.fn);

		if (!r->sriov || pf->physfn)
			continue;
		for (k = 0; k < r->num_vfs; k++) {
			unsigned long v = rid + (unsigned long)r->vf_offset +
					  (unsigned long)k * (unsigned long)r->vf_stride;
			struct p2pdma_function *vf;
			long j;

			if (v > 0xffff || (k && !r->vf_stride))
				break;
			j = find_rec(d, pf->bdf.domain, (unsigned int)v);
			if (j < 0 || (size_t)j == i)
				continue;
			vf = made[j];
			if (vf->physfn || vf->host != pf->host || d->recs[j].sriov)
				continue;
			vf->physfn = pf;
			if (vf->vendor == 0xffff) {
				vf->vendor = pf->vendor;
				if (r->vf_device >= 0)
					vf->device = (uint16_t)r->vf_device;
			}
		}
	}
}

int lspci_build(struct p2pdma_fabric *f, struct lspci_doc *d, struct p2pdma_error *e)
{
	struct p2pdma_function **made = NULL;
	struct lspci_rec **br = NULL;
	long *parent = NULL;
	size_t i, nr_br = 0;
	int ret;

	if (!d->nr)
		return p2pdma_fail(e, -EINVAL, "%s: no PCI functions in this file", d->name);
	ret = lspci_sort_check(d, e);
	if (ret)
		return ret;
	drop_unconfigured(d);

	br = calloc(d->nr, sizeof(*br));
	parent = calloc(d->nr, sizeof(*parent));
	made = calloc(d->nr, sizeof(*made));
	if (!br || !parent || !made) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < d->nr; i++)
		if (d->recs[i].bridge && d->recs[i].fn.secondary_bus >= 0)
			br[nr_br++] = &d->recs[i];
	qsort(br, nr_br, sizeof(*br), bridge_cmp);
	ret = check_nesting(d, br, nr_br, e);
	if (ret)
		goto out;
	find_parents(d, br, nr_br, parent);
	ret = check_inside_parent(d, parent, e);
	if (ret)
		goto out;
	ret = add_all(f, d, parent, made, e);
	if (ret)
		goto out;
	link_vfs(d, made);
out:
	free(br);
	free(parent);
	free(made);
	return ret;
}
