// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma check PROVIDER CLIENT...`: every client's verdict and the
 * pci_p2pdma_distance_many() total, as text or JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy_int.h"

static void summary_text(struct p2pdma_buf *b, const struct p2pdma_function *provider,
			 int total, bool all_ok, size_t n)
{
	char name[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&provider->bdf, name, sizeof(name));
	if (total >= 0 && all_ok)
		p2pdma_buf_printf(b, "distance_many %d: %s can do peer-to-peer DMA with %s's memory\n",
				  total, n > 1 ? "every client" : "the client", name);
	else if (total >= 0)
		p2pdma_buf_printf(b, "distance_many %d for the answers above, but they are uncertain: %s may be refused\n",
				  total, n > 1 ? "a client" : "the client");
	else
		p2pdma_buf_printf(b, "distance_many -1: %s cannot do peer-to-peer DMA with %s's memory\n",
				  n > 1 ? "a client" : "the client", name);
}

static void p2pmem_note(struct p2pdma_buf *b, const struct p2pdma_function *provider)
{
	char name[P2PDMA_BDF_STRLEN];

	if (provider->p2pmem.present)
		return;
	p2pdma_bdf_format(&provider->bdf, name, sizeof(name));
	p2pdma_buf_printf(b, "note: no p2pmem pool is recorded for %s. These are the topology's answers (pci_p2pdma_distance); at DMA-mapping time the kernel also needs the provider to have registered its memory for P2PDMA.\n\n",
			  name);
}

static struct json_object *p2pmem_json(const struct p2pdma_function *fn)
{
	struct json_object *o;

	if (!fn->p2pmem.present)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "size", json_object_new_int64((int64_t)fn->p2pmem.size));
	json_object_object_add(o, "available",
			       json_object_new_int64((int64_t)fn->p2pmem.available));
	json_object_object_add(o, "published", json_object_new_boolean(fn->p2pmem.published));
	return o;
}

/* Names of the clients after the first non-PCI one: never computed. */
static struct json_object *skipped_json(const struct p2pdma_client *clients, size_t done,
					size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = done; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(clients[i].name));
	return a;
}

static int write_json(const struct p2pdma_policy *p, const struct p2pdma_function *provider,
		      const struct p2pdma_client *clients, size_t n, size_t done,
		      struct p2pdma_verdict **v, int total, bool all_ok,
		      const struct p2pdma_whatif_report *whatif, char **out)
{
	struct json_object *o = json_object_new_object(), *cl, *vs;
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	cl = json_object_new_array();
	vs = json_object_new_array();
	if (!o || !cl || !vs) {
		json_object_put(o);
		json_object_put(cl);
		json_object_put(vs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		json_object_array_add(cl, json_object_new_string(i < done ? v[i]->client_name :
								  clients[i].name));
		if (i < done)
			json_object_array_add(vs, p2pdma_verdict_json_obj(v[i]));
	}
	p2pdma_rel_json(p, o);
	json_object_object_add(o, "not_computed", skipped_json(clients, done, n));
	json_object_object_add(o, "provider", json_object_new_string(
		p2pdma_bdf_format(&provider->bdf, name, sizeof(name))));
	json_object_object_add(o, "clients", cl);
	json_object_object_add(o, "distance_many", json_object_new_int(total));
	json_object_object_add(o, "all_ok", json_object_new_boolean(all_ok));
	json_object_object_add(o, "provider_p2pmem", p2pmem_json(provider));
	json_object_object_add(o, "whatif", p2pdma_whatif_json_obj(whatif));
	json_object_object_add(o, "verdicts", vs);
	return p2pdma_json_finish(o, out);
}

static int write_text(const struct p2pdma_policy *p, const struct p2pdma_function *provider,
		      const struct p2pdma_client *clients, size_t n, size_t done,
		      struct p2pdma_verdict **v, int total, bool all_ok,
		      const struct p2pdma_whatif_report *whatif, char **out)
{
	struct p2pdma_buf b = { 0 };
	size_t i;

	p2pdma_rel_text(p, &b);
	p2pdma_whatif_text(&b, whatif);
	p2pmem_note(&b, provider);
	for (i = 0; i < done; i++) {
		p2pdma_verdict_text(&b, v[i]);
		p2pdma_buf_puts(&b, "\n");
	}
	if (done < n) {
		p2pdma_buf_puts(&b, "not computed  ");
		for (i = done; i < n; i++)
			p2pdma_buf_printf(&b, "%s%s", i > done ? ", " : "", clients[i].name);
		p2pdma_buf_printf(&b, "\n              (the kernel stops at %s, the first client that is not a PCI device: it never computes, logs or caches the clients after it)\n\n",
				  clients[done - 1].name);
	}
	summary_text(&b, provider, total, all_ok, n);
	return p2pdma_buf_finish(&b, out);
}

bool p2pdma_verdict_ok(const struct p2pdma_verdict *v)
{
	return !(v->possible & (1u << P2PDMA_MAP_NOT_SUPPORTED));
}

int p2pdma_check_write(struct p2pdma_policy *p,
		       const struct p2pdma_function *provider,
		       const struct p2pdma_client *clients, size_t n,
		       const struct p2pdma_whatif_report *whatif, bool json,
		       char **out, int *all_ok, struct p2pdma_error *e)
{
	struct p2pdma_verdict **v;
	bool ok = true;
	size_t i;
	int ret = 0, total;
	size_t done = n;

	*out = NULL;
	if (!n)
		return p2pdma_fail(e, -EINVAL, "no client given");
	v = calloc(n, sizeof(*v));
	if (!v)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	/* pci_p2pdma_distance_many() stops at the first client that is not PCI. */
	for (i = 0; i < n && !ret; i++) {
		ret = p2pdma_verdict_get(p, provider, clients[i].fn, clients[i].name, &v[i], e);
		if (!ret)
			ok = ok && p2pdma_verdict_ok(v[i]);
		if (!ret && !clients[i].fn) {
			done = i + 1;
			break;
		}
	}
	if (!ret) {
		total = p2pdma_distance_many(p, provider, clients, n, NULL);
		ok = ok && total >= 0;
		ret = json ? write_json(p, provider, clients, n, done, v, total, ok, whatif, out) :
			     write_text(p, provider, clients, n, done, v, total, ok, whatif, out);
		if (ret)
			p2pdma_fail(e, ret, "out of memory");
	}
	for (i = 0; i < n; i++)
		p2pdma_verdict_free(v[i]);
	free(v);
	if (all_ok)
		*all_ok = ok;
	return ret;
}
