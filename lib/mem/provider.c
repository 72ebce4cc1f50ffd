// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pmem providers: registering BAR ranges with the kernel's checks
 * (pci_p2pdma_add_resource), publish, the sysfs numbers, and removal
 * that never frees what is still allocated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "mem_internal.h"

static const char *fn_name(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

/*
 * The argument checks, in the kernel's order.  Each refusal names the
 * function, the BAR and the numbers, so the caller can fix the call.
 */
static int check_range(const struct p2pdma_function *fn, int bar, uint64_t *size,
		       uint64_t offset, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], a[32], b[32];
	const struct p2pdma_bar *r;
	uint64_t start;

	fn_name(fn, name);
	if (bar < 0 || bar >= P2PDMA_NUM_BARS)
		return p2pdma_fail(e, -EINVAL, "%s: BAR %d does not exist (BARs are 0-5)",
				   name, bar);
	r = &fn->bars[bar];
	if (!r->size)
		return p2pdma_fail(e, -EINVAL, "%s: BAR %d is not in use", name, bar);
	if (r->flags & P2PDMA_BAR_IO)
		return p2pdma_fail(e, -EINVAL,
				   "%s: BAR %d is an I/O port BAR; p2pmem must be a memory BAR",
				   name, bar);
	if (!(r->flags & P2PDMA_BAR_MEM))
		return p2pdma_fail(e, -EINVAL, "%s: BAR %d is not a memory BAR", name, bar);
	if (!r->start)
		return p2pdma_fail(e, -EINVAL, "%s: BAR %d has no address assigned",
				   name, bar);
	if (offset >= r->size)
		return p2pdma_fail(e, -EINVAL,
				   "%s: offset %#llx is not inside BAR %d (%s)", name,
				   (unsigned long long)offset, bar,
				   p2pdma_size_format(r->size, a, sizeof(a)));
	if (!*size)
		*size = r->size - offset;
	if (*size > r->size - offset)
		return p2pdma_fail(e, -EINVAL,
				   "%s: %s at offset %#llx runs past the end of BAR %d (%s)",
				   name, p2pdma_size_format(*size, a, sizeof(a)),
				   (unsigned long long)offset, bar,
				   p2pdma_size_format(r->size, b, sizeof(b)));
	start = r->start + offset;
	if (start % P2PDMA_P2PMEM_ALIGN)
		return p2pdma_fail(e, -EINVAL,
				   "%s: p2pmem start %#llx (BAR %d + %#llx) is not aligned to 2 MiB, as memory hot-plug (memremap_pages) needs",
				   name, (unsigned long long)start, bar,
				   (unsigned long long)offset);
	if (*size % P2PDMA_P2PMEM_ALIGN)
		return p2pdma_fail(e, -EINVAL,
				   "%s: p2pmem size %s is not a multiple of 2 MiB, as memory hot-plug (memremap_pages) needs",
				   name, p2pdma_size_format(*size, a, sizeof(a)));
	return 0;
}

static struct p2pmem_range *range_new(const struct p2pdma_function *fn, int bar,
				      uint64_t size, uint64_t offset)
{
	struct p2pmem_range *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->bar = bar;
	r->offset = offset;
	r->phys = fn->bars[bar].start + offset;
	r->size = size;
	r->last = r->phys + size - 1;
	r->bus = p2pdma_function_bus_addr(fn, r->phys);
	if (buddy_init(&r->buddy, size / P2PDMA_PAGE_SIZE)) {
		free(r);
		return NULL;
	}
	if (p2pdma_range_user_init(r)) {
		p2pdma_range_destroy(r);
		return NULL;
	}
	return r;
}

static struct p2pdma_provider *provider_new(struct p2pdma_mem *m,
					    const struct p2pdma_function *fn)
{
	struct p2pdma_provider *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->mem = m;
	p->fn = fn;
	atomic_init(&p->state, PROVIDER_LIVE);
	p2pdma_spin_init(&p->lock);
	atomic_init(&p->published, false);
	pthread_mutex_init(&p->wait_lock, NULL);
	pthread_cond_init(&p->wait_cond, NULL);
	return p;
}

