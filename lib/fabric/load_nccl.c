// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader for NCCL / RCCL topology XML: the NCCL_TOPO_DUMP_FILE that NCCL
 * writes and the NCCL_TOPO_FILE descriptions clouds ship (version 1), and
 * RCCL's version 2.
 *
 *   <system version="1">
 *     <cpu numaid="0" vendor="AuthenticAMD" familyid="143" modelid="49">
 *       <pci busid="0000:01:00.0" class="0x060400" vendor="0x1000" ...>
 *         <pci busid="0000:03:00.0" class="0x030200" ...> <gpu .../> </pci>
 *
 * What the model gets, and what it cannot:
 *  - Nested <pci> are bridges.  NCCL walks sysfs two levels at a time, so
 *    a bridge it lists is a switch's upstream port: root ports and
 *    downstream ports are left out, and so are all bus ranges.  NCCL's
 *    bridges become switch upstream ports; a top-level <pci> sits on a
 *    root bus of its own number (its real root port is not known).
 *  - link_speed/link_width are what NCCL computes as the link's maximum
 *    (the lower of both ends' max_link_speed), so they fill link.max_*;
 *    the current speed stays unknown.
 *  - No ACS: every function's ACS state is unknown.
 *  - <cpu> gives the NUMA node of what is below it, and the boot CPU's
 *    vendor, family and model for the host-bridge rule.  NCCL writes
 *    familyid as family + (extended family << 4) (AMD Zen: 143), while
 *    hand-written files use the plain family (23): a value whose low
 *    nibble is 0xf is decoded as 0xf + (id >> 4), anything else as is.
 *  - Cloud VM files group devices under invented bridges "ffff:ff:0N.0"
 *    whose children sit in other PCI domains.  A PCI device cannot be in
 *    another domain than the bridge above it: what Linux in that VM sees
 *    is each device on the root bus of its own domain, so that is where
 *    such a device goes, and an invented bridge left empty is dropped
 *    (the loader says so once).
 *  - <gpu> and <nic> mark a function as a GPU or NIC when the class is
 *    missing.  Elements this loader does not know are skipped; known ones
 *    in the wrong place (a <pci> inside a <gpu>) are refused with their
 *    line.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "loaders.h"
#include "nccl.h"
#include "readfile.h"
#include "util.h"

#define NCCL_MAX_BYTES (64u << 20)
#define INVENTED_DOMAIN 0xffff
#define INVENTED_BUS 0xff

struct nccl_node {
	struct p2pdma_function fn;
	unsigned int line;
	long parent;		/* enclosing <pci>, -1 none */
	long model_parent;	/* where it goes in the model, -1 root bus */
	bool class_given;
	bool nested;		/* has <pci> children in the file */
	size_t nr_kids;		/* in the model */
	bool dropped;
	struct p2pdma_function *made;
};

struct nccl_cpu {
	bool seen;
	int numaid;
	unsigned int line;
	struct p2pdma_cpu cpu;
};

struct nccl_doc {
	const char *name;
	p2pdma_log_fn log;
	void *log_arg;
	struct nccl_node *nodes;
	size_t nr, cap;
	struct nccl_cpu boot;		/* the <cpu> with the lowest numaid */
	size_t nr_cpus;
};

static unsigned int line_of(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l > 0 && l < (long)UINT_MAX ? (unsigned int)l : 0;
}

static bool is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static int nesting_error(struct nccl_doc *d, const xmlNode *n, const char *where,
			 struct p2pdma_error *e)
{
	return p2pdma_fail(e, -EINVAL, "%s:%u: <%s> cannot sit inside <%s>", d->name,
			   line_of(n), (const char *)n->name, where);
}


/* The elements that make the tree; any other element is read only for its attributes. */
static bool is_tree(const xmlNode *n)
{
	return is(n, "pci") || is(n, "cpu") || is(n, "gpu") || is(n, "nic") || is(n, "system");
}

/*
 * Nothing below @n (an element the walk does not descend into) may be a
 * tree element: a <pci> inside <foo> or <net> would be dropped silently.
 */
static int no_tree_inside(struct nccl_doc *d, const xmlNode *n, struct p2pdma_error *e)
{
	const xmlNode *c;
	int ret = 0;

	for (c = n->children; c && !ret; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_tree(c))
			return nesting_error(d, c, (const char *)n->name, e);
		ret = no_tree_inside(d, c, e);
	}
	return ret;
}

