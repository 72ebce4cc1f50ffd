// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Verdicts by kernel release, hand-worked from KERNEL-FACTS.md 11.1: each
 * allow-list row just before and at the release that added it (and, for
 * AMD's, the one that dropped it), the AMD Zen CPU rule from 5.9, the
 * root port at any devfn, the release p2pdma answers for when none is
 * known, and the release parser.  The expected values are the table in
 * KERNEL-FACTS, written out here, not read from lib/policy/releases.c.
 *
 * The machine: one host bridge whose first root-bus function has the ID
 * under test (at 00.0, or a root port at 01.0 when @rp_first), two root
 * ports with an NVMe each.  The two NVMes share no upstream bridge, so
 * the host-bridge rule alone decides: THRU_HOST_BRIDGE or NOT_SUPPORTED.
 */
#include <errno.h>

#include "policy_test.h"

#define THRU P2PDMA_MAP_THRU_HOST_BRIDGE
#define NOPE P2PDMA_MAP_NOT_SUPPORTED

static void add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
		struct p2pdma_function *parent, int bus, int dev, uint16_t vendor,
		uint16_t device, enum p2pdma_role role, struct p2pdma_function **out)
{
	struct p2pdma_function t;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	t.bdf.bus = (uint8_t)bus;
	t.bdf.dev = (uint8_t)dev;
	t.vendor = vendor;
	t.device = device;
	t.role = role;
	t.acs_state = P2PDMA_ACS_ABSENT;
	t.class_code = role == P2PDMA_ROLE_ENDPOINT ? 0x010802 : 0x060400;
	t.pcie_type = role == P2PDMA_ROLE_ROOT_PORT ? 4 : 0;
	if (role == P2PDMA_ROLE_ROOT_PORT)
		t.secondary_bus = t.subordinate_bus = dev;
	if (p2pdma_fabric_add_function(f, hb, parent, &t, out, &e))
		fail_msg("add %02x:%02x.0: %s", bus, dev, e.reason);
}

/* The machine above, with kernel release @rel (NULL: unknown) and a CPU. */
static struct p2pdma_fabric *machine(uint16_t vendor, uint16_t device, bool rp_first,
				     const char *cpu_vendor, unsigned int family,
				     const char *rel)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb;
	struct p2pdma_function *rp1, *rp2, *x;
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, &e), 0);
	if (rp_first) {
		add(f, hb, NULL, 0, 1, vendor, device, P2PDMA_ROLE_ROOT_PORT, &rp1);
	} else {
		add(f, hb, NULL, 0, 0, vendor, device, P2PDMA_ROLE_ENDPOINT, &x);
		add(f, hb, NULL, 0, 1, 0x8086, 0x7777, P2PDMA_ROLE_ROOT_PORT, &rp1);
	}
	add(f, hb, NULL, 0, 2, 0x8086, 0x7777, P2PDMA_ROLE_ROOT_PORT, &rp2);
	add(f, hb, rp1, 1, 0, 0x144d, 0xa808, P2PDMA_ROLE_ENDPOINT, &x);
	add(f, hb, rp2, 2, 0, 0x144d, 0xa808, P2PDMA_ROLE_ENDPOINT, &x);
	f->cpu.known = cpu_vendor != NULL;
	snprintf(f->cpu.vendor, sizeof(f->cpu.vendor), "%s", cpu_vendor ? cpu_vendor : "");
	f->cpu.family = family;
	assert_int_equal(p2pdma_fabric_set_kernel_release(f, rel), 0);
	if (p2pdma_fabric_finalize(f, &e))
		fail_msg("finalize: %s", e.reason);
	return f;
}

static enum p2pdma_map_type answer(uint16_t vendor, uint16_t device, bool rp_first,
				   const char *cpu_vendor, unsigned int family, const char *rel)
{
	struct p2pdma_fabric *f = machine(vendor, device, rp_first, cpu_vendor, family, rel);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *a, *b;
	struct p2pdma_verdict *v;
	struct p2pdma_error e = { 0 };
	enum p2pdma_map_type t;

	assert_int_equal(p2pdma_fabric_lookup(f, "01:00.0", &a, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &b, &e), 0);
	t = p2pdma_map_type(p, a, b, NULL);
	/* The full verdict agrees with the fast path. */
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_int_equal(v->map_type, t);
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	return t;
}

