/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every benchmark in bench/ shares: the clock it measures with and
 * how it gives up.
 */
#ifndef P2PDMA_BENCH_H
#define P2PDMA_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "p2pdma.h"

/*
 * CPU time of the calling thread: on a shared machine other processes'
 * load does not count, only what this code costs (spinning on a
 * contended lock included).
 */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A benchmark that cannot set itself up says why, under its own name. */
static inline void __attribute__((noreturn)) die(const char *what,
						 const struct p2pdma_error *e)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		e ? e->reason : "failed");
	exit(1);
}

#endif /* P2PDMA_BENCH_H */
