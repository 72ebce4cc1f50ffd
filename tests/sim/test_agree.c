// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The router agrees with the kernel's verdicts, for every pair on every
 * built-in and test machine that has BARs to route to (the built-in
 * descriptions, the hand-written test machines, the QEMU captures of
 * tests/data/vm): with the client's DMA address for the provider's BAR
 * as the DMA layer hands it out (map_resource),
 *   BUS_ADDR         routes below the root complex to that BAR;
 *   THRU_HOST_BRIDGE routes through the root complex to that BAR (a read;
 *                    a posted write turns early where only CR is set,
 *                    which the kernel's rule does not distinguish);
 *   NOT_SUPPORTED    is refused by the map, and a copy through the
 *                    provider's p2pmem falls back to host memory.
 * One exception, asserted as such: dma_map_resource() without an IOMMU
 * hands out the CPU physical address unchanged.  Where the client's host
 * bridge has a bus offset, that is not the BAR's bus address, so the
 * root complex claims nothing there: an Unsupported Request, the
 * "DMAs to an invalid address" the kernel would not notice.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "p2pdma/sim.h"

struct count {
	unsigned int bus, thru, refused, fallbacks, offset_lost;
};


/*
 * Only CR on the peer path: a write whose DMA address is the BAR's bus
 * address (direct mapping) turns below the root complex; an IOVA does not.
 */
static bool only_cr(const struct p2pdma_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nr_acs; i++)
		if (v->acs[i]->acs_ctrl & (P2PDMA_ACS_RR | P2PDMA_ACS_EC))
			return false;
	return v->nr_acs > 0;
}

/* Where in the provider's BAR: a live p2pmem buffer when the BAR holds p2pmem. */
struct target {
	const struct p2pdma_function *fn;
	int bar;
	uint64_t phys, len;
};

static bool target_of(struct p2pdma_sim *s, struct target *t)
{
	struct p2pdma_provider *p = p2pdma_provider_find(p2pdma_sim_mem(s), t->fn);
	struct p2pdma_p2pmem_range r;
	struct p2pdma_error e = { 0 };
	int i;

	if (p) {
		if (p2pdma_p2pmem_alloc(p, 4096, &t->phys, &e) || p2pdma_provider_range(p, 0, &r))
			fail_msg("%s", e.reason);
		t->bar = r.bar;
		t->len = 4096;
		return true;
	}
	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		const struct p2pdma_bar *b = &t->fn->bars[i];

		if ((b->flags & P2PDMA_BAR_MEM) && b->size && b->start) {
			t->bar = i;
			t->phys = b->start;
			t->len = b->size < 4096 ? b->size : 4096;
			return true;
		}
	}
	return false;
}

static void check_routes(struct p2pdma_sim *s, const struct target *t,
			 const struct p2pdma_function *cli, const struct p2pdma_verdict *v,
			 const char *where, struct count *c)
{
	const struct p2pdma_function *prov = t->fn;
	struct p2pdma_dma *d = p2pdma_sim_dma(s);
	struct p2pdma_dma_resource res;
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];
	uint64_t len = t->len, bus = p2pdma_function_bus_addr(prov, t->phys);
	bool early;
	int w;

	p2pdma_bdf_format(&prov->bdf, a, sizeof(a));
	p2pdma_bdf_format(&cli->bdf, b, sizeof(b));
	if (p2pdma_dma_map_resource(d, cli, t->phys, len, &res, &e))
		fail_msg("%s: map %s BAR %d for %s: %s", where, a, t->bar, b, e.reason);
	for (w = 0; w < 2; w++) {
		if (res.how == P2PDMA_DMA_DIRECT && cli->host->bus_offset &&
		    res.dma_addr - cli->host->bus_offset != t->phys) {
			assert_int_equal(p2pdma_sim_route(s, cli, res.dma_addr, len, w, &r, &e), -ENXIO);
			c->offset_lost++;
			continue;
		}
		if (p2pdma_sim_route(s, cli, res.dma_addr, len, w, &r, &e))
			fail_msg("%s: %s -> %s (%s, %s): %s", where, b, a,
				 p2pdma_map_type_name(v->map_type), w ? "write" : "read", e.reason);
		assert_int_equal(r.target, P2PDMA_SIM_TARGET_BAR);
		assert_ptr_equal(r.target_fn, prov);
		assert_true(r.phys == t->phys);
		early = v->map_type == P2PDMA_MAP_BUS_ADDR || (w && only_cr(v) && res.dma_addr == bus);
		if (early && r.rc_in)
			fail_msg("%s: %s -> %s is %s but its %s went through the root complex", where, b, a,
				 p2pdma_map_type_name(v->map_type), w ? "write" : "read");
		else if (!early && !r.rc_in)
			fail_msg("%s: %s -> %s is THRU_HOST_BRIDGE but its %s turned below the root complex",
				 where, b, a, w ? "write" : "read");
	}
	assert_int_equal(p2pdma_dma_unmap_resource(d, &res, &e), 0);
}

