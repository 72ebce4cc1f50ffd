// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real captures (tests/data/real, README.md there): the pairs the
 * README calls out give the verdict it describes, stated with the
 * certainty the capture allows, and on every capture the O(1) answer and
 * the full verdict agree and are symmetric.
 */
#include <errno.h>
#include <stdio.h>

#include "policy_test.h"
#include "policy_int.h"

static void open_real(struct pt *t, const char *rel)
{
	char *path = tu_real_path(rel);

	t->f = tu_load(path);
	free(path);
	t->p = p2pdma_policy_new(t->f);
	assert_non_null(t->p);
}

static void whatif(struct pt *t, const char *cmdline, const char *cpu)
{
	struct p2pdma_whatif w = { .cmdline = cmdline, .iommu = -1, .cpu = cpu };
	struct p2pdma_whatif_report *r;
	struct p2pdma_error e = { 0 };

	if (p2pdma_whatif_apply(t->p, &w, &r, &e))
		fail_msg("what-if: %s", e.reason);
	p2pdma_whatif_report_free(r);
}

#define HWLOC_VE "sysfs/hwloc-32intel64-2p8co2t+8ve.tar.bz2"

/*
 * Supermicro SYS-4029GP-TRT2, Skylake-SP, captured without root (ACS
 * unknown everywhere).  HCA 1a:00.0 and VE 1b:00.0 hang off downstream
 * ports 19:04.0 and 19:08.0 of the PLX switch whose upstream port is
 * 18:00.0: common device 18:00.0, distance 2 + 2 = 4.  The README expects
 * BUS_ADDR; the kernel would give BUS_ADDR if none of 1a:00.0, 19:04.0,
 * 18:00.0, 19:08.0, 1b:00.0 redirects, and otherwise ask the host bridge
 * (pci0000:17 begins with root port 17:00.0 = 8086:2030, listed):
 * THRU_HOST_BRIDGE.  So: BUS_ADDR or THRU_HOST_BRIDGE, never refused.
 * Declaring those five clear (what if pci=disable_acs_redir= named them)
 * makes it BUS_ADDR for certain.
 */
static void test_hwloc_same_switch(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	open_real(&t, HWLOC_VE);
	v = pt_verdict(&t, "1a:00.0", "1b:00.0");
	assert_int_equal(v->distance, 4);
	pt_expect_fns(&v->common, 1, "0000:18:00.0");
	assert_false(v->certain);
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_BUS_ADDR) | (1u << P2PDMA_MAP_THRU_HOST_BRIDGE));
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	pt_expect_fns(v->acs_unknown, v->nr_acs_unknown,
		      "0000:1a:00.0;0000:19:04.0;0000:18:00.0;0000:1b:00.0;0000:19:08.0");
	assert_int_equal(v->path_class, P2PDMA_PATH_PIX);
	p2pdma_verdict_free(v);
	whatif(&t, "pci=disable_acs_redir=0000:1a:00.0;0000:19:04.0;0000:18:00.0;0000:19:08.0;0000:1b:00.0", NULL);
	v = pt_verdict(&t, "1a:00.0", "1b:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_BUS_ADDR);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * Across the two switches: 1a:00.0 (under 17:00.0) and HCA 3e:00.0 (under
 * 3a:00.0) share nothing: distance 4 + 4 = 8, ACS ignored.  Both host
 * bridges begin with root port 8086:2030 at 00.0, listed without
 * REQ_SAME_HOST_BRIDGE: THRU_HOST_BRIDGE, certain although no ACS is
 * known.  pci0000:5d begins with root port 5d:02.0 (8086:2032) - a root
 * port first on its bus but not at 00.0, which current kernels look up:
 * 1a:00.0 and the X722 60:00.0 are THRU_HOST_BRIDGE too (distance 4 + 4).
 */
