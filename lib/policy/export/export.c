// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma export FORMAT`: the facts doctor and the P2P groups hold, in
 * the conventions of the tool that consumes them.
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "export_int.h"

static const char *const names[] = { "nfd", "groups", "prometheus", "nccl" };

int p2pdma_export_format_parse(const char *s, enum p2pdma_export_format *out,
			       struct p2pdma_error *e)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum p2pdma_export_format)i;
			return 0;
		}
	return p2pdma_fail(e, -EINVAL, "unknown export format '%s' (nfd, groups, prometheus, nccl)", s);
}

/* {"groups": [{"id", "map_type", "devices": [BDF...]}], "devices": {BDF: id}} */
int p2pdma_export_groups(const struct p2pdma_p2p_groups *g, char **out)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	struct json_object *per = json_object_new_object();
	char name[P2PDMA_BDF_STRLEN];
	size_t i, j;

	for (i = 0; i < g->nr_groups; i++) {
		struct json_object *go = json_object_new_object(), *devs = json_object_new_array();

		json_object_object_add(go, "id", json_object_new_string(g->groups[i].id));
		json_object_object_add(go, "map_type",
				       json_object_new_string(p2pdma_map_type_name(g->groups[i].map_type)));
		for (j = 0; j < g->groups[i].nr_devs; j++) {
			p2pdma_bdf_format(&g->groups[i].devs[j]->bdf, name, sizeof(name));
			json_object_array_add(devs, json_object_new_string(name));
			json_object_object_add(per, name, json_object_new_string(g->groups[i].id));
		}
		json_object_object_add(go, "devices", devs);
		json_object_array_add(a, go);
	}
	json_object_object_add(o, "groups", a);
	json_object_object_add(o, "devices", per);
	return p2pdma_json_finish(o, out);
}

static int write_with(struct p2pdma_policy *p, enum p2pdma_export_format fmt,
		      const struct p2pdma_doctor *d, const struct p2pdma_p2p_groups *g,
		      char **out)
{
	struct p2pdma_buf b = { 0 };

	if (fmt == P2PDMA_EXPORT_GROUPS)
		return p2pdma_export_groups(g, out);
	if (fmt == P2PDMA_EXPORT_NCCL)
		return p2pdma_export_nccl(p2pdma_policy_fabric(p), out);
	if (fmt == P2PDMA_EXPORT_NFD)
		p2pdma_export_nfd(p, d, g, &b);
	else
		p2pdma_export_prometheus(p, d, &b);
	return p2pdma_buf_finish(&b, out);
}

int p2pdma_export_write(struct p2pdma_policy *p, enum p2pdma_export_format fmt,
			char **out, struct p2pdma_error *e)
{
	struct p2pdma_p2p_groups *g = NULL;
	struct p2pdma_doctor *d = NULL;
	int ret;

	*out = NULL;
	if ((size_t)fmt >= ARRAY_SIZE(names))
		return p2pdma_fail(e, -EINVAL, "unknown export format %d", (int)fmt);
	ret = p2pdma_doctor_run(p, &d, e);
	if (!ret)
		ret = p2pdma_p2p_groups_get(p, &g, e);
	if (!ret) {
		ret = write_with(p, fmt, d, g, out);
		if (ret)
			p2pdma_fail(e, ret, "out of memory");
	}
	p2pdma_p2p_groups_free(g);
	p2pdma_doctor_free(d);
	return ret;
}
