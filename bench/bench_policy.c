// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_policy: the policy layer's speed on a generated fabric.
 *
 *   bench_policy [FUNCTIONS] [SECONDS_PER_ROW]   (defaults 4096, 0.5)
 *
 * Builds a fabric of about FUNCTIONS functions (up to 16 host bridges in two
 * domains, root ports,
 * two levels of switches, multi-function endpoints and VFs, a mix of ACS
 * states), then times:
 *   - the O(n) index (preorder, sparse table, prefix counts);
 *   - the full matrix, every (provider, client) pair, three ways: the
 *     O(1) kernel answer (map type and distance), what `p2pdma matrix`
 *     computes per cell (with the possible answers, certainty and path
 *     class), and p2pdma_map_type() filling the per-pair cache;
 *   - pair verdicts per second on random pairs: the O(1) kernel answer,
 *     the same with possible answers and certainty, and p2pdma_map_type()
 *     with a warm cache;
 *   - p2pdma_verdict_get() (path, log lines, reason, fix) per second.
 * Goals (ISSUE 4): the full matrix under 1 s, at least 50 M verdicts/s.
 * Prints a table and the command that produced it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2pdma.h"
#include "policy_int.h"

/*
 * CPU time of this thread: the machine the figures come from is often
 * shared, and wall time would count other people's work.
 */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

struct gen {
	struct p2pdma_fabric *f;
	size_t want;
};

static struct p2pdma_function *add(struct gen *g, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, unsigned int bus,
				   unsigned int dev, unsigned int fn, enum p2pdma_role role,
				   struct p2pdma_function *physfn)
{
	static const uint16_t ctrls[] = { 0, 0, 0, 0x1d, 0x11, 0x0c };
	struct p2pdma_function t, *out = NULL;
	struct p2pdma_error e = { 0 };
	unsigned int r = (unsigned int)(rnd() % 10);

	p2pdma_function_init(&t);
	t.bdf.domain = hb->domain;
	t.bdf.bus = (uint8_t)bus;
	t.bdf.dev = (uint8_t)dev;
	t.bdf.fn = (uint8_t)fn;
	t.role = role;
	t.vendor = role == P2PDMA_ROLE_ENDPOINT ? 0x15b3 : 0x10b5;
	t.device = role == P2PDMA_ROLE_ENDPOINT ? 0x1017 : 0x8796;
	t.class_code = role == P2PDMA_ROLE_ENDPOINT ? 0x020000 : 0x060400;
	t.physfn = physfn;
	t.acs_state = r < 3 ? P2PDMA_ACS_ABSENT : r < 9 ? P2PDMA_ACS_PRESENT : P2PDMA_ACS_UNKNOWN;
	t.acs_cap = 0x5f;
	t.acs_ctrl = ctrls[rnd() % 6];
	if (p2pdma_fabric_add_function(g->f, hb, parent, &t, &out, &e)) {
		fprintf(stderr, "bench_policy: %s\n", e.reason);
		exit(1);
	}
	return out;
}

/* A bus below @br with 8 functions: 4 PFs, each with one VF. */
static void endpoints(struct gen *g, struct p2pdma_host_bridge *hb,
		      struct p2pdma_function *br, unsigned int bus)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct p2pdma_function *pf = add(g, hb, br, bus, 0, i, P2PDMA_ROLE_ENDPOINT, NULL);

		add(g, hb, br, bus, 0, 4 + i, P2PDMA_ROLE_ENDPOINT, pf);
	}
}

/*
 * Host bridge -> root ports -> switch (USP + DSPs) -> per DSP either an
 * endpoint bus or a second switch with endpoint buses; until @want.
 */
static struct p2pdma_fabric *generate(size_t want)
{
	struct gen g = { .f = p2pdma_fabric_new(), .want = want };
	struct p2pdma_error e = { 0 };
	unsigned int h, bus = 0;

