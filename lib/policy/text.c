// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A verdict as people read it: one labelled line per fact, the reason
 * wrapped, the kernel's own log lines verbatim and marked as the kernel's,
 * the fix as commands to copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define COL 14		/* where values start */
#define WIDTH 78

const char *p2pdma_map_type_meaning(enum p2pdma_map_type t)
{
	switch (t) {
	case P2PDMA_MAP_BUS_ADDR:
		return "peer-to-peer without the host bridge; DMA uses PCI bus addresses";
	case P2PDMA_MAP_THRU_HOST_BRIDGE:
		return "peer-to-peer through the host bridge; DMA uses ordinary (IOMMU or CPU physical) addresses";
	case P2PDMA_MAP_NOT_SUPPORTED:
		return "the kernel refuses peer-to-peer DMA for this pair";
	default:
		return "";
	}
}

void p2pdma_wrap(struct p2pdma_buf *b, const char *text, int col, int indent, int width)
{
	const char *s = text;
	bool line_start = true;

	while (*s) {
		const char *e = s;
		int len;

		while (*e && *e != ' ')
			e++;
		len = (int)(e - s);
		if (!line_start && col + 1 + len > width) {
			p2pdma_buf_printf(b, "\n%*s", indent, "");
			col = indent;
		} else if (!line_start) {
			p2pdma_buf_puts(b, " ");
			col++;
		}
		p2pdma_buf_printf(b, "%.*s", len, s);
		col += len;
		line_start = false;
		s = e;
		while (*s == ' ')
			s++;
	}
	p2pdma_buf_puts(b, "\n");
}

static void label(struct p2pdma_buf *b, const char *l)
{
	p2pdma_buf_printf(b, "%-*s", COL, l);
}

static void hop_name(struct p2pdma_buf *b, const struct p2pdma_hop *h)
{
	char name[P2PDMA_BDF_STRLEN];

	if (h->fn)
		p2pdma_buf_puts(b, p2pdma_bdf_format(&h->fn->bdf, name, sizeof(name)));
	else
		p2pdma_buf_printf(b, "[%s]", h->hb->name);
}

/* provider > ... > common* < ... < client; host bridges in brackets. */
static void path_line(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	size_t i;
	bool down = false;

	label(b, "path");
	for (i = 0; i < v->nr_path; i++) {
		const struct p2pdma_hop *h = &v->path[i];

		if (i)
			p2pdma_buf_puts(b, down ? " < " : " > ");
		hop_name(b, h);
		if (h->fn && h->fn == v->common) {
			p2pdma_buf_puts(b, "*");
			down = true;
		} else if (!h->fn && (i + 1 == v->nr_path || v->path[i + 1].fn)) {
			down = true;
		}
	}
	if (v->common)
		p2pdma_buf_printf(b, "\n%*s(* = common upstream device)", COL, "");
	p2pdma_buf_puts(b, "\n");
}

static void fn_list(struct p2pdma_buf *b, const struct p2pdma_function *const *fns, size_t n)
{
	char name[P2PDMA_BDF_STRLEN], bits[64];
	size_t i;

	for (i = 0; i < n; i++)
		p2pdma_buf_printf(b, "%s%s (%s)", i ? ", " : "",
				  p2pdma_bdf_format(&fns[i]->bdf, name, sizeof(name)),
				  fns[i]->acs_state == P2PDMA_ACS_PRESENT ?
				  p2pdma_acs_flags_format(fns[i]->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK,
							  bits, sizeof(bits)) : "state unknown");
}

static void acs_line(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	label(b, "ACS redirect");
	if (!v->common) {
		p2pdma_buf_puts(b, "not checked (no common upstream device: the kernel ignores ACS)\n");
		return;
	}
	if (v->nr_acs)
		fn_list(b, v->acs, v->nr_acs);
	else
		p2pdma_buf_puts(b, "none known");
	if (v->nr_acs_unknown) {
		p2pdma_buf_puts(b, v->nr_acs ? "; unknown: " : "; unknown: ");
		fn_list(b, v->acs_unknown, v->nr_acs_unknown);
	}
	p2pdma_buf_puts(b, "\n");
}

