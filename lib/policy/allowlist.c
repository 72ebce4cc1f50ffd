// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host-bridge rule: the kernel's allow-list of host bridges that
 * forward peer-to-peer traffic correctly, and its CPU rule.
 *
 * The table is data taken from KERNEL-FACTS.md 1.4 (current pci/pci tree),
 * in the kernel's order: the first matching entry decides, so order
 * matters.  Older kernels carry a prefix of it (no Zhaoxin rows before
 * 2026, no NVIDIA/QAT/DSA rows in 5.x).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define AMD	0x1022
#define INTEL	0x8086
#define GOOGLE	0x1ae0
#define NVIDIA	0x10de
#define ZHAOXIN	0x1d17
#define SAME	P2PDMA_ALLOW_REQ_SAME_HOST_BRIDGE

static const struct p2pdma_allow_entry allow_list[] = {
	{ INTEL, 0x3c00, SAME, "Intel Xeon E5/Core i7" },
	{ INTEL, 0x3c01, SAME, NULL },
	{ INTEL, 0x2f00, SAME, "Intel Xeon E7 v3/Xeon E5 v3/Core i7" },
	{ INTEL, 0x2f01, SAME, NULL },
	{ INTEL, 0x2030, 0, "Intel Skylake-E" },
	{ INTEL, 0x2031, 0, NULL },
	{ INTEL, 0x2032, 0, NULL },
	{ INTEL, 0x2033, 0, NULL },
	{ INTEL, 0x2020, 0, NULL },
	{ INTEL, 0x09a2, 0, NULL },
	{ INTEL, 0x0b25, 0, "Intel DSA (Sapphire Rapids)" },
	{ INTEL, 0x0cfe, 0, "Intel IAX (Sapphire Rapids)" },
	{ INTEL, 0x11fb, 0, "Intel DSA (Granite Rapids-D)" },
	{ INTEL, 0x1212, 0, "Intel DSA (Diamond Rapids)" },
	{ INTEL, 0x1216, 0, "Intel IAA (Diamond Rapids)" },
	{ INTEL, 0x4940, 0, "Intel QAT 4xxx" },
	{ INTEL, 0x4942, 0, "Intel QAT 401xx" },
	{ INTEL, 0x4944, 0, "Intel QAT 402xx" },
	{ INTEL, 0x4946, 0, "Intel QAT 420xx" },
	{ INTEL, 0x4948, 0, "Intel QAT 6xxx" },
	{ GOOGLE, P2PDMA_ALLOW_ANY_DEVICE, 0, "Google SoCs" },
	{ NVIDIA, 0x2f95, 0, "Nvidia CPUs" },
	{ NVIDIA, 0x2f96, 0, NULL },
	{ NVIDIA, 0x2f97, 0, NULL },
	{ NVIDIA, 0x2f98, 0, NULL },
	{ ZHAOXIN, 0x1003, SAME, "Zhaoxin KX-6000/KH-40000/KX-6000G/KX-7000/KH-50000" },
	{ ZHAOXIN, 0x1005, SAME, NULL },
	{ ZHAOXIN, 0x1006, SAME, NULL },
	{ ZHAOXIN, 0x1007, SAME, NULL },
	{ ZHAOXIN, 0x1008, 0, NULL },
	/* Rows older kernels had: AMD Zen host bridges, 5.2 to 5.8 (releases.c). */
	{ AMD, 0x1450, 0, "AMD Zen (Family 17h) host bridge" },
	{ AMD, 0x15d0, 0, "AMD Raven host bridge" },
	{ AMD, 0x1630, 0, "AMD Renoir host bridge" },
};

/* Rows of the newest tree; the ones after them only older kernels had. */
#define NR_NEWEST 30

const struct p2pdma_allow_entry *p2pdma_allow_list(size_t *count)
{
	if (count)
		*count = NR_NEWEST;
	return allow_list;
}

const struct p2pdma_allow_entry *p2pdma_allow_list_all(size_t *count)
{
	*count = ARRAY_SIZE(allow_list);
	return allow_list;
}

/* The index of the entry that decides for this device, -1 for none. */
int p2pdma_allow_match(uint16_t vendor, uint16_t device)
{
	size_t i;

	for (i = 0; i < NR_NEWEST; i++) {
		const struct p2pdma_allow_entry *a = &allow_list[i];

		if (a->vendor != vendor)
			continue;
		if (a->device != P2PDMA_ALLOW_ANY_DEVICE && a->device != device)
			continue;
		return (int)i;
	}
	return -1;
}

/*
 * The same, for an ID that may be unknown: loaders write 0xffff (never a
 * valid vendor or device ID) when their source did not give it.  *unknown
 * is set when the unknown half decides whether, or which, entry matches.
 */
