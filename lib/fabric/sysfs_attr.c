// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strict parsers for sysfs attribute text.  sysfs files are written by
 * the kernel with fixed formats, so anything else in a capture means the
 * capture is damaged or was edited by hand: say so rather than guess.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include "util.h"

/* A short printable rendering of bad input for error messages. */
static const char *quote(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (i < len && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o < outlen ? o : outlen - 1] = '\0';
	return out;
}

/* Drop the one newline the kernel writes after a value. */
static size_t strip_nl(const char *buf, size_t len)
{
	return len && buf[len - 1] == '\n' ? len - 1 : len;
}

int p2pdma_sysfs_parse_hex(const char *buf, size_t len, uint64_t max,
			   uint64_t *out, struct p2pdma_error *e)
{
	size_t n = strip_nl(buf, len);
	char q[64];
	uint64_t v;

	if (!p2pdma_hex_0x(buf, n, &v))
		return p2pdma_fail(e, -EINVAL, "'%s' is not a hex number like 0x10de",
				   quote(buf, len, q, sizeof(q)));
	if (v > max)
		return p2pdma_fail(e, -ERANGE, "%#llx is out of range (at most %#llx)",
				   (unsigned long long)v, (unsigned long long)max);
	*out = v;
	return 0;
}

int p2pdma_sysfs_parse_dec(const char *buf, size_t len, int64_t min,
			   int64_t max, int64_t *out, struct p2pdma_error *e)
{
	size_t n = strip_nl(buf, len), i = 0;
	bool neg = false;
	uint64_t v = 0;
	int64_t x;
	char q[64];

	if (n && buf[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		goto bad;
	for (; i < n; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			goto bad;
		/* Saturate: 19 digits and more are out of any range we use. */
		if (v < 100000000000000000ULL)
			v = v * 10 + (uint64_t)(buf[i] - '0');
		else
			v = (uint64_t)INT64_MAX;
	}
	x = neg ? -(int64_t)v : (int64_t)v;
	if (x < min || x > max || v == (uint64_t)INT64_MAX)
		return p2pdma_fail(e, -ERANGE, "'%s' is out of range [%lld, %lld]",
				   quote(buf, len, q, sizeof(q)), (long long)min,
				   (long long)max);
	*out = x;
	return 0;
bad:
	return p2pdma_fail(e, -EINVAL, "'%s' is not a decimal number",
			   quote(buf, len, q, sizeof(q)));
}

int p2pdma_sysfs_parse_bool(const char *buf, size_t len, bool *out,
			    struct p2pdma_error *e)
{
	size_t n = strip_nl(buf, len);
	char q[64];

	if (n != 1 || (buf[0] != '0' && buf[0] != '1'))
		return p2pdma_fail(e, -EINVAL, "'%s' is neither 0 nor 1",
				   quote(buf, len, q, sizeof(q)));
	*out = buf[0] == '1';
	return 0;
}

/* No NUL, no control character (tabs and the like included). */
static bool printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int p2pdma_sysfs_parse_link_speed(const char *buf, size_t len, uint32_t *mts,
				  struct p2pdma_error *e)
{
	size_t n = strip_nl(buf, len);
	char s[64], q[64];

	if (n >= sizeof(s) || !printable(buf, n))
		goto bad;
	memcpy(s, buf, n);
	s[n] = '\0';
	if (!p2pdma_link_speed_parse(s, mts))
		return 0;
bad:
	return p2pdma_fail(e, -EINVAL, "'%s' is not a link speed like '8.0 GT/s PCIe'",
			   quote(buf, len, q, sizeof(q)));
}

int p2pdma_sysfs_parse_line(const char *buf, size_t len, bool allow_empty,
			    char **out, struct p2pdma_error *e)
{
	size_t n = strip_nl(buf, len);
	char q[64];

	if (!printable(buf, n))
		return p2pdma_fail(e, -EINVAL,
				   "'%s' holds control characters or more than one line",
				   quote(buf, len, q, sizeof(q)));
	if (!n && !allow_empty)
		return p2pdma_fail(e, -EINVAL, "the file is empty");
	*out = strndup(buf, n);
	if (!*out)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* resource                                                                */

static unsigned int bar_flags(uint64_t f)
{
	unsigned int flags = 0;

	if (f & P2PDMA_IORESOURCE_IO)
		flags |= P2PDMA_BAR_IO;
	if (f & P2PDMA_IORESOURCE_MEM)
		flags |= P2PDMA_BAR_MEM;
	if (f & P2PDMA_IORESOURCE_PREFETCH)
		flags |= P2PDMA_BAR_PREFETCH;
	if (f & P2PDMA_IORESOURCE_MEM_64)
		flags |= P2PDMA_BAR_64;
	return flags;
}

/* "0x... 0x... 0x..." : three hex fields split by single spaces. */
static bool scan_resource_line(const char *l, size_t n, uint64_t v[3])
{
	size_t start = 0, i, field = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && l[i] != ' ')
			continue;
		if (field == 3 || !p2pdma_hex_0x(l + start, i - start, &v[field]))
			return false;
		field++;
		start = i + 1;
	}
	return field == 3;
}

static int check_bar(int line, int bar, const uint64_t v[3], struct p2pdma_bar *b,
		     struct p2pdma_error *e)
{
	uint64_t start = v[0], end = v[1], size;

	memset(b, 0, sizeof(*b));
	if (!start && !end)
		return 0;			/* unused */
	if (end < start)
		return p2pdma_fail(e, -EINVAL,
				   "line %d: BAR %d ends at %#llx, below its start %#llx",
				   line, bar, (unsigned long long)end,
				   (unsigned long long)start);
	size = end - start + 1;
	if (!size)
		return p2pdma_fail(e, -EINVAL,
				   "line %d: BAR %d covers the whole address space (size wraps)",
				   line, bar);
	if (size & (size - 1))
		return p2pdma_fail(e, -EINVAL,
				   "line %d: BAR %d size %#llx is not a power of two",
				   line, bar, (unsigned long long)size);
	if ((v[2] & P2PDMA_IORESOURCE_IO) && (v[2] & P2PDMA_IORESOURCE_MEM))
		return p2pdma_fail(e, -EINVAL,
				   "line %d: BAR %d is flagged both I/O and memory (%#llx)",
				   line, bar, (unsigned long long)v[2]);
	b->start = start;
	b->size = size;
	b->flags = bar_flags(v[2]);
	return 0;
}

int p2pdma_sysfs_parse_resource(const char *buf, size_t len,
				struct p2pdma_bar bars[P2PDMA_NUM_BARS],
				struct p2pdma_error *e)
{
	size_t pos = 0;
	int line = 0, ret;
	char q[64];

	memset(bars, 0, sizeof(*bars) * P2PDMA_NUM_BARS);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		uint64_t v[3];

		line++;
		if (!scan_resource_line(l, n, v))
			return p2pdma_fail(e, -EINVAL,
					   "line %d: '%s' is not 'START END FLAGS' in hex",
					   line, quote(l, n, q, sizeof(q)));
		if (line <= P2PDMA_NUM_BARS) {
			ret = check_bar(line, line - 1, v, &bars[line - 1], e);
			if (ret)
				return ret;
		} else if (v[1] < v[0] && (v[0] || v[1])) {
			return p2pdma_fail(e, -EINVAL,
					   "line %d: the resource ends at %#llx, below its start %#llx",
					   line, (unsigned long long)v[1],
					   (unsigned long long)v[0]);
		}
		pos += n + 1;
	}
	if (line < P2PDMA_NUM_BARS)
		return p2pdma_fail(e, -EINVAL,
				   "%d line%s; the table has a line for each of the %d BARs and more",
				   line, line == 1 ? "" : "s", P2PDMA_NUM_BARS);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* /proc/cpuinfo                                                           */

static size_t trim_right(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

static bool key_is(const char *k, size_t kn, const char *want)
{
	return kn == strlen(want) && !memcmp(k, want, kn);
}

static int cpuinfo_number(int line, const char *key, const char *v, size_t vn,
			  unsigned int *out, struct p2pdma_error *e)
{
	unsigned int x = 0;
	char q[64];
	size_t i;

	if (!vn || vn > 9)
		goto bad;
	for (i = 0; i < vn; i++) {
		if (v[i] < '0' || v[i] > '9')
			goto bad;
		x = x * 10 + (unsigned int)(v[i] - '0');
	}
	*out = x;
	return 0;
bad:
	return p2pdma_fail(e, -EINVAL, "line %d: %s '%s' is not a decimal number",
			   line, key, quote(v, vn, q, sizeof(q)));
}

static int cpuinfo_vendor(int line, const char *v, size_t vn,
			  struct p2pdma_cpu *cpu, struct p2pdma_error *e)
{
	char q[64];
	size_t i;

	if (!vn || vn >= sizeof(cpu->vendor))
		goto bad;
	for (i = 0; i < vn; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			goto bad;
	memcpy(cpu->vendor, v, vn);
	cpu->vendor[vn] = '\0';
	return 0;
bad:
	return p2pdma_fail(e, -EINVAL,
			   "line %d: vendor_id '%s' is not a CPU vendor string like GenuineIntel",
			   line, quote(v, vn, q, sizeof(q)));
}

/* One "key<tabs>: value" line of the first processor block. */
static int cpuinfo_line(int line, const char *l, size_t n, struct p2pdma_cpu *cpu,
			unsigned int *seen, struct p2pdma_error *e)
{
	const char *colon = memchr(l, ':', n), *v;
	size_t kn, vn;

	if (!colon)
		return 0;		/* not a field; other kernels print such lines */
	kn = trim_right(l, (size_t)(colon - l));
	v = colon + 1;
	vn = n - (size_t)(v - l);
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	vn = trim_right(v, vn);
	if (key_is(l, kn, "vendor_id")) {
		*seen |= 1;
		return cpuinfo_vendor(line, v, vn, cpu, e);
	}
	if (key_is(l, kn, "cpu family")) {
		*seen |= 2;
		return cpuinfo_number(line, "cpu family", v, vn, &cpu->family, e);
	}
	if (key_is(l, kn, "model")) {
		*seen |= 4;
		return cpuinfo_number(line, "model", v, vn, &cpu->model, e);
	}
	return 0;
}

int p2pdma_sysfs_parse_cpuinfo(const char *buf, size_t len,
			       struct p2pdma_cpu *cpu, struct p2pdma_error *e)
{
	unsigned int seen = 0;
	bool in_block = false;
	size_t pos = 0;
	int line = 0, ret;

	memset(cpu, 0, sizeof(*cpu));
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		line++;
		pos += n + 1;
		if (!trim_right(l, n)) {
			if (in_block)
				break;		/* the first processor ends here */
			continue;
		}
		in_block = true;
		ret = cpuinfo_line(line, l, n, cpu, &seen, e);
		if (ret) {
			memset(cpu, 0, sizeof(*cpu));
			return ret;
		}
	}
	if (seen != 7)
		memset(cpu, 0, sizeof(*cpu));
	else
		cpu->known = true;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* /proc/iomem                                                            */

/* "START-END : NAME" after the indent; false when the line is not that. */
static bool iomem_fields(const char *l, size_t n, uint64_t *start, uint64_t *end,
			 const char **name, size_t *name_len)
{
	const char *dash = memchr(l, '-', n), *colon;
	size_t sn, en;

	if (!dash || n - (size_t)(dash - l) < 5)
		return false;
	sn = (size_t)(dash - l);
	colon = memchr(dash, ':', n - sn);
	if (!colon || colon[-1] != ' ' || colon + 1 == l + n || colon[1] != ' ')
		return false;
	en = (size_t)(colon - 1 - dash - 1);
	/* Addresses are bare hex digits, as /proc/iomem prints them. */
	if (!p2pdma_hex_digits(l, sn, start) || !p2pdma_hex_digits(dash + 1, en, end) ||
	    *end < *start)
		return false;
	*name = colon + 2;
	*name_len = n - (size_t)(colon + 2 - l);
	return true;
}

static int iomem_add(struct p2pdma_ram_range **ram, size_t *nr, size_t *cap,
		     uint64_t start, uint64_t end)
{
	if (p2pdma_grow((void **)ram, cap, *nr + 1, sizeof(**ram)))
		return -ENOMEM;
	(*ram)[*nr].start = start;
	(*ram)[*nr].size = end - start + 1;
	(*ram)[*nr].numa_node = -1;
	(*nr)++;
	return 0;
}

int p2pdma_sysfs_parse_iomem(const char *buf, size_t len, struct p2pdma_ram_range **ram,
			     size_t *nr, bool *hidden, struct p2pdma_error *e)
{
	size_t pos = 0, cap = 0;
	bool any_address = false;
	int line = 0;

	*ram = NULL;
	*nr = 0;
	*hidden = false;
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos), *name;
		size_t n = nl ? (size_t)(nl - l) : len - pos, indent, name_len;
		uint64_t start, end;

		line++;
		pos += n + 1;
		if (!n)
			continue;
		for (indent = 0; indent < n && l[indent] == ' '; indent++)
			;
		if (indent % 2 || !iomem_fields(l + indent, n - indent, &start, &end,
						 &name, &name_len))
			goto bad;
		any_address |= end != 0;
		if (indent || !key_is(name, name_len, "System RAM"))
			continue;
		if (iomem_add(ram, nr, &cap, start, end)) {
			free(*ram);
			*ram = NULL;
			*nr = 0;
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
	}
	if (!any_address && *nr) {
		free(*ram);
		*ram = NULL;
		*nr = 0;
		*hidden = true;
	}
	return 0;
bad:
	free(*ram);
	*ram = NULL;
	*nr = 0;
	return p2pdma_fail(e, -EINVAL, "line %d: not \"START-END : NAME\" with two-space indents", line);
}

/* ---------------------------------------------------------------------- */
/* Names                                                                   */

/* "DDDD[DDDD]:" at @s: the number of domain digits (4..8), 0 if none. */
static size_t domain_len(const char *s)
{
	size_t n = 0;

	while (n <= 8 && p2pdma_hexval((unsigned char)s[n]) >= 0)
		n++;
	return n >= 4 && n <= 8 && s[n] == ':' ? n : 0;
}

/*
 * The kernel's pci_name() spelling only (4+ domain digits, two for bus and
 * device, one for the function); the fields are p2pdma_bdf_parse()'s.
 */
bool p2pdma_sysfs_parse_fn_name(const char *name, struct p2pdma_bdf *bdf)
{
	size_t dl = domain_len(name);
	const char *p = name + dl + 1;

	return dl && strlen(p) == 7 && p[2] == ':' && p[5] == '.' &&
	       !p2pdma_bdf_parse(name, bdf);
}

bool p2pdma_sysfs_bdf_shaped(const char *name)
{
	static const char seps[] = "::.";
	int part;

	for (part = 0; part < 4; part++) {
		size_t n = strspn(name, "0123456789abcdefABCDEF");

		if (!n)
			return false;
		name += n;
		if (part == 3)
			return !*name;
		if (*name++ != seps[part])
			return false;
	}
	return false;
}

bool p2pdma_sysfs_parse_hb_name(const char *name, uint32_t *domain, uint8_t *bus)
{
	uint64_t d, b;
	size_t dl;

	if (strncmp(name, "pci", 3))
		return false;
	name += 3;
	dl = domain_len(name);
	if (!dl || !p2pdma_hex_digits(name, dl, &d) || strlen(name + dl + 1) != 2 ||
	    !p2pdma_hex_digits(name + dl + 1, 2, &b))
		return false;
	*domain = (uint32_t)d;
	*bus = (uint8_t)b;
	return true;
}

int p2pdma_sysfs_link_basename(const char *target, size_t len, char *out,
			       size_t outlen, struct p2pdma_error *e)
{
	const char *base;
	char q[64];
	size_t n = len;

	while (n && target[n - 1] == '/')
		n--;
	base = target + n;
	while (base > target && base[-1] != '/')
		base--;
	n -= (size_t)(base - target);
	if (!n || n >= outlen || !printable(base, n) ||
	    (n == 1 && base[0] == '.') || (n == 2 && !memcmp(base, "..", 2)))
		return p2pdma_fail(e, -EINVAL, "link target '%s' does not end in a name",
				   quote(target, len, q, sizeof(q)));
	memcpy(out, base, n);
	out[n] = '\0';
	return 0;
}
