// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand-built trees with full config space, where every expected value
 * is written by the test: the config bytes come from sysfs_builder.c's
 * layout of the PCI/PCIe specifications, the tree from the directory
 * nesting the test makes.  Then capture tarballs of them (and of a real
 * capture) must load to the very same model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_builder.h"
#include "testutil.h"

#define HB	"sys/devices/pci0000:00"
#define RP	HB "/0000:00:01.0"
#define USP	RP "/0000:01:00.0"
#define DSP0	USP "/0000:02:00.0"
#define DSP1	USP "/0000:02:01.0"
#define NVME	DSP0 "/0000:03:00.0"
#define NIC	DSP1 "/0000:04:00.0"
#define VF0	DSP1 "/0000:04:00.2"
#define VF1	DSP1 "/0000:04:00.3"
#define SHORT	HB "/0000:00:02.0"
#define PCIB	HB "/0000:00:1e.0"
#define LEGACY	PCIB "/0000:05:00.0"
#define VMD	HB "/0000:00:0e.0"
#define VMDRP	VMD "/pci10000:00/10000:00:02.0"
#define VMDEP	VMDRP "/10000:01:00.0"
#define PLAT	"sys/devices/platform/soc/40000000.pcie/pci0001:00/0001:00:00.0"

static struct sb_cfg port(uint16_t device, int type, uint8_t sec, uint8_t sub)
{
	struct sb_cfg c;

	sb_cfg_init(&c, 0x10b5, device, 0x060400);
	c.pcie_type = type;
	c.secondary = sec;
	c.subordinate = sub;
	c.lnk_max_speed = c.lnk_speed = 4;
	c.lnk_max_width = c.lnk_width = 16;
	return c;
}

/*
 * Root port (ACS with RR CR on) -> PEX switch: downstream 02:00.0 (ACS
 * all off) -> NVMe with a published p2pmem pool; downstream 02:01.0 (RR
 * CR on) -> NIC with two VFs.  Beside: an endpoint whose config stops at
 * 256 bytes, a conventional PCI bridge with a PCI card, a VMD domain,
 * and a host bridge that hangs under a platform device.
 */
