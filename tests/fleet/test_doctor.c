// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma doctor on the built-in machines and real captures, against
 * causes and fixes worked out by hand from their JSON and README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct doc {
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
	struct p2pdma_doctor *d;
};

static void doc_open(struct doc *t, const char *path, const char *release)
{
	struct p2pdma_error e = { 0 };
	char *abs = path[0] == '/' ? strdup(path) : tu_data_path(path);

	t->f = tu_load(abs);
	free(abs);
	if (release)
		assert_int_equal(p2pdma_fabric_set_kernel_release(t->f, release), 0);
	t->p = p2pdma_policy_new(t->f);
	assert_non_null(t->p);
	if (p2pdma_doctor_run(t->p, &t->d, &e))
		fail_msg("doctor: %s", e.reason);
}

static void doc_close(struct doc *t)
{
	p2pdma_doctor_free(t->d);
	p2pdma_policy_free(t->p);
	p2pdma_fabric_free(t->f);
}

static const struct p2pdma_cause *cause(const struct doc *t, enum p2pdma_cause_kind k)
{
	size_t i;

	for (i = 0; i < t->d->nr_causes; i++)
		if (t->d->causes[i].kind == k)
			return &t->d->causes[i];
	return NULL;
}

/* The cause names exactly @list (";"-separated BDFs, BDF order). */
static void expect_fns(const struct p2pdma_cause *c, const char *list)
{
	char buf[4096] = "", name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < c->nr_fns; i++) {
		strcat(buf, i ? ";" : "");
		strcat(buf, p2pdma_bdf_format(&c->fns[i]->bdf, name, sizeof(name)));
	}
	assert_string_equal(buf, list);
}

#define EPYC "../../data/machines/amd-epyc-2gpu.json"
#define XEON "../../data/machines/dual-xeon-8gpu.json"

/*
 * amd-epyc-2gpu: NVMe 01:00.0, GPUs 41:00.0 and 61:00.0, ConnectX-6 Dx
 * 42:00.0/.1 with VFs 42:00.2/.3: 7 devices, 21 pairs.  The CPU is AMD
 * family 0x19, so every host-bridge path is allowed: nothing is refused.
 * Every root port has RR CR; only 40:03.1 has several devices below it
 * (the four 42:00.x), so its redirect detours C(4,2) = 6 pairs, and
 * pci=disable_acs_redir=0000:40:03.1 makes those 6 BUS_ADDR.  IOMMU
 * groups are all "identity" (iommu=pt): no IOMMU cause.
 */
static void test_epyc(void **state)
{
	const struct p2pdma_cause *c;
	struct doc t;

	(void)state;
	doc_open(&t, EPYC, NULL);
	assert_int_equal(t.d->nr_devs, 7);
	assert_int_equal(t.d->nr_pairs, 21);
	assert_int_equal(t.d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE], 21);
	assert_int_equal(t.d->nr_blocked, 0);
	assert_int_equal(t.d->nr_causes, 1);
	c = cause(&t, P2PDMA_CAUSE_ACS_REDIRECT);
	assert_non_null(c);
	expect_fns(c, "0000:40:03.1");
	assert_int_equal(c->nr_pairs, 6);
	assert_int_equal(c->nr_blocked, 0);
	assert_string_equal(c->fix_cmdline, "pci=disable_acs_redir=0000:40:03.1");
	assert_non_null(strstr(c->fix, "/etc/default/grub.d/"));
	assert_true(c->fix_checked);
	assert_int_equal(c->fixes_detour, 6);
	/* The what-if left the fabric as it was. */
	assert_int_equal(tu_fn(t.f, "40:03.1")->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK,
			 P2PDMA_ACS_RR | P2PDMA_ACS_CR);
	assert_null(cause(&t, P2PDMA_CAUSE_IOMMU));
	doc_close(&t);
}

/*
 * dual-xeon-8gpu: 18 devices (SATA 00:17.0, 8 A100, 4 ConnectX-6, E810,
 * 4 NoLoad; the BMC's ASPEED VGA 02:00.0 is no GPU and not counted),
 * 153 pairs.  Four switches with 4 devices each; three of them boot with
 * disable_acs_redir on their downstream ports: 3 x 6 = 18 BUS_ADDR.
 * Every root bus starts with 8086:09a2, listed since 5.18 (the machine
 * runs 6.8): the other 135 are THRU_HOST_BRIDGE.  The switch under pci0000:17 still redirects on
 * 19:00.0-19:03.0: its 6 pairs detour, and the fix keeps the machine's
 * own list in front of those four ports.
 */
