/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File access relative to a directory descriptor, never following a
 * symlink that the caller did not ask to read as a link: the sysfs
 * loader's file-system method (access/fs.c), the capture writer and the
 * linux backend.
 *
 * sysfs files report a size of 4096 whatever they hold, so files are
 * read until end of file, never by their size.
 */
#ifndef P2PDMA_SYSFS_IO_H
#define P2PDMA_SYSFS_IO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read the file @name (one component) under @dirfd into @buf.  Returns 0
 * and the length in *len; -ENOENT when there is none; -ELOOP when it is a
 * symlink; -EISDIR for a directory; -ESPIPE for what is not a regular
 * file and gave nothing (a FIFO, a device); -EFBIG when it holds more
 * than @cap bytes; another -errno when opening or reading fails.
 */
int p2pdma_read_at(int dirfd, const char *name, void *buf, size_t cap, size_t *len);

/* The same into a malloc'ed buffer of any length up to @max. */
int p2pdma_read_all_at(int dirfd, const char *name, size_t max, char **buf,
		       size_t *len);

/*
 * Open the directory @path (components split by '/') below @dirfd,
 * refusing to pass through a symlink at any step (-ELOOP).  Returns the
 * descriptor or -errno.
 */
int p2pdma_open_dir_at(int dirfd, const char *path);

/* The target of the symlink @name: 0, -ENOENT, -EINVAL (not a link), -errno. */
int p2pdma_readlink_at(int dirfd, const char *name, char *buf, size_t cap,
		       size_t *len);

/* Kinds as in struct dirent's d_type, resolved with fstatat() when unknown. */
struct p2pdma_dirent {
	char *name;
	unsigned char type;	/* DT_DIR, DT_LNK, DT_REG, ... */
};

/*
 * The entries of @dirfd (without "." and "..") for which @want returns
 * true (all when NULL), sorted by name.  Free with p2pdma_dirents_free().
 */
int p2pdma_list_dir(int dirfd, bool (*want)(const char *name, void *arg), void *arg,
		    struct p2pdma_dirent **out, size_t *nr);
void p2pdma_dirents_free(struct p2pdma_dirent *d, size_t nr);

/*
 * Making such a listing: entries added one by one, then one block
 * holding the sorted array and every name, so that a listing costs a
 * few allocations however long it is (each is dear under a sanitizer).
 */
struct p2pdma_dirlist {
	struct p2pdma_dirlist_ent {
		size_t off;		/* of the name in names */
		unsigned char type;
	} *v;
	size_t n, cap;
	char *names;
	size_t len, names_cap;
};

int p2pdma_dirlist_add(struct p2pdma_dirlist *l, const char *name, unsigned char type);
/* The listing in *out (NULL when empty); @l is emptied either way. */
int p2pdma_dirlist_finish(struct p2pdma_dirlist *l, struct p2pdma_dirent **out, size_t *nr);
void p2pdma_dirlist_discard(struct p2pdma_dirlist *l);

#endif /* P2PDMA_SYSFS_IO_H */
