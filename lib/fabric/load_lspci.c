// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader for lspci hex dumps (-x, -xxx, -xxxx; with or without -D, -nn
 * and -v text between), through libpci's own dump reader ("lspci -F").
 *
 * libpci reads the hex; this file only checks it first, because libpci
 * stops at a bad line with "dump: Malformed line" and no line number.
 * The check is exactly as strict as lspci is in what it writes: each
 * device line is followed by whole 16-byte lines from offset 0 up to 64,
 * 256 or 4096 bytes.  The lines libpci reads (device addresses, hex,
 * blank separators) are then handed to it through a memory file, so that
 * text lines of any length and a missing final newline cannot trip it.
 *
 * What the config space gives: ids, class, header type and bus numbers,
 * PCIe port type and link (Express capability), ACS (extended capability
 * 0x0d) and SR-IOV, BAR addresses and flags.  BAR sizes are not in config
 * space (sizing writes to the BARs): they are 0, "unknown", unless the -v
 * text printed them.  ACS is
 *  - absent for a function without a capability list (no Express, no ACS),
 *    or with one (in 256+ bytes) that has no Express capability;
 *  - unknown in a 64-byte dump with a capability list, and in a 256-byte
 *    dump of a PCIe function (the extended space was not dumped);
 *  - present or absent as found in a 4096-byte dump.
 * When the hex leaves ACS unknown and the -vvv text between shows the
 * ACSCap/ACSCtl lines, those are used.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pci/pci.h>

#include "loaders.h"
#include "cfgspace.h"
#include "lspci.h"
#include "readfile.h"
#include "util.h"

#define DUMP_MAX_BYTES (64u << 20)
#define HEX_PER_LINE 16

/* ---------------------------------------------------------------------- */
/* Checking the hex and keeping the lines libpci needs                    */

struct scan {
	struct lspci_doc *d;
	struct p2pdma_buf out;		/* what libpci reads */
	struct lspci_rec *cur;
	unsigned int last_line;		/* of the current record */
};

static int end_record(struct scan *sc, struct p2pdma_error *e)
{
	struct lspci_rec *r = sc->cur;
	char name[P2PDMA_BDF_STRLEN];
	int ret;

	if (!r)
		return 0;
	sc->cur = NULL;
	ret = lspci_text_end(sc->d, r, e);
	if (ret)
		return ret;
	p2pdma_bdf_format(&r->fn.bdf, name, sizeof(name));
	if (!r->hex_len)
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: %s has no hex dump under it (give lspci -x, -xxx or -xxxx output, or load text with --input-format lspci-vvv)",
				   sc->d->name, r->line, name);
	if (r->hex_len != 64 && r->hex_len != 256 && r->hex_len != LSPCI_CFG_MAX)
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: %s: the hex dump stops at %#x; lspci dumps 64, 256 or 4096 bytes (was the file cut?)",
				   sc->d->name, sc->last_line, name, r->hex_len);
	p2pdma_buf_puts(&sc->out, "\n");
	return 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Bytes after "OFFSET: ": two hex digits each, one space between, as libpci reads them. */
static int count_bytes(struct scan *sc, const struct lspci_line *l, size_t p,
		       size_t *nbytes, struct p2pdma_error *e)
{
	const char *s = l->s;

	*nbytes = 0;
	while (p < l->len) {
		if (p + 1 == l->len && is_hex(s[p]))
			return lspci_line_error(sc->d, l, "hex line cut in the middle of a byte", e);
		if (!is_hex(s[p]) || !is_hex(s[p + 1]))
			return lspci_line_error(sc->d, l, "bad hex (a byte is two hex digits)", e);
		(*nbytes)++;
		p += 2;
		if (p < l->len && s[p++] != ' ')
			return lspci_line_error(sc->d, l, "bad hex (bytes are separated by one space)", e);
	}
	return 0;
}

