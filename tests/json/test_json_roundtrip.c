// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Round trips: load -> write JSON -> load -> write gives the same bytes
 * and the same model, for the built-in machines, every real sysfs capture,
 * hand-built fabrics that use every field, random fabrics, and big ones.
 * Also checks the built-in machines against what they claim to be.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "jtest.h"
#include "loaders.h"

static struct p2pdma_fabric *load_builtin(const char *name)
{
	struct p2pdma_load_opts o = { .builtin_dir = getenv("P2PDMA_MACHINES_DIR") };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;
	char *path;

	assert_true(asprintf(&path, "builtin:%s", name) > 0);
	o.path = path;
	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s: %s", path, e.reason);
	free(path);
	return f;
}

/* write -> load -> write: same bytes, same model.  Returns the first write. */
static char *check_roundtrip(const struct p2pdma_fabric *f, const char *what)
{
	struct p2pdma_fabric *g;
	char why[256], *a, *b;

	a = write_json(f);
	g = load_json_text(a, what);
	if (fabric_diff(f, g, why, sizeof(why)))
		fail_msg("%s: the model changed in the round trip: %s", what, why);
	b = write_json(g);
	if (strcmp(a, b))
		fail_msg("%s: the second write differs from the first", what);
	free(b);
	p2pdma_fabric_free(g);
	return a;
}

/* ---------------------------------------------------------------------- */
/* Built-in machines                                                       */

/*
 * The file on disk is kept in the writer's canonical form (plus a
 * "description" line), so edits to it show as small diffs.  This checks
 * that form only; what the machines contain is checked against the
 * files by hand in test_builtin_*_contents below and in tests/json/test_tree.c.
 */
static void check_builtin_canonical(const char *name)
{
	char *path, *text, *line, *end, *written;
	struct p2pdma_fabric *f = load_builtin(name);

	assert_true(asprintf(&path, "%s/%s.json", getenv("P2PDMA_MACHINES_DIR"), name) > 0);
	text = tu_read_file(path, NULL);
	assert_non_null(text);
	line = strstr(text, "\n  \"description\": ");
	assert_non_null(line);
	end = strchr(line + 1, '\n');
	memmove(line, end, strlen(end) + 1);
	written = check_roundtrip(f, name);
	assert_string_equal(written, text);
	free(written);
	free(text);
	free(path);
	p2pdma_fabric_free(f);
}

static void test_builtin_dual_xeon_roundtrip(void **state)
{
	(void)state;
	check_builtin_canonical("dual-xeon-8gpu");
}

static void test_builtin_amd_roundtrip(void **state)
{
	(void)state;
	check_builtin_canonical("amd-epyc-2gpu");
}

static size_t count_ids(const struct p2pdma_fabric *f, uint16_t ven, uint16_t dev)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += f->fns[i]->vendor == ven && f->fns[i]->device == dev;
	return n;
}

struct range {
	uint64_t start, size;
	const struct p2pdma_function *fn;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Memory BARs: naturally aligned powers of two, no two overlapping. */
static void check_bars_consistent(const struct p2pdma_fabric *f)
{
	struct range *r = calloc(f->nr_fns * P2PDMA_NUM_BARS, sizeof(*r));
	size_t i, n = 0;
	int b;

	for (i = 0; i < f->nr_fns; i++) {
		for (b = 0; b < P2PDMA_NUM_BARS; b++) {
			const struct p2pdma_bar *bar = &f->fns[i]->bars[b];

			if (!bar->size || !(bar->flags & P2PDMA_BAR_MEM))
				continue;
			assert_int_equal(bar->size & (bar->size - 1), 0);
			assert_int_equal(bar->start & (bar->size - 1), 0);
			r[n++] = (struct range){ bar->start, bar->size, f->fns[i] };
		}
	}
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++)
		assert_true(r[i - 1].start + r[i - 1].size <= r[i].start);
	free(r);
}

/* Everything a function's tree position implies: NUMA node, groups listed. */
static void check_placement(const struct p2pdma_fabric *f)
{
	size_t i;

	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];

		assert_int_equal(fn->numa_node, fn->host->numa_node);
		assert_non_null(p2pdma_fabric_iommu_group(f, fn->iommu_group));
	}
}