/* @id on an Intel CPU: NOT_SUPPORTED on @before, THRU_HOST_BRIDGE on @at. */
static void row(uint16_t vendor, uint16_t device, const char *before, const char *at)
{
	enum p2pdma_map_type b = answer(vendor, device, false, "GenuineIntel", 6, before);
	enum p2pdma_map_type a = answer(vendor, device, false, "GenuineIntel", 6, at);

	if (b != NOPE || a != THRU)
		fail_msg("%04x:%04x: %s on %s, %s on %s (want NOT_SUPPORTED, THRU_HOST_BRIDGE)",
			 vendor, device, p2pdma_map_type_name(b), before,
			 p2pdma_map_type_name(a), at);
}

static void test_amd_rows(void **state)
{
	(void)state;
	/* 1022:1450 from 5.2; every AMD row dropped in 5.9 for the CPU rule. */
	row(0x1022, 0x1450, "5.1", "5.2");
	row(0x1022, 0x1450, "5.9", "5.8.18");
	row(0x1022, 0x15d0, "5.7", "5.8");
	row(0x1022, 0x1630, "5.7.19", "5.8");
	assert_int_equal(answer(0x1022, 0x1630, false, "GenuineIntel", 6, "6.12"), NOPE);
}

/* Before 5.9 an unknown CPU leaves nothing open: certainly refused. */
static void unknown_cpu_before_5_9(void)
{
	struct p2pdma_fabric *f = machine(0x1022, 0x1480, false, NULL, 0, "5.8");
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *a, *b;
	struct p2pdma_verdict *v;
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_fabric_lookup(f, "01:00.0", &a, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &b, &e), 0);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_true(v->certain);
	assert_int_equal(v->map_type, NOPE);
	assert_non_null(strstr(v->reason, "predates the AMD Zen CPU rule (5.9)"));
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

static void test_cpu_rule(void **state)
{
	(void)state;
	/* A host bridge no table lists; Zen CPU: allowed from 5.9 only. */
	assert_int_equal(answer(0x1022, 0x1480, false, "AuthenticAMD", 0x17, "5.8"), NOPE);
	assert_int_equal(answer(0x1022, 0x1480, false, "AuthenticAMD", 0x17, "5.9"), THRU);
	assert_int_equal(answer(0x1022, 0x1480, false, "AuthenticAMD", 0x19, "6.12.117"), THRU);
	assert_int_equal(answer(0x1022, 0x1480, false, "AuthenticAMD", 0x16, "7.3"), NOPE);
	/* X86_VENDOR_AMD is AuthenticAMD only (11.5); Hygon is its own vendor. */
	assert_int_equal(answer(0x1022, 0x1480, false, "AMDisbetter!", 0x17, "7.3"), NOPE);
	assert_int_equal(answer(0x1d94, 0x1450, false, "HygonGenuine", 0x18, "7.3"), NOPE);
	unknown_cpu_before_5_9();
	assert_int_equal(answer(0x1022, 0x1480, false, NULL, 0, "5.9"), NOPE);
	/* On 5.2-5.8 a Zen host bridge passes by its row, whatever the CPU. */
	assert_int_equal(answer(0x1022, 0x1450, false, "AuthenticAMD", 0x17, "5.4"), THRU);
}

static void test_intel_rows(void **state)
{
	static const uint16_t early[] = { 0x3c00, 0x3c01, 0x2f00, 0x2f01, 0x2030, 0x2031,
					  0x2032, 0x2033, 0x2020 };
	static const uint16_t accel[] = { 0x0b25, 0x0cfe, 0x11fb, 0x1212, 0x1216,
					  0x4940, 0x4942, 0x4944, 0x4946, 0x4948 };
	size_t i;

	(void)state;
	/* ~5.5-5.7, unconfirmed: absent in 5.4, present in 5.8. */
	for (i = 0; i < ARRAY_SIZE(early); i++)
		row(0x8086, early[i], "5.4", "5.8");
	row(0x8086, 0x09a2, "5.17", "5.18");
	/* 7.2; 6.12.117 (the QEMU oracle) does not have them. */
	for (i = 0; i < ARRAY_SIZE(accel); i++) {
		row(0x8086, accel[i], "7.1", "7.2");
		assert_int_equal(answer(0x8086, accel[i], false, "GenuineIntel", 6, "6.12.117"),
				 NOPE);
	}
	/* Never listed. */
	assert_int_equal(answer(0x8086, 0x29c0, false, "GenuineIntel", 6, "next"), NOPE);
}

