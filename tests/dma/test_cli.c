// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `p2pdma alloc` and `p2pdma map` on tests/dma/data/hand.json (the
 * machine of tests/mem/mkfabric.h with p2pmem on 03:00.0 and 41:00.0).
 * Expected output worked out by hand:
 *  - 03:00.0's pool is the first 32 MiB of BAR 2 (0x380000000000): the
 *    only prefetchable 64-bit BAR that holds it; bus offset 0.
 *  - 41:00.0's pool is all of BAR 2 (exactly 16 MiB) at 0x400000200000,
 *    under pci0000:40 whose bus addresses are CPU - 0x400000000000.
 *  - 03:00.0 -> 04:00.0 share the switch (BUS_ADDR); 03:00.0 -> 05:00.0
 *    and anything across host bridges cross a host bridge that is on no
 *    allow-list with an unknown CPU (NOT_SUPPORTED); a function with
 *    itself and 41:00.0 -> 41:00.1 are BUS_ADDR.
 *  - Host buffers come from RAM at 0x1000 upwards; a fresh IOMMU domain
 *    hands out IOVA top-down below 4 GiB, size-aligned.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define MACHINE P2PDMA_SOURCE_ROOT "/tests/dma/data/hand.json"

static int run(char **out, char **err, const char *args)
{
	return tu_run(out, err, "%s -i '%s' %s", tu_p2pdma_bin(), MACHINE, args);
}

static void expect_in(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, hay ? hay : "(null)");
}

static json_object *get(json_object *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array))
			o = json_object_array_get_idx(o, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	}
	return o;
}

static void expect_str(json_object *o, const char *path, const char *want)
{
	json_object *v = get(o, path);

	if (!v || !json_object_is_type(v, json_type_string))
		fail_msg("%s: not a string", path);
	assert_string_equal(json_object_get_string(v), want);
}

static void expect_int(json_object *o, const char *path, int64_t want)
{
	json_object *v = get(o, path);

	if (!v)
		fail_msg("%s: missing", path);
	assert_true(json_object_get_int64(v) == want);
}

static void test_alloc_text(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run(&out, &err, "alloc 03:00.0 64K"), 0);
	expect_in(out, "Provider 0000:03:00.0 (Eideticom, Inc NoLoad Hardware Development Kit): p2pmem 32 MiB, published\n");
	expect_in(out, "Buffer: 64 KiB in BAR 2 at offset 0x0\n");
	expect_in(out, "  CPU physical  0x380000000000-0x38000000ffff\n");
	expect_in(out, "  PCI bus       0x380000000000-0x38000000ffff  (host bridge pci0000:00, bus offset 0x0)\n");
	expect_in(out, "Pool now: size 33554432, available 33488896");
	free(out);
	free(err);

	/* The non-zero bus offset: the device sees 0x200000 for 0x400000200000. */
	assert_int_equal(run(&out, &err, "alloc 0000:41:00.0 1M"), 0);
	expect_in(out, "  CPU physical  0x400000200000-0x4000002fffff\n");
	expect_in(out, "  PCI bus       0x200000-0x2fffff  (host bridge pci0000:40, bus offset -0x400000000000)\n");
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "alloc 03:00.0 5000"), 0);
	expect_in(out, "Buffer: 8 KiB (5000 B asked, rounded up to whole pages) in BAR 2");
	free(out);
	free(err);
}

