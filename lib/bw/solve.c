// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Max-min fair rates by progressive filling.
 *
 * All unfrozen flows share one rising rate t.  A resource r with
 * capacity C, frozen load F (flows already fixed) and unfrozen cost sum W
 * fills when t reaches (C - F) / W.  A heap keyed by that level gives the
 * next resource to fill; its unfrozen flows freeze at t, which changes F
 * and W of every other resource they cross, so those get a new key
 * (older heap entries are skipped by a stamp).  Cost: O(U log U) for U
 * uses, so 10,000 flows of a dozen links each solve in milliseconds.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw_int.h"

struct use {
	long flow, res;
	double cost;
};

struct p2pdma_bw_net {
	double *cap;
	size_t nr_res, res_cap;
	size_t nr_flows, flows_cap;
	struct use *uses;
	size_t nr_uses, uses_cap;
	bool *active;		/* per flow: take part in the next solve */
	double *rate;		/* per flow */
	long *bottleneck;	/* per flow */
	double *load;		/* per resource */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

struct p2pdma_bw_net *p2pdma_bw_net_new(void)
{
	return calloc(1, sizeof(struct p2pdma_bw_net));
}

void p2pdma_bw_net_free(struct p2pdma_bw_net *n)
{
	if (!n)
		return;
	free(n->cap);
	free(n->uses);
	free(n->active);
	free(n->rate);
	free(n->bottleneck);
	free(n->load);
	free(n);
}

long p2pdma_bw_net_add_resource(struct p2pdma_bw_net *n, double capacity)
{
	size_t c = n->res_cap;

	if (grow((void **)&n->cap, &c, n->nr_res + 1, sizeof(*n->cap)))
		return -ENOMEM;
	n->res_cap = c;
	n->cap[n->nr_res] = capacity > 0 ? capacity : 0;
	return (long)n->nr_res++;
}

long p2pdma_bw_net_add_flow(struct p2pdma_bw_net *n)
{
	size_t c = n->flows_cap;

	if (grow((void **)&n->active, &c, n->nr_flows + 1, sizeof(*n->active)))
		return -ENOMEM;
	n->flows_cap = c;
	n->active[n->nr_flows] = true;
	return (long)n->nr_flows++;
}

int p2pdma_bw_net_use(struct p2pdma_bw_net *n, long flow, long res, double cost)
{
	if (flow < 0 || (size_t)flow >= n->nr_flows || res < 0 || (size_t)res >= n->nr_res ||
	    !(cost > 0))
		return -EINVAL;
	if (grow((void **)&n->uses, &n->uses_cap, n->nr_uses + 1, sizeof(*n->uses)))
		return -ENOMEM;
	n->uses[n->nr_uses++] = (struct use){ flow, res, cost };
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The heap of fill levels                                                 */

struct entry {
	double level;
	long res;
	unsigned int stamp;
};

struct heap {
	struct entry *e;
	size_t n, cap;
};

static int heap_push(struct heap *h, struct entry x)
{
	size_t i;

	if (grow((void **)&h->e, &h->cap, h->n + 1, sizeof(*h->e)))
		return -ENOMEM;
	for (i = h->n++; i && h->e[(i - 1) / 2].level > x.level; i = (i - 1) / 2)
		h->e[i] = h->e[(i - 1) / 2];
	h->e[i] = x;
	return 0;
}

static struct entry heap_pop(struct heap *h)
{
	struct entry top = h->e[0], last = h->e[--h->n];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->e[c + 1].level < h->e[c].level)
			c++;
		if (last.level <= h->e[c].level)
			break;
		h->e[i] = h->e[c];
		i = c;
	}
	if (h->n)
		h->e[i] = last;
	return top;
}

/* ---------------------------------------------------------------------- */
/* Solving                                                                 */

struct solve {
	struct p2pdma_bw_net *n;
	size_t *fo, *fu;	/* uses by flow: fu[fo[f] .. fo[f + 1]) */
	size_t *ro, *ru;	/* uses by resource */
	double *fixed, *w;	/* per resource */
	unsigned int *stamp;
	bool *frozen;
	struct heap heap;
	double level;
};

