// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real lspci captures in tests/data/real/lspci/, checked against
 * answers that do not come from our code:
 *  - the tree lspci itself draws ("lspci -F FILE -t", run now, for every
 *    hex dump; the "-nntv" section of the Lambda bug report);
 *  - the facts tests/data/real/README.md states for each file.
 * And: the Lambda file loaded as a hex dump and as -vvv text gives the
 * same model.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci_t.h"
#include "testutil.h"

#define LAMBDA "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt"
#define LAMBDA_T "lspci/lambda-vector-wrx80-2xA6000.lspci-nntv.txt"
#define DELL "lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt"
#define ASUS "lspci/pciutils-tree-asus-p6t6.txt"
#define PCIX "lspci/pciutils-PCI-X-bridges-and-domains.txt"
#define FSL "lspci/pciutils-tree-fsl-p2020.txt"
#define AER "lspci/pciutils-cap-aer-root.txt"
#define DPC "lspci/pciutils-cap-dpc.txt"

/* The files libpci's dump reader (lspci -F) can read. */
static const char *const hex_dumps[] = { LAMBDA, ASUS, PCIX, FSL, AER, DPC };

struct logbook {
	char text[16384];
	int warnings;
};

static void collect(void *arg, enum p2pdma_log_level level, const char *msg)
{
	struct logbook *lb = arg;
	size_t n = strlen(lb->text);

	if (level == P2PDMA_LOG_WARN)
		lb->warnings++;
	snprintf(lb->text + n, sizeof(lb->text) - n, "%s\n", msg);
}

static struct p2pdma_fabric *load_fmt(const char *rel, enum p2pdma_input_format fmt,
				      struct logbook *lb)
{
	char *path = tu_real_path(rel);
	struct p2pdma_load_opts o = { .path = path, .format = fmt };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (lb) {
		memset(lb, 0, sizeof(*lb));
		o.log = collect;
		o.log_arg = lb;
	}
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s failed: %s", rel, e.reason);
	free(path);
	return f;
}

static struct p2pdma_function *fn(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &r, &e))
		fail_msg("%s", e.reason);
	return r;
}

static const char *name_of(const struct p2pdma_function *f, char *buf)
{
	return p2pdma_bdf_format(&f->bdf, buf, P2PDMA_BDF_STRLEN);
}

/* Every function in both, with the same parent (a root bus: no parent) and range. */
static void same_as_lspci_tree(const struct p2pdma_fabric *f, const struct t_entry *t,
			       int n, const char *what)
{
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];
	size_t i;
	int k;

	assert_int_equal(f->nr_fns, n);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i];
		const struct t_entry *e = lspci_t_find(t, n, &x->bdf);

		if (!e)
			fail_msg("%s: %s is not in lspci's tree", what, name_of(x, a));
		if (e->has_parent != (x->parent != NULL) ||
		    (x->parent && p2pdma_bdf_cmp(&e->parent, &x->parent->bdf)))
			fail_msg("%s: %s: lspci puts it under %s, we under %s", what,
				 name_of(x, a),
				 e->has_parent ? p2pdma_bdf_format(&e->parent, b, sizeof(b)) : "a root bus",
				 x->parent ? x->parent->host->name : "a root bus");
		if (!x->parent)
			assert_int_equal(x->host->bus, x->bdf.bus);
		if (e->sec >= 0) {
			assert_int_equal(x->secondary_bus, e->sec);
			assert_int_equal(x->subordinate_bus, e->sub);
		}
	}
	for (k = 0; k < n; k++)
		assert_non_null(p2pdma_fabric_find(f, &t[k].bdf));
}

static int parse_tree(const char *text, struct t_entry **t)
{
	char why[256] = "";
	int n = lspci_t_parse(text, t, why, sizeof(why));

	if (n < 0)
		fail_msg("cannot read lspci's tree: %s", why);
	return n;
}

/* ---------------------------------------------------------------------- */

