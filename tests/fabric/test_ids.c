// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The quick pci.ids look-ups (lib/fabric/idsfile.c) against libpci, the
 * reference, on the system's pci.ids (every vendor, device and subclass
 * line in it) and on a small hand-written file with the odd forms
 * (tests/data/ids/odd.ids).  Where the quick look-up answers,
 * it must answer what libpci answers; on the system file it must answer
 * nearly always (else every name would cost libpci's full parse).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "testutil.h"
#include "idsfile.h"

static void quiet(char *msg, ...)
{
	(void)msg;
}

static struct pci_access *pacc_for(const char *path)
{
	struct pci_access *a = pci_alloc();

	assert_non_null(a);
	a->warning = quiet;
	a->debug = quiet;
	if (path)
		pci_set_name_list_path(a, (char *)path, 0);
	return a;
}

/* libpci's name, "" when it has none. */
static const char *ref(struct pci_access *a, char *buf, size_t len, int flags,
		       unsigned int x, unsigned int y)
{
	const char *r = pci_lookup_name(a, buf, (int)len,
					flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, x, y);

	return r ? r : "";
}

struct tally {
	unsigned long asked, answered;
};

static void compare(struct pci_access *a, struct p2pdma_ids *ids, int flags, unsigned int x,
		    unsigned int y, struct tally *t)
{
	char mine[256], theirs[256];
	bool ok;

	switch (flags) {
	case PCI_LOOKUP_VENDOR:
		ok = p2pdma_ids_vendor(ids, (uint16_t)x, mine, sizeof(mine));
		break;
	case PCI_LOOKUP_DEVICE:
		ok = p2pdma_ids_device(ids, (uint16_t)x, (uint16_t)y, mine, sizeof(mine));
		break;
	default:
		ok = p2pdma_ids_subclass(ids, (uint8_t)(x >> 8), (uint8_t)x, mine, sizeof(mine));
		break;
	}
	t->asked++;
	if (!ok)
		return;
	t->answered++;
	if (strcmp(mine, ref(a, theirs, sizeof(theirs), flags, x, y)))
		fail_msg("flags %d ids %04x:%04x: quick '%s', libpci '%s'", flags, x, y, mine,
			 theirs);
}

/* Walk the file as a reader of its format, asking for every entry. */
static void every_entry(const char *path, struct pci_access *a, struct p2pdma_ids *ids,
			struct tally *t)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned int vendor = 0, cls = 0, id;
	bool classes = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == 'C' && sscanf(line, "C %2x", &cls) == 1) {
			classes = true;
		} else if (line[0] != '\t' && sscanf(line, "%4x", &id) == 1 && !classes) {
			vendor = id;
			compare(a, ids, PCI_LOOKUP_VENDOR, vendor, 0, t);
		} else if (line[0] == '\t' && line[1] != '\t' && sscanf(line + 1, "%x", &id) == 1) {
			if (classes)
				compare(a, ids, PCI_LOOKUP_CLASS, cls << 8 | id, 0, t);
			else
				compare(a, ids, PCI_LOOKUP_DEVICE, vendor, id, t);
		}
	}
	fclose(f);
}

static void test_system_file(void **state)
{
	struct pci_access *a = pacc_for(NULL);
	struct p2pdma_ids *ids;
	struct tally t = { 0 };

	(void)state;
	/* pci.ids is in build.sh's DEPS: its absence is a failure, not a skip. */
	ids = p2pdma_ids_open(a->id_file_name);
	if (!ids)
		fail_msg("%s: no uncompressed pci.ids there (install the pci.ids package)",
			 a->id_file_name);
	every_entry(p2pdma_ids_path(ids), a, ids, &t);
	printf("# %s: %lu entries, %lu answered quickly, all as libpci\n", p2pdma_ids_path(ids),
	       t.asked, t.answered);
	assert_true(t.asked > 10000);
	assert_true(t.answered * 100 >= t.asked * 99);
	p2pdma_ids_close(ids);
	pci_cleanup(a);
}

/*
 * tests/data/ids/odd.ids: comments among devices, trailing blanks, CRLF,
 * subsystem and prog-if lines, an ID listed out of order.
 */
static void test_odd_file(void **state)
{
	char *path = tu_data_path("ids/odd.ids");
	static const unsigned int dev[][2] = {
		{ 0x10b5, 0x8796 }, { 0x10b5, 0x8725 }, { 0x10b5, 0x0001 }, { 0x10b5, 0x9999 },
		{ 0x1000, 0x0001 }, { 0x8086, 0x2020 }, { 0x1234, 0x0001 },
	};
	static const unsigned int cls[] = { 0x0108, 0x0604, 0x0180, 0x0200 };
	struct pci_access *a;
	struct p2pdma_ids *ids;
	struct tally t = { 0 };
	char buf[8];
	size_t i;

	(void)state;
	a = pacc_for(path);
	ids = p2pdma_ids_open(path);
	assert_non_null(ids);
	for (i = 0; i < sizeof(dev) / sizeof(dev[0]); i++) {
		compare(a, ids, PCI_LOOKUP_VENDOR, dev[i][0], 0, &t);
		compare(a, ids, PCI_LOOKUP_DEVICE, dev[i][0], dev[i][1], &t);
	}
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		compare(a, ids, PCI_LOOKUP_CLASS, cls[i], 0, &t);
	/*
	 * Found: the vendor 6 times of 7 (not 1234), 5 devices (not 10b5:9999,
	 * not 1234:0001), 2 subclasses (not 01:80, not 02:00).
	 */
	assert_int_equal(t.answered, 6 + 5 + 2);
	/* A name that does not fit is left to libpci. */
	assert_false(p2pdma_ids_vendor(ids, 0x8086, buf, sizeof(buf)));
	p2pdma_ids_close(ids);
	pci_cleanup(a);
	free(path);
}

/*
 * A file that ends without a newline, on a lone "C" (the start of a class
 * line): found by fuzz_ids reading one byte past the buffer, which ASan
 * in CI reports.  The vendor before it is still found.
 */
static void test_cut_at_class(void **state)
{
	static const char text[] = "8086  Intel Corporation\nC";
	char *buf = malloc(sizeof(text) - 1), name[64];
	struct p2pdma_ids *ids;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, text, sizeof(text) - 1);	/* no NUL: as read from a file */
	ids = p2pdma_ids_parse(buf, sizeof(text) - 1);
	assert_non_null(ids);
	assert_true(p2pdma_ids_vendor(ids, 0x8086, name, sizeof(name)));
	assert_string_equal(name, "Intel Corporation");
	p2pdma_ids_close(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_file),
		cmocka_unit_test(test_odd_file),
		cmocka_unit_test(test_cut_at_class),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
