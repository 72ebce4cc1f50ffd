// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * "What if": apply a kernel command line, an IOMMU that requests ACS and
 * a different CPU to the model in memory, in the order the kernel's
 * pci_enable_acs() does for every device with an ACS capability:
 *
 *   1. read Control, keep it as fw_ctrl;
 *   2. if an IOMMU asked for ACS: set SV, RR, CR and UF where the device
 *      is capable, TB too when ATS is off (pci=noats) - EC never;
 *   3. pci=disable_acs_redir=: ctrl = (fw_ctrl & ~0x2c) on a match;
 *   4. pci=config_acs=: ctrl = (fw_ctrl & ~mask) | (flags & mask).
 *
 * Steps 3 and 4 start again from fw_ctrl, so on a matched device they
 * drop what step 2 set; that is the rule from 6.15 (and 6.12.23) on.
 * Older releases do it differently, and Intel SPT/UPT PCH root ports
 * keep their ACS Control elsewhere: acs_release.c has each release's
 * way.  We only have the registers as the running kernel left them, so
 * those are the fw_ctrl of the merge (see the note added to every
 * report).  External-facing/untrusted ports for TB are not modelled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define IOMMU_BITS (P2PDMA_ACS_SV | P2PDMA_ACS_RR | P2PDMA_ACS_CR | P2PDMA_ACS_UF)

static int add_change(struct p2pdma_whatif_report *r, const struct p2pdma_function *fn,
		      uint16_t before, uint16_t after, bool unknown_cleared)
{
	struct p2pdma_acs_change *nc = realloc(r->changes, (r->nr_changes + 1) * sizeof(*nc));

	if (!nc)
		return -ENOMEM;
	nc[r->nr_changes].fn = fn;
	nc[r->nr_changes].before = before;
	nc[r->nr_changes].after = after;
	nc[r->nr_changes].unknown_cleared = unknown_cleared;
	r->nr_changes++;
	r->changes = nc;
	return 0;
}

static int add_acs_off(struct p2pdma_policy *p, const struct p2pdma_function *fn)
{
	size_t i;

	for (i = 0; i < p->nr_acs_off; i++)
		if (p->acs_off[i] == fn)
			return 0;
	return p2pdma_ptr_push((void ***)&p->acs_off, &p->nr_acs_off, &p->acs_off_cap,
			       (void *)fn) ? -ENOMEM : 0;
}

/* pci_enable_acs() on a device whose registers we have, as the release does it. */
static int apply_known(struct p2pdma_policy *p, struct p2pdma_function *fn,
		       const struct p2pdma_acs_params *a, bool iommu,
		       struct p2pdma_whatif_report *r, bool *once)
{
	struct p2pdma_acs_log l = { &r->kernel_log, &r->nr_kernel_log, once };
	uint16_t fw = fn->acs_ctrl, ctrl = fw;
	struct p2pdma_error e;

	p2pdma_acs_enable_at(p->rel.v, fn, a, iommu, &ctrl, &l);
	if (ctrl == fw)
		return 0;
	if (p2pdma_fabric_set_acs_ctrl(p->f, fn, ctrl, &e))
		return e.err;
	return add_change(r, fn, fw, ctrl, false);
}

/*
 * A device whose ACS Control could not be read: if the parameters leave
 * the redirect bits clear whatever the register held, they are known
 * clear now.
 */
static int apply_unknown(struct p2pdma_policy *p, const struct p2pdma_function *fn,
			 const struct p2pdma_acs_params *a, struct p2pdma_whatif_report *r)
{
	int ret;

	if (!p2pdma_acs_unknown_cleared(p->rel.v, fn, a) ||
	    p2pdma_policy_redir(p, fn) == P2PDMA_REDIR_NO)
		return 0;
	ret = add_acs_off(p, fn);
	if (!ret)
		ret = add_change(r, fn, 0, 0, true);
	return ret;
}

static int apply_params(struct p2pdma_policy *p, const struct p2pdma_acs_params *a,
			bool iommu, struct p2pdma_whatif_report *r)
{
	struct p2pdma_fabric *f = p->f;
	size_t i, unknown = 0;
	bool once = false, overlay = false;
	int ret = 0;

	for (i = 0; i < f->nr_fns && !ret; i++) {
		struct p2pdma_function *fn = f->fns[i];

		if (fn->acs_state == P2PDMA_ACS_PRESENT) {
			ret = apply_known(p, fn, a, iommu, r, &once);
		} else if (fn->acs_state == P2PDMA_ACS_ABSENT) {
			struct p2pdma_acs_log l = { &r->kernel_log, &r->nr_kernel_log, &once };

			p2pdma_acs_absent_at(p->rel.v, fn, a, &l);
		} else if (fn->acs_state == P2PDMA_ACS_UNKNOWN) {
			size_t before = r->nr_changes;

			unknown++;
			ret = apply_unknown(p, fn, a, r);
			overlay |= r->nr_changes != before;
		}
	}
	if (overlay)
		p2pdma_fabric_touch(f);
	if (!ret && unknown && (a->disable_acs_redir || a->config_acs || iommu))
		ret = p2pdma_strv_pushf(&r->notes, &r->nr_notes,
					"%zu function(s) have an unknown ACS state: only a parameter that clears RR, CR and EC whatever the register held makes them known; messages they would print are not shown",
					unknown);
	return ret;
}

