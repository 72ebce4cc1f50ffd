// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma doctor: the whole machine on one screen - devices, pair counts,
 * causes and one lasting fix each.  Exit 1 when a pair is blocked.
 */
#include <stdlib.h>
#include <unistd.h>	/* optind */

#include "cli.h"

static const char doctor_options[] =
	"      --json            print JSON instead of text\n"
	"  -h, --help            this text\n";

static int run_doctor(struct p2pdma_fabric *f, bool json)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_doctor *d = NULL;
	char *out = NULL;
	int ret = EXIT_USAGE;

	if (!p)
		return cli_error("out of memory");
	if (p2pdma_doctor_run(p, &d, &e) || p2pdma_doctor_write(d, json, &out, &e))
		cli_lib_error(&e);
	else
		ret = cli_print(out);
	if (ret == EXIT_OK && d->nr_blocked)
		ret = EXIT_NO;
	free(out);
	p2pdma_doctor_free(d);
	p2pdma_policy_free(p);
	return ret;
}

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find_command("doctor");
	struct p2pdma_fabric *f;
	bool json = false;
	int c, ret;

	c = cli_json_opts(cmd, doctor_options, argc, argv, &json);
	if (c >= 0)
		return c;
	if (optind < argc) {
		cli_error("doctor takes no arguments ('%s')", argv[optind]);
		cli_usage(stderr, cmd, doctor_options);
		return EXIT_USAGE;
	}
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_doctor(f, json);
	p2pdma_fabric_free(f);
	return ret;
}
