/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every text loader's fuzz target checks beyond "no crash, no leak".
 */
#ifndef P2PDMA_FUZZ_LOADER_CONTRACT_H
#define P2PDMA_FUZZ_LOADER_CONTRACT_H

#include <stdbool.h>

#include "p2pdma.h"

/*
 * @ret is what a loader answered for input named @name into @f.  A refusal
 * must be a negative errno with a one-line reason that starts with @name
 * (one of the model's checks at finalize: one line, named by the caller);
 * an accepted input must finalize and draw as DOT.  A violation aborts, so
 * libFuzzer keeps the input.  Returns true when the input was accepted (@f
 * is then finalized); the caller frees @f either way.
 */
bool fuzz_loader_contract(struct p2pdma_fabric *f, int ret, const char *name,
			  struct p2pdma_error *e);

#endif
