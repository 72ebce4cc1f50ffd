/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libp2pdma: the whole public API. */
#ifndef P2PDMA_H
#define P2PDMA_H

#include "p2pdma/fabric.h"
#include "p2pdma/policy.h"
#include "p2pdma/mem.h"
#include "p2pdma/dma.h"
#include "p2pdma/sim.h"
#include "p2pdma/bw.h"
#include "p2pdma/linux.h"

#endif /* P2PDMA_H */
