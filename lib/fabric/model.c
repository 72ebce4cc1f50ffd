// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fabric model: building, indexing, checking and editing the tree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "sysfs_attr.h"
#include "util.h"

struct p2pdma_fabric *p2pdma_fabric_new(void)
{
	return calloc(1, sizeof(struct p2pdma_fabric));
}

void p2pdma_fabric_free(struct p2pdma_fabric *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr_fns; i++) {
		free(f->fns[i]->children);
		free(f->fns[i]->driver);
		free(f->fns[i]->nvme_ns);
		free(f->fns[i]);
	}
	for (i = 0; i < f->nr_hbs; i++) {
		free(f->hbs[i]->children);
		free(f->hbs[i]->name);
		free(f->hbs[i]);
	}
	for (i = 0; i < f->nr_groups; i++)
		free(f->groups[i].type);
	free(f->groups);
	free(f->ram);
	free(f->nv_paths);
	free(f->fns);
	free(f->hbs);
	free(f->cmdline);
	free(f->kernel_release);
	free(f);
}

void p2pdma_function_init(struct p2pdma_function *fn)
{
	memset(fn, 0, sizeof(*fn));
	fn->secondary_bus = -1;
	fn->subordinate_bus = -1;
	fn->pcie_type = -1;
	fn->acs_state = P2PDMA_ACS_UNKNOWN;
	fn->iommu_group = -1;
	fn->numa_node = -1;
	fn->dma_mask_bits = -1;
}

/*
 * A host bridge is named as sysfs names it, "pci" DOMAIN ":" BUS, for its
 * own domain and bus.  Names reach DOT, JSON and terminals: nothing else
 * may get in (a quote in one once let a JSON file inject DOT attributes).
 */
static int check_hb_name(const char *name, uint32_t domain, uint8_t bus,
			 struct p2pdma_error *e)
{
	uint32_t d;
	uint8_t b;
	char shown[48];

	if (p2pdma_sysfs_parse_hb_name(name, &d, &b) && d == domain && b == bus)
		return 0;
	return p2pdma_fail(e, -EINVAL, "host bridge name '%s' is not pci%04x:%02x",
			   p2pdma_excerpt(shown, sizeof(shown), name, strlen(name), 32),
			   domain, bus);
}

int p2pdma_fabric_add_host_bridge(struct p2pdma_fabric *f, const char *name,
				  uint32_t domain, uint8_t bus,
				  struct p2pdma_host_bridge **out,
				  struct p2pdma_error *e)
{
	struct p2pdma_host_bridge *hb;
	char defname[32];
	size_t i;
	int ret;

	for (i = 0; i < f->nr_hbs; i++)
		if (f->hbs[i]->domain == domain && f->hbs[i]->bus == bus)
			return p2pdma_fail(e, -EEXIST,
					   "host bridge %04x:%02x is described twice",
					   domain, bus);
	if (!name) {
		snprintf(defname, sizeof(defname), "pci%04x:%02x", domain, bus);
		name = defname;
	}
	ret = check_hb_name(name, domain, bus, e);
	if (ret)
		return ret;
	hb = calloc(1, sizeof(*hb));
	if (!hb || !(hb->name = strdup(name)))
		goto nomem;
	hb->domain = domain;
	hb->bus = bus;
	hb->numa_node = -1;
	if (p2pdma_ptr_push((void ***)&f->hbs, &f->nr_hbs, &f->hbs_cap, hb))
		goto nomem;
	f->finalized = false;
	if (out)
		*out = hb;
	return 0;
nomem:
	if (hb)
		free(hb->name);
	free(hb);
	return p2pdma_fail(e, -ENOMEM, "out of memory");
}

/*
 * Kernel driver names are C identifiers and a few punctuation marks
 * ("mlx5_core", "vfio-pci").  They reach terminals and the shell commands
 * the fix advice prints, so nothing else gets into the model.
 */
static bool driver_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.:+", *s))
			return false;
	return true;
}

