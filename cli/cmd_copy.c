// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma copy SRC DST SIZE: move bytes from one NVMe namespace to
 * another through a p2pmem buffer (or host memory), on the simulated
 * platform: every DMA routed and checked, the bytes real.
 *
 * Parsing gives one struct copy_request; a backend turns it into one
 * struct copy_report, printed by copy_report_text() or _json().
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"

static const char copy_options[] =
	"  SRC, DST          NVMe namespaces: BDF[/NSID][@OFFSET] (namespace 1 and\n"
	"                    offset 0 unless given; OFFSET in bytes, 4K, 1M, ...)\n"
	"  SIZE              bytes to copy: 4096, 1M, 256M, ... (a multiple of the\n"
	"                    block size)\n"
	"      --via WHERE   the buffer: auto (default: the provider 'find' picks for\n"
	"                    SRC and DST), host (a host bounce buffer), or a\n"
	"                    provider's BDF\n"
	"      --chunk SIZE  bytes per command (default 128K)\n"
	"      --depth N     buffers in flight, reused (default 4)\n"
	"      --check       compare destination with source afterwards; report the\n"
	"                    first difference\n"
	"      --json        print JSON instead of text\n"
	"      --backing DIR keep namespace bytes in sparse files in DIR (reused by the\n"
	"                    next run); default: temporary files\n"
	"      --backend B   sim (default): the simulated platform of the machine -i\n"
	"                    names\n"
	COPY_LINUX_HELP
	"      --seed N      seed of the provider choice among ties (default 0)\n"
	"  -h, --help        this text\n"
	"\n"
	"A namespace the machine does not describe is nsid 1 of 1 TiB with 512-byte\n"
	"blocks; blocks never written read as a fixed pattern of the controller,\n"
	"namespace and offset.  When the policy refuses the provider for SRC or DST\n"
	"(NOT_SUPPORTED), or the DMA map refuses it, the copy falls back to a host\n"
	"bounce buffer and says why, with the fix.\n"
	"\n"
	"Exit status: 0 copied (and equal, with --check), 1 the copy failed or the\n"
	"check found a difference, 2 bad usage or input (nothing written).\n";

