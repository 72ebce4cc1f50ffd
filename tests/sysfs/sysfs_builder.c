// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand-built sysfs trees for the loader tests, and a field-by-field
 * comparison of two models.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_builder.h"
#include "testutil.h"

/* ---------------------------------------------------------------------- */
/* Config space, from the specifications                                   */

static void put16(uint8_t *b, size_t off, unsigned int v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, v & 0xffff);
	put16(b, off + 2, v >> 16);
}

void sb_cfg_init(struct sb_cfg *c, uint16_t vendor, uint16_t device, uint32_t class_code)
{
	memset(c, 0, sizeof(*c));
	c->vendor = vendor;
	c->device = device;
	c->class_code = class_code;
	c->header_type = (class_code >> 8) == 0x0604 ? 1 : 0;
	c->pcie_type = -1;
	c->len = 4096;
}

/* PCI Power Management at 0x40, then the Express capability at 0x60. */
#define SB_PM_CAP	0x40
#define SB_EXP_CAP	0x60
/* AER opens the extended list, ACS follows it. */
#define SB_AER_CAP	0x100
#define SB_ACS_CAP	0x140

static void express_bytes(const struct sb_cfg *c, uint8_t *b)
{
	put16(b, 0x06, 0x0010);			/* Status: capability list */
	b[0x34] = SB_PM_CAP;
	b[SB_PM_CAP] = 0x01;			/* PM */
	b[SB_PM_CAP + 1] = SB_EXP_CAP;
	put16(b, SB_PM_CAP + 2, 0x0003);
	b[SB_EXP_CAP] = 0x10;			/* PCI Express */
	b[SB_EXP_CAP + 1] = 0x00;
	put16(b, SB_EXP_CAP + 0x02, 0x0002 | (unsigned int)c->pcie_type << 4);
	put32(b, SB_EXP_CAP + 0x0c, c->lnk_max_speed | c->lnk_max_width << 4);
	put16(b, SB_EXP_CAP + 0x12, c->lnk_speed | c->lnk_width << 4);
	if (c->len < 4096)
		return;
	/* Extended header: ID, version 1, next pointer in bits 31:20. */
	put32(b, SB_AER_CAP, 0x0001 | 1 << 16 | (uint32_t)(c->acs ? SB_ACS_CAP : 0) << 20);
	if (c->acs) {
		put32(b, SB_ACS_CAP, 0x000d | 1 << 16);
		put16(b, SB_ACS_CAP + 4, c->acs_cap);
		put16(b, SB_ACS_CAP + 6, c->acs_ctrl);
	}
}

void sb_cfg_bytes(const struct sb_cfg *c, uint8_t *b)
{
	memset(b, 0, c->len < 4096 ? 4096 : c->len);
	put16(b, 0x00, c->vendor);
	put16(b, 0x02, c->device);
	b[0x08] = c->revision;
	b[0x09] = (uint8_t)c->class_code;
	b[0x0a] = (uint8_t)(c->class_code >> 8);
	b[0x0b] = (uint8_t)(c->class_code >> 16);
	b[0x0e] = (uint8_t)c->header_type;
	if (c->header_type == 1) {
		b[0x19] = c->secondary;
		b[0x1a] = c->subordinate;
	} else {
		put16(b, 0x2c, c->subsys_vendor);
		put16(b, 0x2e, c->subsys_device);
	}
	if (c->pcie_type >= 0)
		express_bytes(c, b);
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

static char *join(const char *root, const char *rel)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
	return p;
}

