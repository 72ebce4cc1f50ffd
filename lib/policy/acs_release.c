// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pci_enable_acs() as each kernel release does it (KERNEL-FACTS 11.2,
 * 11.4), for the what-if of whatif.c:
 *
 *   - before 6.11: no pci=config_acs= (pci_setup() calls it an unknown
 *     option); disable_acs_redir clears RR, CR and EC in the current
 *     value (after the IOMMU's enable) and says "disabled ACS redirect",
 *     or, on a matched device without ACS, that it cannot;
 *   - 6.11 until the fix (mainline 6.15, 6.12-stable from 6.12.23):
 *     ctrl = (ctrl & ~mask) | (fw_ctrl & mask), then ctrl |= flags; so
 *     disable_acs_redir keeps the redirect bits firmware set and forces
 *     every other bit the device has on, and config_acs reads its flags
 *     only from its first entry (later entries fail to parse);
 *   - the fix: ctrl = (fw_ctrl & ~mask) | (flags & mask) (cmdline.c).
 *
 * Intel 100/200-series PCH root ports (SPT/UPT) keep their real ACS
 * Control at cap+8: the kernel's quirk handles the IOMMU enable and both
 * parameters there and leaves the cap+6 word, which P2PDMA reads, as it
 * was, in every release.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

#define IOMMU_BITS (P2PDMA_ACS_SV | P2PDMA_ACS_RR | P2PDMA_ACS_CR | P2PDMA_ACS_UF)
#define STABLE_FIX P2PDMA_KVER(6, 12, 23)	/* 9cf8a952d57b in 6.12-stable */

/* pci_quirk_intel_spt_pch_acs_match(): root ports of these device ranges. */
bool p2pdma_acs_spt_quirk(const struct p2pdma_function *fn)
{
	static const uint16_t ranges[][2] = {
		{ 0xa110, 0xa11f }, { 0xa167, 0xa16a }, { 0xa290, 0xa29f },
		{ 0xa2e7, 0xa2ee }, { 0x9d10, 0x9d1b },
	};
	size_t i;

	if (fn->vendor != 0x8086 || !p2pdma_is_root_port(fn))
		return false;
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		if (fn->device >= ranges[i][0] && fn->device <= ranges[i][1])
			return true;
	return false;
}

/* Does release @v merge with the 6.11 formula that kept firmware bits? */
bool p2pdma_acs_fw_merge_bug(uint32_t v)
{
	if (!p2pdma_rel_has(v, P2PDMA_REL_ACS_FW_MERGE))
		return false;
	/* 6.12.y took the fix in April 2025. */
	return !(v >= STABLE_FIX && v < P2PDMA_KVER(6, 13, 0));
}

static void log_dev(char ***log, size_t *nr, const struct p2pdma_function *fn,
		    const char *msg)
{
	char name[P2PDMA_BDF_STRLEN];

	p2pdma_strv_pushf(log, nr, "pci %s: %s",
			  p2pdma_bdf_format(&fn->bdf, name, sizeof(name)), msg);
}

/* Whether @param names @fn; *bad when the kernel could not parse it. */
static bool param_matches(const struct p2pdma_function *fn, const char *param, bool *bad)
{
	const char *p = param;
	int ret = 0;

	*bad = false;
	while (p && *p) {
		ret = p2pdma_dev_str_match(fn, p, &p);
		if (ret < 0) {
			*bad = true;
			return false;
		}
		if (ret == 1)
			return true;
		if (*p != ';' && *p != ',')
			return false;
		p++;
	}
	return false;
}

/* Before 6.11: pci_disable_acs_redir(), on the value the IOMMU left. */
static void old_disable_redir(const struct p2pdma_function *fn, const char *param,
			      uint16_t *ctrl, struct p2pdma_acs_log *l)
{
	bool bad;

	if (!param_matches(fn, param, &bad)) {
		if (bad && !*l->once) {
			p2pdma_strv_pushf(l->log, l->nr,
					  "PCI: Can't parse disable_acs_redir parameter: %s", param);
			*l->once = true;
		}
		return;
	}
	if (p2pdma_acs_spt_quirk(fn)) {
		log_dev(l->log, l->nr, fn, "Intel SPT PCH root port workaround: disabled ACS redirect");
		return;
	}
	if (fn->acs_state == P2PDMA_ACS_ABSENT) {
		log_dev(l->log, l->nr, fn,
			"cannot disable ACS redirect for this hardware as it does not have ACS capabilities");
		return;
	}
	*ctrl &= (uint16_t)~P2PDMA_ACS_REDIRECT_MASK;
	log_dev(l->log, l->nr, fn, "disabled ACS redirect");
}

/* The 6.11 merge: ctrl = (ctrl & ~mask) | (fw & mask); ctrl |= flags. */
static void buggy_merge(const struct p2pdma_function *fn, uint16_t mask, uint16_t flags,
			uint16_t fw, uint16_t *ctrl, struct p2pdma_acs_log *l)
{
	char msg[64];

	*ctrl = (uint16_t)((*ctrl & ~mask) | (fw & mask));
	/* A bit the device does not implement reads back as 0. */
	*ctrl |= flags & fn->acs_cap;
	snprintf(msg, sizeof(msg), "Configured ACS to 0x%04x", *ctrl);
	log_dev(l->log, l->nr, fn, msg);
}

/* 6.11 to the fix: config_acs flags come from the first entry only. */
static void buggy_config_acs(const struct p2pdma_function *fn, const char *param,
			     uint16_t fw, uint16_t *ctrl, struct p2pdma_acs_log *l)
{
	size_t first = strcspn(param, ";,");
	char *one = strndup(param, first), **scratch = NULL;
	uint16_t flags = 0, mask = 0;
	size_t nr = 0;
	bool once = true;

	if (!one)
		return;
	if (p2pdma_config_acs(fn, one, 0, 0, 0, &flags, &mask, &scratch, &nr, &once)) {
		buggy_merge(fn, mask, flags, fw, ctrl, l);
	} else if (nr) {
		/* The first entry's own complaint ("ACS Flags missing", ...). */
		p2pdma_strv_push(l->log, l->nr, scratch[--nr]);
	} else if (param[first] && !*l->once) {
		/* The next entry is read as a device name: it does not parse. */
		p2pdma_strv_pushf(l->log, l->nr, "PCI: Can't parse ACS command line parameter");
		*l->once = true;
	}
	p2pdma_strv_free(scratch, nr);
	free(one);
}

static void buggy_disable_redir(const struct p2pdma_function *fn, const char *param,
				uint16_t fw, uint16_t *ctrl, struct p2pdma_acs_log *l)
{
	bool bad;

	if (!param_matches(fn, param, &bad)) {
		if (bad && !*l->once) {
			p2pdma_strv_pushf(l->log, l->nr, "PCI: Can't parse ACS command line parameter");
			*l->once = true;
		}
		return;
	}
	buggy_merge(fn, P2PDMA_ACS_REDIRECT_MASK, (uint16_t)~P2PDMA_ACS_REDIRECT_MASK, fw,
		    ctrl, l);
}

/* The SPT quirk takes both parameters: one line, the cap+6 word untouched. */
static bool spt_params(const struct p2pdma_function *fn, const struct p2pdma_acs_params *a,
		       struct p2pdma_acs_log *l)
{
	bool bad;

	if (!p2pdma_acs_spt_quirk(fn))
		return false;
	if (param_matches(fn, a->disable_acs_redir, &bad) ||
	    param_matches(fn, a->config_acs, &bad))
		log_dev(l->log, l->nr, fn, "Intel SPT PCH root port workaround: disabled ACS redirect");
	return true;
}

void p2pdma_acs_enable_at(uint32_t v, const struct p2pdma_function *fn,
			  const struct p2pdma_acs_params *a, bool iommu, uint16_t *ctrl,
			  struct p2pdma_acs_log *l)
{
	uint16_t fw = *ctrl;

	/* The SPT quirk's enable writes cap+8 and skips the standard one. */
	if (iommu && !p2pdma_acs_spt_quirk(fn)) {
		*ctrl |= fn->acs_cap & IOMMU_BITS;
		if (a->noats)
			*ctrl |= fn->acs_cap & P2PDMA_ACS_TB;
	}
	if (!p2pdma_rel_has(v, P2PDMA_REL_CONFIG_ACS)) {
		old_disable_redir(fn, a->disable_acs_redir, ctrl, l);
		return;
	}
	if (spt_params(fn, a, l))
		return;
	if (p2pdma_acs_fw_merge_bug(v)) {
		if (a->disable_acs_redir)
			buggy_disable_redir(fn, a->disable_acs_redir, fw, ctrl, l);
		if (a->config_acs)
			buggy_config_acs(fn, a->config_acs, fw, ctrl, l);
		return;
	}
	p2pdma_config_acs(fn, a->disable_acs_redir, P2PDMA_ACS_REDIRECT_MASK,
			  (uint16_t)~P2PDMA_ACS_REDIRECT_MASK, fw, ctrl, NULL, l->log, l->nr,
			  l->once);
	p2pdma_config_acs(fn, a->config_acs, 0, 0, fw, ctrl, NULL, l->log, l->nr, l->once);
}

/* A device without ACS: only the pre-6.11 kernel says anything about it. */
void p2pdma_acs_absent_at(uint32_t v, const struct p2pdma_function *fn,
			  const struct p2pdma_acs_params *a, struct p2pdma_acs_log *l)
{
	uint16_t ctrl = 0;

	if (!p2pdma_rel_has(v, P2PDMA_REL_CONFIG_ACS) && a->disable_acs_redir)
		old_disable_redir(fn, a->disable_acs_redir, &ctrl, l);
}

/*
 * Whether the parameters leave RR, CR and EC clear on a device whose
 * register is unknown, whatever it held.  Only merges that start from a
 * value the parameter wholly sets can say so: the fixed one, and the
 * pre-6.11 clearing of the redirect bits.
 */
bool p2pdma_acs_unknown_cleared(uint32_t v, const struct p2pdma_function *fn,
				const struct p2pdma_acs_params *a)
{
	uint16_t ctrl = 0xffff;
	char **scratch = NULL;
	size_t nr = 0;
	bool once = true, hit, bad;

	if (p2pdma_acs_spt_quirk(fn))
		return false;
	if (!p2pdma_rel_has(v, P2PDMA_REL_CONFIG_ACS))
		return param_matches(fn, a->disable_acs_redir, &bad);
	if (p2pdma_acs_fw_merge_bug(v))
		return false;
	hit = p2pdma_config_acs(fn, a->disable_acs_redir, P2PDMA_ACS_REDIRECT_MASK,
				(uint16_t)~P2PDMA_ACS_REDIRECT_MASK, 0xffff, &ctrl, NULL,
				&scratch, &nr, &once);
	hit |= p2pdma_config_acs(fn, a->config_acs, 0, 0, 0xffff, &ctrl, NULL,
				 &scratch, &nr, &once);
	p2pdma_strv_free(scratch, nr);
	return hit && !(ctrl & P2PDMA_ACS_REDIRECT_MASK);
}

/*
 * Parameters release @v does not know: config_acs before 6.11 is an
 * unknown pci= option, logged and ignored.  Notes say where the release
 * decides.
 */
int p2pdma_acs_params_at(uint32_t v, struct p2pdma_acs_params *a, char ***log, size_t *nr,
			 char ***notes, size_t *nr_notes)
{
	int ret = 0;

	if (a->config_acs && !p2pdma_rel_has(v, P2PDMA_REL_CONFIG_ACS)) {
		ret = p2pdma_strv_pushf(log, nr, "PCI: Unknown option `config_acs=%s'",
					a->config_acs);
		if (!ret)
			ret = p2pdma_strv_pushf(notes, nr_notes,
						"pci=config_acs= arrived in 6.11: this kernel ignores it");
		free(a->config_acs);
		a->config_acs = NULL;
	}
	if (!ret && (a->config_acs || a->disable_acs_redir) && p2pdma_acs_fw_merge_bug(v))
		ret = p2pdma_strv_pushf(notes, nr_notes,
					"this kernel merges the parameters with the 6.11 formula: disable_acs_redir keeps redirect bits the firmware set and turns every other ACS feature the device has on, and config_acs takes its flags from its first entry only (fixed in 6.15 and in 6.12-stable from 6.12.23; a distribution kernel may carry the fix)");
	else if (!ret && (a->config_acs || a->disable_acs_redir) &&
		 p2pdma_rel_has(v, P2PDMA_REL_ACS_FW_MERGE))
		ret = p2pdma_strv_pushf(notes, nr_notes,
					"6.12.y before 6.12.23 (and 6.11, 6.13, 6.14 without the stable fix) kept redirect bits the firmware set here: this answer is for a kernel with the fix");
	return ret;
}