static void test_xeon(void **state)
{
	const struct p2pdma_cause *c;
	struct doc t;

	(void)state;
	doc_open(&t, XEON, NULL);
	assert_int_equal(t.d->nr_devs, 18);
	assert_int_equal(t.d->nr_pairs, 153);
	assert_int_equal(t.d->nr_type[P2PDMA_MAP_BUS_ADDR], 18);
	assert_int_equal(t.d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE], 135);
	assert_int_equal(t.d->nr_blocked, 0);
	c = cause(&t, P2PDMA_CAUSE_ACS_REDIRECT);
	assert_non_null(c);
	expect_fns(c, "0000:19:00.0;0000:19:01.0;0000:19:02.0;0000:19:03.0");
	assert_int_equal(c->nr_pairs, 6);
	assert_string_equal(c->fix_cmdline,
			    "pci=disable_acs_redir=0000:3c:00.0;0000:3c:01.0;0000:3c:02.0;0000:3c:03.0;"
			    "0000:b2:00.0;0000:b2:01.0;0000:b2:02.0;0000:b2:03.0;"
			    "0000:cc:00.0;0000:cc:01.0;0000:cc:02.0;0000:cc:03.0;"
			    "0000:19:00.0;0000:19:01.0;0000:19:02.0;0000:19:03.0");
	assert_int_equal(c->fixes_detour, 6);
	assert_null(cause(&t, P2PDMA_CAUSE_HOST_BRIDGE));
	doc_close(&t);
}

/*
 * The same machine on 5.15 (KERNEL-FACTS 11: 8086:09a2 joined the
 * allow-list in 5.18): the 135 host-bridge pairs are refused.  129 of
 * them have no common bridge (host-bridge cause); the 6 under the
 * redirecting switch are refused too, and the ACS fix unblocks all 6.
 */
static void test_xeon_515(void **state)
{
	const struct p2pdma_cause *c;
	struct doc t;

	(void)state;
	doc_open(&t, XEON, "5.15.0-91-generic");
	assert_int_equal(t.d->nr_blocked, 135);
	c = cause(&t, P2PDMA_CAUSE_ACS_REDIRECT);
	assert_non_null(c);
	assert_int_equal(c->nr_blocked, 6);
	assert_int_equal(c->fixes_blocked, 6);
	c = cause(&t, P2PDMA_CAUSE_HOST_BRIDGE);
	assert_non_null(c);
	assert_int_equal(c->nr_blocked, 129);
	assert_null(c->fix_cmdline);
	expect_fns(c, "0000:00:00.0;0000:17:00.0;0000:3a:00.0;0000:98:00.0;0000:b0:00.0;0000:ca:00.0");
	doc_close(&t);
}

/* A release before 4.20 has no P2PDMA: every pair is blocked, one cause says why. */
static void test_no_p2pdma(void **state)
{
	const struct p2pdma_cause *c;
	struct doc t;

	(void)state;
	doc_open(&t, EPYC, "4.19.0-26-amd64");
	assert_int_equal(t.d->nr_blocked, 21);
	c = cause(&t, P2PDMA_CAUSE_NO_P2PDMA);
	assert_non_null(c);
	assert_int_equal(c->nr_blocked, 21);
	doc_close(&t);
}

/*
 * hwloc-2pa-pcidomain32bits: two host bridges, both 8086:1237 (i440FX),
 * not on any release's allow-list; CPU not AMD: every one of the 6 pairs
 * of its 4 devices is refused by the host-bridge rule.
 */
static void test_hwloc_440fx(void **state)
{
	const struct p2pdma_cause *c;
	char *path = tu_real_path("sysfs/hwloc-2pa-pcidomain32bits.tar.bz2");
	struct doc t;

	(void)state;
	doc_open(&t, path, NULL);
	free(path);
	assert_int_equal(t.d->nr_pairs, 6);
	assert_int_equal(t.d->nr_type[P2PDMA_MAP_NOT_SUPPORTED], 6);
	assert_int_equal(t.d->nr_blocked, 6);
	c = cause(&t, P2PDMA_CAUSE_HOST_BRIDGE);
	assert_non_null(c);
	assert_int_equal(c->nr_fns, 2);
	assert_int_equal(c->fns[0]->device, 0x1237);
	assert_int_equal(c->fns[1]->device, 0x1237);
	doc_close(&t);
}

