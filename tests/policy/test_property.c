// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Property test over seeded random PCI trees: the O(1) index (preorder,
 * block range minima, prefix counts) must agree, pair by pair, with a plain
 * reference written here as the kernel writes calc_map_type_and_dist():
 * two nested loops up the pci_upstream_bridge() chains, then the
 * host-bridge rule.  Also: distance and map type are symmetric, BUS_ADDR
 * implies a common upstream device, and the walking LCA fallback agrees
 * with the O(1) one.  The seed is printed; P2PDMA_SEED repeats a run.
 */
#include <errno.h>
#include <stdio.h>

#include "policy_test.h"
#include "policy_int.h"
#include "kernel_allow_list.h"

/* ---------------------------------------------------------------------- */
/* Random trees                                                            */

struct gen {
	uint64_t *rng;
	struct p2pdma_fabric *f;
	int next_bus;
	int bridges;
};

static unsigned int rnd(struct gen *g, unsigned int n)
{
	return (unsigned int)(tu_rand(g->rng) % n);
}

static void random_acs(struct gen *g, struct p2pdma_function *t)
{
	static const uint16_t ctrls[] = { 0, 0, 0x1d, 0x11, 0x20, 0x04, 0x08, 0x01, 0x5f };
	unsigned int r = rnd(g, 10);

	if (r < 3) {
		t->acs_state = P2PDMA_ACS_ABSENT;
	} else if (r < 8) {
		t->acs_state = P2PDMA_ACS_PRESENT;
		t->acs_cap = 0x7f;
		t->acs_ctrl = ctrls[rnd(g, ARRAY_SIZE(ctrls))];
	} else {
		t->acs_state = P2PDMA_ACS_UNKNOWN;
	}
}

static struct p2pdma_function *add(struct gen *g, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, int bus, int dev, int fn,
				   enum p2pdma_role role, uint16_t vendor, uint16_t device,
				   struct p2pdma_function *physfn)
{
	static const int types[] = { 0, 4, 5, 6, 7 };
	struct p2pdma_function t, *out = NULL;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	t.bdf.domain = hb->domain;
	t.bdf.bus = (uint8_t)bus;
	t.bdf.dev = (uint8_t)dev;
	t.bdf.fn = (uint8_t)fn;
	t.role = role;
	t.pcie_type = types[role];
	t.vendor = vendor;
	t.device = device;
	t.class_code = role == P2PDMA_ROLE_ENDPOINT ? 0x020000 : 0x060400;
	t.physfn = physfn;
	random_acs(g, &t);
	if (p2pdma_fabric_add_function(g->f, hb, parent, &t, &out, &e))
		fail_msg("add: %s", e.reason);
	return out;
}

/* Endpoints on @bus: one device with 1-3 functions, maybe VFs of function 0. */
static void endpoints(struct gen *g, struct p2pdma_host_bridge *hb,
		      struct p2pdma_function *parent, int bus, int dev)
{
	int nfn = 1 + (int)rnd(g, 3), nvf = (int)rnd(g, 3), i;
	struct p2pdma_function *pf = NULL;

	for (i = 0; i < nfn; i++) {
		struct p2pdma_function *f = add(g, hb, parent, bus, dev, i, P2PDMA_ROLE_ENDPOINT,
						0x15b3, 0x1017, NULL);

		if (!pf)
			pf = f;
	}
	for (i = 0; i < nvf && nfn + i < 8; i++)
		add(g, hb, parent, bus, dev, nfn + i, P2PDMA_ROLE_ENDPOINT, 0x15b3, 0x1018, pf);
}

static void below(struct gen *g, struct p2pdma_host_bridge *hb, struct p2pdma_function *br,
		  int depth);

