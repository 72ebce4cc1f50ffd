// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma diff A B`: what changed between a baseline and another capture
 * (or the live machine), and which pair verdicts changed because of it.
 * This is the check a node health daemon runs after a firmware or kernel
 * update: ACS redirect turned back on, a host bridge dropped from the
 * allow-list, a link trained down, a device gone.
 *
 * Both fabrics are sorted by BDF, so matching is one merge pass.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

const char *p2pdma_change_kind_name(enum p2pdma_change_kind k)
{
	static const char *const names[] = {
		"added", "removed", "moved", "id", "acs", "link", "iommu_group",
		"iommu_type", "cmdline", "kernel_release", "pair",
	};

	return (size_t)k < ARRAY_SIZE(names) ? names[k] : "?";
}

static int add(struct p2pdma_diff *d, enum p2pdma_change_kind kind, char *what,
	       char *before, char *after, bool worse)
{
	struct p2pdma_change *c = NULL;

	if (what)
		c = realloc(d->changes, (d->nr_changes + 1) * sizeof(*c));
	if (!c) {
		free(what);
		free(before);
		free(after);
		return -ENOMEM;
	}
	d->changes = c;
	c[d->nr_changes++] = (struct p2pdma_change){ kind, what, before, after, worse };
	d->nr_worse += worse;
	return 0;
}

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *bdf_dup(const struct p2pdma_function *fn)
{
	char name[P2PDMA_BDF_STRLEN];

	return strdup(p2pdma_bdf_format(&fn->bdf, name, sizeof(name)));
}

static char *ids(const struct p2pdma_function *fn)
{
	return dupf("%04x:%04x class %06x", fn->vendor, fn->device, fn->class_code);
}

static char *acs_text(const struct p2pdma_function *fn)
{
	char bits[64];

	if (fn->acs_state == P2PDMA_ACS_UNKNOWN)
		return strdup("unknown");
	if (fn->acs_state == P2PDMA_ACS_ABSENT)
		return strdup("no ACS capability");
	return dupf("%#06x (%s)", fn->acs_ctrl, p2pdma_acs_flags_format(fn->acs_ctrl, bits, sizeof(bits)));
}

static char *link_text(const struct p2pdma_link *l)
{
	char sp[32];

	return dupf("x%u %s", l->width, p2pdma_link_speed_format(l->speed, sp, sizeof(sp)));
}

static char *where(const struct p2pdma_function *fn)
{
	char name[P2PDMA_BDF_STRLEN];

	if (fn->parent)
		return dupf("%s under %s", p2pdma_bdf_format(&fn->bdf, name, sizeof(name)),
			    p2pdma_bdf_format(&fn->parent->bdf, (char[P2PDMA_BDF_STRLEN]){ 0 },
					      P2PDMA_BDF_STRLEN));
	return dupf("%s on %s", p2pdma_bdf_format(&fn->bdf, name, sizeof(name)), fn->host->name);
}

static bool same_ids(const struct p2pdma_function *x, const struct p2pdma_function *y)
{
	return x->vendor == y->vendor && x->device == y->device &&
	       x->subsys_vendor == y->subsys_vendor && x->subsys_device == y->subsys_device &&
	       x->class_code == y->class_code && x->vendor != 0xffff;
}

static const char *group_type(const struct p2pdma_fabric *f, int id)
{
	const struct p2pdma_iommu_group *g = p2pdma_fabric_iommu_group(f, id);

	return g && g->type ? g->type : "unknown";
}