/* "00: 86 80 05 34 ...": 16 bytes per line, offsets in order from 0. */
static int hex_line(struct scan *sc, const struct lspci_line *l, size_t digits,
		    struct p2pdma_error *e)
{
	struct lspci_rec *r = sc->cur;
	unsigned long off = 0;
	size_t i, nbytes;
	int ret;

	if (!r)
		return lspci_line_error(sc->d, l, "hex dump line with no device line above it", e);
	for (i = 0; i < digits; i++)
		off = off * 16 + (unsigned long)(l->s[i] <= '9' ? l->s[i] - '0' :
						 (l->s[i] | 0x20) - 'a' + 10);
	ret = count_bytes(sc, l, digits + 2, &nbytes, e);
	if (ret)
		return ret;
	if (off != r->hex_len)
		return lspci_line_error(sc->d, l, r->hex_len ?
				  "hex offset does not follow the line before (a line is missing?)" :
				  "a hex dump starts at offset 00", e);
	if (nbytes != HEX_PER_LINE)
		return lspci_line_error(sc->d, l, "a hex dump line holds 16 bytes (was the file cut?)", e);
	if (off + nbytes > LSPCI_CFG_MAX)
		return lspci_line_error(sc->d, l, "hex dump beyond the 4096 bytes of config space", e);
	r->hex_len = (unsigned int)(off + nbytes);
	if (!r->first_hex_line)
		r->first_hex_line = l->no;
	sc->last_line = l->no;
	sc->d->nr_hex_lines++;
	p2pdma_buf_printf(&sc->out, "%.*s\n", (int)l->len, l->s);
	return 0;
}

static int device_line(struct scan *sc, const struct lspci_line *l, int n,
		       const struct p2pdma_bdf *bdf, struct p2pdma_error *e)
{
	int ret = end_record(sc, e);

	if (ret)
		return ret;
	/* libpci's reader knows domains of four or five digits. */
	if (n > 13)
		return lspci_line_error(sc->d, l, "PCI domain wider than five hex digits", e);
	ret = lspci_doc_add(sc->d, l, bdf, (size_t)n, false, e);
	if (ret)
		return ret;
	sc->cur = &sc->d->recs[sc->d->nr - 1];
	sc->last_line = l->no;
	p2pdma_buf_printf(&sc->out, "%.*s \n", n, l->s);
	return 0;
}

static int scan_line(struct scan *sc, const struct lspci_line *l, struct p2pdma_error *e)
{
	struct p2pdma_bdf bdf;
	size_t digits;
	int n;

	if (lspci_line_blank(l))
		return end_record(sc, e);
	if (l->s[0] == '\t' || l->s[0] == ' ') {
		if (sc->cur)
			return lspci_text_line(sc->d, &sc->cur->text, l, e);
		if (sc->d->nr)
			return lspci_line_error(sc->d, l, "a detail line with no device line above it", e);
		return 0;
	}
	n = lspci_device_prefix(l, &bdf);
	if (n < 0)
		return lspci_line_error(sc->d, l, "device number above 1f or function above 7", e);
	if (n > 0)
		return device_line(sc, l, n, &bdf, e);
	digits = lspci_hex_prefix(l);
	if (digits)
		return hex_line(sc, l, digits, e);
	if (sc->d->nr)
		return lspci_line_error(sc->d, l, "not a line of an lspci dump", e);
	return 0;	/* a prompt or heading before the first device */
}

static int scan_text(struct scan *sc, const char *buf, size_t len, struct p2pdma_error *e)
{
	struct lspci_line l = { 0 };
	size_t pos = 0;
	int ret;

	while (lspci_next_line(buf, len, &pos, &l)) {
		ret = scan_line(sc, &l, e);
		if (ret)
			return ret;
	}
	ret = end_record(sc, e);
	if (ret)
		return ret;
	if (!sc->d->nr)
		return p2pdma_fail(e, -EINVAL, "%s: no lspci device lines in this file",
				   sc->d->name);
	if (sc->out.err)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* libpci                                                                  */

/* libpci's hooks carry no context: the load in progress is per thread. */
static __thread jmp_buf *dump_jmp;
static __thread char dump_msg[256];
static __thread struct lspci_doc *dump_doc;

static void __attribute__((noreturn, format(printf, 1, 2))) dump_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(dump_msg, sizeof(dump_msg), msg, ap);
	va_end(ap);
	longjmp(*dump_jmp, 1);
}

