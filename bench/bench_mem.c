// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_mem: the p2pmem pool and DMA mapping.
 *
 *  1. Pool alloc+free pairs, one thread, against a first-fit bitmap scan
 *     (what the kernel's genpool does) at the same pool occupancy.
 *  2. Pool alloc+free pairs from 1, 2 and every core at once: all on one
 *     provider (per-thread slots, pcpu.c), and each thread on its own.
 *  3. map_sg and unmap_sg cost per segment for 256 x 4 KiB lists, mixed
 *     host and p2pmem, for a client with and without an IOMMU domain,
 *     verdicts from the real policy layer.
 *
 * Goals (issue 7): alloc+free <= 50 ns; <= 10 ns per BUS_ADDR segment.
 * Goal (issue 17): <= 50 ns per pair per thread on one shared pool.
 * Prints a table and the command that produced it.
 *
 *   bench_mem [--seconds S] [--threads N]
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p2pdma.h"
#include "bench.h"

#define MiB (1ULL << 20)
#define PAGE 4096ULL

static double seconds = 0.5;

/* ---------------------------------------------------------------------- */
/* A machine: one host bridge, a switch with NVMe providers and a NIC,     */
/* and a GPU behind a second root port.                                    */

struct machine {
	struct p2pdma_fabric *f;
	struct p2pdma_function *nvme[64], *nic_iommu, *nic_direct;
	int nr_nvme;
};

static struct p2pdma_function *add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, const char *bdf,
				   enum p2pdma_role role, int sec, int sub, int group)
{
	struct p2pdma_function t, *out;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	if (p2pdma_bdf_parse(bdf, &t.bdf))
		die(bdf, NULL);
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sub;
	t.iommu_group = group;
	t.acs_state = P2PDMA_ACS_ABSENT;
	if (p2pdma_fabric_add_function(f, hb, parent, &t, &out, &e))
		die("add function", &e);
	return out;
}

/*
 * 00:01.0 root port -> 01:00.0 switch upstream -> 02:NN.0 downstream
 * ports, each with one endpoint 1NN:00.0... endpoints on buses 0x10+:
 * NVMe providers (1 GiB BAR each), a NIC in IOMMU group "DMA" and a NIC
 * with no group (direct).  All under one switch: every pair is BUS_ADDR.
 */
static void machine_build(struct machine *m, int nr_nvme)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp, *usp;
	int i, ports = nr_nvme + 2;
	char bdf[32];

	memset(m, 0, sizeof(*m));
	m->f = p2pdma_fabric_new();
	if (p2pdma_fabric_add_host_bridge(m->f, NULL, 0, 0, &hb, &e))
		die("host bridge", &e);
	rp = add(m->f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 0x10 + ports, -1);
	usp = add(m->f, hb, rp, "01:00.0", P2PDMA_ROLE_SWITCH_UPSTREAM, 2, 0x10 + ports, -1);
	for (i = 0; i < ports; i++) {
		struct p2pdma_function *dsp, *ep;
		int bus = 0x10 + i;

		snprintf(bdf, sizeof(bdf), "02:%02x.0", i);
		dsp = add(m->f, hb, usp, bdf, P2PDMA_ROLE_SWITCH_DOWNSTREAM, bus, bus, -1);
		snprintf(bdf, sizeof(bdf), "%02x:00.0", bus);
		ep = add(m->f, hb, dsp, bdf, P2PDMA_ROLE_ENDPOINT, -1, -1,
			 i == nr_nvme ? 1 : -1);
		ep->bars[0].start = 0x200000000000ULL + (uint64_t)i * (1ULL << 30);
		ep->bars[0].size = 1ULL << 30;
		ep->bars[0].flags = P2PDMA_BAR_MEM | P2PDMA_BAR_64 | P2PDMA_BAR_PREFETCH;
		if (i < nr_nvme)
			m->nvme[m->nr_nvme++] = ep;
		else if (i == nr_nvme)
			m->nic_iommu = ep;
		else
			m->nic_direct = ep;
	}
	if (p2pdma_fabric_set_iommu_group_type(m->f, 1, "DMA", &e) ||
	    p2pdma_fabric_add_ram(m->f, 0x100000000ULL, 64ULL << 30, 0, &e) ||
	    p2pdma_fabric_finalize(m->f, &e))
		die("machine", &e);
}

/* ---------------------------------------------------------------------- */
/* 1. One thread, against a first-fit bitmap scan                         */

/* genpool's way: one bit per page, first fit from the start of the chunk. */
struct ff {
	uint64_t *bits;
	uint64_t pages;
};