/* Counting sort of the uses by @key (flow or resource). */
static void index_uses(const struct p2pdma_bw_net *n, bool by_res, size_t count,
		       size_t *off, size_t *list)
{
	size_t i;

	memset(off, 0, (count + 1) * sizeof(*off));
	for (i = 0; i < n->nr_uses; i++)
		off[(by_res ? n->uses[i].res : n->uses[i].flow) + 1]++;
	for (i = 0; i < count; i++)
		off[i + 1] += off[i];
	for (i = 0; i < n->nr_uses; i++) {
		size_t k = (size_t)(by_res ? n->uses[i].res : n->uses[i].flow);

		list[off[k]++] = i;
	}
	for (i = count; i > 0; i--)
		off[i] = off[i - 1];
	off[0] = 0;
}

static int push_level(struct solve *s, long r)
{
	double lv;

	if (s->w[r] <= 0)
		return 0;
	lv = (s->n->cap[r] - s->fixed[r]) / s->w[r];
	if (lv < s->level)
		lv = s->level;
	return heap_push(&s->heap, (struct entry){ lv, r, ++s->stamp[r] });
}

/* Fix @f's rate at the current level; the resources it crosses get new keys. */
static int freeze(struct solve *s, long f, long bottleneck)
{
	struct p2pdma_bw_net *n = s->n;
	size_t i;
	int ret;

	s->frozen[f] = true;
	n->rate[f] = s->level;
	n->bottleneck[f] = bottleneck;
	for (i = s->fo[f]; i < s->fo[f + 1]; i++) {
		const struct use *u = &n->uses[s->fu[i]];

		s->fixed[u->res] += u->cost * s->level;
		s->w[u->res] -= u->cost;
		if (s->w[u->res] < 1e-12)
			s->w[u->res] = 0;
	}
	for (i = s->fo[f]; i < s->fo[f + 1]; i++) {
		ret = push_level(s, n->uses[s->fu[i]].res);
		if (ret)
			return ret;
	}
	return 0;
}

static int fill(struct solve *s)
{
	struct p2pdma_bw_net *n = s->n;
	size_t i;
	long r;
	int ret;

	for (i = 0; i < n->nr_uses; i++)
		if (n->active[n->uses[i].flow])
			s->w[n->uses[i].res] += n->uses[i].cost;
	for (r = 0; r < (long)n->nr_res; r++) {
		ret = push_level(s, r);
		if (ret)
			return ret;
	}
	while (s->heap.n) {
		struct entry x = heap_pop(&s->heap);

		if (x.stamp != s->stamp[x.res] || s->w[x.res] <= 0)
			continue;
		s->level = x.level;
		for (i = s->ro[x.res]; i < s->ro[x.res + 1]; i++) {
			long f = n->uses[s->ru[i]].flow;

			if (n->active[f] && !s->frozen[f]) {
				ret = freeze(s, f, x.res);
				if (ret)
					return ret;
			}
		}
	}
	return 0;
}

static void finish(struct solve *s)
{
	struct p2pdma_bw_net *n = s->n;
	size_t i;

	for (i = 0; i < n->nr_flows; i++) {
		if (!n->active[i]) {
			n->rate[i] = 0;
			n->bottleneck[i] = -1;
		} else if (!s->frozen[i]) {
			n->rate[i] = P2PDMA_BW_UNLIMITED;
			n->bottleneck[i] = -1;
		}
	}
	memset(n->load, 0, n->nr_res * sizeof(*n->load));
	for (i = 0; i < n->nr_uses; i++)
		if (n->active[n->uses[i].flow])
			n->load[n->uses[i].res] += n->uses[i].cost * n->rate[n->uses[i].flow];
}

static void solve_release(struct solve *s)
{
	free(s->fo);
	free(s->fu);
	free(s->ro);
	free(s->ru);
	free(s->fixed);
	free(s->w);
	free(s->stamp);
	free(s->frozen);
	free(s->heap.e);
}

static int alloc_results(struct p2pdma_bw_net *n)
{
	size_t nf = n->nr_flows + 1, nr = n->nr_res + 1;
	double *rate = realloc(n->rate, nf * sizeof(*rate));
	long *bn;
	double *load;

	if (!rate)
		return -ENOMEM;
	n->rate = rate;
	bn = realloc(n->bottleneck, nf * sizeof(*bn));
	if (!bn)
		return -ENOMEM;
	n->bottleneck = bn;
	load = realloc(n->load, nr * sizeof(*load));
	if (!load)
		return -ENOMEM;
	n->load = load;
	return 0;
}

