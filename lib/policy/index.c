// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The policy index: one O(n) pass over the fabric so that every pair
 * verdict afterwards costs O(1).
 *
 * The kernel walks pci_upstream_bridge() chains with two nested loops;
 * the first device of the provider's chain that is also on the client's
 * chain is the common upstream device.  That is exactly the lowest common
 * ancestor in the forest where every function's parent is its upstream
 * bridge (a VF's is its PF's parent).  With the forest in depth-first
 * preorder, the LCA of u != v is the parent of the shallowest node in
 * (pos(u), pos(v)]; a range-minimum structure over the preorder answers
 * that in O(1) with two words per function: blocks of 32 positions, in
 * each a bit mask per position of the stack of prefix minima (the lowest
 * bit at or after a position is the minimum from there), and a sparse
 * table over the block minima only (n/32 log n entries).  Prefix
 * counts of redirecting / unknown-ACS devices along each root path give
 * the number of redirecting devices the kernel would find on any path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

enum p2pdma_redir p2pdma_policy_redir(const struct p2pdma_policy *p,
				      const struct p2pdma_function *fn)
{
	size_t i;

	switch (fn->acs_state) {
	case P2PDMA_ACS_PRESENT:
		return (fn->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK) ?
			P2PDMA_REDIR_YES : P2PDMA_REDIR_NO;
	case P2PDMA_ACS_ABSENT:
		return P2PDMA_REDIR_NO;	/* no acs_cap: "no redirect" */
	default:
		break;
	}
	for (i = 0; i < p->nr_acs_off; i++)
		if (p->acs_off[i] == fn)
			return P2PDMA_REDIR_NO;
	return P2PDMA_REDIR_UNKNOWN;
}

static void free_index(struct p2pdma_policy *p)
{
	free(p->node);
	free(p->up);
	free(p->top);
	free(p->depth);
	free(p->pre);
	free(p->mask);
	free(p->blk);
	free(p->phb);
	p->node = NULL;
	p->up = NULL;
	p->top = NULL;
	p->depth = NULL;
	p->pre = NULL;
	p->mask = NULL;
	p->blk = NULL;
	p->phb = NULL;
	p->valid = false;
}

size_t p2pdma_policy_bytes(const struct p2pdma_policy *p)
{
	size_t b = sizeof(*p);

	if (p->node)
		b += p->n * (sizeof(*p->node) + sizeof(*p->up) + sizeof(*p->top) +
			     sizeof(*p->depth));
	if (p->pre)
		b += p->m * (sizeof(*p->pre) + sizeof(*p->mask)) +
		     (size_t)p->levels * p->nb * sizeof(*p->blk);
	if (p->phb)
		b += p->nr_phb * sizeof(*p->phb);

	return b + p->nr_acs_off * sizeof(*p->acs_off) + p2pdma_kcache_bytes(p);
}

/*
 * A real PCI tree has no cycles, but a described one could make a VF's
 * "PF's parent" lie below the VF.  Cut any cycle so the walk ends; the
 * kernel can never see such a tree, so any answer is acceptable as long
 * as nothing loops.
 */
static void cut_cycles(int32_t *up, size_t n)
{
	uint32_t *stamp = calloc(n ? n : 1, sizeof(*stamp));
	size_t i;

	if (!stamp) {
		for (i = 0; i < n; i++)
			up[i] = -1;
		return;
	}
	for (i = 0; i < n; i++) {
		int32_t j = (int32_t)i;

		/* stamp i + 1: on this walk; UINT32_MAX: known to reach a root */
		while (j >= 0 && stamp[j] == 0) {
			stamp[j] = (uint32_t)i + 1;
			j = up[j];
		}
		if (j >= 0 && stamp[j] == (uint32_t)i + 1)
			up[j] = -1;
		for (j = (int32_t)i; j >= 0 && stamp[j] == (uint32_t)i + 1; j = up[j])
			stamp[j] = UINT32_MAX;
	}
	free(stamp);
}

