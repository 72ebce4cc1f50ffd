// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the quick pci.ids reader (lib/fabric/idsfile.c):
 * the bytes as a pci.ids file, asked for the vendor and device IDs its
 * first bytes spell and for every subclass of a few classes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), name[64];
	struct p2pdma_ids *ids;
	uint16_t v = size >= 2 ? (uint16_t)(data[0] | data[1] << 8) : 0x8086;
	uint16_t d = size >= 4 ? (uint16_t)(data[2] | data[3] << 8) : 0;
	unsigned int s;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ids = p2pdma_ids_parse(buf, size);
	if (!ids)
		return 0;
	p2pdma_ids_vendor(ids, v, name, sizeof(name));
	p2pdma_ids_vendor(ids, 0x10b5, name, sizeof(name));
	p2pdma_ids_device(ids, v, d, name, sizeof(name));
	p2pdma_ids_device(ids, 0x10b5, 0x8796, name, sizeof(name));
	for (s = 0; s < 256; s++) {
		p2pdma_ids_subclass(ids, 0x06, (uint8_t)s, name, sizeof(name));
		p2pdma_ids_subclass(ids, (uint8_t)s, 0x00, name, 8);
	}
	p2pdma_ids_close(ids);
	return 0;
}
