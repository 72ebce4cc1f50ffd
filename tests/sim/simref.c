// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reference router and the random world around it (see simref.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simref.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CHECK(x)	do { if (!(x)) simref_fail("%s:%d: %s", __FILE__, __LINE__, #x); } while (0)

static void __attribute__((noreturn, format(printf, 1, 2))) simref_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* xorshift64* */
uint64_t simref_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Hand-worked: which host-bridge pairs the kernel's rule lets through. */
bool simref_fwd_all(const struct p2pdma_host_bridge *in, const struct p2pdma_host_bridge *out)
{
	(void)in;
	(void)out;
	return true;	/* AMD Zen (family 0x19); Ice Lake 0x09a2 host bridges, no SAME flag */
}

bool simref_fwd_same(const struct p2pdma_host_bridge *in, const struct p2pdma_host_bridge *out)
{
	/* mixed.json: 8086:3c00 carries REQ_SAME_HOST_BRIDGE; 8086:2020 does not, but the other side does */
	return in == out;
}

/* ---------------------------------------------------------------------- */
/* The reference                                                           */

static const struct p2pdma_function *ref_up(const struct p2pdma_function *fn)
{
	return fn->physfn ? fn->physfn->parent : fn->parent;
}

static bool ref_below(const struct p2pdma_function *fn, const struct p2pdma_function *anc)
{
	for (; fn; fn = ref_up(fn))
		if (fn == anc)
			return true;
	return false;
}

static size_t ref_dist(const struct p2pdma_function *fn, const struct p2pdma_function *anc)
{
	size_t n = 0;

	for (; fn != anc; fn = ref_up(fn))
		n++;
	return n;
}

static size_t ref_depth(const struct p2pdma_function *fn)
{
	return ref_dist(fn, NULL);
}

static bool mem_bar(const struct p2pdma_bar *b)
{
	return (b->flags & P2PDMA_BAR_MEM) && b->size && b->start;
}

static bool ref_redirect(const struct p2pdma_function *a, const struct p2pdma_function *common,
			 const struct p2pdma_function *t, bool write)
{
	uint16_t mask = P2PDMA_ACS_RR | P2PDMA_ACS_EC | (write ? 0 : P2PDMA_ACS_CR);
	const struct p2pdma_function *fn;

	for (fn = a; fn != common; fn = ref_up(fn))
		if (fn->acs_state == P2PDMA_ACS_PRESENT && (fn->acs_ctrl & mask))
			return true;
	for (fn = t; fn != common; fn = ref_up(fn))
		if (fn->acs_state == P2PDMA_ACS_PRESENT && (fn->acs_ctrl & mask))
			return true;
	return common->acs_state == P2PDMA_ACS_PRESENT && (common->acs_ctrl & mask);
}

/* A BAR target's claim: inside the BAR, inside a live buffer where the BAR holds p2pmem. */
static void ref_claim(struct world *w, struct ref *r, uint64_t len)
{
	const struct p2pdma_bar *b = &r->fn->bars[r->bar];
	struct p2pdma_provider *p = p2pdma_provider_find(p2pdma_sim_mem(w->s), r->fn);
	struct p2pdma_p2pmem_range pr;
	uint64_t a;
	size_t i;

	if (len - 1 > b->start + b->size - 1 - r->phys) {
		r->fault = P2PDMA_SIM_FAULT_UNSUPPORTED;
		return;
	}
	if (!p || p2pdma_provider_range(p, 0, &pr) || r->phys + len <= pr.phys ||
	    r->phys >= pr.phys + pr.size)
		return;
	/* Page by page: every page of the request inside p2pmem must be in a live buffer. */
	for (a = r->phys & ~4095ULL; a < r->phys + len; a += 4096) {
		bool ok = false;

		if (a < pr.phys || a >= pr.phys + pr.size) {
			r->fault = P2PDMA_SIM_FAULT_WILD;
			return;
		}
		for (i = 0; i < w->nr_bufs && !ok; i++)
			ok = w->bufs[i].live && a >= w->bufs[i].phys &&
			     a < w->bufs[i].phys + ((w->bufs[i].size + 4095) & ~4095ULL);
		if (!ok) {
			r->fault = P2PDMA_SIM_FAULT_WILD;
			return;
		}
	}
}

