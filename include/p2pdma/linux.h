/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma linux backend: move real bytes through a running kernel's p2pmem.
 *
 * Linux 6.2 and later let user space mmap a provider's p2pmem through
 * sysfs (p2pmem/allocate, MAP_SHARED) and hand those pages to O_DIRECT
 * I/O, so one NVMe drive reads straight into another device's memory and
 * a second drive writes from it.  This layer finds what the kernel offers
 * (providers, NVMe namespaces, the kernel release), maps the buffers and
 * copies with io_uring (or pread/pwrite where io_uring is unavailable).
 * When the kernel refuses the peer-to-peer I/O it finishes the copy
 * through a host bounce buffer and says what was refused, what p2pdma's
 * policy says about the pair and what the kernel logged.
 *
 * Everything is read below a root directory ("/" for the live machine),
 * so tests point it at a fake tree where ordinary files stand in for
 * block devices and for p2pmem/allocate.
 */
#ifndef P2PDMA_LINUX_H
#define P2PDMA_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"
#include "p2pdma/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Discovery                                                               */

/* A kernel p2pmem pool: sysfs bus/pci/devices/BDF/p2pmem/. */
struct p2pdma_linux_provider {
	char bdf[P2PDMA_BDF_STRLEN];
	uint64_t size, available;
	bool published;
	bool has_allocate;	/* p2pmem/allocate exists (kernel 6.2+) */
};

/*
 * Whether the namespace's request queue takes P2P pages
 * (BLK_FEAT_PCI_P2PDMA).  sysfs does not show the flag; the NVMe PCI
 * transport sets it, so a namespace of a function bound to "nvme" is YES.
 * The kernel's answer at I/O time is what counts.
 */
enum p2pdma_queue_p2p {
	P2PDMA_QUEUE_P2P_UNKNOWN,
	P2PDMA_QUEUE_P2P_YES,
	P2PDMA_QUEUE_P2P_NO,
};

const char *p2pdma_queue_p2p_name(enum p2pdma_queue_p2p q);

/* An NVMe namespace block device and the PCI function behind it. */
struct p2pdma_linux_ns {
	char name[32];			/* "nvme0n1" */
	char bdf[P2PDMA_BDF_STRLEN];	/* the controller's function */
	unsigned int nsid;
	uint64_t size;			/* bytes (sysfs size is in 512-byte sectors) */
	unsigned int lba_size;		/* queue/logical_block_size */
	enum p2pdma_queue_p2p queue_p2p;
	char queue_why[96];		/* how queue_p2p was decided */
};

struct p2pdma_linux {
	char *root;
	char release[65];		/* kernel release, "" when unknown */
	struct p2pdma_linux_provider *providers;	/* sorted by BDF */
	size_t nr_providers;
	struct p2pdma_linux_ns *ns;	/* sorted by BDF, then nsid */
	size_t nr_ns;

	/* Private: allocated lengths of the arrays above. */
	size_t providers_cap, ns_cap;
};

/*
 * Read providers, NVMe namespaces and the kernel release below @root
 * (NULL or "/" = the live machine).  Reading sysfs needs no privileges.
 */
int p2pdma_linux_discover(const char *root, struct p2pdma_linux **out,
			  struct p2pdma_error *e);
void p2pdma_linux_free(struct p2pdma_linux *l);

const struct p2pdma_linux_provider *
p2pdma_linux_provider_find(const struct p2pdma_linux *l, const char *bdf);

/* ---------------------------------------------------------------------- */
/* Copy targets                                                            */

/* One end of a copy: a namespace and a byte offset into it. */
struct p2pdma_linux_target {
	const struct p2pdma_linux_ns *ns;
	uint64_t offset;
	char path[4096];		/* root + "/dev/" + name */
};

/*
 * "BDF[/NSID][@OFFSET]" or "/dev/nvmeXnY[@OFFSET]" (OFFSET with the size
 * suffixes of p2pdma_size_parse()).  Without NSID: the function's first
 * namespace.  -EINVAL for junk, -ENOENT for a device with no namespace.
 */
int p2pdma_linux_target_parse(const struct p2pdma_linux *l, const char *spec,
			      struct p2pdma_linux_target *out,
			      struct p2pdma_error *e);

/* Does @spec look like an NVMe device rather than something else? */
bool p2pdma_linux_spec_is_nvme(const char *spec);

/* ---------------------------------------------------------------------- */
/* Buffers                                                                 */

struct p2pdma_linux_buf {
	void *addr;
	size_t len;
	bool p2pmem;			/* mmap of a provider's allocate */
	char provider[P2PDMA_BDF_STRLEN];
};

