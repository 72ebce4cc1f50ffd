// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every built-in workload on every built-in machine.  What must hold
 * whatever the machine: P2P never moves host-memory bytes; a bounce
 * writes every byte into host memory and reads it back out (in = out);
 * each device's link carries out and in what its flows say leaves and
 * reaches it;
 * a refused verdict has no P2P figure; a BUS_ADDR flow never reaches
 * the root complex; no resource carries more than its capacity.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static void check_flow(const struct p2pdma_bw_workload *w, const struct p2pdma_bw_result *r,
		       size_t i, const char *where)
{
	const struct p2pdma_bw_flow_result *fr = &r->flows[i];

	if (!fr->bounce.ok)
		fail_msg("%s flow %zu: no bounce figure: %s", where, i, fr->bounce.reason);
	assert_true(fr->bounce.rate > 0 && fr->bounce.rate < P2PDMA_BW_UNLIMITED);
	assert_int_equal(fr->bounce.host_bytes, 2 * w->flows[i].bytes);
	if (fr->verdict == P2PDMA_MAP_NOT_SUPPORTED)
		assert_false(fr->p2p.ok);
	if (!fr->p2p.ok) {
		assert_non_null(fr->p2p.reason);
		return;
	}
	assert_int_equal(fr->p2p.host_bytes, 0);
	assert_true(fr->p2p.rate > 0 && fr->p2p.rate < P2PDMA_BW_UNLIMITED);
	/* Rates only grow as other flows finish: done no later than at the start rate. */
	assert_true(fr->p2p.time <= (double)w->flows[i].bytes / fr->p2p.rate * (1 + 1e-9));
	if (fr->verdict == P2PDMA_MAP_BUS_ADDR) {
		assert_null(strstr(fr->p2p.path, "RC"));
		assert_null(strstr(fr->p2p.path, "RAM"));
	}
}

/* Per device: bytes sent and received by the flows that ran, against the workload. */
/* Payload each device's link carries out of it (up) and into it (down), from the flows. */
struct dev_rates {
	double up, down;
};

static void flow_rates(const struct p2pdma_bw_workload *w, const struct p2pdma_bw_result *r,
		       bool bounce, struct dev_rates *d)
{
	size_t i;

	for (i = 0; i < w->nr_flows; i++) {
		const struct p2pdma_bw_mode *m = bounce ? &r->flows[i].bounce : &r->flows[i].p2p;
		const struct p2pdma_function *via = m->via;

		if (!m->ok)
			continue;
		/* What leaves @from goes up its link, what reaches @to comes down. */
		d[w->flows[i].from->index].up += m->rate;
		d[w->flows[i].to->index].down += m->rate;
		/* A third device's memory in between takes it in and gives it back. */
		if (!bounce && via && via != w->flows[i].from && via != w->flows[i].to) {
			d[via->index].up += m->rate;
			d[via->index].down += m->rate;
		}
	}
}

/*
 * Bytes in = bytes out, per device: the payload the flows say leaves (or
 * reaches) a device is what its link carries that way.  A link byte per
 * payload byte is between 276/256 (completions) and 280/256 (writes), and
 * a device reading adds at most 24/512 of what it reads in requests.
 */
static void check_conservation(const struct p2pdma_fabric *f,
			       const struct p2pdma_bw_workload *w,
			       const struct p2pdma_bw_result *r, bool bounce)
{
	struct dev_rates *d = calloc(f->nr_fns + 1, sizeof(*d));
	size_t i;

	assert_non_null(d);
	flow_rates(w, r, bounce, d);
	for (i = 0; i < r->nr_res; i++) {
		const struct p2pdma_bw_resource *x = &r->res[i];
		const struct dev_rates *dr;
		double load = bounce ? x->bounce_load : x->p2p_load, pay, other;

		if (x->kind != P2PDMA_BW_RES_LINK || p2pdma_function_is_bridge(x->fn))
			continue;
		dr = &d[x->fn->index];
		pay = x->up ? dr->up : dr->down;
		other = x->up ? dr->down : dr->up;
		if (load < pay * 276 / 256 * (1 - 1e-9) ||
		    load > (pay * 280 / 256 + other * 24 / 512) * (1 + 1e-9))
			fail_msg("%s (%s): load %g, but the flows move %g out and %g in",
				 x->name, bounce ? "bounce" : "P2P", load, dr->up, dr->down);
	}
	free(d);
}

