/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a function's config space says: header type, PCIe port type, link
 * registers, the ACS capability, and how much of it could be read at all.
 * The capability walk is the kernel's, over the bytes given and no others.
 */
#ifndef P2PDMA_CFGSPACE_H
#define P2PDMA_CFGSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

/* Config space sizes: PCI, PCIe.  Unprivileged sysfs reads stop at 64 (128 for CardBus). */
#define P2PDMA_CFG_PCI_SIZE	256
#define P2PDMA_CFG_PCIE_SIZE	4096

/* Why the ACS state came out unknown, for the loader's one summary line. */
enum p2pdma_cfg_short {
	P2PDMA_CFG_COMPLETE,	/* everything the ACS rule needs was there */
	P2PDMA_CFG_MISSING,	/* no config file */
	P2PDMA_CFG_UNPRIVILEGED,/* 64 or 128 bytes: read without root */
	P2PDMA_CFG_NO_EXTENDED,	/* 256 bytes of a PCIe function: no extended space */
	P2PDMA_CFG_CUT,		/* the ACS capability runs past the bytes given */
	P2PDMA_CFG_NOT_ANSWERING,/* reads as all ones: the device did not answer */
};

struct p2pdma_cfg_info {
	enum p2pdma_cfg_short shortfall;
	int header_type;		/* low 7 bits of 0x0e, -1 unknown */
	int revision;			/* -1 unknown */
	int secondary_bus, subordinate_bus;	/* type 1 header, else -1 */
	int subsys_vendor, subsys_device;	/* type 0 header, else -1 */
	bool caps_read;			/* the capability list was walked */
	int pcie_type;			/* Device/Port Type, -1 without Express cap */
	bool link_known;		/* link registers were read */
	struct p2pdma_link link;
	enum p2pdma_acs_state acs_state;
	uint16_t acs_cap, acs_ctrl;
};

/* One handle for a whole load (it opens nothing; @sysfs_bus_pci is unused). */
struct p2pdma_cfg_reader;

int p2pdma_cfg_reader_new(const char *sysfs_bus_pci, struct p2pdma_cfg_reader **out,
			  struct p2pdma_error *e);
void p2pdma_cfg_reader_free(struct p2pdma_cfg_reader *r);

/*
 * Decode @len bytes of @bdf's config space (@cfg NULL: no config file).
 * The ACS rule: missing or under 256 bytes -> unknown; 256 bytes with an
 * Express capability -> unknown (the extended space was not captured);
 * 256 bytes without one -> absent; 4096 -> present or absent as found.
 * A length sysfs never gives (anything but 64, 128, 256, 4096) is
 * -EINVAL.  @r may be NULL when @len is under 256.
 */
int p2pdma_cfg_decode(struct p2pdma_cfg_reader *r, const struct p2pdma_bdf *bdf,
		      const uint8_t *cfg, size_t len, struct p2pdma_cfg_info *info,
		      struct p2pdma_error *e);

/*
 * Read @n (1, 2 or 4) little-endian bytes at @off into @v; false when
 * they are not all within the @len bytes of @cfg.
 */
bool p2pdma_cfg_read(const uint8_t *cfg, size_t len, unsigned int off, unsigned int n,
		     uint32_t *v);

/*
 * The kernel's capability walks over @len bytes of @cfg: the offset of
 * the first capability @id, or 0 when there is none or the list leaves
 * the bytes given.  Standard: the status bit, pointer at 0x34 (0x14 for
 * CardBus), pointers below 0x40 or ID 0xff end it, 48 steps at most.
 * Extended: from 0x100, a next pointer below 0x100 ends it, 480 steps.
 */
unsigned int p2pdma_cfg_find_cap(const uint8_t *cfg, size_t len, unsigned int id);
unsigned int p2pdma_cfg_find_ext_cap(const uint8_t *cfg, size_t len, unsigned int id);

/* PCIe link speed code (Link Capabilities/Status bits 3:0) in MT/s; 0 unknown. */
uint32_t p2pdma_cfg_speed_mts(unsigned int code);

#endif /* P2PDMA_CFGSPACE_H */
