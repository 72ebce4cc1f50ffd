// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A workload on the simulated platform, as P2P and as bounce.
 *
 * A flow from A to B through memory M is two legs that stream at the
 * same rate: A writes into M, then B reads from M (a leg disappears when
 * A or B is M itself: a GPU's BAR written by an NVMe drive is one leg).
 * Through host memory, M is a page of RAM on A's node.  Each leg is
 * mapped for its initiator with lib/dma and routed by
 * p2pdma_sim_route(), so ACS redirect, the IOMMU and the root complex
 * put the traffic where the hardware would; the catalogue turns the
 * route into loads; one max-min solve per mode shares the resources.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_int.h"
#include "p2pdma/sim.h"

/* The length each leg is routed with: one page stands for the stream. */
#define ROUTE_LEN 4096ULL

struct leg {
	const struct p2pdma_function *init;
	bool write;
	const struct p2pdma_function *mem;	/* NULL: host RAM */
	int node;				/* host RAM's node, -1: any */
};

struct run {
	struct p2pdma_sim *s;
	const struct p2pdma_fabric *f;
	struct p2pdma_policy *pol;
	struct bw_catalog cat;
	uint64_t host_page;	/* a RAM page when the machine does not list its RAM */
	unsigned int flags;	/* P2PDMA_BW_* */
};

/* ---------------------------------------------------------------------- */
/* Platform                                                                */

static void apply_override(struct p2pdma_bw_platform *p, const struct p2pdma_bw_override *o)
{
	if (!isnan(o->dram_bw))
		p->dram_bw = o->dram_bw;
	if (!isnan(o->inter_socket_bw))
		p->inter_socket_bw = o->inter_socket_bw;
	if (!isnan(o->rc_peer_bw))
		p->rc_peer_bw = o->rc_peer_bw;
	if (!isnan(o->rc_peer_dir_bw))
		p->rc_peer_dir_bw = o->rc_peer_dir_bw;
	if (!isnan(o->rc_peer_read_cost))
		p->rc_peer_read_cost = o->rc_peer_read_cost;
	if (o->rc_peer_reads >= 0)
		p->rc_peer_reads = o->rc_peer_reads;
	if (o->rc_peer_writes >= 0)
		p->rc_peer_writes = o->rc_peer_writes;
	if (o->mps)
		p->mps = o->mps;
	if (o->mrrs)
		p->mrrs = o->mrrs;
}

static int platform_setup(struct run *r, const struct p2pdma_bw_override *o)
{
	bool assumed;
	struct p2pdma_bw_platform p = *p2pdma_bw_platform_for_cpu(&r->f->cpu, &assumed);
	int ret;

	apply_override(&p, o);
	ret = bw_catalog_init(&r->cat, r->f, &p);
	if (!ret && assumed)
		ret = bw_assume(&r->cat, "platform: %s", p.name);
	if (!ret && !o->mps)
		ret = bw_assume(&r->cat, "max payload size %u, max read request %u bytes (not in the machine description)",
				p.mps, p.mrrs);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Routing one leg                                                         */

/* A page of host RAM on @node (any node for -1). */
static int ram_page(struct run *r, int node, uint64_t *phys, struct p2pdma_error *e)
{
	const struct p2pdma_ram_range *best = NULL;
	size_t i;

	for (i = 0; i < r->f->nr_ram; i++) {
		const struct p2pdma_ram_range *x = &r->f->ram[i];

		if (x->size < 2 * ROUTE_LEN || (node >= 0 && x->numa_node != node))
			continue;
		if (!best || x->size > best->size)
			best = x;
	}
	if (best) {
		*phys = (best->start + best->size / 2) & ~(ROUTE_LEN - 1);
		return 0;
	}
	if (r->f->nr_ram && node >= 0)
		return p2pdma_fail(e, -ENOENT, "no host RAM on NUMA node %d", node);
	if (!r->host_page) {
		int ret = p2pdma_mem_host_alloc(p2pdma_sim_mem(r->s), ROUTE_LEN, &r->host_page, e);

		if (ret)
			return ret;
	}
	*phys = r->host_page;
	return 0;
}

static int route_sgl(struct run *r, const struct leg *l, uint64_t phys,
		     struct p2pdma_sim_route *rt, struct p2pdma_error *e)
{
	struct p2pdma_dma *dma = p2pdma_sim_dma(r->s);
	struct p2pdma_sgl sgl;
	int ret;

	p2pdma_sgl_init(&sgl);
	ret = p2pdma_sgl_add(&sgl, phys, ROUTE_LEN, e);
	if (!ret)
		ret = p2pdma_dma_map_sg(dma, l->init, &sgl, e);	/* entries, or an error */
	if (ret > 0) {
		ret = p2pdma_sim_route(r->s, l->init, sgl.sg[0].dma_address, ROUTE_LEN, l->write,
				       rt, e);
		p2pdma_dma_unmap_sg(dma, l->init, &sgl, NULL);
	}
	p2pdma_sgl_release(&sgl);
	return ret;
}

/* The memory BAR a transfer into @fn uses: the largest. */
static int memory_bar(const struct p2pdma_function *fn)
{
	int i, best = -1;

	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		if ((fn->bars[i].flags & P2PDMA_BAR_MEM) && fn->bars[i].size >= ROUTE_LEN &&
		    (best < 0 || fn->bars[i].size > fn->bars[best].size))
			best = i;
	return best;
}

static int route_bar(struct run *r, const struct leg *l, struct p2pdma_sim_route *rt,
		     struct p2pdma_error *e)
{
	struct p2pdma_dma *dma = p2pdma_sim_dma(r->s);
	struct p2pdma_dma_resource res;
	char name[P2PDMA_BDF_STRLEN];
	int bar = memory_bar(l->mem), ret;

	if (bar < 0)
		return p2pdma_fail(e, -ENODEV, "%s has no memory BAR to transfer into",
				   p2pdma_bdf_format(&l->mem->bdf, name, sizeof(name)));
	ret = p2pdma_dma_map_resource(dma, l->init, l->mem->bars[bar].start, ROUTE_LEN, &res, e);
	if (ret)
		return ret;
	ret = p2pdma_sim_route(r->s, l->init, res.dma_addr, ROUTE_LEN, l->write, rt, e);
	p2pdma_dma_unmap_resource(dma, &res, NULL);
	return ret;
}

static int route_leg(struct run *r, const struct leg *l, struct p2pdma_sim_route *rt,
		     struct p2pdma_error *e)
{
	struct p2pdma_provider *prov;
	uint64_t phys;
	int ret;

	if (!l->mem) {
		ret = ram_page(r, l->node, &phys, e);
		return ret ? ret : route_sgl(r, l, phys, rt, e);
	}
	prov = p2pdma_provider_find(p2pdma_sim_mem(r->s), l->mem);
	if (!prov)
		return route_bar(r, l, rt, e);
	ret = p2pdma_p2pmem_alloc(prov, ROUTE_LEN, &phys, e);
	if (ret)
		return ret;
	ret = route_sgl(r, l, phys, rt, e);
	p2pdma_p2pmem_free(prov, phys, ROUTE_LEN, NULL);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Planning a flow                                                         */

/* "auto": into memory (a GPU, a p2pmem card), out of such memory, else find's provider. */
static const struct p2pdma_function *auto_via(struct run *r,
					      const struct p2pdma_bw_flow_spec *fl)
{
	struct p2pdma_client cl[2] = { { .fn = fl->to }, { .fn = fl->from } };
	struct p2pdma_find_result *res = NULL;
	const struct p2pdma_function *via = NULL;

	if (bw_is_memory(fl->to))
		return fl->to;
	if (bw_is_memory(fl->from))
		return fl->from;
	if (!p2pdma_find(r->pol, cl, 2, 0, &res, NULL) && res)
		via = res->chosen;
	p2pdma_find_result_free(res);
	return via;
}

static int fail_plan(struct bw_plan *p, const char *fmt, const char *a, const char *b)
{
	p->ok = false;
	free(p->reason);
	if (asprintf(&p->reason, fmt, a, b) < 0)
		return -ENOMEM;
	return 0;
}

static int plan_leg(struct run *r, struct bw_plan *p, const struct leg *l, uint64_t bytes)
{
	struct p2pdma_sim_route rt;
	struct p2pdma_error e = { 0 };
	int ret = route_leg(r, l, &rt, &e);

	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return fail_plan(p, "%s%s", "", e.reason);
	if (rt.target == P2PDMA_SIM_TARGET_RAM)
		p->host_bytes += bytes;
	return bw_plan_route(&r->cat, p, &rt, l->write);
}

/* Worse verdicts rank higher: BUS_ADDR, THRU_HOST_BRIDGE, NOT_SUPPORTED. */
static int rank(enum p2pdma_map_type t)
{
	switch (t) {
	case P2PDMA_MAP_BUS_ADDR: return 1;
	case P2PDMA_MAP_THRU_HOST_BRIDGE: return 2;
	case P2PDMA_MAP_NOT_SUPPORTED: return 3;
	default: return 0;
	}
}

/* The kernel's verdict for the client @c of @mem's memory, worst so far in *@worst. */
static enum p2pdma_map_type leg_verdict(struct run *r, const struct p2pdma_function *mem,
					const struct p2pdma_function *c,
					enum p2pdma_map_type *worst)
{
	int dist;
	enum p2pdma_map_type t = p2pdma_map_type(r->pol, mem, c, &dist);

	if (rank(t) > rank(*worst))
		*worst = t;
	return t;
}

static int plan_legs(struct run *r, struct bw_plan *p, const struct p2pdma_bw_flow_spec *fl,
		     const struct p2pdma_function *mem, int node)
{
	struct leg a = { fl->from, true, mem, node }, b = { fl->to, false, mem, node };
	int ret = 0;

	p->ok = true;
	if (fl->from != mem)
		ret = plan_leg(r, p, &a, fl->bytes);
	if (!ret && p->ok && fl->to != mem)
		ret = plan_leg(r, p, &b, fl->bytes);
	return ret;
}

static int host_node(const struct p2pdma_bw_flow_spec *fl)
{
	if (fl->host_node >= 0)
		return fl->host_node;
	if (fl->from->numa_node >= 0)
		return fl->from->numa_node;
	return fl->from->host->numa_node;
}

static int plan_bounce(struct run *r, struct p2pdma_bw_mode *m, struct bw_plan *p,
		       const struct p2pdma_bw_flow_spec *fl)
{
	m->host_node = host_node(fl);
	if (m->host_node >= 0 && r->f->nr_ram) {
		size_t i;

		for (i = 0; i < r->f->nr_ram && r->f->ram[i].numa_node != m->host_node; i++)
			;
		if (i == r->f->nr_ram)
			m->host_node = -1;	/* no RAM listed there: any node */
	}
	return plan_legs(r, p, fl, NULL, m->host_node);
}

static int plan_p2p(struct run *r, struct p2pdma_bw_flow_result *fr, struct bw_plan *p,
		    const struct p2pdma_bw_flow_spec *fl)
{
	const struct p2pdma_function *client[2] = { fl->from, fl->to }, *mem;
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];
	int i;

	fr->verdict = P2PDMA_MAP_UNKNOWN;
	if (fl->via == P2PDMA_BW_VIA_HOST)
		return plan_bounce(r, &fr->p2p, p, fl);
	mem = fl->via == P2PDMA_BW_VIA_DEVICE ? fl->via_fn : auto_via(r, fl);
	fr->p2p.via = mem;
	fr->p2p.host_node = -1;
	if (!mem) {
		/* No verdict: there is no provider to ask the kernel about. */
		return fail_plan(p, "no p2pmem provider serves both %s and %s",
				 p2pdma_bdf_format(&fl->from->bdf, a, sizeof(a)),
				 p2pdma_bdf_format(&fl->to->bdf, b, sizeof(b)));
	}
	for (i = 0; i < 2; i++)
		if (client[i] != mem &&
		    leg_verdict(r, mem, client[i], &fr->verdict) == P2PDMA_MAP_NOT_SUPPORTED)
			return fail_plan(p, "the kernel refuses P2P between %s and %s (NOT_SUPPORTED; 'p2pdma check' says why)",
					 p2pdma_bdf_format(&mem->bdf, a, sizeof(a)),
					 p2pdma_bdf_format(&client[i]->bdf, b, sizeof(b)));
	return plan_legs(r, p, fl, mem, -1);
}

/* ---------------------------------------------------------------------- */
/* Solving a mode                                                          */

static struct p2pdma_bw_mode *mode_of(struct p2pdma_bw_flow_result *fr, bool bounce)
{
	return bounce ? &fr->bounce : &fr->p2p;
}

/* Flows of one mode, every resource of the catalogue; rates, times and loads back. */
static int solve_mode(struct run *r, struct p2pdma_bw_result *res, struct bw_plan *plans,
		      const struct p2pdma_bw_workload *w, bool bounce, struct p2pdma_error *e)
{
	struct p2pdma_bw_net *n = p2pdma_bw_net_new();
	long *id = calloc(w->nr_flows + 1, sizeof(*id));
	double *bytes = calloc(w->nr_flows + 1, sizeof(*bytes));
	double *done = calloc(w->nr_flows + 1, sizeof(*done));
	size_t i, j;
	int ret = -ENOMEM;

	if (!n || !id || !bytes || !done)
		goto out;
	for (i = 0; i < r->cat.nr_res; i++)
		if (p2pdma_bw_net_add_resource(n, r->cat.res[i].capacity) < 0)
			goto out;
	for (i = 0; i < w->nr_flows; i++) {
		id[i] = -1;
		if (!plans[i].ok)
			continue;
		id[i] = p2pdma_bw_net_add_flow(n);
		if (id[i] < 0)
			goto out;
		bytes[id[i]] = (double)w->flows[i].bytes;
		for (j = 0; j < plans[i].nr; j++)
			if (p2pdma_bw_net_use(n, id[i], plans[i].uses[j].res, plans[i].uses[j].cost))
				goto out;
	}
	if (r->flags & P2PDMA_BW_RATES_ONLY)
		ret = p2pdma_bw_net_solve(n, e);
	else
		ret = p2pdma_bw_net_run(n, bytes, done, e);
	if (ret)
		goto out;
	for (i = 0; i < w->nr_flows; i++) {
		struct p2pdma_bw_mode *m = mode_of(&res->flows[i], bounce);

		m->bottleneck = -1;
		if (id[i] < 0)
			continue;
		m->rate = p2pdma_bw_net_rate(n, id[i]);
		m->bottleneck = p2pdma_bw_net_bottleneck(n, id[i]);
		m->time = r->flags & P2PDMA_BW_RATES_ONLY ? bytes[id[i]] / m->rate : done[id[i]];
		if (m->time > (bounce ? res->bounce_time : res->p2p_time))
			*(bounce ? &res->bounce_time : &res->p2p_time) = m->time;
	}
	for (i = 0; i < r->cat.nr_res; i++)
		*(bounce ? &r->cat.res[i].bounce_load : &r->cat.res[i].p2p_load) =
			p2pdma_bw_net_load(n, (long)i);
out:
	if (ret == -ENOMEM)
		p2pdma_fail(e, ret, "out of memory");
	p2pdma_bw_net_free(n);
	free(id);
	free(bytes);
	free(done);
	return ret;
}

/* The resources a plan loads, each once, in the order first loaded. */
static int keep_resources(struct p2pdma_bw_mode *m, const struct bw_plan *p)
{
	size_t i, j;

	m->res = calloc(p->nr + 1, sizeof(*m->res));
	if (!m->res)
		return -ENOMEM;
	for (i = 0; i < p->nr; i++) {
		for (j = 0; j < m->nr_res && m->res[j] != p->uses[i].res; j++)
			;
		if (j == m->nr_res)
			m->res[m->nr_res++] = p->uses[i].res;
	}
	return 0;
}

/* A plan's outcome into the flow's mode: ok, reason, path, host bytes, resources. */
static int keep_plan(struct p2pdma_bw_mode *m, struct bw_plan *p)
{
	m->ok = p->ok;
	m->reason = p->reason;
	p->reason = NULL;
	m->host_bytes = p->ok ? p->host_bytes : 0;
	if (p2pdma_buf_finish(&p->path, &m->path))
		return -ENOMEM;
	if (!m->path && !(m->path = strdup("")))
		return -ENOMEM;
	return p->ok ? keep_resources(m, p) : 0;
}

static int plan_flow(struct run *r, struct p2pdma_bw_result *res, size_t i,
		     const struct p2pdma_bw_flow_spec *fl, struct bw_plan *pp, struct bw_plan *bp)
{
	struct p2pdma_bw_flow_result *fr = &res->flows[i];
	int ret = plan_p2p(r, fr, pp, fl);

	if (!ret)
		ret = plan_bounce(r, &fr->bounce, bp, fl);
	if (!ret && fl->max_rate > 0) {
		long dev = bw_device_resource(&r->cat, i, fl->max_rate);

		ret = bw_plan_use(pp, dev, 1) ?: bw_plan_use(bp, dev, 1);
	}
	return ret;
}

static int plan_all(struct run *r, struct p2pdma_bw_result *res,
		    const struct p2pdma_bw_workload *w, struct bw_plan *pp, struct bw_plan *bp)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < w->nr_flows && !ret; i++)
		ret = plan_flow(r, res, i, &w->flows[i], &pp[i], &bp[i]);
	for (i = 0; i < w->nr_flows && !ret; i++) {
		ret = keep_plan(&res->flows[i].p2p, &pp[i]) ?: keep_plan(&res->flows[i].bounce, &bp[i]);
		res->p2p_host_bytes += res->flows[i].p2p.host_bytes;
		res->bounce_host_bytes += res->flows[i].bounce.host_bytes;
	}
	return ret;
}

