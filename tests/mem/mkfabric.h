/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building small fabrics by hand for the mem and dma suites, and the
 * seeded random topologies of the property tests.
 */
#ifndef P2PDMA_TEST_MKFABRIC_H
#define P2PDMA_TEST_MKFABRIC_H

#include "testutil.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define BAR_MEM64P (P2PDMA_BAR_MEM | P2PDMA_BAR_64 | P2PDMA_BAR_PREFETCH)

struct p2pdma_host_bridge *mk_hb(struct p2pdma_fabric *f, uint32_t domain,
				 uint8_t bus, uint64_t bus_offset);
/* Add a function; sec/sub -1 for endpoints; iommu_group -1 for none. */
struct p2pdma_function *mk_fn(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
			      struct p2pdma_function *parent, const char *bdf,
			      enum p2pdma_role role, int sec, int sub, int iommu_group);
void mk_bar(struct p2pdma_function *fn, int idx, uint64_t start, uint64_t size,
	    unsigned int flags);
void mk_group(struct p2pdma_fabric *f, int id, const char *type);
void mk_finalize(struct p2pdma_fabric *f);

/*
 * The hand-worked machine most tests use (addresses chosen by hand):
 *
 *  pci0000:00  bus offset 0
 *   00:01.0 root port [01-04]
 *    01:00.0 switch upstream [02-04]
 *     02:00.0 downstream [03]  03:00.0 nvme   provider: BAR0 16K mem32 @0xf7000000,
 *                                             BAR2 64 MiB pref64 @0x380000000000,
 *                                             BAR4 I/O 256 @0xe000; group 10 "DMA"
 *     02:01.0 downstream [04]  04:00.0 nic    BAR0 32 MiB pref64 @0x380004000000; group 11 "DMA-FQ"
 *   00:02.0 root port [05]     05:00.0 gpu    BAR1 256 MiB pref64 @0x390000000000; group 12 "identity"
 *  pci0000:40  bus offset -0x400000000000 (bus address = CPU physical - 0x400000000000)
 *   40:00.0 root port [41]     41:00.0 cmb    BAR2 16 MiB pref64 @0x400000200000 (no group: direct)
 *                                             dma_offset 0x1000000000 on 41:00.0
 *                              41:00.1 fn1    no BARs, no group (direct), dma_offset 0
 *
 * IOMMU groups: 10 DMA, 11 DMA-FQ, 12 identity, 5 (root port 00:02.0)
 * blocked, 2 (switch upstream port) type unknown; 1, 3, 4 no type either.
 *
 * RAM: [0x1000, 0x80000000) node 0 and [0x100000000, 0x1080000000) node 0.
 */
struct hand {
	struct p2pdma_fabric *f;
	struct p2pdma_function *rp1, *usp, *dsp1, *dsp2, *nvme, *nic, *rp2, *gpu, *rp40, *cmb, *fn1;
};

void hand_build(struct hand *h, bool with_ram);

/* A seeded random topology: host bridges, switches, endpoints with BARs, groups. */
struct rnd_topo {
	struct p2pdma_fabric *f;
	struct p2pdma_function **eps;	/* endpoints */
	size_t nr_eps;
};

void rnd_topo_build(struct rnd_topo *t, uint64_t *rng);
void rnd_topo_free(struct rnd_topo *t);

#endif
