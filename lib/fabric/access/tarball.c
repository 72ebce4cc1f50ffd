// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading capture tarballs with libarchive into a tree in memory
 * (memtree.c): nothing is written to disk.
 *
 * A tarball is outside input like any other: it may hold absolute
 * names, "..", symlinks planted to redirect later entries, device nodes,
 * or a few kilobytes that inflate to terabytes.  Entries are read one
 * by one; names are checked here, nothing is placed through a symlink,
 * and the total size and number of entries are capped.  Bytes of
 * skipped entries count too: skipping a compressed entry inflates it.
 * A tar that ends without its end-of-archive marker was cut, and is
 * refused: libarchive takes such an end for a clean one.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "memtree.h"
#include "readfile.h"
#include "sysfs_layout.h"
#include "tarball.h"
#include "util.h"

/*
 * Bytes of a file kept: the longest file the loader reads (a /proc
 * file) and one more, which tells it is longer.
 */
#define KEEP ((size_t)P2PDMA_PROC_FILE_MAX + 1)

/* No node: an entry whose data is read and dropped. */
#define NONE UINT32_MAX

struct unpack {
	const char *path;		/* the tarball, for messages */
	struct p2pdma_memtree *tree;	/* where it goes */
	struct archive *in;
	struct p2pdma_unpack_opts lim;
	uint64_t bytes, entries, written;
	/* The name of the entry being read, for messages: its first bytes, as read. */
	char raw[256];
	size_t raw_len;			/* the whole name's length */
	char last[256];			/* the same as shown, made when a message needs it */
	bool in_entry;			/* failure inside an entry's data, not between */
};

/* Keep the entry's name: a plain copy, shown only when a message needs it. */
static void remember(struct unpack *u, const char *name)
{
	if (!name)
		name = "?";
	u->raw_len = strlen(name);
	memcpy(u->raw, name, u->raw_len < sizeof(u->raw) ? u->raw_len : sizeof(u->raw));
}

/* The entry's name as messages show it; "" before the first entry. */
static const char *last(struct unpack *u)
{
	return p2pdma_excerpt(u->last, sizeof(u->last), u->raw, u->raw_len,
			      sizeof(u->last) - 8);
}

static int corrupt(struct unpack *u, struct p2pdma_error *e)
{
	const char *msg = archive_error_string(u->in);
	long long off = (long long)archive_filter_bytes(u->in, 0);

	if (!u->raw_len)
		return p2pdma_fail(e, -EINVAL,
				   "%s: truncated/corrupt archive at the first entry (offset %lld): %s",
				   u->path, off, msg ? msg : "unreadable");
	return p2pdma_fail(e, -EINVAL,
			   "%s: truncated/corrupt archive %s entry %s (offset %lld): %s",
			   u->path, u->in_entry ? "at" : "after", last(u), off,
			   msg ? msg : "unreadable");
}

/* Relative, and no ".." component: the entry stays inside the directory. */
static int check_name(struct unpack *u, const char *what, const char *name,
		      struct p2pdma_error *e)
{
	const char *p = name;

	if (!name || !*name)
		return p2pdma_fail(e, -EINVAL, "%s: entry %zu has no %s",
				   u->path, (size_t)u->entries, what);
	if (*name == '/')
		return p2pdma_fail(e, -EINVAL, "%s: entry %s has an absolute %s",
				   u->path, last(u), what);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2)) {
			char shown[128];

			return p2pdma_fail(e, -EINVAL,
					   "%s: entry %s: its %s '%s' climbs out with '..'",
					   u->path, last(u), what,
					   p2pdma_excerpt(shown, sizeof(shown), name, strlen(name),
							  sizeof(shown) - 8));
		}
		p += n;
		p += *p == '/';
	}
	return 0;
}

/*
 * A hard link names its target by path: a target below a planted
 * symlink would reach outside on a disk, so none is taken, and the
 * target itself must not be one either.
 */
