// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel's own words about a refused peer-to-peer mapping, from
 * /dev/kmsg: each read() returns one record "PRI,SEQ,USEC,FLAGS;TEXT"
 * with optional "\n KEY=VALUE" lines after it.  Opening it and seeking to
 * the end marks "now"; what comes after is what this copy caused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux_int.h"

int lx_kmsg_open(const char *root)
{
	char path[4096];
	int fd;

	if (lx_path(path, sizeof(path), root, "dev/kmsg"))
		return -1;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	lseek(fd, 0, SEEK_END);
	return fd;
}

const char *lx_kmsg_text(char *record)
{
	char *semi = strchr(record, ';');
	char *nl;

	if (!semi || semi == record)
		return NULL;
	nl = strchr(semi + 1, '\n');
	if (nl)
		*nl = '\0';
	return semi + 1;
}

/* The lines the P2PDMA code, ACS set-up and the allow-list print. */
bool lx_kmsg_wanted(const char *text)
{
	static const char *const words[] = {
		"peer-to-peer", "P2PDMA", "p2pdma", "disable_acs_redir", "whitelist",
		"ACS", NULL,
	};
	size_t i;

	for (i = 0; words[i]; i++)
		if (strstr(text, words[i]))
			return true;
	return false;
}

size_t lx_kmsg_collect(int fd, char **lines, size_t max)
{
	char rec[8192];
	size_t n = 0;

	while (fd >= 0 && n < max) {
		ssize_t got = read(fd, rec, sizeof(rec) - 1);
		const char *text;

		if (got < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (got <= 0)
			break;
		rec[got] = '\0';
		text = lx_kmsg_text(rec);
		if (text && lx_kmsg_wanted(text) && (lines[n] = strdup(text)))
			n++;
	}
	return n;
}
