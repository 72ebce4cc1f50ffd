// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOVA allocation for one IOMMU domain (see iova.h and dma.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "hbitmap.h"
#include "iova.h"
#include "p2pdma/dma.h"

#define G P2PDMA_IOVA_GRANULE
/* alloc_iova_fast() rounds sizes below this many granules to a power of two. */
#define IOVA_RCACHE_LIMIT 32

void iova_domain_init(struct p2pdma_iova_domain *d, int group)
{
	memset(d, 0, sizeof(*d));
	d->group = group;
	pthread_mutex_init(&d->lock, NULL);
}

void iova_domain_destroy(struct p2pdma_iova_domain *d)
{
	free(d->r);
	pthread_mutex_destroy(&d->lock);
	d->r = NULL;
	d->nr = d->cap = 0;
}

static uint64_t pow2_up(uint64_t x)
{
	return x <= 1 ? 1 : 1ULL << (64 - __builtin_clzll(x - 1));
}

uint64_t iova_reserve_size(uint64_t len)
{
	uint64_t pages = len / G + !!(len % G);

	if (pages < IOVA_RCACHE_LIMIT)
		pages = pow2_up(pages);
	return pages * G;
}

/*
 * Highest @size-byte range aligned to @align inside the gap [lo, hi],
 * or 0 (IOVA 0 is never handed out, so 0 can mean "none").
 */
static uint64_t fit_top(uint64_t lo, uint64_t hi, uint64_t size, uint64_t align)
{
	uint64_t start;

	if (hi < lo || hi - lo < size - 1)
		return 0;
	start = (hi - (size - 1)) & ~(align - 1);
	return start >= lo ? start : 0;
}

/* Top-down first fit below @limit; the insert position goes to *@pos. */
static uint64_t find_gap(const struct p2pdma_iova_domain *d, uint64_t size,
			 uint64_t align, uint64_t limit, size_t *pos)
{
	size_t k = d->nr;

	/* Ranges above the limit do not bound the search. */
	while (k > 0 && d->r[k - 1].lo > limit)
		k--;
	for (;; k--) {
		uint64_t lo = k ? d->r[k - 1].hi + 1 : G;
		uint64_t hi = k < d->nr && d->r[k].lo - 1 < limit ? d->r[k].lo - 1 : limit;
		uint64_t start = fit_top(lo, hi, size, align);

		if (start) {
			*pos = k;
			return start;
		}
		if (!k)
			return 0;
	}
}

static int insert_range(struct p2pdma_iova_domain *d, uint64_t len, struct iova_range nr,
			uint64_t *iova);

int iova_alloc(struct p2pdma_iova_domain *d, uint64_t len, uint64_t *iova)
{
	struct iova_range nr = { .phys = IOVA_NO_PHYS };

	return insert_range(d, len, nr, iova);
}

int iova_alloc_phys(struct p2pdma_iova_domain *d, uint64_t len, uint64_t phys,
		    uint64_t *iova)
{
	struct iova_range nr = { .phys = phys, .map_len = (len + G - 1) & ~(G - 1) };

	return insert_range(d, len, nr, iova);
}

int iova_alloc_map_sg(struct p2pdma_iova_domain *d, uint64_t len,
		      const struct p2pdma_sg *sg, size_t nents, uint64_t *iova)
{
	struct iova_range nr = { .sg = sg, .nents = nents, .phys = IOVA_NO_PHYS };

	return insert_range(d, len, nr, iova);
}

/* Reserve the IOVA for @nr (its translation filled in); on failure @nr's pieces are freed. */
static int insert_range(struct p2pdma_iova_domain *d, uint64_t len, struct iova_range nr,
			uint64_t *iova)
{
	uint64_t size = iova_reserve_size(len), align = pow2_up(size), start;
	size_t pos = 0;

	if (!len || size < len)
		return -ENOMEM;
	pthread_mutex_lock(&d->lock);
	start = find_gap(d, size, align, IOVA_LIMIT_32, &pos);
	if (!start)
		start = find_gap(d, size, align, IOVA_LIMIT_48, &pos);
	if (!start || p2pdma_grow((void **)&d->r, &d->cap, d->nr + 1, sizeof(*d->r))) {
		pthread_mutex_unlock(&d->lock);
		return -ENOMEM;
	}
	memmove(&d->r[pos + 1], &d->r[pos], (d->nr - pos) * sizeof(*d->r));
	nr.lo = start;
	nr.hi = start + size - 1;
	d->r[pos] = nr;
	d->nr++;
	d->reserved += size;
	pthread_mutex_unlock(&d->lock);
	*iova = start;
	return 0;
}

