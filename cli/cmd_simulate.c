// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma simulate [WORKLOAD.json | --workload NAME]: what P2P buys on
 * this machine.  Every flow of the workload runs at once, as written
 * (P2P) and through host memory (bounce); the table shows per flow the
 * path, the kernel's verdict, both throughputs, their ratio and the
 * bottleneck, then the host-memory bytes and what the model assumed.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char simulate_options[] =
	"  WORKLOAD.json         the transfers to run at once (doc/workload.md)\n"
	"      --workload NAME   a built-in workload generated for this machine:\n"
	"                        copy, nvmeof-write, nvmeof-read, storage-gpu,\n"
	"                        gpu-nic, all-busy (default: all-busy)\n"
	"      --json            print JSON instead of the table\n"
	"      --dot             write the tree with links coloured by utilization\n"
	"                        as a Graphviz graph (DOT)\n"
	"      --svg FILE        draw that graph into FILE with Graphviz's dot\n"
	"                        (.png and .pdf names pick those formats)\n"
	"  -h, --help            this text\n"
	"\nThroughputs are payload bytes per second with every flow of the workload\n"
	"running at once, shared max-min fairly over each link direction, DRAM, the\n"
	"link between sockets and the root complex.  Exit status: 0 done, 2 bad\n"
	"usage or input.\n";

struct sim_args {
	const char *file, *workload, *svg;
	bool json, dot;
};

#define GB 1e9
/* Beyond this many flows, completion times come from the starting rates. */
#define RESOLVE_MAX 2000

/* ---------------------------------------------------------------------- */
/* Text                                                                    */

static const char *bdf(const struct p2pdma_function *fn, char *buf, size_t len)
{
	return fn ? p2pdma_bdf_format(&fn->bdf, buf, len) : "host";
}

static const char *res_name(const struct p2pdma_bw_result *r, long i)
{
	return i >= 0 ? r->res[i].name : "-";
}

static const char *verdict_text(const struct p2pdma_bw_workload *w,
				const struct p2pdma_bw_flow_result *fr, size_t i)
{
	if (fr->verdict)
		return p2pdma_map_type_name(fr->verdict);
	return w->flows[i].via == P2PDMA_BW_VIA_HOST ? "host (as asked)" : "no provider";
}

static void print_flow(const struct p2pdma_bw_workload *w, const struct p2pdma_bw_result *r,
		       size_t i)
{
	const struct p2pdma_bw_flow_result *fr = &r->flows[i];
	char a[P2PDMA_BDF_STRLEN], b[P2PDMA_BDF_STRLEN], v[P2PDMA_BDF_STRLEN];
	char p2p[16], bounce[16], ratio[16];

	snprintf(p2p, sizeof(p2p), fr->p2p.ok ? "%.2f" : "-", fr->p2p.rate / GB);
	snprintf(bounce, sizeof(bounce), fr->bounce.ok ? "%.2f" : "-", fr->bounce.rate / GB);
	if (fr->p2p.ok && fr->bounce.ok)
		snprintf(ratio, sizeof(ratio), "%.2fx", fr->p2p.rate / fr->bounce.rate);
	else
		snprintf(ratio, sizeof(ratio), "-");
	printf("%3zu  %-12s  %-12s  %-12s  %-16s %8s %8s %7s  %s\n", i,
	       bdf(w->flows[i].from, a, sizeof(a)), bdf(w->flows[i].to, b, sizeof(b)),
	       fr->p2p.ok || fr->p2p.via ? bdf(fr->p2p.via, v, sizeof(v)) : "-",
	       verdict_text(w, fr, i), p2p, bounce, ratio,
	       fr->p2p.ok ? res_name(r, fr->p2p.bottleneck) : "-");
	if (fr->p2p.ok)
		printf("     P2P path: %s\n", fr->p2p.path);
	else
		printf("     P2P refused: %s\n", fr->p2p.reason);
	if (fr->bounce.ok)
		printf("     bounce path: %s; bottleneck %s\n", fr->bounce.path,
		       res_name(r, fr->bounce.bottleneck));
	else
		printf("     bounce refused: %s\n", fr->bounce.reason);
}

/* "0.123 s", or "-" when no flow ran in that mode. */
static const char *seconds(double t, char *buf, size_t len)
{
	snprintf(buf, len, t > 0 ? "%.3f s" : "-", t);
	return buf;
}

