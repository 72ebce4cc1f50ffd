// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma doctor`: every pair of the devices that matter, counted by map
 * type, the causes grouped, one lasting fix per cause.  A fix's effect is
 * never estimated: the ACS fix is applied as a what-if on a second policy
 * over the same fabric, the pairs are counted again, and the registers
 * are put back.
 *
 * Pairs are unordered: the kernel's verdict is symmetric in provider and
 * client (the same chains are checked, the same host bridges consulted).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

/* Per pair, what the first count found. */
#define PAIR_BLOCKED	0x01	/* NOT_SUPPORTED is a possible answer */
#define PAIR_DETOUR	0x02	/* THRU_HOST_BRIDGE although a common bridge exists */

/* What the pass over the pairs collects, per function and per host bridge. */
struct dscan {
	uint8_t *pair;		/* PAIR_* per unordered pair */
	bool *redir;		/* redirecting port on an affected path */
	bool *unknown;		/* unknown-ACS port on an uncertain path */
	bool *hb_refuses;	/* host bridge that refused a blocked pair */
	size_t acs_pairs, acs_blocked;
	size_t unk_pairs, unk_blocked;
	size_t hb_pairs;
};

const char *p2pdma_cause_kind_name(enum p2pdma_cause_kind k)
{
	static const char *const names[] = {
		"no_p2pdma", "acs_redirect", "acs_unknown", "host_bridge", "iommu", "link",
	};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

static size_t pair_index(size_t i, size_t j, size_t n)
{
	return i * n - i * (i + 1) / 2 + (j - i - 1);
}

/* Mark the ports of state @want on the chain from @i up to @lca (inclusive). */
static void mark_chain(const struct p2pdma_policy *p, int32_t i, int lca,
		       enum p2pdma_redir want, bool *mark)
{
	for (; i >= 0; i = p->up[i]) {
		if ((p->node[i].flags & P2PDMA_PN_REDIR) == want)
			mark[i] = true;
		if (i == lca)
			break;
	}
}

/* A blocked pair with no common bridge (or one ACS cannot explain): its host bridges. */
static void mark_hb(const struct p2pdma_policy *p, size_t a, size_t b, bool *refuses)
{
	uint16_t ha = p->node[a].hb, hb = p->node[b].hb;

	if (ha == hb) {
		if (!p->phb[ha].ok_same)
			refuses[ha] = true;
		return;
	}
	if (!p->phb[ha].ok_diff)
		refuses[ha] = true;
	if (!p->phb[hb].ok_diff)
		refuses[hb] = true;
}

static void classify(struct p2pdma_policy *p, struct p2pdma_doctor *d,
		     struct dscan *s, size_t i, size_t j)
{
	size_t a = d->devs[i]->index, b = d->devs[j]->index;
	struct p2pdma_fast fv;
	uint8_t flags = 0;

	p2pdma_fast_verdict(p, a, b, &fv);
	if (fv.certain)
		d->nr_type[fv.type]++;
	else
		d->nr_uncertain++;
	if (fv.possible & (1u << P2PDMA_MAP_NOT_SUPPORTED))
		flags |= PAIR_BLOCKED;
	if (fv.lca >= 0 && fv.nr_redir && fv.type == P2PDMA_MAP_THRU_HOST_BRIDGE)
		flags |= PAIR_DETOUR;
	s->pair[pair_index(i, j, d->nr_devs)] = flags;
	d->nr_blocked += !!(flags & PAIR_BLOCKED);
	if (fv.lca >= 0 && fv.nr_redir) {
		mark_chain(p, (int32_t)a, fv.lca, P2PDMA_REDIR_YES, s->redir);
		mark_chain(p, (int32_t)b, fv.lca, P2PDMA_REDIR_YES, s->redir);
		s->acs_pairs++;
		s->acs_blocked += !!(flags & PAIR_BLOCKED);
	} else if (fv.lca >= 0 && fv.nr_unknown && !fv.certain) {
		mark_chain(p, (int32_t)a, fv.lca, P2PDMA_REDIR_UNKNOWN, s->unknown);
		mark_chain(p, (int32_t)b, fv.lca, P2PDMA_REDIR_UNKNOWN, s->unknown);
		s->unk_pairs++;
		s->unk_blocked += !!(flags & PAIR_BLOCKED);
	} else if (flags & PAIR_BLOCKED) {
		mark_hb(p, a, b, s->hb_refuses);
		s->hb_pairs++;
	}
}

static int pick_devices(const struct p2pdma_fabric *f, struct p2pdma_doctor *d)
{
	size_t i;

	d->devs = calloc(f->nr_fns ? f->nr_fns : 1, sizeof(*d->devs));
	if (!d->devs)
		return -ENOMEM;
	for (i = 0; i < f->nr_fns; i++)
		if (!p2pdma_function_is_bridge(f->fns[i]) &&
		    p2pdma_fn_default_class(f->fns[i]))
			d->devs[d->nr_devs++] = f->fns[i];
	d->nr_pairs = d->nr_devs * (d->nr_devs ? d->nr_devs - 1 : 0) / 2;
	return 0;
}

static struct p2pdma_cause *add_cause(struct p2pdma_doctor *d, enum p2pdma_cause_kind kind)
{
	struct p2pdma_cause *c = realloc(d->causes, (d->nr_causes + 1) * sizeof(*c));

	if (!c)
		return NULL;
	d->causes = c;
	c = &d->causes[d->nr_causes++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

/* The functions whose mark is set, in BDF order (fabric order). */
static int take_marked(const struct p2pdma_fabric *f, const bool *mark, struct p2pdma_cause *c)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += mark[i];
	c->fns = calloc(n ? n : 1, sizeof(*c->fns));
	if (!c->fns)
		return -ENOMEM;
	for (i = 0; i < f->nr_fns; i++)
		if (mark[i])
			c->fns[c->nr_fns++] = f->fns[i];
	return 0;
}

/* Count again under the what-if: blocked pairs freed, detours made direct. */
static void recount(struct p2pdma_policy *q, const struct p2pdma_doctor *d,
		    const struct dscan *s, struct p2pdma_cause *c)
{
	size_t i, j, k = 0;

	for (i = 0; i < d->nr_devs; i++)
		for (j = i + 1; j < d->nr_devs; j++, k++) {
			struct p2pdma_fast fv;

			if (!s->pair[k])
				continue;
			p2pdma_fast_verdict(q, d->devs[i]->index, d->devs[j]->index, &fv);
			if ((s->pair[k] & PAIR_BLOCKED) &&
			    !(fv.possible & (1u << P2PDMA_MAP_NOT_SUPPORTED)))
				c->fixes_blocked++;
			else if ((s->pair[k] & PAIR_DETOUR) && fv.certain &&
				 fv.type == P2PDMA_MAP_BUS_ADDR)
				c->fixes_detour++;
		}
}

/* Apply @c's command line on a second policy, recount, restore the registers. */
static int prove(struct p2pdma_policy *p, const struct p2pdma_doctor *d,
		 const struct dscan *s, struct p2pdma_cause *c, struct p2pdma_error *e)
{
	struct p2pdma_whatif w = { .cmdline = c->fix_cmdline, .iommu = -1 };
	struct p2pdma_policy *q = p2pdma_policy_new(p->f);
	struct p2pdma_whatif_report *r = NULL;
	size_t i;
	int ret;

	if (!q)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	ret = p2pdma_whatif_apply(q, &w, &r, e);
	if (!ret && p2pdma_policy_sync(q))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	if (!ret) {
		recount(q, d, s, c);
		c->fix_checked = true;
	}
	for (i = 0; r && i < r->nr_changes && !ret; i++)
		if (!r->changes[i].unknown_cleared)
			ret = p2pdma_fabric_set_acs_ctrl(p->f, p->f->fns[r->changes[i].fn->index],
							 r->changes[i].before, e);
	p2pdma_whatif_report_free(r);
	p2pdma_policy_free(q);
	return ret;
}

static int acs_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d,
		     const struct dscan *s, struct p2pdma_error *e)
{
	struct p2pdma_cause *c;
	char *text;
	int ret;

	if (!s->acs_pairs)
		return 0;
	c = add_cause(d, P2PDMA_CAUSE_ACS_REDIRECT);
	if (!c || take_marked(p->f, s->redir, c))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	c->nr_pairs = s->acs_pairs;
	c->nr_blocked = s->acs_blocked;
	if (asprintf(&c->summary, "ACS redirect (RR, CR or EC) on %zu port(s) sends %zu pair(s) up to the root complex; %zu of them are (or may be) refused there",
		     c->nr_fns, c->nr_pairs, c->nr_blocked) < 0)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	ret = p2pdma_fix_acs_lasting(p, c->fns, c->nr_fns, &c->fix_cmdline, &text);
	if (ret)
		return p2pdma_fail(e, ret, "out of memory");
	c->fix = text;
	return prove(p, d, s, c, e);
}

static int unknown_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d,
			 const struct dscan *s, struct p2pdma_error *e)
{
	struct p2pdma_cause *c;

	if (!s->unk_pairs)
		return 0;
	c = add_cause(d, P2PDMA_CAUSE_ACS_UNKNOWN);
	if (!c || take_marked(p->f, s->unknown, c))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	c->nr_pairs = s->unk_pairs;
	c->nr_blocked = s->unk_blocked;
	if (asprintf(&c->summary, "the ACS state of %zu device(s) on their paths could not be read, so %zu pair(s) are uncertain; %zu of them may be refused",
		     c->nr_fns, c->nr_pairs, c->nr_blocked) < 0 ||
	    !(c->fix = strdup("Read config space as root (sudo p2pdma doctor, or capture as root with 'sudo p2pdma capture'): the registers decide, and doctor then names the ports and the fix.")))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

static int hb_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d,
		    const struct dscan *s, struct p2pdma_error *e)
{
	struct p2pdma_cause *c;
	size_t i;

	if (!s->hb_pairs)
		return 0;
	c = add_cause(d, P2PDMA_CAUSE_HOST_BRIDGE);
	if (!c || !(c->fns = calloc(p->nr_phb ? p->nr_phb : 1, sizeof(*c->fns))))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < p->nr_phb; i++)
		if (s->hb_refuses[i] && p->phb[i].dev)
			c->fns[c->nr_fns++] = p->phb[i].dev;
	c->nr_pairs = c->nr_blocked = s->hb_pairs;
	if (asprintf(&c->summary, "%zu pair(s) go through host bridges that kernel %s does not allow for peer-to-peer%s",
		     c->nr_pairs, p->rel_text, p->cpu_known ? "" : " (the CPU is unknown: on AMD Zen they would be allowed)") < 0 ||
	    asprintf(&c->fix, "No kernel parameter lifts the host-bridge rule. Put the devices that must talk below one PCIe switch (BUS_ADDR, no host bridge involved), or run a kernel whose allow-list has these host bridges ('p2pdma --kernel VERSION doctor' shows what another release would answer).") < 0)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

