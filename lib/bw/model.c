// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * From a routed DMA to what it costs: the links it crosses (per
 * direction, with TLP overhead), host DRAM, the link between sockets and
 * the root complex's peer forwarding.  The catalogue names every
 * resource once, so that the P2P and the bounce runs of a workload
 * charge the same resources and can be shown side by side.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_int.h"

int bw_catalog_init(struct bw_catalog *c, const struct p2pdma_fabric *f,
		    const struct p2pdma_bw_platform *plat)
{
	size_t i;
	int nodes = 1;

	memset(c, 0, sizeof(*c));
	c->f = f;
	c->plat = *plat;
	for (i = 0; i < f->nr_fns; i++)
		if (f->fns[i]->numa_node >= nodes)
			nodes = f->fns[i]->numa_node + 1;
	for (i = 0; i < f->nr_hbs; i++)
		if (f->hbs[i]->numa_node >= nodes)
			nodes = f->hbs[i]->numa_node + 1;
	for (i = 0; i < f->nr_ram; i++)
		if (f->ram[i].numa_node >= nodes)
			nodes = f->ram[i].numa_node + 1;
	if (nodes > 1024)
		nodes = 1024;
	c->nodes = nodes;
	c->link_res = malloc((2 * f->nr_fns + 1) * sizeof(long));
	c->dram_res = malloc((size_t)(nodes + 1) * sizeof(long));
	c->rc_res = malloc((size_t)(nodes + 1) * sizeof(long));
	c->xs_res = malloc((size_t)nodes * (size_t)nodes * sizeof(long));
	if (!c->link_res || !c->dram_res || !c->rc_res || !c->xs_res)
		return -ENOMEM;
	for (i = 0; i < 2 * f->nr_fns; i++)
		c->link_res[i] = -1;
	for (i = 0; i <= (size_t)nodes; i++)
		c->dram_res[i] = c->rc_res[i] = -1;
	for (i = 0; i < (size_t)nodes * (size_t)nodes; i++)
		c->xs_res[i] = -1;
	return 0;
}

void bw_catalog_release(struct bw_catalog *c)
{
	free(c->link_res);
	free(c->dram_res);
	free(c->rc_res);
	free(c->xs_res);
	free(c->dir);
	/* res[] and assumed[] are handed to the result, or freed by it. */
}

/* Free what the catalogue holds when no result takes it over. */
void bw_catalog_discard(struct bw_catalog *c)
{
	size_t i;

	for (i = 0; i < c->nr_res; i++)
		free(c->res[i].name);
	for (i = 0; i < c->nr_assumed; i++)
		free(c->assumed[i]);
	free(c->res);
	free(c->assumed);
	bw_catalog_release(c);
}

/* Note something the model assumed, once. */
int bw_assume(struct bw_catalog *c, const char *fmt, ...)
{
	char line[P2PDMA_REASON_MAX];
	va_list ap;
	size_t i;
	void *p;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (i = 0; i < c->nr_assumed; i++)
		if (!strcmp(c->assumed[i], line))
			return 0;
	p = realloc(c->assumed, (c->nr_assumed + 1) * sizeof(*c->assumed));
	if (!p)
		return -ENOMEM;
	c->assumed = p;
	c->assumed[c->nr_assumed] = strdup(line);
	if (!c->assumed[c->nr_assumed])
		return -ENOMEM;
	c->nr_assumed++;
	return 0;
}

static long add_resource(struct bw_catalog *c, enum p2pdma_bw_res_kind kind,
			 double capacity, const char *name)
{
	struct p2pdma_bw_resource *r;

	if (c->nr_res == c->res_cap) {
		size_t n = c->res_cap ? 2 * c->res_cap : 32;
		void *p = realloc(c->res, n * sizeof(*c->res));

		if (!p)
			return -ENOMEM;
		c->res = p;
		c->res_cap = n;
	}
	r = &c->res[c->nr_res];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->capacity = capacity;
	r->node = r->node2 = -1;
	r->name = strdup(name);
	if (!r->name)
		return -ENOMEM;
	return (long)c->nr_res++;
}

long bw_device_resource(struct bw_catalog *c, size_t flow, double rate)
{
	char name[64];

	snprintf(name, sizeof(name), "flow %zu device limit", flow);
	return add_resource(c, P2PDMA_BW_RES_DEVICE, rate, name);
}

/* ---------------------------------------------------------------------- */
/* Links                                                                   */

