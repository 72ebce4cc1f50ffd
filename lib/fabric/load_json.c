// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The JSON loader: our own machine description (doc/json-format.md), as
 * "p2pdma topo --json" writes it and as people edit it by hand.
 *
 * It is strict on purpose.  A description is often a hand-edited "what
 * if", and a typo that silently became a default would answer a question
 * nobody asked.  So every key is required (null says "unknown"), unknown
 * keys are errors, and every error names the file and the JSON path of
 * the value ("m.json: $.host_bridges[0].children[2].acs_ctl: unknown
 * key"), or the line and column of a syntax error.
 *
 * p2pdma_fabric_finalize() then checks the tree as a PCI tree (bus
 * ranges, duplicate addresses, a parent that is not a bridge).  This file
 * checks what only the JSON can get wrong: types, ranges, spelling, a
 * "parent" that contradicts the nesting, a "physfn" that names nothing.
 *
 * The reader (json_read.h) keeps the first error and ignores the calls
 * after it, so each function below fetches its values in document order
 * and checks once.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bugreport/bugreport.h"
#include "json_read.h"
#include "readfile.h"
#include "loaders.h"

/*
 * Each PCI level costs two JSON levels (the function object and its
 * "children" array).  Bus numbers allow at most 256 nested bridges, so
 * this admits every real tree and bounds the recursion below.
 */
#define JSON_MAX_DEPTH	(2 * 256 + 8)
/* Far above any machine: 4,096 functions take about 8 MiB. */
#define JSON_MAX_SIZE	(256u << 20)

#define QUOTE_LEN	(P2PDMA_JSON_QUOTE_MAX + 8)

/* A VF whose "physfn" is resolved once every function exists. */
struct vf_ref {
	struct p2pdma_function *fn;
	struct p2pdma_bdf pf;
	char *path;
};

struct jload {
	struct p2pdma_json_reader r;
	struct p2pdma_fabric *f;
	struct vf_ref *vfs;
	size_t nr_vfs, vfs_cap;
};

static const char *const function_keys[] = {
	"bdf", "vendor", "device", "subsystem_vendor", "subsystem_device", "class",
	"revision", "role", "parent", "physfn", "secondary_bus", "subordinate_bus",
	"pcie_type", "link", "acs_state", "acs_cap", "acs_ctrl", "bars", "dma_offset",
	"dma_mask_bits", "iommu_group", "numa_node", "driver", "p2pmem", "children",
	"nvme_namespaces", NULL,
};

/* ---------------------------------------------------------------------- */
/* Function fields, one group per helper                                   */

static int parse_ids(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct p2pdma_json_reader *r = &j->r;
	uint32_t v[5] = { 0 };
	int64_t rev = 0;

	p2pdma_json_hex_id(r, o, "vendor", 4, &v[0]);
	p2pdma_json_hex_id(r, o, "device", 4, &v[1]);
	p2pdma_json_hex_id(r, o, "subsystem_vendor", 4, &v[2]);
	p2pdma_json_hex_id(r, o, "subsystem_device", 4, &v[3]);
	p2pdma_json_hex_id(r, o, "class", 6, &v[4]);
	p2pdma_json_int(r, o, "revision", 0, 255, false, &rev);
	t->vendor = (uint16_t)v[0];
	t->device = (uint16_t)v[1];
	t->subsys_vendor = (uint16_t)v[2];
	t->subsys_device = (uint16_t)v[3];
	t->class_code = v[4];
	t->revision = (uint8_t)rev;
	return r->err;
}

static int parse_role(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	char q[QUOTE_LEN];
	const char *s;

	if (p2pdma_json_str(&j->r, o, "role", false, true, &s))
		return j->r.err;
	/* "bridge" is the model's private "not known yet": never in a file. */
	if (p2pdma_role_parse(s, &t->role) || t->role == P2PDMA_ROLE_BRIDGE)
		return p2pdma_json_fail(&j->r, "role", -EINVAL,
					"\"%s\" is not a role (endpoint, root_port, switch_upstream, switch_downstream, pci_bridge)",
					p2pdma_json_quote(s, q, sizeof(q)));
	return 0;
}

/* "parent" repeats the nesting; a hand edit that moved an object must agree. */
static int check_parent(struct jload *j, struct json_object *o,
			const struct p2pdma_function *parent)
{
	char want[P2PDMA_BDF_STRLEN] = "", got[P2PDMA_BDF_STRLEN];
	struct p2pdma_bdf b;
	int ret = p2pdma_json_bdf(&j->r, o, "parent", true, &b);

	if (ret < 0)
		return ret;
	if (parent)
		p2pdma_bdf_format(&parent->bdf, want, sizeof(want));
	if (ret == 1 && parent)
		return p2pdma_json_fail(&j->r, "parent", -EINVAL,
					"is null, but the object sits in the children of %s",
					want);
	if (ret == 1)
		return 0;
	p2pdma_bdf_format(&b, got, sizeof(got));
	if (!parent)
		return p2pdma_json_fail(&j->r, "parent", -EINVAL,
					"says %s, but the object sits on a root bus (parent null)",
					got);
	if (p2pdma_bdf_cmp(&b, &parent->bdf))
		return p2pdma_json_fail(&j->r, "parent", -EINVAL,
					"says %s, but the object sits in the children of %s",
					got, want);
	return 0;
}

static int parse_bus_range(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct p2pdma_json_reader *r = &j->r;

	p2pdma_json_opt_int(r, o, "secondary_bus", 255, &t->secondary_bus);
	p2pdma_json_opt_int(r, o, "subordinate_bus", 255, &t->subordinate_bus);
	if (r->err || t->role != P2PDMA_ROLE_ENDPOINT)
		return r->err;
	if (t->secondary_bus >= 0)
		return p2pdma_json_fail(r, "secondary_bus", -EINVAL,
					"only a bridge has a bus range (use null for an endpoint)");
	if (t->subordinate_bus >= 0)
		return p2pdma_json_fail(r, "subordinate_bus", -EINVAL,
					"only a bridge has a bus range (use null for an endpoint)");
	return 0;
}

static int get_speed(struct jload *j, struct json_object *o, const char *key, uint32_t *out)
{
	char q[QUOTE_LEN];
	const char *s;

	if (p2pdma_json_str(&j->r, o, key, false, false, &s))
		return j->r.err;
	if (p2pdma_link_speed_parse(s, out))
		return p2pdma_json_fail(&j->r, key, -EINVAL,
					"\"%s\" is not a link speed (\"8.0 GT/s\" or \"unknown\")",
					p2pdma_json_quote(s, q, sizeof(q)));
	return 0;
}

static int parse_link(struct jload *j, struct json_object *o, struct p2pdma_link *l)
{
	static const char *const keys[] = {
		"speed", "width", "max_speed", "max_width", NULL,
	};
	struct p2pdma_json_reader *r = &j->r;
	struct json_object *v;
	int64_t w = 0, mw = 0;
	size_t old;

	if (p2pdma_json_object_or_null(r, o, "link", &v))
		return r->err;
	old = p2pdma_json_push(r, ".link");
	p2pdma_json_keys(r, v, keys);
	get_speed(j, v, "speed", &l->speed);
	/* The Link Status width field has 6 bits. */
	p2pdma_json_int(r, v, "width", 0, P2PDMA_LINK_WIDTH_MAX, false, &w);
	get_speed(j, v, "max_speed", &l->max_speed);
	p2pdma_json_int(r, v, "max_width", 0, P2PDMA_LINK_WIDTH_MAX, false, &mw);
	l->width = (uint32_t)w;
	l->max_width = (uint32_t)mw;
	p2pdma_json_pop(r, old);
	return r->err;
}

static int parse_acs_state(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	static const char *const states[] = {
		[P2PDMA_ACS_UNKNOWN] = "unknown",
		[P2PDMA_ACS_ABSENT] = "absent",
		[P2PDMA_ACS_PRESENT] = "present",
	};
	char q[QUOTE_LEN];
	const char *s;
	size_t i;

	if (p2pdma_json_str(&j->r, o, "acs_state", false, true, &s))
		return j->r.err;
	for (i = 0; i < ARRAY_SIZE(states); i++) {
		if (!strcmp(s, states[i])) {
			t->acs_state = (enum p2pdma_acs_state)i;
			return 0;
		}
	}
	return p2pdma_json_fail(&j->r, "acs_state", -EINVAL,
				"\"%s\" is not an ACS state (unknown, absent, present)",
				p2pdma_json_quote(s, q, sizeof(q)));
}

/* The registers are numbers exactly when the state is "present". */
static int parse_acs(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct p2pdma_json_reader *r = &j->r;
	int64_t cap = 0, ctrl = 0;
	int cap_null, ctrl_null;

	parse_acs_state(j, o, t);
	cap_null = p2pdma_json_int(r, o, "acs_cap", 0, 0xffff, true, &cap);
	ctrl_null = p2pdma_json_int(r, o, "acs_ctrl", 0, 0xffff, true, &ctrl);
	if (r->err)
		return r->err;
	if (t->acs_state == P2PDMA_ACS_PRESENT && (cap_null || ctrl_null))
		return p2pdma_json_fail(r, cap_null ? "acs_cap" : "acs_ctrl", -EINVAL,
					"is null, but acs_state is \"present\" (give the register value)");
	if (t->acs_state != P2PDMA_ACS_PRESENT && (!cap_null || !ctrl_null))
		return p2pdma_json_fail(r, !cap_null ? "acs_cap" : "acs_ctrl", -EINVAL,
					"must be null when acs_state is \"%s\"",
					t->acs_state == P2PDMA_ACS_ABSENT ? "absent" : "unknown");
	t->acs_cap = (uint16_t)cap;
	t->acs_ctrl = (uint16_t)ctrl;
	return 0;
}

static const struct {
	const char *word;
	unsigned int bit;
} bar_words[] = {
	{ "io", P2PDMA_BAR_IO }, { "mem", P2PDMA_BAR_MEM },
	{ "64", P2PDMA_BAR_64 }, { "prefetch", P2PDMA_BAR_PREFETCH },
};

/* The bit of one flag word of @n characters, 0 if it is none. */
static unsigned int bar_word(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bar_words); i++)
		if (strlen(bar_words[i].word) == n && !strncmp(p, bar_words[i].word, n))
			return bar_words[i].bit;
	return 0;
}

