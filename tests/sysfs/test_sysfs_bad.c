// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Broken trees and tarballs: each gives one line naming the file (and
 * line or entry) and what was wrong, no model, no crash, and no
 * unpacked files left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_builder.h"
#include "access/memtree.h"
#include "access/tarball.h"
#include "testutil.h"

#define RP "sys/devices/pci0000:00/0000:00:01.0"
#define EP RP "/0000:01:00.0"

struct ctx {
	char *dir;		/* scratch: holds the tree and the private TMPDIR */
	char *root;		/* the tree */
	char *tmp;		/* $TMPDIR for the loader's unpacking */
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = tu_mkdtemp();
	assert_non_null(c->dir);
	assert_true(asprintf(&c->root, "%s/root", c->dir) > 0);
	assert_true(asprintf(&c->tmp, "%s/tmp", c->dir) > 0);
	assert_int_equal(mkdir(c->root, 0755), 0);
	assert_int_equal(mkdir(c->tmp, 0755), 0);
	setenv("TMPDIR", c->tmp, 1);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	unsetenv("TMPDIR");
	tu_rmtree(c->dir);
	free(c->dir);
	free(c->root);
	free(c->tmp);
	free(c);
	return 0;
}

/* A root port with an NVMe drive behind it, 64-byte config as a non-root capture has. */
static void valid_tree(const char *root)
{
	struct sb_cfg rp, ep;

	sb_cfg_init(&rp, 0x8086, 0x2030, 0x060400);
	rp.secondary = 1;
	rp.subordinate = 1;
	rp.len = 64;
	sb_function(root, RP, &rp);
	sb_cfg_init(&ep, 0x144d, 0xa808, 0x010802);
	ep.len = 64;
	sb_function(root, EP, &ep);
	sb_proc(root, "GenuineIntel", 6, 85, "ro quiet");
}

static bool tmp_is_empty(const struct ctx *c)
{
	char *out = NULL;
	bool empty;

	assert_int_equal(tu_run(&out, NULL, "ls -A '%s'", c->tmp), 0);
	empty = !out[0];
	free(out);
	return empty;
}

/* Loading @path fails with a reason that contains every one of the NULL-terminated needles. */
static void fails_with(const char *path, ...)
{
	struct p2pdma_error e;
	const char *needle;
	va_list ap;

	tu_load_fails(path, &e);
	assert_null(strchr(e.reason, '\n'));
	va_start(ap, path);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(e.reason, needle))
			fail_msg("reason '%s' lacks '%s'", e.reason, needle);
	va_end(ap);
}

static void test_valid_baseline(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_fabric *f;

	valid_tree(c->root);
	f = tu_load(c->root);
	assert_int_equal(f->nr_fns, 2);
	assert_int_equal(f->fns[1]->parent->bdf.dev, 1);
	p2pdma_fabric_free(f);
}

/* The kernel release: absent is unknown; blank, two lines or a blank inside are refused. */
static void test_osrelease(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_fabric *f;

	valid_tree(c->root);
	f = tu_load(c->root);
	assert_null(f->kernel_release);
	p2pdma_fabric_free(f);
	sb_printf(c->root, "proc/sys/kernel/osrelease", "5.15.0-122-generic\n");
	f = tu_load(c->root);
	assert_string_equal(f->kernel_release, "5.15.0-122-generic");
	p2pdma_fabric_free(f);
	sb_printf(c->root, "proc/sys/kernel/osrelease", "\n");
	fails_with(c->root, "proc/sys/kernel/osrelease: the file is empty", NULL);
	sb_printf(c->root, "proc/sys/kernel/osrelease", "6.1\n6.2\n");
	fails_with(c->root, "proc/sys/kernel/osrelease: ", "more than one line", NULL);
	sb_printf(c->root, "proc/sys/kernel/osrelease", "6.1 rc\n");
	fails_with(c->root, "proc/sys/kernel/osrelease: '6.1 rc' is not a kernel release", NULL);
}

/*
 * A VF of a PF on the root bus with its own bus number (KERNEL-FACTS
 * 11.5): the kernel puts it on a virtual bus without a bridge, its sysfs
 * directory sits under the host bridge; it loads, with no upstream
 * bridge and the PF's host bridge.
 */