/* An attribute as a NUL-terminated string (xmlFree it), or NULL. */
static char *attr(const xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static int attr_error(struct nccl_doc *d, const xmlNode *n, const char *name,
		      const char *val, const char *what, struct p2pdma_error *e)
{
	char ex[64];

	return p2pdma_fail(e, -EINVAL, "%s:%u: <%s %s=\"%s\">: %s", d->name, line_of(n),
			   (const char *)n->name, name,
			   p2pdma_excerpt(ex, sizeof(ex), val, strlen(val), 40), what);
}

/* "0x10de" (or "10de"): hex up to @max.  Missing: *given = false. */
static int hex_attr(struct nccl_doc *d, const xmlNode *n, const char *name,
		    unsigned long max, unsigned long *out, bool *given,
		    struct p2pdma_error *e)
{
	char *v = attr(n, name);
	const char *p;
	uint64_t x;
	int ret = 0;

	*given = v != NULL;
	if (!v)
		return 0;
	p = v;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	/*
	 * NCCL copies class from sysfs, "0x060400"; without the prefix a
	 * "197120" could be decimal (0x030200), so only the prefixed form is read.
	 */
	if (p == v && !strcmp(name, "class"))
		ret = attr_error(d, n, name, v, "a class code is written 0xCCSSPP, as sysfs has it", e);
	else if (p2pdma_parse_u64(p, 16, &x) || x > max)
		ret = attr_error(d, n, name, v, "not a hex number in range", e);
	else
		*out = (unsigned long)x;
	xmlFree(v);
	return ret;
}

static int int_attr(struct nccl_doc *d, const xmlNode *n, const char *name, int min,
		    int max, int *out, bool *given, struct p2pdma_error *e)
{
	char *v = attr(n, name);
	int x, ret = 0;

	*given = v != NULL;
	if (!v)
		return 0;
	if (p2pdma_parse_int(v, 10, &x) || x < min || x > max)
		ret = attr_error(d, n, name, v, "not a number in range", e);
	else
		*out = x;
	xmlFree(v);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* <cpu>                                                                   */

/* NCCL: family + (extended family << 4); hand-written files: plain family. */
unsigned int p2pdma_nccl_decode_family(unsigned int id)
{
	return (id & 0xf) == 0xf ? 0xf + (id >> 4) : id;
}

static int read_cpu(struct nccl_doc *d, const xmlNode *n, int *numaid,
		    struct p2pdma_error *e)
{
	struct nccl_cpu c = { .seen = true, .numaid = -1, .line = line_of(n) };
	int family = 0, model = 0, ret;
	bool has_fam, has_model, has_numa;
	char *vendor;

	ret = int_attr(d, n, "numaid", -1, INT_MAX, &c.numaid, &has_numa, e);
	if (!ret)
		ret = int_attr(d, n, "familyid", 0, 0xffff, &family, &has_fam, e);
	if (!ret)
		ret = int_attr(d, n, "modelid", 0, 0xffff, &model, &has_model, e);
	if (ret)
		return ret;
	*numaid = c.numaid;
	vendor = attr(n, "vendor");
	if (vendor && has_fam) {
		c.cpu.known = true;
		snprintf(c.cpu.vendor, sizeof(c.cpu.vendor), "%s", vendor);
		c.cpu.family = p2pdma_nccl_decode_family((unsigned int)family);
		c.cpu.model = has_model ? (unsigned int)model : 0;
	}
	xmlFree(vendor);
	d->nr_cpus++;
	if (d->boot.seen && d->boot.cpu.known && c.cpu.known &&
	    (strcmp(d->boot.cpu.vendor, c.cpu.vendor) || d->boot.cpu.family != c.cpu.family ||
	     d->boot.cpu.model != c.cpu.model))
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_WARN,
			   "%s:%u: this <cpu> (%s family %#x model %u) differs from the one at line %u; using the lowest NUMA node's",
			   d->name, c.line, c.cpu.vendor, c.cpu.family, c.cpu.model,
			   d->boot.line);
	if (!d->boot.seen || (c.numaid >= 0 && (d->boot.numaid < 0 || c.numaid < d->boot.numaid)))
		d->boot = c;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* <pci>                                                                   */

static int read_ids(struct nccl_doc *d, const xmlNode *n, struct nccl_node *nd,
		    struct p2pdma_error *e)
{
	static const struct {
		const char *name;
		size_t off;
	} ids[] = {
		{ "vendor", offsetof(struct p2pdma_function, vendor) },
		{ "device", offsetof(struct p2pdma_function, device) },
		{ "subsystem_vendor", offsetof(struct p2pdma_function, subsys_vendor) },
		{ "subsystem_device", offsetof(struct p2pdma_function, subsys_device) },
	};
	unsigned long v = 0;
	bool given;
	size_t i;
	int ret;

	ret = hex_attr(d, n, "class", 0xffffff, &v, &nd->class_given, e);
	if (ret)
		return ret;
	if (nd->class_given)
		nd->fn.class_code = (uint32_t)v;
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		ret = hex_attr(d, n, ids[i].name, 0xffff, &v, &given, e);
		if (ret)
			return ret;
		*(uint16_t *)((char *)&nd->fn + ids[i].off) = given ? (uint16_t)v : 0xffff;
	}
	return 0;
}

static int read_link(struct nccl_doc *d, const xmlNode *n, struct nccl_node *nd,
		     struct p2pdma_error *e)
{
	char *speed = attr(n, "link_speed");
	int width = 0, ret = 0;
	bool given;

	if (speed && p2pdma_link_speed_parse(speed, &nd->fn.link.max_speed))
		ret = attr_error(d, n, "link_speed", speed, "not a link speed such as \"16.0 GT/s PCIe\"", e);
	xmlFree(speed);
	if (!ret)
		ret = int_attr(d, n, "link_width", 0, 32, &width, &given, e);
	nd->fn.link.max_width = (uint32_t)width;
	return ret;
}

static int new_node(struct nccl_doc *d, const xmlNode *n, long parent, int numa,
		    long *idx, struct p2pdma_error *e)
{
	struct nccl_node *nd;
	char *busid;
	int ret;

	if (p2pdma_grow((void **)&d->nodes, &d->cap, d->nr + 1, sizeof(*d->nodes)))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	nd = &d->nodes[d->nr];
	memset(nd, 0, sizeof(*nd));
	p2pdma_function_init(&nd->fn);
	nd->line = line_of(n);
	nd->parent = parent;
	nd->fn.numa_node = numa;
	busid = attr(n, "busid");
	if (!busid)
		return p2pdma_fail(e, -EINVAL, "%s:%u: <pci> without a busid", d->name, nd->line);
	ret = p2pdma_bdf_parse(busid, &nd->fn.bdf) ?
	      attr_error(d, n, "busid", busid, "not a PCI address DDDD:BB:DD.F", e) : 0;
	xmlFree(busid);
	if (!ret)
		ret = read_ids(d, n, nd, e);
	if (!ret)
		ret = read_link(d, n, nd, e);
	if (ret)
		return ret;
	*idx = (long)d->nr++;
	return 0;
}

static int walk_pci(struct nccl_doc *d, const xmlNode *n, long parent, int numa,
		    struct p2pdma_error *e);

/* <gpu>: its own elements (nvlink, xgmi, c2c) are fine; tree elements are not. */
static int walk_gpu(struct nccl_doc *d, const xmlNode *n, struct p2pdma_error *e)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (is_tree(c) || is(c, "net"))
			return nesting_error(d, c, "gpu", e);
	return no_tree_inside(d, n, e);
}