/*
 * The default machine is what the README says: 2 Ice Lake sockets,
 * 4 PEX88096 switches, 8 A100s, 4 ConnectX-6, 4 NVMe p2pmem providers;
 * redirect on only under pci0000:17, and the kernel command line lists
 * exactly the downstream ports whose redirect bits are off.
 */
static void test_builtin_dual_xeon_contents(void **state)
{
	struct p2pdma_fabric *f = load_builtin("dual-xeon-8gpu");
	char name[P2PDMA_BDF_STRLEN], *arg;
	size_t i, dsp = 0, off = 0, p2pmem = 0;

	(void)state;
	assert_string_equal(f->cpu.vendor, "GenuineIntel");
	assert_int_equal(f->cpu.family, 6);
	assert_int_equal(f->cpu.model, 106);
	assert_int_equal(f->nr_hbs, 6);
	assert_int_equal(count_ids(f, 0x10de, 0x20f1), 8);
	assert_int_equal(count_ids(f, 0x15b3, 0x101b), 4);
	assert_int_equal(count_ids(f, 0x1de5, 0x2000), 4);
	assert_int_equal(count_ids(f, 0x1000, 0xc010), 4 * 5);
	/* The allow-listed 09a2 is the first device of every root bus (KERNEL-FACTS 1.4). */
	for (i = 0; i < f->nr_hbs; i++) {
		assert_int_equal(f->hbs[i]->children[0]->device, 0x09a2);
		assert_int_equal(f->hbs[i]->numa_node, f->hbs[i]->bus < 0x80 ? 0 : 1);
	}
	assert_non_null(strstr(f->cmdline, "intel_iommu=on"));
	arg = strstr(f->cmdline, "pci=disable_acs_redir=");
	assert_non_null(arg);
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];

		p2pmem += fn->p2pmem.present && fn->p2pmem.published &&
			  fn->p2pmem.size == 16 << 20;
		if (fn->role != P2PDMA_ROLE_SWITCH_DOWNSTREAM)
			continue;
		dsp++;
		assert_int_equal(fn->acs_state, P2PDMA_ACS_PRESENT);
		p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
		if (fn->host->bus == 0x17) {
			assert_int_equal(fn->acs_ctrl, 0x1d);
			assert_null(strstr(arg, name));
		} else {
			assert_int_equal(fn->acs_ctrl, 0x11);
			assert_non_null(strstr(arg, name));
			off++;
		}
	}
	assert_int_equal(dsp, 16);
	assert_int_equal(off, 12);
	assert_int_equal(p2pmem, 4);
	check_bars_consistent(f);
	check_placement(f);
	p2pdma_fabric_free(f);
}

/* The AMD machine: the CPU rule applies, GPUs on different host bridges, a VF. */
static void test_builtin_amd_contents(void **state)
{
	struct p2pdma_fabric *f = load_builtin("amd-epyc-2gpu");
	struct p2pdma_function *g0, *g1, *vf;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_string_equal(f->cpu.vendor, "AuthenticAMD");
	assert_true(f->cpu.family >= 0x17);
	assert_int_equal(count_ids(f, 0x10de, 0x2230), 2);
	assert_int_equal(p2pdma_fabric_lookup(f, "41:00.0", &g0, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "61:00.0", &g1, &e), 0);
	assert_ptr_not_equal(g0->host, g1->host);
	assert_int_equal(p2pdma_fabric_lookup(f, "42:00.3", &vf, &e), 0);
	assert_non_null(vf->physfn);
	assert_int_equal(vf->physfn->bdf.fn, 0);
	assert_int_equal(count_ids(f, 0x1de5, 0x2000), 1);
	check_bars_consistent(f);
	check_placement(f);
	p2pdma_fabric_free(f);
}

/* ---------------------------------------------------------------------- */
/* Real captures (sysfs loader)                                            */

static bool is_capture(const char *n)
{
	return strstr(n, ".tar") != NULL;
}

/*
 * PCI functions per capture as tests/data/real/README.md states them
 * (counted from the captures' own descriptions, not by this loader): the
 * round trip below takes the loaded model as its reference, so the
 * number it starts from is checked against an outside count first.
 */