static int64_t ff_alloc(struct ff *p, uint64_t n)
{
	uint64_t i = 0, run = 0;

	while (i < p->pages) {
		uint64_t w = p->bits[i / 64];

		/* Skip full words a word at a time, as bitmap_find_next_zero_area does. */
		if (!(i % 64) && w == ~0ULL) {
			run = 0;
			i += 64;
			continue;
		}
		if (w >> (i % 64) & 1) {
			run = 0;
		} else if (++run == n) {
			uint64_t s = i + 1 - n, k;

			for (k = s; k <= i; k++)
				p->bits[k / 64] |= 1ULL << (k % 64);
			return (int64_t)s;
		}
		i++;
	}
	return -1;
}

static void ff_free(struct ff *p, uint64_t s, uint64_t n)
{
	uint64_t k;

	for (k = s; k < s + n; k++)
		p->bits[k / 64] &= ~(1ULL << (k % 64));
}

/*
 * Bring a pool to @occupancy percent with 1-16 page buffers left in
 * random places: fill it completely, then free buffers at random until
 * only that much is in use, so both allocators face the same holes of
 * every size.  The survivors are mirrored into the first-fit bitmap.
 */
struct held {
	uint64_t phys, size;
};

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

static size_t fill(struct p2pdma_provider *p, struct ff *ff, uint64_t base, int occupancy,
		   struct held *h, size_t cap, uint64_t pool)
{
	uint64_t rng = 88172645463325252ULL, used = 0, a;
	size_t n = 0, i;

	if (!occupancy)
		return 0;
	while (n < cap) {
		uint64_t pages = 1 + lcg(&rng) % 16;

		if (p2pdma_p2pmem_alloc(p, pages * PAGE, &a, NULL))
			break;
		h[n].phys = a;
		h[n].size = pages * PAGE;
		used += pages * PAGE;
		n++;
	}
	while (used > pool / 100 * (uint64_t)occupancy && n) {
		i = lcg(&rng) % n;
		p2pdma_p2pmem_free(p, h[i].phys, h[i].size, NULL);
		used -= h[i].size;
		h[i] = h[--n];
	}
	for (i = 0; i < n; i++) {
		uint64_t s = (h[i].phys - base) / PAGE, k;

		for (k = s; k < s + h[i].size / PAGE; k++)
			ff->bits[k / 64] |= 1ULL << (k % 64);
	}
	return n;
}

static double time_pairs(struct p2pdma_provider *p, uint64_t size, uint64_t *count)
{
	double t0 = now(), t;
	uint64_t n = 0, a;

	do {
		int i;

		for (i = 0; i < 4096; i++) {
			if (p2pdma_p2pmem_alloc(p, size, &a, NULL))
				return -1;	/* no run that long is free */
			p2pdma_p2pmem_free(p, a, size, NULL);
		}
		n += 4096;
		t = now();
	} while (t - t0 < seconds);
	*count = n;
	return (t - t0) / (double)n * 1e9;
}

static double time_ff(struct ff *ff, uint64_t pages)
{
	double t0 = now(), t;
	uint64_t n = 0;

	do {
		int i;

		for (i = 0; i < 256; i++) {
			int64_t s = ff_alloc(ff, pages);

			if (s < 0)
				return -1;
			ff_free(ff, (uint64_t)s, pages);
		}
		n += 256;
		t = now();
	} while (t - t0 < seconds);
	return (t - t0) / (double)n * 1e9;
}

static void bench_single(void)
{
	static const int occ[] = { 0, 50, 75 };
	static const uint64_t sizes[] = { 1, 4, 16 };
	const uint64_t pool = 256 * MiB;
	struct p2pdma_error e = { 0 };
	struct held *h = malloc(sizeof(*h) * 200000);
	struct machine mc;
	size_t o, s;

	machine_build(&mc, 1);
	printf("\n1. Pool alloc+free pair, one thread (256 MiB pool, buffers 1-16 pages\n"
	       "   already out at the occupancy shown)\n\n");
	printf("   %-10s %-7s %14s %16s %14s\n", "occupancy", "size", "p2pdma ns/pair",
	       "first-fit ns/pair", "first-fit / us");
	for (o = 0; o < sizeof(occ) / sizeof(occ[0]); o++) {
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct p2pdma_mem *m;
			struct p2pdma_provider *p;
			struct ff ff = { .pages = pool / PAGE };
			double ours, theirs;
			uint64_t n;
			size_t kept, i;

			ff.bits = calloc(ff.pages / 64 + 1, 8);
			if (p2pdma_mem_new(mc.f, NULL, 0, &m, &e) ||
			    p2pdma_provider_add(m, mc.nvme[0], 0, pool, 0, &e))
				die("pool", &e);
			p = p2pdma_provider_find(m, mc.nvme[0]);
			kept = fill(p, &ff, mc.nvme[0]->bars[0].start, occ[o], h, 200000, pool);
			ours = time_pairs(p, sizes[s] * PAGE, &n);
			theirs = time_ff(&ff, sizes[s]);
			printf("   %8d%%  %3llu KiB ", occ[o], (unsigned long long)(sizes[s] * 4));
			if (ours < 0 || theirs < 0)
				printf("%14s %16s %14s\n", ours < 0 ? "no run" : "", theirs < 0 ? "no run" : "", "");
			else
				printf("%14.1f %16.1f %13.1fx\n", ours, theirs, theirs / ours);
			for (i = 0; i < kept; i++)
				p2pdma_p2pmem_free(p, h[i].phys, h[i].size, NULL);
			free(ff.bits);
			p2pdma_mem_free(m);
		}
	}
	free(h);
	p2pdma_fabric_free(mc.f);
}

