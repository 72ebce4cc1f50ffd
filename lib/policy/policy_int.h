/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the policy layer, shared by its files (and by the tests
 * and fuzzers, which link the static library).
 */
#ifndef P2PDMA_POLICY_INT_H
#define P2PDMA_POLICY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "p2pdma/policy.h"
#include "util.h"

/* ACS state of one device as the kernel's pci_bridge_has_acs_redir() sees it. */
enum p2pdma_redir {
	P2PDMA_REDIR_NO,	/* no ACS capability, or RR|CR|EC all clear */
	P2PDMA_REDIR_YES,
	P2PDMA_REDIR_UNKNOWN,	/* config space was not readable */
};

/*
 * Per-function index data, 16 bytes so a pair verdict touches few cache
 * lines.  The "upstream forest" links every function to the kernel's
 * pci_upstream_bridge() (a VF to its PF's parent).  The 16-bit counts are
 * used only when the tree is shallow enough for the sparse table (depth
 * below P2PDMA_SPARSE_MAX_DEPTH); otherwise verdicts walk.
 */
struct p2pdma_pnode {
	uint32_t first;		/* position in the depth-first preorder */
	uint16_t depth;		/* 0 on a root bus */
	uint16_t R;		/* redirecting devices, root..self inclusive */
	uint16_t U;		/* unknown-ACS devices, root..self inclusive */
	uint16_t S;		/* bridge "units" (a switch counts once), root..self */
	uint16_t hb;		/* host bridge index */
	uint8_t flags;		/* P2PDMA_PN_* */
	uint8_t pad;
};

#define P2PDMA_PN_REDIR		0x03	/* enum p2pdma_redir of the function itself */
#define P2PDMA_PN_START		0x04	/* starts a bridge unit */
#define P2PDMA_PN_USP		0x08	/* switch upstream port */
#define P2PDMA_PN_OK_SAME	0x10	/* its host bridge: whitelist(same=true) */
#define P2PDMA_PN_OK_DIFF	0x20	/* its host bridge: whitelist(same=false) */
#define P2PDMA_PN_HB_UNKNOWN	0x40	/* its host bridge's device ID is unknown */

/* Per host bridge: the allow-list look-up, done once. */
struct p2pdma_phb {
	const struct p2pdma_function *dev;	/* pci_host_bridge_dev() */
	int entry;				/* first matching entry, -1 */
	bool ok_same;	/* __host_bridge_whitelist(host, true) */
	bool ok_diff;	/* __host_bridge_whitelist(host, false) */
	bool id_unknown;	/* the device's ID is unknown and would decide */
};

/* A host-bridge answer that may be unknown. */
enum p2pdma_tri {
	P2PDMA_NO = 0,
	P2PDMA_YES = 1,
	P2PDMA_MAYBE = 2,
};

/*
 * The kernel's verdict cache (kcache.c): per provider that was asked, a
 * bitmap of the clients asked (the pairs the kernel's map_types xarray
 * holds); an asked pair answers from @over when its stored answer is not
 * the current index's (written before a fabric change, or a distance
 * rewrite), else from the current index.
 */
#define P2PDMA_KC_BITS 64		/* clients per word of a row */

struct p2pdma_kover {
	uint32_t pi, ci;
	uint32_t type;			/* enum p2pdma_map_type + 1; 0: empty slot */
};

struct p2pdma_kcache {
	uint64_t **row;			/* per provider: clients asked, NULL: none */
	size_t n;			/* entries of @row, bits of a row */
	size_t nr_rows;			/* rows allocated */
	struct p2pdma_kover *over;	/* open addressing, power-of-two size */
	size_t over_cap, nr_over;
};

struct p2pdma_policy {
	struct p2pdma_fabric *f;
	/* releases.c: the kernel release whose rules apply. */
	struct p2pdma_kver rel;
	bool rel_assumed;		/* the machine's is unknown or not understood */
	char rel_text[32];		/* "6.12.117", "7.3", "next" */
	char rel_note[256];		/* why assumed, or "" */
	uint64_t gen;			/* fabric generation the index is for */
	bool valid;
	size_t n;			/* functions indexed */
	struct p2pdma_pnode *node;
	int32_t *up;			/* upstream bridge index, -1: on a root bus */
	uint32_t *top;			/* the root-bus function at the top of its tree */
	uint32_t *depth;		/* depth, without the 16-bit limit */