static bool ref_local(struct world *w, const struct p2pdma_function *a, uint64_t addr, uint64_t len,
		      bool write, struct ref *r)
{
	const struct p2pdma_function *t = NULL, *common = NULL, *fn;
	size_t i;
	int b;

	for (i = 0; i < w->f->nr_fns && !t; i++) {
		fn = w->f->fns[i];
		if (fn->host != a->host)
			continue;
		for (b = 0; b < P2PDMA_NUM_BARS; b++) {
			uint64_t bus = fn->bars[b].start + fn->host->bus_offset;

			if (mem_bar(&fn->bars[b]) && addr >= bus && addr - bus < fn->bars[b].size) {
				t = fn;
				r->bar = b;
				r->phys = fn->bars[b].start + (addr - bus);
				break;
			}
		}
	}
	if (!t)
		return false;
	for (fn = a; fn && !common; fn = ref_up(fn))
		if (ref_below(t, fn))
			common = fn;
	if (!common || ref_redirect(a, common, t, write))
		return false;
	r->target = P2PDMA_SIM_TARGET_BAR;
	r->fn = t;
	r->hops = ref_dist(a, common) + ref_dist(t, common);
	ref_claim(w, r, len);
	return true;
}

static int ref_translate(struct world *w, const struct p2pdma_function *a, uint64_t addr,
			 uint64_t len, uint64_t *phys)
{
	size_t i;

	for (i = 0; i < w->nr_maps; i++) {
		const struct map_rec *m = &w->maps[i];

		if (m->client == a && addr >= m->iova && addr - m->iova < m->len) {
			if (len - 1 > m->len - 1 - (addr - m->iova))
				return -1;
			*phys = m->phys + (addr - m->iova);
			return 0;
		}
	}
	return -1;
}

static bool translating(struct world *w, const struct p2pdma_function *a)
{
	const struct p2pdma_iommu_group *g = p2pdma_fabric_iommu_group(w->f, a->iommu_group);

	return g && g->type && (!strcmp(g->type, "DMA") || !strcmp(g->type, "DMA-FQ"));
}

static void ref_rc(struct world *w, const struct p2pdma_function *a, uint64_t addr, uint64_t len,
		   struct ref *r)
{
	bool tr = translating(w, a);
	uint64_t phys = addr - a->dma_offset;
	size_t i;
	int b;

	r->rc = true;
	r->hops = ref_depth(a);
	if (tr && ref_translate(w, a, addr, len, &phys)) {
		r->fault = P2PDMA_SIM_FAULT_IOMMU;
		return;
	}
	for (i = 0; i < w->f->nr_ram; i++) {
		const struct p2pdma_ram_range *m = &w->f->ram[i];

		if (phys >= m->start && phys - m->start < m->size) {
			r->target = P2PDMA_SIM_TARGET_RAM;
			r->phys = phys;
			if (len - 1 > m->size - 1 - (phys - m->start))
				r->fault = P2PDMA_SIM_FAULT_UNSUPPORTED;
			return;
		}
	}
	if (!tr)
		phys = addr - a->host->bus_offset;
	for (i = 0; i < w->f->nr_fns; i++) {
		const struct p2pdma_function *fn = w->f->fns[i];

		for (b = 0; b < P2PDMA_NUM_BARS; b++) {
			if (!mem_bar(&fn->bars[b]) || phys < fn->bars[b].start ||
			    phys - fn->bars[b].start >= fn->bars[b].size)
				continue;
			r->target = P2PDMA_SIM_TARGET_BAR;
			r->fn = fn;
			r->bar = b;
			r->phys = phys;
			if (!w->forwards(a->host, fn->host)) {
				r->fault = P2PDMA_SIM_FAULT_NO_PEER_FORWARD;
				return;
			}
			r->hops += ref_depth(fn);
			ref_claim(w, r, len);
			return;
		}
	}
	r->fault = P2PDMA_SIM_FAULT_UNSUPPORTED;
}

void simref_route(struct world *w, const struct p2pdma_function *a, uint64_t addr,
		      uint64_t len, bool write, struct ref *r)
{
	memset(r, 0, sizeof(*r));
	r->bar = -1;
	if (!ref_local(w, a, addr, len, write, r)) {
		memset(r, 0, sizeof(*r));
		r->bar = -1;
		ref_rc(w, a, addr, len, r);
	}
}