/* A bridge of @role at bus/dev, with a fresh secondary bus and something below. */
static void bridge(struct gen *g, struct p2pdma_host_bridge *hb, struct p2pdma_function *parent,
		   int bus, int dev, enum p2pdma_role role, uint16_t vendor, uint16_t device,
		   int depth)
{
	struct p2pdma_function *br;

	if (g->next_bus > 250 || g->bridges > 40)
		return;
	g->bridges++;
	br = add(g, hb, parent, bus, dev, 0, role, vendor, device, NULL);
	br->secondary_bus = g->next_bus++;
	below(g, hb, br, depth + 1);
	br->subordinate_bus = g->next_bus - 1;
}

static void below(struct gen *g, struct p2pdma_host_bridge *hb, struct p2pdma_function *br,
		  int depth)
{
	int bus = br->secondary_bus, kind = (int)rnd(g, depth > 5 ? 2 : 4), i, n;

	if (br->role == P2PDMA_ROLE_SWITCH_UPSTREAM) {
		n = 1 + (int)rnd(g, 3);
		for (i = 0; i < n; i++)
			bridge(g, hb, br, bus, i, P2PDMA_ROLE_SWITCH_DOWNSTREAM, 0x10b5, 0x8796, depth);
		return;
	}
	if (kind == 0)
		return;		/* an empty slot */
	if (kind == 1) {
		endpoints(g, hb, br, bus, 0);
		return;
	}
	if (kind == 2) {
		bridge(g, hb, br, bus, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, 0x10b5, 0x8796, depth);
		return;
	}
	endpoints(g, hb, br, bus, 0);
	bridge(g, hb, br, bus, 1, P2PDMA_ROLE_PCI_BRIDGE, 0x8086, 0x244e, depth);
}

struct id { uint16_t vendor, device; };

static struct p2pdma_fabric *random_fabric(uint64_t *rng)
{
	static const struct id hostdevs[] = {
		{ 0x8086, 0x2020 }, { 0x8086, 0x3c00 }, { 0x8086, 0x29c0 },
		{ 0x1022, 0x1480 }, { 0x1ae0, 0x0042 }, { 0x1d17, 0x1003 },
		{ 0x8086, 0xffff }, { 0xffff, 0xffff }, { 0x1ae0, 0xffff },	/* IDs unknown */
	};
	static const struct id rootports[] = {
		{ 0x8086, 0x2030 }, { 0x8086, 0x2f01 }, { 0x1b36, 0x000c }, { 0x10de, 0x2f95 },
	};
	static const char *const vendors[] = { "AuthenticAMD", "GenuineIntel", "HygonGenuine" };
	struct gen g = { .rng = rng, .f = p2pdma_fabric_new() };
	struct p2pdma_error e = { 0 };
	unsigned int nhb = 1 + rnd(&g, 4), h;

	g.next_bus = 0;
	for (h = 0; h < nhb; h++) {
		struct p2pdma_host_bridge *hb;
		int bus = g.next_bus, dev = 0, k, nroot = 1 + (int)rnd(&g, 3);
		uint32_t domain = rnd(&g, 4) == 0 ? 1 : 0;

		if (bus > 250)
			break;
		if (p2pdma_fabric_add_host_bridge(g.f, NULL, domain, (uint8_t)bus, &hb, &e))
			continue;	/* same domain and bus drawn twice */
		g.next_bus = bus + 1;
		if (rnd(&g, 3)) {	/* a 00.0 device first, or not */
			const struct id *i = &hostdevs[rnd(&g, ARRAY_SIZE(hostdevs))];

			add(&g, hb, NULL, bus, 0, 0, P2PDMA_ROLE_ENDPOINT, i->vendor, i->device, NULL);
			dev = 1;
		} else {
			dev = 1 + (int)rnd(&g, 3);
		}
		for (k = 0; k < nroot; k++, dev++) {
			const struct id *i = &rootports[rnd(&g, ARRAY_SIZE(rootports))];

			if (rnd(&g, 5) == 0)
				endpoints(&g, hb, NULL, bus, dev);	/* RCiEPs */
			else
				bridge(&g, hb, NULL, bus, dev, P2PDMA_ROLE_ROOT_PORT, i->vendor,
				       i->device, 0);
		}
		hb->numa_node = (int)rnd(&g, 2);
	}
	g.f->cpu.known = rnd(&g, 5) != 0;
	snprintf(g.f->cpu.vendor, sizeof(g.f->cpu.vendor), "%s", vendors[rnd(&g, 3)]);
	g.f->cpu.family = 0x15 + rnd(&g, 6);
	/* The reference below is the newest tree's (KERNEL-FACTS 1.4): "next". */
	assert_int_equal(p2pdma_fabric_set_kernel_release(g.f, "next"), 0);
	if (p2pdma_fabric_finalize(g.f, &e))
		fail_msg("random fabric: %s", e.reason);
	return g.f;
}