static size_t readme_funcs(const char *name)
{
	static const struct {
		const char *prefix;
		size_t funcs;
	} counts[] = {
		{ "hwloc-32intel64-2p8co2t+8ve.", 29 },
		{ "hwloc-32em64t-2n8c+dax+nvme+mic+dimms.", 137 },
		{ "hwloc-2pa-pcidomain32bits.", 9 },
		{ "ghw-linux-amd64-", 82 },
	};
	size_t i;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		if (!strncmp(name, counts[i].prefix, strlen(counts[i].prefix)))
			return counts[i].funcs;
	fail_msg("%s: no function count in tests/data/real/README.md's list here", name);
	return 0;
}

static void test_real_sysfs_captures(void **state)
{
	char *dir = tu_real_path("sysfs"), *path, *out;
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	(void)state;
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct p2pdma_fabric *f;

		if (!is_capture(de->d_name))
			continue;
		assert_true(asprintf(&path, "%s/%s", dir, de->d_name) > 0);
		f = tu_load(path);
		assert_int_equal(f->nr_fns, readme_funcs(de->d_name));
		out = check_roundtrip(f, de->d_name);
		print_message("# %s: %zu functions round-trip\n", de->d_name, f->nr_fns);
		free(out);
		p2pdma_fabric_free(f);
		free(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 3);
	free(dir);
}

/* ---------------------------------------------------------------------- */
/* Built fabrics                                                           */

/* Every field at an unusual value: wide domain, negative bus offset, ... */
static struct p2pdma_fabric *every_field(void)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb, *hb2;
	struct p2pdma_function t, *rp, *pf, *vf;
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_add_host_bridge(f, "pci10000:80", 0x10000, 0x80, &hb, &e), 0);
	hb->bus_offset = (uint64_t)-0x40000000LL;
	hb->numa_node = 3;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb2, &e), 0);
	assert_int_equal(p2pdma_fabric_set_cmdline(f, "a \"quoted\" /path\\ and\ttab \xc3\xa9"), 0);
	assert_int_equal(p2pdma_fabric_set_iommu_group_type(f, 7, "DMA-FQ", &e), 0);
	assert_int_equal(p2pdma_fabric_set_iommu_group_type(f, 2, NULL, &e), 0);
	assert_int_equal(p2pdma_fabric_add_ram(f, 0x100000000ULL, 1ULL << 40, -1, &e), 0);
	assert_int_equal(p2pdma_fabric_add_ram(f, 0, 0x9f000, 1, &e), 0);

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse("10000:80:1f.0", &t.bdf), 0);
	t.vendor = 0x8086;
	t.device = 0x09ab;
	t.subsys_vendor = 0xffff;
	t.subsys_device = 0xabcd;
	t.class_code = 0x060400;
	t.revision = 255;
	t.role = P2PDMA_ROLE_ROOT_PORT;
	t.secondary_bus = 0x81;
	t.subordinate_bus = 0xff;
	t.pcie_type = 4;
	t.link = (struct p2pdma_link){ 2500, 1, 32000, 16 };
	t.acs_state = P2PDMA_ACS_PRESENT;
	t.acs_cap = 0xffff;
	t.acs_ctrl = 0;
	t.iommu_group = 7;
	t.driver = "pcieport";
	rp = jt_add(f, hb, NULL, &t);

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse("10000:81:00.0", &t.bdf), 0);
	t.vendor = 0x15b3;
	t.device = 0x101d;
	t.class_code = 0x020000;
	t.link = (struct p2pdma_link){ 0, 16, 16000, 0 };
	t.acs_state = P2PDMA_ACS_ABSENT;
	t.bars[0] = (struct p2pdma_bar){ 0xfffffffffe000000ULL, 0x2000000,
					 P2PDMA_BAR_MEM | P2PDMA_BAR_64 | P2PDMA_BAR_PREFETCH };
	t.bars[2] = (struct p2pdma_bar){ 0x1000, 0x20, P2PDMA_BAR_IO };
	t.bars[5] = (struct p2pdma_bar){ 0xc0000000, 0x1000, 0 };
	t.dma_offset = (uint64_t)-0x1000LL;
	t.iommu_group = 2;
	t.numa_node = 0;
	t.p2pmem = (struct p2pdma_p2pmem){ true, false, 1ULL << 33, 0 };
	pf = jt_add(f, hb, rp, &t);

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse("10000:81:00.2", &t.bdf), 0);
	t.vendor = 0x15b3;
	t.device = 0x101e;
	t.iommu_group = 11;	/* never given a type: written with type null */
	vf = jt_add(f, hb, rp, &t);
	vf->physfn = pf;

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse("00:00.0", &t.bdf), 0);
	t.role = P2PDMA_ROLE_PCI_BRIDGE;	/* no bus range known */
	jt_add(f, hb2, NULL, &t);
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	return f;
}

