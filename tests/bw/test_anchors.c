// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model against published measurements (../shared/MODEL-ANCHORS.md):
 * the machines bench/bench_bw describes, as committed under
 * bench/anchors/, simulated here; every figure that is a check (not one
 * the platform table was set from) stays within 15 % of its source.
 * bench_bw prints the same table with the ratios.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define GIB 1073741824.0

enum what { P2P_SUM, BOUNCE_SUM, HOST_BYTES_PER_BYTE };

static const struct anchor {
	const char *machine;
	enum what what;
	double published, unit;
	const char *source;
} anchors[] = {
	{ "gds-gen4", P2P_SUM, 26.4, GIB, "gds-report.pages.dev/theory: Gen4 x16 GDS, 26.4 GiB/s" },
	{ "gds-gen4", HOST_BYTES_PER_BYTE, 2.0, 1, "gds-report: compat mode costs nearly 2x" },
	{ "gds-gen5-raid0", P2P_SUM, 53.0, GIB, "gds-report: 4 Gen5 NVMe -> 4 GPUs, 53.0 GiB/s" },
	{ "gen5-gpu-p2p", P2P_SUM, 54.5, 1e9, "rtx6kpro: Gen5 x16 same node, 53-56 GB/s" },
	{ "gen5-gpu-p2p", P2P_SUM, 54.3, 1e9, "p2pmark: link score 54.30 GB/s" },
	{ "gen5-gpu-p2p", P2P_SUM, 52, 1e9, "cloud-hypervisor #8895: in a VM, 52 GB/s" },
	{ "gen5-gpu-switch", P2P_SUM, 52, 1e9, "rtx6kpro: PEX890xx, ACS off, 54 / 50 GB/s" },
	{ "broadwell-3nvme-gpu", BOUNCE_SUM, 9.45, 1e9, "forum 55564: 3 NVMe -> RAM, 9.4-9.5 GB/s" },
	{ "cmb-gen3x4", P2P_SUM, 3.2, 1e9, "eideticom blog 25: saturate Gen3 x4, about 3.2 GB/s" },
};

static double figure(const struct p2pdma_bw_result *r, const struct p2pdma_bw_workload *w,
		     enum what what)
{
	double sum = 0, bytes = 0;
	size_t i;

	for (i = 0; i < r->nr_flows; i++) {
		sum += what == P2P_SUM ? r->flows[i].p2p.rate : r->flows[i].bounce.rate;
		bytes += (double)w->flows[i].bytes;
	}
	return what == HOST_BYTES_PER_BYTE ? (double)r->bounce_host_bytes / bytes : sum;
}

static void within_15_percent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		const struct anchor *a = &anchors[i];
		struct p2pdma_bw_workload *w = NULL;
		struct p2pdma_bw_result *r = NULL;
		struct p2pdma_sim *s = NULL;
		struct p2pdma_fabric *f;
		struct p2pdma_error e = { 0 };
		char *m = NULL, *wl = NULL;
		double model;

		assert_true(asprintf(&m, "%s/bench/anchors/%s.json", P2PDMA_SOURCE_ROOT,
				     a->machine) > 0);
		assert_true(asprintf(&wl, "%s/bench/anchors/%s.workload.json", P2PDMA_SOURCE_ROOT,
				     a->machine) > 0);
		f = tu_load(m);
		if (p2pdma_bw_workload_load(f, wl, &w, &e) || p2pdma_sim_new(f, NULL, &s, &e) ||
		    p2pdma_bw_simulate(s, w, &r, &e))
			fail_msg("%s: %s", a->machine, e.reason);
		model = figure(r, w, a->what) / a->unit;
		printf("# %-22s model %7.2f published %7.2f ratio %.2f  %s\n", a->machine, model,
		       a->published, model / a->published, a->source);
		if (fabs(model / a->published - 1) > 0.15)
			fail_msg("%s: model %.2f vs published %.2f (%s)", a->machine, model,
				 a->published, a->source);
		p2pdma_bw_result_free(r);
		p2pdma_bw_workload_free(w);
		p2pdma_sim_free(s);
		p2pdma_fabric_free(f);
		free(m);
		free(wl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(within_15_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
