// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysfs trees the mutation audit (tests-2026-12: CF2, LS3) found
 * unchecked, built by hand with sysfs_builder (config bytes laid out
 * from the PCI specification there):
 * - a device in D3cold, or gone, reads as all ones (PCI spec: a read
 *   that no device claims completes with all ones): nothing decoded from
 *   it is real, its ACS state is unknown, and the loader says so in its
 *   one ACS line without asking for root (root would not help);
 * - without subsystem_vendor/subsystem_device files (older kernels,
 *   partial captures) the subsystem IDs come from config space offsets
 *   0x2c and 0x2e.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs_builder.h"
#include "testutil.h"

#define RP "sys/devices/pci0000:00/0000:00:01.0"
#define EP0 RP "/0000:01:00.0"
#define EP1 RP "/0000:01:00.1"

static char *new_root(char **dir)
{
	char *root;

	*dir = tu_mkdtemp();
	assert_non_null(*dir);
	assert_true(asprintf(&root, "%s/root", *dir) > 0);
	assert_int_equal(mkdir(root, 0755), 0);
	return root;
}

/* Root port with ACS (RR CR on), two NVMe functions behind it, 4096-byte config each. */
static void tree(const char *root)
{
	struct sb_cfg c;

	sb_cfg_init(&c, 0x8086, 0x2030, 0x060400);
	c.pcie_type = SB_PCIE_ROOT_PORT;
	c.secondary = c.subordinate = 1;
	c.acs = true;
	c.acs_cap = 0x5f;
	c.acs_ctrl = 0x0c;
	sb_function(root, RP, &c);
	sb_cfg_init(&c, 0x144d, 0xa824, 0x010802);
	c.pcie_type = SB_PCIE_ENDPOINT;
	c.subsys_vendor = 0x144d;
	c.subsys_device = 0xa801;
	sb_function(root, EP0, &c);
	c.subsys_device = 0xa812;
	sb_function(root, EP1, &c);
	sb_proc(root, "GenuineIntel", 6, 85, "ro quiet");
}

static void test_all_ones_config(void **state)
{
	static uint8_t ones[4096];
	struct p2pdma_fabric *f;
	char *dir, *root = new_root(&dir), warning[512];
	int warnings;

	(void)state;
	memset(ones, 0xff, sizeof(ones));
	tree(root);
	sb_write(root, EP1 "/config", ones, sizeof(ones));
	f = sb_load(root, &warnings, warning, sizeof(warning));
	assert_int_equal(warnings, 1);
	assert_string_equal(warning,
			    "ACS state unknown for 1 of 3 functions: config space reads as all ones (device not answering)");
	assert_int_equal(tu_fn(f, "01:00.1")->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_int_equal(tu_fn(f, "01:00.1")->pcie_type, -1);
	/* The IDs sysfs cached at enumeration stay; the answering neighbours are read. */
	assert_int_equal(tu_fn(f, "01:00.1")->vendor, 0x144d);
	assert_int_equal(tu_fn(f, "01:00.0")->pcie_type, SB_PCIE_ENDPOINT);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_ctrl, 0x0c);
	p2pdma_fabric_free(f);

	/* The 64 bytes a non-root read gives, all ones: the same. */
	sb_write(root, EP1 "/config", ones, 64);
	f = sb_load(root, &warnings, warning, sizeof(warning));
	assert_string_equal(warning,
			    "ACS state unknown for 1 of 3 functions: config space reads as all ones (device not answering)");
	p2pdma_fabric_free(f);
	tu_rmtree(dir);
	free(dir);
	free(root);
}

static void test_subsystem_ids_from_config(void **state)
{
	struct p2pdma_fabric *f;
	char *dir, *root = new_root(&dir);

	(void)state;
	tree(root);
	sb_remove(root, EP0 "/subsystem_vendor");
	sb_remove(root, EP0 "/subsystem_device");
	f = sb_load(root, NULL, NULL, 0);
	assert_int_equal(tu_fn(f, "01:00.0")->subsys_vendor, 0x144d);
	assert_int_equal(tu_fn(f, "01:00.0")->subsys_device, 0xa801);
	assert_int_equal(tu_fn(f, "01:00.1")->subsys_device, 0xa812);
	p2pdma_fabric_free(f);
	tu_rmtree(dir);
	free(dir);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_ones_config),
		cmocka_unit_test(test_subsystem_ids_from_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
