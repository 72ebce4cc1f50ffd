// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvidia-bug-report.log.gz as a source, on the two real reports in
 * shared/testdata/bug-reports: parents as the reports' own `lspci -nntv`
 * draws them (written out in that folder's README), release, command
 * line and CPU as the report states them, the verdict NVMe <-> NIC below
 * the X570 switch whose ports redirect, and damaged reports refused in
 * one line naming the file and the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define REPORTS P2PDMA_SOURCE_ROOT "/../shared/testdata/bug-reports/"
#define RV REPORTS "retinalvit-i9-10920x-3xA6000-2xPEX8747.nvidia-bug-report.log.gz"
#define LA REPORTS "laniusc-x570-acs-on-chipset-switch.nvidia-bug-report.log.gz"

static struct p2pdma_fabric *load(const char *path)
{
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("%s: %s", path, e.reason);
	return f;
}

/* @chain: "child parent grandparent ... -" (the last on a root bus). */
static void assert_chain(struct p2pdma_fabric *f, const char *const *chain)
{
	struct p2pdma_function *fn;
	size_t i;

	assert_int_equal(p2pdma_fabric_lookup(f, chain[0], &fn, NULL), 0);
	for (i = 1; strcmp(chain[i], "-"); i++) {
		struct p2pdma_function *want;

		assert_int_equal(p2pdma_fabric_lookup(f, chain[i], &want, NULL), 0);
		if (fn->parent != want)
			fail_msg("parent of %s is not %s", chain[i - 1], chain[i]);
		fn = want;
	}
	if (fn->parent)
		fail_msg("%s is not on a root bus", chain[i - 1]);
}

static void test_retinalvit(void **state)
{
	static const char *const c1[] = { "1a:00.0", "18:10.0", "17:00.0", "16:00.0", "-" };
	static const char *const c2[] = { "67:00.0", "66:08.0", "65:00.0", "64:00.0", "-" };
	static const char *const c3[] = { "68:00.0", "66:10.0", "65:00.0", "64:00.0", "-" };
	static const char *const c4[] = { "02:00.0", "00:1b.4", "-" };
	static const char *const c5[] = { "04:00.0", "00:1c.2", "-" };
	struct p2pdma_fabric *f = load(RV);
	struct p2pdma_function *fn;

	(void)state;
	assert_int_equal(f->nr_fns, 141);
	assert_chain(f, c1);
	assert_chain(f, c2);
	assert_chain(f, c3);
	assert_chain(f, c4);
	assert_chain(f, c5);
	assert_string_equal(f->kernel_release, "6.5.0-17-generic");
	assert_non_null(f->cmdline);
	assert_int_equal(strncmp(f->cmdline, "BOOT_IMAGE=/boot/vmlinuz-6.5.0-17-generic ", 42), 0);
	assert_true(f->cpu.known);
	assert_string_equal(f->cpu.vendor, "GenuineIntel");
	assert_int_equal(f->cpu.family, 6);
	assert_int_equal(f->cpu.model, 85);
	/* PEX 8747 downstream ports: ACS capability, every control bit off. */
	assert_int_equal(p2pdma_fabric_lookup(f, "66:08.0", &fn, NULL), 0);
	assert_int_equal(fn->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(fn->acs_ctrl, 0);
	/* Upstream ports have none. */
	assert_int_equal(p2pdma_fabric_lookup(f, "65:00.0", &fn, NULL), 0);
	assert_int_equal(fn->acs_state, P2PDMA_ACS_ABSENT);
	p2pdma_fabric_free(f);
}

/*
 * X570: NVMe 03:00.0 below 02:00.0 and I211 05:00.0 below 02:04.0, both
 * ports "SrcValid+ ReqRedir+ CmpltRedir+ UpstreamFwd+" (0x1d): the pair
 * goes up to the root complex, which a Zen 3 CPU allows:
 * THRU_HOST_BRIDGE, the two ports named in the kernel's order.
 */
static void test_laniusc(void **state)
{
	static const char *const c1[] = { "03:00.0", "02:00.0", "01:00.0", "00:01.2", "-" };
	static const char *const c2[] = { "05:00.0", "02:04.0", "01:00.0", "00:01.2", "-" };
	static const char *const c3[] = { "06:00.0", "02:05.0", "01:00.0", "00:01.2", "-" };
	static const char *const c4[] = { "0a:00.0", "00:03.2", "-" };
	struct p2pdma_fabric *f = load(LA);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *nvme, *nic, *port;
	struct p2pdma_verdict *v;
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];

	(void)state;
	assert_chain(f, c1);
	assert_chain(f, c2);
	assert_chain(f, c3);
	assert_chain(f, c4);
	assert_string_equal(f->kernel_release, "7.0.0-29-generic");
	assert_string_equal(f->cpu.vendor, "AuthenticAMD");
	assert_int_equal(f->cpu.family, 25);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &port, NULL), 0);
	assert_int_equal(port->acs_ctrl, 0x1d);
	assert_int_equal(p2pdma_fabric_lookup(f, "03:00.0", &nvme, NULL), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "05:00.0", &nic, NULL), 0);
	assert_int_equal(p2pdma_verdict_get(p, nvme, nic, NULL, &v, NULL), 0);
	assert_int_equal(v->map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_true(v->certain);
	assert_int_equal(v->nr_acs, 2);
	assert_string_equal(p2pdma_bdf_format(&v->acs[0]->bdf, a, sizeof(a)), "0000:02:00.0");
	assert_string_equal(p2pdma_bdf_format(&v->acs[1]->bdf, b, sizeof(b)), "0000:02:04.0");
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* The report's sections as separate files, given as one comma-joined -i. */
static void test_file_list(void **state)
{
	char *dir = tu_mkdtemp(), *out, *err, *list;
	struct p2pdma_fabric *f, *g;
	size_t i;
	int st;

	(void)state;
	st = tu_run(&out, &err, "cd %s && zcat %s | awk '"
		    "/^____/ { name = \"\"; next }"
		    "/^\\/usr\\/bin\\/lspci -nntv$/ { name = \"t.txt\"; next }"
		    "/^\\/usr\\/bin\\/lspci -nn$/ { name = \"nn.txt\"; next }"
		    "/^\\/usr\\/bin\\/lspci -nnDvvvxxxx$/ { name = \"x.txt\"; next }"
		    "name != \"\" { print > name }'", dir, LA);
	assert_int_equal(st, 0);
	free(out);
	free(err);
	assert_true(asprintf(&list, "%s/t.txt,%s/nn.txt,%s/x.txt", dir, dir, dir) > 0);
	f = load(list);
	g = load(LA);
	assert_int_equal(f->nr_fns, g->nr_fns);
	for (i = 0; i < f->nr_fns; i++) {
		assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->bdf, &g->fns[i]->bdf), 0);
		assert_int_equal(!f->fns[i]->parent, !g->fns[i]->parent);
		if (f->fns[i]->parent)
			assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->parent->bdf,
							&g->fns[i]->parent->bdf), 0);
	}
	/* Separate files hold no uname line: the release stays unknown. */
	assert_null(f->kernel_release);
	p2pdma_fabric_free(f);
	/* Without the dump: the same tree from -t and -nn, ACS unknown. */
	free(list);
	assert_true(asprintf(&list, "%s/t.txt,%s/nn.txt", dir, dir) > 0);
	f = load(list);
	assert_int_equal(f->nr_fns, g->nr_fns);
	for (i = 0; i < f->nr_fns; i++) {
		assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->bdf, &g->fns[i]->bdf), 0);
		assert_int_equal(!f->fns[i]->parent, !g->fns[i]->parent);
		if (f->fns[i]->parent)
			assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->parent->bdf,
							&g->fns[i]->parent->bdf), 0);
		assert_int_equal(f->fns[i]->acs_state, P2PDMA_ACS_UNKNOWN);
	}
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
	/* Only ids: refused by name, not turned into a tree that looks whole. */
	free(list);
	assert_true(asprintf(&list, "%s/nn.txt", dir) > 0);
	st = tu_run(&out, &err, "%s -i %s,%s topo", tu_p2pdma_bin(), list, list);
	assert_int_equal(st, 2);
	assert_non_null(strstr(err, "none of these files holds"));
	free(out);
	free(err);
	free(list);
	tu_rmtree(dir);
	free(dir);
}