static void hand_over(struct run *r, struct p2pdma_bw_result *res)
{
	res->platform = r->cat.plat;
	res->res = r->cat.res;
	res->nr_res = r->cat.nr_res;
	res->assumed = r->cat.assumed;
	res->nr_assumed = r->cat.nr_assumed;
	r->cat.res = NULL;
	r->cat.nr_res = 0;
	r->cat.assumed = NULL;
	r->cat.nr_assumed = 0;
}

int p2pdma_bw_simulate(struct p2pdma_sim *s, const struct p2pdma_bw_workload *w,
		       struct p2pdma_bw_result **out, struct p2pdma_error *e)
{
	return p2pdma_bw_simulate_ex(s, w, 0, out, e);
}

int p2pdma_bw_simulate_ex(struct p2pdma_sim *s, const struct p2pdma_bw_workload *w,
			  unsigned int flags, struct p2pdma_bw_result **out,
			  struct p2pdma_error *e)
{
	struct run r = { .s = s, .pol = p2pdma_sim_policy(s), .flags = flags };
	struct p2pdma_bw_result *res = calloc(1, sizeof(*res));
	struct bw_plan *pp = calloc(w->nr_flows + 1, sizeof(*pp));
	struct bw_plan *bp = calloc(w->nr_flows + 1, sizeof(*bp));
	size_t i;
	int ret = -ENOMEM;

