// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the sysfs attribute parsers: every parser sees
 * the same bytes (as an attribute file, a resource table, /proc/cpuinfo,
 * /proc/iomem, a directory or link name, a tarball path), and the bytes
 * are decoded as config space through libpci at each length sysfs gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfgspace.h"
#include "sysfs_attr.h"
#include "sysfs_layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void names(const uint8_t *data, size_t size)
{
	struct p2pdma_error e;
	struct p2pdma_bdf bdf;
	char name[256], out[256];
	uint32_t dom;
	uint8_t bus;
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	memcpy(name, data, n);
	name[n] = '\0';
	p2pdma_sysfs_parse_fn_name(name, &bdf);
	p2pdma_sysfs_parse_hb_name(name, &dom, &bus);
	p2pdma_sysfs_link_basename((const char *)data, size, out, sizeof(out), &e);
	p2pdma_sysfs_wanted(name, false);
	p2pdma_sysfs_wanted(name, true);
}

static void config(const uint8_t *data, size_t size)
{
	static struct p2pdma_cfg_reader *r;
	static const size_t lens[] = { 4096, 256, 128, 64 };
	struct p2pdma_cfg_info info;
	struct p2pdma_error e;
	struct p2pdma_bdf bdf = { 0, 1, 2, 3 };
	uint8_t *cfg;
	size_t i;

	if (!r && p2pdma_cfg_reader_new("/nonexistent/sys/bus/pci", &r, &e))
		abort();
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (size < lens[i])
			continue;
		/* A copy of exactly the length, so reads past it are caught. */
		cfg = malloc(lens[i]);
		memcpy(cfg, data, lens[i]);
		if (p2pdma_cfg_decode(r, &bdf, cfg, lens[i], &info, &e))
			abort();	/* every valid length decodes */
		free(cfg);
		break;
	}
	if (size < 4096)
		p2pdma_cfg_decode(r, &bdf, data, size, &info, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct p2pdma_bar bars[P2PDMA_NUM_BARS];
	struct p2pdma_error e;
	struct p2pdma_ram_range *ram;
	struct p2pdma_cpu cpu;
	size_t nr;
	uint32_t mts;
	uint64_t u;
	int64_t d;
	char *line;
	bool b;

	p2pdma_sysfs_parse_hex(s, size, 0xffffff, &u, &e);
	if (!p2pdma_sysfs_parse_iomem(s, size, &ram, &nr, &b, &e))
		free(ram);
	p2pdma_sysfs_parse_dec(s, size, -1, INT64_MAX, &d, &e);
	p2pdma_sysfs_parse_bool(s, size, &b, &e);
	p2pdma_sysfs_parse_link_speed(s, size, &mts, &e);
	if (!p2pdma_sysfs_parse_line(s, size, true, &line, &e))
		free(line);
	if (!p2pdma_sysfs_parse_resource(s, size, bars, &e)) {
		int i;

		for (i = 0; i < P2PDMA_NUM_BARS; i++)
			if (bars[i].size & (bars[i].size - 1))
				abort();	/* a BAR size that is not a power of two got through */
	}
	p2pdma_sysfs_parse_cpuinfo(s, size, &cpu, &e);
	names(data, size);
	config(data, size);
	return 0;
}
