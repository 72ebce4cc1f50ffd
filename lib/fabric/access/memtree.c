// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The in-memory tree.  Adding follows what unpacking an archive onto a
 * disk does, so that both methods load the same machine from the same
 * tarball: a later entry of the same name replaces an earlier one (a
 * directory with entries excepted), a missing parent directory is made,
 * a file in the way of a parent becomes that directory, and nothing is
 * made through a symlink.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "memtree.h"
#include "util.h"

#define NONE UINT32_MAX

static uint32_t hash_of(uint32_t parent, const char *name, size_t len)
{
	uint32_t h = 2166136261u ^ (parent * 0x9e3779b1u);
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static bool same(const struct p2pdma_memtree *t, uint32_t n, uint32_t parent,
		 const char *name, size_t len)
{
	const char *s = t->arena + t->nodes[n].name;

	return t->nodes[n].parent == parent && !strncmp(s, name, len) && !s[len];
}

static uint32_t lookup(const struct p2pdma_memtree *t, uint32_t parent, const char *name,
		       size_t len)
{
	size_t mask = t->hash_size - 1, i = hash_of(parent, name, len) & mask;

	if (!t->hash_size)
		return NONE;	/* nothing below the top yet */
	for (; t->hash[i]; i = (i + 1) & mask) {
		uint32_t n = t->hash[i] - 1;

		if (same(t, n, parent, name, len))
			return n;
	}
	return NONE;
}

static void hash_insert(struct p2pdma_memtree *t, uint32_t n)
{
	const struct p2pdma_memnode *node = &t->nodes[n];
	const char *name = t->arena + node->name;
	size_t mask = t->hash_size - 1;
	size_t i = hash_of(node->parent, name, strlen(name)) & mask;

	while (t->hash[i])
		i = (i + 1) & mask;
	t->hash[i] = n + 1;
}

/* Keep the table at most half full, so a probe stays short. */
static int hash_grow(struct p2pdma_memtree *t)
{
	size_t size = t->hash_size ? t->hash_size * 2 : 1024, i;
	uint32_t *old = t->hash;

	if ((t->nr + 1) * 2 <= t->hash_size)
		return 0;
	t->hash = calloc(size, sizeof(*t->hash));
	if (!t->hash) {
		t->hash = old;
		return -ENOMEM;
	}
	t->hash_size = size;
	for (i = 1; i < t->nr; i++)
		hash_insert(t, (uint32_t)i);
	free(old);
	return 0;
}

/* Append @len bytes of @s and a NUL to the arena; their offset in *at. */
static int arena_add(struct p2pdma_memtree *t, const char *s, size_t len, size_t *at)
{
	if (p2pdma_grow((void **)&t->arena, &t->arena_cap, t->arena_len + len + 1, 1))
		return -ENOMEM;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = '\0';
	*at = t->arena_len;
	t->arena_len += len + 1;
	return 0;
}

static int add_node(struct p2pdma_memtree *t, uint32_t parent, const char *name, size_t len,
		    unsigned char type, uint32_t *out)
{
	struct p2pdma_memnode *n;
	size_t at;

	if (t->nr >= NONE - 1 || hash_grow(t) ||
	    p2pdma_grow((void **)&t->nodes, &t->cap, t->nr + 1, sizeof(*t->nodes)) ||
	    arena_add(t, name, len, &at))
		return -ENOMEM;
	n = &t->nodes[t->nr];
	*n = (struct p2pdma_memnode){
		.name = at, .parent = parent, .first_child = NONE,
		.next_sibling = t->nodes[parent].first_child, .type = type,
	};
	t->nodes[parent].first_child = (uint32_t)t->nr;
	t->nodes[parent].nr_children++;
	*out = (uint32_t)t->nr++;
	hash_insert(t, *out);
	return 0;
}

/*
 * Make @n a @type with nothing in it (what unlink-and-create does on a
 * disk); what it held stays in the arena for its hard links.
 */
static void reset(struct p2pdma_memnode *n, unsigned char type)
{
	n->at = n->len = 0;
	n->type = type;
}

int p2pdma_memtree_new(size_t keep, struct p2pdma_memtree **out)
{
	struct p2pdma_memtree *t = calloc(1, sizeof(*t));
	size_t at;

	if (!t)
		return -ENOMEM;
	t->keep = keep;
	/* Room for a small capture at once: each growth is a copy. */
	if (p2pdma_grow((void **)&t->nodes, &t->cap, 512, sizeof(*t->nodes)) ||
	    p2pdma_grow((void **)&t->arena, &t->arena_cap, 32768, 1) ||
	    arena_add(t, "", 0, &at)) {
		p2pdma_memtree_free(t);
		return -ENOMEM;
	}
	t->nodes[0] = (struct p2pdma_memnode){
		.name = at, .first_child = NONE, .next_sibling = NONE, .type = DT_DIR,
	};
	t->nr = 1;
	*out = t;
	return 0;
}

void p2pdma_memtree_free(struct p2pdma_memtree *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->arena);
	free(t->hash);
	free(t->cache);
	free(t);
}

