// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Sections of an nvidia-bug-report.log: each starts after a line of
 * underscores; its first non-blank line says what it is ("/usr/bin/lspci
 * -nntv", "*** /proc/cpuinfo").  A report that does not end with
 * NVIDIA's closing line was cut short.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bugreport.h"
#include "lspci.h"

#define END_LINE "End of NVIDIA bug report log file."

static bool separator(const char *s, size_t n)
{
	size_t i;

	if (n < 20)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			return false;
	return true;
}

static int push(struct br_report *r, size_t body, unsigned int line)
{
	struct br_section *n = realloc(r->secs, (r->nr_secs + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->secs = n;
	n += r->nr_secs++;
	memset(n, 0, sizeof(*n));
	n->body = body;
	n->end = body;
	n->body_line = line;
	return 0;
}

int br_split(struct br_report *r, struct p2pdma_error *e)
{
	size_t pos = 0;
	unsigned int line = 0;
	struct br_section *cur = NULL;
	int ret = push(r, 0, 1);

	while (!ret && pos < r->len) {
		const char *s = r->buf + pos, *nl = memchr(s, '\n', r->len - pos);
		size_t n = nl ? (size_t)(nl - s) : r->len - pos, next = pos + n + (nl != NULL);

		line++;
		if (memchr(s, '\0', n))
			return p2pdma_fail(e, -EINVAL, "%s:%u: a NUL byte: not a text report",
					   r->name, line);
		cur = &r->secs[r->nr_secs - 1];
		if (separator(s, n)) {
			ret = push(r, next, line + 1);
		} else {
			if (!cur->title && n && strspn(s, " \t\r") < n) {
				cur->title = s;
				cur->title_len = n;
			}
			cur->end = next;
		}
		r->complete = n == strlen(END_LINE) && !memcmp(s, END_LINE, n);
		pos = next;
	}
	r->nr_lines = line;
	return ret ? p2pdma_fail(e, ret, "out of memory") : 0;
}

bool br_section_line(const struct br_report *r, const struct br_section *s, size_t *pos,
		     struct lspci_line *l)
{
	if (!l->s) {
		*pos = s->body;
		l->no = s->body_line - 1;
		while (s->title && lspci_next_line(r->buf, s->end, pos, l) && l->s != s->title)
			;
	}
	return lspci_next_line(r->buf, s->end, pos, l);
}

/*
 * The section's body after its title line ("/usr/bin/lspci -nn..." is
 * not lspci output), every line before it left empty so that line
 * numbers hold.
 */
char *br_masked(const struct br_report *r, const struct br_section *s, size_t *len)
{
	const char *title_end = memchr(s->title, '\n', (size_t)(r->buf + s->end - s->title));
	size_t from = title_end ? (size_t)(title_end - r->buf) + 1 : s->end, i, n = 0;
	char *m = malloc(from + (s->end - from) + 1);

	if (!m)
		return NULL;
	for (i = 0; i < from; i++)
		if (r->buf[i] == '\n')
			m[n++] = '\n';
	memcpy(m + n, r->buf + from, s->end - from);
	n += s->end - from;
	m[n] = '\0';
	*len = n;
	return m;
}

void br_report_free(struct br_report *r)
{
	free(r->buf);
	free(r->secs);
}