static int walk_nic(struct nccl_doc *d, const xmlNode *n, struct p2pdma_error *e)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (is_tree(c))
			return nesting_error(d, c, "nic", e);
	return no_tree_inside(d, n, e);
}

static int pci_child(struct nccl_doc *d, const xmlNode *c, long self, int numa,
		     struct p2pdma_error *e)
{
	struct nccl_node *nd = &d->nodes[self];

	if (is(c, "pci")) {
		nd->nested = true;
		return walk_pci(d, c, self, numa, e);
	}
	if (is(c, "gpu")) {
		if (!nd->class_given)
			nd->fn.class_code = 0x030200;	/* 3D controller */
		return walk_gpu(d, c, e);
	}
	if (is(c, "nic")) {
		if (!nd->class_given)
			nd->fn.class_code = 0x020000;	/* Ethernet controller */
		return walk_nic(d, c, e);
	}
	if (is(c, "cpu") || is(c, "net") || is(c, "system"))
		return nesting_error(d, c, "pci", e);
	return c->type == XML_ELEMENT_NODE ? no_tree_inside(d, c, e) : 0;
}

static int walk_pci(struct nccl_doc *d, const xmlNode *n, long parent, int numa,
		    struct p2pdma_error *e)
{
	const xmlNode *c;
	long self = -1;
	int ret;

