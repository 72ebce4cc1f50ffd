// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma export: the NFD features.d file through a strict parser written
 * from NFD's documented format and Kubernetes' label-value rules, the
 * Prometheus exposition through promtool (Debian's prometheus package;
 * its absence fails the test), P2P groups hand-worked on dual-xeon-8gpu
 * and checked as a property on seeded random ACS settings.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define XEON "../../data/machines/dual-xeon-8gpu.json"

static struct p2pdma_fabric *xeon(const char *release)
{
	char *path = tu_data_path(XEON);
	struct p2pdma_fabric *f = tu_load(path);

	free(path);
	if (release)
		assert_int_equal(p2pdma_fabric_set_kernel_release(f, release), 0);
	return f;
}

static char *export(struct p2pdma_fabric *f, enum p2pdma_export_format fmt)
{
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_error e = { 0 };
	char *out;

	if (p2pdma_export_write(p, fmt, &out, &e))
		fail_msg("export: %s", e.reason);
	p2pdma_policy_free(p);
	return out;
}

/* A Kubernetes label value: <= 63 of [A-Za-z0-9._-], alphanumeric at both ends. */
static bool label_value(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 63 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* Every line "p2pdma.NAME=VALUE", both parts valid label parts; returns @key's value. */
static const char *nfd_get(const char *text, const char *key, char *buf, size_t len)
{
	const char *line = text, *found = NULL;

	while (*line) {
		const char *nl = strchr(line, '\n'), *eq = strchr(line, '=');

		assert_non_null(nl);
		assert_true(eq && eq < nl);
		assert_true(label_value(line, (size_t)(eq - line)));
		assert_true(label_value(eq + 1, (size_t)(nl - eq - 1)));
		if ((size_t)(eq - line) == strlen(key) && !strncmp(line, key, strlen(key))) {
			snprintf(buf, len, "%.*s", (int)(nl - eq - 1), eq + 1);
			found = buf;
		}
		line = nl + 1;
	}
	return found;
}

/*
 * dual-xeon-8gpu: 9 bridges redirect (root ports 17:02.0, 3a:02.0,
 * 98:02.0, b0:02.0, ca:02.0 and the four 19:0x.0, read from the JSON);
 * nothing blocked on 6.8; IOMMU groups all identity.  On 5.15 the 153
 * host-bridge pairs are blocked.  "6.1.0+deb12" has a '+' no label value
 * allows.
 */
static void test_nfd(void **state)
{
	struct p2pdma_fabric *f = xeon(NULL);
	char *out = export(f, P2PDMA_EXPORT_NFD), v[64];

	(void)state;
	assert_string_equal(nfd_get(out, "p2pdma.works", v, sizeof(v)), "true");
	assert_string_equal(nfd_get(out, "p2pdma.acs-redirect-ports", v, sizeof(v)), "9");
	assert_string_equal(nfd_get(out, "p2pdma.iommu", v, sizeof(v)), "identity");
	assert_string_equal(nfd_get(out, "p2pdma.kernel-release", v, sizeof(v)), "6.8.0-49-generic");
	assert_string_equal(nfd_get(out, "p2pdma.groups", v, sizeof(v)), "1");
	free(out);
	p2pdma_fabric_free(f);
	f = xeon("6.1.0+deb12");
	out = export(f, P2PDMA_EXPORT_NFD);
	assert_string_equal(nfd_get(out, "p2pdma.kernel-release", v, sizeof(v)), "6.1.0_deb12");
	free(out);
	p2pdma_fabric_free(f);
	f = xeon("5.15");
	out = export(f, P2PDMA_EXPORT_NFD);
	assert_string_equal(nfd_get(out, "p2pdma.works", v, sizeof(v)), "false");
	assert_string_equal(nfd_get(out, "p2pdma.pairs-blocked", v, sizeof(v)), "135");
	free(out);
	p2pdma_fabric_free(f);
}

/*
 * promtool accepts the exposition; samples worked by hand: GPUs 3d:00.0
 * and 3e:00.0 sit on downstream ports 3c:00.0 and 3c:01.0 of one switch
 * (distance 2 + 2), redirect off there, on at 19:00.0.
 */
static void test_prometheus(void **state)
{
	struct p2pdma_fabric *f = xeon(NULL);
	char *out = export(f, P2PDMA_EXPORT_PROMETHEUS), *dir = tu_mkdtemp(), path[512];
	char *pout = NULL, *perr = NULL;
	int rc;

	(void)state;
	assert_non_null(strstr(out, "p2pdma_pair_map_type{provider=\"0000:3d:00.0\",client=\"0000:3e:00.0\",map_type=\"BUS_ADDR\"} 1\n"));
	assert_non_null(strstr(out, "p2pdma_pair_distance{provider=\"0000:3d:00.0\",client=\"0000:3e:00.0\"} 4\n"));
	assert_non_null(strstr(out, "p2pdma_port_acs_redirect{port=\"0000:19:00.0\"} 1\n"));
	assert_non_null(strstr(out, "p2pdma_port_acs_redirect{port=\"0000:3c:00.0\"} 0\n"));
	assert_non_null(strstr(out, "\np2pdma_blocked_pairs 0\n"));
	snprintf(path, sizeof(path), "%s/p2pdma.prom", dir);
	assert_int_equal(tu_write_file(path, out, strlen(out)), 0);
	rc = tu_run(&pout, &perr, "promtool check metrics < '%s'", path);
	if (rc)
		fail_msg("promtool check metrics (from Debian's prometheus package) says %d: %s%s", rc,
			 pout ? pout : "", perr ? perr : "");
	free(pout);
	free(perr);
	tu_rmtree(dir);
	free(dir);
	free(out);
	p2pdma_fabric_free(f);
}

static struct p2pdma_p2p_groups *groups(struct p2pdma_policy *p)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_p2p_groups *g;

	if (p2pdma_p2p_groups_get(p, &g, &e))
		fail_msg("groups: %s", e.reason);
	return g;
}