static void test_hwloc_across_switches(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	open_real(&t, HWLOC_VE);
	v = pt_verdict(&t, "1a:00.0", "3e:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 8);
	assert_null(v->common);
	assert_int_equal(v->hb_rule, P2PDMA_HB_ALLOW_LIST);
	assert_int_equal(v->hb[0].dev->device, 0x2030);
	assert_int_equal(v->hb[1].dev->device, 0x2030);
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "1a:00.0", "60:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 8);
	pt_expect_fns(&v->hb[1].dev, 1, "0000:5d:02.0");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

#define LAMBDA "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt"

/*
 * Lambda Vector (Threadripper PRO 5955WX, Zen 3 = family 0x19 per the
 * README; an lspci dump carries no CPU).  NVMe 23:00.0 and NIC 25:00.0
 * share the chipset switch (upstream port 21:00.0); their downstream ports
 * 22:00.0 and 22:02.0 have ReqRedir+ CmpltRedir+: list
 * "0000:22:00.0;0000:22:02.0", distance 4, not BUS_ADDR.  On a Zen CPU the
 * kernel allows the host-bridge path: THRU_HOST_BRIDGE.  Without the CPU
 * it is THRU_HOST_BRIDGE or (pci0000:20 begins with 1022:1480, unlisted)
 * NOT_SUPPORTED.  The two X550 ports 25:00.0/25:00.1 meet at 22:02.0,
 * which itself redirects: THRU_HOST_BRIDGE at distance 2.
 */
static void test_lambda_acs_switch(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	open_real(&t, LAMBDA);
	v = pt_verdict(&t, "23:00.0", "25:00.0");
	assert_false(v->certain);
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_THRU_HOST_BRIDGE) |
					(1u << P2PDMA_MAP_NOT_SUPPORTED));
	pt_expect_fns(v->acs, v->nr_acs, "0000:22:00.0;0000:22:02.0");
	p2pdma_verdict_free(v);
	whatif(&t, NULL, "AuthenticAMD:0x19");
	v = pt_verdict(&t, "23:00.0", "25:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 4);
	pt_expect_fns(&v->common, 1, "0000:21:00.0");
	pt_expect_fns(v->acs, v->nr_acs, "0000:22:00.0;0000:22:02.0");
	assert_string_equal(v->fix_cmdline, "pci=disable_acs_redir=0000:22:00.0;0000:22:02.0");
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "25:00.0", "25:00.1");
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(v->distance, 2);
	pt_expect_fns(v->acs, v->nr_acs, "0000:22:02.0");
	p2pdma_verdict_free(v);
	/* The what-if the fix proposes gives BUS_ADDR. */
	whatif(&t, "pci=disable_acs_redir=0000:22:00.0;0000:22:02.0", NULL);
	assert_int_equal(p2pdma_map_type(t.p, pt_fn(&t, "23:00.0"), pt_fn(&t, "25:00.0"), NULL),
			 P2PDMA_MAP_BUS_ADDR);
	pt_close(&t);
}

/*
 * The same Lambda on its Zen CPU, for NCCL: two RTX A6000 (2e:00.0 and
 * 41:00.0, VGA class like any NVIDIA board) and the BMC's ASPEED VGA
 * 2b:00.0.  NCCL counts the GPUs NVML lists: two, so on an AMD CPU its
 * default P2P level is SYS and it uses P2P on this PHB path, as Linux
 * does (THRU_HOST_BRIDGE): nothing to say.  Counting the BMC's display as
 * a third GPU would have put NCCL at PXB and claimed a disagreement.
 */