static int check_no_symlink(struct unpack *u, const char *rel, struct p2pdma_error *e)
{
	size_t stop = strlen(rel);
	uint32_t n;
	int ret = p2pdma_memtree_find(u->tree, P2PDMA_MEMTREE_TOP, rel, &n, &stop);
	char shown[128];

	if (ret == -ELOOP || (!ret && u->tree->nodes[n].type == DT_LNK))
		return p2pdma_fail(e, -EINVAL, "%s: entry %s: hard link through the symlink %s",
				   u->path, last(u),
				   p2pdma_excerpt(shown, sizeof(shown), rel, stop,
						  sizeof(shown) - 8));
	return 0;
}

/* Whether to take @entry: false (*skip) for kinds and names the caller does not want. */
static int check_entry(struct unpack *u, struct archive_entry *entry, bool *skip,
		       struct p2pdma_error *e)
{
	const char *name = archive_entry_pathname(entry);
	const char *hard = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry);
	int ret;

	remember(u, name);
	ret = check_name(u, "name", name, e);
	if (ret)
		return ret;
	*skip = !hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK;
	if (*skip)
		return 0;		/* device nodes, FIFOs: not part of a capture */
	*skip = u->lim.want && !u->lim.want(name, type == AE_IFDIR);
	if (*skip || !hard)
		return 0;
	ret = check_name(u, "hard link target", hard, e);
	return ret ? ret : check_no_symlink(u, hard, e);
}

/* Names in the tree, made ones included: each is an entry a disk would have. */
static int too_many_files(struct unpack *u, struct p2pdma_error *e)
{
	return p2pdma_fail(e, -EFBIG,
			   "%s: refusing to unpack more than %llu files: not a capture",
			   u->path, (unsigned long long)u->lim.max_files);
}

static int too_big(struct unpack *u, struct p2pdma_error *e)
{
	return p2pdma_fail(e, -EFBIG,
			   "%s: refusing to unpack more than %llu MiB (at entry %s): not a capture",
			   u->path, (unsigned long long)(u->lim.max_bytes >> 20), last(u));
}

/*
 * Read the entry's data, counting it against the cap, into the file
 * @node (or, with @node NONE, drop it: a skipped entry is inflated all
 * the same, so it costs as much as a kept one).  A kept file counts
 * what its length grows by, so a sparse entry costs its holes too.
 */
static int copy_data(struct unpack *u, uint32_t node, struct p2pdma_error *e)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	uint64_t grew;
	int r;

	u->in_entry = true;
	for (;;) {
		r = archive_read_data_block(u->in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return corrupt(u, e);
		grew = size;
		if (node != NONE) {
			r = p2pdma_memtree_write(u->tree, node, buf, size, (uint64_t)off, &grew);
			if (r == -ENOMEM)
				return p2pdma_fail(e, -ENOMEM, "out of memory");
			if (r)
				return too_big(u, e);
		}
		u->bytes += grew;
		if (u->bytes > u->lim.max_bytes)
			return too_big(u, e);
	}
	u->in_entry = false;
	return 0;
}

/*
 * A regular file's data, and its length as the header says: a sparse
 * file may end in a hole, which a disk gives it by truncating to that.
 */
static int copy_file(struct unpack *u, struct archive_entry *entry, uint32_t node,
		     struct p2pdma_error *e)
{
	uint64_t grew;
	int ret = copy_data(u, node, e);

	if (ret || !archive_entry_size_is_set(entry) || archive_entry_size(entry) <= 0)
		return ret;
	ret = p2pdma_memtree_write(u->tree, node, NULL, 0, (uint64_t)archive_entry_size(entry),
				   &grew);
	if (ret == -ENOMEM)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	u->bytes += grew;
	if (ret || u->bytes > u->lim.max_bytes)
		return too_big(u, e);
	return 0;
}