static void test_every_file_loads(void **state)
{
	char *dir = tu_real_path("lspci");
	struct dirent *de;
	DIR *dp = opendir(dir);
	int loaded = 0;

	(void)state;
	assert_non_null(dp);
	while ((de = readdir(dp))) {
		char rel[512], *path;
		struct p2pdma_error e;

		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "lspci/%s", de->d_name);
		path = tu_real_path(rel);
		if (strstr(de->d_name, "-nntv")) {
			/* lspci's tree has no details: refused, saying what to give instead. */
			tu_load_fails(path, &e);
			assert_non_null(strstr(e.reason, "lspci -t"));
		} else {
			struct p2pdma_fabric *f = tu_load(path);

			assert_true(f->nr_fns > 0);
			p2pdma_fabric_free(f);
			loaded++;
		}
		free(path);
	}
	closedir(dp);
	free(dir);
	assert_int_equal(loaded, 7);
}

static void test_detect(void **state)
{
	static const struct {
		const char *rel;
		enum p2pdma_input_format fmt;
	} cases[] = {
		{ LAMBDA, P2PDMA_INPUT_LSPCI }, { ASUS, P2PDMA_INPUT_LSPCI },
		{ PCIX, P2PDMA_INPUT_LSPCI }, { FSL, P2PDMA_INPUT_LSPCI },
		{ AER, P2PDMA_INPUT_LSPCI }, { DPC, P2PDMA_INPUT_LSPCI },
		{ DELL, P2PDMA_INPUT_LSPCI_VVV },
	};
	struct p2pdma_error e = { 0 };
	enum p2pdma_input_format fmt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = tu_real_path(cases[i].rel);

		assert_int_equal(p2pdma_input_detect(p, &fmt, &e), 0);
		assert_int_equal(fmt, cases[i].fmt);
		free(p);
	}
}

/* Parents from our loader against "lspci -F FILE -t" run now. */
static void test_parents_match_lspci_t(void **state)
{
	size_t i;

	(void)state;
	if (tu_run(NULL, NULL, "command -v lspci >/dev/null") != 0)
		fail_msg("lspci is not installed: install pciutils (./build.sh deps)");
	for (i = 0; i < sizeof(hex_dumps) / sizeof(hex_dumps[0]); i++) {
		char *path = tu_real_path(hex_dumps[i]), *out = NULL;
		struct p2pdma_fabric *f;
		struct t_entry *t;
		int n;

		assert_int_equal(tu_run(&out, NULL, "lspci -F '%s' -t", path), 0);
		n = parse_tree(out, &t);
		f = load_fmt(hex_dumps[i], P2PDMA_INPUT_AUTO, NULL);
		same_as_lspci_tree(f, t, n, hex_dumps[i]);
		p2pdma_fabric_free(f);
		free(t);
		free(out);
		free(path);
	}
}

/* The Lambda report's own "lspci -nntv" section, for both loaders. */
static void test_lambda_matches_its_tree(void **state)
{
	char *path = tu_real_path(LAMBDA_T), *text = tu_read_file(path, NULL);
	struct p2pdma_fabric *hex, *vvv;
	struct t_entry *t;
	int n;

	(void)state;
	assert_non_null(text);
	n = parse_tree(text, &t);
	assert_int_equal(n, 96);
	hex = load_fmt(LAMBDA, P2PDMA_INPUT_LSPCI, NULL);
	vvv = load_fmt(LAMBDA, P2PDMA_INPUT_LSPCI_VVV, NULL);
	same_as_lspci_tree(hex, t, n, "lambda as lspci");
	same_as_lspci_tree(vvv, t, n, "lambda as lspci-vvv");
	p2pdma_fabric_free(hex);
	p2pdma_fabric_free(vvv);
	free(t);
	free(text);
	free(path);
}