static void test_vf_on_virtual_bus(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_function *pf, *vf;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	struct sb_cfg cfg;

	valid_tree(c->root);
	sb_cfg_init(&cfg, 0x8086, 0x0b25, 0x088000);
	cfg.pcie_type = 9;	/* root complex integrated endpoint */
	sb_function(c->root, "sys/devices/pci0000:00/0000:00:05.0", &cfg);
	cfg.device = 0x0b26;
	sb_function(c->root, "sys/devices/pci0000:00/0000:02:00.0", &cfg);
	sb_symlink(c->root, "sys/devices/pci0000:00/0000:02:00.0/physfn", "../0000:00:05.0");
	f = tu_load(c->root);
	assert_int_equal(p2pdma_fabric_lookup(f, "00:05.0", &pf, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &vf, &e), 0);
	assert_ptr_equal(vf->physfn, pf);
	assert_null(vf->parent);
	assert_null(p2pdma_upstream_bridge(vf));
	assert_ptr_equal(vf->host, pf->host);
	p2pdma_fabric_free(f);
	/* Without the physfn link it is no VF, and a stray bus number is refused. */
	sb_remove(c->root, "sys/devices/pci0000:00/0000:02:00.0/physfn");
	fails_with(c->root, "0000:02:00.0: sits on root bus 00 of pci0000:00 but has bus number 02", NULL);
}

static void test_missing_vendor(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	sb_remove(c->root, EP "/vendor");
	fails_with(c->root, c->root, EP "/vendor: missing", NULL);
}

static void test_garbage_attributes(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	sb_printf(c->root, EP "/class", "0xzz\n");
	fails_with(c->root, EP "/class: '0xzz\\x0a' is not a hex number", NULL);
	valid_tree(c->root);
	sb_printf(c->root, EP "/class", "0x1060400\n");
	fails_with(c->root, EP "/class: 0x1060400 is out of range", NULL);
	valid_tree(c->root);
	sb_printf(c->root, EP "/numa_node", "node0\n");
	fails_with(c->root, EP "/numa_node: 'node0\\x0a' is not a decimal number", NULL);
	valid_tree(c->root);
	sb_printf(c->root, RP "/secondary_bus_number", "256\n");
	fails_with(c->root, RP "/secondary_bus_number: '256\\x0a' is out of range", NULL);
	valid_tree(c->root);
	sb_printf(c->root, EP "/max_link_speed", "very fast\n");
	fails_with(c->root, EP "/max_link_speed: 'very fast\\x0a' is not a link speed", NULL);
	sb_remove(c->root, EP "/max_link_speed");
	valid_tree(c->root);
	sb_printf(c->root, EP "/driver", "nvme\n");
	fails_with(c->root, EP "/driver: not a symbolic link", NULL);
	valid_tree(c->root);
	sb_remove(c->root, EP "/driver");
	sb_symlink(c->root, EP "/iommu_group", "../../../../kernel/iommu_groups/abc");
	fails_with(c->root, EP "/iommu_group: 'abc' is not a decimal number", NULL);
	sb_remove(c->root, EP "/iommu_group");
	sb_printf(c->root, "proc/cpuinfo", "processor : 0\nvendor_id : AuthenticAMD\ncpu family : 0x19\nmodel : 1\n");
	fails_with(c->root, "proc/cpuinfo: line 3: cpu family '0x19'", NULL);
	valid_tree(c->root);
	sb_printf(c->root, "proc/iomem", "00001000-0009ffff : System RAM\n 00100000-7fffffff : System RAM\n");
	fails_with(c->root, "proc/iomem: line 2: not \"START-END : NAME\"", NULL);
	sb_printf(c->root, "proc/iomem", "00001000-0009ffff : System RAM\n00080000-7fffffff : System RAM\n");
	fails_with(c->root, "proc/iomem: host RAM [0x80000-0x7fffffff] overlaps host RAM [0x1000-0x9ffff]", NULL);
	sb_remove(c->root, "proc/iomem");
	valid_tree(c->root);
	sb_printf(c->root, "sys/kernel/iommu_groups/3/type", "DMA\x1b[0m\n");
	fails_with(c->root, "sys/kernel/iommu_groups/3/type:", "control characters", NULL);
}

