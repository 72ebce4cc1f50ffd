/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DMA context's structures, shared by the DMA layer's files.
 * Not installed.
 */
#ifndef P2PDMA_DMA_INTERNAL_H
#define P2PDMA_DMA_INTERNAL_H

#include <pthread.h>

#include "p2pdma/dma.h"
#include "iova.h"
#include "mem_internal.h"

/* How one function of the model maps (fixed when the context is made). */
struct dma_client {
	enum p2pdma_dma_mode mode;
	struct p2pdma_iova_domain *domain;	/* IOMMU mode */
	int group;
	const char *group_type;
	bool assumed;
};

struct p2pdma_dma {
	struct p2pdma_mem *mem;
	const struct p2pdma_fabric *f;
	struct p2pdma_policy *policy;
	p2pdma_verdict_fn verdict;
	void *verdict_arg;
	/* Policies are not thread-safe; verdicts are taken one at a time. */
	pthread_mutex_t verdict_lock;
	uint64_t max_seg_size;
	struct p2pdma_iova_domain **domains;	/* one per translating group */
	size_t nr_domains, domains_cap;
	struct dma_client *clients;		/* by function index */
	size_t nr_clients;
};

/* The slot of @client, or NULL (with a reason) when it is not in the model. */
const struct dma_client *dma_client_of(const struct p2pdma_dma *d,
				       const struct p2pdma_function *client,
				       struct p2pdma_error *e);

/*
 * The map type for (provider, client), taken under the verdict lock;
 * @reason receives the policy's explanation of a NOT_SUPPORTED answer.
 */
enum p2pdma_map_type dma_verdict(struct p2pdma_dma *d,
				 const struct p2pdma_function *provider,
				 const struct p2pdma_function *client,
				 char *reason, size_t len);

/* release.c: a list the release cannot map (-EINVAL with a reason), or 0. */
int p2pdma_dma_release_check(struct p2pdma_dma *d, const struct p2pdma_function *client,
			     const struct p2pdma_sgl *s, struct p2pdma_error *e);

/* The policy as a verdict source (verdict.c). */
enum p2pdma_map_type p2pdma_policy_verdict(void *policy,
					   const struct p2pdma_function *provider,
					   const struct p2pdma_function *client,
					   char *reason, size_t len);

/* Digest of every domain's IOVA state, for tests. */
uint64_t p2pdma_dma_state_hash(struct p2pdma_dma *d);
/* The domain of @client, or NULL (direct, blocked, unknown). */
struct p2pdma_iova_domain *p2pdma_dma_domain_of(const struct p2pdma_dma *d,
					       const struct p2pdma_function *client);

#endif /* P2PDMA_DMA_INTERNAL_H */
