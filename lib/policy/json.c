// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A verdict as JSON.  The keys the issue fixes come first (provider,
 * client, map_type, distance, common_upstream, path, acs_redirect,
 * host_bridge_allowed, path_class, kernel_log, reason, fix); the rest
 * says how certain the answer is and how it was reached.
 *
 * JSON stays truthful: an answer that depends on unreadable registers
 * has map_type "UNKNOWN" and lists the answers it could be in "possible".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy_int.h"

struct json_object *p2pdma_json_str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *bdf_json(const struct p2pdma_function *fn)
{
	char name[P2PDMA_BDF_STRLEN];

	return fn ? json_object_new_string(p2pdma_bdf_format(&fn->bdf, name, sizeof(name))) : NULL;
}

static struct json_object *fn_array(const struct p2pdma_function *const *fns, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_object_array_add(a, bdf_json(fns[i]));
	return a;
}

static struct json_object *str_array(char *const *s, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(s[i]));
	return a;
}

static struct json_object *path_json(const struct p2pdma_verdict *v)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < v->nr_path; i++)
		json_object_array_add(a, v->path[i].fn ? bdf_json(v->path[i].fn) :
				      json_object_new_string(v->path[i].hb->name));
	return a;
}

static struct json_object *possible_json(unsigned int possible)
{
	struct json_object *a = json_object_new_array();
	unsigned int t;

	for (t = P2PDMA_MAP_NOT_SUPPORTED; a && t <= P2PDMA_MAP_THRU_HOST_BRIDGE; t++)
		if (possible & (1u << t))
			json_object_array_add(a, json_object_new_string(
				p2pdma_map_type_name((enum p2pdma_map_type)t)));
	return a;
}

static struct json_object *id_json(uint16_t vendor, int device)
{
	char id[16];

	if (device < 0)
		snprintf(id, sizeof(id), "%04x:*", vendor);
	else
		snprintf(id, sizeof(id), "%04x:%04x", vendor, (unsigned int)device);
	return json_object_new_string(id);
}

static struct json_object *hb_check_json(const struct p2pdma_hb_check *c)
{
	size_t count;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list(&count);
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "host_bridge", json_object_new_string(c->host->name));
	json_object_object_add(o, "device", bdf_json(c->dev));
	json_object_object_add(o, "id", c->dev ? id_json(c->dev->vendor, c->dev->device) : NULL);
	json_object_object_add(o, "entry", c->entry >= 0 ?
			       id_json(tbl[c->entry].vendor, tbl[c->entry].device) : NULL);
	json_object_object_add(o, "req_same_host_bridge", json_object_new_boolean(
		c->entry >= 0 && (tbl[c->entry].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE)));
	json_object_object_add(o, "same_host_bridge", json_object_new_boolean(c->same_host_bridge));
	json_object_object_add(o, "passed", json_object_new_boolean(c->passed));
	json_object_object_add(o, "id_unknown", json_object_new_boolean(c->id_unknown));
	return o;
}

static struct json_object *host_bridge_json(const struct p2pdma_verdict *v)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "rule", json_object_new_string(
		v->hb_rule == P2PDMA_HB_CPU ? "cpu" :
		v->hb_rule == P2PDMA_HB_ALLOW_LIST ? "allow-list" : "not consulted"));
	json_object_object_add(o, "cpu_rule", json_object_new_boolean(v->cpu_rule));
	json_object_object_add(o, "cpu_known", json_object_new_boolean(v->cpu_known));
	a = json_object_new_array();
	for (i = 0; a && i < v->nr_hb; i++)
		json_object_array_add(a, hb_check_json(&v->hb[i]));
	json_object_object_add(o, "checks", a);
	return o;
}

