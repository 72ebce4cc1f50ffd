// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "lspci -t" draws the tree as text: a bus is a column of "+-", "\-" or
 * "--" connectors, each followed by a device "DD.F"; a bridge continues
 * its line with "-[SS-UU]-" and the column of its secondary bus; a line
 * "[DDDD:BB]" starts a root bus (or, under a bridge, another bus behind
 * it).  So the column a device sits in says which bus it is on: the
 * parser remembers, per column, the bus that was last opened there.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci_t.h"

#define COLS 2048

struct bus_ctx {
	bool valid;
	unsigned int domain, bus;
	bool has_parent;
	struct p2pdma_bdf parent;
};

static bool xd(char c)
{
	return isxdigit((unsigned char)c);
}

/* "HH.H" preceded by a connector. */
static bool device_at(const char *s, size_t i, size_t len)
{
	return i >= 2 && i + 4 <= len && xd(s[i]) && xd(s[i + 1]) && s[i + 2] == '.' &&
	       xd(s[i + 3]) && (s[i - 1] == '-') &&
	       (s[i - 2] == '+' || s[i - 2] == '\\' || s[i - 2] == '-');
}

static int add(struct t_entry **v, int *n, int *cap, const struct t_entry *t)
{
	if (*n == *cap) {
		struct t_entry *nv = realloc(*v, (size_t)(*cap ? *cap * 2 : 64) * sizeof(**v));

		if (!nv)
			return -1;
		*v = nv;
		*cap = *cap ? *cap * 2 : 64;
	}
	(*v)[(*n)++] = *t;
	return 0;
}

static int parse_line(const char *s, size_t len, struct bus_ctx *col, struct bus_ctx *bcol,
		      struct t_entry **v, int *n, int *cap, char *why, size_t wl)
{
	struct bus_ctx pending = { 0 };
	bool line_bridge = false;
	struct p2pdma_bdf br = { 0 };
	size_t i = 0;

	while (i < len && i < COLS - 8) {
		if (s[i] == '[' && i + 1 < len && strchr(s + i, ']') &&
		    (i == 0 || s[i - 1] == '-')) {
			unsigned int d, b;
			int k = 0;

			if (sscanf(s + i, "[%x:%x]%n", &d, &b, &k) == 2 && k) {
				if (line_bridge) {
					bcol[i].valid = true;
					bcol[i].has_parent = true;
					bcol[i].parent = br;
				} else if (!bcol[i].valid) {
					bcol[i].valid = true;
					bcol[i].has_parent = false;
				}
				pending = bcol[i];
				pending.domain = d;
				pending.bus = b;
				line_bridge = false;
				i += (size_t)k;
				continue;
			}
		}
		if (device_at(s, i, len)) {
			struct t_entry t = { .sec = -1, .sub = -1 };
			unsigned int dev, fn, a, z;
			int k = 0;

			if (pending.valid) {
				col[i] = pending;
				pending.valid = false;
			}
			if (!col[i].valid) {
				snprintf(why, wl, "device at column %zu with no bus: '%.*s'", i,
					 (int)len, s);
				return -1;
			}
			sscanf(s + i, "%2x.%1x", &dev, &fn);
			t.bdf.domain = col[i].domain;
			t.bdf.bus = (uint8_t)col[i].bus;
			t.bdf.dev = (uint8_t)dev;
			t.bdf.fn = (uint8_t)fn;
			t.has_parent = col[i].has_parent;
			t.parent = col[i].parent;
			i += 4;
			if (i + 1 < len && s[i] == '-' && s[i + 1] == '[') {
				if (sscanf(s + i, "-[%x-%x]%n", &a, &z, &k) == 2 && k) {
					t.sec = (int)a;
					t.sub = (int)z;
				} else if (sscanf(s + i, "-[%x]%n", &a, &k) == 1 && k) {
					t.sec = t.sub = (int)a;
				} else {
					snprintf(why, wl, "bad bus range in '%.*s'", (int)len, s);
					return -1;
				}
				line_bridge = true;
				br = t.bdf;
				pending.valid = true;
				pending.domain = t.bdf.domain;
				pending.bus = (unsigned int)t.sec;
				pending.has_parent = true;
				pending.parent = t.bdf;
				i += (size_t)k;
				if (add(v, n, cap, &t))
					return -1;
				continue;
			}
			if (add(v, n, cap, &t))
				return -1;
			return 0;	/* a leaf: the rest of the line is its name */
		}
		i++;
	}
	return 0;
}

int lspci_t_parse(const char *text, struct t_entry **out, char *why, size_t wl)
{
	struct bus_ctx *col = calloc(COLS, sizeof(*col));
	struct bus_ctx *bcol = calloc(COLS, sizeof(*bcol));
	const char *p = text;
	struct t_entry *v = NULL;
	int n = 0, cap = 0;

	*out = NULL;
	if (!col || !bcol)
		goto fail;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (parse_line(p, len, col, bcol, &v, &n, &cap, why, wl))
			goto fail;
		p += len + (nl ? 1 : 0);
	}
	free(col);
	free(bcol);
	*out = v;
	return n;
fail:
	free(col);
	free(bcol);
	free(v);
	return -1;
}

const struct t_entry *lspci_t_find(const struct t_entry *v, int n,
				   const struct p2pdma_bdf *bdf)
{
	int i;

	for (i = 0; i < n; i++)
		if (!p2pdma_bdf_cmp(&v[i].bdf, bdf))
			return &v[i];
	return NULL;
}
