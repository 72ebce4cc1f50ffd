// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Growable vectors of malloc'ed strings (kernel log lines, notes,
 * commands) owned by verdicts and reports.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy_int.h"

int p2pdma_strv_push(char ***v, size_t *nr, char *s)
{
	char **nv;

	if (!s)
		return -ENOMEM;
	nv = realloc(*v, (*nr + 1) * sizeof(**v));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[(*nr)++] = s;
	*v = nv;
	return 0;
}

int p2pdma_strv_pushf(char ***v, size_t *nr, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return p2pdma_strv_push(v, nr, s);
}

void p2pdma_strv_free(char **v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i]);
	free(v);
}
