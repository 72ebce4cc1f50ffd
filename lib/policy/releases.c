// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel releases: which rules a given kernel applies.
 *
 * One table (KERNEL-FACTS.md section 11) dates every change that alters a
 * verdict, a log line or a what-if: the release it first appeared in, the
 * release that dropped it (if any), and where stable or distribution
 * backports decide.  Every other file asks this one ("does release R
 * have rule X?") instead of comparing version numbers itself.
 *
 * A release is kept as one number, major * 10^6 + minor * 10^3 + patch,
 * so comparisons are plain integer ones; "next" (the PCI maintainer's
 * tree, no release yet) is above every release.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy_int.h"

#define KV(a, b, c)	P2PDMA_KVER(a, b, c)
#define NEXT		P2PDMA_KVER_NEXT
#define NEWEST		KV(7, 3, 0)	/* newest mainline release in the table */
#define FIRST		KV(4, 20, 0)	/* P2PDMA itself */
#define INTEL		0x8086
#define AMD		0x1022
#define GOOGLE		0x1ae0
#define NVIDIA		0x10de
#define ZHAOXIN		0x1d17
#define ANY		P2PDMA_ALLOW_ANY_DEVICE
#define INTEL_EARLY	"the release of the first Intel rows is unconfirmed (5.5 to 5.7); p2pdma takes 5.5"
#define INTEL_STABLE	"backported to stable kernels (Cc: stable)"

/*
 * The table.  Allow-list rows name a device range of one vendor; other
 * rows name a rule.  @until is the first release without the change (0:
 * still there).  @stable says where a stable or distribution kernel may
 * differ from the mainline release with the same number.
 */
static const struct p2pdma_rel_row rel_table[] = {
	{ P2PDMA_REL_P2PDMA, 0, 0, 0, FIRST, 0, NULL,
	  "P2PDMA core (pci_p2pdma_distance_many, p2pmem in sysfs)", "KERNEL-FACTS 9" },
	{ P2PDMA_REL_ALLOW, AMD, 0x1450, 0x1450, KV(5, 2, 0), KV(5, 9, 0), NULL,
	  "allow-list: AMD Zen host bridge 1022:1450", "KERNEL-FACTS 9, 11.1" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x3c00, 0x3c01, KV(5, 5, 0), 0,
	  INTEL_EARLY,
	  "allow-list: Intel Xeon E5/Core i7 8086:3c00-3c01 (same host bridge only)", "KERNEL-FACTS 11.1" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x2f00, 0x2f01, KV(5, 5, 0), 0,
	  INTEL_EARLY,
	  "allow-list: Intel Xeon E5 v3 8086:2f00-2f01 (same host bridge only)", "KERNEL-FACTS 11.1" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x2030, 0x2033, KV(5, 5, 0), 0,
	  INTEL_EARLY,
	  "allow-list: Intel Skylake-E 8086:2030-2033", "KERNEL-FACTS 11.1" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x2020, 0x2020, KV(5, 5, 0), 0,
	  INTEL_EARLY,
	  "allow-list: Intel Skylake-E 8086:2020", "KERNEL-FACTS 11.1" },
	{ P2PDMA_REL_ALLOW, AMD, 0x15d0, 0x15d0, KV(5, 8, 0), KV(5, 9, 0), NULL,
	  "allow-list: AMD 1022:15d0", "dea286bb71ba" },
	{ P2PDMA_REL_ALLOW, AMD, 0x1630, 0x1630, KV(5, 8, 0), KV(5, 9, 0), NULL,
	  "allow-list: AMD 1022:1630", "dea286bb71ba" },
	{ P2PDMA_REL_CPU_RULE, 0, 0, 0, KV(5, 9, 0), 0, NULL,
	  "AMD family 0x17 (Zen) or newer allows every host-bridge path", "dea286bb71ba" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x09a2, 0x09a2, KV(5, 18, 0), 0, NULL,
	  "allow-list: Intel 3rd-gen Xeon Scalable 8086:09a2", "feaea1fe8b36" },
	{ P2PDMA_REL_ROOT_PORT_ANY_DEVFN, 0, 0, 0, KV(5, 19, 0), 0,
	  "the release is inferred from the commit date (April 2022), not confirmed",
	  "a root port at any devfn stands for its host bridge (before: devfn 00.0 only)",
	  "1af7c26c59eb" },
	{ P2PDMA_REL_DMA_MAP_SG, 0, 0, 0, KV(6, 0, 0), 0, NULL,
	  "P2PDMA pages in dma_map_sg (dma-direct and dma-iommu), -EREMOTEIO", "KERNEL-FACTS 9" },
	{ P2PDMA_REL_ALLOCATE, 0, 0, 0, KV(6, 2, 0), 0, NULL,
	  "user-space p2pmem: mmap of sysfs p2pmem/allocate, O_DIRECT", "KERNEL-FACTS 9" },
	{ P2PDMA_REL_CONFIG_ACS, 0, 0, 0, KV(6, 11, 0), 0, NULL,
	  "pci=config_acs=", "47c8846a49ba" },
	{ P2PDMA_REL_ACS_FW_MERGE, 0, 0, 0, KV(6, 11, 0), KV(6, 15, 0),
	  "fixed in 6.12-stable from 6.12.23 (April 2025); other stable or distribution kernels may carry the fix",
	  "disable_acs_redir keeps redirect bits firmware set; a config_acs list of several entries fails",
	  "9cf8a952d57b" },
	{ P2PDMA_REL_DMA_DIRECT_THB_BUG, 0, 0, 0, KV(6, 16, 0), KV(7, 1, 0),
	  "fixed by stable backports of 560000d619ef",
	  "dma-direct leaves THRU_HOST_BRIDGE segments unmapped", "560000d619ef" },
	{ P2PDMA_REL_ALLOW, GOOGLE, ANY, ANY, KV(7, 1, 0), 0, NULL,
	  "allow-list: every Google 1ae0 device", "70cf146a674c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x0b25, 0x0b25, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel DSA 8086:0b25", "0ba76b19fd4c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x0cfe, 0x0cfe, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel IAX 8086:0cfe", "0ba76b19fd4c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x11fb, 0x11fb, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel DSA 8086:11fb", "0ba76b19fd4c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x1212, 0x1212, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel DSA 8086:1212", "0ba76b19fd4c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x1216, 0x1216, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel IAA 8086:1216", "0ba76b19fd4c" },
	{ P2PDMA_REL_ALLOW, INTEL, 0x4940, 0x4948, KV(7, 2, 0), 0, INTEL_STABLE,
	  "allow-list: Intel QAT 8086:4940-4948", "0ba76b19fd4c" },
	{ P2PDMA_REL_STACKED_BLK, 0, 0, 0, KV(7, 2, 0), 0, NULL,
	  "nvme-multipath and md RAID accept p2pmem from their members", "fb0eeeed91f3" },
	{ P2PDMA_REL_ALLOW, NVIDIA, 0x2f95, 0x2f98, KV(7, 3, 0), 0, NULL,
	  "allow-list: NVIDIA 10de:2f95-2f98", "894a78088fc3" },
	{ P2PDMA_REL_ALLOW, ZHAOXIN, 0x1003, 0x1008, NEXT, 0, NULL,
	  "allow-list: Zhaoxin 1d17:1003-1008", "f7c2204047" },
	{ P2PDMA_REL_OLD_MESSAGES, 0, 0, 0, FIRST, KV(5, 7, 0),
	  "the end of the old wording is dated about 5.6, unconfirmed",
	  "refusals worded \"as ACS redirect is set\" and \"do not share an upstream bridge\"",
	  "KERNEL-FACTS 2" },
	{ P2PDMA_REL_WARN_SILENT, 0, 0, 0, KV(5, 2, 0), NEXT, NULL,
	  "\"Host bridge not in P2PDMA whitelist\" also on silent calls (find)", "KERNEL-FACTS 11.1" },
};

const struct p2pdma_rel_row *p2pdma_rel_table(size_t *count)
{
	*count = ARRAY_SIZE(rel_table);
	return rel_table;
}

static bool row_in(const struct p2pdma_rel_row *r, uint32_t v)
{
	return v >= r->since && (!r->until || v < r->until);
}

const struct p2pdma_rel_row *p2pdma_rel_rule(enum p2pdma_rel_kind kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rel_table); i++)
		if (rel_table[i].kind == kind)
			return &rel_table[i];
	return NULL;
}

