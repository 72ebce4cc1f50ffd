/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * p2pdma fabric model: the PCIe tree every other layer reads.
 *
 * A fabric holds host bridges, and under each host bridge a tree of PCI
 * functions (bridges and endpoints).  Loaders build it; after
 * p2pdma_fabric_finalize() it is read-only except through the explicit
 * edit functions below, each of which bumps the generation number so that
 * caches in later layers (policy verdicts) know to drop what they hold.
 *
 * The structures are public so callers can read them directly; write
 * them only through the functions in this header.
 *
 * Errors: every function that can fail returns a negative errno and, when
 * given a struct p2pdma_error, fills it with a one-line reason that names
 * the file (and line, offset or JSON path) where the problem is.  The
 * library never prints and never exits.
 */
#ifndef P2PDMA_FABRIC_H
#define P2PDMA_FABRIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Errors and log hook                                                     */

#define P2PDMA_REASON_MAX 1024

struct p2pdma_error {
	int err;				/* negative errno, 0 = none */
	char reason[P2PDMA_REASON_MAX];		/* one line, no trailing newline */
};

/* Set @e (if non-NULL) and return @err, so callers can "return p2pdma_fail(...)". */
int p2pdma_fail(struct p2pdma_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum p2pdma_log_level {
	P2PDMA_LOG_WARN,
	P2PDMA_LOG_INFO,
	P2PDMA_LOG_DEBUG,
};

/* Caller-supplied sink for warnings ("ACS state unknown ...").  May be NULL. */
typedef void (*p2pdma_log_fn)(void *arg, enum p2pdma_log_level level,
			      const char *msg);

/* ---------------------------------------------------------------------- */
/* Addresses                                                               */

/*
 * A function address.  Domains can be wider than 16 bits (VMD, Hyper-V,
 * some KVM hosts print 5 or 8 hex digits).
 */
struct p2pdma_bdf {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;	/* 0..31 */
	uint8_t fn;	/* 0..7 */
};

#define P2PDMA_BDF_STRLEN 24	/* "ffffffff:ff:1f.7" + NUL, with room */

/* Accepts "DDDD:BB:DD.F" (any number of domain digits) and "BB:DD.F" (domain 0). */
int p2pdma_bdf_parse(const char *s, struct p2pdma_bdf *out);
/* Writes the kernel's pci_name() form: at least 4 domain digits. */
char *p2pdma_bdf_format(const struct p2pdma_bdf *b, char *buf, size_t len);
int p2pdma_bdf_cmp(const struct p2pdma_bdf *a, const struct p2pdma_bdf *b);

/* ---------------------------------------------------------------------- */
/* Model                                                                   */

enum p2pdma_role {
	P2PDMA_ROLE_ENDPOINT,		/* type 0 header: any non-bridge function */
	P2PDMA_ROLE_ROOT_PORT,
	P2PDMA_ROLE_SWITCH_UPSTREAM,
	P2PDMA_ROLE_SWITCH_DOWNSTREAM,
	P2PDMA_ROLE_PCI_BRIDGE,		/* PCI/PCI-X bridge, PCIe<->PCI bridge */
	/*
	 * A bridge whose kind the source did not say (no readable Express
	 * capability).  Loaders may set it; p2pdma_fabric_finalize() replaces
	 * it with one of the roles above, so it never reaches a reader.
	 */
	P2PDMA_ROLE_BRIDGE,
	P2PDMA_ROLE_COUNT,
};

/* "endpoint", "root_port", "switch_upstream", "switch_downstream", "pci_bridge" */
const char *p2pdma_role_name(enum p2pdma_role role);
int p2pdma_role_parse(const char *s, enum p2pdma_role *out);
bool p2pdma_role_is_bridge(enum p2pdma_role role);

enum p2pdma_acs_state {
	P2PDMA_ACS_UNKNOWN,	/* config space was not readable: assume nothing */
	P2PDMA_ACS_ABSENT,	/* config space readable, no ACS capability */
	P2PDMA_ACS_PRESENT,	/* acs_cap / acs_ctrl hold the registers */
};

/* ACS Capability / Control register bits (PCIe spec, same values in both). */
#define P2PDMA_ACS_SV	0x0001	/* source validation */
#define P2PDMA_ACS_TB	0x0002	/* translation blocking */
#define P2PDMA_ACS_RR	0x0004	/* P2P request redirect */
#define P2PDMA_ACS_CR	0x0008	/* P2P completion redirect */
#define P2PDMA_ACS_UF	0x0010	/* upstream forwarding */
#define P2PDMA_ACS_EC	0x0020	/* P2P egress control */
#define P2PDMA_ACS_DT	0x0040	/* direct translated P2P */
/* The bits the kernel's p2pdma code treats as "traffic goes up to the root". */
#define P2PDMA_ACS_REDIRECT_MASK (P2PDMA_ACS_RR | P2PDMA_ACS_CR | P2PDMA_ACS_EC)

enum p2pdma_bar_flags {
	P2PDMA_BAR_IO		= 1 << 0,
	P2PDMA_BAR_MEM		= 1 << 1,
	P2PDMA_BAR_PREFETCH	= 1 << 2,
	P2PDMA_BAR_64		= 1 << 3,
};

#define P2PDMA_NUM_BARS 6

struct p2pdma_bar {
	uint64_t start;		/* CPU physical address; 0 with size 0 = unused */
	uint64_t size;
	unsigned int flags;	/* enum p2pdma_bar_flags */
};

/* Link speed in mega-transfers per second: 2500, 5000, 8000, 16000, ... 0 = unknown. */
/* Link widths are a 6-bit register field (Link Status/Capabilities): 0-63. */
#define P2PDMA_LINK_WIDTH_MAX	63

struct p2pdma_link {
	uint32_t speed;
	uint32_t width;		/* lanes, 0 = unknown */
	uint32_t max_speed;
	uint32_t max_width;
};

/* Kernel p2pmem pool state (sysfs p2pmem/), or a described provider. */
struct p2pdma_p2pmem {
	bool present;
	bool published;
	uint64_t size;
	uint64_t available;
};

/* An NVMe namespace, as a description gives it ("nvme_namespaces" in JSON). */
struct p2pdma_nvme_ns {
	uint32_t nsid;		/* 1 .. 0xfffffffe */
	uint64_t blocks;	/* > 0 */
	uint32_t block_size;	/* bytes: a power of two, 512 .. 65536 */
};

struct p2pdma_host_bridge;

struct p2pdma_function {
	struct p2pdma_bdf bdf;
	/*
	 * IDs a source did not give (NCCL XML, lspci -vvv text without -nn
	 * whose names pci.ids does not resolve) are 0xffff, the value config
	 * space reads as when there is no device: never a real vendor.
	 */
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint32_t class_code;		/* 24 bits: base, sub, prog-if */
	uint8_t revision;
	enum p2pdma_role role;

	/* Tree.  parent == NULL: the function sits on its host bridge's root bus. */
	struct p2pdma_host_bridge *host;
	struct p2pdma_function *parent;
	struct p2pdma_function **children;	/* sorted by BDF */
	size_t nr_children;
	int depth;				/* 0 on the root bus */

	/* Bridges only: bus numbers behind the bridge (-1 unknown). */
	int secondary_bus, subordinate_bus;

	/* SR-IOV: a VF names its PF; the policy walks up from the PF. */
	struct p2pdma_function *physfn;

	struct p2pdma_bar bars[P2PDMA_NUM_BARS];
	struct p2pdma_link link;

	/* PCIe Device/Port Type from the Express capability, -1 when unknown. */
	int pcie_type;

	enum p2pdma_acs_state acs_state;
	uint16_t acs_cap;		/* valid when acs_state == PRESENT */
	uint16_t acs_ctrl;		/* current value, after any edit */

	int iommu_group;		/* -1: none */
	int numa_node;			/* -1: unknown */
	char *driver;			/* NULL: none bound */
	struct p2pdma_p2pmem p2pmem;
	/*
	 * Direct (no IOMMU translation) mapping: DMA address minus CPU
	 * physical address, the offset of the device's dma-ranges that the
	 * kernel's phys_to_dma() applies.  64-bit two's complement; 0 (none)
	 * on x86 and on most other platforms.
	 */
	uint64_t dma_offset;
	/*
	 * Width of the streaming DMA mask the driver set (sysfs
	 * dma_mask_bits), -1 unknown.  dma-direct refuses an address above
	 * it (KERNEL-FACTS 11.5).
	 */
	int dma_mask_bits;

	/*
	 * NVMe namespaces the description gives, by nsid; none: the source
	 * said nothing (the simulated platform then makes its default one).
	 */
	struct p2pdma_nvme_ns *nvme_ns;
	size_t nr_nvme_ns;

	size_t index;			/* position in fabric->fns */
};

struct p2pdma_host_bridge {
	char *name;			/* "pci0000:00" as in sysfs */
	uint32_t domain;
	uint8_t bus;			/* root bus number */
	/* PCI bus address minus CPU physical address for this hierarchy. */
	uint64_t bus_offset;
	int numa_node;			/* -1: unknown */
	/* Functions on the root bus, in enumeration (devfn) order. */
	struct p2pdma_function **children;
	size_t nr_children;
	size_t index;
};

struct p2pdma_cpu {
	bool known;
	char vendor[16];	/* "AuthenticAMD", "GenuineIntel", "HygonGenuine", ... */
	unsigned int family;	/* as /proc/cpuinfo "cpu family" */
	unsigned int model;
};

/* A range of host RAM ("System RAM" in /proc/iomem). */
struct p2pdma_ram_range {
	uint64_t start;		/* CPU physical address */
	uint64_t size;		/* bytes, > 0 */
	int numa_node;		/* -1: unknown */
};

struct p2pdma_iommu_group {
	int id;
	char *type;		/* sysfs iommu_groups/N/type: "DMA", "DMA-FQ", "identity", ... or NULL */
};

/*
 * One cell of `nvidia-smi topo -m` (from a bug report): NVIDIA's own
 * class for a pair of its devices, "PIX", "PXB", "PHB", "NODE", "SYS" or
 * "NV#" (# bonded NVLinks).  The matrix names devices "GPU0", "NIC1";
 * their addresses come from the report's `nvidia-smi -q` when it has them.
 */
struct p2pdma_nv_path {
	char name_a[16], name_b[16];
	bool bdf_known;			/* both addresses known */
	struct p2pdma_bdf a, b;
	char cls[8];
};

struct p2pdma_fabric {
	struct p2pdma_host_bridge **hbs;	/* sorted by (domain, bus) */
	size_t nr_hbs;
	struct p2pdma_function **fns;		/* sorted by BDF */
	size_t nr_fns;
	struct p2pdma_iommu_group *groups;	/* sorted by id */
	size_t nr_groups;

	struct p2pdma_cpu cpu;
	char *cmdline;			/* kernel command line, NULL when unknown */
	/*
	 * The running kernel's release ("6.12.117", uname -r, from
	 * /proc/sys/kernel/osrelease), NULL when unknown: the same tree gets
	 * different verdicts on different kernels.
	 */
	char *kernel_release;
	/* Number of functions whose ACS state is unknown. */
	size_t nr_acs_unknown;

	/*
	 * Host RAM, in the order added.  None (nr_ram == 0) means unknown:
	 * the memory layer then treats every address no BAR claims as RAM.
	 */
	struct p2pdma_ram_range *ram;
	size_t nr_ram;

	/* Bumped by every edit after finalize; caches compare against it. */
	uint64_t generation;
	bool finalized;

	/* Private: allocated lengths of the arrays above. */
	size_t hbs_cap, fns_cap, groups_cap, ram_cap;

	/* `nvidia-smi topo -m` cells, each pair once (none: not known). */
	struct p2pdma_nv_path *nv_paths;
	size_t nr_nv_paths;
};

/* ---------------------------------------------------------------------- */
/* Building a fabric (loaders, tests, descriptions)                        */

struct p2pdma_fabric *p2pdma_fabric_new(void);
void p2pdma_fabric_free(struct p2pdma_fabric *f);

/*
 * Add a host bridge.  @name may be NULL ("pciDDDD:BB" is made up).
 * Fails with -EEXIST when one with the same domain and bus exists.
 */
int p2pdma_fabric_add_host_bridge(struct p2pdma_fabric *f, const char *name,
				  uint32_t domain, uint8_t bus,
				  struct p2pdma_host_bridge **out,
				  struct p2pdma_error *e);

/*
 * Add a function.  Fields of @tmpl are copied (tree links, children and
 * index are ignored; driver is duplicated).  @parent is NULL for a
 * function on @host's root bus.  Fails with -EEXIST for a duplicate BDF.
 */
int p2pdma_fabric_add_function(struct p2pdma_fabric *f,
			       struct p2pdma_host_bridge *host,
			       struct p2pdma_function *parent,
			       const struct p2pdma_function *tmpl,
			       struct p2pdma_function **out,
			       struct p2pdma_error *e);

/* A template with every "unknown" field set to its unknown value. */
void p2pdma_function_init(struct p2pdma_function *fn);

int p2pdma_fabric_set_iommu_group_type(struct p2pdma_fabric *f, int id,
				       const char *type, struct p2pdma_error *e);
int p2pdma_fabric_set_cmdline(struct p2pdma_fabric *f, const char *cmdline);
/*
 * Set the kernel release (NULL: unknown).  -EINVAL for an empty string or
 * one with control characters or blanks, -ENOMEM.  After finalize it is a
 * what-if edit: it bumps the generation so cached verdicts are dropped.
 */
int p2pdma_fabric_set_kernel_release(struct p2pdma_fabric *f, const char *release);
/* Add a host RAM range; -EINVAL for size 0 or a range past 2^64. */
int p2pdma_fabric_add_ram(struct p2pdma_fabric *f, uint64_t start, uint64_t size,
			  int numa_node, struct p2pdma_error *e);

/*
 * Check and index the tree: sort, link children, compute depth, infer
 * bridge roles the source did not give, count unknown ACS states.
 * Rejects what cannot be a PCI tree (a parent that is not a bridge, a
 * child in another domain, a VF whose PF is missing, BARs that wrap
 * around), naming the function.
 */
int p2pdma_fabric_finalize(struct p2pdma_fabric *f, struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Reading                                                                 */

struct p2pdma_function *p2pdma_fabric_find(const struct p2pdma_fabric *f,
					   const struct p2pdma_bdf *bdf);
/* Parse then find; -ENOENT or -EINVAL with a reason. */
int p2pdma_fabric_lookup(const struct p2pdma_fabric *f, const char *name,
			 struct p2pdma_function **out, struct p2pdma_error *e);
struct p2pdma_host_bridge *p2pdma_fabric_find_host_bridge(const struct p2pdma_fabric *f,
							  uint32_t domain,
							  uint8_t bus);
const struct p2pdma_iommu_group *p2pdma_fabric_iommu_group(const struct p2pdma_fabric *f,
							   int id);

/* The bridge the kernel's pci_upstream_bridge() returns: PF first, then parent. */
struct p2pdma_function *p2pdma_upstream_bridge(const struct p2pdma_function *fn);

bool p2pdma_function_is_bridge(const struct p2pdma_function *fn);
/* Bus address of a CPU physical address inside @fn's hierarchy. */
uint64_t p2pdma_function_bus_addr(const struct p2pdma_function *fn, uint64_t phys);

/* Vendor/device/class names from pci.ids through libpci; "" when unknown. */
const char *p2pdma_name_vendor(uint16_t vendor, char *buf, size_t len);
const char *p2pdma_name_device(uint16_t vendor, uint16_t device, char *buf, size_t len);
const char *p2pdma_name_class(uint32_t class_code, char *buf, size_t len);

/* "2.5 GT/s" etc. */
char *p2pdma_link_speed_format(uint32_t mts, char *buf, size_t len);
/* Accepts "8.0 GT/s", "8 GT/s", "8.0 GT/s PCIe", "Unknown"; 0 on unknown. */
int p2pdma_link_speed_parse(const char *s, uint32_t *mts);

/* "RR CR" style list of the set ACS control bits, "off" for none. */
char *p2pdma_acs_flags_format(uint16_t bits, char *buf, size_t len);

/* ---------------------------------------------------------------------- */
/* Edits after finalize (what-if, hot-plug).  Each bumps the generation.   */

int p2pdma_fabric_set_acs_ctrl(struct p2pdma_fabric *f, struct p2pdma_function *fn,
			       uint16_t ctrl, struct p2pdma_error *e);
void p2pdma_fabric_set_cpu(struct p2pdma_fabric *f, const struct p2pdma_cpu *cpu);
void p2pdma_fabric_touch(struct p2pdma_fabric *f);

/* ---------------------------------------------------------------------- */
/* Loading                                                                 */

enum p2pdma_input_format {
	P2PDMA_INPUT_AUTO,
	P2PDMA_INPUT_SYSFS,	/* directory (live "/" or captured) or capture tarball */
	P2PDMA_INPUT_JSON,	/* our own description, as "topo --json" writes it */
	P2PDMA_INPUT_LSPCI,	/* lspci -x/-xxx/-xxxx hex dump */
	P2PDMA_INPUT_LSPCI_VVV,	/* lspci -vvv text without hex */
	P2PDMA_INPUT_NCCL,	/* NCCL / RCCL topology XML */
	P2PDMA_INPUT_BUILTIN,	/* "builtin:NAME" */
	P2PDMA_INPUT_BUGREPORT,	/* nvidia-bug-report.log(.gz): its lspci -nnDvvvxxxx section */
};

const char *p2pdma_input_format_name(enum p2pdma_input_format fmt);
int p2pdma_input_format_parse(const char *s, enum p2pdma_input_format *out);

struct p2pdma_load_opts {
	/* NULL or "/" = the live machine. "builtin:NAME" = a built-in description. */
	const char *path;
	enum p2pdma_input_format format;
	/* Where built-in descriptions live; NULL or "" = the installed data directory. */
	const char *builtin_dir;
	p2pdma_log_fn log;
	void *log_arg;
};

/* Detect the format from the path (and its first bytes when needed). */
int p2pdma_input_detect(const char *path, enum p2pdma_input_format *out,
			struct p2pdma_error *e);

/* Load and finalize.  On failure *out is NULL: never a partial model. */
int p2pdma_fabric_load(const struct p2pdma_load_opts *opts,
		       struct p2pdma_fabric **out, struct p2pdma_error *e);

/* Names of the built-in machine descriptions, NULL-terminated; free with free(). */
int p2pdma_builtin_list(const char *builtin_dir, char ***names,
			struct p2pdma_error *e);

/* ---------------------------------------------------------------------- */
/* Writers                                                                 */

/* Our JSON description; loading it back gives the same fabric. */
int p2pdma_fabric_write_json(const struct p2pdma_fabric *f, char **out,
			     struct p2pdma_error *e);

/* The human tree "p2pdma topo" prints.  @out is malloc'ed. */
int p2pdma_fabric_write_tree(const struct p2pdma_fabric *f, char **out,
			     struct p2pdma_error *e);

/*
 * Capture what the sysfs loader reads from the machine under @root
 * ("/" for the live one) into the tarball @out_path (compression from the
 * suffix: .tar, .tar.gz, .tar.bz2, .tar.xz).
 */
int p2pdma_capture(const char *root, const char *out_path,
		   p2pdma_log_fn log, void *log_arg, struct p2pdma_error *e);

/*
 * Remove the temporary file a capture in progress has made (the
 * unfinished capture beside its destination; loading a tarball makes
 * none).  Async-signal-safe: for a program's SIGINT and SIGTERM
 * handlers; the library installs none.
 */
void p2pdma_remove_temp(void);

/* Graphviz DOT ------------------------------------------------------- */

/* How a path is coloured: the policy's verdict for it. */
enum p2pdma_dot_color {
	P2PDMA_DOT_GREEN,	/* BUS_ADDR: the traffic stays below a common bridge */
	P2PDMA_DOT_AMBER,	/* THRU_HOST_BRIDGE: it goes through the root complex */
	P2PDMA_DOT_RED,		/* NOT_SUPPORTED: refused */
};

/*
 * A path to colour: the functions the traffic passes, in order (provider
 * first, client last).  Neighbours in the list that are parent and child
 * colour the link between them; two functions on root buses colour their
 * links to the host bridge(s), and a dashed line joins two host bridges.
 */
struct p2pdma_dot_path {
	const struct p2pdma_function *const *fns;
	size_t nr_fns;
	enum p2pdma_dot_color color;
	const char *label;	/* e.g. "BUS_ADDR, distance 4"; NULL: none */
};

/*
 * Extra words and a colour for one link (the edge between @fn and its
 * parent or host bridge): bandwidth utilization, for example.  The label
 * goes under the link's width and speed; the colour, when given, draws
 * the edge thick in it unless a path colours the same edge.
 */
struct p2pdma_dot_link {
	const struct p2pdma_function *fn;
	const char *label;	/* NULL: none */
	const char *color;	/* "#rrggbb"; NULL: the default */
};

struct p2pdma_dot_opts {
	const char *title;		/* graph title; NULL: none */
	/*
	 * Also draw platform functions (host bridge and uncore devices,
	 * IOMMUs, performance counters) and bridges with nothing behind
	 * them; left out by default so the picture shows the devices that
	 * do peer-to-peer.  Functions on a path are always drawn.
	 */
	bool all;
	const struct p2pdma_dot_path *paths;
	size_t nr_paths;
	const struct p2pdma_dot_link *links;	/* at most one per function */
	size_t nr_links;
};

/*
 * The fabric as a Graphviz digraph: host bridges, a cluster per switch
 * (upstream port, downstream ports, internal functions), endpoints with
 * names, link width/speed on the links, ACS-redirecting ports filled red.
 * The same fabric and options always give the same bytes.  @opts may be
 * NULL.  @out is malloc'ed.
 */
int p2pdma_fabric_write_dot(const struct p2pdma_fabric *f,
			    const struct p2pdma_dot_opts *opts, char **out,
			    struct p2pdma_error *e);

#ifdef __cplusplus
}
#endif

#endif /* P2PDMA_FABRIC_H */