/*
 * The excerpt (tests/data/bugreport/README.md) has no cpuinfo section and
 * no logged command line: both stay unknown, and topo says so.
 */
static void test_unknowns(void **state)
{
	char *path = tu_data_path("bugreport/x570-excerpt.nvidia-bug-report.log"), *out, *err;
	struct p2pdma_fabric *f = load(path);
	int st;

	(void)state;
	assert_int_equal(f->nr_fns, 8);
	assert_false(f->cpu.known);
	assert_null(f->cmdline);
	assert_string_equal(f->kernel_release, "7.0.0-29-generic");
	p2pdma_fabric_free(f);
	st = tu_run(&out, &err, "%s -i %s topo", tu_p2pdma_bin(), path);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "CPU: unknown\n"));
	free(out);
	free(err);
	free(path);
}

/*
 * The root-less i9 cut with the report's own records of its six NVIDIA
 * functions kept as a `lspci -d 10de:*` section (tests/data/bugreport/
 * README.md).  Expected values read by hand off the lspci text above each
 * dump (the hex is what the code decodes): 1a:00.0 "Region 0: Memory at
 * 95000000 ... [size=16M]", "Express (v2) Legacy Endpoint", "LnkCap: ...
 * Speed 8GT/s, Width x16", "LnkSta: Speed 2.5GT/s (downgraded), Width x16",
 * and no Access Control Services among its extended capabilities;
 * 67:00.0 "Region 0: Memory at d7000000".  The ports above them have no
 * dump and stay unknown.
 */
