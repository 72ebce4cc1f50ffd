/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shape of a sysfs tree as the loader reads it and a capture stores
 * it: which files of a function directory matter, and where the host
 * bridge directories are.
 */
#ifndef P2PDMA_SYSFS_LAYOUT_H
#define P2PDMA_SYSFS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

struct p2pdma_dir;

/*
 * The one limit for a /proc file (cpuinfo, cmdline, iomem), for the
 * loader and for capture alike, so a capture always loads back.
 * cpuinfo runs to about 2 KiB per logical CPU (Sapphire Rapids, Zen 4):
 * 16 MiB is 8192 of them.
 */
#define P2PDMA_PROC_FILE_MAX	(16 * 1024 * 1024)

/* Attribute files of a PCI function directory, NULL-terminated. */
extern const char *const p2pdma_sysfs_fn_files[];
/* Symlinks of a PCI function directory whose targets carry facts. */
extern const char *const p2pdma_sysfs_fn_links[];
/* The kernel's p2pmem pool state, in the P2PDMA_SYSFS_P2PMEM subdirectory. */
#define P2PDMA_SYSFS_P2PMEM "p2pmem"
extern const char *const p2pdma_sysfs_p2pmem_files[];

/*
 * The top-level host bridge directories under the sys/ directory @sys,
 * as paths relative to it ("devices/pci0000:00").  Most are directly in
 * devices/; on some platforms (device-tree PCIe controllers, Hyper-V)
 * they hang deeper, and the sys/bus/pci/devices links say where.  Links
 * that lead outside sys/devices are ignored.  Host bridges nested in a
 * function's directory (VMD) are not listed: a walk finds them there.
 * Sorted; free with p2pdma_sysfs_free_dirs().
 */
int p2pdma_sysfs_host_bridge_dirs(const struct p2pdma_dir *sys, char ***dirs, size_t *nr);
void p2pdma_sysfs_free_dirs(char **dirs, size_t nr);

/*
 * Whether the loader can read the tarball entry @path (a directory when
 * @dir): the files and links above in function directories, the host
 * bridge and function directories themselves, the sys/bus/pci/devices
 * links, sys/kernel/iommu_groups/N/type, proc/cpuinfo, proc/cmdline and proc/sys/kernel/osrelease, with or
 * without one leading directory (hwloc-gather-topology's layout).
 * Reading only these makes loading a big capture cheap; intermediate
 * directories are made as needed.
 */
bool p2pdma_sysfs_wanted(const char *path, bool dir);

/*
 * Where sys/ is in the directory @d: in it (*sub = NULL), or, as
 * hwloc-gather-topology writes captures, in exactly one subdirectory
 * (*sub = its malloc'ed name).  -ENOENT when neither, -EEXIST when
 * several subdirectories hold one (*nr_found says how many).
 */
int p2pdma_sysfs_find_root(const struct p2pdma_dir *d, char **sub, size_t *nr_found);

#endif /* P2PDMA_SYSFS_LAYOUT_H */