void p2pdma_provider_destroy(struct p2pdma_provider *p)
{
	size_t i;

	for (i = 0; i < p->nr_ranges; i++)
		p2pdma_range_destroy(p->ranges[i]);
	free(p->ranges);
	free(atomic_load(&p->slots));
	pthread_mutex_destroy(&p->wait_lock);
	pthread_cond_destroy(&p->wait_cond);
	free(p);
}

/*
 * Allocators read p->ranges under p->lock only, so a new array is built
 * aside and swapped in under the lock.  Adds are serialized by the
 * context's write lock, so nobody else changes the old array meanwhile.
 */
static int append_range(struct p2pdma_provider *p, struct p2pmem_range *r)
{
	struct p2pmem_range **old, **arr = malloc((p->nr_ranges + 1) * sizeof(*arr));

	if (!arr)
		return -ENOMEM;
	if (p->nr_ranges)
		memcpy(arr, p->ranges, p->nr_ranges * sizeof(*arr));
	arr[p->nr_ranges] = r;
	r->provider = p;
	p2pdma_spin_lock(&p->lock);
	old = p->ranges;
	p->ranges = arr;
	p->nr_ranges++;
	p2pdma_spin_unlock(&p->lock);
	free(old);
	return 0;
}

static bool function_of(const struct p2pdma_fabric *f, const struct p2pdma_function *fn)
{
	return fn && fn->index < f->nr_fns && f->fns[fn->index] == fn;
}

static int register_range(struct p2pdma_mem *m, const struct p2pdma_function *fn,
			  struct p2pmem_range *r, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], other[P2PDMA_BDF_STRLEN];
	struct p2pdma_provider *p = NULL, *fresh = NULL;
	struct p2pmem_range *clash;
	size_t i;

	fn_name(fn, name);
	clash = p2pdma_mem_overlap(m, r->phys, r->last);
	if (clash)
		return p2pdma_fail(e, -EEXIST,
				   "%s: [%#llx-%#llx] overlaps p2pmem [%#llx-%#llx] already registered by %s",
				   name, (unsigned long long)r->phys,
				   (unsigned long long)r->last,
				   (unsigned long long)clash->phys,
				   (unsigned long long)clash->last,
				   fn_name(clash->provider->fn, other));
	for (i = 0; i < m->nr_live; i++)
		if (m->live[i]->fn == fn)
			p = m->live[i];
	if (p && p->state != PROVIDER_LIVE)
		return p2pdma_fail(e, -ENODEV, "%s: its provider is being removed", name);
	if (!p) {
		p = fresh = provider_new(m, fn);
		if (!p || p2pdma_mem_link_provider(m, p))
			goto nomem;
	}
	if (append_range(p, r))
		goto nomem;
	if (p2pdma_mem_index_range(m, r)) {
		/* Keep the provider consistent: forget the range again. */
		p2pdma_spin_lock(&p->lock);
		p->nr_ranges--;
		p2pdma_spin_unlock(&p->lock);
		goto nomem;
	}
	p2pdma_pcpu_range_added(p, r);
	return 0;
nomem:
	if (fresh) {
		p2pdma_mem_unlink_provider(m, fresh);
		if (m->nr_all && m->all[m->nr_all - 1] == fresh)
			m->nr_all--;
		p2pdma_provider_destroy(fresh);
	}
	return p2pdma_fail(e, -ENOMEM, "out of memory");
}

int p2pdma_provider_add(struct p2pdma_mem *m, const struct p2pdma_function *fn,
			int bar, uint64_t size, uint64_t offset,
			struct p2pdma_error *e)
{
	struct p2pmem_range *r;
	int ret;

