// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What json-c lets through that RFC 8259 does not, checked in one pass
 * over the text before json-c sees it: single-quoted names, raw control
 * characters in strings, UTF-8 that is not well formed (overlong forms,
 * surrogates, past U+10FFFF), \u escapes that leave a surrogate alone,
 * and integers json-c would silently clamp (beyond -2^63 .. 2^64-1).
 */
#include <stdbool.h>
#include <string.h>

#include "json_read.h"

/* Bytes of the well-formed UTF-8 sequence at @s (RFC 3629 table), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (c == 0xed)
		hi = 0x9f;		/* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90;		/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;		/* past U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The value of the four hex digits of a \u escape at @s, or -1. */
static long hex4(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (n < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* A string from its opening quote at *@i; *@i ends past the closing one. */
static const char *check_string(const char *b, size_t n, size_t *i)
{
	size_t p = *i + 1;

	while (p < n && b[p] != '"') {
		unsigned char c = (unsigned char)b[p];
		size_t k;

		if (c < 0x20) {
			*i = p;
			return "a control character inside a string (write it as \\u00XX)";
		}
		if (c == '\\' && p + 1 < n && b[p + 1] == 'u') {
			long u = hex4(b + p + 2, n - p - 2), lo;

			if (u >= 0xd800 && u <= 0xdbff) {
				lo = p + 11 < n && b[p + 6] == '\\' && b[p + 7] == 'u' ?
				     hex4(b + p + 8, n - p - 8) : -1;
				if (lo < 0xdc00 || lo > 0xdfff) {
					*i = p;
					return "a \\u escape of a UTF-16 high surrogate without its low half";
				}
				p += 12;
				continue;
			}
			if (u >= 0xdc00 && u <= 0xdfff) {
				*i = p;
				return "a \\u escape of a lone UTF-16 low surrogate";
			}
			p += 2;
			continue;
		}
		if (c == '\\') {
			p += 2;
			continue;
		}
		k = utf8_len((const unsigned char *)b + p, n - p);
		if (!k) {
			*i = p;
			return "bytes that are not well-formed UTF-8 (overlong, a surrogate, or cut)";
		}
		p += k;
	}
	*i = p + 1;
	return NULL;
}

/* An integer json-c would clamp: more than 2^64 - 1, or less than -2^63. */
static bool out_of_range(const char *s, size_t digits, bool neg)
{
	static const char max_u64[] = "18446744073709551615", min_i64[] = "9223372036854775808";
	const char *lim = neg ? min_i64 : max_u64;
	size_t ll = strlen(lim);

	while (digits > 1 && *s == '0') {
		s++;
		digits--;
	}
	return digits > ll || (digits == ll && memcmp(s, lim, ll) > 0);
}

/* A number at *@i; *@i ends past it. */
static const char *check_number(const char *b, size_t n, size_t *i)
{
	size_t p = *i, start;
	bool neg = b[p] == '-';

	p += neg;
	start = p;
	while (p < n && b[p] >= '0' && b[p] <= '9')
		p++;
	if (p < n && (b[p] == '.' || b[p] == 'e' || b[p] == 'E')) {
		while (p < n && strchr("0123456789.eE+-", b[p]))
			p++;
		*i = p;
		return NULL;	/* a fraction: json-c keeps it as a double */
	}
	if (out_of_range(b + start, p - start, neg))
		return "an integer out of range (-9223372036854775808 to 18446744073709551615)";
	*i = p;
	return NULL;
}

const char *p2pdma_json_strict_check(const char *buf, size_t len, size_t *off)
{
	size_t i = 0;

	while (i < len) {
		const char *why = NULL;
		char c = buf[i];

		if (c == '"')
			why = check_string(buf, len, &i);
		else if (c == '-' || (c >= '0' && c <= '9'))
			why = check_number(buf, len, &i);
		else if (c == '\'')
			why = "a single quote (JSON strings and names take double quotes)";
		else
			i++;
		if (why) {
			*off = i;
			return why;
		}
	}
	return NULL;
}
