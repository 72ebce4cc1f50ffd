// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What `p2pdma doctor` prints: one screen of text, or one JSON object
 * with the same facts for a fleet's collectors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "policy_int.h"

static void counts_text(struct p2pdma_buf *b, const struct p2pdma_doctor *d)
{
	p2pdma_buf_printf(b, "Pairs: %zu  BUS_ADDR %zu  THRU_HOST_BRIDGE %zu  NOT_SUPPORTED %zu  uncertain %zu  -> %zu blocked\n",
			  d->nr_pairs, d->nr_type[P2PDMA_MAP_BUS_ADDR],
			  d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE],
			  d->nr_type[P2PDMA_MAP_NOT_SUPPORTED], d->nr_uncertain, d->nr_blocked);
}

static void devices_text(struct p2pdma_buf *b, const struct p2pdma_doctor *d)
{
	char lbl[256];
	size_t i;

	p2pdma_buf_printf(b, "Devices (%zu):\n", d->nr_devs);
	for (i = 0; i < d->nr_devs; i++)
		p2pdma_buf_printf(b, "  %-5s %s%s\n", p2pdma_fn_kind(d->devs[i]),
				  p2pdma_fn_label(d->devs[i], lbl, sizeof(lbl)),
				  d->devs[i]->p2pmem.present ? " [p2pmem]" : "");
}

static void fns_text(struct p2pdma_buf *b, const struct p2pdma_cause *c)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	if (!c->nr_fns)
		return;
	p2pdma_buf_puts(b, "   ");
	for (i = 0; i < c->nr_fns; i++) {
		if (c->kind == P2PDMA_CAUSE_HOST_BRIDGE)
			p2pdma_buf_printf(b, " %s (%04x:%04x)", c->fns[i]->host->name,
					  c->fns[i]->vendor, c->fns[i]->device);
		else
			p2pdma_buf_printf(b, " %s", p2pdma_bdf_format(&c->fns[i]->bdf, name, sizeof(name)));
	}
	p2pdma_buf_puts(b, "\n");
}

static void cause_text(struct p2pdma_buf *b, const struct p2pdma_cause *c, size_t n)
{
	char num[24];
	int col = snprintf(num, sizeof(num), "%zu. ", n);

	p2pdma_buf_puts(b, num);
	p2pdma_wrap(b, c->summary, col, 3, 79);
	fns_text(b, c);
	/* The ACS fix comes laid out (command lines must not wrap); the others are prose. */
	if (c->fix && c->fix_cmdline)
		p2pdma_buf_puts(b, c->fix);
	else if (c->fix) {
		p2pdma_buf_puts(b, "  ");
		p2pdma_wrap(b, c->fix, 2, 2, 79);
	}
	if (c->fix_checked)
		p2pdma_buf_printf(b, "  Checked as a what-if: fixes %zu of %zu blocked pairs; %zu detoured pair(s) become BUS_ADDR.\n",
				  c->fixes_blocked, c->nr_blocked, c->fixes_detour);
}

static int doctor_text(const struct p2pdma_doctor *d, char **out)
{
	struct p2pdma_buf b = { 0 };
	size_t i;

	p2pdma_buf_printf(&b, "Kernel release: %s%s\n", d->release,
			  d->release_assumed ? " (assumed: the machine's is unknown)" : "");
	devices_text(&b, d);
	counts_text(&b, d);
	if (!d->nr_causes)
		p2pdma_buf_puts(&b, "Nothing to fix.\n");
	else
		p2pdma_buf_puts(&b, "Causes:\n");
	for (i = 0; i < d->nr_causes; i++)
		cause_text(&b, &d->causes[i], i + 1);
	p2pdma_buf_printf(&b, "Verdict: %s\n", d->nr_blocked ? "some pairs are blocked" :
			  "every pair can do peer-to-peer DMA");
	return p2pdma_buf_finish(&b, out);
}

static struct json_object *fns_json(const struct p2pdma_function *const *fns, size_t n)
{
	struct json_object *a = json_object_new_array();
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(
			p2pdma_bdf_format(&fns[i]->bdf, name, sizeof(name))));
	return a;
}

static struct json_object *cause_json(const struct p2pdma_cause *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(p2pdma_cause_kind_name(c->kind)));
	json_object_object_add(o, "summary", json_object_new_string(c->summary));
	json_object_object_add(o, "devices", fns_json(c->fns, c->nr_fns));
	json_object_object_add(o, "pairs", json_object_new_int64((int64_t)c->nr_pairs));
	json_object_object_add(o, "blocked", json_object_new_int64((int64_t)c->nr_blocked));
	json_object_object_add(o, "fix", p2pdma_json_str_or_null(c->fix));
	json_object_object_add(o, "fix_cmdline", p2pdma_json_str_or_null(c->fix_cmdline));
	if (c->fix_checked) {
		json_object_object_add(o, "fixes_blocked", json_object_new_int64((int64_t)c->fixes_blocked));
		json_object_object_add(o, "fixes_detour", json_object_new_int64((int64_t)c->fixes_detour));
	}
	return o;
}

static struct json_object *counts_json(const struct p2pdma_doctor *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "total", json_object_new_int64((int64_t)d->nr_pairs));
	json_object_object_add(o, "BUS_ADDR", json_object_new_int64((int64_t)d->nr_type[P2PDMA_MAP_BUS_ADDR]));
	json_object_object_add(o, "THRU_HOST_BRIDGE",
			       json_object_new_int64((int64_t)d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE]));
	json_object_object_add(o, "NOT_SUPPORTED",
			       json_object_new_int64((int64_t)d->nr_type[P2PDMA_MAP_NOT_SUPPORTED]));
	json_object_object_add(o, "uncertain", json_object_new_int64((int64_t)d->nr_uncertain));
	json_object_object_add(o, "blocked", json_object_new_int64((int64_t)d->nr_blocked));
	return o;
}

static int doctor_json(const struct p2pdma_doctor *d, char **out)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	json_object_object_add(o, "kernel_release", json_object_new_string(d->release));
	json_object_object_add(o, "kernel_release_assumed", json_object_new_boolean(d->release_assumed));
	json_object_object_add(o, "devices", fns_json(d->devs, d->nr_devs));
	json_object_object_add(o, "pairs", counts_json(d));
	for (i = 0; i < d->nr_causes; i++)
		json_object_array_add(a, cause_json(&d->causes[i]));
	json_object_object_add(o, "causes", a);
	json_object_object_add(o, "ok", json_object_new_boolean(!d->nr_blocked));
	return p2pdma_json_finish(o, out);
}

int p2pdma_doctor_write(const struct p2pdma_doctor *d, bool json, char **out,
			struct p2pdma_error *e)
{
	int ret = json ? doctor_json(d, out) : doctor_text(d, out);

	return ret ? p2pdma_fail(e, ret, "out of memory") : 0;
}