/* ---------------------------------------------------------------------- */
/* The random world                                                        */

static uint64_t rnd(struct world *w, uint64_t n)
{
	return n ? simref_rand(&w->rng) % n : 0;
}

static void simref_collect_endpoints(struct world *w)
{
	size_t i;

	w->eps = calloc(w->f->nr_fns, sizeof(*w->eps));
	CHECK(w->eps);
	for (i = 0; i < w->f->nr_fns; i++)
		if (!p2pdma_function_is_bridge(w->f->fns[i]))
			w->eps[w->nr_eps++] = w->f->fns[i];
}

void simref_shuffle_acs(struct world *w)
{
	static const uint16_t bits[] = { 0, P2PDMA_ACS_RR, P2PDMA_ACS_CR, P2PDMA_ACS_EC,
					 P2PDMA_ACS_SV | P2PDMA_ACS_UF, P2PDMA_ACS_RR | P2PDMA_ACS_CR };
	struct p2pdma_error e;
	size_t i;

	for (i = 0; i < w->f->nr_fns; i++) {
		struct p2pdma_function *fn = w->f->fns[i];

		/* Mostly off, so that peer paths exist; sometimes each bit. */
		if (fn->acs_state == P2PDMA_ACS_PRESENT && rnd(w, 3) == 0)
			CHECK((p2pdma_fabric_set_acs_ctrl(w->f, fn, bits[rnd(w, 6)], &e)) == 0);
		else if (fn->acs_state == P2PDMA_ACS_PRESENT)
			CHECK((p2pdma_fabric_set_acs_ctrl(w->f, fn, 0, &e)) == 0);
	}
}

static void record_maps(struct world *w, const struct p2pdma_sgl *s,
			const struct p2pdma_function *client)
{
	size_t i;

	for (i = 0; i < s->nents && w->nr_maps < ARRAY_SIZE(w->maps); i++) {
		const struct p2pdma_sg *sg = &s->sg[i];
		uint64_t in = sg->phys & 4095;

		if (sg->how != P2PDMA_DMA_IOVA)
			continue;
		w->maps[w->nr_maps++] = (struct map_rec){ client, sg->seg_dma - in, sg->phys - in,
							  (in + sg->len + 4095) & ~4095ULL };
	}
}

void simref_unmap_all(struct world *w)
{
	struct p2pdma_error e;
	size_t i;

	for (i = 0; i < w->nr_sgls; i++) {
		if (w->sgls[i].mapped)
			CHECK((p2pdma_dma_unmap_sg(p2pdma_sim_dma(w->s), w->sgl_client[i],
							     &w->sgls[i], &e)) == 0);
		p2pdma_sgl_release(&w->sgls[i]);
	}
	w->nr_sgls = 0;
	w->nr_maps = 0;
}

void simref_free_bufs(struct world *w)
{
	struct p2pdma_error e;
	size_t i;

	for (i = 0; i < w->nr_bufs; i++)
		if (w->bufs[i].live)
			CHECK((p2pdma_p2pmem_free(w->bufs[i].p, w->bufs[i].phys,
							    w->bufs[i].size, &e)) == 0);
	w->nr_bufs = 0;
}

/* Buffers in every pool; some freed again, so their bytes are wild. */
void simref_make_buffers(struct world *w)
{
	struct p2pdma_mem *m = p2pdma_sim_mem(w->s);
	struct p2pdma_error e;
	size_t i, n = p2pdma_mem_nr_providers(m);
	int k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < 4 && w->nr_bufs < MAX_MAPS; k++) {
			struct buf_rec *b = &w->bufs[w->nr_bufs];

			b->p = p2pdma_mem_provider(m, i);
			b->size = (1 + rnd(w, 64)) * 4096 - rnd(w, 2) * 100;
			if (p2pdma_p2pmem_alloc(b->p, b->size, &b->phys, &e))
				continue;
			b->live = true;
			w->nr_bufs++;
		}
	}
	for (i = 0; i < w->nr_bufs; i++) {
		if (rnd(w, 4))
			continue;
		CHECK((p2pdma_p2pmem_free(w->bufs[i].p, w->bufs[i].phys, w->bufs[i].size, &e)) == 0);
		w->bufs[i].live = false;
	}
}

