// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hex dumps written here byte by byte, so every expected value is worked
 * out by hand from the PCI spec's register layout: ids, class, bus
 * numbers, Express port type and link, ACS from the extended capability
 * (and the 64/256/4096-byte rules), BAR decoding, SR-IOV VFs, the -v
 * text between the hex.  The parents are also checked against what
 * "lspci -F" makes of the same file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci_t.h"
#include "testutil.h"

struct cfg {
	const char *addr;	/* as lspci prints it */
	const char *head;	/* rest of the device line */
	unsigned int len;	/* 64, 256 or 4096 */
	uint8_t b[4096];
	const char *text;	/* -v lines between the device line and the hex */
};

static void w8(struct cfg *c, unsigned int off, unsigned int v)
{
	c->b[off] = (uint8_t)v;
}

static void w16(struct cfg *c, unsigned int off, unsigned int v)
{
	w8(c, off, v & 0xff);
	w8(c, off + 1, v >> 8);
}

static void w32(struct cfg *c, unsigned int off, uint32_t v)
{
	w16(c, off, v & 0xffff);
	w16(c, off + 2, v >> 16);
}

static void init(struct cfg *c, const char *addr, const char *head, unsigned int len)
{
	memset(c, 0, sizeof(*c));
	c->addr = addr;
	c->head = head;
	c->len = len;
}

static void header(struct cfg *c, unsigned int vendor, unsigned int device,
		   uint32_t class_code, unsigned int htype)
{
	w16(c, 0x00, vendor);
	w16(c, 0x02, device);
	w8(c, 0x08, 0x01);			/* revision */
	w8(c, 0x09, class_code & 0xff);
	w16(c, 0x0a, class_code >> 8);
	w8(c, 0x0e, htype);
}

static void bridge(struct cfg *c, unsigned int pri, unsigned int sec, unsigned int sub)
{
	w8(c, 0x18, pri);
	w8(c, 0x19, sec);
	w8(c, 0x1a, sub);
}

/* Express capability at 0x40: port type, link speed code and width. */
static void express(struct cfg *c, unsigned int type, unsigned int speed, unsigned int width)
{
	w16(c, 0x06, 0x0010);			/* Status: capability list */
	w8(c, 0x34, 0x40);
	w8(c, 0x40, 0x10);			/* PCI_CAP_ID_EXP */
	w8(c, 0x41, 0x00);
	w16(c, 0x42, 0x0002 | type << 4);
	w32(c, 0x40 + 0x0c, speed | width << 4);	/* LnkCap */
	w16(c, 0x40 + 0x12, speed | width << 4);	/* LnkSta */
}

static void ext_acs(struct cfg *c, unsigned int at, unsigned int cap, unsigned int ctrl)
{
	w32(c, at, 0x000d | 1u << 16);
	w16(c, at + 4, cap);
	w16(c, at + 6, ctrl);
}

static char *dump_text(struct cfg *v, size_t n, const char *eol)
{
	size_t cap = 1 << 20, len = 0, i;
	char *s = malloc(cap);
	unsigned int off, k;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(s + len, cap - len, "%s %s%s", v[i].addr, v[i].head, eol);
		if (v[i].text)
			len += (size_t)snprintf(s + len, cap - len, "%s", v[i].text);
		for (off = 0; off < v[i].len; off += 16) {
			len += (size_t)snprintf(s + len, cap - len, off < 0x100 ? "%02x:" : "%03x:",
						off);
			for (k = 0; k < 16; k++)
				len += (size_t)snprintf(s + len, cap - len, " %02x",
							v[i].b[off + k]);
			len += (size_t)snprintf(s + len, cap - len, "%s", eol);
		}
		len += (size_t)snprintf(s + len, cap - len, "%s", eol);
		assert_true(len < cap - 8192);
	}
	return s;
}

/*
 * 00:00.0 host bridge (64 bytes, no capability list)
 * 00:01.0 root port [01-04], ACS RR CR (4096)
 *   01:00.0 switch upstream [02-04], no ACS (4096)
 *     02:00.0 downstream [03], ACS all off (4096)
 *       03:00.0 GPU: BAR0 32-bit, BAR1 64-bit prefetchable (4096)
 *     02:01.0 downstream [04] (256 bytes: ACS from the -v text)
 *       04:00.0 NIC with SR-IOV, 2 VFs enabled (4096)
 *       04:00.1, 04:00.2 its VFs (64 bytes, ids all ones)
 * 00:1f.0 conventional PCI function with capabilities (256)
 * 00:1c.0 root port [05], 256 bytes without text: ACS unknown
 */