/* The size the header announces, refused at once when over the cap. */
static int check_size(struct unpack *u, struct archive_entry *entry, struct p2pdma_error *e)
{
	if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 &&
	    u->bytes + (uint64_t)archive_entry_size(entry) > u->lim.max_bytes)
		return too_big(u, e);
	return 0;
}

/* Put the entry in the tree; a regular file's data with it. */
static int add_entry(struct unpack *u, struct archive_entry *entry, struct p2pdma_error *e)
{
	const char *name = archive_entry_pathname(entry);
	const char *hard = archive_entry_hardlink(entry);
	const char *target;
	const char *why = NULL;
	uint32_t node = NONE;
	int ret;

	switch (hard ? AE_IFREG : archive_entry_filetype(entry)) {
	case AE_IFDIR:
		ret = p2pdma_memtree_add_dir(u->tree, name, &why);
		break;
	case AE_IFLNK:
		target = archive_entry_symlink(entry);
		if (!target || !*target || strlen(target) >= PATH_MAX) {
			why = "a symlink without a target, or one longer than PATH_MAX";
			ret = -EINVAL;
		} else {
			ret = p2pdma_memtree_add_symlink(u->tree, name, target, &why);
		}
		break;
	default:
		if (hard)
			ret = p2pdma_memtree_add_hardlink(u->tree, name, hard, &why);
		else
			ret = p2pdma_memtree_add_file(u->tree, name, &node, &why);
		break;
	}
	if (ret == -ENOMEM)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	if (ret)
		return p2pdma_fail(e, -EINVAL, "%s: cannot unpack entry %s: %s",
				   u->path, last(u), why);
	if (u->tree->nr - 1 > u->lim.max_files)
		return too_many_files(u, e);
	return node == NONE ? 0 : copy_file(u, entry, node, e);
}

static int unpack_entry(struct unpack *u, struct archive_entry *entry,
			struct p2pdma_error *e)
{
	bool skip = false;
	int ret;

	if (++u->entries > u->lim.max_entries)
		return p2pdma_fail(e, -EFBIG,
				   "%s: refusing to unpack more than %llu entries: not a capture",
				   u->path, (unsigned long long)u->lim.max_entries);
	ret = check_entry(u, entry, &skip, e);
	if (!ret)
		ret = check_size(u, entry, e);
	if (ret)
		return ret;
	if (skip)
		return copy_data(u, NONE, e);
	if (++u->written > u->lim.max_files)
		return too_many_files(u, e);
	return add_entry(u, entry, e);
}

/*
 * libarchive reports a tar that stops at a block boundary as a clean end.
 * The end-of-archive marker (zero blocks) is consumed by the last header
 * read, so a stream that ends where that read began was cut: a capture
 * cut there would load as a smaller machine.  Compressed streams detect
 * their own truncation; this is for the tar inside them.
 */
static int check_end(struct unpack *u, struct p2pdma_error *e)
{
	if (archive_filter_bytes(u->in, 0) > archive_read_header_position(u->in))
		return 0;
	if (!u->raw_len)
		return p2pdma_fail(e, -EINVAL, "%s: empty archive: not a capture", u->path);
	return p2pdma_fail(e, -EINVAL,
			   "%s: truncated archive: no end-of-archive marker after entry %s",
			   u->path, last(u));
}

static int unpack_all(struct unpack *u, struct p2pdma_error *e)
{
	struct archive_entry *entry;
	int r, ret;

	for (;;) {
		r = archive_read_next_header(u->in, &entry);
		if (r == ARCHIVE_EOF)
			return check_end(u, e);
		/* RETRY: a damaged header (bad checksum) that libarchive would skip. */
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return corrupt(u, e);
		ret = unpack_entry(u, entry, e);
		if (ret)
			return ret;
	}
}

