// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Graphviz DOT writer on a machine built here by hand, where every
 * node, cluster, edge label and colour can be worked out from the
 * drawing rules (dot.c's header comment); and on the real captures,
 * whose output Graphviz itself must accept.
 *
 *   pci0000:00
 *     00:01.0 root port [01-04], ACS RR CR on
 *       01:00.0 switch upstream [02-04]
 *         02:00.0 downstream [03] -> 03:00.0 GPU (x16 16 GT/s)
 *         02:01.0 downstream [04] -> 04:00.0 NIC (x8 8 GT/s of x16 16 GT/s)
 *         02:1f.0 a switch management endpoint (internal bus)
 *     00:02.0 root port [05] -> 05:00.0 NVMe, driver "nv\"me"
 *     00:00.0 host bridge device (platform, hidden by default)
 *   pci0000:80
 *     80:01.0 root port [81] -> 81:00.0 GPU
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

struct m {
	struct p2pdma_fabric *f;
	struct p2pdma_function *rp, *up, *d0, *d1, *mgmt, *gpu, *nic, *rp2, *nvme, *hbdev;
	struct p2pdma_function *rp3, *gpu2;
};

static struct p2pdma_function *add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, const char *bdf,
				   enum p2pdma_role role, int sec, int sub, uint16_t vendor,
				   uint16_t device, uint32_t cls)
{
	struct p2pdma_function t, *out = NULL;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse(bdf, &t.bdf), 0);
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sub;
	t.vendor = vendor;
	t.device = device;
	t.class_code = cls;
	t.acs_state = P2PDMA_ACS_ABSENT;
	assert_int_equal(p2pdma_fabric_add_function(f, hb, parent, &t, &out, &e), 0);
	return out;
}

