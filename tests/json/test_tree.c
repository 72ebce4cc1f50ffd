// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tree view (p2pdma topo).  Expected lines are worked out by hand from
 * the built-in machine's JSON and from pci.ids; the drawing is checked by
 * reading a random 100+ function tree back from its text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "jtest.h"

static char *tree(const struct p2pdma_fabric *f)
{
	struct p2pdma_error e = { 0 };
	char *s = NULL;

	if (p2pdma_fabric_write_tree(f, &s, &e))
		fail_msg("write_tree: %s", e.reason);
	assert_non_null(s);
	return s;
}

/* @line must be one whole line of @text. */
static void assert_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return;
		p++;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static struct p2pdma_fabric *builtin(const char *name)
{
	struct p2pdma_load_opts o = { .builtin_dir = getenv("P2PDMA_MACHINES_DIR") };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;
	char *path;

	assert_true(asprintf(&path, "builtin:%s", name) > 0);
	o.path = path;
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("%s: %s", path, e.reason);
	free(path);
	return f;
}

/*
 * From data/machines/dual-xeon-8gpu.json: the switch under pci0000:17 has
 * acs_ctrl 29 (SV RR CR UF) on its downstream ports, the one under
 * pci0000:3a has 17 (SV UF); the NoLoad's port trained at x8 8 GT/s of a
 * x16 16 GT/s port.  Names from pci.ids; 8086:347a has no name there, so
 * its class name stands in.
 */
static void test_builtin_dual_xeon(void **state)
{
	struct p2pdma_fabric *f = builtin("dual-xeon-8gpu");
	char *t = tree(f), *again = tree(f);

	(void)state;
	assert_line(t, "CPU: GenuineIntel, family 6 (0x6), model 106 (0x6a)");
	assert_non_null(strstr(t, "\nKernel command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-49-generic "));
	assert_line(t, "6 host bridges, 70 PCI functions");
	assert_line(t, "pci0000:17 (root bus 0000:17, NUMA 0)");
	assert_line(t, "pci0000:ca (root bus 0000:ca, NUMA 1)");
	assert_line(t, "+-0000:17:00.0 endpoint: Intel Corporation Ice Lake Memory Map/VT-d [8086:09a2]; IOMMU group 7; NUMA 0");
	assert_line(t, "\\-0000:17:02.0 root_port: Intel Corporation PCI bridge [8086:347a]; x16 16.0 GT/s; ACS redirect: RR CR; IOMMU group 8; NUMA 0; driver pcieport");
	assert_line(t, "  \\-0000:18:00.0 switch_upstream: Broadcom / LSI PEX880xx PCIe Gen 4 Switch [1000:c010]; x16 16.0 GT/s; IOMMU group 9; NUMA 0; driver pcieport");
	assert_line(t, "    +-0000:19:00.0 switch_downstream: Broadcom / LSI PEX880xx PCIe Gen 4 Switch [1000:c010]; x16 16.0 GT/s; ACS redirect: RR CR; IOMMU group 10; NUMA 0; driver pcieport");
	assert_line(t, "    | \\-0000:1a:00.0 endpoint: NVIDIA Corporation GA100 [A100 PCIe 40GB] [10de:20f1]; x16 16.0 GT/s; IOMMU group 14; NUMA 0; driver nvidia");
	assert_line(t, "    | \\-0000:1c:00.0 endpoint: Mellanox Technologies MT28908 Family [ConnectX-6] [15b3:101b]; x16 16.0 GT/s; IOMMU group 16; NUMA 0; driver mlx5_core");
	assert_line(t, "      \\-0000:1d:00.0 endpoint: Eideticom, Inc NoLoad Hardware Development Kit [1de5:2000]; x8 8.0 GT/s; IOMMU group 17; NUMA 0; driver nvme; p2pmem 16 MiB (published, 16 MiB free)");
	assert_line(t, "    \\-0000:3c:03.0 switch_downstream: Broadcom / LSI PEX880xx PCIe Gen 4 Switch [1000:c010]; x8 8.0 GT/s (max x16 16.0 GT/s); ACS redirect: off; IOMMU group 21; NUMA 0; driver pcieport");
	assert_line(t, "| \\-0000:01:00.0 pci_bridge: ASPEED Technology, Inc. AST1150 PCI-to-PCI Bridge [1a03:1150]; x1 5.0 GT/s; IOMMU group 6; NUMA 0");
	assert_line(t, "|   \\-0000:02:00.0 endpoint: ASPEED Technology, Inc. ASPEED Graphics Family [1a03:2000]; IOMMU group 6; NUMA 0; driver ast");
	/* Every ACS state is known: no closing note. */
	assert_null(strstr(t, "ACS state unknown"));
	/* Deterministic. */
	assert_string_equal(t, again);
	free(t);
	free(again);
	p2pdma_fabric_free(f);
}

