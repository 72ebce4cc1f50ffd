// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the nvidia-bug-report loader (the section split,
 * the uname and command-line lines, then the lspci dump loader).  The
 * loader's contract holds as for every text loader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "loader_contract.h"
#include "loaders.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	char *buf = malloc(size + 1);
	int ret;

	if (!f || !buf) {
		p2pdma_fabric_free(f);
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';	/* the loader's contract: a NUL after the text */
	ret = p2pdma_bugreport_load_buf(f, buf, size, "fuzz.log", NULL, &e);
	fuzz_loader_contract(f, ret, "fuzz.log", &e);
	p2pdma_fabric_free(f);
	free(buf);
	return 0;
}
