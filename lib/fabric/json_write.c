// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma_fabric_write_json(): the machine description of doc/json-format.md.
 *
 * The document is built as a json-c tree, keys in the documented order
 * (json-c keeps insertion order), and laid out by a small printer of our
 * own.  json-c's pretty printer spreads every empty array and every
 * two-field object over several lines, which makes a 60-function machine
 * thousands of lines long and tiring to edit by hand.  Here an object or
 * array that holds only scalars stays on one line.  json-c still writes
 * every scalar, so string escaping stays its business.
 *
 * The output depends only on the model: host bridges and functions come
 * from the fabric's sorted arrays, so writing, loading and writing again
 * gives the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_write.h"
#include "util.h"

#define SCALAR_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define FLAT_FLAGS	(JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Builder state: any failed allocation makes the whole write fail. */
struct jw {
	bool oom;
};

/*
 * Length of the valid UTF-8 sequence at @p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * A JSON string for text from outside (a kernel command line, a driver
 * name), which need not be UTF-8: JSON must be, so each byte that is not
 * part of a valid sequence becomes U+FFFD.  The loader would refuse the
 * file otherwise, and so would jq.
 */
static struct json_object *new_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct p2pdma_buf b = { 0 };
	struct json_object *o;
	size_t n;
	char *fixed;

	while (*p && (n = utf8_seq(p)))
		p += n;
	if (!*p)
		return json_object_new_string(s);
	for (p = (const unsigned char *)s; *p; p += n ? n : 1) {
		n = utf8_seq(p);
		if (n)
			p2pdma_buf_printf(&b, "%.*s", (int)n, (const char *)p);
		else
			p2pdma_buf_puts(&b, "\xef\xbf\xbd");
	}
	if (p2pdma_buf_finish(&b, &fixed))
		return NULL;
	o = json_object_new_string(fixed);
	free(fixed);
	return o;
}

static void put(struct jw *w, struct json_object *o, const char *key,
		struct json_object *v)
{
	if (!o || !v || json_object_object_add(o, key, v)) {
		json_object_put(v);
		w->oom = true;
	}
}

static void put_null(struct jw *w, struct json_object *o, const char *key)
{
	if (!o || json_object_object_add(o, key, NULL))
		w->oom = true;
}

/* An int that uses a negative value for "unknown" becomes null. */
static void put_int_or_null(struct jw *w, struct json_object *o, const char *key,
			    int v)
{
	if (v < 0)
		put_null(w, o, key);
	else
		put(w, o, key, json_object_new_int(v));
}

static void put_fmt(struct jw *w, struct json_object *o, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void put_fmt(struct jw *w, struct json_object *o, const char *key,
		    const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(w, o, key, json_object_new_string(buf));
}

/* Text from the model, or null when it has none. */
static void put_str_or_null(struct jw *w, struct json_object *o, const char *key,
			    const char *s)
{
	if (s)
		put(w, o, key, new_string(s));
	else
		put_null(w, o, key);
}

static void push(struct jw *w, struct json_object *arr, struct json_object *v)
{
	if (!arr || !v || json_object_array_add(arr, v)) {
		json_object_put(v);
		w->oom = true;
	}
}

static void put_bdf(struct jw *w, struct json_object *o, const char *key,
		    const struct p2pdma_function *fn)
{
	char name[P2PDMA_BDF_STRLEN];

	if (!fn) {
		put_null(w, o, key);
		return;
	}
	put(w, o, key, json_object_new_string(p2pdma_bdf_format(&fn->bdf, name,
								sizeof(name))));
}

/* ---------------------------------------------------------------------- */
/* The document                                                            */

static struct json_object *link_obj(struct jw *w, const struct p2pdma_link *l)
{
	struct json_object *o;
	char buf[32];

	if (!l->speed && !l->width && !l->max_speed && !l->max_width)
		return NULL;
	o = json_object_new_object();
	put(w, o, "speed", json_object_new_string(p2pdma_link_speed_format(l->speed, buf,
									sizeof(buf))));
	put(w, o, "width", json_object_new_int64(l->width));
	put(w, o, "max_speed", json_object_new_string(p2pdma_link_speed_format(l->max_speed,
									    buf, sizeof(buf))));
	put(w, o, "max_width", json_object_new_int64(l->max_width));
	if (!o)
		w->oom = true;
	return o;
}

static const char *acs_state_name(enum p2pdma_acs_state s)
{
	switch (s) {
	case P2PDMA_ACS_PRESENT:
		return "present";
	case P2PDMA_ACS_ABSENT:
		return "absent";
	default:
		return "unknown";
	}
}

static void put_acs(struct jw *w, struct json_object *o, const struct p2pdma_function *fn)
{
	put(w, o, "acs_state", json_object_new_string(acs_state_name(fn->acs_state)));
	if (fn->acs_state == P2PDMA_ACS_PRESENT) {
		put(w, o, "acs_cap", json_object_new_int(fn->acs_cap));
		put(w, o, "acs_ctrl", json_object_new_int(fn->acs_ctrl));
	} else {
		put_null(w, o, "acs_cap");
		put_null(w, o, "acs_ctrl");
	}
}

/* "io" or "mem", then "64", then "prefetch": the order the loader documents. */
static void bar_flags(unsigned int flags, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *word;
	} words[] = {
		{ P2PDMA_BAR_IO, "io" }, { P2PDMA_BAR_MEM, "mem" },
		{ P2PDMA_BAR_64, "64" }, { P2PDMA_BAR_PREFETCH, "prefetch" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(words) && used < len; i++)
		if (flags & words[i].bit)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? " " : "", words[i].word);
}

