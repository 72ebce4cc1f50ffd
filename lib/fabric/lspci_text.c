// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading what lspci prints: device lines ("00:1f.2 SATA controller
 * [0106]: Intel ... [8086:a102] (rev 31)") and the indented detail lines
 * of -v/-vv/-vvv.  Only the lines the model needs are read, and those
 * strictly: a line that starts like one of them but does not parse is an
 * error with its line number (that is how a file cut mid-line shows).
 * Everything else is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci.h"
#include "readfile.h"
#include "util.h"

bool lspci_next_line(const char *buf, size_t len, size_t *pos, struct lspci_line *l)
{
	const char *s, *nl;
	size_t n;

	if (*pos >= len)
		return false;
	s = buf + *pos;
	nl = memchr(s, '\n', len - *pos);
	n = nl ? (size_t)(nl - s) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n && s[n - 1] == '\r')
		n--;
	/* A byte-order mark some editors put in front. */
	if (l->no == 0 && n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		s += 3;
		n -= 3;
	}
	l->s = s;
	l->len = n;
	l->no++;
	return true;
}

bool lspci_line_blank(const struct lspci_line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return false;
	return true;
}

int lspci_line_error(const struct lspci_doc *d, const struct lspci_line *l, const char *why,
		     struct p2pdma_error *e)
{
	char ex[80];

	return p2pdma_fail(e, -EINVAL, "%s:%u: %s: '%s'", d->name, l->no, why,
			   p2pdma_excerpt(ex, sizeof(ex), l->s, l->len, 60));
}

static size_t count_hex(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && p2pdma_hexval((unsigned char)s[n]) >= 0)
		n++;
	return n;
}

/* @n (1..8) hex digits that count_hex() has seen. */
static unsigned long hex_field(const char *s, size_t n)
{
	uint64_t v = 0;

	p2pdma_hex_digits(s, n, &v);
	return (unsigned long)v;
}

int lspci_device_prefix(const struct lspci_line *l, struct p2pdma_bdf *bdf)
{
	const char *s = l->s;
	size_t len = l->len, n, p = 0;
	unsigned long dom = 0, bus, dev;

	n = count_hex(s, len);
	if (n >= 4 && n <= 8 && n < len && s[n] == ':') {
		dom = hex_field(s, n);
		p = n + 1;
		n = count_hex(s + p, len - p);
	}
	/* BB:DD.F followed by a space */
	if (n != 2 || p + 8 > len || s[p + 2] != ':' ||
	    count_hex(s + p + 3, 2) != 2 || s[p + 5] != '.' ||
	    p2pdma_hexval((unsigned char)s[p + 6]) < 0 || s[p + 7] != ' ')
		return 0;
	bus = hex_field(s + p, 2);
	dev = hex_field(s + p + 3, 2);
	if (dev > 0x1f || p2pdma_hexval((unsigned char)s[p + 6]) > 7)
		return -EINVAL;
	bdf->domain = (uint32_t)dom;
	bdf->bus = (uint8_t)bus;
	bdf->dev = (uint8_t)dev;
	bdf->fn = (uint8_t)p2pdma_hexval((unsigned char)s[p + 6]);
	return (int)(p + 7);
}

size_t lspci_hex_prefix(const struct lspci_line *l)
{
	size_t n = count_hex(l->s, l->len);

	if (n < 2 || n > 8 || n + 1 >= l->len || l->s[n] != ':' || l->s[n + 1] != ' ')
		return 0;
	return n;
}

/* ---------------------------------------------------------------------- */
/* Device lines                                                            */

/* Does @s (length @n) end with @suffix? */
static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Last occurrence of @needle in the first @n bytes of @s. */
static const char *last_str(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *best = NULL, *p = s;

	while (n >= k && (size_t)(p - s) <= n - k) {
		const char *q = memmem(p, n - (size_t)(p - s), needle, k);

		if (!q)
			break;
		best = q;
		p = q + 1;
	}
	return best;
}

/* "[xxxx:xxxx]" at @p (length 11). */
static bool id_pair(const char *p, uint16_t *a, uint16_t *b)
{
	if (p[0] != '[' || count_hex(p + 1, 4) != 4 || p[5] != ':' ||
	    count_hex(p + 6, 4) != 4 || p[10] != ']')
		return false;
	*a = (uint16_t)hex_field(p + 1, 4);
	*b = (uint16_t)hex_field(p + 6, 4);
	return true;
}

