// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fabric as a Graphviz DOT graph ("p2pdma topo --dot", and with a
 * coloured path "p2pdma check --dot").
 *
 * Layout choices:
 *  - left to right: host bridges, root ports, switches, endpoints, so a
 *    machine with many devices grows downwards (readable when scrolled)
 *    rather than into a strip too wide to read; host bridges are chained
 *    by invisible edges so that they stand in BDF order from the top;
 *  - a switch is a dashed cluster holding its upstream port, its
 *    downstream ports and any function on its internal bus;
 *  - an edge carries the PCIe link of the function below it, when that
 *    link is a physical one (endpoints, switch upstream ports, PCIe-to-PCI
 *    bridges); the edge above a root or downstream port is internal to
 *    the root complex or the switch, so it has no label;
 *  - ports with ACS redirect on (RR, CR or EC in ACS Control) are filled
 *    red and say which bits; paths get a thick border and thick links in
 *    their colour, the worst colour winning where paths share a link.
 * Output is a pure function of the fabric and the options: everything is
 * written in BDF order and no address or time goes in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define WRAP 30

static const char *const path_colors[] = {
	[P2PDMA_DOT_GREEN] = "#1e8449",
	[P2PDMA_DOT_AMBER] = "#d68910",
	[P2PDMA_DOT_RED] = "#c0392b",
};

static const char *const path_words[] = {
	[P2PDMA_DOT_GREEN] = "green",
	[P2PDMA_DOT_AMBER] = "amber",
	[P2PDMA_DOT_RED] = "red",
};

struct dot {
	const struct p2pdma_fabric *f;
	const struct p2pdma_dot_opts *o;
	struct p2pdma_buf b;
	bool *shown;		/* per function */
	bool *hb_shown;		/* per host bridge */
	int *hl;		/* per function: path colour of its border, -1 none */
	int *edge_hl;		/* per function: colour of the link above it */
	int *hb_hl;		/* per host bridge */
	const struct p2pdma_dot_link **link;	/* per function: its link's extras */
	struct p2pdma_buf extra;	/* edges that are not tree links */
	size_t hidden;
};

/* ---------------------------------------------------------------------- */
/* Text                                                                    */

/* Append @s to @b escaped for a DOT double-quoted string. */
static void put_escaped(struct p2pdma_buf *b, const char *s)
{
	char c[2] = { 0, 0 };

	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			p2pdma_buf_puts(b, *s == '"' ? "\\\"" : "\\\\");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			p2pdma_buf_puts(b, " ");
		else {
			c[0] = *s;
			p2pdma_buf_puts(b, c);
		}
	}
}

