/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma policy: the kernel's peer-to-peer DMA verdict for (provider,
 * client) pairs, with the reason, the fix, the path class, several-client
 * distance and provider choice.  See KERNEL-FACTS.md sections 1-3.
 *
 * A policy object reads one fabric.  It indexes the tree once (O(n) time
 * and memory) so that every pair verdict afterwards costs O(1), with no
 * per-pair cache.  When the fabric's generation changes (an ACS edit, a
 * what-if) the index is rebuilt on next use; the kernel itself never
 * drops its cache, and the explanation says so where that matters.
 *
 * Unknown state is never guessed: when the ACS Control register of a
 * device the kernel would check could not be read, or the CPU is unknown,
 * or the ID of the device the kernel looks up for a host bridge (loaders
 * write 0xffff for an ID their source did not give), the verdict lists
 * every answer the kernel could give ("possible"), says whether they
 * differ ("certain") and how to get a certain one.  JSON then reports
 * map_type "UNKNOWN"; the C fast path (p2pdma_map_type) answers for
 * "unknown ACS clear, unknown CPU not AMD Zen, unknown host bridge not
 * listed".
 *
 * Choices where the kernel leaves room:
 *  - kernel_log holds the lines of the verbose path (the first DMA mapping
 *    of a pair, nvmet's check), with the prefix dev_printk() would use: the
 *    bound driver's name, else "pci".  The disable_acs_redir list is cut as
 *    the kernel's 128-byte seq_buf cuts it; fix_cmdline has the whole list.
 *  - What-if: captured ACS Control values are post-boot; they are taken as
 *    the fw_ctrl of the kernel's merge.  --iommu on adds SV|RR|CR|UF where
 *    capable, TB only with pci=noats (external-facing and untrusted ports
 *    are not modelled), never EC; device-specific ACS quirks are not
 *    modelled.  Parameters apply to every device with an ACS capability in
 *    BDF order, as at enumeration, so their messages carry "pci" prefixes.
 *  - Path classes are nvidia-smi's (a switch counts as one bridge); a -1
 *    NUMA node counts as one node (NODE, not SYS): machines without NUMA
 *    report -1 everywhere.
 *  - A client "BUS:NAME" is a device with no PCI parent.
 */
#ifndef P2PDMA_POLICY_H
#define P2PDMA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "p2pdma/fabric.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same order of meaning as the kernel's enum pci_p2pdma_map_type. */
enum p2pdma_map_type {
	P2PDMA_MAP_UNKNOWN = 0,		/* not computed yet; never returned */
	P2PDMA_MAP_NOT_SUPPORTED,
	P2PDMA_MAP_BUS_ADDR,
	P2PDMA_MAP_THRU_HOST_BRIDGE,
};

/* "NOT_SUPPORTED", "BUS_ADDR", "THRU_HOST_BRIDGE" ("UNKNOWN" for 0) */
const char *p2pdma_map_type_name(enum p2pdma_map_type t);

struct p2pdma_policy;

struct p2pdma_policy *p2pdma_policy_new(struct p2pdma_fabric *f);
void p2pdma_policy_free(struct p2pdma_policy *p);
struct p2pdma_fabric *p2pdma_policy_fabric(const struct p2pdma_policy *p);

/*
 * The map type for one pair, from the index in O(1).  @distance
 * (may be NULL) receives the kernel's distance, also for NOT_SUPPORTED.
 * A NULL @client is "a device that is not a PCI device": NOT_SUPPORTED,
 * distance -1.
 *
 * When the answer depends on state that is unknown (ACS registers that
 * could not be read, an unknown CPU), this returns the answer with the
 * unreadable ACS registers taken as "no redirect" and an unknown CPU as
 * "not AMD Zen"; p2pdma_verdict_get() says whether the answer is certain.
 * Thread-compatible, not thread-safe: one policy per thread.
 */
enum p2pdma_map_type p2pdma_map_type(struct p2pdma_policy *p,
				     const struct p2pdma_function *provider,
				     const struct p2pdma_function *client,
				     int *distance);

/*
 * What a kernel that cached this pair's verdict earlier would answer now:
 * the kernel stores a verdict at every calculation and never re-checks it
 * when ACS or anything else changes at run time (only a driver unbind of
 * the provider drops it).  The policy keeps that sticky view in O(n): a
 * provider's row starts when p2pdma_map_type() first asks for it (the
 * DMA-mapping path) and answers every client as the fabric was then;
 * p2pdma_verdict_get() and p2pdma_distance_many() rewrite a pair (the
 * kernel's distance calls recompute).  UNKNOWN when the provider's row
 * was never started; a hot-plug (function count change) drops every row.
 */
enum p2pdma_map_type p2pdma_policy_kernel_cached(struct p2pdma_policy *p,
						 const struct p2pdma_function *provider,
						 const struct p2pdma_function *client);
/* The provider's driver was unbound: the kernel drops its cache row. */
void p2pdma_policy_forget_provider(struct p2pdma_policy *p,
				   const struct p2pdma_function *provider);

/* ---------------------------------------------------------------------- */
/* Kernel releases (KERNEL-FACTS 11)                                       */

/*
 * The rules depend on the kernel release: the fabric's kernel_release, or,
 * when it is unknown, the newest mainline release p2pdma's table knows.
 * A release is one number so that releases compare as integers.
 */
#define P2PDMA_KVER(a, b, c) ((uint32_t)(a) * 1000000u + (uint32_t)(b) * 1000u + (uint32_t)(c))
#define P2PDMA_KVER_NEXT P2PDMA_KVER(999, 0, 0)	/* the PCI maintainer's tree */

struct p2pdma_kver {
	uint32_t v;		/* P2PDMA_KVER(major, minor, patch) or P2PDMA_KVER_NEXT */
	bool patch_known;	/* "6.12.117" rather than "6.12" */
	bool distro;		/* a suffix ("-45-generic", "+deb12"): backports may differ */
};

/*
 * "6.12", "6.12.117", "6.8.0-49-generic", "6.13-rc1" (counts as 6.13),
 * "next".  -EINVAL with a reason for anything else and for releases
 * before P2PDMA (4.20).
 */
int p2pdma_kver_parse(const char *s, struct p2pdma_kver *out, struct p2pdma_error *e);
/* "6.12", "6.12.117", "next". */
char *p2pdma_kver_format(const struct p2pdma_kver *k, char *buf, size_t len);
/*
 * The release the policy's answers are for ("6.12.117", "7.3"); *assumed
 * (may be NULL) is true when the machine's release is unknown or not
 * understood, and the answer is for the newest release in the table.
 */
const char *p2pdma_policy_release(struct p2pdma_policy *p, bool *assumed);

/* What the release answered for has, beyond the verdict (KERNEL-FACTS 9, 11). */
enum p2pdma_kernel_feature {
	P2PDMA_FEAT_DMA_MAP_SG,		/* dma_map_sg takes P2PDMA pages (6.0) */
	P2PDMA_FEAT_USER_ALLOCATE,	/* mmap of sysfs p2pmem/allocate (6.2) */
	P2PDMA_FEAT_DMA_DIRECT_THB_BUG,	/* dma-direct leaves THRU_HOST_BRIDGE unmapped (6.16-7.0) */
};

bool p2pdma_policy_has(struct p2pdma_policy *p, enum p2pdma_kernel_feature feat);

/* ---------------------------------------------------------------------- */
/* Host-bridge rule                                                        */

/* The kernel's pci_p2pdma_whitelist[] entries (KERNEL-FACTS 1.4). */
#define P2PDMA_ALLOW_ANY_DEVICE	(-1)	/* PCI_ANY_ID */
#define P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE (1u << 0)

struct p2pdma_allow_entry {
	uint16_t vendor;
	int device;			/* or P2PDMA_ALLOW_ANY_DEVICE */
	unsigned int flags;
	const char *comment;		/* what it is (the source's comment), or NULL */
};

/*
 * The newest tree's table in the kernel's order; *count receives its
 * length.  Older kernels carry other rows (AMD's, before 5.9) and lack
 * newer ones; the policy applies the rows of the release it answers for.
 */
const struct p2pdma_allow_entry *p2pdma_allow_list(size_t *count);

/* cpu_supports_p2pdma(): x86 AMD (not Hygon), family >= 0x17. */
bool p2pdma_cpu_supports_p2pdma(const struct p2pdma_cpu *cpu);

/*
 * "amd-zen", "amd" (same), "intel", "hygon", "zhaoxin", or
 * VENDOR:FAMILY[:MODEL] with VENDOR a cpuinfo vendor_id (AuthenticAMD,
 * GenuineIntel, ...) or one of the short names above, FAMILY and MODEL
 * decimal or 0x-hex.  -EINVAL with a reason otherwise.
 */
int p2pdma_cpu_parse(const char *s, struct p2pdma_cpu *out,
		     struct p2pdma_error *e);

/* The device the kernel looks up for @hb (pci_host_bridge_dev), or NULL. */
const struct p2pdma_function *p2pdma_host_bridge_dev(const struct p2pdma_host_bridge *hb);

/* ---------------------------------------------------------------------- */
/* Full verdict: the path, the kernel's log lines, the reason, the fix     */

/* nvidia-smi topo -m classes (NCCL has no NODE: its PHB covers it). */
enum p2pdma_path_class {
	P2PDMA_PATH_NONE = 0,	/* no class (a client that is not a PCI device) */
	P2PDMA_PATH_X,		/* the same function */
	P2PDMA_PATH_PIX,	/* at most one PCIe bridge (a switch counts once) */
	P2PDMA_PATH_PXB,	/* several bridges, no host bridge */
	P2PDMA_PATH_PHB,	/* through a host bridge */
	P2PDMA_PATH_NODE,	/* between host bridges of one NUMA node */
	P2PDMA_PATH_SYS,	/* between NUMA nodes */
};

const char *p2pdma_path_class_name(enum p2pdma_path_class c);

/* How the host-bridge decision was made. */
enum p2pdma_hb_rule {
	P2PDMA_HB_NOT_CONSULTED,	/* BUS_ADDR: the kernel never asks */
	P2PDMA_HB_CPU,			/* the AMD Zen CPU rule allowed it */
	P2PDMA_HB_ALLOW_LIST,		/* the allow-list decided (either way) */
};

/* One __host_bridge_whitelist() look-up. */
struct p2pdma_hb_check {
	const struct p2pdma_host_bridge *host;
	const struct p2pdma_function *dev;	/* looked-up device, NULL: none */
	int entry;				/* allow-list index, -1: no match */
	bool same_host_bridge;			/* the "same" argument */
	bool passed;
	bool warned;				/* printed "not in whitelist" */
	bool id_unknown;			/* dev's ID unknown: passed is a guess */
};

/* A hop of the path: a function, or a host bridge between two root buses. */
struct p2pdma_hop {
	const struct p2pdma_function *fn;
	const struct p2pdma_host_bridge *hb;	/* set when fn is NULL */
};

struct p2pdma_verdict {
	const struct p2pdma_function *provider;
	const struct p2pdma_function *client;	/* NULL: not a PCI device */
	char *client_name;			/* as given, or the BDF */

	/* The answer; when !certain, the one for "ACS off, CPU not Zen". */
	enum p2pdma_map_type map_type;
	bool certain;
	unsigned int possible;		/* bit (1u << type) per possible answer */
	int distance;			/* -1 for a client that is not PCI */

	const struct p2pdma_function *common;	/* NULL: no common upstream device */
	struct p2pdma_hop *path;		/* provider ... common ... client */
	size_t nr_path;
	/* Devices with ACS RR|CR|EC set, in the kernel's order. */
	const struct p2pdma_function **acs;
	size_t nr_acs;
	/* Devices the kernel would check whose ACS state is unknown. */
	const struct p2pdma_function **acs_unknown;
	size_t nr_acs_unknown;

	int host_bridge_allowed;	/* -1: not consulted, 0: no, 1: yes */
	enum p2pdma_hb_rule hb_rule;
	bool cpu_rule;			/* cpu_supports_p2pdma() */
	bool cpu_known;
	struct p2pdma_hb_check hb[2];	/* look-ups in the kernel's order */
	size_t nr_hb;

	enum p2pdma_path_class path_class;
	char *peer_note;		/* NCCL / nvidia-smi disagreement, or NULL */

	char **kernel_log;		/* the kernel's lines, with device prefix */
	size_t nr_kernel_log;
	bool kernel_list_truncated;	/* the 128-byte list buffer overflowed */
	char *reason;			/* one paragraph */
	char *uncertain;		/* why not certain and how to be, or NULL */
	char *fix;			/* what to do, several lines; NULL: nothing */
	char *fix_cmdline;		/* "pci=disable_acs_redir=..." or NULL */
	char **fix_setpci;		/* commands that act now (lost at reboot) */
	size_t nr_fix_setpci;
	/* A kernel that cached this pair earlier still answers this (or UNKNOWN). */
	enum p2pdma_map_type kernel_cached;
	bool provider_has_p2pmem;
	/* The kernel release the answer is for ("6.12.117", "7.3", "next"). */
	char release[32];
	bool release_assumed;		/* the machine's release is unknown */
	/*
	 * Where other releases answer differently ("on 7.1 and later this
	 * pair is THRU_HOST_BRIDGE"), where a stable backport may decide,
	 * and why the release was assumed; NULL: nothing to say.
	 */
	char *release_note;
};

/*
 * Compute the whole verdict for (provider, client).  @client NULL with
 * @client_name set (e.g. "platform:foo") is a device that is not PCI.
 */
int p2pdma_verdict_get(struct p2pdma_policy *p,
		       const struct p2pdma_function *provider,
		       const struct p2pdma_function *client,
		       const char *client_name,
		       struct p2pdma_verdict **out, struct p2pdma_error *e);
void p2pdma_verdict_free(struct p2pdma_verdict *v);
/*
 * Only the verdict's reason (p2pdma_verdict_get()'s v->reason) into @buf,
 * cut to @len: what a refused DMA mapping says.  Cheaper than the whole
 * verdict, and it leaves the kernel cache alone as the kernel's mapping
 * path does.
 */
int p2pdma_verdict_reason(struct p2pdma_policy *p, const struct p2pdma_function *provider,
			  const struct p2pdma_function *client, char *buf, size_t len,
			  struct p2pdma_error *e);

/*
 * Whether @v is a yes: NOT_SUPPORTED is not among its possible answers (an
 * uncertain verdict that may be refused is not a yes).
 */
bool p2pdma_verdict_ok(const struct p2pdma_verdict *v);

/* ---------------------------------------------------------------------- */
/* Several clients, provider choice                                       */

/* A client: a PCI function, or (fn NULL) a named device that is not PCI. */
struct p2pdma_client {
	const struct p2pdma_function *fn;
	const char *name;
};

/*
 * Parse a client argument: a PCI address present in the fabric, or
 * BUS:NAME (e.g. "platform:foo", "virtio:virtio0": a bus name made of
 * letters, digits, '_' and '-' that is not all hex digits), which is a
 * device with no PCI parent.  -EINVAL/-ENOENT with a reason otherwise.
 */
int p2pdma_client_parse(const struct p2pdma_fabric *f, const char *s,
			struct p2pdma_client *out, struct p2pdma_error *e);

/*
 * pci_p2pdma_distance_many(): the sum of the distances, or -1 when a
 * client cannot do P2P with @provider (or is not PCI, or n == 0).
 * @types (may be NULL) receives each client's map type as the kernel's
 * verbose walk computes it (UNKNOWN for those after a non-PCI client,
 * where the kernel stops).
 */
int p2pdma_distance_many(struct p2pdma_policy *p,
			 const struct p2pdma_function *provider,
			 const struct p2pdma_client *clients, size_t n,
			 enum p2pdma_map_type *types);

struct p2pdma_candidate {
	const struct p2pdma_function *provider;
	int distance;			/* distance_many(), -1: unusable */
	bool certain;			/* every verdict for it is certain */
};

struct p2pdma_find_result {
	const struct p2pdma_function *chosen;	/* NULL: none usable */
	int distance;
	size_t nr_ties;			/* candidates at that distance, kernel-capped */
	uint64_t seed;			/* the seed the choice used */
	struct p2pdma_candidate *candidates;	/* every published provider, BDF order */
	size_t nr_candidates;
};

/* The kernel keeps at most PAGE_SIZE / sizeof(void *) ties. */
#define P2PDMA_FIND_MAX_TIES 512

/*
 * pci_p2pmem_find_many(): published providers (p2pmem.present and
 * .published), smallest total distance, one of the ties chosen uniformly
 * at random with a PRNG seeded from @seed (so a seed repeats a choice).
 */
int p2pdma_find(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		size_t n, uint64_t seed, struct p2pdma_find_result **out,
		struct p2pdma_error *e);
void p2pdma_find_result_free(struct p2pdma_find_result *r);

/* ---------------------------------------------------------------------- */
/* What if: kernel command line, IOMMU, CPU                                */

struct p2pdma_whatif {
	/* Kernel command line: its pci=disable_acs_redir= and pci=config_acs=. */
	const char *cmdline;
	/* 1: an IOMMU requests ACS (pci_std_enable_acs); 0 or -1: as loaded. */
	int iommu;
	/* p2pdma_cpu_parse() syntax; NULL: as loaded. */
	const char *cpu;
};

struct p2pdma_acs_change {
	const struct p2pdma_function *fn;
	uint16_t before, after;
	/* The ACS state is unknown, but the redirect bits are now known off. */
	bool unknown_cleared;
};

struct p2pdma_whatif_report {
	/* What the kernel would print while applying them (pci_info/pci_err). */
	char **kernel_log;
	size_t nr_kernel_log;
	/* Our remarks: parameters ignored, how captured values were treated. */
	char **notes;
	size_t nr_notes;
	struct p2pdma_acs_change *changes;
	size_t nr_changes;
};

/*
 * Apply @w to the policy's fabric in memory (never to the machine), in
 * the kernel's order: the IOMMU's ACS enable, then disable_acs_redir,
 * then config_acs, each merged as ctrl = (fw_ctrl & ~mask) | (flags &
 * mask).  The loaded registers are post-boot values; they are taken as
 * the "firmware" values of that merge.  Bad parameter strings are not
 * errors, as in the kernel: they are ignored with the kernel's message.
 * -EINVAL only for a bad @w->cpu or @w->iommu.
 */
/*
 * Set one what-if from a command-line option: @option is "cmdline",
 * "iommu" (@value "on" or "off") or "cpu".  @value must outlive @w.
 */
int p2pdma_whatif_set(struct p2pdma_whatif *w, const char *option,
		      const char *value, struct p2pdma_error *e);
/* Does @w ask for any change? */
bool p2pdma_whatif_any(const struct p2pdma_whatif *w);

int p2pdma_whatif_apply(struct p2pdma_policy *p, const struct p2pdma_whatif *w,
			struct p2pdma_whatif_report **out, struct p2pdma_error *e);
void p2pdma_whatif_report_free(struct p2pdma_whatif_report *r);

/* ---------------------------------------------------------------------- */
/* Writers: what `p2pdma check`, `matrix` and `find` print                 */

/* One verdict as text (several lines) or as a JSON object. */
int p2pdma_verdict_write_text(const struct p2pdma_verdict *v, char **out);
int p2pdma_verdict_write_json(const struct p2pdma_verdict *v, char **out);

/* `check`: every client's verdict, the distance_many total, the what-if. */
int p2pdma_check_write(struct p2pdma_policy *p,
		       const struct p2pdma_function *provider,
		       const struct p2pdma_client *clients, size_t n,
		       const struct p2pdma_whatif_report *whatif, bool json,
		       char **out, int *all_ok, struct p2pdma_error *e);

enum p2pdma_matrix_set {
	P2PDMA_MATRIX_DEFAULT,	/* storage, network, display, accelerators, p2pmem providers */
	P2PDMA_MATRIX_ALL,	/* every endpoint function */
};

int p2pdma_matrix_write(struct p2pdma_policy *p, enum p2pdma_matrix_set set,
			const struct p2pdma_whatif_report *whatif, bool json,
			char **out, struct p2pdma_error *e);

/* Where streamed output goes: @len bytes at @s; 0, or a negative errno to stop. */
typedef int (*p2pdma_emit_fn)(void *arg, const char *s, size_t len);

/*
 * The same matrix, handed to @emit a row at a time, so memory stays
 * proportional to a row (the JSON has one matrix row a line).
 */
int p2pdma_matrix_stream(struct p2pdma_policy *p, enum p2pdma_matrix_set set,
			 const struct p2pdma_whatif_report *whatif, bool json,
			 p2pdma_emit_fn emit, void *arg, struct p2pdma_error *e);

int p2pdma_find_write(struct p2pdma_policy *p, const struct p2pdma_client *clients,
		      size_t n, const struct p2pdma_find_result *r,
		      const struct p2pdma_whatif_report *whatif, bool all,
		      bool json, char **out, struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Doctor: the whole machine on one screen                                 */

enum p2pdma_cause_kind {
	P2PDMA_CAUSE_NO_P2PDMA,		/* the kernel release predates P2PDMA */
	P2PDMA_CAUSE_ACS_REDIRECT,	/* ports whose ACS redirect blocks or detours pairs */
	P2PDMA_CAUSE_ACS_UNKNOWN,	/* ACS state unreadable (captured without root) */
	P2PDMA_CAUSE_HOST_BRIDGE,	/* host bridges not allowed on this release */
	P2PDMA_CAUSE_IOMMU,		/* devices whose DMA the IOMMU translates */
	P2PDMA_CAUSE_LINK,		/* links trained below what both ends can do */
};

/* "no_p2pdma", "acs_redirect", "acs_unknown", "host_bridge", "iommu", "link" */
const char *p2pdma_cause_kind_name(enum p2pdma_cause_kind k);

struct p2pdma_cause {
	enum p2pdma_cause_kind kind;
	/* The ports or devices it names, BDF order (host bridges: the looked-up device). */
	const struct p2pdma_function **fns;
	size_t nr_fns;
	size_t nr_pairs;		/* pairs it affects */
	size_t nr_blocked;		/* of them, pairs that may be refused */
	char *summary;			/* one line */
	char *fix;			/* the lasting fix, several lines; NULL: none */
	char *fix_cmdline;		/* its kernel argument, or NULL */
	/* Proven by applying fix_cmdline as a what-if and recounting: */
	bool fix_checked;
	size_t fixes_blocked;		/* blocked pairs it unblocks */
	size_t fixes_detour;		/* THRU_HOST_BRIDGE pairs it makes BUS_ADDR */
};

struct p2pdma_doctor {
	const struct p2pdma_function **devs;	/* the devices that matter, BDF order */
	size_t nr_devs;
	size_t nr_pairs;			/* unordered pairs of them */
	size_t nr_type[4];			/* certain answers, by enum p2pdma_map_type */
	size_t nr_uncertain;
	size_t nr_blocked;			/* pairs that may be refused */
	struct p2pdma_cause *causes;
	size_t nr_causes;
	char release[32];
	bool release_assumed;
};

/*
 * Examine every pair of the devices p2pdma_matrix_write() shows by
 * default, group why pairs are blocked or detoured through the host
 * bridge, and give one lasting fix per cause.  An ACS fix is applied as
 * a what-if to the fabric and the pairs are counted again; the fabric is
 * restored before this returns.
 */
int p2pdma_doctor_run(struct p2pdma_policy *p, struct p2pdma_doctor **out,
		      struct p2pdma_error *e);
void p2pdma_doctor_free(struct p2pdma_doctor *d);
int p2pdma_doctor_write(const struct p2pdma_doctor *d, bool json, char **out,
			struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Diff: what changed between two machines, and which verdicts it changed */

enum p2pdma_change_kind {
	P2PDMA_CHANGE_ADDED,		/* a function only in B */
	P2PDMA_CHANGE_REMOVED,		/* a function only in A */
	P2PDMA_CHANGE_MOVED,		/* same IDs at another BDF, or another parent */
	P2PDMA_CHANGE_ID,		/* same BDF, other vendor:device */
	P2PDMA_CHANGE_ACS,		/* ACS Control (or its readability) */
	P2PDMA_CHANGE_LINK,		/* link speed or width */
	P2PDMA_CHANGE_IOMMU_GROUP,
	P2PDMA_CHANGE_IOMMU_TYPE,	/* the group's domain type */
	P2PDMA_CHANGE_CMDLINE,
	P2PDMA_CHANGE_RELEASE,
	P2PDMA_CHANGE_PAIR,		/* a pair verdict */
};

/* "added", "removed", "moved", "id", "acs", "link", "iommu_group", ... "pair" */
const char *p2pdma_change_kind_name(enum p2pdma_change_kind k);

struct p2pdma_change {
	enum p2pdma_change_kind kind;
	char *what;		/* "0000:19:00.0", "0000:1a:00.0 0000:1b:00.0", "" */
	char *before;		/* A's value, NULL: none */
	char *after;		/* B's value, NULL: none */
	bool worse;		/* a pair that got worse (or was lost) */
};

struct p2pdma_diff {
	/* Functions in BDF order, then command line, release, pairs. */
	struct p2pdma_change *changes;
	size_t nr_changes;
	size_t nr_worse;
};

/*
 * Compare machine @a (the baseline) with @b.  Functions are matched by
 * BDF; a function removed at one BDF and added at another with the same
 * IDs is "moved".  Pair verdicts are compared for the devices that
 * matter (p2pdma_doctor_run()'s set) present in both; a pair of A whose
 * device is gone in B counts as worse when it could do P2P in A.
 */
int p2pdma_diff_run(struct p2pdma_fabric *a, struct p2pdma_fabric *b,
		    struct p2pdma_diff **out, struct p2pdma_error *e);
void p2pdma_diff_free(struct p2pdma_diff *d);
int p2pdma_diff_write(const struct p2pdma_diff *d, bool json, char **out,
		      struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Exports: the machine in the formats of a fleet's own tools               */

/*
 * P2P groups: the devices doctor examines, partitioned so that every pair
 * inside a group can do P2P for certain (BUS_ADDR or THRU_HOST_BRIDGE)
 * and no two groups could be merged.  A group's id is "p2p-" and the
 * address of its first member ("p2p-0000-1a-00.0"): it stays the same
 * while that device stays in it, whatever else changes on the machine.
 */
struct p2pdma_p2p_group {
	char id[40];
	const struct p2pdma_function **devs;	/* BDF order */
	size_t nr_devs;
	/* BUS_ADDR when every pair inside is BUS_ADDR, else THRU_HOST_BRIDGE. */
	enum p2pdma_map_type map_type;
};

struct p2pdma_p2p_groups {
	struct p2pdma_p2p_group *groups;	/* by first member, BDF order */
	size_t nr_groups;
};

int p2pdma_p2p_groups_get(struct p2pdma_policy *p, struct p2pdma_p2p_groups **out,
			  struct p2pdma_error *e);
void p2pdma_p2p_groups_free(struct p2pdma_p2p_groups *g);

enum p2pdma_export_format {
	P2PDMA_EXPORT_NFD,		/* Node Feature Discovery features.d file */
	P2PDMA_EXPORT_GROUPS,		/* P2P groups per device, JSON */
	P2PDMA_EXPORT_PROMETHEUS,	/* text exposition format (textfile collector) */
	P2PDMA_EXPORT_NCCL,		/* NCCL topology XML (NCCL_TOPO_FILE) */
};

/* "nfd", "groups", "prometheus", "nccl"; -EINVAL with a reason otherwise. */
int p2pdma_export_format_parse(const char *s, enum p2pdma_export_format *out,
			       struct p2pdma_error *e);
int p2pdma_export_write(struct p2pdma_policy *p, enum p2pdma_export_format fmt,
			char **out, struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_POLICY_H */