/* Strip " (prog-if XX [name])" / " (prog-if XX)" from the end of @desc. */
static void strip_prog_if(struct lspci_rec *r, const char *desc, size_t *n)
{
	const char *p = last_str(desc, *n, " (prog-if ");
	const char *h;

	if (!p || !ends_with(desc, *n, ")"))
		return;
	h = p + strlen(" (prog-if ");
	if (count_hex(h, 2) != 2 || (h[2] != ')' && h[2] != ' '))
		return;
	r->fn.class_code = (r->fn.class_code & ~0xffu) | (uint32_t)hex_field(h, 2);
	*n = (size_t)(p - desc);
}

static void strip_rev(struct lspci_rec *r, const char *desc, size_t *n)
{
	if (*n >= 9 && !memcmp(desc + *n - 9, " (rev ", 6) &&
	    count_hex(desc + *n - 3, 2) == 2 && desc[*n - 1] == ')') {
		r->fn.revision = (uint8_t)hex_field(desc + *n - 3, 2);
		*n -= 9;
	}
}

/* A name from the file, safe to print: control characters become '?'. */
static char *printable_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	return d ? p2pdma_excerpt(d, n + 1, s, n, n) : NULL;
}

static int parse_class(struct lspci_rec *r, const char *c, size_t n)
{
	if (n == 4 && count_hex(c, 4) == 4) {		/* lspci -n */
		r->fn.class_code = (uint32_t)hex_field(c, 4) << 8;
		r->class_known = true;
		return 0;
	}
	if (n >= 7 && c[n - 1] == ']' && c[n - 6] == '[' && count_hex(c + n - 5, 4) == 4) {
		r->fn.class_code = (uint32_t)hex_field(c + n - 5, 4) << 8;
		r->class_known = true;
		return 0;
	}
	r->class_name = printable_dup(c, n);
	return r->class_name ? 0 : -ENOMEM;
}

/*
 * After the address: "CLASS: DESCRIPTION", where CLASS is "0604" (-n),
 * "PCI bridge [0604]" (-nn) or "PCI bridge", and DESCRIPTION ends in
 * "[8086:2f04]" with -nn, is "8086:2f04" with -n, or names only.
 */
static int parse_header(struct lspci_rec *r, const char *s, size_t len)
{
	const char *colon = memmem(s, len, ": ", 2);
	const char *desc;
	size_t n;
	int ret;

	if (!colon)
		return -EINVAL;
	ret = parse_class(r, s, (size_t)(colon - s));
	if (ret)
		return ret;
	desc = colon + 2;
	n = len - (size_t)(desc - s);
	strip_prog_if(r, desc, &n);
	strip_rev(r, desc, &n);
	if (n == 9 && desc[4] == ':' && count_hex(desc, 4) == 4 &&
	    count_hex(desc + 5, 4) == 4) {			/* lspci -n */
		r->fn.vendor = (uint16_t)hex_field(desc, 4);
		r->fn.device = (uint16_t)hex_field(desc + 5, 4);
		r->ids_known = true;
		return 0;
	}
	if (n >= 11 && id_pair(desc + n - 11, &r->fn.vendor, &r->fn.device)) {
		r->ids_known = true;
		return 0;
	}
	if (!n)
		return -EINVAL;
	r->name = printable_dup(desc, n);
	return r->name ? 0 : -ENOMEM;
}

static void text_init(struct lspci_text *t)
{
	memset(t, 0, sizeof(*t));
	t->pcie_type = -1;
	t->primary = t->secondary = t->subordinate = -1;
	t->vf_device = -1;
	t->iommu_group = -1;
	t->numa_node = -1;
}

int lspci_doc_add(struct lspci_doc *d, const struct lspci_line *l,
		  const struct p2pdma_bdf *bdf, size_t addr_len, bool parse_header_text,
		  struct p2pdma_error *e)
{
	struct lspci_rec *r;
	int ret;