/* ---------------------------------------------------------------------- */
/* The reference: the kernel's loops, literally                             */

static const struct p2pdma_function *ref_up(const struct p2pdma_function *fn)
{
	if (fn->physfn)
		fn = fn->physfn;
	return fn->parent;
}

/* pci_bridge_has_acs_redir(); an unknown register read as @unknown_on. */
static int ref_redir(const struct p2pdma_function *fn, int unknown_on)
{
	if (fn->acs_state == P2PDMA_ACS_PRESENT)
		return (fn->acs_ctrl & 0x2c) != 0;
	if (fn->acs_state == P2PDMA_ACS_UNKNOWN)
		return unknown_on;
	return 0;
}

/* __host_bridge_whitelist() for a root device with the given IDs. */
static bool ref_host_bridge(const struct p2pdma_host_bridge *host, bool same,
			    uint16_t vendor, uint16_t device)
{
	const struct kal_entry *tbl = kernel_allow_list;
	const struct p2pdma_function *root;
	size_t i;

	if (!host->nr_children)
		return false;
	root = host->children[0];
	if (!((root->bdf.dev == 0 && root->bdf.fn == 0) || root->pcie_type == 4))
		return false;
	for (i = 0; i < KAL_SIZE; i++) {
		if (vendor != tbl[i].vendor)
			continue;
		if (tbl[i].device != -1 && device != tbl[i].device)
			continue;
		if (tbl[i].req_same && !same)
			return false;
		return true;
	}
	return false;
}

/*
 * The IDs a root device could really have: its own when known; when a
 * loader wrote 0xffff (unknown), every ID of the table for that vendor
 * (or every vendor) plus one the table does not have.
 */
static size_t ref_ids(const struct p2pdma_host_bridge *host, uint16_t *v, uint16_t *d)
{
	const struct p2pdma_function *root = host->nr_children ? host->children[0] : NULL;
	const struct kal_entry *tbl = kernel_allow_list;
	size_t i, k = 0;

	if (!root || (root->vendor != 0xffff && root->device != 0xffff)) {
		v[0] = root ? root->vendor : 0;
		d[0] = root ? root->device : 0;
		return 1;
	}
	for (i = 0; i < KAL_SIZE; i++) {
		if (root->vendor != 0xffff && tbl[i].vendor != root->vendor)
			continue;
		v[k] = tbl[i].vendor;
		d[k++] = tbl[i].device == -1 ? 0x1234 : (uint16_t)tbl[i].device;
	}
	v[k] = root->vendor == 0xffff ? 0x1af4 : root->vendor;
	d[k++] = 0x0001;
	return k;
}

/* host_bridge_whitelist() over every ID the two root devices could have. */
static unsigned int ref_whitelist(const struct p2pdma_function *p, const struct p2pdma_function *c)
{
	uint16_t va[64], da[64], vb[64], db[64];
	size_t na = ref_ids(p->host, va, da), nb = ref_ids(c->host, vb, db), i, j;
	unsigned int out = 0;

	for (i = 0; i < na; i++) {
		if (p->host == c->host) {
			out |= 1u << ref_host_bridge(p->host, true, va[i], da[i]);
			continue;
		}
		for (j = 0; j < nb; j++)
			out |= 1u << (ref_host_bridge(p->host, false, va[i], da[i]) &&
				      ref_host_bridge(c->host, false, vb[j], db[j]));
	}
	return out;	/* bit 0: can be refused, bit 1: can be allowed */
}

