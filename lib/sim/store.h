/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sparse memory: a 64-bit address space whose bytes exist only where
 * something was written, in blocks made on first write.  Host RAM, BAR
 * memory and in-memory namespaces of the simulated platform live in
 * these, so a 64 GiB BAR or a 1 TiB namespace costs nothing until used.
 * Bytes never written read as zero, or as what @fill says.
 */
#ifndef P2PDMA_SIM_STORE_H
#define P2PDMA_SIM_STORE_H

#include <stdbool.h>
#include <stdint.h>

/* 1 MiB: large enough that a 1 MiB DMA is one or two lookups. */
#define SIM_STORE_BLOCK	(1ULL << 20)

/* The bytes an unwritten [off, off + len) reads as. */
typedef void (*sim_fill_fn)(const void *arg, uint64_t off, void *buf, uint64_t len);

struct sim_store;

/* @fill NULL: zeros.  NULL on out of memory. */
struct sim_store *sim_store_new(sim_fill_fn fill, const void *fill_arg);
void sim_store_free(struct sim_store *st);

/*
 * The bytes at @off, contiguous for *@n <= @len bytes (to the end of the
 * block).  With @create, a missing block is made (filled); without, NULL
 * for a missing block (*@n still says how far it reaches).  NULL with
 * *@n == 0 when out of memory.
 */
void *sim_store_span(struct sim_store *st, uint64_t off, uint64_t len, bool create,
		     uint64_t *n);
/* 0 or -ENOMEM. */
int sim_store_write(struct sim_store *st, uint64_t off, const void *buf, uint64_t len);
void sim_store_read(struct sim_store *st, uint64_t off, void *buf, uint64_t len);
/* Bytes of blocks made so far. */
uint64_t sim_store_resident(const struct sim_store *st);

#endif /* P2PDMA_SIM_STORE_H */
