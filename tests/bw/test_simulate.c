// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workloads on the simulated platform, against numbers worked by hand.
 *
 * The machine (AMD Zen 3: the root complex forwards peer traffic):
 *
 *  pci0000:00 (node 0)
 *   00:01.0 root port
 *    01:00.0 switch upstream, Gen4 x16         <- the shared x16 upstream link
 *     02:00.0 -> 03:00.0 NVMe A   Gen4 x16
 *     02:01.0 -> 04:00.0 GPU X    Gen4 x16
 *     02:02.0 -> 05:00.0 NVMe B   Gen3 x4      <- the narrow link
 *     02:03.0 -> 06:00.0 GPU X2   Gen4 x16
 *     02:04.0 -> 07:00.0 NVMe A2  Gen4 x16
 *   00:02.0 root port -> 08:00.0 GPU Y Gen4 x16
 *   00:03.0 root port -> 09:00.0 GPU W Gen4 x16
 *  pci0000:80 (node 1)
 *   80:01.0 root port -> 81:00.0 GPU Z Gen4 x16
 *
 * Link payload rates by hand, MPS 256 (a write TLP: 256 bytes + 24):
 *  Gen4 x16: 16 GT/s x 16 x 128/130 / 8 = 31.5077 GB/s, x 256/280 = 28.8070 GB/s
 *  Gen3 x4:   8 GT/s x  4 x 128/130 / 8 =  3.9385 GB/s, x 256/280 =  3.6009 GB/s
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"

#define GEN4X16_WRITE 28.8070330e9
#define GEN3X4_WRITE 3.60087912e9

struct box {
	struct p2pdma_fabric *f;
	struct p2pdma_sim *s;
};

static struct p2pdma_function *ep(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				  struct p2pdma_function *parent, const char *bdf,
				  uint32_t class_code, uint32_t mts, uint32_t width, uint64_t bar)
{
	struct p2pdma_function *fn = mk_fn(f, hb, parent, bdf, P2PDMA_ROLE_ENDPOINT, -1, -1, -1);

	fn->class_code = class_code;
	fn->link = (struct p2pdma_link){ mts, width, mts, width };
	fn->numa_node = hb->numa_node;
	if (class_code >> 16 == 0x03)
		mk_bar(fn, 1, bar, 1 * GiB, BAR_MEM64P);
	else
		mk_bar(fn, 0, bar, 16384, P2PDMA_BAR_MEM | P2PDMA_BAR_64);
	return fn;
}

static struct p2pdma_function *port(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				    struct p2pdma_function *parent, const char *bdf,
				    enum p2pdma_role role, int sec, int sub)
{
	struct p2pdma_function *fn = mk_fn(f, hb, parent, bdf, role, sec, sub, -1);

	fn->link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	fn->numa_node = hb->numa_node;
	return fn;
}

static void box_build_cpu(struct box *b, const struct p2pdma_cpu *cpu);

static void box_build(struct box *b)
{
	static const struct p2pdma_cpu zen3 = { .known = true, .vendor = "AuthenticAMD",
						.family = 0x19, .model = 0x01 };

	box_build_cpu(b, &zen3);
}

