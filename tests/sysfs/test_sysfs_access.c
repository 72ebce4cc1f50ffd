// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two access methods of the sysfs loader (lib/fabric/access/) load
 * the same machine from the same tree: a capture tarball read into
 * memory against the same tarball unpacked by GNU tar and read from the
 * directory.  The real captures (tests/data/real/sysfs, published by
 * hwloc and ghw) give the same JSON both ways; hostile trees (symlink
 * loops, links out of the tree, links where files go) are refused with
 * the same reason both ways, and the reason is the one the loader's
 * contract states, written out here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_builder.h"
#include "testutil.h"

#define RP "sys/devices/pci0000:00/0000:00:01.0"
#define EP RP "/0000:01:00.0"

static char *json_of(const char *path)
{
	struct p2pdma_fabric *f = tu_load(path);
	struct p2pdma_error e = { 0 };
	char *json = NULL;

	if (p2pdma_fabric_write_json(f, &json, &e))
		fail_msg("%s: cannot write JSON: %s", path, e.reason);
	p2pdma_fabric_free(f);
	return json;
}

/* The first line where @a and @b differ, for the failure message. */
static void assert_same_text(const char *what, const char *a, const char *b)
{
	size_t line = 1;

	for (; *a && *a == *b; a++, b++)
		line += *a == '\n';
	if (*a || *b)
		fail_msg("%s: directory and in-memory loads differ at JSON line %zu", what, line);
}

/* @dir and @tar load as the same machine (the same JSON). */
static void loads_same(const char *what, const char *dir, const char *tar)
{
	char *a = json_of(dir), *b = json_of(tar);

	assert_same_text(what, a, b);
	free(a);
	free(b);
}

/* A real capture, loaded from the tarball and from what tar unpacks of it. */
static void same_both_ways(const char *rel)
{
	char *tar = tu_real_path(rel), *dir = tu_mkdtemp();
	char *from_dir, *from_tar;

	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -xf '%s'", dir, tar), 0);
	from_tar = json_of(tar);
	from_dir = json_of(dir);
	/* A capture that loads as an empty machine would compare equal too. */
	assert_non_null(strstr(from_tar, "\"bdf\""));
	assert_same_text(rel, from_dir, from_tar);
	free(from_dir);
	free(from_tar);
	tu_rmtree(dir);
	free(dir);
	free(tar);
}

static void test_hwloc_32intel64(void **state)
{
	(void)state;
	same_both_ways("sysfs/hwloc-32intel64-2p8co2t+8ve.tar.bz2");
}

static void test_hwloc_32em64t(void **state)
{
	(void)state;
	same_both_ways("sysfs/hwloc-32em64t-2n8c+dax+nvme+mic+dimms.tar.bz2");
}

static void test_hwloc_domain32(void **state)
{
	(void)state;
	same_both_ways("sysfs/hwloc-2pa-pcidomain32bits.tar.bz2");
}

static void test_ghw(void **state)
{
	(void)state;
	same_both_ways("sysfs/ghw-linux-amd64-8581cf3a529e5d8b97ea876eade2f60d.tar.gz");
}

/* ---------------------------------------------------------------------- */
/* Hostile trees                                                           */

/* A root port with an NVMe drive behind it. */
static char *valid_tree(void)
{
	char *root = tu_mkdtemp();
	struct sb_cfg rp, ep;

	sb_cfg_init(&rp, 0x8086, 0x2030, 0x060400);
	rp.secondary = 1;
	rp.subordinate = 1;
	sb_function(root, RP, &rp);
	sb_cfg_init(&ep, 0x144d, 0xa808, 0x010802);
	sb_function(root, EP, &ep);
	sb_proc(root, "GenuineIntel", 6, 85, "ro quiet");
	return root;
}

/* The reason after the display prefix: "ROOT/" for a directory, "TAR: " for a tarball. */
static const char *after(const char *reason, const char *display, const char *sep)
{
	size_t n = strlen(display);

	if (strncmp(reason, display, n) || strncmp(reason + n, sep, strlen(sep)))
		fail_msg("reason '%s' does not start with '%s%s'", reason, display, sep);
	return reason + n + strlen(sep);
}

/*
 * @root refused as a directory and as a tarball of it, with the same
 * reason, and that reason is @want (after the path).
 */
static void refused_both_ways(const char *root, const char *want)
{
	struct p2pdma_error d, t;
	char *tar;
	int rd, rt;

	assert_true(asprintf(&tar, "%s.tar", root) > 0);
	/* GNU tar stores the links as links, as a capture holds them. */
	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -cf '%s' .", root, tar), 0);
	rd = tu_load_fails(root, &d);
	rt = tu_load_fails(tar, &t);
	assert_string_equal(after(d.reason, root, "/"), want);
	assert_string_equal(after(t.reason, tar, ": "), want);
	assert_int_equal(rd, rt);
	unlink(tar);
	free(tar);
}

static void test_device_link_loop(void **state)
{
	char *root = valid_tree();

	(void)state;
	sb_symlink(root, EP "/0000:02:00.0", "..");
	refused_both_ways(root, EP "/0000:02:00.0: "
			  "a symbolic link where sysfs has a device directory (a link loop?)");
	tu_rmtree(root);
	free(root);
}

static void test_link_out_for_a_file(void **state)
{
	char *root = valid_tree();

	(void)state;
	sb_remove(root, "proc/cpuinfo");
	sb_symlink(root, "proc/cpuinfo", "/proc/cpuinfo");
	refused_both_ways(root, "proc/cpuinfo: a symbolic link where /proc has a file");
	tu_rmtree(root);
	free(root);
}