	*out = NULL;
	r.f = p2pdma_policy_fabric(r.pol);
	if (!res || !pp || !bp || !(res->flows = calloc(w->nr_flows + 1, sizeof(*res->flows))))
		goto out;
	res->nr_flows = w->nr_flows;
	ret = platform_setup(&r, &w->override) ?: plan_all(&r, res, w, pp, bp);
	if (ret == -ENOMEM)
		p2pdma_fail(e, ret, "out of memory");
	if (!ret)
		ret = solve_mode(&r, res, pp, w, false, e) ?: solve_mode(&r, res, bp, w, true, e);
	hand_over(&r, res);
out:
	if (ret == -ENOMEM && e && !e->err)
		p2pdma_fail(e, ret, "out of memory");
	for (i = 0; pp && bp && i < w->nr_flows; i++) {
		bw_plan_release(&pp[i]);
		bw_plan_release(&bp[i]);
	}
	free(pp);
	free(bp);
	bw_catalog_release(&r.cat);
	if (ret) {
		p2pdma_bw_result_free(res);
		return ret;
	}
	*out = res;
	return 0;
}

static void mode_release(struct p2pdma_bw_mode *m)
{
	free(m->reason);
	free(m->path);
	free(m->res);
}

void p2pdma_bw_result_free(struct p2pdma_bw_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->flows && i < r->nr_flows; i++) {
		mode_release(&r->flows[i].p2p);
		mode_release(&r->flows[i].bounce);
	}
	for (i = 0; i < r->nr_res; i++)
		free(r->res[i].name);
	for (i = 0; i < r->nr_assumed; i++)
		free(r->assumed[i]);
	free(r->flows);
	free(r->res);
	free(r->assumed);
	free(r);
}