struct ref {
	enum p2pdma_map_type type;
	int dist;
	const struct p2pdma_function *common;
	const struct p2pdma_function *acs[64];
	int acs_cnt;
};

/* calc_map_type_and_dist(), with the whitelist's answer given as @wl. */
static void ref_calc(const struct p2pdma_function *provider, const struct p2pdma_function *client,
		     int unknown_on, bool zen, bool wl, struct ref *r)
{
	const struct p2pdma_function *a = provider, *b = client, *bb;
	int dist_a = 0, dist_b = 0;

	r->acs_cnt = 0;
	r->common = NULL;
	r->type = P2PDMA_MAP_THRU_HOST_BRIDGE;
	while (a) {
		dist_b = 0;
		if (ref_redir(a, unknown_on) && r->acs_cnt < 64)
			r->acs[r->acs_cnt++] = a;
		bb = b;
		while (bb) {
			if (a == bb)
				goto check_b_path_acs;
			bb = ref_up(bb);
			dist_b++;
		}
		a = ref_up(a);
		dist_a++;
	}
	r->dist = dist_a + dist_b;
	r->acs_cnt = 0;		/* ignored without a common device */
	goto map_through_host_bridge;
check_b_path_acs:
	r->common = a;
	bb = b;
	while (bb) {
		if (a == bb)
			break;
		if (ref_redir(bb, unknown_on) && r->acs_cnt < 64)
			r->acs[r->acs_cnt++] = bb;
		bb = ref_up(bb);
	}
	r->dist = dist_a + dist_b;
	if (!r->acs_cnt) {
		r->type = P2PDMA_MAP_BUS_ADDR;
		return;
	}
map_through_host_bridge:
	if (!zen && !wl)
		r->type = P2PDMA_MAP_NOT_SUPPORTED;
}

static bool ref_zen(const struct p2pdma_cpu *c)
{
	return c->known && !strcmp(c->vendor, "AuthenticAMD") && c->family >= 0x17;
}

/*
 * Every answer the kernel could give, over what is unknown (ACS
 * registers, the CPU, host-bridge IDs); and in *assumed the one for
 * "unknown ACS off, CPU not Zen, unknown host bridge not listed".
 */
static unsigned int ref_possible(const struct p2pdma_function *p, const struct p2pdma_function *c,
				 const struct p2pdma_cpu *cpu, struct ref *assumed)
{
	unsigned int wls = ref_whitelist(p, c), possible = 0;
	int on, z, wl;

	for (on = 0; on < 2; on++)
		for (z = 0; z < 2; z++)
			for (wl = 0; wl < 2; wl++) {
				struct ref r;

				if (!(wls & (1u << wl)) || (cpu->known && z != ref_zen(cpu)))
					continue;
				ref_calc(p, c, on, z, wl, &r);
				possible |= 1u << r.type;
			}
	ref_calc(p, c, 0, ref_zen(cpu), wls == 2, assumed);
	return possible;
}

/* ---------------------------------------------------------------------- */

