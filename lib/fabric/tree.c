// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma_fabric_write_tree(): the human view "p2pdma topo" prints.
 *
 * One line per function, drawn with the ASCII connectors lspci -t uses
 * ("+-", "\-", "| "), so the output survives any terminal, pager or mail.
 * Each line reads
 *
 *   BDF ROLE: NAME [vvvv:dddd]; link; ACS; IOMMU group; NUMA; driver; p2pmem
 *
 * with the fields that are unknown or absent left out.  The BDF is the
 * full address, so it can be pasted into "p2pdma check".  Names come from
 * pci.ids only, so the text is the same wherever pci.ids is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NAME_LEN 256

struct tw {
	struct p2pdma_buf *b;
	/* "| " or "  " for every level above the current line. */
	char *prefix;
	size_t prefix_cap;
};

/* Exact sizes only: the largest binary unit that divides the value. */
static void put_size(struct p2pdma_buf *b, uint64_t v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	size_t u = 0;

	while (v && !(v & 1023) && u + 1 < ARRAY_SIZE(units)) {
		v >>= 10;
		u++;
	}
	p2pdma_buf_printf(b, "%" PRIu64 " %s", v, units[u]);
}

/*
 * "Vendor Device [vvvv:dddd]"; without a device name, the class name takes
 * its place; without any name, the IDs alone.
 */
static void put_name(struct p2pdma_buf *b, const struct p2pdma_function *fn)
{
	char vendor[NAME_LEN], device[NAME_LEN];

	p2pdma_name_vendor(fn->vendor, vendor, sizeof(vendor));
	p2pdma_name_device(fn->vendor, fn->device, device, sizeof(device));
	if (!*device)
		p2pdma_name_class(fn->class_code, device, sizeof(device));
	if (*vendor && *device)
		p2pdma_buf_printf(b, "%s %s ", vendor, device);
	else if (*vendor || *device)
		p2pdma_buf_printf(b, "%s ", *vendor ? vendor : device);
	p2pdma_buf_printf(b, "[%04x:%04x]", fn->vendor, fn->device);
}

static void put_link_half(struct p2pdma_buf *b, uint32_t width, uint32_t speed)
{
	char s[32];

	if (width)
		p2pdma_buf_printf(b, "x%u", width);
	else
		p2pdma_buf_puts(b, "x?");
	if (speed)
		p2pdma_buf_printf(b, " %s", p2pdma_link_speed_format(speed, s, sizeof(s)));
}

static bool link_degraded(const struct p2pdma_link *l)
{
	return (l->max_speed && l->speed < l->max_speed) ||
	       (l->max_width && l->width < l->max_width);
}

static bool link_known(const struct p2pdma_link *l)
{
	return l->speed || l->width || l->max_speed || l->max_width;
}

/* "x16 16.0 GT/s", and "(max x16 32.0 GT/s)" when it trained below that. */
static void put_link(struct p2pdma_buf *b, const struct p2pdma_link *l)
{
	if (!l->speed && !l->width)
		p2pdma_buf_puts(b, "link down");
	else
		put_link_half(b, l->width, l->speed);
	if (link_degraded(l)) {
		p2pdma_buf_puts(b, " (max ");
		put_link_half(b, l->max_width, l->max_speed);
		p2pdma_buf_puts(b, ")");
	}
}

/*
 * What matters for peer-to-peer is whether requests are redirected up to
 * the root complex: name those bits.  "ACS redirect: off" says the
 * capability is on but redirects nothing; "ACS: off" that it is all off.
 */
static void put_acs(struct p2pdma_buf *b, const struct p2pdma_function *fn)
{
	uint16_t redir = fn->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK;
	char bits[64];

	if (fn->acs_state == P2PDMA_ACS_UNKNOWN)
		p2pdma_buf_puts(b, "ACS: unknown");
	else if (redir)
		p2pdma_buf_printf(b, "ACS redirect: %s",
				  p2pdma_acs_flags_format(redir, bits, sizeof(bits)));
	else if (fn->acs_ctrl)
		p2pdma_buf_puts(b, "ACS redirect: off");
	else
		p2pdma_buf_puts(b, "ACS: off");
}

static void put_p2pmem(struct p2pdma_buf *b, const struct p2pdma_p2pmem *p)
{
	p2pdma_buf_puts(b, "p2pmem ");
	put_size(b, p->size);
	p2pdma_buf_printf(b, " (%s, ", p->published ? "published" : "not published");
	put_size(b, p->available);
	p2pdma_buf_puts(b, " free)");
}