static bool translated(const struct p2pdma_fabric *f, const struct p2pdma_function *fn)
{
	const struct p2pdma_iommu_group *g = p2pdma_fabric_iommu_group(f, fn->iommu_group);

	return g && g->type && !strncmp(g->type, "DMA", 3);
}

static int iommu_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d, struct p2pdma_error *e)
{
	struct p2pdma_cause *c;
	size_t i, n = 0;

	for (i = 0; i < d->nr_devs; i++)
		n += translated(p->f, d->devs[i]);
	if (!n)
		return 0;
	c = add_cause(d, P2PDMA_CAUSE_IOMMU);
	if (!c || !(c->fns = calloc(n, sizeof(*c->fns))))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < d->nr_devs; i++)
		if (translated(p->f, d->devs[i]))
			c->fns[c->nr_fns++] = d->devs[i];
	if (asprintf(&c->summary, "the IOMMU translates DMA for %zu device(s): their THRU_HOST_BRIDGE traffic goes through IOVA mappings, and the IOMMU driver is why the kernel enabled ACS redirect at boot",
		     n) < 0 ||
	    !(c->fix = strdup("iommu=pt on the kernel command line gives these devices identity mappings (no translation for THRU_HOST_BRIDGE traffic). It does not clear ACS redirect: the ACS fix above is still needed for BUS_ADDR. Keep translation where devices are given to guests or untrusted users.")))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