/* The next component of *p ("." and empty ones skipped); its length, 0 at the end. */
static size_t next_comp(const char **p, const char **comp)
{
	for (;;) {
		size_t n;

		while (**p == '/')
			(*p)++;
		n = strcspn(*p, "/");
		*comp = *p;
		*p += n;
		if (!n || !(n == 1 && **comp == '.'))
			return n;
	}
}

/* walk_parents() the long way: component by component from the top. */
static int walk(struct p2pdma_memtree *t, const char *path, uint32_t *dir,
		const char **name, size_t *len, const char **why)
{
	const char *p = path, *comp;
	size_t n = next_comp(&p, &comp);

	*dir = P2PDMA_MEMTREE_TOP;
	while (n) {
		const char *next;
		size_t nn = next_comp(&p, &next);
		uint32_t child;
		int ret;

		if (n > NAME_MAX) {
			*why = "a name component is longer than 255 bytes";
			return -ENAMETOOLONG;
		}
		if (!nn)
			break;
		child = lookup(t, *dir, comp, n);
		if (child == NONE) {
			ret = add_node(t, *dir, comp, n, DT_DIR, &child);
			if (ret) {
				*why = "out of memory";
				return ret;
			}
		} else if (t->nodes[child].type == DT_LNK) {
			*why = "its path goes through a symlink";
			return -ELOOP;
		} else if (t->nodes[child].type != DT_DIR) {
			reset(&t->nodes[child], DT_DIR);
		}
		*dir = child;
		comp = next;
		n = nn;
	}
	*name = comp;
	*len = n;
	return 0;
}

/*
 * Where @path's last component starts and ends; false when there is
 * none or it is "." (then the walk finds the last one).
 */
static bool split_last(const char *path, size_t *start, size_t *end)
{
	size_t e = strlen(path), b;

	while (e && path[e - 1] == '/')
		e--;
	for (b = e; b && path[b - 1] != '/'; b--)
		;
	*start = b;
	*end = e;
	return e > b && !(e == b + 1 && path[b] == '.');
}

/*
 * An archive lists a directory's entries one after another: the parent
 * of the last entry is most often the parent of this one.  The same
 * text always leads to the same node (nodes are never removed), which
 * is a directory still if its type says so.
 */
static bool cached_parent(const struct p2pdma_memtree *t, const char *path, size_t start)
{
	return t->cache && start == t->cache_len && !memcmp(path, t->cache, start) &&
	       t->nodes[t->cache_node].type == DT_DIR;
}

static void cache_parent(struct p2pdma_memtree *t, const char *path, size_t start,
			 uint32_t dir)
{
	if (start + 1 > t->cache_cap) {
		char *c = realloc(t->cache, start + 1);

		if (!c)
			return;		/* no cache: the walk still works */
		t->cache = c;
		t->cache_cap = start + 1;
	}
	memcpy(t->cache, path, start);
	t->cache_len = start;
	t->cache_node = dir;
}

/*
 * Walk to the directory that holds @path's last component, making
 * missing directories on the way.  The last component in *name, *len
 * (0 when @path names the top).
 */
static int walk_parents(struct p2pdma_memtree *t, const char *path, uint32_t *dir,
			const char **name, size_t *len, const char **why)
{
	size_t start, end;
	bool simple = split_last(path, &start, &end);
	int ret;

	if (simple && cached_parent(t, path, start)) {
		*dir = t->cache_node;
		*name = path + start;
		*len = end - start;
		if (*len <= NAME_MAX)
			return 0;
		*why = "a name component is longer than 255 bytes";
		return -ENAMETOOLONG;
	}
	ret = walk(t, path, dir, name, len, why);
	if (!ret && simple)
		cache_parent(t, path, start, *dir);
	return ret;
}

/* The node for a new non-directory @path, emptied and of @type. */
static int place(struct p2pdma_memtree *t, const char *path, unsigned char type,
		 uint32_t *out, const char **why)
{
	const char *name;
	size_t len;
	uint32_t dir, n;
	int ret;

	ret = walk_parents(t, path, &dir, &name, &len, why);
	if (ret)
		return ret;
	n = len ? lookup(t, dir, name, len) : P2PDMA_MEMTREE_TOP;
	if (n == NONE) {
		ret = add_node(t, dir, name, len, type, out);
		if (ret)
			*why = "out of memory";
		return ret;
	}
	if (n == P2PDMA_MEMTREE_TOP) {
		*why = "it names the top directory";
		return -EISDIR;
	}
	if (t->nodes[n].type == DT_DIR && t->nodes[n].nr_children) {
		*why = "a directory with entries is in its place";
		return -ENOTEMPTY;
	}
	reset(&t->nodes[n], type);
	*out = n;
	return 0;
}

