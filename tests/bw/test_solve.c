// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The max-min solver alone, on abstract resources and flows: small
 * networks worked by hand, and random networks checked against the
 * definition of max-min fairness (every flow has a full resource on
 * which no other flow gets more), not against another solver.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static struct p2pdma_bw_net *net(void)
{
	struct p2pdma_bw_net *n = p2pdma_bw_net_new();

	assert_non_null(n);
	return n;
}

static void solve(struct p2pdma_bw_net *n)
{
	struct p2pdma_error e = { 0 };

	if (p2pdma_bw_net_solve(n, &e))
		fail_msg("solve: %s", e.reason);
}

static void two_flows_share_one_link(void **state)
{
	struct p2pdma_bw_net *n = net();
	long r = p2pdma_bw_net_add_resource(n, 10);
	long a = p2pdma_bw_net_add_flow(n), b = p2pdma_bw_net_add_flow(n);

	(void)state;
	assert_int_equal(p2pdma_bw_net_use(n, a, r, 1), 0);
	assert_int_equal(p2pdma_bw_net_use(n, b, r, 1), 0);
	solve(n);
	assert_float_equal(p2pdma_bw_net_rate(n, a), 5, 1e-12);
	assert_float_equal(p2pdma_bw_net_rate(n, b), 5, 1e-12);
	assert_int_equal(p2pdma_bw_net_bottleneck(n, a), r);
	assert_float_equal(p2pdma_bw_net_load(n, r), 10, 1e-12);
	p2pdma_bw_net_free(n);
}

/* A (10) carries f1 and f2, B (4) carries f1: f1 = 4 on B, f2 takes the other 6. */
static void narrow_link_frees_the_rest(void **state)
{
	struct p2pdma_bw_net *n = net();
	long ra = p2pdma_bw_net_add_resource(n, 10), rb = p2pdma_bw_net_add_resource(n, 4);
	long f1 = p2pdma_bw_net_add_flow(n), f2 = p2pdma_bw_net_add_flow(n);

	(void)state;
	p2pdma_bw_net_use(n, f1, ra, 1);
	p2pdma_bw_net_use(n, f1, rb, 1);
	p2pdma_bw_net_use(n, f2, ra, 1);
	solve(n);
	assert_float_equal(p2pdma_bw_net_rate(n, f1), 4, 1e-12);
	assert_float_equal(p2pdma_bw_net_rate(n, f2), 6, 1e-12);
	assert_int_equal(p2pdma_bw_net_bottleneck(n, f1), rb);
	assert_int_equal(p2pdma_bw_net_bottleneck(n, f2), ra);
	p2pdma_bw_net_free(n);
}

/* Costs: a flow paying 2 per byte on a 10-unit resource gets 5; with a 1-cost peer, 10/3 each. */
static void costs_weigh_the_load(void **state)
{
	struct p2pdma_bw_net *n = net();
	long r = p2pdma_bw_net_add_resource(n, 10);
	long a = p2pdma_bw_net_add_flow(n), b;

	(void)state;
	p2pdma_bw_net_use(n, a, r, 2);
	solve(n);
	assert_float_equal(p2pdma_bw_net_rate(n, a), 5, 1e-12);
	b = p2pdma_bw_net_add_flow(n);
	p2pdma_bw_net_use(n, b, r, 1);
	solve(n);
	assert_float_equal(p2pdma_bw_net_rate(n, a), 10.0 / 3, 1e-12);
	assert_float_equal(p2pdma_bw_net_rate(n, b), 10.0 / 3, 1e-12);
	p2pdma_bw_net_free(n);
}

/* Parking lot: f0 crosses L1 and L2 (1 each), f1 only L1, f2 only L2: a half each. */
static void parking_lot(void **state)
{
	struct p2pdma_bw_net *n = net();
	long l1 = p2pdma_bw_net_add_resource(n, 1), l2 = p2pdma_bw_net_add_resource(n, 1);
	long f0 = p2pdma_bw_net_add_flow(n), f1 = p2pdma_bw_net_add_flow(n);
	long f2 = p2pdma_bw_net_add_flow(n), lone = p2pdma_bw_net_add_flow(n);

	(void)state;
	p2pdma_bw_net_use(n, f0, l1, 1);
	p2pdma_bw_net_use(n, f0, l2, 1);
	p2pdma_bw_net_use(n, f1, l1, 1);
	p2pdma_bw_net_use(n, f2, l2, 1);
	solve(n);
	assert_float_equal(p2pdma_bw_net_rate(n, f0), 0.5, 1e-12);
	assert_float_equal(p2pdma_bw_net_rate(n, f1), 0.5, 1e-12);
	assert_float_equal(p2pdma_bw_net_rate(n, f2), 0.5, 1e-12);
	/* A flow that crosses nothing is not limited, and says so. */
	assert_true(p2pdma_bw_net_rate(n, lone) >= P2PDMA_BW_UNLIMITED);
	assert_int_equal(p2pdma_bw_net_bottleneck(n, lone), -1);
	p2pdma_bw_net_free(n);
}

