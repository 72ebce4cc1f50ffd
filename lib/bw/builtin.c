// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Built-in workloads, generated for any machine from its devices: the
 * common uses of P2PDMA (copy offload, NVMe-oF target, GPUDirect Storage
 * and RDMA), and all of them at once.  Each pairs every device of the
 * first kind with the nearest, least used device of the second, so
 * that on a machine with switches the pairs stay below a switch where
 * they can.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_int.h"

#define FLOW_BYTES (1ULL << 30)

enum kind { NVME, NIC, GPU, NR_KINDS };

static const char *const kind_names[] = { "NVMe drives", "NICs", "GPUs" };

struct devs {
	const struct p2pdma_function **v[NR_KINDS];
	size_t n[NR_KINDS];
	size_t gpus_without_bar;	/* the source described no BARs (NCCL XML) */
};

static const struct builtin {
	const char *name, *summary;
} builtins[] = {
	{ "copy", "copy offload: each NVMe drive to the next, through p2pmem (NVMe -> p2pmem -> NVMe)" },
	{ "nvmeof-write", "NVMe-oF target writes: NIC -> p2pmem -> NVMe" },
	{ "nvmeof-read", "NVMe-oF target reads: NVMe -> p2pmem -> NIC" },
	{ "storage-gpu", "GPUDirect Storage: NVMe -> GPU memory" },
	{ "gpu-nic", "GPUDirect RDMA: GPU -> NIC and NIC -> GPU" },
	{ "all-busy", "every NVMe drive, NIC and GPU busy at once: all of the above" },
};

static const char *const names[] = {
	"copy", "nvmeof-write", "nvmeof-read", "storage-gpu", "gpu-nic", "all-busy", NULL,
};

const char *const *p2pdma_bw_builtin_names(void)
{
	return names;
}

const char *p2pdma_bw_builtin_summary(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return builtins[i].summary;
	return NULL;
}

/* One function per physical device: no VFs, no second function of a card. */
static bool first_function(const struct p2pdma_function *fn)
{
	return !fn->physfn && bw_link_owner(fn) == fn;
}

static int kind_of(const struct p2pdma_function *fn)
{
	if (p2pdma_function_is_bridge(fn) || !first_function(fn))
		return -1;
	if (fn->class_code == 0x010802)
		return NVME;
	switch (fn->class_code >> 16) {
	case 0x02:
		return NIC;
	default:
		return bw_is_gpu(fn) ? GPU : -1;
	}
}

static bool has_memory_bar(const struct p2pdma_function *fn)
{
	int i;

	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		if ((fn->bars[i].flags & P2PDMA_BAR_MEM) && fn->bars[i].size)
			return true;
	return false;
}

/* "; 8 GPUs are described without BARs (the source gave none): nothing can land in them" */
static const char *bar_note(const struct devs *d, char *buf, size_t len)
{
	if (!d->gpus_without_bar)
		return "";
	snprintf(buf, len, "; %zu GPU(s) are described without BARs (the source gave none), so nothing can be transferred into them",
		 d->gpus_without_bar);
	return buf;
}

static void devs_free(struct devs *d)
{
	int k;

	for (k = 0; k < NR_KINDS; k++)
		free(d->v[k]);
}

static int devs_collect(const struct p2pdma_fabric *f, struct devs *d)
{
	size_t i;
	int k;

	memset(d, 0, sizeof(*d));
	for (k = 0; k < NR_KINDS; k++) {
		d->v[k] = calloc(f->nr_fns + 1, sizeof(*d->v[k]));
		if (!d->v[k]) {
			devs_free(d);
			return -ENOMEM;
		}
	}
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		unsigned int base = fn->class_code >> 16;

		k = kind_of(fn);
		if (k >= 0)
			d->v[k][d->n[k]++] = fn;
		else if ((base == 0x03 || base == 0x12) && first_function(fn) &&
			 !p2pdma_function_is_bridge(fn) && !has_memory_bar(fn))
			d->gpus_without_bar++;
	}
	return 0;
}

/* Links between @a and @b in the tree; host bridges count as far apart. */
static int tree_distance(const struct p2pdma_function *a, const struct p2pdma_function *b)
{
	const struct p2pdma_function *x, *y;
	int da = 0, db;

	for (x = a; x; x = x->parent, da++)
		for (y = b, db = 0; y; y = y->parent, db++)
			if (x == y)
				return da + db;
	return 1000 + a->depth + b->depth + (a->host == b->host ? 0 : 1000);
}

struct gen {
	struct p2pdma_bw_workload *w;
	size_t cap;
};

static int add_flow(struct gen *g, const struct p2pdma_function *from,
		    const struct p2pdma_function *to)
{
	struct p2pdma_bw_flow_spec *fl;

	if (g->w->nr_flows == g->cap) {
		size_t n = g->cap ? 2 * g->cap : 16;
		void *p = realloc(g->w->flows, n * sizeof(*fl));

		if (!p)
			return -ENOMEM;
		g->w->flows = p;
		g->cap = n;
	}
	fl = &g->w->flows[g->w->nr_flows++];
	memset(fl, 0, sizeof(*fl));
	fl->from = from;
	fl->to = to;
	fl->bytes = FLOW_BYTES;
	fl->via = P2PDMA_BW_VIA_AUTO;
	fl->host_node = -1;
	return 0;
}