static void test_absurd_bar(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	sb_printf(c->root, EP "/resource",
		  "0x00000000fe000000 0x00000000fe002fff 0x0000000000140204\n");
	fails_with(c->root, EP "/resource: line 1: BAR 0 size 0x3000 is not a power of two",
		   NULL);
	sb_printf(c->root, EP "/resource",
		  "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		  "0x00000000fe004000 0x00000000fe003fff 0x0000000000140204\n");
	fails_with(c->root, EP "/resource: line 2: BAR 1 ends at 0xfe003fff, below its start",
		   NULL);
}

static void test_config_length(void **state)
{
	struct ctx *c = *state;
	char big[4097];

	valid_tree(c->root);
	memset(big, 0, sizeof(big));
	sb_write(c->root, EP "/config", big, 100);
	fails_with(c->root, EP "/config: 100 bytes; sysfs gives 64 or 128", NULL);
	sb_write(c->root, EP "/config", big, sizeof(big));
	fails_with(c->root, EP "/config: more than 4096 bytes", NULL);
	sb_write(c->root, EP "/config", big, 0);
	fails_with(c->root, EP "/config: 0 bytes", NULL);
}

static void test_symlink_loop(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	/* A device directory that leads back up: a walker that followed it would never end. */
	sb_symlink(c->root, EP "/0000:02:00.0", "..");
	fails_with(c->root, EP "/0000:02:00.0: a symbolic link where sysfs has a device directory",
		   NULL);
	sb_remove(c->root, EP "/0000:02:00.0");
	/* The host bridge directory itself a link. */
	assert_int_equal(tu_run(NULL, NULL, "mv '%s/sys/devices/pci0000:00' '%s/sys/devices/real'",
				c->root, c->root), 0);
	sb_symlink(c->root, "sys/devices/pci0000:00", "real");
	fails_with(c->root, "sys/devices/pci0000:00: a symbolic link", NULL);
}

/* A loop copied as real directories (cp -rL of a looping tree) ends at a depth bound. */
static void test_too_deep(void **state)
{
	struct ctx *c = *state;
	char path[2048] = "sys/devices/pci0000:00";
	struct sb_cfg b;
	int i;

	sb_cfg_init(&b, 0x10b5, 0x9797, 0x060400);
	b.len = 64;
	for (i = 0; i < 70; i++) {
		strcat(path, i ? "/0000:01:00.0" : "/0000:00:01.0");
		b.secondary = b.subordinate = 1;
		sb_function(c->root, path, &b);
	}
	fails_with(c->root, "nested more than 64 deep", NULL);
}

static void test_not_a_directory(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	sb_printf(c->root, RP "/0000:01:00.1", "hello\n");
	fails_with(c->root, RP "/0000:01:00.1: not a directory", NULL);
}

/* The valid tree at @root again, whatever was there. */
static void fresh_tree(const char *root)
{
	tu_rmtree(root);
	assert_int_equal(mkdir(root, 0755), 0);
	valid_tree(root);
}

/*
 * A FIFO where a file goes reads as empty (nobody writes to it): the
 * reason says it is a FIFO, not that "" is a bad value.  An empty
 * regular file still gets the value's own complaint.
 */
static void test_fifo_for_a_file(void **state)
{
	static const char *const at[][2] = {
		{ EP "/vendor", "a FIFO or device where sysfs has a file" },
		{ RP "/config", "a FIFO or device where sysfs has a file" },
		{ "proc/cpuinfo", "a FIFO or device where /proc has a file" },
	};
	struct ctx *c = *state;
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		fresh_tree(c->root);
		sb_fifo(c->root, at[i][0]);
		snprintf(want, sizeof(want), "%s: %s", at[i][0], at[i][1]);
		fails_with(c->root, want, NULL);
	}
	fresh_tree(c->root);
	sb_printf(c->root, EP "/vendor", "%s", "");
	fails_with(c->root, EP "/vendor: '' is not a hex number", NULL);
}

static void test_pf_and_p2pmem(void **state)
{
	struct ctx *c = *state;

	valid_tree(c->root);
	sb_symlink(c->root, EP "/physfn", "../0000:01:00.7");
	fails_with(c->root, EP "/physfn: the PF 0000:01:00.7 is not in the capture", NULL);
	sb_symlink(c->root, EP "/physfn", "../../nothing");
	fails_with(c->root, EP "/physfn: the link names 'nothing'", NULL);
	sb_remove(c->root, EP "/physfn");

	sb_printf(c->root, EP "/p2pmem/size", "1048576\n");
	sb_printf(c->root, EP "/p2pmem/available", "1048576\n");
	fails_with(c->root, EP "/p2pmem/published: missing", NULL);
	sb_printf(c->root, EP "/p2pmem/published", "1\n");
	sb_printf(c->root, EP "/p2pmem/available", "2097152\n");
	fails_with(c->root, EP "/p2pmem/available: 2097152 bytes available in a pool of 1048576",
		   NULL);
}

static void test_no_sys(void **state)
{
	struct ctx *c = *state;

	fails_with(c->root, "no sys/ directory here or in a subdirectory", NULL);
	sb_mkdirs(c->root, "a/sys/devices");
	sb_mkdirs(c->root, "b/sys/devices");
	fails_with(c->root, "2 subdirectories hold a sys/ tree", NULL);
	sb_remove(c->root, "b/sys/devices");
	sb_remove(c->root, "b/sys");
	sb_remove(c->root, "a/sys/devices");
	fails_with(c->root, "a/sys/devices: missing or not a directory", NULL);
}