/* Words one space apart, each once; "" for a BAR of no known type. */
static int parse_bar_flags(struct jload *j, const char *s, unsigned int *out)
{
	char q[QUOTE_LEN];
	const char *p = s;
	unsigned int bit;
	size_t n;

	*out = 0;
	while (*p) {
		n = strcspn(p, " ");
		bit = bar_word(p, n);
		if (!bit || (*out & bit) || (p[n] == ' ' && !p[n + 1]))
			return p2pdma_json_fail(&j->r, "flags", -EINVAL,
						"\"%s\" is not a list of flags (\"io\" or \"mem\", then \"64\" and \"prefetch\", one space apart)",
						p2pdma_json_quote(s, q, sizeof(q)));
		*out |= bit;
		p += n + (p[n] == ' ');
	}
	if ((*out & P2PDMA_BAR_IO) && (*out & P2PDMA_BAR_MEM))
		return p2pdma_json_fail(&j->r, "flags", -EINVAL,
					"a BAR is either \"io\" or \"mem\", not both");
	return 0;
}

static int parse_bar(struct jload *j, struct json_object *b, struct p2pdma_function *t)
{
	static const char *const keys[] = { "index", "start", "size", "flags", NULL };
	struct p2pdma_json_reader *r = &j->r;
	struct p2pdma_bar bar = { 0 };
	const char *flags;
	int64_t idx = 0;

	p2pdma_json_expect_object(r, NULL, b);
	p2pdma_json_keys(r, b, keys);
	p2pdma_json_int(r, b, "index", 0, P2PDMA_NUM_BARS - 1, false, &idx);
	if (!r->err && t->bars[idx].size)
		return p2pdma_json_fail(r, "index", -EINVAL, "BAR %" PRId64 " is listed twice",
					idx);
	p2pdma_json_hex_u64(r, b, "start", &bar.start);
	p2pdma_json_u64(r, b, "size", 1, &bar.size);
	if (p2pdma_json_str(r, b, "flags", false, true, &flags) ||
	    parse_bar_flags(j, flags, &bar.flags))
		return r->err;
	if (bar.start + bar.size - 1 < bar.start)
		return p2pdma_json_fail(r, "size", -ERANGE,
					"the BAR runs past the end of the 64-bit address space");
	t->bars[idx] = bar;
	return 0;
}