	if (!function_of(m->f, fn))
		return p2pdma_fail(e, -EINVAL, "not a function of this machine");
	ret = check_range(fn, bar, &size, offset, e);
	if (ret)
		return ret;
	r = range_new(fn, bar, size, offset);
	if (!r)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	pthread_rwlock_wrlock(&m->lock);
	ret = register_range(m, fn, r, e);
	pthread_rwlock_unlock(&m->lock);
	if (ret) {
		/* register_range() may have taken it into a fresh provider: not on failure. */
		p2pdma_range_destroy(r);
	}
	return ret;
}

const struct p2pdma_function *p2pdma_provider_function(const struct p2pdma_provider *p)
{
	return p->fn;
}

void p2pdma_provider_publish(struct p2pdma_provider *p, bool publish)
{
	atomic_store(&p->published, publish);
}

bool p2pdma_provider_published(const struct p2pdma_provider *p)
{
	return atomic_load(&((struct p2pdma_provider *)p)->published);
}

/* Readers of a const provider still take its lock (see p2pdma_mem_read_lock). */
static struct p2pdma_spinlock *lock_of(const struct p2pdma_provider *p)
{
	return (struct p2pdma_spinlock *)&p->lock;
}

uint64_t p2pdma_provider_size(const struct p2pdma_provider *p)
{
	uint64_t s = 0;
	size_t i;

	p2pdma_spin_lock(lock_of(p));
	for (i = 0; i < p->nr_ranges; i++)
		s += p->ranges[i]->size;
	p2pdma_spin_unlock(lock_of(p));
	return s;
}

/* Exact: with every thread's slot locked, the slots' pages count as free. */
uint64_t p2pdma_provider_available(const struct p2pdma_provider *p)
{
	struct p2pdma_provider *w = (struct p2pdma_provider *)p;
	uint64_t s;
	size_t i;

	p2pdma_pcpu_lock_all(w);
	s = p2pdma_pcpu_cached_pages(p);
	for (i = 0; i < p->nr_ranges; i++)
		s += p->ranges[i]->buddy.free_pages;
	p2pdma_pcpu_unlock_all(w);
	return s * P2PDMA_PAGE_SIZE;
}

uint64_t p2pdma_provider_nr_allocated(const struct p2pdma_provider *p)
{
	struct p2pdma_provider *w = (struct p2pdma_provider *)p;
	int64_t n;

	p2pdma_pcpu_lock_all(w);
	n = p2pdma_pcpu_outstanding(p);
	p2pdma_pcpu_unlock_all(w);
	return (uint64_t)n;
}

size_t p2pdma_provider_nr_ranges(const struct p2pdma_provider *p)
{
	size_t n;

	p2pdma_spin_lock(lock_of(p));
	n = p->nr_ranges;
	p2pdma_spin_unlock(lock_of(p));
	return n;
}

int p2pdma_provider_range(const struct p2pdma_provider *p, size_t i,
			  struct p2pdma_p2pmem_range *out)
{
	int ret = -ENOENT;

	p2pdma_spin_lock(lock_of(p));
	if (i < p->nr_ranges) {
		const struct p2pmem_range *r = p->ranges[i];

		out->bar = r->bar;
		out->offset = r->offset;
		out->phys = r->phys;
		out->bus = r->bus;
		out->size = r->size;
		ret = 0;
	}
	p2pdma_spin_unlock(lock_of(p));
	return ret;
}

uint64_t p2pdma_provider_bus_addr(const struct p2pdma_provider *p, uint64_t phys)
{
	return p2pdma_function_bus_addr(p->fn, phys);
}

uint64_t p2pdma_provider_phys_addr(const struct p2pdma_provider *p, uint64_t bus)
{
	/* Two's complement: subtracting works for "negative" offsets too. */
	return bus - p->fn->host->bus_offset;
}