static void same_function(const struct p2pdma_function *a, const struct p2pdma_function *b)
{
	char n[P2PDMA_BDF_STRLEN];

	name_of(a, n);
	assert_int_equal(p2pdma_bdf_cmp(&a->bdf, &b->bdf), 0);
	assert_int_equal(a->vendor, b->vendor);
	assert_int_equal(a->device, b->device);
	assert_int_equal(a->class_code, b->class_code);
	assert_int_equal(a->revision, b->revision);
	assert_int_equal(a->subsys_vendor, b->subsys_vendor);
	assert_int_equal(a->subsys_device, b->subsys_device);
	assert_int_equal(a->role, b->role);
	assert_int_equal(a->pcie_type, b->pcie_type);
	assert_int_equal(a->secondary_bus, b->secondary_bus);
	assert_int_equal(a->subordinate_bus, b->subordinate_bus);
	assert_int_equal(a->acs_state, b->acs_state);
	assert_int_equal(a->acs_cap, b->acs_cap);
	assert_int_equal(a->acs_ctrl, b->acs_ctrl);
	assert_memory_equal(&a->link, &b->link, sizeof(a->link));
	assert_int_equal(a->iommu_group, b->iommu_group);
	assert_int_equal(a->depth, b->depth);
	assert_memory_equal(a->bars, b->bars, sizeof(a->bars));
	if ((a->parent == NULL) != (b->parent == NULL) ||
	    (a->parent && p2pdma_bdf_cmp(&a->parent->bdf, &b->parent->bdf)))
		fail_msg("%s: parents differ", n);
}

/* One machine, two sources: the hex (through libpci) and the decoded text. */
static void test_lambda_hex_and_text_agree(void **state)
{
	struct p2pdma_fabric *hex = load_fmt(LAMBDA, P2PDMA_INPUT_LSPCI, NULL);
	struct p2pdma_fabric *vvv = load_fmt(LAMBDA, P2PDMA_INPUT_LSPCI_VVV, NULL);
	size_t i;

	(void)state;
	assert_int_equal(hex->nr_fns, vvv->nr_fns);
	assert_int_equal(hex->nr_hbs, vvv->nr_hbs);
	for (i = 0; i < hex->nr_fns; i++)
		same_function(hex->fns[i], vvv->fns[i]);
	p2pdma_fabric_free(hex);
	p2pdma_fabric_free(vvv);
}

