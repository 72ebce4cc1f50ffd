// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand-worked DMA mappings on the machine of tests/mem/mkfabric.h, with
 * the map type of each pair injected.  Expected addresses are worked out
 * by hand from the kernel's rules (KERNEL-FACTS 4, 5.2, 5.3) and the IOVA
 * allocator's documented behaviour (dma.h): a fresh domain hands out the
 * highest aligned range below 4 GiB first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mkfabric.h"
#include "verdict_stub.h"
#include "dma_internal.h"

#define NVME_P2P 0x380000000000ULL	/* first p2pmem byte of 03:00.0 */
#define CMB_P2P 0x400000200000ULL	/* first p2pmem byte of 41:00.0 */

struct ctx {
	struct hand h;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	struct stub stub;
	struct p2pdma_sgl s;
	struct p2pdma_error e;
};

static int setup_with(void **state, uint64_t max_seg)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct p2pdma_dma_opts o = { .verdict = stub_verdict, .max_seg_size = max_seg };

	hand_build(&c->h, true);
	assert_int_equal(p2pdma_mem_new(c->h.f, NULL, 0, &c->m, &c->e), 0);
	assert_int_equal(p2pdma_provider_add(c->m, c->h.nvme, 2, 32 * MiB, 0, &c->e), 0);
	assert_int_equal(p2pdma_provider_add(c->m, c->h.cmb, 2, 0, 0, &c->e), 0);
	c->stub.dflt = P2PDMA_MAP_THRU_HOST_BRIDGE;
	o.verdict_arg = &c->stub;
	assert_int_equal(p2pdma_dma_new(c->m, &o, &c->d, &c->e), 0);
	p2pdma_sgl_init(&c->s);
	*state = c;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

static int setup_1m(void **state)
{
	return setup_with(state, 1 * MiB);
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

static uint64_t iova_of(struct ctx *c, const struct p2pdma_function *fn)
{
	struct p2pdma_dma_client_info ci;

	assert_int_equal(p2pdma_dma_client_info(c->d, fn, &ci, &c->e), 0);
	return ci.iova_mapped;
}

static void expect_unmapped(const struct p2pdma_sgl *s)
{
	size_t i;

	assert_int_equal(s->dma_nents, 0);
	for (i = 0; i < s->nents; i++) {
		assert_true(s->sg[i].seg_dma == P2PDMA_DMA_ERROR);
		assert_int_equal(s->sg[i].how, P2PDMA_DMA_UNMAPPED);
		assert_true(s->sg[i].dma_address == P2PDMA_DMA_ERROR);
		assert_true(s->sg[i].dma_len == 0);
		assert_int_equal(s->sg[i].dma_flags, 0);
	}
}

static void test_client_modes(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_dma_client_info ci;

	assert_int_equal(p2pdma_dma_client_info(c->d, c->h.nic, &ci, &c->e), 0);
	assert_int_equal(ci.mode, P2PDMA_DMA_MODE_IOMMU);
	assert_int_equal(ci.iommu_group, 11);
	assert_string_equal(ci.group_type, "DMA-FQ");
	assert_false(ci.mode_assumed);
	assert_int_equal(p2pdma_dma_client_info(c->d, c->h.gpu, &ci, &c->e), 0);
	assert_int_equal(ci.mode, P2PDMA_DMA_MODE_DIRECT);	/* identity */
	assert_int_equal(p2pdma_dma_client_info(c->d, c->h.cmb, &ci, &c->e), 0);
	assert_int_equal(ci.mode, P2PDMA_DMA_MODE_DIRECT);	/* no group */
	assert_int_equal(ci.iommu_group, -1);
	assert_true(ci.dma_offset == 0x1000000000ULL);
	assert_int_equal(p2pdma_dma_client_info(c->d, c->h.rp2, &ci, &c->e), 0);
	assert_int_equal(ci.mode, P2PDMA_DMA_MODE_BLOCKED);
	assert_int_equal(p2pdma_dma_client_info(c->d, c->h.usp, &ci, &c->e), 0);
	assert_int_equal(ci.mode, P2PDMA_DMA_MODE_IOMMU);	/* type unknown */
	assert_true(ci.mode_assumed);
	assert_string_equal(p2pdma_dma_mode_name(P2PDMA_DMA_MODE_BLOCKED), "blocked");
	assert_string_equal(p2pdma_dma_how_name(P2PDMA_DMA_IOVA), "IOVA");
}

/*
 * Bus offset: 41:00.1 and 41:00.0 are functions of one device (BUS_ADDR,
 * distance 2).  The buffer's CPU address is 0x400000200000; on
 * pci0000:40 bus = CPU - 0x400000000000, so the device is given 0x200000.
 */
static void test_bus_offset(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *p = p2pdma_provider_find(c->m, c->h.cmb);
	uint64_t a;

	stub_set(&c->stub, c->h.cmb, c->h.fn1, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 1 * MiB, &a, &c->e), 0);
	assert_true(a == CMB_P2P);
	add(c, a + 0x800, 0x1000);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.fn1, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].seg_dma == 0x200800);
	assert_int_equal(c->s.sg[0].how, P2PDMA_DMA_BUS_ADDR);
	assert_int_equal(c->s.sg[0].map_type, P2PDMA_MAP_BUS_ADDR);
	assert_ptr_equal(c->s.sg[0].provider, p);
	assert_true(c->s.sg[0].dma_address == 0x200800);
	assert_true(c->s.sg[0].dma_len == 0x1000);
	assert_int_equal(c->s.sg[0].dma_flags, P2PDMA_SG_DMA_BUS_ADDRESS);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.fn1, &c->s, &c->e), 0);
	expect_unmapped(&c->s);
}

