/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated platform's structures, shared by the files of lib/sim.
 * Not installed.
 */
#ifndef P2PDMA_SIM_INTERNAL_H
#define P2PDMA_SIM_INTERNAL_H

#include "p2pdma/sim.h"
#include "store.h"

/* One memory BAR at PCI bus addresses: what a bridge window is made of. */
struct sim_window {
	uint64_t bus_lo, bus_hi;	/* inclusive */
	uint64_t phys_lo;
	const struct p2pdma_function *fn;
	int bar;
};

/* Per host bridge: every memory BAR below it, sorted by bus address. */
struct sim_hb {
	const struct p2pdma_host_bridge *hb;
	struct sim_window *win;
	size_t nr_win;
	enum p2pdma_sim_rc_forward forward;
	bool ok_same, ok_diff;		/* the kernel's allow-list, per direction */
};

/* Per function: what the router needs without chasing pointers. */
struct sim_fn {
	const struct p2pdma_function *up;	/* p2pdma_upstream_bridge() */
	struct sim_hb *hb;
	enum p2pdma_dma_mode mode;
	struct sim_store *bar[P2PDMA_NUM_BARS];	/* lazily made BAR memory */
	uint64_t link_up, link_down;		/* payload bytes over its link */
	void *dev;				/* nvme / nic / gpu model, or NULL */
	enum { SIM_DEV_NONE, SIM_DEV_NVME, SIM_DEV_NIC, SIM_DEV_GPU } kind;
};

struct p2pdma_sim {
	struct p2pdma_fabric *f;
	struct p2pdma_policy *policy;
	struct p2pdma_mem *mem;
	struct p2pdma_dma *dma;
	const struct p2pdma_addr_map *map;
	struct sim_hb *hbs;			/* by host bridge index */
	struct sim_fn *fns;			/* by function index */
	bool cpu_ok;				/* the kernel's CPU rule */
	struct sim_store *ram;			/* host RAM, by CPU physical address */
	struct p2pdma_sim_stats stats;
	char *backing_dir;
	bool ns_in_memory;
	p2pdma_log_fn log;
	void *log_arg;
};

/* windows.c */
int sim_windows_build(struct p2pdma_sim *s, struct p2pdma_error *e);
void sim_windows_free(struct p2pdma_sim *s);
/* The window of @h holding bus address @bus, or NULL. */
const struct sim_window *sim_window_find(const struct sim_hb *h, uint64_t bus);

/* route.c */
bool sim_fn_valid(const struct p2pdma_sim *s, const struct p2pdma_function *fn);

/* xfer.c: the memory behind a delivered route (NULL: not byte-backed). */
struct sim_store *sim_target_store(struct p2pdma_sim *s, const struct p2pdma_sim_route *r,
				   uint64_t *off);
void sim_account(struct p2pdma_sim *s, const struct p2pdma_sim_route *r, uint64_t len,
		 bool write);

/* Device models. */
int sim_nvme_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		    struct p2pdma_error *e);
void sim_nvme_detach(struct p2pdma_sim *s, void *dev);
int sim_nic_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		   struct p2pdma_error *e);
int sim_gpu_attach(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		   struct p2pdma_error *e);

/*
 * Route one DMA and, when delivered, account it and hand out the target
 * memory: *@st and *@off, to be walked with sim_store_span().
 */
int sim_dma_begin(struct p2pdma_sim *s, const struct p2pdma_function *init,
		  uint64_t addr, uint64_t len, bool write, struct sim_store **st,
		  uint64_t *off, struct p2pdma_sim_route *r, struct p2pdma_error *e);

/* A transfer of a device between its own memory and a list of DMA segments. */
int sim_seg_xfer(struct p2pdma_sim *s, const struct p2pdma_function *fn,
		 const struct p2pdma_sim_dma_seg *segs, size_t nr_segs,
		 uint64_t len, bool to_segs, void *buf, struct p2pdma_error *e);

#endif /* P2PDMA_SIM_INTERNAL_H */
