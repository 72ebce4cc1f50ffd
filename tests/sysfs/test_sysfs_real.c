// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real captured machines in tests/data/real/sysfs/, checked against
 * answers that do not come from our code: hwloc's expected outputs for
 * the same tarballs (lstopo text in .console, hwloc XML in .xml, parsed
 * here with libxml2) and the facts in tests/data/real/README.md.
 *
 * hwloc hides devices it finds unimportant, so the check is one way:
 * every device hwloc lists is in our model with the same ids, and its
 * nearest ancestor that hwloc lists is the one hwloc nests it under (the
 * host bridge when there is none); bridges' bus ranges match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "sysfs_builder.h"
#include "testutil.h"

#define MAX_LISTED 256

/* One PCI object as hwloc lists it. */
struct listed {
	struct p2pdma_bdf bdf;
	unsigned int vendor, device;
	bool bridge;
	int sec, sub;			/* bridges: bus range */
	int parent;			/* index of the nearest listed bridge, -1: host bridge */
	uint32_t hb_domain;		/* the host bridge it hangs under */
	int hb_bus;
	/* XML only (-1 when the source does not say) */
	int class_code, subsys_vendor, subsys_device, revision;
};

struct hwloc {
	struct listed v[MAX_LISTED];
	int n;
	int nr_host_bridges;
};

static struct listed *new_listed(struct hwloc *h)
{
	struct listed *l;

	assert_true(h->n < MAX_LISTED);
	l = &h->v[h->n++];
	memset(l, 0, sizeof(*l));
	l->sec = l->sub = -1;
	l->class_code = l->subsys_vendor = l->subsys_device = l->revision = -1;
	return l;
}

/* "DDDD:[SS-EE]" */
static void parse_range(const char *s, uint32_t *dom, int *lo, int *hi)
{
	unsigned int d, a, b;

	if (sscanf(s, "%x:[%x-%x]", &d, &a, &b) != 3)
		fail_msg("bad bus range '%s'", s);
	*dom = d;
	*lo = (int)a;
	*hi = (int)b;
}

/* ---------------------------------------------------------------------- */
/* lstopo text                                                             */

static const char *field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? p + strlen(key) : NULL;
}

/*
 * "HostBridge L#0 (buses=0000:[17-1e])", "PCIBridge L#1 (busid=0000:17:00.0
 * id=8086:2030 ... buses=0000:[18-1e])", "PCI L#0 (busid=... id=...)".
 * Nesting is by indentation.
 */
static void parse_console(const char *path, struct hwloc *h)
{
	char *text = tu_read_file(path, NULL), *line, *save = NULL;
	struct { int indent, idx; bool host; uint32_t dom; int bus; } stack[32];
	int depth = 0;

	assert_non_null(text);
	memset(h, 0, sizeof(*h));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int indent = (int)strspn(line, " ");
		const char *obj = line + indent, *busid, *id, *buses;
		bool host = !strncmp(obj, "HostBridge ", 11);
		bool bridge = !strncmp(obj, "PCIBridge ", 10);
		struct listed *l;
		char bdf[32];

		if (!host && !bridge && strncmp(obj, "PCI ", 4))
			continue;
		while (depth && stack[depth - 1].indent >= indent)
			depth--;
		assert_true(depth < 32);
		if (host) {
			uint32_t dom;
			int lo, hi;

			parse_range(field(obj, "buses="), &dom, &lo, &hi);
			stack[depth].indent = indent;
			stack[depth].host = true;
			stack[depth].idx = -1;
			stack[depth].dom = dom;
			stack[depth++].bus = lo;
			h->nr_host_bridges++;
			continue;
		}
		busid = field(obj, "busid=");
		id = field(obj, " id=");
		assert_non_null(busid);
		assert_non_null(id);
		assert_int_not_equal(depth, 0);
		l = new_listed(h);
		assert_int_equal(sscanf(busid, "%31[0-9a-f:.]", bdf), 1);
		assert_int_equal(p2pdma_bdf_parse(bdf, &l->bdf), 0);
		assert_int_equal(sscanf(id, "%x:%x", &l->vendor, &l->device), 2);
		l->bridge = bridge;
		l->parent = stack[depth - 1].host ? -1 : stack[depth - 1].idx;
		/* The host bridge is at the bottom of the stack. */
		l->hb_domain = stack[0].dom;
		l->hb_bus = stack[0].bus;
		if (bridge) {
			uint32_t dom;

			buses = field(obj, "buses=");
			assert_non_null(buses);
			parse_range(buses, &dom, &l->sec, &l->sub);
		}
		stack[depth].indent = indent;
		stack[depth].host = false;
		stack[depth].idx = h->n - 1;
		stack[depth].dom = stack[0].dom;
		stack[depth++].bus = stack[0].bus;
	}
	free(text);
}

