// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A report made without root: `lspci -nntv` (or -t, -tv) and `lspci -nn`
 * only, no config space.  The tree is the one `lspci -t` draws: each
 * bridge's "-[SS-EE]--" gives its secondary and subordinate bus, which
 * is all lspci_build() needs to place every function where lspci placed
 * it, so no parent is guessed.  Vendor, device and class come from
 * `-nn`.  A section that dumps some devices (`lspci -d 10de:* -v -xxx`)
 * gives those devices their config space through the hex loader
 * (lspci_merge_dump()); for the rest ACS, links and BARs stay unknown,
 * so verdicts that hang on them come out uncertain.  A dumped device the
 * tree does not place is refused like any other mismatch.  A function in `-nn` that the tree does not
 * place (or the other way round) means the two were not taken together:
 * the report is refused, naming the line, rather than shown as a whole
 * tree that is not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bugreport.h"
#include "lspci.h"
#include "util.h"

/* Bus of the list whose "+-", "\-" or "--" markers sit in each column. */
#define TREE_COLS 1024
#define ROOT_LIST (-2)

struct tree_scan {
	struct lspci_doc *d;
	int bus[TREE_COLS];		/* -1: no list there; ROOT_LIST: "[dddd:bb]" items */
	uint32_t dom[TREE_COLS];
	struct p2pdma_error *e;
};

static int hexn(const char *s, size_t n, unsigned long *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int h = p2pdma_hexval((unsigned char)s[i]);

		if (h < 0)
			return -1;
		*v = *v << 4 | (unsigned long)h;
	}
	return 0;
}

static int bad(struct tree_scan *t, const struct lspci_line *l, const char *why)
{
	return lspci_line_error(t->d, l, why, t->e);
}

/* A function at bus @col's list: find its -nn record and mark it placed. */
static struct lspci_rec *place(struct tree_scan *t, const struct lspci_line *l, size_t col,
			       unsigned long dev, unsigned long fn)
{
	struct p2pdma_bdf b = {
		.domain = t->dom[col], .bus = (uint8_t)t->bus[col],
		.dev = (uint8_t)dev, .fn = (uint8_t)fn,
	};
	struct lspci_rec *rec = lspci_find(t->d, &b);

	if (!rec) {
		bad(t, l, "a function in the 'lspci -t' tree that 'lspci -nn' does not list");
		return NULL;
	}
	if (rec->primary_bus >= 0) {
		bad(t, l, "a function the 'lspci -t' tree shows twice");
		return NULL;
	}
	rec->primary_bus = t->bus[col];
	return rec;
}

/*
 * After an item's "[dddd:bb]" (root) or "DD.F-[SS-EE]" (bridge): its
 * list starts at @p, past the "-" or "--" lspci puts after the bracket.
 */
static int open_list(struct tree_scan *t, const struct lspci_line *l, size_t *p,
		     size_t dashes, uint32_t dom, unsigned long bus)
{
	const char *s = l->s;

	if (*p + dashes > l->len || strspn(s + *p, "-") < dashes)
		return bad(t, l, "no '-' after a bus number in brackets");
	*p += dashes;
	if (*p >= TREE_COLS)
		return bad(t, l, "tree drawn too wide");
	t->bus[*p] = (int)bus;
	t->dom[*p] = dom;
	return 0;
}

static int root_item(struct tree_scan *t, const struct lspci_line *l, size_t *p)
{
	const char *s = l->s + *p;
	unsigned long dom, bus;

	if (*p + 9 > l->len || s[0] != '[' || s[5] != ':' || s[8] != ']' ||
	    hexn(s + 1, 4, &dom) || hexn(s + 6, 2, &bus))
		return bad(t, l, "a root bus is drawn '[DDDD:BB]'");
	*p += 9;
	return open_list(t, l, p, 1, (uint32_t)dom, bus);
}

/* "DD.F", then "-[SS]" or "-[SS-EE]" for a bridge; a name or nothing after a leaf. */
static int dev_item(struct tree_scan *t, const struct lspci_line *l, size_t col, size_t *p,
		    bool *more)
{
	const char *s = l->s + *p;
	unsigned long dev, fn, sec, sub;
	struct lspci_rec *rec;
	size_t w;

	if (*p + 4 > l->len || s[2] != '.' || hexn(s, 2, &dev) || hexn(s + 3, 1, &fn) ||
	    dev > 0x1f || fn > 7)
		return bad(t, l, "a function is drawn 'DD.F' (device up to 1f, function up to 7)");
	rec = place(t, l, col, dev, fn);
	if (!rec)
		return -EINVAL;
	*p += 4;
	*more = *p + 1 < l->len && s[4] == '-' && s[5] == '[';
	if (!*more)
		return 0;
	s += 6;
	w = strcspn(s, "]");
	if (*p + 2 + w >= l->len || (w != 2 && w != 5) || hexn(s, 2, &sec) ||
	    (w == 5 && (s[2] != '-' || hexn(s + 3, 2, &sub))))
		return bad(t, l, "a bridge's buses are drawn '-[SS]' or '-[SS-EE]'");
	if (w == 2)
		sub = sec;
	rec->bridge = true;
	rec->fn.secondary_bus = (int)sec;
	rec->fn.subordinate_bus = (int)sub;
	rec->fn.role = P2PDMA_ROLE_BRIDGE;
	*p += 2 + w + 1;
	return open_list(t, l, p, 2, t->dom[col], sec);
}

