// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysfs attribute parsers against the formats the kernel writes
 * (pci-sysfs.c: "0x%04x\n" ids, "0x%06x\n" class, "%d\n" numa_node,
 * "0x%016llx 0x%016llx 0x%016llx\n" resource lines, "%s\n" link speeds
 * "8.0 GT/s PCIe" / "8 GT/s" / "Unknown"), and against what is not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "sysfs_attr.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_hex(void **state)
{
	struct p2pdma_error e = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10de\n"), 0xffff, &v, &e), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x060400\n"), 0xffffff, &v, &e), 0);
	assert_int_equal(v, 0x060400);
	/* No newline (a hand-made capture) is fine too. */
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0xABcd"), 0xffff, &v, &e), 0);
	assert_int_equal(v, 0xabcd);

	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10000\n"), 0xffff, &v, &e), -ERANGE);
	assert_non_null(strstr(e.reason, "out of range"));
	assert_int_equal(p2pdma_sysfs_parse_hex(S("10de\n"), 0xffff, &v, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "'10de\\x0a'"));
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x\n"), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S(""), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10de\n\n"), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S(" 0x10de"), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10dg"), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10\0de"), 0xffff, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0x10000000000000000"), UINT64_MAX, &v, &e),
			 -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_hex(S("0xffffffffffffffff"), UINT64_MAX, &v, &e), 0);
	assert_true(v == UINT64_MAX);
}

static void test_dec(void **state)
{
	struct p2pdma_error e = { 0 };
	int64_t v;

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_dec(S("-1\n"), -1, 1024, &v, &e), 0);
	assert_int_equal(v, -1);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("24\n"), 0, 255, &v, &e), 0);
	assert_int_equal(v, 24);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("0"), 0, 255, &v, &e), 0);
	assert_int_equal(v, 0);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("256\n"), 0, 255, &v, &e), -ERANGE);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("-2\n"), -1, 255, &v, &e), -ERANGE);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("-\n"), -1, 255, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("+1\n"), -1, 255, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("0x18\n"), 0, 255, &v, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("1 2\n"), 0, 255, &v, &e), -EINVAL);
	/* Huge numbers saturate into a range error, never wrap into range. */
	assert_int_equal(p2pdma_sysfs_parse_dec(S("18446744073709551617"), 0, 255, &v, &e),
			 -ERANGE);
	assert_int_equal(p2pdma_sysfs_parse_dec(S("-99999999999999999999999"), -1, 255, &v, &e),
			 -ERANGE);
	/* A p2pmem pool of 256 GiB. */
	assert_int_equal(p2pdma_sysfs_parse_dec(S("274877906944\n"), 0, INT64_MAX, &v, &e), 0);
	assert_int_equal(v, 274877906944LL);
}

