// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Mapping a scatter-gather list for one client, as dma_direct_map_sg()
 * and iommu_dma_map_sg() do it (KERNEL-FACTS 5.2, 5.3).
 *
 * Two passes, like dma-iommu: the first looks at every segment (owner,
 * verdict, bus address, IOVA layout) and touches no allocator, so a
 * refusal anywhere leaves nothing to undo; the second reserves one IOVA
 * range for the whole list and writes the addresses.  dma-direct in the
 * kernel maps as it goes and unmaps on failure; with nothing to allocate
 * in direct mode the end state is the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"

#define G P2PDMA_IOVA_GRANULE

static void invalidate(struct p2pdma_sgl *s)
{
	size_t i;

	for (i = 0; i < s->nents; i++) {
		struct p2pdma_sg *sg = &s->sg[i];

		sg->seg_dma = P2PDMA_DMA_ERROR;
		sg->how = P2PDMA_DMA_UNMAPPED;
		sg->dma_address = P2PDMA_DMA_ERROR;
		sg->dma_len = 0;
		sg->dma_flags = 0;
	}
	s->dma_nents = 0;
}

/* What an earlier map found out about the segments is not this client's. */
static void forget_owners(struct p2pdma_sgl *s)
{
	size_t i;

	for (i = 0; i < s->nents; i++) {
		s->sg[i].provider = NULL;
		s->sg[i].map_type = P2PDMA_MAP_UNKNOWN;
	}
}

/* Per-call state of the first pass. */
struct pass {
	struct p2pdma_dma *d;
	const struct p2pdma_function *client;
	const struct dma_client *c;
	/* pci_p2pdma_state(): the verdict is looked up again only when the provider changes. */
	const struct p2pdma_provider *last_provider;
	enum p2pdma_map_type last_type;
	char reason[P2PDMA_REASON_MAX];
	struct p2pmem_range *last_range;
	/* The RAM window (or assumed-RAM gap) of the last host segment. */
	bool host_valid;
	uint64_t host_lo, host_hi;
	uint64_t iova_len;		/* layout cursor of the IOVA range */
};

static int refuse(struct pass *ps, size_t i, const struct p2pdma_sg *sg,
		  enum p2pdma_map_type t, struct p2pdma_error *e)
{
	char prov[P2PDMA_BDF_STRLEN], cli[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&sg->provider->fn->bdf, prov, sizeof(prov));
	p2pdma_bdf_format(&ps->client->bdf, cli, sizeof(cli));
	return p2pdma_fail(e, -EREMOTEIO,
			   "segment %zu (p2pmem of %s at %#llx, %llu bytes): client %s cannot do peer-to-peer DMA with provider %s (%s)%s%s",
			   i, prov, (unsigned long long)sg->phys,
			   (unsigned long long)sg->len, cli, prov,
			   p2pdma_map_type_name(t), ps->reason[0] ? ": " : "",
			   ps->reason);
}

/*
 * dma-direct's dma_capable(): peer memory through the host bridge at an
 * address above the client's DMA mask cannot be bounced (it is not RAM),
 * so the map fails with DMA_MAPPING_ERROR (KERNEL-FACTS 11.5).  Host RAM
 * there would be bounced through swiotlb, which is not modelled.
 */
static bool beyond_mask(const struct p2pdma_function *client, const struct p2pdma_sg *sg)
{
	int bits = client->dma_mask_bits;

	if (bits < 0 || bits >= 64)
		return false;
	return sg->seg_dma + (sg->len - 1) > (UINT64_C(1) << bits) - 1 ||
	       sg->seg_dma + (sg->len - 1) < sg->seg_dma;
}

static int refuse_mask(struct pass *ps, size_t i, const struct p2pdma_sg *sg,
		       struct p2pdma_error *e)
{
	char cli[P2PDMA_BDF_STRLEN];