	/*
	 * O(1) range minimum over the preorder in linear memory: @pre holds,
	 * per preorder position, (depth + 1) << 22 | parent; @mask, per
	 * position, the in-block stack of prefix minima (bit j: position
	 * block + j); @blk, a sparse table over the block minima only.
	 */
	uint32_t *pre;
	uint32_t *mask;
	uint32_t *blk;
	size_t m;			/* preorder length (n) */
	size_t nb;			/* blocks of P2PDMA_RMQ_BLOCK positions */
	unsigned int levels;		/* levels of @blk */
	bool fast_lca;			/* false: walk up (huge or odd trees) */
	bool hb_any_unknown;		/* some host bridge's device ID is unknown */

	struct p2pdma_phb *phb;
	size_t nr_phb;
	bool cpu_ok;			/* cpu_supports_p2pdma(), unknown = false */
	bool cpu_known;

	/* kcache.c: what a kernel that never drops its cache still answers. */
	struct p2pdma_kcache kc;

	/*
	 * Functions whose ACS state is unknown but whose redirect bits a
	 * what-if cleared (pci=disable_acs_redir=): known not to redirect.
	 */
	const struct p2pdma_function **acs_off;
	size_t nr_acs_off, acs_off_cap;
};

#define P2PDMA_RMQ_SHIFT	5
#define P2PDMA_RMQ_BLOCK	(1u << P2PDMA_RMQ_SHIFT)
#define P2PDMA_SPARSE_NODE_BITS	22
#define P2PDMA_SPARSE_NODE_MASK	((1u << P2PDMA_SPARSE_NODE_BITS) - 1)
#define P2PDMA_SPARSE_MAX_DEPTH	((1u << (32 - P2PDMA_SPARSE_NODE_BITS)) - 2)

/* index.c: (re)build the index when the fabric generation moved. */
int p2pdma_policy_sync(struct p2pdma_policy *p);
/* Force the walking LCA (tests compare both). */
void p2pdma_policy_force_walk(struct p2pdma_policy *p, bool walk);
enum p2pdma_redir p2pdma_policy_redir(const struct p2pdma_policy *p,
				      const struct p2pdma_function *fn);

/* Lowest common upstream device of two indexed functions, -1: none. */
int p2pdma_lca(const struct p2pdma_policy *p, size_t a, size_t b);

/* The O(1) answer for one pair (indices into f->fns). */
struct p2pdma_fast {
	enum p2pdma_map_type type;	/* for "unknown ACS off, CPU not Zen" */
	int distance;
	int lca;			/* -1: no common upstream device */
	unsigned int possible;		/* bit per possible map type */
	bool certain;
	uint32_t nr_redir;		/* known redirecting devices checked */
	uint32_t nr_unknown;		/* unknown-ACS devices checked */
	enum p2pdma_tri hb_ok;		/* host_bridge_whitelist() */
};

void p2pdma_fast_verdict(const struct p2pdma_policy *p, size_t pi, size_t ci,
			 struct p2pdma_fast *out);
/* The same for an index that has to walk (deep or huge trees). */
enum p2pdma_map_type p2pdma_pair_type_walk(const struct p2pdma_policy *p, size_t a,
					   size_t b, int *distance);

/* Pair verdicts inline these into tight loops; -O2 alone may not. */
#define P2PDMA_HOT static inline __attribute__((always_inline))

/* Minimum of @pre over [l, r], both in one block. */
P2PDMA_HOT uint32_t p2pdma_rmq_in_block(const struct p2pdma_policy *p, uint32_t l, uint32_t r)
{
	uint32_t base = r & ~(P2PDMA_RMQ_BLOCK - 1);
	uint32_t m = p->mask[r] & (~0u << (l - base));

	return p->pre[base + (uint32_t)__builtin_ctz(m)];
}

/* Minimum of the block minima of blocks [l, r], l <= r. */
P2PDMA_HOT uint32_t p2pdma_rmq_blocks(const struct p2pdma_policy *p, uint32_t l, uint32_t r)
{
	unsigned int k = 31u - (unsigned int)__builtin_clz(r - l + 1);
	uint32_t x = p->blk[(size_t)k * p->nb + l];
	uint32_t y = p->blk[(size_t)k * p->nb + r + 1 - (1u << k)];

	return x < y ? x : y;
}