int p2pdma_memtree_add_dir(struct p2pdma_memtree *t, const char *path, const char **why)
{
	const char *name;
	size_t len;
	uint32_t dir, n;
	int ret;

	ret = walk_parents(t, path, &dir, &name, &len, why);
	if (ret || !len)
		return ret;
	n = lookup(t, dir, name, len);
	if (n == NONE) {
		ret = add_node(t, dir, name, len, DT_DIR, &n);
		if (ret)
			*why = "out of memory";
		return ret;
	}
	if (t->nodes[n].type != DT_DIR)
		reset(&t->nodes[n], DT_DIR);
	return 0;
}

int p2pdma_memtree_add_file(struct p2pdma_memtree *t, const char *path, uint32_t *node,
			    const char **why)
{
	int ret = place(t, path, DT_REG, node, why);

	if (!ret)
		t->nodes[*node].at = t->arena_len;	/* its bytes come next */
	return ret;
}

int p2pdma_memtree_add_symlink(struct p2pdma_memtree *t, const char *path,
			       const char *target, const char **why)
{
	uint32_t n;
	size_t at;
	int ret = place(t, path, DT_LNK, &n, why);

	if (ret)
		return ret;
	if (arena_add(t, target, strlen(target), &at)) {
		*why = "out of memory";
		return -ENOMEM;
	}
	t->nodes[n].at = at;
	return 0;
}

int p2pdma_memtree_add_hardlink(struct p2pdma_memtree *t, const char *path,
				const char *target, const char **why)
{
	const char *name;
	size_t len, at;
	uint32_t dir, src, n;
	int ret;

	/* Parents first, as on a disk: that may turn the target into a directory. */
	ret = walk_parents(t, path, &dir, &name, &len, why);
	if (ret)
		return ret;
	ret = p2pdma_memtree_find(t, P2PDMA_MEMTREE_TOP, target, &src, NULL);
	if (ret || t->nodes[src].type != DT_REG) {
		*why = ret ? "its target is not in the archive" :
		       "its target is not a regular file";
		return ret ? -ENOENT : -EPERM;
	}
	/* Taken before @path replaces what it names: that may be the target. */
	at = t->nodes[src].at;
	len = t->nodes[src].len;
	ret = place(t, path, DT_REG, &n, why);
	if (ret)
		return ret;
	t->nodes[n].at = at;
	t->nodes[n].len = len;
	return 0;
}

int p2pdma_memtree_write(struct p2pdma_memtree *t, uint32_t node, const void *buf,
			 size_t size, uint64_t off, uint64_t *grew)
{
	struct p2pdma_memnode *n = &t->nodes[node];
	size_t kept = n->len < t->keep ? n->len : t->keep, keep_end;
	uint64_t end = off + size;

	*grew = 0;
	if (off > SIZE_MAX / 2 || size > SIZE_MAX / 2)
		return -EFBIG;
	if (n->type != DT_REG || n->at + kept != t->arena_len)
		return -EINVAL;		/* only the file added last grows */
	if (end > n->len) {
		*grew = end - n->len;
		n->len = (size_t)end;
	}
	if (off >= t->keep)
		return 0;
	keep_end = end < t->keep ? (size_t)end : t->keep;
	if (keep_end > kept) {
		if (p2pdma_grow((void **)&t->arena, &t->arena_cap, n->at + keep_end, 1))
			return -ENOMEM;
		/* A hole in a sparse entry reads as zeros. */
		if (off > kept)
			memset(t->arena + n->at + kept, 0, (size_t)off - kept);
		t->arena_len = n->at + keep_end;
	}
	if (keep_end > off)
		memcpy(t->arena + n->at + off, buf, keep_end - (size_t)off);
	return 0;
}

int p2pdma_memtree_find(const struct p2pdma_memtree *t, uint32_t dir, const char *path,
			uint32_t *node, size_t *stop)
{
	const char *p = path, *comp;
	size_t n = next_comp(&p, &comp);
	uint32_t at = dir;

	while (n) {
		if (stop)
			*stop = (size_t)(comp - path) + n;
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		at = lookup(t, at, comp, n);
		if (at == NONE)
			return -ENOENT;
		n = next_comp(&p, &comp);
		if (n && t->nodes[at].type == DT_LNK)
			return -ELOOP;
		if (n && t->nodes[at].type != DT_DIR)
			return -ENOTDIR;
	}
	*node = at;
	return 0;
}
