// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Allocating and freeing p2pmem buffers (pci_alloc_p2pmem and
 * pci_free_p2pmem).  The fast path is one spinlock round trip around the
 * range's buddy allocator; messages are composed only on failure.
 */
#include <errno.h>

#include "util.h"
#include "mem_internal.h"

static uint64_t pages_of(uint64_t size)
{
	return size / P2PDMA_PAGE_SIZE + !!(size % P2PDMA_PAGE_SIZE);
}

/* Why an allocation failed, with the numbers a user needs. */
static int alloc_failed(struct p2pdma_provider *p, uint64_t size, uint64_t n,
			struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], a[32], b[32], c[32];
	uint64_t total = 0, avail = 0, run = 0;
	size_t i;

	if (!e)
		return -ENOMEM;
	p2pdma_spin_lock(&p->lock);
	for (i = 0; i < p->nr_ranges; i++) {
		struct buddy *bd = &p->ranges[i]->buddy;
		uint64_t r;

		total += p->ranges[i]->size;
		avail += bd->free_pages * P2PDMA_PAGE_SIZE;
		r = buddy_largest_run(bd) * P2PDMA_PAGE_SIZE;
		if (r > run)
			run = r;
	}
	p2pdma_spin_unlock(&p->lock);
	p2pdma_bdf_format(&p->fn->bdf, name, sizeof(name));
	p2pdma_size_format(size, a, sizeof(a));
	if (n > total / P2PDMA_PAGE_SIZE)
		return p2pdma_fail(e, -ENOMEM, "%s: %s is larger than its p2pmem pool (%s)",
				   name, a, p2pdma_size_format(total, b, sizeof(b)));
	return p2pdma_fail(e, -ENOMEM,
			   "%s: no contiguous %s free in one p2pmem range (%s available, longest free run %s)",
			   name, a, p2pdma_size_format(avail, b, sizeof(b)),
			   p2pdma_size_format(run, c, sizeof(c)));
}

int p2pdma_p2pmem_alloc(struct p2pdma_provider *p, uint64_t size,
			uint64_t *phys, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	uint64_t n = pages_of(size);
	size_t i;

	if (!size)
		return p2pdma_fail(e, -EINVAL, "%s: cannot allocate 0 bytes",
				   p2pdma_bdf_format(&p->fn->bdf, name, sizeof(name)));
	p2pdma_spin_lock(&p->lock);
	if (p->state != PROVIDER_LIVE) {
		p2pdma_spin_unlock(&p->lock);
		return p2pdma_fail(e, -ENODEV, "%s: the provider is being or was removed",
				   p2pdma_bdf_format(&p->fn->bdf, name, sizeof(name)));
	}
	/* Newest range first, as genpool walks its chunk list. */
	for (i = p->nr_ranges; i-- > 0;) {
		struct p2pmem_range *r = p->ranges[i];
		int64_t idx = buddy_alloc(&r->buddy, n);

		if (idx >= 0) {
			p->nr_allocated++;
			p2pdma_spin_unlock(&p->lock);
			*phys = r->phys + (uint64_t)idx * P2PDMA_PAGE_SIZE;
			return 0;
		}
	}
	p2pdma_spin_unlock(&p->lock);
	return alloc_failed(p, size, n, e);
}

static struct p2pmem_range *range_of(const struct p2pdma_provider *p, uint64_t phys)
{
	size_t i;

	for (i = 0; i < p->nr_ranges; i++)
		if (phys >= p->ranges[i]->phys && phys <= p->ranges[i]->last)
			return p->ranges[i];
	return NULL;
}

static int free_failed(struct p2pdma_provider *p, uint64_t phys, uint64_t size,
		       bool dead, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], a[32];

	p2pdma_bdf_format(&p->fn->bdf, name, sizeof(name));
	if (!size)
		return p2pdma_fail(e, -EINVAL, "%s: free of 0 bytes at %#llx", name,
				   (unsigned long long)phys);
	if (phys % P2PDMA_PAGE_SIZE)
		return p2pdma_fail(e, -EINVAL, "%s: %#llx is not page aligned, so not a p2pmem buffer",
				   name, (unsigned long long)phys);
	if (dead)
		return p2pdma_fail(e, -EINVAL, "%s: %#llx is not p2pmem of this provider (it was removed)",
				   name, (unsigned long long)phys);
	return p2pdma_fail(e, -EINVAL,
			   "%s: [%#llx, %s] is not an allocated buffer (a double free, or not the size that was allocated)",
			   name, (unsigned long long)phys, p2pdma_size_format(size, a, sizeof(a)));
}

int p2pdma_p2pmem_free(struct p2pdma_provider *p, uint64_t phys, uint64_t size,
		       struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	struct p2pmem_range *r;
	bool wake, dead;
	int ret;

	if (!size || phys % P2PDMA_PAGE_SIZE)
		return free_failed(p, phys, size, false, e);
	p2pdma_spin_lock(&p->lock);
	r = range_of(p, phys);
	if (!r) {
		dead = p->state == PROVIDER_DEAD;
		p2pdma_spin_unlock(&p->lock);
		if (dead)
			return free_failed(p, phys, size, true, e);
		return p2pdma_fail(e, -EINVAL, "%s: %#llx is not p2pmem of this provider",
				   p2pdma_bdf_format(&p->fn->bdf, name, sizeof(name)),
				   (unsigned long long)phys);
	}
	ret = buddy_free(&r->buddy, (phys - r->phys) / P2PDMA_PAGE_SIZE, pages_of(size));
	if (!ret)
		p->nr_allocated--;
	wake = !ret && p->state == PROVIDER_DYING && !p->nr_allocated;
	p2pdma_spin_unlock(&p->lock);
	if (ret)
		return free_failed(p, phys, size, false, e);
	if (wake) {
		pthread_mutex_lock(&p->wait_lock);
		pthread_cond_broadcast(&p->wait_cond);
		pthread_mutex_unlock(&p->wait_lock);
	}
	return 0;
}

static int check_in_range(struct p2pmem_range *r, uint64_t phys, uint64_t len,
			  uint64_t *bad)
{
	uint64_t first = (phys - r->phys) / P2PDMA_PAGE_SIZE;
	uint64_t end = phys + len - 1 > r->last ? r->last : phys + len - 1;
	uint64_t n = (end - r->phys) / P2PDMA_PAGE_SIZE - first + 1, ok;

	p2pdma_spin_lock(&r->provider->lock);
	ok = r->provider->state == PROVIDER_DEAD ? 0 : buddy_allocated_run(&r->buddy, first, n);
	p2pdma_spin_unlock(&r->provider->lock);
	if (ok == n && phys + len - 1 <= r->last)
		return 1;
	*bad = ok == n ? r->last + 1 : r->phys + (first + ok) * P2PDMA_PAGE_SIZE;
	if (*bad < phys)
		*bad = phys;
	return -EADDRNOTAVAIL;
}

int p2pmem_check_allocated(const struct p2pdma_mem *m, uint64_t phys, uint64_t len,
			   const struct p2pdma_provider **provider, uint64_t *bad)
{
	struct p2pmem_range *r;
	bool partial;
	int ret = 0;

	p2pdma_mem_read_lock(m);
	r = p2pmem_find(m, phys, 1, &partial);
	if (r) {
		if (provider)
			*provider = r->provider;
		ret = check_in_range(r, phys, len ? len : 1, bad);
	}
	p2pdma_mem_read_unlock(m);
	return ret;
}