/*
 * O(1) LCA of a != b; valid only when p->fast_lca.  The parent of the
 * shallowest node in preorder positions (pos(a), pos(b)]: the part in
 * the first block, the part in the last, and whole blocks between.
 */
P2PDMA_HOT int p2pdma_lca_fast(const struct p2pdma_policy *p, uint32_t a, uint32_t b)
{
	uint32_t pa, pb, fa, fb, bl, br, v, x;

	/*
	 * Below different root-bus functions (two root ports, say): no
	 * common device, known from one compare instead of the range minimum.
	 */
	if (p->top[a] != p->top[b])
		return -1;
	pa = p->node[a].first;
	pb = p->node[b].first;
	/* Ordered without a branch: which side comes first is a coin toss. */
	fa = pa < pb ? pa : pb;
	fb = pa ^ pb ^ fa;
	fa++;
	bl = fa >> P2PDMA_RMQ_SHIFT;
	br = fb >> P2PDMA_RMQ_SHIFT;
	if (bl == br) {
		v = p2pdma_rmq_in_block(p, fa, fb);
	} else {
		v = p2pdma_rmq_in_block(p, fa, (bl << P2PDMA_RMQ_SHIFT) + P2PDMA_RMQ_BLOCK - 1);
		x = p->pre[(br << P2PDMA_RMQ_SHIFT) + (uint32_t)__builtin_ctz(p->mask[fb])];
		v = x < v ? x : v;
		if (bl + 1 < br) {
			x = p2pdma_rmq_blocks(p, bl + 1, br - 1);
			v = x < v ? x : v;
		}
	}
	v &= P2PDMA_SPARSE_NODE_MASK;
	return v == p->n ? -1 : (int)v;
}

/*
 * The host-bridge leg allowed: the CPU rule, else host_bridge_whitelist()
 * from both ends' flags, an unknown device ID read as "not allowed".
 */
P2PDMA_HOT bool p2pdma_pair_hb_ok(const struct p2pdma_policy *p,
				  const struct p2pdma_pnode *na, const struct p2pdma_pnode *nb)
{
	const unsigned int same = P2PDMA_PN_OK_SAME | P2PDMA_PN_HB_UNKNOWN;
	const unsigned int diff = P2PDMA_PN_OK_DIFF | P2PDMA_PN_HB_UNKNOWN;

	if (p->cpu_ok)
		return true;
	if (na->hb == nb->hb)
		return (na->flags & same) == P2PDMA_PN_OK_SAME;
	return (na->flags & diff) == P2PDMA_PN_OK_DIFF && (nb->flags & diff) == P2PDMA_PN_OK_DIFF;
}

/* The answer for a pair with no common upstream device: both whole chains. */
P2PDMA_HOT enum p2pdma_map_type p2pdma_pair_apart(const struct p2pdma_policy *p,
						 uint32_t a, uint32_t b, int *distance)
{
	const struct p2pdma_pnode *na = &p->node[a], *nb = &p->node[b];

	*distance = na->depth + nb->depth + 2;
	return p2pdma_pair_hb_ok(p, na, nb) ? P2PDMA_MAP_THRU_HOST_BRIDGE
					    : P2PDMA_MAP_NOT_SUPPORTED;
}

/*
 * The kernel's answer for one pair, map type and distance, in O(1): what
 * p2pdma_map_type() returns (unknown ACS read as clear, an unknown CPU or
 * host-bridge ID as "not allowed").  Inline so a whole matrix runs tight.
 */
P2PDMA_HOT enum p2pdma_map_type p2pdma_pair_type(const struct p2pdma_policy *p,
						    uint32_t a, uint32_t b, int *distance)
{
	const struct p2pdma_pnode *na, *nb, *nl;
	int l;

	if (!p->fast_lca)
		return p2pdma_pair_type_walk(p, a, b, distance);
	l = a == b ? (int)a : p2pdma_lca_fast(p, a, b);
	if (l < 0)
		return p2pdma_pair_apart(p, a, b, distance);
	na = &p->node[a];
	nb = &p->node[b];
	nl = &p->node[l];
	*distance = na->depth + nb->depth - 2 * nl->depth;
	if (na->R + nb->R - 2 * nl->R + ((nl->flags & P2PDMA_PN_REDIR) == P2PDMA_REDIR_YES) == 0)
		return P2PDMA_MAP_BUS_ADDR;
	return p2pdma_pair_hb_ok(p, na, nb) ? P2PDMA_MAP_THRU_HOST_BRIDGE
					    : P2PDMA_MAP_NOT_SUPPORTED;
}

