// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma export nfd|groups|prometheus|nccl: the machine in the conventions
 * of Node Feature Discovery, a scheduler's device attributes, Prometheus
 * and NCCL.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static const char export_options[] =
	"  -h, --help            this text\n"
	"FORMAT: nfd (a features.d file), groups (P2P groups per device, JSON),\n"
	"prometheus (text exposition format for node_exporter's textfile collector),\n"
	"nccl (NCCL topology XML for NCCL_TOPO_FILE).\n";

static int run_export(struct p2pdma_fabric *f, enum p2pdma_export_format fmt)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	char *out = NULL;
	int ret = EXIT_USAGE;

	if (!p)
		return cli_error("out of memory");
	if (p2pdma_export_write(p, fmt, &out, &e))
		cli_lib_error(&e);
	else
		ret = cli_print(out);
	free(out);
	p2pdma_policy_free(p);
	return ret;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_command *cmd = cli_find_command("export");
	enum p2pdma_export_format fmt;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout, cmd, export_options);
			return EXIT_OK;
		}
		cli_usage(stderr, cmd, export_options);
		return EXIT_USAGE;
	}
	if (argc - optind != 1) {
		cli_error("export takes one FORMAT (nfd, groups, prometheus, nccl)");
		return EXIT_USAGE;
	}
	if (p2pdma_export_format_parse(argv[optind], &fmt, &e))
		return cli_lib_error(&e);
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_export(f, fmt);
	p2pdma_fabric_free(f);
	return ret;
}
