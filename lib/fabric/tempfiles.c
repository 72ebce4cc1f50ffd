// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The temporary file the library is writing right now (a capture being
 * written beside its destination), so that a program killed by SIGINT
 * or SIGTERM can remove it from its signal handler.  The library
 * installs no handler itself: the program calls p2pdma_remove_temp()
 * from its own.  Removal is one unlink(), so it is async-signal-safe.
 * (Loading a capture tarball writes nothing: access/tarball.c reads it
 * into memory.)
 */
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "p2pdma/fabric.h"
#include "tempfiles.h"

static struct {
	volatile sig_atomic_t set;
	char path[PATH_MAX];
} slot;

void p2pdma_temp_track(const char *path)
{
	slot.set = 0;
	if (!path || strlen(path) >= sizeof(slot.path))
		return;
	memcpy(slot.path, path, strlen(path) + 1);
	slot.set = 1;
}

void p2pdma_temp_untrack(const char *path)
{
	if (slot.set && path && !strcmp(slot.path, path))
		slot.set = 0;
}

void p2pdma_remove_temp(void)
{
	if (slot.set) {
		unlink(slot.path);
		slot.set = 0;
	}
}