/*
 * One buffer, two clients in different domains: 04:00.0 (group 11,
 * translating) reaches 03:00.0 through the host bridge here (say ACS
 * redirect on the switch), so it gets an IOVA: 64 KiB = 16 granules,
 * a power of two, aligned to 64 KiB below 4 GiB -> 0xffff0000.
 * 05:00.0 (group 12, identity) maps directly: the CPU address.
 * 03:00.0 itself (same function: BUS_ADDR) gets the bus address, equal
 * to the CPU address on pci0000:00.
 */
static void test_two_clients(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *p = p2pdma_provider_find(c->m, c->h.nvme);
	uint64_t a;

	stub_set(&c->stub, c->h.nvme, c->h.nvme, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_p2pmem_alloc(p, 65536, &a, &c->e), 0);
	assert_true(a == NVME_P2P);
	add(c, a, 65536);

	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].seg_dma == 0xffff0000ULL);
	assert_int_equal(c->s.sg[0].how, P2PDMA_DMA_IOVA);
	assert_int_equal(c->s.sg[0].map_type, P2PDMA_MAP_THRU_HOST_BRIDGE);
	assert_int_equal(c->s.sg[0].dma_flags, 0);
	assert_true(iova_of(c, c->h.nic) == 65536);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
	assert_true(iova_of(c, c->h.nic) == 0);

	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].seg_dma == NVME_P2P);
	assert_int_equal(c->s.sg[0].how, P2PDMA_DMA_DIRECT);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);

	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nvme, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].seg_dma == NVME_P2P);
	assert_int_equal(c->s.sg[0].how, P2PDMA_DMA_BUS_ADDR);
	/* Group 10 is translating, but a bus address takes no IOVA. */
	assert_true(iova_of(c, c->h.nvme) == 0);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nvme, &c->s, &c->e), 0);

	/* Direct mapping applies the client's DMA offset (phys_to_dma). */
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.cmb, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].seg_dma == NVME_P2P + 0x1000000000ULL);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.cmb, &c->s, &c->e), 0);
}

/*
 * [host 4 KiB, nvme p2pmem 64 KiB, cmb p2pmem 2 MiB]: for 04:00.0 the
 * NVMe is BUS_ADDR (same switch) but the CMB across host bridges is
 * NOT_SUPPORTED -> the whole map fails with -EREMOTEIO on segment 2,
 * the NVMe segment's bus address is not left behind, no IOVA moved.
 * For 05:00.0 (identity) both are THRU_HOST_BRIDGE: three direct entries.
 */
