// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma's own verdict for a pair the kernel just refused: the policy
 * layer on the fabric loaded from the same root, squeezed onto one line
 * so the refusal message stays one line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux_int.h"
#include "p2pdma/policy.h"
#include "util.h"

/* Newlines and runs of blanks to one space, in place. */
static char *one_line(char *s)
{
	char *r = s, *w = s;

	for (; *r; r++) {
		char c = (*r == '\n' || *r == '\t') ? ' ' : *r;

		if (c == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = c;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	return s;
}

/*
 * The one step of a many-line fix worth a one-line message: the kernel
 * argument when there is one, else the first "What would allow it" item,
 * else the first item.
 */
static char *fix_step(const char *fix)
{
	const char *p = strstr(fix, "What would allow it:");
	const char *item = strstr(p ? p : fix, "  - ");
	size_t n;

	if (!item)
		return strndup(fix, strcspn(fix, "\n"));
	item += 4;
	n = strcspn(item, "\n");
	while (n && (item[n - 1] == ';' || item[n - 1] == ' '))
		n--;
	return strndup(item, n);
}

static int format_verdict(const struct p2pdma_verdict *v, char **line)
{
	struct p2pdma_buf b = { 0 };
	char *step;

	p2pdma_buf_printf(&b, "%s (distance %d)", p2pdma_map_type_name(v->map_type),
			  v->distance);
	if (v->reason)	/* its last full stop would sit before "; fix" */
		p2pdma_buf_printf(&b, ": %.*s", (int)(strlen(v->reason) -
			(v->reason[0] && v->reason[strlen(v->reason) - 1] == '.')), v->reason);
	if (v->fix_cmdline) {
		p2pdma_buf_printf(&b, "; fix: boot with %s", v->fix_cmdline);
	} else if (v->fix) {
		step = fix_step(v->fix);
		p2pdma_buf_printf(&b, "; fix: %s", step ? step : "");
		free(step);
	}
	if (p2pdma_buf_finish(&b, line))
		return -ENOMEM;
	one_line(*line);
	return 0;
}

/* The fabric of the machine below l->root and a policy over it. */
static int load(const struct p2pdma_linux *l, struct p2pdma_fabric **f,
		struct p2pdma_policy **p, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = l->root, .format = P2PDMA_INPUT_SYSFS };
	int ret;

	*p = NULL;
	ret = p2pdma_fabric_load(&o, f, e);
	if (!ret && !(*p = p2pdma_policy_new(*f)))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	return ret;
}

int p2pdma_linux_explain(const struct p2pdma_linux *l, const char *provider,
			 const char *client, enum p2pdma_map_type *type, char **line,
			 struct p2pdma_error *e)
{
	struct p2pdma_function *pf, *cf;
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_policy *p = NULL;
	int ret;

	if (line)
		*line = NULL;
	ret = load(l, &f, &p, e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, provider, &pf, e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, client, &cf, e);
	if (!ret)
		ret = p2pdma_verdict_get(p, pf, cf, NULL, &v, e);
	if (!ret && type)
		*type = v->map_type;
	if (!ret && line && format_verdict(v, line))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	if (ret && e)
		p2pdma_error_prefix(e, "no verdict");
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return ret;
}

/* Of p2pdma_find()'s candidates, the nearest one user space can map. */
static void pick(const struct p2pdma_linux *l, const struct p2pdma_find_result *r,
		 char out[P2PDMA_BDF_STRLEN])
{
	const struct p2pdma_linux_provider *lp;
	char name[P2PDMA_BDF_STRLEN];
	int best = -1;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < r->nr_candidates; i++) {
		const struct p2pdma_candidate *c = &r->candidates[i];

		if (c->distance < 0 || (best >= 0 && c->distance >= best))
			continue;
		p2pdma_bdf_format(&c->provider->bdf, name, sizeof(name));
		lp = p2pdma_linux_provider_find(l, name);
		if (!lp || !lp->has_allocate || !lp->published)
			continue;
		best = c->distance;
		memcpy(out, name, P2PDMA_BDF_STRLEN);
	}
}

int p2pdma_linux_choose(const struct p2pdma_linux *l, const char *src_bdf,
			const char *dst_bdf, uint64_t seed, char out[P2PDMA_BDF_STRLEN],
			struct p2pdma_error *e)
{
	struct p2pdma_find_result *r = NULL;
	struct p2pdma_client c[2] = { 0 };
	struct p2pdma_function *fn[2];
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_policy *p = NULL;
	int ret;

	out[0] = '\0';
	ret = load(l, &f, &p, e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, src_bdf, &fn[0], e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, dst_bdf, &fn[1], e);
	if (!ret) {
		c[0].fn = fn[0];
		c[1].fn = fn[1];
		ret = p2pdma_find(p, c, 2, seed, &r, e);
	}
	if (!ret)
		pick(l, r, out);
	p2pdma_find_result_free(r);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return ret;
}