	for (h = 0; h < 16 && g.f->nr_fns < want; h++) {
		struct p2pdma_host_bridge *hb;
		unsigned int rp, root = (h % 8) * 32;
		uint32_t domain = h / 8;

		bus = root;
		p2pdma_fabric_add_host_bridge(g.f, NULL, domain, (uint8_t)root, &hb, &e);
		hb->numa_node = (int)(h / 4 % 2);
		add(&g, hb, NULL, root, 0, 0, P2PDMA_ROLE_ENDPOINT, NULL)->device = 0x2020;
		bus++;
		for (rp = 1; rp < 4 && g.f->nr_fns < want && bus < root + 30; rp++) {
			struct p2pdma_function *port, *usp;
			unsigned int d;

			port = add(&g, hb, NULL, root, rp, 0, P2PDMA_ROLE_ROOT_PORT, NULL);
			port->secondary_bus = (int)bus;
			usp = add(&g, hb, port, bus, 0, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, NULL);
			usp->secondary_bus = (int)++bus;
			bus++;
			for (d = 0; d < 4 && g.f->nr_fns < want && bus < root + 30; d++) {
				struct p2pdma_function *dsp;

				dsp = add(&g, hb, usp, usp->secondary_bus, d, 0,
					  P2PDMA_ROLE_SWITCH_DOWNSTREAM, NULL);
				dsp->secondary_bus = (int)bus;
				if (d % 2) {
					endpoints(&g, hb, dsp, bus++);
				} else {
					struct p2pdma_function *u2, *d2;
					unsigned int k;

					u2 = add(&g, hb, dsp, bus, 0, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, NULL);
					u2->secondary_bus = (int)++bus;
					u2->subordinate_bus = (int)bus + 2;
					bus++;
					for (k = 0; k < 2; k++) {
						d2 = add(&g, hb, u2, u2->secondary_bus, k, 0,
							 P2PDMA_ROLE_SWITCH_DOWNSTREAM, NULL);
						d2->secondary_bus = d2->subordinate_bus = (int)bus;
						endpoints(&g, hb, d2, bus++);
					}
				}
				dsp->subordinate_bus = (int)bus - 1;
			}
			usp->subordinate_bus = port->subordinate_bus = (int)bus - 1;
		}
	}
	/* Top up with more endpoint functions on the root buses (RCiEPs). */
	for (h = 0; g.f->nr_fns < want; h++) {
		struct p2pdma_host_bridge *hb = g.f->hbs[h % g.f->nr_hbs];
		unsigned int slot = 8 + (unsigned int)(h / g.f->nr_hbs) / 8, fn = (unsigned int)(h / g.f->nr_hbs) % 8;

		if (slot > 31)
			break;
		add(&g, hb, NULL, hb->bus, slot, fn, P2PDMA_ROLE_ENDPOINT, NULL);
	}
	if (p2pdma_fabric_finalize(g.f, &e)) {
		fprintf(stderr, "bench_policy: generated fabric: %s\n", e.reason);
		exit(1);
	}
	return g.f;
}

static volatile unsigned long sink;

static double full_fast(struct p2pdma_policy *p, size_t n)
{
	double t = now();
	unsigned long acc = 0;
	uint32_t i, j;
	int d;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			acc += p2pdma_pair_type(p, i, j, &d);
			acc += (unsigned long)d;
		}
	sink = acc;
	return now() - t;
}

static double full_map_type(struct p2pdma_policy *p, struct p2pdma_fabric *f)
{
	double t = now();
	unsigned long acc = 0;
	size_t i, j;

	for (i = 0; i < f->nr_fns; i++)
		for (j = 0; j < f->nr_fns; j++)
			acc += p2pdma_map_type(p, f->fns[i], f->fns[j], NULL);
	sink = acc;
	return now() - t;
}

static double full_cells(struct p2pdma_policy *p, size_t n)
{
	double t = now();
	unsigned long acc = 0;
	struct p2pdma_fast fv;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			p2pdma_fast_verdict(p, i, j, &fv);
			acc += fv.type + (unsigned long)p2pdma_path_class_of(p, i, j, fv.lca);
		}
	sink = acc;
	return now() - t;
}

/* Random pairs for about @secs; returns verdicts per second. */
static double random_fast(struct p2pdma_policy *p, size_t n, double secs, bool full)
{
	uint32_t *pairs = malloc(2 * 65536 * sizeof(*pairs));
	unsigned long acc = 0, done = 0;
	struct p2pdma_fast fv;
	double t0 = now(), t;
	size_t k;
	int d;

	for (k = 0; k < 2 * 65536; k++)
		pairs[k] = (uint32_t)(rnd() % n);
	do {
		if (full) {
			for (k = 0; k < 65536; k++) {
				p2pdma_fast_verdict(p, pairs[2 * k], pairs[2 * k + 1], &fv);
				acc += fv.type + fv.certain;
			}
		} else {
			for (k = 0; k < 65536; k++)
				acc += p2pdma_pair_type(p, pairs[2 * k], pairs[2 * k + 1], &d);
		}
		done += 65536;
		t = now() - t0;
	} while (t < secs);
	sink = acc;
	free(pairs);
	return (double)done / t;
}

