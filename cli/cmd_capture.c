// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma capture: everything the sysfs loader reads from this machine,
 * into a tarball that 'p2pdma -i OUT ...' loads as this machine.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char capture_options[] =
	"      --root DIR  capture the tree under DIR instead of this machine (a\n"
	"                  directory holding sys/ and proc/, such as an unpacked\n"
	"                  capture or a hwloc-gather-topology tree); '-i DIR' too\n"
	"  -h, --help      this text\n"
	"\n"
	"The suffix of OUT picks the compression: .tar, .tar.gz (.tgz), .tar.bz2,\n"
	".tar.xz.  Run as root: without it config space is readable only up to\n"
	"64 bytes, so the ACS state (which decides P2P) is unknown in the capture.\n";

static int capture_usage_error(void)
{
	fputs("Try 'p2pdma capture --help'.\n", stderr);
	return EXIT_USAGE;
}

/* -i names the machine to capture; only a directory tree can be one. */
static int root_from_input(const struct cli *cli, const char **root)
{
	struct stat st;

	if (!cli->input)
		return 0;
	if (cli->format != P2PDMA_INPUT_AUTO && cli->format != P2PDMA_INPUT_SYSFS)
		return cli_error("capture reads a sysfs tree; --input-format %s cannot be one",
				 p2pdma_input_format_name(cli->format));
	if (stat(cli->input, &st) || !S_ISDIR(st.st_mode))
		return cli_error("capture reads a sysfs tree: '%s' is not a directory (a tarball is a capture already)",
				 cli->input);
	*root = cli->input;
	return 0;
}

int cmd_capture(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *root = NULL, *out;
	struct p2pdma_error e = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'h':
			cli_usage(stdout, cli_find_command("capture"), capture_options);
			return EXIT_OK;
		default:
			return capture_usage_error();
		}
	}
	if (optind + 1 != argc) {
		if (optind == argc)
			cli_error("capture needs the name of the tarball to write");
		else
			cli_error("capture takes one file name ('%s' is one too many)",
				  argv[optind + 1]);
		return capture_usage_error();
	}
	out = argv[optind];
	if (root && cli->input)
		return cli_error("give the tree to capture once: -i or --root, not both");
	if (!root && root_from_input(cli, &root))
		return EXIT_USAGE;
	if (p2pdma_capture(root ? root : "/", out, cli_log, NULL, &e))
		return cli_lib_error(&e);
	printf("captured %s into %s; load it with: p2pdma -i %s topo\n",
	       root ? root : "this machine", out, out);
	return EXIT_OK;
}
