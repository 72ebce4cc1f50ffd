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

/* A regular file's contents; -ELOOP, -EISDIR, -EFBIG past @max as a read would. */
static int file_of(const struct p2pdma_dir *d, const char *name, size_t max,
		   const struct p2pdma_memdata **out)
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
	if (n->data->len > max || n->data->len > d->tree->keep)
		return -EFBIG;
	*out = n->data;
	return 0;
}

static int mem_read(const struct p2pdma_dir *d, const char *name, void *buf, size_t cap,
		    size_t *len)
{
	const struct p2pdma_memdata *data;
	int ret = file_of(d, name, cap, &data);

	if (ret)
		return ret;
	if (data->len)
		memcpy(buf, data->bytes, data->len);
	*len = data->len;
	return 0;
}

static int mem_read_all(const struct p2pdma_dir *d, const char *name, size_t max,
			char **buf, size_t *len)
{
	const struct p2pdma_memdata *data;
	int ret = file_of(d, name, max, &data);

	if (ret)
		return ret;
	*buf = malloc(data->len + 1);
	if (!*buf)
		return -ENOMEM;
	if (data->len)
		memcpy(*buf, data->bytes, data->len);
	*len = data->len;
	return 0;
}

static int mem_readlink(const struct p2pdma_dir *d, const char *name, char *buf,
			size_t cap, size_t *len)
{
	const struct p2pdma_memnode *n;
	int ret = find(d, name, &n);
	size_t l;

	if (ret)
		return ret;
	if (n->type != DT_LNK)
		return -EINVAL;
	l = strlen(n->target);
	if (l >= cap)
		return -ENAMETOOLONG;
	memcpy(buf, n->target, l + 1);
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

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct p2pdma_dirent *)a)->name,
		      ((const struct p2pdma_dirent *)b)->name);
}

static int mem_list(const struct p2pdma_dir *d, bool (*want)(const char *name, void *arg),
		    void *arg, struct p2pdma_dirent **out, size_t *nr)
{
	const struct p2pdma_memtree *t = d->tree;
	struct p2pdma_dirent *v = NULL;
	size_t n = 0, cap = 0;
	uint32_t c;

	for (c = t->nodes[d->node].first_child; c != UINT32_MAX; c = t->nodes[c].next_sibling) {
		const struct p2pdma_memnode *node = &t->nodes[c];

		if (want && !want(node->name, arg))
			continue;
		if (p2pdma_grow((void **)&v, &cap, n + 1, sizeof(*v)) ||
		    !(v[n].name = strdup(node->name))) {
			p2pdma_dirents_free(v, n);
			return -ENOMEM;
		}
		v[n++].type = node->type;
	}
	if (n)
		qsort(v, n, sizeof(*v), dirent_cmp);
	*out = v;
	*nr = n;
	return 0;
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