static void check_pair(struct p2pdma_policy *p, size_t i, size_t j, bool deep)
{
	struct p2pdma_fabric *f = p2pdma_policy_fabric(p);
	const struct p2pdma_function *a = f->fns[i], *b = f->fns[j];
	struct p2pdma_fast fv, back;
	struct ref r;
	unsigned int possible = ref_possible(a, b, &f->cpu, &r);
	char an[P2PDMA_BDF_STRLEN], bn[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&a->bdf, an, sizeof(an));
	p2pdma_bdf_format(&b->bdf, bn, sizeof(bn));
	p2pdma_fast_verdict(p, i, j, &fv);
	if (fv.distance != r.dist || fv.type != r.type || fv.possible != possible ||
	    (fv.lca < 0 ? NULL : f->fns[fv.lca]) != r.common)
		fail_msg("%s -> %s: fast %s dist %d possible %#x lca %d; reference %s dist %d possible %#x common %s",
			 an, bn, p2pdma_map_type_name(fv.type), fv.distance, fv.possible, fv.lca,
			 p2pdma_map_type_name(r.type), r.dist, possible,
			 r.common ? "yes" : "none");
	assert_int_equal(fv.certain, !(possible & (possible - 1)));
	{
		int d = -1;

		assert_int_equal(p2pdma_pair_type(p, (uint32_t)i, (uint32_t)j, &d), r.type);
		assert_int_equal(d, r.dist);
	}
	/* Symmetry, and BUS_ADDR needs a common upstream device. */
	p2pdma_fast_verdict(p, j, i, &back);
	assert_int_equal(back.distance, fv.distance);
	assert_int_equal(back.possible, fv.possible);
	assert_int_equal(back.type, fv.type);
	if (fv.type == P2PDMA_MAP_BUS_ADDR)
		assert_true(fv.lca >= 0);
	if (deep) {
		struct p2pdma_verdict *v = NULL;
		struct p2pdma_error e = { 0 };
		int k;

		assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
		/* The lists the kernel builds, in its order (known redirects only). */
		{
			struct ref known;

			ref_calc(a, b, 0, false, false, &known);
			assert_int_equal(v->nr_acs, known.acs_cnt);
			for (k = 0; k < known.acs_cnt; k++)
				assert_ptr_equal(v->acs[k], known.acs[k]);
		}
		assert_int_equal(v->distance, r.dist);
		assert_int_equal(v->map_type, r.type);
		assert_int_equal(v->path_class == P2PDMA_PATH_X, i == j);
		p2pdma_verdict_free(v);
	}
}

static void test_fast_matches_reference(void **state)
{
	uint64_t seed = tu_seed(), rng = seed | 1;
	size_t pairs = 0, fabrics, largest = 0;

	(void)state;
	for (fabrics = 0; fabrics < 150; fabrics++) {
		struct p2pdma_fabric *f = random_fabric(&rng);
		struct p2pdma_policy *p = p2pdma_policy_new(f);
		size_t i, j;
		int pass;

		largest = f->nr_fns > largest ? f->nr_fns : largest;
		for (pass = 0; pass < 2; pass++) {
			/* Second pass: the walking LCA instead of the O(1) one. */
			p2pdma_policy_force_walk(p, pass == 1);
			for (i = 0; i < f->nr_fns; i++)
				for (j = 0; j < f->nr_fns; j++, pairs++)
					check_pair(p, i, j, pass == 0 && (i * 7 + j) % 11 == 0);
		}
		p2pdma_policy_free(p);
		p2pdma_fabric_free(f);
	}
	/* Over 64 functions, LCA queries span whole 32-position blocks. */
	printf("# %zu pairs checked against the reference walk, largest fabric %zu functions (seed %llu)\n",
	       pairs, largest, (unsigned long long)seed);
}

/*
 * One tree of 281 functions below one root port (a switch with 31
 * downstream ports, each with an 8-function device), next to a second
 * root port: its pairs span up to nine 32-position blocks, so the block
 * range minima are read over every window length, which the random
 * fabrics above (small trees, and pairs of two trees answered without
 * range minima) seldom reach.  Every pair, the index and the public
 * call, against the reference walk; ACS random per function.
 */
