/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma policy: the kernel's peer-to-peer DMA verdict for (provider,
 * client) pairs, with the reason, the fix, the path class, several-client
 * distance and provider choice.  See KERNEL-FACTS.md sections 1-3.
 *
 * A policy object reads one fabric.  It indexes the tree once (O(n)) so
 * that every pair verdict afterwards costs O(1), and caches verdicts per
 * (provider, client).  When the fabric's generation changes (an ACS edit,
 * a what-if) the index and the cache are rebuilt on next use; the kernel
 * itself never drops its cache, and the explanation says so where that
 * matters.
 */
#ifndef P2PDMA_POLICY_H
#define P2PDMA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same order of meaning as the kernel's enum pci_p2pdma_map_type. */
enum p2pdma_map_type {
	P2PDMA_MAP_UNKNOWN = 0,		/* not computed yet; never returned */
	P2PDMA_MAP_NOT_SUPPORTED,
	P2PDMA_MAP_BUS_ADDR,
	P2PDMA_MAP_THRU_HOST_BRIDGE,
};

/* "NOT_SUPPORTED", "BUS_ADDR", "THRU_HOST_BRIDGE" */
const char *p2pdma_map_type_name(enum p2pdma_map_type t);

struct p2pdma_policy;

struct p2pdma_policy *p2pdma_policy_new(struct p2pdma_fabric *f);
void p2pdma_policy_free(struct p2pdma_policy *p);
struct p2pdma_fabric *p2pdma_policy_fabric(const struct p2pdma_policy *p);

/*
 * The map type for one pair, from the cache when it is there.  @distance
 * (may be NULL) receives the kernel's distance, also for NOT_SUPPORTED.
 * Thread-compatible, not thread-safe: one policy per thread.
 */
enum p2pdma_map_type p2pdma_map_type(struct p2pdma_policy *p,
				     const struct p2pdma_function *provider,
				     const struct p2pdma_function *client,
				     int *distance);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_POLICY_H */