	return p2pdma_fail(e, -EIO,
			   "segment %zu (p2pmem at DMA address %#llx, %llu bytes) lies above the %d-bit DMA mask of %s: dma-direct cannot bounce peer memory, so the map fails (DMA_MAPPING_ERROR)",
			   i, (unsigned long long)sg->seg_dma, (unsigned long long)sg->len,
			   ps->client->dma_mask_bits,
			   p2pdma_bdf_format(&ps->client->bdf, cli, sizeof(cli)));
}

/* A segment that is not p2pmem must be host RAM, inside one range. */
static int check_host(struct pass *ps, size_t i, const struct p2pdma_sg *sg,
		      struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	struct p2pdma_addr_owner o;

	p2pdma_addr_map_lookup(p2pdma_mem_addr_map(ps->d->mem), sg->phys, &o);
	switch (o.kind) {
	case P2PDMA_ADDR_RAM:
	case P2PDMA_ADDR_RAM_ASSUMED:
		if (sg->len - 1 > o.last - sg->phys)
			return p2pdma_fail(e, -EINVAL,
					   "segment %zu [%#llx, %llu bytes] runs past the end of host RAM at %#llx",
					   i, (unsigned long long)sg->phys,
					   (unsigned long long)sg->len,
					   (unsigned long long)o.last);
		ps->host_valid = true;
		ps->host_lo = o.start;
		ps->host_hi = o.last;
		return 0;
	case P2PDMA_ADDR_BAR:
		return p2pdma_fail(e, -EINVAL,
				   "segment %zu at %#llx is in BAR %d of %s, which is not p2pmem (register it as a provider, or map it with map_resource)",
				   i, (unsigned long long)sg->phys, o.bar,
				   p2pdma_bdf_format(&o.fn->bdf, name, sizeof(name)));
	case P2PDMA_ADDR_UNCLAIMED:
		break;
	}
	return p2pdma_fail(e, -EINVAL,
			   "segment %zu at %#llx is neither host RAM nor p2pmem",
			   i, (unsigned long long)sg->phys);
}

static struct p2pmem_range *find_range(struct pass *ps, size_t i,
				       const struct p2pdma_sg *sg, struct p2pdma_error *e,
				       int *err)
{
	struct p2pmem_range *r = ps->last_range;
	char name[P2PDMA_BDF_STRLEN];
	bool partial;

	*err = 0;
	/* Lists are mostly runs from one buffer: try the last range first. */
	if (r && sg->phys >= r->phys && sg->phys <= r->last && sg->len - 1 <= r->last - sg->phys)
		return r;
	r = p2pmem_find(ps->d->mem, sg->phys, sg->len, &partial);
	if (partial) {
		r = p2pmem_find(ps->d->mem, sg->phys, 1, &partial);
		*err = p2pdma_fail(e, -EINVAL,
				   "segment %zu [%#llx, %llu bytes] runs past the end of the p2pmem range [%#llx-%#llx] of %s",
				   i, (unsigned long long)sg->phys,
				   (unsigned long long)sg->len,
				   (unsigned long long)r->phys, (unsigned long long)r->last,
				   p2pdma_bdf_format(&r->provider->fn->bdf, name, sizeof(name)));
		return NULL;
	}
	if (r)
		ps->last_range = r;
	return r;
}

/* Reserve this segment's place in the IOVA range; keep its offset in seg_dma for now. */
static void layout_iova(struct pass *ps, struct p2pdma_sg *sg)
{
	uint64_t off = sg->phys & (G - 1);

	sg->how = P2PDMA_DMA_IOVA;
	sg->seg_dma = ps->iova_len + off;
	ps->iova_len += (off + sg->len + G - 1) & ~(G - 1);
}