static struct json_object *bars_arr(struct jw *w, const struct p2pdma_function *fn)
{
	struct json_object *arr = json_object_new_array();
	char flags[32];
	int i;

	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		const struct p2pdma_bar *b = &fn->bars[i];
		struct json_object *o;

		if (!b->size)
			continue;
		o = json_object_new_object();
		put(w, o, "index", json_object_new_int(i));
		put_fmt(w, o, "start", "0x%" PRIx64, b->start);
		put(w, o, "size", json_object_new_uint64(b->size));
		bar_flags(b->flags, flags, sizeof(flags));
		put(w, o, "flags", json_object_new_string(flags));
		push(w, arr, o);
	}
	return arr;
}

static struct json_object *p2pmem_obj(struct jw *w, const struct p2pdma_p2pmem *p)
{
	struct json_object *o;

	if (!p->present)
		return NULL;
	o = json_object_new_object();
	put(w, o, "size", json_object_new_uint64(p->size));
	put(w, o, "available", json_object_new_uint64(p->available));
	put(w, o, "published", json_object_new_boolean(p->published));
	if (!o)
		w->oom = true;
	return o;
}

static struct json_object *namespaces_arr(struct jw *w, const struct p2pdma_function *fn)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < fn->nr_nvme_ns && a; i++) {
		struct json_object *o = json_object_new_object();

		put(w, o, "nsid", json_object_new_int64(fn->nvme_ns[i].nsid));
		put(w, o, "blocks", json_object_new_uint64(fn->nvme_ns[i].blocks));
		put(w, o, "block_size", json_object_new_int64(fn->nvme_ns[i].block_size));
		push(w, a, o);
	}
	if (!a)
		w->oom = true;
	return a;
}

static void put_nullable(struct jw *w, struct json_object *o, const char *key,
			 struct json_object *v)
{
	if (v)
		put(w, o, key, v);
	else
		put_null(w, o, key);
}

static struct json_object *function_obj(struct jw *w, const struct p2pdma_function *fn)
{
	struct json_object *o = json_object_new_object(), *children;
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	put(w, o, "bdf", json_object_new_string(p2pdma_bdf_format(&fn->bdf, name,
								  sizeof(name))));
	put_fmt(w, o, "vendor", "%04x", fn->vendor);
	put_fmt(w, o, "device", "%04x", fn->device);
	put_fmt(w, o, "subsystem_vendor", "%04x", fn->subsys_vendor);
	put_fmt(w, o, "subsystem_device", "%04x", fn->subsys_device);
	put_fmt(w, o, "class", "%06x", fn->class_code & 0xffffff);
	put(w, o, "revision", json_object_new_int(fn->revision));
	put(w, o, "role", json_object_new_string(p2pdma_role_name(fn->role)));
	put_bdf(w, o, "parent", fn->parent);
	put_bdf(w, o, "physfn", fn->physfn);
	put_int_or_null(w, o, "secondary_bus", fn->secondary_bus);
	put_int_or_null(w, o, "subordinate_bus", fn->subordinate_bus);
	put_int_or_null(w, o, "pcie_type", fn->pcie_type);
	put_nullable(w, o, "link", link_obj(w, &fn->link));
	put_acs(w, o, fn);
	put(w, o, "bars", bars_arr(w, fn));
	put_fmt(w, o, "dma_offset", "0x%" PRIx64, fn->dma_offset);
	/* Written only when known, so descriptions without it stay as they were. */
	if (fn->dma_mask_bits >= 0)
		put(w, o, "dma_mask_bits", json_object_new_int(fn->dma_mask_bits));
	put_int_or_null(w, o, "iommu_group", fn->iommu_group);
	put_int_or_null(w, o, "numa_node", fn->numa_node);
	put_str_or_null(w, o, "driver", fn->driver);
	put_nullable(w, o, "p2pmem", p2pmem_obj(w, &fn->p2pmem));
	/* Only when described, so descriptions without namespaces read as before. */
	if (fn->nr_nvme_ns)
		put(w, o, "nvme_namespaces", namespaces_arr(w, fn));
	children = json_object_new_array();
	for (i = 0; i < fn->nr_children && !w->oom; i++)
		push(w, children, function_obj(w, fn->children[i]));
	put(w, o, "children", children);
	return o;
}

