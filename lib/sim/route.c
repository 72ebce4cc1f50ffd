// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Routing one DMA through the simulated fabric (see sim.h).
 *
 * 1. Below the root complex the request is routed by bus address: the
 *    function whose BAR claims it in the initiator's hierarchy is the
 *    target, and the lowest bridge both sit under turns the request
 *    down, unless ACS redirect on that peer path sends it up.
 * 2. At the root complex the IOMMU translates (or the dma-ranges offset
 *    applies), then host RAM claims the address, or a BAR reached by
 *    peer forwarding where the platform forwards.
 * 3. The target's claim is checked: within one window, and inside a live
 *    allocation where the window is p2pmem.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"
#include "mem_internal.h"
#include "sim_internal.h"

static const char *const fault_names[] = {
	[P2PDMA_SIM_OK] = "ok",
	[P2PDMA_SIM_FAULT_BAD_REQUEST] = "bad request",
	[P2PDMA_SIM_FAULT_IOMMU] = "IOMMU fault",
	[P2PDMA_SIM_FAULT_UNSUPPORTED] = "unsupported request",
	[P2PDMA_SIM_FAULT_WILD] = "wild DMA",
	[P2PDMA_SIM_FAULT_NO_PEER_FORWARD] = "peer request not forwarded",
	[P2PDMA_SIM_FAULT_BLOCKED] = "DMA blocked",
};

const char *p2pdma_sim_fault_name(enum p2pdma_sim_fault f)
{
	if ((size_t)f < ARRAY_SIZE(fault_names) && fault_names[f])
		return fault_names[f];
	return "unknown";
}

bool sim_fn_valid(const struct p2pdma_sim *s, const struct p2pdma_function *fn)
{
	return fn && fn->index < s->f->nr_fns && s->f->fns[fn->index] == fn;
}

/* Per-request state, so the failure messages can name everything. */
struct req {
	struct p2pdma_sim *s;
	const struct p2pdma_function *init;
	uint64_t addr, len;
	bool write;
	struct p2pdma_sim_route *out;
	struct p2pdma_error *e;
	char name[P2PDMA_BDF_STRLEN];
};

