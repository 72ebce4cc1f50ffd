// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The in-memory method: a directory is a node of a memtree, and every
 * call answers what the file-system method would for the same tree on
 * a disk (the same errors for a symlink, a directory or a missing name).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "memtree.h"
#include "util.h"

/* The node @name below @d, or the error the file system gives for it. */
static int find(const struct p2pdma_dir *d, const char *name,
		const struct p2pdma_memnode **out)
{
	uint32_t n;
	int ret = p2pdma_memtree_find(d->tree, d->node, name, &n, NULL);

	if (ret)
		return ret;
	*out = &d->tree->nodes[n];
	return 0;
}

/* A regular file; -ELOOP, -EISDIR, -EFBIG past @max as a read would. */
static int file_of(const struct p2pdma_dir *d, const char *name, size_t max,
		   const struct p2pdma_memnode **out)
{
	const struct p2pdma_memnode *n;
	int ret = find(d, name, &n);

	if (ret)
		return ret;
	if (n->type == DT_LNK)
		return -ELOOP;
	if (n->type == DT_DIR)
		return -EISDIR;
	/* Beyond what the tree kept, no reader takes the file anyway. */
	if (n->len > max || n->len > d->tree->keep)
		return -EFBIG;
	*out = n;
	return 0;
}

static int mem_read(const struct p2pdma_dir *d, const char *name, void *buf, size_t cap,
		    size_t *len)
{
	const struct p2pdma_memnode *n;
	int ret = file_of(d, name, cap, &n);

	if (ret)
		return ret;
	memcpy(buf, d->tree->arena + n->at, n->len);
	*len = n->len;
	return 0;
}

static int mem_read_all(const struct p2pdma_dir *d, const char *name, size_t max,
			char **buf, size_t *len)
{
	const struct p2pdma_memnode *n;
	int ret = file_of(d, name, max, &n);

	if (ret)
		return ret;
	*buf = malloc(n->len + 1);
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, d->tree->arena + n->at, n->len);
	*len = n->len;
	return 0;
}

static int mem_readlink(const struct p2pdma_dir *d, const char *name, char *buf,
			size_t cap, size_t *len)
{
	const struct p2pdma_memnode *n;
	int ret = find(d, name, &n);
	const char *target;
	size_t l;

	if (ret)
		return ret;
	if (n->type != DT_LNK)
		return -EINVAL;
	target = p2pdma_memtree_str(d->tree, n->at);
	l = strlen(target);
	if (l >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, target, l + 1);
	*len = l;
	return 0;
}

static int mem_open_dir(const struct p2pdma_dir *d, const char *path, struct p2pdma_dir *out)
{
	const struct p2pdma_memnode *n;
	int ret = find(d, path, &n);

	if (ret)
		return ret;
	if (n->type == DT_LNK)
		return -ELOOP;
	if (n->type != DT_DIR)
		return -ENOTDIR;
	*out = (struct p2pdma_dir){
		.m = &p2pdma_access_mem, .tree = d->tree,
		.node = (uint32_t)(n - d->tree->nodes),
	};
	return 0;
}

static int mem_list(const struct p2pdma_dir *d, bool (*want)(const char *name, void *arg),
		    void *arg, struct p2pdma_dirent **out, size_t *nr)
{
	const struct p2pdma_memtree *t = d->tree;
	struct p2pdma_dirlist l = { 0 };
	uint32_t c;

	for (c = t->nodes[d->node].first_child; c != UINT32_MAX; c = t->nodes[c].next_sibling) {
		const struct p2pdma_memnode *node = &t->nodes[c];
		const char *name = p2pdma_memtree_str(t, node->name);

		if (want && !want(name, arg))
			continue;
		if (p2pdma_dirlist_add(&l, name, node->type)) {
			p2pdma_dirlist_discard(&l);
			return -ENOMEM;
		}
	}
	return p2pdma_dirlist_finish(&l, out, nr);
}

static int mem_kind(const struct p2pdma_dir *d, const char *path)
{
	const struct p2pdma_memnode *n;
	int ret = find(d, path, &n);

	return ret ? ret : n->type;
}

const struct p2pdma_access p2pdma_access_mem = {
	.name = "mem",
	.read = mem_read,
	.read_all = mem_read_all,
	.readlink = mem_readlink,
	.open_dir = mem_open_dir,
	.list = mem_list,
	.kind = mem_kind,
};

struct p2pdma_dir p2pdma_dir_open_mem(const struct p2pdma_memtree *t)
{
	return (struct p2pdma_dir){
		.m = &p2pdma_access_mem, .tree = t, .node = P2PDMA_MEMTREE_TOP,
	};
}
