// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The DMA context: one IOVA domain per translating IOMMU group of the
 * model, each function's mapping mode, and the verdict source.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"

const char *p2pdma_dma_how_name(enum p2pdma_dma_how how)
{
	switch (how) {
	case P2PDMA_DMA_UNMAPPED: return "unmapped";
	case P2PDMA_DMA_BUS_ADDR: return "bus address";
	case P2PDMA_DMA_IOVA: return "IOVA";
	case P2PDMA_DMA_DIRECT: return "direct";
	}
	return "?";
}

const char *p2pdma_dma_mode_name(enum p2pdma_dma_mode mode)
{
	switch (mode) {
	case P2PDMA_DMA_MODE_DIRECT: return "direct";
	case P2PDMA_DMA_MODE_IOMMU: return "iommu";
	case P2PDMA_DMA_MODE_BLOCKED: return "blocked";
	}
	return "?";
}

/*
 * The default domain type decides: DMA and DMA-FQ translate (FQ only
 * defers IOTLB flushes); "unmanaged" is a VFIO/user domain, which
 * translates too; identity is passthrough; blocked allows no DMA.
 */
static enum p2pdma_dma_mode mode_of_type(const char *type, bool *assumed)
{
	*assumed = false;
	if (type && !strcmp(type, "identity"))
		return P2PDMA_DMA_MODE_DIRECT;
	if (type && !strcmp(type, "blocked"))
		return P2PDMA_DMA_MODE_BLOCKED;
	if (type && (!strcmp(type, "DMA") || !strcmp(type, "DMA-FQ") ||
		     !strcmp(type, "unmanaged")))
		return P2PDMA_DMA_MODE_IOMMU;
	*assumed = true;
	return P2PDMA_DMA_MODE_IOMMU;
}

static struct p2pdma_iova_domain *domain_for(struct p2pdma_dma *d, int group)
{
	struct p2pdma_iova_domain *dom;
	size_t i;

	for (i = 0; i < d->nr_domains; i++)
		if (d->domains[i]->group == group)
			return d->domains[i];
	dom = malloc(sizeof(*dom));
	if (!dom)
		return NULL;
	if (p2pdma_grow((void **)&d->domains, &d->domains_cap, d->nr_domains + 1,
			sizeof(*d->domains))) {
		free(dom);
		return NULL;
	}
	iova_domain_init(dom, group);
	d->domains[d->nr_domains++] = dom;
	return dom;
}

static int setup_clients(struct p2pdma_dma *d)
{
	size_t i;

	d->nr_clients = d->f->nr_fns;
	d->clients = calloc(d->nr_clients ? d->nr_clients : 1, sizeof(*d->clients));
	if (!d->clients)
		return -ENOMEM;
	for (i = 0; i < d->nr_clients; i++) {
		const struct p2pdma_function *fn = d->f->fns[i];
		struct dma_client *c = &d->clients[i];
		const struct p2pdma_iommu_group *g;

		c->group = fn->iommu_group;
		if (fn->iommu_group < 0) {
			c->mode = P2PDMA_DMA_MODE_DIRECT;
			continue;
		}
		g = p2pdma_fabric_iommu_group(d->f, fn->iommu_group);
		c->group_type = g ? g->type : NULL;
		c->mode = mode_of_type(c->group_type, &c->assumed);
		if (c->mode == P2PDMA_DMA_MODE_IOMMU &&
		    !(c->domain = domain_for(d, fn->iommu_group)))
			return -ENOMEM;
	}
	return 0;
}

int p2pdma_dma_new(struct p2pdma_mem *m, const struct p2pdma_dma_opts *o,
		   struct p2pdma_dma **out, struct p2pdma_error *e)
{
	struct p2pdma_dma *d;

	*out = NULL;
	if (!o || (!o->verdict && !o->policy))
		return p2pdma_fail(e, -EINVAL, "a DMA context needs a policy or a verdict function");
	d = calloc(1, sizeof(*d));
	if (!d)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	d->mem = m;
	d->f = p2pdma_mem_fabric(m);
	d->policy = o->policy;
	d->verdict = o->verdict ? o->verdict : p2pdma_policy_verdict;
	d->verdict_arg = o->verdict ? o->verdict_arg : o->policy;
	d->max_seg_size = o->max_seg_size ? o->max_seg_size : P2PDMA_DEFAULT_MAX_SEG_SIZE;
	pthread_mutex_init(&d->verdict_lock, NULL);
	if (setup_clients(d)) {
		p2pdma_dma_free(d);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	*out = d;
	return 0;
}

void p2pdma_dma_free(struct p2pdma_dma *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_domains; i++) {
		iova_domain_destroy(d->domains[i]);
		free(d->domains[i]);
	}
	free(d->domains);
	free(d->clients);
	pthread_mutex_destroy(&d->verdict_lock);
	free(d);
}

const struct dma_client *dma_client_of(const struct p2pdma_dma *d,
				       const struct p2pdma_function *client,
				       struct p2pdma_error *e)
{
	if (client && client->index < d->nr_clients && d->f->fns[client->index] == client)
		return &d->clients[client->index];
	p2pdma_fail(e, -EINVAL, "the client is not a function of this machine");
	return NULL;
}

enum p2pdma_map_type dma_verdict(struct p2pdma_dma *d,
				 const struct p2pdma_function *provider,
				 const struct p2pdma_function *client,
				 char *reason, size_t len)
{
	enum p2pdma_map_type t;

	if (reason && len)
		reason[0] = '\0';
	pthread_mutex_lock(&d->verdict_lock);
	t = d->verdict(d->verdict_arg, provider, client, reason, len);
	pthread_mutex_unlock(&d->verdict_lock);
	return t;
}

int p2pdma_dma_client_info(struct p2pdma_dma *d, const struct p2pdma_function *client,
			   struct p2pdma_dma_client_info *out, struct p2pdma_error *e)
{
	const struct dma_client *c = dma_client_of(d, client, e);

	if (!c)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->mode = c->mode;
	out->iommu_group = c->group;
	out->group_type = c->group_type;
	out->mode_assumed = c->assumed;
	out->dma_offset = client->dma_offset;
	out->iova_mapped = c->domain ? iova_reserved(c->domain) : 0;
	return 0;
}

uint64_t p2pdma_dma_state_hash(struct p2pdma_dma *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < d->nr_domains; i++) {
		uint64_t x = iova_hash(d->domains[i]);

		h = p2pdma_fnv1a(h, &x, sizeof(x));
	}
	return h;
}

struct p2pdma_iova_domain *p2pdma_dma_domain_of(const struct p2pdma_dma *d,
					       const struct p2pdma_function *client)
{
	const struct dma_client *c = dma_client_of(d, client, NULL);

	return c ? c->domain : NULL;
}

int p2pdma_dma_translate(const struct p2pdma_dma *d, const struct p2pdma_function *client,
			 uint64_t iova, uint64_t *phys, uint64_t *contig)
{
	const struct dma_client *c = dma_client_of(d, client, NULL);

	if (!c || c->mode != P2PDMA_DMA_MODE_IOMMU)
		return 0;
	return iova_translate(c->domain, iova, phys, contig) ? -EFAULT : 1;
}