/* Magic numbers: where each kind of file says what it is. */
static const struct {
	const char *name;
	unsigned char magic[6];
	size_t len, at;
	bool readable;
} kinds[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, 0, true },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, 0, true },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, 0, true },
	{ "tar", { 'u', 's', 't', 'a', 'r' }, 5, 257, true },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, 0, false },
	{ "lz4", { 0x04, 0x22, 0x4d, 0x18 }, 4, 0, false },
	{ "lzop", { 0x89, 'L', 'Z', 'O', 0x00, 0x0d }, 6, 0, false },
	{ "lzip", { 'L', 'Z', 'I', 'P' }, 4, 0, false },
	{ "lrzip", { 'L', 'R', 'Z', 'I' }, 4, 0, false },
};

const char *p2pdma_archive_kind(const unsigned char *b, size_t n, bool *readable)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n >= kinds[i].at + kinds[i].len &&
		    !memcmp(b + kinds[i].at, kinds[i].magic, kinds[i].len)) {
			*readable = kinds[i].readable;
			return kinds[i].name;
		}
	return NULL;
}

/* A compression the file is in that is not read here, so a .tar.zst gets "decompress it". */
static const char *foreign_compression(const char *path)
{
	unsigned char head[6];
	const char *kind;
	bool readable;
	size_t n;
	FILE *f = fopen(path, "rbe");

	if (!f)
		return NULL;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	kind = p2pdma_archive_kind(head, n, &readable);
	return kind && !readable ? kind : NULL;
}

static int open_archive(struct unpack *u, struct p2pdma_error *e)
{
	const char *other;

	u->in = archive_read_new();
	if (!u->in)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	/*
	 * The compressions capture writes, each inflated inside libarchive:
	 * "all" would also hand lrzip, lzop or grzip streams to an external
	 * program, which an archive from elsewhere has no business starting.
	 */
	if (archive_read_support_filter_gzip(u->in) != ARCHIVE_OK ||
	    archive_read_support_filter_bzip2(u->in) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(u->in) != ARCHIVE_OK)
		return p2pdma_fail(e, -ENOTSUP, "%s: this libarchive cannot inflate gzip, bzip2 and xz itself",
				   u->path);
	archive_read_support_format_tar(u->in);
	if (archive_read_open_filename(u->in, u->path, 65536) == ARCHIVE_OK)
		return 0;
	switch (archive_errno(u->in)) {
	case ENOENT: case EACCES: case EPERM: case EISDIR: case EIO:
		return p2pdma_fail(e, -archive_errno(u->in), "%s: cannot read the archive: %s",
				   u->path, archive_error_string(u->in));
	default:
		other = foreign_compression(u->path);
		if (other)
			return p2pdma_fail(e, -ENOTSUP,
					   "%s: compressed with %s, which p2pdma does not read: decompress it, or capture as .tar.xz (.tar, .tar.gz, .tar.bz2 and .tar.xz are read)",
					   u->path, other);
		/* Opening reads the first block: a bad compressed stream fails here. */
		return corrupt(u, e);
	}
}

int p2pdma_archive_read(const char *path, const struct p2pdma_unpack_opts *opts,
			struct p2pdma_memtree **tree, struct p2pdma_error *e)
{
	struct unpack u = {
		.path = path,
		.lim = { P2PDMA_ARCHIVE_MAX_BYTES, P2PDMA_ARCHIVE_MAX_ENTRIES, NULL, 0 },
	};
	int ret;

	*tree = NULL;
	if (opts)
		u.lim = *opts;
	if (!u.lim.max_files)
		u.lim.max_files = P2PDMA_ARCHIVE_MAX_WRITTEN;
	if (p2pdma_memtree_new(KEEP, &u.tree))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	ret = open_archive(&u, e);
	if (!ret)
		ret = unpack_all(&u, e);
	if (u.in)
		archive_read_free(u.in);
	if (ret) {
		p2pdma_memtree_free(u.tree);
		return ret;
	}
	*tree = u.tree;
	return 0;
}