static int fault(struct req *q, enum p2pdma_sim_fault f, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fault(struct req *q, enum p2pdma_sim_fault f, int err, const char *fmt, ...)
{
	char where[P2PDMA_REASON_MAX];
	va_list ap;

	q->out->fault = f;
	q->s->stats.faults++;
	if (!q->e)
		return err;
	/* Names are formatted only here: routing a good DMA prints nothing. */
	p2pdma_bdf_format(&q->init->bdf, q->name, sizeof(q->name));
	va_start(ap, fmt);
	vsnprintf(where, sizeof(where), fmt, ap);
	va_end(ap);
	return p2pdma_fail(q->e, err, "%s: DMA %s of %llu bytes at %#llx: %s: %s", q->name,
			   q->write ? "write" : "read", (unsigned long long)q->len,
			   (unsigned long long)q->addr, p2pdma_sim_fault_name(f), where);
}

static const struct p2pdma_function *up_of(const struct p2pdma_sim *s,
					   const struct p2pdma_function *fn)
{
	return s->fns[fn->index].up;
}

static int depth_of(const struct p2pdma_sim *s, const struct p2pdma_function *fn)
{
	int d = 0;

	while ((fn = up_of(s, fn)))
		d++;
	return d;
}

/* The lowest function both sit under (itself included), or NULL. */
static const struct p2pdma_function *common_of(const struct p2pdma_sim *s,
					       const struct p2pdma_function *a,
					       const struct p2pdma_function *b)
{
	int da = depth_of(s, a), db = depth_of(s, b);

	for (; da > db; da--)
		a = up_of(s, a);
	for (; db > da; db--)
		b = up_of(s, b);
	while (a != b) {
		a = up_of(s, a);
		b = up_of(s, b);
	}
	return a;
}

/*
 * ACS redirect on the peer path initiator -> common -> target, on the
 * devices the kernel checks (both chains below @common, and @common):
 * RR and EC send requests up; CR sends completions up, which turns a
 * read into a round trip through the root complex.
 */
static const struct p2pdma_function *redirector(const struct req *q,
						const struct p2pdma_function *common,
						const struct p2pdma_function *target)
{
	uint16_t mask = P2PDMA_ACS_RR | P2PDMA_ACS_EC | (q->write ? 0 : P2PDMA_ACS_CR);
	const struct p2pdma_function *chains[2] = { q->init, target };
	int i;

	for (i = 0; i < 2; i++) {
		const struct p2pdma_function *fn;

		for (fn = chains[i]; fn && fn != common; fn = up_of(q->s, fn))
			if (fn->acs_state == P2PDMA_ACS_PRESENT && (fn->acs_ctrl & mask))
				return fn;
	}
	if (common->acs_state == P2PDMA_ACS_PRESENT && (common->acs_ctrl & mask))
		return common;
	return NULL;
}

static int push_hop(struct req *q, const struct p2pdma_function *fn, bool up)
{
	struct p2pdma_sim_route *r = q->out;

	if (r->nr_hops == P2PDMA_SIM_MAX_HOPS)
		return fault(q, P2PDMA_SIM_FAULT_BAD_REQUEST, -E2BIG,
			     "the path is longer than %d links", P2PDMA_SIM_MAX_HOPS);
	r->hops[r->nr_hops].fn = fn;
	r->hops[r->nr_hops].up = up;
	r->nr_hops++;
	return 0;
}

/* Links from the initiator up to (not including) @stop; NULL: up to the root complex. */
static int hops_up(struct req *q, const struct p2pdma_function *stop)
{
	const struct p2pdma_function *fn;
	int ret;

	for (fn = q->init; fn != stop; fn = up_of(q->s, fn)) {
		ret = push_hop(q, fn, true);
		if (ret)
			return ret;
	}
	return 0;
}

/* Links from below @from (NULL: the root complex) down to @target. */
static int hops_down(struct req *q, const struct p2pdma_function *from,
		     const struct p2pdma_function *target)
{
	const struct p2pdma_function *chain[P2PDMA_SIM_MAX_HOPS];
	const struct p2pdma_function *fn;
	size_t n = 0;
	int ret;

	for (fn = target; fn != from; fn = up_of(q->s, fn)) {
		if (n == P2PDMA_SIM_MAX_HOPS)
			return fault(q, P2PDMA_SIM_FAULT_BAD_REQUEST, -E2BIG,
				     "the path is longer than %d links", P2PDMA_SIM_MAX_HOPS);
		chain[n++] = fn;
	}
	while (n) {
		ret = push_hop(q, chain[--n], false);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The claim of the target BAR: the whole request inside the window, and
 * inside live allocations where the window is p2pmem.
 */
static int claim_bar(struct req *q, const struct p2pdma_function *fn, int bar,
		     uint64_t phys, uint64_t win_last)
{
	struct p2pdma_sim_route *r = q->out;
	char name[P2PDMA_BDF_STRLEN];
	uint64_t bad = 0;

	r->target = P2PDMA_SIM_TARGET_BAR;
	r->target_fn = fn;
	r->bar = bar;
	r->phys = phys;
	r->bar_offset = phys - fn->bars[bar].start;
	r->contig = win_last - phys + 1;
	if (q->len - 1 > win_last - phys)
		return fault(q, P2PDMA_SIM_FAULT_UNSUPPORTED, -ENXIO,
			     "runs past the end of BAR %d of %s at %#llx: nobody claims the rest",
			     bar, p2pdma_bdf_format(&fn->bdf, name, sizeof(name)),
			     (unsigned long long)win_last);
	if (p2pmem_check_allocated(q->s->mem, phys, q->len, NULL, &bad) < 0)
		return fault(q, P2PDMA_SIM_FAULT_WILD, -EADDRNOTAVAIL,
			     "%#llx (CPU physical) in the p2pmem of %s (BAR %d) is not part of a live allocation",
			     (unsigned long long)bad, p2pdma_bdf_format(&fn->bdf, name, sizeof(name)),
			     bar);
	return 0;
}

/* Below the root complex: peer routing under the lowest common bridge. */
static int route_local(struct req *q, const struct sim_window *w, bool *done)
{
	const struct p2pdma_function *common = common_of(q->s, q->init, w->fn);
	const struct p2pdma_function *redir;
	int ret;

	*done = false;
	if (!common)
		return 0;	/* different root-bus subtrees: the root complex decides */
	redir = redirector(q, common, w->fn);
	if (redir) {
		q->out->redirected_by = redir;
		return 0;
	}
	*done = true;
	ret = hops_up(q, common);
	if (!ret && common != w->fn)
		ret = hops_down(q, common, w->fn);
	if (ret)
		return ret;
	return claim_bar(q, w->fn, w->bar, w->phys_lo + (q->addr - w->bus_lo),
			 w->fn->bars[w->bar].start + (w->bus_hi - w->bus_lo));
}

bool p2pdma_sim_rc_forwards(struct p2pdma_sim *s, const struct p2pdma_host_bridge *in,
			    const struct p2pdma_host_bridge *out)
{
	const struct sim_hb *a = &s->hbs[in->index], *b = &s->hbs[out->index];
	bool ka, kb;

	if (a->forward == P2PDMA_SIM_RC_DROP || b->forward == P2PDMA_SIM_RC_DROP)
		return false;
	/* The kernel's host-bridge rule, per side unless overridden. */
	ka = s->cpu_ok || (in == out ? a->ok_same : a->ok_diff);
	kb = s->cpu_ok || (in == out ? b->ok_same : b->ok_diff);
	return (a->forward == P2PDMA_SIM_RC_FORWARD || ka) &&
	       (b->forward == P2PDMA_SIM_RC_FORWARD || kb);
}

/* The IOMMU, or the dma-ranges offset: the CPU physical address for host memory. */
static int translate(struct req *q, uint64_t *ram_phys, uint64_t *contig)
{
	const struct sim_fn *sf = &q->s->fns[q->init->index];
	int ret;

	if (sf->mode == P2PDMA_DMA_MODE_BLOCKED)
		return fault(q, P2PDMA_SIM_FAULT_BLOCKED, -EIO,
			     "IOMMU group %d is blocked: the device may not do DMA",
			     q->init->iommu_group);
	ret = p2pdma_dma_translate(q->s->dma, q->init, q->addr, ram_phys, contig);
	if (ret < 0)
		return fault(q, P2PDMA_SIM_FAULT_IOMMU, -EFAULT,
			     "no IOVA mapping at %#llx in the domain of IOMMU group %d",
			     (unsigned long long)q->addr, q->init->iommu_group);
	q->out->translated = ret > 0;
	if (!ret) {
		*ram_phys = q->addr - q->init->dma_offset;
		*contig = UINT64_MAX;
	} else if (q->len > *contig) {
		return fault(q, P2PDMA_SIM_FAULT_IOMMU, -EFAULT,
			     "the IOVA mapping at %#llx ends after %llu bytes, in IOMMU group %d",
			     (unsigned long long)q->addr, (unsigned long long)*contig,
			     q->init->iommu_group);
	}
	return 0;
}

static int deliver_ram(struct req *q, const struct p2pdma_addr_owner *o, uint64_t phys)
{
	struct p2pdma_sim_route *r = q->out;

	r->target = P2PDMA_SIM_TARGET_RAM;
	r->phys = phys;
	r->ram_node = o->numa_node;
	r->contig = o->last - phys + 1;
	if (q->len - 1 > o->last - phys)
		return fault(q, P2PDMA_SIM_FAULT_UNSUPPORTED, -ENXIO,
			     "runs past the end of host RAM at %#llx", (unsigned long long)o->last);
	return 0;
}

static int peer_forward(struct req *q, const struct p2pdma_addr_owner *o, uint64_t phys)
{
	const struct p2pdma_function *t = o->fn;
	char a[P2PDMA_BDF_STRLEN];
	int ret;

	q->out->rc_out = t->host;
	if (!p2pdma_sim_rc_forwards(q->s, q->init->host, t->host))
		return fault(q, P2PDMA_SIM_FAULT_NO_PEER_FORWARD, -EREMOTEIO,
			     "the root complex does not forward peer requests from %s to %s (BAR %d of %s at %#llx)",
			     q->init->host->name, t->host->name, o->bar,
			     p2pdma_bdf_format(&t->bdf, a, sizeof(a)), (unsigned long long)phys);
	ret = hops_down(q, NULL, t);
	if (ret)
		return ret;
	return claim_bar(q, t, o->bar, phys, o->last);
}

/* At the root complex: translation, then RAM, then peer forwarding. */
static int route_rc(struct req *q)
{
	const struct p2pdma_addr_map *map = q->s->map;
	struct p2pdma_addr_owner o;
	uint64_t phys, contig;
	int ret;

	q->out->rc_in = q->init->host;
	ret = hops_up(q, NULL);
	if (!ret)
		ret = translate(q, &phys, &contig);
	if (ret)
		return ret;
	p2pdma_addr_map_lookup(map, phys, &o);
	if (o.kind == P2PDMA_ADDR_RAM || o.kind == P2PDMA_ADDR_RAM_ASSUMED)
		return deliver_ram(q, &o, phys);
	/* Untranslated peer requests carry bus addresses of the entry hierarchy. */
	if (!q->out->translated) {
		phys = q->addr - q->init->host->bus_offset;
		p2pdma_addr_map_lookup(map, phys, &o);
	}
	if (o.kind == P2PDMA_ADDR_BAR)
		return peer_forward(q, &o, phys);
	return fault(q, P2PDMA_SIM_FAULT_UNSUPPORTED, -ENXIO,
		     "no host RAM and no BAR claims %#llx (CPU physical%s) at the root complex of %s",
		     (unsigned long long)phys, q->out->translated ? ", after the IOMMU" : "",
		     q->init->host->name);
}

static void route_init(struct p2pdma_sim_route *r)
{
	r->target = P2PDMA_SIM_TARGET_RAM;
	r->target_fn = NULL;
	r->bar = -1;
	r->phys = 0;
	r->ram_node = -1;
	r->translated = false;
	r->rc_in = r->rc_out = NULL;
	r->nr_hops = 0;
	r->fault = P2PDMA_SIM_OK;
	r->redirected_by = NULL;
	r->contig = 0;
	r->bar_offset = 0;
}

int p2pdma_sim_route(struct p2pdma_sim *s,
		     const struct p2pdma_function *initiator,
		     uint64_t dma_addr, uint64_t len, bool write,
		     struct p2pdma_sim_route *out, struct p2pdma_error *e)
{
	struct req q = { .s = s, .init = initiator, .addr = dma_addr, .len = len,
			 .write = write, .out = out, .e = e };
	const struct sim_window *w;
	bool done = false;
	int ret;

	route_init(out);
	if (!sim_fn_valid(s, initiator)) {
		out->fault = P2PDMA_SIM_FAULT_BAD_REQUEST;
		return p2pdma_fail(e, -EINVAL, "DMA at %#llx: the initiator is not a function of this machine",
				   (unsigned long long)dma_addr);
	}
	if (!len || dma_addr + (len - 1) < dma_addr)
		return fault(&q, P2PDMA_SIM_FAULT_BAD_REQUEST, -EINVAL,
			     "empty, or past the end of the 64-bit address space");
	w = sim_window_find(s->fns[initiator->index].hb, dma_addr);
	if (w) {
		ret = route_local(&q, w, &done);
		if (ret || done)
			return ret;
	}
	return route_rc(&q);
}
