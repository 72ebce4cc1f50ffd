// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The robustness audit's findings (shared/audits/robustness-2026-12),
 * reproduced through the p2pdma command as a user meets them.  Every run
 * goes through `timeout` and a virtual memory limit, so a hang or a
 * blow-up fails the case in a second instead of hanging the suite.
 * Expected answers come from the audit report and the kernel's rules.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "sysfs_builder.h"
#include "access/memtree.h"
#include "access/tarball.h"

#define P tu_p2pdma_bin()
/*
 * Seconds and KiB of address space every command gets.  ASan reserves
 * terabytes of shadow address space, so sanitized builds get the time
 * limit only (their own allocator caps memory: rss_limit).
 */
#ifdef P2PDMA_SANITIZED
#define LIMIT "timeout 5"
#else
#define LIMIT "timeout 5 sh -c 'ulimit -v 2000000; exec \"$0\" \"$@\"'"
#endif

/* Run "p2pdma ARGS" under the limits (through the shell, so pipes work). */
static struct tu_output run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static struct tu_output run(const char *fmt, ...)
{
	struct tu_output r;
	char *args;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	r = tu_capture(LIMIT " %s %s", tu_p2pdma_bin(), args);
	free(args);
	return r;
}

/* Exit @status with one error line on stderr that contains @what. */
static void assert_refused(struct tu_output *r, int status, const char *what)
{
	const char *nl = strchr(r->err, '\n');

	if (r->status != status || !strstr(r->err, what) || !nl || nl[1])
		fail_msg("want exit %d and one line with \"%s\"; got %d: %s", status, what,
			 r->status, r->err);
	tu_output_free(r);
}

static char *data(const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "robust/%s", name);
	return tu_data_path(rel);
}

