// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `nvidia-smi topo -m` in a bug report: NVIDIA's own path class for each
 * pair of its GPUs and NICs, kept beside our model so that `topo` can
 * show both.  The matrix as nvidia-smi prints it:
 *
 *	        GPU0    GPU1    NIC0    CPU Affinity    NUMA Affinity
 *	GPU0     X      PIX     SYS     0-15            0
 *	GPU1    PIX      X      SYS     0-15            0
 *	NIC0    SYS     SYS      X
 *
 *	Legend: ...
 *
 * The header may be underlined with terminal escapes.  The matrix names
 * devices only by index; a GPU's address is the index-th "GPU
 * 00000000:BB:DD.F" heading of the report's `nvidia-smi -q`, when the
 * report has one with as many GPUs.  NIC addresses are not in the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugreport.h"
#include "lspci.h"
#include "readfile.h"
#include "util.h"

#define NV_MAX 64		/* devices in one matrix */

struct nv_matrix {
	const struct br_report *r;
	size_t nr;
	char names[NV_MAX][16];
	struct p2pdma_bdf bdf[NV_MAX];
	bool bdf_known;
	char cls[NV_MAX][NV_MAX][8];
};

/* One whitespace-separated word of @s (escapes already gone); @s moves past it. */
static size_t word(const char **s, const char **w)
{
	size_t n;

	*s += strspn(*s, " \t");
	*w = *s;
	n = strcspn(*s, " \t");
	*s += n;
	return n;
}

/* A copy of line @l without terminal escapes ("ESC [ ... m"). */
static void plain(const struct lspci_line *l, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < l->len && n + 1 < size; i++) {
		if (l->s[i] == '\x1b') {
			while (i < l->len && l->s[i] != 'm')
				i++;
			continue;
		}
		out[n++] = l->s[i];
	}
	out[n] = '\0';
}

bool br_nv_dev_name(const char *w, size_t n)
{
	size_t k = n > 3 && (!strncmp(w, "GPU", 3) || !strncmp(w, "NIC", 3)) ? 3 : 0;

	return k && n < 16 && strspn(w + k, "0123456789") == n - k;
}

bool br_nv_path_class(const char *w, size_t n)
{
	static const char *const cls[] = { "X", "PIX", "PXB", "PHB", "NODE", "SYS", "SOC" };
	size_t i;

	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (n == strlen(cls[i]) && !memcmp(w, cls[i], n))
			return true;
	return n > 2 && n < 8 && !strncmp(w, "NV", 2) && strspn(w + 2, "0123456789") == n - 2;
}

static int bad(const struct nv_matrix *m, const struct lspci_line *l, const char *why,
	       struct p2pdma_error *e)
{
	char ex[80];

	return p2pdma_fail(e, -EINVAL, "%s:%u: nvidia-smi topo -m: %s: '%s'", m->r->name, l->no,
			   why, p2pdma_excerpt(ex, sizeof(ex), l->s, l->len, 60));
}

/* The header: the device names before "CPU Affinity" and the like. */
static int header(struct nv_matrix *m, const struct lspci_line *l, struct p2pdma_error *e)
{
	char buf[2048];
	const char *s = buf, *w;
	size_t n;

	plain(l, buf, sizeof(buf));
	while ((n = word(&s, &w)) && br_nv_dev_name(w, n)) {
		if (m->nr == NV_MAX)
			return bad(m, l, "more devices than this reader takes (64)", e);
		memcpy(m->names[m->nr++], w, n);
	}
	return m->nr ? 0 : bad(m, l, "the header names no GPU or NIC", e);
}

/* Row @i: its name, then one class per column, "X" on the diagonal. */
static int row(struct nv_matrix *m, size_t i, const struct lspci_line *l,
	       struct p2pdma_error *e)
{
	char buf[2048];
	const char *s = buf, *w;
	size_t n, j;

	plain(l, buf, sizeof(buf));
	n = word(&s, &w);
	if (n != strlen(m->names[i]) || memcmp(w, m->names[i], n))
		return bad(m, l, "rows must follow the header's order", e);
	for (j = 0; j < m->nr; j++) {
		n = word(&s, &w);
		if (!br_nv_path_class(w, n))
			return bad(m, l, "a cell is not X, PIX, PXB, PHB, NODE, SYS or NV#", e);
		if ((i == j) != (n == 1 && *w == 'X'))
			return bad(m, l, "'X' belongs on the diagonal and only there", e);
		memcpy(m->cls[i][j], w, n);
	}
	return 0;
}