bool p2pdma_rel_has(uint32_t v, enum p2pdma_rel_kind kind)
{
	const struct p2pdma_rel_row *r = p2pdma_rel_rule(kind);

	return r && row_in(r, v);
}

/* The allow-list row of the table covering (vendor, device), NULL: none. */
const struct p2pdma_rel_row *p2pdma_rel_allow_row(uint16_t vendor, int device)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rel_table); i++) {
		const struct p2pdma_rel_row *r = &rel_table[i];

		if (r->kind != P2PDMA_REL_ALLOW || r->vendor != vendor)
			continue;
		if (r->dev_lo == ANY ? device == ANY :
		    device != ANY && device >= r->dev_lo && device <= r->dev_hi)
			return r;
	}
	return NULL;
}

bool p2pdma_rel_allow_present(uint32_t v, const struct p2pdma_allow_entry *a)
{
	const struct p2pdma_rel_row *r = p2pdma_rel_allow_row(a->vendor, a->device);

	/* A row the table does not date is the newest tree's: "next". */
	return r ? row_in(r, v) : v >= NEXT;
}

/* ---------------------------------------------------------------------- */
/* Parsing and printing releases                                           */

static const char *digits(const char *s, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return NULL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *out > 999)
		return NULL;
	return end;
}

/*
 * "6.12", "6.12.117", "6.12.0-45-generic", "6.13-rc1", "next".  An -rc
 * counts as the release it leads to (its merge window is in).  Anything
 * after the numbers other than -rcN marks a distribution kernel.
 */