/* The "; "-separated details after the name. */
static void put_details(struct p2pdma_buf *b, const struct p2pdma_function *fn)
{
	char pf[P2PDMA_BDF_STRLEN];

	if (fn->physfn)
		p2pdma_buf_printf(b, "; VF of %s",
				  p2pdma_bdf_format(&fn->physfn->bdf, pf, sizeof(pf)));
	if (link_known(&fn->link)) {
		p2pdma_buf_puts(b, "; ");
		put_link(b, &fn->link);
	}
	/* Absent is the common case for endpoints: say nothing. */
	if (fn->acs_state != P2PDMA_ACS_ABSENT) {
		p2pdma_buf_puts(b, "; ");
		put_acs(b, fn);
	}
	if (fn->iommu_group >= 0)
		p2pdma_buf_printf(b, "; IOMMU group %d", fn->iommu_group);
	if (fn->numa_node >= 0)
		p2pdma_buf_printf(b, "; NUMA %d", fn->numa_node);
	if (fn->driver)
		p2pdma_buf_printf(b, "; driver %s", fn->driver);
	if (fn->p2pmem.present) {
		p2pdma_buf_puts(b, "; ");
		put_p2pmem(b, &fn->p2pmem);
	}
}

static int prefix_set(struct tw *t, int depth, bool more)
{
	size_t need = (size_t)depth * 2 + 3;

	if (p2pdma_grow((void **)&t->prefix, &t->prefix_cap, need, 1))
		return -ENOMEM;
	memcpy(t->prefix + depth * 2, more ? "| " : "  ", 3);
	return 0;
}

static int put_function(struct tw *t, const struct p2pdma_function *fn, int depth,
			bool last)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	p2pdma_buf_printf(t->b, "%.*s%s%s %s: ", depth * 2, t->prefix, last ? "\\-" : "+-",
			  p2pdma_bdf_format(&fn->bdf, name, sizeof(name)),
			  p2pdma_role_name(fn->role));
	put_name(t->b, fn);
	put_details(t->b, fn);
	p2pdma_buf_puts(t->b, "\n");
	if (!fn->nr_children)
		return 0;
	if (prefix_set(t, depth, !last))
		return -ENOMEM;
	for (i = 0; i < fn->nr_children; i++)
		if (put_function(t, fn->children[i], depth + 1, i + 1 == fn->nr_children))
			return -ENOMEM;
	return 0;
}

static int put_host_bridge(struct tw *t, const struct p2pdma_host_bridge *hb)
{
	size_t i;

	p2pdma_buf_printf(t->b, "%s (root bus %04x:%02x", hb->name, hb->domain, hb->bus);
	if (hb->numa_node >= 0)
		p2pdma_buf_printf(t->b, ", NUMA %d", hb->numa_node);
	if (hb->bus_offset)
		p2pdma_buf_printf(t->b, ", bus address = CPU address + %#" PRIx64,
				  hb->bus_offset);
	p2pdma_buf_puts(t->b, ")\n");
	if (!hb->nr_children)
		p2pdma_buf_puts(t->b, "\\-(no functions)\n");
	for (i = 0; i < hb->nr_children; i++)
		if (put_function(t, hb->children[i], 0, i + 1 == hb->nr_children))
			return -ENOMEM;
	return 0;
}

static void put_header(struct p2pdma_buf *b, const struct p2pdma_fabric *f)
{
	if (f->cpu.known)
		p2pdma_buf_printf(b, "CPU: %s, family %u (%#x), model %u (%#x)\n",
				  f->cpu.vendor, f->cpu.family, f->cpu.family,
				  f->cpu.model, f->cpu.model);
	else
		p2pdma_buf_puts(b, "CPU: unknown\n");
	if (f->kernel_release)
		p2pdma_buf_printf(b, "Kernel: %s\n", f->kernel_release);
	if (f->cmdline) {
		char *safe = strdup(f->cmdline), *c;

		/* From a file: no escape sequence reaches the terminal. */
		for (c = safe; c && *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		p2pdma_buf_printf(b, "Kernel command line: %s\n", safe ? safe : "");
		free(safe);
	}
	p2pdma_buf_printf(b, "%zu host bridge%s, %zu PCI function%s\n", f->nr_hbs,
			  f->nr_hbs == 1 ? "" : "s", f->nr_fns, f->nr_fns == 1 ? "" : "s");
}

static void put_footer(struct p2pdma_buf *b, const struct p2pdma_fabric *f)
{
	if (!f->nr_acs_unknown)
		return;
	p2pdma_buf_printf(b,
			  "\nACS state unknown for %zu function%s: config space not readable (a capture made without root?); nothing is assumed about %s ACS redirect bits.\n",
			  f->nr_acs_unknown, f->nr_acs_unknown == 1 ? "" : "s",
			  f->nr_acs_unknown == 1 ? "its" : "their");
}

int p2pdma_fabric_write_tree(const struct p2pdma_fabric *f, char **out,
			     struct p2pdma_error *e)
{
	struct p2pdma_buf b = { 0 };
	struct tw t = { .b = &b };
	size_t i;
	int ret = 0;

	*out = NULL;
	if (!f->finalized)
		return p2pdma_fail(e, -EINVAL,
				   "the machine model is not finalized, so it cannot be drawn");
	put_header(&b, f);
	for (i = 0; i < f->nr_hbs && !ret; i++) {
		p2pdma_buf_puts(&b, "\n");
		ret = put_host_bridge(&t, f->hbs[i]);
	}
	put_footer(&b, f);
	free(t.prefix);
	if (ret || p2pdma_buf_finish(&b, out)) {
		free(b.s);
		*out = NULL;
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	return 0;
}
