// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Node Feature Discovery: a features.d file of "name=value" lines that
 * NFD's local source turns into node labels
 * feature.node.kubernetes.io/p2pdma.NAME=VALUE.  Label values allow at
 * most 63 characters of [A-Za-z0-9._-], beginning and ending with a
 * letter or digit; anything else in a value (the '+' of "6.1.0+deb12")
 * becomes '_'.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "export_int.h"

static void value(struct p2pdma_buf *b, const char *name, const char *v)
{
	char s[64];
	size_t i, n = strlen(v) < 63 ? strlen(v) : 63;

	for (i = 0; i < n; i++)
		s[i] = isalnum((unsigned char)v[i]) || v[i] == '.' || v[i] == '-' ? v[i] : '_';
	while (n && !isalnum((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	p2pdma_buf_printf(b, "p2pdma.%s=%s\n", name, n && isalnum((unsigned char)s[0]) ? s : "unknown");
}

static void count(struct p2pdma_buf *b, const char *name, size_t n)
{
	p2pdma_buf_printf(b, "p2pdma.%s=%zu\n", name, n);
}

/* "identity", "translated", "mixed" or "none" over the devices doctor looks at. */
static const char *iommu_mode(const struct p2pdma_fabric *f, const struct p2pdma_doctor *d)
{
	size_t i, dma = 0, other = 0;

	for (i = 0; i < d->nr_devs; i++) {
		const struct p2pdma_iommu_group *g = p2pdma_fabric_iommu_group(f, d->devs[i]->iommu_group);

		if (!g)
			continue;
		if (g->type && !strncmp(g->type, "DMA", 3))
			dma++;
		else
			other++;
	}
	if (!dma && !other)
		return "none";
	return dma && other ? "mixed" : dma ? "translated" : "identity";
}

static size_t redirecting_ports(const struct p2pdma_fabric *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->nr_fns; i++)
		n += p2pdma_function_is_bridge(f->fns[i]) && f->fns[i]->acs_state == P2PDMA_ACS_PRESENT &&
		     (f->fns[i]->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK);
	return n;
}

int p2pdma_export_nfd(struct p2pdma_policy *p, const struct p2pdma_doctor *d,
		      const struct p2pdma_p2p_groups *g, struct p2pdma_buf *b)
{
	const struct p2pdma_fabric *f = p2pdma_policy_fabric(p);
	size_t i, largest = 0;
	bool assumed;
	const char *rel = p2pdma_policy_release(p, &assumed);

	for (i = 0; i < g->nr_groups; i++)
		largest = g->groups[i].nr_devs > largest ? g->groups[i].nr_devs : largest;
	value(b, "works", d->nr_blocked ? "false" : "true");
	value(b, "kernel-release", f->kernel_release ? f->kernel_release : "unknown");
	value(b, "kernel-supported", assumed ? "unknown" : p2pdma_policy_has(p, P2PDMA_FEAT_DMA_MAP_SG) ? "true" : "partial");
	value(b, "rules-release", rel);
	value(b, "iommu", iommu_mode(f, d));
	count(b, "acs-redirect-ports", redirecting_ports(f));
	count(b, "devices", d->nr_devs);
	count(b, "pairs", d->nr_pairs);
	count(b, "pairs-bus-addr", d->nr_type[P2PDMA_MAP_BUS_ADDR]);
	count(b, "pairs-host-bridge", d->nr_type[P2PDMA_MAP_THRU_HOST_BRIDGE]);
	count(b, "pairs-blocked", d->nr_blocked);
	count(b, "groups", g->nr_groups);
	count(b, "largest-group", largest);
	return 0;
}
