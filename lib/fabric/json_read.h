/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strict reading of JSON text with json-c, for the machine description
 * loader: every value is fetched by key with its type and range checked,
 * and every complaint names the file and the JSON path of the value
 * ("m.json: $.host_bridges[0].bus: 256 is out of range (0-255)"), or the
 * line and column for a syntax error.
 *
 * The reader keeps the first error and ignores every call after it (a
 * sticky error, like struct p2pdma_buf's), so a caller can fetch a run of
 * values and check once.  Getters return 0 for a value, 1 for an accepted
 * JSON null, and the negative errno of the first error otherwise.
 */
#ifndef P2PDMA_JSON_READ_H
#define P2PDMA_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "util.h"

/* How much of a bad value a message quotes. */
#define P2PDMA_JSON_QUOTE_MAX 48

struct p2pdma_json_reader {
	const char *name;		/* the file, for messages */
	struct p2pdma_error *e;
	struct p2pdma_buf path;		/* "$.host_bridges[0].children[2]" */
	int err;			/* the first error, 0 while none */
};

void p2pdma_json_init(struct p2pdma_json_reader *r, const char *name,
		      struct p2pdma_error *e);
void p2pdma_json_release(struct p2pdma_json_reader *r);

/*
 * What RFC 8259 forbids but json-c accepts (single quotes, raw control
 * characters and ill-formed UTF-8 in strings, lone surrogate escapes,
 * integers json-c would clamp): NULL, or why, with *@off where.
 */
const char *p2pdma_json_strict_check(const char *buf, size_t len, size_t *off);

/*
 * Parse @len bytes of text into *@out (strict JSON, valid UTF-8, at most
 * @max_depth levels, nothing but white space after the value).
 */
int p2pdma_json_parse(struct p2pdma_json_reader *r, const char *buf, size_t len,
		      int max_depth, struct json_object **out);

/* The path: push returns the old length, for pop. */
size_t p2pdma_json_push(struct p2pdma_json_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void p2pdma_json_pop(struct p2pdma_json_reader *r, size_t old);
void p2pdma_json_set_path(struct p2pdma_json_reader *r, const char *path);
const char *p2pdma_json_path(const struct p2pdma_json_reader *r);

/* "FILE: PATH[.KEY]: message"; records and returns @err. */
int p2pdma_json_fail(struct p2pdma_json_reader *r, const char *key, int err,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Put "FILE: PATH: " in front of a reason the model already wrote in r->e. */
int p2pdma_json_wrap(struct p2pdma_json_reader *r, int err);
int p2pdma_json_nomem(struct p2pdma_json_reader *r);

/* Outside text made safe for a one-line message, cut after QUOTE_MAX. */
const char *p2pdma_json_quote(const char *s, char *buf, size_t len);

/* Every key of @o must be in the NULL-terminated @keys. */
int p2pdma_json_keys(struct p2pdma_json_reader *r, struct json_object *o,
		     const char *const *keys);

/* The value of a key every object of this kind has (JSON null included). */
int p2pdma_json_get(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, struct json_object **v);
/* @v must be an object (@key names it in the message, or NULL for the path). */
int p2pdma_json_expect_object(struct p2pdma_json_reader *r, const char *key,
			      struct json_object *v);
/* An object or null under @key. */
int p2pdma_json_object_or_null(struct p2pdma_json_reader *r, struct json_object *o,
			       const char *key, struct json_object **v);
int p2pdma_json_array(struct p2pdma_json_reader *r, struct json_object *o,
		      const char *key, struct json_object **arr);

int p2pdma_json_int(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, int64_t min, int64_t max, bool nullable,
		    int64_t *out);
/* 0..@max, or null, which gives -1 (the model's "unknown"). */
int p2pdma_json_opt_int(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, int64_t max, int *out);
/* Any integer from @min to 2^64 - 1. */
int p2pdma_json_u64(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, uint64_t min, uint64_t *out);
int p2pdma_json_bool(struct p2pdma_json_reader *r, struct json_object *o,
		     const char *key, bool *out);
/* A string without NUL characters; *out stays valid while the object lives. */
int p2pdma_json_str(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, bool nullable, bool allow_empty, const char **out);
/* Exactly @digits hex digits, no "0x" (IDs as lspci -n prints them). */
int p2pdma_json_hex_id(struct p2pdma_json_reader *r, struct json_object *o,
		       const char *key, size_t digits, uint32_t *out);
/* "0x" and 1 to 16 hex digits. */
int p2pdma_json_hex_u64(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, uint64_t *out);
/* A PCI address in any form p2pdma_bdf_parse() takes. */
int p2pdma_json_bdf(struct p2pdma_json_reader *r, struct json_object *o,
		    const char *key, bool nullable, struct p2pdma_bdf *out);

#endif /* P2PDMA_JSON_READ_H */
