// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The copy engine: NVMe namespace to NVMe namespace through a set of
 * reused buffers, in p2pmem (the peer-to-peer offload P2PDMA exists for)
 * or in host memory (the bounce buffer it avoids).  The source
 * controller's Read writes a chunk into a buffer, the destination
 * controller's Write reads it out; @depth buffers keep that many chunks
 * in flight, the way a queue pair would.
 *
 * Choosing the buffer follows the kernel: the provider pci_p2pmem_find
 * would pick, the verdict per device, and -EREMOTEIO from the map.  A
 * refusal never fails the copy: it falls back to host memory and says
 * why, with the fix, in one line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "sim_internal.h"

#define MAX_DEPTH	1024u
#define CHECK_PIECE	(1ULL << 20)

struct copy {
	struct p2pdma_sim *s;
	const struct p2pdma_sim_copy_req *req;
	struct p2pdma_sim_copy_result *res;
	struct p2pdma_sim_nvme *src, *dst;
	struct p2pdma_sim_ns_info sns, dns;
	uint64_t chunk;
	unsigned int depth;
	struct p2pdma_provider *prov;		/* NULL: host memory */
	struct p2pdma_sgl sgl[2];		/* the buffers, mapped for src and dst */
	bool p2p_alloc;
	uint64_t phys;
};

