/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal streaming JSON writer for the guest agent: the agent links
 * nothing but libc (it runs from a bare initramfs), so it cannot use json-c.
 * The caller writes keys and values in order; the writer tracks commas.
 */
#ifndef VM_JSONW_H
#define VM_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 16

struct jsonw {
	FILE *out;
	int depth;
	bool need_comma[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, FILE *out);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_begin_object(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_begin_array(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, long long v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Base64 of @len bytes, as one JSON string. */
void jsonw_base64(struct jsonw *w, const unsigned char *data, size_t len);

#endif /* VM_JSONW_H */