/* ---------------------------------------------------------------------- */
/* One transfer alone                                                      */

/* The rate of one flow over a plan's resources, on an otherwise idle platform. */
static int plan_rate(const struct bw_catalog *c, const struct bw_plan *p, double *rate,
		     struct p2pdma_error *e)
{
	struct p2pdma_bw_net *n = p2pdma_bw_net_new();
	long fl = n ? p2pdma_bw_net_add_flow(n) : -ENOMEM;
	size_t i;
	int ret = fl < 0 ? -ENOMEM : 0;

	for (i = 0; !ret && i < c->nr_res; i++)
		if (p2pdma_bw_net_add_resource(n, c->res[i].capacity) < 0)
			ret = -ENOMEM;
	for (i = 0; !ret && i < p->nr; i++)
		ret = p2pdma_bw_net_use(n, fl, p->uses[i].res, p->uses[i].cost);
	if (ret)
		p2pdma_fail(e, ret, "out of memory");
	else
		ret = p2pdma_bw_net_solve(n, e);
	if (!ret)
		*rate = p2pdma_bw_net_rate(n, fl);
	p2pdma_bw_net_free(n);
	return ret;
}

/* Routed legs that stream together (a store-and-forward through one buffer) moving @bytes. */
static int legs_time(struct p2pdma_sim *s, const struct p2pdma_sim_route *const *rt,
		     const bool *write, size_t nr, uint64_t bytes, double *seconds,
		     double *rate, struct p2pdma_error *e)
{
	struct p2pdma_bw_override none;
	struct run r = { .s = s, .pol = p2pdma_sim_policy(s) };
	struct bw_plan p = { .ok = true };
	size_t i;
	int ret;

	r.f = p2pdma_policy_fabric(r.pol);
	p2pdma_bw_override_init(&none);
	ret = platform_setup(&r, &none);
	for (i = 0; !ret && p.ok && i < nr; i++)
		ret = bw_plan_route(&r.cat, &p, rt[i], write[i]);
	if (ret == -ENOMEM)
		p2pdma_fail(e, ret, "out of memory");
	if (!ret && !p.ok)
		ret = p2pdma_fail(e, -EOPNOTSUPP, "%s", p.reason);
	if (!ret)
		ret = plan_rate(&r.cat, &p, rate, e);
	if (!ret)
		*seconds = (double)bytes / *rate;
	bw_plan_release(&p);
	bw_catalog_discard(&r.cat);
	return ret;
}

int p2pdma_bw_transfer_time(struct p2pdma_sim *s, const struct p2pdma_function *initiator,
			    uint64_t dma_addr, uint64_t len, bool write,
			    double *seconds, double *rate, struct p2pdma_error *e)
{
	const struct p2pdma_sim_route *legs[1];
	struct p2pdma_sim_route rt;
	int ret = p2pdma_sim_route(s, initiator, dma_addr, len, write, &rt, e);

	legs[0] = &rt;
	return ret ? ret : legs_time(s, legs, &write, 1, len, seconds, rate, e);
}

int p2pdma_bw_copy_time(struct p2pdma_sim *s, const struct p2pdma_sim_copy_result *res,
			double *seconds, double *rate, struct p2pdma_error *e)
{
	/* The source controller writes into the buffer; the destination reads out of it. */
	const struct p2pdma_sim_route *legs[2] = { &res->leg[0].route, &res->leg[1].route };
	static const bool write[2] = { true, false };

	return legs_time(s, legs, write, 2, res->bytes, seconds, rate, e);
}