/*
 * hwloc 32intel64-2p8co2t+8ve (README: captured without root, ACS unknown;
 * two PEX 9797 switches, each with 4 Vector Engines and 1 HCA; the X722's
 * two functions behind the PCH bridge).  12 devices, 66 pairs.  Below a
 * common bridge with ACS unknown: 2 x C(5,2) + 1 = 21 pairs, BUS_ADDR or
 * THRU_HOST_BRIDGE (the host bridges start with listed 8086:2030/2032),
 * never refused; the other 45 are THRU_HOST_BRIDGE for certain.  So one
 * cause, unknown ACS, and nothing blocked.
 */
static void test_hwloc_ve(void **state)
{
	const struct p2pdma_cause *c;
	char *path = tu_real_path("sysfs/hwloc-32intel64-2p8co2t+8ve.tar.bz2");
	struct doc t;

	(void)state;
	doc_open(&t, path, NULL);
	free(path);
	assert_int_equal(t.d->nr_devs, 12);
	assert_int_equal(t.d->nr_pairs, 66);
	assert_int_equal(t.d->nr_uncertain, 21);
	assert_int_equal(t.d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE], 45);
	assert_int_equal(t.d->nr_blocked, 0);
	assert_int_equal(t.d->nr_causes, 1);
	c = cause(&t, P2PDMA_CAUSE_ACS_UNKNOWN);
	assert_non_null(c);
	assert_int_equal(c->nr_pairs, 21);
	assert_int_equal(c->nr_blocked, 0);
	doc_close(&t);
}

/*
 * Lambda WRX80 (README: redirect on the chipset switch's downstream
 * ports 22:00.0-22:06.0; 22:01.0 has nothing that matters below it, nor
 * has 22:06.0: only the BMC's ASPEED VGA 2b:00.0; the CPU is not in the
 * lspci dump).  The ACS cause names those ports, and
 * its fix unblocks every pair it blocks; applied as --cmdline, NVMe
 * 23:00.0 and NIC 25:00.0 become BUS_ADDR.
 */
static void test_lambda(void **state)
{
	const struct p2pdma_cause *c;
	char *path = tu_real_path("lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt");
	char *out = NULL;
	struct doc t;
	int rc;

	(void)state;
	doc_open(&t, path, NULL);
	c = cause(&t, P2PDMA_CAUSE_ACS_REDIRECT);
	assert_non_null(c);
	expect_fns(c, "0000:22:00.0;0000:22:02.0;0000:22:03.0;0000:22:04.0;0000:22:05.0");
	assert_true(c->nr_blocked > 0);
	assert_int_equal(c->fixes_blocked, c->nr_blocked);
	rc = tu_run(&out, NULL, "'%s' -i '%s' check 23:00.0 25:00.0 --cmdline '%s'",
		    tu_p2pdma_bin(), path, c->fix_cmdline);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "BUS_ADDR"));
	free(out);
	doc_close(&t);
	free(path);
}

/* The command: exit 0 / 1, --json, bad usage 2 with one line. */
static void test_cli(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, NULL, "'%s' -i builtin:amd-epyc-2gpu doctor", tu_p2pdma_bin()), 0);
	assert_non_null(strstr(out, "6 detoured pair(s) become BUS_ADDR"));
	free(out);
	assert_int_equal(tu_run(&out, NULL, "'%s' -i builtin:dual-xeon-8gpu --kernel 5.15 doctor --json",
				tu_p2pdma_bin()), 1);
	assert_non_null(strstr(out, "\"blocked\": 135"));
	free(out);
	assert_int_equal(tu_run(&out, &err, "'%s' -i builtin:amd-epyc-2gpu doctor extra", tu_p2pdma_bin()), 2);
	assert_non_null(strstr(err, "doctor takes no arguments"));
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epyc),
		cmocka_unit_test(test_xeon),
		cmocka_unit_test(test_xeon_515),
		cmocka_unit_test(test_no_p2pdma),
		cmocka_unit_test(test_hwloc_440fx),
		cmocka_unit_test(test_hwloc_ve),
		cmocka_unit_test(test_lambda),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