int p2pdma_fabric_add_function(struct p2pdma_fabric *f,
			       struct p2pdma_host_bridge *host,
			       struct p2pdma_function *parent,
			       const struct p2pdma_function *tmpl,
			       struct p2pdma_function **out,
			       struct p2pdma_error *e)
{
	struct p2pdma_function *fn;
	char name[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&tmpl->bdf, name, sizeof(name));
	if (!host)
		return p2pdma_fail(e, -EINVAL, "%s: no host bridge", name);
	if (parent && parent->host != host)
		return p2pdma_fail(e, -EINVAL,
				   "%s: parent %02x:%02x.%x is under another host bridge",
				   name, parent->bdf.bus, parent->bdf.dev, parent->bdf.fn);
	if (tmpl->bdf.dev > 31 || tmpl->bdf.fn > 7)
		return p2pdma_fail(e, -EINVAL, "%s: device or function out of range", name);
	if (tmpl->driver && !driver_name_ok(tmpl->driver)) {
		char shown[48], *c;

		/* Shown as ASCII: a bidi override must not reach the terminal either. */
		p2pdma_excerpt(shown, sizeof(shown), tmpl->driver, strlen(tmpl->driver), 32);
		for (c = shown; *c; c++)
			if ((unsigned char)*c >= 0x80)
				*c = '?';
		return p2pdma_fail(e, -EINVAL,
				   "%s: driver '%s' is not a kernel driver name (letters, digits, _ - . : +)",
				   name, shown);
	}
	/* Duplicate addresses are caught by finalize, after sorting. */
	fn = malloc(sizeof(*fn));
	if (!fn)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	*fn = *tmpl;
	fn->host = host;
	fn->parent = parent;
	fn->children = NULL;
	fn->nr_children = 0;
	fn->driver = NULL;
	fn->nvme_ns = NULL;
	if ((tmpl->driver && !(fn->driver = strdup(tmpl->driver))) ||
	    (tmpl->nr_nvme_ns && !(fn->nvme_ns = malloc(tmpl->nr_nvme_ns * sizeof(*fn->nvme_ns))))) {
		free(fn->driver);
		free(fn);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	if (tmpl->nr_nvme_ns)
		memcpy(fn->nvme_ns, tmpl->nvme_ns, tmpl->nr_nvme_ns * sizeof(*fn->nvme_ns));
	if (p2pdma_ptr_push((void ***)&f->fns, &f->nr_fns, &f->fns_cap, fn)) {
		free(fn->driver);
		free(fn->nvme_ns);
		free(fn);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	fn->index = f->nr_fns - 1;
	f->finalized = false;
	if (out)
		*out = fn;
	return 0;
}

/* Where group @id is, or would go, in the sorted array. */
static size_t group_slot(const struct p2pdma_fabric *f, int id)
{
	size_t lo = 0, hi = f->nr_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int p2pdma_fabric_set_iommu_group_type(struct p2pdma_fabric *f, int id,
				       const char *type, struct p2pdma_error *e)
{
	struct p2pdma_iommu_group *g = NULL;
	char *dup = NULL;
	size_t i;

	if (id < 0)
		return p2pdma_fail(e, -EINVAL, "IOMMU group %d: negative id", id);
	if (type && !(dup = strdup(type)))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	/* Kept sorted by insertion: a machine can have thousands of groups. */
	i = group_slot(f, id);
	if (i < f->nr_groups && f->groups[i].id == id)
		g = &f->groups[i];
	if (!g) {
		if (p2pdma_grow((void **)&f->groups, &f->groups_cap, f->nr_groups + 1,
				sizeof(*f->groups))) {
			free(dup);
			return p2pdma_fail(e, -ENOMEM, "out of memory");
		}
		memmove(&f->groups[i + 1], &f->groups[i],
			(f->nr_groups - i) * sizeof(*f->groups));
		f->nr_groups++;
		g = &f->groups[i];
		g->id = id;
		g->type = NULL;
	}
	free(g->type);
	g->type = dup;
	return 0;
}

int p2pdma_fabric_set_cmdline(struct p2pdma_fabric *f, const char *cmdline)
{
	char *dup = NULL;

	if (cmdline && !(dup = strdup(cmdline)))
		return -ENOMEM;
	free(f->cmdline);
	f->cmdline = dup;
	return 0;
}

int p2pdma_fabric_set_kernel_release(struct p2pdma_fabric *f, const char *release)
{
	char *dup = NULL;
	const char *p;

	if (release) {
		if (!*release)
			return -EINVAL;
		for (p = release; *p; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				return -EINVAL;
		dup = strdup(release);
		if (!dup)
			return -ENOMEM;
	}
	free(f->kernel_release);
	f->kernel_release = dup;
	if (f->finalized)
		p2pdma_fabric_touch(f);
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

int p2pdma_fabric_add_ram(struct p2pdma_fabric *f, uint64_t start, uint64_t size,
			  int numa_node, struct p2pdma_error *e)
{
	size_t i;

	if (!size || start + size - 1 < start)
		return p2pdma_fail(e, -EINVAL,
				   "host RAM [%#llx, size %#llx]: empty or past the end of the address space",
				   (unsigned long long)start, (unsigned long long)size);
	/*
	 * Against the range before only, so a loader names the line or path
	 * of the usual case (/proc/iomem is sorted); finalize checks all of
	 * them against each other in O(n log n).
	 */
	for (i = f->nr_ram ? f->nr_ram - 1 : 0; i < f->nr_ram; i++)
		if (ranges_overlap(start, size, f->ram[i].start, f->ram[i].size))
			return p2pdma_fail(e, -EINVAL,
					   "host RAM [0x%llx-0x%llx] overlaps host RAM [0x%llx-0x%llx]",
					   (unsigned long long)start,
					   (unsigned long long)(start + size - 1),
					   (unsigned long long)f->ram[i].start,
					   (unsigned long long)(f->ram[i].start + f->ram[i].size - 1));
	if (p2pdma_grow((void **)&f->ram, &f->ram_cap, f->nr_ram + 1, sizeof(*f->ram)))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	f->ram[f->nr_ram].start = start;
	f->ram[f->nr_ram].size = size;
	f->ram[f->nr_ram].numa_node = numa_node;
	f->nr_ram++;
	return 0;
}

/* ---------------------------------------------------------------------- */

static int fn_ptr_cmp(const void *a, const void *b)
{
	const struct p2pdma_function *fa = *(struct p2pdma_function *const *)a;
	const struct p2pdma_function *fb = *(struct p2pdma_function *const *)b;

	return p2pdma_bdf_cmp(&fa->bdf, &fb->bdf);
}

static int hb_ptr_cmp(const void *a, const void *b)
{
	const struct p2pdma_host_bridge *ha = *(struct p2pdma_host_bridge *const *)a;
	const struct p2pdma_host_bridge *hb = *(struct p2pdma_host_bridge *const *)b;

	if (ha->domain != hb->domain)
		return ha->domain < hb->domain ? -1 : 1;
	return (ha->bus > hb->bus) - (ha->bus < hb->bus);
}

static void reset_links(struct p2pdma_fabric *f)
{
	size_t i;

	for (i = 0; i < f->nr_fns; i++) {
		free(f->fns[i]->children);
		f->fns[i]->children = NULL;
		f->fns[i]->nr_children = 0;
	}
	for (i = 0; i < f->nr_hbs; i++) {
		free(f->hbs[i]->children);
		f->hbs[i]->children = NULL;
		f->hbs[i]->nr_children = 0;
	}
}

/*
 * Children arrays, sized exactly: functions are already sorted, so the
 * children come out in BDF (enumeration) order.
 */
static int link_children(struct p2pdma_fabric *f, struct p2pdma_error *e)
{
	size_t i;

	for (i = 0; i < f->nr_fns; i++) {
		struct p2pdma_function *fn = f->fns[i];

		if (fn->parent)
			fn->parent->nr_children++;
		else
			fn->host->nr_children++;
	}
	for (i = 0; i < f->nr_fns; i++)
		if (f->fns[i]->nr_children &&
		    !(f->fns[i]->children = calloc(f->fns[i]->nr_children, sizeof(void *))))
			return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < f->nr_hbs; i++)
		if (f->hbs[i]->nr_children &&
		    !(f->hbs[i]->children = calloc(f->hbs[i]->nr_children, sizeof(void *))))
			return p2pdma_fail(e, -ENOMEM, "out of memory");
	for (i = 0; i < f->nr_fns; i++)
		f->fns[i]->nr_children = 0;
	for (i = 0; i < f->nr_hbs; i++)
		f->hbs[i]->nr_children = 0;
	for (i = 0; i < f->nr_fns; i++) {
		struct p2pdma_function *fn = f->fns[i];

		if (fn->parent)
			fn->parent->children[fn->parent->nr_children++] = fn;
		else
			fn->host->children[fn->host->nr_children++] = fn;
	}
	return 0;
}

static int check_duplicates(const struct p2pdma_fabric *f, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 1; i < f->nr_fns; i++)
		if (!p2pdma_bdf_cmp(&f->fns[i - 1]->bdf, &f->fns[i]->bdf))
			return p2pdma_fail(e, -EEXIST, "%s is described twice",
					   p2pdma_bdf_format(&f->fns[i]->bdf, name,
							     sizeof(name)));
	return 0;
}

/* One owner of physical addresses: a host RAM range or a memory BAR. */
struct window {
	uint64_t start, last;		/* inclusive */
	const struct p2pdma_function *fn;	/* NULL: host RAM */
	int bar;
};

static int window_cmp(const void *a, const void *b)
{
	const struct window *wa = a, *wb = b;

	return p2pdma_span_cmp(wa->start, wa->last, wb->start, wb->last);
}

static void describe(const struct window *w, char *buf, size_t len)
{
	char name[P2PDMA_BDF_STRLEN];

	if (!w->fn)
		snprintf(buf, len, "host RAM [0x%llx-0x%llx]",
			 (unsigned long long)w->start, (unsigned long long)w->last);
	else
		snprintf(buf, len, "%s BAR %d [0x%llx-0x%llx]",
			 p2pdma_bdf_format(&w->fn->bdf, name, sizeof(name)), w->bar,
			 (unsigned long long)w->start, (unsigned long long)w->last);
}

/* Host RAM and the assigned memory BARs (address 0: unassigned). */
static struct window *collect_windows(const struct p2pdma_fabric *f, size_t *nr)
{
	struct window *w = malloc((f->nr_ram + f->nr_fns * P2PDMA_NUM_BARS + 1) * sizeof(*w));
	size_t i, n = 0;
	int b;

	if (!w)
		return NULL;
	for (i = 0; i < f->nr_ram; i++)
		w[n++] = (struct window){ f->ram[i].start,
					  f->ram[i].start + f->ram[i].size - 1, NULL, -1 };
	for (i = 0; i < f->nr_fns; i++)
		for (b = 0; b < P2PDMA_NUM_BARS; b++) {
			const struct p2pdma_bar *bar = &f->fns[i]->bars[b];

			if (bar->size && bar->start && (bar->flags & P2PDMA_BAR_MEM) &&
			    bar->start + bar->size - 1 >= bar->start)
				w[n++] = (struct window){ bar->start, bar->start + bar->size - 1,
							  f->fns[i], b };
		}
	*nr = n;
	return w;
}

/*
 * Every physical address has one owner: no two of host RAM and the
 * memory BARs overlap.  Sorted once, so a machine with 10^5 RAM ranges
 * or functions is checked in O(n log n), and the loader names the file.
 */
static int check_address_space(const struct p2pdma_fabric *f, struct p2pdma_error *e)
{
	char a[96], b[96];
	size_t n, i, widest = 0;
	struct window *w = collect_windows(f, &n);
	int ret = 0;

	if (!w)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	if (n)
		qsort(w, n, sizeof(*w), window_cmp);
	for (i = 1; i < n && !ret; i++) {
		if (w[i].start > w[widest].last) {
			widest = i;
			continue;
		}
		describe(&w[i], a, sizeof(a));
		describe(&w[widest], b, sizeof(b));
		ret = p2pdma_fail(e, -EINVAL, "%s overlaps %s", a, b);
	}
	free(w);
	return ret;
}

/*
 * A VF of a PF on a root bus may get another bus number: the kernel puts
 * it on a virtual bus with no bridge, and its sysfs directory sits under
 * the host bridge (KERNEL-FACTS 11.5).
 */
static bool vf_of_root_pf(const struct p2pdma_function *fn)
{
	return fn->physfn && !fn->physfn->parent && fn->physfn->host == fn->host;
}

static int check_function(const struct p2pdma_function *fn, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN], pname[P2PDMA_BDF_STRLEN];
	const struct p2pdma_function *p = fn->parent;
	int i;

	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	if (fn->bdf.domain != fn->host->domain)
		return p2pdma_fail(e, -EINVAL, "%s: not in the domain of its host bridge %s",
				   name, fn->host->name);
	if (!p && fn->bdf.bus != fn->host->bus && !vf_of_root_pf(fn))
		return p2pdma_fail(e, -EINVAL,
				   "%s: sits on root bus %02x of %s but has bus number %02x",
				   name, fn->host->bus, fn->host->name, fn->bdf.bus);
	if (p) {
		p2pdma_bdf_format(&p->bdf, pname, sizeof(pname));
		if (!p2pdma_role_is_bridge(p->role))
			return p2pdma_fail(e, -EINVAL, "%s: parent %s is not a bridge",
					   name, pname);
		if (p->secondary_bus >= 0 && p->subordinate_bus >= 0 &&
		    (fn->bdf.bus < p->secondary_bus || fn->bdf.bus > p->subordinate_bus))
			return p2pdma_fail(e, -EINVAL,
					   "%s: bus %02x is outside the range [%02x-%02x] of its parent bridge %s",
					   name, fn->bdf.bus, p->secondary_bus,
					   p->subordinate_bus, pname);
	}
	if (fn->physfn) {
		if (fn->physfn == fn || fn->physfn->physfn)
			return p2pdma_fail(e, -EINVAL, "%s: its PF is itself a VF", name);
		if (fn->physfn->host != fn->host)
			return p2pdma_fail(e, -EINVAL,
					   "%s: its PF is under another host bridge", name);
	}
	if (p2pdma_role_is_bridge(fn->role) && fn->secondary_bus >= 0 &&
	    fn->subordinate_bus >= 0 && fn->subordinate_bus < fn->secondary_bus)
		return p2pdma_fail(e, -EINVAL,
				   "%s: subordinate bus %02x is below secondary bus %02x",
				   name, fn->subordinate_bus, fn->secondary_bus);
	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		const struct p2pdma_bar *b = &fn->bars[i];

		if (b->size && b->start + b->size - 1 < b->start)
			return p2pdma_fail(e, -EINVAL,
					   "%s: BAR %d [%#llx, size %#llx] wraps past the end of the address space",
					   name, i, (unsigned long long)b->start,
					   (unsigned long long)b->size);
		if (b->size && (b->flags & P2PDMA_BAR_IO) && (b->flags & P2PDMA_BAR_MEM))
			return p2pdma_fail(e, -EINVAL, "%s: BAR %d is both I/O and memory",
					   name, i);
	}
	return 0;
}

static bool has_bridge_child(const struct p2pdma_function *fn)
{
	size_t i;

	for (i = 0; i < fn->nr_children; i++)
		if (p2pdma_role_is_bridge(fn->children[i]->role))
			return true;
	return false;
}

/*
 * Work out what a bridge of unknown kind is.  The Express capability says
 * it outright; without one, go by position the way the hierarchy is built:
 * a bridge on a root bus is a root port, the bridge below a root or
 * downstream port that has bridges under it is a switch's upstream port,
 * the bridges below that are its downstream ports.
 */
static enum p2pdma_role infer_role(const struct p2pdma_function *fn)
{
	const struct p2pdma_function *p = fn->parent;

