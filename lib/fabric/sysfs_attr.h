/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strict parsers for the text of sysfs attribute files ("0x10de\n",
 * "-1\n", the `resource` table, link speeds, /proc/cpuinfo ...).
 *
 * Every parser takes the raw bytes of one file (not NUL-terminated; any
 * length, any content: they are fed fuzzer input), accepts the value
 * followed by at most one newline, and on failure returns -EINVAL or
 * -ERANGE with a reason saying what was wrong.  The reason does not name
 * the file: the caller knows it and puts it in front.
 */
#ifndef P2PDMA_SYSFS_ATTR_H
#define P2PDMA_SYSFS_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

/* Resource flags as the kernel prints them in `resource` (IORESOURCE_*). */
#define P2PDMA_IORESOURCE_IO		0x00000100ULL
#define P2PDMA_IORESOURCE_MEM		0x00000200ULL
#define P2PDMA_IORESOURCE_PREFETCH	0x00002000ULL
#define P2PDMA_IORESOURCE_MEM_64	0x00100000ULL

/* An attribute file longer than this is not sysfs text. */
#define P2PDMA_SYSFS_ATTR_MAX 4096

/* "0x8086\n": hex with the 0x prefix, at most @max. */
int p2pdma_sysfs_parse_hex(const char *buf, size_t len, uint64_t max,
			   uint64_t *out, struct p2pdma_error *e);

/* "-1\n", "24\n": decimal in [@min, @max]. */
int p2pdma_sysfs_parse_dec(const char *buf, size_t len, int64_t min,
			   int64_t max, int64_t *out, struct p2pdma_error *e);

/* "0\n" or "1\n" (p2pmem/published). */
int p2pdma_sysfs_parse_bool(const char *buf, size_t len, bool *out,
			    struct p2pdma_error *e);

/* "8.0 GT/s PCIe\n", "8 GT/s\n", "Unknown speed\n" (0). */
int p2pdma_sysfs_parse_link_speed(const char *buf, size_t len, uint32_t *mts,
				  struct p2pdma_error *e);

/*
 * One line of text without control characters (cmdline, IOMMU group
 * type), copied NUL-terminated into a malloc'ed *out.  @allow_empty says
 * whether "" (or "\n") is a valid value.
 */
int p2pdma_sysfs_parse_line(const char *buf, size_t len, bool allow_empty,
			    char **out, struct p2pdma_error *e);

/*
 * The `resource` table: one "0x%016llx 0x%016llx 0x%016llx" line (start,
 * end, flags) per resource.  Fills BARs 0-5; the other lines (ROM,
 * SR-IOV, bridge windows) are checked for syntax only.  A BAR whose end
 * is below its start, whose size wraps or is not a power of two, or that
 * is both I/O and memory is refused ("line N: ...").
 */
int p2pdma_sysfs_parse_resource(const char *buf, size_t len,
				struct p2pdma_bar bars[P2PDMA_NUM_BARS],
				struct p2pdma_error *e);

/*
 * /proc/cpuinfo: the first processor's vendor_id, "cpu family" and
 * "model".  cpu->known is false when the first block lacks any of them
 * (non-x86 kernels print other fields); a field that is there but
 * malformed is an error ("line N: ...").
 */
int p2pdma_sysfs_parse_cpuinfo(const char *buf, size_t len,
			       struct p2pdma_cpu *cpu, struct p2pdma_error *e);

/*
 * /proc/iomem: the top-level "System RAM" ranges, in file order, into
 * *@ram (malloc'ed; NULL with *@nr 0 when there are none).  Without root
 * the kernel prints every address as 0: then *@hidden is set and no range
 * is returned, since RAM is unknown rather than empty.  A line that is not
 * "START-END : NAME" (two-space indents for nesting) is an error
 * ("line N: ...").
 */
int p2pdma_sysfs_parse_iomem(const char *buf, size_t len, struct p2pdma_ram_range **ram,
			     size_t *nr, bool *hidden, struct p2pdma_error *e);

/* "0000:17:00.0" (the kernel's pci_name(): 4 or more domain digits). */
bool p2pdma_sysfs_parse_fn_name(const char *name, struct p2pdma_bdf *bdf);

/* "pci0000:17", "pci10000:00": a host bridge directory. */
bool p2pdma_sysfs_parse_hb_name(const char *name, uint32_t *domain, uint8_t *bus);

/*
 * HEX:HEX:HEX.HEX, the shape of a function's name whether or not it is
 * one the kernel writes ("0000:01:00.8" has it): loaders refuse such a
 * directory instead of skipping it, or its devices would vanish unsaid.
 */
bool p2pdma_sysfs_bdf_shaped(const char *name);

/*
 * The last component of a symlink target ("../../../bus/pci/drivers/nvme"
 * gives "nvme"), NUL-terminated into @out.  Refuses an empty or
 * over-long name and control characters.
 */
int p2pdma_sysfs_link_basename(const char *target, size_t len, char *out,
			       size_t outlen, struct p2pdma_error *e);

#endif /* P2PDMA_SYSFS_ATTR_H */