static void test_refused_for_one(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	struct p2pdma_provider *pc = p2pdma_provider_find(c->m, c->h.cmb);
	struct p2pdma_iova_domain *dom = p2pdma_dma_domain_of(c->d, c->h.nic);
	uint64_t host, n, m, before;

	stub_set(&c->stub, c->h.nvme, c->h.nic, P2PDMA_MAP_BUS_ADDR);
	stub_set(&c->stub, c->h.cmb, c->h.nic, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_mem_host_alloc(c->m, 4096, &host, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 65536, &n, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pc, 2 * MiB, &m, &c->e), 0);
	add(c, host, 4096);
	add(c, n, 65536);
	add(c, m, 2 * MiB);

	before = iova_hash(dom);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), -EREMOTEIO);
	assert_string_equal(c->e.reason,
			    "segment 2 (p2pmem of 0000:41:00.0 at 0x400000200000, 2097152 bytes): client 0000:04:00.0 cannot do peer-to-peer DMA with provider 0000:41:00.0 (NOT_SUPPORTED): stub says no");
	assert_int_equal(c->s.failed, 2);
	assert_false(c->s.mapped);
	expect_unmapped(&c->s);
	assert_true(iova_hash(dom) == before);
	assert_true(iova_of(c, c->h.nic) == 0);
	/* What was learned about each segment stays readable. */
	assert_ptr_equal(c->s.sg[2].provider, pc);
	assert_int_equal(c->s.sg[2].map_type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_null(c->s.sg[0].provider);
	/* Unmapping the refused list is an error: nothing was mapped. */
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), -EINVAL);

	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 3);
	assert_int_equal(c->s.failed, -1);
	assert_true(c->s.sg[0].dma_address == host);
	assert_true(c->s.sg[1].dma_address == n);
	assert_true(c->s.sg[2].dma_address == m);
	assert_true(c->s.sg[2].dma_len == 2 * MiB);
	assert_int_equal(c->s.sg[1].how, P2PDMA_DMA_DIRECT);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);
}

/*
 * [host 4K, nvme 4K (BUS_ADDR for 04:00.0), host 4K] through the IOMMU:
 * the two host pages share one IOVA range of 2 granules (8 KiB aligned:
 * 0xffffe000); the bus segment takes none and splits the DMA list, so
 * 3 entries: 0xffffe000+4K, bus, 0xfffff000+4K.
 */
static void test_bus_splits_iova(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	uint64_t h0, h1, n;

	stub_set(&c->stub, c->h.nvme, c->h.nic, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_mem_host_alloc(c->m, 4096, &h0, &c->e), 0);
	assert_int_equal(p2pdma_mem_host_alloc(c->m, 4096, &h1, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 4096, &n, &c->e), 0);
	add(c, h0, 4096);
	add(c, n, 4096);
	add(c, h1, 4096);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 3);
	assert_true(c->s.sg[0].dma_address == 0xffffe000ULL);
	assert_true(c->s.sg[0].dma_len == 4096);
	assert_int_equal(c->s.sg[0].dma_flags, 0);
	assert_true(c->s.sg[1].dma_address == n);
	assert_int_equal(c->s.sg[1].dma_flags, P2PDMA_SG_DMA_BUS_ADDRESS);
	assert_true(c->s.sg[2].dma_address == 0xfffff000ULL);
	assert_true(iova_of(c, c->h.nic) == 8192);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
	assert_true(iova_of(c, c->h.nic) == 0);
	expect_unmapped(&c->s);
}

/*
 * [host 8K, nvme 64K THRU_HOST_BRIDGE] for 04:00.0: 72 KiB of IOVA =
 * 18 granules, rounded to 32 (128 KiB, aligned) -> 0xfffe0000; the
 * segments are IOVA-contiguous (0xfffe0000, 0xfffe2000) but 8K + 64K
 * exceeds the 64 KiB default maximum segment: two entries.
 */
static void test_merge_limit(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	uint64_t h, n;

	assert_int_equal(p2pdma_mem_host_alloc(c->m, 8192, &h, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 65536, &n, &c->e), 0);
	add(c, h, 8192);
	add(c, n, 65536);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 2);
	assert_true(c->s.sg[0].seg_dma == 0xfffe0000ULL);
	assert_true(c->s.sg[1].seg_dma == 0xfffe2000ULL);
	assert_true(c->s.sg[0].dma_len == 8192);
	assert_true(c->s.sg[1].dma_address == 0xfffe2000ULL);
	assert_true(iova_of(c, c->h.nic) == 128 * 1024);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
}

