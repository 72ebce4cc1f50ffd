// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a bug report says about the machine beyond lspci: the kernel
 * release from its "uname:" line, the kernel command line (only a
 * "Kernel command line:" logged for a boot of that same release: the
 * report keeps logs of earlier boots too), and the boot CPU from its
 * /proc/cpuinfo section.  What is not there stays unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bugreport.h"
#include "util.h"

/* The line at @s as a NUL-terminated copy. */
static char *line_dup(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return strndup(s, nl ? (size_t)(nl - s) : (size_t)(end - s));
}

static char *find_line(const struct br_report *r, const char *needle, const char *from)
{
	const char *p = from ? from : r->buf;

	p = strstr(p, needle);
	return (char *)p;
}

static int release(struct p2pdma_fabric *f, const struct br_report *r, char **rel)
{
	char *p = find_line(r, "\nuname: ", NULL), *l, sys[64], host[256], v[128];
	int ret = 0;

	*rel = NULL;
	if (!p)
		return 0;
	l = line_dup(p + 1, r->buf + r->len);
	if (!l)
		return -ENOMEM;
	if (sscanf(l, "uname: %63s %255s %127s", sys, host, v) == 3) {
		ret = p2pdma_fabric_set_kernel_release(f, v);
		*rel = ret ? NULL : strdup(v);
		ret = ret == -EINVAL ? 0 : ret;	/* an odd release stays unknown */
	}
	free(l);
	return ret;
}

static int cmdline(struct p2pdma_fabric *f, const struct br_report *r, const char *rel)
{
	static const char key[] = "Kernel command line: ";
	char image[160];
	const char *p = r->buf;
	int ret = 0;

	if (!rel)
		return 0;
	snprintf(image, sizeof(image), "vmlinuz-%s ", rel);
	while ((p = strstr(p, key))) {
		char *l = line_dup(p + strlen(key), r->buf + r->len);

		if (!l)
			return -ENOMEM;
		if (strstr(l, image)) {
			ret = p2pdma_fabric_set_cmdline(f, l);
			free(l);
			return ret;
		}
		free(l);
		p += strlen(key);
	}
	return 0;
}

static const struct br_section *section(const struct br_report *r, const char *title)
{
	size_t i, n = strlen(title);

	for (i = 0; i < r->nr_secs; i++)
		if (r->secs[i].title && r->secs[i].title_len >= n &&
		    !memcmp(r->secs[i].title, title, n))
			return &r->secs[i];
	return NULL;
}

/* The value after the colon of the line at @p, or "" when that line has none. */
static const char *after_colon(const char *p)
{
	size_t n = strcspn(p + 1, "\n") + 1;
	const char *c = memchr(p, ':', n);

	return c ? c + 1 : "";
}

static void cpu(struct p2pdma_fabric *f, const struct br_report *r)
{
	const struct br_section *s = section(r, "*** /proc/cpuinfo");
	struct p2pdma_cpu c = { 0 };
	char *body, *p;
	bool fam = false;

	if (!s)
		return;
	body = strndup(r->buf + s->body, s->end - s->body);
	if (!body)
		return;
	p = strstr(body, "\nvendor_id");
	if (p && sscanf(after_colon(p), " %15s", c.vendor) == 1) {
		p = strstr(p, "\ncpu family");
		fam = p && sscanf(after_colon(p), " %u", &c.family) == 1;
		p = p ? strstr(p, "\nmodel\t") : NULL;
		if (p)
			sscanf(after_colon(p), " %u", &c.model);
	}
	c.known = fam;
	if (c.known)
		f->cpu = c;
	free(body);
}

int br_machine_facts(struct p2pdma_fabric *f, const struct br_report *r,
		     struct p2pdma_error *e)
{
	char *rel = NULL;
	int ret = release(f, r, &rel);

	if (!ret)
		ret = cmdline(f, r, rel);
	free(rel);
	if (ret)
		return p2pdma_fail(e, ret, "out of memory");
	cpu(f, r);
	return 0;
}
