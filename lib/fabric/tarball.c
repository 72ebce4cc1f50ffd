// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unpacking capture tarballs with libarchive.
 *
 * A tarball is outside input like any other: it may hold absolute
 * names, "..", symlinks planted to redirect later entries, device nodes,
 * or a few kilobytes that inflate to terabytes.  Entries are unpacked
 * one by one under a fresh private directory; names are checked here
 * (for a clear message) and again by libarchive's secure-extraction
 * flags, and the total size and number of entries are capped.  Bytes
 * of skipped entries count too: skipping a compressed entry inflates it.
 * A tar that ends without its end-of-archive marker was cut, and is
 * refused: libarchive takes such an end for a clean one.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "readfile.h"
#include "tarball.h"
#include "tempfiles.h"
#include "util.h"

struct unpack {
	const char *path;		/* the tarball, for messages */
	const char *dir;		/* where it goes (no symlinks in it) */
	struct archive *in, *out;
	struct p2pdma_unpack_opts lim;
	uint64_t bytes, entries, written;
	char last[256];			/* name of the entry being read, for messages */
	bool in_entry;			/* failure inside an entry's data, not between */
};

static int make_tempdir(char **out, struct p2pdma_error *e)
{
	const char *t = getenv("TMPDIR");
	char *tmpl, *real;

	if (!t || !*t)
		t = "/tmp";
	if (asprintf(&tmpl, "%s/p2pdma-capture-XXXXXX", t) < 0)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	if (!mkdtemp(tmpl)) {
		int err = errno;

		free(tmpl);
		return p2pdma_fail(e, -err, "cannot create a temporary directory in %s: %s",
				   t, strerror(err));
	}
	/* libarchive refuses paths through symlinks: $TMPDIR itself may be one. */
	real = realpath(tmpl, NULL);
	if (!real) {
		int err = errno;

		rmdir(tmpl);
		free(tmpl);
		return p2pdma_fail(e, -err, "temporary directory: %s", strerror(err));
	}
	free(tmpl);
	p2pdma_temp_track(real, true);
	*out = real;
	return 0;
}

static int corrupt(struct unpack *u, struct p2pdma_error *e)
{
	const char *msg = archive_error_string(u->in);
	long long off = (long long)archive_filter_bytes(u->in, 0);

	if (!u->last[0])
		return p2pdma_fail(e, -EINVAL,
				   "%s: truncated/corrupt archive at the first entry (offset %lld): %s",
				   u->path, off, msg ? msg : "unreadable");
	return p2pdma_fail(e, -EINVAL,
			   "%s: truncated/corrupt archive %s entry %s (offset %lld): %s",
			   u->path, u->in_entry ? "at" : "after", u->last, off,
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
				   u->path, u->last, what);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2)) {
			char shown[128];

			return p2pdma_fail(e, -EINVAL,
					   "%s: entry %s: its %s '%s' climbs out with '..'",
					   u->path, u->last, what,
					   p2pdma_excerpt(shown, sizeof(shown), name, strlen(name),
							  sizeof(shown) - 8));
		}
		p += n;
		p += *p == '/';
	}
	return 0;
}

/*
 * A hard link's target is opened by link(), which follows symlinks: a
 * target below a planted symlink would reach outside.  Refuse any.
 */
static int check_no_symlink(struct unpack *u, const char *rel, struct p2pdma_error *e)
{
	char path[PATH_MAX];
	size_t dl = strlen(u->dir), rl = strlen(rel), i;
	struct stat st;

	if (dl + 1 + rl >= sizeof(path))
		return p2pdma_fail(e, -ENAMETOOLONG, "%s: entry %s: name too long",
				   u->path, u->last);
	memcpy(path, u->dir, dl);
	path[dl] = '/';
	memcpy(path + dl + 1, rel, rl + 1);
	for (i = dl + 1; ; i++) {
		char c = path[i];

		if (c != '/' && c != '\0')
			continue;
		path[i] = '\0';
		if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
			char shown[128];

			return p2pdma_fail(e, -EINVAL,
					   "%s: entry %s: hard link through the symlink %s",
					   u->path, u->last,
					   p2pdma_excerpt(shown, sizeof(shown), path + dl + 1,
							  strlen(path + dl + 1), sizeof(shown) - 8));
		}
		path[i] = c;
		if (!c)
			return 0;
	}
}