static void test_builtin_amd(void **state)
{
	struct p2pdma_fabric *f = builtin("amd-epyc-2gpu");
	char *t = tree(f);

	(void)state;
	assert_line(t, "CPU: AuthenticAMD, family 25 (0x19), model 1 (0x1)");
	assert_line(t, "3 host bridges, 21 PCI functions");
	assert_line(t, "  \\-0000:42:00.3 endpoint: Mellanox Technologies ConnectX Family mlx5Gen Virtual Function [15b3:101e]; VF of 0000:42:00.0; IOMMU group 12; NUMA 0; driver mlx5_core");
	assert_line(t, "  \\-0000:01:00.0 endpoint: Eideticom, Inc NoLoad Hardware Development Kit [1de5:2000]; x8 8.0 GT/s; IOMMU group 4; NUMA 0; driver nvme; p2pmem 16 MiB (published, 12 MiB free)");
	free(t);
	p2pdma_fabric_free(f);
}

/* ---------------------------------------------------------------------- */

static struct p2pdma_function *fn_at(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				     struct p2pdma_function *up, const char *bdf,
				     uint16_t ven, uint16_t dev, uint32_t cls)
{
	struct p2pdma_function t;

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse(bdf, &t.bdf), 0);
	t.vendor = ven;
	t.device = dev;
	t.class_code = cls;
	t.acs_state = P2PDMA_ACS_ABSENT;
	return jt_add(f, hb, up, &t);
}

/* Each field's wording, one function per case. */
static void test_field_forms(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb, *empty;
	struct p2pdma_function *rp, *fn, *vf;
	struct p2pdma_error e = { 0 };
	char *t;

	(void)state;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e), 0);
	hb->bus_offset = 0x1000000000ULL;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, "pci0001:40", 1, 0x40, &empty, &e), 0);
	empty->numa_node = 2;

	rp = fn_at(f, hb, NULL, "00:01.0", 0x8086, 0x2030, 0x060400);
	rp->role = P2PDMA_ROLE_ROOT_PORT;
	rp->secondary_bus = 1;
	rp->subordinate_bus = 1;
	rp->acs_state = P2PDMA_ACS_PRESENT;
	rp->acs_ctrl = 0;
	rp->link = (struct p2pdma_link){ 8000, 4, 8000, 16 };

	/* Known vendor, unknown device: the class name stands in. */
	fn = fn_at(f, hb, rp, "01:00.0", 0x8086, 0xfffe, 0x010802);
	fn->acs_state = P2PDMA_ACS_UNKNOWN;
	fn->link = (struct p2pdma_link){ 0, 0, 8000, 4 };
	fn->p2pmem = (struct p2pdma_p2pmem){ true, false, 1536 * 1024, 0 };
	fn->numa_node = 1;

	vf = fn_at(f, hb, rp, "01:00.1", 0x8086, 0xfffe, 0x010802);
	vf->physfn = fn;
	vf->acs_state = P2PDMA_ACS_UNKNOWN;
	vf->link = (struct p2pdma_link){ 8000, 0, 0, 0 };

	fn = fn_at(f, hb, NULL, "00:02.0", 0x0002, 0x0001, 0x120000);
	fn->acs_state = P2PDMA_ACS_PRESENT;
	fn->acs_ctrl = 0x11;
	fn = fn_at(f, hb, NULL, "00:03.0", 0xfff0, 0x0002, 0xfe0000);
	fn->acs_state = P2PDMA_ACS_PRESENT;
	fn->acs_ctrl = 0x3d;
	fn->iommu_group = 0;
	fn->driver = strdup("vfio-pci");
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);

	t = tree(f);
	assert_string_equal(t,
		"CPU: unknown\n"
		"2 host bridges, 5 PCI functions\n"
		"\n"
		"pci0000:00 (root bus 0000:00, bus address = CPU address + 0x1000000000)\n"
		"+-0000:00:01.0 root_port: Intel Corporation Sky Lake-E PCI Express Root Port A [8086:2030]; x4 8.0 GT/s (max x16 8.0 GT/s); ACS: off\n"
		"| +-0000:01:00.0 endpoint: Intel Corporation Non-Volatile memory controller [8086:fffe]; link down (max x4 8.0 GT/s); ACS: unknown; NUMA 1; p2pmem 1536 KiB (not published, 0 B free)\n"
		"| \\-0000:01:00.1 endpoint: Intel Corporation Non-Volatile memory controller [8086:fffe]; VF of 0000:01:00.0; x? 8.0 GT/s; ACS: unknown\n"
		"+-0000:00:02.0 endpoint: Processing accelerators [0002:0001]; ACS redirect: off\n"
		"\\-0000:00:03.0 endpoint: [fff0:0002]; ACS redirect: RR CR EC; IOMMU group 0; driver vfio-pci\n"
		"\n"
		"pci0001:40 (root bus 0001:40, NUMA 2)\n"
		"\\-(no functions)\n"
		"\n"
		"ACS state unknown for 2 functions: config space not readable (a capture made without root?); nothing is assumed about their ACS redirect bits.\n");
	free(t);
	p2pdma_fabric_free(f);
}

