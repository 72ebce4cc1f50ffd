// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Boundaries of map_sg that the mutation audit (tests-2026-12: D1, D2,
 * D7) found unchecked, on the hand-worked machine of tests/mem/mkfabric.h.
 * Every expected value is worked out by hand from the machine's layout:
 * RAM [0x1000, 0x80000000) and [0x100000000, 0x1080000000); the NVMe's
 * p2pmem pool is the first 32 MiB of BAR 2, [0x380000000000,
 * 0x380001ffffff]; the default maximum DMA segment is 64 KiB, and the
 * kernel's IOMMU path (__finalise_sg) merges while the merged length
 * stays at or below it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"
#include "verdict_stub.h"
#include "dma_internal.h"

#define NVME_P2P 0x380000000000ULL
#define NVME_P2P_END (NVME_P2P + 32 * MiB)	/* one past the pool */

struct ctx {
	struct hand h;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	struct stub stub;
	struct p2pdma_sgl s;
	struct p2pdma_error e;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct p2pdma_dma_opts o = { .verdict = stub_verdict };

	hand_build(&c->h, true);
	assert_int_equal(p2pdma_mem_new(c->h.f, NULL, 0, &c->m, &c->e), 0);
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 0, &c->e), 0);
	c->stub.dflt = P2PDMA_MAP_THRU_HOST_BRIDGE;
	o.verdict_arg = &c->stub;
	assert_int_equal(p2pdma_dma_new(c->m, &o, &c->d, &c->e), 0);
	p2pdma_sgl_init(&c->s);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	p2pdma_sgl_release(&c->s);
	p2pdma_dma_free(c->d);
	p2pdma_mem_free(c->m);
	p2pdma_fabric_free(c->h.f);
	free(c);
	return 0;
}

static void add(struct ctx *c, uint64_t phys, uint64_t len)
{
	assert_int_equal(p2pdma_sgl_add(&c->s, phys, len, &c->e), 0);
}

/*
 * D1: the last page of the first RAM range, [0x7ffff000, 0x7fffffff],
 * is host RAM; for the identity-mapped GPU its DMA address is its CPU
 * address.  One byte more runs past RAM.
 */
static void test_host_ends_on_last_ram_byte(void **state)
{
	struct ctx *c = *state;

	add(c, 0x7ffff000ULL, 4096);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 1);
	assert_int_equal(c->s.sg[0].how, P2PDMA_DMA_DIRECT);
	assert_true(c->s.sg[0].dma_address == 0x7ffff000ULL);
	assert_true(c->s.sg[0].dma_len == 4096);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);
	p2pdma_sgl_release(&c->s);

	/* A single byte: the very last one. */
	add(c, 0x7fffffffULL, 1);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 1);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);
	p2pdma_sgl_release(&c->s);

	add(c, 0x7ffff000ULL, 4097);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "segment 0 [0x7ffff000, 4097 bytes] runs past the end of host RAM at 0x7fffffff");
}

/*
 * D2: a second segment from the same p2pmem range that runs past the
 * range's end must be refused like a first one: [pool+0 4K, last page
 * 8K] ends 4 KiB beyond 0x380001ffffff.
 */
static void test_p2pmem_overrun_after_same_range(void **state)
{
	struct ctx *c = *state;

	add(c, NVME_P2P, 4096);
	add(c, NVME_P2P_END - 4096, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "segment 1 [0x380001fff000, 8192 bytes] runs past the end of the p2pmem range [0x380000000000-0x380001ffffff] of 0000:03:00.0");
	assert_int_equal(c->s.failed, 1);
	assert_false(c->s.mapped);
	p2pdma_sgl_release(&c->s);

	/* Ending exactly on the pool's last byte is fine: two direct entries. */
	add(c, NVME_P2P, 4096);
	add(c, NVME_P2P_END - 8192, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 2);
	assert_true(c->s.sg[1].dma_address == NVME_P2P_END - 8192);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);
}

/*
 * D7: [host 8K, nvme 56K] through the IOMMU for 04:00.0 (group 11):
 * 64 KiB = 16 granules, a power of two, aligned -> 0xffff0000; the two
 * pieces are IOVA-contiguous and 8K + 56K is exactly the 64 KiB maximum
 * segment, so they merge into one entry.  One more page (8K + 60K) does
 * not fit: two entries.
 */
static void test_merge_to_exact_max(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	uint64_t h, n;

	assert_int_equal(p2pdma_mem_host_alloc(c->m, 8192, &h, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 61440, &n, &c->e), 0);
	add(c, h, 8192);
	add(c, n, 57344);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].dma_address == 0xffff0000ULL);
	assert_true(c->s.sg[0].dma_len == 65536);
	assert_int_equal(c->s.sg[0].dma_flags, 0);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
	p2pdma_sgl_release(&c->s);

	/* 68 KiB = 17 granules -> 32 granules (128 KiB aligned): 0xfffe0000. */
	add(c, h, 8192);
	add(c, n, 61440);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 2);
	assert_true(c->s.sg[0].dma_address == 0xfffe0000ULL);
	assert_true(c->s.sg[0].dma_len == 8192);
	assert_true(c->s.sg[1].dma_address == 0xfffe2000ULL);
	assert_true(c->s.sg[1].dma_len == 61440);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_ends_on_last_ram_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p2pmem_overrun_after_same_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_to_exact_max, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