#define NR 11
static struct cfg *machine(void)
{
	struct cfg *v = calloc(NR, sizeof(*v));
	int i;

	assert_non_null(v);
	init(&v[0], "00:00.0", "Host bridge: x", 64);
	header(&v[0], 0x8086, 0x1234, 0x060000, 0);

	init(&v[1], "00:01.0", "PCI bridge: x", 4096);
	header(&v[1], 0x8086, 0x2030, 0x060400, 1);
	bridge(&v[1], 0, 1, 4);
	express(&v[1], 4, 3, 16);
	ext_acs(&v[1], 0x100, 0x5f, 0x0c);

	init(&v[2], "01:00.0", "PCI bridge: x", 4096);
	header(&v[2], 0x10b5, 0x9797, 0x060400, 1);
	bridge(&v[2], 1, 2, 4);
	express(&v[2], 5, 4, 16);

	init(&v[3], "02:00.0", "PCI bridge: x", 4096);
	header(&v[3], 0x10b5, 0x9797, 0x060400, 1);
	bridge(&v[3], 2, 3, 3);
	express(&v[3], 6, 4, 16);
	ext_acs(&v[3], 0x100, 0x7f, 0x00);

	init(&v[4], "02:01.0", "PCI bridge: x", 256);
	header(&v[4], 0x10b5, 0x9797, 0x060400, 1);
	bridge(&v[4], 2, 4, 4);
	express(&v[4], 6, 4, 8);
	v[4].text = "\tCapabilities: [40] Express (v2) Downstream Port (Slot+), MSI 00\n"
		    "\tCapabilities: [100 v1] Access Control Services\n"
		    "\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n"
		    "\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd- EgressCtrl- DirectTrans-\n"
		    "\tKernel driver in use: pcieport\n";

	init(&v[5], "03:00.0", "3D controller: x", 4096);
	header(&v[5], 0x10de, 0x20b0, 0x030200, 0);
	express(&v[5], 0, 4, 16);
	w32(&v[5], 0x10, 0xc5000000);			/* BAR0: 32-bit memory */
	w32(&v[5], 0x14, 0xb000000c);			/* BAR1: 64-bit prefetchable, low */
	w32(&v[5], 0x18, 0x00000100);			/*       and high dword */
	w32(&v[5], 0x24, 0x00004001);			/* BAR5: I/O at 0x4000 */

	init(&v[6], "04:00.0", "Ethernet controller: x", 4096);
	header(&v[6], 0x15b3, 0x1017, 0x020000, 0);
	w8(&v[6], 0x0e, 0x80);				/* multi-function */
	express(&v[6], 0, 3, 8);
	w32(&v[6], 0x100, 0x0010 | 1u << 16);		/* SR-IOV */
	w16(&v[6], 0x108, 0x0001);			/* VF Enable */
	w16(&v[6], 0x110, 2);				/* NumVFs */
	w16(&v[6], 0x114, 1);				/* First VF Offset */
	w16(&v[6], 0x116, 1);				/* VF Stride */
	w16(&v[6], 0x11a, 0x1018);			/* VF Device ID */

	for (i = 7; i <= 8; i++) {
		init(&v[i], i == 7 ? "04:00.1" : "04:00.2", "Ethernet controller: x", 64);
		header(&v[i], 0xffff, 0xffff, 0x020000, 0);
		w16(&v[i], 0x06, 0x0010);
	}

	init(&v[9], "00:1f.0", "Bridge: x", 256);
	header(&v[9], 0x8086, 0x0001, 0x068000, 0);
	w16(&v[9], 0x06, 0x0010);
	w8(&v[9], 0x34, 0x50);
	w8(&v[9], 0x50, 0x01);				/* Power Management only */

	init(&v[10], "00:1c.0", "PCI bridge: x", 256);
	header(&v[10], 0x8086, 0xa190, 0x060400, 1);
	bridge(&v[10], 0, 5, 5);
	express(&v[10], 4, 1, 1);
	return v;
}

static char *write_tmp(const char *dir, const char *name, const char *text)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	assert_int_equal(tu_write_file(p, text, strlen(text)), 0);
	return p;
}