/*
 * dual-xeon on 5.15 (09a2 not listed): only pairs below one of the three
 * switches without redirect work.  First fit in BDF order: 00:17.0, 1a,
 * 1b, 1c, 1d alone; 3d+3e+3f+40; 99 alone; b3..b6; cd..d0.  The BMC's
 * ASPEED VGA 02:00.0 is in no group: it is no GPU.
 */
static void test_groups_515(void **state)
{
	struct p2pdma_fabric *f = xeon("5.15");
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_p2p_groups *g = groups(p);

	(void)state;
	assert_int_equal(g->nr_groups, 9);
	assert_string_equal(g->groups[5].id, "p2p-0000-3d-00.0");
	assert_int_equal(g->groups[5].nr_devs, 4);
	assert_int_equal(g->groups[5].map_type, P2PDMA_MAP_BUS_ADDR);
	assert_string_equal(g->groups[7].id, "p2p-0000-b3-00.0");
	assert_string_equal(g->groups[8].id, "p2p-0000-cd-00.0");
	assert_int_equal(g->groups[6].nr_devs, 1);
	p2pdma_p2p_groups_free(g);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* Can the pair do P2P, by the full verdict (not the fast path groups use)? */
static bool ok(struct p2pdma_policy *p, const struct p2pdma_function *a,
	       const struct p2pdma_function *b)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_verdict *v;
	bool yes;

	if (p2pdma_verdict_get(p, a, b, NULL, &v, &e))
		fail_msg("verdict: %s", e.reason);
	yes = v->certain && v->map_type != P2PDMA_MAP_NOT_SUPPORTED;
	p2pdma_verdict_free(v);
	return yes;
}

static void check_partition(struct p2pdma_policy *p, const struct p2pdma_p2p_groups *g)
{
	size_t i, j, k, l;

	for (i = 0; i < g->nr_groups; i++) {
		const struct p2pdma_p2p_group *x = &g->groups[i];

		for (j = 0; j < x->nr_devs; j++)
			for (k = j + 1; k < x->nr_devs; k++)
				assert_true(ok(p, x->devs[j], x->devs[k]));
		for (l = i + 1; l < g->nr_groups; l++) {
			const struct p2pdma_p2p_group *y = &g->groups[l];
			bool mergeable = true;

			for (j = 0; j < x->nr_devs && mergeable; j++)
				for (k = 0; k < y->nr_devs && mergeable; k++)
					mergeable = ok(p, x->devs[j], y->devs[k]);
			assert_false(mergeable);
		}
	}
}

/* The machine's only display that is no GPU: the BMC's ASPEED VGA. */
static bool bmc_vga(const struct p2pdma_function *fn)
{
	return fn->class_code >> 8 == 0x0300 && fn->vendor == 0x1a03;
}

