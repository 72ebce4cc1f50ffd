// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NCCL / RCCL topology XML: every real file in tests/data/real/nccl/
 * loads, and the facts tests/data/real/README.md states for each hold
 * (counts of GPUs, NICs and switch ports, who shares a switch, the CPU
 * family quirk, the invented bridges of cloud VM files).  Malformed files
 * in tests/data/nccl-bad/ are refused with their line; damaged copies of
 * the real files load or are refused, never crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nccl.h"
#include "testutil.h"

struct logbook {
	char text[8192];
	int info, warn;
};

static void collect(void *arg, enum p2pdma_log_level level, const char *msg)
{
	struct logbook *lb = arg;
	size_t n = strlen(lb->text);

	lb->info += level == P2PDMA_LOG_INFO;
	lb->warn += level == P2PDMA_LOG_WARN;
	snprintf(lb->text + n, sizeof(lb->text) - n, "%s\n", msg);
}

static struct p2pdma_fabric *load(const char *file, struct logbook *lb)
{
	char rel[256], *path;
	struct p2pdma_load_opts o = { 0 };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	snprintf(rel, sizeof(rel), "nccl/%s", file);
	path = tu_real_path(rel);
	o.path = path;
	if (lb) {
		memset(lb, 0, sizeof(*lb));
		o.log = collect;
		o.log_arg = lb;
	}
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s: %s", file, e.reason);
	free(path);
	return f;
}

static struct p2pdma_function *fn(struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &r, &e))
		fail_msg("%s", e.reason);
	return r;
}

static size_t count_ids(const struct p2pdma_fabric *f, uint16_t vendor, uint16_t device)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += f->fns[i]->vendor == vendor && f->fns[i]->device == device;
	return n;
}

static size_t count_class(const struct p2pdma_fabric *f, uint32_t base_sub)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += (f->fns[i]->class_code >> 8) == base_sub;
	return n;
}

static int max_depth_of(const struct p2pdma_fabric *f, uint16_t vendor)
{
	int d = -1;
	size_t i;

	for (i = 0; i < f->nr_fns; i++)
		if (f->fns[i]->vendor == vendor && f->fns[i]->depth > d)
			d = f->fns[i]->depth;
	return d;
}

static void cpu_is(const struct p2pdma_fabric *f, const char *vendor, unsigned int family,
		   unsigned int model)
{
	assert_true(f->cpu.known);
	assert_string_equal(f->cpu.vendor, vendor);
	assert_int_equal(f->cpu.family, family);
	assert_int_equal(f->cpu.model, model);
}

/* NCCL has no ACS: unknown on every function. */
static void all_acs_unknown(const struct p2pdma_fabric *f)
{
	assert_int_equal(f->nr_acs_unknown, f->nr_fns);
}

/* ---------------------------------------------------------------------- */

static void test_every_file_loads(void **state)
{
	char *dir = tu_real_path("nccl");
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;

	(void)state;
	assert_non_null(dp);
	while ((de = readdir(dp))) {
		struct p2pdma_fabric *f;
		struct logbook lb;

		if (de->d_name[0] == '.')
			continue;
		f = load(de->d_name, &lb);
		assert_true(f->nr_fns > 0);
		all_acs_unknown(f);
		/* The loader says what NCCL XML cannot tell. */
		assert_non_null(strstr(lb.text, "no ACS state"));
		p2pdma_fabric_free(f);
		n++;
	}
	closedir(dp);
	free(dir);
	assert_int_equal(n, 11);
}

static void test_family_decoding(void **state)
{
	(void)state;
	/* NCCL writes family + (extended family << 4). */
	assert_int_equal(p2pdma_nccl_decode_family(143), 0x17);
	assert_int_equal(p2pdma_nccl_decode_family(175), 0x19);
	assert_int_equal(p2pdma_nccl_decode_family(6), 6);
	/* Azure's hand-written ndv4 has the plain family. */
	assert_int_equal(p2pdma_nccl_decode_family(23), 0x17);
	assert_int_equal(p2pdma_nccl_decode_family(25), 0x19);
	assert_int_equal(p2pdma_nccl_decode_family(0xf), 0xf);
}

