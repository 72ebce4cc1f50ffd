// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader for nvidia-bug-report.log(.gz) and for several lspci outputs
 * given together ("-i lspci-t.txt,lspci-nn.txt,lspci-xxxx.txt").
 *
 * The model comes from the most detailed lspci section the source has,
 * read by the existing lspci loaders: `lspci -nnDvvvxxxx` (or any -x
 * dump) through the hex loader, else `-vvv` text through the text
 * loader; their trees come from the bridges' bus numbers, which is what
 * `lspci -t` draws, so no parent is ever guessed.  The section is handed
 * over with every other line of the report blanked, so their messages
 * carry the report's own line numbers.  A report made without root has
 * only `lspci -t` and `-nn`, and maybe dumps of some devices
 * (`lspci -d 10de:* -v -xxx`): rootless.c builds the tree from those,
 * and a source with less is refused by name rather than turned into a
 * tree that looks whole and is not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "bugreport.h"
#include "loaders.h"
#include "lspci.h"
#include "util.h"

#define REPORT_MAX ((size_t)512 << 20)

/* Read @path whole, gunzipping when it is gzip (zlib reads plain files as they are). */
static int read_report(const char *path, char **out, size_t *len, struct p2pdma_error *e)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = NULL;
	int got = 0, errnum = 0;

	if (!gz)
		return p2pdma_fail(e, errno ? -errno : -ENOMEM, "%s: %s", path,
				   errno ? strerror(errno) : "out of memory");
	while (n < REPORT_MAX) {
		char *nb = n + 65536 + 1 > cap || !buf ? realloc(buf, cap *= 2) : buf;

		if (!nb) {
			free(buf);
			gzclose(gz);
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
		buf = nb;
		got = gzread(gz, buf + n, 65536);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	gzerror(gz, &errnum);
	if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
		unsigned int lines = 0;
		size_t i;

		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
		free(buf);
		gzclose(gz);
		return p2pdma_fail(e, -EINVAL, "%s:%u: the compressed report is cut short or damaged after this line",
				   path, lines);
	}
	gzclose(gz);
	if (n >= REPORT_MAX) {
		free(buf);
		return p2pdma_fail(e, -EFBIG, "%s: larger than %zu MiB", path, REPORT_MAX >> 20);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* 2: a config-space dump ("-x" flags), 1: "-vvv" text, 0: not an lspci section. */
static int lspci_detail(const char *title, size_t n)
{
	char t[160], *flags;

	snprintf(t, sizeof(t), "%.*s", (int)(n < sizeof(t) - 1 ? n : sizeof(t) - 1), title);
	flags = strstr(t, "lspci ");
	if (!flags || (flags != t && flags[-1] != '/'))
		return 0;
	flags = strchr(flags, '-');
	if (!flags)
		return 0;
	if (strstr(flags, "-d ") || strstr(flags, "-s "))
		return 0;	/* some devices only: not a whole tree */
	if (strchr(flags, 'x'))
		return 2;
	return strstr(flags, "vv") ? 1 : 0;
}

/* The section titled "lspci " plus flags for which @want says yes, or NULL. */
static const struct br_section *find_lspci(const struct br_report *r,
					   bool (*want)(const char *flags))
{
	size_t i;

	for (i = 0; i < r->nr_secs; i++) {
		const struct br_section *s = &r->secs[i];
		char t[160], *flags;

		if (!s->title)
			continue;
		snprintf(t, sizeof(t), "%.*s", (int)(s->title_len < sizeof(t) - 1 ?
						    s->title_len : sizeof(t) - 1), s->title);
		flags = strstr(t, "lspci -");
		if (flags && (flags == t || flags[-1] == '/') && want(flags + 6))
			return s;
	}
	return NULL;
}

/* "-t", "-tv", "-nntv": a tree of every function. */
static bool tree_flags(const char *flags)
{
	return strchr(flags, 't') && !strchr(flags, ' ') && !strchr(flags, 'x');
}

/* "-nn" alone: one line per function with ids and class. */
static bool nn_flags(const char *flags)
{
	return !strcmp(flags, "-nn");
}

/* "-d 10de:* -v -xxx", "-s 01:00.0 -xxxx": config space of some functions. */
static bool some_dump(const struct br_section *s)
{
	char t[160], *flags;

	snprintf(t, sizeof(t), "%.*s", (int)(s->title_len < sizeof(t) - 1 ?
					    s->title_len : sizeof(t) - 1), s->title);
	flags = strstr(t, "lspci -");
	return flags && (flags == t || flags[-1] == '/') && strchr(flags + 6, 'x') &&
	       (strstr(flags, " -d ") || strstr(flags, " -s "));
}

/* Those sections, in report order (@out has room for every section). */
static size_t find_dumps(const struct br_report *r, const struct br_section **out)
{
	size_t i, n = 0;

	for (i = 0; i < r->nr_secs; i++)
		if (r->secs[i].title && some_dump(&r->secs[i]))
			out[n++] = &r->secs[i];
	return n;
}

/* No config-space section: the tree from -t with the ids from -nn. */
static int load_rootless(struct p2pdma_fabric *f, const struct br_report *r,
			 const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	const struct br_section *t = find_lspci(r, tree_flags), *nn = find_lspci(r, nn_flags);
	const struct br_section **dumps;
	size_t nr_dumps;
	int ret;

	if (!t || !nn)
		return p2pdma_fail(e, -EINVAL, "%s: no 'lspci -vvv' or 'lspci -xxx' section, and not both 'lspci -t' and 'lspci -nn' to build the tree from",
				   r->name);
	if (!r->complete && (t == &r->secs[r->nr_secs - 1] || nn == &r->secs[r->nr_secs - 1]))
		return p2pdma_fail(e, -EINVAL, "%s:%u: the report is cut short inside its lspci section (no closing line)",
				   r->name, r->nr_lines);
	dumps = calloc(r->nr_secs, sizeof(*dumps));
	if (!dumps)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	nr_dumps = find_dumps(r, dumps);
	ret = br_load_rootless(f, r, t, r, nn, dumps, nr_dumps, opts, e);
	free(dumps);
	return ret;
}

static const struct br_section *pick_lspci(const struct br_report *r, int *kind)
{
	const struct br_section *best = NULL;
	size_t i;

	*kind = 0;
	for (i = 0; i < r->nr_secs; i++) {
		int k = r->secs[i].title ? lspci_detail(r->secs[i].title, r->secs[i].title_len) : 0;

		if (k > *kind) {
			*kind = k;
			best = &r->secs[i];
		}
	}
	return best;
}

static int load_section(struct p2pdma_fabric *f, const struct br_report *r,
			const struct br_section *s, int kind,
			const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	size_t len;
	char *m = br_masked(r, s, &len);
	int ret;

	if (!m)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	if (kind == 2)
		ret = p2pdma_lspci_load_buf(f, m, len, r->name, opts, e);
	else
		ret = p2pdma_lspci_vvv_load_buf(f, m, len, r->name, NULL, opts, e);
	free(m);
	return ret;
}

static int load_report(struct p2pdma_fabric *f, struct br_report *r,
		       const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	const struct br_section *s;
	int kind, ret = br_split(r, e);

	if (ret)
		return ret;
	s = pick_lspci(r, &kind);
	if (!s)
		ret = load_rootless(f, r, opts, e);
	else if (!r->complete && s == &r->secs[r->nr_secs - 1])
		return p2pdma_fail(e, -EINVAL, "%s:%u: the report is cut short inside its lspci section (no closing line)",
				   r->name, r->nr_lines);
	else
		ret = load_section(f, r, s, kind, opts, e);
	if (!ret)
		ret = br_machine_facts(f, r, e);
	if (!ret)
		ret = br_nvsmi_topo(f, r, e);
	return ret;
}

/* 2: a dump, 1: -vvv text, -1: an `lspci -t` tree, -2: plain -nn lines. */
static int file_kind(const char *buf)
{
	const char *s = buf + strspn(buf, "\r\n");

	if (strstr(buf, "\n00: ") || !strncmp(buf, "00: ", 4))
		return 2;
	if (strstr(buf, "\n\t"))
		return 1;
	if (!strncmp(s, "-[", 2) || !strncmp(s, "-+-", 3))
		return -1;
	return -2;
}

/* The files of a list, by kind (index: kind + 2); later ones of a kind win. */
struct br_files {
	struct br_report by_kind[5];
};

static void files_free(struct br_files *fs)
{
	size_t i;

	for (i = 0; i < 5; i++) {
		free((char *)fs->by_kind[i].name);
		free(fs->by_kind[i].buf);
	}
}

static int read_list(struct br_files *fs, char *copy, struct p2pdma_error *e)
{
	char *save = NULL, *name;
	int ret = 0;

	for (name = strtok_r(copy, ",", &save); name && !ret; name = strtok_r(NULL, ",", &save)) {
		struct br_report r = { 0 }, *slot;

		ret = read_report(name, &r.buf, &r.len, e);
		if (ret)
			break;
		slot = &fs->by_kind[file_kind(r.buf) + 2];
		free((char *)slot->name);
		free(slot->buf);
		*slot = r;
		slot->name = strdup(name);
		if (!slot->name)
			ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	return ret;
}

/* A whole file as one untitled section. */
static struct br_section whole(const struct br_report *r)
{
	return (struct br_section){ .end = r->len, .body_line = 1 };
}

/*
 * Several files: each one lspci output.  One with a dump wins, else one
 * with -vvv text, else an `lspci -t` tree with the ids of `lspci -nn`.
 */
static int load_list(struct p2pdma_fabric *f, const char *list,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	struct br_files fs = { 0 };
	struct br_report *dump = &fs.by_kind[4], *vvv = &fs.by_kind[3];
	struct br_report *tree = &fs.by_kind[1], *nn = &fs.by_kind[0];
	char *copy = strdup(list);
	int ret;

	if (!copy)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	ret = read_list(&fs, copy, e);
	if (ret)
		;
	else if (dump->buf)
		ret = p2pdma_lspci_load_buf(f, dump->buf, dump->len, dump->name, opts, e);
	else if (vvv->buf)
		ret = p2pdma_lspci_vvv_load_buf(f, vvv->buf, vvv->len, vvv->name, NULL, opts, e);
	else if (tree->buf && nn->buf) {
		struct br_section st = whole(tree), sn = whole(nn);

		ret = br_load_rootless(f, tree, &st, nn, &sn, NULL, 0, opts, e);
	} else {
		ret = p2pdma_fail(e, -EINVAL, "%s: none of these files holds 'lspci -vvv' or 'lspci -xxx' output, nor both an 'lspci -t' tree and 'lspci -nn' lines",
				  list);
	}
	files_free(&fs);
	free(copy);
	return ret;
}

int p2pdma_bugreport_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			      const char *name, const struct p2pdma_load_opts *opts,
			      struct p2pdma_error *e)
{
	struct br_report r = { .name = name, .len = len };
	int ret;

	r.buf = malloc(len + 1);
	if (!r.buf)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	memcpy(r.buf, buf, len);
	r.buf[len] = '\0';
	ret = load_report(f, &r, opts, e);
	br_report_free(&r);
	return ret;
}

int p2pdma_load_bugreport(struct p2pdma_fabric *f, const char *path,
			  const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	struct br_report r = { .name = path };
	int ret;

	if (strchr(path, ','))
		return load_list(f, path, opts, e);
	ret = read_report(path, &r.buf, &r.len, e);
	if (!ret)
		ret = load_report(f, &r, opts, e);
	br_report_free(&r);
	return ret;
}