/* A scratch tree: root port 00:01.0 (Express, ACS) above endpoint 01:00.0. */
static char *base_tree(void)
{
	char *root = tu_mkdtemp();
	struct sb_cfg rp, ep;

	sb_cfg_init(&rp, 0x8086, 0x2030, 0x060400);
	rp.header_type = 1;
	rp.secondary = rp.subordinate = 1;
	rp.pcie_type = SB_PCIE_ROOT_PORT;
	rp.lnk_speed = rp.lnk_max_speed = 3;
	rp.lnk_width = rp.lnk_max_width = 16;
	rp.acs = true;
	rp.acs_cap = 0x5f;
	sb_function(root, "sys/devices/pci0000:00/0000:00:01.0", &rp);
	sb_cfg_init(&ep, 0x15b3, 0x1017, 0x020000);
	ep.pcie_type = SB_PCIE_ENDPOINT;
	ep.lnk_speed = ep.lnk_max_speed = 3;
	ep.lnk_width = ep.lnk_max_width = 16;
	sb_function(root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0", &ep);
	sb_proc(root, "GenuineIntel", 6, 85, "root=/dev/sda");
	return root;
}

static void drop_tree(char *root)
{
	tu_rmtree(root);
	free(root);
}

/* #1: an entity declared in a DTD and used in an attribute: refused at once. */
static void test_01_nccl_entities(void **state)
{
	char *a = data("qb6000.xml"), *b = data("fuzz_nccl-timeout-94a97d6a.xml");
	struct tu_output r;

	(void)state;
	r = run("-i %s topo", a);
	assert_refused(&r, 2, "<!DOCTYPE>");
	r = run("-i %s topo", b);
	assert_refused(&r, 2, "<!DOCTYPE>");
	free(a);
	free(b);
}

/*
 * #2: a root port whose Express capability sits at 0xfc of 256 bytes, its
 * bus link pointing at a directory whose "config" is a FIFO: the load ends,
 * and the link registers past byte 256 are unknown, not read elsewhere.
 */
static void test_02_no_reads_outside(void **state)
{
	char *root = base_tree();
	uint8_t cfg[256] = { 0x86, 0x80, 0x30, 0x20, 0, 0, 0x10, 0 };
	struct tu_output r;

	(void)state;
	cfg[0x0b] = 0x06;
	cfg[0x0a] = 0x04;
	cfg[0x0e] = 1;
	cfg[0x19] = cfg[0x1a] = 1;
	cfg[0x34] = 0xfc;
	cfg[0xfc] = 0x10;
	cfg[0xfe] = 0x42;		/* root port, version 2 */
	sb_write(root, "sys/devices/pci0000:00/0000:00:01.0/config", cfg, sizeof(cfg));
	sb_fifo(root, "fifo_dir/config");
	sb_remove(root, "sys/bus/pci/devices/0000:00:01.0");
	sb_symlink(root, "sys/bus/pci/devices/0000:00:01.0", "../../../../fifo_dir");
	r = run("-i %s topo --json", root);
	assert_int_equal(r.status, 0);
	/* The root port's Express capability is found, its link left to sysfs attributes. */
	assert_non_null(strstr(r.out, "\"root_port\""));
	tu_output_free(&r);
	drop_tree(root);
}

/* #8: lspci -xxxx dumps whose lists the kernel would stop walking: BUS_ADDR. */
static void test_08_kernel_walk(void **state)
{
	static const char *const files[] = { "ext-next-below-100.txt", "trad-cap-below-40.txt" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *f = data(files[i]);
		struct tu_output r = run("-i %s check 0000:01:00.0 0000:01:00.1", f);

		if (r.status != 0 || !strstr(r.out, "map type      BUS_ADDR"))
			fail_msg("%s: want BUS_ADDR, got %d: %s%s", files[i], r.status, r.out, r.err);
		tu_output_free(&r);
		free(f);
	}
}

/* #8: two ACS capabilities in lspci -vvv text: the first counts (redirect on). */
static void test_08_first_acs_in_text(void **state)
{
	char *f = data("two-acs-caps.txt");
	struct tu_output r = run("-i %s topo --json", f);

	(void)state;
	assert_int_equal(r.status, 0);
	/* The first ACS capability of the root port has ACSCtl with all five bits: 0x1f = 31. */
	assert_non_null(strstr(r.out, "\"acs_ctrl\": 31"));
	tu_output_free(&r);
	free(f);
}

/*
 * #15: every error is one line: libxml2's own encoding messages stay off
 * stderr, tar entry names and arguments with control characters show '?'.
 */
static void test_15_one_line_errors(void **state)
{
	char *f = data("encoding-ebcdic.xml"), *t = data("ctrl-name.tar");
	struct tu_output r = run("-i %s topo", f);

	(void)state;
	assert_refused(&r, 2, "encoding-ebcdic.xml");
	r = run("-i %s topo", t);
	assert_refused(&r, 2, "entry /evil?second line?[31mRED has an absolute name");
	r = run("-i builtin:amd-epyc-2gpu alloc 0000:01:00.0 \"$(printf '12\\nM')\"");
	assert_refused(&r, 2, "'12?M' is not a size");
	r = run("capture /tmp");
	assert_refused(&r, 2, "/tmp: is a directory");
	free(f);
	free(t);
}

/* #15: a hex dump whose first line is longer than the sniffed 64 KiB is still a hex dump. */
static void test_15_long_first_line(void **state)
{
	char *src = data("ext-next-below-100.txt"), *dir = tu_mkdtemp(), *out, *nl, *text;
	size_t len, head;
	char *pad = malloc(100000);
	struct tu_output r;

	(void)state;
	text = tu_read_file(src, &len);
	assert_non_null(text);
	assert_non_null(pad);
	memset(pad, 'X', 100000);
	nl = strchr(text, '\n');
	head = (size_t)(nl - text);
	assert_true(asprintf(&out, "%s/long.txt", dir) > 0);
	{
		char *all = malloc(len + 100000);

		memcpy(all, text, head);
		memcpy(all + head, pad, 100000);
		memcpy(all + head + 100000, text + head, len - head);
		assert_int_equal(tu_write_file(out, all, len + 100000), 0);
		free(all);
	}
	r = run("-i %s check 0000:01:00.0 0000:01:00.1", out);
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	tu_output_free(&r);
	free(pad);
	free(text);
	free(out);
	free(src);
	tu_rmtree(dir);
	free(dir);
}

/* Load @path as a sysfs tree or capture through the library; the return code. */
static int lib_load(const char *path, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_SYSFS };
	struct p2pdma_fabric *f = NULL;
	int ret = p2pdma_fabric_load(&o, &f, e);

	p2pdma_fabric_free(f);
	return ret;
}

static char *capture_of(const char *root, const char *name)
{
	struct p2pdma_error e = { 0 };
	char *out;

	assert_true(asprintf(&out, "%s/%s", root, name) > 0);
	if (p2pdma_capture(root, out, NULL, NULL, &e))
		fail_msg("capture: %s", e.reason);
	return out;
}