static int parse_bars(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct json_object *arr;
	size_t i, old;

	if (p2pdma_json_array(&j->r, o, "bars", &arr))
		return j->r.err;
	for (i = 0; i < json_object_array_length(arr) && !j->r.err; i++) {
		old = p2pdma_json_push(&j->r, ".bars[%zu]", i);
		parse_bar(j, json_object_array_get_idx(arr, i), t);
		p2pdma_json_pop(&j->r, old);
	}
	return j->r.err;
}

static int parse_p2pmem(struct jload *j, struct json_object *o, struct p2pdma_p2pmem *p)
{
	static const char *const keys[] = { "size", "available", "published", NULL };
	struct p2pdma_json_reader *r = &j->r;
	struct json_object *v;
	size_t old;

	if (p2pdma_json_object_or_null(r, o, "p2pmem", &v))
		return r->err;
	old = p2pdma_json_push(r, ".p2pmem");
	p2pdma_json_keys(r, v, keys);
	p2pdma_json_u64(r, v, "size", 0, &p->size);
	p2pdma_json_u64(r, v, "available", 0, &p->available);
	p2pdma_json_bool(r, v, "published", &p->published);
	if (!r->err && p->available > p->size)
		p2pdma_json_fail(r, "available", -EINVAL,
				 "%" PRIu64 " is more than the pool's size %" PRIu64,
				 p->available, p->size);
	p->present = true;
	p2pdma_json_pop(r, old);
	return r->err;
}

