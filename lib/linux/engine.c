// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The two ways bytes move: io_uring with several chunks in flight, and
 * plain pread()/pwrite() one chunk at a time.  Each chunk is read into a
 * buffer and then written out of it; a chunk whose P2P read or write the
 * kernel refuses is done again from its start through the host buffer.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "job.h"

lx_fault_fn lx_fault_hook;

struct lx_slot {
	uint64_t off;		/* relative offset of the chunk */
	size_t len, done;
	bool write;		/* in the write half */
	bool p2p;		/* buffer is p2pmem */
	bool busy;
};

static bool use_p2p(const struct lx_job *j)
{
	return j->p2p.addr && !atomic_load(&j->refused);
}

static char *slot_buf(const struct lx_worker *w, const struct lx_slot *s, unsigned int i)
{
	return lx_slot_buf(w, s->p2p ? &w->job->p2p : &w->job->host, i);
}

static uint64_t dev_off(const struct lx_job *j, const struct lx_slot *s)
{
	const struct p2pdma_linux_target *t = s->write ? &j->req->dst : &j->req->src;

	return t->offset + s->off + s->done;
}

static int fault(const struct lx_job *j, const struct lx_slot *s)
{
	return lx_fault_hook ? lx_fault_hook(s->write, s->p2p, dev_off(j, s)) : 0;
}

static void start_chunk(struct lx_worker *w, struct lx_slot *s, uint64_t off)
{
	s->off = off;
	s->len = (size_t)(w->end - off < w->job->chunk ? w->end - off : w->job->chunk);
	s->done = 0;
	s->write = false;
	s->p2p = use_p2p(w->job);
	s->busy = true;
}

/*
 * One I/O finished with @res.  Returns true when the slot has more to do
 * (next half, the rest of a short transfer, a retry through the host
 * buffer) and false when it is free again.
 */
static bool advance(struct lx_worker *w, struct lx_slot *s, long res)
{
	struct lx_job *j = w->job;

	if (res < 0) {
		if (s->p2p && lx_job_refusal(j, (int)res, s->write, s->off + s->done)) {
			s->p2p = false;		/* the whole chunk again, bounced */
			s->write = false;
			s->done = 0;
			return true;
		}
		lx_job_error(j, (int)res, s->write, s->off + s->done);
		return s->busy = false;
	}
	if (res == 0) {
		lx_job_error(j, s->write ? -ENOSPC : -ENODATA, s->write, s->off + s->done);
		return s->busy = false;
	}
	s->done += (size_t)res;
	if (s->done < s->len)
		return true;
	if (!s->write) {
		s->write = true;
		s->done = 0;
		return true;
	}
	w->copied += s->len;
	*(s->p2p ? &w->p2p_bytes : &w->bounced_bytes) += s->len;
	return s->busy = false;
}

/* ---------------------------------------------------------------------- */
/* pread / pwrite                                                          */

static long sync_io(struct lx_worker *w, struct lx_slot *s)
{
	const struct lx_job *j = w->job;
	char *buf = slot_buf(w, s, 0) + s->done;
	size_t len = s->len - s->done;
	ssize_t n;
	int f = fault(j, s);

	if (f)
		return f;
	do
		n = s->write ? pwrite(j->dst_fd, buf, len, (off_t)dev_off(j, s))
			     : pread(j->src_fd, buf, len, (off_t)dev_off(j, s));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static void run_sync(struct lx_worker *w)
{
	struct lx_slot s = { 0 };
	uint64_t off;

	for (off = w->begin; off < w->end && !atomic_load(&w->job->stop); off += s.len) {
		start_chunk(w, &s, off);
		while (advance(w, &s, sync_io(w, &s)))
			;
	}
}

/* ---------------------------------------------------------------------- */
/* io_uring                                                                */

int lx_uring_probe(void)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(2, &ring, 0);

	if (!ret)
		io_uring_queue_exit(&ring);
	return ret;
}

/*
 * Register this worker's slots as fixed buffers: host slots at
 * 0..depth-1, p2pmem slots at depth..2*depth-1.  If the kernel will not
 * pin p2pmem for io_uring, register the host slots alone.  Sets the index
 * bases (-1: not registered) and records each refusal in the job.
 */
static void register_buffers(struct lx_worker *w, struct io_uring *ring,
			     int *host_base, int *p2p_base)
{
	struct lx_job *j = w->job;
	unsigned int i, d = j->depth;
	struct iovec *iov = calloc(2 * d, sizeof(*iov));
	int p2p_ret = 0, ret = -ENOMEM;

	*host_base = *p2p_base = -1;
	if (!iov)
		goto out;
	for (i = 0; i < d; i++) {
		iov[i] = (struct iovec){ lx_slot_buf(w, &j->host, i), j->chunk };
		if (j->p2p.addr)
			iov[d + i] = (struct iovec){ lx_slot_buf(w, &j->p2p, i), j->chunk };
	}
	if (j->p2p.addr) {
		p2p_ret = io_uring_register_buffers(ring, iov, 2 * d);
		if (!p2p_ret) {
			*host_base = 0;
			*p2p_base = (int)d;
			ret = 0;
			goto out;
		}
	}
	ret = io_uring_register_buffers(ring, iov, d);
	if (!ret)
		*host_base = 0;
out:
	pthread_mutex_lock(&j->lock);
	if (p2p_ret && !j->fixed_p2p_err)
		j->fixed_p2p_err = p2p_ret;
	if (ret && !j->fixed_host_err)
		j->fixed_host_err = ret;
	pthread_mutex_unlock(&j->lock);
	free(iov);
}