/* ---------------------------------------------------------------------- */
/* 2. Every core                                                          */

struct mt {
	struct p2pdma_provider *p;
	pthread_barrier_t *start;
	double ns;		/* CPU ns per pair */
	uint64_t pairs;
};

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *mt_worker(void *arg)
{
	struct mt *w = arg;

	pthread_barrier_wait(w->start);
	w->ns = time_pairs(w->p, PAGE, &w->pairs);
	return NULL;
}

/* @threads threads on one shared provider or one each: CPU ns per pair per thread. */
static double run_threads(struct machine *mc, int threads, bool shared, double *mpairs)
{
	struct p2pdma_error e = { 0 };
	struct mt *w = calloc((size_t)threads, sizeof(*w));
	pthread_t *t = calloc((size_t)threads, sizeof(*t));
	pthread_barrier_t start;
	struct p2pdma_mem *m;
	double ns = 0, t0;
	uint64_t pairs = 0;
	int i;

	if (p2pdma_mem_new(mc->f, NULL, 0, &m, &e))
		die("mem", &e);
	for (i = 0; i < threads; i++)
		if (p2pdma_provider_add(m, mc->nvme[i], 0, 64 * MiB, 0, &e))
			die("provider", &e);
	pthread_barrier_init(&start, NULL, (unsigned int)threads);
	t0 = wall();
	for (i = 0; i < threads; i++) {
		w[i].p = p2pdma_provider_find(m, mc->nvme[shared ? 0 : i]);
		w[i].start = &start;
		pthread_create(&t[i], NULL, mt_worker, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		pairs += w[i].pairs;
		ns += w[i].ns;
	}
	*mpairs = (double)pairs / (wall() - t0) / 1e6;
	pthread_barrier_destroy(&start);
	p2pdma_mem_free(m);
	free(w);
	free(t);
	return ns / threads;
}

/* 1 thread, 2, and @threads (every core), each on one shared pool. */
static void bench_threads(int threads)
{
	int counts[3] = { 1, 2, threads }, nr = threads > 2 ? 3 : threads, c;
	struct machine mc;
	bool met = true;

	machine_build(&mc, threads > 2 ? threads : 2);
	printf("\n2. Pool alloc+free pairs (4 KiB) from several threads at once (the\n"
	       "   wall-clock rate depends on what else the machine runs; goal issue 17:\n"
	       "   <= 50 ns per pair per thread on one shared pool at every count)\n\n");
	printf("   %-8s %-28s %16s %18s\n", "threads", "providers", "Mpairs/s (wall)",
	       "CPU ns/pair/thread");
	for (c = 0; c < nr; c++) {
		int shared;

		for (shared = 1; shared >= 0; shared--) {
			double mp, ns = run_threads(&mc, counts[c], shared, &mp);

			if (shared && ns > 50)
				met = false;
			printf("   %-8d %-28s %16.1f %18.1f\n", counts[c],
			       shared ? "one, shared by all threads" : "one per thread", mp, ns);
			if (counts[c] == 1)
				break;
		}
	}
	printf("\n   goal: <= 50 ns per pair per thread on a shared pool: %s\n",
	       met ? "met" : "NOT met");
	p2pdma_fabric_free(mc.f);
}

/* ---------------------------------------------------------------------- */
/* 3. map_sg per segment                                                  */

enum seg_mix { ALL_BUS, HOST_AND_BUS, ALL_HOST };

static void build_list(struct p2pdma_mem *m, struct p2pdma_provider *p, enum seg_mix mix,
		       struct p2pdma_sgl *s)
{
	struct p2pdma_error e = { 0 };
	uint64_t a;
	int i;

	p2pdma_sgl_init(s);
	for (i = 0; i < 256; i++) {
		bool host = mix == ALL_HOST || (mix == HOST_AND_BUS && i % 2);

		if (host ? p2pdma_mem_host_alloc(m, PAGE, &a, &e) :
			   p2pdma_p2pmem_alloc(p, PAGE, &a, &e))
			die("buffer", &e);
		/* Every other buffer skipped: no two segments are contiguous. */
		if (!host && p2pdma_p2pmem_alloc(p, PAGE, &a, &e))
			die("buffer", &e);
		if (p2pdma_sgl_add(s, a, PAGE, &e))
			die("segment", &e);
	}
}

/*
 * Map a batch of identical lists, then unmap them: the clock is read
 * only around each batch (reading a thread's CPU clock is a system call,
 * which would otherwise be most of what is measured).
 */
#define BATCH 16

static void time_map(struct p2pdma_dma *d, const struct p2pdma_function *client,
		     struct p2pdma_sgl *s, double *map_ns, double *unmap_ns, int *nents)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_sgl copy[BATCH];
	double tm = 0, tu = 0, a, b, c;
	uint64_t n = 0;
	size_t i;
	int k;

	for (k = 0; k < BATCH; k++) {
		p2pdma_sgl_init(&copy[k]);
		for (i = 0; i < s->nents; i++)
			if (p2pdma_sgl_add(&copy[k], s->sg[i].phys, s->sg[i].len, &e))
				die("copy", &e);
	}
	do {
		a = now();
		for (k = 0; k < BATCH; k++) {
			*nents = p2pdma_dma_map_sg(d, client, &copy[k], &e);
			if (*nents <= 0)
				die("map", &e);
		}
		b = now();
		for (k = 0; k < BATCH; k++)
			if (p2pdma_dma_unmap_sg(d, client, &copy[k], &e))
				die("unmap", &e);
		c = now();
		tm += b - a;
		tu += c - b;
		n += BATCH;
	} while (tm + tu < seconds);
	*map_ns = tm / (double)n / (double)s->nents * 1e9;
	*unmap_ns = tu / (double)n / (double)s->nents * 1e9;
	for (k = 0; k < BATCH; k++)
		p2pdma_sgl_release(&copy[k]);
}

