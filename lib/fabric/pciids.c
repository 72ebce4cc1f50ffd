// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reverse look-up in pci.ids: the vendor:device ids and class codes of
 * functions that "lspci" (without -nn) printed by name only.
 *
 * libpci only looks up names from ids, so the file libpci uses
 * (pci_access->id_file_name, possibly compressed) is read here directly.
 * lspci prints a function as "VENDOR DEVICE" (both pci.ids names joined
 * by a space) and its class by the subclass name.  A name is taken only
 * when exactly one pci.ids entry prints that way; for the rest the ids
 * stay unknown (0xffff) and the caller's log hook hears about it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <pci/pci.h>

#include "lspci.h"
#include "util.h"

#define IDS_MAX (64u << 20)

/* One distinct name the file printed, and what pci.ids says about it. */
struct wanted {
	const char *s;
	size_t len;
	/* Device: "VENDOR DEVICE" */
	unsigned int matches;
	uint16_t vendor, device;
	size_t vendor_len;		/* longest vendor name that prefixes s */
	unsigned int vendor_matches;	/* vendors with that name */
	uint16_t vendor_only;
	bool unknown_device_form;	/* "VENDOR Device 1234" */
};

struct wanted_set {
	struct wanted *w;
	size_t nr, cap;
};

static int add_wanted(struct wanted_set *ws, const char *s)
{
	if (p2pdma_grow((void **)&ws->w, &ws->cap, ws->nr + 1, sizeof(*ws->w)))
		return -ENOMEM;
	memset(&ws->w[ws->nr], 0, sizeof(*ws->w));
	ws->w[ws->nr].s = s;
	ws->w[ws->nr].len = strlen(s);
	ws->nr++;
	return 0;
}

static int wanted_cmp(const void *a, const void *b)
{
	return strcmp(((const struct wanted *)a)->s, ((const struct wanted *)b)->s);
}

/* Sorted and without repeats, so look-ups and prefix ranges are binary searches. */
static void sort_wanted(struct wanted_set *ws)
{
	size_t i, j = 0;

	if (!ws->nr)
		return;
	qsort(ws->w, ws->nr, sizeof(*ws->w), wanted_cmp);
	for (i = 1; i < ws->nr; i++)
		if (strcmp(ws->w[j].s, ws->w[i].s))
			ws->w[++j] = ws->w[i];
	ws->nr = j + 1;
}

static struct wanted *find_wanted(struct wanted_set *ws, const char *s)
{
	struct wanted key = { .s = s };

	if (!ws->nr)
		return NULL;
	return bsearch(&key, ws->w, ws->nr, sizeof(*ws->w), wanted_cmp);
}

/* strcmp() of @s against "@p " (@p of length @n). */
static int cmp_prefix(const char *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != p[i])
			return (unsigned char)s[i] - (unsigned char)p[i];
	return (unsigned char)s[n] - (unsigned char)' ';
}

/* First wanted name that is not below "@p " in sort order. */
static size_t lower_bound(const struct wanted_set *ws, const char *p, size_t n)
{
	size_t lo = 0, hi = ws->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_prefix(ws->w[mid].s, p, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int hex4(const char *s, uint16_t *v)
{
	unsigned int x = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned int)(c - 'A' + 10);
		else
			return -1;
	}
	*v = (uint16_t)x;
	return 0;
}