static void test_lambda_facts(void **state)
{
	static const char *const redirect[] = {
		"0000:20:01.1", "0000:20:03.1", "0000:40:01.1", "0000:22:00.0",
		"0000:22:01.0", "0000:22:02.0", "0000:22:03.0", "0000:22:04.0",
		"0000:22:05.0", "0000:22:06.0",
	};
	struct p2pdma_fabric *f = load_fmt(LAMBDA, P2PDMA_INPUT_AUTO, NULL);
	size_t i, j, on = 0, with_acs = 0, downstream = 0;
	struct p2pdma_function *up;

	(void)state;
	assert_int_equal(f->nr_fns, 96);
	/* Redirect on exactly these; 32 ACSCtl lines in the file. */
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i];
		char n[P2PDMA_BDF_STRLEN];
		bool listed = false;

		name_of(x, n);
		for (j = 0; j < sizeof(redirect) / sizeof(redirect[0]); j++)
			listed |= !strcmp(n, redirect[j]);
		if (x->acs_state == P2PDMA_ACS_PRESENT)
			with_acs++;
		if (x->acs_state == P2PDMA_ACS_PRESENT && (x->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK)) {
			on++;
			if (!listed)
				fail_msg("%s has ACS redirect on but the README does not say so", n);
			/* ReqRedir+ CmpltRedir+ UpstreamFwd+ (and SrcValid) */
			assert_int_equal(x->acs_ctrl & 0x1c, 0x1c);
		}
	}
	assert_int_equal(on, 10);
	assert_int_equal(with_acs, 32);
	/* SrcValid only on the internal GPP bridge 00:07.1. */
	assert_int_equal(fn(f, "00:07.1")->acs_ctrl, P2PDMA_ACS_SV);

	/* GPUs on their root ports; the chipset switch with 9 downstream ports. */
	assert_int_equal(fn(f, "2e:00.0")->vendor, 0x10de);
	assert_int_equal(fn(f, "2e:00.0")->device, 0x2230);
	assert_ptr_equal(fn(f, "2e:00.0")->parent, fn(f, "20:03.1"));
	assert_ptr_equal(fn(f, "41:00.0")->parent, fn(f, "40:01.1"));
	up = fn(f, "21:00.0");
	assert_int_equal(up->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	assert_int_equal(up->device, 0x57ad);
	assert_ptr_equal(up->parent, fn(f, "20:01.1"));
	for (i = 0; i < up->nr_children; i++)
		downstream += up->children[i]->role == P2PDMA_ROLE_SWITCH_DOWNSTREAM;
	assert_int_equal(downstream, 9);
	/* NVMe and NIC share the switch, on ports with redirect on. */
	assert_ptr_equal(fn(f, "23:00.0")->parent, fn(f, "22:00.0"));
	assert_ptr_equal(fn(f, "25:00.0")->parent, fn(f, "22:02.0"));
	assert_ptr_equal(fn(f, "25:00.1")->parent, fn(f, "22:02.0"));
	assert_ptr_equal(fn(f, "22:00.0")->parent, up);
	assert_int_equal(fn(f, "23:00.0")->class_code, 0x010802);
	/* From the text between the hex: driver, IOMMU group, link. */
	assert_string_equal(fn(f, "2e:00.0")->driver, "nvidia");
	assert_int_equal(fn(f, "2e:00.0")->iommu_group, 53);
	assert_int_equal(fn(f, "2e:00.0")->link.speed, 16000);
	assert_int_equal(fn(f, "2e:00.0")->link.width, 16);
	/* BARs: addresses and flags from the registers, sizes from "Region" lines. */
	{
		const struct p2pdma_bar *b = fn(f, "2e:00.0")->bars;

		assert_int_equal(b[0].start, 0xc5000000);
		assert_int_equal(b[0].size, 16 << 20);
		assert_int_equal(b[0].flags, P2PDMA_BAR_MEM);
		assert_int_equal(b[1].start, 0x100b0000000ULL);
		assert_int_equal(b[1].size, 256 << 20);
		assert_int_equal(b[1].flags, P2PDMA_BAR_MEM | P2PDMA_BAR_64 | P2PDMA_BAR_PREFETCH);
		assert_int_equal(b[2].size, 0);
		assert_int_equal(b[3].start, 0x100c0000000ULL);
		assert_int_equal(b[5].start, 0x4000);
		assert_int_equal(b[5].size, 128);
		assert_int_equal(b[5].flags, P2PDMA_BAR_IO);
	}
	assert_int_equal(f->nr_hbs, 4);
	assert_int_equal(f->nr_acs_unknown, 0);
	p2pdma_fabric_free(f);
}

