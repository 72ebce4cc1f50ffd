/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A directory tree in memory: directories, regular files with their
 * contents, symlinks with their targets.  The tarball reader fills it
 * in archive order with the rules a disk gives an unpacked archive (a
 * later entry replaces an earlier one of the same name, missing parent
 * directories are made, nothing is made through a symlink); the mem
 * method reads it.  Names are found through one hash table keyed by
 * (parent node, component).
 */
#ifndef P2PDMA_MEMTREE_H
#define P2PDMA_MEMTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The top directory: node 0. */
#define P2PDMA_MEMTREE_TOP	0

/*
 * A name.  Names, link targets and file contents live in one growing
 * arena, so a tree costs a few allocations however many entries it
 * holds; nodes keep offsets into it.
 */
struct p2pdma_memnode {
	size_t name;		/* offset of one component; "" for the top */
	uint32_t parent;
	uint32_t first_child, next_sibling;	/* UINT32_MAX: none */
	uint32_t nr_children;
	unsigned char type;	/* DT_DIR, DT_REG or DT_LNK */
	/*
	 * DT_REG: the file's length, and where its first min(len, keep)
	 * bytes are (hard links share them); DT_LNK: where the target is.
	 */
	size_t at, len;
};

struct p2pdma_memtree {
	struct p2pdma_memnode *nodes;
	size_t nr, cap;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *hash;		/* node index + 1; 0 is a free slot */
	size_t hash_size;	/* a power of two */
	size_t keep;		/* bytes of a file kept; longer ones keep their length only */
	char *cache;		/* the text before the last entry's last component */
	size_t cache_len, cache_cap;
	uint32_t cache_node;	/* the directory it led to */
};

/* The text at @off of the arena (a name or a link target). */
static inline const char *p2pdma_memtree_str(const struct p2pdma_memtree *t, size_t off)
{
	return t->arena + off;
}

/*
 * A new tree holding only its top directory.  A file's first @keep bytes
 * are kept: enough for any reader that refuses longer files, so a sparse
 * or huge file costs no more memory than that.
 */
int p2pdma_memtree_new(size_t keep, struct p2pdma_memtree **out);
void p2pdma_memtree_free(struct p2pdma_memtree *t);

/*
 * Adding: @path is relative ("./", "//" and "." components ignored; the
 * caller refused ".." and absolute names).  Each returns 0, or -errno
 * with a static reason in *why: -ELOOP through a symlink, -ENOTEMPTY
 * for a directory with entries where a file goes, -ENAMETOOLONG for a
 * component over NAME_MAX, -ENOMEM.
 */
int p2pdma_memtree_add_dir(struct p2pdma_memtree *t, const char *path, const char **why);
/* An empty regular file; its node in *node for p2pdma_memtree_write(). */
int p2pdma_memtree_add_file(struct p2pdma_memtree *t, const char *path, uint32_t *node,
			    const char **why);
int p2pdma_memtree_add_symlink(struct p2pdma_memtree *t, const char *path,
			       const char *target, const char **why);
/* @path shares the contents of the regular file @target (-ENOENT, -EPERM otherwise). */
int p2pdma_memtree_add_hardlink(struct p2pdma_memtree *t, const char *path,
				const char *target, const char **why);

/*
 * Put @size bytes at @off of the file @node (none: only make it @off
 * long); the growth of its length in *grew.  Holes read as zeros.  Only
 * the file added last can be written (-EINVAL otherwise).
 */
int p2pdma_memtree_write(struct p2pdma_memtree *t, uint32_t node, const void *buf,
			 size_t size, uint64_t off, uint64_t *grew);

/*
 * The node at @path below the directory @dir, never through a symlink:
 * 0, -ENOENT, -ENOTDIR (a file on the way), -ELOOP (a symlink on the way;
 * the final component may be one: that is reported by its kind), or
 * -ENAMETOOLONG.  With @stop, *stop is the length of @path up to the
 * component that failed.
 */
int p2pdma_memtree_find(const struct p2pdma_memtree *t, uint32_t dir, const char *path,
			uint32_t *node, size_t *stop);

#endif /* P2PDMA_MEMTREE_H */