struct json_object *p2pdma_verdict_json_obj(const struct p2pdma_verdict *v)
{
	struct json_object *o = json_object_new_object();
	bool pci = v->client != NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "provider", bdf_json(v->provider));
	json_object_object_add(o, "client", json_object_new_string(v->client_name));
	json_object_object_add(o, "map_type", json_object_new_string(
		v->certain ? p2pdma_map_type_name(v->map_type) : "UNKNOWN"));
	json_object_object_add(o, "distance", v->distance >= 0 ?
			       json_object_new_int(v->distance) : NULL);
	json_object_object_add(o, "common_upstream", bdf_json(v->common));
	json_object_object_add(o, "path", path_json(v));
	json_object_object_add(o, "acs_redirect", fn_array(v->acs, v->nr_acs));
	json_object_object_add(o, "host_bridge_allowed", v->host_bridge_allowed < 0 ? NULL :
			       json_object_new_boolean(v->host_bridge_allowed));
	json_object_object_add(o, "path_class", pci ? json_object_new_string(
		p2pdma_path_class_name(v->path_class)) : NULL);
	json_object_object_add(o, "kernel_log", str_array(v->kernel_log, v->nr_kernel_log));
	json_object_object_add(o, "reason", p2pdma_json_str_or_null(v->reason));
	json_object_object_add(o, "fix", p2pdma_json_str_or_null(v->fix));

	json_object_object_add(o, "certain", json_object_new_boolean(v->certain));
	json_object_object_add(o, "possible", possible_json(v->possible));
	json_object_object_add(o, "uncertain", p2pdma_json_str_or_null(v->uncertain));
	json_object_object_add(o, "acs_unknown", fn_array(v->acs_unknown, v->nr_acs_unknown));
	json_object_object_add(o, "host_bridge", pci ? host_bridge_json(v) : NULL);
	json_object_object_add(o, "kernel_list_truncated",
			       json_object_new_boolean(v->kernel_list_truncated));
	json_object_object_add(o, "fix_cmdline", p2pdma_json_str_or_null(v->fix_cmdline));
	json_object_object_add(o, "fix_setpci", str_array(v->fix_setpci, v->nr_fix_setpci));
	json_object_object_add(o, "peer_note", p2pdma_json_str_or_null(v->peer_note));
	json_object_object_add(o, "kernel_cached", v->kernel_cached == P2PDMA_MAP_UNKNOWN ? NULL :
			       json_object_new_string(p2pdma_map_type_name(v->kernel_cached)));
	json_object_object_add(o, "provider_has_p2pmem",
			       json_object_new_boolean(v->provider_has_p2pmem));
	json_object_object_add(o, "kernel_release", json_object_new_string(v->release));
	json_object_object_add(o, "kernel_release_assumed",
			       json_object_new_boolean(v->release_assumed));
	json_object_object_add(o, "release_note", p2pdma_json_str_or_null(v->release_note));
	return o;
}

struct json_object *p2pdma_whatif_json_obj(const struct p2pdma_whatif_report *r)
{
	struct json_object *o, *a;
	size_t i;

	if (!r)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	for (i = 0; i < r->nr_changes; i++) {
		const struct p2pdma_acs_change *c = &r->changes[i];
		struct json_object *e = json_object_new_object();

		if (!e)
			continue;
		json_object_object_add(e, "function", bdf_json(c->fn));
		json_object_object_add(e, "before", c->unknown_cleared ? NULL :
				       json_object_new_int(c->before));
		json_object_object_add(e, "after", c->unknown_cleared ? NULL :
				       json_object_new_int(c->after));
		json_object_object_add(e, "redirect_cleared_from_unknown",
				       json_object_new_boolean(c->unknown_cleared));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "acs_changes", a);
	json_object_object_add(o, "kernel_log", str_array(r->kernel_log, r->nr_kernel_log));
	json_object_object_add(o, "notes", str_array(r->notes, r->nr_notes));
	return o;
}

int p2pdma_json_finish(struct json_object *o, char **out)
{
	const char *s;

	*out = NULL;
	if (!o)
		return -ENOMEM;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s && asprintf(out, "%s\n", s) < 0)
		*out = NULL;
	json_object_put(o);
	return *out ? 0 : -ENOMEM;
}

int p2pdma_verdict_write_json(const struct p2pdma_verdict *v, char **out)
{
	return p2pdma_json_finish(p2pdma_verdict_json_obj(v), out);
}
