// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The policy layer as the DMA layer's verdict source: the map type from
 * its cache (as pci_p2pdma_map_type() does at map time), and for a
 * refusal the policy's own explanation.
 */
#include "dma_internal.h"

enum p2pdma_map_type p2pdma_policy_verdict(void *policy,
					   const struct p2pdma_function *provider,
					   const struct p2pdma_function *client,
					   char *reason, size_t len)
{
	struct p2pdma_policy *p = policy;
	enum p2pdma_map_type t = p2pdma_map_type(p, provider, client, NULL);

	/* Only refusals need the words; they cost a walk. */
	if (t == P2PDMA_MAP_NOT_SUPPORTED && reason && len &&
	    p2pdma_verdict_reason(p, provider, client, reason, len, NULL))
		reason[0] = '\0';
	return t;
}
