// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_policy: the policy layer's speed on a generated fabric.
 *
 *   bench_policy [FUNCTIONS] [SECONDS_PER_ROW]   (defaults 4096, 0.5)
 *
 * Builds a fabric of about FUNCTIONS functions (host bridges, 8 per PCI
 * domain, root ports,
 * two levels of switches, multi-function endpoints and VFs, a mix of ACS
 * states), then times:
 *   - the O(n) index (preorder, sparse table, prefix counts);
 *   - the full matrix, every (provider, client) pair, three ways: the
 *     O(1) kernel answer (map type and distance), what `p2pdma matrix`
 *     computes per cell (with the possible answers, certainty and path
 *     class), and the public p2pdma_map_type();
 *   - pair verdicts per second on random pairs: the O(1) kernel answer,
 *     the same with possible answers and certainty, and the public
 *     p2pdma_map_type() with the functions in hand, timed in alternation
 *     with the index so that their ratio comes from one stretch of the
 *     (shared) machine, beside the index fed indices read from both
 *     functions and from the provider's alone (what a call that looks at
 *     its provider cannot go below); and the index on pairs below one
 *     root-bus function, the only ones that need the range minimum;
 *   - p2pdma_verdict_get() (path, log lines, reason, fix) per second, and
 *     p2pdma_verdict_reason() (the reason only, what a refused mapping says);
 *   - the same public call when every function has p2pmem, so that the
 *     kernel's cache is kept: a row of n bits per provider, one bit set
 *     per pair asked (kcache.c);
 *   - the policy's memory (index and the kernel's cache; no function of
 *     the generated fabric has p2pmem, so no rows) on this fabric and on
 *     one of 32,768 functions, and on this fabric with every provider's
 *     row started (n/8 bytes each: rows exist only for providers with
 *     p2pmem, which real machines have few of).
 * Goals (ISSUE 4): the full matrix under 1 s, at least 50 M verdicts/s.
 * Goals (issue 17): the public call at >= 80 % of the index and >= 80 M
 * verdicts/s on 4,096 functions; memory linear, < 64 bytes per function.
 * Prints a table and the command that produced it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2pdma.h"
