// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What `p2pdma diff` prints: one line per change ("acs 0000:19:00.0:
 * 0x0011 (SV UF) -> 0x001d (SV RR CR UF)"), pairs that got worse marked,
 * or a JSON object with the changes grouped by kind.
 */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "policy_int.h"

static int diff_text(const struct p2pdma_diff *d, char **out)
{
	struct p2pdma_buf b = { 0 };
	size_t i;

	for (i = 0; i < d->nr_changes; i++) {
		const struct p2pdma_change *c = &d->changes[i];

		p2pdma_buf_printf(&b, "%-14s %s%s%s -> %s%s\n", p2pdma_change_kind_name(c->kind),
				  c->what, *c->what ? ": " : "", c->before ? c->before : "(none)",
				  c->after ? c->after : "(none)", c->worse ? "  [worse]" : "");
	}
	if (!d->nr_changes)
		p2pdma_buf_puts(&b, "No differences.\n");
	else
		p2pdma_buf_printf(&b, "%zu change(s), %zu pair(s) worse\n", d->nr_changes, d->nr_worse);
	return p2pdma_buf_finish(&b, out);
}

static struct json_object *change_json(const struct p2pdma_change *c)
{
	struct json_object *o = json_object_new_object();

	if (*c->what)
		json_object_object_add(o, "what", json_object_new_string(c->what));
	json_object_object_add(o, "before", p2pdma_json_str_or_null(c->before));
	json_object_object_add(o, "after", p2pdma_json_str_or_null(c->after));
	if (c->kind == P2PDMA_CHANGE_PAIR)
		json_object_object_add(o, "worse", json_object_new_boolean(c->worse));
	return o;
}

static int diff_json(const struct p2pdma_diff *d, char **out)
{
	struct json_object *o = json_object_new_object(), *ch = json_object_new_object();
	size_t i;

	for (i = 0; i < d->nr_changes; i++) {
		const char *k = p2pdma_change_kind_name(d->changes[i].kind);
		struct json_object *a;

		if (!json_object_object_get_ex(ch, k, &a)) {
			a = json_object_new_array();
			json_object_object_add(ch, k, a);
		}
		json_object_array_add(a, change_json(&d->changes[i]));
	}
	json_object_object_add(o, "changes", ch);
	json_object_object_add(o, "nr_changes", json_object_new_int64((int64_t)d->nr_changes));
	json_object_object_add(o, "worse", json_object_new_int64((int64_t)d->nr_worse));
	return p2pdma_json_finish(o, out);
}

int p2pdma_diff_write(const struct p2pdma_diff *d, bool json, char **out,
		      struct p2pdma_error *e)
{
	int ret = json ? diff_json(d, out) : diff_text(d, out);

	return ret ? p2pdma_fail(e, ret, "out of memory") : 0;
}
