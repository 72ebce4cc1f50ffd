// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma matrix: the kernel's verdict for every pair of endpoint
 * functions, laid out like `nvidia-smi topo -m`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char matrix_options[] =
	"      --all             every endpoint function (default: storage, network,\n"
	"                        display, co-processors, accelerators and p2pmem providers)\n"
	"      --json            print JSON instead of text\n"
	CLI_WHATIF_HELP
	"  -h, --help            this text\n";

/* Rows go out as they are made (p2pdma_matrix_stream). */
static int to_stdout(void *arg, const char *s, size_t len)
{
	(void)arg;
	return fwrite(s, 1, len, stdout) == len ? 0 : -EIO;
}

static int run_matrix(struct p2pdma_fabric *f, const struct p2pdma_whatif *w,
		      enum p2pdma_matrix_set set, bool json)
{
	struct p2pdma_whatif_report *rep = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	int ret = EXIT_USAGE;

	if (!p)
		return cli_error("out of memory");
	if (p2pdma_whatif_any(w) && p2pdma_whatif_apply(p, w, &rep, &e))
		cli_lib_error(&e);
	else if (p2pdma_matrix_stream(p, set, rep, json, to_stdout, NULL, &e))
		cli_lib_error(&e);
	else
		ret = fflush(stdout) ? cli_error("cannot write the output: %m") : EXIT_OK;
	p2pdma_whatif_report_free(rep);
	p2pdma_policy_free(p);
	return ret;
}

int cmd_matrix(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		CLI_WHATIF_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_command *cmd = cli_find_command("matrix");
	enum p2pdma_matrix_set set = P2PDMA_MATRIX_DEFAULT;
	struct p2pdma_whatif w = { .iommu = -1 };
	struct p2pdma_fabric *f;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int known = cli_whatif_option(c, optarg, &w);

		if (known < 0)
			return EXIT_USAGE;
		if (known)
			continue;
		switch (c) {
		case 'a':
			set = P2PDMA_MATRIX_ALL;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			cli_usage(stdout, cmd, matrix_options);
			return EXIT_OK;
		default:
			cli_usage(stderr, cmd, matrix_options);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("matrix takes no arguments ('%s')", argv[optind]);
		cli_usage(stderr, cmd, matrix_options);
		return EXIT_USAGE;
	}
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_matrix(f, &w, set, json);
	p2pdma_fabric_free(f);
	return ret;
}
