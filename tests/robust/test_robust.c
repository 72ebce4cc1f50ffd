// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The robustness audit's findings (shared/audits/robustness-2026-12),
 * reproduced through the p2pdma command as a user meets them.  Every run
 * goes through `timeout` and a virtual memory limit, so a hang or a
 * blow-up fails the case in a second instead of hanging the suite.
 * Expected answers come from the audit report and the kernel's rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "sysfs_builder.h"

#define P tu_p2pdma_bin()
/* Seconds and KiB of address space every command gets (ASan needs room). */
#define LIMIT "timeout 5 sh -c 'ulimit -v 4000000; exec \"$0\" \"$@\"'"

struct run {
	int status;
	char *out, *err;
};

static struct run run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static struct run run(const char *fmt, ...)
{
	struct run r = { 0 };
	char *args;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	r.status = tu_run(&r.out, &r.err, LIMIT " %s %s", P, args);
	assert_non_null(r.out);
	assert_non_null(r.err);
	free(args);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Exit @status with one error line on stderr that contains @what. */
static void assert_refused(struct run *r, int status, const char *what)
{
	const char *nl = strchr(r->err, '\n');

	if (r->status != status || !strstr(r->err, what) || !nl || nl[1])
		fail_msg("want exit %d and one line with \"%s\"; got %d: %s", status, what,
			 r->status, r->err);
	run_free(r);
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
	struct run r;

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
	char *root = base_tree(), *fifo;
	uint8_t cfg[256] = { 0x86, 0x80, 0x30, 0x20, 0, 0, 0x10, 0 };
	struct run r;

	(void)state;
	cfg[0x0b] = 0x06;
	cfg[0x0a] = 0x04;
	cfg[0x0e] = 1;
	cfg[0x19] = cfg[0x1a] = 1;
	cfg[0x34] = 0xfc;
	cfg[0xfc] = 0x10;
	cfg[0xfe] = 0x42;		/* root port, version 2 */
	sb_write(root, "sys/devices/pci0000:00/0000:00:01.0/config", cfg, sizeof(cfg));
	sb_mkdirs(root, "fifo_dir");
	assert_true(asprintf(&fifo, "%s/fifo_dir/config", root) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	sb_remove(root, "sys/bus/pci/devices/0000:00:01.0");
	sb_symlink(root, "sys/bus/pci/devices/0000:00:01.0", "../../../../fifo_dir");
	r = run("-i %s topo --json", root);
	assert_int_equal(r.status, 0);
	/* The root port's Express capability is found, its link left to sysfs attributes. */
	assert_non_null(strstr(r.out, "\"root_port\""));
	run_free(&r);
	free(fifo);
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
		struct run r = run("-i %s check 0000:01:00.0 0000:01:00.1", f);

		if (r.status != 0 || !strstr(r.out, "map type      BUS_ADDR"))
			fail_msg("%s: want BUS_ADDR, got %d: %s%s", files[i], r.status, r.out, r.err);
		run_free(&r);
		free(f);
	}
}

/* #8: two ACS capabilities in lspci -vvv text: the first counts (redirect on). */
static void test_08_first_acs_in_text(void **state)
{
	char *f = data("two-acs-caps.txt");
	struct run r = run("-i %s topo --json", f);

	(void)state;
	assert_int_equal(r.status, 0);
	/* The first ACS capability of the root port has ACSCtl with all five bits: 0x1f = 31. */
	assert_non_null(strstr(r.out, "\"acs_ctrl\": 31"));
	run_free(&r);
	free(f);
}

/* #15: libxml2's own encoding messages stay off stderr: one line only. */
static void test_15_xml_one_line(void **state)
{
	char *f = data("encoding-ebcdic.xml");
	struct run r = run("-i %s topo", f);

	(void)state;
	assert_refused(&r, 2, "encoding-ebcdic.xml");
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_01_nccl_entities),
		cmocka_unit_test(test_02_no_reads_outside),
		cmocka_unit_test(test_08_kernel_walk),
		cmocka_unit_test(test_08_first_acs_in_text),
		cmocka_unit_test(test_15_xml_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