/* What changed on one function present at the same BDF in both. */
static int same_bdf(struct p2pdma_diff *d, const struct p2pdma_fabric *fa,
		    const struct p2pdma_fabric *fb, const struct p2pdma_function *x,
		    const struct p2pdma_function *y)
{
	int ret = 0;

	if (x->vendor != y->vendor || x->device != y->device)
		ret = add(d, P2PDMA_CHANGE_ID, bdf_dup(x), ids(x), ids(y), false);
	if (!ret && (!x->parent != !y->parent || (x->parent && p2pdma_bdf_cmp(&x->parent->bdf, &y->parent->bdf)) ||
		     x->host->domain != y->host->domain || x->host->bus != y->host->bus))
		ret = add(d, P2PDMA_CHANGE_MOVED, bdf_dup(x), where(x), where(y), false);
	if (!ret && (x->acs_state != y->acs_state ||
		     (x->acs_state == P2PDMA_ACS_PRESENT && x->acs_ctrl != y->acs_ctrl)))
		ret = add(d, P2PDMA_CHANGE_ACS, bdf_dup(x), acs_text(x), acs_text(y), false);
	if (!ret && (x->link.speed != y->link.speed || x->link.width != y->link.width))
		ret = add(d, P2PDMA_CHANGE_LINK, bdf_dup(x), link_text(&x->link), link_text(&y->link), false);
	if (!ret && x->iommu_group != y->iommu_group)
		ret = add(d, P2PDMA_CHANGE_IOMMU_GROUP, bdf_dup(x), dupf("%d", x->iommu_group),
			  dupf("%d", y->iommu_group), false);
	else if (!ret && x->iommu_group >= 0 &&
		 strcmp(group_type(fa, x->iommu_group), group_type(fb, y->iommu_group)))
		ret = add(d, P2PDMA_CHANGE_IOMMU_TYPE, bdf_dup(x), strdup(group_type(fa, x->iommu_group)),
			  strdup(group_type(fb, y->iommu_group)), false);
	return ret;
}

/* A function removed at one BDF and added at another with the same IDs moved. */
static int pair_moves(struct p2pdma_diff *d, const struct p2pdma_function **gone, size_t ng,
		      const struct p2pdma_function **new, size_t nn)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < ng && !ret; i++) {
		for (j = 0; j < nn && (!new[j] || !same_ids(gone[i], new[j])); j++)
			;
		if (j == nn)
			continue;
		ret = add(d, P2PDMA_CHANGE_MOVED, dupf("%04x:%04x", gone[i]->vendor, gone[i]->device),
			  where(gone[i]), where(new[j]), false);
		gone[i] = new[j] = NULL;
	}
	for (i = 0; i < ng && !ret; i++)
		if (gone[i])
			ret = add(d, P2PDMA_CHANGE_REMOVED, bdf_dup(gone[i]), ids(gone[i]), NULL, false);
	for (j = 0; j < nn && !ret; j++)
		if (new[j])
			ret = add(d, P2PDMA_CHANGE_ADDED, bdf_dup(new[j]), NULL, ids(new[j]), false);
	return ret;
}

/* One merge pass over both BDF-sorted function lists. */
static int functions(struct p2pdma_diff *d, const struct p2pdma_fabric *fa,
		     const struct p2pdma_fabric *fb)
{
	const struct p2pdma_function **gone = calloc(fa->nr_fns + 1, sizeof(*gone));
	const struct p2pdma_function **new = calloc(fb->nr_fns + 1, sizeof(*new));
	size_t i = 0, j = 0, ng = 0, nn = 0;
	int ret = gone && new ? 0 : -ENOMEM;

	while (!ret && (i < fa->nr_fns || j < fb->nr_fns)) {
		int c = i == fa->nr_fns ? 1 : j == fb->nr_fns ? -1 :
			p2pdma_bdf_cmp(&fa->fns[i]->bdf, &fb->fns[j]->bdf);

		if (c < 0)
			gone[ng++] = fa->fns[i++];
		else if (c > 0)
			new[nn++] = fb->fns[j++];
		else
			ret = same_bdf(d, fa, fb, fa->fns[i++], fb->fns[j++]);
	}
	if (!ret)
		ret = pair_moves(d, gone, ng, new, nn);
	free(gone);
	free(new);
	return ret;
}

static int strings(struct p2pdma_diff *d, enum p2pdma_change_kind kind,
		   const char *x, const char *y)
{
	if ((!x && !y) || (x && y && !strcmp(x, y)))
		return 0;
	return add(d, kind, strdup(""), x ? strdup(x) : NULL, y ? strdup(y) : NULL, false);
}

/* How good a verdict is: refused (or maybe) 0, through the host bridge 1, bus address 2. */
static int score(const struct p2pdma_fast *v)
{
	if (v->possible & (1u << P2PDMA_MAP_NOT_SUPPORTED))
		return 0;
	return (v->possible & (1u << P2PDMA_MAP_THRU_HOST_BRIDGE)) ? 1 : 2;
}