static void print_table(const struct cli *cli, const struct p2pdma_bw_workload *w,
			const struct p2pdma_bw_result *r)
{
	char s1[32], s2[32];
	size_t i;

	printf("Machine: %s; platform %s\n", cli->input ? cli->input : "this machine",
	       r->platform.name);
	printf("Workload: %s%s%s; %zu flow(s) at once\n\n", w->name,
	       w->description ? ": " : "", w->description ? w->description : "", w->nr_flows);
	printf("  #  %-12s  %-12s  %-12s  %-16s %8s %8s %7s  %s\n", "FROM", "TO", "VIA",
	       "VERDICT", "P2P GB/s", "BOUNCE", "RATIO", "P2P BOTTLENECK");
	for (i = 0; i < w->nr_flows; i++)
		print_flow(w, r, i);
	printf("\nHost memory: P2P %s, bounce %s\n",
	       p2pdma_size_format(r->p2p_host_bytes, s1, sizeof(s1)),
	       p2pdma_size_format(r->bounce_host_bytes, s2, sizeof(s2)));
	printf("All flows done: P2P %s, bounce %s\n", seconds(r->p2p_time, s1, sizeof(s1)),
	       seconds(r->bounce_time, s2, sizeof(s2)));
	for (i = 0; i < r->nr_assumed; i++)
		printf("%s %s\n", i ? "        " : "Assumed:", r->assumed[i]);
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                    */

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* {"link 0000:03:00.0 up": 0.5, ...}: what the flow loads, and how full it is. */
static struct json_object *json_loaded(const struct p2pdma_bw_result *r,
				       const struct p2pdma_bw_mode *m, bool bounce)
{
	struct json_object *o;
	size_t i;

	if (!m->ok)
		return NULL;
	o = json_object_new_object();
	for (i = 0; i < m->nr_res; i++) {
		const struct p2pdma_bw_resource *x = &r->res[m->res[i]];

		json_object_object_add(o, x->name, json_object_new_double(
			(bounce ? x->bounce_load : x->p2p_load) / x->capacity));
	}
	return o;
}

/* @run's figures of one flow, keys "RUN_throughput" ...; null where it has none. */
static void json_mode(struct json_object *o, const char *run, const struct p2pdma_bw_result *r,
		      const struct p2pdma_bw_mode *m)
{
	static const char *const keys[] = {
		"throughput", "time", "host_memory_bytes", "bottleneck", "path", "refused",
	};
	struct json_object *v[6] = { NULL };
	char k[48];
	size_t i;

	if (m->ok) {
		v[0] = json_object_new_double(m->rate);
		v[1] = json_object_new_double(m->time);
		v[2] = json_object_new_uint64(m->host_bytes);
		v[3] = str_or_null(m->bottleneck >= 0 ? r->res[m->bottleneck].name : NULL);
		v[4] = json_object_new_string(m->path);
	} else {
		v[5] = str_or_null(m->reason);
	}
	for (i = 0; i < ARRAY_LEN(keys); i++) {
		snprintf(k, sizeof(k), "%s_%s", run, keys[i]);
		json_object_object_add(o, k, v[i]);
	}
}

static struct json_object *json_flow(const struct p2pdma_bw_workload *w,
				     const struct p2pdma_bw_result *r, size_t i)
{
	const struct p2pdma_bw_flow_result *fr = &r->flows[i];
	struct json_object *o = json_object_new_object(), *u = json_object_new_object();
	const struct p2pdma_bw_mode *p = &fr->p2p, *b = &fr->bounce;
	char a[P2PDMA_BDF_STRLEN];

	json_object_object_add(o, "from", json_object_new_string(bdf(w->flows[i].from, a, sizeof(a))));
	json_object_object_add(o, "to", json_object_new_string(bdf(w->flows[i].to, a, sizeof(a))));
	json_object_object_add(o, "bytes", json_object_new_uint64(w->flows[i].bytes));
	json_object_object_add(o, "via", p->via || p->ok ?
			       json_object_new_string(bdf(p->via, a, sizeof(a))) : NULL);
	json_object_object_add(o, "verdict", fr->verdict ?
			       json_object_new_string(p2pdma_map_type_name(fr->verdict)) : NULL);
	json_mode(o, "p2p", r, p);
	json_mode(o, "bounce", r, b);
	json_object_object_add(o, "ratio", p->ok && b->ok ?
			       json_object_new_double(p->rate / b->rate) : NULL);
	/* The name for the P2P run's bottleneck. */
	json_object_object_add(o, "bottleneck", p->ok && p->bottleneck >= 0 ?
			       json_object_new_string(r->res[p->bottleneck].name) : NULL);
	json_object_object_add(u, "p2p", json_loaded(r, p, false));
	json_object_object_add(u, "bounce", json_loaded(r, b, true));
	json_object_object_add(o, "utilization", u);
	return o;
}

static const char *const kind_names[] = {
	[P2PDMA_BW_RES_LINK] = "link",
	[P2PDMA_BW_RES_DRAM] = "dram",
	[P2PDMA_BW_RES_INTER_SOCKET] = "inter-socket",
	[P2PDMA_BW_RES_RC_PEER] = "root-complex",
	[P2PDMA_BW_RES_DEVICE] = "device",
};

static struct json_object *json_resources(const struct p2pdma_bw_result *r)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < r->nr_res; i++) {
		const struct p2pdma_bw_resource *x = &r->res[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "resource", json_object_new_string(x->name));
		json_object_object_add(o, "kind", json_object_new_string(kind_names[x->kind]));
		json_object_object_add(o, "capacity", json_object_new_double(x->capacity));
		json_object_object_add(o, "p2p", json_object_new_double(x->p2p_load / x->capacity));
		json_object_object_add(o, "bounce", json_object_new_double(x->bounce_load / x->capacity));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* A rate, or null for "no limit". */
static struct json_object *rate_or_null(double rate)
{
	return rate < P2PDMA_BW_UNLIMITED ? json_object_new_double(rate) : NULL;
}

static struct json_object *json_platform(const struct p2pdma_bw_platform *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "dram_bandwidth", json_object_new_double(p->dram_bw));
	json_object_object_add(o, "inter_socket_bandwidth", rate_or_null(p->inter_socket_bw));
	json_object_object_add(o, "rc_peer_bandwidth", rate_or_null(p->rc_peer_bw));
	json_object_object_add(o, "rc_peer_direction_bandwidth", rate_or_null(p->rc_peer_dir_bw));
	json_object_object_add(o, "rc_peer_read_cost", json_object_new_double(p->rc_peer_read_cost));
	json_object_object_add(o, "rc_peer_reads", json_object_new_boolean(p->rc_peer_reads));
	json_object_object_add(o, "rc_peer_writes", json_object_new_boolean(p->rc_peer_writes));
	json_object_object_add(o, "max_payload_size", json_object_new_int((int)p->mps));
	json_object_object_add(o, "max_read_request_size", json_object_new_int((int)p->mrrs));
	return o;
}