static int parse_ns(struct jload *j, struct json_object *o, struct p2pdma_nvme_ns *ns)
{
	static const char *const keys[] = { "nsid", "blocks", "block_size", NULL };
	struct p2pdma_json_reader *r = &j->r;
	int64_t nsid = 0, bs = 0;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, keys);
	p2pdma_json_int(r, o, "nsid", 1, 0xfffffffe, false, &nsid);
	p2pdma_json_u64(r, o, "blocks", 1, &ns->blocks);
	p2pdma_json_int(r, o, "block_size", 512, 65536, false, &bs);
	if (!r->err && (bs & (bs - 1)))
		return p2pdma_json_fail(r, "block_size", -EINVAL, "%" PRId64 " is not a power of two", bs);
	if (!r->err && ns->blocks > UINT64_MAX / (uint64_t)bs)
		return p2pdma_json_fail(r, "blocks", -ERANGE, "the namespace is larger than 2^64 bytes");
	ns->nsid = (uint32_t)nsid;
	ns->block_size = (uint32_t)bs;
	return r->err;
}

/* The most namespaces one function may describe (a controller may have far more). */
#define MAX_NS 1024

/*
 * Optional "nvme_namespaces": [{"nsid", "blocks", "block_size"}, ...],
 * sorted by nsid without repeats.  The template gets a malloc'ed array
 * the caller frees (p2pdma_fabric_add_function() keeps a copy).
 */
static int parse_namespaces(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct p2pdma_nvme_ns *ns;
	struct p2pdma_json_reader *r = &j->r;
	struct json_object *arr;
	size_t i, n, old;

	if (r->err || !json_object_object_get_ex(o, "nvme_namespaces", &arr))
		return r->err;
	if (p2pdma_json_array(r, o, "nvme_namespaces", &arr))
		return r->err;
	n = json_object_array_length(arr);
	if (n > MAX_NS)
		return p2pdma_json_fail(r, "nvme_namespaces", -E2BIG, "more than %d namespaces", MAX_NS);
	ns = calloc(n ? n : 1, sizeof(*ns));
	if (!ns)
		return p2pdma_json_nomem(r);
	t->nvme_ns = ns;
	t->nr_nvme_ns = n;
	for (i = 0; i < n && !r->err; i++) {
		old = p2pdma_json_push(r, ".nvme_namespaces[%zu]", i);
		parse_ns(j, json_object_array_get_idx(arr, i), &ns[i]);
		if (!r->err && i && ns[i].nsid <= ns[i - 1].nsid)
			p2pdma_json_fail(r, "nsid", -EINVAL, "%u does not follow %u: list namespaces by nsid, once each",
					 ns[i].nsid, ns[i - 1].nsid);
		p2pdma_json_pop(r, old);
	}
	return r->err;
}

static int parse_placement(struct jload *j, struct json_object *o, struct p2pdma_function *t)
{
	struct p2pdma_json_reader *r = &j->r;
	const char *driver;

	p2pdma_json_opt_int(r, o, "iommu_group", INT_MAX, &t->iommu_group);
	if (!r->err && t->iommu_group >= 0 && !p2pdma_fabric_iommu_group(j->f, t->iommu_group))
		return p2pdma_json_fail(r, "iommu_group", -EINVAL,
					"group %d is not listed in $.iommu_groups",
					t->iommu_group);
	p2pdma_json_opt_int(r, o, "numa_node", INT_MAX, &t->numa_node);
	if (json_object_object_get_ex(o, "dma_mask_bits", NULL))
		p2pdma_json_opt_int(r, o, "dma_mask_bits", 64, &t->dma_mask_bits);
	p2pdma_json_str(r, o, "driver", true, false, &driver);
	/* Only read: p2pdma_fabric_add_function() keeps a copy. */
	t->driver = (char *)driver;
	return r->err;
}

/*
 * Everything of one function object but its children.  *@has_pf says
 * whether "physfn" named a PF, which is looked up at the end.
 */