/* ---------------------------------------------------------------------- */
/* hwloc XML                                                               */

static char *prop(xmlNode *n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

/* pci_type="0604 [8086:3c02] [0000:0000] 07 00": class, ids, subsystem, revision, prog-if */
static void parse_pci_type(const char *t, struct listed *l)
{
	unsigned int cls, v, d, sv, sd, rev, progif;

	if (sscanf(t, "%x [%x:%x] [%x:%x] %x %x", &cls, &v, &d, &sv, &sd, &rev, &progif) != 7)
		fail_msg("bad pci_type '%s'", t);
	l->vendor = v;
	l->device = d;
	l->class_code = (int)(cls << 8 | progif);
	l->subsys_vendor = (int)sv;
	l->subsys_device = (int)sd;
	l->revision = (int)rev;
}

static void walk_xml(xmlNode *n, struct hwloc *h, int parent, uint32_t hb_dom, int hb_bus)
{
	for (; n; n = n->next) {
		char *type, *btype, *busid, *ptype, *range;
		int me = parent;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *)"object")) {
			walk_xml(n->children, h, parent, hb_dom, hb_bus);	/* <topology> */
			continue;
		}
		type = prop(n, "type");
		btype = prop(n, "bridge_type");
		busid = prop(n, "pci_busid");
		ptype = prop(n, "pci_type");
		range = prop(n, "bridge_pci");
		if (type && !strcmp(type, "Bridge") && btype && !strcmp(btype, "0-1")) {
			int lo, hi;

			parse_range(range, &hb_dom, &lo, &hi);
			hb_bus = lo;
			parent = me = -1;
			h->nr_host_bridges++;
		} else if (type && (!strcmp(type, "PCIDev") || !strcmp(type, "Bridge"))) {
			struct listed *l = new_listed(h);

			assert_non_null(busid);
			assert_non_null(ptype);
			assert_int_equal(p2pdma_bdf_parse(busid, &l->bdf), 0);
			parse_pci_type(ptype, l);
			l->parent = parent;
			l->hb_domain = hb_dom;
			l->hb_bus = hb_bus;
			l->bridge = !strcmp(type, "Bridge");
			if (l->bridge) {
				uint32_t dom;

				parse_range(range, &dom, &l->sec, &l->sub);
			}
			me = h->n - 1;
		}
		walk_xml(n->children, h, me, hb_dom, hb_bus);
		xmlFree(type);
		xmlFree(btype);
		xmlFree(busid);
		xmlFree(ptype);
		xmlFree(range);
	}
}

static void parse_xml(const char *path, struct hwloc *h)
{
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET);

	assert_non_null(doc);
	memset(h, 0, sizeof(*h));
	walk_xml(xmlDocGetRootElement(doc), h, -1, 0, 0);
	xmlFreeDoc(doc);
}

/* ---------------------------------------------------------------------- */
/* The comparison                                                          */

static int listed_index(const struct hwloc *h, const struct p2pdma_function *fn)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (!p2pdma_bdf_cmp(&h->v[i].bdf, &fn->bdf))
			return i;
	return -1;
}

/*
 * Check every listed device; returns how many of our ancestors had to be
 * skipped because hwloc does not list them.
 */