static int parse_numbers(const char *s, struct p2pdma_kver *out)
{
	unsigned long a, b, c = 0;
	const char *p;

	p = digits(s, &a);
	if (!p || *p != '.')
		return -EINVAL;
	p = digits(p + 1, &b);
	if (!p)
		return -EINVAL;
	out->patch_known = false;
	if (*p == '.') {
		p = digits(p + 1, &c);
		if (!p)
			return -EINVAL;
		out->patch_known = true;
	}
	out->v = KV(a, b, c);
	out->distro = false;
	if (!strncmp(p, "-rc", 3) && isdigit((unsigned char)p[3])) {
		p += 3;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p && *p != '-' && *p != '+' && *p != '.' && *p != '_' && *p != '~')
		return -EINVAL;
	out->distro = *p != '\0';
	return 0;
}

int p2pdma_kver_parse(const char *s, struct p2pdma_kver *out, struct p2pdma_error *e)
{
	char buf[32];

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return p2pdma_fail(e, -EINVAL, "empty kernel release (try 6.12, 6.12.117, 5.15 or next)");
	if (!strcmp(s, "next")) {
		out->v = NEXT;
		return 0;
	}
	if (parse_numbers(s, out))
		return p2pdma_fail(e, -EINVAL,
				   "'%s' is not a kernel release (try 6.12, 6.12.117, 6.8.0-49-generic or next)",
				   s);
	if (out->v < FIRST)
		return p2pdma_fail(e, -EINVAL,
				   "kernel %s predates P2PDMA (first in %s)", s,
				   p2pdma_kver_format(&(struct p2pdma_kver){ .v = FIRST }, buf,
						      sizeof(buf)));
	if (out->v >= KV(100, 0, 0))
		return p2pdma_fail(e, -EINVAL, "'%s' is not a kernel release", s);
	return 0;
}

char *p2pdma_kver_format(const struct p2pdma_kver *k, char *buf, size_t len)
{
	unsigned int a = k->v / 1000000, b = k->v / 1000 % 1000, c = k->v % 1000;

	if (k->v >= NEXT)
		snprintf(buf, len, "next");
	else if (c || k->patch_known)
		snprintf(buf, len, "%u.%u.%u", a, b, c);
	else
		snprintf(buf, len, "%u.%u", a, b);
	return buf;
}

/* "6.12", "7.3", "next" for a boundary of the table. */
static char *fmt_v(uint32_t v, char *buf, size_t len)
{
	return p2pdma_kver_format(&(struct p2pdma_kver){ .v = v }, buf, len);
}

/*
 * The release the policy applies: the fabric's when it parses, else the
 * newest mainline one in the table, with a note saying why.
 */
