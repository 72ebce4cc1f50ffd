// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The whole verdict for one pair: the path device by device, the devices
 * the kernel finds redirecting (in the kernel's order), the host-bridge
 * look-ups, the lines the kernel logs, and the reason in words.
 *
 * The lists come from a literal walk of the kernel's chains (the O(1)
 * index only gives counts); a verdict is wanted for one pair at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* The kernel's seq_buf for the disable_acs_redir list (p2pdma.c). */
#define KERNEL_ACS_LIST_SIZE 128

char *p2pdma_dev_prefix(const struct p2pdma_function *fn, char *buf, size_t len)
{
	char name[P2PDMA_BDF_STRLEN];

	/* dev_driver_string(): the bound driver's name, else the bus name. */
	snprintf(buf, len, "%s %s: ", fn->driver ? fn->driver : "pci",
		 p2pdma_bdf_format(&fn->bdf, name, sizeof(name)));
	return buf;
}

char *p2pdma_fn_label(const struct p2pdma_function *fn, char *buf, size_t len)
{
	char name[P2PDMA_BDF_STRLEN], dev[128];

	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	p2pdma_name_device(fn->vendor, fn->device, dev, sizeof(dev));
	if (dev[0])
		snprintf(buf, len, "%s (%s)", name, dev);
	else
		snprintf(buf, len, "%s (%04x:%04x)", name, fn->vendor, fn->device);
	return buf;
}

