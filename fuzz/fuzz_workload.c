// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the workload file reader, against the built-in
 * dual-xeon-8gpu machine (loaded once).  Beyond "no crash, no leak": a
 * refused input comes with a one-line reason naming the file, and an
 * accepted one names only devices of the machine, never a flow from a
 * device to itself, and sizes from 1 byte to 1 PiB.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "p2pdma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2pdma_fabric *machine(void)
{
	static struct p2pdma_fabric *f;
	struct p2pdma_load_opts o = {
		.path = "builtin:dual-xeon-8gpu",
		.builtin_dir = P2PDMA_SRC_MACHINES_DIR,
	};

	if (!f && p2pdma_fabric_load(&o, &f, NULL))
		abort();
	return f;
}

static void check_accepted(const struct p2pdma_fabric *f, const struct p2pdma_bw_workload *w)
{
	size_t i;

	if (!w->nr_flows)
		abort();
	for (i = 0; i < w->nr_flows; i++) {
		const struct p2pdma_bw_flow_spec *fl = &w->flows[i];

		if (fl->from == fl->to || !fl->bytes || fl->bytes > P2PDMA_BW_MAX_BYTES ||
		    f->fns[fl->from->index] != fl->from || f->fns[fl->to->index] != fl->to)
			abort();
		if (fl->via == P2PDMA_BW_VIA_DEVICE && !fl->via_fn)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_fabric *f = machine();
	struct p2pdma_bw_workload *w = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_bw_workload_parse(f, "fuzz.json", (const char *)data, size, &w, &e)) {
		if (w || strncmp(e.reason, "fuzz.json", 9) || strchr(e.reason, '\n'))
			abort();
		return 0;
	}
	check_accepted(f, w);
	p2pdma_bw_workload_free(w);
	return 0;
}
