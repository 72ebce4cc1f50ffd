// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strict, path-aware reading of JSON values with json-c (see json_read.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

void p2pdma_json_init(struct p2pdma_json_reader *r, const char *name,
		      struct p2pdma_error *e)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->e = e;
	p2pdma_buf_puts(&r->path, "$");
}

void p2pdma_json_release(struct p2pdma_json_reader *r)
{
	free(r->path.s);
	r->path.s = NULL;
}

/* ---------------------------------------------------------------------- */
/* Paths and messages                                                      */

size_t p2pdma_json_push(struct p2pdma_json_reader *r, const char *fmt, ...)
{
	size_t old = r->path.len;
	char part[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(part, sizeof(part), fmt, ap);
	va_end(ap);
	p2pdma_buf_puts(&r->path, part);
	return old;
}

void p2pdma_json_pop(struct p2pdma_json_reader *r, size_t old)
{
	if (r->path.s && old <= r->path.len) {
		r->path.len = old;
		r->path.s[old] = '\0';
	}
}

void p2pdma_json_set_path(struct p2pdma_json_reader *r, const char *path)
{
	p2pdma_json_pop(r, 0);
	p2pdma_buf_puts(&r->path, path);
}

const char *p2pdma_json_path(const struct p2pdma_json_reader *r)
{
	return r->path.s && !r->path.err ? r->path.s : "$";
}

const char *p2pdma_json_quote(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; s[i] && o + 4 < len && i < P2PDMA_JSON_QUOTE_MAX; i++)
		buf[o++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i] && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

int p2pdma_json_fail(struct p2pdma_json_reader *r, const char *key, int err,
		     const char *fmt, ...)
{
	char msg[P2PDMA_REASON_MAX], k[P2PDMA_JSON_QUOTE_MAX + 8];
	va_list ap;

	if (r->err)
		return r->err;
	if (r->path.err)
		return p2pdma_json_nomem(r);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->err = p2pdma_fail(r->e, err, "%s: %s%s%s: %s", r->name, p2pdma_json_path(r),
			     key ? "." : "", key ? p2pdma_json_quote(key, k, sizeof(k)) : "",
			     msg);
	return r->err;
}

int p2pdma_json_wrap(struct p2pdma_json_reader *r, int err)
{
	char prefix[P2PDMA_REASON_MAX];

	if (r->err)
		return r->err;
	if (r->e) {
		snprintf(prefix, sizeof(prefix), "%s: %s", r->name, p2pdma_json_path(r));
		p2pdma_error_prefix(r->e, prefix);
	}
	r->err = err;
	return err;
}

int p2pdma_json_nomem(struct p2pdma_json_reader *r)
{
	if (!r->err)
		r->err = p2pdma_fail(r->e, -ENOMEM, "out of memory");
	return r->err;
}

static const char *type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

/* ---------------------------------------------------------------------- */
/* Text to json-c                                                          */

/* "FILE:LINE:COL: what", counting from 1 as compilers do. */
static int syntax_error(struct p2pdma_json_reader *r, const char *buf, size_t off,
			const char *what)
{
	size_t i, line = 1, col = 1;

	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	r->err = p2pdma_fail(r->e, -EINVAL, "%s:%zu:%zu: %s", r->name, line, col, what);
	return r->err;
}

static bool only_space(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

static int parse_error(struct p2pdma_json_reader *r, const char *buf, size_t len,
		       enum json_tokener_error jerr, size_t end)
{
	if (jerr == json_tokener_continue)
		return syntax_error(r, buf, len, "unexpected end of file (the JSON is incomplete)");
	if (jerr == json_tokener_error_depth)
		return syntax_error(r, buf, end, "nested too deeply");
	if (jerr != json_tokener_success)
		return syntax_error(r, buf, end, json_tokener_error_desc(jerr));
	if (!only_space(buf + end, len - end))
		return syntax_error(r, buf, end, "unexpected text after the JSON value");
	return 0;
}

int p2pdma_json_parse(struct p2pdma_json_reader *r, const char *buf, size_t len,
		      int max_depth, struct json_object **out)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	size_t skip = 0, end;
	int ret;

	*out = NULL;
	if (len > INT32_MAX)
		return r->err = p2pdma_fail(r->e, -EFBIG, "%s: the file is too large", r->name);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		skip = 3;	/* the UTF-8 byte order mark some editors add */
	if (only_space(buf + skip, len - skip))
		return r->err = p2pdma_fail(r->e, -EINVAL,
					    "%s: the file is empty (expected a JSON object)",
					    r->name);
	tok = json_tokener_new_ex(max_depth);
	if (!tok)
		return p2pdma_json_nomem(r);
	/* Strict: no comments, no trailing commas, nothing after the value. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	*out = json_tokener_parse_ex(tok, buf + skip, (int)(len - skip));
	jerr = json_tokener_get_error(tok);
	end = skip + json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	ret = parse_error(r, buf, len, jerr, end);
	if (!ret) {
		const char *why = p2pdma_json_strict_check(buf + skip, len - skip, &end);

		if (why)
			ret = syntax_error(r, buf, skip + end, why);
	}
	if (ret) {
		json_object_put(*out);
		*out = NULL;
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Keys and containers                                                     */

static bool key_known(const char *const *keys, const char *k)
{
	for (; *keys; keys++)
		if (!strcmp(*keys, k))
			return true;
	return false;
}

int p2pdma_json_keys(struct p2pdma_json_reader *r, struct json_object *o,
		     const char *const *keys)
{
	if (r->err)
		return r->err;
	json_object_object_foreach(o, k, v) {
		(void)v;
		if (!key_known(keys, k))
			return p2pdma_json_fail(r, k, -EINVAL, "unknown key");
	}
	return 0;
}

int p2pdma_json_get(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, struct json_object **v)
{
	if (r->err)
		return r->err;
	if (!json_object_object_get_ex(o, key, v))
		return p2pdma_json_fail(r, NULL, -EINVAL, "missing key \"%s\"", key);
	return 0;
}

int p2pdma_json_expect_object(struct p2pdma_json_reader *r, const char *key,
			      struct json_object *v)
{
	if (r->err)
		return r->err;
	if (!json_object_is_type(v, json_type_object))
		return p2pdma_json_fail(r, key, -EINVAL, "expected an object, got %s",
					type_name(v));
	return 0;
}

int p2pdma_json_object_or_null(struct p2pdma_json_reader *r, struct json_object *o,
			       const char *key, struct json_object **v)
{
	int ret = p2pdma_json_get(r, o, key, v);

	if (ret)
		return ret;
	if (json_object_is_type(*v, json_type_null))
		return 1;
	return p2pdma_json_expect_object(r, key, *v);
}

int p2pdma_json_array(struct p2pdma_json_reader *r, struct json_object *o,
		      const char *key, struct json_object **arr)
{
	int ret = p2pdma_json_get(r, o, key, arr);

	if (ret)
		return ret;
	if (!json_object_is_type(*arr, json_type_array))
		return p2pdma_json_fail(r, key, -EINVAL, "expected an array, got %s",
					type_name(*arr));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Scalars                                                                 */

int p2pdma_json_int(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, int64_t min, int64_t max, bool nullable,
		    int64_t *out)
{
	struct json_object *v;
	int64_t x;
	int ret = p2pdma_json_get(r, o, key, &v);

	if (ret)
		return ret;
	if (nullable && json_object_is_type(v, json_type_null))
		return 1;
	if (!json_object_is_type(v, json_type_int))
		return p2pdma_json_fail(r, key, -EINVAL,
					"expected an integer %" PRId64 "-%" PRId64 "%s, got %s",
					min, max, nullable ? " or null" : "", type_name(v));
	x = json_object_get_int64(v);
	/* A value above INT64_MAX reads back as INT64_MAX: out of range too. */
	if (x < min || x > max || x == INT64_MAX)
		return p2pdma_json_fail(r, key, -ERANGE,
					"%s is out of range (%" PRId64 "-%" PRId64 "%s)",
					json_object_to_json_string(v), min, max,
					nullable ? ", or null for unknown" : "");
	*out = x;
	return 0;
}

int p2pdma_json_opt_int(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, int64_t max, int *out)
{
	int64_t v = -1;
	int ret = p2pdma_json_int(r, o, key, 0, max, true, &v);

	if (ret < 0)
		return ret;
	*out = ret ? -1 : (int)v;
	return ret;
}

int p2pdma_json_u64(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, uint64_t min, uint64_t *out)
{
	struct json_object *v;
	uint64_t x;
	int ret = p2pdma_json_get(r, o, key, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_int))
		return p2pdma_json_fail(r, key, -EINVAL, "expected an integer, got %s",
					type_name(v));
	if (json_object_get_int64(v) < 0)
		return p2pdma_json_fail(r, key, -ERANGE, "%s is negative",
					json_object_to_json_string(v));
	x = json_object_get_uint64(v);
	if (x < min)
		return p2pdma_json_fail(r, key, -ERANGE,
					"%s is out of range (at least %" PRIu64 ")",
					json_object_to_json_string(v), min);
	*out = x;
	return 0;
}

int p2pdma_json_bool(struct p2pdma_json_reader *r, struct json_object *o,
		     const char *key, bool *out)
{
	struct json_object *v;
	int ret = p2pdma_json_get(r, o, key, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_boolean))
		return p2pdma_json_fail(r, key, -EINVAL, "expected true or false, got %s",
					type_name(v));
	*out = json_object_get_boolean(v);
	return 0;
}

int p2pdma_json_str(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, bool nullable, bool allow_empty, const char **out)
{
	struct json_object *v;
	const char *s;
	int ret = p2pdma_json_get(r, o, key, &v);

	*out = NULL;
	if (ret)
		return ret;
	if (nullable && json_object_is_type(v, json_type_null))
		return 1;
	if (!json_object_is_type(v, json_type_string))
		return p2pdma_json_fail(r, key, -EINVAL, "expected a string%s, got %s",
					nullable ? " or null" : "", type_name(v));
	s = json_object_get_string(v);
	/* "\u0000" would cut the C string short without anyone noticing. */
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return p2pdma_json_fail(r, key, -EINVAL, "the string contains a NUL character");
	if (!allow_empty && !*s)
		return p2pdma_json_fail(r, key, -EINVAL, "the string is empty%s",
					nullable ? " (use null for none)" : "");
	*out = s;
	return 0;
}

int p2pdma_json_hex_id(struct p2pdma_json_reader *r, struct json_object *o,
		       const char *key, size_t digits, uint32_t *out)
{
	char q[P2PDMA_JSON_QUOTE_MAX + 8];
	const char *s;
	uint64_t v;
	int ret = p2pdma_json_str(r, o, key, false, true, &s);

	if (ret)
		return ret;
	if (strlen(s) != digits || !p2pdma_hex_digits(s, digits, &v))
		return p2pdma_json_fail(r, key, -EINVAL, "expected %zu hex digits, got \"%s\"",
					digits, p2pdma_json_quote(s, q, sizeof(q)));
	*out = (uint32_t)v;
	return 0;
}

int p2pdma_json_hex_u64(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, uint64_t *out)
{
	char q[P2PDMA_JSON_QUOTE_MAX + 8];
	const char *s;
	size_t n;
	int ret = p2pdma_json_str(r, o, key, false, true, &s);

	if (ret)
		return ret;
	n = strlen(s);
	if (!p2pdma_hex_0x(s, n, out))
		return p2pdma_json_fail(r, key, -EINVAL,
					"expected a hex string \"0x...\" of at most 16 digits, got \"%s\"",
					p2pdma_json_quote(s, q, sizeof(q)));
	return 0;
}

int p2pdma_json_bdf(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, bool nullable, struct p2pdma_bdf *out)
{
	char q[P2PDMA_JSON_QUOTE_MAX + 8];
	const char *s;
	int ret = p2pdma_json_str(r, o, key, nullable, true, &s);

	if (ret)
		return ret;
	if (p2pdma_bdf_parse(s, out))
		return p2pdma_json_fail(r, key, -EINVAL,
					"\"%s\" is not a PCI address (DDDD:BB:DD.F or BB:DD.F)",
					p2pdma_json_quote(s, q, sizeof(q)));
	return 0;
}