int p2pdma_bw_net_solve(struct p2pdma_bw_net *n, struct p2pdma_error *e)
{
	size_t nf = n->nr_flows, nr = n->nr_res, nu = n->nr_uses + 1;
	struct solve s = {
		.n = n,
		.fo = malloc((nf + 1) * sizeof(size_t)),
		.fu = malloc(nu * sizeof(size_t)),
		.ro = malloc((nr + 1) * sizeof(size_t)),
		.ru = malloc(nu * sizeof(size_t)),
		.fixed = calloc(nr + 1, sizeof(double)),
		.w = calloc(nr + 1, sizeof(double)),
		.stamp = calloc(nr + 1, sizeof(unsigned int)),
		.frozen = calloc(nf + 1, sizeof(bool)),
	};
	int ret = -ENOMEM;

	if (!s.fo || !s.fu || !s.ro || !s.ru || !s.fixed || !s.w || !s.stamp || !s.frozen ||
	    alloc_results(n))
		goto out;
	index_uses(n, false, nf, s.fo, s.fu);
	index_uses(n, true, nr, s.ro, s.ru);
	ret = fill(&s);
	if (!ret)
		finish(&s);
out:
	solve_release(&s);
	if (ret)
		p2pdma_fail(e, ret, "bandwidth solver: out of memory");
	return ret;
}

double p2pdma_bw_net_rate(const struct p2pdma_bw_net *n, long flow)
{
	return n->rate[flow];
}

long p2pdma_bw_net_bottleneck(const struct p2pdma_bw_net *n, long flow)
{
	return n->bottleneck[flow];
}

double p2pdma_bw_net_load(const struct p2pdma_bw_net *n, long res)
{
	return n->load[res];
}

double p2pdma_bw_net_capacity(const struct p2pdma_bw_net *n, long res)
{
	return n->cap[res];
}

/* ---------------------------------------------------------------------- */
/* Running to completion                                                   */

/* The time until the next active flow finishes; -1 when none moves. */
static double next_finish(const struct p2pdma_bw_net *n, const double *left)
{
	double dt = -1;
	size_t i;

	for (i = 0; i < n->nr_flows; i++) {
		double t;

		if (!n->active[i] || !(n->rate[i] > 0))
			continue;
		t = left[i] / n->rate[i];
		if (dt < 0 || t < dt)
			dt = t;
	}
	return dt;
}

/* Advance by @dt; flows within a part per billion of their end are done. */
static size_t advance(struct p2pdma_bw_net *n, const double *bytes, double *left,
		      double *done, double now, double dt)
{
	size_t i, active = 0;

	for (i = 0; i < n->nr_flows; i++) {
		if (!n->active[i])
			continue;
		left[i] -= n->rate[i] * dt;
		if (left[i] <= bytes[i] * 1e-9) {
			n->active[i] = false;
			done[i] = now;
		} else {
			active++;
		}
	}
	return active;
}

int p2pdma_bw_net_run(struct p2pdma_bw_net *n, const double *bytes, double *done,
		      struct p2pdma_error *e)
{
	double *left = malloc((n->nr_flows + 1) * sizeof(*left)), now = 0;
	size_t i, active = 0;
	int ret = 0;

	if (!left)
		return p2pdma_fail(e, -ENOMEM, "bandwidth solver: out of memory");
	for (i = 0; i < n->nr_flows; i++) {
		left[i] = bytes[i];
		done[i] = 0;
		n->active[i] = bytes[i] > 0;
		active += n->active[i];
	}
	while (active && !ret) {
		double dt;

		ret = p2pdma_bw_net_solve(n, e);
		if (ret)
			break;
		dt = next_finish(n, left);
		if (dt < 0) {
			ret = p2pdma_fail(e, -EDEADLK,
					  "bandwidth solver: %zu flow(s) cannot move (a resource of capacity 0)",
					  active);
			break;
		}
		now += dt;
		active = advance(n, bytes, left, done, now, dt);
	}
	for (i = 0; i < n->nr_flows; i++)
		n->active[i] = true;
	free(left);
	return ret ? ret : p2pdma_bw_net_solve(n, e);
}
