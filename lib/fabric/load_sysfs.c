// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sysfs loader: the live machine ("/"), a captured tree in a
 * directory (hwloc-gather-topology and ghw layouts included), or a
 * capture tarball.  It reads through the access interface (access/):
 * a directory on disk, or a tarball read into memory, never unpacked.
 *
 * The tree comes from directory nesting under sys/devices/pciDDDD:BB,
 * which is the device hierarchy the kernel's pci_upstream_bridge()
 * follows: a function directory inside another function's directory is
 * that bridge's child.  Symlinks are never followed while walking; the
 * few that carry facts (driver, iommu_group, physfn) are read as links.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "access/access.h"
#include "access/memtree.h"
#include "access/tarball.h"
#include "cfgspace.h"
#include "loaders.h"
#include "sysfs_attr.h"
#include "sysfs_layout.h"
#include "util.h"

/* Real hierarchies are a dozen levels deep at most; a loop copied as directories is not. */
#define SYSFS_MAX_DEPTH		64

struct pending_pf {
	struct p2pdma_function *vf;
	struct p2pdma_bdf pf;
	char *where;			/* the physfn link, for messages */
};

struct sysfs_load {
	struct p2pdma_fabric *f;
	const struct p2pdma_load_opts *opts;
	struct p2pdma_error *e;
	p2pdma_log_fn log;
	void *log_arg;
	const char *display;		/* the path the user gave */
	const char *sep;		/* between it and rel in messages */
	struct p2pdma_dir dir;		/* where the tree is: on disk or in memory */
	char *top;			/* NAME when sys/ is in NAME/, else NULL */
	struct p2pdma_dir root;		/* dir + top */
	struct p2pdma_dir sys;
	char rel[PATH_MAX];		/* where the walk is, relative to display */
	size_t rel_len;
	struct p2pdma_cfg_reader *cfg;
	struct pending_pf *pfs;
	size_t nr_pfs, pfs_cap;
	size_t nr_fns;
	size_t shortfall[P2PDMA_CFG_NOT_ANSWERING + 1];
	/*
	 * Which of a function's files its directory listing showed
	 * (fn_name_bit()), so absent ones cost no failed open; all bits set
	 * outside function directories.
	 */
	uint32_t present;
	char attr[P2PDMA_SYSFS_ATTR_MAX + 1];
	uint8_t config[P2PDMA_CFG_PCIE_SIZE + 1];	/* + 1: a short read is the end */
};

/* ---------------------------------------------------------------------- */
/* Paths and messages                                                      */

static int rel_push(struct sysfs_load *l, const char *name)
{
	if (!p2pdma_path_append(l->rel, sizeof(l->rel), &l->rel_len, name))
		return p2pdma_fail(l->e, -ENAMETOOLONG, "%s%s%s: path too long",
				   l->display, l->sep, l->rel);
	return 0;
}

/* Undo rel_push(): back to @len. */
static void rel_pop(struct sysfs_load *l, size_t len)
{
	l->rel_len = len;
	l->rel[len] = '\0';
}

/* "DISPLAY/REL/FILE" (or "TARBALL: REL/FILE") into @buf. */
static const char *where(const struct sysfs_load *l, const char *file, char *buf,
			 size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", l->display, l->sep, l->rel,
		 file && l->rel_len ? "/" : "", file ? file : "");
	return buf;
}

