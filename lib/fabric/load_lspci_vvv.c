// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader for "lspci -vvv" text without hex, the form people paste most.
 *
 * The tree comes from the bus numbers lspci prints for bridges ("Bus:
 * primary=00, secondary=03, subordinate=05"); ids from "[vvvv:dddd]"
 * (-nn), or by name through pci.ids when only names were printed; ACS
 * from the ACSCap/ACSCtl lines.  Whatever lspci did not print stays
 * unknown.  The ACS rule, for a function without ACS lines:
 *  - "Capabilities: <access denied>" (lspci run without root): unknown;
 *  - an Express function with extended capabilities listed, or when
 *    lspci listed extended capabilities for any function of the file
 *    (so it could read extended config space): absent;
 *  - an Express function otherwise: unknown;
 *  - a conventional PCI function (capabilities listed, none Express, or
 *    "Status: Cap-"): absent, ACS being a PCIe capability.
 * BARs come with their sizes from "Region N:" lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loaders.h"
#include "lspci.h"
#include "readfile.h"
#include "util.h"

#define VVV_MAX_BYTES (64u << 20)

static bool indented(const struct lspci_line *l)
{
	return l->len && (l->s[0] == '\t' || l->s[0] == ' ');
}

/* Split the text into one record per device line with its detail lines. */
static int scan(struct lspci_doc *d, const char *buf, size_t len, struct p2pdma_error *e)
{
	struct lspci_line l = { 0 };
	struct lspci_rec *cur = NULL;
	size_t pos = 0, skipped = 0;
	struct p2pdma_bdf bdf;
	int ret, n;

	while (lspci_next_line(buf, len, &pos, &l)) {
		if (lspci_line_blank(&l)) {
			if (cur && (ret = lspci_text_end(d, cur, e)))
				return ret;
			cur = NULL;
			continue;
		}
		if (indented(&l)) {
			if (cur) {
				ret = lspci_text_line(d, &cur->text, &l, e);
				if (ret)
					return ret;
			} else if (d->nr) {
				return lspci_line_error(d, &l, "a detail line with no device line above it", e);
			} else {
				skipped++;
			}
			continue;
		}
		n = lspci_device_prefix(&l, &bdf);
		if (n < 0)
			return lspci_line_error(d, &l, "device number above 1f or function above 7", e);
		if (n > 0) {
			if (cur && (ret = lspci_text_end(d, cur, e)))
				return ret;
			ret = lspci_doc_add(d, &l, &bdf, (size_t)n, true, e);
			if (ret)
				return ret;
			cur = &d->recs[d->nr - 1];
			continue;
		}
		if (lspci_hex_prefix(&l) && cur) {
			d->nr_hex_lines++;	/* -x with -vvv: this loader reads only the text */
			continue;
		}
		if (d->nr)
			return lspci_line_error(d, &l, "not a line of lspci output", e);
		skipped++;	/* a prompt or a heading before the first device */
	}
	if (cur && (ret = lspci_text_end(d, cur, e)))
		return ret;
	if (skipped)
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_INFO,
			   "%s: skipped %zu line(s) before the first device line", d->name, skipped);
	return 0;
}

static bool is_bridge_class(uint32_t class_code)
{
	return (class_code >> 8) == 0x0604 || (class_code >> 8) == 0x0609 ||
	       (class_code >> 8) == 0x0607;
}