static void test_new_vendor_rows(void **state)
{
	static const uint16_t zhaoxin[] = { 0x1003, 0x1005, 0x1006, 0x1007, 0x1008 };
	size_t i;

	(void)state;
	row(0x1ae0, 0x0042, "7.0", "7.1");	/* Google, any device */
	row(0x1ae0, 0xabcd, "6.12.117", "7.1.3");
	for (i = 0x2f95; i <= 0x2f98; i++)
		row(0x10de, (uint16_t)i, "7.2", "7.3");
	row(0x10de, 0x2f95, "7.2.9", "7.3-rc1");
	/* Zhaoxin is only in the PCI tree; both NVMes share the host bridge. */
	for (i = 0; i < ARRAY_SIZE(zhaoxin); i++)
		row(0x1d17, zhaoxin[i], "7.3", "next");
}

static void test_root_port_any_devfn(void **state)
{
	(void)state;
	/* No 00.0 function: the first one is a listed root port at 01.0. */
	assert_int_equal(answer(0x8086, 0x2030, true, "GenuineIntel", 6, "5.18"), NOPE);
	assert_int_equal(answer(0x8086, 0x2030, true, "GenuineIntel", 6, "5.19"), THRU);
	assert_int_equal(answer(0x8086, 0x2030, false, "GenuineIntel", 6, "5.18"), THRU);
}