static int parse_fields(struct jload *j, struct json_object *o,
			const struct p2pdma_function *parent, struct p2pdma_function *t,
			struct p2pdma_bdf *pf, bool *has_pf)
{
	struct p2pdma_json_reader *r = &j->r;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, function_keys);
	p2pdma_json_bdf(r, o, "bdf", false, &t->bdf);
	parse_ids(j, o, t);
	parse_role(j, o, t);
	check_parent(j, o, parent);
	*has_pf = p2pdma_json_bdf(r, o, "physfn", true, pf) == 0;
	parse_bus_range(j, o, t);
	p2pdma_json_opt_int(r, o, "pcie_type", 15, &t->pcie_type);
	parse_link(j, o, &t->link);
	parse_acs(j, o, t);
	parse_bars(j, o, t);
	p2pdma_json_hex_u64(r, o, "dma_offset", &t->dma_offset);
	parse_placement(j, o, t);
	parse_p2pmem(j, o, &t->p2pmem);
	parse_namespaces(j, o, t);
	return r->err;
}

/* Remember a VF's "physfn": the PF may come later in the file. */
static int note_physfn(struct jload *j, struct p2pdma_function *fn,
		       const struct p2pdma_bdf *pf)
{
	struct vf_ref *v;

	if (p2pdma_grow((void **)&j->vfs, &j->vfs_cap, j->nr_vfs + 1, sizeof(*j->vfs)))
		return p2pdma_json_nomem(&j->r);
	v = &j->vfs[j->nr_vfs];
	v->fn = fn;
	v->pf = *pf;
	v->path = strdup(p2pdma_json_path(&j->r));
	if (!v->path)
		return p2pdma_json_nomem(&j->r);
	j->nr_vfs++;
	return 0;
}

static int parse_children(struct jload *j, struct json_object *o,
			  struct p2pdma_host_bridge *hb, struct p2pdma_function *parent);

static int parse_function(struct jload *j, struct json_object *o,
			  struct p2pdma_host_bridge *hb, struct p2pdma_function *parent)
{
	struct p2pdma_function t, *fn;
	struct p2pdma_bdf pf;
	bool has_pf;
	int ret;

	p2pdma_function_init(&t);
	if (parse_fields(j, o, parent, &t, &pf, &has_pf)) {
		free(t.nvme_ns);
		return j->r.err;
	}
	ret = p2pdma_fabric_add_function(j->f, hb, parent, &t, &fn, j->r.e);
	free(t.nvme_ns);
	if (ret)
		return p2pdma_json_wrap(&j->r, ret);
	if (has_pf && note_physfn(j, fn, &pf))
		return j->r.err;
	return parse_children(j, o, hb, fn);
}

static int parse_children(struct jload *j, struct json_object *o,
			  struct p2pdma_host_bridge *hb, struct p2pdma_function *parent)
{
	struct json_object *arr;
	size_t i, n, old;

	if (p2pdma_json_array(&j->r, o, "children", &arr))
		return j->r.err;
	n = json_object_array_length(arr);
	if (n && parent && parent->role == P2PDMA_ROLE_ENDPOINT)
		return p2pdma_json_fail(&j->r, "children", -EINVAL,
					"an endpoint has no functions behind it (is \"role\" right?)");
	for (i = 0; i < n && !j->r.err; i++) {
		old = p2pdma_json_push(&j->r, ".children[%zu]", i);
		parse_function(j, json_object_array_get_idx(arr, i), hb, parent);
		p2pdma_json_pop(&j->r, old);
	}
	return j->r.err;
}

/* ---------------------------------------------------------------------- */
/* Host bridges, groups, RAM, the top level                                */

static int parse_host_bridge(struct jload *j, struct json_object *o)
{
	static const char *const keys[] = {
		"name", "domain", "bus", "bus_offset", "numa_node", "children", NULL,
	};
	struct p2pdma_json_reader *r = &j->r;
	struct p2pdma_host_bridge *hb;
	int64_t domain = 0, bus = 0;
	uint64_t offset = 0;
	const char *name;
	int numa = -1, ret;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, keys);
	p2pdma_json_str(r, o, "name", false, false, &name);
	p2pdma_json_int(r, o, "domain", 0, UINT32_MAX, false, &domain);
	p2pdma_json_int(r, o, "bus", 0, 255, false, &bus);
	p2pdma_json_hex_u64(r, o, "bus_offset", &offset);
	p2pdma_json_opt_int(r, o, "numa_node", INT_MAX, &numa);
	if (r->err)
		return r->err;
	ret = p2pdma_fabric_add_host_bridge(j->f, name, (uint32_t)domain, (uint8_t)bus,
					    &hb, r->e);
	if (ret)
		return p2pdma_json_wrap(r, ret);
	hb->bus_offset = offset;
	hb->numa_node = numa;
	return parse_children(j, o, hb, NULL);
}

