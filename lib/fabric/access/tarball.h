/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture tarballs: reading one (libarchive) into a tree in memory,
 * which the mem access method reads.  Nothing is written to disk.
 */
#ifndef P2PDMA_TARBALL_H
#define P2PDMA_TARBALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

/* What to take, and how much before an archive is refused as a bomb. */
struct p2pdma_unpack_opts {
	uint64_t max_bytes;	/* file contents, all entries together */
	uint64_t max_entries;	/* counting skipped ones */
	/* Take only entries for which this is true (all when NULL). */
	bool (*want)(const char *path, bool dir);
	uint64_t max_files;	/* names in the tree; 0: P2PDMA_ARCHIVE_MAX_WRITTEN */
};

#define P2PDMA_ARCHIVE_MAX_BYTES	(1ULL << 30)
#define P2PDMA_ARCHIVE_MAX_ENTRIES	1000000ULL
/*
 * Names in the tree, the directories an entry implies included: a
 * capture holds about 16 per function, so this is 4096 functions.  Each
 * costs a node and a hash slot; on a disk each cost an inode.
 */
#define P2PDMA_ARCHIVE_MAX_WRITTEN	(1ULL << 16)

struct p2pdma_memtree;

/*
 * What the first bytes of a file say it is, for a tarball: "gzip",
 * "bzip2", "xz" or "tar" (*readable true), or a compression that is not
 * read here, "zstd", "lz4", "lzop", "lzip" or "lrzip" (*readable false);
 * NULL for anything else.  @n may be short: a magic cut off matches nothing.
 */
const char *p2pdma_archive_kind(const unsigned char *b, size_t n, bool *readable);

/*
 * Read the tar archive @path (any compression libarchive reads) into a
 * new in-memory tree (*tree; free with p2pdma_memtree_free()).  Regular
 * files, directories, symlinks and hard links (as a second name for
 * their target's contents) are taken, as a disk would hold them
 * unpacked; device nodes and FIFOs are skipped.  An absolute name, a
 * ".." component, a path through a symlink or a hard link through one
 * is refused (names are checked before @opts->want sees them), and so
 * is an archive without its end-of-archive marker.  @opts NULL means
 * the default limits above and every entry.
 */
int p2pdma_archive_read(const char *path, const struct p2pdma_unpack_opts *opts,
			struct p2pdma_memtree **tree, struct p2pdma_error *e);

#endif /* P2PDMA_TARBALL_H */
