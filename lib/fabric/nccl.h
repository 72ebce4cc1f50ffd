/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NCCL / RCCL topology XML loader: entry points for tests and the fuzzer. */
#ifndef P2PDMA_NCCL_H
#define P2PDMA_NCCL_H

#include <stddef.h>

#include "p2pdma/fabric.h"

/* Load from memory; @name is used in messages. */
int p2pdma_nccl_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			 const char *name, const struct p2pdma_load_opts *opts,
			 struct p2pdma_error *e);

/* NCCL's familyid to the family /proc/cpuinfo prints (143 -> 0x17; 23 -> 0x17). */
unsigned int p2pdma_nccl_decode_family(unsigned int id);

#endif /* P2PDMA_NCCL_H */
