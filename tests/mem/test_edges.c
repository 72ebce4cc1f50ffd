// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Boundaries of the address map and the buddy allocator that the
 * mutation audit (tests-2026-12: AM1, B1) found unchecked, on the
 * hand-worked machine of mkfabric.h.  Windows are inclusive [start,
 * last]: two windows overlap when the later one starts at or before the
 * earlier one's last byte, and touch (legal) when it starts one byte
 * after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"
#include "mem_internal.h"

/* AM1: BAR over BAR by exactly one byte; then RAM over a BAR by one byte. */
static void test_one_byte_overlap(void **state)
{
	struct p2pdma_addr_map *m = NULL;
	struct p2pdma_error e = { 0 };
	struct hand h;

	(void)state;
	hand_build(&h, false);
	/* NVMe BAR 2 is [0x380000000000-0x380003ffffff]; the NIC's 32 MiB starts on its last byte. */
	h.nic->bars[0].start = 0x380003ffffffULL;
	assert_int_equal(p2pdma_addr_map_new(h.f, NULL, 0, &m, &e), -EINVAL);
	assert_null(m);
	assert_string_equal(e.reason,
			    "address map: BAR 2 of 0000:03:00.0 [0x380000000000-0x380003ffffff] overlaps BAR 0 of 0000:04:00.0 [0x380003ffffff-0x380005fffffe]");
	h.nic->bars[0].start = 0x380004000000ULL;
	{
		/* [0xf0000000-0xf7000000]: its last byte is the NVMe BAR 0's first. */
		struct p2pdma_ram_range ram[] = { { 0xf0000000, 0x7000001, 0 } };

		assert_int_equal(p2pdma_addr_map_new(h.f, ram, 1, &m, &e), -EINVAL);
		assert_string_equal(e.reason,
				    "address map: host RAM [0xf0000000-0xf7000000] overlaps BAR 0 of 0000:03:00.0 [0xf7000000-0xf7003fff]");
	}
	p2pdma_fabric_free(h.f);
}

/* Windows that touch (the next starts one byte after the last) are accepted. */
static void test_touching_windows(void **state)
{
	struct p2pdma_ram_range ram[] = { { 0xf0000000, 0x7000000, 0 } };
	struct p2pdma_addr_map *m = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_addr_owner o;
	struct hand h;

	(void)state;
	hand_build(&h, false);
	assert_int_equal(p2pdma_addr_map_new(h.f, ram, 1, &m, &e), 0);
	p2pdma_addr_map_lookup(m, 0xf6ffffff, &o);
	assert_int_equal(o.kind, P2PDMA_ADDR_RAM);
	assert_true(o.last == 0xf6ffffffULL);
	p2pdma_addr_map_lookup(m, 0xf7000000, &o);
	assert_int_equal(o.kind, P2PDMA_ADDR_BAR);
	assert_ptr_equal(o.fn, h.nvme);
	/* NVMe BAR 2 ends at 0x380003ffffff, the NIC's BAR 0 starts at 0x380004000000. */
	p2pdma_addr_map_lookup(m, 0x380004000000ULL, &o);
	assert_ptr_equal(o.fn, h.nic);
	p2pdma_addr_map_lookup(m, 0x380003ffffffULL, &o);
	assert_ptr_equal(o.fn, h.nvme);
	p2pdma_addr_map_free(m);
	p2pdma_fabric_free(h.f);
}

/*
 * B1: a 2 MiB pool is 512 pages, one order-9 block.  Two 1 MiB buffers
 * are its two order-8 halves; freeing both must merge them back into
 * the order-9 block (blocks bigger than 64 KiB never go to the cache),
 * which the provider's consistency check verifies: a free block whose
 * buddy is free too is an unmerged pair.
 */
static void test_top_order_merge(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *p;
	struct p2pdma_mem *m;
	uint64_t a, b;
	struct hand h;

	(void)state;
	hand_build(&h, true);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.cmb, 2, 2 * MiB, 0, &e), 0);
	p = p2pdma_provider_find(m, h.cmb);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 1 * MiB, &a, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 1 * MiB, &b, &e), 0);
	assert_true(a == 0x400000200000ULL);
	assert_true(b == 0x400000300000ULL);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 1 * MiB, &e), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, b, 1 * MiB, &e), 0);
	assert_int_equal(p2pdma_provider_check(p), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 2 * MiB, &a, &e), 0);
	assert_true(a == 0x400000200000ULL);
	assert_int_equal(p2pdma_provider_check(p), 0);
	assert_int_equal(p2pdma_p2pmem_free(p, a, 2 * MiB, &e), 0);
	p2pdma_mem_free(m);
	p2pdma_fabric_free(h.f);
}

/*
 * The buddy on its own: a second free of a small aligned block (its hot
 * path, the per-order cache) is refused and changes nothing.  Through
 * the pool the per-thread slots refuse it first, so only this test
 * reaches the buddy's own check.
 */
static void test_buddy_double_free(void **state)
{
	struct buddy b;
	int64_t i;

	(void)state;
	assert_int_equal(buddy_init(&b, 64), 0);
	i = buddy_alloc(&b, 4);
	assert_true(i >= 0);
	assert_int_equal(buddy_free(&b, (uint64_t)i, 4), 0);
	assert_int_equal(buddy_free(&b, (uint64_t)i, 4), -EINVAL);
	assert_true(b.free_pages == 64);
	assert_int_equal(buddy_check(&b), 0);
	buddy_destroy(&b);
}

/*
 * The user bits of a range: every block of every slot order has a bit of
 * its own inside the range's array, and two neighbouring blocks (what
 * two threads sharing a pool are handed first) never share a 64-byte
 * cache line, which the cores would otherwise pass to and fro on every
 * alloc and free (bench_mem, a shared pool at two threads).
 */
static void test_user_bits_apart(void **state)
{
	static const uint64_t sizes[] = { 64 << 10, (2 << 20) + 4096, 64 << 20 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct p2pmem_range *r = calloc(1, sizeof(*r));
		unsigned int k;

		assert_non_null(r);
		r->size = sizes[i];
		assert_int_equal(p2pdma_range_user_init(r), 0);
		for (k = 0; k < P2PDMA_SLOT_ORDERS; k++) {
			/* 8 words of 64 bits in each of the 2^shift lines. */
			uint64_t words = (uint64_t)8 << r->user_shift[k];
			uint64_t n = sizes[i] / 4096 >> k, b, bit;
			uint8_t *seen = calloc(words * 64, 1);
			uintptr_t prev = 0;

			assert_non_null(seen);
			for (b = 0; b < n; b++) {
				_Atomic uint64_t *w = p2pdma_range_user_word(r, k, b, &bit);
				uint64_t at = (uint64_t)(w - r->user[k]);

				assert_true(w >= r->user[k] && at < words);
				assert_int_equal(__builtin_popcountll(bit), 1);
				at = at * 64 + (uint64_t)__builtin_ctzll(bit);
				assert_int_equal(seen[at], 0);
				seen[at] = 1;
				if (b)
					assert_true((uintptr_t)w / 64 != prev);
				prev = (uintptr_t)w / 64;
			}
			free(seen);
		}
		p2pdma_range_destroy(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_byte_overlap),
		cmocka_unit_test(test_touching_windows),
		cmocka_unit_test(test_top_order_merge),
		cmocka_unit_test(test_buddy_double_free),
		cmocka_unit_test(test_user_bits_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