static void test_lambda_nccl_two_gpus(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	open_real(&t, LAMBDA);
	whatif(&t, NULL, "AuthenticAMD:0x19");
	v = pt_verdict(&t, "2e:00.0", "41:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_null(v->peer_note);
	p2pdma_verdict_free(v);
	assert_string_equal(p2pdma_fn_kind(pt_fn(&t, "2e:00.0")), "GPU");
	assert_string_equal(p2pdma_fn_kind(pt_fn(&t, "2b:00.0")), "DEV");
	assert_false(p2pdma_fn_default_class(pt_fn(&t, "2b:00.0")));
	pt_close(&t);
}

#define DELL "lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt"

/*
 * Dell R730 (Broadwell-EP; lspci -vvv without numeric IDs).  P100 04:00.0
 * (root port 00:02.0) and the NIC 01:00.0 (root port 00:03.1) share no
 * bridge: distance 2 + 2.  pci0000:00 begins with 00:00.0, which the
 * dump names "Xeon E7 v4/Xeon E5 v4 ... DMI2" = 8086:6f00, not listed: on
 * an Intel CPU, NOT_SUPPORTED.  On socket 1 (NVMe 81:00.0, P100 82:00.0)
 * the first device is root port 80:01.0, whose device ID the dump does not
 * give: whether it is listed is unknown, so the answer is too.
 */
static void test_dell_host_bridges(void **state)
{
	struct p2pdma_verdict *v;
	struct pt t;

	(void)state;
	open_real(&t, DELL);
	whatif(&t, NULL, "intel");
	v = pt_verdict(&t, "04:00.0", "01:00.0");
	assert_true(v->certain);
	assert_int_equal(v->map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(v->distance, 4);
	assert_int_equal(v->hb[0].dev->device, 0x6f00);
	p2pdma_verdict_free(v);
	v = pt_verdict(&t, "81:00.0", "82:00.0");
	assert_false(v->certain);
	assert_int_equal(v->possible, (1u << P2PDMA_MAP_THRU_HOST_BRIDGE) |
					(1u << P2PDMA_MAP_NOT_SUPPORTED));
	assert_true(v->hb[0].id_unknown);
	pt_expect_contains(v->uncertain, "-nn");
	p2pdma_verdict_free(v);
	pt_close(&t);
}

/*
 * On every capture that loads: the O(1) answer equals the full verdict,
 * distances and answers are symmetric, BUS_ADDR only with a common device.
 */
static void check_capture(const char *rel)
{
	struct p2pdma_load_opts o = { 0 };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_policy *p;
	char *path = tu_real_path(rel);
	size_t i, j, n = 0;

	o.path = path;
	/* Every capture here loaded when it was added: a refusal is a regression. */
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("%s does not load: %s", rel, e.reason);
	free(path);
	p = p2pdma_policy_new(f);
	for (i = 0; i < f->nr_fns; i++)
		for (j = 0; j < f->nr_fns; j += 1 + f->nr_fns / 40) {
			struct p2pdma_verdict *v = NULL, *w = NULL;
			int d;
			enum p2pdma_map_type t = p2pdma_map_type(p, f->fns[i], f->fns[j], &d);

			assert_int_equal(p2pdma_verdict_get(p, f->fns[i], f->fns[j], NULL, &v, &e), 0);
			assert_int_equal(p2pdma_verdict_get(p, f->fns[j], f->fns[i], NULL, &w, &e), 0);
			assert_int_equal(v->map_type, t);
			assert_int_equal(v->distance, d);
			assert_int_equal(w->distance, d);
			assert_int_equal(w->possible, v->possible);
			if (t == P2PDMA_MAP_BUS_ADDR)
				assert_non_null(v->common);
			assert_non_null(v->reason);
			p2pdma_verdict_free(v);
			p2pdma_verdict_free(w);
			n++;
		}
	printf("# %s: %zu pairs consistent\n", rel, n);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

static void test_every_capture_consistent(void **state)
{
	static const char *const captures[] = {
		HWLOC_VE, "sysfs/hwloc-32em64t-2n8c+dax+nvme+mic+dimms.tar.bz2",
		"sysfs/hwloc-2pa-pcidomain32bits.tar.bz2",
		"sysfs/ghw-linux-amd64-8581cf3a529e5d8b97ea876eade2f60d.tar.gz",
		LAMBDA, DELL, "lspci/pciutils-tree-asus-p6t6.txt",
		"lspci/pciutils-PCI-X-bridges-and-domains.txt", "lspci/pciutils-tree-fsl-p2020.txt",
		"nccl/oci-BM.GPU4.8-rome-8xA100-pex88096.xml",
		"nccl/oci-BM.GPU.H100.8-spr-8xH100-pex89000.xml", "nccl/rccl-topo_8p_940.xml",
		"nccl/azhpc-ndv4-topo.xml", "nccl/rccl-topo_16p1h_vm.xml",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(captures); i++)
		check_capture(captures[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hwloc_same_switch),
		cmocka_unit_test(test_hwloc_across_switches),
		cmocka_unit_test(test_lambda_acs_switch),
		cmocka_unit_test(test_lambda_nccl_two_gpus),
		cmocka_unit_test(test_dell_host_bridges),
		cmocka_unit_test(test_every_capture_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