/* No release known: the newest mainline release in the table, 7.3, and it says so. */
static void test_unknown_release(void **state)
{
	struct p2pdma_fabric *f = machine(0x1d17, 0x1008, false, "GenuineIntel", 6, NULL);
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *a, *b;
	struct p2pdma_verdict *v;
	struct p2pdma_error e = { 0 };
	bool assumed = false;

	(void)state;
	assert_string_equal(p2pdma_policy_release(p, &assumed), "7.3");
	assert_true(assumed);
	assert_int_equal(p2pdma_fabric_lookup(f, "01:00.0", &a, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &b, &e), 0);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_int_equal(v->map_type, NOPE);
	assert_string_equal(v->release, "7.3");
	assert_true(v->release_assumed);
	assert_non_null(strstr(v->release_note, "unknown: answered for 7.3"));
	assert_non_null(strstr(v->release_note, "On next and later this pair is THRU_HOST_BRIDGE"));
	p2pdma_verdict_free(v);
	assert_int_equal(answer(0x10de, 0x2f97, false, "GenuineIntel", 6, NULL), THRU);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* The text names the other releases and the backport. */
static void test_release_notes(void **state)
{
	struct p2pdma_fabric *f = machine(0x1ae0, 0x0042, false, "GenuineIntel", 6, "6.12.117");
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_function *a, *b;
	struct p2pdma_verdict *v;
	struct p2pdma_error e = { 0 };
	char *text;

	(void)state;
	assert_int_equal(p2pdma_fabric_lookup(f, "01:00.0", &a, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &b, &e), 0);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_int_equal(v->map_type, NOPE);
	assert_false(v->release_assumed);
	assert_string_equal(v->release_note, "On 7.1 and later this pair is THRU_HOST_BRIDGE.");
	assert_int_equal(p2pdma_verdict_write_text(v, &text), 0);
	assert_non_null(strstr(text, "kernel        6.12.117\n"));
	assert_non_null(strstr(text, "releases      On 7.1 and later this pair is THRU_HOST_BRIDGE."));
	free(text);
	p2pdma_verdict_free(v);

	/* A release change is an edit: the cached NOT_SUPPORTED is dropped. */
	assert_int_equal(p2pdma_map_type(p, a, b, NULL), NOPE);
	assert_int_equal(p2pdma_fabric_set_kernel_release(f, "7.1"), 0);
	assert_int_equal(p2pdma_map_type(p, a, b, NULL), THRU);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_string_equal(v->release_note, "Before 7.1 this pair is NOT_SUPPORTED.");
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);

	/* Intel DSA on 6.12.117: refused in mainline; stable kernels carry the row. */
	f = machine(0x8086, 0x0b25, false, "GenuineIntel", 6, "6.12.117");
	p = p2pdma_policy_new(f);
	assert_int_equal(p2pdma_fabric_lookup(f, "01:00.0", &a, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(f, "02:00.0", &b, &e), 0);
	assert_int_equal(p2pdma_verdict_get(p, a, b, NULL, &v, &e), 0);
	assert_non_null(strstr(v->release_note, "On 7.2 and later this pair is THRU_HOST_BRIDGE."));
	assert_non_null(strstr(v->release_note, "in mainline from 7.2; backported to stable kernels"));
	p2pdma_verdict_free(v);
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
}

/* find's text for clients @names on q35-switches at release @rel. */
static char *find_text(const char *rel, const char *const *names, size_t n, bool json)
{
	struct p2pdma_client c[4];
	struct p2pdma_find_result *r = NULL;
	struct p2pdma_error e = { 0 };
	char *out = NULL;
	struct pt t;
	size_t i;

	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_fabric_set_kernel_release(t.f, rel), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(p2pdma_client_parse(t.f, names[i], &c[i], &e), 0);
	assert_int_equal(p2pdma_find(t.p, c, n, 1, &r, &e), 0);
	assert_int_equal(p2pdma_find_write(t.p, c, n, r, NULL, false, json, &out, &e), 0);
	p2pdma_find_result_free(r);
	pt_close(&t);
	return out;
}

/*
 * find is silent, but the whitelist line prints on a refused ACS-redirect
 * path (KERNEL-FACTS 1.4, 11.1): candidate 0a:00.0 redirects (RR) on its
 * way to 0a:00.1, and host bridge device 00:00.0 (8086:29c0) is not
 * listed.  From 5.2 (the first allow-list) until the gating change in
 * "next".  A non-PCI client ends the (non-verbose) walk before it.
 */
static void test_find_silent_warning(void **state)
{
	static const char *const one[] = { "0a:00.1" };
	static const char *const stop[] = { "platform:x", "0a:00.1" };
	const char *line = "pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0";
	char *out;

	(void)state;
	out = find_text("6.12.117", one, 1, false);
	assert_non_null(strstr(out, "Kernel release: 6.12.117\n"));
	assert_non_null(strstr(out, line));
	free(out);
	out = find_text("6.12.117", one, 1, true);
	assert_non_null(strstr(out, line));
	free(out);
	out = find_text("next", one, 1, false);
	assert_null(strstr(out, "whitelist"));
	free(out);
	out = find_text("5.1", one, 1, false);
	assert_null(strstr(out, "whitelist"));
	free(out);
	out = find_text("7.3", stop, 2, false);
	assert_null(strstr(out, "whitelist"));
	free(out);
}

/*
 * check with a client that is not PCI in the middle: distance_many()
 * returns -1 there, and the clients after it are never computed (11.5).
 */
static void test_check_stops_at_non_pci(void **state)
{
	struct p2pdma_client c[3];
	struct p2pdma_error e = { 0 };
	char *out = NULL;
	int ok = 1;
	struct pt t;

	(void)state;
	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_client_parse(t.f, "04:00.0", &c[0], &e), 0);
	assert_int_equal(p2pdma_client_parse(t.f, "virtio:virtio0", &c[1], &e), 0);
	assert_int_equal(p2pdma_client_parse(t.f, "0a:00.1", &c[2], &e), 0);
	assert_int_equal(p2pdma_check_write(t.p, pt_fn(&t, "03:00.0"), c, 3, NULL, false,
					    &out, &ok, &e), 0);
	assert_false(ok);
	assert_non_null(strstr(out, "client        0000:04:00.0"));
	assert_non_null(strstr(out, "virtio virtio0: cannot be used for peer-to-peer DMA as it is not a PCI device"));
	assert_null(strstr(out, "client        0000:0a:00.1"));
	assert_non_null(strstr(out, "not computed  0a:00.1\n"));
	/* Never computed, never cached by the kernel. */
	assert_int_equal(p2pdma_policy_kernel_cached(t.p, pt_fn(&t, "03:00.0"), pt_fn(&t, "0a:00.1")),
			 P2PDMA_MAP_UNKNOWN);
	free(out);
	pt_close(&t);
}

/*
 * The refusal lines by release (KERNEL-FACTS 2, historical): q35-switches
 * 07:00.0 -> 08:00.0 crosses 06:01.0 (RR|CR) and the host bridge device
 * 00:00.0 (8086:29c0) is on no list.
 */
