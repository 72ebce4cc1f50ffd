// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma: global options, then one subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

const struct cli_command cli_commands[] = {
	{ "topo", "[--json | --dot | --svg FILE] [--all]",
	  "Show the PCIe tree: host bridges, root ports, switches, functions,\n"
	  "with names, links, ACS state, IOMMU groups and p2pmem.", cmd_topo },
	{ "capture", "OUT.tar.xz [--root DIR]",
	  "Write everything p2pdma reads from this machine into a tarball that\n"
	  "'p2pdma -i OUT.tar.xz ...' loads as if it were this machine.", cmd_capture },
	{ "check", "PROVIDER CLIENT... [--json | --dot | --svg FILE] [--cmdline ARGS] [--iommu on|off] [--cpu CPU]",
	  "Can CLIENT do peer-to-peer DMA with PROVIDER's memory? The kernel's\n"
	  "verdict, the path, the reason and the fix.", cmd_check },
	{ "matrix", "[--all] [--json] [--cmdline ARGS] [--iommu on|off] [--cpu CPU]",
	  "The verdict for every pair of endpoint functions, like nvidia-smi topo -m.",
	  cmd_matrix },
	{ "find", "CLIENT... [--seed N] [--all] [--json] [--cmdline ARGS] [--iommu on|off] [--cpu CPU]",
	  "Pick the published p2pmem provider the kernel would pick for these clients.",
	  cmd_find },
	{ "alloc", "PROVIDER SIZE [--json]",
	  "Carve a buffer from PROVIDER's p2pmem and show its CPU and bus addresses.",
	  cmd_alloc },
	{ "map", "--client BDF [--client BDF...] SEGMENT... [--max-seg SIZE] [--json]",
	  "Map a scatter-gather list for each client: DMA address per segment, or\n"
	  "the refusal and its reason.", cmd_map },
	{ "copy", "SRC DST SIZE [--via auto|host|BDF] [--chunk SIZE] [--depth N] [--check] [--json] [--backing DIR] [--backend sim|linux] [--threads N] [--engine E]",
	  "Copy between NVMe namespaces through a p2pmem buffer (or a host bounce\n"
	  "buffer), every DMA routed and checked on the simulated platform.", cmd_copy },
	{ "simulate", "[WORKLOAD.json | --workload NAME] [--json | --dot | --svg FILE]",
	  "What P2P buys: every flow of a workload at once, as P2P and bounced\n"
	  "through host memory: throughput, bottleneck, host-memory bytes.",
	  cmd_simulate },
	{ "doctor", "[--json]",
	  "The whole machine on one screen: devices, pair counts, what blocks\n"
	  "them and one lasting fix per cause, checked as a what-if.", cmd_doctor },
	{ "diff", "BASELINE [MACHINE] [--json]",
	  "What changed from BASELINE to MACHINE (default: this one) and which\n"
	  "pair verdicts it changed; exit 1 when a pair got worse.", cmd_diff },
	{ "export", "nfd|groups|prometheus|nccl",
	  "The machine for a fleet's tools: a Node Feature Discovery features.d\n"
	  "file, P2P groups per device, Prometheus metrics or NCCL topology XML.", cmd_export },
	{ "machines", "",
	  "List the built-in machine descriptions (use them as -i builtin:NAME).",
	  cmd_machines },
	{ 0 },
};

const struct cli_command *cli_find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	const struct cli_command *c;

	fputs("Usage: p2pdma [GLOBAL OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Answers, as the Linux kernel would, whether PCIe devices can do\n"
	      "peer-to-peer DMA, by which path, and why not.\n"
	      "\n"
	      "Global options:\n"
	      "  -i, --input SRC         the machine to look at (default: this one):\n"
	      "                          a directory holding a sys/ tree, a capture\n"
	      "                          tarball, a .json description, an lspci dump,\n"
	      "                          an NCCL topology .xml, builtin:NAME, or -\n"
	      "                          (a JSON description on standard input), an\n"
	      "                          nvidia-bug-report.log(.gz), or a,b,c (lspci\n"
	      "                          outputs read together)\n"
	      "      --input-format FMT  sysfs, json, lspci, lspci-vvv, nccl, builtin,\n"
	      "                          bug-report\n"
	      "                          (default: detected from SRC)\n"
	      "      --kernel VERSION    what if the machine ran kernel VERSION (6.12,\n"
	      "                          6.12.117, 5.15, 7.3, next): the rules of that\n"
	      "                          release (default: the machine's own; unknown:\n"
	      "                          the newest release p2pdma knows)\n"
	      "  -h, --help              this text\n"
	      "      --version           print the version\n"
	      "\n"
	      "Commands:\n", out);
	for (c = cli_commands; c->name; c++) {
		const char *nl = strchr(c->summary, '\n');
		int len = nl ? (int)(nl - c->summary) : (int)strlen(c->summary);

		fprintf(out, "  %-10s %.*s%s\n", c->name, len, c->summary, nl ? " ..." : "");
	}
	fputs("\n'p2pdma COMMAND --help' describes a command; p2pdma(1) has the details.\n",
	      out);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "input-format", required_argument, NULL, 'F' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = { .format = P2PDMA_INPUT_AUTO };
	const struct cli_command *cmd;
	int c;

	cli.builtin_dir = getenv("P2PDMA_MACHINES_DIR");
	cli_catch_signals();
	while ((c = getopt_long(argc, argv, "+i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			cli.input = optarg;
			break;
		case 'F':
			if (p2pdma_input_format_parse(optarg, &cli.format) ||
			    cli.format == P2PDMA_INPUT_AUTO)
				return cli_error("unknown input format '%s' (sysfs, json, lspci, lspci-vvv, nccl, builtin, bug-report)",
						 optarg);
			break;
		case 'K':
			if (cli_kernel_option(&cli, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("p2pdma %s\n", P2PDMA_VERSION);
			return EXIT_OK;
		default:
			fputs("Try 'p2pdma --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = cli_find_command(argv[optind]);
	if (!cmd) {
		cli_error("unknown command '%s'", argv[optind]);
		fputs("Try 'p2pdma --help'.\n", stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* GNU getopt: start afresh for the subcommand */
	return cmd->run(&cli, argc, argv);
}