static struct json_object *host_bridge_obj(struct jw *w, const struct p2pdma_host_bridge *hb)
{
	struct json_object *o = json_object_new_object(), *children;
	size_t i;

	put(w, o, "name", new_string(hb->name));
	put(w, o, "domain", json_object_new_int64(hb->domain));
	put(w, o, "bus", json_object_new_int(hb->bus));
	put_fmt(w, o, "bus_offset", "0x%" PRIx64, hb->bus_offset);
	put_int_or_null(w, o, "numa_node", hb->numa_node);
	children = json_object_new_array();
	for (i = 0; i < hb->nr_children && !w->oom; i++)
		push(w, children, function_obj(w, hb->children[i]));
	put(w, o, "children", children);
	return o;
}

static struct json_object *cpu_obj(struct jw *w, const struct p2pdma_cpu *cpu)
{
	struct json_object *o;

	if (!cpu->known)
		return NULL;
	o = json_object_new_object();
	put(w, o, "vendor", new_string(cpu->vendor));
	put(w, o, "family", json_object_new_int64(cpu->family));
	put(w, o, "model", json_object_new_int64(cpu->model));
	if (!o)
		w->oom = true;
	return o;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Every group the model knows, and every group a function names even if
 * no loader recorded its type: the loader insists that a function's
 * group is listed, so what we write always loads back.
 */
static struct json_object *groups_arr(struct jw *w, const struct p2pdma_fabric *f)
{
	struct json_object *arr = json_object_new_array();
	size_t i, nr = 0;
	int *ids;

	ids = malloc((f->nr_groups + f->nr_fns + 1) * sizeof(*ids));
	if (!ids) {
		w->oom = true;
		return arr;
	}
	for (i = 0; i < f->nr_groups; i++)
		ids[nr++] = f->groups[i].id;
	for (i = 0; i < f->nr_fns; i++)
		if (f->fns[i]->iommu_group >= 0)
			ids[nr++] = f->fns[i]->iommu_group;
	if (nr)
		qsort(ids, nr, sizeof(*ids), int_cmp);
	for (i = 0; i < nr; i++) {
		const struct p2pdma_iommu_group *g;
		struct json_object *o;

		if (i && ids[i] == ids[i - 1])
			continue;
		g = p2pdma_fabric_iommu_group(f, ids[i]);
		o = json_object_new_object();
		put(w, o, "id", json_object_new_int(ids[i]));
		put_str_or_null(w, o, "type", g ? g->type : NULL);
		push(w, arr, o);
	}
	free(ids);
	return arr;
}

static struct json_object *ram_arr(struct jw *w, const struct p2pdma_fabric *f)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < f->nr_ram; i++) {
		struct json_object *o = json_object_new_object();

		put_fmt(w, o, "start", "0x%" PRIx64, f->ram[i].start);
		put(w, o, "size", json_object_new_uint64(f->ram[i].size));
		put_int_or_null(w, o, "numa_node", f->ram[i].numa_node);
		push(w, arr, o);
	}
	return arr;
}

static void put_nv_bdf(struct jw *w, struct json_object *o, const char *key,
		       const struct p2pdma_nv_path *n, const struct p2pdma_bdf *b)
{
	char name[P2PDMA_BDF_STRLEN];

	if (n->bdf_known)
		put(w, o, key, json_object_new_string(p2pdma_bdf_format(b, name, sizeof(name))));
	else
		put_null(w, o, key);
}

/* A bug report's `nvidia-smi topo -m` cells, each pair once, in the report's order. */
static struct json_object *nv_paths_arr(struct jw *w, const struct p2pdma_fabric *f)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < f->nr_nv_paths; i++) {
		const struct p2pdma_nv_path *n = &f->nv_paths[i];
		struct json_object *o = json_object_new_object();

		put(w, o, "a", new_string(n->name_a));
		put_nv_bdf(w, o, "a_bdf", n, &n->a);
		put(w, o, "b", new_string(n->name_b));
		put_nv_bdf(w, o, "b_bdf", n, &n->b);
		put(w, o, "class", new_string(n->cls));
		push(w, arr, o);
	}
	return arr;
}