static void test_every_field(void **state)
{
	struct p2pdma_fabric *f = every_field();
	char *a = check_roundtrip(f, "every-field");

	(void)state;
	/* Spot checks of the format itself (doc/json-format.md). */
	assert_non_null(strstr(a, "\"bdf\": \"10000:81:00.2\""));
	assert_non_null(strstr(a, "\"physfn\": \"10000:81:00.0\""));
	assert_non_null(strstr(a, "\"bus_offset\": \"0xffffffffc0000000\""));
	assert_non_null(strstr(a, "\"dma_offset\": \"0xfffffffffffff000\""));
	assert_non_null(strstr(a, "{ \"index\": 0, \"start\": \"0xfffffffffe000000\", \"size\": 33554432, \"flags\": \"mem 64 prefetch\" }"));
	assert_non_null(strstr(a, "{ \"index\": 2, \"start\": \"0x1000\", \"size\": 32, \"flags\": \"io\" }"));
	assert_non_null(strstr(a, "\"flags\": \"\" }"));
	assert_non_null(strstr(a, "\"link\": { \"speed\": \"2.5 GT/s\", \"width\": 1, \"max_speed\": \"32.0 GT/s\", \"max_width\": 16 }"));
	assert_non_null(strstr(a, "\"link\": { \"speed\": \"unknown\", \"width\": 16, \"max_speed\": \"16.0 GT/s\", \"max_width\": 0 }"));
	assert_non_null(strstr(a, "\"acs_state\": \"present\",\n"));
	assert_non_null(strstr(a, "\"acs_cap\": 65535,\n"));
	assert_non_null(strstr(a, "\"p2pmem\": { \"size\": 8589934592, \"available\": 0, \"published\": false }"));
	assert_non_null(strstr(a, "{ \"id\": 11, \"type\": null }"));
	assert_non_null(strstr(a, "{ \"id\": 2, \"type\": null }"));
	assert_non_null(strstr(a, "\"cmdline\": \"a \\\"quoted\\\" /path\\\\ and\\ttab \xc3\xa9\""));
	assert_non_null(strstr(a, "{ \"start\": \"0x100000000\", \"size\": 1099511627776, \"numa_node\": null }"));
	assert_non_null(strstr(a, "\"cpu\": null,"));
	assert_non_null(strstr(a, "\"children\": []"));
	/* Host bridges sorted by domain: 0000 before 10000. */
	assert_true(strstr(a, "\"pci0000:00\"") < strstr(a, "\"pci10000:80\""));
	assert_int_equal(a[strlen(a) - 1], '\n');
	free(a);
	p2pdma_fabric_free(f);
}

/*
 * Text from outside need not be UTF-8 (a kernel command line is bytes);
 * JSON must be, so the writer puts U+FFFD for each stray byte, and what it
 * wrote loads and writes back the same.
 */
static void test_invalid_utf8_becomes_valid(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new(), *g;
	struct p2pdma_error e = { 0 };
	char *a, *b;

	(void)state;
	/* A stray byte, an overlong NUL, a surrogate, a cut-off sequence. */
	assert_int_equal(p2pdma_fabric_set_cmdline(f, "a\xff b\xc0\x80 c\xed\xa0\x80 d\xe2\x82"), 0);
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	a = write_json(f);
	assert_non_null(strstr(a, "\"cmdline\": \"a\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd "
				  "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd d\xef\xbf\xbd\xef\xbf\xbd\""));
	g = load_json_text(a, "utf8");
	b = write_json(g);
	assert_string_equal(a, b);
	free(a);
	free(b);
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
}

