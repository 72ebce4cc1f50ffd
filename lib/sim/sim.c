// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated platform: the layers below assembled over one fabric,
 * the router's per-function tables, the device models, the counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "dma_internal.h"
#include "sim_internal.h"

/* PCI base classes of the devices modelled. */
#define CLASS_NVME	0x010802
#define CLASS_NET	0x02
#define CLASS_DISPLAY	0x03
#define CLASS_ACCEL	0x12

static int attach_device(struct p2pdma_sim *s, const struct p2pdma_function *fn,
			 struct p2pdma_error *e)
{
	unsigned int base = fn->class_code >> 16;

	if (fn->class_code == CLASS_NVME)
		return sim_nvme_attach(s, fn, e);
	if (base == CLASS_NET && !p2pdma_function_is_bridge(fn))
		return sim_nic_attach(s, fn, e);
	if (base == CLASS_DISPLAY || base == CLASS_ACCEL)
		return sim_gpu_attach(s, fn, e);
	return 0;
}

static int setup_functions(struct p2pdma_sim *s, struct p2pdma_error *e)
{
	size_t i;
	int ret;

	s->fns = calloc(s->f->nr_fns ? s->f->nr_fns : 1, sizeof(*s->fns));
	if (!s->fns)
		return p2pdma_fail(e, -ENOMEM, "out of memory for the device models");
	for (i = 0; i < s->f->nr_fns; i++) {
		const struct p2pdma_function *fn = s->f->fns[i];
		struct p2pdma_dma_client_info ci;

		s->fns[i].up = p2pdma_upstream_bridge(fn);
		s->fns[i].hb = &s->hbs[fn->host->index];
		ret = p2pdma_dma_client_info(s->dma, fn, &ci, e);
		if (ret)
			return ret;
		s->fns[i].mode = ci.mode;
	}
	for (i = 0; i < s->f->nr_fns; i++) {
		ret = attach_device(s, s->f->fns[i], e);
		if (ret)
			return ret;
	}
	return 0;
}

static int make_layers(struct p2pdma_sim *s, const struct p2pdma_sim_opts *o,
		       struct p2pdma_error *e)
{
	struct p2pdma_dma_opts dopts = { 0 };
	int ret;

	s->policy = p2pdma_policy_new(s->f);
	if (!s->policy)
		return p2pdma_fail(e, -ENOMEM, "out of memory for the policy");
	ret = p2pdma_mem_new(s->f, NULL, 0, &s->mem, e);
	if (ret)
		return ret;
	if (!o->no_model_providers) {
		ret = p2pdma_mem_add_model_providers(s->mem, o->log, o->log_arg, e);
		if (ret < 0)
			return ret;
	}
	dopts.policy = s->policy;
	ret = p2pdma_dma_new(s->mem, &dopts, &s->dma, e);
	if (ret)
		return ret;
	s->map = p2pdma_mem_addr_map(s->mem);
	s->cpu_ok = p2pdma_cpu_supports_p2pdma(&s->f->cpu);
	s->ram = sim_store_new(NULL, NULL);
	if (!s->ram)
		return p2pdma_fail(e, -ENOMEM, "out of memory for host RAM");
	return 0;
}

int p2pdma_sim_new(struct p2pdma_fabric *f, const struct p2pdma_sim_opts *o,
		   struct p2pdma_sim **out, struct p2pdma_error *e)
{
	static const struct p2pdma_sim_opts none;
	struct p2pdma_sim *s;
	int ret;

	*out = NULL;
	if (!o)
		o = &none;
	if (!f || !f->finalized)
		return p2pdma_fail(e, -EINVAL, "the simulation needs a finalized machine model");
	s = calloc(1, sizeof(*s));
	if (!s)
		return p2pdma_fail(e, -ENOMEM, "out of memory for the simulation");
	s->f = f;
	s->log = o->log;
	s->log_arg = o->log_arg;
	s->ns_in_memory = o->ns_in_memory;
	if (o->backing_dir && o->backing_dir[0] && !(s->backing_dir = strdup(o->backing_dir))) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = make_layers(s, o, e);
	if (!ret)
		ret = sim_windows_build(s, e);
	if (!ret)
		ret = setup_functions(s, e);
	if (ret)
		goto fail;
	*out = s;
	return 0;
fail:
	p2pdma_sim_free(s);
	return ret;
}

static void free_devices(struct p2pdma_sim *s)
{
	size_t i;
	int b;

	for (i = 0; i < s->f->nr_fns; i++) {
		struct sim_fn *sf = &s->fns[i];

		if (sf->kind == SIM_DEV_NVME)
			sim_nvme_detach(s, sf->dev);
		else
			free(sf->dev);
		for (b = 0; b < P2PDMA_NUM_BARS; b++)
			sim_store_free(sf->bar[b]);
	}
	free(s->fns);
}

void p2pdma_sim_free(struct p2pdma_sim *s)
{
	if (!s)
		return;
	if (s->fns)
		free_devices(s);
	sim_windows_free(s);
	sim_store_free(s->ram);
	p2pdma_dma_free(s->dma);
	p2pdma_mem_free(s->mem);
	p2pdma_policy_free(s->policy);
	free(s->backing_dir);
	free(s);
}

struct p2pdma_mem *p2pdma_sim_mem(struct p2pdma_sim *s)
{
	return s->mem;
}

struct p2pdma_dma *p2pdma_sim_dma(struct p2pdma_sim *s)
{
	return s->dma;
}

struct p2pdma_policy *p2pdma_sim_policy(struct p2pdma_sim *s)
{
	return s->policy;
}

struct p2pdma_fabric *p2pdma_sim_fabric(struct p2pdma_sim *s)
{
	return s->f;
}

int p2pdma_sim_set_rc_forward(struct p2pdma_sim *s, const struct p2pdma_host_bridge *hb,
			      enum p2pdma_sim_rc_forward mode, struct p2pdma_error *e)
{
	if (!hb || hb->index >= s->f->nr_hbs || s->f->hbs[hb->index] != hb)
		return p2pdma_fail(e, -EINVAL, "not a host bridge of this machine");
	if (mode != P2PDMA_SIM_RC_DEFAULT && mode != P2PDMA_SIM_RC_FORWARD &&
	    mode != P2PDMA_SIM_RC_DROP)
		return p2pdma_fail(e, -EINVAL, "unknown root-complex forwarding mode %d", (int)mode);
	s->hbs[hb->index].forward = mode;
	return 0;
}

void p2pdma_sim_stats(const struct p2pdma_sim *s, struct p2pdma_sim_stats *out)
{
	*out = s->stats;
}

void p2pdma_sim_stats_reset(struct p2pdma_sim *s)
{
	size_t i;

	memset(&s->stats, 0, sizeof(s->stats));
	for (i = 0; i < s->f->nr_fns; i++)
		s->fns[i].link_up = s->fns[i].link_down = 0;
}

uint64_t p2pdma_sim_link_bytes(const struct p2pdma_sim *s,
			       const struct p2pdma_function *fn, bool up)
{
	if (!sim_fn_valid(s, fn))
		return 0;
	return up ? s->fns[fn->index].link_up : s->fns[fn->index].link_down;
}