	if (p2pdma_grow((void **)&d->recs, &d->cap, d->nr + 1, sizeof(*d->recs)))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	r = &d->recs[d->nr++];
	memset(r, 0, sizeof(*r));
	p2pdma_function_init(&r->fn);
	r->fn.bdf = *bdf;
	r->line = l->no;
	r->primary_bus = -1;
	r->vf_device = -1;
	text_init(&r->text);
	if (!parse_header_text)
		return 0;
	ret = parse_header(r, l->s + addr_len + 1, l->len - addr_len - 1);
	if (ret == -ENOMEM)
		return p2pdma_fail(e, ret, "out of memory");
	if (ret)
		return p2pdma_fail(e, ret,
				   "%s:%u: a device line reads 'ADDRESS CLASS: DESCRIPTION'; this one has no ': '",
				   d->name, l->no);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Detail lines                                                            */

/* Skip leading blanks; @l keeps the rest. */
static void trim(const struct lspci_line *l, const char **s, size_t *n)
{
	*s = l->s;
	*n = l->len;
	while (*n && (**s == '\t' || **s == ' ')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static bool key(const char *s, size_t n, const char *k, const char **rest, size_t *rn)
{
	size_t kl = strlen(k);

	if (n < kl || memcmp(s, k, kl))
		return false;
	*rest = s + kl;
	*rn = n - kl;
	while (*rn && (**rest == ' ' || **rest == '\t')) {
		(*rest)++;
		(*rn)--;
	}
	return true;
}

static int bad_line(struct lspci_doc *d, const struct lspci_line *l, const char *what,
		    struct p2pdma_error *e)
{
	char ex[100];

	return p2pdma_fail(e, -EINVAL, "%s:%u: %s: '%s'", d->name, l->no, what,
			   p2pdma_excerpt(ex, sizeof(ex), l->s, l->len, 80));
}

/* A decimal number at *s, advancing; -1 when there is none. */
static long dec_at(const char **s, const char *end)
{
	long v = 0;
	int digits = 0;

	while (*s < end && **s >= '0' && **s <= '9' && digits < 10) {
		v = v * 10 + (**s - '0');
		(*s)++;
		digits++;
	}
	return digits ? v : -1;
}

/* "primary=00, secondary=03, subordinate=03, sec-latency=0" */
static int parse_bus(struct lspci_text *t, const char *s, size_t n)
{
	static const char *const keys[] = { "primary=", "secondary=", "subordinate=" };
	int *vals[] = { &t->primary, &t->secondary, &t->subordinate };
	const char *p = s, *end = s + n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		size_t kl = strlen(keys[i]);

		if ((size_t)(end - p) < kl + 2 || memcmp(p, keys[i], kl) ||
		    count_hex(p + kl, 2) != 2)
			return -EINVAL;
		*vals[i] = (int)hex_field(p + kl, 2);
		p += kl + 2;
		if (i + 1 < ARRAY_SIZE(keys)) {
			if (end - p < 2 || p[0] != ',' || p[1] != ' ')
				return -EINVAL;
			p += 2;
		}
	}
	/* "sec-latency=N" may follow; a cut there does not matter. */
	t->bus_seen = true;
	return 0;
}

static const struct {
	const char *name;
	uint16_t bit;
} acs_names[] = {
	{ "SrcValid", P2PDMA_ACS_SV }, { "TransBlk", P2PDMA_ACS_TB },
	{ "ReqRedir", P2PDMA_ACS_RR }, { "CmpltRedir", P2PDMA_ACS_CR },
	{ "UpstreamFwd", P2PDMA_ACS_UF }, { "EgressCtrl", P2PDMA_ACS_EC },
	{ "DirectTrans", P2PDMA_ACS_DT },
};

/* "SrcValid+ TransBlk+ ReqRedir- ..." : every one of the seven, once. */
static int parse_acs_bits(const char *s, size_t n, uint16_t *out)
{
	const char *p = s, *end = s + n;
	uint16_t bits = 0, seen = 0;
	size_t i;

	while (p < end) {
		const char *tok = p;
		size_t tl;

		while (p < end && *p != ' ' && *p != '\t')
			p++;
		tl = (size_t)(p - tok);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (tl < 2 || (tok[tl - 1] != '+' && tok[tl - 1] != '-'))
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(acs_names); i++)
			if (strlen(acs_names[i].name) == tl - 1 &&
			    !memcmp(tok, acs_names[i].name, tl - 1))
				break;
		if (i == ARRAY_SIZE(acs_names) || (seen & acs_names[i].bit))
			return -EINVAL;
		seen |= acs_names[i].bit;
		if (tok[tl - 1] == '+')
			bits |= acs_names[i].bit;
	}
	if (seen != 0x7f)
		return -EINVAL;
	*out = bits;
	return 0;
}

/* "Speed 8GT/s" and "Width x16" anywhere in a LnkCap/LnkSta line. */
static int parse_link(const char *s, size_t n, uint32_t *speed, uint32_t *width)
{
	const char *sp = memmem(s, n, "Speed ", 6);
	const char *wd = memmem(s, n, "Width x", 7);
	const char *end = s + n, *p;
	char buf[24];
	size_t k;
	long w;

	if (!sp || !wd)
		return -EINVAL;
	p = sp + 6;
	for (k = 0; p + k < end && p[k] != ',' && p[k] != ' ' && k < sizeof(buf) - 1; k++)
		buf[k] = p[k];
	buf[k] = '\0';
	if (p + k >= end || p2pdma_link_speed_parse(buf, speed))
		return -EINVAL;
	p = wd + 7;
	w = dec_at(&p, end);
	if (w < 0 || w > 32 || (p < end && *p != ',' && *p != ' '))
		return -EINVAL;
	*width = (uint32_t)w;
	return 0;
}

static const struct {
	const char *name;
	int type;
} express_types[] = {
	{ "Endpoint", 0x0 },
	{ "Legacy Endpoint", 0x1 },
	{ "Root Port", 0x4 },
	{ "Upstream Port", 0x5 },
	{ "Downstream Port", 0x6 },
	{ "PCI-Express to PCI/PCI-X Bridge", 0x7 },
	{ "PCI/PCI-X to PCI-Express Bridge", 0x8 },
	{ "Root Complex Integrated Endpoint", 0x9 },
	{ "Root Complex Event Collector", 0xa },
};

/* "Express (v2) Root Port (Slot-), MSI 00" -> 4 */
static void parse_express(struct lspci_text *t, const char *s, size_t n)
{
	const char *p = s + strlen("Express "), *end = s + n;
	size_t i;

	t->express = true;
	if (p < end && *p == '(') {
		const char *q = memchr(p, ')', (size_t)(end - p));

		if (!q)
			return;
		p = q + 1;
		while (p < end && *p == ' ')
			p++;
	}
	for (i = 0; i < ARRAY_SIZE(express_types); i++) {
		size_t k = strlen(express_types[i].name);

		if ((size_t)(end - p) >= k && !memcmp(p, express_types[i].name, k) &&
		    ((size_t)(end - p) == k || p[k] == ' ' || p[k] == ',' || p[k] == '('))
			t->pcie_type = express_types[i].type;
	}
}

enum cap_kind { CAP_NONE, CAP_OTHER, CAP_EXPRESS, CAP_ACS, CAP_SRIOV };

/* "Capabilities: [110 v1] Access Control Services" */
static int parse_cap_header(struct lspci_text *t, const char *s, size_t n,
			    enum cap_kind *kind)
{
	const char *end = s + n, *p;
	size_t h;