static char *verdict_text(const struct p2pdma_fast *v)
{
	if (v->certain)
		return strdup(p2pdma_map_type_name(v->type));
	return dupf("uncertain (%s%s%s)",
		    (v->possible & (1u << P2PDMA_MAP_BUS_ADDR)) ? "BUS_ADDR " : "",
		    (v->possible & (1u << P2PDMA_MAP_THRU_HOST_BRIDGE)) ? "THRU_HOST_BRIDGE " : "",
		    (v->possible & (1u << P2PDMA_MAP_NOT_SUPPORTED)) ? "NOT_SUPPORTED" : "");
}

static char *pair_name(const struct p2pdma_function *x, const struct p2pdma_function *y)
{
	char n1[P2PDMA_BDF_STRLEN], n2[P2PDMA_BDF_STRLEN];

	return dupf("%s %s", p2pdma_bdf_format(&x->bdf, n1, sizeof(n1)),
		    p2pdma_bdf_format(&y->bdf, n2, sizeof(n2)));
}

static int one_pair(struct p2pdma_diff *d, struct p2pdma_policy *pa, struct p2pdma_policy *pb,
		    const struct p2pdma_function *x, const struct p2pdma_function *y)
{
	const struct p2pdma_fabric *fb = p2pdma_policy_fabric(pb);
	const struct p2pdma_function *bx = p2pdma_fabric_find(fb, &x->bdf);
	const struct p2pdma_function *by = p2pdma_fabric_find(fb, &y->bdf);
	struct p2pdma_fast va, vb;

	p2pdma_fast_verdict(pa, x->index, y->index, &va);
	if (!bx || !by || p2pdma_function_is_bridge(bx) || p2pdma_function_is_bridge(by)) {
		if (!score(&va))
			return 0;
		return add(d, P2PDMA_CHANGE_PAIR, pair_name(x, y), verdict_text(&va),
			   strdup("gone"), true);
	}
	p2pdma_fast_verdict(pb, bx->index, by->index, &vb);
	if (va.certain == vb.certain && va.possible == vb.possible && va.type == vb.type)
		return 0;
	return add(d, P2PDMA_CHANGE_PAIR, pair_name(x, y), verdict_text(&va), verdict_text(&vb),
		   score(&vb) < score(&va));
}

static int pairs(struct p2pdma_diff *d, struct p2pdma_fabric *fa, struct p2pdma_fabric *fb)
{
	struct p2pdma_policy *pa = p2pdma_policy_new(fa), *pb = p2pdma_policy_new(fb);
	const struct p2pdma_function **set = calloc(fa->nr_fns + 1, sizeof(*set));
	size_t i, j, n = 0;
	int ret = pa && pb && set ? 0 : -ENOMEM;

	if (!ret && (p2pdma_policy_sync(pa) || p2pdma_policy_sync(pb)))
		ret = -ENOMEM;
	for (i = 0; !ret && i < fa->nr_fns; i++)
		if (!p2pdma_function_is_bridge(fa->fns[i]) && p2pdma_fn_default_class(fa->fns[i]))
			set[n++] = fa->fns[i];
	for (i = 0; !ret && i < n; i++)
		for (j = i + 1; !ret && j < n; j++)
			ret = one_pair(d, pa, pb, set[i], set[j]);
	free(set);
	p2pdma_policy_free(pa);
	p2pdma_policy_free(pb);
	return ret;
}

int p2pdma_diff_run(struct p2pdma_fabric *a, struct p2pdma_fabric *b,
		    struct p2pdma_diff **out, struct p2pdma_error *e)
{
	struct p2pdma_diff *d = calloc(1, sizeof(*d));
	int ret = d ? 0 : -ENOMEM;

	*out = NULL;
	if (!ret && (!a->finalized || !b->finalized))
		ret = -EINVAL;
	if (!ret)
		ret = functions(d, a, b);
	if (!ret)
		ret = strings(d, P2PDMA_CHANGE_CMDLINE, a->cmdline, b->cmdline);
	if (!ret)
		ret = strings(d, P2PDMA_CHANGE_RELEASE, a->kernel_release, b->kernel_release);
	if (!ret)
		ret = pairs(d, a, b);
	if (ret) {
		p2pdma_diff_free(d);
		return p2pdma_fail(e, ret, ret == -EINVAL ? "the fabric is not finalized" :
				   "out of memory");
	}
	*out = d;
	return 0;
}

void p2pdma_diff_free(struct p2pdma_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_changes; i++) {
		free(d->changes[i].what);
		free(d->changes[i].before);
		free(d->changes[i].after);
	}
	free(d->changes);
	free(d);
}