static void __attribute__((format(printf, 1, 2))) dump_warning(char *msg, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	if (dump_doc)
		p2pdma_log(dump_doc->log, dump_doc->log_arg, P2PDMA_LOG_WARN, "%s: libpci: %s",
			   dump_doc->name, buf);
}

static void __attribute__((format(printf, 1, 2))) dump_debug(char *msg, ...)
{
	(void)msg;
}

static void read_bus_numbers(struct pci_dev *pd, struct lspci_rec *r, int hdr)
{
	if (hdr != PCI_HEADER_TYPE_BRIDGE && hdr != PCI_HEADER_TYPE_CARDBUS)
		return;
	r->bridge = true;
	r->primary_bus = pci_read_byte(pd, PCI_PRIMARY_BUS);
	r->fn.secondary_bus = pci_read_byte(pd, PCI_SECONDARY_BUS);
	r->fn.subordinate_bus = pci_read_byte(pd, PCI_SUBORDINATE_BUS);
	r->fn.role = hdr == PCI_HEADER_TYPE_CARDBUS ? P2PDMA_ROLE_PCI_BRIDGE :
		     P2PDMA_ROLE_BRIDGE;
}

/* BAR registers, as libpci gathers them (a 64-bit BAR takes two slots). */
static void read_bars(struct pci_dev *pd, struct lspci_rec *r)
{
	int i;

	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		pciaddr_t v = pd->base_addr[i];
		struct p2pdma_bar *b = &r->fn.bars[i];

		if (v & PCI_BASE_ADDRESS_SPACE_IO) {
			b->flags = P2PDMA_BAR_IO;
			b->start = v & PCI_BASE_ADDRESS_IO_MASK;
		} else {
			b->flags = P2PDMA_BAR_MEM;
			if ((v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64)
				b->flags |= P2PDMA_BAR_64;
			if (v & PCI_BASE_ADDRESS_MEM_PREFETCH)
				b->flags |= P2PDMA_BAR_PREFETCH;
			b->start = v & ~(pciaddr_t)0xf;
		}
		if (!b->start)		/* not assigned */
			memset(b, 0, sizeof(*b));
	}
}

/* The bytes the dump gave, for the kernel's capability walk (cfgspace.c). */
struct cfg_bytes {
	uint8_t b[LSPCI_CFG_MAX];
	size_t len;
};

static unsigned int cfg_word(const struct cfg_bytes *c, unsigned int off)
{
	uint32_t v;

	return p2pdma_cfg_read(c->b, c->len, off, 2, &v) ? v : 0;
}

