// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host buffers for scatter-gather lists: page-aligned addresses in host
 * RAM, bump-allocated.  Only addresses matter to the DMA model, so these
 * are never reused and never freed before the context goes.
 */
#include <errno.h>

#include "util.h"
#include "mem_internal.h"

#define HOST_ASSUMED_BASE (4ULL << 30)	/* above the 32-bit MMIO hole */

static uint64_t page_up(uint64_t a)
{
	return (a + P2PDMA_PAGE_SIZE - 1) & ~(P2PDMA_PAGE_SIZE - 1);
}

static bool fits(uint64_t a, uint64_t size, uint64_t last)
{
	return a <= last && size - 1 <= last - a;
}

/* The first known RAM range with room at or above the bump pointer. */
static int host_from_ram(struct p2pdma_mem *m, uint64_t size, uint64_t *phys)
{
	size_t i;

	for (i = 0; i < m->nr_ram; i++) {
		uint64_t last = m->ram[i].start + m->ram[i].size - 1;
		uint64_t a = m->ram[i].start > m->host_next ? m->ram[i].start : m->host_next;

		/* Never page 0: firmware keeps it, and 0 reads as "no address". */
		a = page_up(a ? a : 1);
		if (a && fits(a, size, last)) {
			*phys = a;
			return 0;
		}
	}
	return -ENOMEM;
}

/* RAM unknown: the first gap at or above 4 GiB that no BAR claims. */
static int host_from_gaps(struct p2pdma_mem *m, uint64_t size, uint64_t *phys)
{
	uint64_t a = page_up(m->host_next > HOST_ASSUMED_BASE ? m->host_next :
			     HOST_ASSUMED_BASE);

	while (a) {
		struct p2pdma_addr_owner o;

		p2pdma_addr_map_lookup(m->map, a, &o);
		if (o.kind == P2PDMA_ADDR_RAM_ASSUMED && fits(a, size, o.last)) {
			*phys = a;
			return 0;
		}
		if (o.last == UINT64_MAX)
			break;
		a = page_up(o.last + 1);
	}
	return -ENOMEM;
}

int p2pdma_mem_host_alloc(struct p2pdma_mem *m, uint64_t size, uint64_t *phys,
			  struct p2pdma_error *e)
{
	char a[32];
	int ret;

	if (!size)
		return p2pdma_fail(e, -EINVAL, "host buffer of 0 bytes");
	if (size > UINT64_MAX - P2PDMA_PAGE_SIZE)
		return p2pdma_fail(e, -ENOMEM, "host buffer too large");
	size = page_up(size);
	pthread_mutex_lock(&m->host_lock);
	ret = m->nr_ram ? host_from_ram(m, size, phys) : host_from_gaps(m, size, phys);
	if (!ret)	/* a buffer ending at 2^64 leaves nothing after it */
		m->host_next = *phys + size ? *phys + size : UINT64_MAX;
	pthread_mutex_unlock(&m->host_lock);
	if (ret)
		return p2pdma_fail(e, ret, "no %s of host RAM left for a buffer%s",
				   p2pdma_size_format(size, a, sizeof(a)),
				   m->nr_ram ? "" : " (RAM unknown: assumed above 4 GiB, outside every BAR)");
	return 0;
}