	switch (fn->pcie_type) {
	case 0x4: return P2PDMA_ROLE_ROOT_PORT;
	case 0x5: return P2PDMA_ROLE_SWITCH_UPSTREAM;
	case 0x6: return P2PDMA_ROLE_SWITCH_DOWNSTREAM;
	case 0x7: case 0x8: return P2PDMA_ROLE_PCI_BRIDGE;
	default: break;
	}
	if (!p)
		return P2PDMA_ROLE_ROOT_PORT;
	if (p->role == P2PDMA_ROLE_SWITCH_UPSTREAM)
		return P2PDMA_ROLE_SWITCH_DOWNSTREAM;
	if ((p->role == P2PDMA_ROLE_ROOT_PORT ||
	     p->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM) && has_bridge_child(fn))
		return P2PDMA_ROLE_SWITCH_UPSTREAM;
	return P2PDMA_ROLE_PCI_BRIDGE;
}

static void infer_subtree(struct p2pdma_function *fn, int depth)
{
	size_t i;

	fn->depth = depth;
	if (fn->role == P2PDMA_ROLE_BRIDGE)
		fn->role = infer_role(fn);
	for (i = 0; i < fn->nr_children; i++)
		infer_subtree(fn->children[i], depth + 1);
}

int p2pdma_fabric_finalize(struct p2pdma_fabric *f, struct p2pdma_error *e)
{
	size_t i, j;
	int ret;

	/* An empty machine has NULL arrays, which qsort() must not be given. */
	if (f->nr_hbs)
		qsort(f->hbs, f->nr_hbs, sizeof(*f->hbs), hb_ptr_cmp);
	if (f->nr_fns)
		qsort(f->fns, f->nr_fns, sizeof(*f->fns), fn_ptr_cmp);
	for (i = 0; i < f->nr_hbs; i++)
		f->hbs[i]->index = i;
	for (i = 0; i < f->nr_fns; i++)
		f->fns[i]->index = i;

	ret = check_duplicates(f, e);
	if (ret)
		return ret;
	reset_links(f);
	ret = link_children(f, e);
	if (ret)
		return ret;
	f->nr_acs_unknown = 0;
	for (i = 0; i < f->nr_fns; i++) {
		ret = check_function(f->fns[i], e);
		if (ret)
			return ret;
		if (f->fns[i]->acs_state == P2PDMA_ACS_UNKNOWN)
			f->nr_acs_unknown++;
	}
	ret = check_address_space(f, e);
	if (ret)
		return ret;
	for (i = 0; i < f->nr_hbs; i++)
		for (j = 0; j < f->hbs[i]->nr_children; j++)
			infer_subtree(f->hbs[i]->children[j], 0);
	f->finalized = true;
	return 0;
}

/* ---------------------------------------------------------------------- */

struct p2pdma_function *p2pdma_fabric_find(const struct p2pdma_fabric *f,
					   const struct p2pdma_bdf *bdf)
{
	size_t lo = 0, hi = f->nr_fns;

	if (!f->finalized) {
		for (lo = 0; lo < f->nr_fns; lo++)
			if (!p2pdma_bdf_cmp(&f->fns[lo]->bdf, bdf))
				return f->fns[lo];
		return NULL;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = p2pdma_bdf_cmp(&f->fns[mid]->bdf, bdf);

		if (!c)
			return f->fns[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int p2pdma_fabric_lookup(const struct p2pdma_fabric *f, const char *name,
			 struct p2pdma_function **out, struct p2pdma_error *e)
{
	struct p2pdma_bdf bdf;
	char canon[P2PDMA_BDF_STRLEN];

	if (p2pdma_bdf_parse(name, &bdf))
		return p2pdma_fail(e, -EINVAL,
				   "'%s' is not a PCI address (expected DDDD:BB:DD.F or BB:DD.F)",
				   name ? name : "");
	*out = p2pdma_fabric_find(f, &bdf);
	if (!*out)
		return p2pdma_fail(e, -ENOENT, "no PCI function %s in this machine",
				   p2pdma_bdf_format(&bdf, canon, sizeof(canon)));
	return 0;
}

struct p2pdma_host_bridge *p2pdma_fabric_find_host_bridge(const struct p2pdma_fabric *f,
							  uint32_t domain,
							  uint8_t bus)
{
	size_t i;

	for (i = 0; i < f->nr_hbs; i++)
		if (f->hbs[i]->domain == domain && f->hbs[i]->bus == bus)
			return f->hbs[i];
	return NULL;
}

const struct p2pdma_iommu_group *p2pdma_fabric_iommu_group(const struct p2pdma_fabric *f,
							   int id)
{
	size_t lo = 0, hi = f->nr_groups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->groups[mid].id == id)
			return &f->groups[mid];
		if (f->groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct p2pdma_function *p2pdma_upstream_bridge(const struct p2pdma_function *fn)
{
	if (fn->physfn)
		fn = fn->physfn;
	return fn->parent;
}

bool p2pdma_function_is_bridge(const struct p2pdma_function *fn)
{
	return p2pdma_role_is_bridge(fn->role);
}

uint64_t p2pdma_function_bus_addr(const struct p2pdma_function *fn, uint64_t phys)
{
	/* Unsigned wrap-around gives the right answer for negative offsets too. */
	return phys + fn->host->bus_offset;
}

/* ---------------------------------------------------------------------- */

int p2pdma_fabric_set_acs_ctrl(struct p2pdma_fabric *f, struct p2pdma_function *fn,
			       uint16_t ctrl, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	if (fn->acs_state == P2PDMA_ACS_ABSENT)
		return p2pdma_fail(e, -EINVAL, "%s has no ACS capability", name);
	if (fn->acs_state == P2PDMA_ACS_UNKNOWN)
		return p2pdma_fail(e, -EINVAL,
				   "the ACS state of %s is unknown (config space was not readable)",
				   name);
	if (fn->acs_ctrl != ctrl) {
		fn->acs_ctrl = ctrl;
		p2pdma_fabric_touch(f);
	}
	return 0;
}

void p2pdma_fabric_set_cpu(struct p2pdma_fabric *f, const struct p2pdma_cpu *cpu)
{
	f->cpu = *cpu;
	p2pdma_fabric_touch(f);
}

void p2pdma_fabric_touch(struct p2pdma_fabric *f)
{
	f->generation++;
}