/* Host memory: each bounced byte written once and read once; P2P none. */
static void check_host_bytes(const struct p2pdma_bw_workload *w, const struct p2pdma_bw_result *r)
{
	uint64_t bounced = 0;
	size_t i;

	for (i = 0; i < w->nr_flows; i++)
		bounced += w->flows[i].bytes;
	assert_int_equal(r->bounce_host_bytes, 2 * bounced);
	assert_int_equal(r->p2p_host_bytes, 0);
}

static void check_capacity(const struct p2pdma_bw_result *r)
{
	size_t i;

	for (i = 0; i < r->nr_res; i++) {
		assert_true(r->res[i].p2p_load <= r->res[i].capacity * (1 + 1e-9));
		assert_true(r->res[i].bounce_load <= r->res[i].capacity * (1 + 1e-9));
	}
}

static int run_machine(const char *dir, const char *machine)
{
	struct p2pdma_load_opts o = { .format = P2PDMA_INPUT_BUILTIN, .builtin_dir = dir };
	const char *const *wl;
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_sim *s = NULL;
	struct p2pdma_error e = { 0 };
	char *path = NULL, where[256];
	int ran = 0;

	assert_true(asprintf(&path, "builtin:%s", machine) > 0);
	o.path = path;
	if (p2pdma_fabric_load(&o, &f, &e) || p2pdma_sim_new(f, NULL, &s, &e))
		fail_msg("%s: %s", machine, e.reason);
	for (wl = p2pdma_bw_builtin_names(); *wl; wl++) {
		struct p2pdma_bw_workload *w = NULL;
		struct p2pdma_bw_result *r = NULL;
		size_t i;
		int ret = p2pdma_bw_workload_builtin(f, *wl, &w, &e);

		if (ret == -ENODEV) {
			/* Said, not skipped silently: the machine lacks the devices. */
			printf("# %s: %s\n", machine, e.reason);
			continue;
		}
		assert_int_equal(ret, 0);
		snprintf(where, sizeof(where), "%s/%s", machine, *wl);
		if (p2pdma_bw_simulate(s, w, &r, &e))
			fail_msg("%s: %s", where, e.reason);
		assert_int_equal(r->nr_flows, w->nr_flows);
		for (i = 0; i < w->nr_flows; i++)
			check_flow(w, r, i, where);
		check_conservation(f, w, r, false);
		check_conservation(f, w, r, true);
		check_host_bytes(w, r);
		check_capacity(r);
		p2pdma_bw_result_free(r);
		p2pdma_bw_workload_free(w);
		ran++;
	}
	p2pdma_sim_free(s);
	p2pdma_fabric_free(f);
	free(path);
	return ran;
}

static void every_machine_every_workload(void **state)
{
	const char *dir = getenv("P2PDMA_MACHINES_DIR");
	struct p2pdma_error e = { 0 };
	char **names = NULL;
	size_t i;

	(void)state;
	if (p2pdma_builtin_list(dir, &names, &e))
		fail_msg("%s", e.reason);
	assert_non_null(names[0]);
	for (i = 0; names[i]; i++) {
		/* all-busy runs everywhere; the others where the devices exist. */
		assert_true(run_machine(dir, names[i]) >= 1);
		free(names[i]);
	}
	free(names);
}

/* The machine with switches: all six run, and some flows stay below a switch. */
static void xeon_runs_all_six(void **state)
{
	(void)state;
	assert_int_equal(run_machine(getenv("P2PDMA_MACHINES_DIR"), "dual-xeon-8gpu"), 6);
}

/*
 * The links the model charges are the links the simulated platform moves
 * the bytes over: for every drive and NIC against every GPU of the Xeon
 * machine, a write into the GPU's BAR and a read from it, the model's
 * link directions against p2pdma_sim_link_bytes() after the real DMA.
 */
static bool physical(const struct p2pdma_function *fn)
{
	return fn->parent && fn->role != P2PDMA_ROLE_ROOT_PORT &&
	       fn->role != P2PDMA_ROLE_SWITCH_DOWNSTREAM;
}

