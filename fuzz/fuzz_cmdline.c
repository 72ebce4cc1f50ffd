// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the kernel command line given to --cmdline: the
 * parameter splitter, pci= option splitting, the device strings (paths,
 * pci:IDs, the kernel's sscanf) and config_acs flag strings, applied to
 * a small fixed machine, followed by verdicts on the edited model.
 *
 * The first byte picks the what-if extras (IOMMU on, a CPU), the kernel
 * release whose ACS rules apply (releases.c, acs_release.c) and whether
 * the root port is an Intel SPT PCH one; the rest, up to the first NUL,
 * is the command line, also read as a kernel release.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "policy_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p2pdma_function *add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, uint8_t bus, uint8_t dev,
				   uint8_t fn, enum p2pdma_role role, uint16_t device,
				   enum p2pdma_acs_state acs, uint16_t ctrl,
				   struct p2pdma_function *physfn)
{
	struct p2pdma_function t, *out = NULL;

	p2pdma_function_init(&t);
	t.bdf.domain = hb->domain;
	t.bdf.bus = bus;
	t.bdf.dev = dev;
	t.bdf.fn = fn;
	t.role = role;
	t.vendor = 0x104c;
	t.device = device;
	t.subsys_vendor = 0x1234;
	t.acs_state = acs;
	t.acs_cap = acs == P2PDMA_ACS_PRESENT ? 0x7f : 0;
	t.acs_ctrl = acs == P2PDMA_ACS_PRESENT ? ctrl : 0;
	t.physfn = physfn;
	if (role != P2PDMA_ROLE_ENDPOINT) {
		t.secondary_bus = bus + 1;
		t.subordinate_bus = 0xff;
	}
	if (p2pdma_fabric_add_function(f, hb, parent, &t, &out, NULL))
		abort();
	return out;
}

/* Root port > switch (two DSPs, one redirecting, one unknown) > endpoints, a VF, a second domain. */
static struct p2pdma_fabric *machine(bool spt)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_host_bridge *hb, *hb1;
	struct p2pdma_function *rp, *usp, *d0, *d1, *pf;

	if (!f || p2pdma_fabric_add_host_bridge(f, NULL, 0, 0, &hb, NULL) ||
	    p2pdma_fabric_add_host_bridge(f, NULL, 1, 0, &hb1, NULL))
		abort();
	add(f, hb, NULL, 0, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x29c0, P2PDMA_ACS_ABSENT, 0, NULL);
	rp = add(f, hb, NULL, 0, 1, 0, P2PDMA_ROLE_ROOT_PORT, spt ? 0xa110 : 0x000c,
		 P2PDMA_ACS_PRESENT, 0x1d, NULL);
	if (spt)
		rp->vendor = 0x8086;
	usp = add(f, hb, rp, 1, 0, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, 0x8232, P2PDMA_ACS_ABSENT, 0, NULL);
	usp->secondary_bus = 2;
	d0 = add(f, hb, usp, 2, 0, 0, P2PDMA_ROLE_SWITCH_DOWNSTREAM, 0x8233, P2PDMA_ACS_PRESENT, 0x0c, NULL);
	d0->secondary_bus = 3;
	d0->subordinate_bus = 3;
	d1 = add(f, hb, usp, 2, 1, 0, P2PDMA_ROLE_SWITCH_DOWNSTREAM, 0x8233, P2PDMA_ACS_UNKNOWN, 0, NULL);
	d1->secondary_bus = 4;
	d1->subordinate_bus = 4;
	add(f, hb, d0, 3, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x0010, P2PDMA_ACS_PRESENT, 0x04, NULL);
	pf = add(f, hb, d1, 4, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x1017, P2PDMA_ACS_ABSENT, 0, NULL);
	add(f, hb, d1, 4, 0, 1, P2PDMA_ROLE_ENDPOINT, 0x1018, P2PDMA_ACS_ABSENT, 0, pf);
	add(f, hb1, NULL, 0, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x2020, P2PDMA_ACS_PRESENT, 0x20, NULL);
	if (p2pdma_fabric_finalize(f, NULL))
		abort();
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cpus[] = { NULL, "amd-zen", "intel", "hygon:0x18" };
	static const char *const releases[] = {
		NULL, "4.20", "5.15.0-122-generic", "6.10", "6.12", "6.12.117", "6.14", "next",
	};
	struct p2pdma_kver k;
	struct p2pdma_whatif w = { .iommu = -1 };
	struct p2pdma_whatif_report *r = NULL;
	struct p2pdma_acs_params a;
	struct p2pdma_fabric *f;
	struct p2pdma_policy *p;
	struct p2pdma_error e;
	char *s;
	size_t i, j;

	if (!size)
		return 0;
	s = strndup((const char *)data + 1, size - 1);
	if (!s)
		return 0;
	w.cmdline = s;
	w.iommu = (data[0] & 1) ? 1 : -1;
	w.cpu = cpus[(data[0] >> 1) & 3];

	if (!p2pdma_cmdline_acs_params(s, &a))
		p2pdma_acs_params_free(&a);
	p2pdma_kver_parse(s, &k, &e);
	f = machine(data[0] & 0x40);
	p = p2pdma_policy_new(f);
	if (p2pdma_fabric_set_kernel_release(f, releases[(data[0] >> 3) & 7]) == -ENOMEM)
		abort();
	/* The device-string matcher on the raw input, for every function. */
	for (i = 0; i < f->nr_fns; i++) {
		const char *end = NULL;

		p2pdma_dev_str_match(f->fns[i], s, &end);
	}
	if (!p2pdma_whatif_apply(p, &w, &r, &e)) {
		/* Every pair through the fast path, a few through the whole verdict. */
		for (i = 0; i < f->nr_fns; i++)
			for (j = 0; j < f->nr_fns; j++)
				p2pdma_map_type(p, f->fns[i], f->fns[j], NULL);
		for (i = 0; i + 3 < f->nr_fns; i += 3) {
			struct p2pdma_verdict *v = NULL;

			if (!p2pdma_verdict_get(p, f->fns[i], f->fns[i + 3], NULL, &v, &e))
				p2pdma_verdict_free(v);
		}
		p2pdma_whatif_report_free(r);
	}
	p2pdma_policy_free(p);
	p2pdma_fabric_free(f);
	free(s);
	return 0;
}