/* A link slower or narrower than both its ends can do (the partner is the parent port). */
static bool link_down(const struct p2pdma_function *fn)
{
	const struct p2pdma_function *up = fn->parent;
	uint32_t speed, width;

	/* A downstream port's registers describe the link to its child, not to its parent. */
	if (!up || fn->physfn || fn->bdf.fn || fn->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM ||
	    !fn->link.speed || !fn->link.width)
		return false;
	speed = fn->link.max_speed;
	if (up->link.max_speed && (!speed || up->link.max_speed < speed))
		speed = up->link.max_speed;
	width = fn->link.max_width;
	if (up->link.max_width && (!width || up->link.max_width < width))
		width = up->link.max_width;
	return (speed && fn->link.speed < speed) || (width && fn->link.width < width);
}

static int link_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d, struct p2pdma_error *e)
{
	struct p2pdma_cause *c;
	bool *mark = calloc(p->f->nr_fns ? p->f->nr_fns : 1, sizeof(*mark));
	size_t i, n = 0;
	int ret = 0;

	if (!mark)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < p->f->nr_fns; i++)
		n += mark[i] = link_down(p->f->fns[i]);
	if (n) {
		c = add_cause(d, P2PDMA_CAUSE_LINK);
		if (!c || take_marked(p->f, mark, c) ||
		    asprintf(&c->summary, "%zu link(s) trained below what both ends support", n) < 0 ||
		    !(c->fix = strdup("Not a kernel setting: reseat the card, check the riser and the slot's link settings in the firmware setup. GPUs lower the link speed when idle; check the speed under load before acting.")))
			ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	free(mark);
	return ret;
}

