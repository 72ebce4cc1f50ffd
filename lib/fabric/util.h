/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small internal helpers shared by every layer of libp2pdma.
 * Not installed; the fabric layer is the base layer, so others may use it.
 */
#ifndef P2PDMA_UTIL_H
#define P2PDMA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Grow *arr (element size @elem) so that it holds at least @want elements. */
int p2pdma_grow(void **arr, size_t *cap, size_t want, size_t elem);

/* Inclusive address ranges in order: by start, then by last address. */
static inline int p2pdma_span_cmp(uint64_t a_start, uint64_t a_last, uint64_t b_start,
				  uint64_t b_last)
{
	if (a_start != b_start)
		return a_start < b_start ? -1 : 1;
	return (a_last > b_last) - (a_last < b_last);
}

/* Append a pointer to a growable pointer array. */
int p2pdma_ptr_push(void ***arr, size_t *nr, size_t *cap, void *p);

/* Turn e->reason into "PREFIX: reason" (truncating the end if need be). */
void p2pdma_error_prefix(struct p2pdma_error *e, const char *prefix);

int p2pdma_vfail(struct p2pdma_error *e, int err, const char *fmt, va_list ap);

/* Emit through a caller's log hook, if any. */
void p2pdma_log(p2pdma_log_fn fn, void *arg, enum p2pdma_log_level level,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Growable string buffer for writers. */
struct p2pdma_buf {
	char *s;
	size_t len, cap;
	int err;	/* sticky -ENOMEM */
};

void p2pdma_buf_printf(struct p2pdma_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void p2pdma_buf_puts(struct p2pdma_buf *b, const char *s);
/* Hand the string over (or free it on error); returns 0 or -ENOMEM. */
int p2pdma_buf_finish(struct p2pdma_buf *b, char **out);

/* Strict number parsing: whole string, no sign surprises. 0 or -EINVAL/-ERANGE. */
/*
 * Append "/@name" to the path @path of length *@len (no '/' when @path is
 * empty or ends in one).  Returns false, leaving @path alone, when the
 * result would not fit in @size bytes.
 */
bool p2pdma_path_append(char *path, size_t size, size_t *len, const char *name);

/* The value of the hex digit @c (either case), or -1. */
int p2pdma_hexval(int c);

/* Exactly @n hex digits at @s (1 to 16, no "0x"): false for anything else. */
bool p2pdma_hex_digits(const char *s, size_t n, uint64_t *out);

/* "0x" and 1 to 16 hex digits, exactly @n bytes: false for anything else. */
bool p2pdma_hex_0x(const char *s, size_t n, uint64_t *out);

int p2pdma_parse_u64(const char *s, int base, uint64_t *out);
int p2pdma_parse_int(const char *s, int base, int *out);

#endif /* P2PDMA_UTIL_H */
