// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How long the text parsers take: the largest lspci dump of the real
 * captures (as a hex dump through libpci, and as -vvv text), the largest
 * -vvv-only file, and the largest NCCL XML, each loaded and finalized
 * through p2pdma_fabric_load(); beside it, "lspci -F FILE -tv" and
 * "lspci -F FILE -t" on the same dump (a whole process each: start-up,
 * libpci's dump reader, for -tv pci.ids), and "lspci --version" for the
 * bare cost of starting lspci.  The ratio is p2pdma's load over
 * "lspci -F FILE -tv", both measured in this run.
 *
 *   bench_parsers [SECONDS_PER_ROW]     (default 1)
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "p2pdma.h"

extern char **environ;

#define DATA P2PDMA_SOURCE_ROOT "/tests/data/real/"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void quiet(void *arg, enum p2pdma_log_level level, const char *msg)
{
	(void)arg;
	(void)level;
	(void)msg;
}

/* Mean seconds per load over as many loads as fit in @budget (at least 5). */
static double time_load(const char *path, enum p2pdma_input_format fmt, double budget,
			size_t *nr_fns)
{
	struct p2pdma_load_opts o = { .path = path, .format = fmt, .log = quiet };
	double t0 = now(), t;
	int n = 0;

	do {
		struct p2pdma_error e = { 0 };
		struct p2pdma_fabric *f;

		if (p2pdma_fabric_load(&o, &f, &e)) {
			fprintf(stderr, "bench_parsers: %s\n", e.reason);
			exit(1);
		}
		*nr_fns = f->nr_fns;
		p2pdma_fabric_free(f);
		n++;
		t = now();
	} while (n < 5 || t - t0 < budget);
	return (t - t0) / n;
}

/* Mean seconds per run of a command (output to /dev/null); < 0: it failed. */
static double time_cmd(char *const argv[], double budget)
{
	posix_spawn_file_actions_t fa;
	double t0 = now(), t;
	int n = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	do {
		pid_t pid;
		int st;

		if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) ||
		    waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			posix_spawn_file_actions_destroy(&fa);
			return -1;
		}
		n++;
		t = now();
	} while (n < 5 || t - t0 < budget);
	posix_spawn_file_actions_destroy(&fa);
	return (t - t0) / n;
}

static long file_size(const char *path)
{
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		return -1;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fclose(fp);
	return n;
}

static void ms(char *buf, size_t len, double s)
{
	if (s < 0)
		snprintf(buf, len, "%s", "-");
	else
		snprintf(buf, len, "%.3f ms", s * 1e3);
}

struct row {
	const char *rel;
	enum p2pdma_input_format fmt;
	bool lspci;		/* lspci -F can read it */
};

int main(int argc, char **argv)
{
	static const struct row rows[] = {
		{ "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt", P2PDMA_INPUT_LSPCI, true },
		{ "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt", P2PDMA_INPUT_LSPCI_VVV, true },
		{ "lspci/pciutils-tree-asus-p6t6.txt", P2PDMA_INPUT_LSPCI, true },
		{ "lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt", P2PDMA_INPUT_LSPCI_VVV, false },
		{ "nccl/rccl-topo_16p1h.xml", P2PDMA_INPUT_NCCL, false },
		{ "nccl/oci-BM.GPU4.8-rome-8xA100-pex88096.xml", P2PDMA_INPUT_NCCL, false },
	};
	double budget = argc > 1 ? atof(argv[1]) : 1.0, start;
	char *ver[] = { "lspci", "--version", NULL };
	size_t i;
	int k;

	if (budget <= 0)
		budget = 1.0;
	printf("# bench_parsers: p2pdma_fabric_load() (parse + finalize) beside lspci on the same file\n");
	printf("# command:");
	for (k = 0; k < argc; k++)
		printf(" %s", argv[k]);
	printf("\n# each time is a mean over >= 5 runs and >= %.1f s; lspci times are whole processes\n",
	       budget);
	start = time_cmd(ver, budget);
	printf("# lspci --version (process start-up only): %.3f ms\n\n", start * 1e3);
	printf("%-56s %-9s %7s %4s %12s %14s %12s %8s\n", "file", "as", "bytes", "fns",
	       "p2pdma", "lspci -F -tv", "lspci -F -t", "ratio");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[1024], a[32], b[32], c[32], ratio[16] = "-";
		double ours, tv = -1, t = -1;
		size_t nf = 0;

		snprintf(path, sizeof(path), DATA "%s", rows[i].rel);
		ours = time_load(path, rows[i].fmt, budget, &nf);
		if (rows[i].lspci) {
			char *tv_argv[] = { "lspci", "-F", path, "-tv", NULL };
			char *t_argv[] = { "lspci", "-F", path, "-t", NULL };

			tv = time_cmd(tv_argv, budget);
			t = time_cmd(t_argv, budget);
			if (tv > 0)
				snprintf(ratio, sizeof(ratio), "%.2f", ours / tv);
		}
		ms(a, sizeof(a), ours);
		ms(b, sizeof(b), tv);
		ms(c, sizeof(c), t);
		printf("%-56s %-9s %7ld %4zu %12s %14s %12s %8s\n", rows[i].rel,
		       p2pdma_input_format_name(rows[i].fmt), file_size(path), nf, a, b, c, ratio);
	}
	printf("\n# ratio = p2pdma load / lspci -F FILE -tv (below 1: p2pdma is faster)\n");
	return 0;
}
