// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nvidia-bug-report logs as a source: the two real reports of
 * ../shared/testdata/bug-reports load, with the parents, ACS, release and
 * command line their README and their own text state; cut-down ones
 * without the dump or cut inside it are refused in one line naming the
 * file (and the line), exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define REPORTS P2PDMA_SOURCE_ROOT "/../shared/testdata/bug-reports/"

static struct p2pdma_fabric *report(const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", REPORTS, name);
	return tu_load(path);
}

static void expect_parent(const struct p2pdma_fabric *f, const char *child, const char *parent)
{
	char name[P2PDMA_BDF_STRLEN];
	const struct p2pdma_function *c = tu_fn(f, child);

	assert_non_null(c->parent);
	assert_string_equal(p2pdma_bdf_format(&c->parent->bdf, name, sizeof(name)), parent);
}

/*
 * README: root port 16:00.0 -> PEX 8747 switch 17:00.0 -> 18:10.0 -> GPU
 * 1a:00.0; root port 64:00.0 -> 65:00.0 -> 66:08.0 -> GPU 67:00.0 and
 * 66:10.0 -> GPU 68:00.0; PEX downstream ports with ACS, control off;
 * kernel 6.5.0-17-generic.
 */
static void test_retinalvit(void **state)
{
	struct p2pdma_fabric *f = report("retinalvit-i9-10920x-3xA6000-2xPEX8747.nvidia-bug-report.log.gz");

	(void)state;
	expect_parent(f, "1a:00.0", "0000:18:10.0");
	expect_parent(f, "18:10.0", "0000:17:00.0");
	expect_parent(f, "17:00.0", "0000:16:00.0");
	expect_parent(f, "67:00.0", "0000:66:08.0");
	expect_parent(f, "68:00.0", "0000:66:10.0");
	assert_int_equal(tu_fn(f, "1a:00.0")->vendor, 0x10de);
	assert_int_equal(tu_fn(f, "1a:00.0")->device, 0x2230);
	assert_int_equal(tu_fn(f, "66:08.0")->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(tu_fn(f, "66:08.0")->acs_ctrl, 0);
	assert_string_equal(f->kernel_release, "6.5.0-17-generic");
	assert_string_equal(f->cmdline, "BOOT_IMAGE=/boot/vmlinuz-6.5.0-17-generic root=UUID=c1766521-43ba-457e-903a-ae509819ad2f ro quiet splash vt.handoff=7");
	assert_false(f->cpu.known);
	p2pdma_fabric_free(f);
}

/*
 * README: CPU root port 00:01.2 -> X570 switch 01:00.0 [1022:57ad] ->
 * 02:00.0 -> NVMe 03:00.0; ACS Control SrcValid ReqRedir CmpltRedir
 * UpstreamFwd (0x1d) on the downstream ports; kernel 7.0.0-29-generic,
 * whose boot line is the one that names vmlinuz-7.0.0-29-generic (the log
 * also holds a 6.11 boot's).
 */
static void test_laniusc(void **state)
{
	struct p2pdma_fabric *f = report("laniusc-x570-acs-on-chipset-switch.nvidia-bug-report.log.gz");

	(void)state;
	expect_parent(f, "03:00.0", "0000:02:00.0");
	expect_parent(f, "02:00.0", "0000:01:00.0");
	expect_parent(f, "01:00.0", "0000:00:01.2");
	assert_int_equal(tu_fn(f, "01:00.0")->device, 0x57ad);
	assert_int_equal(tu_fn(f, "02:00.0")->acs_ctrl, 0x1d);
	assert_string_equal(f->kernel_release, "7.0.0-29-generic");
	assert_non_null(strstr(f->cmdline, "vmlinuz-7.0.0-29-generic"));
	assert_non_null(strstr(f->cmdline, "acpi_enforce_resources=lax"));
	p2pdma_fabric_free(f);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *file, *says;
	} bad[] = {
		{ "no-dump.nvidia-bug-report.log", "no 'lspci -nnDvvvxxxx' section" },
		{ "truncated.nvidia-bug-report.log", "(lspci section at line 19):301: a hex dump line holds 16 bytes" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rel[128], *path, *out = NULL, *err = NULL;

		snprintf(rel, sizeof(rel), "bugreport/%s", bad[i].file);
		path = tu_data_path(rel);
		assert_int_equal(tu_run(&out, &err, "'%s' -i '%s' topo", tu_p2pdma_bin(), path), 2);
		assert_non_null(strstr(err, bad[i].file));
		assert_non_null(strstr(err, bad[i].says));
		assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);
		free(out);
		free(err);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retinalvit),
		cmocka_unit_test(test_laniusc),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