/* ---------------------------------------------------------------------- */

static bool is_last_child(const struct p2pdma_function *fn)
{
	if (fn->parent)
		return fn->parent->children[fn->parent->nr_children - 1] == fn;
	return fn->host->children[fn->host->nr_children - 1] == fn;
}

/*
 * Read a function line back: its depth from the connector's column, the
 * connector and every "| " above it from the model, lspci -t style.
 */
static void check_line(const struct p2pdma_fabric *f, const char *line, size_t len)
{
	struct p2pdma_function *fn;
	struct p2pdma_error e = { 0 };
	const struct p2pdma_function *a;
	char bdf[32];
	size_t col = 0;
	int depth;

	while (col + 1 < len && line[col] != '+' && line[col] != '\\')
		col++;
	assert_true(col % 2 == 0 && line[col + 1] == '-');
	depth = (int)col / 2;
	assert_int_equal(sscanf(line + col + 2, "%31s", bdf), 1);
	assert_int_equal(p2pdma_fabric_lookup(f, bdf, &fn, &e), 0);
	assert_int_equal(fn->depth, depth);
	assert_int_equal(line[col] == '\\', is_last_child(fn));
	for (a = fn->parent; a; a = a->parent)
		assert_memory_equal(line + a->depth * 2, is_last_child(a) ? "  " : "| ", 2);
}

static void test_drawing_reads_back(void **state)
{
	uint64_t rng = tu_seed();
	int rounds = 0;

	(void)state;
	while (rounds < 20) {
		struct p2pdma_fabric *f = jt_random_fabric(&rng, 150);
		const char *p;
		size_t lines = 0;
		char *t;

		if (f->nr_fns < 100) {
			p2pdma_fabric_free(f);
			continue;
		}
		t = tree(f);
		for (p = t; *p; p = strchr(p, '\n') + 1) {
			size_t len = strcspn(p, "\n");

			if (strchr("+\\| ", p[0]) && strncmp(p, "\\-(no functions)", 16)) {
				check_line(f, p, len);
				lines++;
			}
		}
		/* Every function once, nothing else drawn as one. */
		assert_int_equal(lines, f->nr_fns);
		free(t);
		p2pdma_fabric_free(f);
		rounds++;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_dual_xeon),
		cmocka_unit_test(test_builtin_amd),
		cmocka_unit_test(test_field_forms),
		cmocka_unit_test(test_drawing_reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
