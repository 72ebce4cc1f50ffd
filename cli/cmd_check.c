// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma check PROVIDER CLIENT...: the kernel's verdict for each client
 * against the provider's memory, with the path, the reason and the fix.
 * Exit 0 when every client can do P2P DMA, 1 when one cannot (or may
 * not: an uncertain answer that includes NOT_SUPPORTED is not a yes), 2 on
 * bad usage or input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char check_options[] =
	"  PROVIDER              the function whose memory is used (DDDD:BB:DD.F)\n"
	"  CLIENT...             functions that DMA to it; BUS:NAME (e.g. platform:foo)\n"
	"                        names a device that is not PCI\n"
	"      --json            print JSON instead of text\n"
	CLI_WHATIF_HELP
	"      --dot             draw the machine as a Graphviz graph (DOT) with each\n"
	"                        path coloured: green BUS_ADDR, amber through the\n"
	"                        host bridge, red refused\n"
	"      --svg FILE        the same drawn into FILE by Graphviz's dot (.png and\n"
	"                        .pdf names pick those formats; '-' is standard output)\n"
	"  -h, --help            this text\n"
	"\nExit status: 0 every client can do peer-to-peer DMA, 1 one cannot (or may\n"
	"not: the answer depends on unknown state and could be NOT_SUPPORTED), 2 bad\n"
	"usage or input.\n";

static int usage_error(const struct cli_command *cmd)
{
	cli_usage(stderr, cmd, check_options);
	return EXIT_USAGE;
}

/* How check prints its answer. */
struct check_output {
	bool json;
	bool dot;		/* --dot or --svg */
	const char *svg;	/* --svg FILE, or NULL */
};

static enum p2pdma_dot_color dot_color(enum p2pdma_map_type t)
{
	if (t == P2PDMA_MAP_BUS_ADDR)
		return P2PDMA_DOT_GREEN;
	if (t == P2PDMA_MAP_THRU_HOST_BRIDGE)
		return P2PDMA_DOT_AMBER;
	return P2PDMA_DOT_RED;
}

/*
 * Fill @dp from @v: the functions of the verdict's path (the host bridge
 * hops are implied by the functions on the root buses).  @fns and @label
 * are the caller's to free.
 */
static int dot_path_from_verdict(const struct p2pdma_verdict *v,
				 struct p2pdma_dot_path *dp,
				 const struct p2pdma_function ***fns, char **label)
{
	size_t i, n = 0;

	*fns = calloc(v->nr_path ? v->nr_path : 1, sizeof(**fns));
	if (!*fns)
		return -ENOMEM;
	for (i = 0; i < v->nr_path; i++)
		if (v->path[i].fn)
			(*fns)[n++] = v->path[i].fn;
	if (asprintf(label, "%s%s, distance %d", p2pdma_map_type_name(v->map_type),
		     v->certain ? "" : " (uncertain)", v->distance) < 0) {
		*label = NULL;
		return -ENOMEM;
	}
	dp->fns = *fns;
	dp->nr_fns = n;
	dp->color = dot_color(v->map_type);
	dp->label = *label;
	return 0;
}

/* check --dot / --svg: the machine with one coloured path per PCI client. */
static int draw_check(struct p2pdma_policy *p, const struct p2pdma_function *prov,
		      const struct p2pdma_client *clients, size_t n,
		      const struct check_output *o, int *all_ok)
{
	struct p2pdma_dot_path *paths = calloc(n, sizeof(*paths));
	const struct p2pdma_function ***fns = calloc(n, sizeof(*fns));
	char **labels = calloc(n, sizeof(*labels));
	struct p2pdma_dot_opts opts = { .title = "p2pdma check" };
	struct p2pdma_error e = { 0 };
	size_t i;
	int ret = EXIT_USAGE;

	*all_ok = 1;
	if (!paths || !fns || !labels) {
		cli_error("out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		struct p2pdma_verdict *v;

		if (p2pdma_verdict_get(p, prov, clients[i].fn, clients[i].name, &v, &e)) {
			cli_lib_error(&e);
			goto done;
		}
		if (!p2pdma_verdict_ok(v))
			*all_ok = 0;
		if (clients[i].fn &&
		    dot_path_from_verdict(v, &paths[opts.nr_paths], &fns[i], &labels[i])) {
			p2pdma_verdict_free(v);
			cli_error("out of memory");
			goto done;
		}
		opts.nr_paths += clients[i].fn != NULL;
		p2pdma_verdict_free(v);
	}
	opts.paths = paths;
	ret = cli_dot_output(p2pdma_policy_fabric(p), &opts, o->svg);
done:
	for (i = 0; fns && labels && i < n; i++) {
		free(fns[i]);
		free(labels[i]);
	}
	free(fns);
	free(labels);
	free(paths);
	return ret;
}

static int run_check(struct p2pdma_fabric *f, int argc, char **argv,
		     const struct p2pdma_whatif *w, const struct check_output *o)
{
	struct p2pdma_whatif_report *rep = NULL;
	struct p2pdma_client *clients = NULL, prov;
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p;
	size_t n = (size_t)argc - 1, i;
	int ret = EXIT_USAGE, all_ok = 0;
	char *out = NULL;

	p = p2pdma_policy_new(f);
	clients = calloc(n, sizeof(*clients));
	if (!p || !clients) {
		cli_error("out of memory");
		goto done;
	}
	if (p2pdma_client_parse(f, argv[0], &prov, &e)) {
		cli_lib_error(&e);
		goto done;
	}
	if (!prov.fn) {
		cli_error("the provider must be a PCI function, not '%s'", argv[0]);
		goto done;
	}
	for (i = 0; i < n; i++)
		if (p2pdma_client_parse(f, argv[i + 1], &clients[i], &e)) {
			cli_lib_error(&e);
			goto done;
		}
	if (p2pdma_whatif_any(w) && p2pdma_whatif_apply(p, w, &rep, &e)) {
		cli_lib_error(&e);
		goto done;
	}
	if (o->dot) {
		ret = draw_check(p, prov.fn, clients, n, o, &all_ok);
		if (ret == EXIT_OK && !all_ok)
			ret = EXIT_NO;
		goto done;
	}
	if (p2pdma_check_write(p, prov.fn, clients, n, rep, o->json, &out, &all_ok, &e)) {
		cli_lib_error(&e);
		goto done;
	}
	ret = cli_print(out);
	if (ret == EXIT_OK && !all_ok)
		ret = EXIT_NO;
done:
	free(out);
	p2pdma_whatif_report_free(rep);
	free(clients);
	p2pdma_policy_free(p);
	return ret;
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_WHATIF_LONGOPTS,
		{ "dot", no_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_command *cmd = cli_find_command("check");
	struct p2pdma_whatif w = { .iommu = -1 };
	struct p2pdma_fabric *f;
	struct check_output o = { 0 };
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int known = cli_whatif_option(c, optarg, &w);

		if (known < 0)
			return EXIT_USAGE;
		if (known)
			continue;
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'd':
			o.dot = true;
			break;
		case 's':
			o.dot = true;
			o.svg = optarg;
			break;
		case 'h':
			cli_usage(stdout, cmd, check_options);
			return EXIT_OK;
		default:
			return usage_error(cmd);
		}
	}
	if (argc - optind < 2) {
		cli_error("check needs a PROVIDER and at least one CLIENT");
		return usage_error(cmd);
	}
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_check(f, argc - optind, argv + optind, &w, &o);
	p2pdma_fabric_free(f);
	return ret;
}
