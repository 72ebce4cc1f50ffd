// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Prometheus text exposition format, for node_exporter's textfile
 * collector (--collector.textfile.directory): per pair its map type (as
 * a label, value 1) and distance, per port with ACS its redirect state,
 * and the blocked-pair count.  Every family has HELP and TYPE lines and
 * all of its samples together, as the format requires.
 */
#include <stdio.h>

#include "export_int.h"

static const char *bdf(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

static void family(struct p2pdma_buf *b, const char *name, const char *help)
{
	p2pdma_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static const char *type_label(const struct p2pdma_fast *fv)
{
	return fv->certain ? p2pdma_map_type_name(fv->type) : "UNCERTAIN";
}

/* @distance: the distance family, else the map-type family. */
static void pairs(struct p2pdma_buf *b, struct p2pdma_policy *p,
		  const struct p2pdma_doctor *d, bool distance)
{
	char x[P2PDMA_BDF_STRLEN], y[P2PDMA_BDF_STRLEN];
	size_t i, j;

	for (i = 0; i < d->nr_devs; i++)
		for (j = i + 1; j < d->nr_devs; j++) {
			struct p2pdma_fast fv;

			p2pdma_fast_verdict(p, d->devs[i]->index, d->devs[j]->index, &fv);
			p2pdma_buf_printf(b, "p2pdma_pair_%s{provider=\"%s\",client=\"%s\"", distance ?
					  "distance" : "map_type", bdf(d->devs[i], x), bdf(d->devs[j], y));
			if (distance)
				p2pdma_buf_printf(b, "} %d\n", fv.distance);
			else
				p2pdma_buf_printf(b, ",map_type=\"%s\"} 1\n", type_label(&fv));
		}
}

static void ports(struct p2pdma_buf *b, const struct p2pdma_fabric *f)
{
	char x[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < f->nr_fns; i++)
		if (p2pdma_function_is_bridge(f->fns[i]) && f->fns[i]->acs_state == P2PDMA_ACS_PRESENT)
			p2pdma_buf_printf(b, "p2pdma_port_acs_redirect{port=\"%s\"} %d\n", bdf(f->fns[i], x),
					  !!(f->fns[i]->acs_ctrl & P2PDMA_ACS_REDIRECT_MASK));
}

int p2pdma_export_prometheus(struct p2pdma_policy *p, const struct p2pdma_doctor *d,
			     struct p2pdma_buf *b)
{
	family(b, "p2pdma_pair_map_type",
	       "The kernel's P2PDMA map type for a device pair (label map_type; UNCERTAIN when ACS or the CPU is unknown).");
	pairs(b, p, d, false);
	family(b, "p2pdma_pair_distance", "The kernel's P2PDMA distance for a device pair.");
	pairs(b, p, d, true);
	family(b, "p2pdma_port_acs_redirect", "1 when ACS P2P request/completion redirect or egress control is on at this port.");
	ports(b, p2pdma_policy_fabric(p));
	family(b, "p2pdma_blocked_pairs", "Device pairs the kernel refuses (or may refuse) peer-to-peer DMA.");
	p2pdma_buf_printf(b, "p2pdma_blocked_pairs %zu\n", d->nr_blocked);
	family(b, "p2pdma_pairs", "Device pairs examined.");
	p2pdma_buf_printf(b, "p2pdma_pairs %zu\n", d->nr_pairs);
	return 0;
}
