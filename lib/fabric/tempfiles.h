/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Temporary files in progress, for p2pdma_remove_temp() (public, fabric.h). */
#ifndef P2PDMA_TEMPFILES_H
#define P2PDMA_TEMPFILES_H

/* Remember the file @path; NULL forgets. */
void p2pdma_temp_track(const char *path);
/* Forget @path if it is the one remembered. */
void p2pdma_temp_untrack(const char *path);

#endif /* P2PDMA_TEMPFILES_H */