/* Run @one on every member of the top-level array @key. */
static int parse_array(struct jload *j, struct json_object *top, const char *key,
		       int (*one)(struct jload *j, struct json_object *o))
{
	struct json_object *arr;
	size_t i, old;

	if (p2pdma_json_array(&j->r, top, key, &arr))
		return j->r.err;
	for (i = 0; i < json_object_array_length(arr) && !j->r.err; i++) {
		old = p2pdma_json_push(&j->r, ".%s[%zu]", key, i);
		one(j, json_object_array_get_idx(arr, i));
		p2pdma_json_pop(&j->r, old);
	}
	return j->r.err;
}

static int group_cmp(const void *a, const void *b)
{
	const struct p2pdma_iommu_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Groups go straight into the fabric's array, sorted once at the end:
 * p2pdma_fabric_set_iommu_group_type() would sort after every insertion.
 */
static int parse_group(struct jload *j, struct json_object *o)
{
	static const char *const keys[] = { "id", "type", NULL };
	struct p2pdma_json_reader *r = &j->r;
	struct p2pdma_fabric *f = j->f;
	struct p2pdma_iommu_group *g;
	const char *type;
	int64_t id = 0;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, keys);
	p2pdma_json_int(r, o, "id", 0, INT_MAX, false, &id);
	p2pdma_json_str(r, o, "type", true, false, &type);
	if (r->err)
		return r->err;
	if (p2pdma_grow((void **)&f->groups, &f->groups_cap, f->nr_groups + 1,
			sizeof(*f->groups)))
		return p2pdma_json_nomem(r);
	g = &f->groups[f->nr_groups];
	g->id = (int)id;
	g->type = type ? strdup(type) : NULL;
	if (type && !g->type)
		return p2pdma_json_nomem(r);
	f->nr_groups++;
	return 0;
}

static int parse_groups(struct jload *j, struct json_object *top)
{
	struct p2pdma_fabric *f = j->f;
	size_t i;

	if (parse_array(j, top, "iommu_groups", parse_group))
		return j->r.err;
	if (f->nr_groups)
		qsort(f->groups, f->nr_groups, sizeof(*f->groups), group_cmp);
	for (i = 1; i < f->nr_groups; i++)
		if (f->groups[i].id == f->groups[i - 1].id)
			return p2pdma_json_fail(&j->r, "iommu_groups", -EINVAL,
						"group %d is listed twice", f->groups[i].id);
	return 0;
}

/* Host RAM, in file order, as the model keeps it in the order added. */
static int parse_ram(struct jload *j, struct json_object *o)
{
	static const char *const keys[] = { "start", "size", "numa_node", NULL };
	struct p2pdma_json_reader *r = &j->r;
	uint64_t start = 0, size = 0;
	int numa = -1, ret;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, keys);
	p2pdma_json_hex_u64(r, o, "start", &start);
	p2pdma_json_u64(r, o, "size", 1, &size);
	p2pdma_json_opt_int(r, o, "numa_node", INT_MAX, &numa);
	if (r->err)
		return r->err;
	ret = p2pdma_fabric_add_ram(j->f, start, size, numa, r->e);
	return ret ? p2pdma_json_wrap(r, ret) : 0;
}

static int parse_cpu(struct jload *j, struct json_object *top)
{
	static const char *const keys[] = { "vendor", "family", "model", NULL };
	struct p2pdma_json_reader *r = &j->r;
	struct p2pdma_cpu *cpu = &j->f->cpu;
	int64_t family = 0, model = 0;
	struct json_object *v;
	const char *vendor;
	size_t old;

	if (p2pdma_json_object_or_null(r, top, "cpu", &v))
		return r->err;
	old = p2pdma_json_push(r, ".cpu");
	p2pdma_json_keys(r, v, keys);
	/* Empty is allowed: /proc/cpuinfo of some architectures has no vendor_id. */
	p2pdma_json_str(r, v, "vendor", false, true, &vendor);
	if (!r->err && strlen(vendor) >= sizeof(cpu->vendor))
		p2pdma_json_fail(r, "vendor", -EINVAL,
				 "longer than a CPU vendor id (at most %zu characters)",
				 sizeof(cpu->vendor) - 1);
	p2pdma_json_int(r, v, "family", 0, 0xffff, false, &family);
	p2pdma_json_int(r, v, "model", 0, 0xffff, false, &model);
	p2pdma_json_pop(r, old);
	if (r->err)
		return r->err;
	snprintf(cpu->vendor, sizeof(cpu->vendor), "%s", vendor);
	cpu->family = (unsigned int)family;
	cpu->model = (unsigned int)model;
	cpu->known = true;
	return 0;
}