/* The edge above @fn is a cable or trace, not wiring inside a switch or the root complex. */
static bool physical_link(const struct p2pdma_function *fn)
{
	return fn->parent && fn->role != P2PDMA_ROLE_ROOT_PORT &&
	       fn->role != P2PDMA_ROLE_SWITCH_DOWNSTREAM;
}

/* Negotiated speed and width of the link above @fn; either end may report it. */
static int link_state(struct bw_catalog *c, const struct p2pdma_function *fn,
		      uint32_t *mts, uint32_t *width)
{
	const struct p2pdma_link *l = &fn->link, *p = &fn->parent->link;
	char name[P2PDMA_BDF_STRLEN], sp[24];

	if (l->speed && l->width) {
		*mts = l->speed;
		*width = l->width;
		return 0;
	}
	if (p->speed && p->width) {
		*mts = p->speed;
		*width = p->width;
		return 0;
	}
	*mts = l->max_speed ? l->max_speed : p->max_speed ? p->max_speed : bw_link.unknown_mts;
	*width = l->max_width ? l->max_width : p->max_width ? p->max_width : bw_link.unknown_width;
	return bw_assume(c, "link above %s: negotiated speed and width unknown, assumed x%u %s (%s)",
			 p2pdma_bdf_format(&fn->bdf, name, sizeof(name)), *width,
			 p2pdma_link_speed_format(*mts, sp, sizeof(sp)),
			 (l->max_speed || p->max_speed) ? "its maximum" : "a default");
}

static long link_resource(struct bw_catalog *c, const struct p2pdma_function *fn, bool up,
			  uint32_t mts, uint32_t width)
{
	long *slot = &c->link_res[2 * fn->index + up];
	char name[P2PDMA_BDF_STRLEN + 32], bdf[P2PDMA_BDF_STRLEN];

	if (*slot >= 0)
		return *slot;
	snprintf(name, sizeof(name), "link %s %s",
		 p2pdma_bdf_format(&fn->bdf, bdf, sizeof(bdf)), up ? "up" : "down");
	*slot = add_resource(c, P2PDMA_BW_RES_LINK, p2pdma_bw_link_raw(mts, width), name);
	if (*slot >= 0) {
		c->res[*slot].fn = fn;
		c->res[*slot].up = up;
	}
	return *slot;
}

int bw_plan_use(struct bw_plan *p, long res, double cost)
{
	if (res < 0)
		return (int)res;
	if (p->nr == p->cap) {
		size_t n = p->cap ? 2 * p->cap : 16;
		void *q = realloc(p->uses, n * sizeof(*p->uses));

		if (!q)
			return -ENOMEM;
		p->uses = q;
		p->cap = n;
	}
	p->uses[p->nr++] = (struct bw_use){ res, cost };
	return 0;
}

