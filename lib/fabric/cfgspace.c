// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Config space decoding through libpci.
 *
 * The loader reads each `config` file itself, because the ACS rule needs
 * to know how many bytes were readable (64 without root, 256 or 4096
 * with it), and hands the bytes to libpci as the device's config cache.
 * libpci then walks the capability lists from that cache and never has
 * to open a file: a capture need not hold the sys/bus/pci/devices links
 * libpci would otherwise go through, and a link in a hostile tarball
 * cannot make it read outside the capture.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "cfgspace.h"
#include "util.h"

/* ACS extended capability registers, relative to the capability. */
#define ACS_CAP_REG	0x04
#define ACS_CTRL_REG	0x06

struct p2pdma_cfg_reader {
	struct pci_access *pacc;
};

/*
 * libpci's error hook must not return.  It has no context argument, so
 * the jump target lives in thread-local storage, set around every call
 * into libpci that can fail.
 */
static __thread jmp_buf *cfg_jmp;
static __thread char cfg_msg[256];

static void __attribute__((noreturn)) cfg_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(cfg_msg, sizeof(cfg_msg), msg, ap);
	va_end(ap);
	longjmp(*cfg_jmp, 1);
}

static void cfg_quiet(char *msg, ...)
{
	(void)msg;
}

int p2pdma_cfg_reader_new(const char *sysfs_bus_pci, struct p2pdma_cfg_reader **out,
			  struct p2pdma_error *e)
{
	struct p2pdma_cfg_reader *volatile r;
	jmp_buf jb;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	cfg_jmp = &jb;
	if (setjmp(jb)) {
		cfg_jmp = NULL;
		/* libpci may be half set up; leaking it beats freeing garbage. */
		free(r);
		return p2pdma_fail(e, -EIO, "libpci: %s", cfg_msg);
	}
	r->pacc = pci_alloc();
	if (!r->pacc) {
		cfg_jmp = NULL;
		free(r);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	r->pacc->error = cfg_error;
	r->pacc->warning = cfg_quiet;
	r->pacc->debug = cfg_quiet;
	r->pacc->debugging = 0;
	r->pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (pci_set_param(r->pacc, "sysfs.path", (char *)sysfs_bus_pci))
		cfg_error("no sysfs.path parameter in this libpci");
	pci_init(r->pacc);
	cfg_jmp = NULL;
	*out = r;
	return 0;
}

void p2pdma_cfg_reader_free(struct p2pdma_cfg_reader *r)
{
	if (!r)
		return;
	pci_cleanup(r->pacc);
	free(r);
}

uint32_t p2pdma_cfg_speed_mts(unsigned int code)
{
	static const uint32_t mts[] = { 0, 2500, 5000, 8000, 16000, 32000, 64000 };

	return code < ARRAY_SIZE(mts) ? mts[code] : 0;
}

static unsigned int le16(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
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
		info->subsys_vendor = (int)le16(cfg + PCI_SUBSYSTEM_VENDOR_ID);
		info->subsys_device = (int)le16(cfg + PCI_SUBSYSTEM_ID);
	}
}

static void decode_express(struct pci_dev *d, const struct pci_cap *exp,
			   struct p2pdma_cfg_info *info)
{
	unsigned int flags = pci_read_word(d, exp->addr + PCI_EXP_FLAGS);
	uint32_t lnkcap = pci_read_long(d, exp->addr + PCI_EXP_LNKCAP);
	unsigned int lnksta = pci_read_word(d, exp->addr + PCI_EXP_LNKSTA);

	info->pcie_type = (int)((flags & PCI_EXP_FLAGS_TYPE) >> 4);
	info->link_known = true;
	info->link.max_speed = p2pdma_cfg_speed_mts(lnkcap & PCI_EXP_LNKCAP_SPEED);
	info->link.max_width = (lnkcap & PCI_EXP_LNKCAP_WIDTH) >> 4;
	info->link.speed = p2pdma_cfg_speed_mts(lnksta & PCI_EXP_LNKSTA_SPEED);
	info->link.width = (lnksta & PCI_EXP_LNKSTA_WIDTH) >> 4;
}

/* The capability walk proper; may longjmp out through cfg_error(). */
static void walk_caps(struct pci_dev *d, size_t len, struct p2pdma_cfg_info *info)
{
	struct pci_cap *exp, *acs;

	exp = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	info->caps_read = true;
	if (exp)
		decode_express(d, exp, info);
	if (len < P2PDMA_CFG_PCIE_SIZE) {
		/* Conventional PCI has no extended space, so no ACS either. */
		if (exp)
			info->shortfall = P2PDMA_CFG_NO_EXTENDED;
		info->acs_state = exp ? P2PDMA_ACS_UNKNOWN : P2PDMA_ACS_ABSENT;
		return;
	}
	acs = exp ? pci_find_cap(d, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED) : NULL;
	if (!acs) {
		info->acs_state = P2PDMA_ACS_ABSENT;
		return;
	}
	info->acs_state = P2PDMA_ACS_PRESENT;
	info->acs_cap = pci_read_word(d, acs->addr + ACS_CAP_REG);
	info->acs_ctrl = pci_read_word(d, acs->addr + ACS_CTRL_REG);
}

static int decode_caps(struct p2pdma_cfg_reader *r, const struct p2pdma_bdf *bdf,
		       const uint8_t *cfg, size_t len, struct p2pdma_cfg_info *info,
		       struct p2pdma_error *e)
{
	struct pci_dev *volatile d = NULL;
	jmp_buf jb;

	cfg_jmp = &jb;
	if (setjmp(jb)) {
		cfg_jmp = NULL;
		if (d)
			pci_free_dev(d);
		return p2pdma_fail(e, -EIO, "libpci: %s", cfg_msg);
	}
	d = pci_get_dev(r->pacc, (int)bdf->domain, bdf->bus, bdf->dev, bdf->fn);
	/* libpci reads below the cache length from the cache and never writes it. */
	pci_setup_cache(d, (uint8_t *)cfg, (int)len);
	walk_caps(d, len, info);
	cfg_jmp = NULL;
	pci_free_dev(d);
	return 0;
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
	if (le16(cfg) == 0xffff) {
		info->shortfall = P2PDMA_CFG_NOT_ANSWERING;
		return 0;
	}
	decode_header(cfg, info);
	if (len < P2PDMA_CFG_PCI_SIZE) {
		info->shortfall = P2PDMA_CFG_UNPRIVILEGED;
		return 0;
	}
	if (!r)
		return p2pdma_fail(e, -EINVAL, "no libpci handle to decode config space");
	return decode_caps(r, bdf, cfg, len, info, e);
}