/* Same list with a 1 MiB maximum segment: one 72 KiB entry. */
static void test_merge_one(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	uint64_t h, n;

	assert_int_equal(p2pdma_mem_host_alloc(c->m, 8192, &h, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 65536, &n, &c->e), 0);
	add(c, h, 8192);
	add(c, n, 65536);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 1);
	assert_true(c->s.sg[0].dma_address == 0xfffe0000ULL);
	assert_true(c->s.sg[0].dma_len == 73728);
	assert_true(c->s.sg[1].dma_address == P2PDMA_DMA_ERROR);
	assert_true(c->s.sg[1].dma_len == 0);
	/* A segment that does not start on a granule keeps its offset and breaks the run. */
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
	p2pdma_sgl_release(&c->s);
	add(c, h, 4096);
	add(c, n + 0x100, 0x200);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 2);
	/* 2 granules: 0xffffe000 for the page, 0xfffff100 for the offset piece. */
	assert_true(c->s.sg[0].dma_address == 0xffffe000ULL);
	assert_true(c->s.sg[1].dma_address == 0xfffff100ULL);
	assert_true(c->s.sg[1].dma_len == 0x200);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
}

/*
 * The verdict is asked again only when the segment's provider changes
 * (pci_p2pdma_state()); host segments in between do not reset it.
 * [nvme, nvme, host, nvme, cmb, nvme] -> 3 look-ups.
 */
static void test_verdict_per_provider_change(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	struct p2pdma_provider *pc = p2pdma_provider_find(c->m, c->h.cmb);
	uint64_t n, m, h;

	assert_int_equal(p2pdma_p2pmem_alloc(pn, 65536, &n, &c->e), 0);
	assert_int_equal(p2pdma_p2pmem_alloc(pc, 65536, &m, &c->e), 0);
	assert_int_equal(p2pdma_mem_host_alloc(c->m, 4096, &h, &c->e), 0);
	add(c, n, 4096);
	add(c, n + 4096, 4096);
	add(c, h, 4096);
	add(c, n + 8192, 4096);
	add(c, m, 4096);
	add(c, n + 12288, 4096);
	c->stub.calls = 0;
	assert_true(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e) > 0);
	assert_int_equal(c->stub.calls, 3);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), 0);
}

