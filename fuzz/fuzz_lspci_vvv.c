// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the "lspci -vvv" text loader (device lines,
 * detail lines, the pci.ids reverse look-up, the tree).  Names are
 * looked up in the small tests/data/lspci/pci.ids-mini so that each run
 * stays fast; the reader is the same.
 *
 * A refused input must come with a one-line reason naming the file; an
 * accepted one must finalize and draw as DOT.  Otherwise: abort.
 */
#include <stdint.h>

#include "config.h"
#include "p2pdma.h"
#include "loader_contract.h"
#include "lspci.h"

#define IDS P2PDMA_SOURCE_ROOT "/tests/data/lspci/pci.ids-mini"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	int ret;

	if (!f)
		return 0;
	ret = p2pdma_lspci_vvv_load_buf(f, (const char *)data, size, "fuzz.txt", IDS, NULL,
					&e);
	fuzz_loader_contract(f, ret, "fuzz.txt", &e);
	p2pdma_fabric_free(f);
	return 0;
}