static void build(struct m *m)
{
	struct p2pdma_host_bridge *hb, *hb2;
	struct p2pdma_error e = { 0 };
	struct p2pdma_function t;

	m->f = p2pdma_fabric_new();
	assert_int_equal(p2pdma_fabric_add_host_bridge(m->f, NULL, 0, 0, &hb, &e), 0);
	assert_int_equal(p2pdma_fabric_add_host_bridge(m->f, NULL, 0, 0x80, &hb2, &e), 0);
	hb->numa_node = 0;
	m->hbdev = add(m->f, hb, NULL, "00:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 0x8086, 0x2020, 0x060000);
	m->rp = add(m->f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 4, 0x8086, 0x2030, 0x060400);
	m->rp->acs_state = P2PDMA_ACS_PRESENT;
	m->rp->acs_cap = 0x5f;
	m->rp->acs_ctrl = P2PDMA_ACS_RR | P2PDMA_ACS_CR;
	m->rp->link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	m->up = add(m->f, hb, m->rp, "01:00.0", P2PDMA_ROLE_SWITCH_UPSTREAM, 2, 4, 0x10b5, 0x9797, 0x060400);
	m->up->link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	m->d0 = add(m->f, hb, m->up, "02:00.0", P2PDMA_ROLE_SWITCH_DOWNSTREAM, 3, 3, 0x10b5, 0x9797, 0x060400);
	m->d0->link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	m->d1 = add(m->f, hb, m->up, "02:01.0", P2PDMA_ROLE_SWITCH_DOWNSTREAM, 4, 4, 0x10b5, 0x9797, 0x060400);
	m->mgmt = add(m->f, hb, m->up, "02:1f.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 0x10b5, 0x87d0, 0x0b4000);
	m->gpu = add(m->f, hb, m->d0, "03:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 0x10de, 0x20b0, 0x030200);
	m->gpu->link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	m->nic = add(m->f, hb, m->d1, "04:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 0x15b3, 0x1017, 0x020000);
	m->nic->link = (struct p2pdma_link){ 8000, 8, 16000, 16 };
	m->rp2 = add(m->f, hb, NULL, "00:02.0", P2PDMA_ROLE_ROOT_PORT, 5, 5, 0x8086, 0x2031, 0x060400);
	p2pdma_function_init(&t);
	p2pdma_bdf_parse("05:00.0", &t.bdf);
	t.vendor = 0x144d;
	t.device = 0xa80a;
	t.class_code = 0x010802;
	t.driver = "nvme";
	assert_int_equal(p2pdma_fabric_add_function(m->f, hb, m->rp2, &t, &m->nvme, &e), 0);
	/* The model refuses a quote in a driver name; the writer escapes one all the same. */
	free(m->nvme->driver);
	m->nvme->driver = strdup("nv\"me");
	m->rp3 = add(m->f, hb2, NULL, "80:01.0", P2PDMA_ROLE_ROOT_PORT, 0x81, 0x81, 0x8086, 0x2030, 0x060400);
	m->gpu2 = add(m->f, hb2, m->rp3, "81:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1, 0x10de, 0x20b0, 0x030200);
	assert_int_equal(p2pdma_fabric_finalize(m->f, &e), 0);
}

static char *dot(const struct p2pdma_fabric *f, const struct p2pdma_dot_opts *o)
{
	struct p2pdma_error e = { 0 };
	char *out = NULL;

	if (p2pdma_fabric_write_dot(f, o, &out, &e))
		fail_msg("write_dot: %s", e.reason);
	return out;
}

/* The line of @text that contains @needle (a copy), or NULL. */
static char *line_with(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *b, *n;

	if (!p)
		return NULL;
	for (b = p; b > text && b[-1] != '\n'; b--)
		;
	n = strchr(p, '\n');
	return strndup(b, n ? (size_t)(n - b) : strlen(b));
}

static void has_line(const char *text, const char *needle, const char *also)
{
	char *l = line_with(text, needle);

	if (!l)
		fail_msg("no line with %s in:\n%s", needle, text);
	if (also && !strstr(l, also))
		fail_msg("line '%s' lacks '%s'", l, also);
	free(l);
}

static void lacks(const char *text, const char *needle)
{
	const char *hit = strstr(text, needle);

	if (hit)
		fail_msg("unexpected: %.80s", hit);
}

static void test_structure(void **state)
{
	struct m m;
	char *t, *cl, *end;

	(void)state;
	build(&m);
	t = dot(m.f, NULL);
	assert_int_equal(strncmp(t, "// ", 3), 0);
	assert_non_null(strstr(t, "digraph p2pdma {"));
	/* Host bridges, with NUMA when known, kept in order by an invisible chain. */
	has_line(t, "{ rank=same; \"pci0000:00\" -> \"pci0000:80\" [style=invis]; }", NULL);
	has_line(t, "\"pci0000:00\" [label=\"pci0000:00\\nhost bridge\\nNUMA node 0\"", NULL);
	has_line(t, "\"pci0000:80\" [label=", NULL);
	/* The switch cluster holds the upstream port, both downstream ports and the internal endpoint. */
	cl = strstr(t, "subgraph \"cluster_0000:01:00.0\"");
	assert_non_null(cl);
	end = strstr(cl, "\t}\n");
	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(cl, "\"0000:01:00.0\" [label="));
	assert_non_null(strstr(cl, "\"0000:02:00.0\" [label="));
	assert_non_null(strstr(cl, "\"0000:02:01.0\" [label="));
	assert_non_null(strstr(cl, "\"0000:02:1f.0\" [label="));
	assert_null(strstr(cl, "\"0000:03:00.0\" [label="));
	*end = '\t';
	/* Tree edges; link labels only on physical links. */
	has_line(t, "\"pci0000:00\" -> \"0000:00:01.0\"", NULL);
	has_line(t, "\"0000:00:01.0\" -> \"0000:01:00.0\"", "label=\"x16 16.0 GT/s\"");
	lacks(t, "\"0000:01:00.0\" -> \"0000:02:00.0\" [label");
	has_line(t, "\"0000:02:00.0\" -> \"0000:03:00.0\"", "label=\"x16 16.0 GT/s\"");
	has_line(t, "\"0000:02:01.0\" -> \"0000:04:00.0\"", "label=\"x8 8.0 GT/s (max x16 16.0 GT/s)\"");
	has_line(t, "\"pci0000:80\" -> \"0000:80:01.0\"", NULL);
	/* ACS redirect: filled red, the bits said. */
	has_line(t, "\"0000:00:01.0\" [label=", "fillcolor=\"#f5b7b1\"");
	has_line(t, "\"0000:00:01.0\" [label=", "ACS: RR CR");
	has_line(t, "\"0000:00:01.0\" [label=", "root port [01-04]");
	has_line(t, "\"0000:02:00.0\" [label=", "no ACS");
	has_line(t, "\"0000:02:00.0\" [label=", "switch downstream port [03]");
	assert_non_null(strstr(t, "red fill: ACS redirect on"));
	/* Endpoints: class and name; quotes in a driver name escaped. */
	has_line(t, "\"0000:05:00.0\" [label=", "Non-Volatile memory controller\\n(nv\\\"me)");
	has_line(t, "\"0000:03:00.0\" [label=", "NVIDIA");
	/* The host bridge device is platform plumbing: left out, and counted. */
	lacks(t, "\"0000:00:00.0\"");
	assert_non_null(strstr(t, "1 platform function(s) and empty port(s) not drawn"));
	free(t);
	p2pdma_fabric_free(m.f);
}

static void test_all_and_empty_ports(void **state)
{
	struct p2pdma_dot_opts o = { .all = true };
	struct m m;
	char *t;

	(void)state;
	build(&m);
	t = dot(m.f, &o);
	has_line(t, "\"0000:00:00.0\" [label=", NULL);
	lacks(t, "not drawn");
	free(t);
	p2pdma_fabric_free(m.f);
}

/* Same fabric, same options: same bytes. */
static void test_deterministic(void **state)
{
	const struct p2pdma_function *p[] = { NULL, NULL };
	struct p2pdma_dot_path path = { p, 2, P2PDMA_DOT_GREEN, "BUS_ADDR" };
	struct p2pdma_dot_opts o = { .title = "t", .paths = &path, .nr_paths = 1 };
	struct m a, b;
	char *ta, *tb;

	(void)state;
	build(&a);
	build(&b);
	p[0] = a.gpu;
	p[1] = a.d0;
	ta = dot(a.f, &o);
	p[0] = b.gpu;
	p[1] = b.d0;
	tb = dot(b.f, &o);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	p2pdma_fabric_free(a.f);
	p2pdma_fabric_free(b.f);
}

static void test_paths(void **state)
{
	struct m m;
	const struct p2pdma_function *green[5], *amber[5], *red[4];
	struct p2pdma_dot_path paths[3];
	struct p2pdma_dot_opts o = { .title = "three \"paths\"", .paths = paths, .nr_paths = 3 };
	char *t;

	(void)state;
	build(&m);
	/* GPU <-> NIC below the switch. */
	green[0] = m.gpu; green[1] = m.d0; green[2] = m.up; green[3] = m.d1; green[4] = m.nic;
	/* GPU <-> NVMe through the host bridge (two root ports). */
	amber[0] = m.gpu; amber[1] = m.d0; amber[2] = m.up; amber[3] = m.rp; amber[4] = m.rp2;
	/* NVMe <-> the other socket's GPU: refused. */
	red[0] = m.nvme; red[1] = m.rp2; red[2] = m.rp3; red[3] = m.gpu2;
	paths[0] = (struct p2pdma_dot_path){ green, 5, P2PDMA_DOT_GREEN, "BUS_ADDR" };
	paths[1] = (struct p2pdma_dot_path){ amber, 5, P2PDMA_DOT_AMBER, NULL };
	paths[2] = (struct p2pdma_dot_path){ red, 4, P2PDMA_DOT_RED, "NOT_SUPPORTED" };
	t = dot(m.f, &o);
	/* Green only where no worse path goes: the NIC side. */
	has_line(t, "\"0000:02:01.0\" -> \"0000:04:00.0\"", "color=\"#1e8449\"");
	has_line(t, "\"0000:01:00.0\" -> \"0000:02:01.0\"", "color=\"#1e8449\"");
	/* The GPU's links carry both: amber (worse) wins. */
	has_line(t, "\"0000:02:00.0\" -> \"0000:03:00.0\"", "color=\"#d68910\"");
	has_line(t, "\"0000:00:01.0\" -> \"0000:01:00.0\"", "color=\"#d68910\"");
	/* Between root ports: both root-bus links; the NVMe's side is red (worse). */
	has_line(t, "\"pci0000:00\" -> \"0000:00:01.0\"", "color=\"#d68910\"");
	has_line(t, "\"pci0000:00\" -> \"0000:00:02.0\"", "color=\"#c0392b\"");
	/* Across host bridges: a dashed line between them. */
	has_line(t, "\"pci0000:00\" -> \"pci0000:80\" [style=dashed", "color=\"#c0392b\"");
	has_line(t, "\"0000:80:01.0\" -> \"0000:81:00.0\"", "color=\"#c0392b\"");
	has_line(t, "\"pci0000:80\" -> \"0000:80:01.0\"", "color=\"#c0392b\"");
	/* A link no path takes stays plain. */
	has_line(t, "\t\"0000:01:00.0\" -> \"0000:02:1f.0\";", NULL);
	/* Nodes on a path get its colour; the title lists the paths. */
	has_line(t, "\"0000:04:00.0\" [label=", "color=\"#1e8449\", penwidth=3");
	has_line(t, "\"0000:03:00.0\" [label=", "color=\"#d68910\", penwidth=3");
	assert_non_null(strstr(t, "three \\\"paths\\\"\\n"));
	assert_non_null(strstr(t, "green: 0000:03:00.0 -> 0000:04:00.0, BUS_ADDR\\n"));
	assert_non_null(strstr(t, "amber: 0000:03:00.0 -> 0000:00:02.0\\n"));
	assert_non_null(strstr(t, "red: 0000:05:00.0 -> 0000:81:00.0, NOT_SUPPORTED\\n"));
	free(t);
	p2pdma_fabric_free(m.f);
}

/* A path drawn in compact mode keeps even a hidden function. */
static void test_path_shows_hidden(void **state)
{
	struct m m;
	const struct p2pdma_function *p[2];
	struct p2pdma_dot_path path = { p, 2, P2PDMA_DOT_GREEN, NULL };
	struct p2pdma_dot_opts o = { .paths = &path, .nr_paths = 1 };
	char *t;

	(void)state;
	build(&m);
	p[0] = m.hbdev;
	p[1] = m.rp;
	t = dot(m.f, &o);
	has_line(t, "\"0000:00:00.0\" [label=", "penwidth=3");
	free(t);
	p2pdma_fabric_free(m.f);
}

static void test_bad_paths(void **state)
{
	struct m m, other;
	const struct p2pdma_function *p[2];
	struct p2pdma_dot_path path = { p, 2, P2PDMA_DOT_GREEN, NULL };
	struct p2pdma_dot_opts o = { .paths = &path, .nr_paths = 1 };
	struct p2pdma_error e = { 0 };
	char *out = (char *)1;

	(void)state;
	build(&m);
	build(&other);
	p[0] = m.gpu;
	p[1] = other.nic;
	assert_int_equal(p2pdma_fabric_write_dot(m.f, &o, &out, &e), -EINVAL);
	assert_null(out);
	assert_non_null(strstr(e.reason, "not part of this fabric"));
	p[1] = m.nic;
	path.color = (enum p2pdma_dot_color)7;
	assert_int_equal(p2pdma_fabric_write_dot(m.f, &o, &out, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "unknown colour"));
	path.color = P2PDMA_DOT_RED;
	path.nr_fns = 0;
	assert_int_equal(p2pdma_fabric_write_dot(m.f, &o, &out, &e), -EINVAL);
	p2pdma_fabric_free(m.f);
	p2pdma_fabric_free(other.f);
}

/* Graphviz accepts what we write for every real capture. */
static void test_graphviz_accepts_real(void **state)
{
	static const char *const files[] = {
		"lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt",
		"lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt",
		"lspci/pciutils-tree-asus-p6t6.txt",
		"lspci/pciutils-PCI-X-bridges-and-domains.txt",
		"nccl/oci-BM.GPU4.8-rome-8xA100-pex88096.xml",
		"nccl/azhpc-ndv4-topo.xml",
		"nccl/rccl-topo_16p1h_vm.xml",
	};
	char *dir;
	size_t i;

	(void)state;
	if (tu_run(NULL, NULL, "command -v dot >/dev/null") != 0)
		fail_msg("Graphviz's dot is not installed: install graphviz (./build.sh deps)");
	dir = tu_mkdtemp();
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = tu_real_path(files[i]), *gv, *err = NULL;
		struct p2pdma_fabric *f = tu_load(path);
		struct p2pdma_dot_opts o = { .all = (i % 2) == 1 };
		char *t = dot(f, &o);
		int rc;

		assert_true(asprintf(&gv, "%s/g.dot", dir) > 0);
		assert_int_equal(tu_write_file(gv, t, strlen(t)), 0);
		rc = tu_run(NULL, &err, "dot -Tsvg -o %s/g.svg %s", dir, gv);
		if (rc != 0 || (err && *err))
			fail_msg("dot rejects the graph of %s: %s", files[i], err ? err : "");
		free(err);
		free(gv);
		free(t);
		p2pdma_fabric_free(f);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_all_and_empty_ports),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_path_shows_hidden),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_graphviz_accepts_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
