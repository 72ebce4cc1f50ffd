// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Errors, growable arrays and string buffers used across the library.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int p2pdma_vfail(struct p2pdma_error *e, int err, const char *fmt, va_list ap)
{
	if (e) {
		e->err = err;
		vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	}
	return err;
}

int p2pdma_fail(struct p2pdma_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p2pdma_vfail(e, err, fmt, ap);
	va_end(ap);
	return err;
}

void p2pdma_error_prefix(struct p2pdma_error *e, const char *prefix)
{
	size_t lp = strlen(prefix) + 2, lr = strlen(e->reason);

	if (lp >= sizeof(e->reason))
		lp = sizeof(e->reason) - 1;
	if (lp + lr >= sizeof(e->reason))
		lr = sizeof(e->reason) - 1 - lp;
	memmove(e->reason + lp, e->reason, lr);
	e->reason[lp + lr] = '\0';
	memcpy(e->reason, prefix, lp - 2);
	if (lp >= 2) {
		e->reason[lp - 2] = ':';
		e->reason[lp - 1] = ' ';
	}
}

void p2pdma_log(p2pdma_log_fn fn, void *arg, enum p2pdma_log_level level,
		const char *fmt, ...)
{
	char msg[P2PDMA_REASON_MAX];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(arg, level, msg);
}

int p2pdma_grow(void **arr, size_t *cap, size_t want, size_t elem)
{
	size_t ncap = *cap ? *cap : 8;
	void *p;

	if (want <= *cap)
		return 0;
	while (ncap < want) {
		if (ncap > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		ncap *= 2;
	}
	p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int p2pdma_ptr_push(void ***arr, size_t *nr, size_t *cap, void *p)
{
	int ret = p2pdma_grow((void **)arr, cap, *nr + 1, sizeof(void *));

	if (ret)
		return ret;
	(*arr)[(*nr)++] = p;
	return 0;
}

/* Room for @n more bytes and a NUL; false with the sticky -ENOMEM. */
static bool buf_reserve(struct p2pdma_buf *b, size_t n)
{
	if (!b->err && p2pdma_grow((void **)&b->s, &b->cap, b->len + n + 1, 1))
		b->err = -ENOMEM;
	return !b->err;
}

/*
 * One vsnprintf() when the text fits in what is left (the common case:
 * the buffer doubles), a second only after growing.
 */
static void buf_vprintf(struct p2pdma_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap - b->len;
	va_list ap2;
	int n;

	if (b->err)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		b->err = -EINVAL;
	else if ((size_t)n >= room && buf_reserve(b, (size_t)n))
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	if (b->err) {
		if (b->s)	/* what a cut vsnprintf() wrote goes */
			b->s[b->len] = '\0';
		return;
	}
	b->len += (size_t)n;
}

void p2pdma_buf_printf(struct p2pdma_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void p2pdma_buf_puts(struct p2pdma_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (!buf_reserve(b, n))
		return;
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

int p2pdma_buf_finish(struct p2pdma_buf *b, char **out)
{
	if (!b->err && !b->s)
		p2pdma_buf_puts(b, "");
	if (b->err) {
		free(b->s);
		b->s = NULL;
		*out = NULL;
		return b->err;
	}
	*out = b->s;
	b->s = NULL;
	return 0;
}

int p2pdma_parse_u64(const char *s, int base, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int p2pdma_parse_int(const char *s, int base, int *out)
{
	long v;
	char *end;

	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

bool p2pdma_path_append(char *path, size_t size, size_t *len, const char *name)
{
	size_t n = strlen(name), sep = *len && path[*len - 1] != '/';

	if (*len + sep + n + 1 > size)
		return false;
	if (sep)
		path[(*len)++] = '/';
	memcpy(path + *len, name, n + 1);
	*len += n;
	return true;
}

int p2pdma_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool p2pdma_hex_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 16)
		return false;
	for (i = 0; i < n; i++) {
		int d = p2pdma_hexval((unsigned char)s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

bool p2pdma_hex_0x(const char *s, size_t n, uint64_t *out)
{
	return n >= 3 && s[0] == '0' && s[1] == 'x' && p2pdma_hex_digits(s + 2, n - 2, out);
}