static void log_at(const char *rel, const char *const *want)
{
	struct p2pdma_verdict *v;
	struct pt t;

	pt_open(&t, "policy/q35-switches.json");
	assert_int_equal(p2pdma_fabric_set_kernel_release(t.f, rel), 0);
	v = pt_verdict(&t, "07:00.0", "08:00.0");
	assert_int_equal(v->map_type, NOPE);
	pt_expect_log(v->kernel_log, v->nr_kernel_log, want);
	p2pdma_verdict_free(v);
	pt_close(&t);
}

static void test_log_wording(void **state)
{
	static const char *const v51[] = {
		"nvidia 0000:08:00.0: cannot be used for peer-to-peer DMA as ACS redirect is set between the client and provider (0000:07:00.0)",
		"nvidia 0000:08:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:06:01.0",
		NULL,
	};
	static const char *const v54[] = {
		"nvidia 0000:08:00.0: cannot be used for peer-to-peer DMA as ACS redirect is set between the client and provider (0000:07:00.0)",
		"nvidia 0000:08:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:06:01.0",
		"pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0",
		"nvidia 0000:08:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:07:00.0) do not share an upstream bridge",
		NULL,
	};
	static const char *const v612[] = {
		"nvidia 0000:08:00.0: ACS redirect is set between the client and provider (0000:07:00.0)",
		"nvidia 0000:08:00.0: to disable ACS redirect for this path, add the kernel parameter: pci=disable_acs_redir=0000:06:01.0",
		"pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0",
		"nvidia 0000:08:00.0: cannot be used for peer-to-peer DMA as the client and provider (0000:07:00.0) do not share an upstream bridge or whitelisted host bridge",
		NULL,
	};

	(void)state;
	log_at("5.1", v51);
	log_at("5.4", v54);
	log_at("6.12.117", v612);
}

static void test_parse(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_kver k;
	char buf[32];

	(void)state;
	assert_int_equal(p2pdma_kver_parse("6.12", &k, &e), 0);
	assert_int_equal(k.v, P2PDMA_KVER(6, 12, 0));
	assert_false(k.patch_known);
	assert_string_equal(p2pdma_kver_format(&k, buf, sizeof(buf)), "6.12");
	assert_int_equal(p2pdma_kver_parse("6.12.117", &k, &e), 0);
	assert_int_equal(k.v, P2PDMA_KVER(6, 12, 117));
	assert_false(k.distro);
	assert_int_equal(p2pdma_kver_parse("6.8.0-49-generic", &k, &e), 0);
	assert_int_equal(k.v, P2PDMA_KVER(6, 8, 0));
	assert_true(k.distro);
	assert_string_equal(p2pdma_kver_format(&k, buf, sizeof(buf)), "6.8.0");
	assert_int_equal(p2pdma_kver_parse("6.13-rc1", &k, &e), 0);
	assert_int_equal(k.v, P2PDMA_KVER(6, 13, 0));
	assert_false(k.distro);
	assert_int_equal(p2pdma_kver_parse("4.20", &k, &e), 0);
	assert_int_equal(p2pdma_kver_parse("next", &k, &e), 0);
	assert_int_equal(k.v, P2PDMA_KVER_NEXT);
	assert_int_equal(p2pdma_kver_parse("banana", &k, &e), -EINVAL);
	assert_string_equal(e.reason,
			    "'banana' is not a kernel release (try 6.12, 6.12.117, 6.8.0-49-generic or next)");
	assert_int_equal(p2pdma_kver_parse("4.19.300", &k, &e), -EINVAL);
	assert_string_equal(e.reason, "kernel 4.19.300 predates P2PDMA (first in 4.20)");
	assert_int_equal(p2pdma_kver_parse("3.10.0-1160.el7", &k, &e), -EINVAL);
	assert_int_equal(p2pdma_kver_parse("6", &k, &e), -EINVAL);
	assert_int_equal(p2pdma_kver_parse("6.x", &k, &e), -EINVAL);
	assert_int_equal(p2pdma_kver_parse("", &k, &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amd_rows),
		cmocka_unit_test(test_cpu_rule),
		cmocka_unit_test(test_intel_rows),
		cmocka_unit_test(test_new_vendor_rows),
		cmocka_unit_test(test_root_port_any_devfn),
		cmocka_unit_test(test_unknown_release),
		cmocka_unit_test(test_release_notes),
		cmocka_unit_test(test_find_silent_warning),
		cmocka_unit_test(test_check_stops_at_non_pci),
		cmocka_unit_test(test_log_wording),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
