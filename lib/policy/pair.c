// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma_verdict_get(): the whole verdict for one (provider, client), and
 * its release.  A client that is not a PCI device gets the kernel's
 * answer for one (pci_p2pdma_distance_many(): -1, "not a PCI device").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static bool in_fabric(const struct p2pdma_policy *p, const struct p2pdma_function *fn)
{
	return fn && fn->index < p->n && p->f->fns[fn->index] == fn;
}

/* dev_warn() on the client: "BUS NAME: ..." for "BUS:NAME". */
static int nonpci_verdict(struct p2pdma_verdict *v)
{
	const char *name = v->client_name, *colon = strchr(name, ':');

	v->map_type = P2PDMA_MAP_NOT_SUPPORTED;
	v->certain = true;
	v->possible = 1u << P2PDMA_MAP_NOT_SUPPORTED;
	v->distance = -1;
	v->host_bridge_allowed = -1;
	v->hb_rule = P2PDMA_HB_NOT_CONSULTED;
	v->path_class = P2PDMA_PATH_NONE;
	if (p2pdma_strv_pushf(&v->kernel_log, &v->nr_kernel_log,
			      "%.*s %s: cannot be used for peer-to-peer DMA as it is not a PCI device",
			      colon ? (int)(colon - name) : 0, name, colon ? colon + 1 : name))
		return -ENOMEM;
	if (asprintf(&v->reason, "%s is not a PCI device and has no PCI parent, so the kernel cannot place it in the PCI tree: it refuses peer-to-peer DMA with it (distance_many returns -1; at DMA-mapping time the answer is NOT_SUPPORTED, silently).",
		     name) < 0) {
		v->reason = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* A verdict with its pair filled in, nothing decided yet. */
static int verdict_new(struct p2pdma_policy *p, const struct p2pdma_function *provider,
		       const struct p2pdma_function *client, const char *client_name,
		       struct p2pdma_verdict **out, struct p2pdma_error *e)
{
	struct p2pdma_verdict *v;
	char name[P2PDMA_BDF_STRLEN];
	int ret;

	*out = NULL;
	ret = p2pdma_policy_sync(p);
	if (ret)
		return p2pdma_fail(e, ret, ret == -EINVAL ?
				   "the fabric is not finalized" : "out of memory");
	if (!in_fabric(p, provider))
		return p2pdma_fail(e, -EINVAL, "the provider is not a function of this machine");
	if (client && !in_fabric(p, client))
		return p2pdma_fail(e, -EINVAL, "the client is not a function of this machine");
	if (!client && (!client_name || !*client_name))
		return p2pdma_fail(e, -EINVAL, "a client that is not PCI needs a name");
	v = calloc(1, sizeof(*v));
	if (!v)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	v->provider = provider;
	v->client = client;
	v->provider_has_p2pmem = provider->p2pmem.present;
	v->client_name = strdup(client ? p2pdma_bdf_format(&client->bdf, name, sizeof(name)) :
				client_name);
	if (!v->client_name) {
		p2pdma_verdict_free(v);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	*out = v;
	return 0;
}

int p2pdma_verdict_get(struct p2pdma_policy *p,
		       const struct p2pdma_function *provider,
		       const struct p2pdma_function *client,
		       const char *client_name,
		       struct p2pdma_verdict **out, struct p2pdma_error *e)
{
	struct p2pdma_verdict *v;
	int ret;

	ret = verdict_new(p, provider, client, client_name, &v, e);
	if (ret)
		return ret;
	ret = client ? p2pdma_explain(p, v) : nonpci_verdict(v);
	if (!ret)
		ret = p2pdma_explain_fix(p, v);
	if (!ret)
		ret = p2pdma_rel_explain(p, v);
	if (ret)
		goto fail;
	if (client) {
		enum p2pdma_map_type before = p2pdma_policy_kernel_cached(p, provider, client);

		v->kernel_cached = before != v->map_type ? before : P2PDMA_MAP_UNKNOWN;
		/*
		 * The kernel's distance calls recompute and overwrite its
		 * cache, which only a provider with p2pdma state has.
		 */
		if (provider->p2pmem.present)
			p2pdma_cache_store_kernel(p, provider->index, client->index,
						  v->map_type);
	}
	*out = v;
	return 0;
fail:
	p2pdma_verdict_free(v);
	return p2pdma_fail(e, ret, "out of memory");
}

/*
 * The words of the verdict only, for a DMA-mapping path that refuses: no
 * fixes, no other releases, and no rewrite of the kernel's cache (the
 * kernel's mapping path only reads it; its distance calls rewrite it).
 */
int p2pdma_verdict_reason(struct p2pdma_policy *p, const struct p2pdma_function *provider,
			  const struct p2pdma_function *client, char *buf, size_t len,
			  struct p2pdma_error *e)
{
	struct p2pdma_verdict *v;
	int ret;

	if (!client)
		return p2pdma_fail(e, -EINVAL, "no client");
	ret = verdict_new(p, provider, client, NULL, &v, e);
	if (ret)
		return ret;
	ret = p2pdma_explain(p, v);
	if (ret)
		ret = p2pdma_fail(e, ret, "out of memory");
	else if (len)
		snprintf(buf, len, "%s", v->reason ? v->reason : "");
	p2pdma_verdict_free(v);
	return ret;
}

void p2pdma_verdict_free(struct p2pdma_verdict *v)
{
	if (!v)
		return;
	free(v->client_name);
	free(v->path);
	free(v->acs);
	free(v->acs_unknown);
	free(v->peer_note);
	free(v->release_note);
	p2pdma_strv_free(v->kernel_log, v->nr_kernel_log);
	free(v->reason);
	free(v->uncertain);
	free(v->fix);
	free(v->fix_cmdline);
	p2pdma_strv_free(v->fix_setpci, v->nr_fix_setpci);
	free(v);
}