static void test_asus_facts(void **state)
{
	/* The functions with 4096 bytes of config in the file. */
	static const char *const full[] = {
		"00:00.0", "00:01.0", "00:03.0", "00:07.0", "00:14.0", "00:14.1", "00:14.2",
		"00:1b.0", "00:1c.0", "00:1c.1", "00:1c.2", "02:00.0", "03:00.0", "03:02.0",
		"04:00.0", "06:00.0", "06:00.1", "07:00.0", "08:00.0",
	};
	struct p2pdma_fabric *f = load_fmt(ASUS, P2PDMA_INPUT_AUTO, NULL);
	const char *acs[] = { "00:00.0", "00:01.0", "00:03.0", "00:07.0" };
	size_t i;

	(void)state;
	assert_int_equal(f->nr_fns, 53);
	/* The NF200 switch. */
	assert_int_equal(fn(f, "02:00.0")->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	assert_int_equal(fn(f, "02:00.0")->vendor, 0x10de);
	assert_int_equal(fn(f, "02:00.0")->device, 0x05b1);
	assert_int_equal(fn(f, "03:00.0")->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(fn(f, "03:02.0")->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_ptr_equal(fn(f, "03:00.0")->parent, fn(f, "02:00.0"));
	assert_ptr_equal(fn(f, "02:00.0")->parent, fn(f, "00:03.0"));
	assert_int_equal(fn(f, "04:00.0")->vendor, 0x1000);	/* SAS2008 behind it */
	/* ACS found by walking the extended capabilities: cap 0x1f, control 0. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(fn(f, acs[i])->acs_state, P2PDMA_ACS_PRESENT);
		assert_int_equal(fn(f, acs[i])->acs_cap, 0x001f);
		assert_int_equal(fn(f, acs[i])->acs_ctrl, 0);
	}
	/* With the whole config space, ACS is known either way. */
	for (i = 0; i < sizeof(full) / sizeof(full[0]); i++)
		assert_int_not_equal(fn(f, full[i])->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_int_equal(fn(f, "03:00.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(f->nr_acs_unknown, 0);
	p2pdma_fabric_free(f);
}

static void test_pcix_facts(void **state)
{
	struct p2pdma_fabric *f = load_fmt(PCIX, P2PDMA_INPUT_AUTO, NULL);
	uint32_t domains[8];
	size_t i, j, nd = 0;

	(void)state;
	assert_int_equal(f->nr_fns, 31);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i];

		for (j = 0; j < nd && domains[j] != x->bdf.domain; j++)
			;
		if (j == nd)
			domains[nd++] = x->bdf.domain;
		/* Conventional PCI only: no Express capability, so no ACS. */
		assert_int_equal(x->pcie_type, -1);
		assert_int_equal(x->acs_state, P2PDMA_ACS_ABSENT);
		if (p2pdma_function_is_bridge(x))
			assert_int_equal(x->role, P2PDMA_ROLE_PCI_BRIDGE);
	}
	assert_int_equal(nd, 5);
	assert_ptr_equal(fn(f, "0001:62:00.0")->parent, fn(f, "0001:61:01.0"));
	p2pdma_fabric_free(f);
}

static void test_fsl_facts(void **state)
{
	struct p2pdma_fabric *f = load_fmt(FSL, P2PDMA_INPUT_AUTO, NULL);
	size_t i, rp = 0;

	(void)state;
	assert_int_equal(f->nr_fns, 6);
	assert_int_equal(f->nr_hbs, 3);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i];

		if (x->vendor == 0x1957) {
			assert_int_equal(x->device, 0x0070);
			assert_int_equal(x->role, P2PDMA_ROLE_ROOT_PORT);
			assert_null(x->parent);
			assert_int_equal(x->nr_children, 1);
			rp++;
		} else {
			assert_int_equal(x->parent->vendor, 0x1957);
		}
	}
	assert_int_equal(rp, 3);
	p2pdma_fabric_free(f);
}

/* The decoded ACSCtl line and the hex agree. */
static void test_cap_aer_root(void **state)
{
	struct p2pdma_fabric *hex = load_fmt(AER, P2PDMA_INPUT_LSPCI, NULL);
	struct p2pdma_fabric *txt = load_fmt(AER, P2PDMA_INPUT_LSPCI_VVV, NULL);
	struct p2pdma_function *a = fn(hex, "00:02.0"), *b = fn(txt, "00:02.0");

	(void)state;
	assert_int_equal(hex->nr_fns, 2);
	assert_int_equal(a->vendor, 0x8086);
	assert_int_equal(a->device, 0x2f04);
	assert_int_equal(a->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(a->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(a->acs_cap, 0x001f);
	assert_int_equal(a->acs_ctrl, 0x001f);
	assert_int_equal(b->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(b->acs_cap, a->acs_cap);
	assert_int_equal(b->acs_ctrl, a->acs_ctrl);
	assert_ptr_equal(fn(hex, "03:00.0")->parent, a);
	assert_int_equal(fn(hex, "03:00.0")->vendor, 0x15b3);
	assert_int_equal(fn(hex, "03:00.0")->device, 0x1007);
	/* BARs from the registers and from the Region lines agree. */
	assert_int_equal(fn(hex, "03:00.0")->bars[0].start, 0xc0100000);
	assert_int_equal(fn(hex, "03:00.0")->bars[2].start, 0xbe000000);
	assert_int_equal(fn(hex, "03:00.0")->bars[2].flags, P2PDMA_BAR_MEM);
	assert_memory_equal(fn(hex, "03:00.0")->bars, fn(txt, "03:00.0")->bars,
			    sizeof(a->bars));
	p2pdma_fabric_free(hex);
	p2pdma_fabric_free(txt);
}

static void test_cap_dpc(void **state)
{
	struct p2pdma_fabric *f = load_fmt(DPC, P2PDMA_INPUT_AUTO, NULL);
	struct p2pdma_function *x = fn(f, "05:01.0");

	(void)state;
	assert_int_equal(f->nr_fns, 1);
	assert_int_equal(x->vendor, 0x10b5);
	assert_int_equal(x->device, 0x9716);
	assert_int_equal(x->pcie_type, 6);
	assert_int_equal(x->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(x->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(x->acs_ctrl, 0);
	p2pdma_fabric_free(f);
}

/* Names only: ids by reverse look-up in pci.ids, unique matches only. */
static void test_dell_vvv(void **state)
{
	struct logbook lb;
	struct p2pdma_fabric *f = load_fmt(DELL, P2PDMA_INPUT_AUTO, &lb);
	size_t i, rp_acs = 0;

	(void)state;
	assert_int_equal(f->nr_fns, 201);
	assert_int_equal(f->nr_hbs, 4);
	/* The host bridge the allow-list needs: 8086:6f00 by its pci.ids name. */
	assert_int_equal(fn(f, "00:00.0")->vendor, 0x8086);
	assert_int_equal(fn(f, "00:00.0")->device, 0x6f00);
	assert_int_equal(fn(f, "00:00.0")->class_code, 0x060000);
	/* Tesla P100s (GP100GL [Tesla P100 PCIe 12GB] is 10de:15f7) on separate root ports. */
	assert_int_equal(fn(f, "04:00.0")->device, 0x15f7);
	assert_int_equal(fn(f, "82:00.0")->device, 0x15f7);
	assert_int_equal(fn(f, "82:00.0")->class_code, 0x030200);
	assert_ptr_equal(fn(f, "04:00.0")->parent, fn(f, "00:02.0"));
	assert_ptr_equal(fn(f, "82:00.0")->parent, fn(f, "80:02.0"));
	assert_ptr_equal(fn(f, "81:00.0")->parent, fn(f, "80:01.0"));
	assert_ptr_equal(fn(f, "83:00.0")->parent, fn(f, "80:03.0"));
	assert_ptr_equal(fn(f, "83:00.1")->parent, fn(f, "80:03.0"));
	assert_ptr_equal(fn(f, "84:00.0")->parent, fn(f, "80:03.2"));
	assert_int_equal(fn(f, "81:00.0")->class_code, 0x010802);	/* prog-if 02: NVMe */
	assert_int_equal(fn(f, "82:00.0")->numa_node, 1);
	assert_string_equal(fn(f, "84:00.0")->driver, "nvme");
	/* "Root Port 3" has four pci.ids entries: vendor known, device not. */
	assert_int_equal(fn(f, "80:03.0")->vendor, 0x8086);
	assert_int_equal(fn(f, "80:03.0")->device, 0xffff);
	/* Nine root ports with ACS lines, all off. */
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *x = f->fns[i];

		if (x->acs_state != P2PDMA_ACS_PRESENT)
			continue;
		assert_int_equal(x->role, P2PDMA_ROLE_ROOT_PORT);
		assert_int_equal(x->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK, 0);
		rp_acs++;
	}
	assert_int_equal(rp_acs, 9);
	/* And the log says which ids stay unknown. */
	assert_true(lb.warnings >= 1);
	assert_non_null(strstr(lb.text, "use lspci -nn"));
	assert_non_null(strstr(lb.text, "Caching Agent' (46 functions) has several entries"));
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_file_loads),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_parents_match_lspci_t),
		cmocka_unit_test(test_lambda_matches_its_tree),
		cmocka_unit_test(test_lambda_hex_and_text_agree),
		cmocka_unit_test(test_lambda_facts),
		cmocka_unit_test(test_asus_facts),
		cmocka_unit_test(test_pcix_facts),
		cmocka_unit_test(test_fsl_facts),
		cmocka_unit_test(test_cap_aer_root),
		cmocka_unit_test(test_cap_dpc),
		cmocka_unit_test(test_dell_vvv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