#include "bench.h"
#include "policy_int.h"

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
	/* 16 host bridges up to ~4,096 functions, as ever; more for larger. */
	unsigned int h, bus = 0, nr_hb = want / 256 > 16 ? (unsigned int)(want / 256) : 16;

	for (h = 0; h < nr_hb && g.f->nr_fns < want; h++) {
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

#define NR_PAIRS 65536

/* Random pairs for about @secs; returns verdicts per second. */
static double random_fast(struct p2pdma_policy *p, const uint32_t *pairs, double secs, bool full)
{
	unsigned long acc = 0, done = 0;
	struct p2pdma_fast fv;
	double t0 = now(), t;
	size_t k;
	int d;

	do {
		if (full) {
			for (k = 0; k < NR_PAIRS; k++) {
				p2pdma_fast_verdict(p, pairs[2 * k], pairs[2 * k + 1], &fv);
				acc += fv.type + fv.certain;
			}
		} else {
			for (k = 0; k < NR_PAIRS; k++)
				acc += p2pdma_pair_type(p, pairs[2 * k], pairs[2 * k + 1], &d);
		}
		done += NR_PAIRS;
		t = now() - t0;
	} while (t < secs);
	sink = acc;
	return (double)done / t;
}

/*
 * The index, handed the function pointers as the public call is: the
 * index read from each function (one cache line per function) is what a
 * call that takes pointers cannot avoid.  With @client_given, only the
 * provider's line is read and the client's index comes from @pairs: the
 * least any call pays that must look at its provider (its p2pdma state,
 * which decides whether the kernel caches the pair, is read live).
 */
static double random_fast_ptr(struct p2pdma_policy *p, struct p2pdma_function *const *pp,
			      const uint32_t *pairs, bool client_given, double secs)
{
	unsigned long acc = 0, done = 0;
	double t0 = now(), t;
	size_t k;
	int d;

	do {
		if (client_given) {
			for (k = 0; k < NR_PAIRS; k++)
				acc += p2pdma_pair_type(p, (uint32_t)pp[2 * k]->index,
							pairs[2 * k + 1], &d);
		} else {
			for (k = 0; k < NR_PAIRS; k++)
				acc += p2pdma_pair_type(p, (uint32_t)pp[2 * k]->index,
							(uint32_t)pp[2 * k + 1]->index, &d);
		}
		done += NR_PAIRS;
		t = now() - t0;
	} while (t < secs);
	sink = acc;
	return (double)done / t;
}

/*
 * The same pairs through the public call, function pointers in hand: read
 * in order from @pp as the index reads its indices, not looked up in
 * f->fns[] per call (a dependent load that the caller of the index does
 * not pay, nor a user who holds its functions).
 */
static double random_map_type(struct p2pdma_policy *p, struct p2pdma_function *const *pp,
			      double secs)
{
	unsigned long acc = 0, done = 0;
	double t0 = now(), t;
	size_t k;

	do {
		for (k = 0; k < NR_PAIRS; k++)
			acc += p2pdma_map_type(p, pp[2 * k], pp[2 * k + 1], NULL);
		done += NR_PAIRS;
		t = now() - t0;
	} while (t < secs);
	sink = acc;
	return (double)done / t;
}

/* The public call when every provider has p2pmem: the kernel caches each pair. */
static double random_map_type_rows(struct p2pdma_policy *p, struct p2pdma_fabric *f,
				   struct p2pdma_function *const *pp, double secs)
{
	double r;
	size_t i;

	for (i = 0; i < f->nr_fns; i++)
		f->fns[i]->p2pmem.present = true;
	r = random_map_type(p, pp, secs);
	for (i = 0; i < f->nr_fns; i++)
		f->fns[i]->p2pmem.present = false;
	return r;
}

static uint32_t *random_pairs(size_t n)
{
	uint32_t *pairs = malloc(2 * NR_PAIRS * sizeof(*pairs));
	size_t k;

	if (!pairs) {
		fprintf(stderr, "bench_policy: out of memory\n");
		exit(1);
	}
	for (k = 0; k < 2 * NR_PAIRS; k++)
		pairs[k] = (uint32_t)(rnd() % n);
	return pairs;
}

/*
 * Random pairs below one root-bus function (one tree of the upstream
 * forest), where the index looks up the range minimum; pairs below two
 * different ones (most random pairs of the generated fabric, with its
 * many functions on root buses) are answered by one compare.  Every
 * generated fabric has a root port with a switch below it, so such
 * pairs exist.
 */
static uint32_t *tree_pairs(const struct p2pdma_policy *p)
{
	uint32_t *pairs = malloc(2 * NR_PAIRS * sizeof(*pairs));
	uint32_t *by_top = malloc(p->n * sizeof(*by_top));
	size_t *start = calloc(p->n + 1, sizeof(*start)), *fill = calloc(p->n, sizeof(*fill));
	size_t i, k;

	if (!pairs || !by_top || !start || !fill) {
		fprintf(stderr, "bench_policy: out of memory\n");
		exit(1);
	}
	for (i = 0; i < p->n; i++)
		start[p->top[i] + 1]++;
	for (i = 0; i < p->n; i++)
		start[i + 1] += start[i];
	for (i = 0; i < p->n; i++)
		by_top[start[p->top[i]] + fill[p->top[i]]++] = (uint32_t)i;
	for (k = 0; k < NR_PAIRS; k++) {
		uint32_t a, t;

		do {
			a = (uint32_t)(rnd() % p->n);
			t = p->top[a];
		} while (start[t + 1] - start[t] < 2);
		pairs[2 * k] = a;
		pairs[2 * k + 1] = by_top[start[t] + rnd() % (start[t + 1] - start[t])];
	}
	free(by_top);
	free(start);
	free(fill);
	return pairs;
}

/* The functions of @pairs, for the calls that take pointers. */
static struct p2pdma_function **pair_functions(struct p2pdma_fabric *f, const uint32_t *pairs)
{
	struct p2pdma_function **pp = malloc(2 * NR_PAIRS * sizeof(*pp));
	size_t k;

	if (!pp) {
		fprintf(stderr, "bench_policy: out of memory\n");
		exit(1);
	}
	for (k = 0; k < 2 * NR_PAIRS; k++)
		pp[k] = f->fns[pairs[k]];
	return pp;
}

/*
 * The policy's bytes per function on a fabric of @want functions after
 * every function was asked as a provider; none has p2pmem, so the kernel
 * keeps no cache rows.
 */
static double bytes_per_fn(size_t want, size_t *nr, size_t *bytes)
{
	struct p2pdma_fabric *f = generate(want);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	size_t i;

	for (i = 0; i < f->nr_fns; i++)
		sink += p2pdma_map_type(p, f->fns[i], f->fns[(i * 7919) % f->nr_fns], NULL);
	*nr = f->nr_fns;
	*bytes = p2pdma_policy_bytes(p);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return (double)*bytes / (double)*nr;
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

/* The words only, as a refused DMA mapping asks for them. */
static double reasons_per_s(struct p2pdma_policy *p, struct p2pdma_fabric *f, double secs)
{
	unsigned long done = 0;
	double t0 = now(), t;
	char why[1024];

	do {
		p2pdma_verdict_reason(p, f->fns[rnd() % f->nr_fns], f->fns[rnd() % f->nr_fns],
				      why, sizeof(why), NULL);
		done++;
		t = now() - t0;
	} while (t < secs);
	return (double)done / t;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

static double most(double a, double b)
{
	return a > b ? a : b;
}

static void print_command(int argc, char **argv)
{
	int i;

	printf("command: ");
	for (i = 0; i < argc; i++)
		printf("%s%s", i ? " " : "", argv[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 0.5;
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
	double t_gen, t_index = 1e9, t_fast = 1e9, t_map, t_cells = 1e9;
	double r_fast, r_cert, r_map, r_full, r_why, r_ptr, r_one, r_rows, r_tree, r_tree_map;
	size_t mem_rows, nr_rows;
	char label[64];
	double pairs, per_fn[2];
	size_t mem_n[2], mem_b[2];
	struct p2pdma_function **pp;
	uint32_t *rp, *tp;
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
	t_map = full_map_type(p, f);
	rp = random_pairs(f->nr_fns);
	pp = pair_functions(f, rp);
	/* Index and public call in turns, the best of each kept. */
	r_fast = r_map = r_ptr = r_one = 0;
	for (i = 0; i < 5; i++) {
		r_fast = most(r_fast, random_fast(p, rp, secs / 5, false));
		r_ptr = most(r_ptr, random_fast_ptr(p, pp, rp, false, secs / 5));
		r_one = most(r_one, random_fast_ptr(p, pp, rp, true, secs / 5));
		r_map = most(r_map, random_map_type(p, pp, secs / 5));
	}
	r_rows = random_map_type_rows(p, f, pp, secs);
	mem_rows = p2pdma_policy_bytes(p);
	nr_rows = p->kc.nr_rows;
	r_cert = random_fast(p, rp, secs, true);
	tp = tree_pairs(p);
	free(pp);
	pp = pair_functions(f, tp);
	r_tree = random_fast(p, tp, secs, false);
	r_tree_map = random_map_type(p, pp, secs);
	free(tp);
	r_full = verdicts_per_s(p, f, secs);
	r_why = reasons_per_s(p, f, secs);
	free(pp);
	free(rp);
	per_fn[0] = bytes_per_fn(want, &mem_n[0], &mem_b[0]);
	per_fn[1] = bytes_per_fn(32768, &mem_n[1], &mem_b[1]);

	print_command(argc, argv);
	printf("fabric: %zu functions, %zu host bridges, %zu unknown-ACS; %.0f pairs\n\n",
	       f->nr_fns, f->nr_hbs, f->nr_acs_unknown, pairs);
	printf("times are this thread's CPU time (the machine may be shared)\n\n");
	printf("%-46s %12s %16s\n", "what", "time", "verdicts/s");
	printf("%-46s %10.3f s %16s\n", "generate the fabric", t_gen, "-");
	printf("%-46s %10.3f ms %15s\n", "index: preorder, range minima, prefix counts",
	       t_index * 1e3, "-");
	printf("%-46s %10.3f s %16.3g\n", "full matrix, O(1) map type + distance", t_fast,
	       pairs / t_fast);
	printf("%-46s %10.3f s %16.3g\n", "full matrix, + certainty + path class (a cell)",
	       t_cells, pairs / t_cells);
	printf("%-46s %10.3f s %16.3g\n", "full matrix, public p2pdma_map_type()",
	       t_map, pairs / t_map);
	printf("%-46s %12s %16.3g\n", "random pairs, O(1) map type + distance", "-", r_fast);
	printf("%-46s %12s %16.3g\n", "random pairs, O(1), indices read from functions", "-",
	       r_ptr);
	printf("%-46s %12s %16.3g\n", "random pairs, O(1), provider's index read only", "-",
	       r_one);
	printf("%-46s %12s %16.3g\n", "random pairs, + possible answers, certainty", "-", r_cert);
	printf("%-46s %12s %16.3g\n", "random pairs below one root-bus function, O(1)", "-",
	       r_tree);
	printf("%-46s %12s %16.3g\n", "  the same through the public call", "-", r_tree_map);
	printf("%-46s %12s %16.3g\n", "random pairs, public p2pdma_map_type()", "-", r_map);
	printf("%-46s %12s %16.3g\n", "random pairs, public call, all with p2pmem", "-", r_rows);
	printf("%-46s %12s %16.3g\n", "random pairs, p2pdma_verdict_get() (all text)", "-", r_full);
	printf("%-46s %12s %16.3g\n", "random pairs, p2pdma_verdict_reason() (words)", "-", r_why);
	printf("\n%-46s %12s %16s\n", "policy memory (index + kernel cache rows)", "bytes",
	       "bytes/function");
	for (i = 0; i < 2; i++)
		printf("%-46s %12zu %16.1f\n", i ? "  on a larger fabric" : "  on this fabric",
		       mem_b[i], per_fn[i]);
	snprintf(label, sizeof(label), "  on this fabric with %zu rows (all p2pmem)", nr_rows);
	printf("%-46s %12zu %16.1f\n", label, mem_rows, (double)mem_rows / (double)f->nr_fns);
	printf("  (%zu and %zu functions; an n x n byte cache: %.0f and %.0f bytes/function;\n"
	       "   a row is n/8 bytes; only a provider with p2pmem has one)\n",
	       mem_n[0], mem_n[1], (double)mem_n[0], (double)mem_n[1]);
	printf("\ngoals: full matrix < 1 s (%s), >= 50 M verdicts/s (%s)\n",
	       t_fast < 1.0 && t_map < 1.0 ? "met" : "NOT met",
	       r_fast >= 50e6 ? "met" : "NOT met");
	printf("goals: public call >= 80 %% of the index: %.0f %% (%s), >= 80 M/s: %.3g (%s)\n",
	       100 * r_map / r_fast, r_map >= 0.8 * r_fast ? "met" : "NOT met", r_map,
	       r_map >= 80e6 ? "met" : "NOT met");
	printf("       (a call that reads its provider's function: %.0f %%; both functions: %.0f %%)\n",
	       100 * r_one / r_fast, 100 * r_ptr / r_fast);
	printf("goals: memory linear without rows, < 64 bytes/function: %.1f and %.1f (%s)\n",
	       per_fn[0], per_fn[1], per_fn[0] < 64 && per_fn[1] < 64 ? "met" : "NOT met");
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return 0;
}