int p2pdma_allow_match_id(uint16_t vendor, uint16_t device, bool *unknown)
{
	size_t i;

	*unknown = false;
	if (vendor == 0xffff) {
		*unknown = true;
		return -1;
	}
	if (device != 0xffff)
		return p2pdma_allow_match(vendor, device);
	for (i = 0; i < NR_NEWEST; i++) {
		if (allow_list[i].vendor != vendor)
			continue;
		if (allow_list[i].device == P2PDMA_ALLOW_ANY_DEVICE)
			return (int)i;
		*unknown = true;
		return -1;
	}
	return -1;
}

/*
 * pci_pcie_type() == PCI_EXP_TYPE_ROOT_PORT.  When the Express capability
 * was not readable the role comes from position (a bridge on a root bus),
 * which is the best evidence there is.
 */
bool p2pdma_is_root_port(const struct p2pdma_function *fn)
{
	if (fn->pcie_type >= 0)
		return fn->pcie_type == 0x4;
	return fn->role == P2PDMA_ROLE_ROOT_PORT;
}

/*
 * pci_host_bridge_dev(): the first device on the root bus, if it sits at
 * devfn 00.0 or is a root port.  The root bus list is in enumeration
 * order, which the model keeps as BDF order.
 */
const struct p2pdma_function *p2pdma_host_bridge_dev(const struct p2pdma_host_bridge *hb)
{
	const struct p2pdma_function *root;

	if (!hb || !hb->nr_children)
		return NULL;
	root = hb->children[0];
	if (root->bdf.dev == 0 && root->bdf.fn == 0)
		return root;
	if (p2pdma_is_root_port(root))
		return root;
	return NULL;
}

/*
 * cpu_supports_p2pdma(): x86 AMD, family 0x17 (Zen) or newer.  The
 * kernel's X86_VENDOR_AMD is "AuthenticAMD" only (KERNEL-FACTS 11.5: the
 * early "AMDisbetter!" string is not matched); Hygon ("HygonGenuine") is
 * its own vendor.
 */
bool p2pdma_cpu_supports_p2pdma(const struct p2pdma_cpu *cpu)
{
	if (!cpu || !cpu->known)
		return false;
	if (strcmp(cpu->vendor, "AuthenticAMD"))
		return false;
	return cpu->family >= 0x17;
}

struct cpu_alias {
	const char *name;
	const char *vendor;
	unsigned int family;	/* default when only the name is given */
};

static const struct cpu_alias cpu_aliases[] = {
	{ "amd-zen", "AuthenticAMD", 0x17 },
	{ "amd", "AuthenticAMD", 0x17 },
	{ "intel", "GenuineIntel", 6 },
	{ "hygon", "HygonGenuine", 0x18 },
	{ "zhaoxin", "CentaurHauls", 7 },
};

static int parse_uint(const char *s, unsigned int *out)
{
	uint64_t v;

	if (!s || !*s)
		return -EINVAL;
	if (p2pdma_parse_u64(s, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10, &v) ||
	    v > 0xffff)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static const struct cpu_alias *find_alias(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cpu_aliases); i++)
		if (strlen(cpu_aliases[i].name) == len &&
		    !strncasecmp(cpu_aliases[i].name, s, len))
			return &cpu_aliases[i];
	return NULL;
}

int p2pdma_cpu_parse(const char *s, struct p2pdma_cpu *out, struct p2pdma_error *e)
{
	const struct cpu_alias *a;
	const char *c1, *c2;
	char num[32];
	size_t vlen;

	if (!s || !*s)
		return p2pdma_fail(e, -EINVAL, "empty CPU (try amd-zen, intel, hygon or VENDOR:FAMILY[:MODEL])");
	memset(out, 0, sizeof(*out));
	out->known = true;
	c1 = strchr(s, ':');
	vlen = c1 ? (size_t)(c1 - s) : strlen(s);
	a = find_alias(s, vlen);
	if (a) {
		snprintf(out->vendor, sizeof(out->vendor), "%s", a->vendor);
		out->family = a->family;
	} else if (c1 && vlen > 0 && vlen < sizeof(out->vendor)) {
		memcpy(out->vendor, s, vlen);
		out->vendor[vlen] = '\0';
	} else {
		return p2pdma_fail(e, -EINVAL,
				   "unknown CPU '%s' (try amd-zen, intel, hygon, zhaoxin or VENDOR:FAMILY[:MODEL], e.g. AuthenticAMD:0x15)",
				   s);
	}
	if (!c1)
		return 0;
	c2 = strchr(c1 + 1, ':');
	vlen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	if (vlen >= sizeof(num))
		return p2pdma_fail(e, -EINVAL, "CPU '%s': family is not a number", s);
	memcpy(num, c1 + 1, vlen);
	num[vlen] = '\0';
	if (parse_uint(num, &out->family))
		return p2pdma_fail(e, -EINVAL, "CPU '%s': family '%s' is not a number", s, num);
	if (c2 && parse_uint(c2 + 1, &out->model))
		return p2pdma_fail(e, -EINVAL, "CPU '%s': model '%s' is not a number", s, c2 + 1);
	return 0;
}
