// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the lspci hex dump loader (the checks before
 * libpci, libpci's dump reader, the tree from bus numbers).
 *
 * Beyond "no crash, no leak": a refused input must come with a one-line
 * reason naming the file, and an accepted one must finalize and draw as
 * DOT.  A violation aborts, so libFuzzer keeps the input.
 */
#include <stdint.h>

#include "p2pdma.h"
#include "loader_contract.h"
#include "lspci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_load_checked(p2pdma_lspci_load_buf, data, size, "fuzz.txt");
	return 0;
}
