/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the kernel log through /dev/kmsg: every record once, so the
 * agent can attribute the lines that appear during one peer-to-peer read
 * to that read.
 */
#ifndef VM_KMSG_H
#define VM_KMSG_H

#include <stddef.h>

#define VM_KMSG_MAX_LINES 64
#define VM_KMSG_LINE 512

struct vm_kmsg_lines {
	int count;
	int dropped;		/* lines beyond VM_KMSG_MAX_LINES */
	int level[VM_KMSG_MAX_LINES];
	char text[VM_KMSG_MAX_LINES][VM_KMSG_LINE];
};

/* Opens /dev/kmsg (non-blocking); returns the fd or -errno. */
int vm_kmsg_open(void);

/*
 * Reads every record not read yet.  With @filter non-NULL only lines that
 * contain one of its NULL-terminated substrings are kept; with @out NULL
 * the records are only skipped.
 */
void vm_kmsg_drain(int fd, struct vm_kmsg_lines *out, const char *const *filter);

#endif /* VM_KMSG_H */
