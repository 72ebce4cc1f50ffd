/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma memory: the physical address map, p2pmem providers and their
 * page pool (DESIGN.md layer 3, KERNEL-FACTS.md sections 3.4-3.7 and 4).
 *
 * Address map.  Host RAM ranges and every memory BAR of the model, sorted
 * once, so that any CPU physical address resolves to its owner in
 * O(log n) with no per-page metadata: the "no struct page" design.
 *
 * Providers.  p2pdma_provider_add() registers part of a memory BAR as
 * p2pmem with the kernel's checks (pci_p2pdma_add_resource), several
 * ranges per function.  Each provider has a pool: page-granular (4 KiB),
 * allocations contiguous inside one range, thread-safe, and a provider
 * cannot go away while buffers are out (p2pdma_provider_remove() fails
 * with -EBUSY or waits, as the caller asks).
 *
 * The pool hands out CPU physical addresses; p2pdma_provider_bus_addr()
 * turns one into the PCI bus address peers use (CPU physical + the host
 * bridge's bus offset).  No memory is touched: these are addresses only.
 *
 * Thread safety: allocation, free, lookups, publish and remove may run
 * from any thread at once.  A struct p2pdma_provider stays valid until
 * p2pdma_mem_free(), also after it was removed (calls on a removed
 * provider fail with -ENODEV), so a racing caller never touches freed
 * memory.
 */
#ifndef P2PDMA_MEM_H
#define P2PDMA_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pool's granule: the kernel's PAGE_SIZE on x86-64. */
#define P2PDMA_PAGE_SIZE	4096ULL
/*
 * memremap_compat_align() on x86-64: memory hot-plug needs the start and
 * the size of every p2pmem range aligned to a 2 MiB subsection.
 */
#define P2PDMA_P2PMEM_ALIGN	(2ULL << 20)

/* ---------------------------------------------------------------------- */
/* Sizes                                                                   */

/*
 * "4096", "0x1000", "64K", "64k", "64KiB", "64 KiB", "2M", "1G", "1T":
 * binary multiples; one space may stand before the unit, so what
 * p2pdma_size_format() prints (when whole) reads back.  -EINVAL for junk, -ERANGE past 2^64 - 1.  0 is accepted;
 * callers decide whether it means anything.
 */
int p2pdma_size_parse(const char *s, uint64_t *out);
/* "64 KiB", "2 MiB", "1.5 GiB", "4097 B": exact where it can be. */
char *p2pdma_size_format(uint64_t bytes, char *buf, size_t len);

/* ---------------------------------------------------------------------- */
/* Address map                                                             */

enum p2pdma_addr_kind {
	P2PDMA_ADDR_UNCLAIMED,		/* RAM is known and this is not in it, nor in a BAR */
	P2PDMA_ADDR_RAM,
	P2PDMA_ADDR_RAM_ASSUMED,	/* RAM is unknown; no BAR claims the address */
	P2PDMA_ADDR_BAR,
};

/* "unclaimed", "ram", "ram (assumed)", "bar" */
const char *p2pdma_addr_kind_name(enum p2pdma_addr_kind kind);

struct p2pdma_addr_owner {
	enum p2pdma_addr_kind kind;
	/*
	 * The window holding the address: a RAM range, a BAR, or the gap
	 * between windows.  @last is inclusive so that a window may end at
	 * 2^64 - 1.
	 */
	uint64_t start;
	uint64_t last;
	uint64_t offset;			/* address - start */
	const struct p2pdma_function *fn;	/* BAR only */
	int bar;				/* BAR only, else -1 */
	int numa_node;				/* RAM only, else -1 */
};

struct p2pdma_addr_map;

/*
 * Build the map of @f: @ram (or, when @ram is NULL, the fabric's own
 * f->ram) plus every assigned memory BAR.  I/O BARs live in port space
 * and are left out; a BAR at address 0 is unassigned and left out.  Two
 * windows that overlap are an input error naming both.  With no RAM at
 * all, every address no BAR claims is taken as RAM ("assumed").
 */
int p2pdma_addr_map_new(const struct p2pdma_fabric *f,
			const struct p2pdma_ram_range *ram, size_t nr_ram,
			struct p2pdma_addr_map **out, struct p2pdma_error *e);
void p2pdma_addr_map_free(struct p2pdma_addr_map *m);

/* Who owns @phys: O(log n), never fails. */
void p2pdma_addr_map_lookup(const struct p2pdma_addr_map *m, uint64_t phys,
			    struct p2pdma_addr_owner *out);
/* Number of RAM ranges and BAR windows in the map. */
size_t p2pdma_addr_map_nr_windows(const struct p2pdma_addr_map *m);
bool p2pdma_addr_map_ram_known(const struct p2pdma_addr_map *m);

/* ---------------------------------------------------------------------- */
/* The memory context: the address map, providers, host buffers            */

struct p2pdma_mem;
struct p2pdma_provider;

/*
 * A memory context over a finalized fabric (which must outlive it).
 * @ram / @nr_ram as for p2pdma_addr_map_new().
 */
int p2pdma_mem_new(const struct p2pdma_fabric *f,
		   const struct p2pdma_ram_range *ram, size_t nr_ram,
		   struct p2pdma_mem **out, struct p2pdma_error *e);
/* Final teardown: frees every provider, whatever is still allocated. */
void p2pdma_mem_free(struct p2pdma_mem *m);

const struct p2pdma_fabric *p2pdma_mem_fabric(const struct p2pdma_mem *m);
const struct p2pdma_addr_map *p2pdma_mem_addr_map(const struct p2pdma_mem *m);

/*
 * Host buffers for scatter-gather lists: page-aligned addresses carved
 * from host RAM (the first range with room; with RAM unknown, the first
 * gap at or above 4 GiB that no BAR claims).  Addresses only, handed out
 * once each, never reused; -ENOMEM when RAM is exhausted.
 */
int p2pdma_mem_host_alloc(struct p2pdma_mem *m, uint64_t size, uint64_t *phys,
			  struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Providers                                                               */

/*
 * Register [BAR start + @offset, + @size) of @fn's BAR @bar as p2pmem,
 * with pci_p2pdma_add_resource()'s checks, each refusal -EINVAL with its
 * own reason: BAR index 0-5; a memory BAR in use (not I/O, not empty);
 * @offset inside the BAR; @size 0 means the rest of the BAR; @offset +
 * @size inside the BAR; start and size aligned to P2PDMA_P2PMEM_ALIGN as
 * memory hot-plug needs.  A range that overlaps one already registered
 * is -EEXIST.  May be called several times per function: each call adds
 * a range to the same provider.  A new provider starts unpublished.
 */
int p2pdma_provider_add(struct p2pdma_mem *m, const struct p2pdma_function *fn,
			int bar, uint64_t size, uint64_t offset,
			struct p2pdma_error *e);

/* The live provider of @fn, or NULL. */
struct p2pdma_provider *p2pdma_provider_find(const struct p2pdma_mem *m,
					     const struct p2pdma_function *fn);
/* By PCI address: -EINVAL (not an address), -ENOENT (no such function, or no p2pmem). */
int p2pdma_provider_lookup(const struct p2pdma_mem *m, const char *name,
			   struct p2pdma_provider **out, struct p2pdma_error *e);
/* Live providers, in the order of their functions' BDFs. */
size_t p2pdma_mem_nr_providers(const struct p2pdma_mem *m);
struct p2pdma_provider *p2pdma_mem_provider(const struct p2pdma_mem *m, size_t i);

const struct p2pdma_function *p2pdma_provider_function(const struct p2pdma_provider *p);

/* pci_p2pmem_publish(): only the flag; allocations are not affected. */
void p2pdma_provider_publish(struct p2pdma_provider *p, bool publish);
bool p2pdma_provider_published(const struct p2pdma_provider *p);

/* sysfs p2pmem/size and p2pmem/available, in bytes. */
uint64_t p2pdma_provider_size(const struct p2pdma_provider *p);
uint64_t p2pdma_provider_available(const struct p2pdma_provider *p);

struct p2pdma_p2pmem_range {
	int bar;
	uint64_t offset;	/* inside the BAR */
	uint64_t phys;		/* CPU physical start */
	uint64_t bus;		/* PCI bus address of the start */
	uint64_t size;
};
size_t p2pdma_provider_nr_ranges(const struct p2pdma_provider *p);
int p2pdma_provider_range(const struct p2pdma_provider *p, size_t i,
			  struct p2pdma_p2pmem_range *out);

/* CPU physical <-> PCI bus address, with the host bridge's bus offset. */
uint64_t p2pdma_provider_bus_addr(const struct p2pdma_provider *p, uint64_t phys);
uint64_t p2pdma_provider_phys_addr(const struct p2pdma_provider *p, uint64_t bus);

/*
 * Allocate @size bytes (rounded up to whole pages), contiguous inside one
 * range; *@phys receives the CPU physical start.  -EINVAL for size 0,
 * -ENOMEM when it does not fit (larger than the pool, or no free run
 * long enough), -ENODEV when the provider is being or was removed.
 */
int p2pdma_p2pmem_alloc(struct p2pdma_provider *p, uint64_t size,
			uint64_t *phys, struct p2pdma_error *e);
/*
 * Give back what p2pdma_p2pmem_alloc() returned, with the same size.
 * -EINVAL when [phys, +size) is not an allocation of this provider: a
 * double free, a wrong size, an address outside its ranges.
 */
int p2pdma_p2pmem_free(struct p2pdma_provider *p, uint64_t phys, uint64_t size,
		       struct p2pdma_error *e);

/* Number of buffers currently out. */
uint64_t p2pdma_provider_nr_allocated(const struct p2pdma_provider *p);

enum p2pdma_remove_flags {
	/*
	 * Wait until every buffer is freed, as the kernel's unbind does
	 * (devm_memunmap_pages).  New allocations fail with -ENODEV from the
	 * moment removal starts.  Without it, removal with buffers out fails
	 * with -EBUSY and changes nothing.
	 */
	P2PDMA_REMOVE_WAIT = 1 << 0,
};

/* Unpublish and unregister @p; see enum p2pdma_remove_flags. */
int p2pdma_provider_remove(struct p2pdma_mem *m, struct p2pdma_provider *p,
			   unsigned int flags, struct p2pdma_error *e);

/*
 * Providers from the model: every function whose p2pmem is present (a
 * kernel pool in a capture, or a described provider) becomes a provider
 * over p2pmem.size bytes at offset 0 of one memory BAR, chosen so:
 * a BAR exactly that size; else the smallest prefetchable 64-bit memory
 * BAR that holds it; else the smallest prefetchable one; else the
 * smallest memory BAR that holds it.  A pool of 0 B holds nothing and
 * makes no provider (p2pdma_provider_lookup() then says so with -ENOMEM).
 * Published as the model says.  When
 * p2pmem.available < size, the difference is allocated at once so the
 * pool reports what the machine reported.  A function the kernel's
 * checks refuse is skipped with a warning through @log.
 * Returns the number of providers added, or a negative errno.
 */
int p2pdma_mem_add_model_providers(struct p2pdma_mem *m, p2pdma_log_fn log,
				   void *log_arg, struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_MEM_H */