/* 10 and 30 bytes over a 10/s link: 5/s each until t=2, then 10/s: done at 2 and 4. */
static void run_to_completion(void **state)
{
	struct p2pdma_bw_net *n = net();
	struct p2pdma_error e = { 0 };
	long r = p2pdma_bw_net_add_resource(n, 10);
	long a = p2pdma_bw_net_add_flow(n), b = p2pdma_bw_net_add_flow(n);
	double bytes[2] = { 10, 30 }, done[2];

	(void)state;
	p2pdma_bw_net_use(n, a, r, 1);
	p2pdma_bw_net_use(n, b, r, 1);
	assert_int_equal(p2pdma_bw_net_run(n, bytes, done, &e), 0);
	assert_float_equal(done[0], 2, 1e-9);
	assert_float_equal(done[1], 4, 1e-9);
	/* The rates left behind are those of everything running at once. */
	assert_float_equal(p2pdma_bw_net_rate(n, b), 5, 1e-12);
	p2pdma_bw_net_free(n);
}

static void zero_capacity_is_an_error_not_a_hang(void **state)
{
	struct p2pdma_bw_net *n = net();
	struct p2pdma_error e = { 0 };
	long r = p2pdma_bw_net_add_resource(n, 0);
	long a = p2pdma_bw_net_add_flow(n);
	double bytes = 1, done;

	(void)state;
	p2pdma_bw_net_use(n, a, r, 1);
	assert_int_equal(p2pdma_bw_net_run(n, &bytes, &done, &e), -EDEADLK);
	assert_non_null(strstr(e.reason, "cannot move"));
	assert_int_equal(p2pdma_bw_net_use(n, a, r, 0), -EINVAL);
	assert_int_equal(p2pdma_bw_net_use(n, a, 7, 1), -EINVAL);
	p2pdma_bw_net_free(n);
}

/* Max-min fair: feasible, and every flow has a full resource where it is the largest. */
static void check_max_min(struct p2pdma_bw_net *n, long nr_res, long nr_flows,
			  const long *uses, const double *cost, int per, uint64_t seed)
{
	long f, r;
	int i, j;

	for (r = 0; r < nr_res; r++)
		if (p2pdma_bw_net_load(n, r) > p2pdma_bw_net_capacity(n, r) * (1 + 1e-9))
			fail_msg("seed %llu: resource %ld over capacity", (unsigned long long)seed, r);
	for (f = 0; f < nr_flows; f++) {
		bool ok = false;

		for (i = 0; i < per && !ok; i++) {
			long b = uses[f * per + i];
			bool full = p2pdma_bw_net_load(n, b) >=
				    p2pdma_bw_net_capacity(n, b) * (1 - 1e-9);
			bool largest = true;

			for (long g = 0; g < nr_flows && full; g++)
				for (j = 0; j < per; j++)
					if (uses[g * per + j] == b &&
					    p2pdma_bw_net_rate(n, g) >
					    p2pdma_bw_net_rate(n, f) * (1 + 1e-9))
						largest = false;
			ok = full && largest;
		}
		if (!ok)
			fail_msg("seed %llu: flow %ld (rate %g) has no bottleneck", (unsigned long long)seed,
				 f, p2pdma_bw_net_rate(n, f));
	}
	(void)cost;
}

static void random_networks_are_max_min_fair(void **state)
{
	uint64_t seed = tu_seed(), rng = seed;
	int round;

	(void)state;
	for (round = 0; round < 50; round++) {
		enum { RES = 12, FLOWS = 30, PER = 3 };
		struct p2pdma_bw_net *n = net();
		long uses[FLOWS * PER];
		double cost[FLOWS * PER];
		long f, r;
		int i;

		for (r = 0; r < RES; r++)
			p2pdma_bw_net_add_resource(n, 1 + (double)(tu_rand(&rng) % 100));
		for (f = 0; f < FLOWS; f++) {
			p2pdma_bw_net_add_flow(n);
			for (i = 0; i < PER; i++) {
				uses[f * PER + i] = (long)(tu_rand(&rng) % RES);
				cost[f * PER + i] = 1 + (double)(tu_rand(&rng) % 4) / 4;
				p2pdma_bw_net_use(n, f, uses[f * PER + i], cost[f * PER + i]);
			}
		}
		solve(n);
		check_max_min(n, RES, FLOWS, uses, cost, PER, seed);
		p2pdma_bw_net_free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_flows_share_one_link),
		cmocka_unit_test(narrow_link_frees_the_rest),
		cmocka_unit_test(costs_weigh_the_load),
		cmocka_unit_test(parking_lot),
		cmocka_unit_test(run_to_completion),
		cmocka_unit_test(zero_capacity_is_an_error_not_a_hang),
		cmocka_unit_test(random_networks_are_max_min_fair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