/* ---------------------------------------------------------------------- */
/* Tarballs                                                                */

static char *packed(struct ctx *c, const char *name)
{
	char *out;

	assert_true(asprintf(&out, "%s/%s", c->dir, name) > 0);
	sb_tar(c->root, out);
	return out;
}

static void test_truncated_tarball(void **state)
{
	struct ctx *c = *state;
	char *out;
	struct stat st;

	valid_tree(c->root);
	out = packed(c, "cap.tar");
	p2pdma_fabric_free(tu_load(out));
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(truncate(out, st.st_size / 2), 0);
	fails_with(out, out, ": truncated/corrupt archive", "entry", "(offset ", NULL);
	assert_true(tmp_is_empty(c));
	free(out);

	out = packed(c, "cap.tar.xz");
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(truncate(out, st.st_size - 40), 0);
	fails_with(out, "truncated/corrupt archive", NULL);
	assert_true(tmp_is_empty(c));
	free(out);
}

static void test_corrupt_tarball(void **state)
{
	struct ctx *c = *state;
	char *out;
	int i;

	assert_true(asprintf(&out, "%s/junk.tar.gz", c->dir) > 0);
	{
		char junk[4096];

		/* gzip magic, then noise */
		for (i = 0; i < (int)sizeof(junk); i++)
			junk[i] = (char)(i * 7 + 3);
		junk[0] = 0x1f;
		junk[1] = (char)0x8b;
		assert_int_equal(tu_write_file(out, junk, sizeof(junk)), 0);
	}
	fails_with(out, out, "truncated/corrupt archive at the first entry", NULL);
	assert_true(tmp_is_empty(c));
	free(out);
}

/* A compression p2pdma does not read is named, not called corrupt. */
static void test_foreign_compression(void **state)
{
	static const unsigned char zstd[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x01, 0x02 };
	static const unsigned char lz4[] = { 0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x00 };
	struct ctx *c = *state;
	char *out;

	assert_true(asprintf(&out, "%s/cap.tar.zst", c->dir) > 0);
	assert_int_equal(tu_write_file(out, (const char *)zstd, sizeof(zstd)), 0);
	fails_with(out, out, ": compressed with zstd, which p2pdma does not read", NULL);
	assert_int_equal(tu_write_file(out, (const char *)lz4, sizeof(lz4)), 0);
	fails_with(out, "compressed with lz4", NULL);
	assert_true(tmp_is_empty(c));
	free(out);
}

/*
 * A header whose checksum no longer matches (one byte of its name
 * flipped): libarchive offers to skip it (ARCHIVE_RETRY), which would
 * load a machine with an entry missing.  It is a corrupt archive.
 */
static void test_damaged_header(void **state)
{
	struct ctx *c = *state;
	char hdr[512], *out, ch;
	unsigned long size;
	off_t second;
	struct stat st;
	int fd;

	valid_tree(c->root);
	out = packed(c, "cap.tar");
	fd = open(out, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, hdr, sizeof(hdr), 0), sizeof(hdr));
	/* The second header follows the first entry's data, in 512-byte blocks. */
	hdr[135] = '\0';
	size = strtoul(hdr + 124, NULL, 8);
	second = (off_t)(512 + (size + 511) / 512 * 512);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(second + 512 < st.st_size);
	assert_int_equal(pread(fd, &ch, 1, second), 1);
	ch ^= 0x20;
	assert_int_equal(pwrite(fd, &ch, 1, second), 1);
	close(fd);
	fails_with(out, out, ": truncated/corrupt archive after entry", "Damaged tar archive", NULL);
	assert_true(tmp_is_empty(c));
	free(out);
}

/* Hostile names: python's tarfile writes what GNU tar would refuse to. */
static void python_tar(const char *out, const char *script)
{
	assert_int_equal(tu_run(NULL, NULL,
				"python3 -c 'import io, tarfile\n"
				"t = tarfile.open(\"%s\", \"w\")\n"
				"def f(name, data=b\"x\", kind=tarfile.REGTYPE, link=\"\"):\n"
				"    i = tarfile.TarInfo(name); i.type = kind; i.linkname = link\n"
				"    i.size = len(data) if kind == tarfile.REGTYPE else 0\n"
				"    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)\n"
				"%s\n"
				"t.close()'", out, script), 0);
}

