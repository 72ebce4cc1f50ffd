// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes, the physical address map and host buffers, on the hand-worked
 * machine of mkfabric.h (every expected owner and offset below is read
 * off that picture, not computed by the code under test).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"

static void test_size_parse(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(p2pdma_size_parse("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(p2pdma_size_parse("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(p2pdma_size_parse("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(p2pdma_size_parse("64k", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(p2pdma_size_parse("64KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(p2pdma_size_parse("2M", &v), 0);
	assert_int_equal(v, 2097152);
	assert_int_equal(p2pdma_size_parse("1G", &v), 0);
	assert_int_equal(v, 1073741824);
	assert_int_equal(p2pdma_size_parse("1T", &v), 0);
	assert_int_equal(v, 1099511627776ULL);
	assert_int_equal(p2pdma_size_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(p2pdma_size_parse("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);

	assert_int_equal(p2pdma_size_parse("", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse(NULL, &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("K", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("-1", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("1.5M", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("64X", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("64 KiB", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(p2pdma_size_parse("64  KiB", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("64 ", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse(" 64", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("0x1000K", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("0x", &v), -EINVAL);
	assert_int_equal(p2pdma_size_parse("18446744073709551616", &v), -ERANGE);
	/* 2^24 TiB = 2^64 bytes */
	assert_int_equal(p2pdma_size_parse("16777216T", &v), -ERANGE);
	assert_int_equal(p2pdma_size_parse("16777215T", &v), 0);
}

static void test_size_format(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(p2pdma_size_format(0, b, sizeof(b)), "0 B");
	assert_string_equal(p2pdma_size_format(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(p2pdma_size_format(4097, b, sizeof(b)), "4097 B");
	assert_string_equal(p2pdma_size_format(65536, b, sizeof(b)), "64 KiB");
	assert_string_equal(p2pdma_size_format(1536 * 1024, b, sizeof(b)), "1.5 MiB");
	assert_string_equal(p2pdma_size_format(1280 * 1024, b, sizeof(b)), "1280 KiB");
	assert_string_equal(p2pdma_size_format(2 * MiB, b, sizeof(b)), "2 MiB");
	assert_string_equal(p2pdma_size_format(GiB, b, sizeof(b)), "1 GiB");
	assert_string_equal(p2pdma_size_format(3ULL << 39, b, sizeof(b)), "1.5 TiB");
	assert_string_equal(p2pdma_size_format(UINT64_MAX, b, sizeof(b)),
			    "18446744073709551615 B");
}

static void expect(const struct p2pdma_addr_map *m, uint64_t phys,
		   enum p2pdma_addr_kind kind, const struct p2pdma_function *fn,
		   int bar, uint64_t start, uint64_t last)
{
	struct p2pdma_addr_owner o;

	p2pdma_addr_map_lookup(m, phys, &o);
	assert_int_equal(o.kind, kind);
	assert_ptr_equal(o.fn, fn);
	assert_int_equal(o.bar, bar);
	assert_true(o.start == start);
	assert_true(o.last == last);
	assert_true(o.offset == phys - start);
}

static void test_map_hand(void **state)
{
	struct p2pdma_addr_map *m = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_addr_owner o;
	struct hand h;

	(void)state;
	hand_build(&h, true);
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), 0);
	/* 2 RAM ranges + nvme BAR0, BAR2 + nic + gpu + cmb; the I/O BAR is not memory. */
	assert_int_equal(p2pdma_addr_map_nr_windows(m), 7);
	assert_true(p2pdma_addr_map_ram_known(m));

	expect(m, 0xf7000010, P2PDMA_ADDR_BAR, h.nvme, 0, 0xf7000000, 0xf7003fff);
	expect(m, 0x380000001234ULL, P2PDMA_ADDR_BAR, h.nvme, 2, 0x380000000000ULL,
	       0x380003ffffffULL);
	/* Last byte of the NVMe BAR, then the NIC BAR right after it. */
	expect(m, 0x380003ffffffULL, P2PDMA_ADDR_BAR, h.nvme, 2, 0x380000000000ULL,
	       0x380003ffffffULL);
	expect(m, 0x380004000000ULL, P2PDMA_ADDR_BAR, h.nic, 0, 0x380004000000ULL,
	       0x380005ffffffULL);
	expect(m, 0x400000200000ULL + 5, P2PDMA_ADDR_BAR, h.cmb, 2, 0x400000200000ULL,
	       0x4000011fffffULL);
	/* 0xe000 is the NVMe's I/O port BAR, but as a memory address it is RAM. */
	expect(m, 0xe000, P2PDMA_ADDR_RAM, NULL, -1, 0x1000, 0x7fffffff);
	expect(m, 0x100000000ULL, P2PDMA_ADDR_RAM, NULL, -1, 0x100000000ULL, 0x107fffffffULL);
	/* Gaps: below the first RAM page, the 32-bit hole, the top of the space. */
	expect(m, 0, P2PDMA_ADDR_UNCLAIMED, NULL, -1, 0, 0xfff);
	expect(m, 0x90000000, P2PDMA_ADDR_UNCLAIMED, NULL, -1, 0x80000000, 0xf6ffffff);
	expect(m, UINT64_MAX, P2PDMA_ADDR_UNCLAIMED, NULL, -1, 0x400001200000ULL,
	       UINT64_MAX);
	p2pdma_addr_map_lookup(m, 0x1000, &o);
	assert_int_equal(o.numa_node, 0);
	assert_string_equal(p2pdma_addr_kind_name(o.kind), "ram");
	p2pdma_addr_map_free(m);

	/* No RAM known: every address no BAR claims is assumed RAM. */
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), 0);
	p2pdma_addr_map_free(m);
	p2pdma_fabric_free(h.f);
	hand_build(&h, false);
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), 0);
	assert_false(p2pdma_addr_map_ram_known(m));
	assert_int_equal(p2pdma_addr_map_nr_windows(m), 5);
	expect(m, 0x1000, P2PDMA_ADDR_RAM_ASSUMED, NULL, -1, 0, 0xf6ffffff);
	expect(m, 0xf7000000, P2PDMA_ADDR_BAR, h.nvme, 0, 0xf7000000, 0xf7003fff);
	p2pdma_addr_map_free(m);

	/* RAM given by the caller replaces the fabric's (none here). */
	{
		struct p2pdma_ram_range ram[] = { { 0x100000, 0x1000000, 1 } };

		assert_int_equal(p2pdma_addr_map_new(h.f, ram, 1, &m, &e), 0);
		assert_true(p2pdma_addr_map_ram_known(m));
		expect(m, 0x100000, P2PDMA_ADDR_RAM, NULL, -1, 0x100000, 0x10fffff);
		expect(m, 0x1000, P2PDMA_ADDR_UNCLAIMED, NULL, -1, 0, 0xfffff);
		p2pdma_addr_map_lookup(m, 0x100000, &o);
		assert_int_equal(o.numa_node, 1);
		p2pdma_addr_map_free(m);
	}
	p2pdma_fabric_free(h.f);
}

/* Two windows that overlap: an input error naming both. */
static void test_map_overlap(void **state)
{
	struct p2pdma_addr_map *m = NULL;
	struct p2pdma_error e = { 0 };
	struct hand h;

	(void)state;
	hand_build(&h, false);
	/* The NIC's BAR moved 1 MiB down into the NVMe's. */
	h.nic->bars[0].start = 0x380003f00000ULL;
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), -EINVAL);
	assert_null(m);
	assert_string_equal(e.reason,
			    "address map: BAR 2 of 0000:03:00.0 [0x380000000000-0x380003ffffff] overlaps BAR 0 of 0000:04:00.0 [0x380003f00000-0x380005efffff]");
	h.nic->bars[0].start = 0x380004000000ULL;

	/* Host RAM over a BAR. */
	{
		struct p2pdma_ram_range ram[] = { { 0xf0000000, 0x8000000, 0 } };

		assert_int_equal(p2pdma_addr_map_new(h.f, ram, 1, &m, &e), -EINVAL);
		assert_string_equal(e.reason,
				    "address map: host RAM [0xf0000000-0xf7ffffff] overlaps BAR 0 of 0000:03:00.0 [0xf7000000-0xf7003fff]");
		ram[0].size = 0;
		assert_int_equal(p2pdma_addr_map_new(h.f, ram, 1, &m, &e), -EINVAL);
		assert_non_null(strstr(e.reason, "host RAM range 0"));
	}
	/* A BAR that is not assigned (address 0) is not in the map. */
	h.nic->bars[0].start = 0;
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_addr_map_nr_windows(m), 4);
	p2pdma_addr_map_free(m);
	p2pdma_fabric_free(h.f);
}

static void test_fabric_ram(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_fabric_add_ram(f, 0, 0, -1, &e), -EINVAL);
	assert_int_equal(p2pdma_fabric_add_ram(f, UINT64_MAX, 2, -1, &e), -EINVAL);
	assert_int_equal(p2pdma_fabric_add_ram(f, 0, UINT64_MAX, -1, &e), 0);
	assert_int_equal(f->nr_ram, 1);
	p2pdma_fabric_free(f);
}

static void test_host_alloc(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_mem *m = NULL;
	uint64_t a;
	struct hand h;

	(void)state;
	hand_build(&h, true);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	/* First RAM range starts at 0x1000; buffers are page-rounded and packed. */
	assert_int_equal(p2pdma_mem_host_alloc(m, 65536, &a, &e), 0);
	assert_true(a == 0x1000);
	assert_int_equal(p2pdma_mem_host_alloc(m, 100, &a, &e), 0);
	assert_true(a == 0x11000);
	assert_int_equal(p2pdma_mem_host_alloc(m, 4096, &a, &e), 0);
	assert_true(a == 0x12000);
	/* 3 GiB does not fit below 2 GiB: the next range at 4 GiB. */
	assert_int_equal(p2pdma_mem_host_alloc(m, 3 * GiB, &a, &e), 0);
	assert_true(a == 0x100000000ULL);
	assert_int_equal(p2pdma_mem_host_alloc(m, 4096, &a, &e), 0);
	assert_true(a == 0x1c0000000ULL);
	assert_int_equal(p2pdma_mem_host_alloc(m, 0, &a, &e), -EINVAL);
	assert_int_equal(p2pdma_mem_host_alloc(m, 64 * GiB, &a, &e), -ENOMEM);
	assert_non_null(strstr(e.reason, "no 64 GiB of host RAM left"));
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);

	/* RAM starting at 0: never page 0, which firmware keeps. */
	{
		struct p2pdma_ram_range ram[] = { { 0, 1 << 20, 0 } };

		hand_build(&h, false);
		assert_int_equal(p2pdma_mem_new(h.f, ram, 1, &m, &e), 0);
		assert_int_equal(p2pdma_mem_host_alloc(m, 4096, &a, &e), 0);
		assert_true(a == 0x1000);
		assert_int_equal(p2pdma_mem_host_alloc(m, 1 << 20, &a, &e), -ENOMEM);
		p2pdma_mem_free(m);
		p2pdma_fabric_free(h.f);
	}

	/* RAM unknown: at or above 4 GiB, stepping over a BAR that sits there. */
	hand_build(&h, false);
	h.f->finalized = false;
	mk_bar(h.gpu, 3, 0x100000000ULL, 2 * MiB, BAR_MEM64P);
	mk_finalize(h.f);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_mem_host_alloc(m, 8192, &a, &e), 0);
	assert_true(a == 0x100200000ULL);
	assert_int_equal(p2pdma_mem_host_alloc(m, 4096, &a, &e), 0);
	assert_true(a == 0x100202000ULL);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

static void test_mem_new_errors(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	struct p2pdma_mem *m = NULL;

	(void)state;
	assert_int_equal(p2pdma_mem_new(f, NULL, 0, &m, &e), -EINVAL);
	assert_string_equal(e.reason, "the machine model is not finalized");
	assert_null(m);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),
		cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_map_hand),
		cmocka_unit_test(test_map_overlap),
		cmocka_unit_test(test_fabric_ram),
		cmocka_unit_test(test_host_alloc),
		cmocka_unit_test(test_mem_new_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