/* @len (a page multiple) of @provider's p2pmem, mapped shared. */
int p2pdma_linux_buf_p2pmem(const struct p2pdma_linux *l, const char *provider,
			    size_t len, struct p2pdma_linux_buf *out,
			    struct p2pdma_error *e);
/* A host bounce buffer, page aligned (O_DIRECT needs it aligned). */
int p2pdma_linux_buf_host(size_t len, struct p2pdma_linux_buf *out,
			  struct p2pdma_error *e);
void p2pdma_linux_buf_release(struct p2pdma_linux_buf *b);

/* ---------------------------------------------------------------------- */
/* Copying                                                                 */

enum p2pdma_linux_engine {
	P2PDMA_ENGINE_AUTO,		/* io_uring, else pread/pwrite */
	P2PDMA_ENGINE_IO_URING,
	P2PDMA_ENGINE_PREAD,
};

const char *p2pdma_linux_engine_name(enum p2pdma_linux_engine e);
int p2pdma_linux_engine_parse(const char *s, enum p2pdma_linux_engine *out);

struct p2pdma_linux_copy_req {
	struct p2pdma_linux_target src, dst;
	uint64_t size;
	const char *via;		/* provider BDF; NULL = host memory */
	size_t chunk;			/* bytes per I/O; 0 = 128 KiB */
	unsigned int depth;		/* chunks in flight per thread; 0 = 8 */
	unsigned int threads;		/* 0 = 1 */
	enum p2pdma_linux_engine engine;
	bool check;			/* re-read both ranges and compare */
};

#define P2PDMA_LINUX_MAX_KMSG 16

struct p2pdma_linux_copy_result {
	uint64_t copied;		/* bytes the destination acknowledged */
	uint64_t p2p_bytes;		/* of which through p2pmem */
	uint64_t bounced_bytes;		/* of which through the host buffer */
	double seconds;
	double throughput;		/* bytes per second */
	enum p2pdma_linux_engine engine;
	char engine_why[160];		/* why this engine ("io_uring_queue_init: ...") */
	bool fixed_buffers;		/* io_uring registered buffers in use */
	char fixed_why[160];		/* why not, when not */
	bool direct;			/* O_DIRECT on both ends (a tmpfs file: no) */
	unsigned int depth, threads;	/* as run (depth shrinks to fit the pool) */
	size_t chunk;

	/* The kernel refused P2P I/O; the rest went through the bounce buffer. */
	bool refused;
	bool refused_write;		/* the write was refused (else the read) */
	int refused_errno;
	char refusal[2 * P2PDMA_REASON_MAX];	/* one line: what, verdict, fix, log */
	char *kmsg[P2PDMA_LINUX_MAX_KMSG];	/* the kernel's lines, when readable */
	size_t nr_kmsg;

	bool started;			/* bytes began to move (else nothing was written) */

	/* --check */
	bool checked, check_ok;
	uint64_t mismatch_at;		/* first differing byte of the range */
};

/*
 * Copy req->size bytes.  Returns 0 when every byte reached the
 * destination; a negative errno with a reason naming the offset and the
 * device when an I/O error stopped it (res->copied then counts only
 * bytes the destination acknowledged), or for a request that cannot run
 * (nothing is written then).
 */
int p2pdma_linux_copy(const struct p2pdma_linux *l,
		      const struct p2pdma_linux_copy_req *req,
		      struct p2pdma_linux_copy_result *res,
		      struct p2pdma_error *e);
void p2pdma_linux_copy_result_clear(struct p2pdma_linux_copy_result *res);

/*
 * Check a request before anything is opened for writing: sizes inside
 * both devices, O_DIRECT alignment of offsets, size and chunk, the
 * provider's allocate present and its pool published.  -EINVAL, -ENOENT,
 * -EPERM with the reason.
 */
int p2pdma_linux_copy_validate(const struct p2pdma_linux *l,
			       const struct p2pdma_linux_copy_req *req,
			       struct p2pdma_error *e);

/*
 * p2pdma's verdict for @provider serving @client on the machine below
 * l->root: the map type in *type (may be NULL) and, when @line is not
 * NULL, one malloc'ed line: "NOT_SUPPORTED (distance 4): reason; fix: ...".
 */
int p2pdma_linux_explain(const struct p2pdma_linux *l, const char *provider,
			 const char *client, enum p2pdma_map_type *type, char **line,
			 struct p2pdma_error *e);

/*
 * The provider the kernel's own choice would make for the two clients
 * (p2pdma_find(): published, smallest distance, neither pair
 * NOT_SUPPORTED), among those user space can map (allocate present).
 * "" in @out when none qualifies.
 */
int p2pdma_linux_choose(const struct p2pdma_linux *l, const char *src_bdf,
			const char *dst_bdf, uint64_t seed, char out[P2PDMA_BDF_STRLEN],
			struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_LINUX_H */