static bool marker(const struct lspci_line *l, size_t p)
{
	return p + 1 < l->len && l->s[p + 1] == '-' &&
	       (l->s[p] == '+' || l->s[p] == '\\' || l->s[p] == '-');
}

/* One line: continuation bars, then a chain of branches from some column on. */
static int tree_line(struct tree_scan *t, const struct lspci_line *l)
{
	size_t p = strspn(l->s, " |");
	bool more = true;
	int ret = 0;

	if (p >= l->len)
		return 0;
	if (p == 0 && l->len > 1 && l->s[0] == '-' && l->s[1] == '[') {
		p = 1;				/* one root bus: "-[0000:00]-+-..." */
		ret = root_item(t, l, &p);
	} else if (p == 0 && l->len > 1 && l->s[0] == '-' && l->s[1] == '+') {
		t->bus[1] = ROOT_LIST;		/* several: "-+-[0000:b2]-+-..." */
		p = 1;
	} else if (!marker(l, p)) {
		return bad(t, l, "not a line of an 'lspci -t' tree");
	}
	while (!ret && more && marker(l, p)) {
		size_t col = p;

		if (t->bus[col] == -1)
			return bad(t, l, "a branch of the 'lspci -t' tree under no bus");
		p += 2;
		if (t->bus[col] == ROOT_LIST)
			ret = root_item(t, l, &p);
		else
			ret = dev_item(t, l, col, &p, &more);
	}
	return ret;
}

static int read_tree(struct lspci_doc *d, const struct br_report *r,
		     const struct br_section *s, struct p2pdma_error *e)
{
	struct tree_scan *t = malloc(sizeof(*t));
	struct lspci_line l = { 0 };
	size_t pos = 0, i;
	int ret = 0;

	if (!t)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	t->d = d;
	t->e = e;
	for (i = 0; i < TREE_COLS; i++)
		t->bus[i] = -1;
	while (!ret && br_section_line(r, s, &pos, &l))
		ret = tree_line(t, &l);
	free(t);
	return ret;
}

/* `lspci -nn`: one device line per function, nothing else. */
static int read_nn(struct lspci_doc *d, const struct br_report *r,
		   const struct br_section *s, struct p2pdma_error *e)
{
	struct lspci_line l = { 0 };
	struct p2pdma_bdf bdf;
	size_t pos = 0;
	int n, ret = 0;

	while (!ret && br_section_line(r, s, &pos, &l)) {
		if (lspci_line_blank(&l))
			continue;
		n = lspci_device_prefix(&l, &bdf);
		if (n <= 0)
			return lspci_line_error(d, &l, "not an 'lspci -nn' device line", e);
		ret = lspci_doc_add(d, &l, &bdf, (size_t)n, true, e);
	}
	if (!ret && !d->nr)
		ret = p2pdma_fail(e, -EINVAL, "%s:%u: the 'lspci -nn' section lists no device",
				  r->name, s->body_line);
	return ret;
}

/* Every -nn function must be in the tree; primary_bus marks the placed ones. */
static int all_placed(const struct lspci_doc *d, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (d->recs[i].primary_bus < 0)
			return p2pdma_fail(e, -EINVAL,
					   "%s:%u: %s is in 'lspci -nn' but the 'lspci -t' tree does not place it; the tree would not be whole",
					   d->name, d->recs[i].line,
					   p2pdma_bdf_format(&d->recs[i].fn.bdf, name, sizeof(name)));
	return 0;
}

/* Each dump's functions get their config space; the rest stay unknown. */
static int read_dumps(struct lspci_doc *d, const struct br_report *r,
		      const struct br_section *const *dumps, size_t nr,
		      struct p2pdma_error *e)
{
	size_t i, len;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		char *m = br_masked(r, dumps[i], &len);

		if (!m)
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		ret = lspci_merge_dump(d, m, len, e);
		free(m);
	}
	return ret;
}

int br_load_rootless(struct p2pdma_fabric *f, const struct br_report *rt,
		     const struct br_section *tree, const struct br_report *rn,
		     const struct br_section *nn, const struct br_section *const *dumps,
		     size_t nr_dumps, const struct p2pdma_load_opts *opts,
		     struct p2pdma_error *e)
{
	struct lspci_doc d = {
		.name = rn->name,
		.log = opts ? opts->log : NULL,
		.log_arg = opts ? opts->log_arg : NULL,
	};
	int ret = read_nn(&d, rn, nn, e);

	if (!ret)
		ret = lspci_sort_check(&d, e);
	d.name = rt->name;		/* the tree's lines name its own file */
	if (!ret)
		ret = read_tree(&d, rt, tree, e);
	d.name = rn->name;
	if (!ret)
		ret = all_placed(&d, e);
	if (!ret)
		ret = read_dumps(&d, rn, dumps, nr_dumps, e);
	if (!ret)
		ret = lspci_build(f, &d, e);
	if (!ret)
		p2pdma_log(d.log, d.log_arg, P2PDMA_LOG_INFO,
			   "%s: no full config-space section (made without root): tree from 'lspci -t', ids from 'lspci -nn'; ACS, links and BARs unknown except for the %zu section(s) that dump some devices",
			   rt->name, nr_dumps);
	lspci_doc_free(&d);
	return ret;
}