static const char *bdf(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

static const char *role_words(const struct p2pdma_function *fn)
{
	switch (fn->role) {
	case P2PDMA_ROLE_ROOT_PORT: return "root port";
	case P2PDMA_ROLE_SWITCH_UPSTREAM: return "switch upstream port";
	case P2PDMA_ROLE_SWITCH_DOWNSTREAM: return "switch downstream port";
	case P2PDMA_ROLE_PCI_BRIDGE: return "PCI bridge";
	default: return "function";
	}
}

static int push_fn(const struct p2pdma_function ***v, size_t *nr,
		   const struct p2pdma_function *fn)
{
	const struct p2pdma_function **nv = realloc(*v, (*nr + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*nr)++] = fn;
	*v = nv;
	return 0;
}

static int push_hop(struct p2pdma_verdict *v, const struct p2pdma_function *fn,
		    const struct p2pdma_host_bridge *hb)
{
	struct p2pdma_hop *np = realloc(v->path, (v->nr_path + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	np[v->nr_path].fn = fn;
	np[v->nr_path].hb = hb;
	v->nr_path++;
	v->path = np;
	return 0;
}

/* Record one ACS check of the kernel's walk. */
static int check_acs(const struct p2pdma_policy *p, struct p2pdma_verdict *v,
		     const struct p2pdma_function *fn)
{
	switch (p2pdma_policy_redir(p, fn)) {
	case P2PDMA_REDIR_YES:
		return push_fn(&v->acs, &v->nr_acs, fn);
	case P2PDMA_REDIR_UNKNOWN:
		return push_fn(&v->acs_unknown, &v->nr_acs_unknown, fn);
	default:
		return 0;
	}
}

/*
 * The kernel's walk: the provider's chain up to and including the common
 * device, then the client's chain below it.  Builds the path too.
 */
static int walk(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	const struct p2pdma_function *a, **chain = NULL;
	size_t nc = 0, i;
	int ret = 0;

	for (a = v->provider; a && !ret; a = p2pdma_upstream_bridge(a)) {
		if (v->common)
			ret = check_acs(p, v, a);
		ret = ret ? ret : push_hop(v, a, NULL);
		if (a == v->common)
			break;
	}
	if (ret)
		return ret;
	for (a = v->client; a && a != v->common; a = p2pdma_upstream_bridge(a)) {
		if (v->common && (ret = check_acs(p, v, a)))
			break;
		if ((ret = push_fn(&chain, &nc, a)))
			break;
	}
	if (!ret && !v->common) {
		const struct p2pdma_host_bridge *ha = v->provider->host, *hb = v->client->host;

		ret = push_hop(v, NULL, ha);
		if (!ret && hb != ha)
			ret = push_hop(v, NULL, hb);
	}
	for (i = nc; i > 0 && !ret; i--)
		ret = push_hop(v, chain[i - 1], NULL);
	free(chain);
	return ret;
}

/* One __host_bridge_whitelist() call, recorded. */
static bool hb_check(struct p2pdma_verdict *v, uint32_t rel,
		     const struct p2pdma_host_bridge *host, bool same, bool warn)
{
	struct p2pdma_hb_check *c = &v->hb[v->nr_hb++];
	size_t count;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list_all(&count);

	memset(c, 0, sizeof(*c));
	c->host = host;
	c->same_host_bridge = same;
	c->dev = p2pdma_rel_host_bridge_dev(rel, host);
	c->entry = c->dev ? p2pdma_rel_allow_match_id(rel, c->dev->vendor, c->dev->device,
						      &c->id_unknown) : -1;
	/* An unknown ID: taken as not listed, silently; "uncertain" says why. */
	if (!c->dev || c->id_unknown)
		return false;
	if (c->entry >= 0)
		c->passed = same || !(tbl[c->entry].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE);
	else
		c->warned = warn;
	return c->passed;
}

/* host_bridge_whitelist(provider, client, warn), A first, short-circuit. */
static bool host_bridges(struct p2pdma_verdict *v, uint32_t rel, bool warn)
{
	const struct p2pdma_host_bridge *ha = v->provider->host, *hb = v->client->host;

	v->nr_hb = 0;
	if (ha == hb)
		return hb_check(v, rel, ha, true, warn);
	return hb_check(v, rel, ha, false, warn) && hb_check(v, rel, hb, false, warn);
}

static void decide_host_bridge(const struct p2pdma_policy *p, struct p2pdma_verdict *v,
			       const struct p2pdma_fast *fv)
{
	bool consulted = (fv->possible & ~(1u << P2PDMA_MAP_BUS_ADDR)) != 0;
	bool ok;

	v->cpu_known = p->f->cpu.known;
	v->cpu_rule = p->cpu_ok;
	if (!consulted) {
		v->hb_rule = P2PDMA_HB_NOT_CONSULTED;
		v->host_bridge_allowed = -1;
		return;
	}
	if (p->cpu_ok) {
		v->hb_rule = P2PDMA_HB_CPU;
		v->host_bridge_allowed = 1;
		return;
	}
	v->hb_rule = P2PDMA_HB_ALLOW_LIST;
	ok = host_bridges(v, p->rel.v, v->common && v->nr_acs);
	v->host_bridge_allowed = ok;
}

/*
 * The disable_acs_redir list as the kernel prints it: names joined by
 * ';' in a 128-byte seq_buf.  On overflow seq_buf keeps the first 127
 * characters, and the "drop final semicolon" store lands past the end,
 * so what is printed is those 127 characters, semicolons and all.
 */
static char *kernel_acs_list(const struct p2pdma_verdict *v, bool *truncated)
{
	struct p2pdma_buf b = { 0 };
	char name[P2PDMA_BDF_STRLEN], *s;
	size_t i;

	for (i = 0; i < v->nr_acs; i++)
		p2pdma_buf_printf(&b, "%s;", bdf(v->acs[i], name));
	if (p2pdma_buf_finish(&b, &s))
		return NULL;
	*truncated = strlen(s) >= KERNEL_ACS_LIST_SIZE;
	if (*truncated)
		s[KERNEL_ACS_LIST_SIZE - 1] = '\0';
	else if (*s)
		s[strlen(s) - 1] = '\0';
	return s;
}

static int kernel_log(struct p2pdma_verdict *v)
{
	char cpfx[128], pfx[128], pname[P2PDMA_BDF_STRLEN], *list;
	size_t i;
	int ret = 0;

	p2pdma_dev_prefix(v->client, cpfx, sizeof(cpfx));
	bdf(v->provider, pname);
	if (v->common && v->nr_acs) {
		list = kernel_acs_list(v, &v->kernel_list_truncated);
		if (!list)
			return -ENOMEM;
		ret = p2pdma_strv_pushf(&v->kernel_log, &v->nr_kernel_log,
					"%sACS redirect is set between the client and provider (%s)",
					cpfx, pname);
		if (!ret)
			ret = p2pdma_strv_pushf(&v->kernel_log, &v->nr_kernel_log,
						"%sto disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=%s",
						cpfx, list);
		free(list);
	}
	for (i = 0; i < v->nr_hb && !ret; i++)
		if (v->hb[i].warned)
			ret = p2pdma_strv_pushf(&v->kernel_log, &v->nr_kernel_log,
						"%sHost bridge not in P2PDMA whitelist: %04x:%04x",
						p2pdma_dev_prefix(v->hb[i].dev, pfx, sizeof(pfx)),
						v->hb[i].dev->vendor, v->hb[i].dev->device);
	if (!ret && v->map_type == P2PDMA_MAP_NOT_SUPPORTED)
		ret = p2pdma_strv_pushf(&v->kernel_log, &v->nr_kernel_log,
					"%scannot be used for peer-to-peer DMA as the client and provider (%s) do not share an upstream bridge or whitelisted host bridge",
					cpfx, pname);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* The reason, in words                                                    */

static void list_fns(struct p2pdma_buf *b, const struct p2pdma_function *const *fns,
		     size_t n, bool with_bits)
{
	char name[P2PDMA_BDF_STRLEN], bits[64];
	size_t i;

	for (i = 0; i < n; i++) {
		p2pdma_buf_printf(b, "%s%s", i ? (i + 1 == n ? " and " : ", ") : "",
				  bdf(fns[i], name));
		if (with_bits)
			p2pdma_buf_printf(b, " (%s, ACS Control 0x%04x)",
					  p2pdma_acs_flags_format(fns[i]->acs_ctrl &
								  P2PDMA_ACS_REDIRECT_MASK,
								  bits, sizeof(bits)),
					  fns[i]->acs_ctrl);
	}
}

static void cpu_words(struct p2pdma_buf *b, const struct p2pdma_policy *p, bool capital)
{
	const struct p2pdma_cpu *cpu = &p->f->cpu;
	const char *the = capital ? "The" : "the";

	if (!p2pdma_rel_has(p->rel.v, P2PDMA_REL_CPU_RULE))
		p2pdma_buf_printf(b, "%s kernel (%s) predates the AMD Zen CPU rule (5.9), so the CPU does not count",
				  the, p->rel_text);
	else if (!cpu->known)
		p2pdma_buf_printf(b, "%s CPU is unknown", the);
	else
		p2pdma_buf_printf(b, "%s CPU (%s family %#x) is not an AMD Zen or newer",
				  the, cpu->vendor, cpu->family);
}

/* Why one host-bridge look-up failed. */
static void hb_fail_words(struct p2pdma_buf *b, const struct p2pdma_verdict *v,
			  const struct p2pdma_hb_check *c)
{
	char name[P2PDMA_BDF_STRLEN];
	const struct p2pdma_host_bridge *other =
		c->host == v->provider->host ? v->client->host : v->provider->host;

	if (c->id_unknown) {
		p2pdma_buf_printf(b, "the ID of %s, the device the kernel looks up for host bridge %s, is unknown (the source gave no numeric ID), so whether the allow-list has it is unknown",
				  bdf(c->dev, name), c->host->name);
	} else if (!c->dev) {
		if (c->host->nr_children)
			p2pdma_buf_printf(b, "host bridge %s has no device the kernel can look up (the first function on its root bus, %s, is neither at 00.0 nor a root port)",
					  c->host->name, bdf(c->host->children[0], name));
		else
			p2pdma_buf_printf(b, "host bridge %s has no function on its root bus for the kernel to look up",
					  c->host->name);
	} else if (c->entry < 0) {
		p2pdma_buf_printf(b, "host bridge %s (%04x:%04x, looked up at %s) is not on the kernel's P2PDMA allow-list",
				  c->host->name, c->dev->vendor, c->dev->device, bdf(c->dev, name));
	} else {
		p2pdma_buf_printf(b, "host bridge %s (%04x:%04x) is on the allow-list only for peers under that same host bridge (REQ_SAME_HOST_BRIDGE), and the other device is under %s",
				  c->host->name, c->dev->vendor, c->dev->device, other->name);
	}
}

static void hb_words(struct p2pdma_buf *b, const struct p2pdma_policy *p,
		     const struct p2pdma_verdict *v)
{
	size_t count;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list_all(&count);
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	if (v->hb_rule == P2PDMA_HB_CPU) {
		p2pdma_buf_printf(b, " The CPU (%s family %#x) is an AMD Zen or newer, which the kernel trusts for every host-bridge path, so the answer is THRU_HOST_BRIDGE.",
				  p->f->cpu.vendor, p->f->cpu.family);
		return;
	}
	if (v->host_bridge_allowed == 1) {
		p2pdma_buf_puts(b, " The host bridge path is allowed: ");
		for (i = 0; i < v->nr_hb; i++) {
			const struct p2pdma_hb_check *c = &v->hb[i];
			const char *cm = tbl[c->entry].comment;

			p2pdma_buf_printf(b, "%s%s (%04x:%04x at %s) is on the kernel's allow-list%s%s%s",
					  i ? "; " : "", c->host->name, c->dev->vendor,
					  c->dev->device, bdf(c->dev, name),
					  cm ? " (" : "", cm ? cm : "", cm ? ")" : "");
		}
		p2pdma_buf_puts(b, ", so the answer is THRU_HOST_BRIDGE.");
		return;
	}
	p2pdma_buf_puts(b, " ");
	cpu_words(b, p, true);
	p2pdma_buf_puts(b, " and ");
	for (i = 0; i < v->nr_hb; i++) {
		if (v->hb[i].passed)
			continue;
		hb_fail_words(b, v, &v->hb[i]);
		break;
	}
	if (p->cpu_known)
		p2pdma_buf_puts(b, ", so the kernel refuses the pair: NOT_SUPPORTED.");
	else
		p2pdma_buf_puts(b, ", so unless the CPU is an AMD Zen or newer the kernel refuses the pair (NOT_SUPPORTED).");
}

static void common_words(struct p2pdma_buf *b, const struct p2pdma_verdict *v)
{
	char pn[P2PDMA_BDF_STRLEN], cn[P2PDMA_BDF_STRLEN], xn[P2PDMA_BDF_STRLEN];

	bdf(v->provider, pn);
	bdf(v->client, cn);
	bdf(v->common, xn);
	if (v->provider == v->client) {
		p2pdma_buf_printf(b, "Provider and client are the same function %s (distance 0).", pn);
		return;
	}
	if (v->common == v->provider || v->common == v->client)
		p2pdma_buf_printf(b, "%s is itself upstream of %s (distance %d).",
				  xn, v->common == v->provider ? cn : pn, v->distance);
	else
		p2pdma_buf_printf(b, "%s and %s share the upstream bridge %s (%s), %d hops apart.",
				  pn, cn, xn, role_words(v->common), v->distance);
}

static const struct p2pdma_function *chain_top(const struct p2pdma_function *fn)
{
	const struct p2pdma_function *up;

	while ((up = p2pdma_upstream_bridge(fn)))
		fn = up;
	return fn;
}

static void no_common_words(struct p2pdma_buf *b, const struct p2pdma_policy *p,
			    const struct p2pdma_verdict *v)
{
	const struct p2pdma_function *ta = chain_top(v->provider), *tb = chain_top(v->client);
	char pn[P2PDMA_BDF_STRLEN], cn[P2PDMA_BDF_STRLEN];
	char an[P2PDMA_BDF_STRLEN], bn[P2PDMA_BDF_STRLEN];

	bdf(v->provider, pn);
	bdf(v->client, cn);
	p2pdma_buf_printf(b, "%s and %s share no upstream bridge (distance %d, both whole chains): ",
			  pn, cn, v->distance);
	if (v->provider->bdf.domain != v->client->bdf.domain)
		p2pdma_buf_printf(b, "they are in different PCI domains (%04x under %s, %04x under %s)",
				  v->provider->bdf.domain, v->provider->host->name,
				  v->client->bdf.domain, v->client->host->name);
	else if (v->provider->host != v->client->host)
		p2pdma_buf_printf(b, "they are under different host bridges (%s and %s)",
				  v->provider->host->name, v->client->host->name);
	else
		p2pdma_buf_printf(b, "they hang off different devices of root bus %02x (%s and %s) under host bridge %s",
				  v->provider->host->bus, bdf(ta, an), bdf(tb, bn),
				  v->provider->host->name);
	p2pdma_buf_puts(b, ", so traffic between them crosses the host bridge and the kernel applies the host-bridge rule.");
	(void)p;
}

/* Redirecting devices on the provider's chain: the kernel saw them but ignores them. */
static void ignored_acs_words(struct p2pdma_buf *b, const struct p2pdma_policy *p,
			      const struct p2pdma_verdict *v)
{
	const struct p2pdma_function *a, *ign[64];
	size_t n = 0;

	for (a = v->provider; a && n < ARRAY_SIZE(ign); a = p2pdma_upstream_bridge(a))
		if (p2pdma_policy_redir(p, a) == P2PDMA_REDIR_YES)
			ign[n++] = a;
	for (a = v->client; a && n < ARRAY_SIZE(ign); a = p2pdma_upstream_bridge(a))
		if (p2pdma_policy_redir(p, a) == P2PDMA_REDIR_YES)
			ign[n++] = a;
	if (!n)
		return;
	p2pdma_buf_puts(b, " (ACS redirect on ");
	list_fns(b, ign, n, false);
	p2pdma_buf_puts(b, " plays no part: with no common upstream bridge the kernel ignores it.)");
}

static int reason(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	struct p2pdma_buf b = { 0 };

	if (v->common) {
		common_words(&b, v);
		if (v->nr_acs) {
			p2pdma_buf_puts(&b, " ACS redirect is set on ");
			list_fns(&b, v->acs, v->nr_acs, true);
			p2pdma_buf_printf(&b, ", which %s peer traffic up to the root complex, so the kernel applies the host-bridge rule.",
					  v->nr_acs > 1 ? "send" : "sends");
			hb_words(&b, p, v);
		} else if (v->nr_acs_unknown) {
			p2pdma_buf_puts(&b, " No device the kernel checks is known to redirect peer traffic, but the ACS state of ");
			list_fns(&b, v->acs_unknown, v->nr_acs_unknown, false);
			p2pdma_buf_puts(&b, " is unknown.");
		} else if (v->provider == v->client) {
			p2pdma_buf_puts(&b, " Its own ACS Control does not redirect, so the kernel answers BUS_ADDR.");
		} else {
			p2pdma_buf_printf(&b, " No device the kernel checks on that path (%zu of them) has ACS redirect (RR, CR or EC) set, so the kernel maps with PCI bus addresses and the traffic stays below %s: BUS_ADDR.",
					  v->nr_path, v->common == v->provider ||
					  v->common == v->client ? "it" : "that bridge");
		}
		if (v->nr_acs && v->nr_acs_unknown) {
			p2pdma_buf_puts(&b, " Certain although the ACS state of ");
			list_fns(&b, v->acs_unknown, v->nr_acs_unknown, false);
			p2pdma_buf_puts(&b, " is unknown: one redirecting device is enough.");
		}
	} else {
		no_common_words(&b, p, v);
		hb_words(&b, p, v);
		ignored_acs_words(&b, p, v);
	}
	return p2pdma_buf_finish(&b, &v->reason);
}

static int uncertain(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	char name[P2PDMA_BDF_STRLEN];
	struct p2pdma_buf b = { 0 };
	unsigned int t;
	size_t i;
	bool first = true;

	if (v->certain)
		return 0;
	p2pdma_buf_puts(&b, "Uncertain: the kernel would answer ");
	for (t = P2PDMA_MAP_NOT_SUPPORTED; t <= P2PDMA_MAP_THRU_HOST_BRIDGE; t++) {
		if (!(v->possible & (1u << t)))
			continue;
		p2pdma_buf_printf(&b, "%s%s", first ? "" : " or ",
				  p2pdma_map_type_name((enum p2pdma_map_type)t));
		first = false;
	}
	p2pdma_buf_puts(&b, ".");
	if (v->common && !v->nr_acs && v->nr_acs_unknown) {
		p2pdma_buf_puts(&b, " The ACS Control register of ");
		list_fns(&b, v->acs_unknown, v->nr_acs_unknown, false);
		p2pdma_buf_puts(&b, " could not be read (extended config space needs root): BUS_ADDR if none of them redirects, the host-bridge rule if one does.");
	}
	if (!p->cpu_known && v->host_bridge_allowed == 0)
		p2pdma_buf_puts(&b, " The CPU is unknown: on an AMD CPU of family 0x17 (Zen) or newer the kernel allows every host-bridge path; on any other CPU this host bridge path is refused.");
	for (i = 0; i < v->nr_hb; i++)
		if (v->hb[i].id_unknown)
			p2pdma_buf_printf(&b, " The ID of %s, which the kernel looks up for host bridge %s, is unknown, so the allow-list answer is too (with lspci, use -nn).",
					  p2pdma_bdf_format(&v->hb[i].dev->bdf, name, sizeof(name)),
					  v->hb[i].host->name);
	p2pdma_buf_puts(&b, " For a certain answer run p2pdma as root on the machine, or capture it as root (sudo p2pdma capture machine.tar.xz) and use -i machine.tar.xz");
	if (!p->cpu_known)
		p2pdma_buf_puts(&b, "; or state the CPU with --cpu");
	p2pdma_buf_puts(&b, ".");
	return p2pdma_buf_finish(&b, &v->uncertain);
}

int p2pdma_explain(struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	struct p2pdma_fast fv;
	int ret;

	p2pdma_fast_verdict(p, v->provider->index, v->client->index, &fv);
	v->map_type = fv.type;
	v->certain = fv.certain;
	v->possible = fv.possible;
	v->distance = fv.distance;
	v->common = fv.lca >= 0 ? p->f->fns[fv.lca] : NULL;
	ret = walk(p, v);
	if (ret)
		return ret;
	decide_host_bridge(p, v, &fv);
	v->path_class = p2pdma_path_class_of(p, v->provider->index, v->client->index, fv.lca);
	ret = kernel_log(v);
	if (!ret)
		ret = reason(p, v);
	if (!ret)
		ret = uncertain(p, v);
	if (!ret)
		v->peer_note = p2pdma_peer_note(p, v);
	return ret;
}
