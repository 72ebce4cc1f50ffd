// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fabric model itself: addresses, text forms, building and checking
 * a tree by hand, role inference, edits and the generation counter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util.h"

static void test_bdf_parse(void **state)
{
	struct p2pdma_bdf b;
	char buf[P2PDMA_BDF_STRLEN];

	(void)state;
	assert_int_equal(p2pdma_bdf_parse("0000:17:00.0", &b), 0);
	assert_int_equal(b.domain, 0);
	assert_int_equal(b.bus, 0x17);
	assert_string_equal(p2pdma_bdf_format(&b, buf, sizeof(buf)), "0000:17:00.0");

	/* Domain omitted means 0, as lspci prints without -D. */
	assert_int_equal(p2pdma_bdf_parse("1a:1f.7", &b), 0);
	assert_int_equal(b.domain, 0);
	assert_int_equal(b.bus, 0x1a);
	assert_int_equal(b.dev, 0x1f);
	assert_int_equal(b.fn, 7);

	/* Domains wider than 16 bits (hwloc's pcidomain32bits capture). */
	assert_int_equal(p2pdma_bdf_parse("10000:00:04.0", &b), 0);
	assert_int_equal(b.domain, 0x10000);
	assert_string_equal(p2pdma_bdf_format(&b, buf, sizeof(buf)), "10000:00:04.0");

	assert_int_equal(p2pdma_bdf_parse("ABCD:EF:1F.7", &b), 0);
	assert_int_equal(b.domain, 0xabcd);

	/* Refused: device > 0x1f, function > 7, junk, empty fields, extra colon. */
	assert_int_not_equal(p2pdma_bdf_parse("00:20.0", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("00:1f.8", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("00:1f", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("0000:100:00.0", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse(":00:00.0", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("0:0:0:00.0", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("00:00.0 ", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("g0:00.0", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("", &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse(NULL, &b), 0);
	assert_int_not_equal(p2pdma_bdf_parse("123456789:00:00.0", &b), 0);
}

/*
 * p2pdma_bdf_format() writes by hand what printf's "%04x:%02x:%02x.%x"
 * writes, cut as snprintf() cuts: printf is the reference, on random and
 * extreme values of every field and every buffer length.
 */
static void test_bdf_format_is_printf(void **state)
{
	static const uint32_t edge[] = { 0, 1, 0xf, 0x10, 0xfff, 0x1000, 0xffff, 0x10000,
					 0xfffffff, 0x10000000, 0xffffffff };
	uint64_t rs = tu_seed();
	char want[64], got[64];
	struct p2pdma_bdf b;
	size_t i, len;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint64_t r = tu_rand(&rs);

		b.domain = i < 11 ? edge[i] : (uint32_t)(r >> (r & 31));
		b.bus = (uint8_t)(r >> 8);
		b.dev = (uint8_t)(r >> 16);	/* all 256 values, not only 0..31 */
		b.fn = (uint8_t)(r >> 24);
		len = (size_t)(r >> 40) % 20;
		memset(got, 'x', sizeof(got));
		snprintf(want, len ? len : 1, "%04x:%02x:%02x.%x", b.domain, b.bus, b.dev, b.fn);
		assert_ptr_equal(p2pdma_bdf_format(&b, got, len), got);
		if (!len)
			assert_int_equal(got[0], 'x');	/* nothing written */
		else
			assert_string_equal(got, want);
		assert_int_equal(got[len], 'x');	/* nothing past @len */
		p2pdma_bdf_format(&b, got, sizeof(got));
		snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", b.domain, b.bus, b.dev, b.fn);
		assert_string_equal(got, want);
	}
}

/*
 * The text buffer (util.c) formats in place when the text fits and grows
 * first when it does not: pieces of every length, at every fill of the
 * buffer, give what one snprintf() of the whole gives.
 */
static void test_text_buffer(void **state)
{
	static const char pad[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	uint64_t rs = tu_seed();
	int round;

	(void)state;
	for (round = 0; round < 200; round++) {
		struct p2pdma_buf b = { 0 };
		char want[8192] = "", *got = NULL;
		size_t at = 0;

		while (at < 4000) {
			int n = (int)(tu_rand(&rs) % 41);

			if (tu_rand(&rs) & 1) {
				p2pdma_buf_printf(&b, "%.*s|%d", n, pad, n);
				at += (size_t)snprintf(want + at, sizeof(want) - at, "%.*s|%d", n, pad, n);
			} else {
				char piece[64];

				snprintf(piece, sizeof(piece), "%.*s", n, pad);
				p2pdma_buf_puts(&b, piece);
				at += (size_t)snprintf(want + at, sizeof(want) - at, "%s", piece);
			}
			assert_int_equal(b.len, at);
			assert_true(b.cap > b.len);
			assert_int_equal(b.s[b.len], '\0');
		}
		assert_int_equal(p2pdma_buf_finish(&b, &got), 0);
		assert_string_equal(got, want);
		free(got);
	}
}

static void test_link_speed(void **state)
{
	uint32_t m;
	char buf[32];

	(void)state;
	/* The forms sysfs has used over the years. */
	assert_int_equal(p2pdma_link_speed_parse("2.5 GT/s", &m), 0);
	assert_int_equal(m, 2500);
	assert_int_equal(p2pdma_link_speed_parse("8.0 GT/s PCIe", &m), 0);
	assert_int_equal(m, 8000);
	assert_int_equal(p2pdma_link_speed_parse("8 GT/s", &m), 0);
	assert_int_equal(m, 8000);
	assert_int_equal(p2pdma_link_speed_parse("16.0 GT/s PCIe", &m), 0);
	assert_int_equal(m, 16000);
	assert_int_equal(p2pdma_link_speed_parse("Unknown", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(p2pdma_link_speed_parse("Unknown speed", &m), 0);
	assert_int_equal(m, 0);
	assert_int_not_equal(p2pdma_link_speed_parse("fast", &m), 0);
	assert_int_not_equal(p2pdma_link_speed_parse("8.0 Gb/s", &m), 0);
	assert_string_equal(p2pdma_link_speed_format(2500, buf, sizeof(buf)), "2.5 GT/s");
	assert_string_equal(p2pdma_link_speed_format(32000, buf, sizeof(buf)), "32.0 GT/s");
	assert_string_equal(p2pdma_link_speed_format(0, buf, sizeof(buf)), "unknown");
}

static void test_acs_format(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(p2pdma_acs_flags_format(0, buf, sizeof(buf)), "off");
	assert_string_equal(p2pdma_acs_flags_format(0x0c, buf, sizeof(buf)), "RR CR");
	/* 0x1f: the Haswell-E root port in pciutils' cap-aer-root test. */
	assert_string_equal(p2pdma_acs_flags_format(0x1f, buf, sizeof(buf)),
			    "SV TB RR CR UF");
	assert_string_equal(p2pdma_acs_flags_format(0x7f, buf, sizeof(buf)),
			    "SV TB RR CR UF EC DT");
}

static void test_roles(void **state)
{
	enum p2pdma_role r;

	(void)state;
	assert_int_equal(p2pdma_role_parse("switch_downstream", &r), 0);
	assert_int_equal(r, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_string_equal(p2pdma_role_name(P2PDMA_ROLE_ROOT_PORT), "root_port");
	assert_int_not_equal(p2pdma_role_parse("switch", &r), 0);
	assert_false(p2pdma_role_is_bridge(P2PDMA_ROLE_ENDPOINT));
	assert_true(p2pdma_role_is_bridge(P2PDMA_ROLE_PCI_BRIDGE));
}

static struct p2pdma_function *add(struct p2pdma_fabric *f,
				   struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, const char *bdf,
				   enum p2pdma_role role, int sec, int sub)
{
	struct p2pdma_function t, *out = NULL;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	assert_int_equal(p2pdma_bdf_parse(bdf, &t.bdf), 0);
	t.role = role;
	t.secondary_bus = sec;
	t.subordinate_bus = sub;
	assert_int_equal(p2pdma_fabric_add_function(f, hb, parent, &t, &out, &e), 0);
	return out;
}

/*
 * Root port -> bridge -> {bridge -> NIC, bridge -> GPU}, plus a bridge on
 * the root port of its own with only an endpoint under it (a PCIe-to-PCI
 * bridge such as the ASPEED one in front of a BMC's VGA).  No Express
 * capability is known, so every kind must come from position.
 */
static void test_role_inference(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp, *usp, *dsp1, *dsp2, *nic, *gpu, *rp2, *pb, *vga;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0x17, &hb, &e), 0);
	assert_string_equal(hb->name, "pci0000:17");
	rp = add(f, hb, NULL, "17:00.0", P2PDMA_ROLE_BRIDGE, 0x18, 0x1e);
	usp = add(f, hb, rp, "18:00.0", P2PDMA_ROLE_BRIDGE, 0x19, 0x1e);
	dsp2 = add(f, hb, usp, "19:08.0", P2PDMA_ROLE_BRIDGE, 0x1b, 0x1b);
	dsp1 = add(f, hb, usp, "19:04.0", P2PDMA_ROLE_BRIDGE, 0x1a, 0x1a);
	gpu = add(f, hb, dsp2, "1b:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	nic = add(f, hb, dsp1, "1a:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	rp2 = add(f, hb, NULL, "17:02.0", P2PDMA_ROLE_BRIDGE, 0x30, 0x31);
	pb = add(f, hb, rp2, "30:00.0", P2PDMA_ROLE_BRIDGE, 0x31, 0x31);
	vga = add(f, hb, pb, "31:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);

	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	assert_int_equal(rp->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(usp->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	assert_int_equal(dsp1->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(dsp2->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(pb->role, P2PDMA_ROLE_PCI_BRIDGE);
	assert_int_equal(rp2->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(gpu->depth, 3);
	assert_int_equal(vga->depth, 2);

	/* Children sorted by BDF whatever the order of adding. */
	assert_int_equal(usp->nr_children, 2);
	assert_ptr_equal(usp->children[0], dsp1);
	assert_ptr_equal(usp->children[1], dsp2);
	assert_int_equal(hb->nr_children, 2);
	assert_ptr_equal(hb->children[0], rp);
	assert_ptr_equal(hb->children[1], rp2);

	/* Look-ups. */
	{
		struct p2pdma_function *got = NULL;

		assert_int_equal(p2pdma_fabric_lookup(f, "0000:1a:00.0", &got, &e), 0);
		assert_ptr_equal(got, nic);
		assert_int_equal(p2pdma_fabric_lookup(f, "1a:00.1", &got, &e), -ENOENT);
		assert_non_null(strstr(e.reason, "0000:1a:00.1"));
		assert_int_equal(p2pdma_fabric_lookup(f, "nic0", &got, &e), -EINVAL);
	}
	assert_ptr_equal(p2pdma_upstream_bridge(nic), dsp1);
	assert_null(p2pdma_upstream_bridge(rp));
	assert_int_equal(f->nr_acs_unknown, 9);
	p2pdma_fabric_free(f);
}

/* An Express capability overrides the position-based guess. */
static void test_role_from_pcie_type(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp, *b;
	struct p2pdma_error e = { 0 };

	(void)state;
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e), 0);
	rp = add(f, hb, NULL, "00:01.0", P2PDMA_ROLE_BRIDGE, 1, 2);
	b = add(f, hb, rp, "01:00.0", P2PDMA_ROLE_BRIDGE, 2, 2);
	b->pcie_type = 7;	/* PCIe-to-PCI bridge */
	add(f, hb, b, "02:00.0", P2PDMA_ROLE_BRIDGE, -1, -1)->pcie_type = -1;
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	assert_int_equal(b->role, P2PDMA_ROLE_PCI_BRIDGE);
	p2pdma_fabric_free(f);
}

static void expect_finalize_error(struct p2pdma_fabric *f, int err, const char *needle)
{
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_finalize(f, &e), err);
	if (!strstr(e.reason, needle))
		fail_msg("reason '%s' does not mention '%s'", e.reason, needle);
	p2pdma_fabric_free(f);
}

static void test_bad_trees(void **state)
{
	struct p2pdma_fabric *f;
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *p, *ep;
	struct p2pdma_error e = { 0 };

	(void)state;
	/* A function under an endpoint. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	ep = add(f, hb, NULL, "00:02.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	add(f, hb, ep, "01:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	expect_finalize_error(f, -EINVAL, "parent 0000:00:02.0 is not a bridge");

	/* A child outside its bridge's bus range. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	p = add(f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 1);
	add(f, hb, p, "05:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	expect_finalize_error(f, -EINVAL, "outside the range [01-01]");

	/* Twice the same address. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	add(f, hb, NULL, "00:01.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	add(f, hb, NULL, "00:01.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	expect_finalize_error(f, -EEXIST, "0000:00:01.0 is described twice");

	/* Root-bus function with another bus number. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0x80, &hb, &e);
	add(f, hb, NULL, "81:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	expect_finalize_error(f, -EINVAL, "root bus 80");

	/* A BAR that wraps around. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	ep = add(f, hb, NULL, "00:03.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	ep->bars[2].start = 0xfffffffffff00000ULL;
	ep->bars[2].size = 0x200000;
	ep->bars[2].flags = P2PDMA_BAR_MEM;
	expect_finalize_error(f, -EINVAL, "BAR 2");

	/* A VF whose PF is itself a VF. */
	f = p2pdma_fabric_new();
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	p = add(f, hb, NULL, "00:04.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	ep = add(f, hb, NULL, "00:04.1", P2PDMA_ROLE_ENDPOINT, -1, -1);
	ep->physfn = p;
	add(f, hb, NULL, "00:04.2", P2PDMA_ROLE_ENDPOINT, -1, -1)->physfn = ep;
	expect_finalize_error(f, -EINVAL, "0000:00:04.2: its PF is itself a VF");

	/* The same host bridge twice. */
	f = p2pdma_fabric_new();
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 1, 0, NULL, &e), 0);
	assert_int_equal(p2pdma_fabric_add_host_bridge(f, "x", 1, 0, NULL, &e), -EEXIST);
	p2pdma_fabric_free(f);
}

static void test_edits_bump_generation(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp, *ep;
	struct p2pdma_error e = { 0 };
	struct p2pdma_cpu cpu = { .known = true, .vendor = "AuthenticAMD", .family = 0x19 };
	uint64_t g;

	(void)state;
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	rp = add(f, hb, NULL, "00:01.0", P2PDMA_ROLE_ROOT_PORT, 1, 1);
	rp->acs_state = P2PDMA_ACS_PRESENT;
	rp->acs_cap = 0x5f;
	rp->acs_ctrl = 0x1d;
	ep = add(f, hb, rp, "01:00.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	ep->acs_state = P2PDMA_ACS_ABSENT;
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	assert_int_equal(f->nr_acs_unknown, 0);

	g = f->generation;
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(f, rp, 0x11, &e), 0);
	assert_true(f->generation > g);
	g = f->generation;
	/* No change, no new generation. */
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(f, rp, 0x11, &e), 0);
	assert_int_equal(f->generation, g);
	assert_int_equal(p2pdma_fabric_set_acs_ctrl(f, ep, 0, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "no ACS capability"));
	p2pdma_fabric_set_cpu(f, &cpu);
	assert_true(f->generation > g);
	assert_int_equal(f->cpu.family, 0x19);
	p2pdma_fabric_free(f);
}

/* Bus addresses use the host bridge offset, also when it is "negative". */
static void test_bus_offset(void **state)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *ep;
	struct p2pdma_error e = { 0 };

	(void)state;
	p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e);
	ep = add(f, hb, NULL, "00:05.0", P2PDMA_ROLE_ENDPOINT, -1, -1);
	assert_int_equal(p2pdma_fabric_finalize(f, &e), 0);
	hb->bus_offset = 0x1000000000ULL;
	assert_true(p2pdma_function_bus_addr(ep, 0x80000000ULL) == 0x1080000000ULL);
	hb->bus_offset = (uint64_t)-0x40000000LL;
	assert_true(p2pdma_function_bus_addr(ep, 0x80000000ULL) == 0x40000000ULL);
	p2pdma_fabric_free(f);
}

static void test_names_from_pci_ids(void **state)
{
	char buf[256];

	(void)state;
	/* pci.ids is the independent source: these entries have been stable for decades. */
	assert_string_equal(p2pdma_name_vendor(0x8086, buf, sizeof(buf)), "Intel Corporation");
	assert_string_equal(p2pdma_name_vendor(0x15b3, buf, sizeof(buf)), "Mellanox Technologies");
	assert_string_equal(p2pdma_name_device(0x15b3, 0x1013, buf, sizeof(buf)),
			    "MT27700 Family [ConnectX-4]");
	assert_string_equal(p2pdma_name_class(0x010802, buf, sizeof(buf)),
			    "Non-Volatile memory controller");
	/* Unknown IDs give an empty string, never a made-up name. */
	assert_string_equal(p2pdma_name_device(0x8086, 0xfffe, buf, sizeof(buf)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_parse),
		cmocka_unit_test(test_bdf_format_is_printf),
		cmocka_unit_test(test_text_buffer),
		cmocka_unit_test(test_link_speed),
		cmocka_unit_test(test_acs_format),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_role_inference),
		cmocka_unit_test(test_role_from_pcie_type),
		cmocka_unit_test(test_bad_trees),
		cmocka_unit_test(test_edits_bump_generation),
		cmocka_unit_test(test_bus_offset),
		cmocka_unit_test(test_names_from_pci_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
