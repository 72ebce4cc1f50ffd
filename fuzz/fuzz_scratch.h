/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A private scratch directory per fuzzing process (on /dev/shm when it is
 * there: the file-based targets then cost no disk I/O), which the library
 * must leave as it found it: $TMPDIR points into it, so an unpacked
 * tarball or a capture's temporary file left behind is seen at once.
 */
#ifndef P2PDMA_FUZZ_SCRATCH_H
#define P2PDMA_FUZZ_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

/* The scratch directory (made on first use; $TMPDIR is set to its tmp/). */
const char *fuzz_scratch(void);

/* @rel under the scratch directory, into @buf. */
char *fuzz_scratch_path(char *buf, size_t len, const char *rel);

/* Write @data to @path (created or truncated); aborts on failure. */
void fuzz_write(const char *path, const uint8_t *data, size_t size);

/* Abort unless $TMPDIR is empty: the library removed what it made. */
void fuzz_tmp_is_clean(void);

/* Remove everything below @dir (not @dir itself); aborts on failure. */
void fuzz_empty_dir(const char *dir);

#endif