static void test_oci_a100(void **state)
{
	struct p2pdma_fabric *f = load("oci-BM.GPU4.8-rome-8xA100-pex88096.xml", NULL);

	(void)state;
	cpu_is(f, "AuthenticAMD", 0x17, 49);
	assert_int_equal(count_ids(f, 0x10de, 0x20b0), 8);
	assert_int_equal(count_ids(f, 0x15b3, 0x1019), 8);
	assert_int_equal(count_ids(f, 0x1000, 0xc010), 30);
	/* Up to five bridge levels between a CPU and a GPU. */
	assert_int_equal(max_depth_of(f, 0x10de), 5);
	/* GPU 0f:00.0 and NIC 0c:00.0 share switch 0a:00.0 (NIC below it, GPU one level further). */
	assert_ptr_equal(fn(f, "0c:00.0")->parent, fn(f, "0a:00.0"));
	assert_ptr_equal(fn(f, "0f:00.0")->parent->parent, fn(f, "0a:00.0"));
	assert_int_equal(fn(f, "0a:00.0")->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	/* NUMA node from the enclosing <cpu>. */
	assert_int_equal(fn(f, "0f:00.0")->numa_node, 3);
	assert_int_equal(fn(f, "0f:00.0")->host->numa_node, 3);
	/* link_speed/width are the link's maximum. */
	assert_int_equal(fn(f, "0f:00.0")->link.max_speed, 16000);
	assert_int_equal(fn(f, "0f:00.0")->link.max_width, 16);
	assert_int_equal(fn(f, "0f:00.0")->link.speed, 0);
	p2pdma_fabric_free(f);
}

static void test_oci_h100(void **state)
{
	struct p2pdma_fabric *f = load("oci-BM.GPU.H100.8-spr-8xH100-pex89000.xml", NULL);
	size_t i, pairs = 0;

	(void)state;
	cpu_is(f, "GenuineIntel", 6, 143);
	assert_int_equal(count_ids(f, 0x10de, 0x2330), 8);
	assert_int_equal(count_ids(f, 0x15b3, 0x1021), 8);
	assert_int_equal(count_ids(f, 0x1000, 0xc030), 24);
	/* Each GPU and its NIC sit on sibling ports of one switch. */
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *g = f->fns[i];
		size_t j;

		if (g->device != 0x2330)
			continue;
		for (j = 0; j < f->nr_fns; j++)
			if (f->fns[j]->device == 0x1021 && g->parent->parent &&
			    f->fns[j]->parent->parent == g->parent->parent)
				pairs++;
	}
	assert_int_equal(pairs, 8);
	/* Upstream ports report 5.0 GT/s as captured. */
	assert_int_equal(fn(f, "08:00.0")->link.max_speed, 5000);
	assert_int_equal(fn(f, "0d:00.0")->link.max_speed, 32000);
	p2pdma_fabric_free(f);
}

static void test_rccl_940_version2(void **state)
{
	struct p2pdma_fabric *f = load("rccl-topo_8p_940.xml", NULL);
	size_t i, gpus = 0;

	(void)state;
	cpu_is(f, "GenuineIntel", 6, 143);
	assert_int_equal(count_ids(f, 0x15b3, 0x1021), 8);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *g = f->fns[i];

		if (g->class_code != 0x120000)
			continue;
		gpus++;
		/* Behind an AMD bridge and two ConnectX-7 switch levels; NIC on the same switch. */
		assert_int_equal(g->parent->vendor, 0x1022);
		assert_int_equal(g->parent->device, 0x1500);
		assert_int_equal(g->parent->parent->device, 0x1979);
		assert_int_equal(g->parent->parent->parent->device, 0x1979);
	}
	assert_int_equal(gpus, 8);
	assert_ptr_equal(fn(f, "07:00.0")->parent, fn(f, "05:00.0"));
	assert_ptr_equal(fn(f, "0c:00.0")->parent->parent->parent, fn(f, "05:00.0"));
	p2pdma_fabric_free(f);
}

static void test_rccl_16p1h(void **state)
{
	struct p2pdma_fabric *f = load("rccl-topo_16p1h.xml", NULL);

	(void)state;
	cpu_is(f, "AuthenticAMD", 0x17, 49);
	assert_int_equal(count_ids(f, 0x1002, 0x740c), 16);
	assert_int_equal(count_ids(f, 0x15b3, 0x101b), 8);
	assert_int_equal(count_ids(f, 0x1000, 0xc010), 12);
	assert_int_equal(count_ids(f, 0x1022, 0x14c7), 16);
	p2pdma_fabric_free(f);
}

