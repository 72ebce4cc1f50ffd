/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals of the linux backend shared by its files and its tests. */
#ifndef P2PDMA_LINUX_INT_H
#define P2PDMA_LINUX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/linux.h"

#define LX_DEFAULT_CHUNK	(128u << 10)
#define LX_DEFAULT_DEPTH	8u
#define LX_MAX_DEPTH		256u
#define LX_MAX_THREADS		64u

/* root + "/" + rel into @buf; -ENAMETOOLONG when it does not fit. */
int lx_path(char *buf, size_t len, const char *root, const char *rel);

/* A decimal sysfs attribute @name below @dirfd; -errno or -EINVAL. */
int lx_read_u64(int dirfd, const char *name, uint64_t *out);

/*
 * The kernel log since lx_kmsg_open(): records of /dev/kmsg (under the
 * root) whose text names P2P, ACS or the allow-list.  A log that cannot be
 * read (no root, no CONFIG_PRINTK) gives fd -1 and no lines.
 */
int lx_kmsg_open(const char *root);
size_t lx_kmsg_collect(int fd, char **lines, size_t max);
/* "PRI,SEQ,USEC,FLAGS;TEXT\n KEY=VAL": the text, or NULL when malformed. */
const char *lx_kmsg_text(char *record);
bool lx_kmsg_wanted(const char *text);

/* Can this kernel run io_uring at all?  0, or the negative errno. */
int lx_uring_probe(void);

/*
 * Test seam: when set, called before each I/O with the buffer kind; a
 * non-zero return is the negative errno that I/O fails with instead of
 * running.  NULL in production.
 */
typedef int (*lx_fault_fn)(bool write, bool p2pmem, uint64_t dev_offset);
extern lx_fault_fn lx_fault_hook;

#endif /* P2PDMA_LINUX_INT_H */