static void test_alloc_json(void **state)
{
	char *out = NULL, *err = NULL;
	json_object *o;

	(void)state;
	assert_int_equal(run(&out, &err, "alloc 41:00.0 2M --json"), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	expect_str(o, "provider", "0000:41:00.0");
	expect_int(o, "bar", 2);
	expect_str(o, "bar_offset", "0x0");
	expect_int(o, "size", 2097152);
	expect_str(o, "cpu_phys.start", "0x400000200000");
	expect_str(o, "cpu_phys.end", "0x4000003fffff");
	expect_str(o, "bus.start", "0x200000");
	expect_str(o, "bus.end", "0x3fffff");
	expect_str(o, "host_bridge", "pci0000:40");
	expect_str(o, "bus_offset", "0xffffc00000000000");
	expect_int(o, "pool.size", 16777216);
	expect_int(o, "pool.available", 16777216 - 2097152);
	assert_true(json_object_get_boolean(get(o, "pool.published")));
	json_object_put(o);
	free(out);
	free(err);
}

static void test_alloc_errors(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	/* Does not fit: the answer is no (1). */
	assert_int_equal(run(&out, &err, "alloc 41:00.0 17M"), 1);
	expect_in(err, "p2pdma: error: 0000:41:00.0: 17 MiB is larger than its p2pmem pool (16 MiB)");
	free(out);
	free(err);
	/* Bad input (2). */
	assert_int_equal(run(&out, &err, "alloc 04:00.0 4K"), 2);
	expect_in(err, "0000:04:00.0 has no p2pmem (it is not a provider)");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "alloc 99:00.0 4K"), 2);
	expect_in(err, "no PCI function 0000:99:00.0 in this machine");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "alloc 03:00.0 0"), 2);
	expect_in(err, "the size must be more than 0");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "alloc 03:00.0 12Q"), 2);
	expect_in(err, "'12Q' is not a size");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "alloc 03:00.0"), 2);
	expect_in(err, "alloc takes a provider and a size (got 1 argument)");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "alloc --help"), 0);
	expect_in(out, "Usage: p2pdma [-i SRC] alloc PROVIDER SIZE");
	expect_in(out, "the smallest prefetchable\n64-bit BAR that holds it");
	free(out);
	free(err);
}

static void test_map_text(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run(&out, &err,
			     "map --client 04:00.0 --client 05:00.0 p2p:03:00.0:64K host:8K"), 1);
	expect_in(out, "  0   p2pmem 0000:03:00.0      64 KiB     0x380000000000-0x38000000ffff\n");
	expect_in(out, "  1   host RAM                 8 KiB      0x1000-0x2fff\n");
	expect_in(out, "Client 0000:04:00.0: IOMMU group 11 (DMA-FQ): IOVA through its domain\n");
	expect_in(out, "  0   BUS_ADDR          0x380000000000      bus address (no IOVA, nothing to unmap)\n");
	/* 8 KiB: two granules, 8 KiB aligned below 4 GiB. */
	expect_in(out, "  1   host              0xffffe000          IOVA\n");
	expect_in(out, "  DMA list, 2 entries: 0x380000000000 +64 KiB [bus address], 0xffffe000 +8 KiB\n");
	expect_in(out, "Client 0000:05:00.0: IOMMU group 12 (identity): direct mapping\n");
	expect_in(out, "  refused (EREMOTEIO): segment 0 (p2pmem of 0000:03:00.0 at 0x380000000000, 65536 bytes): client 0000:05:00.0 cannot do peer-to-peer DMA with provider 0000:03:00.0 (NOT_SUPPORTED): ");
	free(out);
	free(err);

	/* Every client mapped: exit 0.  The NVMe reaches its own memory by bus address. */
	assert_int_equal(run(&out, &err, "map --client 03:00.0 --client 41:00.1 p2p:41:00.0:4K"), 1);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "map --client 41:00.1 --client 41:00.0 p2p:41:00.0:4K host:4K"), 0);
	expect_in(out, "Client 0000:41:00.1: no IOMMU group: direct mapping\n");
	expect_in(out, "  0   BUS_ADDR          0x200000            bus address");
	/* 41:00.0 maps host memory directly with its DMA offset 0x1000000000. */
	expect_in(out, "Client 0000:41:00.0: no IOMMU group: direct mapping with DMA offset 0x1000000000\n");
	expect_in(out, "  1   host              0x1000001000        direct\n");
	free(out);
	free(err);
}

/* 8 KiB + 64 KiB of host memory: IOVA-contiguous, merged only up to --max-seg. */
/*
 * The kernel release at map time (KERNEL-FACTS 9, 11.5): before 6.0 a
 * list mixing host memory and p2pmem cannot be mapped, a p2pmem-only one
 * can; on 6.16-7.0 dma-direct leaves THRU_HOST_BRIDGE segments unmapped.
 * hand-zen.json is hand.json with an AMD Zen CPU, so 41:00.1 (direct
 * mapping) reaches 03:00.0's memory through the host bridge.
 */