static struct p2pdma_function *fn(struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *r = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &r, &e))
		fail_msg("%s", e.reason);
	return r;
}

static void check_machine(struct p2pdma_fabric *f)
{
	struct p2pdma_function *rp = fn(f, "00:01.0"), *up = fn(f, "01:00.0");
	struct p2pdma_function *d0 = fn(f, "02:00.0"), *d1 = fn(f, "02:01.0");
	struct p2pdma_function *gpu = fn(f, "03:00.0"), *nic = fn(f, "04:00.0");

	assert_int_equal(f->nr_fns, NR);
	assert_int_equal(f->nr_hbs, 1);
	/* ids, class, revision */
	assert_int_equal(gpu->vendor, 0x10de);
	assert_int_equal(gpu->device, 0x20b0);
	assert_int_equal(gpu->class_code, 0x030200);
	assert_int_equal(gpu->revision, 1);
	/* tree */
	assert_null(rp->parent);
	assert_ptr_equal(up->parent, rp);
	assert_ptr_equal(d0->parent, up);
	assert_ptr_equal(d1->parent, up);
	assert_ptr_equal(gpu->parent, d0);
	assert_ptr_equal(nic->parent, d1);
	assert_int_equal(rp->secondary_bus, 1);
	assert_int_equal(rp->subordinate_bus, 4);
	/* roles from the Express capability */
	assert_int_equal(rp->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(up->role, P2PDMA_ROLE_SWITCH_UPSTREAM);
	assert_int_equal(d0->role, P2PDMA_ROLE_SWITCH_DOWNSTREAM);
	assert_int_equal(d1->pcie_type, 6);
	/* link: speed code 4 = 16 GT/s, 3 = 8 GT/s */
	assert_int_equal(gpu->link.speed, 16000);
	assert_int_equal(gpu->link.width, 16);
	assert_int_equal(gpu->link.max_speed, 16000);
	assert_int_equal(nic->link.speed, 8000);
	assert_int_equal(nic->link.width, 8);
	/* ACS: 4096 bytes with the capability / without it / 256 + text / 64 without caps */
	assert_int_equal(rp->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(rp->acs_cap, 0x5f);
	assert_int_equal(rp->acs_ctrl, P2PDMA_ACS_RR | P2PDMA_ACS_CR);
	assert_int_equal(up->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(d0->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(d0->acs_ctrl, 0);
	assert_int_equal(d1->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(d1->acs_cap, 0x1f);
	assert_int_equal(d1->acs_ctrl, P2PDMA_ACS_SV | P2PDMA_ACS_RR | P2PDMA_ACS_CR);
	assert_string_equal(d1->driver, "pcieport");
	assert_int_equal(fn(f, "00:00.0")->acs_state, P2PDMA_ACS_ABSENT);
	assert_int_equal(fn(f, "00:1f.0")->acs_state, P2PDMA_ACS_ABSENT);
	/* VFs: 64 bytes with a capability list and unknown ids */
	assert_ptr_equal(fn(f, "04:00.1")->physfn, nic);
	assert_ptr_equal(fn(f, "04:00.2")->physfn, nic);
	assert_int_equal(fn(f, "04:00.1")->vendor, 0x15b3);
	assert_int_equal(fn(f, "04:00.1")->device, 0x1018);
	assert_int_equal(fn(f, "04:00.2")->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_null(nic->physfn);
	/* BARs: addresses and flags; sizes are not in config space */
	assert_int_equal(gpu->bars[0].start, 0xc5000000);
	assert_int_equal(gpu->bars[0].flags, P2PDMA_BAR_MEM);
	assert_int_equal(gpu->bars[0].size, 0);
	assert_int_equal(gpu->bars[1].start, 0x100b0000000ULL);
	assert_int_equal(gpu->bars[1].flags, P2PDMA_BAR_MEM | P2PDMA_BAR_64 | P2PDMA_BAR_PREFETCH);
	assert_int_equal(gpu->bars[2].flags, 0);
	assert_int_equal(gpu->bars[5].start, 0x4000);
	assert_int_equal(gpu->bars[5].flags, P2PDMA_BAR_IO);
	/* 256 bytes of a PCIe function: the extended space was not dumped. */
	assert_int_equal(fn(f, "00:1c.0")->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_int_equal(fn(f, "00:1c.0")->role, P2PDMA_ROLE_ROOT_PORT);
	assert_int_equal(fn(f, "00:1c.0")->link.speed, 2500);
	assert_int_equal(f->nr_acs_unknown, 3);
}

static struct p2pdma_fabric *load(const char *path)
{
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_LSPCI };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s: %s", path, e.reason);
	return f;
}

static void test_handmade_machine(void **state)
{
	struct cfg *v = machine();
	char *dir = tu_mkdtemp(), *text = dump_text(v, NR, "\n");
	char *path = write_tmp(dir, "m.txt", text);
	struct p2pdma_fabric *f;

	(void)state;
	f = load(path);
	check_machine(f);
	p2pdma_fabric_free(f);

	/* lspci itself places every function the same way (pciutils is a build.sh dep). */
	if (tu_run(NULL, NULL, "command -v lspci >/dev/null") != 0)
		fail_msg("lspci is not installed: install pciutils (./build.sh deps)");
	{
		char *out = NULL, why[128];
		struct t_entry *t;
		int n, i;

		assert_int_equal(tu_run(&out, NULL, "lspci -F '%s' -t", path), 0);
		n = lspci_t_parse(out, &t, why, sizeof(why));
		assert_int_equal(n, NR);
		f = load(path);
		for (i = 0; i < n; i++) {
			struct p2pdma_function *x = p2pdma_fabric_find(f, &t[i].bdf);

			assert_non_null(x);
			assert_int_equal(t[i].has_parent, x->parent != NULL);
			if (x->parent)
				assert_int_equal(p2pdma_bdf_cmp(&t[i].parent, &x->parent->bdf), 0);
		}
		p2pdma_fabric_free(f);
		free(t);
		free(out);
	}
	free(path);
	free(text);
	tu_rmtree(dir);
	free(dir);
	free(v);
}

/* CRLF, no final newline, a long text line, a prompt line first: same model. */
static void test_paste_forms(void **state)
{
	struct cfg *v = machine();
	char *dir = tu_mkdtemp(), *crlf = dump_text(v, NR, "\r\n"), *path, *plain, *mixed;
	struct p2pdma_fabric *f;
	char longline[400];

	(void)state;
	crlf[strlen(crlf) - 4] = '\0';		/* drop the last CRLF pair and blank line */
	path = write_tmp(dir, "crlf.txt", crlf);
	f = load(path);
	check_machine(f);
	p2pdma_fabric_free(f);
	free(path);

	memset(longline, 'x', sizeof(longline) - 3);
	longline[0] = '\t';
	longline[sizeof(longline) - 3] = '\n';
	longline[sizeof(longline) - 2] = '\0';
	v[6].text = longline;			/* libpci's reader stops at 256 characters */
	plain = dump_text(v, NR, "\n");
	assert_true(asprintf(&mixed, "$ sudo lspci -vvv -xxxx\n%s", plain) > 0);
	path = write_tmp(dir, "long.txt", mixed);
	f = load(path);
	check_machine(f);
	p2pdma_fabric_free(f);
	free(path);
	free(plain);
	free(mixed);
	free(crlf);
	tu_rmtree(dir);
	free(dir);
	free(v);
}

/* Domains: -D form with four and five digits. */
static void test_domains(void **state)
{
	struct cfg v[2] = {
		{ .addr = "0000:00:04.0", .head = "Ethernet controller: x", .len = 64 },
		{ .addr = "10000:00:04.0", .head = "Ethernet controller: x", .len = 64 },
	};
	char *dir = tu_mkdtemp(), *text, *path;
	struct p2pdma_fabric *f;

	(void)state;
	header(&v[0], 0x1af4, 0x1000, 0x020000, 0);
	header(&v[1], 0x1af4, 0x1000, 0x020000, 0);
	text = dump_text(v, 2, "\n");
	path = write_tmp(dir, "d.txt", text);
	f = load(path);
	assert_int_equal(f->nr_hbs, 2);
	assert_non_null(fn(f, "10000:00:04.0"));
	assert_int_equal(fn(f, "10000:00:04.0")->host->domain, 0x10000);
	p2pdma_fabric_free(f);
	free(path);
	free(text);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handmade_machine),
		cmocka_unit_test(test_paste_forms),
		cmocka_unit_test(test_domains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