/* @s with the one occurrence of @from replaced by @to. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out;

	assert_non_null(at);
	assert_null(strstr(at + 1, from));
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from)) > 0);
	return out;
}

/* Short BDFs are accepted, out-of-order input is sorted, output is canonical. */
static void test_accepts_and_canonicalises(void **state)
{
	char *path = tu_data_path("json/small.json"), *text, *a, *b, *short_text;
	struct p2pdma_fabric *f, *g;

	(void)state;
	text = tu_read_file(path, NULL);
	f = load_json_text(text, "small.json");
	a = write_json(f);
	/* The writer's output of small.json is small.json. */
	assert_string_equal(a, text);
	/* Write the NVMe's address and parent without domain. */
	short_text = replace(text, "\"bdf\": \"0000:01:00.0\"", "\"bdf\": \"01:00.0\"");
	free(text);
	text = replace(short_text, "\"parent\": \"0000:00:01.0\"", "\"parent\": \"00:01.0\"");
	free(short_text);
	g = load_json_text(text, "short.json");
	b = write_json(g);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(text);
	free(path);
	p2pdma_fabric_free(f);
	p2pdma_fabric_free(g);
}

static void test_empty_machine(void **state)
{
	char *path = tu_data_path("json/empty-machine.json");
	struct p2pdma_fabric *f = tu_load(path);
	char *a = check_roundtrip(f, "empty");

	(void)state;
	assert_int_equal(f->nr_fns, 0);
	assert_false(f->cpu.known);
	assert_null(f->cmdline);
	assert_string_equal(a, "{\n  \"format\": \"p2pdma-machine\",\n  \"version\": 1,\n"
			       "  \"cpu\": null,\n  \"cmdline\": null,\n  \"kernel\": null,\n"
			       "  \"iommu_groups\": [],\n"
			       "  \"ram\": [],\n  \"host_bridges\": []\n}\n");
	free(a);
	free(path);
	p2pdma_fabric_free(f);
}

/* A release written and read back; the key sits after "cmdline" (doc/json-format.md). */
static void test_kernel_release(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	char *a;

	(void)state;
	assert_int_equal(p2pdma_fabric_set_kernel_release(f, "6.12.117"), 0);
	assert_int_equal(p2pdma_fabric_set_kernel_release(f, "6.12 x"), -EINVAL);
	assert_int_equal(p2pdma_fabric_set_kernel_release(f, ""), -EINVAL);
	assert_string_equal(f->kernel_release, "6.12.117");
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	a = check_roundtrip(f, "kernel");
	assert_non_null(strstr(a, "  \"cmdline\": null,\n  \"kernel\": \"6.12.117\",\n"));
	free(a);
	p2pdma_fabric_free(f);
}

/* ---------------------------------------------------------------------- */
/* Random and big fabrics                                                  */

static void test_random_fabrics(void **state)
{
	uint64_t rng = tu_seed();
	int i, done = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		struct p2pdma_fabric *f = jt_random_fabric(&rng, 1 + tu_rand(&rng) % 60);
		char *a = check_roundtrip(f, "random");
		free(a);
		p2pdma_fabric_free(f);
		done++;
	}
	assert_int_equal(done, 200);
}

/* One bridge; @sub is the last bus behind it. */
static struct p2pdma_function *bridge(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				      struct p2pdma_function *up, enum p2pdma_role role,
				      int bus, int dev, int sec, int sub)
{
	struct p2pdma_function t;

	p2pdma_function_init(&t);
	t.bdf = (struct p2pdma_bdf){ 0, (uint8_t)bus, (uint8_t)dev, 0 };
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sub;
	t.acs_state = P2PDMA_ACS_PRESENT;
	t.acs_cap = 0x7f;
	t.acs_ctrl = dev & 1 ? 0x1d : 0x11;
	t.link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	return jt_add(f, hb, up, &t);
}