/* Format and version first: a wrong file should say so before anything else. */
static int parse_header(struct jload *j, struct json_object *top)
{
	struct p2pdma_json_reader *r = &j->r;
	char q[QUOTE_LEN];
	const char *format;
	int64_t version = 0;

	if (!json_object_is_type(top, json_type_object))
		return p2pdma_json_expect_object(r, NULL, top);
	if (!json_object_object_get_ex(top, "format", NULL))
		return p2pdma_json_fail(r, NULL, -EINVAL,
					"missing key \"format\" (is this a p2pdma machine description?)");
	if (p2pdma_json_str(r, top, "format", false, true, &format))
		return r->err;
	if (strcmp(format, "p2pdma-machine"))
		return p2pdma_json_fail(r, "format", -EINVAL, "\"%s\" is not \"p2pdma-machine\"",
					p2pdma_json_quote(format, q, sizeof(q)));
	if (p2pdma_json_int(r, top, "version", 1, INT_MAX, false, &version))
		return r->err;
	if (version != 1)
		return p2pdma_json_fail(r, "version", -EINVAL,
					"version %" PRId64 " is newer than this p2pdma reads (1)",
					version);
	return 0;
}

/* "kernel": the release string, null (unknown) or absent (older files). */
static void parse_kernel(struct jload *j, struct json_object *top)
{
	struct p2pdma_json_reader *r = &j->r;
	const char *s = NULL;
	char q[64];
	int ret;

	if (r->err || !json_object_object_get_ex(top, "kernel", NULL))
		return;
	if (p2pdma_json_str(r, top, "kernel", true, false, &s) || !s)
		return;
	ret = p2pdma_fabric_set_kernel_release(j->f, s);
	if (ret == -ENOMEM)
		p2pdma_json_nomem(r);
	else if (ret)
		p2pdma_json_fail(r, "kernel", ret, "\"%s\" is not a kernel release (no blanks or control characters)",
				 p2pdma_json_quote(s, q, sizeof(q)));
}

#define NV_NAMES	"GPU# or NIC# (at most 15 characters)"
#define NV_CLASSES	"PIX, PXB, PHB, NODE, SYS, SOC or NV#"

/* A device name or class of the matrix, copied into @out (@size bytes with the NUL). */
static int nv_word(struct p2pdma_json_reader *r, struct json_object *o, const char *key,
		   bool (*valid)(const char *w, size_t n), const char *what, char *out,
		   size_t size)
{
	char q[QUOTE_LEN];
	const char *s;
	size_t n;

	if (p2pdma_json_str(r, o, key, false, false, &s))
		return r->err;
	n = strlen(s);
	if (n >= size || !valid(s, n))
		return p2pdma_json_fail(r, key, -EINVAL, "\"%s\" is not %s",
					p2pdma_json_quote(s, q, sizeof(q)), what);
	memcpy(out, s, n + 1);
	return 0;
}

/* An address or null; @known says which. */
static int nv_bdf(struct p2pdma_json_reader *r, struct json_object *o, const char *key,
		  struct p2pdma_bdf *out, bool *known)
{
	struct json_object *v;

	if (p2pdma_json_get(r, o, key, &v))
		return r->err;
	*known = v != NULL;
	return v ? p2pdma_json_bdf(r, o, key, false, out) : 0;
}

static int parse_nv_path(struct jload *j, struct json_object *o)
{
	static const char *const keys[] = { "a", "a_bdf", "b", "b_bdf", "class", NULL };
	struct p2pdma_json_reader *r = &j->r;
	struct p2pdma_nv_path *p = &j->f->nv_paths[j->f->nr_nv_paths];
	bool ka = false, kb = false;

	p2pdma_json_expect_object(r, NULL, o);
	p2pdma_json_keys(r, o, keys);
	nv_word(r, o, "a", br_nv_dev_name, NV_NAMES, p->name_a, sizeof(p->name_a));
	nv_bdf(r, o, "a_bdf", &p->a, &ka);
	nv_word(r, o, "b", br_nv_dev_name, NV_NAMES, p->name_b, sizeof(p->name_b));
	nv_bdf(r, o, "b_bdf", &p->b, &kb);
	nv_word(r, o, "class", br_nv_path_class, NV_CLASSES, p->cls, sizeof(p->cls));
	if (!r->err && !strcmp(p->cls, "X"))
		p2pdma_json_fail(r, "class", -EINVAL, "\"X\" is a device with itself, not a pair");
	if (!r->err && ka != kb)
		p2pdma_json_fail(r, "b_bdf", -EINVAL, "both addresses or neither (null)");
	if (r->err)
		return r->err;
	p->bdf_known = ka;
	j->f->nr_nv_paths++;
	return 0;
}