static int prefix(struct unpack *u, const char *rel, char **out, struct p2pdma_error *e)
{
	if (asprintf(out, "%s/%s", u->dir, rel) < 0)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

/* Point @entry below u->dir; false (and nothing to write) for skipped kinds. */
static int place_entry(struct unpack *u, struct archive_entry *entry, bool *skip,
		       struct p2pdma_error *e)
{
	const char *name = archive_entry_pathname(entry);
	const char *hard = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry);
	char *full = NULL;
	int ret;

	p2pdma_excerpt(u->last, sizeof(u->last), name ? name : "?", name ? strlen(name) : 1,
		       sizeof(u->last) - 8);
	ret = check_name(u, "name", name, e);
	if (ret)
		return ret;
	*skip = !hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK;
	if (*skip)
		return 0;		/* device nodes, FIFOs: not part of a capture */
	*skip = u->lim.want && !u->lim.want(name, type == AE_IFDIR);
	if (*skip)
		return 0;
	if (hard) {
		ret = check_name(u, "hard link target", hard, e);
		if (!ret)
			ret = check_no_symlink(u, hard, e);
		if (!ret)
			ret = prefix(u, hard, &full, e);
		if (ret)
			return ret;
		archive_entry_set_hardlink(entry, full);
		free(full);
	}
	ret = prefix(u, name, &full, e);
	if (ret)
		return ret;
	archive_entry_set_pathname(entry, full);
	free(full);
	/* Private, and readable by us whatever the archive says. */
	archive_entry_set_perm(entry, type == AE_IFDIR ? 0700 : 0600);
	return 0;
}

static int too_big(struct unpack *u, struct p2pdma_error *e)
{
	return p2pdma_fail(e, -EFBIG,
			   "%s: refusing to unpack more than %llu MiB (at entry %s): not a capture",
			   u->path, (unsigned long long)(u->lim.max_bytes >> 20), u->last);
}

/*
 * Read the entry's data, counting it against the cap, and write it out
 * (or, with @write false, drop it: a skipped entry is inflated all the
 * same, so it costs as much as a written one).
 */