/*
 * More than 4,096 functions in deep switch trees: 8 host bridges, each a
 * root port, then a chain of 6 switches, the last with 8 downstream ports
 * and 64 functions (8 devices of 8 functions) behind each.
 */
static struct p2pdma_fabric *big_fabric(void)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	const int levels = 6;
	int h, l, p, d, fn;

	for (h = 0; h < 8; h++) {
		struct p2pdma_host_bridge *hb;
		struct p2pdma_function *up, *dsp;
		int base = h * 32, last = base + 2 * levels + 8, bus = base + 1;

		assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, (uint8_t)base, &hb, &e), 0);
		up = bridge(f, hb, NULL, P2PDMA_ROLE_ROOT_PORT, base, 0, bus, last);
		for (l = 0; l < levels; l++, bus += 2) {
			up = bridge(f, hb, up, P2PDMA_ROLE_SWITCH_UPSTREAM, bus, 0, bus + 1, last);
			if (l + 1 < levels)
				up = bridge(f, hb, up, P2PDMA_ROLE_SWITCH_DOWNSTREAM, bus + 1, 0,
					    bus + 2, last);
		}
		/* bus - 1 is the last switch's internal bus. */
		for (p = 0; p < 8; p++) {
			dsp = bridge(f, hb, up, P2PDMA_ROLE_SWITCH_DOWNSTREAM, bus - 1, p,
				     bus + p, bus + p);
			for (d = 0; d < 8; d++) {
				for (fn = 0; fn < 8; fn++) {
					struct p2pdma_function t;

					p2pdma_function_init(&t);
					t.bdf = (struct p2pdma_bdf){ 0, (uint8_t)(bus + p),
								     (uint8_t)d, (uint8_t)fn };
					t.vendor = 0x10de;
					t.device = 0x20f1;
					t.class_code = 0x030200;
					t.acs_state = P2PDMA_ACS_ABSENT;
					t.iommu_group = h * 1000 + p * 64 + d * 8 + fn;
					t.bars[0] = (struct p2pdma_bar){
						((uint64_t)(h * 512 + p * 64 + d * 8 + fn) << 24),
						1 << 24, P2PDMA_BAR_MEM };
					jt_add(f, hb, dsp, &t);
				}
			}
		}
	}
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	return f;
}

static void test_big_fabric(void **state)
{
	struct p2pdma_fabric *f;
	char *a;

	(void)state;
	f = big_fabric();
	print_message("# big fabric: %zu functions\n", f->nr_fns);
	assert_true(f->nr_fns >= 4096);
	a = check_roundtrip(f, "big");
	free(a);
	p2pdma_fabric_free(f);
}

/* 250 bridges nested: legal PCI, deep JSON; it must load (and not overflow). */
static void test_deep_chain(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function t, *up = NULL;
	struct p2pdma_error e = { 0 };
	char *a;
	int b;

	(void)state;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e), 0);
	for (b = 0; b < 250; b++) {
		p2pdma_function_init(&t);
		t.bdf = (struct p2pdma_bdf){ 0, (uint8_t)b, 0, 0 };
		t.role = b ? P2PDMA_ROLE_SWITCH_DOWNSTREAM : P2PDMA_ROLE_ROOT_PORT;
		t.secondary_bus = b + 1;
		t.subordinate_bus = 250;
		up = jt_add(f, hb, up, &t);
	}
	p2pdma_function_init(&t);
	t.bdf = (struct p2pdma_bdf){ 0, 250, 0, 0 };
	jt_add(f, hb, up, &t);
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	a = check_roundtrip(f, "deep");
	free(a);
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_dual_xeon_roundtrip),
		cmocka_unit_test(test_builtin_amd_roundtrip),
		cmocka_unit_test(test_builtin_dual_xeon_contents),
		cmocka_unit_test(test_builtin_amd_contents),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_accepts_and_canonicalises),
		cmocka_unit_test(test_empty_machine),
		cmocka_unit_test(test_kernel_release),
		cmocka_unit_test(test_invalid_utf8_becomes_valid),
		cmocka_unit_test(test_random_fabrics),
		cmocka_unit_test(test_big_fabric),
		cmocka_unit_test(test_deep_chain),
		cmocka_unit_test(test_real_sysfs_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