static void test_rootless_dump(void **state)
{
	char *path = tu_data_path("bugreport/i9-rootless-nvdump.nvidia-bug-report.log");
	char *plain = tu_data_path("bugreport/i9-rootless.nvidia-bug-report.log");
	struct p2pdma_fabric *f = load(path), *g = load(plain);
	struct p2pdma_function *fn;

	(void)state;
	assert_int_equal(p2pdma_fabric_lookup(f, "0000:1a:00.0", &fn, NULL), 0);
	assert_int_equal(fn->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(fn->pcie_type, 1);		/* PCI_EXP_TYPE_LEG_END */
	assert_int_equal(fn->link.max_speed, 8000);
	assert_int_equal(fn->link.max_width, 16);
	assert_int_equal(fn->link.speed, 2500);
	assert_int_equal(fn->link.width, 16);
	assert_int_equal(fn->bars[0].start, 0x95000000);
	assert_int_equal(fn->bars[0].size, 16 << 20);
	assert_int_equal(p2pdma_fabric_lookup(f, "0000:67:00.0", &fn, NULL), 0);
	assert_int_equal(fn->bars[0].start, 0xd7000000);
	assert_int_equal(p2pdma_fabric_lookup(f, "0000:16:00.0", &fn, NULL), 0);
	assert_int_equal(fn->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_true(fn->pcie_type < 0);
	/* Six functions known, the rest as without the dumps. */
	assert_int_equal(f->nr_fns, g->nr_fns);
	assert_int_equal(f->nr_acs_unknown, g->nr_acs_unknown - 6);
	assert_int_equal(p2pdma_fabric_lookup(g, "0000:1a:00.0", &fn, NULL), 0);
	assert_int_equal(fn->acs_state, P2PDMA_ACS_UNKNOWN);
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
	free(plain);
	free(path);
}

static void assert_refused(const char *cmd_fmt, const char *dir, const char *file_says)
{
	char *out, *err, *nl;
	int st;

	st = tu_run(&out, &err, cmd_fmt, dir, dir);
	assert_int_equal(st, 2);
	if (!strstr(err, file_says))
		fail_msg("want \"%s\" in: %s", file_says, err);
	nl = strchr(err, '\n');
	assert_non_null(nl);
	assert_string_equal(nl + 1, "");
	free(out);
	free(err);
}

/* "@edit @path > DIR/r.log" (a sed or grep command): the result is refused. */
static void assert_edit_refused(const char *edit, const char *path, const char *dir,
				const char *file_says)
{
	char *cmd, *fmt;

	assert_true(asprintf(&fmt, "%s %%s > %%%%s/r.log; %%s -i %%%%s/r.log topo", edit) > 0);
	assert_true(asprintf(&cmd, fmt, path, tu_p2pdma_bin()) > 0);
	assert_refused(cmd, dir, file_says);
	free(cmd);
	free(fmt);
}

static void test_damaged(void **state)
{
	char *dir = tu_mkdtemp(), *cmd, *out, *err, want[64];
	int st, line;

	(void)state;
	/* Compressed stream cut short. */
	assert_true(asprintf(&cmd, "head -c 400000 %s > %%s/t.log.gz; %s -i %%s/t.log.gz topo",
			     RV, tu_p2pdma_bin()) > 0);
	assert_refused(cmd, dir, "t.log.gz:");
	free(cmd);
	/* Plain text cut inside the lspci -nnDvvvxxxx section (it starts near line 5979). */
	assert_true(asprintf(&cmd, "zcat %s | head -20000 > %%s/c.log; %s -i %%s/c.log topo",
			     RV, tu_p2pdma_bin()) > 0);
	assert_refused(cmd, dir, "c.log:20000: the report is cut short inside its lspci section");
	free(cmd);
	/* One hex byte made bad: the report's own line number. */
	st = tu_run(&out, &err, "zcat %s | grep -n '^10: ' | head -1 | cut -d: -f1", RV);
	assert_int_equal(st, 0);
	line = atoi(out);
	assert_true(line > 5979);
	free(out);
	free(err);
	assert_true(asprintf(&cmd, "zcat %s | sed '%ds/^10: ../10: zz/' > %%s/b.log; %s -i %%s/b.log topo",
			     RV, line, tu_p2pdma_bin()) > 0);
	snprintf(want, sizeof(want), "b.log:%d: bad hex", line);
	assert_refused(cmd, dir, want);
	free(cmd);
	tu_rmtree(dir);
	free(dir);
}

/*
 * A report made without root (tests/data/bugreport/README.md: the real
 * i9 report's header, `lspci -nntv` and `lspci -nn` only).  Parents must
 * be those of the same machine loaded from its root dump, which lspci
 * drew in `-nntv` (the README's chains); no function may carry ACS, so
 * the GPU pair below the PEX 8747 is uncertain.
 */
static void test_rootless(void **state)
{
	static const char *const c1[] = { "1a:00.0", "18:10.0", "17:00.0", "16:00.0", "-" };
	static const char *const c2[] = { "67:00.0", "66:08.0", "65:00.0", "64:00.0", "-" };
	static const char *const c3[] = { "68:00.0", "66:10.0", "65:00.0", "64:00.0", "-" };
	char *path = tu_data_path("bugreport/i9-rootless.nvidia-bug-report.log");
	struct p2pdma_fabric *f = load(path), *g = load(RV);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *a, *b;
	struct p2pdma_verdict *v;
	size_t i;

	(void)state;
	assert_int_equal(f->nr_fns, g->nr_fns);
	for (i = 0; i < f->nr_fns; i++) {
		assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->bdf, &g->fns[i]->bdf), 0);
		assert_int_equal(f->fns[i]->vendor, g->fns[i]->vendor);
		assert_int_equal(f->fns[i]->device, g->fns[i]->device);
		assert_int_equal(f->fns[i]->class_code >> 8, g->fns[i]->class_code >> 8);
		assert_int_equal(!f->fns[i]->parent, !g->fns[i]->parent);
		if (f->fns[i]->parent)
			assert_int_equal(p2pdma_bdf_cmp(&f->fns[i]->parent->bdf,
							&g->fns[i]->parent->bdf), 0);
		assert_int_equal(f->fns[i]->acs_state, P2PDMA_ACS_UNKNOWN);
	}
	assert_chain(f, c1);
	assert_chain(f, c2);
	assert_chain(f, c3);
	assert_string_equal(f->kernel_release, "6.5.0-17-generic");
	assert_int_equal(p2pdma_fabric_lookup(f, "67:00.0", &a, NULL), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "68:00.0", &b, NULL), 0);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, NULL), 0);
	assert_false(v->certain);
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
	free(path);
}

