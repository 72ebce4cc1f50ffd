/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Look-ups in an uncompressed pci.ids without parsing all of it
 * (idsfile.c).  Each answers true with the name libpci would give, or
 * false: not found here (unknown, or a form only libpci reads), or the
 * name does not fit @len.
 */
#ifndef P2PDMA_IDSFILE_H
#define P2PDMA_IDSFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct p2pdma_ids;

/* Reads libpci's file once; NULL for a compressed or unreadable one. */
struct p2pdma_ids *p2pdma_ids_open(const char *path);
/* The same over @buf (malloc'ed, @len bytes; taken over, even on failure). */
struct p2pdma_ids *p2pdma_ids_parse(char *buf, size_t len);
void p2pdma_ids_close(struct p2pdma_ids *ids);
/* The file read: @path, or @path without the ".gz" libpci falls back to. */
const char *p2pdma_ids_path(const struct p2pdma_ids *ids);

bool p2pdma_ids_vendor(struct p2pdma_ids *ids, uint16_t vendor, char *buf, size_t len);
bool p2pdma_ids_device(struct p2pdma_ids *ids, uint16_t vendor, uint16_t device, char *buf,
		       size_t len);
bool p2pdma_ids_subclass(struct p2pdma_ids *ids, uint8_t base, uint8_t sub, char *buf,
			 size_t len);

#endif /* P2PDMA_IDSFILE_H */
