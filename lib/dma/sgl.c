// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Scatter-gather lists: building them, from raw ranges or from the
 * CLI's segment specs, and giving their p2pmem back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"

void p2pdma_sgl_init(struct p2pdma_sgl *s)
{
	memset(s, 0, sizeof(*s));
	s->failed = -1;
}

int p2pdma_sgl_add(struct p2pdma_sgl *s, uint64_t phys, uint64_t len,
		   struct p2pdma_error *e)
{
	struct p2pdma_sg *sg;

	if (s->mapped)
		return p2pdma_fail(e, -EBUSY, "cannot change a mapped list");
	if (!len || phys + len - 1 < phys)
		return p2pdma_fail(e, -EINVAL, "segment [%#llx, %llu bytes]: empty or past 2^64",
				   (unsigned long long)phys, (unsigned long long)len);
	if (p2pdma_grow((void **)&s->sg, &s->cap, s->nents + 1, sizeof(*s->sg)))
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	sg = &s->sg[s->nents++];
	memset(sg, 0, sizeof(*sg));
	sg->phys = phys;
	sg->len = len;
	sg->seg_dma = P2PDMA_DMA_ERROR;
	sg->dma_address = P2PDMA_DMA_ERROR;
	return 0;
}

void p2pdma_sgl_release(struct p2pdma_sgl *s)
{
	free(s->sg);
	p2pdma_sgl_init(s);
}

int p2pdma_segment_spec_parse(const char *s, struct p2pdma_segment_spec *out,
			      struct p2pdma_error *e)
{
	const char *size, *colon;
	char bdf[64];

	memset(out, 0, sizeof(*out));
	if (!s)
		s = "";
	colon = strrchr(s, ':');
	if (!strncmp(s, "host:", 5)) {
		out->kind = P2PDMA_SEGMENT_HOST;
		size = s + 5;
	} else if (!strncmp(s, "p2p:", 4) && colon > s + 4) {
		size_t n = (size_t)(colon - (s + 4));

		out->kind = P2PDMA_SEGMENT_P2P;
		if (n >= sizeof(bdf) || (memcpy(bdf, s + 4, n), bdf[n] = '\0',
					 p2pdma_bdf_parse(bdf, &out->provider)))
			return p2pdma_fail(e, -EINVAL,
					   "segment '%s': '%.*s' is not a PCI address (DDDD:BB:DD.F)",
					   s, (int)n, s + 4);
		size = colon + 1;
	} else {
		return p2pdma_fail(e, -EINVAL,
				   "segment '%s': expected p2p:PROVIDER:SIZE or host:SIZE", s);
	}
	if (p2pdma_size_parse(size, &out->size))
		return p2pdma_fail(e, -EINVAL,
				   "segment '%s': '%s' is not a size (e.g. 4096, 0x1000, 64K, 2M)",
				   s, size);
	if (!out->size)
		return p2pdma_fail(e, -EINVAL, "segment '%s': the size must be more than 0", s);
	return 0;
}

static int alloc_p2p(struct p2pdma_mem *m, const struct p2pdma_segment_spec *sp,
		     struct p2pdma_provider **pp, uint64_t *phys, struct p2pdma_error *e)
{
	char name[P2PDMA_BDF_STRLEN];
	struct p2pdma_provider *p;
	struct p2pdma_function *fn;

	p2pdma_bdf_format(&sp->provider, name, sizeof(name));
	fn = p2pdma_fabric_find(p2pdma_mem_fabric(m), &sp->provider);
	if (!fn)
		return p2pdma_fail(e, -ENOENT, "no PCI function %s in this machine", name);
	p = p2pdma_provider_find(m, fn);
	if (!p)
		return p2pdma_fail(e, -ENOENT, "%s has no p2pmem (it is not a provider)", name);
	*pp = p;
	return p2pdma_p2pmem_alloc(p, sp->size, phys, e);
}

/* Give back the p2pmem of segments [from, nents). */
static void free_from(struct p2pdma_mem *m, struct p2pdma_sgl *s, size_t from)
{
	size_t i;

	for (i = from; i < s->nents; i++) {
		struct p2pmem_range *r;
		struct p2pdma_provider *p = NULL;
		bool partial;

		p2pdma_mem_read_lock(m);
		r = p2pmem_find(m, s->sg[i].phys, s->sg[i].len, &partial);
		if (r)
			p = r->provider;
		p2pdma_mem_read_unlock(m);
		if (p)
			p2pdma_p2pmem_free(p, s->sg[i].phys, s->sg[i].len, NULL);
	}
}

int p2pdma_sgl_from_specs(struct p2pdma_mem *m,
			  const struct p2pdma_segment_spec *specs, size_t n,
			  struct p2pdma_sgl *s, struct p2pdma_error *e)
{
	size_t i, first = s->nents;
	struct p2pdma_provider *p = NULL;
	int ret;

	for (i = 0; i < n; i++) {
		uint64_t phys;

		if (specs[i].kind == P2PDMA_SEGMENT_P2P)
			ret = alloc_p2p(m, &specs[i], &p, &phys, e);
		else
			ret = p2pdma_mem_host_alloc(m, specs[i].size, &phys, e);
		if (!ret) {
			ret = p2pdma_sgl_add(s, phys, specs[i].size, e);
			if (ret && specs[i].kind == P2PDMA_SEGMENT_P2P)
				p2pdma_p2pmem_free(p, phys, specs[i].size, NULL);
		}
		if (ret) {
			free_from(m, s, first);
			s->nents = first;
			return ret;
		}
	}
	return 0;
}

void p2pdma_sgl_free_buffers(struct p2pdma_mem *m, struct p2pdma_sgl *s)
{
	free_from(m, s, 0);
}
