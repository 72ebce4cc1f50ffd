// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA mapping with the real policy layer deciding, on the hand-worked
 * machine of tests/mem/mkfabric.h (no function has an ACS capability,
 * the CPU is unknown).  Verdicts worked out by hand from the kernel's
 * rules (KERNEL-FACTS 1.2, 1.4):
 *  - 03:00.0 -> 04:00.0: common upstream device 01:00.0, no ACS: BUS_ADDR.
 *  - 41:00.0 -> 41:00.1: functions under one root port: BUS_ADDR.
 *  - 03:00.0 -> 05:00.0: different root ports, no common device; the
 *    root bus's first device (00:01.0, IDs 0000:0000) is on no allow-list
 *    and the CPU is not known to be AMD Zen: NOT_SUPPORTED.
 *  - 41:00.0 -> 04:00.0: different host bridges: NOT_SUPPORTED likewise.
 *  - With an AMD family 0x19 CPU the last two become THRU_HOST_BRIDGE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"
#include "dma_internal.h"

static void test_policy_decides(void **state)
{
	struct p2pdma_cpu zen = { .known = true, .vendor = "AuthenticAMD", .family = 0x19 };
	struct p2pdma_error e = { 0 };
	struct p2pdma_provider *pn, *pc;
	struct p2pdma_policy *pol;
	struct p2pdma_dma_opts o = { 0 };
	struct p2pdma_sgl s;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	uint64_t n, c;
	struct hand h;

	(void)state;
	hand_build(&h, true);
	pol = p2pdma_policy_new(h.f);
	assert_non_null(pol);
	assert_int_equal(p2pdma_mem_new(h.f, NULL, 0, &m, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.nvme, 2, 32 * MiB, 0, &e), 0);
	assert_int_equal(p2pdma_provider_add(m, h.cmb, 2, 0, 0, &e), 0);
	pn = p2pdma_provider_find(m, h.nvme);
	pc = p2pdma_provider_find(m, h.cmb);
	o.policy = pol;
	assert_int_equal(p2pdma_dma_new(m, &o, &d, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 65536, &n, &e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pc, 2 * MiB, &c, &e), 0);

	p2pdma_sgl_init(&s);
	assert_int_equal(p2pdma_sgl_add(&s, n, 65536, &e), 0);
	assert_int_equal(p2pdma_sgl_add(&s, c, 2 * MiB, &e), 0);

	/* The NIC: NVMe by bus address, the CMB refused -> nothing mapped. */
	assert_int_equal(p2pdma_dma_map_sg(d, h.nic, &s, &e), -EREMOTEIO);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.sg[0].map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(s.sg[1].map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_non_null(strstr(e.reason,
			       "segment 1 (p2pmem of 0000:41:00.0 at 0x400000200000, 2097152 bytes): client 0000:04:00.0 cannot do peer-to-peer DMA with provider 0000:41:00.0 (NOT_SUPPORTED): "));
	/* ... followed by the policy's own reason. */
	assert_true(strlen(strstr(e.reason, "(NOT_SUPPORTED): ")) > strlen("(NOT_SUPPORTED): ") + 10);

	/* The GPU behind the other root port: refused on segment 0. */
	assert_int_equal(p2pdma_dma_map_sg(d, h.gpu, &s, &e), -EREMOTEIO);
	assert_int_equal(s.failed, 0);

	/* An AMD Zen CPU allows the host-bridge paths. */
	p2pdma_fabric_set_cpu(h.f, &zen);
	assert_int_equal(p2pdma_dma_map_sg(d, h.nic, &s, &e), 2);
	assert_int_equal(s.sg[0].how, P2PDMA_DMA_BUS_ADDR);
	assert_true(s.sg[0].seg_dma == n);
	assert_int_equal(s.sg[1].how, P2PDMA_DMA_IOVA);
	assert_int_equal(s.sg[1].map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(p2pdma_dma_unmap_sg(d, h.nic, &s, &e), 0);
	assert_int_equal(p2pdma_dma_map_sg(d, h.gpu, &s, &e), 2);
	assert_int_equal(s.sg[0].how, P2PDMA_DMA_DIRECT);
	assert_true(s.sg[1].seg_dma == c);
	assert_int_equal(p2pdma_dma_unmap_sg(d, h.gpu, &s, &e), 0);
	p2pdma_sgl_release(&s);

	/* The CMB's sibling function: bus address with the offset of pci0000:40. */
	assert_int_equal(p2pdma_sgl_add(&s, c, 4096, &e), 0);
	assert_int_equal(p2pdma_dma_map_sg(d, h.fn1, &s, &e), 1);
	assert_true(s.sg[0].seg_dma == 0x200000);
	assert_int_equal(p2pdma_dma_unmap_sg(d, h.fn1, &s, &e), 0);
	p2pdma_sgl_release(&s);

	p2pdma_dma_free(d);
	p2pdma_mem_free(m);
	p2pdma_policy_free(pol);
	p2pdma_fabric_free(h.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_decides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
