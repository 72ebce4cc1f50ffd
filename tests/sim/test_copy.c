// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The copy engine on real bytes.  The source is filled by this test's
 * own generator; after the copy the destination is read back and hashed
 * with a hash written here, and compared with the hash of what was
 * generated, so the answer never comes from the code under test.
 *
 * Default run: every NVMe pair of the built-in machines once (sizes and
 * buffers rotating over the pairs: every provider, host memory, 4 KiB,
 * sizes that are no multiple of the chunk), plus one 256 MiB copy
 * peer-to-peer and one through host memory.  P2PDMA_SIM_COPY_FULL=1
 * runs every pair x every buffer x {4 KiB, 1 MiB + 512, 3 MiB + 4 KiB,
 * 256 MiB}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simenv.h"

#define MiB (1ULL << 20)


/* The test's generator (xorshift64*) and hash (64-bit FNV-1a), written here. */
static void gen(uint64_t *st, uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(tu_rand(st) >> 56);
}

static uint64_t fnv(uint64_t h, const uint8_t *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

#define PIECE (4 * MiB)

/* Fill [off, +size) of @f's namespace 1 from the generator; the hash of what was written. */
static uint64_t fill(struct env *v, const struct p2pdma_function *f, uint64_t off, uint64_t size,
		     uint64_t seed)
{
	struct p2pdma_sim_nvme *n = p2pdma_sim_nvme(v->s, f);
	uint8_t *b = malloc(PIECE);
	uint64_t h = 0xcbf29ce484222325ULL, st = seed | 1, done;
	struct p2pdma_error e = { 0 };

	assert_non_null(n);
	assert_non_null(b);
	for (done = 0; done < size; done += PIECE) {
		uint64_t k = size - done < PIECE ? size - done : PIECE;

		gen(&st, b, k);
		h = fnv(h, b, k);
		if (p2pdma_sim_nvme_poke(n, 1, off + done, b, k, &e))
			fail_msg("%s", e.reason);
	}
	free(b);
	return h;
}

static uint64_t hash_ns(struct env *v, const struct p2pdma_function *f, uint64_t off, uint64_t size)
{
	struct p2pdma_sim_nvme *n = p2pdma_sim_nvme(v->s, f);
	uint8_t *b = malloc(PIECE);
	uint64_t h = 0xcbf29ce484222325ULL, done;
	struct p2pdma_error e = { 0 };

	assert_non_null(b);
	for (done = 0; done < size; done += PIECE) {
		uint64_t k = size - done < PIECE ? size - done : PIECE;

		if (p2pdma_sim_nvme_peek(n, 1, off + done, b, k, &e))
			fail_msg("%s", e.reason);
		h = fnv(h, b, k);
	}
	free(b);
	return h;
}

struct job {
	const char *src, *dst;
	uint64_t src_off, dst_off, size;
	const char *via;	/* NULL auto, "host", or a provider */
};

static void copy_one(struct env *v, const struct job *j, struct p2pdma_sim_copy_result *res)
{
	struct p2pdma_sim_copy_req q = {
		.src = { fn(v, j->src), 1, j->src_off },
		.dst = { fn(v, j->dst), 1, j->dst_off },
		.size = j->size, .check = true,
	};
	struct p2pdma_error e = { 0 };
	uint64_t want, got;

	q.via = !j->via ? P2PDMA_SIM_VIA_AUTO : !strcmp(j->via, "host") ? P2PDMA_SIM_VIA_HOST :
		P2PDMA_SIM_VIA_PROVIDER;
	if (q.via == P2PDMA_SIM_VIA_PROVIDER)
		q.via_fn = fn(v, j->via);
	want = fill(v, q.src.fn, j->src_off, j->size, j->size ^ j->src_off ^ q.src.fn->index);
	if (p2pdma_sim_copy(v->s, &q, res, &e))
		fail_msg("copy %s -> %s (%llu bytes, via %s): %s", j->src, j->dst,
			 (unsigned long long)j->size, j->via ? j->via : "auto", e.reason);
	got = hash_ns(v, q.dst.fn, j->dst_off, j->size);
	if (got != want)
		fail_msg("copy %s -> %s (%llu bytes, via %s): destination hash %#llx, source %#llx",
			 j->src, j->dst, (unsigned long long)j->size, j->via ? j->via : "auto",
			 (unsigned long long)got, (unsigned long long)want);
	assert_true(res->checked && res->data_ok);
	assert_int_equal(res->bytes, j->size);
}

static bool full(void)
{
	const char *s = getenv("P2PDMA_SIM_COPY_FULL");

	return s && *s && strcmp(s, "0");
}

/* The NVMe controllers and the providers of a machine. */
static size_t nvmes(struct env *v, const char **out, size_t max, bool providers)
{
	static char names[16][P2PDMA_BDF_STRLEN];
	static size_t used;
	size_t i, n = 0;

	for (i = 0; i < v->f->nr_fns && n < max; i++) {
		const struct p2pdma_function *f = v->f->fns[i];

		if (providers ? !p2pdma_provider_find(p2pdma_sim_mem(v->s), f) : !p2pdma_sim_nvme(v->s, f))
			continue;
		p2pdma_bdf_format(&f->bdf, names[used % 16], P2PDMA_BDF_STRLEN);
		out[n++] = names[used++ % 16];
	}
	return n;
}

static void pairs(const char *machine)
{
	static const uint64_t sizes[] = { 4096, MiB + 512, 3 * MiB + 4096, 256 * MiB };
	size_t nsizes = full() ? 4 : 3;
	struct env *v = env_new(machine, NULL);
	const char *nv[8], *pr[8], *vias[10];
	size_t nn = nvmes(v, nv, 8, false), np = nvmes(v, pr, 8, true), nvia = 0, a, b, k, turn = 0;
	struct p2pdma_sim_copy_result res;

	vias[nvia++] = NULL;
	vias[nvia++] = "host";
	for (k = 0; k < np; k++)
		vias[nvia++] = pr[k];
	for (a = 0; a < nn; a++) {
		for (b = 0; b < nn; b++) {
			/* One controller: two regions of the same namespace. */
			struct job j = { nv[a], nv[b], 0, a == b ? 512 * MiB : 0, 0, NULL };

			for (k = 0; k < (full() ? nvia * nsizes : 1); k++, turn++) {
				size_t t = full() ? k : turn;

				j.via = vias[t % nvia];
				j.size = full() ? sizes[k / nvia] : sizes[(t / nvia + t) % nsizes];
				copy_one(v, &j, &res);
				if (res.provider)
					assert_int_equal(res.host_memory_bytes, 0);
				else
					assert_int_equal(res.host_memory_bytes, 2 * j.size);
			}
		}
	}
	env_free(v);
}

static void test_pairs_dual_xeon(void **state)
{
	(void)state;
	pairs("builtin:dual-xeon-8gpu");
}

static void test_pairs_amd_epyc(void **state)
{
	(void)state;
	pairs("builtin:amd-epyc-2gpu");
}

/*
 * 256 MiB, not a multiple of the 128 KiB chunk, through the CMB of the
 * destination's neighbour below the same switch (BUS_ADDR both ways: 0
 * bytes through host memory), then through host memory (2N).
 */
static void test_256m(void **state)
{
	struct env *v = env_new("builtin:dual-xeon-8gpu", NULL);
	struct job j = { "0000:d0:00.0", "0000:b6:00.0", 4096, 8192, 256 * MiB - 4096, "0000:d0:00.0" };
	struct p2pdma_sim_copy_result res;

	(void)state;
	copy_one(v, &j, &res);
	assert_int_equal(res.host_memory_bytes, 0);
	assert_false(res.fallback);
	j.via = "host";
	j.src = "0000:b6:00.0";
	j.dst = "0000:d0:00.0";
	copy_one(v, &j, &res);
	assert_int_equal(res.host_memory_bytes, 2 * j.size);
	env_free(v);
}

/* A P2P copy below one switch never touches the root complex. */
static void test_switch_local_copy(void **state)
{
	char *p = tu_data_path("../sim/data/mixed.json");
	struct env *v = env_new(p, NULL);
	struct job j = { "0001:04:00.0", "0001:03:00.0", 0, MiB, 2 * MiB, "0001:03:00.0" };
	struct p2pdma_sim_copy_result res;

	(void)state;
	free(p);
	copy_one(v, &j, &res);
	assert_int_equal(res.host_memory_bytes, 0);
	assert_int_equal(res.rc_bytes, 0);
	assert_int_equal(res.switch_local_bytes, 2 * MiB);	/* the read into the CMB */
	assert_int_equal(res.internal_bytes, 2 * MiB);		/* the CMB into its own namespace */
	assert_int_equal(res.leg[0].map_type, P2PDMA_MAP_BUS_ADDR);
	assert_int_equal(res.leg[0].how, P2PDMA_DMA_BUS_ADDR);
	env_free(v);
}

/* NOT_SUPPORTED for the source: host memory, the reason and the fix in one line. */
static void test_fallback(void **state)
{
	char *p = tu_data_path("../sim/data/mixed.json");
	struct env *v = env_new(p, NULL);
	struct job j = { "0000:81:00.0", "0000:08:00.0", 0, 0, MiB + 4096, "0000:08:00.0" };
	struct p2pdma_sim_copy_result res;

	(void)state;
	free(p);
	copy_one(v, &j, &res);
	assert_true(res.fallback);
	assert_null(res.provider);
	assert_non_null(strstr(res.fallback_reason, "NOT_SUPPORTED"));
	assert_non_null(strstr(res.fallback_reason, "0000:81:00.0"));
	assert_non_null(strstr(res.fallback_reason, "fix:"));
	assert_null(strchr(res.fallback_reason, '\n'));
	assert_int_equal(res.host_memory_bytes, 2 * j.size);
	env_free(v);
}

/* An unwritten source reads as its pattern: the copy carries the source's, not the destination's. */
static void test_unwritten_source(void **state)
{
	struct env *v = env_new("builtin:dual-xeon-8gpu", NULL);
	struct p2pdma_sim_copy_req q = {
		.src = { fn(v, "0000:1d:00.0"), 1, 7 * MiB },
		.dst = { fn(v, "0000:40:00.0"), 1, 0 },
		.size = MiB, .check = true,
	};
	struct p2pdma_sim_copy_result res;
	struct p2pdma_error e = { 0 };
	uint8_t *a = malloc(MiB), *b = malloc(MiB);

	(void)state;
	assert_int_equal(p2pdma_sim_copy(v->s, &q, &res, &e), 0);
	assert_true(res.data_ok);
	assert_int_equal(p2pdma_sim_nvme_peek(p2pdma_sim_nvme(v->s, q.dst.fn), 1, 0, a, MiB, &e), 0);
	assert_int_equal(p2pdma_sim_nvme_peek(p2pdma_sim_nvme(v->s, q.dst.fn), 1, MiB, b, MiB, &e), 0);
	assert_memory_not_equal(a, b, 4096);	/* the destination's own pattern differs */
	assert_int_equal(p2pdma_sim_nvme_peek(p2pdma_sim_nvme(v->s, q.src.fn), 1, 7 * MiB, b, MiB, &e), 0);
	assert_memory_equal(a, b, MiB);
	free(a);
	free(b);
	env_free(v);
}

static void refused(struct env *v, struct p2pdma_sim_copy_req *q, const char *says)
{
	struct p2pdma_sim_copy_result res;
	struct p2pdma_sim_stats st;
	struct p2pdma_error e = { 0 };

	p2pdma_sim_stats_reset(v->s);
	assert_int_equal(p2pdma_sim_copy(v->s, q, &res, &e), -EINVAL);
	if (!strstr(e.reason, says))
		fail_msg("'%s' does not say '%s'", e.reason, says);
	p2pdma_sim_stats(v->s, &st);
	assert_int_equal(st.bytes, 0);	/* nothing written */
}

static void test_bad_requests(void **state)
{
	struct env *v = env_new("builtin:dual-xeon-8gpu", NULL);
	struct p2pdma_sim_copy_req q = {
		.src = { fn(v, "0000:1d:00.0"), 1, 0 }, .dst = { fn(v, "0000:40:00.0"), 1, 0 }, .size = MiB,
	};
	struct p2pdma_sim_copy_req r;

	(void)state;
	r = q, r.src.fn = fn(v, "0000:1a:00.0");
	refused(v, &r, "not an NVMe controller");
	r = q, r.size = 0;
	refused(v, &r, "size 0");
	r = q, r.size = 2ULL << 40;
	refused(v, &r, "past its end");
	r = q, r.dst = r.src, r.dst.offset = MiB / 2;
	refused(v, &r, "overlap");
	r = q, r.via = P2PDMA_SIM_VIA_PROVIDER, r.via_fn = fn(v, "0000:1a:00.0");
	refused(v, &r, "has no p2pmem");
	r = q, r.via = P2PDMA_SIM_VIA_PROVIDER, r.via_fn = fn(v, "0000:1d:00.0"), r.chunk = 32 * MiB;
	refused(v, &r, "do not fit in the p2pmem pool");
	r = q, r.size = 1000;
	refused(v, &r, "block size");
	r = q, r.src.nsid = 2;
	refused(v, &r, "no namespace 2");
	env_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_dual_xeon),
		cmocka_unit_test(test_pairs_amd_epyc),
		cmocka_unit_test(test_256m),
		cmocka_unit_test(test_switch_local_copy),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_unwritten_source),
		cmocka_unit_test(test_bad_requests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
