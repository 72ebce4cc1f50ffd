// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Real copies in the guest (see copies.h): `p2pdma copy --backend linux`
 * between every two NVMe namespaces through every provider and through
 * host memory, then the same copy done by p2pmem-test and by p2pdma at
 * several depths, with the destination's bytes hashed after each tool.
 *
 * Copies read the first half of a drive and write its second half, so
 * the drive patterns the peer-to-peer reads check (which use the first
 * half) stay intact until those reads are done; this runs after them.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "copies.h"

#define COPY_SIZE	(64u << 10)	/* each matrix copy: small, TCG is slow */
#define COPY_DST_OFF	(512u << 10)	/* write into the drive's second half */
#define BENCH_CHUNK	(64u << 10)
#define BENCH_CHUNKS	12		/* 768 KiB: p2pmem-test refuses to reach the drive's end */
#define BENCH_THREADS	4
#define BENCH_REPEAT	3		/* TCG timing is noisy: the table takes the best */

/* FNV-1a of @len bytes of /dev/@block from 0, read with O_DIRECT; 0 on error. */
static uint64_t hash_range(const char *block, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	char path[64];
	unsigned char *buf;
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "/dev/%s", block);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || posix_memalign((void **)&buf, 4096, len)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (pread(fd, buf, len, 0) != (ssize_t)len)
		h = 0;
	for (i = 0; h && i < len; i++) {
		h ^= buf[i];
		h *= 0x100000001b3ull;
	}
	free(buf);
	close(fd);
	return h;
}

/* Zeros over the first @len bytes of /dev/@block, so the next tool's bytes are its own. */
static int wipe(const char *block, size_t len)
{
	char path[64];
	void *buf;
	int fd, ret = -1;

	snprintf(path, sizeof(path), "/dev/%s", block);
	fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (!posix_memalign(&buf, 4096, len)) {
		memset(buf, 0, len);
		ret = pwrite(fd, buf, len, 0) == (ssize_t)len ? 0 : -1;
		free(buf);
	}
	close(fd);
	return ret;
}

/* {"src": BDF, "dst": BDF, "via": BDF or "host", ...: the object is left open. */
static void begin_ends(struct jsonw *w, const struct vm_device *s,
		       const struct vm_device *d, const char *via)
{
	jsonw_begin_object(w);
	jsonw_key(w, "src");
	jsonw_string(w, s->bdf);
	jsonw_key(w, "dst");
	jsonw_string(w, d->bdf);
	jsonw_key(w, "via");
	jsonw_string(w, via);
}

/* Whether the copy ran through p2pmem to the end with exact data. */
static bool p2p_worked(int status, const char *out, const char *via)
{
	return status == 0 && out && strcmp(via, "host") &&
	       strstr(out, "\"fallback\": null") && strstr(out, "\"data_ok\": true");
}

static bool write_copy(struct jsonw *w, const char *p2pdma, const struct vm_device *s,
		       const struct vm_device *d, const char *via)
{
	char *out = NULL;
	bool worked;
	int status;

	char src[48], dst[48], size[24], viaarg[24];
	char *argv[] = { (char *)p2pdma, "copy", "--backend", "linux", src, dst, size,
			 "--via", viaarg, "--chunk", "16K", "--check", "--json", NULL };

	snprintf(src, sizeof(src), "/dev/%s", s->block);
	snprintf(dst, sizeof(dst), "/dev/%s@%u", d->block, COPY_DST_OFF);
	snprintf(size, sizeof(size), "%u", COPY_SIZE);
	snprintf(viaarg, sizeof(viaarg), "%s", via);
	begin_ends(w, s, d, via);
	status = write_run_keep(w, "run", argv, &out);
	worked = p2p_worked(status, out, via);
	jsonw_end_object(w);
	fflush(w->out);
	free(out);
	return worked;
}

/*
 * Every unordered pair of namespaces, through each provider and host
 * memory.  Returns the first provider through which the first pair's copy
 * really went peer-to-peer, for the bench (NULL: none did).
 */
static const char *copy_matrix(struct jsonw *w, const char *p2pdma,
			       const struct vm_device *d, int n)
{
	const char *bench_via = NULL;
	bool first = true;
	int i, j, p;

	jsonw_key(w, "copies");
	jsonw_begin_array(w);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (!d[i].block[0] || !d[j].block[0])
				continue;
			for (p = 0; p < n; p++)
				if (d[p].has_p2pmem &&
				    write_copy(w, p2pdma, &d[i], &d[j], d[p].bdf) &&
				    first && !bench_via)
					bench_via = d[p].bdf;
			write_copy(w, p2pdma, &d[i], &d[j], "host");
			first = false;
		}
	}
	jsonw_end_array(w);
	return bench_via;
}