static const char *name_of(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

/* ---------------------------------------------------------------------- */
/* The request                                                             */

static int check_end(struct copy *c, const struct p2pdma_sim_ns_ref *r,
		     struct p2pdma_sim_nvme **n, struct p2pdma_sim_ns_info *info,
		     const char *what, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	uint64_t bytes;

	if (!r->fn || !sim_fn_valid(c->s, r->fn))
		return p2pdma_fail(e, -EINVAL, "the %s is not a function of this machine", what);
	name_of(r->fn, name);
	*n = p2pdma_sim_nvme(c->s, r->fn);
	if (!*n)
		return p2pdma_fail(e, -EINVAL, "%s %s is not an NVMe controller (class %06x)", what,
				   name, r->fn->class_code);
	if (p2pdma_sim_nvme_ns(*n, r->nsid ? r->nsid : 1, info, e))
		return -EINVAL;
	bytes = info->nr_blocks * info->block_size;
	if (r->offset % info->block_size || c->req->size % info->block_size)
		return p2pdma_fail(e, -EINVAL,
				   "%s %s namespace %u: offset %llu and size %llu must be multiples of its block size (%u)",
				   what, name, info->nsid, (unsigned long long)r->offset,
				   (unsigned long long)c->req->size, info->block_size);
	if (r->offset >= bytes || c->req->size > bytes - r->offset)
		return p2pdma_fail(e, -EINVAL,
				   "%s %s namespace %u: %llu bytes at offset %llu run past its end (%llu bytes)",
				   what, name, info->nsid, (unsigned long long)c->req->size,
				   (unsigned long long)r->offset, (unsigned long long)bytes);
	return 0;
}

static int check_overlap(const struct p2pdma_sim_copy_req *q, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	uint32_t a = q->src.nsid ? q->src.nsid : 1, b = q->dst.nsid ? q->dst.nsid : 1;

	if (q->src.fn != q->dst.fn || a != b)
		return 0;
	if (q->src.offset + q->size <= q->dst.offset || q->dst.offset + q->size <= q->src.offset)
		return 0;
	return p2pdma_fail(e, -EINVAL,
			   "source and destination overlap on %s namespace %u ([%llu, +%llu) and [%llu, +%llu))",
			   name_of(q->src.fn, name), a, (unsigned long long)q->src.offset,
			   (unsigned long long)q->size, (unsigned long long)q->dst.offset,
			   (unsigned long long)q->size);
}

static int check_chunk(struct copy *c, struct p2pdma_error *e)
{
	uint32_t bs = c->sns.block_size > c->dns.block_size ? c->sns.block_size : c->dns.block_size;

	c->chunk = c->req->chunk ? c->req->chunk : P2PDMA_SIM_COPY_CHUNK;
	c->depth = c->req->depth ? c->req->depth : P2PDMA_SIM_COPY_DEPTH;
	if (c->chunk % c->sns.block_size || c->chunk % c->dns.block_size)
		return p2pdma_fail(e, -EINVAL, "chunk %llu is not a multiple of the block size (%u)",
				   (unsigned long long)c->chunk, bs);
	if (c->chunk % P2PDMA_PAGE_SIZE)
		return p2pdma_fail(e, -EINVAL, "chunk %llu is not a multiple of the page size (4096)",
				   (unsigned long long)c->chunk);
	if (c->depth > MAX_DEPTH)
		return p2pdma_fail(e, -EINVAL, "depth %u is more than %u", c->depth, MAX_DEPTH);
	if (c->chunk > UINT64_MAX / c->depth)
		return p2pdma_fail(e, -EINVAL, "chunk x depth overflows");
	return 0;
}

static int check_request(struct copy *c, struct p2pdma_error *e)
{
	int ret;

	if (!c->req->size)
		return p2pdma_fail(e, -EINVAL, "nothing to copy: size 0");
	ret = check_end(c, &c->req->src, &c->src, &c->sns, "source", e);
	if (!ret)
		ret = check_end(c, &c->req->dst, &c->dst, &c->dns, "destination", e);
	if (!ret)
		ret = check_overlap(c->req, e);
	if (!ret)
		ret = check_chunk(c, e);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Choosing the buffer                                                     */

/* One line, whatever the policy's text holds. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\t')
			*s = ' ';
}

static void set_fallback(struct copy *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_fallback(struct copy *c, const char *fmt, ...)
{
	va_list ap;

	c->res->fallback = true;
	va_start(ap, fmt);
	vsnprintf(c->res->fallback_reason, sizeof(c->res->fallback_reason), fmt, ap);
	va_end(ap);
	one_line(c->res->fallback_reason);
	c->prov = NULL;
	/* The legs now use host memory: no peer-to-peer verdict applies. */
	c->res->leg[0].map_type = c->res->leg[1].map_type = P2PDMA_MAP_UNKNOWN;
}

/* The first line of the verdict's fix: the lasting one (the kernel argument). */
static const char *fix_of(const struct p2pdma_verdict *v, char *buf, size_t len)
{
	const char *nl;

	if (v->fix_cmdline) {
		snprintf(buf, len, "boot with %s", v->fix_cmdline);
		return buf;
	}
	if (!v->fix)
		return "none known";
	nl = strchr(v->fix, '\n');
	snprintf(buf, len, "%.*s", nl ? (int)(nl - v->fix) : (int)strlen(v->fix), v->fix);
	return buf;
}

/*
 * Both devices' verdicts for the provider; 1 when one refuses (and the
 * fallback is set), 0 when both may use it.
 */
static int verdicts(struct copy *c, const struct p2pdma_function *pf, struct p2pdma_error *e)
{
	const struct p2pdma_function *dev[2] = { c->req->src.fn, c->req->dst.fn };
	char p[P2PDMA_BDF_STRLEN], d[P2PDMA_BDF_STRLEN], fix[512];
	int i, ret;

	for (i = 0; i < 2; i++) {
		struct p2pdma_verdict *v = NULL;

		ret = p2pdma_verdict_get(c->s->policy, pf, dev[i], NULL, &v, e);
		if (ret)
			return ret;
		c->res->leg[i].map_type = v->map_type;
		if (v->map_type == P2PDMA_MAP_NOT_SUPPORTED) {
			set_fallback(c, "p2pmem of %s is NOT_SUPPORTED for %s: %s; fix: %s",
				     name_of(pf, p), name_of(dev[i], d),
				     v->reason ? v->reason : "refused", fix_of(v, fix, sizeof(fix)));
			p2pdma_verdict_free(v);
			return 1;
		}
		p2pdma_verdict_free(v);
	}
	return 0;
}

/* What pci_p2pmem_find_many() would hand out for {src, dst}; NULL and the fallback when none. */
static const struct p2pdma_function *choose_auto(struct copy *c, struct p2pdma_error *e)
{
	struct p2pdma_client cl[2] = { { .fn = c->req->src.fn }, { .fn = c->req->dst.fn } };
	const struct p2pdma_function *chosen = NULL;
	struct p2pdma_find_result *r = NULL;
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN];

	if (p2pdma_find(c->s->policy, cl, 2, c->req->seed, &r, e))
		return NULL;
	chosen = r->chosen;
	if (!chosen && r->nr_candidates) {
		/* Say why the first candidate is refused: the fix is there. */
		if (verdicts(c, r->candidates[0].provider, e) == 0)
			set_fallback(c, "no published p2pmem provider serves both %s and %s",
				     name_of(cl[0].fn, a), name_of(cl[1].fn, b));
	} else if (!chosen) {
		set_fallback(c, "no published p2pmem provider on this machine; fix: describe or enable one (an NVMe CMB, a p2pmem card)");
	}
	p2pdma_find_result_free(r);
	return chosen;
}

