// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /dev/kmsg reader for the guest agent (see kmsg.h).
 *
 * Each read() of /dev/kmsg returns one record: "PRI,SEQ,USEC,FLAGS;TEXT"
 * followed by optional "\n KEY=VALUE" dictionary lines.  PRI carries the
 * log level in its low three bits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

int vm_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int wanted(const char *text, const char *const *filter)
{
	if (!filter)
		return 1;
	for (; *filter; filter++)
		if (strstr(text, *filter))
			return 1;
	return 0;
}

/* Splits one record into level and text; returns 0 when it is malformed. */
static int parse_record(char *rec, int *level, char **text)
{
	char *semi = strchr(rec, ';');
	char *nl;

	if (!semi)
		return 0;
	*level = atoi(rec) & 7;
	*text = semi + 1;
	nl = strchr(*text, '\n');
	if (nl)
		*nl = '\0';
	return 1;
}

static void keep(struct vm_kmsg_lines *out, int level, const char *text)
{
	if (out->count >= VM_KMSG_MAX_LINES) {
		out->dropped++;
		return;
	}
	out->level[out->count] = level;
	strncpy(out->text[out->count], text, VM_KMSG_LINE - 1);
	out->text[out->count][VM_KMSG_LINE - 1] = '\0';
	out->count++;
}

void vm_kmsg_drain(int fd, struct vm_kmsg_lines *out, const char *const *filter)
{
	char rec[8192];

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *text;
		int level;

		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten; go on */
		if (n <= 0)
			return;		/* EAGAIN: nothing new */
		rec[n] = '\0';
		if (out && parse_record(rec, &level, &text) && wanted(text, filter))
			keep(out, level, text);
	}
}