/* @s escaped for a DOT string into @out (cut to fit), for printf-style output. */
static const char *esc(char *out, size_t n, const char *s)
{
	size_t k = 0;

	for (; *s && k + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			out[k++] = '\\';
		out[k++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	}
	out[k] = '\0';
	return out;
}

/* @s escaped, wrapped at spaces into lines of about WRAP columns. */
static void put_wrapped(struct p2pdma_buf *b, const char *s)
{
	size_t col = 0;
	char word[128];

	while (*s) {
		size_t w = strcspn(s, " ");

		if (w) {
			if (col && col + 1 + w > WRAP) {
				p2pdma_buf_puts(b, "\\n");
				col = 0;
			} else if (col) {
				p2pdma_buf_puts(b, " ");
				col++;
			}
			snprintf(word, sizeof(word), "%.*s", (int)w, s);
			put_escaped(b, word);
			col += w;
			s += w;
		}
		while (*s == ' ')
			s++;
	}
}

/* "NVIDIA" from "NVIDIA Corporation", "AMD" from "Advanced Micro Devices, Inc. [AMD]". */
static void short_vendor(uint16_t vendor, char *out, size_t len)
{
	char name[128];
	const char *lb, *rb;
	size_t n;

	p2pdma_name_vendor(vendor, name, sizeof(name));
	lb = strchr(name, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb && rb > lb + 1) {
		snprintf(out, len, "%.*s", (int)(rb - lb - 1), lb + 1);
		return;
	}
	n = strcspn(name, " ,");
	snprintf(out, len, "%.*s", (int)n, name);
}

static void device_name(const struct p2pdma_function *fn, char *out, size_t len)
{
	char v[64], d[160];

	out[0] = '\0';
	if (fn->vendor == 0xffff || fn->vendor == 0)
		return;
	short_vendor(fn->vendor, v, sizeof(v));
	if (fn->device == 0xffff)
		snprintf(out, len, "%s", v[0] ? v : "unknown vendor");
	else if (p2pdma_name_device(fn->vendor, fn->device, d, sizeof(d))[0])
		snprintf(out, len, "%s %s", v, d);
	else
		snprintf(out, len, "%s device %04x", v[0] ? v : "vendor", fn->device);
}

static const char *role_text(enum p2pdma_role r)
{
	switch (r) {
	case P2PDMA_ROLE_ROOT_PORT: return "root port";
	case P2PDMA_ROLE_SWITCH_UPSTREAM: return "switch upstream port";
	case P2PDMA_ROLE_SWITCH_DOWNSTREAM: return "switch downstream port";
	case P2PDMA_ROLE_PCI_BRIDGE: return "PCI bridge";
	default: return "bridge";
	}
}

static bool redirects(const struct p2pdma_function *fn)
{
	return fn->acs_state == P2PDMA_ACS_PRESENT &&
	       (fn->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK);
}

/* "ACS: SV RR CR UF", "ACS: off", "no ACS", "ACS unknown" */
static void acs_text(const struct p2pdma_function *fn, char *out, size_t len)
{
	char flags[64];

	switch (fn->acs_state) {
	case P2PDMA_ACS_PRESENT:
		snprintf(out, len, "ACS: %s",
			 p2pdma_acs_flags_format(fn->acs_ctrl, flags, sizeof(flags)));
		break;
	case P2PDMA_ACS_ABSENT:
		snprintf(out, len, "no ACS");
		break;
	default:
		snprintf(out, len, "ACS unknown");
		break;
	}
}

static void kind_text(const struct p2pdma_function *fn, char *out, size_t len)
{
	char cls[96];

	if (p2pdma_function_is_bridge(fn)) {
		if (fn->secondary_bus < 0 || fn->subordinate_bus < 0)
			snprintf(out, len, "%s", role_text(fn->role));
		else if (fn->secondary_bus == fn->subordinate_bus)
			snprintf(out, len, "%s [%02x]", role_text(fn->role), fn->secondary_bus);
		else
			snprintf(out, len, "%s [%02x-%02x]", role_text(fn->role),
				 fn->secondary_bus, fn->subordinate_bus);
		return;
	}
	if (!p2pdma_name_class(fn->class_code, cls, sizeof(cls))[0])
		snprintf(cls, sizeof(cls), "class %06x", fn->class_code);
	if (fn->driver)
		snprintf(out, len, "%s (%.40s)", cls, fn->driver);
	else
		snprintf(out, len, "%s", cls);
}

/* ---------------------------------------------------------------------- */
/* What to draw                                                            */

/* Host bridge devices, IOMMUs, uncore, performance counters, ... */
static bool platform_function(const struct p2pdma_function *fn)
{
	switch (fn->class_code >> 16) {
	case 0x05: case 0x06: case 0x08: case 0x11: case 0x13: case 0xff:
		return !p2pdma_function_is_bridge(fn);
	default:
		return false;
	}
}

/* Shown: a wanted function, or a bridge with something shown below it. */
static bool mark_shown(struct dot *d, const struct p2pdma_function *fn)
{
	bool any = d->o->all || d->hl[fn->index] >= 0 ||
		   (!p2pdma_function_is_bridge(fn) && !platform_function(fn));
	size_t i;

	for (i = 0; i < fn->nr_children; i++)
		any |= mark_shown(d, fn->children[i]);
	d->shown[fn->index] = any;
	if (!any)
		d->hidden++;
	return any;
}

static void mark_all(struct dot *d)
{
	size_t i, j;

	for (i = 0; i < d->f->nr_hbs; i++) {
		const struct p2pdma_host_bridge *hb = d->f->hbs[i];

		d->hb_shown[i] = d->hb_hl[i] >= 0;
		for (j = 0; j < hb->nr_children; j++)
			d->hb_shown[i] |= mark_shown(d, hb->children[j]);
	}
}

static bool in_fabric(const struct p2pdma_fabric *f, const struct p2pdma_function *fn)
{
	return fn && fn->index < f->nr_fns && f->fns[fn->index] == fn;
}

static void worst(int *slot, int color)
{
	if (*slot < color)
		*slot = color;
}

/* Colour the link between neighbours @a and @b of a path. */
static void hl_step(struct dot *d, const struct p2pdma_function *a,
		    const struct p2pdma_function *b, int color)
{
	char na[64], nb[64];

	if (b->parent == a) {
		worst(&d->edge_hl[b->index], color);
	} else if (a->parent == b) {
		worst(&d->edge_hl[a->index], color);
	} else if (!a->parent && !b->parent) {
		/* Up through the root complex: both root-bus links, and between host bridges. */
		worst(&d->edge_hl[a->index], color);
		worst(&d->edge_hl[b->index], color);
		worst(&d->hb_hl[a->host->index], color);
		worst(&d->hb_hl[b->host->index], color);
		if (a->host != b->host)
			p2pdma_buf_printf(&d->extra,
					  "\t\"%s\" -> \"%s\" [style=dashed, constraint=false, color=\"%s\", penwidth=3];\n",
					  esc(na, sizeof(na), a->host->name),
					  esc(nb, sizeof(nb), b->host->name), path_colors[color]);
	} else {
		p2pdma_buf_printf(&d->extra,
				  "\t\"%s\" -> \"%s\" [style=dashed, constraint=false, color=\"%s\", penwidth=3];\n",
				  p2pdma_bdf_format(&a->bdf, na, sizeof(na)),
				  p2pdma_bdf_format(&b->bdf, nb, sizeof(nb)), path_colors[color]);
	}
}

static int mark_links(struct dot *d, struct p2pdma_error *e)
{
	size_t i;

	for (i = 0; i < d->o->nr_links; i++) {
		const struct p2pdma_dot_link *l = &d->o->links[i];

		if (!in_fabric(d->f, l->fn))
			return p2pdma_fail(e, -EINVAL, "DOT link %zu: not a function of this fabric", i);
		d->link[l->fn->index] = l;
	}
	return 0;
}

static int mark_paths(struct dot *d, struct p2pdma_error *e)
{
	size_t i, j;

	for (i = 0; i < d->o->nr_paths; i++) {
		const struct p2pdma_dot_path *p = &d->o->paths[i];

		if ((unsigned int)p->color >= ARRAY_SIZE(path_colors))
			return p2pdma_fail(e, -EINVAL, "DOT path %zu: unknown colour %d", i,
					   (int)p->color);
		if (!p->nr_fns || !p->fns)
			return p2pdma_fail(e, -EINVAL, "DOT path %zu is empty", i);
		for (j = 0; j < p->nr_fns; j++)
			if (!in_fabric(d->f, p->fns[j]))
				return p2pdma_fail(e, -EINVAL,
						   "DOT path %zu: function %zu is not part of this fabric",
						   i, j);
		for (j = 0; j < p->nr_fns; j++) {
			worst(&d->hl[p->fns[j]->index], (int)p->color);
			if (j)
				hl_step(d, p->fns[j - 1], p->fns[j], (int)p->color);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */

static const char *fill_of(const struct p2pdma_function *fn)
{
	if (redirects(fn))
		return "#f5b7b1";
	if (p2pdma_function_is_bridge(fn))
		return "#eeeeee";
	switch (fn->class_code >> 16) {
	case 0x03: case 0x12: return "#d5f5e3";		/* display, accelerators */
	case 0x02: return "#d6eaf8";			/* network */
	case 0x01: return "#fcf3cf";			/* storage */
	case 0x0b: return "#e8daef";			/* processors */
	default: return "#ffffff";
	}
}

static void write_node(struct dot *d, const struct p2pdma_function *fn, const char *indent)
{
	char name[P2PDMA_BDF_STRLEN], text[256];
	struct p2pdma_buf *b = &d->b;
	int hl = d->hl[fn->index];

	p2pdma_buf_printf(b, "%s\"%s\" [label=\"%s\\n", indent,
			  p2pdma_bdf_format(&fn->bdf, name, sizeof(name)), name);
	kind_text(fn, text, sizeof(text));
	put_wrapped(b, text);
	device_name(fn, text, sizeof(text));
	if (text[0]) {
		p2pdma_buf_puts(b, "\\n");
		put_wrapped(b, text);
	}
	if (p2pdma_function_is_bridge(fn) || fn->acs_ctrl) {
		acs_text(fn, text, sizeof(text));
		p2pdma_buf_printf(b, "\\n%s", text);
	}
	p2pdma_buf_printf(b, "\", fillcolor=\"%s\"", fill_of(fn));
	if (hl >= 0)
		p2pdma_buf_printf(b, ", color=\"%s\", penwidth=3", path_colors[hl]);
	else if (redirects(fn))
		p2pdma_buf_puts(b, ", color=\"#c0392b\", penwidth=2");
	p2pdma_buf_puts(b, "];\n");
}

/* Functions inside a switch: downstream ports and the internal bus. */
static bool in_switch(const struct p2pdma_function *up, const struct p2pdma_function *c)
{
	return up->role == P2PDMA_ROLE_SWITCH_UPSTREAM &&
	       (c->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM || !p2pdma_function_is_bridge(c));
}

static void write_subtree(struct dot *d, const struct p2pdma_function *fn);

static void write_switch(struct dot *d, const struct p2pdma_function *up)
{
	char name[P2PDMA_BDF_STRLEN], v[64];
	size_t i;

	p2pdma_bdf_format(&up->bdf, name, sizeof(name));
	short_vendor(up->vendor, v, sizeof(v));
	p2pdma_buf_printf(&d->b, "\tsubgraph \"cluster_%s\" {\n\t\tlabel=\"switch", name);
	if (up->vendor != 0xffff && v[0]) {
		p2pdma_buf_puts(&d->b, " (");
		put_escaped(&d->b, v);
		p2pdma_buf_puts(&d->b, ")");
	}
	p2pdma_buf_puts(&d->b, "\"; style=\"rounded,dashed\"; color=\"#7f8c8d\"; fontsize=9;\n");
	write_node(d, up, "\t\t");
	for (i = 0; i < up->nr_children; i++)
		if (d->shown[up->children[i]->index] && in_switch(up, up->children[i]))
			write_node(d, up->children[i], "\t\t");
	p2pdma_buf_puts(&d->b, "\t}\n");
	for (i = 0; i < up->nr_children; i++) {
		const struct p2pdma_function *c = up->children[i];
		size_t j;

		if (!d->shown[c->index])
			continue;
		if (!in_switch(up, c)) {
			write_subtree(d, c);
			continue;
		}
		for (j = 0; j < c->nr_children; j++)
			if (d->shown[c->children[j]->index])
				write_subtree(d, c->children[j]);
	}
}

static void write_subtree(struct dot *d, const struct p2pdma_function *fn)
{
	size_t i;

	if (fn->role == P2PDMA_ROLE_SWITCH_UPSTREAM) {
		write_switch(d, fn);
		return;
	}
	write_node(d, fn, "\t");
	for (i = 0; i < fn->nr_children; i++)
		if (d->shown[fn->children[i]->index])
			write_subtree(d, fn->children[i]);
}

/* The physical link above @fn, if the edge to its parent is one. */
static void link_label(const struct p2pdma_function *fn, char *out, size_t len)
{
	const struct p2pdma_link *l = &fn->link;
	char s[24], m[24];

	out[0] = '\0';
	if (fn->role == P2PDMA_ROLE_ROOT_PORT || fn->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM)
		return;
	if (l->width && l->speed) {
		p2pdma_link_speed_format(l->speed, s, sizeof(s));
		if (l->max_width && l->max_speed &&
		    (l->max_width != l->width || l->max_speed != l->speed))
			snprintf(out, len, "x%u %s (max x%u %s)", l->width, s, l->max_width,
				 p2pdma_link_speed_format(l->max_speed, m, sizeof(m)));
		else
			snprintf(out, len, "x%u %s", l->width, s);
	} else if (l->max_width && l->max_speed) {
		snprintf(out, len, "max x%u %s", l->max_width,
			 p2pdma_link_speed_format(l->max_speed, m, sizeof(m)));
	}
}

/* " [label=..., color=...]": the link's own label, its extras, its colour. */
static void write_edge_attrs(struct dot *d, const char *lab, int hl,
			     const struct p2pdma_dot_link *l)
{
	const char *color = hl >= 0 ? path_colors[hl] : l ? l->color : NULL;
	bool label = lab[0] || (l && l->label);

	p2pdma_buf_puts(&d->b, " [");
	if (label) {
		p2pdma_buf_printf(&d->b, "label=\"%s", lab);
		if (l && l->label) {
			p2pdma_buf_puts(&d->b, lab[0] ? "\\n" : "");
			put_escaped(&d->b, l->label);
		}
		p2pdma_buf_printf(&d->b, "\"%s", color ? ", " : "");
	}
	if (color) {
		p2pdma_buf_puts(&d->b, "color=\"");
		put_escaped(&d->b, color);
		p2pdma_buf_puts(&d->b, "\", fontcolor=\"");
		put_escaped(&d->b, color);
		p2pdma_buf_puts(&d->b, "\", penwidth=3");
	}
	p2pdma_buf_puts(&d->b, "]");
}

static void write_edges(struct dot *d)
{
	char from[64], to[P2PDMA_BDF_STRLEN], lab[96];
	size_t i;

	for (i = 0; i < d->f->nr_fns; i++) {
		const struct p2pdma_function *fn = d->f->fns[i];
		int hl = d->edge_hl[i];

		if (!d->shown[i])
			continue;
		if (fn->parent)
			p2pdma_bdf_format(&fn->parent->bdf, from, sizeof(from));
		else
			esc(from, sizeof(from), fn->host->name);
		p2pdma_bdf_format(&fn->bdf, to, sizeof(to));
		link_label(fn, lab, sizeof(lab));
		p2pdma_buf_printf(&d->b, "\t\"%s\" -> \"%s\"", from, to);
		if (lab[0] || hl >= 0 || d->link[i])
			write_edge_attrs(d, lab, hl, d->link[i]);
		p2pdma_buf_puts(&d->b, ";\n");
	}
	if (d->extra.s)
		p2pdma_buf_puts(&d->b, d->extra.s);
}

static void write_host_bridge(struct dot *d, const struct p2pdma_host_bridge *hb)
{
	int hl = d->hb_hl[hb->index];
	char name[64];
	size_t i;


	esc(name, sizeof(name), hb->name);
	p2pdma_buf_printf(&d->b, "\t\"%s\" [label=\"%s\\nhost bridge", name, name);
	if (hb->numa_node >= 0)
		p2pdma_buf_printf(&d->b, "\\nNUMA node %d", hb->numa_node);
	if (hb->bus_offset)
		p2pdma_buf_printf(&d->b, "\\nbus offset %#llx", (unsigned long long)hb->bus_offset);
	p2pdma_buf_puts(&d->b, "\", shape=box, style=filled, fillcolor=\"#d5d8dc\"");
	if (hl >= 0)
		p2pdma_buf_printf(&d->b, ", color=\"%s\", penwidth=3", path_colors[hl]);
	p2pdma_buf_puts(&d->b, "];\n");
	for (i = 0; i < hb->nr_children; i++)
		if (d->shown[hb->children[i]->index])
			write_subtree(d, hb->children[i]);
}

/* Host bridges in one rank, in BDF order top to bottom. */
static void write_host_order(struct dot *d)
{
	const char *prev = NULL;
	char a[64], b[64];
	size_t i;

	for (i = 0; i < d->f->nr_hbs; i++) {
		if (!d->hb_shown[i])
			continue;
		if (prev)
			p2pdma_buf_printf(&d->b, "\t{ rank=same; \"%s\" -> \"%s\" [style=invis]; }\n",
					  esc(a, sizeof(a), prev), esc(b, sizeof(b), d->f->hbs[i]->name));
		prev = d->f->hbs[i]->name;
	}
}

static bool any_redirect(const struct dot *d)
{
	size_t i;

	for (i = 0; i < d->f->nr_fns; i++)
		if (d->shown[i] && redirects(d->f->fns[i]))
			return true;
	return false;
}

static void write_title(struct dot *d)
{
	struct p2pdma_buf *b = &d->b;
	size_t i;

	p2pdma_buf_puts(b, "\tlabel=\"");
	if (d->o->title) {
		put_escaped(b, d->o->title);
		p2pdma_buf_puts(b, "\\n");
	}
	for (i = 0; i < d->o->nr_paths; i++) {
		const struct p2pdma_dot_path *p = &d->o->paths[i];
		char a[P2PDMA_BDF_STRLEN], z[P2PDMA_BDF_STRLEN];

		p2pdma_buf_printf(b, "%s: %s -> %s", path_words[p->color],
				  p2pdma_bdf_format(&p->fns[0]->bdf, a, sizeof(a)),
				  p2pdma_bdf_format(&p->fns[p->nr_fns - 1]->bdf, z, sizeof(z)));
		if (p->label) {
			p2pdma_buf_puts(b, ", ");
			put_escaped(b, p->label);
		}
		p2pdma_buf_puts(b, "\\n");
	}
	if (any_redirect(d))
		p2pdma_buf_puts(b, "red fill: ACS redirect on, peer traffic is forced up to the root complex\\n");
	if (d->hidden)
		p2pdma_buf_printf(b, "%zu platform function(s) and empty port(s) not drawn\\n",
				  d->hidden);
	p2pdma_buf_puts(b, "\";\n");
}

static void write_graph(struct dot *d)
{
	size_t i;

	p2pdma_buf_puts(&d->b,
			"// PCIe topology written by p2pdma; render with: dot -Tsvg -o topo.svg\n"
			"digraph p2pdma {\n"
			"\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, labelloc=t, nodesep=0.25, ranksep=0.5];\n"
			"\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=9, color=\"#566573\"];\n"
			"\tedge [fontname=\"Helvetica\", fontsize=8, color=\"#808b96\", arrowhead=none];\n");
	write_title(d);
	for (i = 0; i < d->f->nr_hbs; i++)
		if (d->hb_shown[i])
			write_host_bridge(d, d->f->hbs[i]);
	write_edges(d);
	write_host_order(d);
	p2pdma_buf_puts(&d->b, "}\n");
}

int p2pdma_fabric_write_dot(const struct p2pdma_fabric *f,
			    const struct p2pdma_dot_opts *opts, char **out,
			    struct p2pdma_error *e)
{
	static const struct p2pdma_dot_opts none;
	struct dot d = { .f = f, .o = opts ? opts : &none };
	size_t nf = f->nr_fns ? f->nr_fns : 1, nh = f->nr_hbs ? f->nr_hbs : 1, i;
	int ret;

	*out = NULL;
	if (!f->finalized)
		return p2pdma_fail(e, -EINVAL, "the fabric is not finalized");
	d.shown = calloc(nf, sizeof(*d.shown));
	d.hl = calloc(nf, sizeof(*d.hl));
	d.edge_hl = calloc(nf, sizeof(*d.edge_hl));
	d.hb_shown = calloc(nh, sizeof(*d.hb_shown));
	d.hb_hl = calloc(nh, sizeof(*d.hb_hl));
	d.link = calloc(nf, sizeof(*d.link));
	if (!d.shown || !d.hl || !d.edge_hl || !d.hb_shown || !d.hb_hl || !d.link) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nf; i++)
		d.hl[i] = d.edge_hl[i] = -1;
	for (i = 0; i < nh; i++)
		d.hb_hl[i] = -1;
	ret = mark_paths(&d, e);
	if (!ret)
		ret = mark_links(&d, e);
	if (ret)
		goto out;
	mark_all(&d);
	write_graph(&d);
	if (d.extra.err)
		d.b.err = d.extra.err;
	ret = p2pdma_buf_finish(&d.b, out);
	if (ret)
		p2pdma_fail(e, ret, "out of memory");
out:
	free(d.b.s);
	free(d.extra.s);
	free(d.shown);
	free(d.hl);
	free(d.edge_hl);
	free(d.hb_shown);
	free(d.hb_hl);
	free(d.link);
	return ret;
}