static void build_machine(const char *root)
{
	struct sb_cfg c;

	c = port(0x2030, SB_PCIE_ROOT_PORT, 1, 4);
	c.vendor = 0x8086;
	c.acs = true;
	c.acs_cap = 0x5f;
	c.acs_ctrl = 0x1d;			/* SV RR CR UF */
	sb_function(root, RP, &c);
	c = port(0x9797, SB_PCIE_UPSTREAM, 2, 4);
	sb_function(root, USP, &c);
	c = port(0x9797, SB_PCIE_DOWNSTREAM, 3, 3);
	c.acs = true;
	c.acs_cap = 0x7f;
	sb_function(root, DSP0, &c);
	c = port(0x9797, SB_PCIE_DOWNSTREAM, 4, 4);
	c.acs = true;
	c.acs_cap = 0x7f;
	c.acs_ctrl = 0x0c;			/* RR CR */
	sb_function(root, DSP1, &c);

	sb_cfg_init(&c, 0x144d, 0xa824, 0x010802);
	c.pcie_type = SB_PCIE_ENDPOINT;
	c.lnk_max_speed = 4;
	c.lnk_max_width = 4;
	c.lnk_speed = 3;
	c.lnk_width = 4;
	c.subsys_vendor = 0x144d;
	c.subsys_device = 0xa801;
	c.revision = 0x02;
	sb_function(root, NVME, &c);
	sb_printf(root, NVME "/resource",
		  "0x00000000c8000000 0x00000000c8003fff 0x0000000000140204\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x000000c000000000 0x000000c0001fffff 0x000000000014220c\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	sb_printf(root, NVME "/numa_node", "1\n");
	sb_printf(root, NVME "/dma_mask_bits", "64\n");
	sb_printf(root, NVME "/p2pmem/size", "2097152\n");
	sb_printf(root, NVME "/p2pmem/available", "1048576\n");
	sb_printf(root, NVME "/p2pmem/published", "1\n");
	sb_symlink(root, NVME "/driver", "../../../../../../../bus/pci/drivers/nvme");
	sb_symlink(root, NVME "/iommu_group", "../../../../../../../kernel/iommu_groups/7");

	sb_cfg_init(&c, 0x15b3, 0x101b, 0x020700);
	c.pcie_type = SB_PCIE_ENDPOINT;
	c.lnk_max_speed = c.lnk_speed = 4;
	c.lnk_max_width = c.lnk_width = 16;
	sb_function(root, NIC, &c);
	sb_symlink(root, NIC "/iommu_group", "../../../../../../../kernel/iommu_groups/8");
	c.device = 0x101c;
	sb_function(root, VF0, &c);
	sb_symlink(root, VF0 "/physfn", "../0000:04:00.0");
	sb_function(root, VF1, &c);
	sb_symlink(root, VF1 "/physfn", "../0000:04:00.0");

	/*
	 * 256 bytes of a PCIe endpoint read as root: sysfs gives root the
	 * size the kernel found, so the kernel sees no ACS (KERNEL-FACTS 11.3).
	 */
	sb_cfg_init(&c, 0x1af4, 0x1041, 0x020000);
	c.pcie_type = SB_PCIE_ENDPOINT;
	c.len = 256;
	c.lnk_max_speed = 2;
	c.lnk_max_width = 1;
	c.lnk_speed = 1;
	c.lnk_width = 1;
	sb_function(root, SHORT, &c);
	/* no link attributes: the Link registers must stand in */
	sb_remove(root, SHORT "/current_link_speed");
	sb_remove(root, SHORT "/current_link_width");
	sb_remove(root, SHORT "/max_link_speed");
	sb_remove(root, SHORT "/max_link_width");

	/* A conventional PCI-PCI bridge on the root bus, with a PCI card: no Express anywhere. */
	sb_cfg_init(&c, 0x8086, 0x244e, 0x060401);
	c.len = 256;
	c.secondary = c.subordinate = 5;
	sb_function(root, PCIB, &c);
	sb_cfg_init(&c, 0x1000, 0x0030, 0x010000);
	c.len = 256;
	sb_function(root, LEGACY, &c);

	/* Intel VMD: its own PCI domain below an endpoint. */
	sb_cfg_init(&c, 0x8086, 0x201d, 0x010400);
	c.pcie_type = 9;			/* root complex integrated endpoint */
	sb_function(root, VMD, &c);
	c = port(0x2032, SB_PCIE_ROOT_PORT, 1, 1);
	c.vendor = 0x8086;
	sb_function(root, VMDRP, &c);
	sb_cfg_init(&c, 0x8086, 0x0a54, 0x010802);
	c.pcie_type = SB_PCIE_ENDPOINT;
	sb_function(root, VMDEP, &c);

	/* A device-tree PCIe controller: the host bridge is not directly in sys/devices. */
	c = port(0x0100, SB_PCIE_ROOT_PORT, 1, 0xff);
	c.vendor = 0x1e0f;
	sb_function(root, PLAT, &c);

	sb_printf(root, "sys/kernel/iommu_groups/7/type", "DMA-FQ\n");
	sb_printf(root, "sys/kernel/iommu_groups/8/type", "identity\n");
	sb_mkdirs(root, "sys/kernel/iommu_groups/9");
	sb_proc(root, "AuthenticAMD", 0x19, 0x01, "BOOT_IMAGE=/vmlinuz pci=disable_acs_redir=0000:02:01.0");
	sb_printf(root, "proc/sys/kernel/osrelease", "6.12.117-amd64\n");
	/* As root reads it: nested entries and other top-level ones are not RAM. */
	sb_printf(root, "proc/iomem",
		  "00000000-00000fff : Reserved\n"
		  "00001000-0009fbff : System RAM\n"
		  "000a0000-000bffff : PCI Bus 0000:00\n"
		  "00100000-bfffffff : System RAM\n"
		  "  01000000-01ffffff : Kernel code\n"
		  "c0000000-febfffff : PCI Bus 0000:00\n"
		  "  c8000000-c8003fff : 0000:03:00.0\n"
		  "    c8000000-c8003fff : nvme\n"
		  "100000000-83fffffff : System RAM\n");
}

struct ctx {
	char *dir, *root;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = tu_mkdtemp();
	assert_true(asprintf(&c->root, "%s/root", c->dir) > 0);
	assert_int_equal(mkdir(c->root, 0755), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	tu_rmtree(c->dir);
	free(c->dir);
	free(c->root);
	free(c);
	return 0;
}

static struct p2pdma_function *at(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *fn = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &fn, &e))
		fail_msg("%s", e.reason);
	return fn;
}

