// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * PCIe link arithmetic: what a link carries per direction, and what a
 * payload byte costs in TLP overhead.  The constants are in params.c.
 */
#include "bw_int.h"

static double encoding(uint32_t mts)
{
	if (mts <= 5000)
		return bw_link.enc_8b10b;
	if (mts < bw_link.flit_mts)
		return bw_link.enc_128b130b;
	return bw_link.enc_flit;
}

double p2pdma_bw_link_raw(uint32_t mts, uint32_t width)
{
	return (double)mts * 1e6 * width * encoding(mts) / 8;
}

static unsigned int framing(uint32_t mts)
{
	return mts >= bw_link.flit_mts ? bw_link.framing_flit : bw_link.framing;
}

/*
 * A write moves @mps bytes per TLP with a request header; a read's data
 * comes back in completions of up to @mps bytes with a completion
 * header, and costs one header-only request per @mrrs bytes the other
 * way.
 */
void p2pdma_bw_tlp_cost(uint32_t mts, unsigned int mps, unsigned int mrrs, bool read,
			struct p2pdma_bw_tlp_cost *out)
{
	double f = framing(mts);

	if (!mps)
		mps = 128;
	if (!mrrs)
		mrrs = 512;
	if (read) {
		out->data = (mps + bw_link.cpl_hdr + f) / mps;
		out->request = (bw_link.req_hdr + f) / mrrs;
	} else {
		out->data = (mps + bw_link.req_hdr + f) / mps;
		out->request = 0;
	}
}

double p2pdma_bw_link_payload(uint32_t mts, uint32_t width, unsigned int mps,
			      unsigned int mrrs, bool read)
{
	struct p2pdma_bw_tlp_cost c;

	p2pdma_bw_tlp_cost(mts, mps, mrrs, read, &c);
	return p2pdma_bw_link_raw(mts, width) / c.data;
}