static void test_link_out_for_p2pmem(void **state)
{
	char *root = valid_tree();

	(void)state;
	sb_symlink(root, EP "/p2pmem", "/sys/kernel");
	refused_both_ways(root, EP "/p2pmem: cannot open the directory: it is a symbolic link");
	tu_rmtree(root);
	free(root);
}

static void test_link_out_for_proc(void **state)
{
	char *root = valid_tree(), *proc;

	(void)state;
	assert_true(asprintf(&proc, "%s/proc", root) > 0);
	tu_rmtree(proc);
	free(proc);
	sb_symlink(root, "proc", "/proc");
	refused_both_ways(root, "proc: cannot open: it is a symbolic link");
	tu_rmtree(root);
	free(root);
}

/* The links the loader reads as links may point anywhere: the same machine both ways. */
static void test_links_read_as_links(void **state)
{
	char *root = valid_tree(), *tar, *a, *b;

	(void)state;
	sb_symlink(root, EP "/driver", "/nonexistent/drivers/nvme");
	sb_symlink(root, EP "/iommu_group", "../../../../../../outside/iommu_groups/7");
	assert_true(asprintf(&tar, "%s.tar", root) > 0);
	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -cf '%s' .", root, tar), 0);
	a = json_of(root);
	b = json_of(tar);
	assert_non_null(strstr(b, "\"nvme\""));
	assert_same_text("links read as links", a, b);
	free(a);
	free(b);
	unlink(tar);
	free(tar);
	tu_rmtree(root);
	free(root);
}

/*
 * A root bus with all 256 functions and 400 other names beside them:
 * a directory that takes several reads of its entries (p2pdma_list_dir
 * reads 8 KiB at a time), found whole both ways.
 */
static void test_big_directory(void **state)
{
	char *root = tu_mkdtemp(), *tar, rel[128];
	struct p2pdma_fabric *f;
	struct sb_cfg ep;
	int i;

	(void)state;
	sb_cfg_init(&ep, 0x144d, 0xa808, 0x010802);
	ep.len = 64;
	for (i = 0; i < 256; i++) {
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/0000:00:%02x.%d", i / 8, i % 8);
		sb_function(root, rel, &ep);
	}
	for (i = 0; i < 400; i++) {
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/not-a-function-%04d", i);
		sb_printf(root, rel, "x\n");
	}
	sb_proc(root, "GenuineIntel", 6, 85, "ro quiet");
	f = tu_load(root);
	assert_int_equal(f->nr_fns, 256);
	assert_int_equal(tu_fn(f, "00:1f.7")->device, 0xa808);
	p2pdma_fabric_free(f);
	assert_true(asprintf(&tar, "%s.tar", root) > 0);
	sb_tar(root, tar);
	loads_same("big directory", root, tar);
	unlink(tar);
	free(tar);
	tu_rmtree(root);
	free(root);
}

/*
 * What a disk does with an archive, the in-memory tree does too: a later
 * entry replaces an earlier one of the same name, a hard link is a
 * second name for its target's contents, and parents come without
 * entries of their own.  Python's tarfile writes the archive entry by
 * entry; GNU tar unpacks it for the directory method.
 */
static void test_tar_semantics(void **state)
{
	char *root = valid_tree(), *tar, *dir = tu_mkdtemp();
	struct p2pdma_fabric *f;

	(void)state;
	assert_true(asprintf(&tar, "%s.tar", root) > 0);
	assert_int_equal(tu_run(NULL, NULL,
				"cd '%s' && python3 -c 'import io, os, tarfile\n"
				"t = tarfile.open(\"%s\", \"w\")\n"
				"ep = \"" EP "\"\n"
				"i = tarfile.TarInfo(ep + \"/vendor\"); i.size = 7\n"
				"t.addfile(i, io.BytesIO(b\"0xdead\\n\"))\n"
				"for d, ds, fs in sorted(os.walk(\".\")):\n"
				"    ls = [n for n in ds if os.path.islink(os.path.join(d, n))]\n"
				"    for n in sorted(fs + ls):\n"
				"        p = os.path.join(d, n)[2:]\n"
				"        if p == ep + \"/device\":\n"
				"            continue\n"
				"        t.add(p, recursive=False)\n"
				"i = tarfile.TarInfo(ep + \"/device\"); i.type = tarfile.LNKTYPE\n"
				"i.linkname = \"" RP "/device\"; t.addfile(i)\n"
				"t.close()'", root, tar), 0);
	assert_int_equal(tu_run(NULL, NULL, "tar -C '%s' -xf '%s'", dir, tar), 0);
	f = tu_load(tar);
	/* The later vendor entry won; the hard link gave the root port's device ID. */
	assert_int_equal(tu_fn(f, "01:00.0")->vendor, 0x144d);
	assert_int_equal(tu_fn(f, "01:00.0")->device, 0x2030);
	p2pdma_fabric_free(f);
	loads_same("tar semantics", dir, tar);
	unlink(tar);
	free(tar);
	tu_rmtree(dir);
	free(dir);
	tu_rmtree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hwloc_32intel64),
		cmocka_unit_test(test_hwloc_32em64t),
		cmocka_unit_test(test_hwloc_domain32),
		cmocka_unit_test(test_ghw),
		cmocka_unit_test(test_device_link_loop),
		cmocka_unit_test(test_link_out_for_a_file),
		cmocka_unit_test(test_link_out_for_p2pmem),
		cmocka_unit_test(test_link_out_for_proc),
		cmocka_unit_test(test_links_read_as_links),
		cmocka_unit_test(test_tar_semantics),
		cmocka_unit_test(test_big_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
