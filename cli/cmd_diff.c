// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma diff A [B]: what changed from baseline A to B (default: this
 * machine) and which pair verdicts it changed.  Exit 1 when a pair got
 * worse: the health check a Slurm HealthCheckProgram runs.
 */
#include <stdlib.h>
#include <unistd.h>	/* optind */

#include "cli.h"

static const char diff_options[] =
	"      --json            print JSON instead of text\n"
	"  -h, --help            this text\n"
	"A and B are anything -i accepts; B defaults to -i, or this machine.\n";

static int run_diff(struct p2pdma_fabric *a, struct p2pdma_fabric *b, bool json)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_diff *d = NULL;
	char *out = NULL;
	int ret = EXIT_USAGE;

	if (p2pdma_diff_run(a, b, &d, &e) || p2pdma_diff_write(d, json, &out, &e))
		cli_lib_error(&e);
	else
		ret = cli_print(out);
	if (ret == EXIT_OK && d->nr_worse)
		ret = EXIT_NO;
	free(out);
	p2pdma_diff_free(d);
	return ret;
}

/* Load A, then B (or -i, or the live machine), with the global options. */
static int load_both(const struct cli *cli, const char *pa, const char *pb,
		     struct p2pdma_fabric **a, struct p2pdma_fabric **b)
{
	struct cli ca = *cli, cb = *cli;

	ca.input = pa;
	ca.format = P2PDMA_INPUT_AUTO;
	if (pb) {
		cb.input = pb;
		cb.format = P2PDMA_INPUT_AUTO;
	}
	*b = NULL;
	*a = cli_load(&ca);
	if (*a)
		*b = cli_load(&cb);
	if (*b)
		return 0;
	p2pdma_fabric_free(*a);
	return -1;
}

int cmd_diff(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find_command("diff");
	struct p2pdma_fabric *a, *b;
	bool json = false;
	int c, ret;

	c = cli_json_opts(cmd, diff_options, argc, argv, &json);
	if (c >= 0)
		return c;
	if (optind >= argc || argc - optind > 2) {
		cli_error("diff takes a baseline and at most one machine to compare with it");
		cli_usage(stderr, cmd, diff_options);
		return EXIT_USAGE;
	}
	if (load_both(cli, argv[optind], optind + 1 < argc ? argv[optind + 1] : NULL, &a, &b))
		return EXIT_USAGE;
	ret = run_diff(a, b, json);
	p2pdma_fabric_free(a);
	p2pdma_fabric_free(b);
	return ret;
}
