// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma topo: the PCIe tree of the machine, as text for people or as the
 * JSON description (doc/json-format.md) for scripts and "what if" edits.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char topo_options[] =
	"      --json     write the machine description (JSON) instead of the tree;\n"
	"                 'p2pdma -i FILE.json' (or '-i -' for standard input)\n"
	"                 reads it back, edited or not\n"
	"      --dot      write the tree as a Graphviz graph (DOT) instead\n"
	"      --svg FILE draw the tree into FILE with Graphviz's dot (.png and\n"
	"                 .pdf names pick those formats; '-' is standard output)\n"
	"      --all      with --dot/--svg: also draw platform functions and\n"
	"                 bridges with nothing behind them\n"
	"  -h, --help     this text\n";

/* The output forms; a new text writer is one more entry in topo_writers. */
enum topo_output {
	TOPO_TREE,
	TOPO_JSON,
	TOPO_DOT,
};

static int (*const topo_writers[])(const struct p2pdma_fabric *f, char **out,
				   struct p2pdma_error *e) = {
	[TOPO_TREE] = p2pdma_fabric_write_tree,
	[TOPO_JSON] = p2pdma_fabric_write_json,
};

/*
 * A bug report's `nvidia-smi topo -m` beside our own path class for the
 * same pair (lib/policy/pathclass.c), one line per pair of its devices.
 * NVIDIA's NV# is an NVLink path; ours is always the PCIe one.
 */
static void topo_nvidia_paths(struct p2pdma_fabric *f)
{
	struct p2pdma_policy *p;
	size_t i;

	if (!f->nr_nv_paths)
		return;
	p = p2pdma_policy_new(f);
	printf("\nnvidia-smi topo -m (from the report) beside p2pdma's PCIe path class:\n");
	for (i = 0; i < f->nr_nv_paths; i++) {
		const struct p2pdma_nv_path *n = &f->nv_paths[i];
		char a[P2PDMA_BDF_STRLEN] = "?", b[P2PDMA_BDF_STRLEN] = "?";
		struct p2pdma_function *fa = NULL, *fb = NULL;
		struct p2pdma_verdict *v = NULL;
		const char *ours = "unknown (no address for this device in the report)";

		if (n->bdf_known) {
			p2pdma_bdf_format(&n->a, a, sizeof(a));
			p2pdma_bdf_format(&n->b, b, sizeof(b));
			if (p2pdma_fabric_lookup(f, a, &fa, NULL) || p2pdma_fabric_lookup(f, b, &fb, NULL))
				ours = "unknown (the report's lspci does not list this GPU)";
			else if (p && !p2pdma_verdict_get(p, fa, fb, NULL, &v, NULL))
				ours = p2pdma_path_class_name(v->path_class);
		}
		printf("  %-6s %-12s  %-6s %-12s  nvidia-smi %-5s p2pdma %s%s\n", n->name_a, a,
		       n->name_b, b, n->cls, ours,
		       !strncmp(n->cls, "NV", 2) ? " (NVIDIA: over NVLink)" : "");
		p2pdma_verdict_free(v);
	}
	p2pdma_policy_free(p);
}

static int topo_usage_error(void)
{
	fputs("Try 'p2pdma topo --help'.\n", stderr);
	return EXIT_USAGE;
}

int cmd_topo(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct p2pdma_dot_opts dot = { 0 };
	enum topo_output output = TOPO_TREE;
	const char *svg = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	char *text;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			output = TOPO_JSON;
			break;
		case 'd':
			output = TOPO_DOT;
			break;
		case 's':
			output = TOPO_DOT;
			svg = optarg;
			break;
		case 'a':
			dot.all = true;
			break;
		case 'h':
			cli_usage(stdout, cli_find_command("topo"), topo_options);
			return EXIT_OK;
		default:
			return topo_usage_error();
		}
	}
	if (optind != argc) {
		cli_error("topo takes no arguments ('%s' is one too many)", argv[optind]);
		return topo_usage_error();
	}
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	if (output == TOPO_DOT) {
		ret = cli_dot_output(f, &dot, svg);
		p2pdma_fabric_free(f);
		return ret;
	}
	ret = topo_writers[output](f, &text, &e);
	if (ret) {
		p2pdma_fabric_free(f);
		return cli_lib_error(&e);
	}
	ret = cli_print(text);
	free(text);
	if (output == TOPO_TREE && !ret)
		topo_nvidia_paths(f);
	p2pdma_fabric_free(f);
	return ret;
}