static int classify(struct pass *ps, struct p2pdma_sgl *s, struct p2pdma_error *e)
{
	bool iommu = ps->c->mode == P2PDMA_DMA_MODE_IOMMU;
	size_t i;
	int ret;

	for (i = 0; i < s->nents; i++) {
		struct p2pdma_sg *sg = &s->sg[i];
		struct p2pmem_range *r = NULL;

		s->failed = (ptrdiff_t)i;
		/*
		 * RAM (or an assumed-RAM gap between BARs) never holds p2pmem,
		 * so a segment inside the last host window is host memory.
		 */
		if (ps->host_valid && sg->phys >= ps->host_lo && sg->phys <= ps->host_hi &&
		    sg->len - 1 <= ps->host_hi - sg->phys) {
			sg->provider = NULL;
			sg->map_type = P2PDMA_MAP_UNKNOWN;
			goto map_normally;
		}
		r = find_range(ps, i, sg, e, &ret);
		if (ret)
			return ret;
		sg->provider = r ? r->provider : NULL;
		sg->map_type = P2PDMA_MAP_UNKNOWN;
		if (!r) {
			ret = check_host(ps, i, sg, e);
			if (ret)
				return ret;
		} else {
			if (r->provider != ps->last_provider) {
				ps->last_provider = r->provider;
				ps->last_type = dma_verdict(ps->d, r->provider->fn, ps->client,
							    ps->reason, sizeof(ps->reason));
			}
			sg->map_type = ps->last_type;
			if (ps->last_type == P2PDMA_MAP_BUS_ADDR) {
				/* Bus address, marked: no IOVA, nothing to unmap. */
				sg->seg_dma = r->bus + (sg->phys - r->phys);
				sg->how = P2PDMA_DMA_BUS_ADDR;
				continue;
			}
			if (ps->last_type != P2PDMA_MAP_THRU_HOST_BRIDGE)
				return refuse(ps, i, sg, ps->last_type, e);
		}
map_normally:
		/* Host memory, or p2pmem through the host bridge: a normal mapping. */
		if (iommu) {
			layout_iova(ps, sg);
		} else {
			sg->how = P2PDMA_DMA_DIRECT;
			sg->seg_dma = sg->phys + ps->client->dma_offset;
			if (r && beyond_mask(ps->client, sg))
				return refuse_mask(ps, i, sg, e);
		}
	}
	s->failed = -1;
	return 0;
}

/* dma-direct: one DMA entry per segment, no merging. */
static size_t emit_direct(struct p2pdma_sgl *s)
{
	size_t i;

	for (i = 0; i < s->nents; i++) {
		struct p2pdma_sg *sg = &s->sg[i];

		sg->dma_address = sg->seg_dma;
		sg->dma_len = sg->len;
		sg->dma_flags = sg->how == P2PDMA_DMA_BUS_ADDR ? P2PDMA_SG_DMA_BUS_ADDRESS : 0;
	}
	return s->nents;
}

/*
 * dma-iommu's __finalise_sg(): IOVA-contiguous segments share an entry up
 * to @max bytes; every bus-address segment is an entry of its own and
 * ends the entry being built.  Entry k <= segment i, so writing entries
 * in place never clobbers a segment not yet read.
 */
static size_t emit_iommu(struct p2pdma_sgl *s, uint64_t iova, uint64_t max)
{
	size_t i, n = 0;
	bool open = false;

	for (i = 0; i < s->nents; i++) {
		struct p2pdma_sg *sg = &s->sg[i];
		struct p2pdma_sg *cur = n ? &s->sg[n - 1] : NULL;

		if (sg->how == P2PDMA_DMA_BUS_ADDR) {
			s->sg[n].dma_address = sg->seg_dma;
			s->sg[n].dma_len = sg->len;
			s->sg[n].dma_flags = P2PDMA_SG_DMA_BUS_ADDRESS;
			n++;
			open = false;
			continue;
		}
		sg->seg_dma += iova;
		if (open && cur->dma_address + cur->dma_len == sg->seg_dma &&
		    cur->dma_len + sg->len <= max) {
			cur->dma_len += sg->len;
			continue;
		}
		s->sg[n].dma_address = sg->seg_dma;
		s->sg[n].dma_len = sg->len;
		s->sg[n].dma_flags = 0;
		n++;
		open = true;
	}
	/* Entries past the list's end in the kernel's layout carry nothing. */
	for (i = n; i < s->nents; i++) {
		s->sg[i].dma_address = P2PDMA_DMA_ERROR;
		s->sg[i].dma_len = 0;
		s->sg[i].dma_flags = 0;
	}
	return n;
}

