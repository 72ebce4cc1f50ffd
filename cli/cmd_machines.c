// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma machines: list the built-in machine descriptions.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static const char machines_options[] =
	"  -h, --help     this text\n";

int cmd_machines(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct p2pdma_error e = { 0 };
	char **names;
	int c, i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout, cli_find_command("machines"), machines_options);
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind != argc)
		return cli_error("machines takes no arguments");
	if (p2pdma_builtin_list(cli->builtin_dir, &names, &e))
		return cli_lib_error(&e);
	for (i = 0; names[i]; i++) {
		printf("builtin:%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}