static void test_bad_lists(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	struct hand other;
	uint64_t n;

	/* Empty. */
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason, "cannot map an empty list for 0000:05:00.0");
	/* Segments that cannot be built. */
	assert_int_equal(p2pdma_sgl_add(&c->s, 0x1000, 0, &c->e), -EINVAL);
	assert_int_equal(p2pdma_sgl_add(&c->s, UINT64_MAX, 2, &c->e), -EINVAL);

	/* A BAR that is not p2pmem. */
	add(c, 0x380004000000ULL, 4096);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "segment 0 at 0x380004000000 is in BAR 0 of 0000:04:00.0, which is not p2pmem (register it as a provider, or map it with map_resource)");
	assert_int_equal(c->s.failed, 0);
	p2pdma_sgl_release(&c->s);

	/* Neither RAM nor a BAR (RAM is known on this machine). */
	add(c, 0x1000, 4096);
	add(c, 0x90000000ULL, 4096);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason, "segment 1 at 0x90000000 is neither host RAM nor p2pmem");
	assert_int_equal(c->s.failed, 1);
	p2pdma_sgl_release(&c->s);

	/* Across the end of RAM, and across the end of a p2pmem range. */
	add(c, 0x7ffff000ULL, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_non_null(strstr(c->e.reason, "runs past the end of host RAM at 0x7fffffff"));
	p2pdma_sgl_release(&c->s);
	add(c, NVME_P2P + 32 * MiB - 4096, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "segment 0 [0x380001fff000, 8192 bytes] runs past the end of the p2pmem range [0x380000000000-0x380001ffffff] of 0000:03:00.0");
	p2pdma_sgl_release(&c->s);

	/* Blocked group, client of another machine. */
	assert_int_equal(p2pdma_p2pmem_alloc(pn, 4096, &n, &c->e), 0);
	add(c, n, 4096);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.rp2, &c->s, &c->e), -EIO);
	assert_string_equal(c->e.reason,
			    "0000:00:02.0: IOMMU group 5 is blocked: the device may not do DMA");
	hand_build(&other, false);
	assert_int_equal(p2pdma_dma_map_sg(c->d, other.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason, "the client is not a function of this machine");
	p2pdma_fabric_free(other.f);

	/* Map twice, unmap by the wrong client, unmap twice, change while mapped. */
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 1);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "the list is already mapped; unmap it before mapping it for 0000:05:00.0");
	assert_int_equal(p2pdma_sgl_add(&c->s, n, 4096, &c->e), -EBUSY);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason, "the list is mapped for 0000:04:00.0, not for 0000:05:00.0");
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "unmap of a list that is not mapped (never mapped, or unmapped already)");

	/* A forged mapping: the IOVA was never handed out. */
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.nic, &c->s, &c->e), 1);
	c->s.iova += 0x100000;
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), -EINVAL);
	assert_non_null(strstr(c->e.reason, "is not mapped in the domain of IOMMU group 11"));
	c->s.iova -= 0x100000;
	assert_int_equal(p2pdma_dma_unmap_sg(c->d, c->h.nic, &c->s, &c->e), 0);

	/* A context needs a verdict source. */
	{
		struct p2pdma_dma_opts o = { 0 };
		struct p2pdma_dma *d;

		assert_int_equal(p2pdma_dma_new(c->m, &o, &d, &c->e), -EINVAL);
		assert_null(d);
	}
}

/*
 * map_resource: a peer BAR range for a client.  NVMe BAR0
 * (0xf7000000, 16 KiB, not p2pmem) for 04:00.0 as BUS_ADDR: the bus
 * address (= CPU on pci0000:00); as THRU_HOST_BRIDGE through group 11:
 * 4 granules, 16 KiB aligned -> 0xffffc000; for the identity-mapped GPU:
 * the CPU address unchanged.  The CMB's BAR for its sibling: bus address
 * 0x201000 for CPU 0x400000201000.
 */
static void test_map_resource(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_dma_resource r, z;

	stub_set(&c->stub, c->h.nvme, c->h.nic, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0xf7000000, 16384, &r, &c->e), 0);
	assert_true(r.dma_addr == 0xf7000000);
	assert_int_equal(r.how, P2PDMA_DMA_BUS_ADDR);
	assert_ptr_equal(r.owner, c->h.nvme);
	assert_int_equal(r.bar, 0);
	assert_true(iova_of(c, c->h.nic) == 0);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), 0);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), -EINVAL);

	c->stub.nr = 0;
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0xf7000000, 16384, &r, &c->e), 0);
	assert_true(r.dma_addr == 0xffffc000ULL);
	assert_int_equal(r.how, P2PDMA_DMA_IOVA);
	assert_true(iova_of(c, c->h.nic) == 16384);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), 0);
	assert_true(iova_of(c, c->h.nic) == 0);

	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.gpu, 0xf7000100, 0x100, &r, &c->e), 0);
	assert_true(r.dma_addr == 0xf7000100);
	assert_int_equal(r.how, P2PDMA_DMA_DIRECT);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), 0);

	stub_set(&c->stub, c->h.cmb, c->h.fn1, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.fn1, 0x400000201000ULL, 4096, &r, &c->e), 0);
	assert_true(r.dma_addr == 0x201000);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), 0);

	stub_set(&c->stub, c->h.cmb, c->h.nic, P2PDMA_MAP_NOT_SUPPORTED);
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0x400000201000ULL, 4096, &r, &c->e),
			 -EREMOTEIO);
	assert_string_equal(c->e.reason,
			    "BAR 2 of 0000:41:00.0 at 0x400000201000: client 0000:04:00.0 cannot do peer-to-peer DMA with it (NOT_SUPPORTED): stub says no");
	assert_false(r.mapped);
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &r, &c->e), -EINVAL);

	/* Not a BAR, past the BAR, empty. */
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0x1000, 4096, &r, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "resource at 0x1000 is not in a memory BAR (ram); host memory is mapped with map_sg");
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0xf7003000, 8192, &r, &c->e), -EINVAL);
	assert_non_null(strstr(c->e.reason, "runs past the end of BAR 0 of 0000:03:00.0"));
	assert_int_equal(p2pdma_dma_map_resource(c->d, c->h.nic, 0xf7000000, 0, &r, &c->e), -EINVAL);
	/* Never mapped at all. */
	memset(&z, 0, sizeof(z));
	assert_int_equal(p2pdma_dma_unmap_resource(c->d, &z, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "unmap of a resource that is not mapped (never mapped, or unmapped already)");
}