static void test_bool_speed_line(void **state)
{
	struct p2pdma_error e = { 0 };
	uint32_t mts;
	char *s;
	bool b;

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_bool(S("1\n"), &b, &e), 0);
	assert_true(b);
	assert_int_equal(p2pdma_sysfs_parse_bool(S("0\n"), &b, &e), 0);
	assert_false(b);
	assert_int_equal(p2pdma_sysfs_parse_bool(S("2\n"), &b, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_bool(S("yes\n"), &b, &e), -EINVAL);

	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("8.0 GT/s PCIe\n"), &mts, &e), 0);
	assert_int_equal(mts, 8000);
	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("8 GT/s\n"), &mts, &e), 0);
	assert_int_equal(mts, 8000);
	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("2.5 GT/s\n"), &mts, &e), 0);
	assert_int_equal(mts, 2500);
	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("Unknown speed\n"), &mts, &e), 0);
	assert_int_equal(mts, 0);
	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("fast\n"), &mts, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_link_speed(S("8.0 GT/s\nPCIe"), &mts, &e), -EINVAL);

	assert_int_equal(p2pdma_sysfs_parse_line(S("DMA-FQ\n"), false, &s, &e), 0);
	assert_string_equal(s, "DMA-FQ");
	free(s);
	assert_int_equal(p2pdma_sysfs_parse_line(S("\n"), true, &s, &e), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(p2pdma_sysfs_parse_line(S("\n"), false, &s, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_line(S("a\nb\n"), true, &s, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_line(S("a\tb"), true, &s, &e), -EINVAL);
}

#define NOBAR "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"

static void test_resource(void **state)
{
	/* A ConnectX-4 as sysfs shows it: 64-bit prefetchable BAR 0, ROM, rest unused. */
	static const char mlx[] =
		"0x0000039f000000000 0x0000039f001ffffff 0x000000000014220c\n";
	static const char good[] =
		"0x000039f000000000 0x000039f001ffffff 0x000000000014220c\n"
		NOBAR NOBAR NOBAR
		"0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
		NOBAR
		"0x00000000c5d00000 0x00000000c5dfffff 0x0000000000046200\n";
	struct p2pdma_bar bars[P2PDMA_NUM_BARS];
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_resource(S(good), bars, &e), 0);
	assert_true(bars[0].start == 0x39f000000000ULL);
	assert_true(bars[0].size == 0x2000000);
	assert_int_equal(bars[0].flags, P2PDMA_BAR_MEM | P2PDMA_BAR_PREFETCH | P2PDMA_BAR_64);
	assert_int_equal(bars[1].size, 0);
	assert_int_equal(bars[4].start, 0xe000);
	assert_int_equal(bars[4].size, 0x80);
	assert_int_equal(bars[4].flags, P2PDMA_BAR_IO);
	assert_int_equal(bars[5].size, 0);

	/* 17 hex digits: not the kernel's format. */
	assert_int_equal(p2pdma_sysfs_parse_resource(S(mlx), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 1"));

	/* Absurd BARs, each named by line. */
	assert_int_equal(p2pdma_sysfs_parse_resource(S(
		NOBAR "0x0000000000002000 0x0000000000001fff 0x0000000000040200\n"
		NOBAR NOBAR NOBAR NOBAR NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 2: BAR 1 ends at 0x1fff, below its start 0x2000"));
	assert_int_equal(p2pdma_sysfs_parse_resource(S(
		NOBAR NOBAR "0x00000000c0000000 0x00000000c00fefff 0x0000000000040200\n"
		NOBAR NOBAR NOBAR NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 3: BAR 2 size 0xff000 is not a power of two"));
	assert_int_equal(p2pdma_sysfs_parse_resource(S(
		"0x0000000000000000 0xffffffffffffffff 0x0000000000040200\n"
		NOBAR NOBAR NOBAR NOBAR NOBAR NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "wraps"));
	assert_int_equal(p2pdma_sysfs_parse_resource(S(
		"0x0000000000001000 0x0000000000001fff 0x0000000000000300\n"
		NOBAR NOBAR NOBAR NOBAR NOBAR NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "both I/O and memory"));
	/* Too few lines, garbage, a bridge window below its start. */
	assert_int_equal(p2pdma_sysfs_parse_resource(S(NOBAR NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "2 lines"));
	assert_int_equal(p2pdma_sysfs_parse_resource(S(""), bars, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_resource(S(NOBAR NOBAR NOBAR NOBAR NOBAR
		"0x0 0x0\n" NOBAR), bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 6"));
	assert_int_equal(p2pdma_sysfs_parse_resource(S(NOBAR NOBAR NOBAR NOBAR NOBAR NOBAR
		NOBAR "0x0000000000002000 0x0000000000001000 0x0000000000000200\n"),
		bars, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 8"));
	/* Windows need not be powers of two (bridge windows are 1 MiB granular). */
	assert_int_equal(p2pdma_sysfs_parse_resource(S(NOBAR NOBAR NOBAR NOBAR NOBAR NOBAR
		NOBAR "0x00000000c0000000 0x00000000c02fffff 0x0000000000000200\n"),
		bars, &e), 0);
}

static void test_cpuinfo(void **state)
{
	static const char amd[] =
		"processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
		"model\t\t: 1\nmodel name\t: AMD EPYC 7763 64-Core Processor\n\n"
		"processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n";
	/* arm64 kernels print other fields: no vendor_id. */
	static const char arm[] =
		"processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n"
		"CPU architecture: 8\nCPU part\t: 0xd0c\n\n";
	struct p2pdma_error e = { 0 };
	struct p2pdma_cpu cpu;

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S(amd), &cpu, &e), 0);
	assert_true(cpu.known);
	assert_string_equal(cpu.vendor, "AuthenticAMD");
	assert_int_equal(cpu.family, 25);
	assert_int_equal(cpu.model, 1);
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S(arm), &cpu, &e), 0);
	assert_false(cpu.known);
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S(""), &cpu, &e), 0);
	assert_false(cpu.known);
	/* Only the first processor counts: a second block cannot complete it. */
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S("vendor_id : X\n\ncpu family : 6\nmodel : 1\n"),
						     &cpu, &e), 0);
	assert_false(cpu.known);
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S("processor : 0\nvendor_id : GenuineIntel\n"
						      "cpu family : six\nmodel : 85\n"), &cpu, &e),
			 -EINVAL);
	assert_non_null(strstr(e.reason, "line 3: cpu family 'six'"));
	assert_false(cpu.known);
	assert_int_equal(p2pdma_sysfs_parse_cpuinfo(S("vendor_id : A very long vendor\n"), &cpu, &e),
			 -EINVAL);
	assert_non_null(strstr(e.reason, "line 1"));
}

static void test_iomem(void **state)
{
	/* The shape of a real /proc/iomem (an x86 server read as root). */
	static const char root[] =
		"00000000-00000fff : Reserved\n"
		"00001000-0009ffff : System RAM\n"
		"000a0000-000fffff : Reserved\n"
		"  000f0000-000fffff : System ROM\n"
		"00100000-6bb5efff : System RAM\n"
		"  2a000000-2b002466 : Kernel code\n"
		"80000000-8fffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"
		"100000000-407fffffff : System RAM\n"
		"3800000000000-38007ffffffff : PCI Bus 0000:00\n"
		"  3800000000000-3800000ffffff : 0000:00:02.0\n";
	/* The same read without root: every address 0. */
	static const char user[] =
		"00000000-00000000 : Reserved\n"
		"00000000-00000000 : System RAM\n"
		"  00000000-00000000 : Kernel code\n"
		"00000000-00000000 : System RAM\n";
	struct p2pdma_error e = { 0 };
	struct p2pdma_ram_range *ram;
	bool hidden;
	size_t nr;

	(void)state;
	assert_int_equal(p2pdma_sysfs_parse_iomem(S(root), &ram, &nr, &hidden, &e), 0);
	assert_false(hidden);
	assert_int_equal(nr, 3);
	assert_int_equal(ram[0].start, 0x1000);
	assert_int_equal(ram[0].size, 0x9f000);
	assert_int_equal(ram[1].start, 0x100000);
	assert_int_equal(ram[1].size, 0x6bb5f000 - 0x100000);
	assert_int_equal(ram[2].start, 0x100000000);
	assert_int_equal(ram[2].size, 0x3f80000000);
	assert_int_equal(ram[2].numa_node, -1);
	free(ram);
	assert_int_equal(p2pdma_sysfs_parse_iomem(S(user), &ram, &nr, &hidden, &e), 0);
	assert_true(hidden);
	assert_int_equal(nr, 0);
	assert_null(ram);
	assert_int_equal(p2pdma_sysfs_parse_iomem(S(""), &ram, &nr, &hidden, &e), 0);
	assert_false(hidden);
	assert_int_equal(nr, 0);
	/* Malformed lines, each named by its number. */
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("00001000-0009ffff : System RAM\n"
						    "00100000-0fffffff System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 2: "));
	assert_null(ram);
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("0009ffff-00001000 : System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 1: "));
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("\n   00001000-0009ffff : System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "line 2: "));
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("00001000-0009fffg : System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("10000000000000000-1ffffffffffffffff : System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_parse_iomem(S("00001000-0009ffff :System RAM\n"),
						  &ram, &nr, &hidden, &e), -EINVAL);
}

static void test_names(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_bdf b;
	uint32_t dom;
	uint8_t bus;
	char out[64];

	(void)state;
	assert_true(p2pdma_sysfs_parse_fn_name("0000:17:00.0", &b));
	assert_int_equal(b.bus, 0x17);
	assert_true(p2pdma_sysfs_parse_fn_name("10000:00:04.0", &b));
	assert_int_equal(b.domain, 0x10000);
	assert_int_equal(b.dev, 4);
	assert_true(p2pdma_sysfs_parse_fn_name("0000:3c:1f.7", &b));
	assert_int_equal(b.fn, 7);
	assert_false(p2pdma_sysfs_parse_fn_name("00:17:00.0", &b));	/* short domain */
	assert_false(p2pdma_sysfs_parse_fn_name("0000:17:20.0", &b));	/* dev > 0x1f */
	assert_false(p2pdma_sysfs_parse_fn_name("0000:17:00.8", &b));
	assert_false(p2pdma_sysfs_parse_fn_name("0000:17:00.0:pcie001", &b));
	assert_false(p2pdma_sysfs_parse_fn_name("123456789:00:00.0", &b));

	assert_true(p2pdma_sysfs_parse_hb_name("pci0000:3a", &dom, &bus));
	assert_int_equal(bus, 0x3a);
	assert_true(p2pdma_sysfs_parse_hb_name("pci10000:00", &dom, &bus));
	assert_int_equal(dom, 0x10000);
	assert_false(p2pdma_sysfs_parse_hb_name("pci0000:3a:00", &dom, &bus));
	assert_false(p2pdma_sysfs_parse_hb_name("pci_bus", &dom, &bus));
	assert_false(p2pdma_sysfs_parse_hb_name("0000:3a", &dom, &bus));

	assert_int_equal(p2pdma_sysfs_link_basename(S("../../../bus/pci/drivers/nvme"),
						    out, sizeof(out), &e), 0);
	assert_string_equal(out, "nvme");
	assert_int_equal(p2pdma_sysfs_link_basename(S("../../../kernel/iommu_groups/12/"),
						    out, sizeof(out), &e), 0);
	assert_string_equal(out, "12");
	assert_int_equal(p2pdma_sysfs_link_basename(S("mlx5_core"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "mlx5_core");
	assert_int_equal(p2pdma_sysfs_link_basename(S("../.."), out, sizeof(out), &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_link_basename(S("/"), out, sizeof(out), &e), -EINVAL);
	assert_int_equal(p2pdma_sysfs_link_basename(S("a/b\x01"), out, sizeof(out), &e), -EINVAL);
}

/* Random bytes never crash a parser, and what passes has the kernel's shape. */
static void test_random_bytes(void **state)
{
	uint64_t s = tu_seed();
	struct p2pdma_error e = { 0 };
	struct p2pdma_bar bars[P2PDMA_NUM_BARS];
	struct p2pdma_cpu cpu;
	char buf[256];
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		size_t len = tu_rand(&s) % sizeof(buf), i;
		struct p2pdma_ram_range *ram;
		uint64_t v;
		int64_t d;
		char *line;
		bool hidden;
		size_t nr;

		for (i = 0; i < len; i++) {
			/* Mostly characters that occur in sysfs text. */
			static const char alpha[] = "0123456789abcdefx -\n:.GT/sPCIe";
			uint64_t r = tu_rand(&s);

			buf[i] = r & 1 ? alpha[(r >> 1) % (sizeof(alpha) - 1)] : (char)(r >> 8);
		}
		if (!p2pdma_sysfs_parse_hex(buf, len, 0xffff, &v, &e))
			assert_true(v <= 0xffff && len >= 3 && buf[0] == '0' && buf[1] == 'x');
		if (!p2pdma_sysfs_parse_dec(buf, len, -1, 255, &d, &e))
			assert_true(d >= -1 && d <= 255);
		if (!p2pdma_sysfs_parse_resource(buf, len, bars, &e))
			for (i = 0; i < P2PDMA_NUM_BARS; i++)
				assert_true(!bars[i].size || !(bars[i].size & (bars[i].size - 1)));
		/* Known only with all three fields there; an error names its line. */
		if (!p2pdma_sysfs_parse_cpuinfo(buf, len, &cpu, &e)) {
			if (cpu.known) {
				assert_non_null(memchr(cpu.vendor, '\0', sizeof(cpu.vendor)));
				assert_non_null(memmem(buf, len, "vendor_id", 9));
				assert_non_null(memmem(buf, len, "cpu family", 10));
			}
		} else if (strncmp(e.reason, "line ", 5) || e.reason[5] < '1' || e.reason[5] > '9') {
			fail_msg("seed %llu: cpuinfo error names no line: %s",
				 (unsigned long long)tu_seed(), e.reason);
		}
		if (!p2pdma_sysfs_parse_iomem(buf, len, &ram, &nr, &hidden, &e)) {
			for (i = 0; i < nr; i++)
				assert_true(ram[i].size && ram[i].start + (ram[i].size - 1) >= ram[i].start);
			free(ram);
		}
		if (!p2pdma_sysfs_parse_line(buf, len, true, &line, &e)) {
			assert_null(strchr(line, '\n'));
			free(line);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_dec),
		cmocka_unit_test(test_bool_speed_line),
		cmocka_unit_test(test_resource),
		cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_iomem),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