static double random_map_type(struct p2pdma_policy *p, struct p2pdma_fabric *f, double secs)
{
	uint32_t *pairs = malloc(2 * 65536 * sizeof(*pairs));
	unsigned long acc = 0, done = 0;
	double t0 = now(), t;
	size_t k, n = f->nr_fns;

	for (k = 0; k < 2 * 65536; k++)
		pairs[k] = (uint32_t)(rnd() % n);
	do {
		for (k = 0; k < 65536; k++)
			acc += p2pdma_map_type(p, f->fns[pairs[2 * k]], f->fns[pairs[2 * k + 1]], NULL);
		done += 65536;
		t = now() - t0;
	} while (t < secs);
	sink = acc;
	free(pairs);
	return (double)done / t;
}

static double verdicts_per_s(struct p2pdma_policy *p, struct p2pdma_fabric *f, double secs)
{
	unsigned long done = 0;
	double t0 = now(), t;

	do {
		struct p2pdma_verdict *v = NULL;
		struct p2pdma_error e = { 0 };

		if (!p2pdma_verdict_get(p, f->fns[rnd() % f->nr_fns], f->fns[rnd() % f->nr_fns],
					NULL, &v, &e))
			p2pdma_verdict_free(v);
		done++;
		t = now() - t0;
	} while (t < secs);
	return (double)done / t;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
	double t_gen, t_index = 1e9, t_fast = 1e9, t_map, t_cells = 1e9, r_fast, r_cert, r_map, r_full;
	double pairs;
	int i;

	if (want < 16 || want > 60000 || secs <= 0) {
		fprintf(stderr, "usage: bench_policy [FUNCTIONS 16..60000] [SECONDS_PER_ROW]\n");
		return 2;
	}
	t_gen = now();
	f = generate(want);
	t_gen = now() - t_gen;
	pairs = (double)f->nr_fns * (double)f->nr_fns;

	/* Each full pass three times, the best kept: the machine is shared. */
	for (i = 0; i < 3; i++) {
		double t;

		p = p2pdma_policy_new(f);
		t = now();
		p2pdma_policy_sync(p);
		t_index = best(t_index, now() - t);
		t_fast = best(t_fast, full_fast(p, f->nr_fns));
		t_cells = best(t_cells, full_cells(p, f->nr_fns));
		p2pdma_policy_free(p);
	}
	p = p2pdma_policy_new(f);
	t_map = full_map_type(p, f);		/* cold cache: fills it */
	r_fast = random_fast(p, f->nr_fns, secs, false);
	r_cert = random_fast(p, f->nr_fns, secs, true);
	r_map = random_map_type(p, f, secs);	/* warm cache */
	r_full = verdicts_per_s(p, f, secs);

	printf("command: ");
	for (i = 0; i < argc; i++)
		printf("%s%s", i ? " " : "", argv[i]);
	printf("\nfabric: %zu functions, %zu host bridges, %zu unknown-ACS; %.0f pairs\n\n",
	       f->nr_fns, f->nr_hbs, f->nr_acs_unknown, pairs);
	printf("times are this thread's CPU time (the machine may be shared)\n\n");
	printf("%-46s %12s %16s\n", "what", "time", "verdicts/s");
	printf("%-46s %10.3f s %16s\n", "generate the fabric", t_gen, "-");
	printf("%-46s %10.3f ms %15s\n", "index: preorder, sparse table, prefix counts",
	       t_index * 1e3, "-");
	printf("%-46s %10.3f s %16.3g\n", "full matrix, O(1) map type + distance", t_fast,
	       pairs / t_fast);
	printf("%-46s %10.3f s %16.3g\n", "full matrix, + certainty + path class (a cell)",
	       t_cells, pairs / t_cells);
	printf("%-46s %10.3f s %16.3g\n", "full matrix, p2pdma_map_type() filling cache",
	       t_map, pairs / t_map);
	printf("%-46s %12s %16.3g\n", "random pairs, O(1) map type + distance", "-", r_fast);
	printf("%-46s %12s %16.3g\n", "random pairs, + possible answers, certainty", "-", r_cert);
	printf("%-46s %12s %16.3g\n", "random pairs, p2pdma_map_type() warm cache", "-", r_map);
	printf("%-46s %12s %16.3g\n", "random pairs, p2pdma_verdict_get() (all text)", "-", r_full);
	printf("\ngoals: full matrix < 1 s (%s), >= 50 M verdicts/s (%s)\n",
	       t_fast < 1.0 && t_map < 1.0 ? "met" : "NOT met",
	       r_fast >= 50e6 ? "met" : "NOT met");
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return 0;
}