static void box_build_cpu(struct box *b, const struct p2pdma_cpu *cpu)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb0 = mk_hb(f, 0, 0x00, 0), *hb80 = mk_hb(f, 0, 0x80, 0);
	struct p2pdma_function *rp, *usp, *dsp;
	struct p2pdma_error e = { 0 };
	static const char *const dsps[] = { "02:00.0", "02:01.0", "02:02.0", "02:03.0", "02:04.0" };
	static const char *const eps[] = { "03:00.0", "04:00.0", "05:00.0", "06:00.0", "07:00.0" };
	static const uint32_t cls[] = { 0x010802, 0x030200, 0x010802, 0x030200, 0x010802 };
	int i;

	hb0->numa_node = 0;
	hb80->numa_node = 1;
	f->cpu = *cpu;
	rp = port(f, hb0, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 7);
	usp = port(f, hb0, rp, "01:00.0", P2PDMA_ROLE_SWITCH_UPSTREAM, 2, 7);
	for (i = 0; i < 5; i++) {
		dsp = port(f, hb0, usp, dsps[i], P2PDMA_ROLE_SWITCH_DOWNSTREAM, 3 + i, 3 + i);
		ep(f, hb0, dsp, eps[i], cls[i], i == 2 ? 8000 : 16000, i == 2 ? 4 : 16,
		   0x400000000000ULL + (uint64_t)i * 4 * GiB);
	}
	rp = port(f, hb0, NULL, "00:02.0", P2PDMA_ROLE_ROOT_PORT, 8, 8);
	ep(f, hb0, rp, "08:00.0", 0x030200, 16000, 16, 0x410000000000ULL);
	rp = port(f, hb0, NULL, "00:03.0", P2PDMA_ROLE_ROOT_PORT, 9, 9);
	ep(f, hb0, rp, "09:00.0", 0x030200, 16000, 16, 0x420000000000ULL);
	rp = port(f, hb80, NULL, "80:01.0", P2PDMA_ROLE_ROOT_PORT, 0x81, 0x81);
	ep(f, hb80, rp, "81:00.0", 0x030200, 16000, 16, 0x480000000000ULL);
	assert_int_equal(p2pdma_fabric_add_ram(f, 0x100000000ULL, 64 * GiB, 0, &e), 0);
	assert_int_equal(p2pdma_fabric_add_ram(f, 0x1100000000ULL, 64 * GiB, 1, &e), 0);
	mk_finalize(f);
	b->f = f;
	if (p2pdma_sim_new(f, NULL, &b->s, &e))
		fail_msg("sim: %s", e.reason);
}

static struct p2pdma_function *at(const struct box *b, const char *bdf)
{
	struct p2pdma_function *fn = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(b->f, bdf, &fn, &e))
		fail_msg("%s", e.reason);
	return fn;
}

static void box_free(struct box *b)
{
	p2pdma_sim_free(b->s);
	p2pdma_fabric_free(b->f);
}

/* Simulate a workload given as JSON text on the box. */
static struct p2pdma_bw_result *run(struct box *b, const char *json)
{
	struct p2pdma_bw_workload *w = NULL;
	struct p2pdma_bw_result *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_bw_workload_parse(b->f, "hand.json", json, strlen(json), &w, &e) ||
	    p2pdma_bw_simulate(b->s, w, &r, &e))
		fail_msg("%s", e.reason);
	p2pdma_bw_workload_free(w);
	return r;
}

static const struct p2pdma_bw_resource *res_named(const struct p2pdma_bw_result *r,
						  const char *name)
{
	size_t i;

	for (i = 0; i < r->nr_res; i++)
		if (!strcmp(r->res[i].name, name))
			return &r->res[i];
	return NULL;
}

static const char *bottleneck(const struct p2pdma_bw_result *r, const struct p2pdma_bw_mode *m)
{
	return m->bottleneck >= 0 ? r->res[m->bottleneck].name : "(none)";
}