static void check_links(struct p2pdma_sim *s, const struct p2pdma_fabric *f,
			const struct p2pdma_bw_result *r, const struct p2pdma_function *init,
			const struct p2pdma_function *gpu, bool write)
{
	struct p2pdma_dma_resource res;
	struct p2pdma_error e = { 0 };
	char buf[4096] = { 0 };
	double load[2][512] = { { 0 } };	/* [up][fn]: a read's requests load less */
	size_t i;
	int ret;

	assert_true(f->nr_fns <= 512);
	for (i = 0; i < r->flows[0].p2p.nr_res; i++) {
		const struct p2pdma_bw_resource *x = &r->res[r->flows[0].p2p.res[i]];

		if (x->kind == P2PDMA_BW_RES_LINK)
			load[x->up][x->fn->index] = x->p2p_load;
	}
	p2pdma_sim_stats_reset(s);
	assert_int_equal(p2pdma_dma_map_resource(p2pdma_sim_dma(s), init, gpu->bars[1].start,
						 sizeof(buf), &res, &e), 0);
	ret = write ? p2pdma_sim_dma_write(s, init, res.dma_addr, buf, sizeof(buf), &e) :
		      p2pdma_sim_dma_read(s, init, res.dma_addr, buf, sizeof(buf), &e);
	if (ret)
		fail_msg("%s", e.reason);
	p2pdma_dma_unmap_resource(p2pdma_sim_dma(s), &res, NULL);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		bool up = p2pdma_sim_link_bytes(s, fn, true), down = p2pdma_sim_link_bytes(s, fn, false);

		if (!physical(fn))
			continue;
		{
		/*
		 * The data loads a way at least half as much as the other way
		 * (both, when the route crosses the link up and back down); a
		 * read's requests alone load it 25 times less.
		 */
		double most = fmax(load[1][i], load[0][i]);
		bool m_up = most > 0 && load[1][i] >= most / 2;
		bool m_down = most > 0 && load[0][i] >= most / 2;

		if (m_up != up || m_down != down)
			fail_msg("link above %02x:%02x.%d: model %d/%d, platform %d/%d (%s)",
				 fn->bdf.bus, fn->bdf.dev, fn->bdf.fn, m_up, m_down, up, down,
				 write ? "write" : "read");
		}
	}
}

static void model_links_are_the_routed_links(void **state)
{
	struct p2pdma_load_opts o = { .path = "builtin:dual-xeon-8gpu",
				      .builtin_dir = getenv("P2PDMA_MACHINES_DIR") };
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_sim *s = NULL;
	struct p2pdma_error e = { 0 };
	size_t i, j, pairs = 0;

	(void)state;
	if (p2pdma_fabric_load(&o, &f, &e) || p2pdma_sim_new(f, NULL, &s, &e))
		fail_msg("%s", e.reason);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *a = f->fns[i];
		unsigned int base = a->class_code >> 16;

		if (p2pdma_function_is_bridge(a) || (base != 0x01 && base != 0x02) || !a->parent)
			continue;
		for (j = 0; j < f->nr_fns; j++) {
			const struct p2pdma_function *g = f->fns[j];
			struct p2pdma_bw_workload *w = NULL;
			struct p2pdma_bw_result *r = NULL;
			char json[256];
			int write;

			if (g->class_code != 0x030200)
				continue;
			for (write = 0; write < 2; write++) {
				snprintf(json, sizeof(json),
					 "{\"flows\": [{\"from\": \"%02x:%02x.%d\", \"to\": \"%02x:%02x.%d\", \"bytes\": 4096}]}",
					 (write ? a : g)->bdf.bus, (write ? a : g)->bdf.dev,
					 (write ? a : g)->bdf.fn, (write ? g : a)->bdf.bus,
					 (write ? g : a)->bdf.dev, (write ? g : a)->bdf.fn);
				if (p2pdma_bw_workload_parse(f, "pair", json, strlen(json), &w, &e) ||
				    p2pdma_bw_simulate(s, w, &r, &e))
					fail_msg("%s", e.reason);
				if (r->flows[0].p2p.ok) {
					check_links(s, f, r, a, g, write);
					pairs++;
				}
				p2pdma_bw_result_free(r);
				p2pdma_bw_workload_free(w);
			}
		}
	}
	assert_true(pairs >= 100);	/* 12 devices x 8 GPUs x 2 ways, those the kernel allows */
	p2pdma_sim_free(s);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_machine_every_workload),
		cmocka_unit_test(xeon_runs_all_six),
		cmocka_unit_test(model_links_are_the_routed_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