static void bench_p2pmem_test(struct jsonw *w, const struct vm_device *s,
			      const struct vm_device *d, const char *via, int threads)
{
	char src[48], dst[48], alloc[96], t[8], c[8], sz[16];
	char *argv[16];
	int k = 0;

	snprintf(src, sizeof(src), "/dev/%s", s->block);
	snprintf(dst, sizeof(dst), "/dev/%s", d->block);
	snprintf(alloc, sizeof(alloc), "/sys/bus/pci/devices/%s/p2pmem/allocate", via);
	snprintf(t, sizeof(t), "%d", threads);
	snprintf(c, sizeof(c), "%d", BENCH_CHUNKS);
	snprintf(sz, sizeof(sz), "%u", BENCH_CHUNK);
	argv[k++] = "/bin/p2pmem-test";
	argv[k++] = src;
	argv[k++] = dst;
	if (strcmp(via, "host"))
		argv[k++] = alloc;
	argv[k++] = "-c";
	argv[k++] = c;
	argv[k++] = "-s";
	argv[k++] = sz;
	argv[k++] = "-t";
	argv[k++] = t;
	argv[k++] = "--check";
	argv[k++] = "--seed";
	argv[k++] = "1";
	argv[k] = NULL;
	wipe(d->block, BENCH_CHUNK * BENCH_CHUNKS);
	jsonw_begin_object(w);
	jsonw_key(w, "tool");
	jsonw_string(w, "p2pmem-test");
	jsonw_key(w, "threads");
	jsonw_int(w, threads);
	jsonw_key(w, "depth");
	jsonw_int(w, 1);
	write_run_keep(w, "run", argv, NULL);
	jsonw_key(w, "dst_hash");
	jsonw_int(w, (long long)(hash_range(d->block, BENCH_CHUNK * BENCH_CHUNKS) >> 1));
	jsonw_end_object(w);
}

static void bench_p2pdma(struct jsonw *w, const char *p2pdma, const struct vm_device *s,
			 const struct vm_device *d, const char *via, int depth,
			 const char *engine)
{
	char src[48], dst[48], size[24], dep[8], chunk[16];
	char *argv[] = { (char *)p2pdma, "copy", "--backend", "linux", src, dst, size,
			 "--via", (char *)via, "--chunk", chunk, "--depth", dep,
			 "--engine", (char *)engine, "--json", NULL };

	snprintf(src, sizeof(src), "/dev/%s", s->block);
	snprintf(dst, sizeof(dst), "/dev/%s", d->block);
	snprintf(size, sizeof(size), "%u", BENCH_CHUNK * BENCH_CHUNKS);
	snprintf(chunk, sizeof(chunk), "%u", BENCH_CHUNK);
	snprintf(dep, sizeof(dep), "%d", depth);
	wipe(d->block, BENCH_CHUNK * BENCH_CHUNKS);
	jsonw_begin_object(w);
	jsonw_key(w, "tool");
	jsonw_string(w, strcmp(engine, "auto") ? "p2pdma io_uring" : "p2pdma");
	jsonw_key(w, "threads");
	jsonw_int(w, 1);
	jsonw_key(w, "depth");
	jsonw_int(w, depth);
	write_run_keep(w, "run", argv, NULL);
	jsonw_key(w, "dst_hash");
	jsonw_int(w, (long long)(hash_range(d->block, BENCH_CHUNK * BENCH_CHUNKS) >> 1));
	jsonw_end_object(w);
}

/*
 * p2pmem-test and p2pdma on the same two drives through the same buffer:
 * the first two namespaces and the first provider through which their
 * copy went peer-to-peer (host memory when none did: p2pmem-test has no
 * fallback).  p2pmem-test --check first writes its own random data
 * to the source; every later run copies those same bytes.
 */
static void bench(struct jsonw *w, const char *p2pdma, const struct vm_device *d, int n,
		  const char *p2p_via)
{
	const struct vm_device *s = NULL, *t = NULL;
	const char *via = p2p_via ? p2p_via : "host";
	int i;

	for (i = 0; i < n; i++) {
		if (d[i].block[0] && !s)
			s = &d[i];
		else if (d[i].block[0] && !t)
			t = &d[i];
	}
	jsonw_key(w, "bench");
	if (!s || !t) {
		jsonw_null(w);
		return;
	}
	begin_ends(w, s, t, via);
	jsonw_key(w, "size");
	jsonw_int(w, BENCH_CHUNK * BENCH_CHUNKS);
	jsonw_key(w, "chunk");
	jsonw_int(w, BENCH_CHUNK);
	jsonw_key(w, "runs");
	jsonw_begin_array(w);
	for (i = 0; i < BENCH_REPEAT; i++) {
		bench_p2pmem_test(w, s, t, via, 1);
		bench_p2pmem_test(w, s, t, via, BENCH_THREADS);
		bench_p2pdma(w, p2pdma, s, t, via, 1, "auto");
		bench_p2pdma(w, p2pdma, s, t, via, 8, "auto");
		bench_p2pdma(w, p2pdma, s, t, via, 1, "io_uring");
	}
	jsonw_end_array(w);
	jsonw_key(w, "src_hash");
	jsonw_int(w, (long long)(hash_range(s->block, BENCH_CHUNK * BENCH_CHUNKS) >> 1));
	jsonw_end_object(w);
	fflush(w->out);
}

void run_copies(struct jsonw *w, const char *p2pdma, const struct vm_device *d, int n)
{
	struct timespec t0, t1;
	const char *via;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	via = copy_matrix(w, p2pdma, d, n);
	bench(w, p2pdma, d, n, via);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* What this adds to the guest's run, for the suite's time budget. */
	jsonw_key(w, "copies_ms");
	jsonw_int(w, (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
}