static void test_hostile_tarballs(void **state)
{
	struct ctx *c = *state;
	char *out, *evil, *through;

	assert_true(asprintf(&out, "%s/evil.tar", c->dir) > 0);
	assert_true(asprintf(&evil, "%s/evil-was-written", c->dir) > 0);
	assert_true(asprintf(&through, "%s/devices", c->dir) > 0);

	python_tar(out, "f(\"sys/devices/x\")\nf(\"../../evil-was-written\")");
	fails_with(out, "entry ../../evil-was-written", "climbs out with '..'", NULL);
	assert_int_not_equal(access(evil, F_OK), 0);
	assert_true(tmp_is_empty(c));

	python_tar(out, "f(\"/tmp/p2pdma-evil-absolute\")");
	fails_with(out, "has an absolute name", NULL);
	assert_int_not_equal(access("/tmp/p2pdma-evil-absolute", F_OK), 0);

	/* A symlink out, then a file through it. */
	{
		char *s;

		assert_true(asprintf(&s, "f(\"sys\", kind=tarfile.SYMTYPE, link=\"%s\")\n"
				     "f(\"sys/devices/pci0000:00/0000:00:00.0/vendor\")", c->dir) > 0);
		python_tar(out, s);
		free(s);
	}
	fails_with(out, "cannot unpack entry sys/devices/pci0000:00/0000:00:00.0/vendor", NULL);
	assert_int_not_equal(access(through, F_OK), 0);
	assert_true(tmp_is_empty(c));

	/* A hard link through a planted symlink. */
	{
		char *s;

		assert_true(asprintf(&s, "f(\"sys\", kind=tarfile.SYMTYPE, link=\"%s\")\n"
				     "f(\"proc/cpuinfo\", kind=tarfile.LNKTYPE, link=\"sys/secret\")",
				     c->dir) > 0);
		python_tar(out, s);
		free(s);
	}
	fails_with(out, "entry proc/cpuinfo: hard link through the symlink sys", NULL);
	assert_true(tmp_is_empty(c));

	/* Device nodes and FIFOs are not part of a capture: skipped, the rest loads. */
	valid_tree(c->root);
	free(out);
	out = packed(c, "with-dev.tar");
	assert_int_equal(tu_run(NULL, NULL,
				"python3 -c 'import tarfile\n"
				"t = tarfile.open(\"%s\", \"a\")\n"
				"i = tarfile.TarInfo(\"" RP "/mem\"); i.type = tarfile.CHRTYPE\n"
				"i.devmajor = 1; i.devminor = 1; t.addfile(i)\n"
				"i = tarfile.TarInfo(\"fifo\"); i.type = tarfile.FIFOTYPE; t.addfile(i)\n"
				"t.close()'", out), 0);
	p2pdma_fabric_free(tu_load(out));
	assert_true(tmp_is_empty(c));
	free(out);
	free(evil);
	free(through);
}

static void test_bomb_limits(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_unpack_opts small = { 1 << 20, 50, NULL, 0 };
	struct p2pdma_memtree *t = NULL;
	struct p2pdma_error e = { 0 };
	char *out;
	int i;

	/* 2 MiB of zeros compress to a few KiB. */
	sb_mkdirs(c->root, "sys/devices");
	assert_int_equal(tu_run(NULL, NULL, "head -c 2097152 /dev/zero > '%s/sys/zeros'",
				c->root), 0);
	out = packed(c, "bomb.tar.xz");
	assert_int_equal(p2pdma_archive_read(out, &small, &t, &e), -EFBIG);
	assert_null(t);
	assert_non_null(strstr(e.reason, "refusing to unpack more than 1 MiB"));
	assert_true(tmp_is_empty(c));
	free(out);

	sb_remove(c->root, "sys/zeros");
	for (i = 0; i < 60; i++) {
		char name[64];

		snprintf(name, sizeof(name), "sys/f%d", i);
		sb_printf(c->root, name, "%d\n", i);
	}
	out = packed(c, "many.tar.gz");
	assert_int_equal(p2pdma_archive_read(out, &small, &t, &e), -EFBIG);
	assert_non_null(strstr(e.reason, "more than 50 entries"));
	assert_true(tmp_is_empty(c));
	/* With the default limits the same tarball is read, into memory only. */
	assert_int_equal(p2pdma_archive_read(out, NULL, &t, &e), 0);
	assert_non_null(t);
	assert_true(tmp_is_empty(c));
	p2pdma_memtree_free(t);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_baseline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_osrelease, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vf_on_virtual_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_vendor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absurd_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_for_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pf_and_p2pmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_tarball, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_tarball, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_compression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_tarballs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bomb_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
