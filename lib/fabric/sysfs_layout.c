// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where things are in a sysfs tree.  The loader and the capture writer
 * share these lists, so a capture holds exactly what a load reads.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "sysfs_attr.h"
#include "sysfs_layout.h"
#include "util.h"

const char *const p2pdma_sysfs_fn_files[] = {
	"vendor", "device", "subsystem_vendor", "subsystem_device", "class",
	"revision", "config", "resource", "current_link_speed",
	"current_link_width", "max_link_speed", "max_link_width", "numa_node",
	"secondary_bus_number", "subordinate_bus_number", "dma_mask_bits", NULL,
};

const char *const p2pdma_sysfs_fn_links[] = {
	"iommu_group", "driver", "physfn", NULL,
};

const char *const p2pdma_sysfs_p2pmem_files[] = {
	"size", "available", "published", NULL,
};

static bool is_hb_name(const char *name, void *arg)
{
	uint32_t domain;
	uint8_t bus;

	(void)arg;
	return p2pdma_sysfs_parse_hb_name(name, &domain, &bus);
}

static bool in_list(char **dirs, size_t nr, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strlen(dirs[i]) == len && !strncmp(dirs[i], path, len))
			return true;
	return false;
}

static int add_dir(char ***dirs, size_t *nr, size_t *cap, const char *path, size_t len)
{
	char *d;

	if (in_list(*dirs, *nr, path, len))
		return 0;
	d = strndup(path, len);
	if (!d || p2pdma_ptr_push((void ***)dirs, nr, cap, d)) {
		free(d);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Resolve a bus/pci/devices link lexically from "bus/pci/devices" and
 * cut it after its first host bridge component: "devices/.../pciD:B".
 * Returns the length of that prefix in @out, 0 when there is none.
 */
static size_t link_to_hb_dir(const char *target, char *out, size_t outlen)
{
	static const char base[] = "bus/pci/devices";
	size_t len = sizeof(base) - 1;
	const char *p = target;

	if (*target == '/' || outlen <= len)
		return 0;
	memcpy(out, base, len + 1);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && !strncmp(p, "..", 2)) {
			char *slash;

			if (!len)
				return 0;	/* climbs out of sys/ */
			slash = memrchr(out, '/', len);
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
		} else if (n && !(n == 1 && *p == '.')) {
			char comp[NAME_MAX + 1];

			if (n > NAME_MAX || len + 1 + n + 1 > outlen)
				return 0;
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (len)
				out[len++] = '/';
			memcpy(out + len, comp, n + 1);
			len += n;
			if (is_hb_name(comp, NULL))
				return strncmp(out, "devices/", 8) ? 0 : len;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* Whether @path exists below @sys; a symlink on the way counts as there (the walk refuses it). */
static bool has_dir(const struct p2pdma_dir *sys, const char *path)
{
	struct p2pdma_dir d;
	int ret = p2pdma_dir_open(sys, path, &d);

	p2pdma_dir_close(&d);
	return !ret || ret == -ELOOP;
}

static int scan_bus_links(const struct p2pdma_dir *sys, char ***dirs, size_t *nr,
			  size_t *cap)
{
	struct p2pdma_dirent *ents = NULL;
	struct p2pdma_dir d;
	size_t n = 0, i;
	int ret;

	ret = p2pdma_dir_open(sys, "bus/pci/devices", &d);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	ret = p2pdma_dir_list(&d, NULL, NULL, &ents, &n);
	for (i = 0; !ret && i < n; i++) {
		char target[PATH_MAX], dir[PATH_MAX];
		size_t tl, dl;

		if (ents[i].type != DT_LNK ||
		    p2pdma_dir_readlink(&d, ents[i].name, target, sizeof(target), &tl))
			continue;
		dl = link_to_hb_dir(target, dir, sizeof(dir));
		/* A trimmed capture may keep links to directories it left out. */
		if (!dl || in_list(*dirs, *nr, dir, dl) || !has_dir(sys, dir))
			continue;
		ret = add_dir(dirs, nr, cap, dir, dl);
	}
	p2pdma_dirents_free(ents, n);
	p2pdma_dir_close(&d);
	return ret;
}

static int scan_devices(const struct p2pdma_dir *sys, char ***dirs, size_t *nr, size_t *cap)
{
	struct p2pdma_dirent *ents = NULL;
	struct p2pdma_dir d;
	size_t n = 0, i;
	int ret;

	ret = p2pdma_dir_open(sys, "devices", &d);
	if (ret)
		return ret;
	ret = p2pdma_dir_list(&d, is_hb_name, NULL, &ents, &n);
	for (i = 0; !ret && i < n; i++) {
		char path[NAME_MAX + 16];
		int len = snprintf(path, sizeof(path), "devices/%s", ents[i].name);

		ret = add_dir(dirs, nr, cap, path, (size_t)len);
	}
	p2pdma_dirents_free(ents, n);
	p2pdma_dir_close(&d);
	return ret;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void p2pdma_sysfs_free_dirs(char **dirs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(dirs[i]);
	free(dirs);
}

int p2pdma_sysfs_host_bridge_dirs(const struct p2pdma_dir *sys, char ***dirs, size_t *nr)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	int ret;

	ret = scan_devices(sys, &v, &n, &cap);
	if (!ret)
		ret = scan_bus_links(sys, &v, &n, &cap);
	if (ret) {
		p2pdma_sysfs_free_dirs(v, n);
		return ret;
	}
	if (n)
		qsort(v, n, sizeof(*v), str_cmp);
	*dirs = v;
	*nr = n;
	return 0;
}

static bool has_sys(const struct p2pdma_dir *d, const char *sub)
{
	char path[NAME_MAX + 8];

	snprintf(path, sizeof(path), "%s%ssys", sub ? sub : "", sub ? "/" : "");
	return p2pdma_dir_kind(d, path) == DT_DIR;
}

int p2pdma_sysfs_find_root(const struct p2pdma_dir *d, char **sub, size_t *nr_found)
{
	struct p2pdma_dirent *ents = NULL;
	size_t n = 0, i, found = 0, pick = 0;
	int ret;

	*sub = NULL;
	*nr_found = 0;
	if (has_sys(d, NULL)) {
		*nr_found = 1;
		return 0;
	}
	ret = p2pdma_dir_list(d, NULL, NULL, &ents, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (ents[i].type != DT_DIR || !has_sys(d, ents[i].name))
			continue;
		if (!found++)
			pick = i;
	}
	*nr_found = found;
	if (!found)
		ret = -ENOENT;
	else if (found > 1)
		ret = -EEXIST;
	else if (!(*sub = strdup(ents[pick].name)))
		ret = -ENOMEM;
	p2pdma_dirents_free(ents, n);
	return ret;
}

/* The components of a tarball path, "./" and empty ones dropped. */
#define WANT_MAX_COMPS 128

static size_t split(const char *path, const char **c, size_t *len)
{
	size_t n = 0;

	while (*path) {
		size_t l = strcspn(path, "/");

		if (l && !(l == 1 && path[0] == '.')) {
			if (n == WANT_MAX_COMPS)
				return SIZE_MAX;	/* deeper than any sysfs */
			c[n] = path;
			len[n++] = l;
		}
		path += l;
		while (*path == '/')
			path++;
	}
	return n;
}

static bool comp_is(const char *c, size_t len, const char *s)
{
	return len == strlen(s) && !strncmp(c, s, len);
}

static bool name_in_list(const char *const *list, const char *c, size_t len)
{
	for (; *list; list++)
		if (comp_is(c, len, *list))
			return true;
	return false;
}

static bool comp_is_device(const char *c, size_t len, bool fn_only)
{
	char name[NAME_MAX + 1];
	struct p2pdma_bdf bdf;

	/* Every device name has a ':' (DDDD:BB:DD.F, pciDDDD:BB): most files have none. */
	if (len > NAME_MAX || !memchr(c, ':', len))
		return false;
	memcpy(name, c, len);
	name[len] = '\0';
	/* A misnamed function is kept too, so the loader refuses it by name. */
	return p2pdma_sysfs_parse_fn_name(name, &bdf) || p2pdma_sysfs_bdf_shaped(name) ||
	       (!fn_only && is_hb_name(name, NULL));
}

/* Below sys/devices: device directories and what the loader reads in them. */
static bool wanted_in_devices(const char **c, const size_t *l, size_t n, bool dir)
{
	const char *base = c[n - 1];
	size_t bl = l[n - 1];

	/* A device name is kept whatever it is, so a link in its place is reported. */
	if (comp_is_device(base, bl, false))
		return true;
	if (n < 2)
		return false;
	if (dir)
		return comp_is(base, bl, P2PDMA_SYSFS_P2PMEM) && comp_is_device(c[n - 2], l[n - 2], true);
	if (comp_is_device(c[n - 2], l[n - 2], true))
		return name_in_list(p2pdma_sysfs_fn_files, base, bl) ||
		       name_in_list(p2pdma_sysfs_fn_links, base, bl) ||
		       comp_is(base, bl, P2PDMA_SYSFS_P2PMEM);
	return n >= 3 && comp_is(c[n - 2], l[n - 2], P2PDMA_SYSFS_P2PMEM) &&
	       comp_is_device(c[n - 3], l[n - 3], true) &&
	       name_in_list(p2pdma_sysfs_p2pmem_files, base, bl);
}

/* proc/sys, proc/sys/kernel and proc/sys/kernel/osrelease (@c starts below proc). */
static bool wanted_osrelease(const char **c, const size_t *l, size_t n)
{
	return n >= 2 && n <= 3 && comp_is(c[0], l[0], "sys") &&
	       comp_is(c[1], l[1], "kernel") &&
	       (n == 2 || comp_is(c[2], l[2], "osrelease"));
}

bool p2pdma_sysfs_wanted(const char *path, bool dir)
{
	const char *comp[WANT_MAX_COMPS], **c = comp;
	size_t len[WANT_MAX_COMPS], *l = len, n = split(path, comp, len), t;

	if (!n)
		return false;
	/* Unpacked, so the loader refuses the depth instead of missing a device. */
	if (n == SIZE_MAX)
		return true;
	/* sys/ and proc/ at the top, or one directory down. */
	if (comp_is(c[0], l[0], "sys") || comp_is(c[0], l[0], "proc"))
		t = 0;
	else if (n > 1 && (comp_is(c[1], l[1], "sys") || comp_is(c[1], l[1], "proc")))
		t = 1;
	else
		return false;
	c += t;
	l += t;
	n -= t;
	if (comp_is(c[0], l[0], "proc"))
		return n == 1 || (n == 2 && (comp_is(c[1], l[1], "cpuinfo") ||
					     comp_is(c[1], l[1], "cmdline") ||
					     comp_is(c[1], l[1], "iomem") ||
					     comp_is(c[1], l[1], "sys"))) ||
		       wanted_osrelease(c + 1, l + 1, n - 1);
	if (n <= 2)
		return true;			/* sys, sys/devices, sys/bus, sys/kernel */
	if (comp_is(c[1], l[1], "devices"))
		return wanted_in_devices(c + 2, l + 2, n - 2, dir);
	if (comp_is(c[1], l[1], "bus"))
		return comp_is(c[2], l[2], "pci") &&
		       (n == 3 || (comp_is(c[3], l[3], "devices") && n <= 5));
	if (comp_is(c[1], l[1], "kernel"))
		return comp_is(c[2], l[2], "iommu_groups") &&
		       (n <= 4 || (n == 5 && comp_is(c[4], l[4], "type")));
	return false;
}
