// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every figure the bandwidth model uses, with where it comes from.
 * doc/bandwidth.md explains them; ../shared/MODEL-ANCHORS.md (copied in
 * the doc) lists the measurements; bench/bench_bw prints how close the
 * model comes to each.  Nothing else in lib/bw holds a number.
 *
 * Units: bytes, bytes per second (decimal GB/s = 1e9 bytes/s).
 */
#include <string.h>

#include "bw_int.h"

#define GBS 1e9

/*
 * PCIe link arithmetic (PCI Express Base Specification; MODEL-ANCHORS.md
 * "Link arithmetic").  Per TLP on the wire, Gen1 to Gen5: a 4 DW header
 * (64-bit address) for requests, 3 DW for completions, plus 8 bytes of
 * framing, sequence number and LCRC (Gen1/2: STP 1 + sequence 2 + LCRC 4
 * + END 1; Gen3-5: the 4-byte STP token, which carries the sequence
 * number, + LCRC 4).  In FLIT mode (64 GT/s) the flit's CRC and FEC
 * replace framing and LCRC: a TLP costs only its header, and the flit
 * efficiency 242/256 is in the encoding figure instead.
 */
const struct bw_link_consts bw_link = {
	.enc_8b10b = 8.0 / 10.0,
	.enc_128b130b = 128.0 / 130.0,
	.enc_flit = 242.0 / 256.0,
	.flit_mts = 64000,
	.req_hdr = 16,
	.cpl_hdr = 12,
	.framing = 8,
	.framing_flit = 0,
	/* Gen4 x16: the fastest link most parts of the last years negotiate. */
	.unknown_mts = 16000,
	.unknown_width = 16,
};

static const char src_nccl_sys[] =
	"NCCL src/graph inter-socket bandwidth (MODEL-ANCHORS.md, PEERS.md 2.2)";
static const char src_not_limiting[] =
	"no published limit: peer forwarding is not the bottleneck below the link rate";

/*
 * DRAM: channels x MT/s x 8 bytes per socket, the memory controller's
 * peak (vendor channel counts); a sustained figure is lower, which only
 * matters when DRAM is the bottleneck.
 *
 * The rows.  MPS 256 and MRRS 512 are the common
 * server settings; the machine descriptions do not carry them, so the
 * output says they were assumed.
 */