	ret = new_node(d, n, parent, numa, &self, e);
	for (c = n->children; c && !ret; c = c->next)
		ret = pci_child(d, c, self, numa, e);
	return ret;
}

static int walk_cpu(struct nccl_doc *d, const xmlNode *n, struct p2pdma_error *e)
{
	const xmlNode *c;
	int numa = -1, ret;

	ret = read_cpu(d, n, &numa, e);
	for (c = n->children; c && !ret; c = c->next) {
		if (is(c, "pci"))
			ret = walk_pci(d, c, -1, numa, e);
		else if (is(c, "nic"))
			ret = walk_nic(d, c, e);	/* a NIC not on PCI */
		else if (is(c, "cpu") || is(c, "gpu") || is(c, "net") || is(c, "system"))
			ret = nesting_error(d, c, "cpu", e);
		else if (c->type == XML_ELEMENT_NODE)
			ret = no_tree_inside(d, c, e);
	}
	return ret;
}

static int walk_system(struct nccl_doc *d, const xmlNode *root, struct p2pdma_error *e)
{
	const xmlNode *c;
	int version = 1, ret;
	bool given;

	if (!is(root, "system"))
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: the root element is <%s>; an NCCL topology starts with <system version=\"1\">",
				   d->name, line_of(root), (const char *)root->name);
	ret = int_attr(d, root, "version", 0, INT_MAX, &version, &given, e);
	if (ret)
		return ret;
	if (given && version != 1 && version != 2)
		p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_WARN,
			   "%s:%u: topology version %d is neither NCCL's 1 nor RCCL's 2; reading it the same way",
			   d->name, line_of(root), version);
	for (c = root->children; c && !ret; c = c->next) {
		if (is(c, "cpu"))
			ret = walk_cpu(d, c, e);
		else if (is(c, "pci") || is(c, "gpu") || is(c, "nic") || is(c, "net") ||
			 is(c, "system"))
			ret = nesting_error(d, c, "system", e);
		else if (c->type == XML_ELEMENT_NODE)
			ret = no_tree_inside(d, c, e);
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* From the file's nesting to the model's tree                             */

static bool invented(const struct nccl_node *nd)
{
	return nd->fn.bdf.domain == INVENTED_DOMAIN && nd->fn.bdf.bus == INVENTED_BUS;
}

static bool bridge_class(uint32_t class_code)
{
	return (class_code >> 8) == 0x0604 || (class_code >> 8) == 0x0609;
}

/*
 * A child in another domain than its bridge goes to the root bus of its
 * own domain; invented bridges left empty are dropped (children come
 * after their parents, so walking backwards drops nested ones too).
 */
static void rehome(struct nccl_doc *d)
{
	char child[P2PDMA_BDF_STRLEN], bridge[P2PDMA_BDF_STRLEN];
	size_t i, moved = 0, moved_real = 0, dropped = 0;
	const struct nccl_node *first = NULL;

	for (i = 0; i < d->nr; i++) {
		struct nccl_node *nd = &d->nodes[i];

		nd->model_parent = nd->parent;
		if (nd->parent >= 0 && d->nodes[nd->parent].fn.bdf.domain != nd->fn.bdf.domain) {
			nd->model_parent = -1;
			if (invented(&d->nodes[nd->parent]))
				moved++;
			else
				moved_real++;
			if (!first)
				first = nd;
		}
		if (nd->model_parent >= 0)
			d->nodes[nd->model_parent].nr_kids++;
	}
	for (i = d->nr; i-- > 0;) {
		struct nccl_node *nd = &d->nodes[i];

		if (!invented(nd) || nd->nr_kids)
			continue;
		nd->dropped = true;
		dropped++;
		if (nd->model_parent >= 0)
			d->nodes[nd->model_parent].nr_kids--;
	}
	if (!first)
		return;
	p2pdma_bdf_format(&first->fn.bdf, child, sizeof(child));
	p2pdma_bdf_format(&d->nodes[first->parent].fn.bdf, bridge, sizeof(bridge));
	p2pdma_log(d->log, d->log_arg, moved_real ? P2PDMA_LOG_WARN : P2PDMA_LOG_INFO,
		   "%s:%u: %zu device(s) sit in another PCI domain than the bridge grouping them (first: %s under %s); a PCI device is always in its bridge's domain, so each was put on the root bus of its own domain, as Linux in the VM sees it, and %zu empty invented bridge(s) left out",
		   d->name, first->line, moved + moved_real, child, bridge, dropped);
}

static int node_cmp(const void *a, const void *b)
{
	const struct nccl_node *x = *(struct nccl_node *const *)a;
	const struct nccl_node *y = *(struct nccl_node *const *)b;
	int c = p2pdma_bdf_cmp(&x->fn.bdf, &y->fn.bdf);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int check_duplicates(struct nccl_doc *d, struct p2pdma_error *e)
{
	struct nccl_node **v = calloc(d->nr ? d->nr : 1, sizeof(*v));
	char name[P2PDMA_BDF_STRLEN];
	size_t i, n = 0;
	int ret = 0;

	if (!v)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < d->nr; i++)
		if (!d->nodes[i].dropped)
			v[n++] = &d->nodes[i];
	qsort(v, n, sizeof(*v), node_cmp);
	for (i = 1; i < n && !ret; i++)
		if (!p2pdma_bdf_cmp(&v[i - 1]->fn.bdf, &v[i]->fn.bdf))
			ret = p2pdma_fail(e, -EEXIST,
					  "%s:%u: busid %s appears twice (first at line %u)",
					  d->name, v[i]->line,
					  p2pdma_bdf_format(&v[i]->fn.bdf, name, sizeof(name)),
					  v[i - 1]->line);
	free(v);
	return ret;
}

/* Bridges: nested <pci> in the file, or a bridge class. */
static int set_role(struct nccl_doc *d, struct nccl_node *nd, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];

	if (nd->nr_kids && nd->class_given && !bridge_class(nd->fn.class_code))
		return p2pdma_fail(e, -EINVAL,
				   "%s:%u: %s has class 0x%06x, not a bridge, but <pci> devices are nested in it",
				   d->name, nd->line,
				   p2pdma_bdf_format(&nd->fn.bdf, name, sizeof(name)),
				   nd->fn.class_code);
	if (nd->nr_kids || (nd->class_given && bridge_class(nd->fn.class_code)))
		nd->fn.role = P2PDMA_ROLE_SWITCH_UPSTREAM;
	return 0;
}

