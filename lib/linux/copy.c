// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A copy between two NVMe namespaces through a provider's p2pmem (or host
 * memory): open both devices for O_DIRECT, map the buffers, pick the
 * engine, split the range over the threads, time it, explain a refusal,
 * and check the result when asked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "job.h"

const char *p2pdma_linux_engine_name(enum p2pdma_linux_engine e)
{
	switch (e) {
	case P2PDMA_ENGINE_IO_URING: return "io_uring";
	case P2PDMA_ENGINE_PREAD: return "pread";
	default: return "auto";
	}
}

int p2pdma_linux_engine_parse(const char *s, enum p2pdma_linux_engine *out)
{
	static const enum p2pdma_linux_engine all[] = {
		P2PDMA_ENGINE_AUTO, P2PDMA_ENGINE_IO_URING, P2PDMA_ENGINE_PREAD,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(s, p2pdma_linux_engine_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

void p2pdma_linux_copy_result_clear(struct p2pdma_linux_copy_result *res)
{
	size_t i;

	for (i = 0; i < res->nr_kmsg; i++)
		free(res->kmsg[i]);
	memset(res, 0, sizeof(*res));
}

void lx_job_error(struct lx_job *j, int err, bool write, uint64_t rel_off)
{
	const struct p2pdma_linux_target *t = write ? &j->req->dst : &j->req->src;

	pthread_mutex_lock(&j->lock);
	if (!j->err) {
		j->err = err;
		snprintf(j->err_reason, sizeof(j->err_reason),
			 "%s of %.512s failed at byte %llu (copy offset %llu): %s",
			 write ? "write" : "read", t->path,
			 (unsigned long long)(t->offset + rel_off),
			 (unsigned long long)rel_off, strerror(-err));
	}
	pthread_mutex_unlock(&j->lock);
	atomic_store(&j->stop, true);
}

/*
 * The errors with which the kernel refuses P2P pages: EREMOTEIO from the
 * DMA mapping (6.2-6.16) or from pinning for a queue without P2P, EINVAL
 * from blk-mq-dma (6.17+), EFAULT/EOPNOTSUPP from pinning paths.  A chunk
 * that then also fails through host memory is an I/O error after all.
 */
bool lx_job_refusal(struct lx_job *j, int err, bool write, uint64_t rel_off)
{
	if (err != -EREMOTEIO && err != -EINVAL && err != -EFAULT && err != -EOPNOTSUPP)
		return false;
	pthread_mutex_lock(&j->lock);
	if (!atomic_load(&j->refused)) {
		j->refused_errno = -err;
		j->refused_write = write;
		j->refused_at = rel_off;
		atomic_store(&j->refused, true);
	}
	pthread_mutex_unlock(&j->lock);
	return true;
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                 */

static int open_dev(const struct p2pdma_linux_target *t, bool write, bool *direct,
		    struct p2pdma_error *e)
{
	int flags = (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC;
	int fd = open(t->path, flags | O_DIRECT);

	*direct = fd >= 0;
	/* Some filesystems (tmpfs) have no O_DIRECT; block devices always do. */
	if (fd < 0 && errno == EINVAL)
		fd = open(t->path, flags);
	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		return p2pdma_fail(e, -errno, "%s: permission denied: copying between block "
				   "devices needs root", t->path);
	return p2pdma_fail(e, -errno, "%s: %s", t->path, strerror(errno));
}

/* An ordinary file standing in for a device must really hold the range. */
static int check_file_size(int fd, const struct p2pdma_linux_target *t, uint64_t size,
			   struct p2pdma_error *e)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	if ((uint64_t)st.st_size < t->offset + size)
		return p2pdma_fail(e, -EINVAL, "%s holds %lld bytes, less than %llu+%llu",
				   t->path, (long long)st.st_size,
				   (unsigned long long)t->offset, (unsigned long long)size);
	return 0;
}

static int open_both(struct lx_job *j, struct p2pdma_linux_copy_result *res,
		     struct p2pdma_error *e)
{
	bool sd = false, dd = false;
	int ret;

	j->src_fd = open_dev(&j->req->src, false, &sd, e);
	if (j->src_fd < 0)
		return j->src_fd;
	ret = check_file_size(j->src_fd, &j->req->src, j->req->size, e);
	if (ret)
		return ret;
	j->dst_fd = open_dev(&j->req->dst, true, &dd, e);
	if (j->dst_fd < 0)
		return j->dst_fd;
	res->direct = sd && dd;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Buffers and engine                                                      */

static int map_buffers(struct lx_job *j, struct p2pdma_error *e)
{
	size_t per = (size_t)j->threads * j->chunk;
	const struct p2pdma_linux_provider *p;
	unsigned int fit;
	int ret;

	if (j->req->via) {
		/* Shrink the depth to what the pool can give in one block. */
		p = p2pdma_linux_provider_find(j->l, j->req->via);
		fit = p && p->available ? (unsigned int)(p->available / per) : j->depth;
		if (fit == 0)
			return p2pdma_fail(e, -ENOMEM, "%s has %llu bytes of p2pmem free, less "
					   "than %u thread(s) x one %zu-byte chunk", j->req->via,
					   (unsigned long long)p->available, j->threads, j->chunk);
		if (fit < j->depth)
			j->depth = fit;
		ret = p2pdma_linux_buf_p2pmem(j->l, j->req->via, per * j->depth, &j->p2p, e);
		if (ret)
			return ret;
	}
	/* The bounce buffer always exists: it takes over when the kernel refuses. */
	return p2pdma_linux_buf_host(per * (j->depth < 2 ? 2 : j->depth), &j->host, e);
}

static void pick_engine(struct lx_job *j, struct p2pdma_linux_copy_result *res)
{
	int ret;

	j->engine = j->req->engine;
	if (j->engine == P2PDMA_ENGINE_PREAD) {
		snprintf(res->engine_why, sizeof(res->engine_why), "asked for");
		return;
	}
	/*
	 * One I/O in flight gains nothing from a ring, and in the QEMU
	 * guests io_uring at depth 1 moved p2pmem 20 % slower than pread.
	 */
	if (j->engine == P2PDMA_ENGINE_AUTO && j->depth == 1) {
		j->engine = P2PDMA_ENGINE_PREAD;
		snprintf(res->engine_why, sizeof(res->engine_why),
			 "depth 1: pread/pwrite (a ring gains nothing with one I/O in flight)");
		return;
	}
	ret = lx_uring_probe();
	if (!ret) {
		j->engine = P2PDMA_ENGINE_IO_URING;
		snprintf(res->engine_why, sizeof(res->engine_why), "depth %u", j->depth);
		return;
	}
	j->engine = P2PDMA_ENGINE_PREAD;
	snprintf(res->engine_why, sizeof(res->engine_why),
		 "io_uring unavailable (io_uring_queue_init: %s): pread/pwrite", strerror(-ret));
}

/* ---------------------------------------------------------------------- */
/* Running                                                                 */

static void *worker_main(void *arg)
{
	lx_engine_run(arg);
	return NULL;
}

/* Each thread a contiguous slice, in whole chunks. */
static void split(struct lx_job *j, struct lx_worker *w)
{
	uint64_t chunks = (j->req->size + j->chunk - 1) / j->chunk;
	unsigned int t;

	for (t = 0; t < j->threads; t++) {
		w[t] = (struct lx_worker){ .job = j, .index = t };
		w[t].begin = chunks * t / j->threads * j->chunk;
		w[t].end = chunks * (t + 1) / j->threads * j->chunk;
		if (w[t].end > j->req->size)
			w[t].end = j->req->size;
	}
}

double lx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_workers(struct lx_job *j, struct p2pdma_linux_copy_result *res)
{
	struct lx_worker *w = calloc(j->threads, sizeof(*w));
	pthread_t *tid = calloc(j->threads, sizeof(*tid));
	bool *joined = calloc(j->threads, sizeof(*joined));
	double first = 0, last = 0;
	unsigned int t;

	if (!w || !tid || !joined) {
		free(w);
		free(tid);
		free(joined);
		return -ENOMEM;
	}
	split(j, w);
	for (t = 1; t < j->threads; t++)
		joined[t] = !pthread_create(&tid[t], NULL, worker_main, &w[t]);
	lx_engine_run(&w[0]);
	for (t = 1; t < j->threads; t++) {
		if (joined[t])
			pthread_join(tid[t], NULL);
		else
			lx_engine_run(&w[t]);	/* no thread for it: do it here */
	}
	for (t = 0; t < j->threads; t++) {
		if (w[t].t_end > 0 && (first == 0 || w[t].t_start < first))
			first = w[t].t_start;
		if (w[t].t_end > last)
			last = w[t].t_end;
		res->copied += w[t].copied;
		res->p2p_bytes += w[t].p2p_bytes;
		res->bounced_bytes += w[t].bounced_bytes;
	}
	res->seconds = last > first ? last - first : 0;
	free(w);
	free(tid);
	free(joined);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* --check: read both ranges back through host memory and compare          */

static int read_exact(int fd, char *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

static int check_ranges(struct lx_job *j, struct p2pdma_linux_copy_result *res,
			struct p2pdma_error *e)
{
	const struct p2pdma_linux_copy_req *r = j->req;
	char *a = j->host.addr, *b = a + j->chunk;
	int rfd = open(r->dst.path, O_RDONLY | O_CLOEXEC | (res->direct ? O_DIRECT : 0));
	uint64_t off;
	int ret = 0;

	if (rfd < 0)
		return p2pdma_fail(e, -errno, "--check: %s: %s", r->dst.path, strerror(errno));
	res->checked = true;
	res->check_ok = true;
	for (off = 0; off < r->size && !ret; off += j->chunk) {
		size_t len = r->size - off < j->chunk ? (size_t)(r->size - off) : j->chunk;
		size_t i;

		ret = read_exact(j->src_fd, a, len, r->src.offset + off);
		if (ret) {
			p2pdma_fail(e, ret, "--check: reading %s at byte %llu: %s", r->src.path,
				    (unsigned long long)(r->src.offset + off), strerror(-ret));
			break;
		}
		ret = read_exact(rfd, b, len, r->dst.offset + off);
		if (ret) {
			p2pdma_fail(e, ret, "--check: reading %s at byte %llu: %s", r->dst.path,
				    (unsigned long long)(r->dst.offset + off), strerror(-ret));
			break;
		}
		if (!memcmp(a, b, len))
			continue;
		for (i = 0; a[i] == b[i]; i++)
			;
		res->check_ok = false;
		res->mismatch_at = off + i;
		break;
	}
	close(rfd);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Putting it together                                                     */

static void report_fixed(const struct lx_job *j, struct p2pdma_linux_copy_result *res)
{
	if (j->engine != P2PDMA_ENGINE_IO_URING) {
		snprintf(res->fixed_why, sizeof(res->fixed_why), "not io_uring");
		return;
	}
	res->fixed_buffers = j->fixed_host_err == 0 && (!j->p2p.addr || !j->fixed_p2p_err);
	if (j->fixed_host_err)
		snprintf(res->fixed_why, sizeof(res->fixed_why),
			 "io_uring_register_buffers: %s", strerror(-j->fixed_host_err));
	else if (j->p2p.addr && j->fixed_p2p_err)
		snprintf(res->fixed_why, sizeof(res->fixed_why),
			 "the kernel does not register p2pmem pages as fixed buffers (%s); "
			 "host buffers registered", strerror(-j->fixed_p2p_err));
}

static void report_refusal(struct lx_job *j, struct p2pdma_linux_copy_result *res,
			   int kmsg)
{
	const struct p2pdma_linux_copy_req *r = j->req;
	const struct p2pdma_linux_target *t = j->refused_write ? &r->dst : &r->src;
	char *verdict = NULL;
	struct p2pdma_error ve = { 0 };
	size_t i, n;

	res->refused = true;
	res->refused_write = j->refused_write;
	res->refused_errno = j->refused_errno;
	res->nr_kmsg = lx_kmsg_collect(kmsg, res->kmsg, P2PDMA_LINUX_MAX_KMSG);
	if (p2pdma_linux_explain(j->l, r->via, t->ns->bdf, NULL, &verdict, &ve))
		verdict = NULL;
	n = (size_t)snprintf(res->refusal, sizeof(res->refusal),
		"the kernel refused P2P: O_DIRECT %s %s (%s) %s p2pmem of %s failed with %s "
		"at copy offset %llu, so the copy went on through host memory; p2pdma: %s",
		j->refused_write ? "write of" : "read of", t->ns->name, t->ns->bdf,
		j->refused_write ? "from" : "into", r->via, strerrorname_np(j->refused_errno),
		(unsigned long long)j->refused_at, verdict ? verdict : ve.reason);
	for (i = 0; i < res->nr_kmsg && n < sizeof(res->refusal); i++)
		n += (size_t)snprintf(res->refusal + n, sizeof(res->refusal) - n, "%s%s",
				      i ? " | " : "; kernel log: ", res->kmsg[i]);
	if (n < sizeof(res->refusal) && !res->nr_kmsg)
		snprintf(res->refusal + n, sizeof(res->refusal) - n, "; kernel log: %s",
			 kmsg < 0 ? "not readable (/dev/kmsg needs root)" :
			 "nothing new (the kernel warns about a pair only the first time it maps it)");
	free(verdict);
}

static void fill_result(struct lx_job *j, struct p2pdma_linux_copy_result *res, int kmsg)
{
	res->engine = j->engine;
	res->depth = j->engine == P2PDMA_ENGINE_IO_URING ? j->depth : 1;
	res->threads = j->threads;
	res->chunk = j->chunk;
	res->throughput = res->seconds > 0 ? (double)res->copied / res->seconds : 0;
	report_fixed(j, res);
	if (atomic_load(&j->refused))
		report_refusal(j, res, kmsg);
}

static void job_init(struct lx_job *j, const struct p2pdma_linux *l,
		     const struct p2pdma_linux_copy_req *req)
{
	memset(j, 0, sizeof(*j));
	j->l = l;
	j->req = req;
	j->src_fd = j->dst_fd = -1;
	j->chunk = req->chunk ? req->chunk : LX_DEFAULT_CHUNK;
	j->depth = req->depth ? req->depth : LX_DEFAULT_DEPTH;
	j->threads = req->threads ? req->threads : 1;
	pthread_mutex_init(&j->lock, NULL);
}

static void job_fini(struct lx_job *j)
{
	if (j->src_fd >= 0)
		close(j->src_fd);
	if (j->dst_fd >= 0)
		close(j->dst_fd);
	p2pdma_linux_buf_release(&j->p2p);
	p2pdma_linux_buf_release(&j->host);
	pthread_mutex_destroy(&j->lock);
}

int p2pdma_linux_copy(const struct p2pdma_linux *l,
		      const struct p2pdma_linux_copy_req *req,
		      struct p2pdma_linux_copy_result *res,
		      struct p2pdma_error *e)
{
	struct lx_job j;
	int ret, kmsg = -1;

	memset(res, 0, sizeof(*res));
	ret = p2pdma_linux_copy_validate(l, req, e);
	if (ret)
		return ret;
	job_init(&j, l, req);
	ret = open_both(&j, res, e);
	if (!ret)
		ret = map_buffers(&j, e);
	if (!ret) {
		pick_engine(&j, res);
		kmsg = lx_kmsg_open(l->root);
		res->started = true;
		ret = run_workers(&j, res);
		if (ret)
			p2pdma_fail(e, ret, "out of memory");
	}
	if (!ret) {
		fill_result(&j, res, kmsg);
		if (j.err)
			ret = p2pdma_fail(e, j.err, "%s; %llu bytes written before it stopped",
					  j.err_reason, (unsigned long long)res->copied);
		else if (res->copied != req->size)	/* a bug, never a success */
			ret = p2pdma_fail(e, -EIO, "only %llu of %llu bytes were written",
					  (unsigned long long)res->copied,
					  (unsigned long long)req->size);
	}
	if (!ret && req->check)
		ret = check_ranges(&j, res, e);
	if (kmsg >= 0)
		close(kmsg);
	job_fini(&j);
	return ret;
}
