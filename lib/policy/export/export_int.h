/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One writer per export format, each in its own file; export.c picks one.
 */
#ifndef P2PDMA_EXPORT_INT_H
#define P2PDMA_EXPORT_INT_H

#include "policy_int.h"

int p2pdma_export_nfd(struct p2pdma_policy *p, const struct p2pdma_doctor *d,
		      const struct p2pdma_p2p_groups *g, struct p2pdma_buf *b);
int p2pdma_export_prometheus(struct p2pdma_policy *p, const struct p2pdma_doctor *d,
			     struct p2pdma_buf *b);
int p2pdma_export_groups(const struct p2pdma_p2p_groups *g, char **out);
int p2pdma_export_nccl(const struct p2pdma_fabric *f, char **out);

#endif /* P2PDMA_EXPORT_INT_H */