/* Sleep until the last buffer is freed (the free path wakes us). */
static void wait_until_free(struct p2pdma_provider *p)
{
	pthread_mutex_lock(&p->wait_lock);
	for (;;) {
		uint64_t n;

		/* Dying: the slots are frozen, the provider's lock is enough. */
		p2pdma_spin_lock(&p->lock);
		n = (uint64_t)p2pdma_pcpu_outstanding(p);
		p2pdma_spin_unlock(&p->lock);
		if (!n)
			break;
		pthread_cond_wait(&p->wait_cond, &p->wait_lock);
	}
	pthread_mutex_unlock(&p->wait_lock);
}

int p2pdma_provider_remove(struct p2pdma_mem *m, struct p2pdma_provider *p,
			   unsigned int flags, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	struct p2pmem_range **ranges;
	uint64_t out;
	size_t nr, i;

	fn_name(p->fn, name);
	if (p->mem != m)
		return p2pdma_fail(e, -EINVAL, "%s: provider of another context", name);
	/* Every slot locked: no allocation or free is half done. */
	p2pdma_pcpu_lock_all(p);
	if (p->state != PROVIDER_LIVE) {
		p2pdma_pcpu_unlock_all(p);
		return p2pdma_fail(e, -ENODEV, "%s: provider already removed", name);
	}
	out = (uint64_t)p2pdma_pcpu_outstanding(p);
	if (out && !(flags & P2PDMA_REMOVE_WAIT)) {
		p2pdma_pcpu_unlock_all(p);
		return p2pdma_fail(e, -EBUSY,
				   "%s: %llu p2pmem buffer%s still allocated; free them first, or remove with wait",
				   name, (unsigned long long)out, out == 1 ? " is" : "s are");
	}
	/* From here on tryget_live fails, as after percpu_ref_kill(). */
	p2pdma_pcpu_freeze(p);
	p->state = PROVIDER_DYING;
	p2pdma_pcpu_unlock_all(p);
	atomic_store(&p->published, false);
	if (out)
		wait_until_free(p);

	pthread_rwlock_wrlock(&m->lock);
	p2pdma_mem_unlink_provider(m, p);
	pthread_rwlock_unlock(&m->lock);

	p2pdma_pcpu_lock_all(p);
	p->state = PROVIDER_DEAD;
	p2pdma_pcpu_forget(p);
	ranges = p->ranges;
	nr = p->nr_ranges;
	p->ranges = NULL;
	p->nr_ranges = 0;
	p2pdma_pcpu_unlock_all(p);
	for (i = 0; i < nr; i++)
		p2pdma_range_destroy(ranges[i]);
	free(ranges);
	return 0;
}

uint64_t p2pdma_provider_state_hash(struct p2pdma_provider *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	enum provider_state st;
	size_t i;

	p2pdma_pcpu_lock_all(p);
	st = p->state;
	h = p2pdma_fnv1a(h, &st, sizeof(st));
	h = p2pdma_pcpu_hash(p, h);
	for (i = 0; i < p->nr_ranges; i++) {
		uint64_t b = buddy_hash(&p->ranges[i]->buddy);

		h = p2pdma_fnv1a(h, &b, sizeof(b));
	}
	p2pdma_pcpu_unlock_all(p);
	return h;
}

int p2pdma_provider_check(struct p2pdma_provider *p)
{
	uint64_t allocs = 0;
	size_t i;
	int ret = 0;

	p2pdma_pcpu_lock_all(p);
	for (i = 0; i < p->nr_ranges && !ret; i++) {
		ret = buddy_check(&p->ranges[i]->buddy);
		allocs += p->ranges[i]->buddy.nr_allocs;
	}
	/* The buddies count the blocks lent to the slots as allocations. */
	if (!ret && (int64_t)allocs != (int64_t)p->nr_allocated + p->lent)
		ret = -EIO;
	if (!ret)
		ret = p2pdma_pcpu_check(p);
	p2pdma_pcpu_unlock_all(p);
	return ret;
}