static int fail_at(struct sysfs_load *l, const char *file, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct sysfs_load *l, const char *file, int err, const char *fmt, ...)
{
	char path[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	p2pdma_vfail(l->e, err, fmt, ap);
	va_end(ap);
	if (l->e)
		p2pdma_error_prefix(l->e, where(l, file, path, sizeof(path)));
	return err;
}

/* A parser filled the reason with what was wrong; put the file in front. */
static int prefix_at(struct sysfs_load *l, const char *file, int err)
{
	char path[PATH_MAX + 64];

	if (l->e)
		p2pdma_error_prefix(l->e, where(l, file, path, sizeof(path)));
	return err;
}

/* ---------------------------------------------------------------------- */
/* Attribute files                                                         */

#define PRESENT_ALL UINT32_MAX

/* The bit of a function directory's file or link in l->present; 0 for others. */
static uint32_t fn_name_bit(const char *name)
{
	unsigned int i, b = 0;

	for (i = 0; p2pdma_sysfs_fn_files[i]; i++, b++)
		if (!strcmp(name, p2pdma_sysfs_fn_files[i]))
			return 1U << b;
	for (i = 0; p2pdma_sysfs_fn_links[i]; i++, b++)
		if (!strcmp(name, p2pdma_sysfs_fn_links[i]))
			return 1U << b;
	return !strcmp(name, P2PDMA_SYSFS_P2PMEM) ? 1U << b : 0;
}

static bool present(const struct sysfs_load *l, const char *name)
{
	return l->present == PRESENT_ALL || (l->present & fn_name_bit(name));
}

/*
 * Read the attribute @name into l->attr.  Returns 0 when read, 1 when it
 * is not there, < 0 with the reason set.  Some attributes fail to read
 * on some devices of a live machine; a capture leaves those out, so an
 * optional attribute that cannot be read counts as not there.
 */
static int read_attr(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, bool required,
		     size_t *len)
{
	char path[PATH_MAX + 64];
	int ret = present(l, name) ?
		  p2pdma_dir_read(d, name, l->attr, P2PDMA_SYSFS_ATTR_MAX, len) : -ENOENT;

	switch (ret) {
	case 0:
		return 0;
	case -ENOENT:
		if (required)
			return fail_at(l, name, -EINVAL, "missing (sysfs always has this file)");
		return 1;
	case -ELOOP:
		return fail_at(l, name, -EINVAL, "a symbolic link where sysfs has a file");
	case -EISDIR:
		return fail_at(l, name, -EINVAL, "a directory where sysfs has a file");
	case -ESPIPE:
		return fail_at(l, name, -EINVAL, "a FIFO or device where sysfs has a file");
	case -EFBIG:
		return fail_at(l, name, -EINVAL, "longer than %d bytes: not a sysfs attribute",
			       P2PDMA_SYSFS_ATTR_MAX);
	case -ENOMEM:
		return p2pdma_fail(l->e, -ENOMEM, "out of memory");
	default:
		if (required)
			return fail_at(l, name, ret, "cannot read: %s", strerror(-ret));
		p2pdma_log(l->log, l->log_arg, P2PDMA_LOG_DEBUG, "%s: %s; taken as unknown",
			   where(l, name, path, sizeof(path)), strerror(-ret));
		return 1;
	}
}

static int attr_hex(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, uint64_t max,
		    bool required, uint64_t *out)
{
	size_t len;
	int ret = read_attr(l, d, name, required, &len);

	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_hex(l->attr, len, max, out, l->e);
	return ret ? prefix_at(l, name, ret) : 0;
}

static int attr_dec(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, int64_t min,
		    int64_t max, bool required, int64_t *out)
{
	size_t len;
	int ret = read_attr(l, d, name, required, &len);

	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_dec(l->attr, len, min, max, out, l->e);
	return ret ? prefix_at(l, name, ret) : 0;
}

static int attr_speed(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, uint32_t *out)
{
	size_t len;
	int ret = read_attr(l, d, name, false, &len);

	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_link_speed(l->attr, len, out, l->e);
	return ret ? prefix_at(l, name, ret) : 0;
}

/* The last component of the symlink @name: 0, 1 (no link), < 0. */
static int attr_link(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, char *out,
		     size_t outlen)
{
	char target[PATH_MAX];
	size_t len;
	int ret = present(l, name) ?
		  p2pdma_dir_readlink(d, name, target, sizeof(target), &len) : -ENOENT;

	if (ret == -ENOENT)
		return 1;
	if (ret == -EINVAL)
		return fail_at(l, name, -EINVAL, "not a symbolic link (sysfs has a link here)");
	if (ret)
		return fail_at(l, name, ret, "cannot read the link: %s", strerror(-ret));
	ret = p2pdma_sysfs_link_basename(target, len, out, outlen, l->e);
	return ret ? prefix_at(l, name, ret) : 0;
}

/* ---------------------------------------------------------------------- */
/* One PCI function                                                        */

/* What a function's directory says that does not go straight into the model. */
struct fn_extra {
	char driver[256];
	bool has_pf;
	struct p2pdma_bdf pf;
};

static int read_config(struct sysfs_load *l, const struct p2pdma_dir *d, const struct p2pdma_bdf *bdf,
		       struct p2pdma_cfg_info *info)
{
	char path[PATH_MAX + 64];
	const uint8_t *cfg = l->config;
	size_t len = 0;
	int ret;

	ret = present(l, "config") ?
	      p2pdma_dir_read(d, "config", l->config, sizeof(l->config), &len) : -ENOENT;
	if (!ret && len > P2PDMA_CFG_PCIE_SIZE)
		ret = -EFBIG;
	switch (ret) {
	case 0:
		break;
	case -ELOOP:
		return fail_at(l, "config", -EINVAL, "a symbolic link where sysfs has a file");
	case -EISDIR:
		return fail_at(l, "config", -EINVAL, "a directory where sysfs has a file");
	case -ESPIPE:
		return fail_at(l, "config", -EINVAL, "a FIFO or device where sysfs has a file");
	case -EFBIG:
		return fail_at(l, "config", -EINVAL,
			       "more than %d bytes; sysfs gives 64 or 128 (without root), 256 or 4096",
			       P2PDMA_CFG_PCIE_SIZE);
	default:
		if (ret != -ENOENT)
			p2pdma_log(l->log, l->log_arg, P2PDMA_LOG_DEBUG,
				   "%s: %s; config space taken as unreadable",
				   where(l, "config", path, sizeof(path)), strerror(-ret));
		cfg = NULL;
		break;
	}
	if (cfg && len >= P2PDMA_CFG_PCI_SIZE && !l->cfg) {
		ret = p2pdma_cfg_reader_new(NULL, &l->cfg, l->e);
		if (ret)
			return ret;
	}
	ret = p2pdma_cfg_decode(l->cfg, bdf, cfg, len, info, l->e);
	if (ret)
		return prefix_at(l, "config", ret);
	/*
	 * sysfs gives root exactly the size the kernel gave the function
	 * (KERNEL-FACTS 11.3): 256 bytes of a PCIe function means the kernel
	 * found no extended space, so no ACS capability either.  Only the
	 * unprivileged 64- or 128-byte read leaves ACS unknown.
	 */
	if (cfg && len == P2PDMA_CFG_PCI_SIZE && info->shortfall == P2PDMA_CFG_NO_EXTENDED) {
		info->acs_state = P2PDMA_ACS_ABSENT;
		info->shortfall = P2PDMA_CFG_COMPLETE;
	}
	if (info->acs_state == P2PDMA_ACS_UNKNOWN)
		l->shortfall[info->shortfall]++;
	return 0;
}

/*
 * Vendor, device and class are required.  Subsystem IDs and revision are
 * taken from the config header when it was read (the kernel's files
 * print exactly those bytes, read at enumeration), saving three files
 * per function; the files otherwise (a bridge's subsystem IDs live in a
 * capability, an unreadable config space).
 */
static int read_ids(struct sysfs_load *l, const struct p2pdma_dir *d, const struct p2pdma_cfg_info *info,
		    struct p2pdma_function *fn)
{
	uint64_t v;
	int ret;

	ret = attr_hex(l, d, "vendor", 0xffff, true, &v);
	if (ret)
		return ret;
	fn->vendor = (uint16_t)v;
	ret = attr_hex(l, d, "device", 0xffff, true, &v);
	if (ret)
		return ret;
	fn->device = (uint16_t)v;
	ret = attr_hex(l, d, "class", 0xffffff, true, &v);
	if (ret)
		return ret;
	fn->class_code = (uint32_t)v;

	ret = info->subsys_vendor >= 0 ? 1 :
	      attr_hex(l, d, "subsystem_vendor", 0xffff, false, &v);
	if (ret < 0)
		return ret;
	fn->subsys_vendor = (uint16_t)(!ret ? v : info->subsys_vendor >= 0 ?
				       (uint64_t)info->subsys_vendor : 0);
	ret = info->subsys_device >= 0 ? 1 :
	      attr_hex(l, d, "subsystem_device", 0xffff, false, &v);
	if (ret < 0)
		return ret;
	fn->subsys_device = (uint16_t)(!ret ? v : info->subsys_device >= 0 ?
				       (uint64_t)info->subsys_device : 0);
	ret = info->revision >= 0 ? 1 : attr_hex(l, d, "revision", 0xff, false, &v);
	if (ret < 0)
		return ret;
	fn->revision = (uint8_t)(!ret ? v : info->revision >= 0 ? (uint64_t)info->revision : 0);
	return 0;
}

/*
 * A link width attribute: the register's 6-bit field (0-63), or 255, the
 * kernel's PCIE_LNK_WIDTH_UNKNOWN, which is taken as absent (1).  The
 * widths in between no kernel writes, and the model cannot hold them.
 */
static int link_width(struct sysfs_load *l, const struct p2pdma_dir *d, const char *name, int64_t *w)
{
	int ret = attr_dec(l, d, name, 0, 255, false, w);

	if (ret || *w <= P2PDMA_LINK_WIDTH_MAX)
		return ret;
	if (*w == 255)
		return 1;
	return fail_at(l, name, -ERANGE, "%lld is not a link width (0-%d, or 255 for unknown)",
		       (long long)*w, P2PDMA_LINK_WIDTH_MAX);
}

/* sysfs link attributes first (the kernel's view), the Link registers otherwise. */
static int read_link_state(struct sysfs_load *l, const struct p2pdma_dir *d, const struct p2pdma_cfg_info *info,
			   struct p2pdma_link *link)
{
	int64_t w;
	int ret;

	ret = attr_speed(l, d, "current_link_speed", &link->speed);
	if (ret < 0)
		return ret;
	if (ret && info->link_known)
		link->speed = info->link.speed;
	ret = attr_speed(l, d, "max_link_speed", &link->max_speed);
	if (ret < 0)
		return ret;
	if (ret && info->link_known)
		link->max_speed = info->link.max_speed;
	ret = link_width(l, d, "current_link_width", &w);
	if (ret < 0)
		return ret;
	link->width = !ret ? (uint32_t)w : info->link_known ? info->link.width : 0;
	ret = link_width(l, d, "max_link_width", &w);
	if (ret < 0)
		return ret;
	link->max_width = !ret ? (uint32_t)w : info->link_known ? info->link.max_width : 0;
	return 0;
}

static int read_bus_numbers(struct sysfs_load *l, const struct p2pdma_dir *d, const struct p2pdma_cfg_info *info,
			    struct p2pdma_function *fn)
{
	int64_t v;
	int ret;

	ret = attr_dec(l, d, "secondary_bus_number", 0, 255, false, &v);
	if (ret < 0)
		return ret;
	fn->secondary_bus = !ret ? (int)v : info->secondary_bus;
	ret = attr_dec(l, d, "subordinate_bus_number", 0, 255, false, &v);
	if (ret < 0)
		return ret;
	fn->subordinate_bus = !ret ? (int)v : info->subordinate_bus;
	return 0;
}

static int read_resources(struct sysfs_load *l, const struct p2pdma_dir *d, struct p2pdma_function *fn)
{
	size_t len;
	int ret = read_attr(l, d, "resource", false, &len);

	if (ret)
		return ret < 0 ? ret : 0;
	ret = p2pdma_sysfs_parse_resource(l->attr, len, fn->bars, l->e);
	return ret ? prefix_at(l, "resource", ret) : 0;
}

static int read_p2pmem_files(struct sysfs_load *l, const struct p2pdma_dir *pd, struct p2pdma_p2pmem *p)
{
	size_t len;
	int64_t v;
	int ret;

	ret = attr_dec(l, pd, "size", 0, INT64_MAX, true, &v);
	if (ret)
		return ret;
	p->size = (uint64_t)v;
	ret = attr_dec(l, pd, "available", 0, INT64_MAX, true, &v);
	if (ret)
		return ret;
	p->available = (uint64_t)v;
	ret = read_attr(l, pd, "published", true, &len);
	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_bool(l->attr, len, &p->published, l->e);
	if (ret)
		return prefix_at(l, "published", ret);
	if (p->available > p->size)
		return fail_at(l, "available", -EINVAL,
			       "%llu bytes available in a pool of %llu bytes",
			       (unsigned long long)p->available,
			       (unsigned long long)p->size);
	p->present = true;
	return 0;
}

/* p2pmem/ exists only once a driver gave the kernel a p2pmem pool. */
static int read_p2pmem(struct sysfs_load *l, const struct p2pdma_dir *d, struct p2pdma_p2pmem *p)
{
	size_t save = l->rel_len;
	struct p2pdma_dir pd;
	int ret;

	if (!present(l, P2PDMA_SYSFS_P2PMEM))
		return 0;
	ret = p2pdma_dir_open(d, P2PDMA_SYSFS_P2PMEM, &pd);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return fail_at(l, P2PDMA_SYSFS_P2PMEM, -EINVAL, "cannot open the directory: %s",
			       ret == -ELOOP ? "it is a symbolic link" : strerror(-ret));
	ret = rel_push(l, P2PDMA_SYSFS_P2PMEM);
	if (!ret) {
		uint32_t mask = l->present;

		l->present = PRESENT_ALL;
		ret = read_p2pmem_files(l, &pd, p);
		l->present = mask;
	}
	rel_pop(l, save);
	p2pdma_dir_close(&pd);
	return ret;
}

static int read_links(struct sysfs_load *l, const struct p2pdma_dir *d, struct p2pdma_function *fn,
		      struct fn_extra *x)
{
	char name[256];
	int64_t group;
	int ret;

	ret = attr_link(l, d, "iommu_group", name, sizeof(name));
	if (ret < 0)
		return ret;
	if (!ret) {
		ret = p2pdma_sysfs_parse_dec(name, strlen(name), 0, INT_MAX, &group, l->e);
		if (ret)
			return prefix_at(l, "iommu_group", ret);
		fn->iommu_group = (int)group;
	}
	ret = attr_link(l, d, "driver", x->driver, sizeof(x->driver));
	if (ret < 0)
		return ret;
	fn->driver = ret ? NULL : x->driver;
	ret = attr_link(l, d, "physfn", name, sizeof(name));
	if (ret < 0)
		return ret;
	x->has_pf = !ret;
	if (x->has_pf && !p2pdma_sysfs_parse_fn_name(name, &x->pf))
		return fail_at(l, "physfn", -EINVAL, "the link names '%s', not a PCI function",
			       name);
	return 0;
}

static bool class_is_bridge(uint32_t class_code)
{
	unsigned int cls = class_code >> 8;

	/* PCI-PCI, CardBus, semi-transparent PCI-PCI */
	return cls == 0x0604 || cls == 0x0607 || cls == 0x0609;
}

/*
 * Bridge or not from the header type when config space says it, else
 * from the class.  The kind of bridge from the Express capability; a
 * bridge whose capabilities were read and that has none is conventional.
 * What is left unknown, p2pdma_fabric_finalize() infers from position.
 */
static void set_role(struct p2pdma_function *fn, const struct p2pdma_cfg_info *info)
{
	bool bridge;

	if (info->header_type == 0)
		bridge = false;
	else if (info->header_type == 1 || info->header_type == 2)
		bridge = true;
	else
		bridge = class_is_bridge(fn->class_code);
	fn->pcie_type = info->pcie_type;
	if (!bridge) {
		fn->role = P2PDMA_ROLE_ENDPOINT;
		return;
	}
	switch (info->pcie_type) {
	case 0x4:
		fn->role = P2PDMA_ROLE_ROOT_PORT;
		break;
	case 0x5:
		fn->role = P2PDMA_ROLE_SWITCH_UPSTREAM;
		break;
	case 0x6:
		fn->role = P2PDMA_ROLE_SWITCH_DOWNSTREAM;
		break;
	case 0x7:
	case 0x8:
		fn->role = P2PDMA_ROLE_PCI_BRIDGE;
		break;
	default:
		if (info->header_type == 2 || (info->caps_read && info->pcie_type < 0))
			fn->role = P2PDMA_ROLE_PCI_BRIDGE;
		else
			fn->role = P2PDMA_ROLE_BRIDGE;
		break;
	}
}

static int read_function(struct sysfs_load *l, const struct p2pdma_dir *d, struct p2pdma_function *fn,
			 struct fn_extra *x)
{
	struct p2pdma_cfg_info info;
	int64_t numa;
	int ret;

	ret = read_config(l, d, &fn->bdf, &info);
	if (!ret)
		ret = read_ids(l, d, &info, fn);
	if (!ret)
		ret = read_link_state(l, d, &info, &fn->link);
	if (!ret)
		ret = read_bus_numbers(l, d, &info, fn);
	if (!ret)
		ret = read_resources(l, d, fn);
	if (!ret) {
		ret = attr_dec(l, d, "numa_node", -1, INT_MAX, false, &numa);
		fn->numa_node = ret ? -1 : (int)numa;
		ret = ret < 0 ? ret : 0;
	}
	if (!ret) {
		ret = attr_dec(l, d, "dma_mask_bits", 0, 64, false, &numa);
		fn->dma_mask_bits = ret ? -1 : (int)numa;
		ret = ret < 0 ? ret : 0;
	}
	if (!ret)
		ret = read_links(l, d, fn, x);
	if (!ret)
		ret = read_p2pmem(l, d, &fn->p2pmem);
	if (ret)
		return ret;
	set_role(fn, &info);
	fn->acs_state = info.acs_state;
	fn->acs_cap = info.acs_cap;
	fn->acs_ctrl = info.acs_ctrl;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The walk                                                                */

static int walk_list(struct sysfs_load *l, const struct p2pdma_dir *d,
		     const struct p2pdma_dirent *ents, size_t n, struct p2pdma_host_bridge *hb,
		     struct p2pdma_function *parent, int depth);

static bool is_device_entry(const char *name, void *arg)
{
	uint32_t domain;
	uint8_t bus;

	(void)arg;
	return p2pdma_sysfs_bdf_shaped(name) || p2pdma_sysfs_parse_hb_name(name, &domain, &bus);
}

/* In a function's directory: devices below it, and the files the loader reads. */
static bool is_fn_dir_entry(const char *name, void *arg)
{
	return is_device_entry(name, arg) || fn_name_bit(name);
}

/* A device directory must be a real directory: a symlink there means a loop. */
static int open_device_dir(struct sysfs_load *l, const struct p2pdma_dir *parent_dir,
			   const char *name, struct p2pdma_dir *d)
{
	int ret = p2pdma_dir_open(parent_dir, name, d);

	if (ret == -ELOOP)
		return fail_at(l, NULL, -ELOOP,
			       "a symbolic link where sysfs has a device directory (a link loop?)");
	if (ret == -ENOTDIR)
		return fail_at(l, NULL, -EINVAL, "not a directory");
	if (ret)
		return fail_at(l, NULL, ret, "cannot open: %s", strerror(-ret));
	return 0;
}

static int add_pending_pf(struct sysfs_load *l, struct p2pdma_function *vf,
			  const struct p2pdma_bdf *pf)
{
	char path[PATH_MAX + 64];
	struct pending_pf *p;

	if (p2pdma_grow((void **)&l->pfs, &l->pfs_cap, l->nr_pfs + 1, sizeof(*l->pfs)))
		return p2pdma_fail(l->e, -ENOMEM, "out of memory");
	p = &l->pfs[l->nr_pfs];
	p->vf = vf;
	p->pf = *pf;
	p->where = strdup(where(l, "physfn", path, sizeof(path)));
	if (!p->where)
		return p2pdma_fail(l->e, -ENOMEM, "out of memory");
	l->nr_pfs++;
	return 0;
}

static int walk_function(struct sysfs_load *l, const struct p2pdma_dir *parent_dir,
			 const char *name, const struct p2pdma_bdf *bdf, struct p2pdma_host_bridge *hb,
			 struct p2pdma_function *parent, int depth)
{
	struct p2pdma_function tmpl, *fn;
	struct p2pdma_dirent *ents = NULL;
	size_t save = l->rel_len, n = 0, i;
	struct fn_extra x;
	struct p2pdma_dir d;
	int ret;

	ret = rel_push(l, name);
	if (ret)
		return ret;
	if (depth > SYSFS_MAX_DEPTH) {
		ret = fail_at(l, NULL, -ELOOP,
			      "devices nested more than %d deep (a symlink loop copied as directories?)",
			      SYSFS_MAX_DEPTH);
		goto out;
	}
	ret = open_device_dir(l, parent_dir, name, &d);
	if (ret)
		goto out;
	/* One listing gives both the files there are and the devices below. */
	ret = p2pdma_dir_list(&d, is_fn_dir_entry, NULL, &ents, &n);
	if (ret) {
		ret = fail_at(l, NULL, ret, "cannot list: %s", strerror(-ret));
		goto close;
	}
	p2pdma_function_init(&tmpl);
	tmpl.bdf = *bdf;
	l->present = 0;
	for (i = 0; i < n; i++)
		l->present |= fn_name_bit(ents[i].name);
	ret = read_function(l, &d, &tmpl, &x);
	l->present = PRESENT_ALL;
	if (!ret) {
		ret = p2pdma_fabric_add_function(l->f, hb, parent, &tmpl, &fn, l->e);
		if (ret)
			prefix_at(l, NULL, ret);
	}
	if (!ret && x.has_pf)
		ret = add_pending_pf(l, fn, &x.pf);
	if (!ret) {
		l->nr_fns++;
		ret = walk_list(l, &d, ents, n, hb, fn, depth + 1);
	}
	p2pdma_dirents_free(ents, n);
close:
	p2pdma_dir_close(&d);
out:
	rel_pop(l, save);
	return ret;
}

/*
 * A host bridge directory: at the top of sys/devices or, for VMD-style
 * domains, inside a function's directory.  One without functions (the
 * kernel makes them for empty root buses) is left out.
 */
static int walk_host_bridge(struct sysfs_load *l, const struct p2pdma_dir *parent_dir,
			    const char *path, const char *name, int depth)
{
	struct p2pdma_host_bridge *hb;
	struct p2pdma_dirent *ents = NULL;
	size_t save = l->rel_len, n = 0, i, first;
	uint32_t domain;
	uint8_t bus;
	struct p2pdma_dir d;
	int ret;

	if (!p2pdma_sysfs_parse_hb_name(name, &domain, &bus))
		return fail_at(l, path, -EINVAL, "not a host bridge name");
	ret = rel_push(l, path);
	if (ret)
		return ret;
	ret = open_device_dir(l, parent_dir, path, &d);
	if (ret) {
		rel_pop(l, save);
		return ret;
	}
	ret = p2pdma_dir_list(&d, is_device_entry, NULL, &ents, &n);
	if (ret)
		ret = fail_at(l, NULL, ret, "cannot list: %s", strerror(-ret));
	for (i = 0; !ret && i < n && !p2pdma_sysfs_bdf_shaped(ents[i].name); i++)
		;
	if (!ret && i < n) {
		ret = p2pdma_fabric_add_host_bridge(l->f, name, domain, bus, &hb, l->e);
		if (ret)
			prefix_at(l, NULL, ret);
		first = l->f->nr_fns;
		if (!ret)
			ret = walk_list(l, &d, ents, n, hb, NULL, depth + 1);
		/* The kernel takes the host bridge's node from its first root bus device. */
		if (!ret && l->f->nr_fns > first)
			hb->numa_node = l->f->fns[first]->numa_node;
	}
	p2pdma_dirents_free(ents, n);
	p2pdma_dir_close(&d);
	rel_pop(l, save);
	return ret;
}

static int walk_list(struct sysfs_load *l, const struct p2pdma_dir *d,
		     const struct p2pdma_dirent *ents, size_t n, struct p2pdma_host_bridge *hb,
		     struct p2pdma_function *parent, int depth)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		const char *name = ents[i].name;
		struct p2pdma_bdf bdf;

		if (!is_device_entry(name, NULL))
			continue;	/* a function's own files */
		if (p2pdma_sysfs_bdf_shaped(name) && !p2pdma_sysfs_parse_fn_name(name, &bdf))
			ret = fail_at(l, name, -EINVAL,
				      "not a PCI function the kernel names (DDDD:BB:DD.F, device 00-1f, function 0-7)");
		else if (ents[i].type == DT_LNK)
			ret = fail_at(l, name, -ELOOP,
				      "a symbolic link where sysfs has a device directory (a link loop?)");
		else if (ents[i].type != DT_DIR)
			ret = fail_at(l, name, -EINVAL, "not a directory");
		else if (p2pdma_sysfs_parse_fn_name(name, &bdf))
			ret = walk_function(l, d, name, &bdf, hb, parent, depth);
		else
			ret = walk_host_bridge(l, d, name, name, depth);
	}
	return ret;
}