static int apply_cpu(struct p2pdma_policy *p, const char *s,
		     struct p2pdma_whatif_report *r, struct p2pdma_error *e)
{
	struct p2pdma_cpu cpu;
	int ret = p2pdma_cpu_parse(s, &cpu, e);

	if (ret)
		return ret;
	p2pdma_fabric_set_cpu(p->f, &cpu);
	return p2pdma_strv_pushf(&r->notes, &r->nr_notes,
				 "CPU taken as %s family %#x model %#x (%s the kernel's AMD Zen rule)",
				 cpu.vendor, cpu.family, cpu.model,
				 p2pdma_cpu_supports_p2pdma(&cpu) ? "meets" : "does not meet");
}

int p2pdma_whatif_apply(struct p2pdma_policy *p, const struct p2pdma_whatif *w,
			struct p2pdma_whatif_report **out, struct p2pdma_error *e)
{
	struct p2pdma_acs_params a = { 0 };
	struct p2pdma_whatif_report *r;
	bool had;
	size_t i;
	int ret;

	*out = NULL;
	if (w->iommu < -1 || w->iommu > 1)
		return p2pdma_fail(e, -EINVAL, "--iommu takes on or off");
	ret = p2pdma_policy_sync(p);
	if (ret)
		return p2pdma_fail(e, ret, "cannot index the machine");
	r = calloc(1, sizeof(*r));
	if (!r)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	if (w->cpu && (ret = apply_cpu(p, w->cpu, r, e))) {
		p2pdma_whatif_report_free(r);
		return ret;
	}
	ret = p2pdma_cmdline_acs_params(w->cmdline, &a);
	for (i = 0; !ret && i < a.nr_notes; i++)
		ret = p2pdma_strv_pushf(&r->notes, &r->nr_notes, "%s", a.notes[i]);
	had = a.disable_acs_redir || a.config_acs;
	if (!ret)
		ret = p2pdma_acs_params_at(p->rel.v, &a, &r->kernel_log, &r->nr_kernel_log,
					   &r->notes, &r->nr_notes);
	if (!ret && (a.disable_acs_redir || a.config_acs || w->iommu == 1)) {
		ret = p2pdma_strv_pushf(&r->notes, &r->nr_notes,
					"the loaded ACS Control values are what the running kernel left; they are taken as the firmware values of the kernel's merge, so bits a kernel with an IOMMU already set look like firmware bits here");
		if (!ret)
			ret = apply_params(p, &a, w->iommu == 1, r);
	} else if (!ret && w->cmdline && !a.nr_notes && !had) {
		ret = p2pdma_strv_pushf(&r->notes, &r->nr_notes,
					"the command line has no pci=disable_acs_redir= or pci=config_acs=: no ACS register changes");
	}
	p2pdma_acs_params_free(&a);
	if (ret) {
		p2pdma_whatif_report_free(r);
		return p2pdma_fail(e, ret, "out of memory");
	}
	*out = r;
	return 0;
}

int p2pdma_whatif_set(struct p2pdma_whatif *w, const char *option,
		      const char *value, struct p2pdma_error *e)
{
	struct p2pdma_cpu cpu;

	if (!strcmp(option, "cmdline")) {
		w->cmdline = value;
	} else if (!strcmp(option, "iommu")) {
		if (!strcmp(value, "on"))
			w->iommu = 1;
		else if (!strcmp(value, "off"))
			w->iommu = 0;
		else
			return p2pdma_fail(e, -EINVAL, "--iommu takes on or off, not '%s'", value);
	} else if (!strcmp(option, "cpu")) {
		if (p2pdma_cpu_parse(value, &cpu, e))
			return -EINVAL;
		w->cpu = value;
	} else {
		return p2pdma_fail(e, -EINVAL, "unknown what-if option '%s'", option);
	}
	return 0;
}

bool p2pdma_whatif_any(const struct p2pdma_whatif *w)
{
	return w->cmdline || w->iommu == 1 || w->cpu;
}

void p2pdma_whatif_report_free(struct p2pdma_whatif_report *r)
{
	if (!r)
		return;
	p2pdma_strv_free(r->kernel_log, r->nr_kernel_log);
	p2pdma_strv_free(r->notes, r->nr_notes);
	free(r->changes);
	free(r);
}