/* The whole (maybe compressed) file, through libarchive's raw reader. */
static int read_ids(const char *path, char **buf, size_t *len, struct p2pdma_error *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	size_t cap = 1 << 21, n = 0;
	char *b = NULL;
	la_ssize_t got;
	int ret = 0;

	if (!a)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		ret = p2pdma_fail(e, -ENOENT, "%s: %s", path, archive_error_string(a));
		goto out;
	}
	b = malloc(cap + 1);
	while (b) {
		got = archive_read_data(a, b + n, cap - n);
		if (got < 0) {
			ret = p2pdma_fail(e, -EIO, "%s: %s", path, archive_error_string(a));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n == cap) {
			char *nb = cap >= IDS_MAX ? NULL : realloc(b, cap * 2 + 1);

			if (!nb) {
				ret = p2pdma_fail(e, -EFBIG, "%s: too large for a pci.ids", path);
				goto out;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (!b) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	archive_read_free(a);
	return ret;
}

/*
 * The last pci.ids read, kept for the life of the process: reading and
 * decompressing it costs more than a whole dump, and a program that
 * loads many (a fuzzer, a service) reads the same one each time.  The
 * file's identity and mtime say when to read it again.  Callers hold
 * ids_lock while they use the text.
 */
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * The file's entries, parsed once per file: a look-up then costs a
 * binary search per vendor instead of parsing 36,000 lines again, and
 * the devices of a vendor no wanted name starts with are skipped whole.
 * Names point into the cached text.
 */
struct ids_name {
	const char *name;
	uint32_t len;
	uint16_t id;		/* vendor or device; class << 8 | subclass */
	uint32_t first, nr;	/* a vendor's devices in ids_table.dev */
};

struct ids_table {
	struct ids_name *ven, *dev, *cls;
	size_t nr_ven, nr_dev, nr_cls, cap_ven, cap_dev, cap_cls;
};

static struct {
	char *path, *buf;
	size_t len;
	struct stat st;
	struct ids_table t;
} ids_cache;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void table_free(struct ids_table *t)
{
	free(t->ven);
	free(t->dev);
	free(t->cls);
	memset(t, 0, sizeof(*t));
}

static int table_add(struct ids_name **v, size_t *nr, size_t *cap, uint16_t id,
		     const char *name, size_t len)
{
	if (p2pdma_grow((void **)v, cap, *nr + 1, sizeof(**v)))
		return -ENOMEM;
	(*v)[(*nr)++] = (struct ids_name){ .name = name, .len = (uint32_t)len, .id = id };
	return 0;
}

static int hex2(const char *s, unsigned int *v)
{
	uint16_t x;
	char b[4] = { '0', '0', s[0], s[1] };

	if (hex4(b, &x))
		return -1;
	*v = x;
	return 0;
}

/*
 * pci.ids as lspci's names are made from it: "VVVV  VENDOR", then
 * "\tDDDD  DEVICE" lines belonging to it until another top-level line;
 * from the first "C cc  CLASS" on, only "\tss  SUBCLASS" lines count.
 */
static int parse_ids(const char *buf, size_t len, struct ids_table *t)
{
	size_t pos = 0;
	unsigned int cur_class = 0;
	bool in_classes = false, in_vendor = false;
	uint16_t id;
	int ret = 0;

	while (pos < len && !ret) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		unsigned int sub;

		pos += n + 1;
		if (n && l[n - 1] == '\r')
			n--;
		if (!n || l[0] == '#')
			continue;
		if (n > 6 && l[0] == 'C' && l[1] == ' ' && !hex2(l + 2, &cur_class) &&
		    l[4] == ' ' && l[5] == ' ') {
			in_classes = true;
		} else if (in_classes) {
			if (n > 5 && l[0] == '\t' && l[1] != '\t' && !hex2(l + 1, &sub) &&
			    l[3] == ' ' && l[4] == ' ')
				ret = table_add(&t->cls, &t->nr_cls, &t->cap_cls,
						(uint16_t)(cur_class << 8 | sub), l + 5, n - 5);
		} else if (n > 6 && !hex4(l, &id) && l[4] == ' ' && l[5] == ' ') {
			ret = table_add(&t->ven, &t->nr_ven, &t->cap_ven, id, l + 6, n - 6);
			if (!ret)
				t->ven[t->nr_ven - 1].first = (uint32_t)t->nr_dev;
			in_vendor = true;
		} else if (in_vendor && n > 7 && l[0] == '\t' && l[1] != '\t' &&
			   !hex4(l + 1, &id) && l[5] == ' ' && l[6] == ' ') {
			ret = table_add(&t->dev, &t->nr_dev, &t->cap_dev, id, l + 7, n - 7);
			if (!ret)
				t->ven[t->nr_ven - 1].nr++;
		} else if (n > 2 && l[0] != '\t') {
			in_vendor = false;	/* another section: device lines stop here */
		}
	}
	return ret;
}

/* read_ids() and parse_ids() through the cache; text and table stay the cache's. */
static int cached_ids(const char *path, const struct ids_table **t, struct p2pdma_error *e)
{
	struct ids_table nt = { 0 };
	struct stat st;
	char *b = NULL, *p;
	size_t n = 0;
	int ret;

	if (stat(path, &st))
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (!ids_cache.path || strcmp(ids_cache.path, path) || !same_file(&st, &ids_cache.st)) {
		ret = read_ids(path, &b, &n, e);
		if (ret)
			return ret;
		p = strdup(path);
		if (!p || parse_ids(b, n, &nt)) {
			free(p);
			free(b);
			table_free(&nt);
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
		free(ids_cache.path);
		free(ids_cache.buf);
		table_free(&ids_cache.t);
		ids_cache.path = p;
		ids_cache.buf = b;
		ids_cache.len = n;
		ids_cache.st = st;
		ids_cache.t = nt;
	}
	*t = &ids_cache.t;
	return 0;
}

/* "Device 1234" after the vendor name: lspci's form for an unknown device. */
static void unknown_device_form(struct wanted *w, size_t vlen, uint16_t vendor)
{
	const char *rest = w->s + vlen + 1;
	uint16_t dev;

	if (w->len - vlen - 1 == 11 && !memcmp(rest, "Device ", 7) && !hex4(rest + 7, &dev)) {
		w->unknown_device_form = true;
		w->matches = 1;
		w->vendor = vendor;
		w->device = dev;
	}
}

/* A vendor line: remember which wanted names start with "VENDOR ". */
static void vendor_line(struct wanted_set *ws, uint16_t vendor, const char *name,
			size_t nl, struct wanted **cand, size_t *nr_cand)
{
	size_t i;

	*nr_cand = 0;
	for (i = lower_bound(ws, name, nl); i < ws->nr; i++) {
		struct wanted *w = &ws->w[i];

		if (w->len <= nl || w->s[nl] != ' ' || memcmp(w->s, name, nl))
			break;
		cand[(*nr_cand)++] = w;
		if (nl > w->vendor_len) {
			w->vendor_len = nl;
			w->vendor_matches = 1;
			w->vendor_only = vendor;
		} else if (nl == w->vendor_len && w->vendor_only != vendor) {
			w->vendor_matches++;
		}
		if (!w->matches || w->unknown_device_form)
			unknown_device_form(w, nl, vendor);
	}
}

static void device_line(struct wanted **cand, size_t nr_cand, size_t vlen,
			uint16_t vendor, uint16_t device, const char *name, size_t nl)
{
	size_t i;

	for (i = 0; i < nr_cand; i++) {
		struct wanted *w = cand[i];

		if (w->len != vlen + 1 + nl || memcmp(w->s + vlen + 1, name, nl))
			continue;
		if (w->unknown_device_form) {
			w->unknown_device_form = false;
			w->matches = 0;
		}
		if (!w->matches || w->vendor != vendor || w->device != device)
			w->matches++;
		w->vendor = vendor;
		w->device = device;
	}
}

/* Subclass names: "\tss  NAME" under "C cc  NAME". */
static void class_line(struct wanted_set *classes, unsigned int cls, unsigned int sub,
		       const char *name, size_t nl)
{
	struct wanted *w;
	char copy[256];

	/* The text is the shared cache's: looked up from a copy. */
	if (nl >= sizeof(copy))
		return;
	memcpy(copy, name, nl);
	copy[nl] = '\0';
	w = find_wanted(classes, copy);
	if (w) {
		w->matches++;
		w->vendor = (uint16_t)(cls << 8 | sub);
	}
}

/* The parsed file, in its order, through the same steps as its lines. */
static int scan_ids(const struct ids_table *t, struct wanted_set *dev, struct wanted_set *cls)
{
	struct wanted **cand = calloc(dev->nr ? dev->nr : 1, sizeof(*cand));
	size_t i, j, nr_cand;

	if (!cand)
		return -ENOMEM;
	for (i = 0; dev->nr && i < t->nr_ven; i++) {
		const struct ids_name *v = &t->ven[i];

		vendor_line(dev, v->id, v->name, v->len, cand, &nr_cand);
		for (j = 0; nr_cand && j < v->nr; j++) {
			const struct ids_name *d = &t->dev[v->first + j];

			device_line(cand, nr_cand, v->len, v->id, d->id, d->name, d->len);
		}
	}
	for (i = 0; cls->nr && i < t->nr_cls; i++)
		class_line(cls, t->cls[i].id >> 8, t->cls[i].id & 0xff, t->cls[i].name,
			   t->cls[i].len);
	free(cand);
	return 0;
}

/* The pci.ids libpci would use. */
static char *default_ids_path(void)
{
	struct pci_access *a = pci_alloc();
	char *p = NULL;

	if (a) {
		if (a->id_file_name)
			p = strdup(a->id_file_name);
		pci_cleanup(a);
	}
	return p;
}

/* One line per distinct name that found no single entry. */
static void tell_unresolved(struct lspci_doc *d, struct wanted_set *dev, const char *path)
{
	size_t i, j;

	for (i = 0; i < dev->nr; i++) {
		const struct wanted *w = &dev->w[i];
		const struct lspci_rec *first = NULL;
		size_t count = 0;

		if (w->matches == 1)
			continue;
		for (j = 0; j < d->nr; j++)
			if (!d->recs[j].ids_known && d->recs[j].name &&
			    !strcmp(d->recs[j].name, w->s) && !count++)
				first = &d->recs[j];
		if (!first)
			continue;
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_INFO,
			   "%s:%u: '%s' (%zu function%s) %s in %s; vendor %s, device unknown",
			   d->name, first->line, w->s, count, count == 1 ? "" : "s",
			   w->matches > 1 ? "has several entries" : "has no entry", path,
			   w->vendor_matches == 1 ? "found" : "unknown too");
	}
}

static void apply(struct lspci_doc *d, struct wanted_set *dev, struct wanted_set *cls,
		  const char *path)
{
	size_t i, total = 0, unresolved = 0;
	const struct lspci_rec *example = NULL;

	for (i = 0; i < d->nr; i++) {
		struct lspci_rec *r = &d->recs[i];
		struct wanted *w;

		if (!r->class_known && r->class_name &&
		    (w = find_wanted(cls, r->class_name)) && w->matches == 1) {
			r->fn.class_code = (r->fn.class_code & 0xff) | (uint32_t)w->vendor << 8;
			r->class_known = true;
		}
		if (r->ids_known || !r->name)
			continue;
		total++;
		w = find_wanted(dev, r->name);
		if (w && w->matches == 1) {
			r->fn.vendor = w->vendor;
			r->fn.device = w->device;
			r->ids_known = true;
			continue;
		}
		if (w && w->vendor_matches == 1)
			r->fn.vendor = w->vendor_only;
		if (!unresolved++)
			example = r;
	}
	if (!unresolved) {
		if (total)
			p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_INFO,
				   "%s: ids of all %zu functions found by name in %s",
				   d->name, total, path);
		return;
	}
	tell_unresolved(d, dev, path);
	p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_WARN,
		   "%s: lspci printed names without [vendor:device] ids (use lspci -nn); %zu of %zu functions found their ids by name in %s, %zu stay unknown (first: '%s' at line %u)",
		   d->name, total - unresolved, total, path, unresolved,
		   example->name, example->line);
}