static int usage_error(void)
{
	fputs("Try 'p2pdma copy --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_via(const char *s, struct copy_request *q)
{
	if (!strcmp(s, "auto"))
		q->via = COPY_VIA_AUTO;
	else if (!strcmp(s, "host"))
		q->via = COPY_VIA_HOST;
	else if (!p2pdma_bdf_parse(s, &q->via_bdf))
		q->via = COPY_VIA_BDF;
	else
		return cli_error("--via '%s': auto, host or a provider's PCI address", s);
	return 0;
}

static int parse_number(const char *opt, const char *s, uint64_t *v, uint64_t max)
{
	if (p2pdma_size_parse(s, v) || !*v || *v > max)
		return cli_error("%s '%s': a number from 1 to %llu", opt, s, (unsigned long long)max);
	return 0;
}

static int parse_option(int c, struct copy_request *q)
{
	uint64_t v;

	switch (c) {
	case 'v':
		return parse_via(optarg, q);
	case 'c':
		return parse_number("--chunk", optarg, &q->chunk, 1ULL << 30);
	case 'd':
		if (parse_number("--depth", optarg, &v, 1024))
			return EXIT_USAGE;
		q->depth = (unsigned int)v;
		return 0;
	case 'k':
		q->check = true;
		return 0;
	case 'j':
		q->json = true;
		return 0;
	case 'b':
		q->backing = optarg;
		return 0;
	case 'B':
		if (strcmp(optarg, "sim") && strcmp(optarg, "linux"))
			return cli_error("--backend '%s': sim or linux", optarg);
		q->backend = optarg;
		return 0;
	case 'T':
	case 'E':
		return copy_linux_option(c, optarg, q);
	case 's':
		if (p2pdma_size_parse(optarg, &q->seed))
			return cli_error("--seed '%s' is not a number", optarg);
		return 0;
	}
	return usage_error();
}

/* The positionals: SRC DST SIZE. */
static int parse_args(int argc, char **argv, struct copy_request *q)
{
	struct p2pdma_error e = { 0 };

	if (argc - optind != 3) {
		cli_error("copy needs SRC DST SIZE");
		return usage_error();
	}
	if (copy_end_parse(argv[optind], &q->src, &e) ||
	    copy_end_parse(argv[optind + 1], &q->dst, &e))
		return cli_lib_error(&e);
	if (p2pdma_size_parse(argv[optind + 2], &q->size))
		return cli_error("SIZE '%s' is not a size (4096, 64K, 1M, ...)", argv[optind + 2]);
	if (!q->size)
		return cli_error("SIZE 0: nothing to copy");
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The simulated backend                                                   */

static const char *how_name(const struct p2pdma_sim_copy_leg *l, bool host)
{
	if (host)
		return l->how == P2PDMA_DMA_IOVA ? "host memory through the IOMMU (IOVA)" :
						   "host memory, direct";
	switch (l->how) {
	case P2PDMA_DMA_BUS_ADDR:
		return "PCI bus address";
	case P2PDMA_DMA_IOVA:
		return "IOVA through the IOMMU";
	case P2PDMA_DMA_DIRECT:
		return "CPU physical address (direct)";
	default:
		return "unmapped";
	}
}

static void path_add(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? " > " : "", s);
}

/* "0000:d0:00.0 > 0000:cc:03.0 > ... > host RAM": the devices the request passes. */
static void leg_path(const struct p2pdma_sim_copy_leg *l, char *buf, size_t len)
{
	const struct p2pdma_sim_route *r = &l->route;
	char name[P2PDMA_BDF_STRLEN], rc[96];
	bool at_rc = false;
	size_t i;

	buf[0] = '\0';
	path_add(buf, len, p2pdma_bdf_format(&l->dev->bdf, name, sizeof(name)));
	for (i = 0; i < r->nr_hops; i++) {
		const struct p2pdma_function *fn = r->hops[i].fn, *up = p2pdma_upstream_bridge(fn);

		if (r->hops[i].up) {
			if (up) {
				path_add(buf, len, p2pdma_bdf_format(&up->bdf, name, sizeof(name)));
			} else {
				snprintf(rc, sizeof(rc), "root complex (%s)", fn->host->name);
				path_add(buf, len, rc);
				at_rc = true;
			}
			continue;
		}
		if (at_rc && r->rc_out && r->rc_out != r->rc_in) {
			snprintf(rc, sizeof(rc), "root complex (%s)", r->rc_out->name);
			path_add(buf, len, rc);
		}
		at_rc = false;
		path_add(buf, len, p2pdma_bdf_format(&fn->bdf, name, sizeof(name)));
	}
	if (r->target == P2PDMA_SIM_TARGET_RAM)
		path_add(buf, len, "host RAM");
	if (!r->nr_hops)
		path_add(buf, len, "(inside the device: no link crossed)");
}

static void fill_report(const struct copy_request *q, const struct p2pdma_sim_copy_result *res,
			struct copy_report *r)
{
	static const char *const roles[2] = { "read into buffer", "write out of buffer" };
	int i;

	memset(r, 0, sizeof(*r));
	r->backend = "sim";
	snprintf(r->src, sizeof(r->src), "%s", q->src.arg);
	snprintf(r->dst, sizeof(r->dst), "%s", q->dst.arg);
	r->size = q->size;
	r->bytes = res->bytes;
	if (res->provider)
		p2pdma_bdf_format(&res->provider->bdf, r->via, sizeof(r->via));
	else
		snprintf(r->via, sizeof(r->via), "host");
	r->fallback = res->fallback;
	snprintf(r->fallback_reason, sizeof(r->fallback_reason), "%s", res->fallback_reason);
	r->host_memory_bytes = res->host_memory_bytes;
	r->chunk = res->chunk;
	r->depth = res->depth;
	for (i = 0; i < 2; i++) {
		const struct p2pdma_sim_copy_leg *l = &res->leg[i];

		p2pdma_bdf_format(&l->dev->bdf, r->leg[i].dev, sizeof(r->leg[i].dev));
		r->leg[i].role = roles[i];
		r->leg[i].verdict = res->provider ? p2pdma_map_type_name(l->map_type) : "host memory";
		r->leg[i].how = how_name(l, !res->provider);
		leg_path(l, r->leg[i].path, sizeof(r->leg[i].path));
		r->leg[i].root_complex = l->route.rc_in != NULL;
	}
	r->data_ok = res->checked ? res->data_ok : -1;
	r->first_diff = res->first_diff;
	r->has_stats = true;
	r->dmas = res->dmas;
	r->switch_local_bytes = res->switch_local_bytes;
	r->rc_bytes = res->rc_bytes;
	r->internal_bytes = res->internal_bytes;
}

/* What the bandwidth model says this copy takes; the copy stands without it. */
static void add_model(struct p2pdma_sim *s, const struct p2pdma_sim_copy_result *res,
		      struct copy_report *r)
{
	struct p2pdma_error e = { 0 };

	if (!p2pdma_bw_copy_time(s, res, &r->model_seconds, &r->model_throughput, &e))
		r->has_model = true;
	else
		snprintf(r->model_error, sizeof(r->model_error), "%s", e.reason);
}

static int lookup(const struct p2pdma_fabric *f, const struct p2pdma_bdf *b,
		  const struct p2pdma_function **out)
{
	char name[P2PDMA_BDF_STRLEN];

	*out = p2pdma_fabric_find(f, b);
	if (!*out)
		return cli_error("%s: no such device on this machine",
				 p2pdma_bdf_format(b, name, sizeof(name)));
	return 0;
}

static int build_req(const struct p2pdma_fabric *f, const struct copy_request *q,
		     struct p2pdma_sim_copy_req *r)
{
	memset(r, 0, sizeof(*r));
	if (lookup(f, &q->src.bdf, &r->src.fn) || lookup(f, &q->dst.bdf, &r->dst.fn))
		return EXIT_USAGE;
	if (q->via == COPY_VIA_BDF && lookup(f, &q->via_bdf, &r->via_fn))
		return EXIT_USAGE;
	r->src.nsid = q->src.nsid;
	r->src.offset = q->src.offset;
	r->dst.nsid = q->dst.nsid;
	r->dst.offset = q->dst.offset;
	r->size = q->size;
	r->via = q->via == COPY_VIA_AUTO ? P2PDMA_SIM_VIA_AUTO :
		 q->via == COPY_VIA_HOST ? P2PDMA_SIM_VIA_HOST : P2PDMA_SIM_VIA_PROVIDER;
	r->chunk = q->chunk;
	r->depth = q->depth;
	r->check = q->check;
	r->seed = q->seed;
	return 0;
}

static int run_sim(struct cli *cli, const struct copy_request *q)
{
	struct p2pdma_sim_opts o = { .backing_dir = q->backing, .log = cli_log };
	struct p2pdma_sim_copy_result res;
	struct p2pdma_sim_copy_req req;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = cli_load(cli);
	struct p2pdma_sim *s = NULL;
	struct copy_report r;
	int ret;

	if (!f)
		return EXIT_USAGE;
	ret = build_req(f, q, &req);
	if (ret)
		goto out;
	if (p2pdma_sim_new(f, &o, &s, &e)) {
		ret = cli_lib_error(&e);
		goto out;
	}
	ret = p2pdma_sim_copy(s, &req, &res, &e);
	if (ret) {
		/* A bad request is bad input; anything else failed during the copy. */
		cli_lib_error(&e);
		ret = ret == -EINVAL ? EXIT_USAGE : EXIT_NO;
		goto out;
	}
	fill_report(q, &res, &r);
	add_model(s, &res, &r);
	ret = q->json ? copy_report_json(&r) : copy_report_text(&r);
	if (ret == EXIT_OK && r.data_ok == 0)
		ret = EXIT_NO;
out:
	p2pdma_sim_free(s);
	p2pdma_fabric_free(f);
	return ret;
}

int cmd_copy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "via", required_argument, NULL, 'v' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "depth", required_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "backing", required_argument, NULL, 'b' },
		{ "backend", required_argument, NULL, 'B' },
		{ "seed", required_argument, NULL, 's' },
		COPY_LINUX_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct copy_request q = { .backend = NULL };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout, cli_find_command("copy"), copy_options);
			return EXIT_OK;
		}
		if (parse_option(c, &q))
			return EXIT_USAGE;
	}
	if (copy_linux_wanted(cli, &q, argc - optind, argv + optind))
		return copy_linux_run(cli, &q, argc - optind, argv + optind);
	if (parse_args(argc, argv, &q))
		return EXIT_USAGE;
	return run_sim(cli, &q);
}