/* A NOT_SUPPORTED NVMe client copying through @prov's p2pmem falls back. */
static void check_fallback(struct p2pdma_sim *s, const struct p2pdma_function *prov,
			   const struct p2pdma_function *cli, struct count *c)
{
	struct p2pdma_sim_copy_req q = {
		.src = { cli, 1, 0 }, .dst = { cli, 1, 1ULL << 20 }, .size = 65536,
		.via = P2PDMA_SIM_VIA_PROVIDER, .via_fn = prov, .chunk = 16384, .depth = 2,
		.check = true,
	};
	struct p2pdma_sim_copy_result res;
	struct p2pdma_error e = { 0 };

	if (!p2pdma_sim_nvme(s, cli) || !p2pdma_provider_find(p2pdma_sim_mem(s), prov))
		return;
	if (p2pdma_sim_copy(s, &q, &res, &e))
		fail_msg("%s", e.reason);
	assert_true(res.fallback);
	assert_null(res.provider);
	assert_true(res.data_ok);
	c->fallbacks++;
}

static void check_pair(struct p2pdma_sim *s, const struct target *t,
		       const struct p2pdma_function *cli, const char *where, struct count *c)
{
	const struct p2pdma_function *prov = t->fn;
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_dma_resource res;
	struct p2pdma_error e = { 0 };

	if (p2pdma_verdict_get(p2pdma_sim_policy(s), prov, cli, NULL, &v, &e))
		fail_msg("%s", e.reason);
	switch (v->map_type) {
	case P2PDMA_MAP_BUS_ADDR:
		c->bus++;
		check_routes(s, t, cli, v, where, c);
		break;
	case P2PDMA_MAP_THRU_HOST_BRIDGE:
		c->thru++;
		check_routes(s, t, cli, v, where, c);
		break;
	default:
		c->refused++;
		assert_int_equal(p2pdma_dma_map_resource(p2pdma_sim_dma(s), cli, t->phys, 1, &res, &e),
				 -EREMOTEIO);
		check_fallback(s, prov, cli, c);
	}
	p2pdma_verdict_free(v);
}

static void check_machine(const char *path, struct count *c)
{
	struct p2pdma_sim_opts o = { .ns_in_memory = true };
	struct p2pdma_fabric *f = tu_load(path);
	struct p2pdma_sim *s = NULL;
	struct p2pdma_error e = { 0 };
	size_t i, j;

	if (p2pdma_sim_new(f, &o, &s, &e))
		fail_msg("%s: %s", path, e.reason);
	for (i = 0; i < f->nr_fns; i++) {
		struct target t = { .fn = f->fns[i] };

		if (p2pdma_function_is_bridge(t.fn) || !target_of(s, &t))
			continue;
		for (j = 0; j < f->nr_fns; j++)
			if (!p2pdma_function_is_bridge(f->fns[j]))
				check_pair(s, &t, f->fns[j], path, c);
	}
	p2pdma_sim_free(s);
	p2pdma_fabric_free(f);
}

static void test_all_machines(void **state)
{
	const char *builtins[] = { "builtin:dual-xeon-8gpu", "builtin:amd-epyc-2gpu" };
	const char *files[] = { "../sim/data/mixed.json", "../dma/data/hand.json", "json/small.json" };
	struct count c = { 0 };
	char *pat = tu_data_path("vm/*.tar.xz");
	glob_t g;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++)
		check_machine(builtins[i], &c);
	for (i = 0; i < 3; i++) {
		char *p = tu_data_path(files[i]);

		check_machine(p, &c);
		free(p);
	}
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 5);
	for (i = 0; i < g.gl_pathc; i++)
		check_machine(g.gl_pathv[i], &c);
	globfree(&g);
	free(pat);
	fprintf(stderr, "# pairs: %u BUS_ADDR, %u THRU_HOST_BRIDGE, %u NOT_SUPPORTED (%u copies fell back); "
		"%u direct-mapped DMAs lost to a bus offset\n",
		c.bus, c.thru, c.refused, c.fallbacks, c.offset_lost);
	assert_true(c.bus > 0 && c.thru > 0 && c.refused > 0 && c.fallbacks > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_machines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
