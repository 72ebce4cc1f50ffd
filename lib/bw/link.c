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

/* Functions of one device share its link: same bus and device number. */
static bool same_device(const struct p2pdma_function *a, const struct p2pdma_function *b)
{
	return a->bdf.domain == b->bdf.domain && a->bdf.bus == b->bdf.bus &&
	       a->bdf.dev == b->bdf.dev;
}

const struct p2pdma_function *bw_link_owner(const struct p2pdma_function *fn)
{
	struct p2pdma_function *const *sib;
	size_t i, n;

	if (fn->physfn)
		fn = fn->physfn;
	sib = fn->parent ? fn->parent->children : fn->host->children;
	n = fn->parent ? fn->parent->nr_children : fn->host->nr_children;
	/* Siblings are sorted by BDF: the first of the device comes first. */
	for (i = 0; i < n; i++)
		if (same_device(sib[i], fn))
			return sib[i];
	return fn;
}

/*
 * A GPU or accelerator whose memory a transfer can land in: its class,
 * and a prefetchable memory BAR of 256 MiB or more (a BMC's VGA has a
 * small one; GPUs expose their memory through a large one).
 */
bool bw_is_gpu(const struct p2pdma_function *fn)
{
	unsigned int base = fn->class_code >> 16;
	int i;

	if (base != 0x03 && base != 0x12)
		return false;
	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		if ((fn->bars[i].flags & P2PDMA_BAR_PREFETCH) && fn->bars[i].size >= (256ULL << 20))
			return true;
	return false;
}

/*
 * Memory a transfer can land in directly: a GPU, or a p2pmem device that
 * is not itself a drive or a NIC (a p2pmem card).
 */
bool bw_is_memory(const struct p2pdma_function *fn)
{
	unsigned int base = fn->class_code >> 16;

	return bw_is_gpu(fn) || (fn->p2pmem.present && base != 0x01 && base != 0x02);
}