/* A hop: the data crosses the link above it one way, requests of a read the other. */
static int plan_hop(struct bw_catalog *c, struct bw_plan *p, const struct p2pdma_function *fn,
		    bool req_up, bool write)
{
	const struct p2pdma_function *lo = bw_link_owner(fn);
	struct p2pdma_bw_tlp_cost cost;
	char name[P2PDMA_BDF_STRLEN];
	uint32_t mts, width;
	bool data_up = write ? req_up : !req_up;
	int ret;

	if (!physical_link(lo))
		return 0;
	ret = link_state(c, lo, &mts, &width);
	if (ret)
		return ret;
	p2pdma_bw_tlp_cost(mts, c->plat.mps, c->plat.mrrs, !write, &cost);
	p2pdma_buf_printf(&p->leg, "%s\n", p2pdma_bdf_format(&lo->bdf, name, sizeof(name)));
	ret = bw_plan_use(p, link_resource(c, lo, data_up, mts, width), cost.data);
	if (!ret && cost.request > 0)
		ret = bw_plan_use(p, link_resource(c, lo, !data_up, mts, width), cost.request);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Root complex, sockets, DRAM                                             */

static int node_slot(const struct bw_catalog *c, int node)
{
	return node >= 0 && node < c->nodes ? node : c->nodes;
}

static long dram_resource(struct bw_catalog *c, int node)
{
	long *slot = &c->dram_res[node_slot(c, node)];
	char name[48];

	if (*slot >= 0)
		return *slot;
	if (node >= 0)
		snprintf(name, sizeof(name), "dram node %d", node);
	else
		snprintf(name, sizeof(name), "dram (node unknown)");
	*slot = add_resource(c, P2PDMA_BW_RES_DRAM, c->plat.dram_bw, name);
	if (*slot >= 0)
		c->res[*slot].node = node;
	return *slot;
}

static long rc_resource(struct bw_catalog *c, int node)
{
	long *slot = &c->rc_res[node_slot(c, node)];
	char name[64];

	if (*slot >= 0)
		return *slot;
	snprintf(name, sizeof(name), "root complex node %d peer forwarding", node);
	*slot = add_resource(c, P2PDMA_BW_RES_RC_PEER, c->plat.rc_peer_bw, name);
	if (*slot >= 0)
		c->res[*slot].node = node;
	return *slot;
}

static long xs_resource(struct bw_catalog *c, int from, int to)
{
	long *slot = &c->xs_res[from * c->nodes + to];
	char name[48];

	if (*slot >= 0)
		return *slot;
	snprintf(name, sizeof(name), "inter-socket %d->%d", from, to);
	*slot = add_resource(c, P2PDMA_BW_RES_INTER_SOCKET, c->plat.inter_socket_bw, name);
	if (*slot >= 0) {
		c->res[*slot].node = from;
		c->res[*slot].node2 = to;
	}
	return *slot;
}

/* The function on the root bus above @fn: the root port (or root-bus device) it enters by. */
static const struct p2pdma_function *root_port_of(const struct p2pdma_function *fn)
{
	if (fn->physfn)
		fn = fn->physfn;
	while (fn->parent)
		fn = fn->parent;
	return fn;
}

/* One way through the root complex, from the port @a to the port @b. */
static long dir_resource(struct bw_catalog *c, const struct p2pdma_function *a,
			 const struct p2pdma_function *b)
{
	char name[128], na[P2PDMA_BDF_STRLEN], nb[P2PDMA_BDF_STRLEN];
	size_t i;
	long r;
	void *p;

	for (i = 0; i < c->nr_dir; i++)
		if (c->dir[i].a == a && c->dir[i].b == b)
			return c->dir[i].res;
	p = realloc(c->dir, (c->nr_dir + 1) * sizeof(*c->dir));
	if (!p)
		return -ENOMEM;
	c->dir = p;
	snprintf(name, sizeof(name), "root complex %s->%s peer forwarding",
		 p2pdma_bdf_format(&a->bdf, na, sizeof(na)), p2pdma_bdf_format(&b->bdf, nb, sizeof(nb)));
	r = add_resource(c, P2PDMA_BW_RES_RC_PEER, c->plat.rc_peer_dir_bw, name);
	if (r < 0)
		return r;
	c->res[r].node = a->host->numa_node;
	c->dir[c->nr_dir++] = (struct bw_dir){ a, b, r };
	return r;
}

/* Data going from socket @a to socket @b pays the link between them. */
static int plan_sockets(struct bw_catalog *c, struct bw_plan *p, int a, int b)
{
	if (a < 0 || b < 0 || a == b || a >= c->nodes || b >= c->nodes)
		return 0;
	if (c->plat.inter_socket_bw >= P2PDMA_BW_UNLIMITED)
		return 0;
	p2pdma_buf_printf(&p->leg, "socket %d->%d\n", a, b);
	return bw_plan_use(p, xs_resource(c, a, b), 1);
}

static int plan_ram(struct bw_catalog *c, struct bw_plan *p,
		    const struct p2pdma_sim_route *rt, bool write)
{
	int rc = rt->rc_in ? rt->rc_in->numa_node : -1, node = rt->ram_node;
	int ret;

	if (node < 0) {
		ret = bw_assume(c, "host memory's NUMA node unknown: one DRAM pool for all of it");
		if (ret)
			return ret;
	}
	ret = write ? plan_sockets(c, p, rc, node) : plan_sockets(c, p, node, rc);
	if (ret)
		return ret;
	if (node >= 0)
		p2pdma_buf_printf(&p->leg, "RAM:%d\n", node);
	else
		p2pdma_buf_puts(&p->leg, "RAM\n");
	return bw_plan_use(p, dram_resource(c, node), 1);
}

/* A peer request the root complex forwards between two of its host bridges. */
static int plan_peer(struct bw_catalog *c, struct bw_plan *p,
		     const struct p2pdma_sim_route *rt, bool write)
{
	int in = rt->rc_in->numa_node, out = rt->rc_out->numa_node;
	bool allowed = write ? c->plat.rc_peer_writes : c->plat.rc_peer_reads;
	double cost = write ? 1 : c->plat.rc_peer_read_cost;
	int ret;

	if (!allowed) {
		p->ok = false;
		free(p->reason);
		if (asprintf(&p->reason, "the %s root complex does not forward peer %s (%s)",
			     c->plat.name, write ? "writes" : "reads", c->plat.rc_src) < 0)
			p->reason = NULL;
		return 0;
	}
	p2pdma_buf_puts(&p->leg, "RC\n");
	if (c->plat.rc_peer_bw < P2PDMA_BW_UNLIMITED) {
		ret = bw_plan_use(p, rc_resource(c, in), cost);
		if (ret)
			return ret;
	}
	if (c->plat.rc_peer_dir_bw < P2PDMA_BW_UNLIMITED && rt->nr_hops && rt->target_fn) {
		const struct p2pdma_function *src = root_port_of(rt->hops[0].fn);
		const struct p2pdma_function *dst = root_port_of(rt->target_fn);

		ret = bw_plan_use(p, write ? dir_resource(c, src, dst) : dir_resource(c, dst, src),
				  cost);
		if (ret)
			return ret;
	}
	return write ? plan_sockets(c, p, in, out) : plan_sockets(c, p, out, in);
}

static int plan_rc(struct bw_catalog *c, struct bw_plan *p,
		   const struct p2pdma_sim_route *rt, bool write)
{
	if (rt->target == P2PDMA_SIM_TARGET_RAM)
		return plan_ram(c, p, rt, write);
	return rt->rc_out ? plan_peer(c, p, rt, write) : 0;
}

/* Path ends with @tok (the memory both legs of a flow meet in). */
static bool path_ends_with(const struct p2pdma_buf *b, const char *tok, size_t n)
{
	return b->len >= n && !memcmp(b->s + b->len - n, tok, n) &&
	       (b->len == n || b->s[b->len - n - 1] == ' ');
}

static void path_token(struct bw_plan *p, const char *tok, size_t n)
{
	if (path_ends_with(&p->path, tok, n))
		return;
	p2pdma_buf_printf(&p->path, "%s%.*s", p->path.len ? " > " : "", (int)n, tok);
}

/*
 * Add the leg's tokens to the path in the order the data goes: the
 * request's order for a write, the other way for a read.
 */
static int leg_path(struct bw_plan *p, bool reverse)
{
	const char *s = p->leg.s ? p->leg.s : "", *end = s + p->leg.len, *t;

	if (!reverse) {
		for (t = s; t < end; t = strchr(t, '\n') + 1)
			path_token(p, t, (size_t)(strchr(t, '\n') - t));
	} else {
		const char *stop = end;

		while (stop > s) {
			t = stop - 1;
			while (t > s && t[-1] != '\n')
				t--;
			path_token(p, t, (size_t)(stop - 1 - t));
			stop = t;
		}
	}
	p->leg.len = 0;
	if (p->leg.s)
		p->leg.s[0] = '\0';
	return p->path.err || p->leg.err ? -ENOMEM : 0;
}

/*
 * Charge one routed DMA to @p: the request's hops up to the root complex
 * (or the switch that turns it), what happens there, the hops down.
 */
int bw_plan_route(struct bw_catalog *c, struct bw_plan *p,
		  const struct p2pdma_sim_route *rt, bool write)
{
	bool at_rc = false;
	size_t i;
	int ret = 0;

	for (i = 0; i < rt->nr_hops && !ret && p->ok; i++) {
		if (!rt->hops[i].up && !at_rc && rt->rc_in) {
			at_rc = true;
			ret = plan_rc(c, p, rt, write);
			if (ret || !p->ok)
				break;
		}
		ret = plan_hop(c, p, rt->hops[i].fn, rt->hops[i].up, write);
	}
	/* RAM, or a target on a root bus: no hop down after the root complex. */
	if (!ret && p->ok && !at_rc && rt->rc_in)
		ret = plan_rc(c, p, rt, write);
	if (!ret)
		ret = leg_path(p, !write);
	return ret;
}

void bw_plan_release(struct bw_plan *p)
{
	free(p->uses);
	free(p->path.s);
	free(p->leg.s);
	free(p->reason);
	memset(p, 0, sizeof(*p));
}