/* Random ACS on every bridge with the capability, a random release: the partition holds. */
static void test_groups_property(void **state)
{
	static const char *const rel[] = { "5.15", "6.8", "4.20" };
	uint64_t seed = tu_seed(), s = seed;
	int round;

	(void)state;
	for (round = 0; round < 40; round++) {
		struct p2pdma_fabric *f = xeon(rel[tu_rand(&s) % 3]);
		struct p2pdma_error e = { 0 };
		struct p2pdma_policy *p;
		struct p2pdma_p2p_groups *g;
		size_t i, members = 0, devs = 0;

		for (i = 0; i < f->nr_fns; i++)
			if (f->fns[i]->acs_state == P2PDMA_ACS_PRESENT && !(tu_rand(&s) % 3))
				assert_int_equal(p2pdma_fabric_set_acs_ctrl(f, f->fns[i],
									  f->fns[i]->acs_ctrl ^ P2PDMA_ACS_RR, &e), 0);
		p = p2pdma_policy_new(f);
		g = groups(p);
		for (i = 0; i < g->nr_groups; i++)
			members += g->groups[i].nr_devs;
		for (i = 0; i < f->nr_fns; i++)
			devs += !p2pdma_function_is_bridge(f->fns[i]) &&
				(f->fns[i]->class_code >> 16) <= 3 && !bmc_vga(f->fns[i]);
		if (members != devs)
			fail_msg("seed %llu round %d: %zu members, %zu devices",
				 (unsigned long long)seed, round, members, devs);
		check_partition(p, g);
		p2pdma_p2p_groups_free(g);
		p2pdma_policy_free(p);
		p2pdma_fabric_free(f);
	}
}

static enum p2pdma_path_class path_class(struct p2pdma_policy *p,
					const struct p2pdma_function *a,
					const struct p2pdma_function *b)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_verdict *v;
	enum p2pdma_path_class c;

	if (p2pdma_verdict_get(p, a, b, NULL, &v, &e))
		fail_msg("verdict: %s", e.reason);
	c = v->path_class;
	p2pdma_verdict_free(v);
	return c;
}

/*
 * NCCL XML read back by our NCCL loader: the same 18 devices with their
 * IDs, and for every pair the path class NCCL would compute from the
 * original tree: PIX/PXB (below a switch) and SYS (across NUMA nodes)
 * exactly; PHB and NODE may trade places, since NCCL XML does not say
 * which root ports share a host bridge.
 */
static void test_nccl_roundtrip(void **state)
{
	struct p2pdma_fabric *f = xeon(NULL), *g;
	struct p2pdma_policy *pf = p2pdma_policy_new(f), *pg;
	char *out = export(f, P2PDMA_EXPORT_NCCL), *dir = tu_mkdtemp(), path[512];
	const struct p2pdma_function *devs[64][2];
	size_t i, j, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/topo.xml", dir);
	assert_int_equal(tu_write_file(path, out, strlen(out)), 0);
	g = tu_load(path);
	pg = p2pdma_policy_new(g);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i], *y;

		if (bmc_vga(x))
			assert_null(p2pdma_fabric_find(g, &x->bdf));	/* NCCL has no use for it */
		if (p2pdma_function_is_bridge(x) || (x->class_code >> 16) > 3 || bmc_vga(x))
			continue;
		y = p2pdma_fabric_find(g, &x->bdf);
		assert_non_null(y);
		assert_int_equal(y->vendor, x->vendor);
		assert_int_equal(y->device, x->device);
		assert_int_equal(y->class_code, x->class_code);
		devs[n][0] = x;
		devs[n++][1] = y;
	}
	assert_int_equal(n, 18);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			enum p2pdma_path_class a = path_class(pf, devs[i][0], devs[j][0]);
			enum p2pdma_path_class b = path_class(pg, devs[i][1], devs[j][1]);

			if (a == P2PDMA_PATH_PHB || a == P2PDMA_PATH_NODE)
				assert_true(b == P2PDMA_PATH_PHB || b == P2PDMA_PATH_NODE);
			else
				assert_int_equal(a, b);
		}
	p2pdma_policy_free(pg);
	p2pdma_fabric_free(g);
	p2pdma_policy_free(pf);
	p2pdma_fabric_free(f);
	tu_rmtree(dir);
	free(dir);
	free(out);
}

static void test_cli(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, &err, "'%s' -i builtin:amd-epyc-2gpu export yaml", tu_p2pdma_bin()), 2);
	assert_non_null(strstr(err, "unknown export format 'yaml'"));
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, NULL, "'%s' -i builtin:amd-epyc-2gpu export groups", tu_p2pdma_bin()), 0);
	assert_non_null(strstr(out, "\"0000:42:00.0\": \"p2p-0000-01-00.0\""));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfd),
		cmocka_unit_test(test_prometheus),
		cmocka_unit_test(test_groups_515),
		cmocka_unit_test(test_groups_property),
		cmocka_unit_test(test_nccl_roundtrip),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
