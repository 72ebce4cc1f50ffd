// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the NCCL / RCCL topology XML loader (libxml2, the
 * nesting rules, the invented-bridge re-homing).
 *
 * A refused input must come with a one-line reason naming the file; an
 * accepted one must finalize, have every ACS state unknown (NCCL XML has
 * none) and draw as DOT.  Otherwise: abort.
 */
#include <stdint.h>
#include <stdlib.h>

#include "p2pdma.h"
#include "loader_contract.h"
#include "nccl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	int ret;

	if (!f)
		return 0;
	ret = p2pdma_nccl_load_buf(f, (const char *)data, size, "fuzz.xml", NULL, &e);
	/* NCCL XML carries no ACS: every accepted function's ACS is unknown. */
	if (fuzz_loader_contract(f, ret, "fuzz.xml", &e) && f->nr_acs_unknown != f->nr_fns)
		abort();
	p2pdma_fabric_free(f);
	return 0;
}