/* IOVA allocation order: top-down, size-aligned, reuse after free. */
static void test_iova_order(void **state)
{
	struct p2pdma_iova_domain d;
	uint64_t a, b, x;

	(void)state;
	iova_domain_init(&d, 1);
	assert_int_equal(iova_alloc(&d, 4096, &a), 0);
	assert_true(a == 0xfffff000ULL);
	assert_int_equal(iova_alloc(&d, 4096, &b), 0);
	assert_true(b == 0xffffe000ULL);
	/* 3 granules -> 4 (rcache size), aligned to 16 KiB. */
	assert_int_equal(iova_alloc(&d, 12288, &x), 0);
	assert_true(x == 0xffff8000ULL);
	assert_true(iova_reserved(&d) == 8192 + 16384);
	/* 40 granules are not rounded; aligned to 64 granules (256 KiB). */
	assert_true(iova_reserve_size(40 * 4096) == 40 * 4096);
	assert_int_equal(iova_free(&d, a, 4096), 0);
	assert_int_equal(iova_free(&d, a, 4096), -EINVAL);
	assert_int_equal(iova_free(&d, b, 8192), -EINVAL);	/* wrong size */
	assert_int_equal(iova_alloc(&d, 4096, &a), 0);
	assert_true(a == 0xfffff000ULL);			/* the hole at the top again */
	/* A range that cannot fit below 4 GiB goes above it. */
	assert_int_equal(iova_alloc(&d, 8ULL << 30, &x), 0);
	assert_true(x > 0xffffffffULL);
	assert_true(x + (8ULL << 30) - 1 <= (1ULL << 48) - 1);
	assert_int_equal(x % (8ULL << 30), 0);
	iova_domain_destroy(&d);
}

static void test_segment_spec(void **state)
{
	struct p2pdma_segment_spec sp;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_segment_spec_parse("p2p:0000:03:00.0:64K", &sp, &e), 0);
	assert_int_equal(sp.kind, P2PDMA_SEGMENT_P2P);
	assert_int_equal(sp.provider.bus, 3);
	assert_true(sp.size == 65536);
	assert_int_equal(p2pdma_segment_spec_parse("p2p:41:00.1:0x2000", &sp, &e), 0);
	assert_int_equal(sp.provider.fn, 1);
	assert_true(sp.size == 8192);
	assert_int_equal(p2pdma_segment_spec_parse("host:2M", &sp, &e), 0);
	assert_int_equal(sp.kind, P2PDMA_SEGMENT_HOST);
	assert_true(sp.size == 2 * MiB);

	assert_int_equal(p2pdma_segment_spec_parse("gpu:4K", &sp, &e), -EINVAL);
	assert_string_equal(e.reason, "segment 'gpu:4K': expected p2p:PROVIDER:SIZE or host:SIZE");
	assert_int_equal(p2pdma_segment_spec_parse("p2p:64K", &sp, &e), -EINVAL);
	assert_int_equal(p2pdma_segment_spec_parse("p2p:03:00:64K", &sp, &e), -EINVAL);
	assert_string_equal(e.reason, "segment 'p2p:03:00:64K': '03:00' is not a PCI address (DDDD:BB:DD.F)");
	assert_int_equal(p2pdma_segment_spec_parse("host:", &sp, &e), -EINVAL);
	assert_string_equal(e.reason, "segment 'host:': '' is not a size (e.g. 4096, 0x1000, 64K, 2M)");
	assert_int_equal(p2pdma_segment_spec_parse("host:0", &sp, &e), -EINVAL);
	assert_string_equal(e.reason, "segment 'host:0': the size must be more than 0");
	assert_int_equal(p2pdma_segment_spec_parse(NULL, &sp, &e), -EINVAL);
}