/* allowlist.c */
int p2pdma_allow_match(uint16_t vendor, uint16_t device);
int p2pdma_allow_match_id(uint16_t vendor, uint16_t device, bool *unknown);
bool p2pdma_is_root_port(const struct p2pdma_function *fn);

/* releases.c: one table of what changed in which release (KERNEL-FACTS 11). */
enum p2pdma_rel_kind {
	P2PDMA_REL_P2PDMA,		/* P2PDMA itself */
	P2PDMA_REL_ALLOW,		/* allow-list rows */
	P2PDMA_REL_CPU_RULE,		/* AMD Zen CPU rule */
	P2PDMA_REL_ROOT_PORT_ANY_DEVFN,	/* pci_host_bridge_dev() takes a root port */
	P2PDMA_REL_DMA_MAP_SG,		/* P2PDMA pages in dma_map_sg */
	P2PDMA_REL_ALLOCATE,		/* sysfs p2pmem/allocate mmap */
	P2PDMA_REL_CONFIG_ACS,		/* pci=config_acs= */
	P2PDMA_REL_ACS_FW_MERGE,	/* the 6.11-6.14 merge that kept firmware bits */
	P2PDMA_REL_DMA_DIRECT_THB_BUG,	/* dma-direct left THRU_HOST_BRIDGE unmapped */
	P2PDMA_REL_STACKED_BLK,		/* md / nvme-multipath accept p2pmem */
	P2PDMA_REL_WARN_SILENT,		/* whitelist warning on silent calls */
	P2PDMA_REL_OLD_MESSAGES,	/* the 4.20 wording of the refusal lines */
};

struct p2pdma_rel_row {
	enum p2pdma_rel_kind kind;
	uint16_t vendor;		/* P2PDMA_REL_ALLOW rows */
	int dev_lo, dev_hi;		/* device range, or both P2PDMA_ALLOW_ANY_DEVICE */
	uint32_t since;			/* first release (P2PDMA_KVER), P2PDMA_KVER_NEXT */
	uint32_t until;			/* first release without it, 0: still there */
	const char *stable;		/* where stable/distribution kernels differ, or NULL */
	const char *what;
	const char *evidence;		/* commit or KERNEL-FACTS section */
};

const struct p2pdma_rel_row *p2pdma_rel_table(size_t *count);
const struct p2pdma_rel_row *p2pdma_rel_rule(enum p2pdma_rel_kind kind);
bool p2pdma_rel_has(uint32_t v, enum p2pdma_rel_kind kind);
const struct p2pdma_rel_row *p2pdma_rel_allow_row(uint16_t vendor, int device);
bool p2pdma_rel_allow_present(uint32_t v, const struct p2pdma_allow_entry *a);
void p2pdma_rel_sync(struct p2pdma_policy *p);
bool p2pdma_rel_cpu_rule(uint32_t v, const struct p2pdma_cpu *cpu);
const struct p2pdma_function *p2pdma_rel_host_bridge_dev(uint32_t v,
							  const struct p2pdma_host_bridge *hb);
int p2pdma_rel_allow_match_id(uint32_t v, uint16_t vendor, uint16_t device, bool *unknown);
int p2pdma_rel_hb_allowed(uint32_t v, const struct p2pdma_cpu *cpu,
			  const struct p2pdma_host_bridge *a, const struct p2pdma_host_bridge *b);
char *p2pdma_rel_differs(uint32_t v, const struct p2pdma_cpu *cpu,
			 const struct p2pdma_host_bridge *a, const struct p2pdma_host_bridge *b,
			 const char *subject);
char *p2pdma_rel_backport_note(uint32_t v, const struct p2pdma_host_bridge *a,
			       const struct p2pdma_host_bridge *b);