/* A mapped IOVA segment's pages: [*lo, *lo + *len) of IOVA from *phys on. */
static bool sg_pages(const struct p2pdma_sg *sg, uint64_t *lo, uint64_t *pa, uint64_t *len)
{
	uint64_t in = sg->phys & (G - 1);

	if (sg->how != P2PDMA_DMA_IOVA)
		return false;
	*lo = sg->seg_dma - in;
	*pa = sg->phys - in;
	*len = (in + sg->len + G - 1) & ~(G - 1);
	return true;
}

/*
 * Walk the list's IOVA segments for @iova; what follows on in both
 * spaces counts as contiguous, as the merged IOMMU mapping is.
 */
static int sg_translate(const struct p2pdma_sg *sg, size_t n, uint64_t iova, uint64_t *phys,
			uint64_t *contig)
{
	uint64_t lo, pa, len, end_iova, end_pa;
	size_t i;

	for (i = 0; i < n; i++)
		if (sg_pages(&sg[i], &lo, &pa, &len) && iova - lo < len)
			break;
	if (i == n)
		return -EFAULT;
	*phys = pa + (iova - lo);
	end_iova = lo + len;
	end_pa = pa + len;
	for (i++; i < n; i++) {
		if (sg[i].how == P2PDMA_DMA_BUS_ADDR)
			continue;
		if (!sg_pages(&sg[i], &lo, &pa, &len) || lo != end_iova || pa != end_pa)
			break;
		end_iova += len;
		end_pa += len;
	}
	*contig = end_iova - iova;
	return 0;
}

/* The range holding @iova (caller holds the lock), or NULL. */
static struct iova_range *range_of(struct p2pdma_iova_domain *d, uint64_t iova)
{
	size_t lo = 0, hi = d->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->r[mid].lo <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || iova > d->r[lo - 1].hi)
		return NULL;
	return &d->r[lo - 1];
}

int iova_translate(struct p2pdma_iova_domain *d, uint64_t iova, uint64_t *phys,
		   uint64_t *contig)
{
	const struct iova_range *r;
	int ret = -EFAULT;
	uint64_t off;

	pthread_mutex_lock(&d->lock);
	r = range_of(d, iova);
	if (!r)
		goto out;
	if (r->sg) {
		ret = sg_translate(r->sg, r->nents, iova, phys, contig);
		goto out;
	}
	off = iova - r->lo;
	if (r->phys != IOVA_NO_PHYS && off < r->map_len) {
		*phys = r->phys + off;
		*contig = r->map_len - off;
		ret = 0;
	}
out:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int iova_free(struct p2pdma_iova_domain *d, uint64_t iova, uint64_t len)
{
	uint64_t size = iova_reserve_size(len);
	size_t lo = 0, hi;
	int ret = -EINVAL;

	pthread_mutex_lock(&d->lock);
	hi = d->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->r[mid].lo < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nr && d->r[lo].lo == iova && d->r[lo].hi - d->r[lo].lo + 1 == size) {
		memmove(&d->r[lo], &d->r[lo + 1], (d->nr - lo - 1) * sizeof(*d->r));
		d->nr--;
		d->reserved -= size;
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

uint64_t iova_reserved(struct p2pdma_iova_domain *d)
{
	uint64_t n;

	pthread_mutex_lock(&d->lock);
	n = d->reserved;
	pthread_mutex_unlock(&d->lock);
	return n;
}

uint64_t iova_hash(struct p2pdma_iova_domain *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	pthread_mutex_lock(&d->lock);
	h = p2pdma_fnv1a(h, &d->nr, sizeof(d->nr));
	h = p2pdma_fnv1a(h, &d->reserved, sizeof(d->reserved));
	/* Bounds only: the translation pointers differ from run to run. */
	for (size_t i = 0; i < d->nr; i++) {
		h = p2pdma_fnv1a(h, &d->r[i].lo, sizeof(d->r[i].lo));
		h = p2pdma_fnv1a(h, &d->r[i].hi, sizeof(d->r[i].hi));
	}
	pthread_mutex_unlock(&d->lock);
	return h;
}
