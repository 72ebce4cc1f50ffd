// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * NVMe controller model: namespaces with real bytes, Read and Write
 * commands that DMA through the simulated fabric, the CMB as p2pmem
 * (the memory layer's provider over the CMB's BAR; its bytes are that
 * BAR's memory).
 *
 * A namespace keeps its bytes in a sparse file (or, with ns_in_memory,
 * in sparse memory).  Bytes never written read as a pattern made from
 * the controller's address, the namespace and the byte offset, so that
 * copies of unwritten ranges are still checkable.  The file is written
 * in 64 KiB chunks: the first write into a chunk lays the pattern down
 * under it, and a bitmap (itself sparse) remembers which chunks hold
 * data.  A kept file (--backing DIR) is read back on the next run: the
 * chunks that are not holes are the ones written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "sim_internal.h"

#define NS_CHUNK	(64ULL << 10)

struct sim_ns {
	struct p2pdma_sim_ns_info info;
	uint64_t bytes;
	uint64_t seed;
	int fd;				/* -1: in memory */
	struct sim_store *mem;		/* in-memory bytes */
	struct sim_store *written;	/* bitmap of chunks that hold data */
};

struct p2pdma_sim_nvme {
	const struct p2pdma_function *fn;
	struct sim_ns *ns;
	size_t nr_ns;
	uint8_t *bounce;		/* one chunk, for unwritten sources */
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t ns_seed(const struct p2pdma_function *fn, uint32_t nsid)
{
	uint64_t id = ((uint64_t)fn->bdf.domain << 32) | ((uint64_t)fn->bdf.bus << 16) |
		      ((uint64_t)fn->bdf.dev << 8) | fn->bdf.fn;

	return mix64(id * 0x9e3779b97f4a7c15ULL + nsid);
}

/* Word w of the pattern: splitmix64 of the seed and the word's index. */
static inline uint64_t pattern_word(uint64_t seed, uint64_t w)
{
	return mix64(seed + (w + 1) * 0x9e3779b97f4a7c15ULL);
}

static void pattern(uint64_t seed, uint64_t off, uint8_t *p, uint64_t len)
{
	while (len && (off & 7)) {
		uint64_t v = pattern_word(seed, off / 8);

		*p++ = (uint8_t)(v >> (8 * (off & 7)));
		off++;
		len--;
	}
	for (; len >= 8; len -= 8, off += 8, p += 8) {
		uint64_t v = pattern_word(seed, off / 8);

		memcpy(p, &v, 8);	/* little-endian hosts: byte k is bits 8k.. */
	}
	while (len) {
		uint64_t v = pattern_word(seed, off / 8);

		*p++ = (uint8_t)(v >> (8 * (off & 7)));
		off++;
		len--;
	}
}

static void ns_fill(const void *arg, uint64_t off, void *buf, uint64_t len)
{
	pattern(((const struct sim_ns *)arg)->seed, off, buf, len);
}

void p2pdma_sim_nvme_pattern(const struct p2pdma_sim_nvme *n, uint32_t nsid,
			     uint64_t off, void *buf, uint64_t len)
{
	pattern(ns_seed(n->fn, nsid), off, buf, len);
}

/* ---------------------------------------------------------------------- */
/* Chunk bookkeeping                                                       */

static bool chunk_written(struct sim_ns *ns, uint64_t c)
{
	uint8_t b;

	sim_store_read(ns->written, c / 8, &b, 1);
	return b & (1u << (c % 8));
}

static int chunk_mark(struct sim_ns *ns, uint64_t c)
{
	uint64_t n;
	uint8_t *b = sim_store_span(ns->written, c / 8, 1, true, &n);

	if (!b)
		return -ENOMEM;
	*b |= (uint8_t)(1u << (c % 8));
	return 0;
}

/* A kept file: every chunk that is not a hole was written by an earlier run. */
static int scan_file(struct sim_ns *ns)
{
	off_t data = 0, hole;

	for (;;) {
		uint64_t c;

		data = lseek(ns->fd, data, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(ns->fd, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		for (c = (uint64_t)data / NS_CHUNK; c * NS_CHUNK < (uint64_t)hole; c++)
			if (chunk_mark(ns, c))
				return -ENOMEM;
		data = hole;
	}
}

/* ---------------------------------------------------------------------- */
/* Namespace bytes                                                         */

static int ns_io_error(struct p2pdma_error *e, const char *what, int err)
{
	return p2pdma_fail(e, -err, "namespace backing file: %s: %s", what, strerror(err));
}

/* All of [off, +len) in or out of the file, through short transfers and EINTR; 0 or errno. */
static int file_io(int fd, void *buf, uint64_t len, uint64_t off, bool write)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int pread_all(int fd, void *buf, uint64_t len, uint64_t off)
{
	return file_io(fd, buf, len, off, false);
}

static int pwrite_all(int fd, const void *buf, uint64_t len, uint64_t off)
{
	return file_io(fd, (void *)buf, len, off, true);
}

static int ns_read(struct sim_ns *ns, uint64_t off, void *buf, uint64_t len,
		   struct p2pdma_error *e)
{
	uint8_t *p = buf;

	if (ns->fd < 0) {
		sim_store_read(ns->mem, off, buf, len);
		return 0;
	}
	while (len) {
		uint64_t c = off / NS_CHUNK, n = (c + 1) * NS_CHUNK - off;
		int err;

		if (n > len)
			n = len;
		/* Runs of written chunks go to the file in one call. */
		if (chunk_written(ns, c)) {
			while (n < len && chunk_written(ns, (off + n) / NS_CHUNK))
				n = n + NS_CHUNK > len ? len : n + NS_CHUNK;
			err = pread_all(ns->fd, p, n, off);
			if (err)
				return ns_io_error(e, "read", err);
		} else {
			pattern(ns->seed, off, p, n);
		}
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Lay the pattern under chunk @c before its first partial write. */
static int chunk_prepare(struct sim_ns *ns, uint64_t c, bool whole, uint8_t *tmp)
{
	if (chunk_written(ns, c))
		return 0;
	if (!whole) {
		pattern(ns->seed, c * NS_CHUNK, tmp, NS_CHUNK);
		if (pwrite_all(ns->fd, tmp, NS_CHUNK, c * NS_CHUNK))
			return -EIO;
	}
	return chunk_mark(ns, c);
}

static int ns_write(struct p2pdma_sim_nvme *n, struct sim_ns *ns, uint64_t off,
		    const void *buf, uint64_t len, struct p2pdma_error *e)
{
	uint64_t c, first = off / NS_CHUNK, last = (off + len - 1) / NS_CHUNK;
	int err;

	if (ns->fd < 0)
		return sim_store_write(ns->mem, off, buf, len) ?
			p2pdma_fail(e, -ENOMEM, "out of memory for namespace bytes") : 0;
	for (c = first; c <= last; c++) {
		bool whole = off <= c * NS_CHUNK && off + len >= (c + 1) * NS_CHUNK;

		if (chunk_prepare(ns, c, whole, n->bounce))
			return ns_io_error(e, "write", EIO);
	}
	err = pwrite_all(ns->fd, buf, len, off);
	return err ? ns_io_error(e, "write", err) : 0;
}

/* ---------------------------------------------------------------------- */
/* Setting up                                                              */

static int open_backing(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, struct sim_ns *ns,
			struct p2pdma_error *e)
{
	char bdf[P2PDMA_BDF_STRLEN], path[4096];
	const char *tmp = getenv("TMPDIR");
	bool keep = s->backing_dir != NULL;
	int ret;

	p2pdma_bdf_format(&n->fn->bdf, bdf, sizeof(bdf));
	if (keep)
		snprintf(path, sizeof(path), "%s/%s-n%u.img", s->backing_dir, bdf, ns->info.nsid);
	else
		snprintf(path, sizeof(path), "%s/p2pdma-ns-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ns->fd = keep ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : mkostemp(path, O_CLOEXEC);
	if (ns->fd < 0)
		return p2pdma_fail(e, -errno, "%s: cannot open a backing file for namespace %u of %s: %s",
				   path, ns->info.nsid, bdf, strerror(errno));
	if (!keep)
		unlink(path);	/* a temporary: gone when closed */
	if (ftruncate(ns->fd, (off_t)ns->bytes))
		return p2pdma_fail(e, -errno, "%s: cannot size it to %llu bytes: %s", path,
				   (unsigned long long)ns->bytes, strerror(errno));
	ret = keep ? scan_file(ns) : 0;
	if (ret)
		return p2pdma_fail(e, ret, "%s: cannot read back which blocks hold data: %s",
				   path, strerror(-ret));
	return 0;
}

static int ns_init(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, struct sim_ns *ns,
		   const struct p2pdma_sim_ns_info *info, struct p2pdma_error *e)
{
	ns->info = *info;
	ns->bytes = info->nr_blocks * info->block_size;
	ns->seed = ns_seed(n->fn, info->nsid);
	ns->fd = -1;
	ns->written = sim_store_new(NULL, NULL);
	if (!ns->written)
		return p2pdma_fail(e, -ENOMEM, "out of memory for a namespace");
	if (s->ns_in_memory) {
		ns->mem = sim_store_new(ns_fill, ns);
		return ns->mem ? 0 : p2pdma_fail(e, -ENOMEM, "out of memory for a namespace");
	}
	return open_backing(s, n, ns, e);
}

static void ns_destroy(struct sim_ns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	sim_store_free(ns->mem);
	sim_store_free(ns->written);
}

void sim_nvme_detach(struct p2pdma_sim *s, void *dev)
{
	struct p2pdma_sim_nvme *n = dev;
	size_t i;

	(void)s;
	if (!n)
		return;
	for (i = 0; i < n->nr_ns; i++)
		ns_destroy(&n->ns[i]);
	free(n->ns);
	free(n->bounce);
	free(n);
}

int sim_nvme_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		    struct p2pdma_error *e)
{
	/* Without namespace data: nsid 1, 1 TiB of 512-byte blocks, sparse. */
	struct p2pdma_sim_ns_info def = {
		.nsid = 1,
		.nr_blocks = P2PDMA_SIM_DEFAULT_NS_BYTES / P2PDMA_SIM_DEFAULT_BLOCK_SIZE,
		.block_size = P2PDMA_SIM_DEFAULT_BLOCK_SIZE,
	};
	size_t i, n = fn->nr_nvme_ns ? fn->nr_nvme_ns : 1;
	struct p2pdma_sim_nvme *nv = calloc(1, sizeof(*nv));
	int ret = 0;

	if (!nv || !(nv->ns = calloc(n, sizeof(*nv->ns))) || !(nv->bounce = malloc(NS_CHUNK))) {
		sim_nvme_detach(s, nv);
		return p2pdma_fail(e, -ENOMEM, "out of memory for an NVMe model");
	}
	nv->fn = fn;
	s->fns[fn->index].kind = SIM_DEV_NVME;
	s->fns[fn->index].dev = nv;
	for (i = 0; i < n && !ret; i++) {
		struct p2pdma_sim_ns_info info = def;

		if (fn->nr_nvme_ns) {
			info.nsid = fn->nvme_ns[i].nsid;
			info.nr_blocks = fn->nvme_ns[i].blocks;
			info.block_size = fn->nvme_ns[i].block_size;
		}
		nv->ns[i].fd = -1;
		ret = ns_init(s, nv, &nv->ns[i], &info, e);
		nv->nr_ns = i + 1;
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Public                                                                  */

struct p2pdma_sim_nvme *p2pdma_sim_nvme(struct p2pdma_sim *s, const struct p2pdma_function *fn)
{
	if (!sim_fn_valid(s, fn) || s->fns[fn->index].kind != SIM_DEV_NVME)
		return NULL;
	return s->fns[fn->index].dev;
}

const struct p2pdma_function *p2pdma_sim_nvme_function(const struct p2pdma_sim_nvme *n)
{
	return n->fn;
}

size_t p2pdma_sim_nvme_nr_ns(const struct p2pdma_sim_nvme *n)
{
	return n->nr_ns;
}

static struct sim_ns *ns_of(const struct p2pdma_sim_nvme *n, uint32_t nsid,
			    struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < n->nr_ns; i++)
		if (n->ns[i].info.nsid == nsid)
			return &n->ns[i];
	p2pdma_fail(e, -ENOENT, "%s has no namespace %u",
		    p2pdma_bdf_format(&n->fn->bdf, name, sizeof(name)), nsid);
	return NULL;
}

int p2pdma_sim_nvme_ns(const struct p2pdma_sim_nvme *n, uint32_t nsid,
		       struct p2pdma_sim_ns_info *out, struct p2pdma_error *e)
{
	const struct sim_ns *ns = ns_of(n, nsid, e);

	if (!ns)
		return -ENOENT;
	*out = ns->info;
	return 0;
}

static int check_bytes(const struct p2pdma_sim_nvme *n, const struct sim_ns *ns,
		       uint64_t off, uint64_t len, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];

	if (len && off <= ns->bytes && len <= ns->bytes - off)
		return 0;
	return p2pdma_fail(e, -EINVAL, "%s namespace %u: [%llu, +%llu bytes) is empty or past its end (%llu bytes)",
			   p2pdma_bdf_format(&n->fn->bdf, name, sizeof(name)), ns->info.nsid,
			   (unsigned long long)off, (unsigned long long)len,
			   (unsigned long long)ns->bytes);
}

int p2pdma_sim_nvme_peek(struct p2pdma_sim_nvme *n, uint32_t nsid, uint64_t off,
			 void *buf, uint64_t len, struct p2pdma_error *e)
{
	struct sim_ns *ns = ns_of(n, nsid, e);

	if (!ns)
		return -ENOENT;
	if (check_bytes(n, ns, off, len, e))
		return -EINVAL;
	return ns_read(ns, off, buf, len, e);
}

int p2pdma_sim_nvme_poke(struct p2pdma_sim_nvme *n, uint32_t nsid, uint64_t off,
			 const void *buf, uint64_t len, struct p2pdma_error *e)
{
	struct sim_ns *ns = ns_of(n, nsid, e);

	if (!ns)
		return -ENOENT;
	if (check_bytes(n, ns, off, len, e))
		return -EINVAL;
	return ns_write(n, ns, off, buf, len, e);
}

/* Namespace -> target memory, straight into the target's bytes. */
static int seg_from_ns(struct sim_ns *ns, uint64_t off, struct sim_store *st, uint64_t soff,
		       uint64_t len, struct p2pdma_error *e)
{
	while (len) {
		uint64_t n;
		void *p = sim_store_span(st, soff, len, true, &n);
		int ret;

		if (!p)
			return p2pdma_fail(e, -ENOMEM, "out of memory for simulated device memory");
		ret = ns_read(ns, off, p, n, e);
		if (ret)
			return ret;
		off += n;
		soff += n;
		len -= n;
	}
	return 0;
}

/* Target memory -> namespace; unwritten target memory reads as zeros. */
static int seg_to_ns(struct p2pdma_sim_nvme *nv, struct sim_ns *ns, uint64_t off,
		     struct sim_store *st, uint64_t soff, uint64_t len, struct p2pdma_error *e)
{
	while (len) {
		uint64_t n;
		const void *p = sim_store_span(st, soff, len, false, &n);
		int ret;

		if (!p) {
			n = n > NS_CHUNK ? NS_CHUNK : n;
			sim_store_read(st, soff, nv->bounce, n);
			p = nv->bounce;
		}
		ret = ns_write(nv, ns, off, p, n, e);
		if (ret)
			return ret;
		off += n;
		soff += n;
		len -= n;
	}
	return 0;
}

static int nvme_io(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, uint32_t nsid,
		   uint64_t slba, uint64_t nlb, const struct p2pdma_sim_dma_seg *segs,
		   size_t nr_segs, bool read, struct p2pdma_error *e)
{
	struct sim_ns *ns = ns_of(n, nsid, e);
	uint64_t off, total = 0;
	size_t i;
	int ret;

	if (!ns)
		return -ENOENT;
	if (!nlb || slba >= ns->info.nr_blocks || nlb > ns->info.nr_blocks - slba) {
		char name[P2PDMA_BDF_STRLEN];

		return p2pdma_fail(e, -EINVAL, "%s namespace %u: blocks [%llu, +%llu) are none or past its end (%llu blocks)",
				   p2pdma_bdf_format(&n->fn->bdf, name, sizeof(name)), nsid,
				   (unsigned long long)slba, (unsigned long long)nlb,
				   (unsigned long long)ns->info.nr_blocks);
	}
	for (i = 0; i < nr_segs; i++)
		total += segs[i].len;
	if (total != nlb * ns->info.block_size)
		return p2pdma_fail(e, -EINVAL, "the DMA segments add up to %llu bytes, the command moves %llu",
				   (unsigned long long)total,
				   (unsigned long long)(nlb * ns->info.block_size));
	off = slba * ns->info.block_size;
	for (i = 0; i < nr_segs; i++) {
		struct p2pdma_sim_route r;
		struct sim_store *st;
		uint64_t soff;

		/* A controller's Read writes memory; its Write reads memory. */
		ret = sim_dma_begin(s, n->fn, segs[i].addr, segs[i].len, read, &st, &soff, &r, e);
		if (!ret)
			ret = read ? seg_from_ns(ns, off, st, soff, segs[i].len, e) :
				     seg_to_ns(n, ns, off, st, soff, segs[i].len, e);
		if (ret)
			return ret;
		off += segs[i].len;
	}
	return 0;
}

int p2pdma_sim_nvme_read(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, uint32_t nsid,
			 uint64_t slba, uint64_t nlb,
			 const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			 struct p2pdma_error *e)
{
	return nvme_io(s, n, nsid, slba, nlb, segs, nr_segs, true, e);
}

int p2pdma_sim_nvme_write(struct p2pdma_sim *s, struct p2pdma_sim_nvme *n, uint32_t nsid,
			  uint64_t slba, uint64_t nlb,
			  const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
			  struct p2pdma_error *e)
{
	return nvme_io(s, n, nsid, slba, nlb, segs, nr_segs, false, e);
}
