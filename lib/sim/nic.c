// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * RDMA NIC model: a payload arrives "from the wire" and the NIC writes
 * it into the posted receive buffers (its DMA segments); a send reads
 * the payload out of them.  The wire itself is the caller's buffer.
 */
#include <errno.h>
#include <stdlib.h>

#include "util.h"
#include "sim_internal.h"

struct p2pdma_sim_nic {
	const struct p2pdma_function *fn;
};

int sim_nic_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		   struct p2pdma_error *e)
{
	struct p2pdma_sim_nic *n = calloc(1, sizeof(*n));

	if (!n)
		return p2pdma_fail(e, -ENOMEM, "out of memory for a NIC model");
	n->fn = fn;
	s->fns[fn->index].kind = SIM_DEV_NIC;
	s->fns[fn->index].dev = n;
	return 0;
}

struct p2pdma_sim_nic *p2pdma_sim_nic(struct p2pdma_sim *s, const struct p2pdma_function *fn)
{
	if (!sim_fn_valid(s, fn) || s->fns[fn->index].kind != SIM_DEV_NIC)
		return NULL;
	return s->fns[fn->index].dev;
}

int p2pdma_sim_nic_receive(struct p2pdma_sim *s, struct p2pdma_sim_nic *n,
			   const void *payload, uint64_t len,
			   const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			   struct p2pdma_error *e)
{
	return sim_seg_xfer(s, n->fn, segs, nr_segs, len, true, (void *)payload, e);
}

int p2pdma_sim_nic_send(struct p2pdma_sim *s, struct p2pdma_sim_nic *n,
			void *payload, uint64_t len,
			const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			struct p2pdma_error *e)
{
	return sim_seg_xfer(s, n->fn, segs, nr_segs, len, false, payload, e);
}
