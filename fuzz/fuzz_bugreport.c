// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the nvidia-bug-report.log reader: sections,
 * uname / command line / cpuinfo facts, the lspci section handed to
 * the lspci loaders with the report's line numbers, the `lspci -t` tree
 * with `lspci -nn` ids of a root-less report, and `nvidia-smi topo -m`.
 *
 * A refused input must come with a one-line reason naming the file; an
 * accepted one must finalize and draw as DOT.  Otherwise: abort.
 */
#include <stdint.h>
#include <stdlib.h>

#include "p2pdma.h"
#include "loader_contract.h"
#include "bugreport/bugreport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_load_checked(p2pdma_bugreport_load_buf, data, size, "fuzz.log");
	return 0;
}
