/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture tarballs: unpacking one into a private temporary directory
 * (libarchive), and removing such a directory again.
 */
#ifndef P2PDMA_TARBALL_H
#define P2PDMA_TARBALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

/* What to unpack, and how much before an archive is refused as a bomb. */
struct p2pdma_unpack_opts {
	uint64_t max_bytes;	/* file contents, all entries together */
	uint64_t max_entries;	/* counting skipped ones */
	/* Unpack only entries for which this is true (all when NULL). */
	bool (*want)(const char *path, bool dir);
	uint64_t max_files;	/* entries unpacked; 0: P2PDMA_ARCHIVE_MAX_WRITTEN */
};

#define P2PDMA_ARCHIVE_MAX_BYTES	(1ULL << 30)
#define P2PDMA_ARCHIVE_MAX_ENTRIES	1000000ULL
/*
 * Entries actually unpacked: a capture holds about 16 per function, so
 * this is 4096 functions.  Each costs an inode (about 0.2 ms on a busy
 * disk), so this bounds a hostile archive to seconds.
 */
#define P2PDMA_ARCHIVE_MAX_WRITTEN	(1ULL << 16)

/*
 * Unpack the tar archive @path (any compression libarchive reads) into a
 * new directory under $TMPDIR (or /tmp), returned malloc'ed in *dir.
 * Regular files, directories, symlinks and hard links inside the archive
 * are unpacked, with private permissions; device nodes and FIFOs are
 * skipped.  An absolute name, a ".." component or a path through a
 * symlink is refused (names are checked before @opts->want sees them).
 * @opts NULL means the default limits above and every entry.  On error
 * nothing is left behind.
 */
int p2pdma_archive_extract(const char *path, const struct p2pdma_unpack_opts *opts,
			   char **dir, struct p2pdma_error *e);

/* Remove @dir and everything below it, never following symlinks. */
int p2pdma_rmtree(const char *dir);

#endif /* P2PDMA_TARBALL_H */