static int copy_data(struct unpack *u, bool write, struct p2pdma_error *e)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	u->in_entry = true;
	for (;;) {
		r = archive_read_data_block(u->in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return corrupt(u, e);
		u->bytes += size;
		if (u->bytes > u->lim.max_bytes)
			return too_big(u, e);
		if (write && archive_write_data_block(u->out, buf, size, off) < ARCHIVE_WARN)
			return p2pdma_fail(e, -EIO, "%s: cannot unpack entry %s: %s",
					   u->path, u->last, archive_error_string(u->out));
	}
	u->in_entry = false;
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

static int unpack_entry(struct unpack *u, struct archive_entry *entry,
			struct p2pdma_error *e)
{
	bool skip = false;
	int ret;

	if (++u->entries > u->lim.max_entries)
		return p2pdma_fail(e, -EFBIG,
				   "%s: refusing to unpack more than %llu entries: not a capture",
				   u->path, (unsigned long long)u->lim.max_entries);
	ret = place_entry(u, entry, &skip, e);
	if (!ret)
		ret = check_size(u, entry, e);
	if (ret)
		return ret;
	if (skip)
		return copy_data(u, false, e);
	if (++u->written > u->lim.max_files)
		return p2pdma_fail(e, -EFBIG,
				   "%s: refusing to unpack more than %llu files: not a capture",
				   u->path, (unsigned long long)u->lim.max_files);
	if (archive_write_header(u->out, entry) < ARCHIVE_WARN)
		return p2pdma_fail(e, -EINVAL, "%s: cannot unpack entry %s: %s",
				   u->path, u->last, archive_error_string(u->out));
	if (archive_entry_filetype(entry) == AE_IFREG && !archive_entry_hardlink(entry)) {
		ret = copy_data(u, true, e);
		if (ret)
			return ret;
	}
	if (archive_write_finish_entry(u->out) < ARCHIVE_WARN)
		return p2pdma_fail(e, -EIO, "%s: cannot unpack entry %s: %s",
				   u->path, u->last, archive_error_string(u->out));
	return 0;
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
	if (!u->last[0])
		return p2pdma_fail(e, -EINVAL, "%s: empty archive: not a capture", u->path);
	return p2pdma_fail(e, -EINVAL,
			   "%s: truncated archive: no end-of-archive marker after entry %s",
			   u->path, u->last);
}

static int unpack_all(struct unpack *u, struct p2pdma_error *e)
{
	struct archive_entry *entry;
	int r, ret;

	for (;;) {
		r = archive_read_next_header(u->in, &entry);
		if (r == ARCHIVE_EOF)
			return check_end(u, e);
		if (r < ARCHIVE_WARN)
			return corrupt(u, e);
		ret = unpack_entry(u, entry, e);
		if (ret)
			return ret;
	}
}

static int open_archives(struct unpack *u, struct p2pdma_error *e)
{
	u->in = archive_read_new();
	u->out = archive_write_disk_new();
	if (!u->in || !u->out)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	archive_read_support_filter_all(u->in);
	archive_read_support_format_tar(u->in);
	/* No owner, time or ACL restore: only names, kinds and contents matter. */
	archive_write_disk_set_options(u->out, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					       ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(u->in, u->path, 65536) == ARCHIVE_OK)
		return 0;
	switch (archive_errno(u->in)) {
	case ENOENT: case EACCES: case EPERM: case EISDIR: case EIO:
		return p2pdma_fail(e, -archive_errno(u->in), "%s: cannot read the archive: %s",
				   u->path, archive_error_string(u->in));
	default:
		/* Opening reads the first block: a bad compressed stream fails here. */
		return corrupt(u, e);
	}
}

int p2pdma_archive_extract(const char *path, const struct p2pdma_unpack_opts *opts,
			   char **dir, struct p2pdma_error *e)
{
	struct unpack u = {
		.path = path,
		.lim = { P2PDMA_ARCHIVE_MAX_BYTES, P2PDMA_ARCHIVE_MAX_ENTRIES, NULL, 0 },
	};
	char *tmp = NULL;
	int ret;

	*dir = NULL;
	if (opts)
		u.lim = *opts;
	if (!u.lim.max_files)
		u.lim.max_files = P2PDMA_ARCHIVE_MAX_WRITTEN;
	ret = make_tempdir(&tmp, e);
	if (ret)
		return ret;
	u.dir = tmp;
	ret = open_archives(&u, e);
	if (!ret)
		ret = unpack_all(&u, e);
	/* Closing applies the directory modes libarchive deferred. */
	if (u.out && archive_write_close(u.out) < ARCHIVE_WARN && !ret)
		ret = p2pdma_fail(e, -EIO, "%s: cannot finish unpacking: %s", path,
				  archive_error_string(u.out));
	if (u.out)
		archive_write_free(u.out);
	if (u.in)
		archive_read_free(u.in);
	if (ret) {
		p2pdma_rmtree(tmp);
		free(tmp);
		return ret;
	}
	*dir = tmp;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -1 : 0;
	return unlink(path) ? -1 : 0;
}

int p2pdma_rmtree(const char *dir)
{
	if (!dir || !*dir || !strcmp(dir, "/"))
		return -EINVAL;
	p2pdma_temp_untrack(dir, true);
	/* Depth first, never following a link, never leaving the file system. */
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
		return -errno;
	return 0;
}
