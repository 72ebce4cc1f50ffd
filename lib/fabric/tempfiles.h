/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Temporary files in progress, for p2pdma_remove_temp() (public, fabric.h). */
#ifndef P2PDMA_TEMPFILES_H
#define P2PDMA_TEMPFILES_H

#include <stdbool.h>

/* Remember @path (a file, or with @dir a directory tree); NULL forgets. */
void p2pdma_temp_track(const char *path, bool dir);
/* Forget @path if it is the one remembered. */
void p2pdma_temp_untrack(const char *path, bool dir);

#endif /* P2PDMA_TEMPFILES_H */