/* The model's view of one function, from its detail lines. */
static int fill(struct lspci_doc *d, struct lspci_rec *r, struct p2pdma_error *e)
{
	struct lspci_text *t = &r->text;
	char name[P2PDMA_BDF_STRLEN];

	if (!t->bus_seen && t->any && r->class_known && is_bridge_class(r->fn.class_code) &&
	    (r->fn.class_code >> 8) != 0x0607)
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: %s is a PCI bridge but its 'Bus: primary=..' line is missing, so nothing can be placed behind it",
				   d->name, r->line,
				   p2pdma_bdf_format(&r->fn.bdf, name, sizeof(name)));
	r->bridge = t->bus_seen;
	if (r->bridge) {
		r->primary_bus = t->primary;
		r->fn.secondary_bus = t->secondary;
		r->fn.subordinate_bus = t->subordinate;
		if ((r->class_known && (r->fn.class_code >> 8) == 0x0607) ||
		    (t->caps_seen && !t->express))
			r->fn.role = P2PDMA_ROLE_PCI_BRIDGE;
		else
			r->fn.role = P2PDMA_ROLE_BRIDGE;
	}
	r->fn.pcie_type = t->pcie_type;
	if (t->express)
		r->fn.link = t->link;
	r->fn.acs_state = lspci_text_acs(d, t);
	if (r->fn.acs_state == P2PDMA_ACS_PRESENT) {
		r->fn.acs_cap = t->acs_cap;
		r->fn.acs_ctrl = t->acs_ctrl;
	}
	memcpy(r->fn.bars, t->bars, sizeof(r->fn.bars));
	if (t->subsys_ids) {
		r->fn.subsys_vendor = t->subsys_vendor;
		r->fn.subsys_device = t->subsys_device;
	}
	r->fn.iommu_group = t->iommu_group;
	r->fn.numa_node = t->numa_node;
	r->fn.driver = t->driver;	/* copied by the model; freed with the doc */
	if (t->sriov && t->vf_enabled && t->num_vfs > 0) {
		r->sriov = true;
		r->num_vfs = t->num_vfs;
		r->vf_offset = t->vf_offset;
		r->vf_stride = t->vf_stride;
		r->vf_device = t->vf_device;
	}
	return 0;
}

static bool any_details(const struct lspci_doc *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (d->recs[i].text.any)
			return true;
	return false;
}

/*
 * lspci -v ends every record, the last one too, with a blank line: a
 * paste without one was cut, and the function it cut (and any after it)
 * would load as a smaller machine.  Returns the line of the last text.
 */
static unsigned int cut_at(const char *buf, size_t len)
{
	size_t end = len, i;
	unsigned int line = 1;

	while (end && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\r'))
		end--;
	if (end >= 2 && buf[end - 1] == '\n') {
		size_t k = end - 1, start;

		while (k && (buf[k - 1] == ' ' || buf[k - 1] == '\t' || buf[k - 1] == '\r'))
			k--;
		if (!k || buf[k - 1] == '\n')
			return 0;
		/* -vvv -xxxx: a record that ends in its last hex line is whole. */
		for (start = k; start && buf[start - 1] != '\n'; start--)
			;
		if (k - start > 5 && (!memcmp(buf + start, "ff0: ", 5) ||
				      !memcmp(buf + start, "f0: ", 4) ||
				      !memcmp(buf + start, "30: ", 4)))
			return 0;
	}
	for (i = 0; i < end; i++)
		line += buf[i] == '\n';
	return line - (end && buf[end - 1] == '\n');
}

int p2pdma_lspci_vvv_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			      const char *name, const char *ids_path,
			      const struct p2pdma_load_opts *opts,
			      struct p2pdma_error *e)
{
	struct lspci_doc d = {
		.name = name,
		.log = opts ? opts->log : NULL,
		.log_arg = opts ? opts->log_arg : NULL,
	};
	size_t i;
	int ret;

	ret = scan(&d, buf, len, e);
	if (ret)
		goto out;
	if (!d.nr) {
		ret = p2pdma_fail(e, -EINVAL,
				  "%s: no lspci device lines ('00:1f.2 SATA controller: ...') in this file",
				  name);
		goto out;
	}
	if (!any_details(&d)) {
		ret = p2pdma_fail(e, -EINVAL,
				  "%s: plain 'lspci' output has no bus numbers; give 'lspci -vvv' (as root) or 'lspci -xxxx' output",
				  name);
		goto out;
	}
	ret = lspci_resolve_names(&d, ids_path, e);
	for (i = 0; i < d.nr && !ret; i++)
		ret = fill(&d, &d.recs[i], e);
	if (!ret)
		ret = lspci_build(f, &d, e);
	if (!ret && cut_at(buf, len))
		ret = p2pdma_fail(e, -EINVAL,
				  "%s:%u: the last record has no closing blank line: was the paste cut?",
				  name, cut_at(buf, len));
out:
	lspci_doc_free(&d);
	return ret;
}

int p2pdma_load_lspci_vvv(struct p2pdma_fabric *f, const char *path,
			  const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	size_t len;
	char *buf;
	int ret;

	ret = p2pdma_read_file(path, VVV_MAX_BYTES, &buf, &len, e);
	if (ret)
		return ret;
	ret = p2pdma_lspci_vvv_load_buf(f, buf, len, path, NULL, opts, e);
	free(buf);
	return ret;
}