static void fill_nodes(struct p2pdma_policy *p)
{
	struct p2pdma_fabric *f = p->f;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		const struct p2pdma_function *up = p2pdma_upstream_bridge(fn);
		struct p2pdma_pnode *nd = &p->node[i];

		memset(nd, 0, sizeof(*nd));
		p->up[i] = up ? (int32_t)up->index : -1;
		nd->flags = (uint8_t)p2pdma_policy_redir(p, fn);
		if (fn->role == P2PDMA_ROLE_SWITCH_UPSTREAM)
			nd->flags |= P2PDMA_PN_USP;
		nd->hb = (uint16_t)fn->host->index;
	}
	cut_cycles(p->up, p->n);
	/*
	 * A bridge starts a new "unit" unless it is a switch downstream port
	 * under that switch's upstream port: nvidia-smi counts a switch once.
	 */
	for (i = 0; i < p->n; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		int32_t up = p->up[i];
		bool dsp_of_switch = fn->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM &&
				     up >= 0 && (p->node[up].flags & P2PDMA_PN_USP);

		if (p2pdma_role_is_bridge(fn->role) && !dsp_of_switch)
			p->node[i].flags |= P2PDMA_PN_START;
	}
}

/* Children lists of the upstream forest, CSR form; index n is the virtual root. */
static int build_children(const struct p2pdma_policy *p, uint32_t **start_out,
			  uint32_t **list_out)
{
	size_t n = p->n, i;
	uint32_t *start = calloc(n + 2, sizeof(*start));
	uint32_t *list = malloc((n ? n : 1) * sizeof(*list));
	uint32_t *fill;

	if (!start || !list) {
		free(start);
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		int32_t up = p->up[i];

		start[(up < 0 ? n : (size_t)up) + 1]++;
	}
	for (i = 0; i < n + 1; i++)
		start[i + 1] += start[i];
	fill = calloc(n + 1, sizeof(*fill));
	if (!fill) {
		free(start);
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		size_t par = p->up[i] < 0 ? n : (size_t)p->up[i];

		list[start[par] + fill[par]++] = (uint32_t)i;
	}
	free(fill);
	*start_out = start;
	*list_out = list;
	return 0;
}

/*
 * The range-minimum entry for preorder position of @v: its depth (+1) in
 * the high bits so min() finds the shallowest node, its parent (n for a
 * root: "no common device") in the low bits.
 */
static uint32_t pack(const struct p2pdma_policy *p, size_t v)
{
	uint32_t parent = p->up[v] < 0 ? (uint32_t)p->n : (uint32_t)p->up[v];

	return ((p->depth[v] + 1) << P2PDMA_SPARSE_NODE_BITS) | parent;
}

/*
 * Depth, prefix counts and the top of its tree for @v from its parent's.
 * The 16-bit counts saturate on trees too deep for them; such trees never
 * use them (they are too deep for the packed entries too, and verdicts
 * walk).
 */
static void visit(struct p2pdma_policy *p, size_t v, size_t par)
{
	struct p2pdma_pnode *nd = &p->node[v];
	uint32_t R = 0, U = 0, S = 0, depth = 0;
	uint8_t redir = nd->flags & P2PDMA_PN_REDIR;

	p->top[v] = par == p->n ? (uint32_t)v : p->top[par];
	if (par != p->n) {
		R = p->node[par].R;
		U = p->node[par].U;
		S = p->node[par].S;
		depth = p->depth[par] + 1;
	}
	p->depth[v] = depth;
	R += redir == P2PDMA_REDIR_YES;
	U += redir == P2PDMA_REDIR_UNKNOWN;
	S += !!(nd->flags & P2PDMA_PN_START);
	nd->depth = (uint16_t)(depth < UINT16_MAX ? depth : UINT16_MAX);
	nd->R = (uint16_t)(R < UINT16_MAX ? R : UINT16_MAX);
	nd->U = (uint16_t)(U < UINT16_MAX ? U : UINT16_MAX);
	nd->S = (uint16_t)(S < UINT16_MAX ? S : UINT16_MAX);
}

/*
 * Iterative depth-first walk from the virtual root: depths, prefix
 * counts and the preorder (@order, n entries; node[v].first is v's
 * position in it).
 */