static void test_map_by_release(void **state)
{
	char *out = NULL, *err = NULL;
	const char *zen = P2PDMA_SOURCE_ROOT "/tests/dma/data/hand-zen.json";

	(void)state;
	assert_int_equal(run(&out, &err, "--kernel 5.19 map --client 04:00.0 p2p:03:00.0:64K host:8K"), 1);
	expect_in(out, "Kernel release: 5.19\n");
	expect_in(out, "  refused (EINVAL): 0000:04:00.0: kernel 5.19 maps P2PDMA pages only with pci_p2pdma_map_sg()");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--kernel 5.19 map --client 04:00.0 p2p:03:00.0:64K"), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--kernel 6.0 map --client 04:00.0 p2p:03:00.0:64K host:8K"), 0);
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "%s --kernel 6.16 -i '%s' map --client 41:00.1 p2p:03:00.0:4K",
				tu_p2pdma_bin(), zen), 0);
	expect_in(out, "  0   THRU_HOST_BRIDGE  0x380000000000      direct\n");
	expect_in(out, "  note: on 6.16 to 7.0 dma-direct leaves THRU_HOST_BRIDGE segments unmapped");
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "%s --kernel 7.1 -i '%s' map --client 41:00.1 p2p:03:00.0:4K",
				tu_p2pdma_bin(), zen), 0);
	assert_null(strstr(out, "note:"));
	free(out);
	free(err);	/* User-space allocate (sysfs p2pmem/allocate) arrived in 6.2. */
	assert_int_equal(run(&out, &err, "--kernel 6.1 alloc 03:00.0 4K"), 0);
	expect_in(out, "From user space: not on kernel 6.1 (p2pmem/allocate arrived in 6.2)");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--kernel 6.2 alloc 03:00.0 4K"), 0);
	expect_in(out, "From user space: mmap of /sys/bus/pci/devices/0000:03:00.0/p2pmem/allocate (kernel 6.2)");
	free(out);
	free(err);
}

/*
 * dma-direct's DMA mask (KERNEL-FACTS 11.5): hand-zen.json gives 41:00.0
 * a 32-bit mask; 03:00.0's p2pmem at 0x380000000000 plus its DMA offset
 * 0x1000000000 is far above 4 GiB, and peer memory cannot be bounced:
 * -EIO.  41:00.1 (mask unknown) maps the same segment.
 */
static void test_map_dma_mask(void **state)
{
	const char *zen = P2PDMA_SOURCE_ROOT "/tests/dma/data/hand-zen.json";
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, &err, "%s -i '%s' map --client 41:00.0 --client 41:00.1 p2p:03:00.0:4K",
				tu_p2pdma_bin(), zen), 1);
	expect_in(out, "  refused (EIO): segment 0 (p2pmem at DMA address 0x381000000000, 4096 bytes) lies above the 32-bit DMA mask of 0000:41:00.0");
	expect_in(out, "Client 0000:41:00.1: no IOMMU group: direct mapping\n  #");
	free(out);
	free(err);
}

static void test_map_max_seg(void **state)
{
	char *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(run(&out, &err, "map --client 04:00.0 host:8K host:64K"), 0);
	/* 72 KiB = 18 granules, rounded to 32 (128 KiB aligned): 0xfffe0000. */
	expect_in(out, "  DMA list, 2 entries: 0xfffe0000 +8 KiB, 0xfffe2000 +64 KiB\n");
	expect_in(out, "  IOVA reserved: 128 KiB\n");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "map --client 04:00.0 --max-seg 1M host:8K host:64K"), 0);
	expect_in(out, "  DMA list, 1 entry: 0xfffe0000 +72 KiB\n");
	free(out);
	free(err);
}

