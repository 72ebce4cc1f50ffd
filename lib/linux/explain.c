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

static int format_verdict(const struct p2pdma_verdict *v, char **line)
{
	struct p2pdma_buf b = { 0 };
	char *first;

	p2pdma_buf_printf(&b, "%s (distance %d)", p2pdma_map_type_name(v->map_type),
			  v->distance);
	if (v->reason)
		p2pdma_buf_printf(&b, ": %s", v->reason);
	if (v->fix_cmdline) {
		p2pdma_buf_printf(&b, "; fix: boot with %s", v->fix_cmdline);
	} else if (v->fix) {
		first = strndup(v->fix, strcspn(v->fix, "\n"));
		p2pdma_buf_printf(&b, "; fix: %s", first ? first : "");
		free(first);
	}
	if (p2pdma_buf_finish(&b, line))
		return -ENOMEM;
	one_line(*line);
	return 0;
}

int p2pdma_linux_explain(const struct p2pdma_linux *l, const char *provider,
			 const char *client, char **line, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = l->root, .format = P2PDMA_INPUT_SYSFS };
	struct p2pdma_function *pf, *cf;
	struct p2pdma_verdict *v = NULL;
	struct p2pdma_fabric *f = NULL;
	struct p2pdma_policy *p = NULL;
	int ret;

	*line = NULL;
	ret = p2pdma_fabric_load(&o, &f, e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, provider, &pf, e);
	if (!ret)
		ret = p2pdma_fabric_lookup(f, client, &cf, e);
	if (!ret && !(p = p2pdma_policy_new(f)))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	if (!ret)
		ret = p2pdma_verdict_get(p, pf, cf, NULL, &v, e);
	if (!ret && format_verdict(v, line))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	if (ret)
		p2pdma_error_prefix(e, "no verdict");
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return ret;
}