static void test_one_big_tree(void **state)
{
	uint64_t seed = tu_seed(), rng = seed | 1;
	struct gen g = { .rng = &rng, .f = p2pdma_fabric_new() };
	struct p2pdma_function *rp, *usp, *dsp;
	struct p2pdma_host_bridge *hb;
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p;
	size_t i, j;
	int d, fn;

	(void)state;
	assert_int_equal(p2pdma_fabric_add_host_bridge(g.f, NULL, 0, 0, &hb, &e), 0);
	rp = add(&g, hb, NULL, 0, 1, 0, P2PDMA_ROLE_ROOT_PORT, 0x8086, 0x2030, NULL);
	rp->secondary_bus = 1;
	rp->subordinate_bus = 40;
	usp = add(&g, hb, rp, 1, 0, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, 0x10b5, 0x8796, NULL);
	usp->secondary_bus = 2;
	usp->subordinate_bus = 40;
	for (d = 0; d < 31; d++) {
		dsp = add(&g, hb, usp, 2, d, 0, P2PDMA_ROLE_SWITCH_DOWNSTREAM, 0x10b5, 0x8796, NULL);
		dsp->secondary_bus = dsp->subordinate_bus = (uint8_t)(3 + d);
		for (fn = 0; fn < 8; fn++)
			add(&g, hb, dsp, 3 + d, 0, fn, P2PDMA_ROLE_ENDPOINT, 0x15b3, 0x1017, NULL);
	}
	rp = add(&g, hb, NULL, 0, 2, 0, P2PDMA_ROLE_ROOT_PORT, 0x8086, 0x2030, NULL);
	rp->secondary_bus = rp->subordinate_bus = 41;
	add(&g, hb, rp, 41, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x15b3, 0x1017, NULL);
	g.f->cpu.known = true;
	snprintf(g.f->cpu.vendor, sizeof(g.f->cpu.vendor), "GenuineIntel");
	g.f->cpu.family = 6;
	assert_int_equal(p2pdma_fabric_set_kernel_release(g.f, "next"), 0);
	assert_int_equal(p2pdma_fabric_finalize(g.f, &e), 0);
	assert_int_equal(g.f->nr_fns, 283);
	p = p2pdma_policy_new(g.f);
	assert_int_equal(p2pdma_policy_sync(p), 0);
	for (i = 0; i < g.f->nr_fns; i++)
		for (j = 0; j < g.f->nr_fns; j++) {
			struct ref r;

			check_pair(p, i, j, false);
			ref_possible(g.f->fns[i], g.f->fns[j], &g.f->cpu, &r);
			assert_int_equal(p2pdma_map_type(p, g.f->fns[i], g.f->fns[j], &d), r.type);
			assert_int_equal(d, r.dist);
		}
	printf("# one tree of 281 functions: every pair agrees with the reference (seed %llu)\n",
	       (unsigned long long)seed);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(g.f);
}

/* Edits between look-ups: the index follows the generation. */
static void test_index_follows_edits(void **state)
{
	uint64_t seed = tu_seed() ^ 0x5bd1e995, rng = seed | 1;
	int round;

	(void)state;
	for (round = 0; round < 40; round++) {
		struct p2pdma_fabric *f = random_fabric(&rng);
		struct p2pdma_policy *p = p2pdma_policy_new(f);
		struct p2pdma_error e = { 0 };
		size_t i, j, k;

		for (k = 0; k < 20; k++) {
			struct p2pdma_function *fn = f->fns[tu_rand(&rng) % f->nr_fns];

			if (fn->acs_state == P2PDMA_ACS_PRESENT)
				assert_int_equal(p2pdma_fabric_set_acs_ctrl(f, fn, (uint16_t)(tu_rand(&rng) & 0x7f), &e), 0);
			for (i = 0; i < f->nr_fns; i += 3)
				for (j = 0; j < f->nr_fns; j += 2) {
					struct ref r;
					int d;

					ref_possible(f->fns[i], f->fns[j], &f->cpu, &r);
					assert_int_equal(p2pdma_map_type(p, f->fns[i], f->fns[j], &d), r.type);
					assert_int_equal(d, r.dist);
				}
		}
		p2pdma_policy_free(p);
		p2pdma_fabric_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_matches_reference),
		cmocka_unit_test(test_index_follows_edits),
		cmocka_unit_test(test_one_big_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