/* A host buffer of a mapping: 3 pages, a page of it mapped at a random offset. */
#define HOST_BUF (3 * 4096)

/* Map a live buffer or a host buffer for random endpoints; remember the IOVAs. */
void simref_make_maps(struct world *w)
{
	struct p2pdma_error e;
	size_t i;

	for (i = 0; i < 24 && w->nr_sgls < MAX_MAPS; i++) {
		struct p2pdma_sgl *s = &w->sgls[w->nr_sgls];
		const struct p2pdma_function *c = w->eps[rnd(w, w->nr_eps)];
		struct buf_rec *b = w->nr_bufs ? &w->bufs[rnd(w, w->nr_bufs)] : NULL;
		uint64_t phys;

		p2pdma_sgl_init(s);
		if (b && b->live && rnd(w, 2)) {
			CHECK((p2pdma_sgl_add(s, b->phys, b->size, &e)) == 0);
		} else {
			CHECK((p2pdma_mem_host_alloc(p2pdma_sim_mem(w->s), HOST_BUF, &phys, &e)) == 0);
			w->host_bytes += HOST_BUF;
			CHECK((p2pdma_sgl_add(s, phys + rnd(w, 4096), 4096, &e)) == 0);
		}
		w->sgl_client[w->nr_sgls++] = c;
		if (p2pdma_dma_map_sg(p2pdma_sim_dma(w->s), c, s, &e) > 0)
			record_maps(w, s, c);
	}
}

/* An address worth trying, and the length. */
uint64_t simref_pick_addr(struct world *w, const struct p2pdma_function *a, uint64_t *len)
{
	const struct p2pdma_function *fn = w->f->fns[rnd(w, w->f->nr_fns)];
	const struct p2pdma_bar *b = &fn->bars[rnd(w, P2PDMA_NUM_BARS)];
	uint64_t base;
	size_t k;

	*len = rnd(w, 8) ? 1 + rnd(w, 16384) : 1 + rnd(w, 1ULL << 22);
	switch (rnd(w, 7)) {
	case 0:	/* a window, at bus addresses of its own hierarchy */
		base = b->start + fn->host->bus_offset;
		return base + rnd(w, b->size + 2 * *len) - *len;
	case 1:	/* a window at CPU addresses (bus offset forgotten) */
		return b->start + rnd(w, b->size + 1);
	case 2:	/* a p2pmem buffer, live or freed, by bus address */
		if (!w->nr_bufs)
			return simref_rand(&w->rng);
		k = rnd(w, w->nr_bufs);
		base = p2pdma_provider_bus_addr(w->bufs[k].p, w->bufs[k].phys);
		return base + rnd(w, 1ULL << 20) - (1ULL << 19);
	case 3:	/* a mapping made for somebody */
		if (!w->nr_maps)
			return simref_rand(&w->rng);
		base = w->maps[rnd(w, w->nr_maps)].iova;
		return base + rnd(w, 3 * 4096) - 4096;
	case 4:	/* host RAM */
		return w->f->nr_ram ? w->f->ram[rnd(w, w->f->nr_ram)].start + rnd(w, 1ULL << 32) :
				      simref_rand(&w->rng);
	case 5:	/* the end of the address space */
		return UINT64_MAX - rnd(w, 1ULL << 20);
	default:
		(void)a;
		return simref_rand(&w->rng) >> rnd(w, 40);
	}
}