static int walk_devices(struct sysfs_load *l)
{
	char **dirs = NULL;
	size_t nr = 0, i, save = l->rel_len;
	int ret;

	ret = p2pdma_sysfs_host_bridge_dirs(&l->sys, &dirs, &nr);
	if (ret == -ENOENT || ret == -ELOOP || ret == -ENOTDIR)
		return fail_at(l, "sys/devices", -EINVAL,
			       "missing or not a directory: not a sysfs tree");
	if (ret)
		return fail_at(l, "sys", ret, "cannot list devices/ or bus/pci/devices/: %s",
			       strerror(-ret));
	ret = rel_push(l, "sys");
	for (i = 0; !ret && i < nr; i++) {
		const char *slash = strrchr(dirs[i], '/');

		ret = walk_host_bridge(l, &l->sys, dirs[i], slash ? slash + 1 : dirs[i], 0);
	}
	rel_pop(l, save);
	p2pdma_sysfs_free_dirs(dirs, nr);
	return ret;
}

/* Link each VF to its PF, now that every function is known. */
static int resolve_pfs(struct sysfs_load *l)
{
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < l->nr_pfs; i++) {
		struct pending_pf *p = &l->pfs[i];

		p->vf->physfn = p2pdma_fabric_find(l->f, &p->pf);
		if (!p->vf->physfn)
			return p2pdma_fail(l->e, -EINVAL, "%s: the PF %s is not in the capture",
					   p->where, p2pdma_bdf_format(&p->pf, name, sizeof(name)));
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* /proc and the IOMMU groups                                              */

static int open_proc(struct sysfs_load *l, struct p2pdma_dir *pd)
{
	int ret = p2pdma_dir_open(&l->root, "proc", pd);

	if (ret == -ENOENT)
		return 1;
	if (ret)
		return fail_at(l, "proc", -EINVAL, "cannot open: %s",
			       ret == -ELOOP ? "it is a symbolic link" : strerror(-ret));
	return 0;
}

/* A whole /proc file; 1 when it is not there. */
static int read_proc_file(struct sysfs_load *l, const struct p2pdma_dir *pd, const char *name, char **buf,
			  size_t *len)
{
	int ret = p2pdma_dir_read_all(pd, name, P2PDMA_PROC_FILE_MAX, buf, len);

	if (ret == -ENOENT)
		return 1;
	if (ret == -ELOOP)
		return fail_at(l, name, -EINVAL, "a symbolic link where /proc has a file");
	if (ret == -ESPIPE)
		return fail_at(l, name, -EINVAL, "a FIFO or device where /proc has a file");
	if (ret == -EFBIG)
		return fail_at(l, name, -EINVAL, "longer than %d bytes", P2PDMA_PROC_FILE_MAX);
	if (ret)
		return fail_at(l, name, ret, "cannot read: %s", strerror(-ret));
	return 0;
}

/*
 * Host RAM from /proc/iomem, for the address map.  Without root every
 * address reads 0: RAM stays unknown, and the loader says so once.
 */
static int read_iomem(struct sysfs_load *l, const struct p2pdma_dir *pd)
{
	struct p2pdma_ram_range *ram;
	size_t len, nr, i;
	bool hidden;
	char *buf;
	int ret = read_proc_file(l, pd, "iomem", &buf, &len);

	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_iomem(buf, len, &ram, &nr, &hidden, l->e);
	free(buf);
	if (ret)
		return prefix_at(l, "iomem", ret);
	if (hidden) {
		char path[PATH_MAX + 64];

		p2pdma_log(l->log, l->log_arg, P2PDMA_LOG_INFO,
			   "%s: addresses are hidden (read without root): host RAM is unknown",
			   where(l, "iomem", path, sizeof(path)));
	}
	for (i = 0; i < nr && !ret; i++)
		ret = p2pdma_fabric_add_ram(l->f, ram[i].start, ram[i].size, -1, l->e);
	free(ram);
	return ret ? prefix_at(l, "iomem", ret) : 0;
}

/* Longest release the kernel keeps (__NEW_UTS_LEN). */
#define OSRELEASE_MAX 64

/*
 * The kernel release (proc/sys/kernel/osrelease): the policy's rules
 * depend on it.  Absent (older captures, other roots): unknown.
 */
static int read_osrelease(struct sysfs_load *l, const struct p2pdma_dir *pd)
{
	size_t save = l->rel_len, len;
	struct p2pdma_dir kd;
	char *buf, *rel;
	int ret;

	ret = p2pdma_dir_open(pd, "sys/kernel", &kd);
	if (ret == -ENOENT || ret == -ENOTDIR)
		return 0;
	if (ret)
		return fail_at(l, "sys/kernel", -EINVAL, "cannot open: %s",
			       ret == -ELOOP ? "it is a symbolic link" : strerror(-ret));
	ret = rel_push(l, "sys/kernel");
	if (!ret)
		ret = read_proc_file(l, &kd, "osrelease", &buf, &len);
	if (!ret) {
		ret = p2pdma_sysfs_parse_line(buf, len, false, &rel, l->e);
		free(buf);
		if (!ret) {
			if (strlen(rel) > OSRELEASE_MAX)
				ret = p2pdma_fail(l->e, -EINVAL, "longer than %d characters",
						  OSRELEASE_MAX);
			else
				ret = p2pdma_fabric_set_kernel_release(l->f, rel);
			if (ret == -EINVAL && strlen(rel) <= OSRELEASE_MAX)
				p2pdma_fail(l->e, ret, "'%s' is not a kernel release", rel);
			else if (ret == -ENOMEM)
				p2pdma_fail(l->e, ret, "out of memory");
			free(rel);
		}
		if (ret)
			prefix_at(l, "osrelease", ret);
	}
	p2pdma_dir_close(&kd);
	rel_pop(l, save);
	return ret < 0 ? ret : 0;
}

/*
 * The boot CPU (the policy's host-bridge rule needs it), the kernel
 * command line and release, and host RAM.
 */
static int read_proc(struct sysfs_load *l)
{
	size_t save = l->rel_len, len;
	char *buf, *cmdline;
	struct p2pdma_dir pd;
	int ret;

	ret = open_proc(l, &pd);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = rel_push(l, "proc");
	if (!ret)
		ret = read_proc_file(l, &pd, "cpuinfo", &buf, &len);
	if (!ret) {
		ret = p2pdma_sysfs_parse_cpuinfo(buf, len, &l->f->cpu, l->e);
		free(buf);
		if (ret)
			prefix_at(l, "cpuinfo", ret);
	}
	if (ret >= 0)
		ret = read_proc_file(l, &pd, "cmdline", &buf, &len);
	if (!ret) {
		ret = p2pdma_sysfs_parse_line(buf, len, true, &cmdline, l->e);
		free(buf);
		if (ret) {
			prefix_at(l, "cmdline", ret);
		} else {
			ret = p2pdma_fabric_set_cmdline(l->f, cmdline);
			free(cmdline);
			if (ret)
				p2pdma_fail(l->e, ret, "out of memory");
		}
	}
	if (ret >= 0)
		ret = read_osrelease(l, &pd);
	if (ret >= 0)
		ret = read_iomem(l, &pd);
	p2pdma_dir_close(&pd);
	rel_pop(l, save);
	return ret < 0 ? ret : 0;
}

static bool is_group_name(const char *name, void *arg)
{
	(void)arg;
	return name[0] >= '0' && name[0] <= '9' && strspn(name, "0123456789") == strlen(name);
}

static int read_group(struct sysfs_load *l, const struct p2pdma_dir *gd, int id)
{
	char *type = NULL;
	size_t len;
	int ret = read_attr(l, gd, "type", false, &len);

	if (ret < 0)
		return ret;
	if (!ret) {
		ret = p2pdma_sysfs_parse_line(l->attr, len, false, &type, l->e);
		if (ret)
			return prefix_at(l, "type", ret);
	}
	ret = p2pdma_fabric_set_iommu_group_type(l->f, id, type, l->e);
	free(type);
	return ret;
}

static int read_iommu_groups(struct sysfs_load *l)
{
	struct p2pdma_dirent *ents = NULL;
	size_t save = l->rel_len, n = 0, i;
	struct p2pdma_dir d;
	int ret, err;

	err = p2pdma_dir_open(&l->sys, "kernel/iommu_groups", &d);
	if (err == -ENOENT)
		return 0;
	ret = rel_push(l, "sys/kernel/iommu_groups");
	if (!ret && err)
		ret = fail_at(l, NULL, -EINVAL, "cannot open: %s",
			      err == -ELOOP ? "a symbolic link on the way" : strerror(-err));
	if (!ret) {
		ret = p2pdma_dir_list(&d, is_group_name, NULL, &ents, &n);
		if (ret)
			ret = fail_at(l, NULL, ret, "cannot list: %s", strerror(-ret));
	}
	for (i = 0; !ret && i < n; i++) {
		size_t gsave = l->rel_len;
		struct p2pdma_dir gd;
		int64_t id;

		ret = rel_push(l, ents[i].name);
		if (!ret && p2pdma_sysfs_parse_dec(ents[i].name, strlen(ents[i].name), 0,
						   INT_MAX, &id, l->e))
			ret = prefix_at(l, NULL, -ERANGE);
		if (!ret) {
			ret = open_device_dir(l, &d, ents[i].name, &gd);
			if (!ret)
				ret = read_group(l, &gd, (int)id);
			p2pdma_dir_close(&gd);
		}
		rel_pop(l, gsave);
	}
	p2pdma_dirents_free(ents, n);
	p2pdma_dir_close(&d);
	rel_pop(l, save);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Finding sys/ and putting it together                                    */

static int find_root(struct sysfs_load *l)
{
	char *sub = NULL;
	size_t found;
	int ret, err;

	ret = p2pdma_sysfs_find_root(&l->dir, &sub, &found);
	if (ret == -ENOENT)
		ret = p2pdma_fail(l->e, -EINVAL,
				  "%s: no sys/ directory here or in a subdirectory: not a sysfs tree or capture",
				  l->display);
	else if (ret == -EEXIST)
		ret = p2pdma_fail(l->e, -EINVAL,
				  "%s: %zu subdirectories hold a sys/ tree; name the one to load",
				  l->display, found);
	else if (ret)
		ret = p2pdma_fail(l->e, ret, "%s: %s", l->display, strerror(-ret));
	if (ret)
		return ret;
	if (!sub) {
		err = p2pdma_dir_open(&l->dir, "", &l->root);
		if (err)
			return p2pdma_fail(l->e, err, "%s: %s", l->display, strerror(-err));
	} else {
		/* hwloc-gather-topology's layout: the tree is in a directory named after the machine. */
		l->top = sub;
		err = p2pdma_dir_open(&l->dir, sub, &l->root);
		ret = rel_push(l, sub);
		if (!ret && err)
			ret = fail_at(l, NULL, err, "cannot open: %s", strerror(-err));
		if (ret)
			return ret;
	}
	err = p2pdma_dir_open(&l->root, "sys", &l->sys);
	if (err)
		return fail_at(l, "sys", err, "cannot open: %s", strerror(-err));
	return 0;
}

/* One line for all functions whose ACS state could not be read, with the fix. */
static void report_acs(struct sysfs_load *l)
{
	static const char *const why[] = {
		[P2PDMA_CFG_MISSING] = "the tree has no config file",
		[P2PDMA_CFG_UNPRIVILEGED] = "config space was read without root (64 bytes)",
		[P2PDMA_CFG_NO_EXTENDED] = "config space stops at 256 bytes (no extended capabilities)",
		[P2PDMA_CFG_CUT] = "the ACS capability runs past the end of config space",
		[P2PDMA_CFG_NOT_ANSWERING] = "config space reads as all ones (device not answering)",
	};
	struct p2pdma_buf b = { 0 };
	size_t unknown = 0, i;
	const char *sep = ": ";
	char *msg;

	for (i = P2PDMA_CFG_MISSING; i < ARRAY_SIZE(why); i++)
		unknown += l->shortfall[i];
	if (!unknown)
		return;
	p2pdma_buf_printf(&b, "ACS state unknown for %zu of %zu functions", unknown, l->nr_fns);
	for (i = P2PDMA_CFG_MISSING; i < ARRAY_SIZE(why); i++) {
		if (!l->shortfall[i])
			continue;
		p2pdma_buf_printf(&b, "%s%s", sep, why[i]);
		if (l->shortfall[i] != unknown)
			p2pdma_buf_printf(&b, " (%zu)", l->shortfall[i]);
		sep = ", ";
	}
	if (unknown != l->shortfall[P2PDMA_CFG_NOT_ANSWERING])
		p2pdma_buf_puts(&b, "; run as root or capture as root");
	if (!p2pdma_buf_finish(&b, &msg)) {
		p2pdma_log(l->log, l->log_arg, P2PDMA_LOG_WARN, "%s", msg);
		free(msg);
	}
}

static int load_tree(struct sysfs_load *l)
{
	int ret;

	ret = find_root(l);
	if (!ret)
		ret = walk_devices(l);
	if (!ret)
		ret = resolve_pfs(l);
	if (!ret)
		ret = read_proc(l);
	if (!ret)
		ret = read_iommu_groups(l);
	if (ret)
		return ret;
	if (!l->f->nr_hbs)
		p2pdma_log(l->log, l->log_arg, P2PDMA_LOG_WARN,
			   "%s: no PCI host bridge with devices under sys/devices",
			   l->display);
	report_acs(l);
	return 0;
}

static void sysfs_load_free(struct sysfs_load *l)
{
	size_t i;

	p2pdma_dir_close(&l->sys);
	p2pdma_dir_close(&l->root);
	p2pdma_dir_close(&l->dir);
	p2pdma_cfg_reader_free(l->cfg);
	for (i = 0; i < l->nr_pfs; i++)
		free(l->pfs[i].where);
	free(l->pfs);
	free(l->top);
	free(l);
}

int p2pdma_load_sysfs(struct p2pdma_fabric *f, const char *path,
		      const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	struct p2pdma_memtree *tree = NULL;
	struct sysfs_load *l;
	struct stat st;
	int ret;

	if (!path)
		path = "/";
	if (stat(path, &st))
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return p2pdma_fail(e, -EINVAL, "%s: neither a directory nor a capture tarball",
				   path);
	l = calloc(1, sizeof(*l));
	if (!l)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	l->f = f;
	l->opts = opts;
	l->e = e;
	l->log = opts ? opts->log : NULL;
	l->log_arg = opts ? opts->log_arg : NULL;
	l->display = path;
	l->present = PRESENT_ALL;
	if (S_ISDIR(st.st_mode)) {
		l->sep = path[strlen(path) - 1] == '/' ? "" : "/";
		ret = p2pdma_dir_open_fs(path, &l->dir);
		if (ret)
			p2pdma_fail(e, ret, "%s: %s", path, strerror(-ret));
	} else {
		static const struct p2pdma_unpack_opts unpack = {
			P2PDMA_ARCHIVE_MAX_BYTES, P2PDMA_ARCHIVE_MAX_ENTRIES,
			p2pdma_sysfs_wanted, 0,
		};

		/* Read into memory, never unpacked to disk: see access/. */
		ret = p2pdma_archive_read(path, &unpack, &tree, e);
		if (!ret)
			l->dir = p2pdma_dir_open_mem(tree);
		l->sep = ": ";
	}
	if (!ret)
		ret = load_tree(l);
	sysfs_load_free(l);
	p2pdma_memtree_free(tree);
	return ret;
}
