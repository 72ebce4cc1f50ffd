// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma find CLIENT...: the published p2pmem provider the kernel's
 * pci_p2pmem_find_many() would pick for these clients.  Exit 0 when one
 * is found, 1 when none can serve every client, 2 on bad usage or input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char find_options[] =
	"  CLIENT...             functions that will DMA to the memory (DDDD:BB:DD.F);\n"
	"                        BUS:NAME names a device that is not PCI\n"
	"      --seed N          seed for the choice among providers at the same\n"
	"                        distance (default: random; printed so it can be repeated)\n"
	"      --all             list every candidate with its total distance and verdicts\n"
	"      --json            print JSON instead of text\n"
	CLI_WHATIF_HELP
	"  -h, --help            this text\n"
	"\nExit status: 0 a provider was found, 1 none can serve every client, 2 bad\n"
	"usage or input.\n";

static uint64_t random_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), 0) == (ssize_t)sizeof(s))
		return s;
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

struct find_args {
	const struct p2pdma_whatif *w;
	uint64_t seed;
	bool all, json;
};

static int run_find(struct p2pdma_fabric *f, int argc, char **argv,
		    const struct find_args *a)
{
	struct p2pdma_whatif_report *rep = NULL;
	struct p2pdma_find_result *r = NULL;
	struct p2pdma_error e = { 0 };
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_client *clients = calloc((size_t)argc, sizeof(*clients));
	char *out = NULL;
	int ret = EXIT_USAGE, i;

	if (!p || !clients) {
		cli_error("out of memory");
		goto done;
	}
	for (i = 0; i < argc; i++)
		if (p2pdma_client_parse(f, argv[i], &clients[i], &e)) {
			cli_lib_error(&e);
			goto done;
		}
	if (p2pdma_whatif_any(a->w) && p2pdma_whatif_apply(p, a->w, &rep, &e)) {
		cli_lib_error(&e);
		goto done;
	}
	if (p2pdma_find(p, clients, (size_t)argc, a->seed, &r, &e) ||
	    p2pdma_find_write(p, clients, (size_t)argc, r, rep, a->all, a->json, &out, &e)) {
		cli_lib_error(&e);
		goto done;
	}
	ret = cli_print(out);
	if (ret == EXIT_OK && !r->chosen)
		ret = EXIT_NO;
done:
	free(out);
	p2pdma_find_result_free(r);
	p2pdma_whatif_report_free(rep);
	free(clients);
	p2pdma_policy_free(p);
	return ret;
}

static int parse_seed(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return *end || errno == ERANGE ? -1 : 0;
}

int cmd_find(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		CLI_WHATIF_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cli_command *cmd = cli_find_command("find");
	struct p2pdma_whatif w = { .iommu = -1 };
	struct find_args a = { .w = &w, .seed = random_seed() };
	struct p2pdma_fabric *f;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int known = cli_whatif_option(c, optarg, &w);

		if (known < 0)
			return EXIT_USAGE;
		if (known)
			continue;
		switch (c) {
		case 's':
			if (parse_seed(optarg, &a.seed))
				return cli_error("--seed takes a non-negative number, not '%s'", optarg);
			break;
		case 'a':
			a.all = true;
			break;
		case 'j':
			a.json = true;
			break;
		case 'h':
			cli_usage(stdout, cmd, find_options);
			return EXIT_OK;
		default:
			cli_usage(stderr, cmd, find_options);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("find needs at least one CLIENT");
		cli_usage(stderr, cmd, find_options);
		return EXIT_USAGE;
	}
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_find(f, argc - optind, argv + optind, &a);
	p2pdma_fabric_free(f);
	return ret;
}