static struct json_object *document(struct jw *w, const struct p2pdma_fabric *f)
{
	struct json_object *o = json_object_new_object(), *hbs;
	size_t i;

	put(w, o, "format", json_object_new_string("p2pdma-machine"));
	put(w, o, "version", json_object_new_int(1));
	put_nullable(w, o, "cpu", cpu_obj(w, &f->cpu));
	put_str_or_null(w, o, "cmdline", f->cmdline);
	put_str_or_null(w, o, "kernel", f->kernel_release);
	put(w, o, "iommu_groups", groups_arr(w, f));
	put(w, o, "ram", ram_arr(w, f));
	hbs = json_object_new_array();
	for (i = 0; i < f->nr_hbs && !w->oom; i++)
		push(w, hbs, host_bridge_obj(w, f->hbs[i]));
	put(w, o, "host_bridges", hbs);
	/* Only where a report had the matrix: older descriptions stay as they were. */
	if (f->nr_nv_paths)
		put(w, o, "nvidia_paths", nv_paths_arr(w, f));
	return o;
}

/* ---------------------------------------------------------------------- */
/* Layout                                                                  */

static bool is_container(struct json_object *v)
{
	return json_object_is_type(v, json_type_object) ||
	       json_object_is_type(v, json_type_array);
}

/* An object or array with no object or array inside fits on one line. */
static bool is_flat(struct json_object *v)
{
	size_t i;

	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++)
			if (is_container(json_object_array_get_idx(v, i)))
				return false;
		return true;
	}
	json_object_object_foreach(v, key, val) {
		(void)key;
		if (is_container(val))
			return false;
	}
	return true;
}

static void indent(struct p2pdma_buf *b, int depth)
{
	p2pdma_buf_printf(b, "%*s", depth * 2, "");
}

static void print_value(struct p2pdma_buf *b, struct json_object *v, int depth);

static void print_array(struct p2pdma_buf *b, struct json_object *v, int depth)
{
	size_t i, n = json_object_array_length(v);

	p2pdma_buf_puts(b, "[\n");
	for (i = 0; i < n; i++) {
		indent(b, depth + 1);
		print_value(b, json_object_array_get_idx(v, i), depth + 1);
		p2pdma_buf_puts(b, i + 1 < n ? ",\n" : "\n");
	}
	indent(b, depth);
	p2pdma_buf_puts(b, "]");
}

static void print_object(struct p2pdma_buf *b, struct json_object *v, int depth)
{
	size_t i = 0, n = (size_t)json_object_object_length(v);

	p2pdma_buf_puts(b, "{\n");
	json_object_object_foreach(v, key, val) {
		indent(b, depth + 1);
		/* Keys are our own identifiers: nothing to escape. */
		p2pdma_buf_printf(b, "\"%s\": ", key);
		print_value(b, val, depth + 1);
		p2pdma_buf_puts(b, ++i < n ? ",\n" : "\n");
	}
	indent(b, depth);
	p2pdma_buf_puts(b, "}");
}

static void print_value(struct p2pdma_buf *b, struct json_object *v, int depth)
{
	if (json_object_is_type(v, json_type_array) && !json_object_array_length(v))
		p2pdma_buf_puts(b, "[]");
	else if (!is_container(v))
		p2pdma_buf_puts(b, json_object_to_json_string_ext(v, SCALAR_FLAGS));
	else if (is_flat(v))
		p2pdma_buf_puts(b, json_object_to_json_string_ext(v, FLAT_FLAGS));
	else if (json_object_is_type(v, json_type_array))
		print_array(b, v, depth);
	else
		print_object(b, v, depth);
}

int p2pdma_fabric_same_json(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b)
{
	struct jw w = { 0 };
	struct json_object *da = document(&w, a), *db = document(&w, b);
	int ret = -ENOMEM;

	/*
	 * The builder adds keys in one order, so equal trees print as
	 * equal text, and json_object_equal() keeps array order.
	 */
	if (da && db && !w.oom)
		ret = json_object_equal(da, db);
	json_object_put(da);
	json_object_put(db);
	return ret;
}

int p2pdma_fabric_write_json(const struct p2pdma_fabric *f, char **out,
			     struct p2pdma_error *e)
{
	struct p2pdma_buf b = { 0 };
	struct jw w = { 0 };
	struct json_object *doc;

	*out = NULL;
	if (!f->finalized)
		return p2pdma_fail(e, -EINVAL,
				   "the machine model is not finalized, so it cannot be written");
	doc = document(&w, f);
	if (!doc || w.oom) {
		json_object_put(doc);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	print_value(&b, doc, 0);
	p2pdma_buf_puts(&b, "\n");
	json_object_put(doc);
	if (p2pdma_buf_finish(&b, out))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	return 0;
}
