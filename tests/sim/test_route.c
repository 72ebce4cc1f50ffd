// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Routing on the built-in machines, hand-worked from their descriptions
 * (the JSON files in data/machines): which links a DMA crosses, where it turns,
 * who claims it, and the errors for addresses nobody should reach.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "p2pdma/sim.h"

struct env {
	struct p2pdma_fabric *f;
	struct p2pdma_sim *s;
};

static struct env *env_new(const char *machine)
{
	struct p2pdma_sim_opts o = { .ns_in_memory = true };
	struct p2pdma_error e = { 0 };
	struct env *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->f = tu_load(machine);
	if (p2pdma_sim_new(v->f, &o, &v->s, &e))
		fail_msg("sim: %s", e.reason);
	return v;
}

static void env_free(struct env *v)
{
	p2pdma_sim_free(v->s);
	p2pdma_fabric_free(v->f);
	free(v);
}

static const struct p2pdma_function *fn(struct env *v, const char *bdf)
{
	struct p2pdma_function *f = NULL;
	struct p2pdma_error e;

	if (p2pdma_fabric_lookup(v->f, bdf, &f, &e))
		fail_msg("%s", e.reason);
	return f;
}

static void assert_hops(struct env *v, const struct p2pdma_sim_route *r,
			const char *const *want, size_t n)
{
	char got[P2PDMA_BDF_STRLEN];
	size_t i;

	assert_int_equal(r->nr_hops, n);
	for (i = 0; i < n; i++) {
		/* "^BDF": crossed towards the root, "vBDF": away from it. */
		p2pdma_bdf_format(&r->hops[i].fn->bdf, got, sizeof(got));
		assert_string_equal(got, want[i] + 1);
		assert_int_equal(r->hops[i].up, want[i][0] == '^');
	}
	(void)v;
}

/* Same switch, ACS SV|UF only on its downstream ports: peer-to-peer below it. */
static void test_switch_local(void **state)
{
	static const char *const want[] = {
		"^0000:d0:00.0", "^0000:cc:03.0", "v0000:cc:00.0", "v0000:cd:00.0",
	};
	struct env *v = env_new("builtin:dual-xeon-8gpu");
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:d0:00.0"), 0x308000001000ULL, 4096,
					  true, &r, &e), 0);
	assert_int_equal(r.target, P2PDMA_SIM_TARGET_BAR);
	assert_ptr_equal(r.target_fn, fn(v, "0000:cd:00.0"));
	assert_int_equal(r.bar, 1);
	assert_true(r.phys == 0x308000001000ULL);
	assert_null(r.rc_in);
	assert_null(r.rc_out);
	assert_false(r.translated);
	assert_hops(v, &r, want, 4);
	env_free(v);
}

/* Host RAM from behind a switch: up every link to the root complex. */
static void test_to_ram(void **state)
{
	static const char *const want[] = {
		"^0000:d0:00.0", "^0000:cc:03.0", "^0000:cb:00.0", "^0000:ca:02.0",
	};
	struct env *v = env_new("builtin:dual-xeon-8gpu");
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:d0:00.0"), 0x100000000ULL, 8192,
					  false, &r, &e), 0);
	assert_int_equal(r.target, P2PDMA_SIM_TARGET_RAM);
	assert_ptr_equal(r.rc_in, fn(v, "0000:d0:00.0")->host);
	assert_null(r.rc_out);
	assert_hops(v, &r, want, 4);
	env_free(v);
}

/* The NVMe's own p2pmem, nothing allocated: a wild DMA, named. */
static void test_wild(void **state)
{
	struct env *v = env_new("builtin:dual-xeon-8gpu");
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sim_route(v->s, fn(v, "0000:cd:00.0"), 0x30b004000000ULL, 4096,
					  true, &r, &e), -EADDRNOTAVAIL);
	assert_int_equal(r.fault, P2PDMA_SIM_FAULT_WILD);
	assert_non_null(strstr(e.reason, "0000:d0:00.0"));
	assert_non_null(strstr(e.reason, "wild DMA"));
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch_local),
		cmocka_unit_test(test_to_ram),
		cmocka_unit_test(test_wild),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