/* The nearest of @bs to @a among the least used, never @a itself. */
static size_t nearest(const struct p2pdma_function *a, const struct p2pdma_function **bs,
		      size_t nb, const size_t *used)
{
	size_t i, best = nb;

	for (i = 0; i < nb; i++) {
		if (bs[i] == a)
			continue;
		if (best == nb || used[i] < used[best] ||
		    (used[i] == used[best] && tree_distance(a, bs[i]) < tree_distance(a, bs[best])))
			best = i;
	}
	return best;
}

/* Every device of kind @ka (and of @kb, when there are more) busy with a partner. */
static int pair(struct gen *g, const struct devs *d, enum kind ka, enum kind kb)
{
	size_t na = d->n[ka], nb = d->n[kb], k, n = na > nb ? na : nb;
	size_t *used = calloc(nb + 1, sizeof(*used));
	int ret = 0;

	if (!used)
		return -ENOMEM;
	for (k = 0; k < n && !ret; k++) {
		const struct p2pdma_function *a = d->v[ka][k % na];
		size_t b = nearest(a, d->v[kb], nb, used);

		if (b == nb)
			continue;
		used[b]++;
		ret = add_flow(g, a, d->v[kb][b]);
	}
	free(used);
	return ret;
}

/* Each NVMe drive copies to the next one. */
static int copy_ring(struct gen *g, const struct devs *d)
{
	size_t i, n = d->n[NVME];
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = add_flow(g, d->v[NVME][i], d->v[NVME][(i + 1) % n]);
	return ret;
}

static int need(const struct devs *d, enum kind k, size_t n, const char *name,
		struct p2pdma_error *e)
{
	char note[160];

	if (d->n[k] >= n)
		return 0;
	return p2pdma_fail(e, -ENODEV, "workload %s needs %s%zu %s; this machine has %zu%s",
			   name, n > 1 ? "at least " : "", n, kind_names[k], d->n[k],
			   k == GPU ? bar_note(d, note, sizeof(note)) : "");
}

static int generate(struct gen *g, const struct devs *d, const char *name,
		    struct p2pdma_error *e)
{
	char note[160];
	int ret;

	if (!strcmp(name, "copy"))
		return need(d, NVME, 2, name, e) ?: copy_ring(g, d);
	if (!strcmp(name, "nvmeof-write"))
		return need(d, NIC, 1, name, e) ?: need(d, NVME, 1, name, e) ?:
		       pair(g, d, NIC, NVME);
	if (!strcmp(name, "nvmeof-read"))
		return need(d, NIC, 1, name, e) ?: need(d, NVME, 1, name, e) ?:
		       pair(g, d, NVME, NIC);
	if (!strcmp(name, "storage-gpu"))
		return need(d, NVME, 1, name, e) ?: need(d, GPU, 1, name, e) ?:
		       pair(g, d, NVME, GPU);
	if (!strcmp(name, "gpu-nic"))
		return need(d, GPU, 1, name, e) ?: need(d, NIC, 1, name, e) ?:
		       pair(g, d, GPU, NIC) ?: pair(g, d, NIC, GPU);
	/* all-busy: whatever of the above the machine has devices for. */
	ret = 0;
	if (d->n[NVME] >= 2)
		ret = copy_ring(g, d);
	if (!ret && d->n[NIC] && d->n[NVME])
		ret = pair(g, d, NIC, NVME);
	if (!ret && d->n[NVME] && d->n[GPU])
		ret = pair(g, d, NVME, GPU);
	if (!ret && d->n[GPU] && d->n[NIC])
		ret = pair(g, d, GPU, NIC);
	if (!ret && !g->w->nr_flows)
		return p2pdma_fail(e, -ENODEV,
				   "workload all-busy needs two NVMe drives, or two devices of different kinds (NVMe, NIC, GPU); this machine has %zu, %zu, %zu%s",
				   d->n[NVME], d->n[NIC], d->n[GPU], bar_note(d, note, sizeof(note)));
	return ret;
}

int p2pdma_bw_workload_builtin(const struct p2pdma_fabric *f, const char *name,
			       struct p2pdma_bw_workload **out, struct p2pdma_error *e)
{
	struct gen g = { 0 };
	struct devs d;
	const char *summary = p2pdma_bw_builtin_summary(name);
	int ret;

	*out = NULL;
	if (!summary)
		return p2pdma_fail(e, -ENOENT,
				   "no built-in workload '%s' (copy, nvmeof-write, nvmeof-read, storage-gpu, gpu-nic, all-busy)",
				   name);
	if (devs_collect(f, &d))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	g.w = bw_workload_new(name);
	ret = g.w ? 0 : -ENOMEM;
	if (!ret && !(g.w->description = strdup(summary)))
		ret = -ENOMEM;
	if (!ret)
		ret = generate(&g, &d, name, e);
	if (ret == -ENOMEM)
		p2pdma_fail(e, ret, "out of memory");
	devs_free(&d);
	if (ret) {
		p2pdma_bw_workload_free(g.w);
		return ret;
	}
	*out = g.w;
	return 0;
}