static void test_rccl_rome(void **state)
{
	struct p2pdma_fabric *f = load("rccl-topo_8p_rome_4n_1.xml", NULL);
	size_t i, behind = 0;

	(void)state;
	cpu_is(f, "AuthenticAMD", 0x17, 49);
	assert_int_equal(count_ids(f, 0x1002, 0x738c), 8);
	assert_int_equal(count_ids(f, 0x11f8, 0x4000), 12);
	assert_int_equal(count_ids(f, 0x15b3, 0x101b), 4);
	for (i = 0; i < f->nr_fns; i++)
		if (f->fns[i]->device == 0x738c && f->fns[i]->parent->device == 0x14a0)
			behind++;
	assert_int_equal(behind, 8);
	p2pdma_fabric_free(f);
}

static void test_rccl_vm_domains(void **state)
{
	struct p2pdma_fabric *f = load("rccl-topo_16p1h_vm.xml", NULL);
	size_t i;

	(void)state;
	assert_int_equal(count_ids(f, 0x1002, 0x740c), 16);
	assert_int_equal(count_ids(f, 0x15b3, 0x101c), 8);
	/* 24 domains, no bridges: each function on a root bus of its own. */
	assert_int_equal(f->nr_hbs, 24);
	for (i = 0; i < f->nr_fns; i++)
		assert_null(f->fns[i]->parent);
	assert_non_null(fn(f, "c77c:00:00.0"));
	p2pdma_fabric_free(f);
}

static void test_panlichen_switchtec(void **state)
{
	struct p2pdma_fabric *f = load("nccl-tests-panlichen-icx-8xRTX3090-switchtec.xml", NULL);
	struct p2pdma_function *s0 = fn(f, "0c:00.0"), *s1 = fn(f, "98:00.0");

	(void)state;
	cpu_is(f, "GenuineIntel", 6, 106);
	assert_int_equal(count_ids(f, 0x10de, 0x2204), 8);
	assert_int_equal(count_ids(f, 0x15b3, 0x101b), 1);
	assert_int_equal(count_ids(f, 0x11f8, 0x4000), 2);
	/* Four GPUs under each switch, the NIC under socket 1's. */
	assert_int_equal(s0->nr_children, 4);
	assert_int_equal(s1->nr_children, 5);
	assert_ptr_equal(fn(f, "9a:00.0")->parent, s1);
	assert_int_equal(fn(f, "9a:00.0")->numa_node, 1);
	p2pdma_fabric_free(f);
}

/* Azure and AWS: devices in other domains than the invented bridge around them. */
static void test_azure_ndv4(void **state)
{
	struct logbook lb;
	struct p2pdma_fabric *f = load("azhpc-ndv4-topo.xml", &lb);
	size_t i;

	(void)state;
	cpu_is(f, "AuthenticAMD", 0x17, 49);	/* familyid="23", plain */
	assert_int_equal(count_class(f, 0x0302), 8);
	assert_int_equal(count_class(f, 0x0207), 8);
	assert_int_equal(f->nr_fns, 16);	/* the invented bridges are gone */
	assert_int_equal(f->nr_hbs, 16);
	for (i = 0; i < f->nr_fns; i++) {
		assert_null(f->fns[i]->parent);
		assert_int_not_equal(f->fns[i]->bdf.domain, 0xffff);
	}
	assert_int_equal(fn(f, "0003:00:00.0")->numa_node, 0);
	assert_int_equal(fn(f, "0108:00:00.0")->numa_node, 2);
	/* Said once, as information. */
	assert_non_null(strstr(lb.text, "16 device(s) sit in another PCI domain"));
	assert_non_null(strstr(lb.text, "4 empty invented bridge(s) left out"));
	assert_int_equal(lb.warn, 0);
	p2pdma_fabric_free(f);
}

static void test_azure_ndv5(void **state)
{
	struct p2pdma_fabric *f = load("azhpc-ndv5-topo.xml", NULL);

	(void)state;
	cpu_is(f, "GenuineIntel", 6, 143);
	assert_int_equal(count_class(f, 0x0302), 8);
	assert_int_equal(count_class(f, 0x0207), 8);
	assert_int_equal(f->nr_fns, 16);
	assert_non_null(fn(f, "000c:00:00.0"));
	assert_null(fn(f, "000c:00:00.0")->parent);
	p2pdma_fabric_free(f);
}

