// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma copy --backend linux: real bytes through the running kernel's
 * p2pmem (lib/linux), reported with the same report as the simulated
 * backend plus what was measured and what the kernel did.
 *
 * With -i DIR the machine is the tree below DIR (DIR/sys, DIR/dev, DIR/proc),
 * which is how the tests run it on a fake machine.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy.h"

struct lcopy {
	struct p2pdma_linux *l;
	struct p2pdma_linux_copy_req req;
	struct p2pdma_linux_copy_result res;
	char via[P2PDMA_BDF_STRLEN];
	enum p2pdma_map_type predicted[2];	/* provider with SRC, with DST */
	char notes[1024];
};

int copy_linux_option(int c, const char *arg, struct copy_request *q)
{
	enum p2pdma_linux_engine e;
	uint64_t v;

	if (c == 'E') {
		if (p2pdma_linux_engine_parse(arg, &e))
			return cli_error("--engine '%s': auto, io_uring or pread", arg);
		q->engine = arg;
		return 0;
	}
	if (p2pdma_size_parse(arg, &v) || !v || v > 64)
		return cli_error("--threads '%s': a number from 1 to 64", arg);
	q->threads = (unsigned int)v;
	return 0;
}

static const char *root_of(const struct cli *cli)
{
	return cli->input ? cli->input : "/";
}

/* The real backend reads a machine's files: the live one or a copy of its tree. */
static int check_root(const struct cli *cli)
{
	struct stat st;

	if (!cli->input || (!stat(cli->input, &st) && S_ISDIR(st.st_mode)))
		return 0;
	return cli_error("--backend linux copies on the live machine (no -i) or a directory "
			 "holding its sys/ and dev/; '%s' is not one", cli->input);
}

/*
 * --backend linux, or no --backend on the live machine when both ends are
 * NVMe namespaces the kernel shows (a /dev path says so by itself).
 */
bool copy_linux_wanted(const struct cli *cli, const struct copy_request *q,
		       int argc, char **argv)
{
	struct p2pdma_linux_target t;
	struct p2pdma_linux *l;
	bool found;

	if (q->backend)
		return !strcmp(q->backend, "linux");
	if (cli->input || argc != 3 || !p2pdma_linux_spec_is_nvme(argv[0]) ||
	    !p2pdma_linux_spec_is_nvme(argv[1]))
		return false;
	if (!strncmp(argv[0], "/dev/", 5) || !strncmp(argv[1], "/dev/", 5))
		return true;
	if (p2pdma_linux_discover("/", &l, NULL))
		return false;
	found = !p2pdma_linux_target_parse(l, argv[0], &t, NULL) &&
		!p2pdma_linux_target_parse(l, argv[1], &t, NULL);
	p2pdma_linux_free(l);
	return found;
}

/* --via: a provider, host memory, or the one the kernel's rule would pick. */
static int pick_via(struct lcopy *c, const struct copy_request *q)
{
	struct p2pdma_error e = { 0 };

	if (q->via == COPY_VIA_HOST)
		return 0;
	if (q->via == COPY_VIA_BDF) {
		p2pdma_bdf_format(&q->via_bdf, c->via, sizeof(c->via));
		return 0;
	}
	if (p2pdma_linux_choose(c->l, c->req.src.ns->bdf, c->req.dst.ns->bdf, q->seed,
				c->via, &e))
		cli_warn("--via auto: %s; copying through host memory", e.reason);
	return 0;
}

static int build(struct lcopy *c, const struct cli *cli, const struct copy_request *q,
		 char **argv)
{
	struct p2pdma_error e = { 0 };

	if (p2pdma_linux_discover(root_of(cli), &c->l, &e) ||
	    p2pdma_linux_target_parse(c->l, argv[0], &c->req.src, &e) ||
	    p2pdma_linux_target_parse(c->l, argv[1], &c->req.dst, &e))
		return cli_lib_error(&e);
	if (p2pdma_size_parse(argv[2], &c->req.size))
		return cli_error("SIZE '%s' is not a size (4096, 64K, 1M, ...)", argv[2]);
	c->req.chunk = (size_t)q->chunk;
	c->req.depth = q->depth;
	c->req.threads = q->threads;
	c->req.check = q->check;
	if (q->engine)
		p2pdma_linux_engine_parse(q->engine, &c->req.engine);
	pick_via(c, q);
	c->req.via = c->via[0] ? c->via : NULL;
	return 0;
}

/* What p2pdma predicts for each leg; UNKNOWN where it cannot tell. */
static void predict(struct lcopy *c)
{
	const char *client[2] = { c->req.src.ns->bdf, c->req.dst.ns->bdf };
	int i;

	for (i = 0; i < 2 && c->req.via; i++)
		if (p2pdma_linux_explain(c->l, c->req.via, client[i], &c->predicted[i],
					 NULL, NULL))
			c->predicted[i] = P2PDMA_MAP_UNKNOWN;
}

static const char *leg_how(const struct lcopy *c, int i)
{
	const struct p2pdma_linux_copy_result *r = &c->res;

	if (!c->req.via)
		return "host memory";
	if (!r->refused)
		return "P2P: the kernel accepted it";
	if ((i == 1) == r->refused_write)
		return "refused by the kernel: bounced through host memory";
	return "bounced through host memory after the other leg was refused";
}

