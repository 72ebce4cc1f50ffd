/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loader methods behind p2pdma_fabric_load(), one per source format,
 * in the manner of pciutils' access methods.  Each fills an empty fabric;
 * load.c finalizes it and throws it away on any error, so a method may
 * stop half-way without cleaning up what it added.
 */
#ifndef P2PDMA_LOADERS_H
#define P2PDMA_LOADERS_H

#include <stddef.h>

#include "p2pdma/fabric.h"

struct p2pdma_loader {
	const char *name;
	enum p2pdma_input_format format;
	int (*load)(struct p2pdma_fabric *f, const char *path,
		    const struct p2pdma_load_opts *opts, struct p2pdma_error *e);
};

/* sysfs: @path is a directory (live "/" or captured) or a capture tarball. */
int p2pdma_load_sysfs(struct p2pdma_fabric *f, const char *path,
		      const struct p2pdma_load_opts *opts, struct p2pdma_error *e);

/* JSON description, from a file or from memory (@name is used in errors). */
int p2pdma_load_json(struct p2pdma_fabric *f, const char *path,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e);
int p2pdma_load_json_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			 const char *name, struct p2pdma_error *e);

int p2pdma_load_lspci(struct p2pdma_fabric *f, const char *path,
		      const struct p2pdma_load_opts *opts, struct p2pdma_error *e);
int p2pdma_load_lspci_vvv(struct p2pdma_fabric *f, const char *path,
			  const struct p2pdma_load_opts *opts, struct p2pdma_error *e);
/*
 * nvidia-bug-report.log(.gz), or "a.txt,b.txt,..." (lspci outputs given
 * together): the lspci sections, uname, cmdline and cpuinfo
 * (bugreport/).
 */
int p2pdma_load_bugreport(struct p2pdma_fabric *f, const char *path,
			  const struct p2pdma_load_opts *opts, struct p2pdma_error *e);
int p2pdma_load_nccl(struct p2pdma_fabric *f, const char *path,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e);

#endif /* P2PDMA_LOADERS_H */