void simref_check(struct world *w, const struct p2pdma_function *a, uint64_t addr, uint64_t len,
		  bool write, uint64_t i)
{
	struct p2pdma_sim_route r;
	struct p2pdma_error e = { 0 };
	char name[P2PDMA_BDF_STRLEN];
	struct ref want;
	int ret;

	if (!len)
		len = 1;
	if (addr + (len - 1) < addr)
		len = UINT64_MAX - addr + 1;
	simref_route(w, a, addr, len, write, &want);
	ret = p2pdma_sim_route(w->s, a, addr, len, write, &r, &e);
	w->seen[r.fault]++;
	w->local += !ret && r.target == P2PDMA_SIM_TARGET_BAR && !r.rc_in;
	w->redirected += r.redirected_by != NULL;
	p2pdma_bdf_format(&a->bdf, name, sizeof(name));
	if (r.fault != want.fault || (ret != 0) != (want.fault != P2PDMA_SIM_OK) ||
	    (!ret && (r.target != want.target || r.phys != want.phys ||
		      (want.target == P2PDMA_SIM_TARGET_BAR && (r.target_fn != want.fn || r.bar != want.bar)) ||
		      (r.rc_in != NULL) != want.rc || r.nr_hops != want.hops)))
		simref_fail("%s, DMA %llu: %s %s %#llx +%llu: sim says %s (%s) target %#llx rc %d hops %zu; "
			    "reference says %s target %#llx rc %d hops %zu; seed %llu (P2PDMA_SEED=%llu)",
			    w->machine, (unsigned long long)i, name, write ? "write" : "read",
			    (unsigned long long)addr, (unsigned long long)len,
			    p2pdma_sim_fault_name(r.fault), e.reason, (unsigned long long)r.phys,
			    r.rc_in != NULL, r.nr_hops, p2pdma_sim_fault_name(want.fault),
			    (unsigned long long)want.phys, want.rc, want.hops,
			    (unsigned long long)w->seed, (unsigned long long)w->seed);
}

void simref_check_one(struct world *w, uint64_t i)
{
	const struct p2pdma_function *a = w->eps[rnd(w, w->nr_eps)];
	bool write = rnd(w, 2);
	uint64_t len, addr = simref_pick_addr(w, a, &len);

	simref_check(w, a, addr, len, write, i);
}


static void simref_add_providers(struct world *w)
{
	struct p2pdma_mem *m = p2pdma_sim_mem(w->s);
	struct p2pdma_error e = { 0 };
	size_t i;
	int b;

	for (i = 0; i < w->f->nr_fns; i++) {
		const struct p2pdma_function *fn = w->f->fns[i];

		if (!fn->p2pmem.present)
			continue;
		for (b = 0; b < P2PDMA_NUM_BARS; b++)
			if ((fn->bars[b].flags & P2PDMA_BAR_PREFETCH) && fn->bars[b].size >= fn->p2pmem.size)
				break;
		CHECK(b < P2PDMA_NUM_BARS);
		if (p2pdma_provider_add(m, fn, b, fn->p2pmem.size, 0, &e))
			simref_fail("%s", e.reason);
	}
}


/* The simulation of @w's fabric, its providers whole BARs. */
static void start_sim(struct world *w)
{
	struct p2pdma_sim_opts o = { .ns_in_memory = true, .no_model_providers = true };
	struct p2pdma_error e = { 0 };

	if (p2pdma_sim_new(w->f, &o, &w->s, &e))
		simref_fail("%s: %s", w->machine, e.reason);
	simref_add_providers(w);
	w->host_bytes = 0;
}

struct world *simref_world_new(const char *machine, uint64_t seed,
			       bool (*fwd)(const struct p2pdma_host_bridge *,
					   const struct p2pdma_host_bridge *))
{
	struct p2pdma_load_opts lo = { .path = machine };
	struct world *w = calloc(1, sizeof(*w));
	struct p2pdma_error e = { 0 };

	CHECK(w);
	w->machine = machine;
	w->forwards = fwd;
	w->seed = seed;
	w->rng = seed ^ (uint64_t)strlen(machine) * 0x9e3779b97f4a7c15ULL;
	if (!w->rng)
		w->rng = 1;
	if (p2pdma_fabric_load(&lo, &w->f, &e))
		simref_fail("%s: %s", machine, e.reason);
	start_sim(w);
	simref_collect_endpoints(w);
	return w;
}

/* What start_sim() made, and everything mapped and allocated in it, gone. */
static void stop_sim(struct world *w)
{
	simref_unmap_all(w);
	simref_free_bufs(w);
	p2pdma_sim_free(w->s);
}

void simref_world_renew(struct world *w)
{
	stop_sim(w);
	start_sim(w);
}

void simref_world_free(struct world *w)
{
	stop_sim(w);
	free(w->eps);
	p2pdma_fabric_free(w->f);
	free(w);
}