/* Tree and -nn lines damaged in the root-less report: file, line, exit 2. */
static void test_rootless_damaged(void **state)
{
	char *path = tu_data_path("bugreport/i9-rootless.nvidia-bug-report.log");
	char *dir = tu_mkdtemp();

	(void)state;
	/* Line 19 is "-+-[0000:b2]-+-05.0 ..."; a bus number that is no hex. */
	assert_edit_refused("sed '19s/0000:b2/0000:zz/'", path, dir,
			    "r.log:19: a root bus is drawn '[DDDD:BB]'");
	/* A bridge's range broken. */
	assert_edit_refused("sed '33s/-\\[65-68\\]/-[65-6]/'", path, dir,
			    "r.log:33: a bridge's buses are drawn");
	/* The GPU 68:00.0 taken out of the tree: -nn still lists it. */
	assert_edit_refused("sed '35s/+-00.0 .*/--00.1/;36d'", path, dir,
			    "the 'lspci -t' tree does not place it");
	/* A function in the tree that -nn lacks. */
	assert_edit_refused("grep -v '^68:00.0 '", path, dir,
			    "r.log:35: a function in the 'lspci -t' tree that 'lspci -nn' does not list");
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/*
 * The hand-made report (tests/data/bugreport/README.md): the root-less i9
 * report plus `nvidia-smi --query` headings and a `nvidia-smi topo -m`
 * written in nvidia-smi's documented format, its classes hand-worked from
 * the README's tree: GPU0 (1a:00.0, root port 16:00.0) and the other two
 * sit below different host bridges of the one socket (NODE); GPU1 and
 * GPU2 share the PEX 8747, one switch (PIX).
 */
static void test_nvsmi_topo(void **state)
{
	char *path = tu_data_path("bugreport/i9-nvsmi.nvidia-bug-report.log");
	struct p2pdma_fabric *f = load(path);
	char *out, *err;
	int st;

	(void)state;
	assert_int_equal(f->nr_nv_paths, 3);
	assert_string_equal(f->nv_paths[2].name_a, "GPU1");
	assert_string_equal(f->nv_paths[2].name_b, "GPU2");
	assert_string_equal(f->nv_paths[2].cls, "PIX");
	assert_true(f->nv_paths[2].bdf_known);
	assert_int_equal(f->nv_paths[2].a.bus, 0x67);
	assert_int_equal(f->nv_paths[2].b.bus, 0x68);
	p2pdma_fabric_free(f);
	st = tu_run(&out, &err, "%s -i %s topo", tu_p2pdma_bin(), path);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "GPU0   0000:1a:00.0  GPU1   0000:67:00.0  nvidia-smi NODE  p2pdma NODE\n"));
	assert_non_null(strstr(out, "GPU1   0000:67:00.0  GPU2   0000:68:00.0  nvidia-smi PIX   p2pdma PIX\n"));
	free(out);
	free(err);
	free(path);
}