static int add_node(struct p2pdma_fabric *f, struct nccl_doc *d, struct nccl_node *nd,
		    struct p2pdma_error *e)
{
	struct p2pdma_function *parent = NULL;
	struct p2pdma_host_bridge *hb;
	int ret;

	if (nd->model_parent >= 0) {
		parent = d->nodes[nd->model_parent].made;
		hb = parent->host;
	} else {
		hb = p2pdma_fabric_find_host_bridge(f, nd->fn.bdf.domain, nd->fn.bdf.bus);
		if (!hb) {
			ret = p2pdma_fabric_add_host_bridge(f, NULL, nd->fn.bdf.domain,
							    nd->fn.bdf.bus, &hb, e);
			if (ret)
				return ret;
			hb->numa_node = nd->fn.numa_node;
		}
	}
	ret = p2pdma_fabric_add_function(f, hb, parent, &nd->fn, &nd->made, e);
	if (ret)
		p2pdma_error_prefix(e, d->name);
	return ret;
}

static int build(struct p2pdma_fabric *f, struct nccl_doc *d, struct p2pdma_error *e)
{
	size_t i, n = 0;
	int ret;

	rehome(d);
	ret = check_duplicates(d, e);
	for (i = 0; i < d->nr && !ret; i++) {
		if (d->nodes[i].dropped)
			continue;
		ret = set_role(d, &d->nodes[i], e);
		if (!ret)
			ret = add_node(f, d, &d->nodes[i], e);
		n++;
	}
	if (ret)
		return ret;
	if (!n)
		return p2pdma_fail(e, -EINVAL, "%s: no <pci> devices in this topology", d->name);
	f->cpu = d->boot.cpu;
	p2pdma_log(d->log, d->log_arg, P2PDMA_LOG_INFO,
		   "%s: NCCL topology: %zu PCI functions under %zu <cpu>; NCCL XML has no ACS state and no bus ranges, and leaves out root ports and switch downstream ports",
		   d->name, n, d->nr_cpus);
	return 0;
}