int p2pdma_rel_explain(const struct p2pdma_policy *p, struct p2pdma_verdict *v);
struct json_object;
void p2pdma_rel_text(const struct p2pdma_policy *p, struct p2pdma_buf *b);
void p2pdma_rel_json(const struct p2pdma_policy *p, struct json_object *o);
/* Matrix: one line per host-bridge pair whose answer other releases change. */
void p2pdma_rel_matrix_notes(const struct p2pdma_policy *p, struct p2pdma_buf *b,
			     const struct p2pdma_function *const *fns, size_t n);
/* allowlist.c: the newest table plus rows older kernels had. */
const struct p2pdma_allow_entry *p2pdma_allow_list_all(size_t *count);

/* pathclass.c */
enum p2pdma_path_class p2pdma_path_class_of(const struct p2pdma_policy *p,
					    size_t pi, size_t ci, int lca);
char *p2pdma_peer_note(const struct p2pdma_policy *p,
		       const struct p2pdma_verdict *v);
/* A GPU or accelerator, not the display of a server's BMC. */
bool p2pdma_fn_is_gpu(const struct p2pdma_function *fn);
bool p2pdma_class_is_nic(uint32_t class_code);

/* kcache.c: the kernel's cache (verdict.c, pair.c and choose.c fill it). */
void p2pdma_cache_store_kernel(struct p2pdma_policy *p, size_t pi, size_t ci,
			       enum p2pdma_map_type t);
/* The provider's row, started (empty) if it had none; NULL when out of memory. */
uint64_t *p2pdma_kcache_start_row(struct p2pdma_policy *p, size_t pi);
/* index.c calls this before it drops an index for a new generation of @new_n. */
void p2pdma_kcache_keep(struct p2pdma_policy *p, size_t new_n);
void p2pdma_kcache_free(struct p2pdma_policy *p);
/* The kernel's cached answer for a pair, UNKNOWN when its row is empty. */
enum p2pdma_map_type p2pdma_kcache_answer(struct p2pdma_policy *p, size_t pi, size_t ci);
/* The provider's driver was unbound: its row and rewrites go. */
void p2pdma_kcache_forget(struct p2pdma_policy *p, size_t pi);
size_t p2pdma_kcache_bytes(const struct p2pdma_policy *p);
/* Bytes the policy holds: index and kernel cache. */
size_t p2pdma_policy_bytes(const struct p2pdma_policy *p);

/* The kernel's row for @pi if it has one for this index's functions. */
static inline uint64_t *p2pdma_kcache_row(const struct p2pdma_policy *p, size_t pi)
{
	return p->kc.n == p->n && p->kc.row ? p->kc.row[pi] : NULL;
}

/*
 * A DMA mapping asked the kernel for this pair: it computes and stores the
 * verdict if the pair is not cached yet, else it reads the cache; either
 * way the pair is cached from now on.  One bit, set whatever it was.
 */
static inline void p2pdma_kcache_ask(struct p2pdma_policy *p, size_t pi, size_t ci)
{
	uint64_t *row = p2pdma_kcache_row(p, pi);

	if (__builtin_expect(!row, 0))
		row = p2pdma_kcache_start_row(p, pi);
	if (row)
		row[ci / P2PDMA_KC_BITS] |= UINT64_C(1) << (ci % P2PDMA_KC_BITS);
}

/* explain.c / fix.c */
int p2pdma_explain(struct p2pdma_policy *p, struct p2pdma_verdict *v);
int p2pdma_explain_fix(struct p2pdma_policy *p, struct p2pdma_verdict *v);
/* "nvme 0000:03:00.0: " as the kernel's dev_printk prefixes a line. */
char *p2pdma_dev_prefix(const struct p2pdma_function *fn, char *buf, size_t len);
/* "0000:1a:00.0 (Samsung ... NVMe SSD)" */
char *p2pdma_fn_label(const struct p2pdma_function *fn, char *buf, size_t len);

/*
 * fix.c: pci=disable_acs_redir= naming @fns (after any list the machine
 * already boots with) and the boot-loader drop-in text that installs it.
 */
int p2pdma_fix_acs_lasting(const struct p2pdma_policy *p,
			   const struct p2pdma_function *const *fns, size_t n,
			   char **cmdline, char **text);

