// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the kernel release changes at map time (KERNEL-FACTS 9, 11.5):
 *
 *   - before 6.0, dma_map_sg() knows nothing of P2PDMA pages: drivers map
 *     a list that is all p2pmem of one provider with pci_p2pdma_map_sg();
 *     a list that mixes host memory and p2pmem cannot be mapped at all;
 *   - 6.16 to 7.0, dma-direct left THRU_HOST_BRIDGE segments unmapped
 *     (fixed by 560000d619ef in 7.1 and stable backports).
 *
 * The release is the policy's; a custom verdict source has none, and
 * then the newest rules apply.
 */
#include <errno.h>
#include <stdio.h>

#include "dma_internal.h"

int p2pdma_dma_release_check(struct p2pdma_dma *d, const struct p2pdma_function *client,
			     const struct p2pdma_sgl *s, struct p2pdma_error *e)
{
	const struct p2pdma_provider *prov = NULL;
	char name[P2PDMA_BDF_STRLEN];
	bool host = false, mixed = false;
	size_t i;

	if (!d->policy || p2pdma_policy_has(d->policy, P2PDMA_FEAT_DMA_MAP_SG))
		return 0;
	for (i = 0; i < s->nents; i++) {
		const struct p2pdma_provider *p = s->sg[i].provider;

		if (!p)
			host = true;
		else if (prov && p != prov)
			mixed = true;
		else
			prov = p;
	}
	if (!prov || (!host && !mixed))
		return 0;
	return p2pdma_fail(e, -EINVAL,
			   "%s: kernel %s maps P2PDMA pages only with pci_p2pdma_map_sg(), a list of p2pmem from one provider (dma_map_sg() takes mixed lists from 6.0); this list has %s",
			   p2pdma_bdf_format(&client->bdf, name, sizeof(name)),
			   p2pdma_policy_release(d->policy, NULL),
			   mixed ? "p2pmem of two providers" : "host memory and p2pmem");
}

const char *p2pdma_dma_release_note(struct p2pdma_dma *d, const struct p2pdma_sgl *s)
{
	size_t i;

	if (!d->policy || !p2pdma_policy_has(d->policy, P2PDMA_FEAT_DMA_DIRECT_THB_BUG))
		return NULL;
	for (i = 0; i < s->nents; i++)
		if (s->sg[i].provider && s->sg[i].map_type == P2PDMA_MAP_THRU_HOST_BRIDGE &&
		    s->sg[i].how == P2PDMA_DMA_DIRECT)
			return "on 6.16 to 7.0 dma-direct leaves THRU_HOST_BRIDGE segments unmapped, so the device gets a bad address for them (fixed in 7.1 by 560000d619ef and in stable backports: a distribution kernel may have the fix)";
	return NULL;
}