static void test_sgl_from_specs(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_provider *pn = p2pdma_provider_find(c->m, c->h.nvme);
	struct p2pdma_segment_spec sp[3];

	assert_int_equal(p2pdma_segment_spec_parse("p2p:03:00.0:64K", &sp[0], &c->e), 0);
	assert_int_equal(p2pdma_segment_spec_parse("host:8K", &sp[1], &c->e), 0);
	assert_int_equal(p2pdma_segment_spec_parse("p2p:04:00.0:4K", &sp[2], &c->e), 0);
	/* The NIC is no provider: nothing stays allocated. */
	assert_int_equal(p2pdma_sgl_from_specs(c->m, sp, 3, &c->s, &c->e), -ENOENT);
	assert_string_equal(c->e.reason, "0000:04:00.0 has no p2pmem (it is not a provider)");
	assert_int_equal(c->s.nents, 0);
	assert_true(p2pdma_provider_available(pn) == 32 * MiB);
	assert_int_equal(p2pdma_segment_spec_parse("p2p:03:00.0:64M", &sp[2], &c->e), 0);
	assert_int_equal(p2pdma_sgl_from_specs(c->m, sp, 3, &c->s, &c->e), -ENOMEM);
	assert_true(p2pdma_provider_available(pn) == 32 * MiB);
	assert_int_equal(p2pdma_sgl_from_specs(c->m, sp, 2, &c->s, &c->e), 0);
	assert_int_equal(c->s.nents, 2);
	assert_true(c->s.sg[0].phys == NVME_P2P && c->s.sg[0].len == 65536);
	/* Host buffers are never reused: two 8 KiB were taken by the failed tries. */
	assert_true(c->s.sg[1].phys == 0x5000 && c->s.sg[1].len == 8192);
	assert_true(p2pdma_provider_available(pn) == 32 * MiB - 65536);
	p2pdma_sgl_free_buffers(c->m, &c->s);
	assert_true(p2pdma_provider_available(pn) == 32 * MiB);
}

/*
 * Boundaries the mutation audit (tests-2026-12: D1, D2, D7) found
 * unchecked.  RAM [0x1000, 0x80000000) and [0x100000000, 0x1080000000);
 * the NVMe's pool is the first 32 MiB of its BAR 2, [0x380000000000,
 * 0x380001ffffff]; the kernel's IOMMU path (__finalise_sg) merges while
 * the merged length stays at or below the maximum segment (64 KiB here).
 */
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
	add(c, (NVME_P2P + 32 * MiB) - 4096, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), -EINVAL);
	assert_string_equal(c->e.reason,
			    "segment 1 [0x380001fff000, 8192 bytes] runs past the end of the p2pmem range [0x380000000000-0x380001ffffff] of 0000:03:00.0");
	assert_int_equal(c->s.failed, 1);
	assert_false(c->s.mapped);
	p2pdma_sgl_release(&c->s);

	/* Ending exactly on the pool's last byte is fine: two direct entries. */
	add(c, NVME_P2P, 4096);
	add(c, (NVME_P2P + 32 * MiB) - 8192, 8192);
	assert_int_equal(p2pdma_dma_map_sg(c->d, c->h.gpu, &c->s, &c->e), 2);
	assert_true(c->s.sg[1].dma_address == (NVME_P2P + 32 * MiB) - 8192);
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
		cmocka_unit_test_setup_teardown(test_client_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_for_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bus_splits_iova, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_one, setup_1m, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_per_provider_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_resource, setup, teardown),
		cmocka_unit_test(test_iova_order),
		cmocka_unit_test(test_segment_spec),
		cmocka_unit_test_setup_teardown(test_sgl_from_specs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_ends_on_last_ram_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_p2pmem_overrun_after_same_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_to_exact_max, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