static void test_azure_ncv4(void **state)
{
	struct p2pdma_fabric *f = load("azhpc-ncv4-topo.xml", NULL);

	(void)state;
	cpu_is(f, "AuthenticAMD", 0x19, 1);	/* familyid="175": Milan */
	assert_int_equal(count_ids(f, 0x10de, 0x20b5), 4);
	assert_int_equal(f->nr_hbs, 4);
	/* link_speed="" link_width="0": unknown */
	assert_int_equal(fn(f, "0001:00:00.0")->link.max_speed, 0);
	assert_int_equal(fn(f, "0001:00:00.0")->link.max_width, 0);
	p2pdma_fabric_free(f);
}

static void test_aws_p4d(void **state)
{
	struct p2pdma_fabric *f = load("aws-ofi-nccl-p4d-24xl-topo.xml", NULL);
	size_t i;

	(void)state;
	cpu_is(f, "GenuineIntel", 6, 85);
	assert_int_equal(count_ids(f, 0x10de, 0x20b0), 8);
	assert_int_equal(count_ids(f, 0x1d0f, 0xefa0), 4);
	/* Each "switch" group of 2 GPUs + 1 NIC is one root bus in the VM. */
	assert_int_equal(f->nr_hbs, 4);
	for (i = 0; i < f->nr_hbs; i++) {
		assert_int_equal(f->hbs[i]->nr_children, 3);
		assert_int_equal(f->hbs[i]->domain, 0);
	}
	assert_ptr_equal(fn(f, "10:1c.0")->host, fn(f, "10:1b.0")->host);
	assert_ptr_not_equal(fn(f, "10:1c.0")->host, fn(f, "20:1c.0")->host);
	assert_int_equal(fn(f, "90:1d.0")->numa_node, 1);
	p2pdma_fabric_free(f);
}

/* A bridge in the same domain stays; only foreign-domain children move. */
static void test_invented_bridge_kept_when_used(void **state)
{
	static const char xml[] =
		"<system version=\"1\">\n"
		"  <cpu numaid=\"0\" vendor=\"GenuineIntel\" familyid=\"6\" modelid=\"85\">\n"
		"    <pci busid=\"ffff:ff:01.0\" class=\"0x060400\">\n"
		"      <pci busid=\"ffff:00:00.0\" class=\"0x030200\"/>\n"
		"      <pci busid=\"0001:00:00.0\" class=\"0x030200\"/>\n"
		"    </pci>\n"
		"  </cpu>\n"
		"</system>\n";
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_nccl_load_buf(f, xml, sizeof(xml) - 1, "t.xml", NULL, &e), 0);
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	assert_int_equal(f->nr_fns, 3);
	assert_ptr_equal(fn(f, "ffff:00:00.0")->parent, fn(f, "ffff:ff:01.0"));
	assert_null(fn(f, "0001:00:00.0")->parent);
	p2pdma_fabric_free(f);
}

static const struct tu_refusal bad[] = {
	{ "pci-in-gpu.xml", 5, "<pci> cannot sit inside <gpu>" },
	{ "cpu-in-pci.xml", 4, "<cpu> cannot sit inside <pci>" },
	{ "pci-under-system.xml", 2, "<pci> cannot sit inside <system>" },
	{ "net-in-pci.xml", 4, "<net> cannot sit inside <pci>" },
	{ "not-system.xml", 2, "the root element is <topology>" },
	{ "unclosed.xml", 4, "XML: Opening and ending tag mismatch" },
	{ "bad-busid.xml", 3, "not a PCI address" },
	{ "no-busid.xml", 3, "<pci> without a busid" },
	{ "dup-busid.xml", 4, "busid 0000:0f:00.0 appears twice (first at line 3)" },
	{ "nested-in-endpoint.xml", 3, "not a bridge, but <pci> devices are nested in it" },
	{ "bad-link-speed.xml", 3, "not a link speed" },
	{ "bad-class.xml", 3, "<pci class=\"0x1030200\">" },
	{ "empty-system.xml", 0, "no <pci> devices" },
	/* libxml2 says this over two lines; the reason stays one. */
	{ "bad-utf8.xml", 3, "XML: Input is not proper UTF-8" },
};

