// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Text forms of model values: BDFs, roles, link speeds, ACS bits, input
 * format names.  Every parser here is strict: the whole string must match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* 1 to 8 hex digits, at most @max. */
static int parse_hex_field(const char *s, size_t len, unsigned long max,
			   unsigned long *out)
{
	uint64_t v;

	if (len > 8 || !p2pdma_hex_digits(s, len, &v))
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = (unsigned long)v;
	return 0;
}

/* "[DDDD:]BB:DD.F": fields split on ':' and '.', all hex. */
int p2pdma_bdf_parse(const char *s, struct p2pdma_bdf *out)
{
	const char *c1, *c2, *dot;
	unsigned long dom = 0, bus, dev, fn;
	const char *bus_s;

	if (!s)
		return -EINVAL;
	c1 = strchr(s, ':');
	if (!c1)
		return -EINVAL;
	c2 = strchr(c1 + 1, ':');
	if (c2) {
		if (strchr(c2 + 1, ':') ||
		    parse_hex_field(s, (size_t)(c1 - s), 0xffffffffUL, &dom))
			return -EINVAL;
		bus_s = c1 + 1;
		c1 = c2;
	} else {
		bus_s = s;
	}
	dot = strchr(c1 + 1, '.');
	if (!dot)
		return -EINVAL;
	if (parse_hex_field(bus_s, (size_t)(c1 - bus_s), 0xff, &bus) ||
	    parse_hex_field(c1 + 1, (size_t)(dot - c1 - 1), 0x1f, &dev) ||
	    parse_hex_field(dot + 1, strlen(dot + 1), 7, &fn))
		return -EINVAL;
	out->domain = (uint32_t)dom;
	out->bus = (uint8_t)bus;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return 0;
}

/* @v in hex, at least @width (>= 1) digits, written backwards to end before @end. */
static char *hex_back(char *end, uint32_t v, int width)
{
	static const char digits[] = "0123456789abcdef";

	for (; v || width > 0; width--) {
		*--end = digits[v & 0xf];
		v >>= 4;
	}
	return end;
}

/*
 * "%04x:%02x:%02x.%x" and snprintf()'s cut, by hand: a verdict's text
 * names every device it speaks of, and printf was the most of it.
 */
char *p2pdma_bdf_format(const struct p2pdma_bdf *b, char *buf, size_t len)
{
	char t[P2PDMA_BDF_STRLEN], *p = t + sizeof(t) - 1;
	size_t n;

	*p = '\0';
	p = hex_back(p, b->fn, 1);
	*--p = '.';
	p = hex_back(p, b->dev, 2);
	*--p = ':';
	p = hex_back(p, b->bus, 2);
	*--p = ':';
	p = hex_back(p, b->domain, 4);
	if (!len)
		return buf;
	n = (size_t)(t + sizeof(t) - 1 - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

int p2pdma_bdf_cmp(const struct p2pdma_bdf *a, const struct p2pdma_bdf *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->fn != b->fn)
		return a->fn < b->fn ? -1 : 1;
	return 0;
}

static const char *const role_names[P2PDMA_ROLE_COUNT] = {
	[P2PDMA_ROLE_ENDPOINT] = "endpoint",
	[P2PDMA_ROLE_ROOT_PORT] = "root_port",
	[P2PDMA_ROLE_SWITCH_UPSTREAM] = "switch_upstream",
	[P2PDMA_ROLE_SWITCH_DOWNSTREAM] = "switch_downstream",
	[P2PDMA_ROLE_PCI_BRIDGE] = "pci_bridge",
	[P2PDMA_ROLE_BRIDGE] = "bridge",
};

const char *p2pdma_role_name(enum p2pdma_role role)
{
	if ((unsigned int)role >= P2PDMA_ROLE_COUNT)
		return "?";
	return role_names[role];
}

int p2pdma_role_parse(const char *s, enum p2pdma_role *out)
{
	unsigned int i;

	for (i = 0; i < P2PDMA_ROLE_COUNT; i++) {
		if (s && !strcmp(s, role_names[i])) {
			*out = (enum p2pdma_role)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool p2pdma_role_is_bridge(enum p2pdma_role role)
{
	return role != P2PDMA_ROLE_ENDPOINT;
}

char *p2pdma_link_speed_format(uint32_t mts, char *buf, size_t len)
{
	if (!mts)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%u.%u GT/s", mts / 1000, mts % 1000 / 100);
	return buf;
}

/*
 * sysfs writes "8.0 GT/s PCIe" (newer kernels) or "8 GT/s" (older ones),
 * "Unknown" or "Unknown speed" when the link is down.
 */
int p2pdma_link_speed_parse(const char *s, uint32_t *mts)
{
	unsigned int whole = 0, tenths = 0;
	const char *p = s;

	*mts = 0;
	if (!s)
		return -EINVAL;
	if (!strncmp(s, "Unknown", 7) || !strcmp(s, "unknown") || !*s)
		return 0;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (unsigned int)(*p++ - '0');
		if (whole > 1000)
			return -ERANGE;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		tenths = (unsigned int)(*p++ - '0');
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (strcmp(p, " GT/s") && strcmp(p, " GT/s PCIe") && strcmp(p, "GT/s"))
		return -EINVAL;
	*mts = whole * 1000 + tenths * 100;
	/* 2.5 GT/s is written "2.5"; 16 GT/s as "16.0". */
	return 0;
}

char *p2pdma_acs_flags_format(uint16_t bits, char *buf, size_t len)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} names[] = {
		{ P2PDMA_ACS_SV, "SV" }, { P2PDMA_ACS_TB, "TB" },
		{ P2PDMA_ACS_RR, "RR" }, { P2PDMA_ACS_CR, "CR" },
		{ P2PDMA_ACS_UF, "UF" }, { P2PDMA_ACS_EC, "EC" },
		{ P2PDMA_ACS_DT, "DT" },
	};
	size_t i, used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(bits & names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
					 "%s%s", used ? " " : "", names[i].name);
	}
	if (!used)
		snprintf(buf, len, "off");
	return buf;
}

static const char *const format_names[] = {
	[P2PDMA_INPUT_AUTO] = "auto",
	[P2PDMA_INPUT_SYSFS] = "sysfs",
	[P2PDMA_INPUT_JSON] = "json",
	[P2PDMA_INPUT_LSPCI] = "lspci",
	[P2PDMA_INPUT_LSPCI_VVV] = "lspci-vvv",
	[P2PDMA_INPUT_NCCL] = "nccl",
	[P2PDMA_INPUT_BUILTIN] = "builtin",
	[P2PDMA_INPUT_BUGREPORT] = "bug-report",
};

const char *p2pdma_input_format_name(enum p2pdma_input_format fmt)
{
	if ((unsigned int)fmt >= ARRAY_SIZE(format_names))
		return "?";
	return format_names[fmt];
}

int p2pdma_input_format_parse(const char *s, enum p2pdma_input_format *out)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (s && !strcmp(s, format_names[i])) {
			*out = (enum p2pdma_input_format)i;
			return 0;
		}
	}
	return -EINVAL;
}
