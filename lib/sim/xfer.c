// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Carrying a routed DMA out on bytes, and counting it: host-memory
 * bytes, per-link bytes in each direction, where it turned.
 */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "sim_internal.h"

struct sim_store *sim_target_store(struct p2pdma_sim *s, const struct p2pdma_sim_route *r,
				   uint64_t *off)
{
	struct sim_fn *sf;

	if (r->target == P2PDMA_SIM_TARGET_RAM) {
		*off = r->phys;
		return s->ram;
	}
	sf = &s->fns[r->target_fn->index];
	if (!sf->bar[r->bar])
		sf->bar[r->bar] = sim_store_new(NULL, NULL);
	*off = r->bar_offset;
	return sf->bar[r->bar];
}

void sim_account(struct p2pdma_sim *s, const struct p2pdma_sim_route *r, uint64_t len,
		 bool write)
{
	size_t i;

	s->stats.dmas++;
	s->stats.bytes += len;
	if (r->target == P2PDMA_SIM_TARGET_RAM) {
		if (write)
			s->stats.host_mem_written += len;
		else
			s->stats.host_mem_read += len;
	}
	if (r->rc_in)
		s->stats.rc_bytes += len;
	else if (r->nr_hops)
		s->stats.switch_local_bytes += len;
	else
		s->stats.internal_bytes += len;
	/* A write's data travels with the request; a read's comes back against it. */
	for (i = 0; i < r->nr_hops; i++) {
		struct sim_fn *sf = &s->fns[r->hops[i].fn->index];
		bool up = r->hops[i].up == write;

		if (up)
			sf->link_up += len;
		else
			sf->link_down += len;
	}
}

static int no_memory(struct p2pdma_error *e)
{
	return p2pdma_fail(e, -ENOMEM, "out of memory for simulated device memory");
}

int p2pdma_sim_dma_write(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			 uint64_t dma_addr, const void *buf, uint64_t len,
			 struct p2pdma_error *e)
{
	struct p2pdma_sim_route r;
	struct sim_store *st;
	uint64_t off;
	int ret;

	ret = p2pdma_sim_route(s, initiator, dma_addr, len, true, &r, e);
	if (ret)
		return ret;
	st = sim_target_store(s, &r, &off);
	if (!st || sim_store_write(st, off, buf, len))
		return no_memory(e);
	sim_account(s, &r, len, true);
	return 0;
}

int p2pdma_sim_dma_read(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			uint64_t dma_addr, void *buf, uint64_t len,
			struct p2pdma_error *e)
{
	struct p2pdma_sim_route r;
	struct sim_store *st;
	uint64_t off;
	int ret;

	ret = p2pdma_sim_route(s, initiator, dma_addr, len, false, &r, e);
	if (ret)
		return ret;
	st = sim_target_store(s, &r, &off);
	if (!st)
		return no_memory(e);
	sim_store_read(st, off, buf, len);
	sim_account(s, &r, len, false);
	return 0;
}

/* The CPU reaches RAM and BARs by CPU physical address, one window at a time. */
static int cpu_access(struct p2pdma_sim *s, uint64_t phys, void *buf, uint64_t len,
		      bool write, struct p2pdma_error *e)
{
	struct p2pdma_sim_route r = { .bar = -1 };
	struct p2pdma_addr_owner o;
	struct sim_store *st;
	uint64_t off;

	if (!len || phys + (len - 1) < phys)
		return p2pdma_fail(e, -EINVAL, "CPU access at %#llx: empty or past 2^64",
				   (unsigned long long)phys);
	p2pdma_addr_map_lookup(s->map, phys, &o);
	if (o.kind == P2PDMA_ADDR_UNCLAIMED || len - 1 > o.last - phys)
		return p2pdma_fail(e, -ENXIO,
				   "CPU access of %llu bytes at %#llx: not inside one RAM range or BAR",
				   (unsigned long long)len, (unsigned long long)phys);
	r.phys = phys;
	if (o.kind == P2PDMA_ADDR_BAR) {
		r.target = P2PDMA_SIM_TARGET_BAR;
		r.target_fn = o.fn;
		r.bar = o.bar;
		r.bar_offset = o.offset;
	}
	st = sim_target_store(s, &r, &off);
	if (!st)
		return no_memory(e);
	if (!write) {
		sim_store_read(st, off, buf, len);
		return 0;
	}
	return sim_store_write(st, off, buf, len) ? no_memory(e) : 0;
}

int p2pdma_sim_cpu_write(struct p2pdma_sim *s, uint64_t phys, const void *buf,
			 uint64_t len, struct p2pdma_error *e)
{
	return cpu_access(s, phys, (void *)buf, len, true, e);
}

int p2pdma_sim_cpu_read(struct p2pdma_sim *s, uint64_t phys, void *buf,
			uint64_t len, struct p2pdma_error *e)
{
	return cpu_access(s, phys, buf, len, false, e);
}

/*
 * A device moves @len bytes between its own memory @buf and the DMA
 * segments (@to_segs: memory writes into them).  Each segment is routed
 * and carried out in pieces that stay inside one target window.
 */
int sim_seg_xfer(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		 const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
		 uint64_t len, bool to_segs, void *buf, struct p2pdma_error *e)
{
	uint8_t *p = buf;
	uint64_t total = 0;
	size_t i;
	int ret;

	for (i = 0; i < nr_segs; i++)
		total += segs[i].len;
	if (total != len)
		return p2pdma_fail(e, -EINVAL,
				   "the DMA segments add up to %llu bytes, the transfer is %llu",
				   (unsigned long long)total, (unsigned long long)len);
	for (i = 0; i < nr_segs; i++) {
		if (to_segs)
			ret = p2pdma_sim_dma_write(s, fn, segs[i].addr, p, segs[i].len, e);
		else
			ret = p2pdma_sim_dma_read(s, fn, segs[i].addr, p, segs[i].len, e);
		if (ret)
			return ret;
		p += segs[i].len;
	}
	return 0;
}

int sim_dma_begin(struct p2pdma_sim *s, const struct p2pdma_function *init,
		  uint64_t addr, uint64_t len, bool write, struct sim_store **st,
		  uint64_t *off, struct p2pdma_sim_route *r, struct p2pdma_error *e)
{
	int ret = p2pdma_sim_route(s, init, addr, len, write, r, e);

	if (ret)
		return ret;
	*st = sim_target_store(s, r, off);
	if (!*st)
		return no_memory(e);
	sim_account(s, r, len, write);
	return 0;
}
