// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Path classes as `nvidia-smi topo -m` and NCCL name them (PEERS.md 2.2,
 * 2.3), beside the kernel's verdict, and the note for where their view
 * and the kernel's disagree.  Neither tool reads ACS or the allow-list.
 *
 *   X     the same function
 *   PIX   at most one PCIe bridge; a switch (upstream port plus its
 *         downstream ports) counts once, as nvidia-smi counts it
 *   PXB   several bridges, no host bridge
 *   PHB   through one host bridge
 *   NODE  between host bridges of one NUMA node (NCCL calls it PHB)
 *   SYS   between NUMA nodes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

const char *p2pdma_path_class_name(enum p2pdma_path_class c)
{
	switch (c) {
	case P2PDMA_PATH_X: return "X";
	case P2PDMA_PATH_PIX: return "PIX";
	case P2PDMA_PATH_PXB: return "PXB";
	case P2PDMA_PATH_PHB: return "PHB";
	case P2PDMA_PATH_NODE: return "NODE";
	case P2PDMA_PATH_SYS: return "SYS";
	default: return "-";
	}
}

/* Bridge units strictly between @x and its ancestor @lca. */
static uint32_t units_below(const struct p2pdma_policy *p, size_t x, size_t lca)
{
	const struct p2pdma_pnode *n = &p->node[x];
	uint32_t units = 0;
	int32_t y;

	if (x == lca)
		return 0;
	if (p->fast_lca)
		return (uint32_t)(n->S - !!(n->flags & P2PDMA_PN_START) - p->node[lca].S);
	for (y = p->up[x]; y >= 0 && (size_t)y != lca; y = p->up[y])
		units += !!(p->node[y].flags & P2PDMA_PN_START);
	return units;
}

/*
 * NUMA node of a host bridge, else of the function.  Machines without
 * NUMA report -1 everywhere; that is one node, not "unknown".
 */
static int numa_of(const struct p2pdma_function *fn)
{
	if (fn->host->numa_node >= 0)
		return fn->host->numa_node;
	return fn->numa_node;
}

enum p2pdma_path_class p2pdma_path_class_of(const struct p2pdma_policy *p,
					    size_t pi, size_t ci, int lca)
{
	const struct p2pdma_function *a = p->f->fns[pi], *b = p->f->fns[ci];
	int na, nb;

	if (pi == ci)
		return P2PDMA_PATH_X;
	if (lca >= 0) {
		uint32_t units = units_below(p, pi, (size_t)lca) +
				 units_below(p, ci, (size_t)lca) +
				 !!(p->node[lca].flags & P2PDMA_PN_USP);

		return units <= 1 ? P2PDMA_PATH_PIX : P2PDMA_PATH_PXB;
	}
	if (a->host == b->host)
		return P2PDMA_PATH_PHB;
	na = numa_of(a);
	nb = numa_of(b);
	if (na >= 0 && nb >= 0 && na != nb)
		return P2PDMA_PATH_SYS;
	return P2PDMA_PATH_NODE;
}

/*
 * The VGA a server's BMC puts on the bus for its remote console: a
 * display function, but nothing a GPU job or NCCL would use (NVML does
 * not list it).  ASPEED's AST2x00, Matrox's G200e family and Huawei's
 * Hi171x are the ones server boards carry.
 */
static bool bmc_display(const struct p2pdma_function *fn)
{
	if (fn->class_code >> 8 != 0x0300)
		return false;
	return fn->vendor == 0x1a03 || fn->vendor == 0x102b ||
	       (fn->vendor == 0x19e5 && fn->device == 0x1711);
}

bool p2pdma_fn_is_gpu(const struct p2pdma_function *fn)
{
	uint32_t base = fn->class_code >> 16;

	/* display, processing accelerator */
	return (base == 0x03 && !bmc_display(fn)) || base == 0x12;
}

bool p2pdma_class_is_nic(uint32_t class_code)
{
	return class_code >> 16 == 0x02;
}

static size_t count_gpus(const struct p2pdma_fabric *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		if (!p2pdma_function_is_bridge(f->fns[i]) &&
		    p2pdma_fn_is_gpu(f->fns[i]))
			n++;
	return n;
}

/* NCCL folds nvidia-smi's NODE into PHB. */
static enum p2pdma_path_class nccl_class(enum p2pdma_path_class c)
{
	return c == P2PDMA_PATH_NODE ? P2PDMA_PATH_PHB : c;
}

/*
 * Where NCCL's default would call the path usable and Linux does not, or
 * the reverse.  GPU<->GPU uses NCCL's P2P level (PXB by default; SYS on an
 * x86 AMD CPU with at most two GPUs), GPU<->NIC its GDR level (PXB).
 */
char *p2pdma_peer_note(const struct p2pdma_policy *p, const struct p2pdma_verdict *v)
{
	const struct p2pdma_function *a = v->provider, *b = v->client;
	enum p2pdma_path_class nc, level = P2PDMA_PATH_PXB;
	const char *what, *var;
	bool gpu_a, gpu_b, nccl_uses;
	char *s = NULL;

	if (!b || a == b || !v->certain)
		return NULL;
	gpu_a = p2pdma_fn_is_gpu(a);
	gpu_b = p2pdma_fn_is_gpu(b);
	if (gpu_a && gpu_b) {
		what = "P2P";
		var = "NCCL_P2P_LEVEL";
		if (!strcmp(p->f->cpu.vendor, "AuthenticAMD") && count_gpus(p->f) <= 2)
			level = P2PDMA_PATH_SYS;
	} else if ((gpu_a && p2pdma_class_is_nic(b->class_code)) ||
		   (gpu_b && p2pdma_class_is_nic(a->class_code))) {
		what = "GPUDirect RDMA";
		var = "NCCL_NET_GDR_LEVEL";
	} else {
		return NULL;
	}
	nc = nccl_class(v->path_class);
	nccl_uses = nc <= level;
	if (nccl_uses && v->map_type == P2PDMA_MAP_NOT_SUPPORTED) {
		if (asprintf(&s, "NCCL's default (%s=%s) would use %s on this %s path, but Linux refuses it: NCCL reads neither ACS nor the host-bridge allow-list.",
			     var, p2pdma_path_class_name(level), what,
			     p2pdma_path_class_name(nc)) < 0)
			s = NULL;
	} else if (nccl_uses && v->map_type == P2PDMA_MAP_THRU_HOST_BRIDGE && v->common) {
		if (asprintf(&s, "NCCL and nvidia-smi call this path %s and NCCL would use %s directly, but ACS redirect sends every transfer up through the root complex; with an IOMMU on this is where NCCL users see hangs or GPUDirect RDMA errors.",
			     p2pdma_path_class_name(nc), what) < 0)
			s = NULL;
	} else if (!nccl_uses && v->map_type != P2PDMA_MAP_NOT_SUPPORTED) {
		if (asprintf(&s, "Linux allows peer-to-peer here (%s), but NCCL's default (%s=%s) does not use %s on a %s path; %s=%s would.",
			     p2pdma_map_type_name(v->map_type), var,
			     p2pdma_path_class_name(level), what,
			     p2pdma_path_class_name(nc), var,
			     p2pdma_path_class_name(nc)) < 0)
			s = NULL;
	}
	return s;
}
