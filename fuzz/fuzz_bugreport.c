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
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	int ret;

	if (!f)
		return 0;
	ret = p2pdma_bugreport_load_buf(f, (const char *)data, size, "fuzz.log", NULL, &e);
	fuzz_loader_contract(f, ret, "fuzz.log", &e);
	p2pdma_fabric_free(f);
	return 0;
}
