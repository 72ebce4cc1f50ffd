// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma find`: the provider pci_p2pmem_find_many() would pick for a set
 * of clients, and with --all every candidate with its total distance and
 * each client's verdict.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy_int.h"

static void client_types(struct p2pdma_policy *p, const struct p2pdma_function *provider,
			 const struct p2pdma_client *clients, size_t n,
			 enum p2pdma_map_type *types)
{
	p2pdma_distance_many(p, provider, clients, n, types);
}

/*
 * pci_p2pmem_find_many() is silent, but from 5.2 until the gating change
 * in the PCI tree ("next") the "Host bridge not in P2PDMA whitelist"
 * line prints on any path with ACS redirect that the allow-list refuses:
 * per candidate, per client, up to the first refused client (the
 * non-verbose distance_many() stops there) or one that is not PCI.
 */
static int silent_log(struct p2pdma_policy *p, const struct p2pdma_client *clients, size_t n,
		      const struct p2pdma_find_result *r, char ***log, size_t *nr)
{
	size_t i, j, k;
	int ret = 0;

	if (!p2pdma_rel_has(p->rel.v, P2PDMA_REL_WARN_SILENT))
		return 0;
	for (i = 0; i < r->nr_candidates && !ret; i++) {
		for (j = 0; j < n && clients[j].fn && !ret; j++) {
			struct p2pdma_verdict *v = NULL;
			bool stop;

			ret = p2pdma_verdict_get(p, r->candidates[i].provider, clients[j].fn,
						 NULL, &v, NULL);
			if (ret)
				break;
			for (k = 0; k < v->nr_kernel_log && v->certain && !ret; k++)
				if (strstr(v->kernel_log[k], "Host bridge not in P2PDMA whitelist"))
					ret = p2pdma_strv_pushf(log, nr, "%s", v->kernel_log[k]);
			stop = v->map_type == P2PDMA_MAP_NOT_SUPPORTED;
			p2pdma_verdict_free(v);
			if (stop)
				break;
		}
	}
	return ret;
}

static void candidate_text(struct p2pdma_buf *b, struct p2pdma_policy *p,
			   const struct p2pdma_candidate *c,
			   const struct p2pdma_client *clients, size_t n,
			   enum p2pdma_map_type *types)
{
	char lbl[256];
	size_t i;

	p2pdma_buf_printf(b, "  %s\n    ", p2pdma_fn_label(c->provider, lbl, sizeof(lbl)));
	if (c->distance >= 0)
		p2pdma_buf_printf(b, "total distance %d%s:", c->distance,
				  c->certain ? "" : " (uncertain)");
	else
		p2pdma_buf_printf(b, "unusable%s:", c->certain ? "" : " (uncertain)");
	client_types(p, c->provider, clients, n, types);
	for (i = 0; i < n; i++)
		p2pdma_buf_printf(b, " %s %s%s", clients[i].name,
				  p2pdma_map_type_name(types[i]), i + 1 < n ? "," : "");
	p2pdma_buf_puts(b, "\n");
}

static void log_text(struct p2pdma_buf *b, struct p2pdma_policy *p,
		     const struct p2pdma_client *clients, size_t n,
		     const struct p2pdma_find_result *r)
{
	char **log = NULL;
	size_t nr = 0, i;

	if (silent_log(p, clients, n, r, &log, &nr))
		b->err = -ENOMEM;
	if (nr)
		p2pdma_buf_puts(b, "kernel log  the kernel's own words, although this search is silent (kernels up to 7.3 print them):\n");
	for (i = 0; i < nr; i++)
		p2pdma_buf_printf(b, "            %s\n", log[i]);
	p2pdma_strv_free(log, nr);
}

