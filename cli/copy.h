/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * p2pdma copy: the request every backend takes and the report every
 * backend gives, with one text and one JSON printer.  The simulated
 * platform is one backend (cmd_copy.c); a real-kernel backend fills the
 * same report.
 */
#ifndef P2PDMA_CLI_COPY_H
#define P2PDMA_CLI_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

/* SRC or DST: BDF[/nsid][@offset]. */
struct copy_end {
	const char *arg;		/* as given */
	struct p2pdma_bdf bdf;
	uint32_t nsid;			/* 1 unless given */
	uint64_t offset;		/* bytes, 0 unless given */
};

enum copy_via {
	COPY_VIA_AUTO,
	COPY_VIA_HOST,
	COPY_VIA_BDF,
};

struct copy_request {
	const char *backend;		/* "sim" */
	struct copy_end src, dst;
	uint64_t size;
	enum copy_via via;
	struct p2pdma_bdf via_bdf;	/* COPY_VIA_BDF */
	uint64_t chunk;			/* 0: the backend's default */
	unsigned int depth;		/* 0: the backend's default */
	bool check;
	bool json;
	const char *backing;		/* --backing DIR, or NULL */
	uint64_t seed;
};

/* "BDF[/nsid][@offset]": 0, or -EINVAL with a reason in @e. */
int copy_end_parse(const char *s, struct copy_end *out, struct p2pdma_error *e);

/* One leg of the copy, as text the printers show. */
struct copy_leg {
	char dev[P2PDMA_BDF_STRLEN];
	const char *role;		/* "read into buffer" / "write out of buffer" */
	const char *verdict;		/* map type name, or "host memory" */
	const char *how;		/* "bus address", "IOVA", "direct", ... */
	char path[512];			/* links crossed, "(inside the device)" ... */
	bool root_complex;		/* crossed the root complex */
};

struct copy_report {
	const char *backend;
	char src[64], dst[64];
	uint64_t size;
	uint64_t bytes;			/* moved */
	char via[P2PDMA_BDF_STRLEN];	/* provider BDF or "host" */
	bool fallback;
	char fallback_reason[P2PDMA_REASON_MAX];
	uint64_t host_memory_bytes;
	uint64_t chunk;
	unsigned int depth;
	struct copy_leg leg[2];
	int data_ok;			/* -1: not checked, 0: differs, 1: same */
	uint64_t first_diff;		/* data_ok == 0 */
	/* Backend extras; a backend that does not know them leaves has_stats false. */
	bool has_stats;
	uint64_t dmas, switch_local_bytes, rc_bytes, internal_bytes;
};

int copy_report_text(const struct copy_report *r);
int copy_report_json(const struct copy_report *r);

#endif /* P2PDMA_CLI_COPY_H */