static int compare_with_hwloc(const struct p2pdma_fabric *f, const struct hwloc *h)
{
	char name[P2PDMA_BDF_STRLEN];
	int i, skipped = 0;

	assert_true(h->n > 0);
	for (i = 0; i < h->n; i++) {
		const struct listed *l = &h->v[i];
		struct p2pdma_function *fn = p2pdma_fabric_find(f, &l->bdf), *up;
		int found = -1;

		p2pdma_bdf_format(&l->bdf, name, sizeof(name));
		if (!fn)
			fail_msg("hwloc lists %s, our model does not have it", name);
		if (fn->vendor != l->vendor || fn->device != l->device)
			fail_msg("%s: hwloc says %04x:%04x, we say %04x:%04x", name, l->vendor,
				 l->device, fn->vendor, fn->device);
		for (up = fn->parent; up; up = up->parent) {
			found = listed_index(h, up);
			if (found >= 0)
				break;
			skipped++;
		}
		if (found != l->parent)
			fail_msg("%s: hwloc nests it under %s, our nearest listed ancestor is %s",
				 name, l->parent < 0 ? "its host bridge" : "a bridge",
				 found < 0 ? "the host bridge" : "another bridge");
		if (fn->host->domain != l->hb_domain || fn->host->bus != l->hb_bus)
			fail_msg("%s: hwloc puts it under host bridge %04x:%02x, we under %s",
				 name, l->hb_domain, l->hb_bus, fn->host->name);
		if (l->bridge) {
			assert_true(p2pdma_function_is_bridge(fn));
			if (fn->secondary_bus != l->sec || fn->subordinate_bus != l->sub)
				fail_msg("%s: hwloc buses [%02x-%02x], ours [%02x-%02x]", name,
					 l->sec, l->sub, fn->secondary_bus, fn->subordinate_bus);
		}
		if (l->class_code >= 0 && (int)fn->class_code != l->class_code)
			fail_msg("%s: class %06x vs hwloc %06x", name, fn->class_code, l->class_code);
		if (l->subsys_vendor >= 0 && (fn->subsys_vendor != l->subsys_vendor ||
					      fn->subsys_device != l->subsys_device))
			fail_msg("%s: subsystem %04x:%04x vs hwloc %04x:%04x", name,
				 fn->subsys_vendor, fn->subsys_device, l->subsys_vendor,
				 l->subsys_device);
		if (l->revision >= 0 && fn->revision != l->revision)
			fail_msg("%s: revision %02x vs hwloc %02x", name, fn->revision, l->revision);
	}
	return skipped;
}

static struct p2pdma_fabric *load_real(const char *rel, char *warning, size_t len)
{
	char *p = tu_real_path(rel);
	struct p2pdma_fabric *f;
	int warnings;

	f = sb_load(p, &warnings, warning, len);
	/* The ACS line comes once, not per function. */
	assert_int_equal(warnings, 1);
	free(p);
	return f;
}

static size_t count_ids(const struct p2pdma_fabric *f, uint16_t v, uint16_t d)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += f->fns[i]->vendor == v && f->fns[i]->device == d;
	return n;
}

static struct p2pdma_function *fn_at(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *fn = NULL;

	assert_int_equal(p2pdma_fabric_lookup(f, bdf, &fn, NULL), 0);
	return fn;
}