static int find_text(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		     size_t n, const struct p2pdma_find_result *r,
		     const struct p2pdma_whatif_report *whatif, bool all, char **out)
{
	struct p2pdma_buf b = { 0 };
	enum p2pdma_map_type *types = calloc(n ? n : 1, sizeof(*types));
	char lbl[256];
	size_t i;

	if (!types)
		return -ENOMEM;
	p2pdma_rel_text(p, &b);
	p2pdma_whatif_text(&b, whatif);
	p2pdma_buf_puts(&b, "clients     ");
	for (i = 0; i < n; i++)
		p2pdma_buf_printf(&b, "%s%s", i ? ", " : "", clients[i].name);
	p2pdma_buf_puts(&b, "\n");
	if (r->chosen) {
		p2pdma_buf_printf(&b, "provider    %s\n", p2pdma_fn_label(r->chosen, lbl, sizeof(lbl)));
		p2pdma_buf_printf(&b, "distance    %d (sum over the clients)\n", r->distance);
		if (r->nr_ties > 1)
			p2pdma_buf_printf(&b, "choice      one of %zu providers at that distance, picked at random with seed %llu\n"
					  "            (--seed %llu repeats it; the kernel picks afresh every time)\n",
					  r->nr_ties, (unsigned long long)r->seed,
					  (unsigned long long)r->seed);
	} else if (!r->nr_candidates) {
		p2pdma_buf_puts(&b, "provider    none: no function in this machine has published p2pmem\n"
				"            (a driver must register its memory for P2PDMA and publish it;\n"
				"            NVMe publishes a CMB that supports both reads and writes)\n");
	} else {
		p2pdma_buf_printf(&b, "provider    none: none of the %zu published providers can serve every client\n",
				  r->nr_candidates);
	}
	log_text(&b, p, clients, n, r);
	if (all || (!r->chosen && r->nr_candidates)) {
		p2pdma_buf_puts(&b, "\ncandidates (published p2pmem, in BDF order; the kernel walks devices in the\norder they were added, VFs and hot-added devices last, which only matters for ties):\n");
		for (i = 0; i < r->nr_candidates; i++)
			candidate_text(&b, p, &r->candidates[i], clients, n, types);
	}
	free(types);
	return p2pdma_buf_finish(&b, out);
}

static struct json_object *log_json(struct p2pdma_policy *p,
				    const struct p2pdma_client *clients, size_t n,
				    const struct p2pdma_find_result *r)
{
	struct json_object *a = json_object_new_array();
	char **log = NULL;
	size_t nr = 0, k;

	silent_log(p, clients, n, r, &log, &nr);
	for (k = 0; a && k < nr; k++)
		json_object_array_add(a, json_object_new_string(log[k]));
	p2pdma_strv_free(log, nr);
	return a;
}

static int find_json(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		     size_t n, const struct p2pdma_find_result *r,
		     const struct p2pdma_whatif_report *whatif, char **out)
{
	struct json_object *o = json_object_new_object(), *cl, *cands;
	enum p2pdma_map_type *types = calloc(n ? n : 1, sizeof(*types));
	char name[P2PDMA_BDF_STRLEN];
	size_t i, j;

	cl = json_object_new_array();
	cands = json_object_new_array();
	if (!o || !cl || !cands || !types) {
		json_object_put(o);
		json_object_put(cl);
		json_object_put(cands);
		free(types);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		json_object_array_add(cl, json_object_new_string(clients[i].name));
	for (i = 0; i < r->nr_candidates; i++) {
		const struct p2pdma_candidate *c = &r->candidates[i];
		struct json_object *co = json_object_new_object(), *vs = json_object_new_array();

		if (!co || !vs) {
			json_object_put(co);
			json_object_put(vs);
			continue;
		}
		client_types(p, c->provider, clients, n, types);
		for (j = 0; j < n; j++) {
			struct json_object *vo = json_object_new_object();

			if (!vo)
				continue;
			json_object_object_add(vo, "client", json_object_new_string(clients[j].name));
			json_object_object_add(vo, "map_type", json_object_new_string(
				p2pdma_map_type_name(types[j])));
			json_object_array_add(vs, vo);
		}
		json_object_object_add(co, "provider", json_object_new_string(
			p2pdma_bdf_format(&c->provider->bdf, name, sizeof(name))));
		json_object_object_add(co, "distance", json_object_new_int(c->distance));
		json_object_object_add(co, "usable", json_object_new_boolean(c->distance >= 0));
		json_object_object_add(co, "certain", json_object_new_boolean(c->certain));
		json_object_object_add(co, "verdicts", vs);
		json_object_array_add(cands, co);
	}
	free(types);
	p2pdma_rel_json(p, o);
	json_object_object_add(o, "kernel_log", log_json(p, clients, n, r));
	json_object_object_add(o, "clients", cl);
	json_object_object_add(o, "chosen", r->chosen ? json_object_new_string(
		p2pdma_bdf_format(&r->chosen->bdf, name, sizeof(name))) : NULL);
	json_object_object_add(o, "distance", json_object_new_int(r->distance));
	json_object_object_add(o, "ties", json_object_new_int((int)r->nr_ties));
	json_object_object_add(o, "seed", json_object_new_uint64(r->seed));
	json_object_object_add(o, "candidates", cands);
	json_object_object_add(o, "whatif", p2pdma_whatif_json_obj(whatif));
	return p2pdma_json_finish(o, out);
}

int p2pdma_find_write(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		      size_t n, const struct p2pdma_find_result *r,
		      const struct p2pdma_whatif_report *whatif, bool all,
		      bool json, char **out, struct p2pdma_error *e)
{
	int ret;

	*out = NULL;
	ret = json ? find_json(p, clients, n, r, whatif, out) :
		     find_text(p, clients, n, r, whatif, all, out);
	if (ret)
		return p2pdma_fail(e, ret, "out of memory");
	return 0;
}