static int fail_map(struct p2pdma_sgl *s, int ret)
{
	invalidate(s);
	return ret;
}

int p2pdma_dma_map_sg(struct p2pdma_dma *d, const struct p2pdma_function *client,
		      struct p2pdma_sgl *s, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	struct pass ps = { .d = d, .client = client };
	uint64_t iova = 0;
	int ret;

	s->failed = -1;
	ps.c = dma_client_of(d, client, e);
	if (!ps.c)
		return -EINVAL;
	p2pdma_bdf_format(&client->bdf, name, sizeof(name));
	if (s->mapped)
		return p2pdma_fail(e, -EINVAL, "the list is already mapped; unmap it before mapping it for %s",
				   name);
	if (!s->nents)
		return p2pdma_fail(e, -EINVAL, "cannot map an empty list for %s", name);
	invalidate(s);
	forget_owners(s);
	if (ps.c->mode == P2PDMA_DMA_MODE_BLOCKED)
		return p2pdma_fail(e, -EIO, "%s: IOMMU group %d is blocked: the device may not do DMA",
				   name, ps.c->group);
	p2pdma_mem_read_lock(d->mem);
	ret = classify(&ps, s, e);
	p2pdma_mem_read_unlock(d->mem);
	if (!ret)
		ret = p2pdma_dma_release_check(d, client, s, e);
	if (ret)
		return fail_map(s, ret);
	if (ps.iova_len && iova_alloc(ps.c->domain, ps.iova_len, &iova))
		return fail_map(s, p2pdma_fail(e, -ENOMEM,
					       "%s: no room for %llu bytes in the IOVA space of IOMMU group %d",
					       name, (unsigned long long)ps.iova_len, ps.c->group));
	if (ps.c->mode == P2PDMA_DMA_MODE_IOMMU)
		s->dma_nents = emit_iommu(s, iova, d->max_seg_size);
	else
		s->dma_nents = emit_direct(s);
	s->mapped = true;
	s->client = client;
	s->domain = ps.iova_len ? ps.c->domain : NULL;
	s->iova = iova;
	s->iova_len = ps.iova_len;
	return (int)(s->dma_nents > INT32_MAX ? INT32_MAX : s->dma_nents);
}

int p2pdma_dma_unmap_sg(struct p2pdma_dma *d, const struct p2pdma_function *client,
			struct p2pdma_sgl *s, struct p2pdma_error *e)
{
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];

	if (!s->mapped)
		return p2pdma_fail(e, -EINVAL,
				   "unmap of a list that is not mapped (never mapped, or unmapped already)");
	if (s->client != client)
		return p2pdma_fail(e, -EINVAL, "the list is mapped for %s, not for %s",
				   p2pdma_bdf_format(&s->client->bdf, a, sizeof(a)),
				   client ? p2pdma_bdf_format(&client->bdf, b, sizeof(b)) : "(none)");
	/* Bus-address segments hold nothing; only the IOVA range goes back. */
	if (s->domain && iova_free(s->domain, s->iova, s->iova_len))
		return p2pdma_fail(e, -EINVAL,
				   "IOVA %#llx (%llu bytes) is not mapped in the domain of IOMMU group %d",
				   (unsigned long long)s->iova, (unsigned long long)s->iova_len,
				   s->domain->group);
	invalidate(s);
	s->mapped = false;
	s->client = NULL;
	s->domain = NULL;
	s->iova = s->iova_len = 0;
	return 0;
}