static int print_json(const struct p2pdma_bw_workload *w, const struct p2pdma_bw_result *r)
{
	struct json_object *o = json_object_new_object(), *flows = json_object_new_array();
	struct json_object *tot = json_object_new_object(), *as = json_object_new_array();
	size_t i;

	json_object_object_add(o, "workload", json_object_new_string(w->name));
	json_object_object_add(o, "platform", json_platform(&r->platform));
	for (i = 0; i < w->nr_flows; i++)
		json_object_array_add(flows, json_flow(w, r, i));
	json_object_object_add(o, "flows", flows);
	json_object_object_add(tot, "p2p_host_memory_bytes", json_object_new_uint64(r->p2p_host_bytes));
	json_object_object_add(tot, "bounce_host_memory_bytes",
			       json_object_new_uint64(r->bounce_host_bytes));
	json_object_object_add(tot, "p2p_time", json_object_new_double(r->p2p_time));
	json_object_object_add(tot, "bounce_time", json_object_new_double(r->bounce_time));
	json_object_object_add(o, "totals", tot);
	json_object_object_add(o, "resources", json_resources(r));
	for (i = 0; i < r->nr_assumed; i++)
		json_object_array_add(as, json_object_new_string(r->assumed[i]));
	json_object_object_add(o, "assumed", as);
	return cli_print_json(o);
}

/* ---------------------------------------------------------------------- */
/* Graph                                                                   */

/* Grey idle, green below half, amber below 90 %, red from 90 %. */
static const char *util_color(double u)
{
	if (u <= 0)
		return NULL;
	return u < 0.5 ? "#1e8449" : u < 0.9 ? "#d68910" : "#c0392b";
}

struct link_util {
	double p2p[2], bounce[2];	/* [up] */
	bool used;
};

