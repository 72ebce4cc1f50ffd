// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for capture tarballs: libarchive through the tarball
 * reader (names, links, limits, truncation) into the in-memory tree, and
 * the sysfs loader on that tree.  The input is the tarball itself, any
 * compression.
 *
 * A refused input must come with a one-line reason naming the file; an
 * accepted one must draw as DOT; either way nothing may be left in
 * $TMPDIR (the reader writes nothing to disk).  Otherwise: abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "fuzz_scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[300];
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_SYSFS };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;
	char *dot = NULL;

	fuzz_scratch_path(path, sizeof(path), "capture.tar");
	fuzz_write(path, data, size);
	if (p2pdma_fabric_load(&o, &f, &e)) {
		if (f || !e.reason[0] || strchr(e.reason, '\n') || !strstr(e.reason, path))
			abort();
	} else {
		if (p2pdma_fabric_write_dot(f, NULL, &dot, &e))
			abort();
		free(dot);
		p2pdma_fabric_free(f);
	}
	fuzz_tmp_is_clean();
	return 0;
}
