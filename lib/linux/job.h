/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One copy in progress, shared by its worker threads (copy.c sets it up,
 * engine.c moves the bytes).
 *
 * Each worker owns a contiguous slice of the range and @depth slots; slot
 * i of worker w uses bytes [(w * depth + i) * chunk, + chunk) of the
 * p2pmem buffer or, once the kernel refused P2P, of the host buffer.
 */
#ifndef P2PDMA_LINUX_JOB_H
#define P2PDMA_LINUX_JOB_H

#include <pthread.h>
#include <stdatomic.h>

#include "linux_int.h"

struct lx_job {
	const struct p2pdma_linux *l;
	const struct p2pdma_linux_copy_req *req;
	int src_fd, dst_fd;
	struct p2pdma_linux_buf p2p;	/* addr NULL: copy through host memory */
	struct p2pdma_linux_buf host;
	size_t chunk;
	unsigned int depth, threads;
	enum p2pdma_linux_engine engine;

	atomic_bool refused;		/* the kernel said no: bounce from now on */
	atomic_bool stop;		/* an I/O error: issue nothing more */

	pthread_mutex_t lock;		/* guards everything below */
	int err;			/* first I/O error, negative errno */
	char err_reason[P2PDMA_REASON_MAX];
	int refused_errno;
	bool refused_write;		/* the write was refused (else the read) */
	uint64_t refused_at;
	/* io_uring_register_buffers() errors, 0 = registered (or not tried). */
	int fixed_p2p_err, fixed_host_err;
};

struct lx_worker {
	struct lx_job *job;
	unsigned int index;
	uint64_t begin, end;		/* relative byte range of the copy */
	uint64_t copied, p2p_bytes, bounced_bytes;
	/* Monotonic seconds: the first I/O after set-up, the last completion. */
	double t_start, t_end;
};

double lx_now(void);

/* Bytes of worker @w's slot @slot in buffer @b. */
static inline char *lx_slot_buf(const struct lx_worker *w, const struct p2pdma_linux_buf *b,
				unsigned int slot)
{
	const struct lx_job *j = w->job;

	return (char *)b->addr + ((size_t)w->index * j->depth + slot) * j->chunk;
}

/* Move worker @w's slice with the job's engine; errors land in the job. */
void lx_engine_run(struct lx_worker *w);

/* Record an I/O error (the first one wins) and stop the job. */
void lx_job_error(struct lx_job *j, int err, bool write, uint64_t rel_off);
/* Record a refusal (the first one wins); false when @err is no refusal. */
bool lx_job_refusal(struct lx_job *j, int err, bool write, uint64_t rel_off);

#endif /* P2PDMA_LINUX_JOB_H */