void p2pdma_rel_sync(struct p2pdma_policy *p)
{
	const char *s = p->f->kernel_release;
	struct p2pdma_error e = { 0 };
	char newest[16];

	p->rel_assumed = false;
	p->rel_note[0] = '\0';
	fmt_v(NEWEST, newest, sizeof(newest));
	if (!s) {
		p->rel = (struct p2pdma_kver){ .v = NEWEST };
		p->rel_assumed = true;
		snprintf(p->rel_note, sizeof(p->rel_note),
			 "the machine's kernel release is unknown: answered for %s, the newest release p2pdma knows (--kernel VERSION picks another)",
			 newest);
	} else if (p2pdma_kver_parse(s, &p->rel, &e)) {
		bool old = strstr(e.reason, "predates") != NULL;

		p->rel = (struct p2pdma_kver){ .v = old ? FIRST : NEWEST };
		p->rel_assumed = true;
		snprintf(p->rel_note, sizeof(p->rel_note),
			 "%.160s: answered for %s%s", e.reason, old ? "4.20" : newest,
			 old ? " (a distribution kernel may carry P2PDMA as a backport)" : "");
	}
	/* A release read from the machine is shown as the machine says it. */
	if (!p->rel_assumed && strlen(s) < sizeof(p->rel_text))
		snprintf(p->rel_text, sizeof(p->rel_text), "%s", s);
	else
		p2pdma_kver_format(&p->rel, p->rel_text, sizeof(p->rel_text));
}

const char *p2pdma_policy_release(struct p2pdma_policy *p, bool *assumed)
{
	if (p2pdma_policy_sync(p)) {
		if (assumed)
			*assumed = true;
		return "unknown";
	}
	if (assumed)
		*assumed = p->rel_assumed;
	return p->rel_text;
}

/* ---------------------------------------------------------------------- */
/* The host-bridge rule at a given release                                 */

bool p2pdma_rel_cpu_rule(uint32_t v, const struct p2pdma_cpu *cpu)
{
	return p2pdma_rel_has(v, P2PDMA_REL_CPU_RULE) && p2pdma_cpu_supports_p2pdma(cpu);
}

/* pci_host_bridge_dev() as release @v has it. */
const struct p2pdma_function *p2pdma_rel_host_bridge_dev(uint32_t v,
							  const struct p2pdma_host_bridge *hb)
{
	const struct p2pdma_function *root = p2pdma_host_bridge_dev(hb);

	if (root && !p2pdma_rel_has(v, P2PDMA_REL_ROOT_PORT_ANY_DEVFN) &&
	    (root->bdf.dev || root->bdf.fn))
		return NULL;
	return root;
}

/*
 * p2pdma_allow_match_id() over the rows release @v has: the index into
 * p2pdma_allow_list()'s array (rows past its count are ones older
 * kernels had), -1 for none.  *unknown as p2pdma_allow_match_id().
 */
int p2pdma_rel_allow_match_id(uint32_t v, uint16_t vendor, uint16_t device, bool *unknown)
{
	size_t n, i;
	const struct p2pdma_allow_entry *tbl = p2pdma_allow_list_all(&n);

	*unknown = false;
	if (vendor == 0xffff) {
		/* Before the first row nothing can match, whatever the ID. */
		*unknown = v >= KV(5, 2, 0);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct p2pdma_allow_entry *a = &tbl[i];

		if (a->vendor != vendor || !p2pdma_rel_allow_present(v, a))
			continue;
		if (a->device == ANY)
			return (int)i;
		if (device == 0xffff) {
			*unknown = true;
			return -1;
		}
		if (a->device == device)
			return (int)i;
	}
	return -1;
}

/* One __host_bridge_whitelist() at release @v; -1: the ID is unknown. */
static int hb_ok_at(uint32_t v, const struct p2pdma_host_bridge *hb, bool same)
{
	const struct p2pdma_function *dev = p2pdma_rel_host_bridge_dev(v, hb);
	const struct p2pdma_allow_entry *tbl;
	bool unknown;
	size_t n;
	int i;

	if (!dev)
		return 0;
	i = p2pdma_rel_allow_match_id(v, dev->vendor, dev->device, &unknown);
	if (unknown)
		return -1;
	tbl = p2pdma_allow_list_all(&n);
	return i >= 0 && (same || !(tbl[i].flags & P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE));
}

/* Whether a path that reaches the host-bridge rule is allowed at @v (-1: unknown). */
int p2pdma_rel_hb_allowed(uint32_t v, const struct p2pdma_cpu *cpu,
			  const struct p2pdma_host_bridge *a, const struct p2pdma_host_bridge *b)
{
	int x, y;

	if (p2pdma_rel_cpu_rule(v, cpu))
		return 1;
	if (a == b)
		return hb_ok_at(v, a, true);
	x = hb_ok_at(v, a, false);
	if (!x)
		return 0;
	y = hb_ok_at(v, b, false);
	if (!y)
		return 0;
	return x < 0 || y < 0 ? -1 : 1;
}