int lspci_resolve_names(struct lspci_doc *d, const char *ids_path, struct p2pdma_error *e)
{
	struct wanted_set dev = { 0 }, cls = { 0 };
	const struct ids_table *t = NULL;
	char *path = NULL;
	bool locked = false;
	size_t i;
	int ret = 0;

	for (i = 0; i < d->nr && !ret; i++) {
		if (!d->recs[i].ids_known && d->recs[i].name) {
			d->recs[i].fn.vendor = 0xffff;
			d->recs[i].fn.device = 0xffff;
			ret = add_wanted(&dev, d->recs[i].name);
		}
		if (!ret && !d->recs[i].class_known && d->recs[i].class_name)
			ret = add_wanted(&cls, d->recs[i].class_name);
	}
	if (ret) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	if (!dev.nr && !cls.nr)
		goto out;
	sort_wanted(&dev);
	sort_wanted(&cls);
	path = ids_path ? strdup(ids_path) : default_ids_path();
	if (!path) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&ids_lock);
	locked = true;
	ret = cached_ids(path, &t, e);
	if (ret && strlen(path) > 3 && !strcmp(path + strlen(path) - 3, ".gz")) {
		/* As libpci does: a missing pci.ids.gz means the plain pci.ids. */
		path[strlen(path) - 3] = '\0';
		ret = cached_ids(path, &t, e);
	}
	if (ret) {
		ret = 0;
		/* Not fatal: the tree does not need ids. */
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_WARN,
			   "%s: lspci printed names without ids and %s cannot be read, so all ids stay unknown",
			   d->name, path);
		if (e)
			memset(e, 0, sizeof(*e));
		goto out;
	}
	if (scan_ids(t, &dev, &cls)) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	apply(d, &dev, &cls, path);
out:
	if (locked)
		pthread_mutex_unlock(&ids_lock);
	free(path);
	free(dev.w);
	free(cls.w);
	return ret;
}