static int choose(struct copy *c, struct p2pdma_error *e)
{
	const struct p2pdma_function *pf = NULL;
	char name[P2PDMA_BDF_STRLEN];
	int ret;

	switch (c->req->via) {
	case P2PDMA_SIM_VIA_HOST:
		return 0;
	case P2PDMA_SIM_VIA_PROVIDER:
		pf = c->req->via_fn;
		if (!pf || !sim_fn_valid(c->s, pf))
			return p2pdma_fail(e, -EINVAL, "the provider is not a function of this machine");
		if (!p2pdma_provider_find(c->s->mem, pf))
			return p2pdma_fail(e, -EINVAL, "%s has no p2pmem: it is not a provider",
					   name_of(pf, name));
		break;
	case P2PDMA_SIM_VIA_AUTO:
		e->err = 0;
		pf = choose_auto(c, e);
		if (!pf)
			return e->err;
		break;
	default:
		return p2pdma_fail(e, -EINVAL, "unknown buffer choice %d", (int)c->req->via);
	}
	c->prov = p2pdma_provider_find(c->s->mem, pf);
	if (c->chunk * c->depth > p2pdma_provider_size(c->prov))
		return p2pdma_fail(e, -EINVAL,
				   "%llu buffers of %llu bytes do not fit in the p2pmem pool of %s (%llu bytes): use a smaller --chunk or --depth",
				   (unsigned long long)c->depth, (unsigned long long)c->chunk,
				   name_of(pf, name), (unsigned long long)p2pdma_provider_size(c->prov));
	ret = verdicts(c, pf, e);
	return ret > 0 ? 0 : ret;
}

/* ---------------------------------------------------------------------- */
/* Buffers                                                                 */

static void release(struct copy *c)
{
	struct p2pdma_dma *d = c->s->dma;
	const struct p2pdma_function *dev[2] = { c->req->src.fn, c->req->dst.fn };
	int i;

	for (i = 0; i < 2; i++) {
		if (c->sgl[i].mapped)
			p2pdma_dma_unmap_sg(d, dev[i], &c->sgl[i], NULL);
		p2pdma_sgl_release(&c->sgl[i]);
		p2pdma_sgl_init(&c->sgl[i]);
	}
	if (c->p2p_alloc)
		p2pdma_p2pmem_free(c->prov, c->phys, c->chunk * c->depth, NULL);
	c->p2p_alloc = false;
}

static int alloc_buffers(struct copy *c, struct p2pdma_error *e)
{
	uint64_t total = c->chunk * c->depth;
	unsigned int k;
	int i, ret;

	if (c->prov) {
		ret = p2pdma_p2pmem_alloc(c->prov, total, &c->phys, e);
		if (ret == -ENOMEM) {
			set_fallback(c, "%s", e->reason);
			return alloc_buffers(c, e);
		}
		c->p2p_alloc = !ret;
	} else {
		ret = p2pdma_mem_host_alloc(c->s->mem, total, &c->phys, e);
	}
	for (i = 0; i < 2 && !ret; i++)
		for (k = 0; k < c->depth && !ret; k++)
			ret = p2pdma_sgl_add(&c->sgl[i], c->phys + k * c->chunk, c->chunk, e);
	return ret;
}

