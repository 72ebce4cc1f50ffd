/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whole text files for the loaders that parse from memory, and excerpts for messages. */
#ifndef P2PDMA_READFILE_H
#define P2PDMA_READFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "p2pdma/fabric.h"

/* /dev/fd/N or /proc/self/fd/N: a pipe the shell made, its writer already there. */
bool p2pdma_is_shell_pipe(const char *path);

/*
 * Open an input file named by the user: a regular file, or a pipe the
 * shell made (/dev/fd/N); a named FIFO or a device is refused at once.
 * Returns the descriptor or a negative errno.
 */
int p2pdma_open_input(const char *path, struct p2pdma_error *e);

/* All of @fd (at most @max bytes, else -EFBIG; never more memory than that). */
int p2pdma_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len,
		   struct p2pdma_error *e);

/*
 * Read @path (at most @max bytes, else -EFBIG) into a NUL-terminated
 * malloc'ed buffer; p2pdma_open_input()'s rules.
 */
int p2pdma_read_file(const char *path, size_t max, char **buf, size_t *len,
		     struct p2pdma_error *e);

/*
 * A piece of a line for an error message: at most @max bytes of @s (@n
 * long), control characters as '?', "..." when cut.  Returns @out.
 */
char *p2pdma_excerpt(char *out, size_t outlen, const char *s, size_t n, size_t max);

#endif /* P2PDMA_READFILE_H */