static int walk_forest(struct p2pdma_policy *p, uint32_t *order, uint32_t *maxdepth)
{
	uint32_t *start, *list, *stack, *next;
	size_t n = p->n, sp = 0, pos = 0;
	int ret;

	ret = build_children(p, &start, &list);
	if (ret)
		return ret;
	stack = malloc((n + 1) * sizeof(*stack));
	next = calloc(n + 1, sizeof(*next));
	if (!stack || !next) {
		free(stack);
		free(next);
		free(start);
		free(list);
		return -ENOMEM;
	}
	*maxdepth = 0;
	stack[sp++] = (uint32_t)n;
	while (sp) {
		uint32_t v = stack[sp - 1];

		if (start[v] + next[v] < start[v + 1]) {
			uint32_t c = list[start[v] + next[v]++];

			visit(p, c, v);
			if (p->depth[c] > *maxdepth)
				*maxdepth = p->depth[c];
			p->node[c].first = (uint32_t)pos;
			order[pos++] = c;
			stack[sp++] = c;
		} else {
			sp--;
		}
	}
	free(stack);
	free(next);
	free(start);
	free(list);
	return 0;
}

/*
 * Bit masks of one block [base, end): at position i, bit j set when
 * position base + j is on the stack of strict prefix minima ending at i
 * (pre[base + j] < every later entry up to i).
 */
static void build_masks(struct p2pdma_policy *p, size_t base, size_t end)
{
	uint32_t stack = 0;
	size_t i;

	for (i = base; i < end; i++) {
		while (stack) {
			unsigned int top = 31u - (unsigned int)__builtin_clz(stack);

			if (p->pre[base + top] < p->pre[i])
				break;
			stack &= ~(1u << top);
		}
		stack |= 1u << (i - base);
		p->mask[i] = stack;
	}
}

static int build_rmq(struct p2pdma_policy *p, const uint32_t *order)
{
	size_t m = p->m, k, i;
	unsigned int levels = 1;

	p->nb = (m + P2PDMA_RMQ_BLOCK - 1) / P2PDMA_RMQ_BLOCK;
	while (((size_t)1 << levels) <= p->nb)
		levels++;
	p->levels = levels;
	p->pre = malloc((m ? m : 1) * sizeof(*p->pre));
	p->mask = malloc((m ? m : 1) * sizeof(*p->mask));
	p->blk = malloc((size_t)levels * (p->nb ? p->nb : 1) * sizeof(*p->blk));
	if (!p->pre || !p->mask || !p->blk)
		return -ENOMEM;
	for (i = 0; i < m; i++)
		p->pre[i] = pack(p, order[i]);
	for (k = 0; k < p->nb; k++) {
		size_t base = k * P2PDMA_RMQ_BLOCK;
		size_t end = base + P2PDMA_RMQ_BLOCK < m ? base + P2PDMA_RMQ_BLOCK : m;

		build_masks(p, base, end);
		p->blk[k] = p->pre[base + (size_t)__builtin_ctz(p->mask[end - 1])];
	}
	for (k = 1; k < levels; k++) {
		const uint32_t *prev = p->blk + (k - 1) * p->nb;
		uint32_t *cur = p->blk + k * p->nb;
		size_t half = (size_t)1 << (k - 1);

		for (i = 0; i + ((size_t)1 << k) <= p->nb; i++)
			cur[i] = prev[i] < prev[i + half] ? prev[i] : prev[i + half];
	}
	return 0;
}

static void index_host_bridges(struct p2pdma_policy *p)
{
	size_t count, i;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list_all(&count);

	p->hb_any_unknown = false;
	for (i = 0; i < p->nr_phb; i++) {
		struct p2pdma_phb *h = &p->phb[i];

		/* The device and the rows of the release answered for (releases.c). */
		h->dev = p2pdma_rel_host_bridge_dev(p->rel.v, p->f->hbs[i]);
		h->id_unknown = false;
		h->entry = h->dev ? p2pdma_rel_allow_match_id(p->rel.v, h->dev->vendor,
							      h->dev->device, &h->id_unknown) : -1;
		h->ok_same = h->entry >= 0;
		h->ok_diff = h->entry >= 0 &&
			     !(tbl[h->entry].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);
		p->hb_any_unknown |= h->id_unknown;
	}
	/* Copied into every function so a verdict reads one record per side. */
	for (i = 0; i < p->n; i++) {
		struct p2pdma_pnode *nd = &p->node[i];
		const struct p2pdma_phb *h = &p->phb[p->f->fns[i]->host->index];

		nd->flags |= (h->ok_same ? P2PDMA_PN_OK_SAME : 0) |
			     (h->ok_diff ? P2PDMA_PN_OK_DIFF : 0) |
			     (h->id_unknown ? P2PDMA_PN_HB_UNKNOWN : 0);
	}
}