static void hb_line(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	label(b, "host bridge");
	switch (v->hb_rule) {
	case P2PDMA_HB_NOT_CONSULTED:
		p2pdma_buf_puts(b, "not consulted\n");
		return;
	case P2PDMA_HB_CPU:
		p2pdma_buf_puts(b, "allowed by the CPU rule (AMD Zen or newer)\n");
		return;
	default:
		break;
	}
	p2pdma_buf_printf(b, "%s by the allow-list:", v->host_bridge_allowed ? "allowed" : "refused");
	for (i = 0; i < v->nr_hb; i++) {
		const struct p2pdma_hb_check *c = &v->hb[i];

		p2pdma_buf_printf(b, "\n%*s%s ", COL + 2, "", c->host->name);
		if (!c->dev)
			p2pdma_buf_puts(b, "no device to look up: no");
		else if (c->id_unknown)
			p2pdma_buf_printf(b, "%s, ID unknown: maybe",
					  p2pdma_bdf_format(&c->dev->bdf, name, sizeof(name)));
		else
			p2pdma_buf_printf(b, "%04x:%04x at %s: %s", c->dev->vendor, c->dev->device,
					  p2pdma_bdf_format(&c->dev->bdf, name, sizeof(name)),
					  c->passed ? "listed" : c->entry >= 0 ?
					  "listed for the same host bridge only" : "not listed");
	}
	p2pdma_buf_puts(b, "\n");
}

static void map_line(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	unsigned int t;
	bool first = true;

	label(b, "map type");
	if (v->certain) {
		p2pdma_buf_printf(b, "%s\n%*s(%s)\n", p2pdma_map_type_name(v->map_type), COL, "",
				  p2pdma_map_type_meaning(v->map_type));
		return;
	}
	p2pdma_buf_puts(b, "UNCERTAIN: ");
	for (t = P2PDMA_MAP_NOT_SUPPORTED; t <= P2PDMA_MAP_THRU_HOST_BRIDGE; t++)
		if (v->possible & (1u << t)) {
			p2pdma_buf_printf(b, "%s%s", first ? "" : " or ",
					  p2pdma_map_type_name((enum p2pdma_map_type)t));
			first = false;
		}
	p2pdma_buf_puts(b, "\n");
}

/*
 * The fix: prose lines wrapped under the label, lines indented by four
 * or more (commands and file contents) kept whole so they can be copied.
 */
static void fix_block(struct p2pdma_buf *b, const char *fix)
{
	const char *s = fix;
	bool first = true;

	while (*s) {
		const char *e = strchrnul(s, '\n');
		int lead = (int)strspn(s, " ");
		char *line = strndup(s, (size_t)(e - s));

		if (!line) {
			b->err = -ENOMEM;
			return;
		}
		if (!first)
			p2pdma_buf_printf(b, "%*s", COL + lead, "");
		if (lead >= 4)
			p2pdma_buf_printf(b, "%s\n", line + lead);
		else
			p2pdma_wrap(b, line + lead, COL + lead,
				    COL + lead + (strncmp(line + lead, "- ", 2) ? 0 : 2), WIDTH);
		free(line);
		first = false;
		s = *e ? e + 1 : e;
	}
}

static void text_block(struct p2pdma_buf *b, const char *l, const char *text)
{
	label(b, l);
	p2pdma_wrap(b, text, COL, COL, WIDTH);
}

