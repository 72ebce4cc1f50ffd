// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sizes as people type them ("64K", "2M") and as we print them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "p2pdma/mem.h"

static const struct {
	const char *suffix;
	unsigned int shift;
} size_suffixes[] = {
	{ "", 0 }, { "B", 0 },
	{ "K", 10 }, { "KB", 10 }, { "KiB", 10 },
	{ "M", 20 }, { "MB", 20 }, { "MiB", 20 },
	{ "G", 30 }, { "GB", 30 }, { "GiB", 30 },
	{ "T", 40 }, { "TB", 40 }, { "TiB", 40 },
	/* Every unit p2pdma_size_format() prints reads back. */
	{ "P", 50 }, { "PB", 50 }, { "PiB", 50 },
	{ "E", 60 }, { "EB", 60 }, { "EiB", 60 },
};

int p2pdma_size_parse(const char *s, uint64_t *out)
{
	char digits[32];
	const char *p;
	uint64_t v;
	size_t n, i;
	int base = 10;

	if (!s || !*s)
		return -EINVAL;
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		/* Hex takes no suffix: "0x1B" would be ambiguous. */
		return p2pdma_parse_u64(s, 16, out);
	}
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	n = (size_t)(p - s);
	if (!n || n >= sizeof(digits))
		return n ? -ERANGE : -EINVAL;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (p2pdma_parse_u64(digits, base, &v))
		return -ERANGE;
	/* "64 KiB" as we print it reads back; a lone trailing space does not. */
	if (*p == ' ' && p[1] && p[1] != ' ')
		p++;
	for (i = 0; i < ARRAY_SIZE(size_suffixes); i++) {
		unsigned int sh = size_suffixes[i].shift;

		if (strcasecmp(p, size_suffixes[i].suffix))
			continue;
		if (sh && v > (UINT64_MAX >> sh))
			return -ERANGE;
		*out = v << sh;
		return 0;
	}
	return -EINVAL;
}

char *p2pdma_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int top = 0, u;

	while (top + 1 < ARRAY_SIZE(units) && bytes >> (10 * (top + 1)))
		top++;
	/* The largest unit, whole or with one exact decimal ("1.5 MiB")... */
	if (top) {
		uint64_t unit = 1ULL << (10 * top);

		if (!(bytes % unit)) {
			snprintf(buf, len, "%llu %s", (unsigned long long)(bytes / unit),
				 units[top]);
			return buf;
		}
		if (bytes < UINT64_MAX / 10 && !((bytes * 10) % unit)) {
			snprintf(buf, len, "%llu.%llu %s",
				 (unsigned long long)(bytes / unit),
				 (unsigned long long)((bytes * 10 / unit) % 10), units[top]);
			return buf;
		}
	}
	/* ...else the largest unit that divides it exactly ("4097 B", "1025 KiB"). */
	for (u = top; u > 0; u--)
		if (!(bytes % (1ULL << (10 * u))))
			break;
	snprintf(buf, len, "%llu %s", (unsigned long long)(bytes >> (10 * u)), units[u]);
	return buf;
}
