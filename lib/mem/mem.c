// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The memory context: the address map, the provider lists and the index
 * of live p2pmem ranges by physical address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "mem_internal.h"

static int ram_cmp(const void *a, const void *b)
{
	const struct p2pdma_ram_range *ra = a, *rb = b;

	return (ra->start > rb->start) - (ra->start < rb->start);
}

int p2pdma_mem_new(const struct p2pdma_fabric *f,
		   const struct p2pdma_ram_range *ram, size_t nr_ram,
		   struct p2pdma_mem **out, struct p2pdma_error *e)
{
	struct p2pdma_mem *m;
	int ret;

	*out = NULL;
	if (!f || !f->finalized)
		return p2pdma_fail(e, -EINVAL, "the machine model is not finalized");
	m = calloc(1, sizeof(*m));
	if (!m)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	m->f = f;
	if (!ram) {
		ram = f->ram;
		nr_ram = f->nr_ram;
	}
	ret = p2pdma_addr_map_new(f, ram, nr_ram, &m->map, e);
	if (ret) {
		free(m);
		return ret;
	}
	/* A sorted copy for host buffers (the map has checked the ranges). */
	if (nr_ram) {
		m->ram = malloc(nr_ram * sizeof(*ram));
		if (!m->ram) {
			p2pdma_addr_map_free(m->map);
			free(m);
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
		memcpy(m->ram, ram, nr_ram * sizeof(*ram));
		qsort(m->ram, nr_ram, sizeof(*ram), ram_cmp);
		m->nr_ram = nr_ram;
	}
	pthread_rwlock_init(&m->lock, NULL);
	pthread_mutex_init(&m->host_lock, NULL);
	*out = m;
	return 0;
}

void p2pdma_mem_free(struct p2pdma_mem *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nr_all; i++)
		p2pdma_provider_destroy(m->all[i]);
	free(m->all);
	free(m->live);
	free(m->index);
	free(m->ram);
	p2pdma_addr_map_free(m->map);
	pthread_rwlock_destroy(&m->lock);
	pthread_mutex_destroy(&m->host_lock);
	free(m);
}

const struct p2pdma_fabric *p2pdma_mem_fabric(const struct p2pdma_mem *m)
{
	return m->f;
}

const struct p2pdma_addr_map *p2pdma_mem_addr_map(const struct p2pdma_mem *m)
{
	return m->map;
}

/*
 * The lock is logically part of the context's state, not of its value:
 * readers of a const context still take it.
 */
void p2pdma_mem_read_lock(const struct p2pdma_mem *m)
{
	pthread_rwlock_rdlock((pthread_rwlock_t *)&m->lock);
}

void p2pdma_mem_read_unlock(const struct p2pdma_mem *m)
{
	pthread_rwlock_unlock((pthread_rwlock_t *)&m->lock);
}

size_t p2pdma_mem_nr_providers(const struct p2pdma_mem *m)
{
	size_t n;

	p2pdma_mem_read_lock(m);
	n = m->nr_live;
	p2pdma_mem_read_unlock(m);
	return n;
}

struct p2pdma_provider *p2pdma_mem_provider(const struct p2pdma_mem *m, size_t i)
{
	struct p2pdma_provider *p = NULL;

	p2pdma_mem_read_lock(m);
	if (i < m->nr_live)
		p = m->live[i];
	p2pdma_mem_read_unlock(m);
	return p;
}

/* Position of @fn in the live list (sorted by fabric index); caller locks. */
static size_t live_pos(const struct p2pdma_mem *m, const struct p2pdma_function *fn)
{
	size_t lo = 0, hi = m->nr_live;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->live[mid]->fn->index < fn->index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct p2pdma_provider *p2pdma_provider_find(const struct p2pdma_mem *m,
					     const struct p2pdma_function *fn)
{
	struct p2pdma_provider *p = NULL;
	size_t i;

	if (!fn)
		return NULL;
	p2pdma_mem_read_lock(m);
	i = live_pos(m, fn);
	if (i < m->nr_live && m->live[i]->fn == fn)
		p = m->live[i];
	p2pdma_mem_read_unlock(m);
	return p;
}

int p2pdma_provider_lookup(const struct p2pdma_mem *m, const char *name,
			   struct p2pdma_provider **out, struct p2pdma_error *e)
{
	struct p2pdma_function *fn;
	char canon[P2PDMA_BDF_STRLEN];
	int ret;

	*out = NULL;
	ret = p2pdma_fabric_lookup(m->f, name, &fn, e);
	if (ret)
		return ret;
	*out = p2pdma_provider_find(m, fn);
	if (!*out && fn->p2pmem.present && !fn->p2pmem.size)
		return p2pdma_fail(e, -ENOMEM, "%s: its p2pmem pool is 0 B: it holds nothing",
				   p2pdma_bdf_format(&fn->bdf, canon, sizeof(canon)));
	if (!*out)
		return p2pdma_fail(e, -ENOENT, "%s has no p2pmem (it is not a provider)",
				   p2pdma_bdf_format(&fn->bdf, canon, sizeof(canon)));
	return 0;
}

/* Insert @p into the live list; caller holds the write lock. */
int p2pdma_mem_link_provider(struct p2pdma_mem *m, struct p2pdma_provider *p)
{
	size_t i = live_pos(m, p->fn);

	if (p2pdma_grow((void **)&m->all, &m->all_cap, m->nr_all + 1, sizeof(*m->all)) ||
	    p2pdma_grow((void **)&m->live, &m->live_cap, m->nr_live + 1, sizeof(*m->live)))
		return -ENOMEM;
	m->all[m->nr_all++] = p;
	memmove(&m->live[i + 1], &m->live[i], (m->nr_live - i) * sizeof(*m->live));
	m->live[i] = p;
	m->nr_live++;
	return 0;
}

/* Take @p and its ranges out of the lists; caller holds the write lock. */
void p2pdma_mem_unlink_provider(struct p2pdma_mem *m, struct p2pdma_provider *p)
{
	size_t i, j;

	i = live_pos(m, p->fn);
	if (i < m->nr_live && m->live[i] == p) {
		memmove(&m->live[i], &m->live[i + 1], (m->nr_live - i - 1) * sizeof(*m->live));
		m->nr_live--;
	}
	for (i = j = 0; i < m->nr_index; i++)
		if (m->index[i]->provider != p)
			m->index[j++] = m->index[i];
	m->nr_index = j;
}

/* Insert @r into the phys index; caller holds the write lock. */
int p2pdma_mem_index_range(struct p2pdma_mem *m, struct p2pmem_range *r)
{
	size_t lo = 0, hi = m->nr_index;

	if (p2pdma_grow((void **)&m->index, &m->index_cap, m->nr_index + 1,
			sizeof(*m->index)))
		return -ENOMEM;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->index[mid]->phys < r->phys)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&m->index[lo + 1], &m->index[lo], (m->nr_index - lo) * sizeof(*m->index));
	m->index[lo] = r;
	m->nr_index++;
	return 0;
}

/* A live range overlapping [phys, last], or NULL; caller holds the lock. */
struct p2pmem_range *p2pdma_mem_overlap(const struct p2pdma_mem *m, uint64_t phys,
					uint64_t last)
{
	size_t i;

	for (i = 0; i < m->nr_index; i++)
		if (m->index[i]->phys <= last && phys <= m->index[i]->last)
			return m->index[i];
	return NULL;
}
