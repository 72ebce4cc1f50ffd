// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Config space decoding from the bytes the loader read.
 *
 * The loader reads each `config` file itself, because the ACS rule needs
 * to know how many bytes were readable (64 without root, 256 or 4096
 * with it).  The capability lists are walked here, over those bytes
 * only, the way the kernel walks them (drivers/pci/pci.c): a standard
 * pointer below 0x40 or an ID of 0xff ends the list, at most 48 steps;
 * an extended next pointer below 0x100 ends it, at most 480 steps; the
 * first capability with the ID is the one that counts.  A register past
 * the bytes given is unknown.  Nothing here opens a file: libpci's walk
 * fell through to its sysfs method for such registers and so read
 * whatever a link in a hostile tree pointed at (a FIFO hung it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pci/header.h>

#include "cfgspace.h"
#include "util.h"

/* ACS extended capability registers, relative to the capability. */
#define ACS_CAP_REG	0x04
#define ACS_CTRL_REG	0x06

/* The kernel's walk limits: 48 standard capabilities, 8 bytes per extended one. */
#define CAP_TTL		48
#define EXT_CAP_TTL	((P2PDMA_CFG_PCIE_SIZE - P2PDMA_CFG_PCI_SIZE) / 8)

/* Nothing to hold any more; the handle stays so callers need not change. */
struct p2pdma_cfg_reader {
	int unused;
};

int p2pdma_cfg_reader_new(const char *sysfs_bus_pci, struct p2pdma_cfg_reader **out,
			  struct p2pdma_error *e)
{
	(void)sysfs_bus_pci;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : p2pdma_fail(e, -ENOMEM, "out of memory");
}

void p2pdma_cfg_reader_free(struct p2pdma_cfg_reader *r)
{
	free(r);
}

uint32_t p2pdma_cfg_speed_mts(unsigned int code)
{
	static const uint32_t mts[] = { 0, 2500, 5000, 8000, 16000, 32000, 64000 };

	return code < ARRAY_SIZE(mts) ? mts[code] : 0;
}

bool p2pdma_cfg_read(const uint8_t *cfg, size_t len, unsigned int off, unsigned int n,
		     uint32_t *v)
{
	unsigned int i;

	if (off > len || n > len - off)
		return false;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint32_t)cfg[off + i] << (8 * i);
	return true;
}

static unsigned int rd16(const uint8_t *cfg, size_t len, unsigned int off)
{
	uint32_t v;

	return p2pdma_cfg_read(cfg, len, off, 2, &v) ? v : 0xffff;
}

