// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lspci printed names without ids: the reverse look-up in pci.ids, on a
 * small pci.ids written for this test (tests/data/lspci/pci.ids-mini),
 * so the expected ids are read off that file by eye: unique names
 * resolve, a name two devices share does not (the vendor still does),
 * "Device 2021" is lspci's form for an unknown device, a vendor name
 * that is a prefix of another picks the longer one only when the device
 * matches, and the same file gzip'ed reads the same.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci.h"
#include "testutil.h"

static const char text[] =
	"00:00.0 Host bridge: Intel Corporation Xeon E5 v4 DMI2 (rev 01)\n"
	"\tControl: I/O- Mem- BusMaster- SpecCycle-\n"
	"\n"
	"00:03.0 PCI bridge: Intel Corporation Xeon E5 v4 PCI Express Root Port 3 (rev 01) (prog-if 00 [Normal decode])\n"
	"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n"
	"\n"
	"01:00.0 3D controller: NVIDIA Corporation GP100GL [Tesla P100 PCIe 12GB] (rev a1)\n"
	"\tSubsystem: NVIDIA Corporation Tesla P100 PCIe 12GB\n"
	"\n"
	"00:04.0 System peripheral: Intel Corporation Device 2021\n"
	"\tControl: I/O- Mem-\n"
	"\n"
	"00:05.0 Non-Volatile memory controller: Acme Widget (prog-if 02 [NVM Express])\n"
	"\tControl: I/O- Mem-\n"
	"\n"
	"00:06.0 VGA compatible controller: Acme Labs Widget\n"
	"\tControl: I/O- Mem-\n"
	"\n"
	"00:07.0 Host bridge: Intel Corp. Bluetooth 9460/9560 Jefferson Peak (JfP)\n"
	"\tControl: I/O- Mem-\n"
	"\n"
	"00:08.0 Unassigned class [ff00]: Foo Bar Baz\n"
	"\tControl: I/O- Mem-\n"
	"\n";

struct logbook {
	char text[4096];
	int warn;
};

static void collect(void *arg, enum p2pdma_log_level level, const char *msg)
{
	struct logbook *lb = arg;
	size_t n = strlen(lb->text);

	lb->warn += level == P2PDMA_LOG_WARN;
	snprintf(lb->text + n, sizeof(lb->text) - n, "%s\n", msg);
}

static struct p2pdma_fabric *load(const char *ids, struct logbook *lb)
{
	struct p2pdma_load_opts o = { .log = collect, .log_arg = lb };
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };

	memset(lb, 0, sizeof(*lb));
	if (p2pdma_lspci_vvv_load_buf(f, text, sizeof(text) - 1, "names.txt", ids, &o, &e) ||
	    p2pdma_fabric_finalize(f, &e))
		fail_msg("%s", e.reason);
	return f;
}

static const struct p2pdma_function *fn(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &r, &e))
		fail_msg("%s", e.reason);
	return r;
}

static void ids_are(const struct p2pdma_fabric *f, const char *bdf, uint16_t v, uint16_t d,
		    uint32_t cls)
{
	const struct p2pdma_function *x = fn(f, bdf);

	if (x->vendor != v || x->device != d || x->class_code != cls)
		fail_msg("%s: %04x:%04x class %06x, want %04x:%04x class %06x", bdf, x->vendor,
			 x->device, x->class_code, v, d, cls);
}

static void check(const struct p2pdma_fabric *f, const struct logbook *lb)
{
	ids_are(f, "00:00.0", 0x8086, 0x6f00, 0x060000);
	assert_int_equal(fn(f, "00:00.0")->revision, 1);
	/* Two entries named "... Root Port 3": vendor only. */
	ids_are(f, "00:03.0", 0x8086, 0xffff, 0x060400);
	ids_are(f, "01:00.0", 0x10de, 0x15f7, 0x030200);
	assert_int_equal(fn(f, "01:00.0")->revision, 0xa1);
	assert_ptr_equal(fn(f, "01:00.0")->parent, fn(f, "00:03.0"));
	/* "System peripheral" is a subclass of two classes here: class unknown. */
	ids_are(f, "00:04.0", 0x8086, 0x2021, 0x000000);
	ids_are(f, "00:05.0", 0xabcd, 0x0001, 0x010802);
	ids_are(f, "00:06.0", 0xabce, 0x0001, 0x030000);
	/* "(JfP)" is part of the name, not a revision. */
	ids_are(f, "00:07.0", 0x8087, 0x0aaa, 0x060000);
	ids_are(f, "00:08.0", 0xffff, 0xffff, 0xff0000);
	assert_int_equal(lb->warn, 1);
	assert_non_null(strstr(lb->text, "6 of 8 functions found their ids"));
	assert_non_null(strstr(lb->text, "names.txt:4: 'Intel Corporation Xeon E5 v4 PCI Express Root Port 3' (1 function) has several entries"));
	assert_non_null(strstr(lb->text, "names.txt:22: 'Foo Bar Baz' (1 function) has no entry"));
}

static void test_reverse_lookup(void **state)
{
	char *ids = tu_data_path("lspci/pci.ids-mini");
	struct logbook lb;
	struct p2pdma_fabric *f = load(ids, &lb);

	(void)state;
	check(f, &lb);
	p2pdma_fabric_free(f);
	free(ids);
}

static void test_gzipped_ids(void **state)
{
	char *ids = tu_data_path("lspci/pci.ids-mini"), *dir = tu_mkdtemp(), *gz;
	struct p2pdma_fabric *f;
	struct logbook lb;

	(void)state;
	assert_true(asprintf(&gz, "%s/pci.ids.gz", dir) > 0);
	assert_int_equal(tu_run(NULL, NULL, "gzip -c '%s' > '%s'", ids, gz), 0);
	f = load(gz, &lb);
	check(f, &lb);
	p2pdma_fabric_free(f);
	/* As libpci does: a missing pci.ids.gz falls back to pci.ids. */
	free(gz);
	assert_true(asprintf(&gz, "%s/pci.ids.gz", dir) > 0);
	assert_int_equal(tu_run(NULL, NULL, "gzip -dc '%s/pci.ids.gz' > '%s/pci.ids' && rm '%s/pci.ids.gz'",
				dir, dir, dir), 0);
	f = load(gz, &lb);
	check(f, &lb);
	p2pdma_fabric_free(f);
	free(gz);
	tu_rmtree(dir);
	free(dir);
	free(ids);
}

/* No pci.ids: the model still loads, every id unknown, and the log says why. */
static void test_no_ids_file(void **state)
{
	struct logbook lb;
	struct p2pdma_fabric *f = load("/nonexistent/pci.ids", &lb);

	(void)state;
	assert_int_equal(f->nr_fns, 8);
	ids_are(f, "00:00.0", 0xffff, 0xffff, 0);
	assert_ptr_equal(fn(f, "01:00.0")->parent, fn(f, "00:03.0"));
	assert_non_null(strstr(lb.text, "cannot be read, so all ids stay unknown"));
	p2pdma_fabric_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_lookup),
		cmocka_unit_test(test_gzipped_ids),
		cmocka_unit_test(test_no_ids_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
