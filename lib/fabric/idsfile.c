// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names straight from an uncompressed pci.ids, for the few IDs a command
 * prints.  libpci answers its first look-up by parsing all 40,000 lines
 * into a hash (about 5 ms, more than `p2pdma topo` on a small tree costs
 * otherwise); here the file is read once, on the first look-up, one pass
 * notes where each vendor and class starts, and a vendor's devices are
 * indexed when one of them is first asked for.  An ID found here gives
 * the name libpci would give (tests/fabric/test_ids.c compares every
 * entry of the file with libpci's answer); anything not found goes to
 * libpci, which then decides (names.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idsfile.h"
#include "util.h"

#define IDS_MAX (64u << 20)

struct ids_entry {
	uint16_t id;
	uint32_t line;			/* offset of its line */
};

struct ids_vendor {
	uint16_t id;
	uint32_t line;
	struct ids_entry *dev;		/* sorted; NULL until first asked */
	size_t nr_dev;
};

struct p2pdma_ids {
	char *path;			/* the file read */
	char *buf;
	size_t len;
	struct ids_vendor *v;		/* sorted by id */
	size_t nr_v, cap_v;
	uint32_t cls[256];		/* line after "C xx", 0: none */
};

/* @n hex digits at @s followed by a blank; -1 otherwise. */
static long hex_id(const char *s, const char *end, int n)
{
	long v = 0;
	int i;

	if (end - s <= n || (s[n] != ' ' && s[n] != '\t'))
		return -1;
	for (i = 0; i < n; i++) {
		int d = p2pdma_hexval((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static const char *line_end(const struct p2pdma_ids *ids, const char *s)
{
	const char *e = memchr(s, '\n', (size_t)(ids->buf + ids->len - s));

	return e ? e : ids->buf + ids->len;
}

/* Where libpci ends a name: at the first CR or LF. */
static const char *text_end(const struct p2pdma_ids *ids, const char *s)
{
	const char *e = line_end(ids, s), *cr = memchr(s, '\r', (size_t)(e - s));

	return cr ? cr : e;
}

static int vendor_cmp(const void *a, const void *b)
{
	return (int)((const struct ids_vendor *)a)->id - (int)((const struct ids_vendor *)b)->id;
}

static int entry_cmp(const void *a, const void *b)
{
	return (int)((const struct ids_entry *)a)->id - (int)((const struct ids_entry *)b)->id;
}

/* One pass: where each vendor line and each class's subclasses are. */
static int index_file(struct p2pdma_ids *ids)
{
	const char *s = ids->buf, *end = ids->buf + ids->len;

	for (; s < end; s = line_end(ids, s) + 1) {
		long id;

		if (*s == '\t' || *s == '#' || *s == '\n')
			continue;
		/* The file need not end in a newline, nor in a NUL. */
		if (end - s >= 2 && s[0] == 'C' && s[1] == ' ' &&
		    (id = hex_id(s + 2, end, 2)) >= 0) {
			const char *next = line_end(ids, s) + 1;

			if (!ids->cls[id] && next < end)
				ids->cls[id] = (uint32_t)(next - ids->buf);
			continue;
		}
		id = hex_id(s, end, 4);
		if (id < 0)
			continue;
		if (p2pdma_grow((void **)&ids->v, &ids->cap_v, ids->nr_v + 1, sizeof(*ids->v)))
			return -ENOMEM;
		ids->v[ids->nr_v++] = (struct ids_vendor){ (uint16_t)id, (uint32_t)(s - ids->buf),
							   NULL, 0 };
	}
	/*
	 * Stable for equal ids would need more; pci.ids has no repeats.  An
	 * empty file has no array at all, which qsort() may not be given.
	 */
	if (ids->nr_v)
		qsort(ids->v, ids->nr_v, sizeof(*ids->v), vendor_cmp);
	return 0;
}

static int read_file(struct p2pdma_ids *ids, const char *path)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > IDS_MAX) {
		close(fd);
		return -EINVAL;
	}
	ids->buf = malloc((size_t)st.st_size);
	if (!ids->buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, ids->buf + got, (size_t)st.st_size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(fd);
	ids->len = got;
	return 0;
}

/*
 * libpci's name for the file may end in ".gz": when that file exists it
 * is libpci's business; when not, libpci reads the name without ".gz",
 * and so do we.
 */
static char *plain_path(const char *path)
{
	size_t n = strlen(path);

	if (n <= 3 || strcmp(path + n - 3, ".gz"))
		return strdup(path);
	if (!access(path, F_OK))
		return NULL;
	return strndup(path, n - 3);
}

struct p2pdma_ids *p2pdma_ids_open(const char *path)
{
	struct p2pdma_ids *ids = calloc(1, sizeof(*ids));

	if (!ids)
		return NULL;
	ids->path = plain_path(path);
	if (!ids->path || read_file(ids, ids->path) || index_file(ids)) {
		p2pdma_ids_close(ids);
		return NULL;
	}
	return ids;
}

struct p2pdma_ids *p2pdma_ids_parse(char *buf, size_t len)
{
	struct p2pdma_ids *ids = calloc(1, sizeof(*ids));

	if (!ids) {
		free(buf);
		return NULL;
	}
	ids->buf = buf;
	ids->len = len;
	if (len > IDS_MAX || index_file(ids)) {
		p2pdma_ids_close(ids);
		return NULL;
	}
	return ids;
}

void p2pdma_ids_close(struct p2pdma_ids *ids)
{
	size_t i;

	if (!ids)
		return;
	for (i = 0; i < ids->nr_v; i++)
		free(ids->v[i].dev);
	free(ids->v);
	free(ids->buf);
	free(ids->path);
	free(ids);
}

const char *p2pdma_ids_path(const struct p2pdma_ids *ids)
{
	return ids->path ? ids->path : "";
}

/*
 * The name on the line at @line after its @skip-character ID, as libpci
 * reads it: blanks before it skipped, the line cut at CR or LF, and one
 * trailing blank dropped.  Copied to @buf; false when it is empty or
 * does not fit.
 */
static bool name_at(const struct p2pdma_ids *ids, uint32_t line, size_t skip, char *buf,
		    size_t len)
{
	const char *s = ids->buf + line + skip, *e = text_end(ids, ids->buf + line);

	if (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (e == s || (size_t)(e - s) >= len)
		return false;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	return true;
}

static struct ids_vendor *vendor_of(struct p2pdma_ids *ids, uint16_t vendor)
{
	struct ids_vendor key = { .id = vendor };

	return ids->nr_v ? bsearch(&key, ids->v, ids->nr_v, sizeof(*ids->v), vendor_cmp) : NULL;
}

bool p2pdma_ids_vendor(struct p2pdma_ids *ids, uint16_t vendor, char *buf, size_t len)
{
	struct ids_vendor *v = vendor_of(ids, vendor);

	return v && name_at(ids, v->line, 4, buf, len);
}

/* The one-tab lines after @line, with their @digits-digit IDs; sorted. */
static int index_children(const struct p2pdma_ids *ids, uint32_t line, int digits,
			  struct ids_entry **out, size_t *nr)
{
	const char *s = ids->buf + line, *end = ids->buf + ids->len;
	struct ids_entry *v = NULL;
	size_t n = 0, cap = 0;

	for (; s < end && (*s == '\t' || *s == '#'); s = line_end(ids, s) + 1) {
		long id = *s == '\t' ? hex_id(s + 1, end, digits) : -1;

		if (id < 0)
			continue;	/* a subsystem or prog-if line, or a comment */
		if (p2pdma_grow((void **)&v, &cap, n + 1, sizeof(*v))) {
			free(v);
			return -ENOMEM;
		}
		v[n++] = (struct ids_entry){ (uint16_t)id, (uint32_t)(s - ids->buf) };
	}
	if (n)
		qsort(v, n, sizeof(*v), entry_cmp);
	*out = v;
	*nr = n;
	return 0;
}

static const struct ids_entry *find_entry(const struct ids_entry *v, size_t n, uint16_t id)
{
	struct ids_entry key = { .id = id };

	return n ? bsearch(&key, v, n, sizeof(*v), entry_cmp) : NULL;
}

bool p2pdma_ids_device(struct p2pdma_ids *ids, uint16_t vendor, uint16_t device, char *buf,
		       size_t len)
{
	struct ids_vendor *v = vendor_of(ids, vendor);
	const struct ids_entry *d;

	if (!v)
		return false;
	if (!v->dev && !v->nr_dev) {
		const char *next = line_end(ids, ids->buf + v->line) + 1;

		if (next >= ids->buf + ids->len ||
		    index_children(ids, (uint32_t)(next - ids->buf), 4, &v->dev, &v->nr_dev))
			return false;
	}
	d = find_entry(v->dev, v->nr_dev, device);
	return d && name_at(ids, d->line, 5, buf, len);
}

bool p2pdma_ids_subclass(struct p2pdma_ids *ids, uint8_t base, uint8_t sub, char *buf,
			 size_t len)
{
	struct ids_entry *v = NULL;
	const struct ids_entry *d;
	size_t n = 0;
	bool ok;

	if (!ids->cls[base] || index_children(ids, ids->cls[base], 2, &v, &n))
		return false;
	d = find_entry(v, n, sub);
	ok = d && name_at(ids, d->line, 3, buf, len);
	free(v);
	return ok;
}
