/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every text loader's fuzz target checks beyond "no crash, no leak".
 */
#ifndef P2PDMA_FUZZ_LOADER_CONTRACT_H
#define P2PDMA_FUZZ_LOADER_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* A text loader that reads a buffer (p2pdma_lspci_load_buf() and its kin). */
typedef int (*fuzz_load_buf_fn)(struct p2pdma_fabric *f, const char *buf, size_t len,
				const char *name, const struct p2pdma_load_opts *opts,
				struct p2pdma_error *e);

/* Load @data into a new fabric with @load, as input @name; check the contract. */
void fuzz_load_checked(fuzz_load_buf_fn load, const uint8_t *data, size_t size,
		       const char *name);

#endif
