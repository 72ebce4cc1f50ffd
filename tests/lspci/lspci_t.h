/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the tree "lspci -t" prints: the independent answer the lspci
 * loader tests compare parents with.
 */
#ifndef P2PDMA_TEST_LSPCI_T_H
#define P2PDMA_TEST_LSPCI_T_H

#include <stdbool.h>
#include <stddef.h>

#include "p2pdma.h"

struct t_entry {
	struct p2pdma_bdf bdf;
	bool has_parent;		/* false: on a root bus */
	struct p2pdma_bdf parent;
	int sec, sub;			/* bridges: the range lspci shows, else -1 */
};

/*
 * Parse "lspci -t" / "-tv" / "-nntv" output.  Returns the number of
 * functions (entries in *out, malloc'ed), or -1 with a reason in @why.
 */
int lspci_t_parse(const char *text, struct t_entry **out, char *why, size_t whylen);

/* The entry for @bdf, or NULL. */
const struct t_entry *lspci_t_find(const struct t_entry *v, int n,
				   const struct p2pdma_bdf *bdf);

#endif