/*
 * `topo --json` keeps the matrix under "nvidia_paths" (doc/json-format.md)
 * with the same hand-worked classes and the addresses of the report's
 * `nvidia-smi --query` headings; reading that JSON back and writing it
 * again gives the same bytes, and text `topo` on it shows the same lines.
 */
static void test_nvsmi_json(void **state)
{
	char *path = tu_data_path("bugreport/i9-nvsmi.nvidia-bug-report.log");
	char *dir = tu_mkdtemp(), *out, *err, *again, *cmd;
	int st;

	(void)state;
	st = tu_run(&out, &err, "%s -i %s topo --json > %s/m.json && cat %s/m.json",
		    tu_p2pdma_bin(), path, dir, dir);
	assert_int_equal(st, 0);
	assert_non_null(strstr(out, "  \"nvidia_paths\": [\n"
		"    { \"a\": \"GPU0\", \"a_bdf\": \"0000:1a:00.0\", \"b\": \"GPU1\", \"b_bdf\": \"0000:67:00.0\", \"class\": \"NODE\" },\n"
		"    { \"a\": \"GPU0\", \"a_bdf\": \"0000:1a:00.0\", \"b\": \"GPU2\", \"b_bdf\": \"0000:68:00.0\", \"class\": \"NODE\" },\n"
		"    { \"a\": \"GPU1\", \"a_bdf\": \"0000:67:00.0\", \"b\": \"GPU2\", \"b_bdf\": \"0000:68:00.0\", \"class\": \"PIX\" }\n"
		"  ]\n}\n"));
	free(err);
	assert_int_equal(tu_run(&again, &err, "%s -i %s/m.json topo --json", tu_p2pdma_bin(), dir), 0);
	assert_string_equal(again, out);
	free(again);
	free(err);
	assert_int_equal(tu_run(&again, &err, "%s -i %s/m.json topo", tu_p2pdma_bin(), dir), 0);
	assert_non_null(strstr(again, "GPU1   0000:67:00.0  GPU2   0000:68:00.0  nvidia-smi PIX   p2pdma PIX\n"));
	free(again);
	free(err);
	/* The loader is strict about this key too: the JSON path, exit 2. */
	assert_true(asprintf(&cmd, "sed 's/\"class\": \"PIX\"/\"class\": \"PIZ\"/' %%s/m.json > %%s/b.json; %s -i %s/b.json topo",
			     tu_p2pdma_bin(), dir) > 0);
	assert_refused(cmd, dir, "b.json: $.nvidia_paths[2].class: \"PIZ\" is not PIX");
	free(cmd);
	assert_true(asprintf(&cmd, "sed '0,/\"a_bdf\": \"0000:1a:00.0\"/s//\"a_bdf\": null/' %%s/m.json > %%s/b.json; %s -i %s/b.json topo",
			     tu_p2pdma_bin(), dir) > 0);
	assert_refused(cmd, dir, "b.json: $.nvidia_paths[0].b_bdf: both addresses or neither");
	free(cmd);
	assert_true(asprintf(&cmd, "sed 's/\"class\": \"NODE\"/\"class\": \"NODE\", \"x\": 1/' %%s/m.json > %%s/b.json; %s -i %s/b.json topo",
			     tu_p2pdma_bin(), dir) > 0);
	assert_refused(cmd, dir, "b.json: $.nvidia_paths[0].x: unknown key");
	free(cmd);
	free(out);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/* A dump of a function the tree does not place, with other ids, or damaged: its line, exit 2. */
static void test_rootless_dump_refused(void **state)
{
	char *path = tu_data_path("bugreport/i9-rootless-nvdump.nvidia-bug-report.log");
	char *dir = tu_mkdtemp();

	(void)state;
	assert_edit_refused("sed '1929s/^0000:68:00.1/0000:69:00.1/'", path, dir,
			    "r.log:1929: 0000:69:00.1 has a config-space dump but the 'lspci -t' tree does not place it");
	assert_edit_refused("sed '/^1a:00.1 /s/10de:1aef/10de:1aee/'", path, dir,
			    "r.log:640: 0000:1a:00.1: the dump's ids 10de:1aef are not the 10de:1aee 'lspci -nn' gives");
	assert_edit_refused("sed '1032d'", path, dir,
			    "r.log:1032: hex offset does not follow the line before (a line is missing?): '60: 01 68");
	tu_rmtree(dir);
	free(dir);
	free(path);
}

/* A matrix damaged: the report's line, exit 2. */
static void test_nvsmi_damaged(void **state)
{
	char *path = tu_data_path("bugreport/i9-nvsmi.nvidia-bug-report.log");
	char *dir = tu_mkdtemp();

	(void)state;
	assert_edit_refused("sed '318s/PIX/PIZ/'", path, dir,
			    "r.log:318: nvidia-smi topo -m: a cell is not X, PIX");
	assert_edit_refused("sed '319d'", path, dir,
			    "nvidia-smi topo -m: 3 device(s) in the header but 2 row(s)");
	assert_edit_refused("sed '317s/ X /PIX/'", path, dir,
			    "r.log:317: nvidia-smi topo -m: 'X' belongs on the diagonal");
	tu_rmtree(dir);
	free(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retinalvit),
		cmocka_unit_test(test_laniusc),
		cmocka_unit_test(test_file_list),
		cmocka_unit_test(test_unknowns),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_rootless),
		cmocka_unit_test(test_rootless_damaged),
		cmocka_unit_test(test_nvsmi_topo),
		cmocka_unit_test(test_nvsmi_damaged),
		cmocka_unit_test(test_nvsmi_json),
		cmocka_unit_test(test_rootless_dump),
		cmocka_unit_test(test_rootless_dump_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