int p2pdma_policy_sync(struct p2pdma_policy *p)
{
	struct p2pdma_fabric *f = p->f;
	uint32_t *euler = NULL, maxdepth = 0;
	int ret = -ENOMEM;

	if (p->valid && p->gen == f->generation && p->n == f->nr_fns)
		return 0;
	if (!f->finalized)
		return -EINVAL;
	if (p->valid)
		p2pdma_kcache_keep(p, f->nr_fns);
	free_index(p);
	p->n = f->nr_fns;
	p->nr_phb = f->nr_hbs;
	p->node = calloc(p->n ? p->n : 1, sizeof(*p->node));
	p->up = calloc(p->n ? p->n : 1, sizeof(*p->up));
	p->top = calloc(p->n ? p->n : 1, sizeof(*p->top));
	p->depth = calloc(p->n ? p->n : 1, sizeof(*p->depth));
	p->phb = calloc(p->nr_phb ? p->nr_phb : 1, sizeof(*p->phb));
	p->m = p->n;
	euler = malloc((p->m ? p->m : 1) * sizeof(*euler));
	if (!p->node || !p->up || !p->top || !p->depth || !p->phb || !euler)
		goto fail;
	fill_nodes(p);
	ret = walk_forest(p, euler, &maxdepth);
	if (ret)
		goto fail;
	/* The packed sparse table and the 16-bit records have their limits. */
	p->fast_lca = p->n < P2PDMA_SPARSE_NODE_MASK &&
		      maxdepth + 1 <= P2PDMA_SPARSE_MAX_DEPTH &&
		      p->nr_phb <= UINT16_MAX;
	if (p->fast_lca) {
		ret = build_rmq(p, euler);
		if (ret)
			goto fail;
	}
	free(euler);
	p2pdma_rel_sync(p);
	index_host_bridges(p);
	/* Before the CPU rule (5.9) the CPU decides nothing: "known". */
	p->cpu_known = f->cpu.known || !p2pdma_rel_has(p->rel.v, P2PDMA_REL_CPU_RULE);
	p->cpu_ok = p2pdma_rel_cpu_rule(p->rel.v, &f->cpu);
	p->gen = f->generation;
	p->valid = true;
	return 0;
fail:
	free(euler);
	free_index(p);
	return ret;
}

void p2pdma_policy_force_walk(struct p2pdma_policy *p, bool walk)
{
	if (p2pdma_policy_sync(p))
		return;
	if (walk)
		p->fast_lca = false;
	else
		p->fast_lca = p->pre != NULL;
}

static int lca_walk(const struct p2pdma_policy *p, int32_t a, int32_t b)
{
	while (a >= 0 && b >= 0 && a != b) {
		if (p->depth[a] >= p->depth[b])
			a = p->up[a];
		else
			b = p->up[b];
	}
	return (a >= 0 && a == b) ? a : -1;
}

int p2pdma_lca(const struct p2pdma_policy *p, size_t a, size_t b)
{
	if (a == b)
		return (int)a;
	if (!p->fast_lca)
		return lca_walk(p, (int32_t)a, (int32_t)b);
	return p2pdma_lca_fast(p, (uint32_t)a, (uint32_t)b);
}

struct p2pdma_policy *p2pdma_policy_new(struct p2pdma_fabric *f)
{
	struct p2pdma_policy *p;

	if (!f)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->f = f;
	return p;
}

void p2pdma_policy_free(struct p2pdma_policy *p)
{
	if (!p)
		return;
	free_index(p);
	p2pdma_kcache_free(p);
	free(p->acs_off);
	free(p);
}

struct p2pdma_fabric *p2pdma_policy_fabric(const struct p2pdma_policy *p)
{
	return p->f;
}