void sb_mkdirs(const char *root, const char *rel)
{
	char *p = join(root, rel), *s;

	for (s = p + strlen(root) + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				fail_msg("mkdir %s: %s", p, strerror(errno));
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
}

static void mkparent(const char *root, const char *rel)
{
	char *d = strdup(rel), *slash = strrchr(d, '/');

	if (slash) {
		*slash = '\0';
		sb_mkdirs(root, d);
	}
	free(d);
}

void sb_write(const char *root, const char *rel, const void *data, size_t len)
{
	char *p = join(root, rel);

	mkparent(root, rel);
	assert_int_equal(tu_write_file(p, data, len), 0);
	free(p);
}

void sb_printf(const char *root, const char *rel, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	sb_write(root, rel, s, (size_t)n);
	free(s);
}

void sb_symlink(const char *root, const char *rel, const char *target)
{
	char *p = join(root, rel);

	mkparent(root, rel);
	unlink(p);
	if (symlink(target, p))
		fail_msg("symlink %s: %s", p, strerror(errno));
	free(p);
}

void sb_fifo(const char *root, const char *rel)
{
	char *p = join(root, rel);

	mkparent(root, rel);
	unlink(p);
	if (mkfifo(p, 0600))
		fail_msg("mkfifo %s: %s", p, strerror(errno));
	free(p);
}

void sb_remove(const char *root, const char *rel)
{
	char *p = join(root, rel);

	if (unlink(p) && rmdir(p))
		fail_msg("remove %s: %s", p, strerror(errno));
	free(p);
}

static const char *speed_text(unsigned int code)
{
	static const char *const t[] = {
		"Unknown", "2.5 GT/s PCIe", "5.0 GT/s PCIe", "8.0 GT/s PCIe",
		"16.0 GT/s PCIe", "32.0 GT/s PCIe",
	};

	return code < 6 ? t[code] : "Unknown";
}

void sb_function(const char *root, const char *rel, const struct sb_cfg *c)
{
	static const char zero[] = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
	uint8_t cfg[4096];
	const char *name = strrchr(rel, '/') + 1;
	char attr[4096], link[4096];
	int i;

	assert_true(strlen(rel) + 64 < sizeof(attr));
#define ATTR(n) (snprintf(attr, sizeof(attr), "%s/%s", rel, n), attr)
	sb_mkdirs(root, rel);
	sb_printf(root, ATTR("vendor"), "0x%04x\n", c->vendor);
	sb_printf(root, ATTR("device"), "0x%04x\n", c->device);
	sb_printf(root, ATTR("subsystem_vendor"), "0x%04x\n", c->subsys_vendor);
	sb_printf(root, ATTR("subsystem_device"), "0x%04x\n", c->subsys_device);
	sb_printf(root, ATTR("class"), "0x%06x\n", c->class_code);
	sb_printf(root, ATTR("revision"), "0x%02x\n", c->revision);
	sb_printf(root, ATTR("numa_node"), "-1\n");
	if (c->len) {
		sb_cfg_bytes(c, cfg);
		sb_write(root, ATTR("config"), cfg, c->len);
	}
	{
		char res[sizeof(zero) * 7];

		res[0] = '\0';
		for (i = 0; i < 7; i++)
			strcat(res, zero);
		sb_write(root, ATTR("resource"), res, strlen(res));
	}
	if (c->pcie_type >= 0) {
		sb_printf(root, ATTR("current_link_speed"), "%s\n", speed_text(c->lnk_speed));
		sb_printf(root, ATTR("current_link_width"), "%u\n", c->lnk_width);
		sb_printf(root, ATTR("max_link_speed"), "%s\n", speed_text(c->lnk_max_speed));
		sb_printf(root, ATTR("max_link_width"), "%u\n", c->lnk_max_width);
	}
	if (c->header_type == 1) {
		sb_printf(root, ATTR("secondary_bus_number"), "%u\n", c->secondary);
		sb_printf(root, ATTR("subordinate_bus_number"), "%u\n", c->subordinate);
	}
#undef ATTR
	/* sys/devices/X -> ../../../devices/X from sys/bus/pci/devices/. */
	if (!strncmp(rel, "sys/devices/", 12)) {
		snprintf(attr, sizeof(attr), "sys/bus/pci/devices/%s", name);
		snprintf(link, sizeof(link), "../../../%s", rel + 4);
		sb_symlink(root, attr, link);
	}
}

void sb_proc(const char *root, const char *vendor, unsigned int family,
	     unsigned int model, const char *cmdline)
{
	sb_printf(root, "proc/cpuinfo",
		  "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
		  "model name\t: Test CPU\nflags\t\t: fpu vme\n\n"
		  "processor\t: 1\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n\n",
		  vendor, family, model, vendor, family, model);
	sb_printf(root, "proc/cmdline", "%s\n", cmdline);
}

void sb_tar(const char *dir, const char *out)
{
	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -caf '%s' .", dir, out), 0);
}

/* ---------------------------------------------------------------------- */
/* Comparing models                                                        */

static const char *bdf_or_none(const struct p2pdma_function *fn, char *buf)
{
	if (!fn)
		return "none";
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

static void same_function(const struct p2pdma_function *x, const struct p2pdma_function *y)
{
	char n[P2PDMA_BDF_STRLEN], p1[P2PDMA_BDF_STRLEN], p2[P2PDMA_BDF_STRLEN];
	int i;

	p2pdma_bdf_format(&x->bdf, n, sizeof(n));
	if (p2pdma_bdf_cmp(&x->bdf, &y->bdf))
		fail_msg("%s: BDF differs", n);
#define SAME(field) do { \
		if (x->field != y->field) \
			fail_msg("%s: %s differs: %lld vs %lld", n, #field, \
				 (long long)x->field, (long long)y->field); \
	} while (0)
	SAME(vendor); SAME(device); SAME(subsys_vendor); SAME(subsys_device);
	SAME(class_code); SAME(revision); SAME(role); SAME(depth);
	SAME(secondary_bus); SAME(subordinate_bus); SAME(pcie_type);
	SAME(acs_state); SAME(acs_cap); SAME(acs_ctrl); SAME(iommu_group);
	SAME(numa_node); SAME(nr_children); SAME(host->index);
	SAME(link.speed); SAME(link.width); SAME(link.max_speed); SAME(link.max_width);
	SAME(p2pmem.present); SAME(p2pmem.published); SAME(p2pmem.size);
	SAME(p2pmem.available); SAME(dma_offset); SAME(dma_mask_bits);
	for (i = 0; i < P2PDMA_NUM_BARS; i++) {
		SAME(bars[i].start);
		SAME(bars[i].size);
		SAME(bars[i].flags);
	}
#undef SAME
	if (strcmp(bdf_or_none(x->parent, p1), bdf_or_none(y->parent, p2)))
		fail_msg("%s: parent %s vs %s", n, p1, p2);
	if (strcmp(bdf_or_none(x->physfn, p1), bdf_or_none(y->physfn, p2)))
		fail_msg("%s: physfn %s vs %s", n, p1, p2);
	if ((x->driver == NULL) != (y->driver == NULL) ||
	    (x->driver && strcmp(x->driver, y->driver)))
		fail_msg("%s: driver %s vs %s", n, x->driver ? x->driver : "none",
			 y->driver ? y->driver : "none");
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

void sb_assert_same_model(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b)
{
	size_t i;

	assert_int_equal(a->nr_hbs, b->nr_hbs);
	for (i = 0; i < a->nr_hbs; i++) {
		assert_string_equal(a->hbs[i]->name, b->hbs[i]->name);
		assert_int_equal(a->hbs[i]->domain, b->hbs[i]->domain);
		assert_int_equal(a->hbs[i]->bus, b->hbs[i]->bus);
		assert_int_equal(a->hbs[i]->bus_offset, b->hbs[i]->bus_offset);
		assert_int_equal(a->hbs[i]->numa_node, b->hbs[i]->numa_node);
		assert_int_equal(a->hbs[i]->nr_children, b->hbs[i]->nr_children);
	}
	assert_int_equal(a->nr_fns, b->nr_fns);
	for (i = 0; i < a->nr_fns; i++)
		same_function(a->fns[i], b->fns[i]);
	assert_int_equal(a->nr_groups, b->nr_groups);
	for (i = 0; i < a->nr_groups; i++) {
		assert_int_equal(a->groups[i].id, b->groups[i].id);
		assert_true(same_str(a->groups[i].type, b->groups[i].type));
	}
	assert_int_equal(a->cpu.known, b->cpu.known);
	assert_string_equal(a->cpu.vendor, b->cpu.vendor);
	assert_int_equal(a->cpu.family, b->cpu.family);
	assert_int_equal(a->cpu.model, b->cpu.model);
	if (!same_str(a->cmdline, b->cmdline))
		fail_msg("cmdline differs: '%s' vs '%s'", a->cmdline ? a->cmdline : "(none)",
			 b->cmdline ? b->cmdline : "(none)");
	if (!same_str(a->kernel_release, b->kernel_release))
		fail_msg("kernel release differs: '%s' vs '%s'",
			 a->kernel_release ? a->kernel_release : "(none)",
			 b->kernel_release ? b->kernel_release : "(none)");
	assert_int_equal(a->nr_acs_unknown, b->nr_acs_unknown);
	assert_int_equal(a->nr_ram, b->nr_ram);
}

struct warn_sink {
	int *count;
	char *last;
	size_t len;
};

static void count_warnings(void *arg, enum p2pdma_log_level level, const char *msg)
{
	struct warn_sink *w = arg;

	if (level != P2PDMA_LOG_WARN)
		return;
	if (w->count)
		(*w->count)++;
	if (w->last)
		snprintf(w->last, w->len, "%s", msg);
}

struct p2pdma_fabric *sb_load(const char *path, int *warnings, char *last_warning,
			      size_t len)
{
	struct warn_sink w = { warnings, last_warning, len };
	struct p2pdma_load_opts o = { .path = path, .log = count_warnings, .log_arg = &w };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (warnings)
		*warnings = 0;
	if (last_warning && len)
		last_warning[0] = '\0';
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s failed: %s", path, e.reason);
	return f;
}