static void fill_leg(const struct lcopy *c, int i, struct copy_leg *leg)
{
	const struct p2pdma_linux_target *t = i ? &c->req.dst : &c->req.src;

	snprintf(leg->dev, sizeof(leg->dev), "%s", t->ns->bdf);
	leg->role = i ? "write out of buffer" : "read into buffer";
	leg->verdict = c->req.via ? p2pdma_map_type_name(c->predicted[i]) : "host memory";
	leg->how = leg_how(c, i);
	if (c->req.via)
		snprintf(leg->path, sizeof(leg->path), "/dev/%s %s p2pmem of %s", t->ns->name,
			 i ? "<-" : "->", c->req.via);
	else
		snprintf(leg->path, sizeof(leg->path), "/dev/%s %s host memory", t->ns->name,
			 i ? "<-" : "->");
	leg->root_complex = c->predicted[i] == P2PDMA_MAP_THRU_HOST_BRIDGE;
}

static void fill_notes(struct lcopy *c)
{
	const struct p2pdma_linux_copy_result *r = &c->res;

	snprintf(c->notes, sizeof(c->notes),
		 "Engine: %s (%s), %s, %u thread(s); fixed buffers: %s%s%s\n"
		 "Kernel: %s\n",
		 p2pdma_linux_engine_name(r->engine), r->engine_why,
		 r->direct ? "O_DIRECT" : "buffered (no O_DIRECT on this file system)",
		 r->threads, r->fixed_buffers ? "yes" : "no",
		 r->fixed_why[0] ? ": " : "", r->fixed_why,
		 c->l->release[0] ? c->l->release : "release unknown");
}

static json_object *extra_json(const struct lcopy *c)
{
	const struct p2pdma_linux_copy_result *r = &c->res;
	json_object *o = json_object_new_object(), *log = json_object_new_array();
	size_t i;

	json_object_object_add(o, "kernel", json_object_new_string(c->l->release));
	json_object_object_add(o, "engine", json_object_new_string(p2pdma_linux_engine_name(r->engine)));
	json_object_object_add(o, "engine_reason", json_object_new_string(r->engine_why));
	json_object_object_add(o, "direct", json_object_new_boolean(r->direct));
	json_object_object_add(o, "threads", json_object_new_int((int)r->threads));
	json_object_object_add(o, "fixed_buffers", json_object_new_boolean(r->fixed_buffers));
	json_object_object_add(o, "fixed_buffers_reason", r->fixed_why[0] ?
			       json_object_new_string(r->fixed_why) : NULL);
	json_object_object_add(o, "p2p_bytes", json_object_new_uint64(r->p2p_bytes));
	json_object_object_add(o, "refused_errno", r->refused ?
			       json_object_new_string(strerrorname_np(r->refused_errno)) : NULL);
	for (i = 0; i < r->nr_kmsg; i++)
		json_object_array_add(log, json_object_new_string(r->kmsg[i]));
	json_object_object_add(o, "kernel_log", log);
	return o;
}

static void fill_report(struct lcopy *c, char **argv, struct copy_report *r)
{
	const struct p2pdma_linux_copy_result *res = &c->res;

	memset(r, 0, sizeof(*r));
	r->backend = "linux";
	snprintf(r->src, sizeof(r->src), "%s", argv[0]);
	snprintf(r->dst, sizeof(r->dst), "%s", argv[1]);
	r->size = c->req.size;
	r->bytes = res->copied;
	snprintf(r->via, sizeof(r->via), "%s", c->req.via ? c->req.via : "host");
	r->fallback = res->refused;
	snprintf(r->fallback_reason, sizeof(r->fallback_reason), "%s", res->refusal);
	r->host_memory_bytes = res->bounced_bytes;
	r->chunk = res->chunk;
	r->depth = res->depth;
	fill_leg(c, 0, &r->leg[0]);
	fill_leg(c, 1, &r->leg[1]);
	r->data_ok = res->checked ? res->check_ok : -1;
	r->first_diff = res->mismatch_at;
	r->has_timing = true;
	r->seconds = res->seconds;
	r->throughput = res->throughput;
	fill_notes(c);
	r->notes = c->notes;
	r->extra = extra_json(c);
}

static int report(struct lcopy *c, const struct copy_request *q, char **argv)
{
	struct copy_report r;
	int ret;

	fill_report(c, argv, &r);
	ret = q->json ? copy_report_json(&r) : copy_report_text(&r);
	json_object_put(r.extra);
	return ret;
}

int copy_linux_run(struct cli *cli, const struct copy_request *q, int argc, char **argv)
{
	struct lcopy c = { 0 };
	struct p2pdma_error e = { 0 };
	int ret;

	if (argc != 3) {
		cli_error("copy needs SRC DST SIZE");
		fputs("Try 'p2pdma copy --help'.\n", stderr);
		return EXIT_USAGE;
	}
	ret = check_root(cli);
	if (!ret)
		ret = build(&c, cli, q, argv);
	if (ret)
		goto out;
	predict(&c);
	ret = p2pdma_linux_copy(c.l, &c.req, &c.res, &e);
	if (ret && !c.res.started) {
		/* Refused before anything was written: bad usage or input. */
		ret = cli_lib_error(&e);
		goto out;
	}
	ret = report(&c, q, argv);
	if (e.err) {
		cli_lib_error(&e);
		ret = EXIT_NO;
	} else if (ret == EXIT_OK && c.res.checked && !c.res.check_ok) {
		ret = EXIT_NO;
	}
out:
	p2pdma_linux_copy_result_clear(&c.res);
	p2pdma_linux_free(c.l);
	return ret;
}
