/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nvidia-bug-report.log(.gz) reader: the report cut into its sections,
 * so that each section's lines keep their line numbers in the report.
 */
#ifndef P2PDMA_BUGREPORT_H
#define P2PDMA_BUGREPORT_H

#include <stddef.h>

#include "p2pdma/fabric.h"

struct br_section {
	const char *title;		/* first line after the separator (not NUL-ended) */
	size_t title_len;
	size_t body, end;		/* byte offsets of the body in the report */
	unsigned int body_line;		/* 1-based line of the body's first byte */
};

struct br_report {
	const char *name;
	char *buf;			/* the whole report, NUL-terminated */
	size_t len;
	struct br_section *secs;
	size_t nr_secs;
	unsigned int nr_lines;
	bool complete;			/* ends with NVIDIA's closing line */
};

/* Cut @r->buf into sections. */
int br_split(struct br_report *r, struct p2pdma_error *e);
void br_report_free(struct br_report *r);

struct lspci_line;
/*
 * The lines of section @s after its title (from its first line when it
 * has none), numbered as in the report.  Start with @l zeroed.
 */
bool br_section_line(const struct br_report *r, const struct br_section *s, size_t *pos,
		     struct lspci_line *l);

/*
 * Section @s's body without its title line, every line of the report
 * before it left empty so that line numbers hold (NUL-ended, malloc'd).
 */
char *br_masked(const struct br_report *r, const struct br_section *s, size_t *len);

/* Fill release, command line and CPU from what the report holds. */
int br_machine_facts(struct p2pdma_fabric *f, const struct br_report *r,
		     struct p2pdma_error *e);

/*
 * No config space: tree from section @tree (-t) of @rt, ids from @nn
 * (-nn) of @rn (one report, or two files).  A section with no title is
 * lspci output from its first line.  @dumps (of @rn): sections with the
 * config space of some functions (`lspci -d 10de:* -v -xxx`), used for
 * those functions.
 */
int br_load_rootless(struct p2pdma_fabric *f, const struct br_report *rt,
		     const struct br_section *tree, const struct br_report *rn,
		     const struct br_section *nn, const struct br_section *const *dumps,
		     size_t nr_dumps, const struct p2pdma_load_opts *opts,
		     struct p2pdma_error *e);

/* NVIDIA's path classes from a `nvidia-smi topo -m` section, if any. */
int br_nvsmi_topo(struct p2pdma_fabric *f, const struct br_report *r, struct p2pdma_error *e);

/* "GPU0", "NIC1": a device name of the matrix (@n bytes of @w). */
bool br_nv_dev_name(const char *w, size_t n);
/* "X", "PIX", "PXB", "PHB", "NODE", "SYS", "SOC" or "NV#". */
bool br_nv_path_class(const char *w, size_t n);

/* A whole report already in memory (the fuzz target's entry). */
int p2pdma_bugreport_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			      const char *name, const struct p2pdma_load_opts *opts,
			      struct p2pdma_error *e);

#endif /* P2PDMA_BUGREPORT_H */
