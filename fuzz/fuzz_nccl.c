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
#include <string.h>

#include "p2pdma.h"
#include "nccl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	char *dot = NULL;
	int ret;

	if (!f)
		return 0;
	ret = p2pdma_nccl_load_buf(f, (const char *)data, size, "fuzz.xml", NULL, &e);
	if (!ret)
		ret = p2pdma_fabric_finalize(f, &e);
	if (ret) {
		if (ret > 0 || strncmp(e.reason, "fuzz.xml", 8) || strchr(e.reason, '\n'))
			abort();
	} else if (f->nr_acs_unknown != f->nr_fns ||
		   p2pdma_fabric_write_dot(f, NULL, &dot, &e)) {
		abort();
	}
	free(dot);
	p2pdma_fabric_free(f);
	return 0;
}