static void test_map_json(void **state)
{
	char *out = NULL, *err = NULL;
	json_object *o;

	(void)state;
	assert_int_equal(run(&out, &err,
			     "map --json --client 04:00.0 --client 41:00.1 p2p:03:00.0:64K host:8K p2p:41:00.0:4K"),
			 1);
	o = json_tokener_parse(out);
	assert_non_null(o);
	expect_str(o, "segments.0.memory", "p2pmem");
	expect_str(o, "segments.0.provider", "0000:03:00.0");
	expect_str(o, "segments.1.memory", "host");
	expect_str(o, "segments.2.cpu_phys", "0x400000200000");
	expect_str(o, "segments.2.bus", "0x200000");
	/* 04:00.0: the CMB across host bridges is refused on segment 2. */
	expect_str(o, "clients.0.client", "0000:04:00.0");
	expect_str(o, "clients.0.dma_mode", "iommu");
	expect_int(o, "clients.0.iommu_group", 11);
	assert_false(json_object_get_boolean(get(o, "clients.0.mapped")));
	expect_str(o, "clients.0.error.errno", "EREMOTEIO");
	expect_int(o, "clients.0.error.segment", 2);
	expect_str(o, "clients.0.segments.0.map_type", "BUS_ADDR");
	expect_str(o, "clients.0.segments.2.map_type", "NOT_SUPPORTED");
	assert_null(get(o, "clients.0.segments.0.dma_address"));
	assert_int_equal(json_object_array_length(get(o, "clients.0.dma_list")), 0);
	/* 41:00.1: the NVMe on pci0000:00 is refused on segment 0. */
	expect_int(o, "clients.1.error.segment", 0);
	assert_null(get(o, "clients.1.segments.2.map_type"));
	json_object_put(o);
	free(out);
	free(err);

	assert_int_equal(run(&out, &err, "map --json --client 04:00.0 p2p:03:00.0:64K host:8K"), 0);
	o = json_tokener_parse(out);
	assert_non_null(o);
	assert_true(json_object_get_boolean(get(o, "clients.0.mapped")));
	expect_str(o, "clients.0.segments.0.how", "bus_address");
	expect_str(o, "clients.0.segments.0.dma_address", "0x380000000000");
	expect_str(o, "clients.0.segments.1.how", "iova");
	expect_str(o, "clients.0.segments.1.dma_address", "0xffffe000");
	assert_true(json_object_get_boolean(get(o, "clients.0.dma_list.0.bus_address")));
	expect_int(o, "clients.0.dma_list.1.length", 8192);
	expect_int(o, "clients.0.iova_reserved", 8192);
	json_object_put(o);
	free(out);
	free(err);
}

static void test_map_errors(void **state)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{ "map p2p:03:00.0:4K", "map needs at least one --client" },
		{ "map --client 04:00.0", "map needs at least one segment" },
		{ "map --client 04:00.0 disk:4K", "segment 'disk:4K': expected p2p:PROVIDER:SIZE or host:SIZE" },
		{ "map --client 04:00.0 p2p:04:00.0:4K", "0000:04:00.0 has no p2pmem (it is not a provider)" },
		{ "map --client 04:00.0 host:0", "the size must be more than 0" },
		{ "map --client nic0 host:4K", "'nic0' is not a PCI address" },
		{ "map --client 06:00.0 host:4K", "no PCI function 0000:06:00.0 in this machine" },
		{ "map --client 04:00.0 --max-seg 0 host:4K", "--max-seg: '0' is not a size above 0" },
	};
	char *out = NULL, *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run(&out, &err, cases[i].args), 2);
		expect_in(err, cases[i].msg);
		free(out);
		free(err);
	}
	/* A pool too small for the buffer is a "no" (1), as in alloc. */
	assert_int_equal(run(&out, &err, "map --client 04:00.0 p2p:03:00.0:64M"), 1);
	expect_in(err, "is larger than its p2pmem pool (32 MiB)");
	free(out);
	free(err);
	/* A blocked IOMMU group refuses the client: that is an answer (1). */
	assert_int_equal(run(&out, &err, "map --client 00:02.0 host:4K"), 1);
	expect_in(out, "IOMMU group 5 (blocked): no DMA\n");
	expect_in(out, "refused (EIO): 0000:00:02.0: IOMMU group 5 is blocked");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "map --help"), 0);
	expect_in(out, "Usage: p2pdma [-i SRC] map");
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_text),
		cmocka_unit_test(test_alloc_json),
		cmocka_unit_test(test_alloc_errors),
		cmocka_unit_test(test_map_text),
		cmocka_unit_test(test_map_max_seg),
		cmocka_unit_test(test_map_by_release),
		cmocka_unit_test(test_map_dma_mask),
		cmocka_unit_test(test_map_json),
		cmocka_unit_test(test_map_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