/* ---------------------------------------------------------------------- */

/* The first XML error says where the file goes wrong; later ones follow from it. */
static __thread struct {
	bool seen;
	int line;
	char msg[200];
} first_error;

static void keep_first_error(void *data, xmlErrorPtr xe)
{
	size_t n;

	(void)data;
	if (first_error.seen || !xe || xe->level < XML_ERR_ERROR)
		return;
	first_error.seen = true;
	first_error.line = xe->line;
	snprintf(first_error.msg, sizeof(first_error.msg), "%s",
		 xe->message ? xe->message : "not well-formed XML");
	/* libxml2 messages may run over several lines: keep one. */
	for (n = 0; first_error.msg[n]; n++)
		if ((unsigned char)first_error.msg[n] < 0x20)
			first_error.msg[n] = ' ';
	while (n && first_error.msg[n - 1] == ' ')
		first_error.msg[--n] = '\0';
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int parse_error(struct nccl_doc *d, xmlParserCtxtPtr ctxt, struct p2pdma_error *e)
{
	const xmlError *xe = xmlCtxtGetLastError(ctxt);

	if (!first_error.seen && xe)
		keep_first_error(NULL, (xmlErrorPtr)xe);
	if (!first_error.seen)
		return p2pdma_fail(e, -EINVAL, "%s: XML: not well-formed", d->name);
	return p2pdma_fail(e, -EINVAL, "%s:%d: XML: %s", d->name, first_error.line,
			   first_error.msg);
}

int p2pdma_nccl_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			 const char *name, const struct p2pdma_load_opts *opts,
			 struct p2pdma_error *e)
{
	struct nccl_doc d = {
		.name = name,
		.log = opts ? opts->log : NULL,
		.log_arg = opts ? opts->log_arg : NULL,
	};
	xmlGenericErrorFunc saved_err;
	xmlParserCtxtPtr ctxt;
	void *saved_ctx;
	xmlDocPtr doc;
	int ret;

	if (len > INT_MAX)
		return p2pdma_fail(e, -EFBIG, "%s: too large for a topology file", name);
	xmlInitParser();
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	first_error.seen = false;
	ctxt->sax->serror = keep_first_error;
	/* No network, no DTD loading, no entity expansion, no messages on stderr. */
	/* Encoding errors go to libxml2's generic handler (stderr) whatever the options. */
	saved_err = xmlGenericError;
	saved_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				XML_PARSE_BIG_LINES);
	xmlSetGenericErrorFunc(saved_ctx, saved_err);
	if (!doc) {
		ret = parse_error(&d, ctxt, e);
	} else if (doc->intSubset || doc->extSubset) {
		/*
		 * NCCL never writes a DTD, and entities declared in one make
		 * every attribute read expand them (quadratic in libxml2).
		 */
		ret = p2pdma_fail(e, -EINVAL,
				  "%s: XML: a <!DOCTYPE> declaration; NCCL topology files have none",
				  name);
		xmlFreeDoc(doc);
	} else if (!xmlDocGetRootElement(doc)) {
		ret = p2pdma_fail(e, -EINVAL, "%s: no root element", name);
		xmlFreeDoc(doc);
	} else {
		ret = walk_system(&d, xmlDocGetRootElement(doc), e);
		if (!ret)
			ret = build(f, &d, e);
		xmlFreeDoc(doc);
	}
	xmlFreeParserCtxt(ctxt);
	free(d.nodes);
	return ret;
}

int p2pdma_load_nccl(struct p2pdma_fabric *f, const char *path,
		     const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	size_t len;
	char *buf;
	int ret;

	ret = p2pdma_read_file(path, NCCL_MAX_BYTES, &buf, &len, e);
	if (ret)
		return ret;
	ret = p2pdma_nccl_load_buf(f, buf, len, path, opts, e);
	free(buf);
	return ret;
}
