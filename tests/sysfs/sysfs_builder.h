/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building small sysfs trees by hand for the loader tests, and comparing
 * two loaded models field by field.
 *
 * Config space bytes are laid out here from the PCI and PCIe
 * specifications (header fields, a PM capability in front of the Express
 * capability, AER in front of ACS in the extended list), independently
 * of the loader, so a test's expected values are the ones written here.
 */
#ifndef P2PDMA_SYSFS_BUILDER_H
#define P2PDMA_SYSFS_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma.h"

/* PCIe Device/Port Type values (Express Capabilities register bits 7:4). */
#define SB_PCIE_ENDPOINT	0x0
#define SB_PCIE_ROOT_PORT	0x4
#define SB_PCIE_UPSTREAM	0x5
#define SB_PCIE_DOWNSTREAM	0x6
#define SB_PCIE_TO_PCI		0x7

struct sb_cfg {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;
	uint8_t revision;
	int header_type;		/* 0 endpoint, 1 bridge */
	uint8_t secondary, subordinate;	/* bridges */
	int pcie_type;			/* -1: no Express capability */
	unsigned int lnk_max_speed, lnk_max_width;	/* codes: 1 = 2.5 GT/s ... */
	unsigned int lnk_speed, lnk_width;
	bool acs;			/* an ACS extended capability */
	uint16_t acs_cap, acs_ctrl;
	size_t len;			/* bytes of the config file: 64, 256, 4096 ... */
};

/* A template: 4096 bytes, no Express capability, no ACS. */
void sb_cfg_init(struct sb_cfg *c, uint16_t vendor, uint16_t device, uint32_t class_code);
/* The config space bytes (at least c->len long). */
void sb_cfg_bytes(const struct sb_cfg *c, uint8_t *buf);

/* Files under a root directory; every helper fails the test on error. */
void sb_mkdirs(const char *root, const char *rel);
void sb_write(const char *root, const char *rel, const void *data, size_t len);
void sb_printf(const char *root, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sb_symlink(const char *root, const char *rel, const char *target);
/* A FIFO at @rel, in place of the file there. */
void sb_fifo(const char *root, const char *rel);
void sb_remove(const char *root, const char *rel);

/*
 * A function directory at @rel ("sys/devices/pci0000:00/0000:00:01.0")
 * with the attributes sysfs shows for @c: vendor, device, subsystem_*,
 * class, revision, config (c->len bytes), resource (six unused BARs and
 * a ROM line), numa_node, link attributes when @c has a link, bus
 * numbers for a bridge, and a sys/bus/pci/devices link.
 */
void sb_function(const char *root, const char *rel, const struct sb_cfg *c);

/* A minimal proc/: a cpuinfo for @vendor/@family/@model and a cmdline. */
void sb_proc(const char *root, const char *vendor, unsigned int family,
	     unsigned int model, const char *cmdline);

/* Pack @dir's contents (as "tar -C dir -caf out .") into @out; the suffix picks compression. */
void sb_tar(const char *dir, const char *out);

/*
 * Compare two finalized models field by field; fails the test naming the
 * first difference.
 */
void sb_assert_same_model(const struct p2pdma_fabric *a, const struct p2pdma_fabric *b);

/* Load @path with a log hook that counts warnings into *warnings (may be NULL). */
struct p2pdma_fabric *sb_load(const char *path, int *warnings, char *last_warning,
			      size_t len);

#endif /* P2PDMA_SYSFS_BUILDER_H */