struct uring_ctx {
	struct io_uring ring;
	int p2p_base, host_base;	/* fixed buffer index bases, -1: none */
	struct lx_slot *slots;
};

/* Queue slot @i's next I/O; a fault from the test seam completes at once. */
static int queue_io(struct lx_worker *w, struct uring_ctx *c, unsigned int i)
{
	const struct lx_job *j = w->job;
	struct lx_slot *s = &c->slots[i];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
	int base = s->p2p ? c->p2p_base : c->host_base;
	char *buf = slot_buf(w, s, i) + s->done;
	unsigned int len = (unsigned int)(s->len - s->done);
	int fd = s->write ? j->dst_fd : j->src_fd;
	int f = fault(j, s);

	if (!sqe)
		return -EBUSY;
	if (f > 0)
		f = 0;		/* pretending success is for the pread engine only */
	if (f) {
		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data64(sqe, ((uint64_t)i << 32) | (uint32_t)-f);
		return 0;
	}
	if (base >= 0 && s->write)
		io_uring_prep_write_fixed(sqe, fd, buf, len, dev_off(j, s), base + (int)i);
	else if (base >= 0)
		io_uring_prep_read_fixed(sqe, fd, buf, len, dev_off(j, s), base + (int)i);
	else if (s->write)
		io_uring_prep_write(sqe, fd, buf, len, dev_off(j, s));
	else
		io_uring_prep_read(sqe, fd, buf, len, dev_off(j, s));
	io_uring_sqe_set_data64(sqe, (uint64_t)i << 32);
	return 0;
}

/* Start new chunks in free slots while there is work and no error. */
static unsigned int fill(struct lx_worker *w, struct uring_ctx *c, uint64_t *next)
{
	unsigned int i, queued = 0;

	for (i = 0; i < w->job->depth && *next < w->end; i++) {
		if (c->slots[i].busy || atomic_load(&w->job->stop))
			continue;
		start_chunk(w, &c->slots[i], *next);
		*next += c->slots[i].len;
		if (queue_io(w, c, i)) {
			c->slots[i].busy = false;
			lx_job_error(w->job, -EBUSY, false, c->slots[i].off);
			break;
		}
		queued++;
	}
	return queued;
}

/* One completion: 1 when the slot's next step was queued, else 0. */
static unsigned int complete(struct lx_worker *w, struct uring_ctx *c,
			     const struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	unsigned int i = (unsigned int)(data >> 32);
	long res = (uint32_t)data ? -(long)(uint32_t)data : cqe->res;

	struct lx_slot *s = &c->slots[i];

	if (!advance(w, s, res))
		return 0;
	if (!queue_io(w, c, i))
		return 1;
	/* Cannot happen with one entry per slot; never leave a chunk behind. */
	s->busy = false;
	lx_job_error(w->job, -EBUSY, s->write, s->off + s->done);
	return 0;
}

/*
 * Submit and wait in one system call, then handle every completion that
 * is there: the next step of each slot and new chunks go out together.
 */
static void uring_loop(struct lx_worker *w, struct uring_ctx *c)
{
	unsigned int inflight, head, seen;
	uint64_t next = w->begin;
	struct io_uring_cqe *cqe;
	int ret;

	inflight = fill(w, c, &next);
	while (inflight) {
		ret = io_uring_submit_and_wait(&c->ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			lx_job_error(w->job, ret, false, next);
			break;
		}
		seen = 0;
		io_uring_for_each_cqe(&c->ring, head, cqe) {
			seen++;
			inflight += complete(w, c, cqe);
		}
		io_uring_cq_advance(&c->ring, seen);
		inflight -= seen;
		if (!atomic_load(&w->job->stop))
			inflight += fill(w, c, &next);
	}
}

static void run_uring(struct lx_worker *w)
{
	struct lx_job *j = w->job;
	struct uring_ctx c = { .p2p_base = -1, .host_base = -1 };
	int ret;

	c.slots = calloc(j->depth, sizeof(*c.slots));
	ret = c.slots ? io_uring_queue_init(j->depth, &c.ring, 0) : -ENOMEM;
	if (ret) {
		lx_job_error(j, ret, false, w->begin);
		free(c.slots);
		return;
	}
	register_buffers(w, &c.ring, &c.host_base, &c.p2p_base);
	w->t_start = lx_now();	/* ring set-up is not copying */
	uring_loop(w, &c);
	w->t_end = lx_now();
	io_uring_queue_exit(&c.ring);
	free(c.slots);
}

void lx_engine_run(struct lx_worker *w)
{
	if (w->job->engine == P2PDMA_ENGINE_IO_URING)
		run_uring(w);
	else {
		w->t_start = lx_now();
		run_sync(w);
		w->t_end = lx_now();
	}
}
