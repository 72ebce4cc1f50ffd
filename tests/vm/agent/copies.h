/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Real copies in the guest: `p2pdma copy --backend linux` between every two
 * NVMe namespaces through every provider and host memory ("copies"), and
 * p2pmem-test beside p2pdma on the same drives and buffer ("bench").
 */
#ifndef VM_COPIES_H
#define VM_COPIES_H

#include "devices.h"
#include "jsonw.h"

/*
 * agent.c: run @argv, write {status, stdout, stderr} under @key; returns
 * the exit status and, when @keep is not NULL, the malloc'ed stdout.
 */
int write_run_keep(struct jsonw *w, const char *key, char *const argv[], char **keep);

/* The "copies" and "bench" keys of the agent's document. */
void run_copies(struct jsonw *w, const char *p2pdma, const struct vm_device *d, int n);

#endif /* VM_COPIES_H */