/*
 * #3: a capture cut at any 512-byte boundary before its end-of-archive
 * marker is refused, never loaded as a smaller machine.
 */
static void test_03_truncated_tar(void **state)
{
	char *root = base_tree(), *tar = capture_of(root, "../cut-src.tar"), *cut;
	struct p2pdma_error e = { 0 };
	size_t len, end, at;
	char *bytes = tu_read_file(tar, &len);

	(void)state;
	assert_non_null(bytes);
	assert_int_equal(lib_load(tar, &e), 0);
	/* The marker starts at the first zero block after the last byte in use. */
	for (end = len; end && !bytes[end - 1]; end--)
		;
	end = (end + 511) / 512 * 512;
	assert_true(asprintf(&cut, "%s.cut", tar) > 0);
	for (at = 512; at <= end; at += 512) {
		assert_int_equal(tu_write_file(cut, bytes, at), 0);
		if (lib_load(cut, &e) == 0)
			fail_msg("cut at %zu of %zu bytes loaded", at, len);
	}
	assert_non_null(strstr(e.reason, "no end-of-archive marker"));
	unlink(cut);
	unlink(tar);
	free(cut);
	free(tar);
	free(bytes);
	drop_tree(root);
}

/* #4: 20 GB of zeros in a skipped entry, 122 KB of bzip2: refused at once. */
static void test_04_bomb_in_skipped_entry(void **state)
{
	char *f = data("bomb20g.tar.bz2");
	struct tu_output r = run("-i %s topo", f);

	(void)state;
	assert_refused(&r, 2, "refusing to unpack more than 1024 MiB");
	free(f);
}

/* #5: a 1,024-CPU cpuinfo (2 KiB a CPU) loads, live and from its capture. */
static void test_05_big_cpuinfo(void **state)
{
	char *root = base_tree(), *tar, *one;
	struct p2pdma_error e = { 0 };
	size_t i, n = 0;
	char *buf = malloc(1024 * 2048 + 1);

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < 1024; i++) {
		int k = snprintf(buf + n, 2049, "processor\t: %zu\nvendor_id\t: AuthenticAMD\n"
				 "cpu family\t: 25\nmodel\t\t: 17\nflags\t\t: ", i);

		assert_true(asprintf(&one, "%*s\n\n", 2048 - k - 2, "x") > 0);
		memcpy(buf + n + k, one, strlen(one));
		n += (size_t)k + strlen(one);
		free(one);
	}
	sb_write(root, "proc/cpuinfo", buf, n);
	assert_true(n >= 2 << 20);
	if (lib_load(root, &e))
		fail_msg("%s", e.reason);
	tar = capture_of(root, "../big-cpu.tar");
	if (lib_load(tar, &e))
		fail_msg("%s", e.reason);
	unlink(tar);
	free(tar);
	free(buf);
	drop_tree(root);
}

/* A name in @dir beginning with @prefix: a capture's temporary file. */
static bool temp_in(const char *dir, const char *prefix)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		found |= !strncmp(de->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return found;
}

/*
 * #6: what the loader refuses in a tree, capture refuses, and writes
 * nothing: not even a temporary file is made.
 */
static void test_06_capture_refuses_what_load_refuses(void **state)
{
	char *root = base_tree(), *out;
	struct p2pdma_error e = { 0 };

	(void)state;
	sb_remove(root, "proc/cpuinfo");
	sb_symlink(root, "proc/cpuinfo", "/proc/cpuinfo");
	assert_int_not_equal(lib_load(root, &e), 0);
	assert_true(asprintf(&out, "%s/../refused.tar", root) > 0);
	assert_int_not_equal(p2pdma_capture(root, out, NULL, NULL, &e), 0);
	assert_non_null(strstr(e.reason, "capture refused"));
	assert_non_null(strstr(e.reason, "cpuinfo"));
	assert_int_equal(access(out, F_OK), -1);
	free(out);
	/* Refused before any file is made: a destination that cannot be made is never reached. */
	assert_true(asprintf(&out, "%s/../no-such-dir/refused.tar", root) > 0);
	assert_int_not_equal(p2pdma_capture(root, out, NULL, NULL, &e), 0);
	assert_non_null(strstr(e.reason, "capture refused: the loader refuses the machine"));
	assert_non_null(strstr(e.reason, "cpuinfo"));
	free(out);
	drop_tree(root);
}