void p2pdma_verdict_text(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	char lbl[256], name[P2PDMA_BDF_STRLEN];
	size_t i;

	label(b, "provider");
	p2pdma_buf_printf(b, "%s\n", p2pdma_fn_label(v->provider, lbl, sizeof(lbl)));
	label(b, "client");
	p2pdma_buf_printf(b, "%s%s\n", v->client ? p2pdma_fn_label(v->client, lbl, sizeof(lbl)) :
			  v->client_name, v->client ? "" : " (not a PCI device)");
	map_line(b, v);
	label(b, "kernel");
	p2pdma_buf_printf(b, "%s%s\n", v->release,
			  v->release_assumed ? " (assumed: see releases)" : "");
	label(b, "distance");
	if (v->distance >= 0)
		p2pdma_buf_printf(b, "%d\n", v->distance);
	else
		p2pdma_buf_puts(b, "none (-1)\n");
	if (v->client) {
		label(b, "common");
		if (v->common)
			p2pdma_buf_printf(b, "%s\n", p2pdma_fn_label(v->common, lbl, sizeof(lbl)));
		else
			p2pdma_buf_puts(b, "none\n");
		path_line(b, v);
		acs_line(b, v);
		hb_line(b, v);
		label(b, "path class");
		p2pdma_buf_printf(b, "%s (nvidia-smi topo -m's view; NCCL: %s)\n",
				  p2pdma_path_class_name(v->path_class),
				  p2pdma_path_class_name(v->path_class == P2PDMA_PATH_NODE ?
							 P2PDMA_PATH_PHB : v->path_class));
	}
	text_block(b, "reason", v->reason);
	if (v->uncertain)
		text_block(b, "uncertain", v->uncertain);
	if (v->release_note)
		text_block(b, "releases", v->release_note);
	if (v->peer_note)
		text_block(b, "NCCL", v->peer_note);
	if (v->nr_kernel_log) {
		label(b, "kernel log");
		if (!v->client)
			p2pdma_buf_puts(b, "the kernel's own words, when a driver asks for the distance verbosely (nvmet does):\n");
		else if (!v->certain)
			p2pdma_buf_puts(b, "the kernel's own words in the first of the possible cases:\n");
		else
			p2pdma_buf_puts(b, "the kernel's own words, on the first DMA mapping of this pair:\n");
		for (i = 0; i < v->nr_kernel_log; i++)
			p2pdma_buf_printf(b, "%*s%s\n", COL, "", v->kernel_log[i]);
		if (v->kernel_list_truncated)
			p2pdma_buf_printf(b, "%*s(the kernel's 128-byte list is cut short; the fix below has the whole list)\n",
					  COL, "");
	}
	if (v->kernel_cached != P2PDMA_MAP_UNKNOWN)
		p2pdma_buf_printf(b, "%-*sa kernel that cached this pair before the change still answers %s until the driver of %s is unbound\n",
				  COL, "stale cache", p2pdma_map_type_name(v->kernel_cached),
				  p2pdma_bdf_format(&v->provider->bdf, name, sizeof(name)));
	if (v->fix) {
		label(b, "fix");
		fix_block(b, v->fix);
	}
}

void p2pdma_whatif_text(struct p2pdma_buf *b, const struct p2pdma_whatif_report *r)
{
	char name[P2PDMA_BDF_STRLEN], was[64], now[64];
	size_t i;

	if (!r)
		return;
	p2pdma_buf_puts(b, "What if (applied to the model in memory, not to the machine):\n");
	for (i = 0; i < r->nr_changes; i++) {
		const struct p2pdma_acs_change *c = &r->changes[i];

		p2pdma_bdf_format(&c->fn->bdf, name, sizeof(name));
		if (c->unknown_cleared)
			p2pdma_buf_printf(b, "  %s ACS Control unknown -> RR, CR and EC clear\n", name);
		else
			p2pdma_buf_printf(b, "  %s ACS Control 0x%04x (%s) -> 0x%04x (%s)\n", name,
					  c->before, p2pdma_acs_flags_format(c->before, was, sizeof(was)),
					  c->after, p2pdma_acs_flags_format(c->after, now, sizeof(now)));
	}
	if (!r->nr_changes)
		p2pdma_buf_puts(b, "  no ACS Control register changes\n");
	if (r->nr_kernel_log) {
		p2pdma_buf_puts(b, "  the kernel would log while applying them:\n");
		for (i = 0; i < r->nr_kernel_log; i++)
			p2pdma_buf_printf(b, "    %s\n", r->kernel_log[i]);
	}
	for (i = 0; i < r->nr_notes; i++) {
		p2pdma_buf_puts(b, "  note: ");
		p2pdma_wrap(b, r->notes[i], 8, 8, WIDTH);
	}
	p2pdma_buf_puts(b, "\n");
}

int p2pdma_verdict_write_text(const struct p2pdma_verdict *v, char **out)
{
	struct p2pdma_buf b = { 0 };

	p2pdma_verdict_text(&b, v);
	return p2pdma_buf_finish(&b, out);
}