/* Port type and link; a register past the dump leaves the link unknown. */
static void read_express(const struct cfg_bytes *c, struct lspci_rec *r, unsigned int exp)
{
	uint32_t flags, lnkcap, lnksta;

	if (!p2pdma_cfg_read(c->b, c->len, exp + PCI_EXP_FLAGS, 2, &flags))
		return;
	r->fn.pcie_type = (int)((flags & PCI_EXP_FLAGS_TYPE) >> 4);
	if (r->fn.role == P2PDMA_ROLE_BRIDGE &&
	    (r->fn.pcie_type == PCI_EXP_TYPE_PCI_BRIDGE ||
	     r->fn.pcie_type == PCI_EXP_TYPE_PCIE_BRIDGE))
		r->fn.role = P2PDMA_ROLE_PCI_BRIDGE;
	/* Integrated endpoints and event collectors have no link. */
	if (r->fn.pcie_type == PCI_EXP_TYPE_ROOT_INT_EP || r->fn.pcie_type == PCI_EXP_TYPE_ROOT_EC)
		return;
	if (!p2pdma_cfg_read(c->b, c->len, exp + PCI_EXP_LNKCAP, 4, &lnkcap) ||
	    !p2pdma_cfg_read(c->b, c->len, exp + PCI_EXP_LNKSTA, 2, &lnksta))
		return;
	r->fn.link.max_speed = lspci_speed_mts(lnkcap & PCI_EXP_LNKCAP_SPEED);
	r->fn.link.max_width = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
	r->fn.link.speed = lspci_speed_mts(lnksta & PCI_EXP_LNKSTA_SPEED);
	r->fn.link.width = (lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4;
}

static void read_acs(const struct cfg_bytes *c, struct lspci_rec *r, bool cap_list,
		     bool express)
{
	unsigned int acs;
	uint32_t cap, ctrl;

	if (!cap_list || (r->hex_len >= 256 && !express)) {
		r->fn.acs_state = P2PDMA_ACS_ABSENT;
		return;
	}
	if (r->hex_len < 256)
		return;			/* unknown */
	acs = p2pdma_cfg_find_ext_cap(c->b, c->len, PCI_EXT_CAP_ID_ACS);
	if (acs && p2pdma_cfg_read(c->b, c->len, acs + PCI_ACS_CAP, 2, &cap) &&
	    p2pdma_cfg_read(c->b, c->len, acs + PCI_ACS_CTRL, 2, &ctrl)) {
		r->fn.acs_state = P2PDMA_ACS_PRESENT;
		r->fn.acs_cap = (uint16_t)cap;
		r->fn.acs_ctrl = (uint16_t)ctrl;
	} else if (!acs && r->hex_len == LSPCI_CFG_MAX) {
		r->fn.acs_state = P2PDMA_ACS_ABSENT;
	}
}

static void read_sriov(const struct cfg_bytes *c, struct lspci_rec *r)
{
	unsigned int s = p2pdma_cfg_find_ext_cap(c->b, c->len, PCI_EXT_CAP_ID_SRIOV);

	/* The SR-IOV capability is 0x40 bytes; one cut short is not read. */
	if (!s || s + 0x40 > c->len || !(cfg_word(c, s + PCI_IOV_CTRL) & PCI_IOV_CTRL_VFE))
		return;
	r->num_vfs = (int)cfg_word(c, s + PCI_IOV_NUMVF);
	r->vf_offset = (int)cfg_word(c, s + PCI_IOV_OFFSET);
	r->vf_stride = (int)cfg_word(c, s + PCI_IOV_STRIDE);
	r->vf_device = (int)cfg_word(c, s + PCI_IOV_DID);
	r->sriov = r->num_vfs > 0;
}

/* Everything the config space of one function says. */
static void read_function(struct pci_dev *pd, struct lspci_rec *r)
{
	static __thread struct cfg_bytes c;
	unsigned int exp;
	bool cap_list;
	int hdr;

	pci_fill_info(pd, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
			  PCI_FILL_SUBSYS | PCI_FILL_BASES);
	r->fn.vendor = pd->vendor_id;
	r->fn.device = pd->device_id;
	r->fn.class_code = (uint32_t)pd->device_class << 8 | pd->prog_if;
	r->fn.revision = pd->rev_id;
	if (pd->subsys_vendor_id != 0xffff) {
		r->fn.subsys_vendor = pd->subsys_vendor_id;
		r->fn.subsys_device = pd->subsys_id;
	}
	r->ids_known = r->class_known = true;
	c.len = r->hex_len <= LSPCI_CFG_MAX ? r->hex_len : LSPCI_CFG_MAX;
	if (!pci_read_block(pd, 0, c.b, (int)c.len))
		c.len = 0;
	hdr = pci_read_byte(pd, PCI_HEADER_TYPE) & 0x7f;
	read_bus_numbers(pd, r, hdr);
	read_bars(pd, r);
	cap_list = pci_read_word(pd, PCI_STATUS) & PCI_STATUS_CAP_LIST;
	/* The kernel's walk (cfgspace.c), not libpci's: it is what the kernel sees. */
	exp = r->hex_len >= 256 ? p2pdma_cfg_find_cap(c.b, c.len, PCI_CAP_ID_EXP) : 0;
	if (exp)
		read_express(&c, r, exp);
	else if (r->bridge && cap_list && r->hex_len >= 256)
		r->fn.role = P2PDMA_ROLE_PCI_BRIDGE;	/* conventional PCI */
	read_acs(&c, r, cap_list, exp != 0);
	if (r->hex_len == LSPCI_CFG_MAX)
		read_sriov(&c, r);
}

static void read_all(struct pci_access *pa, struct lspci_doc *d)
{
	struct pci_dev *pd;

	for (pd = pa->devices; pd; pd = pd->next) {
		struct p2pdma_bdf b = {
			.domain = (uint32_t)pd->domain, .bus = pd->bus,
			.dev = pd->dev, .fn = pd->func,
		};
		struct lspci_rec *r = lspci_find(d, &b);

		if (r)
			read_function(pd, r);
	}
}

/* Hand the checked lines to libpci's dump method and read every function. */
static int run_libpci(struct lspci_doc *d, const char *text, size_t len,
		      struct p2pdma_error *e)
{
	char path[64], param[] = "dump.name";
	struct pci_access *volatile pa = NULL;
	volatile int ret = 0;
	jmp_buf jb;
	int fd;

	fd = memfd_create("p2pdma-lspci", MFD_CLOEXEC);
	if (fd < 0)
		return p2pdma_fail(e, -errno, "%s: memfd_create: %s", d->name, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return p2pdma_fail(e, -EIO, "%s: cannot stage the dump for libpci", d->name);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dump_msg[0] = '\0';
	dump_jmp = &jb;
	dump_doc = d;
	if (setjmp(jb)) {
		ret = p2pdma_fail(e, -EINVAL, "%s: libpci cannot read the dump: %s", d->name,
				  dump_msg);
		goto out;
	}
	pa = pci_alloc();
	if (!pa) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	pa->error = dump_error;
	pa->warning = dump_warning;
	pa->debug = dump_debug;
	pa->method = PCI_ACCESS_DUMP;
	pci_set_param(pa, param, path);
	pci_init(pa);
	read_all(pa, d);
out:
	if (pa)
		pci_cleanup(pa);
	dump_jmp = NULL;
	dump_doc = NULL;
	close(fd);
	return ret;
}

/* The -vvv text between the hex fills in what the hex did not have. */
static void merge_text(struct lspci_doc *d, struct lspci_rec *r)
{
	struct lspci_text *t = &r->text;
	int i;

	if (r->fn.acs_state == P2PDMA_ACS_UNKNOWN && t->any) {
		r->fn.acs_state = lspci_text_acs(d, t);
		if (r->fn.acs_state == P2PDMA_ACS_PRESENT) {
			r->fn.acs_cap = t->acs_cap;
			r->fn.acs_ctrl = t->acs_ctrl;
		}
	}
	if (r->fn.pcie_type < 0 && t->express) {
		r->fn.pcie_type = t->pcie_type;
		r->fn.link = t->link;
	}
	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		if (r->fn.bars[i].start && t->bars[i].start == r->fn.bars[i].start)
			r->fn.bars[i].size = t->bars[i].size;
	r->fn.iommu_group = t->iommu_group;
	r->fn.numa_node = t->numa_node;
	r->fn.driver = t->driver;	/* copied by the model; freed with the doc */
	if (!r->sriov && t->sriov && t->vf_enabled && t->num_vfs > 0) {
		r->sriov = true;
		r->num_vfs = t->num_vfs;
		r->vf_offset = t->vf_offset;
		r->vf_stride = t->vf_stride;
		r->vf_device = t->vf_device;
	}
}

int p2pdma_lspci_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			  const char *name, const struct p2pdma_load_opts *opts,
			  struct p2pdma_error *e)
{
	struct lspci_doc d = {
		.name = name,
		.log = opts ? opts->log : NULL,
		.log_arg = opts ? opts->log_arg : NULL,
	};
	struct scan sc = { .d = &d };
	size_t i;
	int ret;

	ret = scan_text(&sc, buf, len, e);
	if (ret)
		goto out;
	ret = lspci_sort_check(&d, e);
	if (ret)
		goto out;
	ret = run_libpci(&d, sc.out.s, sc.out.len, e);
	if (ret)
		goto out;
	for (i = 0; i < d.nr; i++)
		merge_text(&d, &d.recs[i]);
	ret = lspci_build(f, &d, e);
out:
	free(sc.out.s);
	lspci_doc_free(&d);
	return ret;
}

/* What a dump of @from says about a function the tree already placed as @to. */
static void take_config(struct lspci_rec *to, struct lspci_rec *from)
{
	struct p2pdma_function *t = &to->fn, *f = &from->fn;

	if (f->role == P2PDMA_ROLE_PCI_BRIDGE && t->role == P2PDMA_ROLE_BRIDGE)
		t->role = P2PDMA_ROLE_PCI_BRIDGE;
	t->revision = f->revision;
	t->subsys_vendor = f->subsys_vendor;
	t->subsys_device = f->subsys_device;
	t->pcie_type = f->pcie_type;
	t->link = f->link;
	memcpy(t->bars, f->bars, sizeof(t->bars));
	t->acs_state = f->acs_state;
	t->acs_cap = f->acs_cap;
	t->acs_ctrl = f->acs_ctrl;
	t->iommu_group = f->iommu_group;
	t->numa_node = f->numa_node;
	to->text.driver = from->text.driver;	/* freed with @to's doc now */
	from->text.driver = NULL;
	t->driver = to->text.driver;
	to->sriov = from->sriov;
	to->num_vfs = from->num_vfs;
	to->vf_offset = from->vf_offset;
	to->vf_stride = from->vf_stride;
	to->vf_device = from->vf_device;
}

/* Each dumped function must be one @d holds, with the same ids. */
static int merge_into(struct lspci_doc *d, struct lspci_doc *dump, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < dump->nr; i++) {
		struct lspci_rec *from = &dump->recs[i], *to = lspci_find(d, &from->fn.bdf);

		p2pdma_bdf_format(&from->fn.bdf, name, sizeof(name));
		if (!to)
			return p2pdma_fail(e, -EINVAL, "%s:%u: %s has a config-space dump but the 'lspci -t' tree does not place it; the two were not taken together",
					   dump->name, from->line, name);
		if (to->fn.vendor != from->fn.vendor || to->fn.device != from->fn.device)
			return p2pdma_fail(e, -EINVAL, "%s:%u: %s: the dump's ids %04x:%04x are not the %04x:%04x 'lspci -nn' gives",
					   dump->name, from->line, name, from->fn.vendor,
					   from->fn.device, to->fn.vendor, to->fn.device);
		take_config(to, from);
	}
	return 0;
}

int lspci_merge_dump(struct lspci_doc *d, const char *buf, size_t len,
		     struct p2pdma_error *e)
{
	struct lspci_doc dump = { .name = d->name, .log = d->log, .log_arg = d->log_arg };
	struct scan sc = { .d = &dump };
	size_t i;
	int ret;

	ret = scan_text(&sc, buf, len, e);
	if (!ret)
		ret = lspci_sort_check(&dump, e);
	if (!ret)
		ret = run_libpci(&dump, sc.out.s, sc.out.len, e);
	for (i = 0; !ret && i < dump.nr; i++)
		merge_text(&dump, &dump.recs[i]);
	if (!ret)
		ret = merge_into(d, &dump, e);
	free(sc.out.s);
	lspci_doc_free(&dump);
	return ret;
}

int p2pdma_load_lspci(struct p2pdma_fabric *f, const char *path,
		      const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	size_t len;
	char *buf;
	int ret;

	ret = p2pdma_read_file(path, DUMP_MAX_BYTES, &buf, &len, e);
	if (ret)
		return ret;
	ret = p2pdma_lspci_load_buf(f, buf, len, path, opts, e);
	free(buf);
	return ret;
}