/* Two writes up the same x16 upstream link, to GPUs on other root ports: half each. */
static void shared_upstream_halves(void **state)
{
	struct box b;
	struct p2pdma_bw_result *r;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"flows\": ["
		"{\"from\": \"03:00.0\", \"to\": \"08:00.0\", \"bytes\": 1073741824},"
		"{\"from\": \"04:00.0\", \"to\": \"09:00.0\", \"bytes\": 1073741824}]}");
	assert_int_equal(r->flows[0].verdict, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_true(r->flows[0].p2p.ok && r->flows[1].p2p.ok);
	assert_float_equal(r->flows[0].p2p.rate, GEN4X16_WRITE / 2, 1e3);
	assert_float_equal(r->flows[1].p2p.rate, GEN4X16_WRITE / 2, 1e3);
	assert_string_equal(bottleneck(r, &r->flows[0].p2p), "link 0000:01:00.0 up");
	/* P2P through the root complex never touches host memory. */
	assert_int_equal(r->flows[0].p2p.host_bytes, 0);
	assert_int_equal(r->p2p_host_bytes, 0);
	/* 1 GiB each at 14.4035 GB/s, both finishing together. */
	assert_float_equal(r->p2p_time, 1073741824.0 / (GEN4X16_WRITE / 2), 1e-9);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* The same kind of pairs, each below the switch: the full link each, nothing upstream. */
static void switch_local_full(void **state)
{
	const struct p2pdma_bw_resource *up, *down;
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"flows\": ["
		"{\"from\": \"03:00.0\", \"to\": \"04:00.0\", \"bytes\": 1073741824},"
		"{\"from\": \"07:00.0\", \"to\": \"06:00.0\", \"bytes\": 1073741824}]}");
	assert_int_equal(r->flows[0].verdict, P2PDMA_MAP_BUS_ADDR);
	assert_float_equal(r->flows[0].p2p.rate, GEN4X16_WRITE, 1e3);
	assert_float_equal(r->flows[1].p2p.rate, GEN4X16_WRITE, 1e3);
	/* A BUS_ADDR flow below a switch does not load the switch's upstream link. */
	up = res_named(r, "link 0000:01:00.0 up");
	down = res_named(r, "link 0000:01:00.0 down");
	assert_true(!up || up->p2p_load == 0);
	assert_true(!down || down->p2p_load == 0);
	assert_null(strstr(r->flows[0].p2p.path, "RC"));
	/* Bounced, both cross it and share it (a write up, a read down). */
	up = res_named(r, "link 0000:01:00.0 up");
	assert_non_null(up);
	assert_true(up->bounce_load > 0);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* Through host memory: DRAM and the shared links carry the payload twice. */
static void bounce_moves_twice(void **state)
{
	const struct p2pdma_bw_resource *dram, *up, *down;
	struct p2pdma_bw_result *r;
	struct box b;
	double rate;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"platform\": {\"dram_bandwidth\": 10e9}, \"flows\": ["
		"{\"from\": \"03:00.0\", \"to\": \"04:00.0\", \"bytes\": 1073741824}]}");
	/* DRAM (10 GB/s) is written and read: 5 GB/s of payload. */
	if (!r->flows[0].bounce.ok)
		fail_msg("bounce: %s", r->flows[0].bounce.reason);
	rate = r->flows[0].bounce.rate;
	assert_float_equal(rate, 5e9, 1);
	assert_string_equal(bottleneck(r, &r->flows[0].bounce), "dram node 0");
	dram = res_named(r, "dram node 0");
	assert_float_equal(dram->bounce_load, 10e9, 1);
	assert_int_equal(r->flows[0].bounce.host_bytes, 2 * 1073741824ULL);
	assert_int_equal(r->bounce_host_bytes, 2 * 1073741824ULL);
	assert_int_equal(r->flows[0].p2p.host_bytes, 0);
	/* The upstream link: the write up (256 + 24 per 256) and the read's
	 * requests (24 per 512); the completions down (256 + 20 per 256). */
	up = res_named(r, "link 0000:01:00.0 up");
	down = res_named(r, "link 0000:01:00.0 down");
	assert_float_equal(up->bounce_load, 5e9 * 280 / 256 + 5e9 * 24 / 512, 1);
	assert_float_equal(down->bounce_load, 5e9 * 276 / 256, 1);
	/* P2P below the switch is link-bound, not DRAM-bound. */
	assert_float_equal(r->flows[0].p2p.rate, GEN4X16_WRITE, 1e3);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* The Gen3 x4 drive caps its flow; the flow beside it takes the rest of the upstream. */
static void gen3_x4_caps(void **state)
{
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"flows\": ["
		"{\"from\": \"05:00.0\", \"to\": \"08:00.0\", \"bytes\": 1073741824},"
		"{\"from\": \"03:00.0\", \"to\": \"09:00.0\", \"bytes\": 1073741824}]}");
	assert_float_equal(r->flows[0].p2p.rate, GEN3X4_WRITE, 1e3);
	assert_string_equal(bottleneck(r, &r->flows[0].p2p), "link 0000:05:00.0 up");
	assert_float_equal(r->flows[1].p2p.rate, GEN4X16_WRITE - GEN3X4_WRITE, 1e3);
	assert_string_equal(bottleneck(r, &r->flows[1].p2p), "link 0000:01:00.0 up");
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* A bounce from node 0 to a GPU on node 1 crosses sockets: 6 GB/s, and so does P2P. */
static void cross_socket_pays(void **state)
{
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"platform\": {\"inter_socket_bandwidth\": 6e9}, \"flows\": ["
		"{\"from\": \"03:00.0\", \"to\": \"81:00.0\", \"bytes\": 1073741824}]}");
	assert_float_equal(r->flows[0].bounce.rate, 6e9, 1);
	assert_string_equal(bottleneck(r, &r->flows[0].bounce), "inter-socket 0->1");
	assert_int_equal(r->flows[0].bounce.host_node, 0);
	assert_float_equal(r->flows[0].p2p.rate, 6e9, 1);
	assert_string_equal(bottleneck(r, &r->flows[0].p2p), "inter-socket 0->1");
	/* The bounce buffer on node 1 moves the crossing to the first leg. */
	p2pdma_bw_result_free(r);
	r = run(&b, "{\"platform\": {\"inter_socket_bandwidth\": 6e9}, \"flows\": ["
		"{\"from\": \"03:00.0\", \"to\": \"81:00.0\", \"bytes\": 1073741824, \"via\": \"host\", \"host_node\": 1}]}");
	assert_float_equal(r->flows[0].p2p.rate, 6e9, 1);
	assert_int_equal(r->flows[0].p2p.host_bytes, 2 * 1073741824ULL);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* A root complex that forwards no peer reads: GPU -> NVMe (the drive reads the GPU) has only a bounce figure. */
static void peer_reads_refused(void **state)
{
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"platform\": {\"rc_peer_reads\": false}, \"flows\": ["
		"{\"from\": \"08:00.0\", \"to\": \"03:00.0\", \"bytes\": 4096},"
		"{\"from\": \"03:00.0\", \"to\": \"08:00.0\", \"bytes\": 4096}]}");
	assert_false(r->flows[0].p2p.ok);
	assert_non_null(strstr(r->flows[0].p2p.reason, "does not forward peer reads"));
	assert_true(r->flows[0].bounce.ok);
	assert_true(r->flows[0].bounce.rate > 0);
	/* Writes still go. */
	assert_true(r->flows[1].p2p.ok);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* A device limit (flash) caps the flow below its link. */
static void device_limit(void **state)
{
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build(&b);
	r = run(&b, "{\"flows\": [{\"from\": \"03:00.0\", \"to\": \"04:00.0\", \"bytes\": 1000000000, \"max_rate\": 2e9}]}");
	assert_float_equal(r->flows[0].p2p.rate, 2e9, 1);
	assert_float_equal(r->flows[0].p2p.time, 0.5, 1e-9);
	assert_string_equal(bottleneck(r, &r->flows[0].p2p), "flow 0 device limit");
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* A link whose state nobody reported is named, with what was assumed. */
static void unknown_link_is_said(void **state)
{
	struct p2pdma_bw_result *r;
	struct p2pdma_function *w;
	struct box b;
	size_t i;
	bool said = false;

	(void)state;
	box_build(&b);
	w = at(&b, "09:00.0");
	w->link = (struct p2pdma_link){ 0, 0, 0, 0 };
	w->parent->link = (struct p2pdma_link){ 0, 0, 0, 0 };
	r = run(&b, "{\"flows\": [{\"from\": \"03:00.0\", \"to\": \"09:00.0\", \"bytes\": 4096}]}");
	for (i = 0; i < r->nr_assumed; i++)
		said |= !strcmp(r->assumed[i], "link above 0000:09:00.0: negotiated speed and width unknown, assumed x16 16.0 GT/s (a default)");
	assert_true(said);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

/* One DMA alone, for copy: 1 MiB written switch-locally at the Gen4 x16 rate. */
static void single_transfer_time(void **state)
{
	struct p2pdma_function *a, *x;
	struct p2pdma_error e = { 0 };
	double t = 0, rate = 0;
	struct box b;

	(void)state;
	box_build(&b);
	a = at(&b, "03:00.0");
	x = at(&b, "04:00.0");
	if (p2pdma_bw_transfer_time(b.s, a, x->bars[1].start, 1 << 20, true, &t, &rate, &e))
		fail_msg("%s", e.reason);
	assert_float_equal(rate, GEN4X16_WRITE, 1e3);
	assert_float_equal(t, (1 << 20) / GEN4X16_WRITE, 1e-12);
	/* An address nobody claims is the router's error, not a time. */
	assert_true(p2pdma_bw_transfer_time(b.s, a, 0x7000000000000ULL, 4096, true, &t, &rate,
					    &e) < 0);
	box_free(&b);
}

/*
 * A copy through host memory between the two Gen4 x16 drives under the
 * switch: the upstream link carries the write up and the read's
 * requests up, (256 + 24) / 256 + 24 / 512 = 1.140625 link bytes per
 * payload byte: 31.5077 / 1.140625 = 27.6232 GB/s.
 */
static void copy_time(void **state)
{
	struct p2pdma_sim_copy_result res;
	struct p2pdma_sim_copy_req req = { .size = 1 << 20, .via = P2PDMA_SIM_VIA_HOST };
	struct p2pdma_error e = { 0 };
	double t = 0, rate = 0;
	struct box b;

	(void)state;
	box_build(&b);
	req.src.fn = at(&b, "03:00.0");
	req.dst.fn = at(&b, "07:00.0");
	if (p2pdma_sim_copy(b.s, &req, &res, &e) || p2pdma_bw_copy_time(b.s, &res, &t, &rate, &e))
		fail_msg("%s", e.reason);
	assert_float_equal(rate, 27.6231822e9, 1e3);
	assert_float_equal(t, (1 << 20) / 27.6231822e9, 1e-12);
	box_free(&b);
}

/*
 * An Intel client part (Arrow Lake): the kernel refuses peer traffic
 * through its root complex, the bounce still runs, and a machine that
 * says it has two nodes does not make a one-socket part pay a socket link.
 */
static void intel_client(void **state)
{
	static const struct p2pdma_cpu arl = { .known = true, .vendor = "GenuineIntel",
					       .family = 6, .model = 0xc6 };
	struct p2pdma_bw_result *r;
	struct box b;

	(void)state;
	box_build_cpu(&b, &arl);
	r = run(&b, "{\"flows\": [{\"from\": \"03:00.0\", \"to\": \"81:00.0\", \"bytes\": 4096}]}");
	assert_string_equal(r->platform.name, "intel-client");
	assert_int_equal(r->flows[0].verdict, P2PDMA_MAP_NOT_SUPPORTED);
	assert_false(r->flows[0].p2p.ok);
	assert_true(r->flows[0].bounce.ok);
	assert_null(strstr(r->flows[0].bounce.path, "socket"));
	/* The drive's write into RAM binds (the GPU's completions have 4 bytes less overhead). */
	assert_float_equal(r->flows[0].bounce.rate, GEN4X16_WRITE, 1e3);
	p2pdma_bw_result_free(r);
	box_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_upstream_halves),
		cmocka_unit_test(switch_local_full),
		cmocka_unit_test(bounce_moves_twice),
		cmocka_unit_test(gen3_x4_caps),
		cmocka_unit_test(cross_socket_pays),
		cmocka_unit_test(peer_reads_refused),
		cmocka_unit_test(device_limit),
		cmocka_unit_test(unknown_link_is_said),
		cmocka_unit_test(single_transfer_time),
		cmocka_unit_test(copy_time),
		cmocka_unit_test(intel_client),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