/* A release before 4.20 has no P2PDMA: every pair is refused. */
static int release_cause(struct p2pdma_policy *p, struct p2pdma_doctor *d, struct p2pdma_error *e)
{
	struct p2pdma_error pe = { 0 };
	struct p2pdma_kver k;
	struct p2pdma_cause *c;
	const char *rel = p->f->kernel_release;

	if (!rel || !p2pdma_kver_parse(rel, &k, &pe) || !strstr(pe.reason, "predates"))
		return 0;
	c = add_cause(d, P2PDMA_CAUSE_NO_P2PDMA);
	if (!c)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	c->nr_pairs = c->nr_blocked = d->nr_pairs;
	d->nr_blocked = d->nr_pairs;
	if (asprintf(&c->summary, "kernel %s predates P2PDMA (4.20): every pair is refused unless the distribution backported it",
		     rel) < 0 ||
	    !(c->fix = strdup("Boot a kernel of release 4.20 or later built with CONFIG_PCI_P2PDMA=y.")))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}

static int scan(struct p2pdma_policy *p, struct p2pdma_doctor *d, struct dscan *s)
{
	size_t i, j, n = p->f->nr_fns ? p->f->nr_fns : 1;

	s->pair = calloc(d->nr_pairs ? d->nr_pairs : 1, 1);
	s->redir = calloc(n, sizeof(bool));
	s->unknown = calloc(n, sizeof(bool));
	s->hb_refuses = calloc(p->nr_phb ? p->nr_phb : 1, sizeof(bool));
	if (!s->pair || !s->redir || !s->unknown || !s->hb_refuses)
		return -ENOMEM;
	for (i = 0; i < d->nr_devs; i++)
		for (j = i + 1; j < d->nr_devs; j++)
			classify(p, d, s, i, j);
	return 0;
}

static void scan_free(struct dscan *s)
{
	free(s->pair);
	free(s->redir);
	free(s->unknown);
	free(s->hb_refuses);
}

static int diagnose(struct p2pdma_policy *p, struct p2pdma_doctor *d, struct p2pdma_error *e)
{
	struct dscan s = { 0 };
	int ret = pick_devices(p->f, d);

	if (!ret)
		ret = scan(p, d, &s);
	if (ret) {
		scan_free(&s);
		return p2pdma_fail(e, ret, "out of memory");
	}
	ret = release_cause(p, d, e);
	if (!ret)
		ret = acs_cause(p, d, &s, e);
	if (!ret)
		ret = unknown_cause(p, d, &s, e);
	if (!ret)
		ret = hb_cause(p, d, &s, e);
	if (!ret)
		ret = iommu_cause(p, d, e);
	if (!ret)
		ret = link_cause(p, d, e);
	scan_free(&s);
	return ret;
}

int p2pdma_doctor_run(struct p2pdma_policy *p, struct p2pdma_doctor **out,
		      struct p2pdma_error *e)
{
	struct p2pdma_doctor *d;
	bool assumed;
	int ret;

	*out = NULL;
	ret = p2pdma_policy_sync(p);
	if (ret)
		return p2pdma_fail(e, ret, ret == -EINVAL ?
				   "the fabric is not finalized" : "out of memory");
	d = calloc(1, sizeof(*d));
	if (!d)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	snprintf(d->release, sizeof(d->release), "%s", p2pdma_policy_release(p, &assumed));
	d->release_assumed = assumed;
	ret = diagnose(p, d, e);
	if (ret) {
		p2pdma_doctor_free(d);
		return ret;
	}
	*out = d;
	return 0;
}

void p2pdma_doctor_free(struct p2pdma_doctor *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_causes; i++) {
		free(d->causes[i].fns);
		free(d->causes[i].summary);
		free(d->causes[i].fix);
		free(d->causes[i].fix_cmdline);
	}
	free(d->causes);
	free(d->devs);
	free(d);
}