static const struct p2pdma_bw_platform table[] = {
	{ .name = "amd-zen1", .dram_bw = 170.6 * GBS, .inter_socket_bw = 16 * GBS,
	  .rc_peer_bw = 11.9 * GBS,
	  .rc_peer_dir_bw = 7.06 * GBS, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR4-2666 per socket (EPYC 7001), peak",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "ROCm/ROCmValidationSuite issue #427: EPYC 7261, Gen3 MI25 P2P 7.06 GB/s one way, 11.9 GB/s both ways" },
	{ .name = "amd-zen2", .dram_bw = 204.8 * GBS, .inter_socket_bw = 16 * GBS,
	  .rc_peer_bw = 45 * GBS,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR4-3200 per socket (EPYC 7002), peak",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "NVIDIA/nccl-tests issue #74: A40 on EPYC 7302, Gen4 x16 P2P 40-50 GB/s both ways (45 in all)" },
	{ .name = "amd-zen4", .dram_bw = 460.8 * GBS, .inter_socket_bw = 39 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "12 x DDR5-4800 per socket (EPYC 9004), peak",
	  .inter_socket_src = "voipmonitor/rtx6kpro hardware/pcie-bandwidth.md: Gen5 x16 P2P across sockets, dual EPYC 9374F, 39 GB/s",
	  .rc_src = "voipmonitor/rtx6kpro: same-node Gen5 x16 P2P 53-56 GB/s, the link rate" },
	{ .name = "amd-zen3", .dram_bw = 204.8 * GBS, .inter_socket_bw = 16 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR4-3200 per socket (EPYC 7003), peak",
	  .inter_socket_src = src_nccl_sys, .rc_src = src_not_limiting },
	{ .name = "amd-zen5", .dram_bw = 576 * GBS, .inter_socket_bw = 51 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "12 x DDR5-6000 per socket (EPYC 9005), peak",
	  .inter_socket_src = "voipmonitor/rtx6kpro hardware/pcie-bandwidth.md: Gen5 x16 P2P across sockets, dual EPYC Turin, 51 GB/s",
	  .rc_src = src_not_limiting },
	{ .name = "intel-haswell-server", .dram_bw = 68.3 * GBS, .inter_socket_bw = 6 * GBS,
	  .rc_peer_bw = 14.97 * GBS,
	  .rc_peer_dir_bw = 8.17 * GBS, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "4 x DDR4-2133 per socket (Xeon E5 v3), peak",
	  .inter_socket_src = "NCCL src/graph BDW figure (NCCL has none for Haswell)",
	  .rc_src = "ROCm/ROCmValidationSuite issue #427: Haswell, Gen3 MI25 P2P 8.17 GB/s one way, 14.97 both ways; reads x6/5 as NCCL's Intel PHB penalty" },
	{ .name = "intel-broadwell-server", .dram_bw = 76.8 * GBS, .inter_socket_bw = 6 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = 7.1 * GBS, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "4 x DDR4-2400 per socket (Xeon E5 v4), peak",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "NVIDIA developer forum thread 55564: E5-2650 v4, 3 NVMe -> GPU P2P 7.1 GB/s; reads x6/5 as NCCL's Intel PHB penalty" },
	{ .name = "intel-skylake-server", .dram_bw = 128 * GBS, .inter_socket_bw = 10 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "6 x DDR4-2666 per socket (Xeon Scalable 1st/2nd gen), peak",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "writes: no published limit; reads x6/5, NCCL's Intel PHB P2P penalty" },
	{ .name = "intel-icelake-server", .dram_bw = 204.8 * GBS, .inter_socket_bw = 10 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR4-3200 per socket (Xeon Scalable 3rd gen), peak",
	  .inter_socket_src = "NCCL src/graph SKL figure (NCCL has none for Ice Lake)",
	  .rc_src = "writes: no published limit; reads x6/5, NCCL's Intel PHB P2P penalty" },
	{ .name = "intel-sapphire-rapids", .dram_bw = 307.2 * GBS, .inter_socket_bw = 22 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR5-4800 per socket (Xeon Scalable 4th gen), peak",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "writes: no published limit; reads x6/5, NCCL's Intel PHB P2P penalty" },
	{ .name = "intel-emerald-rapids", .dram_bw = 358.4 * GBS, .inter_socket_bw = 40 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "8 x DDR5-5600 per socket (Xeon Scalable 5th gen), peak",
	  .inter_socket_src = "NCCL src/graph ERP figure",
	  .rc_src = "writes: no published limit; reads x6/5, NCCL's Intel PHB P2P penalty" },
	{ .name = "intel-client", .dram_bw = 89.6 * GBS, .inter_socket_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = false, .mps = 256, .mrrs = 512,
	  .dram_src = "2 x DDR5-5600 (desktop), peak",
	  .inter_socket_src = "one socket: nothing to cross",
	  .rc_src = "NVIDIA/open-gpu-kernel-modules issue #1253: Arrow Lake-S / Z890, peer writes work, peer reads fail" },
	/* Intel family 6 parts without a row of their own. */
	{ .name = "intel-server (assumed: unknown model, Skylake-SP figures)",
	  .dram_bw = 128 * GBS, .inter_socket_bw = 10 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1.2,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "6 x DDR4-2666 per socket, peak (assumed)",
	  .inter_socket_src = src_nccl_sys,
	  .rc_src = "writes: no published limit; reads x6/5, NCCL's Intel PHB P2P penalty" },
	{ .name = "generic (assumed: CPU unknown or without a row)",
	  .dram_bw = 100 * GBS, .inter_socket_bw = 16 * GBS,
	  .rc_peer_bw = P2PDMA_BW_UNLIMITED,
	  .rc_peer_dir_bw = P2PDMA_BW_UNLIMITED, .rc_peer_read_cost = 1,
	  .rc_peer_writes = true, .rc_peer_reads = true, .mps = 256, .mrrs = 512,
	  .dram_src = "assumed: 100 GB/s per node",
	  .inter_socket_src = "NCCL src/graph AMD figure (assumed)",
	  .rc_src = src_not_limiting },
};

enum {
	ZEN1, ZEN2, ZEN4, ZEN3, ZEN5, HSW, BDW, SKX, ICX, SPR, EMR,
	INTEL_CLIENT, INTEL_SERVER, GENERIC,
};

/* CPU -> row, first match wins (Zen 4's model range before Zen 3's catch-all). */
static const struct {
	const char *vendor;
	unsigned int family, model_lo, model_hi;
	int row;
} cpu_rows[] = {
	{ "AuthenticAMD", 0x17, 0x00, 0x2f, ZEN1 },
	{ "AuthenticAMD", 0x17, 0x30, 0xff, ZEN2 },
	{ "AuthenticAMD", 0x19, 0x10, 0x1f, ZEN4 },
	{ "AuthenticAMD", 0x19, 0xa0, 0xaf, ZEN4 },
	{ "AuthenticAMD", 0x19, 0x00, 0xff, ZEN3 },
	{ "AuthenticAMD", 0x1a, 0x00, 0xff, ZEN5 },
	{ "GenuineIntel", 6, 0x3f, 0x3f, HSW },
	{ "GenuineIntel", 6, 0x4f, 0x4f, BDW },
	{ "GenuineIntel", 6, 0x55, 0x55, SKX },
	{ "GenuineIntel", 6, 0x6a, 0x6c, ICX },
	{ "GenuineIntel", 6, 0x8f, 0x8f, SPR },
	{ "GenuineIntel", 6, 0xcf, 0xcf, EMR },
};

/* Intel client parts (family 6): their root complexes forward peer writes only. */
static const unsigned int intel_client_models[] = {
	0x5e, 0x8c, 0x8d, 0x97, 0x9a, 0x9e, 0xa5, 0xa6, 0xa7, 0xaa, 0xac,
	0xb7, 0xba, 0xbd, 0xbf, 0xc5, 0xc6,
};

static bool intel_client_model(unsigned int model)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(intel_client_models); i++)
		if (intel_client_models[i] == model)
			return true;
	return false;
}

static int row_for_cpu(const struct p2pdma_cpu *cpu)
{
	size_t i;

	if (!cpu || !cpu->known)
		return -1;
	for (i = 0; i < ARRAY_SIZE(cpu_rows); i++)
		if (!strcmp(cpu_rows[i].vendor, cpu->vendor) &&
		    cpu_rows[i].family == cpu->family &&
		    cpu->model >= cpu_rows[i].model_lo && cpu->model <= cpu_rows[i].model_hi)
			return cpu_rows[i].row;
	if (!strcmp(cpu->vendor, "GenuineIntel") && cpu->family == 6 &&
	    intel_client_model(cpu->model))
		return INTEL_CLIENT;
	return -1;
}

const struct p2pdma_bw_platform *p2pdma_bw_platform_for_cpu(const struct p2pdma_cpu *cpu,
							    bool *assumed)
{
	int row = row_for_cpu(cpu);

	*assumed = row < 0;
	if (row >= 0)
		return &table[row];
	if (cpu && cpu->known && !strcmp(cpu->vendor, "GenuineIntel") && cpu->family == 6)
		return &table[INTEL_SERVER];
	return &table[GENERIC];
}

const struct p2pdma_bw_platform *p2pdma_bw_platforms(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
