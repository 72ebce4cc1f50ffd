// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The temporary files the library is making right now (a capture being
 * written beside its destination, a tarball unpacked under $TMPDIR), so
 * that a program killed by SIGINT or SIGTERM can remove them from its
 * signal handler.  The library installs no handler itself: the program
 * calls p2pdma_remove_temp() from its own.  Removal uses system calls
 * only (no malloc, no stdio), so it is async-signal-safe.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "p2pdma/fabric.h"
#include "tempfiles.h"

/* Unpacked names are at most P2PDMA_TEMP_MAX_DEPTH deep (the tar reader refuses deeper). */
#define RM_MAX_DEPTH	160

struct slot {
	volatile sig_atomic_t set;
	char path[PATH_MAX];
};

/* [0]: a file; [1]: a directory tree. */
static struct slot slots[2];

void p2pdma_temp_track(const char *path, bool dir)
{
	struct slot *s = &slots[dir];

	s->set = 0;
	if (!path || strlen(path) >= sizeof(s->path))
		return;
	memcpy(s->path, path, strlen(path) + 1);
	s->set = 1;
}

void p2pdma_temp_untrack(const char *path, bool dir)
{
	struct slot *s = &slots[dir];

	if (s->set && path && !strcmp(s->path, path))
		s->set = 0;
}

/* Empty the directory @dfd, never following a link; one pass. */
static int rm_pass(int dfd, int depth)
{
	char buf[2048];
	ssize_t n, off;
	int removed = 0;

	lseek(dfd, 0, SEEK_SET);
	while ((n = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; ) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (d->d_type == DT_DIR && depth < RM_MAX_DEPTH) {
				int sub = openat(dfd, d->d_name,
						 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

				if (sub >= 0) {
					while (rm_pass(sub, depth + 1))
						;
					close(sub);
				}
			}
			removed |= !unlinkat(dfd, d->d_name, d->d_type == DT_DIR ? AT_REMOVEDIR : 0);
		}
	}
	return removed;
}

void p2pdma_remove_temp(void)
{
	if (slots[0].set) {
		unlink(slots[0].path);
		slots[0].set = 0;
	}
	if (slots[1].set) {
		int fd = open(slots[1].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0) {
			while (rm_pass(fd, 0))
				;
			close(fd);
		}
		rmdir(slots[1].path);
		slots[1].set = 0;
	}
}
