/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the sysfs loader reads a tree: one access interface, one file per
 * method, as pciutils' lib/ has it.
 *
 *   fs.c   the real file system, through directory descriptors
 *          (sysfs_io.c): the live machine or a captured directory
 *   mem.c  a tree held in memory (memtree.c), read straight from a
 *          capture tarball (tarball.c) without writing anything to disk
 *
 * Both give the same answers for the same tree: a file is named by one
 * component below an open directory; a symlink is never followed unless
 * read as a link; FIFOs and devices are not files.  A directory is an
 * opaque handle: a small struct that callers keep by value, open with
 * p2pdma_dir_open*() and close with p2pdma_dir_close().
 */
#ifndef P2PDMA_ACCESS_H
#define P2PDMA_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysfs_io.h"		/* struct p2pdma_dirent */

struct p2pdma_access;
struct p2pdma_memtree;

/* An open directory.  The fields belong to the method. */
struct p2pdma_dir {
	const struct p2pdma_access *m;	/* NULL: not open */
	const struct p2pdma_memtree *tree;
	union {
		int fd;
		uint32_t node;
	};
	bool borrowed;			/* fs: the descriptor's owner closes it */
};

/* A method: every call returns 0 or -errno as listed in sysfs_io.h. */
struct p2pdma_access {
	const char *name;
	int (*read)(const struct p2pdma_dir *d, const char *name, void *buf, size_t cap,
		    size_t *len);
	int (*read_all)(const struct p2pdma_dir *d, const char *name, size_t max,
			char **buf, size_t *len);
	int (*readlink)(const struct p2pdma_dir *d, const char *name, char *buf,
			size_t cap, size_t *len);
	int (*open_dir)(const struct p2pdma_dir *d, const char *path,
			struct p2pdma_dir *out);
	int (*list)(const struct p2pdma_dir *d, bool (*want)(const char *name, void *arg),
		    void *arg, struct p2pdma_dirent **out, size_t *nr);
	/* The kind of @path (DT_DIR, DT_LNK, DT_REG, DT_UNKNOWN) without following it. */
	int (*kind)(const struct p2pdma_dir *d, const char *path);
	void (*close)(struct p2pdma_dir *d);
};

extern const struct p2pdma_access p2pdma_access_fs;
extern const struct p2pdma_access p2pdma_access_mem;

/* The directory @path on disk (following links, as open(2) does): 0 or -errno (closed *out). */
int p2pdma_dir_open_fs(const char *path, struct p2pdma_dir *out);
/* The descriptor @fd, borrowed: the caller closes it, not p2pdma_dir_close(). */
struct p2pdma_dir p2pdma_dir_borrow_fd(int fd);
/* The top of the in-memory tree @t, which must outlive the handle. */
struct p2pdma_dir p2pdma_dir_open_mem(const struct p2pdma_memtree *t);

/* The file @name under @d into @buf: see p2pdma_read_at(). */
static inline int p2pdma_dir_read(const struct p2pdma_dir *d, const char *name, void *buf,
				  size_t cap, size_t *len)
{
	return d->m->read(d, name, buf, cap, len);
}

/* The same into a malloc'ed buffer: see p2pdma_read_all_at(). */
static inline int p2pdma_dir_read_all(const struct p2pdma_dir *d, const char *name,
				      size_t max, char **buf, size_t *len)
{
	return d->m->read_all(d, name, max, buf, len);
}

/* The target of the symlink @name: see p2pdma_readlink_at(). */
static inline int p2pdma_dir_readlink(const struct p2pdma_dir *d, const char *name,
				      char *buf, size_t cap, size_t *len)
{
	return d->m->readlink(d, name, buf, cap, len);
}

/*
 * The directory @path below @d, through no symlink: see
 * p2pdma_open_dir_at().  On failure *out is a closed handle, which
 * p2pdma_dir_close() takes.
 */
static inline int p2pdma_dir_open(const struct p2pdma_dir *d, const char *path,
				  struct p2pdma_dir *out)
{
	out->m = NULL;
	return d->m->open_dir(d, path, out);
}

/* The entries of @d, sorted: see p2pdma_list_dir(). */
static inline int p2pdma_dir_list(const struct p2pdma_dir *d,
				  bool (*want)(const char *name, void *arg), void *arg,
				  struct p2pdma_dirent **out, size_t *nr)
{
	return d->m->list(d, want, arg, out, nr);
}

static inline int p2pdma_dir_kind(const struct p2pdma_dir *d, const char *path)
{
	return d->m->kind(d, path);
}

/* Close @d if it is open; closing a closed handle does nothing. */
static inline void p2pdma_dir_close(struct p2pdma_dir *d)
{
	if (d->m && d->m->close)
		d->m->close(d);
	d->m = NULL;
}

static inline bool p2pdma_dir_is_open(const struct p2pdma_dir *d)
{
	return d->m != NULL;
}

#endif /* P2PDMA_ACCESS_H */
