// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Robustness audit #2 and #8: the capability walk is the kernel's
 * (drivers/pci/pci.c: __pci_find_next_cap_ttl, pci_find_next_ext_capability)
 * and reads no byte beyond the ones given.  Config bytes are laid out by
 * hand from the PCI/PCIe specifications; expected answers are the kernel's.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "cfgspace.h"

static uint8_t cfg[4096];

static void put16(unsigned int at, unsigned int v)
{
	cfg[at] = v & 0xff;
	cfg[at + 1] = (v >> 8) & 0xff;
}

static void put32(unsigned int at, uint32_t v)
{
	put16(at, v & 0xffff);
	put16(at + 2, v >> 16);
}

/* A type 1 header (root port) with the capability list bit and pointer @ptr. */
static void header(unsigned int ptr)
{
	memset(cfg, 0, sizeof(cfg));
	put16(0x00, 0x8086);
	put16(0x02, 0x2030);
	put16(0x06, 0x0010);		/* Status: Capabilities List */
	cfg[0x0e] = 1;
	cfg[0x34] = (uint8_t)ptr;
}

/* Express capability at @at: root port, x16 8 GT/s both registers. */
static void express(unsigned int at, unsigned int next)
{
	cfg[at] = 0x10;
	cfg[at + 1] = (uint8_t)next;
	put16(at + 2, 0x4 << 4 | 2);
	if (at + 0x10 <= sizeof(cfg))
		put32(at + 0x0c, 3 | 16 << 4);
	if (at + 0x14 <= sizeof(cfg))
		put16(at + 0x12, 3 | 16 << 4);
}

/* Extended capability header: ID, version 1, next. */
static void ext(unsigned int at, unsigned int id, unsigned int next)
{
	put32(at, id | 1u << 16 | next << 20);
}

static struct p2pdma_cfg_info decode(size_t len)
{
	struct p2pdma_bdf bdf = { 0, 0, 1, 0 };
	struct p2pdma_cfg_reader *r;
	struct p2pdma_cfg_info info;
	struct p2pdma_error e;

	assert_int_equal(p2pdma_cfg_reader_new("/nonexistent", &r, &e), 0);
	assert_int_equal(p2pdma_cfg_decode(r, &bdf, cfg, len, &info, &e), 0);
	p2pdma_cfg_reader_free(r);
	return info;
}

/* #2: Express at 0xfc of 256 bytes: the link registers are not there, so unknown. */
static void test_express_at_end_of_256(void **state)
{
	struct p2pdma_cfg_info i;

	(void)state;
	header(0xfc);
	express(0xfc, 0);
	i = decode(256);
	assert_int_equal(i.pcie_type, 4);
	assert_false(i.link_known);
	assert_int_equal(i.link.width, 0);
}

/* #2: ACS at 0xffc: its registers would lie past 4096 bytes: unknown, not garbage. */
static void test_acs_at_end_of_4096(void **state)
{
	struct p2pdma_cfg_info i;

	(void)state;
	header(0x40);
	express(0x40, 0);
	ext(0x100, 0x0001, 0xffc);
	ext(0xffc, 0x000d, 0);
	i = decode(4096);
	assert_true(i.link_known);
	assert_int_equal(i.link.width, 16);
	assert_int_equal(i.acs_state, P2PDMA_ACS_UNKNOWN);
	assert_int_equal(i.shortfall, P2PDMA_CFG_CUT);
}

/* #8: an extended next pointer below 0x100 ends the list (ACS at 0x80 is not seen). */
static void test_ext_next_below_100(void **state)
{
	struct p2pdma_cfg_info i;

	(void)state;
	header(0x40);
	express(0x40, 0);
	ext(0x100, 0x0001, 0x80);
	ext(0x80, 0x000d, 0);
	put16(0x86, 0x1d);
	i = decode(4096);
	assert_int_equal(i.acs_state, P2PDMA_ACS_ABSENT);
}

/* #8: a capability pointer below 0x40 ends the list: not PCIe, no ACS. */
static void test_cap_pointer_below_40(void **state)
{
	struct p2pdma_cfg_info i;

	(void)state;
	header(0x20);
	express(0x20, 0);
	ext(0x100, 0x000d, 0);
	put16(0x106, 0x1d);
	i = decode(4096);
	assert_int_equal(i.pcie_type, -1);
	assert_int_equal(i.acs_state, P2PDMA_ACS_ABSENT);
}

/* #8: the first ACS capability counts (pci_find_ext_capability). */
static void test_first_acs_counts(void **state)
{
	struct p2pdma_cfg_info i;

	(void)state;
	header(0x40);
	express(0x40, 0);
	ext(0x100, 0x000d, 0x200);
	put16(0x104, 0x5f);
	put16(0x106, 0x1d);
	ext(0x200, 0x000d, 0);
	put16(0x204, 0x5f);
	put16(0x206, 0x00);
	i = decode(4096);
	assert_int_equal(i.acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(i.acs_ctrl, 0x1d);
}

/* A standard list that loops on itself ends after 48 steps; no hang, nothing found. */
static void test_cap_loop_ends(void **state)
{
	(void)state;
	header(0x40);
	cfg[0x40] = 0x01;		/* PM, next: itself */
	cfg[0x41] = 0x40;
	assert_int_equal(p2pdma_cfg_find_cap(cfg, 256, 0x10), 0);
	ext(0x100, 0x0001, 0x100);	/* extended self loop */
	assert_int_equal(p2pdma_cfg_find_ext_cap(cfg, 4096, 0x000d), 0);
	/* The same list given only 64 bytes finds nothing past them. */
	express(0x40, 0);
	assert_int_equal(p2pdma_cfg_find_cap(cfg, 64, 0x10), 0);
	assert_int_equal(p2pdma_cfg_find_cap(cfg, 256, 0x10), 0x40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_express_at_end_of_256),
		cmocka_unit_test(test_acs_at_end_of_4096),
		cmocka_unit_test(test_ext_next_below_100),
		cmocka_unit_test(test_cap_pointer_below_40),
		cmocka_unit_test(test_first_acs_counts),
		cmocka_unit_test(test_cap_loop_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
