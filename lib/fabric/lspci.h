/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the two lspci loaders (hex dumps through libpci's dump method,
 * and "lspci -vvv" text): one record per function as the file describes
 * it, the reading of the text lspci prints, and the tree built from the
 * bridges' bus numbers the way "lspci -t" builds it.
 */
#ifndef P2PDMA_LSPCI_H
#define P2PDMA_LSPCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

/* lspci writes whole 16-byte lines of 64, 256 or 4096 bytes. */
#define LSPCI_CFG_MAX 4096

/* What the decoded text ("-v", "-vv", "-vvv") of one function says. */
struct lspci_text {
	bool any;			/* at least one detail line */
	int cur_cap;			/* kind of the capability being read */
	bool status_seen, cap_list;	/* "Status: Cap+" / "Cap-" */
	bool caps_seen;			/* some "Capabilities: [..]" line */
	bool ext_caps_seen;		/* one at offset >= 0x100 */
	bool access_denied;		/* "Capabilities: <access denied>" */
	bool express;			/* an Express capability line */
	int pcie_type;			/* from that line, -1 unknown */
	bool acs_header;		/* "Access Control Services" capability line */
	bool acs_cap_seen, acs_ctl_seen;
	uint16_t acs_cap, acs_ctrl;
	unsigned int acs_line;
	bool bus_seen;			/* "Bus: primary=.." (bridges) */
	int primary, secondary, subordinate;
	bool sriov;			/* SR-IOV capability with its numbers */
	int num_vfs, vf_offset, vf_stride;
	bool vf_enabled;
	int vf_device;			/* -1 unknown */
	struct p2pdma_link link;
	bool bars_seen;
	unsigned int regions_seen;	/* bit N: a "Region N" line was read */
	struct p2pdma_bar bars[P2PDMA_NUM_BARS];
	bool subsys_ids;
	uint16_t subsys_vendor, subsys_device;
	int iommu_group, numa_node;
	char *driver;
};

/* One function: the device line, what is known of it, where it came from. */
struct lspci_rec {
	struct p2pdma_function fn;	/* the template handed to the model */
	unsigned int line;		/* line of the device header */
	/* Header: ids and class as printed; names when ids were not printed. */
	bool ids_known, class_known;
	char *name;			/* "Vendor Device" without ids, or NULL */
	char *class_name;		/* class name without a number, or NULL */
	bool bridge;			/* type 1/2 header: has a bus range */
	int primary_bus;		/* -1 unknown */
	/* Hex dump coverage (hex loader only). */
	unsigned int hex_len;		/* bytes of config space given */
	unsigned int first_hex_line;
	/* SR-IOV (to find a VF's PF). */
	bool sriov;
	int num_vfs, vf_offset, vf_stride;
	int vf_device;
	struct lspci_text text;
};

struct lspci_doc {
	const char *name;		/* file name for messages */
	struct lspci_rec *recs;
	size_t nr, cap;
	size_t nr_hex_lines;
	bool ext_caps_anywhere;		/* lspci printed extended caps somewhere */
	p2pdma_log_fn log;
	void *log_arg;
};

/* One line of the input, without its end-of-line. */
struct lspci_line {
	const char *s;
	size_t len;
	unsigned int no;		/* 1-based */
};

/* Iterate over the lines of @buf; returns false at the end. */
bool lspci_next_line(const char *buf, size_t len, size_t *pos, struct lspci_line *l);

/* Nothing but blanks and tabs on @l. */
bool lspci_line_blank(const struct lspci_line *l);

/* Fail with "FILE:LINE: @why: 'excerpt of the line'" (-EINVAL). */
int lspci_line_error(const struct lspci_doc *d, const struct lspci_line *l, const char *why,
		     struct p2pdma_error *e);

/*
 * "BB:DD.F " or "DDDD:BB:DD.F " (4..8 domain digits) at the start of @l.
 * Returns the length of the address (without the space), 0 if the line is
 * no device line, or -EINVAL with a reason (device or function out of
 * range) for something that looks like one but is not.
 */
int lspci_device_prefix(const struct lspci_line *l, struct p2pdma_bdf *bdf);

/* "00: 86 80 ..." style line: offset digits before ": " (2..8), else 0. */
size_t lspci_hex_prefix(const struct lspci_line *l);

/* Start a record for the device line @l (the address already parsed). */
int lspci_doc_add(struct lspci_doc *d, const struct lspci_line *l,
		  const struct p2pdma_bdf *bdf, size_t addr_len, bool parse_header,
		  struct p2pdma_error *e);

/* Read one indented detail line into @t; -EINVAL with FILE:LINE on nonsense. */
int lspci_text_line(struct lspci_doc *d, struct lspci_text *t,
		    const struct lspci_line *l, struct p2pdma_error *e);

/* Checks after the last detail line of a function (e.g. ACS lines complete). */
int lspci_text_end(struct lspci_doc *d, struct lspci_rec *r, struct p2pdma_error *e);

/* ACS state from the text alone, by the rules in load_lspci_vvv.c. */
enum p2pdma_acs_state lspci_text_acs(const struct lspci_doc *d,
				     const struct lspci_text *t);

/*
 * Names printed without ids: find vendor/device (and classes) by a
 * reverse look-up in pci.ids.  Unique matches only; the rest stay
 * unknown and a warning says so.  @ids_path NULL: the file libpci uses.
 */
int lspci_resolve_names(struct lspci_doc *d, const char *ids_path,
			struct p2pdma_error *e);

/* Sort the records by address; a duplicate address is refused with both lines. */
int lspci_sort_check(struct lspci_doc *d, struct p2pdma_error *e);
/* The record for @bdf in sorted records, or NULL. */
struct lspci_rec *lspci_find(const struct lspci_doc *d, const struct p2pdma_bdf *bdf);

/*
 * Build the tree: parents from the bridges' bus ranges (the narrowest
 * range holding a function's bus, as "lspci -t" does), host bridges for
 * the root buses, VFs linked to their PFs.  Overlapping ranges and
 * duplicate addresses are refused with their lines.
 */
int lspci_build(struct p2pdma_fabric *f, struct lspci_doc *d, struct p2pdma_error *e);

void lspci_doc_free(struct lspci_doc *d);

/*
 * A dump of some functions only (`lspci -d 10de:* -v -xxx`), read by the
 * hex loader's own path, into the records @d already holds: their config
 * space (ACS, link, BARs) replaces "unknown".  A dumped function @d does
 * not hold, or holds with other ids, is refused with its line.
 */
int lspci_merge_dump(struct lspci_doc *d, const char *buf, size_t len,
		     struct p2pdma_error *e);

/* PCIe link speed code (LnkCap/LnkSta bits 3:0) in MT/s; 0 unknown. */
uint32_t lspci_speed_mts(unsigned int code);

/* Entry points on memory, for the fuzzers and tests. */
int p2pdma_lspci_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			  const char *name, const struct p2pdma_load_opts *opts,
			  struct p2pdma_error *e);
int p2pdma_lspci_vvv_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			      const char *name, const char *ids_path,
			      const struct p2pdma_load_opts *opts,
			      struct p2pdma_error *e);

#endif /* P2PDMA_LSPCI_H */