	if (n >= 15 && !memcmp(s, "<access denied>", 15)) {
		t->access_denied = true;
		*kind = CAP_NONE;
		return 0;
	}
	if (n < 4 || s[0] != '[')
		return -EINVAL;
	h = count_hex(s + 1, n - 1);
	if (!h || h > 3)
		return -EINVAL;
	p = s + 1 + h;
	if (p < end && *p == ' ') {	/* " vN" */
		p++;
		if (p >= end || *p != 'v')
			return -EINVAL;
		p++;
		if (dec_at(&p, end) < 0)
			return -EINVAL;
	}
	if (p >= end || *p != ']')
		return -EINVAL;
	p++;
	t->caps_seen = true;
	if (hex_field(s + 1, h) >= 0x100)
		t->ext_caps_seen = true;
	while (p < end && *p == ' ')
		p++;
	*kind = CAP_OTHER;
	if ((size_t)(end - p) >= 8 && !memcmp(p, "Express ", 8)) {
		parse_express(t, p, (size_t)(end - p));
		*kind = CAP_EXPRESS;
	} else if ((size_t)(end - p) >= 23 && !memcmp(p, "Access Control Services", 23)) {
		/* The kernel uses the first ACS capability; later ones are skipped. */
		if (!t->acs_header)
			*kind = CAP_ACS;
		t->acs_header = true;
	} else if ((size_t)(end - p) >= 35 &&
		   !memcmp(p, "Single Root I/O Virtualization (SR-IOV)", 35)) {
		*kind = CAP_SRIOV;
	} else if (!t->subsys_ids && (size_t)(end - p) > 11 + 11 &&
		   !memcmp(p, "Subsystem: ", 11) &&
		   id_pair(end - 11, &t->subsys_vendor, &t->subsys_device)) {
		/* A bridge's subsystem ids; a type 0 header has its own line first. */
		t->subsys_ids = true;
	}
	return 0;
}

/* "[size=16M]" somewhere in the line. */
static int parse_size(const char *s, size_t n, uint64_t *size)
{
	const char *p = memmem(s, n, "[size=", 6), *end = s + n;
	long v;
	int shift = 0;

	*size = 0;
	if (!p)
		return 0;
	p += 6;
	v = dec_at(&p, end);
	if (v < 0 || p >= end)
		return -EINVAL;
	switch (*p) {
	case 'K': shift = 10; p++; break;
	case 'M': shift = 20; p++; break;
	case 'G': shift = 30; p++; break;
	case 'T': shift = 40; p++; break;
	case 'P': shift = 50; p++; break;
	default: break;
	}
	if (p >= end || *p != ']' || (uint64_t)v > (UINT64_MAX >> shift))
		return -EINVAL;
	*size = (uint64_t)v << shift;
	return 0;
}

/*
 * "Region 0: Memory at fb000000 (32-bit, non-prefetchable) [size=16M]"
 * "Region 4: I/O ports at e000 [size=32]"; "<unassigned>" and "<ignored>"
 * addresses leave the BAR out.
 */
static int parse_region(struct lspci_text *t, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *a;
	struct p2pdma_bar bar = { 0 };
	size_t h;
	long idx;

	idx = dec_at(&p, end);
	if (idx < 0 || idx >= P2PDMA_NUM_BARS || end - p < 2 || p[0] != ':' || p[1] != ' ')
		return -EINVAL;
	/* lspci prints each region once: a second one is a spliced or forged file. */
	if (t->regions_seen & 1u << idx)
		return -EINVAL;
	t->regions_seen |= 1u << idx;
	p += 2;
	while ((size_t)(end - p) > 1 && *p == '[') {	/* [virtual], [enhanced] */
		const char *q = memchr(p, ']', (size_t)(end - p));

		if (!q)
			return -EINVAL;
		p = q + 1;
		while (p < end && *p == ' ')
			p++;
	}
	if ((size_t)(end - p) >= 10 && !memcmp(p, "Memory at ", 10)) {
		a = p + 10;
		bar.flags = P2PDMA_BAR_MEM;
		if (memmem(p, (size_t)(end - p), "64-bit", 6))
			bar.flags |= P2PDMA_BAR_64;
		if (memmem(p, (size_t)(end - p), ", prefetchable", 14))
			bar.flags |= P2PDMA_BAR_PREFETCH;
	} else if ((size_t)(end - p) >= 13 && !memcmp(p, "I/O ports at ", 13)) {
		a = p + 13;
		bar.flags = P2PDMA_BAR_IO;
	} else {
		return -EINVAL;
	}
	t->bars_seen = true;
	if (a < end && *a == '<')
		return 0;
	h = count_hex(a, (size_t)(end - a));
	if (!h || h > 16 || (a + h < end && a[h] != ' '))
		return -EINVAL;
	bar.start = hex_field(a, h);
	if (parse_size(a, (size_t)(end - a), &bar.size))
		return -EINVAL;
	t->bars[idx] = bar;
	return 0;
}

static int parse_int_value(const char *s, size_t n, int *out)
{
	const char *p = s;
	long v = dec_at(&p, s + n);

	if (v < 0 || p != s + n || v > 0x7fffffff)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* SR-IOV lines: "IOVCtl: Enable+ ...", "... Number of VFs: 8, ...", "VF offset: 128, stride: 2, Device ID: 1520" */
static int parse_sriov_line(struct lspci_text *t, const char *s, size_t n)
{
	const char *p, *end = s + n;
	long v;

	if (n >= 8 && !memcmp(s, "IOVCtl:", 7)) {
		t->vf_enabled = memmem(s, n, "Enable+", 7) != NULL;
		return 0;
	}
	p = memmem(s, n, "Number of VFs: ", 15);
	if (p) {
		p += 15;
		v = dec_at(&p, end);
		if (v < 0 || v > 0xffff)
			return -EINVAL;
		t->num_vfs = (int)v;
		return 0;
	}
	if (n >= 11 && !memcmp(s, "VF offset: ", 11)) {
		p = s + 11;
		v = dec_at(&p, end);
		if (v < 0 || v > 0xffff || end - p < 10 || memcmp(p, ", stride: ", 10))
			return -EINVAL;
		t->vf_offset = (int)v;
		p += 10;
		v = dec_at(&p, end);
		if (v < 0 || v > 0xffff)
			return -EINVAL;
		t->vf_stride = (int)v;
		p = memmem(p, (size_t)(end - p), "Device ID: ", 11);
		if (p && count_hex(p + 11, (size_t)(end - p - 11)) == 4)
			t->vf_device = (int)hex_field(p + 11, 4);
		t->sriov = true;
	}
	return 0;
}

static int capability_detail(struct lspci_doc *d, struct lspci_text *t,
			     const struct lspci_line *l, const char *s, size_t n,
			     struct p2pdma_error *e)
{
	const char *r;
	size_t rn;

	switch ((enum cap_kind)t->cur_cap) {
	case CAP_EXPRESS:
		if (key(s, n, "LnkCap:", &r, &rn) &&
		    parse_link(r, rn, &t->link.max_speed, &t->link.max_width))
			return bad_line(d, l, "cannot read the link speed and width", e);
		if (key(s, n, "LnkSta:", &r, &rn) &&
		    parse_link(r, rn, &t->link.speed, &t->link.width))
			return bad_line(d, l, "cannot read the link speed and width", e);
		return 0;
	case CAP_ACS:
		if (key(s, n, "ACSCap:", &r, &rn)) {
			if (t->acs_cap_seen)
				return bad_line(d, l, "a second ACSCap line in one ACS capability", e);
			if (parse_acs_bits(r, rn, &t->acs_cap))
				return bad_line(d, l, "an ACSCap line lists the seven ACS bits, each with + or -", e);
			t->acs_cap_seen = true;
			t->acs_line = l->no;
		} else if (key(s, n, "ACSCtl:", &r, &rn)) {
			if (t->acs_ctl_seen)
				return bad_line(d, l, "a second ACSCtl line in one ACS capability", e);
			if (parse_acs_bits(r, rn, &t->acs_ctrl))
				return bad_line(d, l, "an ACSCtl line lists the seven ACS bits, each with + or -", e);
			t->acs_ctl_seen = true;
			t->acs_line = l->no;
		}
		return 0;
	case CAP_SRIOV:
		if (parse_sriov_line(t, s, n))
			return bad_line(d, l, "cannot read the SR-IOV numbers", e);
		return 0;
	default:
		return 0;
	}
}

int lspci_text_line(struct lspci_doc *d, struct lspci_text *t,
		    const struct lspci_line *l, struct p2pdma_error *e)
{
	const char *s, *r;
	size_t n, rn;
	uint16_t a, b;

	trim(l, &s, &n);
	if (!n)
		return 0;
	t->any = true;
	if (key(s, n, "Capabilities:", &r, &rn)) {
		enum cap_kind kind = CAP_NONE;

		if (parse_cap_header(t, r, rn, &kind))
			return bad_line(d, l, "cannot read this capability line", e);
		t->cur_cap = kind;
		d->ext_caps_anywhere |= t->ext_caps_seen;
		return 0;
	}
	if (t->cur_cap != CAP_NONE) {
		/* Level-one lines lspci prints after the capabilities. */
		if (key(s, n, "Kernel driver in use:", &r, &rn) ||
		    key(s, n, "Kernel modules:", &r, &rn) ||
		    key(s, n, "IOMMU group:", &r, &rn) ||
		    key(s, n, "NUMA node:", &r, &rn))
			t->cur_cap = CAP_NONE;
		else
			return capability_detail(d, t, l, s, n, e);
	}
	if (key(s, n, "Status:", &r, &rn) && !t->status_seen) {
		t->status_seen = true;
		t->cap_list = rn >= 4 && !memcmp(r, "Cap+", 4);
	} else if (key(s, n, "Bus:", &r, &rn)) {
		if (parse_bus(t, r, rn))
			return bad_line(d, l, "cannot read the bus numbers", e);
	} else if (key(s, n, "Region ", &r, &rn)) {
		if (parse_region(t, r, rn))
			return bad_line(d, l, "cannot read this BAR (or a second line for it)", e);
	} else if (key(s, n, "Subsystem:", &r, &rn)) {
		if (rn >= 11 && id_pair(r + rn - 11, &a, &b)) {
			t->subsys_ids = true;
			t->subsys_vendor = a;
			t->subsys_device = b;
		}
	} else if (key(s, n, "IOMMU group:", &r, &rn)) {
		if (parse_int_value(r, rn, &t->iommu_group))
			return bad_line(d, l, "cannot read the IOMMU group", e);
	} else if (key(s, n, "NUMA node:", &r, &rn)) {
		if (parse_int_value(r, rn, &t->numa_node))
			return bad_line(d, l, "cannot read the NUMA node", e);
	} else if (key(s, n, "Kernel driver in use:", &r, &rn) && rn) {
		free(t->driver);
		t->driver = printable_dup(r, rn);
		if (!t->driver)
			return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	return 0;
}

int lspci_text_end(struct lspci_doc *d, struct lspci_rec *r, struct p2pdma_error *e)
{
	struct lspci_text *t = &r->text;
	char name[P2PDMA_BDF_STRLEN];

	/* lspci prints ACSCtl right after ACSCap: one without the other is a cut. */
	if (t->acs_cap_seen != t->acs_ctl_seen)
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: %s: the ACS capability has an %s line but no %s line (was the file cut?)",
				   d->name, t->acs_line,
				   p2pdma_bdf_format(&r->fn.bdf, name, sizeof(name)),
				   t->acs_cap_seen ? "ACSCap" : "ACSCtl",
				   t->acs_cap_seen ? "ACSCtl" : "ACSCap");
	return 0;
}

enum p2pdma_acs_state lspci_text_acs(const struct lspci_doc *d, const struct lspci_text *t)
{
	if (t->acs_cap_seen && t->acs_ctl_seen)
		return P2PDMA_ACS_PRESENT;
	/* lspci -v names the capability without its registers. */
	if (t->acs_header || t->access_denied)
		return P2PDMA_ACS_UNKNOWN;
	if (t->express) {
		if (t->ext_caps_seen)
			return P2PDMA_ACS_ABSENT;
		/*
		 * No extended capability printed for this PCIe function: if
		 * lspci printed them for others it could read extended
		 * config space, so this one has none.
		 */
		return d->ext_caps_anywhere ? P2PDMA_ACS_ABSENT : P2PDMA_ACS_UNKNOWN;
	}
	/* Conventional PCI has no ACS; we know it is conventional if caps were shown. */
	if (t->caps_seen || (t->status_seen && !t->cap_list))
		return P2PDMA_ACS_ABSENT;
	return P2PDMA_ACS_UNKNOWN;
}

void lspci_doc_free(struct lspci_doc *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		free(d->recs[i].name);
		free(d->recs[i].class_name);
		free(d->recs[i].text.driver);
	}
	free(d->recs);
	d->recs = NULL;
	d->nr = d->cap = 0;
}

uint32_t lspci_speed_mts(unsigned int code)
{
	static const uint32_t mts[] = { 0, 2500, 5000, 8000, 16000, 32000, 64000 };

	return code < ARRAY_SIZE(mts) ? mts[code] : 0;
}