/* ---------------------------------------------------------------------- */
/* Where other releases answer differently                                 */

/* Every release at which some host-bridge rule changes, ascending. */
static size_t boundaries(uint32_t *out, size_t max)
{
	size_t n = 0, i, j;

	for (i = 0; i < ARRAY_SIZE(rel_table); i++) {
		const struct p2pdma_rel_row *r = &rel_table[i];
		uint32_t b[2] = { r->since, r->until };

		if (r->kind != P2PDMA_REL_ALLOW && r->kind != P2PDMA_REL_CPU_RULE &&
		    r->kind != P2PDMA_REL_ROOT_PORT_ANY_DEVFN)
			continue;
		for (j = 0; j < 2; j++) {
			size_t k;

			if (!b[j])
				continue;
			for (k = 0; k < n && out[k] != b[j]; k++)
				;
			if (k == n && n < max)
				out[n++] = b[j];
		}
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			uint32_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static const char *answer(int ok)
{
	return ok > 0 ? "THRU_HOST_BRIDGE" : ok == 0 ? "NOT_SUPPORTED" : "UNCERTAIN";
}

/*
 * A sentence naming the releases whose host-bridge answer differs from
 * the one at @v, e.g. with @subject "this pair is": "on 7.1 and later
 * this pair is THRU_HOST_BRIDGE".  NULL when every release agrees.
 */
char *p2pdma_rel_differs(uint32_t v, const struct p2pdma_cpu *cpu,
			 const struct p2pdma_host_bridge *a, const struct p2pdma_host_bridge *b,
			 const char *subject)
{
	uint32_t bound[64], lo = FIRST;
	struct p2pdma_buf out = { 0 };
	int here = p2pdma_rel_hb_allowed(v, cpu, a, b), prev;
	size_t n = boundaries(bound, ARRAY_SIZE(bound)), i;
	char x[16], y[16];
	char *s = NULL;

	prev = p2pdma_rel_hb_allowed(FIRST, cpu, a, b);
	for (i = 0; i <= n; i++) {
		uint32_t hi = i < n ? bound[i] : UINT32_MAX;
		int ok = i < n ? p2pdma_rel_hb_allowed(bound[i], cpu, a, b) : prev;

		if (i < n && ok == prev)
			continue;
		/* [lo, hi) answers prev. */
		if (prev != here && !(v >= lo && v < hi)) {
			if (out.len)
				p2pdma_buf_puts(&out, "; ");
			if (lo <= FIRST)
				p2pdma_buf_printf(&out, "before %s %s %s",
						  fmt_v(hi, x, sizeof(x)), subject, answer(prev));
			else if (hi == UINT32_MAX)
				p2pdma_buf_printf(&out, "on %s and later %s %s",
						  fmt_v(lo, x, sizeof(x)), subject, answer(prev));
			else
				p2pdma_buf_printf(&out, "from %s to before %s %s %s",
						  fmt_v(lo, x, sizeof(x)),
						  fmt_v(hi, y, sizeof(y)), subject, answer(prev));
		}
		lo = hi;
		prev = ok;
	}
	if (!out.len)
		return NULL;
	if (p2pdma_buf_finish(&out, &s))
		return NULL;
	return s;
}

/*
 * The backport remark for a host bridge whose allow-list row decides at
 * @v: a row newer than @v that stable kernels carry as a backport, or a
 * row whose first release is unconfirmed and may be just after @v.
 */
static char *backport_note_one(uint32_t v, const struct p2pdma_host_bridge *hb)
{
	const struct p2pdma_function *dev = p2pdma_host_bridge_dev(hb);
	const struct p2pdma_rel_row *r;
	bool unconfirmed, unknown;
	char when[16], *s;

	/* Only a device some release lists: the table's ranges have gaps. */
	if (!dev || p2pdma_rel_allow_match_id(NEXT, dev->vendor, dev->device, &unknown) < 0)
		return NULL;
	r = p2pdma_rel_allow_row(dev->vendor, dev->device);
	if (!r || !r->stable)
		return NULL;
	unconfirmed = strstr(r->stable, "unconfirmed") != NULL;
	if (v >= r->since && !(unconfirmed && v < r->since + KV(0, 3, 0)))
		return NULL;
	if (asprintf(&s, "the allow-list row for %04x:%04x is in mainline from %s; %s",
		     dev->vendor, dev->device, fmt_v(r->since, when, sizeof(when)),
		     r->stable) < 0)
		return NULL;
	return s;
}

char *p2pdma_rel_backport_note(uint32_t v, const struct p2pdma_host_bridge *a,
			       const struct p2pdma_host_bridge *b)
{
	char *s = backport_note_one(v, a);

	if (!s && b != a)
		s = backport_note_one(v, b);
	return s;
}

/* ---------------------------------------------------------------------- */
/* The verdict's release fields                                            */

static void note_add(struct p2pdma_buf *b, const char *s)
{
	if (!s || !*s)
		return;
	if (b->len)
		p2pdma_buf_puts(b, " ");
	p2pdma_buf_printf(b, "%c%s%s", toupper((unsigned char)s[0]), s + 1,
			  s[strlen(s) - 1] == '.' ? "" : ".");
}

/* Replace the tail of @line after @from with @to; 0 or -ENOMEM. */
static int reword(char **line, const char *from, const char *to)
{
	char *at = strstr(*line, from), *n;

	if (!at)
		return 0;
	if (asprintf(&n, "%.*s%s", (int)(at - *line), *line, to) < 0)
		return -ENOMEM;
	free(*line);
	*line = n;
	return 0;
}

static void drop_line(struct p2pdma_verdict *v, size_t i)
{
	free(v->kernel_log[i]);
	memmove(&v->kernel_log[i], &v->kernel_log[i + 1],
		(v->nr_kernel_log - i - 1) * sizeof(*v->kernel_log));
	v->nr_kernel_log--;
}

/*
 * Before 5.2 there is no allow-list: no whitelist line, and a path with
 * ACS redirect is refused with the ACS lines alone.
 */
static void before_allow_list(struct p2pdma_verdict *v)
{
	bool acs = false;
	size_t i;

	for (i = 0; i < v->nr_kernel_log; i++)
		acs |= strstr(v->kernel_log[i], "ACS redirect is set") != NULL;
	for (i = v->nr_kernel_log; i-- > 0;)
		if (strstr(v->kernel_log[i], "Host bridge not in P2PDMA whitelist") ||
		    (acs && strstr(v->kernel_log[i], "do not share an upstream bridge")))
			drop_line(v, i);
}

/*
 * Before about 5.6 the refusals read "... as ACS redirect is set between
 * the client and provider (X)" and "... do not share an upstream bridge"
 * (KERNEL-FACTS 2, historical).
 */
static int old_wording(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	char pname[P2PDMA_BDF_STRLEN], to[128];
	size_t i;
	int ret = 0;

	if (!v->client || !p2pdma_rel_has(p->rel.v, P2PDMA_REL_OLD_MESSAGES))
		return 0;
	if (p->rel.v < KV(5, 2, 0))
		before_allow_list(v);
	p2pdma_bdf_format(&v->provider->bdf, pname, sizeof(pname));
	for (i = 0; i < v->nr_kernel_log && !ret; i++) {
		snprintf(to, sizeof(to),
			 "cannot be used for peer-to-peer DMA as ACS redirect is set between the client and provider (%s)",
			 pname);
		ret = reword(&v->kernel_log[i], "ACS redirect is set between the client and provider", to);
		if (!ret)
			ret = reword(&v->kernel_log[i], "do not share an upstream bridge or whitelisted host bridge",
				     "do not share an upstream bridge");
	}
	return ret;
}

int p2pdma_rel_explain(const struct p2pdma_policy *p, struct p2pdma_verdict *v)
{
	struct p2pdma_buf b = { 0 };
	char *differs = NULL, *backport = NULL;

	snprintf(v->release, sizeof(v->release), "%s", p->rel_text);
	v->release_assumed = p->rel_assumed;
	if (old_wording(p, v))
		return -ENOMEM;
	note_add(&b, p->rel_note);
	/* Only a path that reaches the host-bridge rule depends on the release. */
	if (v->client && v->hb_rule != P2PDMA_HB_NOT_CONSULTED && v->certain) {
		differs = p2pdma_rel_differs(p->rel.v, &p->f->cpu, v->provider->host,
					     v->client->host, "this pair is");
		backport = p2pdma_rel_backport_note(p->rel.v, v->provider->host,
						    v->client->host);
	}
	note_add(&b, differs);
	note_add(&b, backport);
	if (p->rel.distro && (differs || backport))
		note_add(&b, "this is a distribution kernel: its backports, not its version number, decide");
	free(differs);
	free(backport);
	if (!b.len)
		return 0;
	return p2pdma_buf_finish(&b, &v->release_note);
}

/* The line check, matrix and find print first: which release answers. */
void p2pdma_rel_text(const struct p2pdma_policy *p, struct p2pdma_buf *b)
{
	if (p->rel_assumed)
		p2pdma_buf_printf(b, "Kernel release: %s (%s)\n", p->rel_text, p->rel_note);
	else
		p2pdma_buf_printf(b, "Kernel release: %s%s\n", p->rel_text,
				  p->rel.distro ? " (a distribution kernel: read as mainline "
						  "plus the stable backports p2pdma knows)" : "");
}

void p2pdma_rel_json(const struct p2pdma_policy *p, struct json_object *o)
{
	json_object_object_add(o, "kernel_release", json_object_new_string(p->rel_text));
	json_object_object_add(o, "kernel_release_assumed",
			       json_object_new_boolean(p->rel_assumed));
}

/* One message and the host-bridge pairs it is about. */
struct rel_group {
	char *msg;
	struct p2pdma_buf pairs;
};

static void group_add(struct rel_group *g, size_t *nr, size_t max, char *msg,
		      const struct p2pdma_host_bridge *a, const struct p2pdma_host_bridge *b)
{
	size_t k;

	for (k = 0; k < *nr && strcmp(g[k].msg, msg); k++)
		;
	if (k == *nr) {
		if (*nr == max) {
			free(msg);
			return;
		}
		g[k].msg = msg;
		g[k].pairs = (struct p2pdma_buf){ 0 };
		(*nr)++;
	} else {
		free(msg);
	}
	p2pdma_buf_printf(&g[k].pairs, "%s%s -> %s", g[k].pairs.len ? ", " : "",
			  a->name, b->name);
}

/*
 * Matrix: for the host-bridge pairs its cells go through, where other
 * releases answer differently, one line per distinct answer.
 */
void p2pdma_rel_matrix_notes(const struct p2pdma_policy *p, struct p2pdma_buf *b,
			     const struct p2pdma_function *const *fns, size_t n)
{
	const struct p2pdma_host_bridge *seen[64][2];
	struct rel_group g[8];
	size_t nseen = 0, ng = 0, i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n && nseen < ARRAY_SIZE(seen); j++) {
			const struct p2pdma_host_bridge *ha = fns[i]->host, *hb = fns[j]->host;
			struct p2pdma_fast fv;
			char *msg;

			p2pdma_fast_verdict(p, fns[i]->index, fns[j]->index, &fv);
			if (fv.type == P2PDMA_MAP_BUS_ADDR || !fv.certain)
				continue;
			for (k = 0; k < nseen && !(seen[k][0] == ha && seen[k][1] == hb); k++)
				;
			if (k < nseen)
				continue;
			seen[nseen][0] = ha;
			seen[nseen++][1] = hb;
			msg = p2pdma_rel_differs(p->rel.v, &p->f->cpu, ha, hb,
						 "these paths are");
			if (msg)
				group_add(g, &ng, ARRAY_SIZE(g), msg, ha, hb);
		}
	for (k = 0; k < ng; k++) {
		char *pairs = NULL;

		if (!p2pdma_buf_finish(&g[k].pairs, &pairs))
			p2pdma_buf_printf(b, "  %s (host bridges %s)\n", g[k].msg, pairs);
		free(pairs);
		free(g[k].msg);
	}
}

bool p2pdma_policy_has(struct p2pdma_policy *p, enum p2pdma_kernel_feature feat)
{
	static const enum p2pdma_rel_kind kind[] = {
		[P2PDMA_FEAT_DMA_MAP_SG] = P2PDMA_REL_DMA_MAP_SG,
		[P2PDMA_FEAT_USER_ALLOCATE] = P2PDMA_REL_ALLOCATE,
		[P2PDMA_FEAT_DMA_DIRECT_THB_BUG] = P2PDMA_REL_DMA_DIRECT_THB_BUG,
	};

	if (!p || p2pdma_policy_sync(p) || (size_t)feat >= ARRAY_SIZE(kind))
		return false;
	return p2pdma_rel_has(p->rel.v, kind[feat]);
}