static void on_term(int sig)
{
	(void)sig;
	p2pdma_remove_temp();
	_exit(0);
}

/*
 * Capture logs as it starts copying a host bridge, with its temporary
 * file open: be killed right then (exit 3 if that file is not there,
 * which would make the test prove nothing).
 */
static void term_now(void *dir, enum p2pdma_log_level level, const char *msg)
{
	(void)level;
	if (!strstr(msg, "copying the devices under sys/"))
		return;
	if (!temp_in(dir, "cap.tar."))
		_exit(3);
	raise(SIGTERM);
}

/*
 * #17: a capture being written is removed by p2pdma_remove_temp() from a
 * SIGTERM handler.  (Loading a tarball writes no temporary files at all
 * any more: access/tarball.c reads it into memory.)
 */
static void test_17_temp_removed_on_signal(void **state)
{
	char *root = base_tree(), *dir, *out, *left = NULL;
	struct p2pdma_error e = { 0 };
	int status;
	pid_t pid;

	(void)state;
	dir = tu_mkdtemp();
	assert_true(asprintf(&out, "%s/cap.tar", dir) > 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		signal(SIGTERM, on_term);
		p2pdma_capture(root, out, term_now, dir, &e);
		_exit(2);	/* the log call never came */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(tu_run(&left, NULL, "ls -A '%s'", dir), 0);
	if (left[0])
		fail_msg("left behind in %s: %s", dir, left);
	free(left);
	free(out);
	drop_tree(dir);
	drop_tree(root);
}

/* #18: the capture file honours the umask (077: 0600). */
static void test_18_capture_umask(void **state)
{
	char *root = base_tree(), *out;
	struct stat st;
	int status;

	(void)state;
	assert_true(asprintf(&out, "%s/../umask.tar.gz", root) > 0);
	status = tu_run(NULL, NULL, "umask 077; %s capture %s --root %s", P, out, root);
	assert_int_equal(status, 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(out);
	free(out);
	drop_tree(root);
}

/* #19: the cap on unpacked files refuses an archive at the file over it. */
static void test_19_file_cap(void **state)
{
	char *root = base_tree(), *tar = capture_of(root, "../many.tar");
	struct p2pdma_unpack_opts few = { 1 << 20, 1000, NULL, 10 };
	struct p2pdma_memtree *t = NULL;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_archive_read(tar, &few, &t, &e), -EFBIG);
	assert_non_null(strstr(e.reason, "more than 10 files"));
	assert_null(t);
	few.max_files = 0;		/* the default: plenty for this capture */
	assert_int_equal(p2pdma_archive_read(tar, &few, &t, &e), 0);
	p2pdma_memtree_free(t);
	unlink(tar);
	free(tar);
	drop_tree(root);
}

/* #7: a p2pmem pool of 0 B holds nothing: alloc says no (1). */
static void test_07_pool_of_zero(void **state)
{
	char *f = data("p2pmem-size0-avail0.json");
	struct tu_output r = run("-i %s alloc 0000:01:00.0 12M", f);

	(void)state;
	assert_refused(&r, 1, "p2pmem pool is 0 B");
	free(f);
}

/* #9: a host bridge name that would inject DOT attributes is refused at load. */
static void test_09_host_bridge_names(void **state)
{
	static const char *const files[] = { "dotinj4.json", "dotinj.json" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *f = data(files[i]);
		struct tu_output r = run("-i %s topo --dot", f);

		assert_string_equal(r.out, "");
		assert_refused(&r, 2, "$.host_bridges[0]: host bridge name");
		free(f);
	}
}

/* #24: "the pool cannot hold the buffer" is 1 in map as in alloc, host RAM too. */
static void test_24_same_no(void **state)
{
	struct tu_output r;

	(void)state;
	r = run("-i builtin:dual-xeon-8gpu alloc 0000:b6:00.0 1G");
	assert_refused(&r, 1, "larger than its p2pmem pool");
	r = run("-i builtin:dual-xeon-8gpu map --client 0000:b3:00.0 p2p:0000:b6:00.0:1G");
	assert_refused(&r, 1, "larger than its p2pmem pool");
	r = run("-i builtin:dual-xeon-8gpu map --client 0000:b3:00.0 host:1T");
	assert_refused(&r, 1, "host RAM");
}

/*
 * #10: 100,000 RAM ranges (6 MB of JSON, 6 s when the check was
 * quadratic) load within the 5 s limit, in either order.
 */
static void test_10_many_ram_ranges(void **state)
{
	char *dir = tu_mkdtemp(), *path, *json;
	const size_t n = 100000;
	size_t len = 0, i, k;
	struct tu_output r;

	(void)state;
	json = malloc(n * 80 + 1024);
	assert_non_null(json);
	for (k = 0; k < 2; k++) {
		len = (size_t)sprintf(json, "{ \"format\": \"p2pdma-machine\", \"version\": 1, "
				      "\"cpu\": { \"vendor\": \"GenuineIntel\", \"family\": 6, \"model\": 85 }, "
				      "\"cmdline\": \"\", \"iommu_groups\": [], \"host_bridges\": [], \"ram\": [");
		for (i = 0; i < n; i++) {
			size_t at = k ? n - 1 - i : i;

			len += (size_t)sprintf(json + len, "%s{ \"start\": \"0x%llx\", \"size\": 4096, \"numa_node\": 0 }",
					       i ? ", " : "",
					       (unsigned long long)(0x100000000ULL + at * 0x2000));
		}
		len += (size_t)sprintf(json + len, "] }\n");
		assert_true(asprintf(&path, "%s/ram%zu.json", dir, k) > 0);
		assert_int_equal(tu_write_file(path, json, len), 0);
		r = run("-i %s topo --json", path);
		if (r.status != 0)
			fail_msg("exit %d: %s", r.status, r.err);
		tu_output_free(&r);
		free(path);
	}
	free(json);
	tu_rmtree(dir);
	free(dir);
}

/* #16: overlapping BARs are refused at load, naming the file and both BARs. */
static void test_16_bar_overlap_at_load(void **state)
{
	char *a = data("bars-overlap-same-fn.json"), *b = data("bars-cross-fn-overlap-p2pmem.json");
	struct tu_output r;

	(void)state;
	r = run("-i %s topo", a);
	assert_refused(&r, 2, "bars-overlap-same-fn.json: 0000:01:00.0 BAR 2 [0xd0001000-0xd0004fff] overlaps 0000:01:00.0 BAR 0");
	r = run("-i %s check 0000:01:00.0 0000:04:00.0", b);
	assert_refused(&r, 2, "bars-cross-fn-overlap-p2pmem.json: 0000:04:00.0 BAR 0");
	free(a);
	free(b);
}

struct chunks {
	size_t calls, longest, total;
};

static int count_chunk(void *arg, const char *s, size_t len)
{
	struct chunks *c = arg;

	(void)s;
	c->calls++;
	c->total += len;
	if (len > c->longest)
		c->longest = len;
	return 0;
}

/*
 * #11: the matrix is handed out a row at a time: as many pieces as rows
 * (and a header and a tail), none much longer than a row, in text and JSON.
 */
static void test_11_matrix_streams(void **state)
{
	struct p2pdma_load_opts o = { .path = "builtin:dual-xeon-8gpu" };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
	int json;

	(void)state;
	assert_int_equal(p2pdma_fabric_load(&o, &f, &e), 0);
	p = p2pdma_policy_new(f);
	assert_non_null(p);
	for (json = 0; json < 2; json++) {
		struct chunks c = { 0 };
		char *whole = NULL;

		assert_int_equal(p2pdma_matrix_stream(p, P2PDMA_MATRIX_ALL, NULL, json,
						      count_chunk, &c, &e), 0);
		assert_int_equal(p2pdma_matrix_write(p, P2PDMA_MATRIX_ALL, NULL, json, &whole, &e), 0);
		/* dual-xeon-8gpu --all: 8 GPUs, 4 NICs, 4 NVMe and more: over 16 rows. */
		assert_true(c.calls > 16);
		assert_true(c.total == strlen(whole));
		fprintf(stderr, "# %s: %zu pieces, longest %zu of %zu bytes\n", json ? "json" : "text", c.calls, c.longest, c.total);
		assert_true(c.longest * 3 < c.total);
		free(whole);
	}
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* #12: every size p2pdma prints reads back, PiB and EiB included. */
static void test_12_sizes_read_back(void **state)
{
	char buf[32];
	uint64_t v;
	unsigned int sh;

	(void)state;
	for (sh = 0; sh < 64; sh++) {
		p2pdma_size_format(1ULL << sh, buf, sizeof(buf));
		if (p2pdma_size_parse(buf, &v) || v != 1ULL << sh)
			fail_msg("'%s' does not read back as 2^%u", buf, sh);
	}
	assert_int_equal(p2pdma_size_parse("1 PiB", &v), 0);
	assert_true(v == 1ULL << 50);
	assert_int_equal(p2pdma_size_parse("15EiB", &v), 0);
	assert_true(v == 15ULL << 60);
	assert_int_equal(p2pdma_size_parse("16 EiB", &v), -ERANGE);
}

/* #13: integers json-c would clamp are refused where they are; so is a huge seed. */
static void test_13_json_integers(void **state)
{
	static const struct { const char *file, *where; } cases[] = {
		{ "p2pmem-size-2pow64.json", "p2pmem-size-2pow64.json:153:17: an integer out of range" },
		{ "big-int.json", "big-int.json:33:23: an integer out of range" },
		{ "int64-min-1.json", "int64-min-1.json:24:20: an integer out of range" },
	};
	struct tu_output r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *f = data(cases[i].file);

		r = run("-i %s topo", f);
		assert_refused(&r, 2, cases[i].where);
		free(f);
	}
	r = run("-i builtin:amd-epyc-2gpu find --seed 99999999999999999999999 0000:41:00.0");
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--seed"));
	tu_output_free(&r);
}

/* #14: what RFC 8259 forbids is refused with line and column; no escapes reach a terminal. */
static void test_14_strict_json(void **state)
{
	static const struct { const char *file, *says; } cases[] = {
		{ "single-quote.json", ":33:11: a single quote" },
		{ "ctrl-in-string.json", ":102:28: a control character inside a string" },
		{ "newline-in-string.json", ":102:28: a control character inside a string" },
		{ "overlong-utf8.json", ":102:30: bytes that are not well-formed UTF-8" },
		{ "lone-surrogate.json", ":102:26: a \\u escape of a UTF-16 high surrogate" },
		{ "driver-with-esc.json", "is not a kernel driver name" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *f = data(cases[i].file);
		struct tu_output r = run("-i %s topo", f);
		const char *c;

		for (c = r.err; *c; c++)
			if (((unsigned char)*c < 0x20 && *c != '\n') || (unsigned char)*c >= 0x80)
				fail_msg("%s: a raw control or non-ASCII byte 0x%02x in: %s",
					 cases[i].file, (unsigned char)*c, r.err);
		assert_refused(&r, 2, cases[i].says);
		free(f);
	}
}

/* #20: a FIFO or a device given to -i is refused at once; stdin stops at the cap. */
static void test_20_fifo_and_devices(void **state)
{
	char *dir = tu_mkdtemp(), *fifo;
	static const char *const names[] = { "f.json", "f.xml", "f.txt" };
	struct tu_output r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_true(asprintf(&fifo, "%s/%s", dir, names[i]) > 0);
		assert_int_equal(mkfifo(fifo, 0600), 0);
		r = run("-i %s topo", fifo);
		assert_refused(&r, 2, "not a regular file");
		free(fifo);
	}
	r = run("-i /dev/zero --input-format json topo");
	assert_refused(&r, 2, "/dev/zero: not a regular file (a device)");
	/* A JSON description through a shell pipe still loads. */
	r = run("-i /dev/stdin --input-format json topo < \"$P2PDMA_MACHINES_DIR\"/amd-epyc-2gpu.json");
	if (r.status)
		fail_msg("a pipe: %s", r.err);
	tu_output_free(&r);
	tu_rmtree(dir);
	free(dir);
}

/* #21: the first half of a real -vvv paste is refused as cut, naming the line. */
static void test_21_cut_vvv(void **state)
{
	char *real = tu_real_path("lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt");
	char *dir = tu_mkdtemp(), *cut;
	size_t len;
	char *text = tu_read_file(real, &len);
	struct tu_output r;
	const char *last;

	(void)state;
	assert_non_null(text);
	assert_true(asprintf(&cut, "%s/half.txt", dir) > 0);
	assert_int_equal(tu_write_file(cut, text, len / 2), 0);
	r = run("-i %s topo", cut);
	assert_int_equal(r.status, 2);
	/* The error is the last line (a warning about ids may come first). */
	last = r.err + strlen(r.err) - 1;
	while (last > r.err && last[-1] != '\n')
		last--;
	assert_non_null(strstr(last, "the last record has no closing blank line"));
	tu_output_free(&r);
	r = run("-i %s topo", real);
	assert_int_equal(r.status, 0);
	tu_output_free(&r);
	free(text);
	free(cut);
	free(real);
	tu_rmtree(dir);
	free(dir);
}

/* #22: a sysfs link width the register cannot hold (6 bits) is refused, as JSON refuses it; 255 is unknown. */
static void test_22_link_width(void **state)
{
	char *root = base_tree();
	struct p2pdma_error e = { 0 };

	(void)state;
	sb_printf(root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/current_link_width", "64\n");
	assert_int_equal(lib_load(root, &e), -ERANGE);
	assert_non_null(strstr(e.reason, "current_link_width: 64 is not a link width"));
	sb_printf(root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/current_link_width", "63\n");
	assert_int_equal(lib_load(root, &e), 0);
	/* 255 is the kernel's PCIE_LNK_WIDTH_UNKNOWN: the config space's width (x16) stands. */
	sb_printf(root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/current_link_width", "255\n");
	assert_int_equal(lib_load(root, &e), 0);
	drop_tree(root);
}

/* #23: devices where no loader reads them are refused, not dropped. */
static void test_23_no_silent_drops(void **state)
{
	static const struct { const char *file, *says; } xml[] = {
		{ "pci-in-net.xml", "<pci> cannot sit inside <net>" },
		{ "pci-in-nvlink.xml", "<pci> cannot sit inside <nvlink>" },
		{ "pci-in-unknown-in-pci.xml", "<pci> cannot sit inside <foo>" },
		{ "class-dec.xml", "a class code is written 0xCCSSPP" },
	};
	static const char *const names[] = { "0000:01:00.8", "0000:01:20.0", "000:01:00.2" };
	struct p2pdma_error e = { 0 };
	char *root, rel[256];
	struct tu_output r;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		char *f = data(xml[i].file);

		r = run("-i %s topo", f);
		assert_refused(&r, 2, xml[i].says);
		free(f);
	}
	for (i = 0; i < 3; i++) {
		struct sb_cfg ep;

		root = base_tree();
		sb_cfg_init(&ep, 0x15b3, 0x1017, 0x020000);
		snprintf(rel, sizeof(rel), "sys/devices/pci0000:00/0000:00:01.0/%s", names[i]);
		sb_function(root, rel, &ep);
		assert_int_equal(lib_load(root, &e), -EINVAL);
		assert_non_null(strstr(e.reason, "not a PCI function the kernel names"));
		drop_tree(root);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_01_nccl_entities),
		cmocka_unit_test(test_02_no_reads_outside),
		cmocka_unit_test(test_03_truncated_tar),
		cmocka_unit_test(test_04_bomb_in_skipped_entry),
		cmocka_unit_test(test_05_big_cpuinfo),
		cmocka_unit_test(test_06_capture_refuses_what_load_refuses),
		cmocka_unit_test(test_07_pool_of_zero),
		cmocka_unit_test(test_08_kernel_walk),
		cmocka_unit_test(test_08_first_acs_in_text),
		cmocka_unit_test(test_09_host_bridge_names),
		cmocka_unit_test(test_10_many_ram_ranges),
		cmocka_unit_test(test_11_matrix_streams),
		cmocka_unit_test(test_12_sizes_read_back),
		cmocka_unit_test(test_13_json_integers),
		cmocka_unit_test(test_14_strict_json),
		cmocka_unit_test(test_15_one_line_errors),
		cmocka_unit_test(test_15_long_first_line),
		cmocka_unit_test(test_16_bar_overlap_at_load),
		cmocka_unit_test(test_17_temp_removed_on_signal),
		cmocka_unit_test(test_18_capture_umask),
		cmocka_unit_test(test_19_file_cap),
		cmocka_unit_test(test_20_fifo_and_devices),
		cmocka_unit_test(test_21_cut_vvv),
		cmocka_unit_test(test_22_link_width),
		cmocka_unit_test(test_23_no_silent_drops),
		cmocka_unit_test(test_24_same_no),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
