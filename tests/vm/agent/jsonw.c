// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Streaming JSON writer for the guest agent (see jsonw.h).
 */
#include <string.h>

#include "jsonw.h"

void jsonw_init(struct jsonw *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->need_comma[0] = false;
}

/* Called before every value or key: separates it from the previous one. */
static void separate(struct jsonw *w)
{
	if (w->need_comma[w->depth])
		fputc(',', w->out);
	w->need_comma[w->depth] = true;
}

static void put_escaped(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			/* Kernel log text is ASCII; anything else is escaped byte-wise. */
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	separate(w);
	put_escaped(w->out, key, strlen(key));
	fputc(':', w->out);
	/* The value that follows needs no comma of its own. */
	w->need_comma[w->depth] = false;
}

static void after_value(struct jsonw *w)
{
	w->need_comma[w->depth] = true;
}

static void begin(struct jsonw *w, char open)
{
	separate(w);
	fputc(open, w->out);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void end(struct jsonw *w, char close)
{
	fputc(close, w->out);
	if (w->depth > 0)
		w->depth--;
	after_value(w);
	if (w->depth == 0)
		fputc('\n', w->out);
}

void jsonw_begin_object(struct jsonw *w)
{
	begin(w, '{');
}

void jsonw_end_object(struct jsonw *w)
{
	end(w, '}');
}

void jsonw_begin_array(struct jsonw *w)
{
	begin(w, '[');
}

void jsonw_end_array(struct jsonw *w)
{
	end(w, ']');
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
	separate(w);
	put_escaped(w->out, s, len);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_string_len(w, s, strlen(s));
}

void jsonw_int(struct jsonw *w, long long v)
{
	separate(w);
	fprintf(w->out, "%lld", v);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	separate(w);
	fputs(v ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w)
{
	separate(w);
	fputs("null", w->out);
}

void jsonw_base64(struct jsonw *w, const unsigned char *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	separate(w);
	fputc('"', w->out);
	for (i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)data[i] << 16;
		size_t left = len - i;

		if (left > 1)
			v |= (unsigned long)data[i + 1] << 8;
		if (left > 2)
			v |= data[i + 2];
		fputc(digits[(v >> 18) & 63], w->out);
		fputc(digits[(v >> 12) & 63], w->out);
		fputc(left > 1 ? digits[(v >> 6) & 63] : '=', w->out);
		fputc(left > 2 ? digits[v & 63] : '=', w->out);
	}
	fputc('"', w->out);
}