static void bench_map(void)
{
	static const char *const mixes[] = { "256 p2pmem (BUS_ADDR)", "128 host + 128 BUS_ADDR",
					     "256 host" };
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *pol;
	struct p2pdma_dma_opts o = { 0 };
	struct p2pdma_provider *p;
	struct p2pdma_mem *m;
	struct p2pdma_dma *d;
	struct machine mc;
	int mix, iommu;

	machine_build(&mc, 1);
	pol = p2pdma_policy_new(mc.f);
	if (!pol || p2pdma_mem_new(mc.f, NULL, 0, &m, &e) ||
	    p2pdma_provider_add(m, mc.nvme[0], 0, 0, 0, &e))
		die("setup", &e);
	o.policy = pol;
	if (p2pdma_dma_new(m, &o, &d, &e))
		die("dma", &e);
	p = p2pdma_provider_find(m, mc.nvme[0]);
	printf("\n3. map_sg / unmap_sg, 256 segments of 4 KiB, none contiguous\n"
	       "   (verdicts from the policy layer: provider and client share a switch)\n\n");
	printf("   %-24s %-13s %12s %14s %9s\n", "list", "client", "map ns/seg",
	       "unmap ns/seg", "entries");
	for (mix = ALL_BUS; mix <= ALL_HOST; mix++) {
		struct p2pdma_sgl s;

		build_list(m, p, (enum seg_mix)mix, &s);
		for (iommu = 0; iommu < 2; iommu++) {
			double mn, un;
			int nents;

			time_map(d, iommu ? mc.nic_iommu : mc.nic_direct, &s, &mn, &un, &nents);
			printf("   %-24s %-13s %12.2f %14.2f %9d\n", mixes[mix],
			       iommu ? "IOMMU (DMA)" : "direct", mn, un, nents);
		}
		p2pdma_sgl_release(&s);
	}
	p2pdma_dma_free(d);
	p2pdma_mem_free(m);
	p2pdma_policy_free(pol);
	p2pdma_fabric_free(mc.f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ 0 },
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cores > 0 ? (int)cores : 1, c, i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_mem [--seconds S] [--threads N]\n");
			return 2;
		}
	}
	if (seconds <= 0 || threads < 1 || threads > 60) {
		fprintf(stderr, "bench_mem: --seconds > 0, --threads 1-60\n");
		return 2;
	}
	printf("Command:");
	for (i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	printf("(%.2f s of CPU per figure, %ld online CPUs; times are the measuring\n"
	       " thread's CPU time, so other load on the machine does not count.\n"
	       " Goals: alloc+free <= 50 ns, <= 10 ns per BUS_ADDR segment)\n", seconds, cores);
	bench_single();
	bench_threads(threads);
	bench_map();
	return 0;
}