static int read_matrix(struct nv_matrix *m, const struct br_section *sec,
		       struct p2pdma_error *e)
{
	struct lspci_line l = { 0 };
	size_t pos = 0, rows = 0;
	int ret = 0;

	while (!ret && br_section_line(m->r, sec, &pos, &l)) {
		if (lspci_line_blank(&l)) {
			if (rows)
				break;
			continue;
		}
		if (!m->nr)
			ret = header(m, &l, e);
		else if (rows == m->nr)
			break;
		else
			ret = row(m, rows++, &l, e);
	}
	if (!ret && rows < m->nr)
		ret = p2pdma_fail(e, -EINVAL, "%s:%u: nvidia-smi topo -m: %zu device(s) in the header but %zu row(s)",
				  m->r->name, l.no, m->nr, rows);
	return ret;
}

/* GPU addresses: the "GPU 00000000:1A:00.0" headings of `nvidia-smi -q`, in order. */
static void gpu_addresses(struct nv_matrix *m, const struct br_section *q)
{
	struct lspci_line l = { 0 };
	struct p2pdma_bdf bdf[NV_MAX];
	size_t pos = 0, nr = 0, i, gpus = 0;
	char buf[64];

	while (br_section_line(m->r, q, &pos, &l) && nr < NV_MAX) {
		if (l.len < 8 || l.len >= sizeof(buf) || strncmp(l.s, "GPU ", 4))
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)(l.len - 4), l.s + 4);
		if (!p2pdma_bdf_parse(buf, &bdf[nr]))
			nr++;
	}
	for (i = 0; i < m->nr; i++)
		gpus += !strncmp(m->names[i], "GPU", 3);
	if (!nr || nr != gpus)
		return;
	for (i = 0; i < m->nr; i++) {
		unsigned long k = strtoul(m->names[i] + 3, NULL, 10);

		if (strncmp(m->names[i], "GPU", 3))
			continue;
		if (k >= nr)
			return;		/* "GPU7" of six: the two lists do not match */
		m->bdf[i] = bdf[k];
	}
	m->bdf_known = true;
}

static bool is_gpu(const struct nv_matrix *m, size_t i)
{
	return !strncmp(m->names[i], "GPU", 3);
}

static int keep(struct p2pdma_fabric *f, const struct nv_matrix *m, struct p2pdma_error *e)
{
	size_t i, j, n = 0;

	f->nv_paths = calloc(m->nr * m->nr / 2 + 1, sizeof(*f->nv_paths));
	if (!f->nv_paths)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < m->nr; i++)
		for (j = i + 1; j < m->nr; j++) {
			struct p2pdma_nv_path *p = &f->nv_paths[n++];

			memcpy(p->name_a, m->names[i], sizeof(p->name_a));
			memcpy(p->name_b, m->names[j], sizeof(p->name_b));
			memcpy(p->cls, m->cls[i][j], sizeof(p->cls));
			p->bdf_known = m->bdf_known && is_gpu(m, i) && is_gpu(m, j);
			p->a = m->bdf[i];
			p->b = m->bdf[j];
		}
	f->nr_nv_paths = n;
	return 0;
}

static const struct br_section *titled(const struct br_report *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->nr_secs; i++)
		if (r->secs[i].title && memmem(r->secs[i].title, r->secs[i].title_len,
					       what, strlen(what)))
			return &r->secs[i];
	return NULL;
}

int br_nvsmi_topo(struct p2pdma_fabric *f, const struct br_report *r, struct p2pdma_error *e)
{
	const struct br_section *s = titled(r, "nvidia-smi topo -m");
	const struct br_section *q = titled(r, "nvidia-smi --query");
	struct nv_matrix *m;
	int ret;

	if (!s)
		return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	m->r = r;
	ret = read_matrix(m, s, e);
	if (!ret && q)
		gpu_addresses(m, q);
	if (!ret)
		ret = keep(f, m, e);
	free(m);
	return ret;
}