/* Supermicro SYS-4029GP-TRT2: two PEX 9797 switches, 8 VEs, 2 HCAs. */
static void test_32intel64(void **state)
{
	struct p2pdma_fabric *f;
	struct hwloc h;
	char warning[512];
	char *console = tu_real_path("sysfs/hwloc-32intel64-2p8co2t+8ve.console");
	size_t i, up = 0, down = 0;

	(void)state;
	f = load_real("sysfs/hwloc-32intel64-2p8co2t+8ve.tar.bz2", warning, sizeof(warning));
	assert_string_equal(warning,
			    "ACS state unknown for 29 of 29 functions: config space was read without root (64 bytes); run as root or capture as root");
	parse_console(console, &h);
	assert_int_equal(h.nr_host_bridges, 3);
	assert_int_equal(h.n, 28);
	/*
	 * One skip: 0000:5f:03.0 (Lewisburg 37c5) is under sys/devices but has
	 * no sys/bus/pci/devices link in this capture, which is what hwloc
	 * enumerates, so hwloc hangs 60:00.x straight under 5e:00.0.
	 */
	assert_int_equal(compare_with_hwloc(f, &h), 2);
	assert_non_null(fn_at(f, "0000:5f:03.0"));

	/* README: 29 funcs, root buses 17, 3a, 5d. */
	assert_int_equal(f->nr_fns, 29);
	assert_int_equal(f->nr_hbs, 3);
	assert_int_equal(f->hbs[0]->bus, 0x17);
	assert_int_equal(f->hbs[1]->bus, 0x3a);
	assert_int_equal(f->hbs[2]->bus, 0x5d);
	/* Two PEX 9797, each 1 upstream + 5 downstream, behind Intel 8086:2030 root ports. */
	assert_int_equal(count_ids(f, 0x10b5, 0x9797), 12);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];

		if (fn->vendor != 0x10b5 || fn->device != 0x9797)
			continue;
		if (fn->role == P2PDMA_ROLE_SWITCH_UPSTREAM) {
			up++;
			assert_int_equal(fn->nr_children, 5);
			assert_int_equal(fn->parent->device, 0x2030);
			assert_int_equal(fn->parent->role, P2PDMA_ROLE_ROOT_PORT);
		} else {
			assert_int_equal(fn->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
			down++;
		}
	}
	assert_int_equal(up, 2);
	assert_int_equal(down, 10);
	/* 8 NEC SX-Aurora VEs (class 0b40) and 2 ConnectX-4 (0207), one HCA per switch. */
	assert_int_equal(count_ids(f, 0x1bcf, 0x001c), 8);
	assert_int_equal(count_ids(f, 0x15b3, 0x1013), 2);
	assert_int_equal(fn_at(f, "1a:00.0")->class_code >> 8, 0x0207);
	assert_int_equal(fn_at(f, "1b:00.0")->class_code >> 8, 0x0b40);
	assert_ptr_equal(fn_at(f, "1a:00.0")->parent->parent, fn_at(f, "18:00.0"));
	assert_ptr_equal(fn_at(f, "3e:00.0")->parent->parent, fn_at(f, "3b:00.0"));
	/* Link attributes: 8 GT/s x16 on the HCA; BAR 0 of the HCA, 64-bit prefetchable. */
	assert_int_equal(fn_at(f, "1a:00.0")->link.speed, 8000);
	assert_int_equal(fn_at(f, "1a:00.0")->link.width, 16);
	assert_true(fn_at(f, "1a:00.0")->bars[0].size == 0x2000000);
	assert_int_equal(fn_at(f, "1a:00.0")->bars[0].flags,
			 P2PDMA_BAR_MEM | P2PDMA_BAR_PREFETCH | P2PDMA_BAR_64);
	assert_string_equal(fn_at(f, "1a:00.0")->driver, "mlx5_core");
	/* 64-byte config: ACS unknown, never assumed. */
	assert_int_equal(f->nr_acs_unknown, 29);
	assert_int_equal(fn_at(f, "19:04.0")->acs_state, P2PDMA_ACS_UNKNOWN);
	/* /proc: Xeon Silver 4108 (Skylake-SP, family 6 model 85), a CentOS 7 command line. */
	assert_true(f->cpu.known);
	assert_string_equal(f->cpu.vendor, "GenuineIntel");
	assert_int_equal(f->cpu.family, 6);
	assert_int_equal(f->cpu.model, 85);
	assert_non_null(f->cmdline);
	assert_non_null(strstr(f->cmdline, "BOOT_IMAGE=/vmlinuz-3.10.0-1160.15.2.el7.x86_64"));
	free(console);
	p2pdma_fabric_free(f);
}

/* Dell DCS8000Z: checked against hwloc's XML, ids, classes, subsystems, revisions. */
static void test_32em64t(void **state)
{
	char *xml = tu_real_path("sysfs/hwloc-32em64t-2n8c+dax+nvme+mic+dimms.xml");
	struct p2pdma_fabric *f;
	struct hwloc h;
	char warning[512];

	(void)state;
	f = load_real("sysfs/hwloc-32em64t-2n8c+dax+nvme+mic+dimms.tar.bz2", warning,
		      sizeof(warning));
	parse_xml(xml, &h);
	assert_int_equal(h.nr_host_bridges, 4);
	assert_int_equal(compare_with_hwloc(f, &h), 0);
	assert_int_equal(f->nr_fns, 137);
	assert_int_equal(f->nr_hbs, 4);
	assert_int_equal(f->hbs[0]->bus, 0x00);
	assert_int_equal(f->hbs[1]->bus, 0x7f);
	assert_int_equal(f->hbs[2]->bus, 0x80);
	assert_int_equal(f->hbs[3]->bus, 0xff);
	/* Intel NVMe 8086:0953 (class 0108) at 00:02.0; Xeon Phi behind 80:03.0, CX-3 behind 80:02.2. */
	assert_int_equal(fn_at(f, "00:02.0")->device, 0x0953);
	assert_int_equal(fn_at(f, "00:02.0")->class_code >> 8, 0x0108);
	assert_int_equal(fn_at(f, "83:00.0")->device, 0x225c);
	assert_ptr_equal(fn_at(f, "83:00.0")->parent, fn_at(f, "80:03.0"));
	assert_int_equal(fn_at(f, "82:00.0")->device, 0x1003);
	assert_ptr_equal(fn_at(f, "82:00.0")->parent, fn_at(f, "80:02.2"));
	/* Socket 1's host bridge is on node 1 (its first root bus device's node). */
	assert_int_equal(f->hbs[2]->numa_node, 1);
	assert_int_equal(f->nr_acs_unknown, 137);
	assert_true(f->cpu.known);
	assert_int_equal(f->cpu.model, 45);
	free(xml);
	p2pdma_fabric_free(f);
}