/* "nvidia_paths": absent when no report had `nvidia-smi topo -m`. */
static void parse_nv_paths(struct jload *j, struct json_object *top)
{
	struct json_object *arr;

	if (j->r.err || !json_object_object_get_ex(top, "nvidia_paths", &arr))
		return;
	if (json_object_is_type(arr, json_type_array)) {
		j->f->nv_paths = calloc(json_object_array_length(arr) + 1,
					sizeof(*j->f->nv_paths));
		if (!j->f->nv_paths) {
			p2pdma_json_nomem(&j->r);
			return;
		}
	}
	parse_array(j, top, "nvidia_paths", parse_nv_path);	/* names a non-array */
}

static int parse_top(struct jload *j, struct json_object *top)
{
	static const char *const keys[] = {
		"format", "version", "description", "cpu", "cmdline", "kernel", "iommu_groups",
		"ram", "host_bridges", "nvidia_paths", NULL,
	};
	struct p2pdma_json_reader *r = &j->r;
	const char *s;

	if (parse_header(j, top) || p2pdma_json_keys(r, top, keys))
		return r->err;
	if (json_object_object_get_ex(top, "description", NULL))
		p2pdma_json_str(r, top, "description", false, true, &s);
	parse_cpu(j, top);
	p2pdma_json_str(r, top, "cmdline", true, true, &s);
	if (!r->err && s && p2pdma_fabric_set_cmdline(j->f, s))
		return p2pdma_json_nomem(r);
	parse_kernel(j, top);
	parse_groups(j, top);
	parse_array(j, top, "ram", parse_ram);
	parse_array(j, top, "host_bridges", parse_host_bridge);
	parse_nv_paths(j, top);
	return r->err;
}

static int fn_ptr_cmp(const void *a, const void *b)
{
	const struct p2pdma_function *x = *(struct p2pdma_function *const *)a;
	const struct p2pdma_function *y = *(struct p2pdma_function *const *)b;

	return p2pdma_bdf_cmp(&x->bdf, &y->bdf);
}

/* Link each VF to its PF through one sorted copy of the functions. */
static int resolve_physfns(struct jload *j)
{
	struct p2pdma_function **sorted, key, *kp = &key, **hit;
	char name[P2PDMA_BDF_STRLEN];
	size_t i, n = j->f->nr_fns;

	if (!j->nr_vfs)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return p2pdma_json_nomem(&j->r);
	memcpy(sorted, j->f->fns, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), fn_ptr_cmp);
	for (i = 0; i < j->nr_vfs && !j->r.err; i++) {
		struct vf_ref *v = &j->vfs[i];

		key.bdf = v->pf;
		hit = bsearch(&kp, sorted, n, sizeof(*sorted), fn_ptr_cmp);
		/* Messages name the VF's object. */
		p2pdma_json_set_path(&j->r, v->path);
		p2pdma_bdf_format(&v->pf, name, sizeof(name));
		if (!hit)
			p2pdma_json_fail(&j->r, "physfn", -EINVAL,
					 "no function %s in this description", name);
		else if (*hit == v->fn)
			p2pdma_json_fail(&j->r, "physfn", -EINVAL,
					 "a function cannot be its own PF");
		else
			v->fn->physfn = *hit;
	}
	free(sorted);
	return j->r.err;
}

int p2pdma_load_json_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			 const char *name, struct p2pdma_error *e)
{
	struct jload j = { .f = f };
	struct json_object *top = NULL;
	size_t i;
	int ret;

	p2pdma_json_init(&j.r, name ? name : "<buffer>", e);
	if (len > JSON_MAX_SIZE)
		ret = p2pdma_fail(e, -EFBIG, "%s: the file is larger than %u MiB", j.r.name,
				  JSON_MAX_SIZE >> 20);
	else if (!p2pdma_json_parse(&j.r, buf, len, JSON_MAX_DEPTH, &top))
		ret = parse_top(&j, top) ?: resolve_physfns(&j);
	else
		ret = j.r.err;
	json_object_put(top);
	for (i = 0; i < j.nr_vfs; i++)
		free(j.vfs[i].path);
	free(j.vfs);
	p2pdma_json_release(&j.r);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

int p2pdma_load_json(struct p2pdma_fabric *f, const char *path,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	(void)opts;
	/* Standard input may be any pipe; a named file must be a file. */
	fd = is_stdin ? STDIN_FILENO : p2pdma_open_input(path, e);
	if (fd < 0)
		return fd;
	ret = p2pdma_read_fd(fd, name, JSON_MAX_SIZE, &buf, &len, e);
	if (!is_stdin)
		close(fd);
	if (ret)
		return ret;
	ret = p2pdma_load_json_buf(f, buf, len, name, e);
	free(buf);
	return ret;
}