static int draw(const struct p2pdma_fabric *f, const struct p2pdma_bw_workload *w,
		const struct p2pdma_bw_result *r, const struct sim_args *a)
{
	struct link_util *u = calloc(f->nr_fns + 1, sizeof(*u));
	struct p2pdma_dot_link *links = calloc(f->nr_fns + 1, sizeof(*links));
	char (*labels)[96] = calloc(f->nr_fns + 1, sizeof(*labels)), title[256];
	struct p2pdma_dot_opts o = { .title = title, .links = links };
	size_t i, n = 0;
	int ret;

	if (!u || !links || !labels) {
		ret = cli_error("out of memory");
		goto out;
	}
	for (i = 0; i < r->nr_res; i++) {
		const struct p2pdma_bw_resource *x = &r->res[i];

		if (x->kind != P2PDMA_BW_RES_LINK)
			continue;
		u[x->fn->index].used = true;
		u[x->fn->index].p2p[x->up] = x->p2p_load / x->capacity;
		u[x->fn->index].bounce[x->up] = x->bounce_load / x->capacity;
	}
	for (i = 0; i < f->nr_fns; i++) {
		struct link_util *l = &u[i];

		if (!l->used)
			continue;
		snprintf(labels[n], sizeof(labels[0]),
			 "P2P up %.0f%% down %.0f%%, bounce up %.0f%% down %.0f%%",
			 100 * l->p2p[1], 100 * l->p2p[0], 100 * l->bounce[1], 100 * l->bounce[0]);
		links[n] = (struct p2pdma_dot_link){ f->fns[i], labels[n],
						     util_color(fmax(l->p2p[0], l->p2p[1])) };
		n++;
	}
	snprintf(title, sizeof(title),
		 "p2pdma simulate %s: links coloured by P2P utilization (green < 50 %%, amber < 90 %%, red >= 90 %%)",
		 w->name);
	o.nr_links = n;
	ret = cli_dot_output(f, &o, a->svg);
out:
	free(u);
	free(links);
	free(labels);
	return ret;
}

/* ---------------------------------------------------------------------- */

static int load_workload(const struct p2pdma_fabric *f, const struct sim_args *a,
			 struct p2pdma_bw_workload **w)
{
	struct p2pdma_error e = { 0 };

	if (a->file ? p2pdma_bw_workload_load(f, a->file, w, &e) :
	    p2pdma_bw_workload_builtin(f, a->workload ? a->workload : "all-busy", w, &e))
		return cli_lib_error(&e);
	return EXIT_OK;
}

static int run_simulate(struct cli *cli, struct p2pdma_fabric *f, const struct sim_args *a)
{
	struct p2pdma_sim_opts so = { .ns_in_memory = true, .log = cli_log };
	struct p2pdma_bw_workload *w = NULL;
	struct p2pdma_bw_result *r = NULL;
	struct p2pdma_sim *s = NULL;
	struct p2pdma_error e = { 0 };
	unsigned int flags = 0;
	int ret = load_workload(f, a, &w);

	if (ret)
		return ret;
	/* Re-solving at every completion costs a solve per flow: not for huge workloads. */
	if (w->nr_flows > RESOLVE_MAX)
		flags = P2PDMA_BW_RATES_ONLY;
	if (flags)
		cli_warn("%zu flows: completion times from the starting rates (no re-solve as flows finish)",
			 w->nr_flows);
	if (p2pdma_sim_new(f, &so, &s, &e) || p2pdma_bw_simulate_ex(s, w, flags, &r, &e))
		ret = cli_lib_error(&e);
	else if (a->dot || a->svg)
		ret = draw(f, w, r, a);
	else if (a->json)
		ret = print_json(w, r);
	else
		print_table(cli, w, r);
	p2pdma_bw_result_free(r);
	p2pdma_sim_free(s);
	p2pdma_bw_workload_free(w);
	return ret;
}

int cmd_simulate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_command *cmd = cli_find_command("simulate");
	struct sim_args a = { 0 };
	struct p2pdma_fabric *f;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'w': a.workload = optarg; break;
		case 'j': a.json = true; break;
		case 'd': a.dot = true; break;
		case 's': a.svg = optarg; break;
		case 'h':
			cli_usage(stdout, cmd, simulate_options);
			return EXIT_OK;
		default:
			cli_usage(stderr, cmd, simulate_options);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		a.file = argv[optind++];
	if (optind < argc)
		return cli_error("simulate takes one workload file, not '%s' too", argv[optind]);
	if (a.file && a.workload)
		return cli_error("give a workload file or --workload NAME, not both");
	if (a.json + a.dot + !!a.svg > 1)
		return cli_error("--json, --dot and --svg exclude each other");
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_simulate(cli, f, &a);
	p2pdma_fabric_free(f);
	return ret;
}