static void test_refused_with_line(void **state)
{
	(void)state;
	tu_assert_refusals("nccl-bad", bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_damaged_files(void **state)
{
	static const char *const files[] = {
		"nccl/oci-BM.GPU4.8-rome-8xA100-pex88096.xml", "nccl/azhpc-ndv4-topo.xml",
		"nccl/rccl-topo_8p_940.xml",
	};
	uint64_t rng = tu_seed();
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = tu_real_path(files[i]);
		size_t len;
		char *orig = tu_read_file(path, &len), *copy = malloc(len);

		assert_non_null(orig);
		assert_non_null(copy);
		for (r = 0; r < 60; r++) {
			struct p2pdma_fabric *f = p2pdma_fabric_new();
			struct p2pdma_error e = { 0 };
			size_t n = len, k;
			int ret;

			memcpy(copy, orig, len);
			if (r & 1)
				n = (size_t)(tu_rand(&rng) % (len + 1));
			else
				for (k = 0; k < 1 + tu_rand(&rng) % 4; k++)
					copy[tu_rand(&rng) % len] = "<>\"/=x0 \n"[tu_rand(&rng) % 9];
			ret = p2pdma_nccl_load_buf(f, copy, n, "damaged.xml", NULL, &e);
			if (!ret)
				ret = p2pdma_fabric_finalize(f, &e);
			if (ret && strncmp(e.reason, "damaged.xml", 11))
				fail_msg("reason does not name the file: %s", e.reason);
			/* The place too: a line, or the function a model check refused. */
			if (ret && !tu_names_place(e.reason, "damaged.xml"))
				fail_msg("seed %llu: the reason names no line: %s",
					 (unsigned long long)tu_seed(), e.reason);
			/* XML cut before its last element closes is never whole. */
			if (!ret && (r & 1) && n < len &&
			    strspn(orig + n, " \t\r\n") < len - n &&
			    strstr(orig + n, "</system>"))
				fail_msg("seed %llu: %s cut at byte %zu of %zu loaded",
					 (unsigned long long)tu_seed(), files[i], n, len);
			p2pdma_fabric_free(f);
		}
		free(copy);
		free(orig);
		free(path);
	}
}

/*
 * N3 of the mutation audit (tests-2026-12): in azhpc-ndv5-topo.xml the 16
 * GPUs and NICs carry no vendor/device attributes, each alone on its own
 * host bridge, on an Intel (not AMD Zen) CPU.  Whether the kernel allows
 * a pair then depends on the host bridges' IDs in its allow-list
 * (KERNEL-FACTS 1.4): unknown IDs must stay 0xffff (never a real vendor)
 * and make the answer uncertain; taken as 0 they give a certain refusal.
 */
static void test_ids_stay_unknown(void **state)
{
	struct p2pdma_fabric *f = load("azhpc-ndv5-topo.xml", NULL);
	size_t i;

	(void)state;
	assert_int_equal(f->nr_fns, 16);
	for (i = 0; i < f->nr_fns; i++) {
		assert_int_equal(f->fns[i]->vendor, 0xffff);
		assert_int_equal(f->fns[i]->device, 0xffff);
		assert_int_equal(f->fns[i]->subsys_vendor, 0xffff);
		assert_int_equal(f->fns[i]->subsys_device, 0xffff);
	}
	p2pdma_fabric_free(f);
}

/* GPU 0001:00:00.0 -> GPU 0002:00:00.0: across host bridges, IDs unknown. */
static void test_verdict_uncertain(void **state)
{
	struct p2pdma_fabric *f = load("azhpc-ndv5-topo.xml", NULL);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_non_null(p);
	assert_int_equal(p2pdma_verdict_get(p, fn(f, "0001:00:00.0"), fn(f, "0002:00:00.0"),
					    NULL, &v, &e), 0);
	assert_false(v->certain);
	assert_non_null(v->uncertain);
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_file_loads),
		cmocka_unit_test(test_family_decoding),
		cmocka_unit_test(test_oci_a100),
		cmocka_unit_test(test_oci_h100),
		cmocka_unit_test(test_rccl_940_version2),
		cmocka_unit_test(test_rccl_16p1h),
		cmocka_unit_test(test_rccl_rome),
		cmocka_unit_test(test_rccl_vm_domains),
		cmocka_unit_test(test_panlichen_switchtec),
		cmocka_unit_test(test_azure_ndv4),
		cmocka_unit_test(test_azure_ndv5),
		cmocka_unit_test(test_azure_ncv4),
		cmocka_unit_test(test_aws_p4d),
		cmocka_unit_test(test_invented_bridge_kept_when_used),
		cmocka_unit_test(test_refused_with_line),
		cmocka_unit_test(test_damaged_files),
		cmocka_unit_test(test_ids_stay_unknown),
		cmocka_unit_test(test_verdict_uncertain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