/* Map for both devices; a p2pmem map refused with -EREMOTEIO falls back. */
static int map_buffers(struct copy *c, struct p2pdma_error *e)
{
	const struct p2pdma_function *dev[2] = { c->req->src.fn, c->req->dst.fn };
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = p2pdma_dma_map_sg(c->s->dma, dev[i], &c->sgl[i], e);
		if (ret == -EREMOTEIO && c->prov) {
			set_fallback(c, "the DMA map refused p2pmem: %s", e->reason);
			release(c);
			ret = alloc_buffers(c, e);
			return ret ? ret : map_buffers(c, e);
		}
		if (ret < 0)
			return ret;
		c->res->leg[i].how = c->sgl[i].sg[0].how;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Moving                                                                  */

static uint64_t chunk_len(const struct copy *c, uint64_t i)
{
	uint64_t left = c->req->size - i * c->chunk;

	return left < c->chunk ? left : c->chunk;
}

static int leg(struct copy *c, uint64_t i, bool read, struct p2pdma_error *e)
{
	const struct p2pdma_sim_ns_ref *r = read ? &c->req->src : &c->req->dst;
	const struct p2pdma_sim_ns_info *ni = read ? &c->sns : &c->dns;
	struct p2pdma_sim_dma_seg seg = {
		.addr = c->sgl[read ? 0 : 1].sg[i % c->depth].seg_dma,
		.len = chunk_len(c, i),
	};
	uint64_t slba = (r->offset + i * c->chunk) / ni->block_size;

	if (read)
		return p2pdma_sim_nvme_read(c->s, c->src, ni->nsid, slba, seg.len / ni->block_size,
					    &seg, 1, e);
	return p2pdma_sim_nvme_write(c->s, c->dst, ni->nsid, slba, seg.len / ni->block_size,
				     &seg, 1, e);
}

/* Chunk i is read into buffer i % depth once chunk i - depth has been written out of it. */
static int pump(struct copy *c, struct p2pdma_error *e)
{
	uint64_t n = (c->req->size + c->chunk - 1) / c->chunk, i;
	int ret;

	for (i = 0; i < n + c->depth - 1; i++) {
		if (i < n) {
			ret = leg(c, i, true, e);
			if (ret)
				return ret;
		}
		if (i >= c->depth - 1) {
			ret = leg(c, i - (c->depth - 1), false, e);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* The first DMA of each leg, routed for the report (nothing moves). */
static void describe_legs(struct copy *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		c->res->leg[i].dev = i ? c->req->dst.fn : c->req->src.fn;
		p2pdma_sim_route(c->s, c->res->leg[i].dev, c->sgl[i].sg[0].seg_dma,
				 chunk_len(c, 0), i == 0, &c->res->leg[i].route, NULL);
	}
}

static int verify(struct copy *c, struct p2pdma_error *e)
{
	uint8_t *a = malloc(CHECK_PIECE), *b = malloc(CHECK_PIECE);
	uint64_t off;
	int ret = 0;

	if (!a || !b) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory for --check");
		goto out;
	}
	c->res->checked = true;
	c->res->data_ok = true;
	for (off = 0; off < c->req->size && !ret; off += CHECK_PIECE) {
		uint64_t n = c->req->size - off < CHECK_PIECE ? c->req->size - off : CHECK_PIECE, k;

		ret = p2pdma_sim_nvme_peek(c->src, c->sns.nsid, c->req->src.offset + off, a, n, e);
		if (!ret)
			ret = p2pdma_sim_nvme_peek(c->dst, c->dns.nsid, c->req->dst.offset + off, b, n, e);
		if (ret || !memcmp(a, b, n))
			continue;
		for (k = 0; a[k] == b[k]; k++)
			;
		c->res->data_ok = false;
		c->res->first_diff = off + k;
		break;
	}
out:
	free(a);
	free(b);
	return ret;
}

static void account(struct copy *c, const struct p2pdma_sim_stats *before)
{
	struct p2pdma_sim_stats now;

	p2pdma_sim_stats(c->s, &now);
	c->res->host_memory_bytes = now.host_mem_written + now.host_mem_read -
				    before->host_mem_written - before->host_mem_read;
	c->res->switch_local_bytes = now.switch_local_bytes - before->switch_local_bytes;
	c->res->rc_bytes = now.rc_bytes - before->rc_bytes;
	c->res->internal_bytes = now.internal_bytes - before->internal_bytes;
	c->res->dmas = now.dmas - before->dmas;
}

int p2pdma_sim_copy(struct p2pdma_sim *s, const struct p2pdma_sim_copy_req *req,
		    struct p2pdma_sim_copy_result *res, struct p2pdma_error *e)
{
	struct copy c = { .s = s, .req = req, .res = res };
	struct p2pdma_error local = { 0 };
	struct p2pdma_sim_stats before;
	int ret;

	if (!e)
		e = &local;
	memset(res, 0, sizeof(*res));
	p2pdma_sgl_init(&c.sgl[0]);
	p2pdma_sgl_init(&c.sgl[1]);
	ret = check_request(&c, e);
	if (!ret)
		ret = choose(&c, e);
	if (!ret)
		ret = alloc_buffers(&c, e);
	if (!ret)
		ret = map_buffers(&c, e);
	if (ret)
		goto out;
	res->provider = c.prov ? p2pdma_provider_function(c.prov) : NULL;
	res->chunk = c.chunk;
	res->depth = c.depth;
	res->buffer_phys = c.phys;
	describe_legs(&c);
	p2pdma_sim_stats(s, &before);
	ret = pump(&c, e);
	account(&c, &before);
	if (!ret)
		res->bytes = req->size;
	if (!ret && req->check)
		ret = verify(&c, e);
out:
	release(&c);
	return ret;
}