unsigned int p2pdma_cfg_find_cap(const uint8_t *cfg, size_t len, unsigned int id)
{
	unsigned int start, pos, ttl = CAP_TTL;
	uint32_t ent;

	if (len < 0x40 || !(rd16(cfg, len, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	switch (cfg[PCI_HEADER_TYPE] & 0x7f) {
	case PCI_HEADER_TYPE_NORMAL:
	case PCI_HEADER_TYPE_BRIDGE:
		start = PCI_CAPABILITY_LIST;
		break;
	case PCI_HEADER_TYPE_CARDBUS:
		start = PCI_CB_CAPABILITY_LIST;
		break;
	default:
		return 0;
	}
	pos = cfg[start];
	while (ttl--) {
		if (pos < 0x40)
			break;
		pos &= ~3u;
		if (!p2pdma_cfg_read(cfg, len, pos, 2, &ent))
			break;
		if ((ent & 0xff) == 0xff)
			break;
		if ((ent & 0xff) == id)
			return pos;
		pos = ent >> 8;
	}
	return 0;
}

unsigned int p2pdma_cfg_find_ext_cap(const uint8_t *cfg, size_t len, unsigned int id)
{
	unsigned int pos = P2PDMA_CFG_PCI_SIZE, ttl = EXT_CAP_TTL;
	uint32_t hdr;

	if (!p2pdma_cfg_read(cfg, len, pos, 4, &hdr) || !hdr)
		return 0;
	while (ttl--) {
		if ((hdr & 0xffff) == id)
			return pos;
		pos = (hdr >> 20) & 0xffc;
		if (pos < P2PDMA_CFG_PCI_SIZE || !p2pdma_cfg_read(cfg, len, pos, 4, &hdr))
			break;
	}
	return 0;
}

/* The fixed part of the header: no capability walk needed. */
static void decode_header(const uint8_t *cfg, struct p2pdma_cfg_info *info)
{
	info->header_type = cfg[PCI_HEADER_TYPE] & 0x7f;
	info->revision = cfg[PCI_REVISION_ID];
	if (info->header_type == PCI_HEADER_TYPE_BRIDGE) {
		info->secondary_bus = cfg[PCI_SECONDARY_BUS];
		info->subordinate_bus = cfg[PCI_SUBORDINATE_BUS];
	} else if (info->header_type == PCI_HEADER_TYPE_NORMAL) {
		info->subsys_vendor = (int)rd16(cfg, 64, PCI_SUBSYSTEM_VENDOR_ID);
		info->subsys_device = (int)rd16(cfg, 64, PCI_SUBSYSTEM_ID);
	}
}

/* Port type and link; registers past the bytes given leave the link unknown. */
static void decode_express(const uint8_t *cfg, size_t len, unsigned int exp,
			   struct p2pdma_cfg_info *info)
{
	uint32_t flags, lnkcap, lnksta;

	if (!p2pdma_cfg_read(cfg, len, exp + PCI_EXP_FLAGS, 2, &flags))
		return;
	info->pcie_type = (int)((flags & PCI_EXP_FLAGS_TYPE) >> 4);
	if (!p2pdma_cfg_read(cfg, len, exp + PCI_EXP_LNKCAP, 4, &lnkcap) ||
	    !p2pdma_cfg_read(cfg, len, exp + PCI_EXP_LNKSTA, 2, &lnksta))
		return;
	info->link_known = true;
	info->link.max_speed = p2pdma_cfg_speed_mts(lnkcap & PCI_EXP_LNKCAP_SPEED);
	info->link.max_width = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
	info->link.speed = p2pdma_cfg_speed_mts(lnksta & PCI_EXP_LNKSTA_SPEED);
	info->link.width = (lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4;
}

static void decode_acs(const uint8_t *cfg, size_t len, struct p2pdma_cfg_info *info)
{
	unsigned int acs = p2pdma_cfg_find_ext_cap(cfg, len, PCI_EXT_CAP_ID_ACS);
	uint32_t cap, ctrl;

	if (!acs) {
		info->acs_state = P2PDMA_ACS_ABSENT;
		return;
	}
	if (!p2pdma_cfg_read(cfg, len, acs + ACS_CAP_REG, 2, &cap) ||
	    !p2pdma_cfg_read(cfg, len, acs + ACS_CTRL_REG, 2, &ctrl)) {
		info->shortfall = P2PDMA_CFG_CUT;
		return;
	}
	info->acs_state = P2PDMA_ACS_PRESENT;
	info->acs_cap = (uint16_t)cap;
	info->acs_ctrl = (uint16_t)ctrl;
}

static void decode_caps(const uint8_t *cfg, size_t len, struct p2pdma_cfg_info *info)
{
	unsigned int exp = p2pdma_cfg_find_cap(cfg, len, PCI_CAP_ID_EXP);

	info->caps_read = true;
	if (exp)
		decode_express(cfg, len, exp, info);
	if (len < P2PDMA_CFG_PCIE_SIZE) {
		/* Conventional PCI has no extended space, so no ACS either. */
		if (exp)
			info->shortfall = P2PDMA_CFG_NO_EXTENDED;
		info->acs_state = exp ? P2PDMA_ACS_UNKNOWN : P2PDMA_ACS_ABSENT;
		return;
	}
	if (exp)
		decode_acs(cfg, len, info);
	else
		info->acs_state = P2PDMA_ACS_ABSENT;
}

static void info_init(struct p2pdma_cfg_info *info)
{
	memset(info, 0, sizeof(*info));
	info->shortfall = P2PDMA_CFG_COMPLETE;
	info->header_type = -1;
	info->revision = -1;
	info->secondary_bus = -1;
	info->subordinate_bus = -1;
	info->subsys_vendor = -1;
	info->subsys_device = -1;
	info->pcie_type = -1;
	info->acs_state = P2PDMA_ACS_UNKNOWN;
}

int p2pdma_cfg_decode(struct p2pdma_cfg_reader *r, const struct p2pdma_bdf *bdf,
		      const uint8_t *cfg, size_t len, struct p2pdma_cfg_info *info,
		      struct p2pdma_error *e)
{
	(void)r;
	(void)bdf;
	info_init(info);
	if (!cfg) {
		info->shortfall = P2PDMA_CFG_MISSING;
		return 0;
	}
	if (len != 64 && len != 128 && len != P2PDMA_CFG_PCI_SIZE &&
	    len != P2PDMA_CFG_PCIE_SIZE)
		return p2pdma_fail(e, -EINVAL,
				   "%zu bytes; sysfs gives 64 or 128 (without root), 256 or 4096",
				   len);
	/* A device in D3cold or gone reads as all ones: nothing in it is real. */
	if (rd16(cfg, len, PCI_VENDOR_ID) == 0xffff) {
		info->shortfall = P2PDMA_CFG_NOT_ANSWERING;
		return 0;
	}
	decode_header(cfg, info);
	if (len < P2PDMA_CFG_PCI_SIZE) {
		info->shortfall = P2PDMA_CFG_UNPRIVILEGED;
		return 0;
	}
	decode_caps(cfg, len, info);
	return 0;
}