/* matrix.c: the devices that matter (storage, NIC, GPU, accelerators, p2pmem). */
bool p2pdma_fn_default_class(const struct p2pdma_function *fn);
/* "NVMe", "STOR", "NIC", "GPU", "ACC", "MEM" or "DEV". */
const char *p2pdma_fn_kind(const struct p2pdma_function *fn);

/* String vectors owned by a verdict or a report. */
int p2pdma_strv_push(char ***v, size_t *nr, char *s);
int p2pdma_strv_pushf(char ***v, size_t *nr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void p2pdma_strv_free(char **v, size_t nr);

/* cmdline.c: the kernel's parsing of the ACS parameters. */

/* The kernel's vsscanf() %x / %hx: 0 on "no conversion", else chars used. */
size_t p2pdma_kscan_hex(const char *s, uint64_t *val);

/* pci_dev_str_match(): 1 match, 0 no match, -EINVAL can't parse. */
int p2pdma_dev_str_match(const struct p2pdma_function *fn, const char *p,
			 const char **endptr);

/* The pci= ACS options found on a kernel command line (last one wins). */
struct p2pdma_acs_params {
	char *disable_acs_redir;	/* value after "disable_acs_redir=", or NULL */
	char *config_acs;		/* value after "config_acs=", or NULL */
	bool noats;			/* pci=noats: pci_ats_disabled() */
	char **notes;			/* things the kernel would ignore */
	size_t nr_notes;
};

int p2pdma_cmdline_acs_params(const char *cmdline, struct p2pdma_acs_params *out);
void p2pdma_acs_params_free(struct p2pdma_acs_params *a);

/*
 * __pci_config_acs() for one device: @acs_mask != 0 is the
 * disable_acs_redir form (no flags in the string).  Returns 1 when the
 * device matched and *ctrl was recomputed from @fw_ctrl, 0 when not;
 * messages the kernel prints go to @log (device-prefixed or not).
 * *once is the pr_*_once state for "Can't parse".
 */
int p2pdma_config_acs(const struct p2pdma_function *fn, const char *param,
		      uint16_t acs_mask, uint16_t acs_flags, uint16_t fw_ctrl,
		      uint16_t *ctrl, uint16_t *mask_out, char ***log,
		      size_t *nr_log, bool *once);

/* acs_release.c: pci_enable_acs() by release, and the Intel SPT quirk. */
struct p2pdma_acs_log {
	char ***log;
	size_t *nr;
	bool *once;		/* pr_*_once state */
};

bool p2pdma_acs_spt_quirk(const struct p2pdma_function *fn);
bool p2pdma_acs_fw_merge_bug(uint32_t v);
/* The IOMMU's enable, then the parameters, on *ctrl (the firmware value in). */
void p2pdma_acs_enable_at(uint32_t v, const struct p2pdma_function *fn,
			  const struct p2pdma_acs_params *a, bool iommu, uint16_t *ctrl,
			  struct p2pdma_acs_log *l);
void p2pdma_acs_absent_at(uint32_t v, const struct p2pdma_function *fn,
			  const struct p2pdma_acs_params *a, struct p2pdma_acs_log *l);
bool p2pdma_acs_unknown_cleared(uint32_t v, const struct p2pdma_function *fn,
				const struct p2pdma_acs_params *a);
int p2pdma_acs_params_at(uint32_t v, struct p2pdma_acs_params *a, char ***log, size_t *nr,
			 char ***notes, size_t *nr_notes);

/* Writers (text.c, json.c) shared by check, matrix and find. */
struct json_object;
struct json_object *p2pdma_verdict_json_obj(const struct p2pdma_verdict *v);
struct json_object *p2pdma_whatif_json_obj(const struct p2pdma_whatif_report *r);
struct json_object *p2pdma_json_str_or_null(const char *s);
int p2pdma_json_finish(struct json_object *o, char **out);
void p2pdma_verdict_text(struct p2pdma_buf *b, const struct p2pdma_verdict *v);
void p2pdma_whatif_text(struct p2pdma_buf *b, const struct p2pdma_whatif_report *r);
/* Word-wrap @text: the first line continues the current one at @col. */
void p2pdma_wrap(struct p2pdma_buf *b, const char *text, int col, int indent, int width);
const char *p2pdma_map_type_meaning(enum p2pdma_map_type t);

#endif /* P2PDMA_POLICY_INT_H */