static void test_machine(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_function *fn;
	struct p2pdma_fabric *f;
	char warning[512];
	int warnings;

	(void)state;
	build_machine(c->root);
	f = sb_load(c->root, &warnings, warning, sizeof(warning));
	assert_int_equal(warnings, 0);
	assert_int_equal(f->nr_fns, 15);
	assert_int_equal(f->nr_acs_unknown, 0);

	/* Host bridges: the top one, the platform one, the VMD domain. */
	assert_int_equal(f->nr_hbs, 3);
	assert_string_equal(f->hbs[0]->name, "pci0000:00");
	assert_string_equal(f->hbs[1]->name, "pci0001:00");
	assert_string_equal(f->hbs[2]->name, "pci10000:00");
	assert_int_equal(f->hbs[2]->domain, 0x10000);

	/* Roles from the Express capability's port type. */
	assert_int_equal(at(f, "00:01.0")->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(at(f, "01:00.0")->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	assert_int_equal(at(f, "02:00.0")->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(at(f, "02:01.0")->pcie_type, SB_PCIE_DOWNSTREAM);
	assert_int_equal(at(f, "03:00.0")->role, P2PDMA_ROLE_ENDPOINT);
	assert_int_equal(at(f, "03:00.0")->pcie_type, SB_PCIE_ENDPOINT);
	/* Capabilities read, none Express: a conventional bridge even on the root bus. */
	assert_int_equal(at(f, "00:1e.0")->role, P2PDMA_ROLE_PCI_BRIDGE);
	assert_int_equal(at(f, "00:1e.0")->pcie_type, -1);
	assert_int_equal(at(f, "10000:00:02.0")->role, P2PDMA_ROLE_ROOT_PORT);

	/* Tree from nesting. */
	assert_ptr_equal(at(f, "03:00.0")->parent, at(f, "02:00.0"));
	assert_ptr_equal(at(f, "02:01.0")->parent, at(f, "01:00.0"));
	assert_ptr_equal(at(f, "05:00.0")->parent, at(f, "00:1e.0"));
	assert_null(at(f, "00:0e.0")->parent);
	assert_null(at(f, "10000:00:02.0")->parent);
	assert_ptr_equal(at(f, "10000:00:02.0")->host, f->hbs[2]);
	assert_ptr_equal(at(f, "10000:01:00.0")->parent, at(f, "10000:00:02.0"));
	assert_ptr_equal(at(f, "0001:00:00.0")->host, f->hbs[1]);
	assert_int_equal(at(f, "03:00.0")->depth, 3);

	/* Host RAM: the three top-level "System RAM" lines of proc/iomem. */
	assert_int_equal(f->nr_ram, 3);
	assert_int_equal(f->ram[0].start, 0x1000);
	assert_int_equal(f->ram[0].size, 0x9f000 - 0x1000 + 0xc00);
	assert_int_equal(f->ram[1].start, 0x100000);
	assert_int_equal(f->ram[1].size, 0xc0000000 - 0x100000);
	assert_int_equal(f->ram[2].start, 0x100000000);
	assert_int_equal(f->ram[2].size, 0x740000000);
	assert_int_equal(f->ram[2].numa_node, -1);

	/* ACS: present with the registers, absent, unknown. */
	fn = at(f, "00:01.0");
	assert_int_equal(fn->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(fn->acs_cap, 0x5f);
	assert_int_equal(fn->acs_ctrl, 0x1d);
	assert_int_equal(at(f, "02:00.0")->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(at(f, "02:00.0")->acs_ctrl, 0);
	assert_int_equal(at(f, "02:01.0")->acs_ctrl, P2PDMA_ACS_RR | P2PDMA_ACS_CR);
	assert_int_equal(at(f, "01:00.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(at(f, "03:00.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(at(f, "00:02.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(at(f, "00:1e.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(at(f, "05:00.0")->acs_state, P2PDMA_ACS_ABSENT);

	/* The NVMe drive: ids, BARs, link, NUMA, driver, IOMMU group, p2pmem. */
	fn = at(f, "03:00.0");
	assert_int_equal(fn->subsys_vendor, 0x144d);
	assert_int_equal(fn->subsys_device, 0xa801);
	assert_int_equal(fn->revision, 2);
	assert_int_equal(fn->class_code, 0x010802);
	assert_true(fn->bars[0].start == 0xc8000000 && fn->bars[0].size == 0x4000);
	assert_int_equal(fn->bars[0].flags, P2PDMA_BAR_MEM | P2PDMA_BAR_64);
	assert_true(fn->bars[2].start == 0xc000000000ULL && fn->bars[2].size == 0x200000);
	assert_int_equal(fn->bars[2].flags, P2PDMA_BAR_MEM | P2PDMA_BAR_PREFETCH | P2PDMA_BAR_64);
	assert_int_equal(fn->link.speed, 8000);
	assert_int_equal(fn->link.width, 4);
	assert_int_equal(fn->link.max_speed, 16000);
	assert_int_equal(fn->numa_node, 1);
	assert_int_equal(fn->dma_mask_bits, 64);
	assert_int_equal(at(f, "01:00.0")->dma_mask_bits, -1);
	assert_string_equal(fn->driver, "nvme");
	assert_int_equal(fn->iommu_group, 7);
	assert_true(fn->p2pmem.present && fn->p2pmem.published);
	assert_int_equal(fn->p2pmem.size, 2097152);
	assert_int_equal(fn->p2pmem.available, 1048576);
	assert_false(at(f, "04:00.0")->p2pmem.present);

	/* Link from the Link registers when sysfs has no attribute. */
	fn = at(f, "00:02.0");
	assert_int_equal(fn->link.speed, 2500);
	assert_int_equal(fn->link.max_speed, 5000);
	assert_int_equal(fn->link.width, 1);

	/* VFs and their PF. */
	assert_ptr_equal(at(f, "04:00.2")->physfn, at(f, "04:00.0"));
	assert_ptr_equal(at(f, "04:00.3")->physfn, at(f, "04:00.0"));
	assert_null(at(f, "04:00.0")->physfn);
	assert_ptr_equal(p2pdma_upstream_bridge(at(f, "04:00.3")), at(f, "02:01.0"));

	/* IOMMU groups, types, /proc. */
	assert_int_equal(f->nr_groups, 3);
	assert_string_equal(p2pdma_fabric_iommu_group(f, 7)->type, "DMA-FQ");
	assert_string_equal(p2pdma_fabric_iommu_group(f, 8)->type, "identity");
	assert_null(p2pdma_fabric_iommu_group(f, 9)->type);
	assert_true(f->cpu.known);
	assert_string_equal(f->cpu.vendor, "AuthenticAMD");
	assert_int_equal(f->cpu.family, 0x19);
	assert_string_equal(f->cmdline, "BOOT_IMAGE=/vmlinuz pci=disable_acs_redir=0000:02:01.0");
	assert_string_equal(f->kernel_release, "6.12.117-amd64");
	p2pdma_fabric_free(f);
}

/* The hwloc layout (tree one level down) loads the same. */
static void test_subdirectory_layout(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_fabric *a, *b;
	char *sub;

	build_machine(c->root);
	a = tu_load(c->root);
	assert_true(asprintf(&sub, "%s/outer", c->dir) > 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(tu_run(NULL, NULL, "mv '%s' '%s/my-machine'", c->root, sub), 0);
	b = tu_load(sub);
	sb_assert_same_model(a, b);
	p2pdma_fabric_free(a);
	p2pdma_fabric_free(b);
	free(sub);
}

static void capture_and_compare(const char *root, const char *out,
				const struct p2pdma_fabric *expect)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *got;

	if (p2pdma_capture(root, out, NULL, NULL, &e))
		fail_msg("capture %s: %s", out, e.reason);
	got = tu_load(out);
	sb_assert_same_model(expect, got);
	p2pdma_fabric_free(got);
}

/* Every compression the suffix can pick; the capture is a tarball GNU tar reads too. */
static void test_capture_roundtrip(void **state)
{
	static const char *const names[] = { "c.tar", "c.tar.gz", "c.tgz", "c.tar.bz2", "c.tar.xz" };
	struct ctx *c = *state;
	struct p2pdma_fabric *f;
	char *out = NULL, *listing = NULL;
	size_t i;

	build_machine(c->root);
	f = tu_load(c->root);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		free(out);
		assert_true(asprintf(&out, "%s/%s", c->dir, names[i]) > 0);
		capture_and_compare(c->root, out, f);
	}
	/* Exactly what the loader reads: config and the like, not uevent or irq. */
	assert_int_equal(tu_run(&listing, NULL, "tar -tf '%s'", out), 0);
	assert_non_null(strstr(listing, "sys/devices/pci0000:00/0000:00:01.0/config\n"));
	assert_non_null(strstr(listing, "sys/devices/platform/soc/40000000.pcie/pci0001:00/0001:00:00.0/vendor\n"));
	assert_non_null(strstr(listing, NVME "/p2pmem/published\n"));
	assert_non_null(strstr(listing, VF0 "/physfn\n"));
	assert_non_null(strstr(listing, "sys/bus/pci/devices/0000:03:00.0\n"));
	assert_non_null(strstr(listing, "sys/kernel/iommu_groups/9"));
	assert_non_null(strstr(listing, "proc/cpuinfo\n"));
	assert_non_null(strstr(listing, "proc/iomem\n"));
	assert_null(strstr(listing, "uevent"));
	free(listing);
	/* Nothing left beside the tarball: it was written under a temporary name and renamed. */
	assert_int_equal(tu_run(&listing, NULL, "ls '%s' | grep -c '\\.tar\\.xz\\.' || true", c->dir), 0);
	assert_string_equal(listing, "0\n");
	free(listing);
	free(out);
	p2pdma_fabric_free(f);
}

/* A real capture re-captured from its unpacked tree (hwloc layout) gives the same model. */
static void test_capture_of_real(void **state)
{
	struct ctx *c = *state;
	char *tarball = tu_real_path("sysfs/hwloc-32intel64-2p8co2t+8ve.tar.bz2"), *out;
	struct p2pdma_fabric *f;

	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -xf '%s'", c->root, tarball), 0);
	f = tu_load(tarball);
	assert_true(asprintf(&out, "%s/re.tar.gz", c->dir) > 0);
	capture_and_compare(c->root, out, f);
	p2pdma_fabric_free(f);
	free(out);
	free(tarball);
}

/*
 * The machine changes while it is captured: capture loads the machine
 * first, and refuses a copy that would load as another machine, naming
 * the first line that differs on each side, and leaves no file.  The
 * change is made from capture's log call as it starts copying the host
 * bridge, after the load and before the root port's files are copied:
 * the port gains a BAR that the loaded machine does not have.
 */
static void change_machine(void *root, enum p2pdma_log_level level, const char *msg)
{
	(void)level;
	if (!strstr(msg, "copying the devices under sys/devices/pci0000:00"))
		return;
	sb_printf(root, RP "/resource", "%s%s",
		  "0x00000000fe000000 0x00000000fe0fffff 0x0000000000040200\n",
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
}

static void test_capture_machine_changed(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	char *out, *listing = NULL;

	build_machine(c->root);
	assert_true(asprintf(&out, "%s/c.tar", c->dir) > 0);
	if (p2pdma_capture(c->root, out, change_machine, c->root, &e) != -EIO)
		fail_msg("capture: %s", e.reason);
	/* The port's BAR list: empty as loaded, one BAR as copied. */
	assert_non_null(strstr(e.reason, "capture refused: it would load as a different machine (first difference: the machine has '\"bars\": [],', the capture '\"bars\": ['); did the machine change meanwhile?"));
	assert_int_equal(tu_run(&listing, NULL, "ls -A '%s'", c->dir), 0);
	assert_string_equal(listing, "root\n");
	free(listing);
	free(out);
}

static void test_capture_errors(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	char *out, *empty, *listing = NULL;

	build_machine(c->root);
	assert_true(asprintf(&out, "%s/c.zip", c->dir) > 0);
	assert_int_equal(p2pdma_capture(c->root, out, NULL, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "name the capture .tar, .tar.gz, .tar.bz2 or .tar.xz"));
	free(out);
	assert_true(asprintf(&out, "%s/c.tar", c->dir) > 0);
	assert_int_not_equal(p2pdma_capture("/nonexistent-root", out, NULL, NULL, &e), 0);
	assert_non_null(strstr(e.reason, "/nonexistent-root"));
	assert_true(asprintf(&empty, "%s/empty", c->dir) > 0);
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_not_equal(p2pdma_capture(empty, out, NULL, NULL, &e), 0);
	assert_non_null(strstr(e.reason, "no sys/ directory"));
	assert_int_not_equal(access(out, F_OK), 0);
	free(out);
	free(empty);
	assert_true(asprintf(&out, "%s/no-such-dir/c.tar", c->dir) > 0);
	assert_int_not_equal(p2pdma_capture(c->root, out, NULL, NULL, &e), 0);
	assert_non_null(strstr(e.reason, "cannot create"));
	free(out);
	/* Failed captures leave no temporary files. */
	assert_int_equal(tu_run(&listing, NULL, "ls -A '%s'", c->dir), 0);
	assert_string_equal(listing, "empty\nroot\n");
	free(listing);
}

/*
 * Property: random switch trees with random config lengths and ACS
 * registers load to exactly the tree, roles and ACS states they were
 * made with.
 */
struct gen {
	char path[1024];
	int parent;		/* index, -1: root bus */
	struct sb_cfg cfg;
	struct p2pdma_bdf bdf;
};

static void random_tree(const char *root, uint64_t *s, struct gen *g, int *n, int max)
{
	static const size_t lens[] = { 64, 256, 4096 };
	int next_bus = 1, i;

	*n = 0;
	for (i = 0; i < max; i++) {
		struct gen *x = &g[*n];
		int parent = -1, tries;
		bool bridge = tu_rand(s) % 3 == 0;

		/* a parent among the bridges made so far, or the root bus */
		for (tries = 0; tries < 4 && *n; tries++) {
			int p = (int)(tu_rand(s) % (uint64_t)*n);

			if (g[p].cfg.header_type == 1) {
				parent = p;
				break;
			}
		}
		memset(x, 0, sizeof(*x));
		x->parent = parent;
		x->bdf.bus = parent < 0 ? 0 : g[parent].cfg.secondary;
		x->bdf.dev = (uint8_t)(i % 32);
		x->bdf.fn = (uint8_t)(i / 32 % 8);
		sb_cfg_init(&x->cfg, 0x1000 + (uint16_t)(tu_rand(s) & 0xff), (uint16_t)i,
			     bridge ? 0x060400 : 0x028000);
		x->cfg.pcie_type = bridge ? (parent < 0 ? SB_PCIE_ROOT_PORT : SB_PCIE_DOWNSTREAM) :
					    SB_PCIE_ENDPOINT;
		x->cfg.len = lens[tu_rand(s) % 3];
		x->cfg.acs = bridge && tu_rand(s) % 2;
		x->cfg.acs_cap = 0x7f;
		x->cfg.acs_ctrl = (uint16_t)(tu_rand(s) & 0x7f);
		if (bridge) {
			if (next_bus > 250)
				continue;
			x->cfg.secondary = x->cfg.subordinate = (uint8_t)next_bus++;
		}
		{
			const char *up = parent < 0 ? "sys/devices/pci0000:00" : g[parent].path;
			char name[32];

			snprintf(name, sizeof(name), "0000:%02x:%02x.%x", x->bdf.bus,
				 x->bdf.dev, x->bdf.fn);
			assert_true(strlen(up) + strlen(name) + 2 < sizeof(x->path));
			strcpy(x->path, up);
			strcat(x->path, "/");
			strcat(x->path, name);
		}
		sb_function(root, x->path, &x->cfg);
		(*n)++;
	}
}

static void test_random_trees(void **state)
{
	struct ctx *c = *state;
	uint64_t s = tu_seed();
	static struct gen g[200];
	int round, n, i;

	for (round = 0; round < 8; round++) {
		struct p2pdma_fabric *f;

		assert_int_equal(tu_run(NULL, NULL, "rm -rf '%s/sys'", c->root), 0);
		random_tree(c->root, &s, g, &n, 20 + (int)(tu_rand(&s) % 120));
		f = tu_load(c->root);
		assert_int_equal(f->nr_fns, n);
		for (i = 0; i < n; i++) {
			const struct gen *x = &g[i];
			struct p2pdma_function *fn = p2pdma_fabric_find(f, &x->bdf);
			enum p2pdma_acs_state want;

			assert_non_null(fn);
			assert_int_equal(fn->device, x->cfg.device);
			if (x->parent < 0)
				assert_null(fn->parent);
			else
				assert_int_equal(p2pdma_bdf_cmp(&fn->parent->bdf, &g[x->parent].bdf), 0);
			/* The ACS rule, case by case. */
			if (x->cfg.len < 256)
				want = P2PDMA_ACS_UNKNOWN;
			else if (x->cfg.len == 256)
				want = P2PDMA_ACS_ABSENT;	/* the kernel's own size (11.3) */
			else
				want = x->cfg.acs ? P2PDMA_ACS_PRESENT : P2PDMA_ACS_ABSENT;
			assert_int_equal(fn->acs_state, want);
			if (want == P2PDMA_ACS_PRESENT)
				assert_int_equal(fn->acs_ctrl, x->cfg.acs_ctrl);
			/* The port type is readable from 256 bytes on; below, finalize infers it. */
			if (x->cfg.header_type == 1 && x->cfg.len >= 256)
				assert_int_equal(fn->role, x->parent < 0 ? P2PDMA_ROLE_ROOT_PORT :
						 P2PDMA_ROLE_SWITCH_DOWNSTREAM);
			else if (x->cfg.header_type == 1)
				assert_true(p2pdma_function_is_bridge(fn));
			else
				assert_int_equal(fn->role, P2PDMA_ROLE_ENDPOINT);
		}
		p2pdma_fabric_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subdirectory_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_of_real, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_machine_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_trees, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