/* A KVM guest with PCI domain 0x10000 (wider than 16 bits). */
static void test_domain32(void **state)
{
	char *console = tu_real_path("sysfs/hwloc-2pa-pcidomain32bits.console");
	struct p2pdma_fabric *f;
	struct hwloc h;
	char warning[512];

	(void)state;
	f = load_real("sysfs/hwloc-2pa-pcidomain32bits.tar.bz2", warning, sizeof(warning));
	parse_console(console, &h);
	assert_int_equal(h.nr_host_bridges, 2);
	assert_int_equal(compare_with_hwloc(f, &h), 0);
	assert_int_equal(f->nr_fns, 9);
	assert_int_equal(f->nr_hbs, 2);
	assert_string_equal(f->hbs[1]->name, "pci10000:00");
	assert_int_equal(f->hbs[1]->domain, 0x10000);
	assert_int_equal(fn_at(f, "10000:00:04.0")->vendor, 0x1af4);
	assert_int_equal(fn_at(f, "10000:00:04.0")->device, 0x1001);
	assert_ptr_equal(fn_at(f, "10000:00:04.0")->host, f->hbs[1]);
	free(console);
	p2pdma_fabric_free(f);
}

/* ghw snapshot: no config, no resource, no subsystem files; SR-IOV VFs as plain functions. */
static void test_ghw(void **state)
{
	struct p2pdma_fabric *f;
	char warning[512];
	size_t i;

	(void)state;
	f = load_real("sysfs/ghw-linux-amd64-8581cf3a529e5d8b97ea876eade2f60d.tar.gz",
		      warning, sizeof(warning));
	assert_non_null(strstr(warning, "ACS state unknown for 82 of 82 functions"));
	assert_int_equal(f->nr_fns, 82);
	assert_int_equal(f->nr_hbs, 3);
	assert_int_equal(f->hbs[0]->bus, 0x00);
	assert_int_equal(f->hbs[1]->bus, 0xfe);
	assert_int_equal(f->hbs[2]->bus, 0xff);
	assert_int_equal(count_ids(f, 0x8086, 0x1520), 8);
	assert_int_equal(count_ids(f, 0x1000, 0x0060), 1);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		int b;

		assert_int_equal(fn->acs_state, P2PDMA_ACS_UNKNOWN);
		assert_null(fn->physfn);
		for (b = 0; b < P2PDMA_NUM_BARS; b++)
			assert_int_equal(fn->bars[b].size, 0);
		if (fn->vendor == 0x8086 && fn->device == 0x1520) {
			assert_int_equal(fn->bdf.bus, 0x05);
			assert_true(fn->bdf.dev == 0x10 || fn->bdf.dev == 0x11);
		}
	}
	/* The revision file is there even without config. */
	assert_int_equal(fn_at(f, "05:00.0")->device, 0x1521);
	assert_true(f->cpu.known);
	assert_string_equal(f->cpu.vendor, "GenuineIntel");
	assert_int_equal(f->cpu.model, 44);
	assert_null(f->cmdline);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_32intel64),
		cmocka_unit_test(test_32em64t),
		cmocka_unit_test(test_domain32),
		cmocka_unit_test(test_ghw),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return ret;
}
