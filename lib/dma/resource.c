// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mapping a peer's BAR range for a client (dma_map_resource, and the
 * provider-based dma-buf path of 6.19): the BAR's function is the
 * provider whatever its p2pmem, and the policy decides the address.
 */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"

#define G P2PDMA_IOVA_GRANULE

static int find_bar(struct p2pdma_dma *d, uint64_t phys, uint64_t size,
		    struct p2pdma_addr_owner *o, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];

	if (!size || phys + size - 1 < phys)
		return p2pdma_fail(e, -EINVAL, "resource [%#llx, %llu bytes]: empty or past 2^64",
				   (unsigned long long)phys, (unsigned long long)size);
	p2pdma_addr_map_lookup(p2pdma_mem_addr_map(d->mem), phys, o);
	if (o->kind != P2PDMA_ADDR_BAR)
		return p2pdma_fail(e, -EINVAL,
				   "resource at %#llx is not in a memory BAR (%s); host memory is mapped with map_sg",
				   (unsigned long long)phys, p2pdma_addr_kind_name(o->kind));
	if (size - 1 > o->last - phys)
		return p2pdma_fail(e, -EINVAL,
				   "resource [%#llx, %llu bytes] runs past the end of BAR %d of %s",
				   (unsigned long long)phys, (unsigned long long)size, o->bar,
				   p2pdma_bdf_format(&o->fn->bdf, name, sizeof(name)));
	return 0;
}

int p2pdma_dma_map_resource(struct p2pdma_dma *d, const struct p2pdma_function *client,
			    uint64_t phys, uint64_t size,
			    struct p2pdma_dma_resource *out, struct p2pdma_error *e)
{
	char reason[P2PDMA_REASON_MAX], cli[P2PDMA_BDF_STRLEN], prov[P2PDMA_BDF_STRLEN];
	const struct dma_client *c = dma_client_of(d, client, e);
	struct p2pdma_addr_owner o;
	uint64_t off;
	int ret;

	memset(out, 0, sizeof(*out));
	out->dma_addr = P2PDMA_DMA_ERROR;
	out->bar = -1;
	if (!c)
		return -EINVAL;
	p2pdma_bdf_format(&client->bdf, cli, sizeof(cli));
	ret = find_bar(d, phys, size, &o, e);
	if (ret)
		return ret;
	out->phys = phys;
	out->size = size;
	out->owner = o.fn;
	out->bar = o.bar;
	if (c->mode == P2PDMA_DMA_MODE_BLOCKED)
		return p2pdma_fail(e, -EIO, "%s: IOMMU group %d is blocked: the device may not do DMA",
				   cli, c->group);
	out->map_type = dma_verdict(d, o.fn, client, reason, sizeof(reason));
	p2pdma_bdf_format(&o.fn->bdf, prov, sizeof(prov));
	switch (out->map_type) {
	case P2PDMA_MAP_BUS_ADDR:
		out->dma_addr = p2pdma_function_bus_addr(o.fn, phys);
		out->how = P2PDMA_DMA_BUS_ADDR;
		break;
	case P2PDMA_MAP_THRU_HOST_BRIDGE:
		if (c->mode == P2PDMA_DMA_MODE_DIRECT) {
			/* dma_map_resource() hands the CPU address out unchanged. */
			out->dma_addr = phys;
			out->how = P2PDMA_DMA_DIRECT;
			break;
		}
		off = phys & (G - 1);
		if (iova_alloc_phys(c->domain, off + size, phys - off, &out->iova))
			return p2pdma_fail(e, -ENOMEM,
					   "%s: no room for %llu bytes in the IOVA space of IOMMU group %d",
					   cli, (unsigned long long)(off + size), c->group);
		out->domain = c->domain;
		out->iova_len = off + size;
		out->dma_addr = out->iova + off;
		out->how = P2PDMA_DMA_IOVA;
		break;
	default:
		return p2pdma_fail(e, -EREMOTEIO,
				   "BAR %d of %s at %#llx: client %s cannot do peer-to-peer DMA with it (%s)%s%s",
				   o.bar, prov, (unsigned long long)phys, cli,
				   p2pdma_map_type_name(out->map_type), reason[0] ? ": " : "",
				   reason);
	}
	out->client = client;
	out->mapped = true;
	return 0;
}

int p2pdma_dma_unmap_resource(struct p2pdma_dma *d, struct p2pdma_dma_resource *r,
			      struct p2pdma_error *e)
{
	if (!r->mapped)
		return p2pdma_fail(e, -EINVAL,
				   "unmap of a resource that is not mapped (never mapped, or unmapped already)");
	if (r->domain && iova_free(r->domain, r->iova, r->iova_len))
		return p2pdma_fail(e, -EINVAL,
				   "IOVA %#llx (%llu bytes) is not mapped in the domain of IOMMU group %d",
				   (unsigned long long)r->iova, (unsigned long long)r->iova_len,
				   r->domain->group);
	r->mapped = false;
	r->domain = NULL;
	r->dma_addr = P2PDMA_DMA_ERROR;
	r->how = P2PDMA_DMA_UNMAPPED;
	return 0;
}
