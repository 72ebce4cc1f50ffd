// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the simulated platform's router: the input picks
 * the ACS setting of every port, the buffers allocated, mapped and freed,
 * and then DMAs (initiator, address, length, read or write), each routed
 * by the library and by the reference router of tests/sim/simref.c on
 * tests/sim/data/mixed.json (translating IOMMU groups, ACS RR, CR and EC,
 * a bus offset, host bridges that do not forward).  Any disagreement,
 * crash or leak is a finding.
 *
 * Input: 8 bytes of seed, 1 byte of flags, then up to 64 16-byte records:
 * initiator (1), write (1), length (2), how to pick the address (1),
 * 3 spare, address or offset (8).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "simref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * DMAs per input: a few dozen reach every route; a thousand made each
 * execution cost 8 ms, so the fuzzer tried few new machines (ACS
 * settings and buffers) per second.  scripts/fuzz.sh caps inputs at
 * 9 + 64 * 16 bytes to match.
 */
#define ROUTE_MAX_DMAS 64

/*
 * Host buffers are addresses handed out once each (mem.h), and each input
 * with maps takes up to 24 pages x 3: after half a million inputs the
 * machine's 66 GiB of RAM ran out and the reference's allocation failed.
 * A new simulation every GiB keeps the RAM, and so the inputs, far from
 * that end.
 */
#define ROUTE_HOST_BUDGET (1ULL << 30)

static struct world *world(void)
{
	static struct world *w;

	if (!w)
		w = simref_world_new(P2PDMA_SOURCE_ROOT "/tests/sim/data/mixed.json", 1, simref_fwd_same);
	return w;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = world();
	size_t i;

	if (size < 9)
		return 0;
	if (w->host_bytes > ROUTE_HOST_BUDGET)
		simref_world_renew(w);
	w->seed = le64(data);
	w->rng = w->seed | 1;
	simref_shuffle_acs(w);
	simref_make_buffers(w);
	if (data[8] & 1)	/* host buffers are never given back: only sometimes */
		simref_make_maps(w);
	for (i = 9; i + 16 <= size && i / 16 < ROUTE_MAX_DMAS; i += 16) {
		const uint8_t *r = data + i;
		const struct p2pdma_function *a = w->eps[r[0] % w->nr_eps];
		uint64_t len = 1 + (uint64_t)(r[2] | r[3] << 8), addr = le64(r + 8);

		/* Half the time an address near something that exists, offset by the input. */
		if (r[4] & 1)
			addr = simref_pick_addr(w, a, &len) + (addr & 0xffff) - 0x8000;
		simref_check(w, a, addr, len, r[1] & 1, i / 16);
	}
	simref_unmap_all(w);
	simref_free_bufs(w);
	return 0;
}
