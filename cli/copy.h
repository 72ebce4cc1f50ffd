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
	const char *backend;		/* "sim", "linux", NULL: not given */
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
	unsigned int threads;		/* --threads (linux), 0: 1 */
	const char *engine;		/* --engine (linux), NULL: auto */
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
	char fallback_reason[2 * P2PDMA_REASON_MAX];
	uint64_t host_memory_bytes;
	uint64_t chunk;
	unsigned int depth;
	struct copy_leg leg[2];
	int data_ok;			/* -1: not checked, 0: differs, 1: same */
	uint64_t first_diff;		/* data_ok == 0 */
	/* Backend extras; a backend that does not know them leaves has_stats false. */
	bool has_stats;
	uint64_t dmas, switch_local_bytes, rc_bytes, internal_bytes;
	/* Modelled by the bandwidth model (backend sim), on an idle platform. */
	bool has_model;
	double model_seconds, model_throughput;
	char model_error[P2PDMA_REASON_MAX];	/* why there is no model, or "" */
	/* Measured on a real kernel (backend linux). */
	bool has_timing;
	double seconds, throughput;	/* throughput in bytes per second */
	/* Backend lines and keys printed after the common ones, or NULL. */
	const char *notes;		/* newline-terminated text lines */
	struct json_object *extra;	/* keys added to the JSON (reference taken) */
};

int copy_report_text(const struct copy_report *r);
int copy_report_json(const struct copy_report *r);

/* The linux backend (copy_linux.c): its options and its run. */
#define COPY_LINUX_LONGOPTS \
	{ "threads", required_argument, NULL, 'T' }, \
	{ "engine", required_argument, NULL, 'E' }
#define COPY_LINUX_HELP \
	"                    linux: the running kernel's p2pmem (mmap of sysfs\n" \
	"                    p2pmem/allocate) and O_DIRECT I/O on /dev/nvmeXnY; the\n" \
	"                    default with no -i when SRC and DST are NVMe namespaces\n" \
	"                    (BDF[/NSID][@OFFSET] or /dev/nvmeXnY[@OFFSET]); with -i DIR\n" \
	"                    it reads DIR/sys and DIR/dev instead of /\n" \
	"                    (linux: --depth defaults to 8)\n" \
	"      --threads N   linux: threads, each with its own slice and buffers\n" \
	"                    (default 1)\n" \
	"      --engine E    linux: auto (default: io_uring; pread/pwrite at depth 1\n" \
	"                    or without io_uring), io_uring or pread\n"
int copy_linux_option(int c, const char *arg, struct copy_request *q);
bool copy_linux_wanted(const struct cli *cli, const struct copy_request *q,
		       int argc, char **argv);
int copy_linux_run(struct cli *cli, const struct copy_request *q, int argc, char **argv);

#endif /* P2PDMA_CLI_COPY_H */
