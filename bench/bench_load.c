// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_load: how long loading a machine takes, beside lspci reading the
 * same tree through libpci's sysfs method.
 *
 * Two trees: the largest real capture (hwloc's Dell DCS8000Z, 137
 * functions, as the tarball and unpacked) and a generated one of 4096
 * functions (default) behind deep switches, with 4096-byte config files
 * holding a valid PCIe + ACS capability chain, as root would capture.
 * Times are medians of several runs after one warm-up, so the page cache
 * is warm for every contender.  "p2pdma load" is the library call;
 * "p2pdma topo" is the whole command (process start, names, printing),
 * the fair match for an lspci process.
 *
 *   bench_load [--functions N] [--runs R] [--keep]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "p2pdma.h"

extern char **environ;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_load: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---------------------------------------------------------------------- */
/* Writing a tree                                                          */

/* snprintf that must not truncate. */
#define PATHF(buf, ...) do { \
		if (snprintf(buf, sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf)) \
			die("path too long: %s", buf); \
	} while (0)

static void mkdirs(const char *path)
{
	char *p = strdup(path), *s;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				die("mkdir %s: %s", p, strerror(errno));
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
}

static void put(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		die("write %s: %s", path, strerror(errno));
	close(fd);
}

static void putf(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void putf(const char *dir, const char *name, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(dir, name, buf, (size_t)n);
}

static void link_to(const char *dir, const char *name, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (symlink(target, path) && errno != EEXIST)
		die("symlink %s: %s", path, strerror(errno));
}

/* PCIe spec layout: PM cap at 0x40, Express at 0x60, AER at 0x100, ACS at 0x140. */
static void config_space(uint8_t *b, uint16_t vendor, uint16_t device, uint32_t cls,
			 int type, int sec, int sub, uint16_t acs_ctrl)
{
	bool bridge = sec >= 0;

	memset(b, 0, 4096);
	b[0] = (uint8_t)vendor;
	b[1] = (uint8_t)(vendor >> 8);
	b[2] = (uint8_t)device;
	b[3] = (uint8_t)(device >> 8);
	b[6] = 0x10;				/* capability list */
	b[8] = 0xb0;				/* revision, as in the sysfs file */
	b[9] = (uint8_t)cls;
	b[10] = (uint8_t)(cls >> 8);
	b[11] = (uint8_t)(cls >> 16);
	b[0x0e] = bridge ? 1 : 0;
	if (bridge) {
		b[0x19] = (uint8_t)sec;
		b[0x1a] = (uint8_t)sub;
	} else {
		/* Subsystem IDs, as in the sysfs files (a bridge has them elsewhere). */
		b[0x2c] = (uint8_t)vendor;
		b[0x2d] = (uint8_t)(vendor >> 8);
		b[0x2e] = 0x01;
	}
	b[0x34] = 0x40;
	b[0x40] = 0x01;
	b[0x41] = 0x60;
	b[0x60] = 0x10;
	b[0x62] = (uint8_t)(0x02 | type << 4);
	b[0x6c] = 0x04;				/* Link Cap: 16 GT/s, x16 (bits 9:4) */
	b[0x6d] = 0x01;
	b[0x72] = 0x04;				/* Link Status: the same */
	b[0x73] = 0x01;
	/* AER, then ACS on bridges */
	b[0x100] = 0x01;
	b[0x102] = 0x01;
	if (bridge) {
		b[0x103] = 0x14;		/* next = 0x140 */
		b[0x140] = 0x0d;
		b[0x142] = 0x01;
		b[0x144] = 0x7f;
		b[0x146] = (uint8_t)acs_ctrl;
	}
}

struct gen {
	const char *root;
	int nr, target, group;
	uint32_t domain;
	char hb[PATH_MAX];
};

static const char zero_line[] = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

static void resource(const char *dir, bool bridge, uint64_t bar)
{
	char buf[64 * 17];
	size_t len = 0;
	int i, lines = bridge ? 17 : 13;

	for (i = 0; i < lines; i++) {
		if (i == 0 && !bridge)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"0x%016llx 0x%016llx 0x000000000014220c\n",
						(unsigned long long)bar,
						(unsigned long long)(bar + 0xfffff));
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", zero_line);
	}
	put(dir, "resource", buf, len);
}

/* One function directory; returns false once the target count is reached. */
static bool function(struct gen *g, const char *parent, int bus, int dev, int fn,
		     uint16_t device, uint32_t cls, int type, int sec, int sub,
		     char *out, size_t outlen)
{
	static uint8_t cfg[4096];
	char rel[PATH_MAX], link[PATH_MAX + 32], name[32];
	bool bridge = sec >= 0;

	if (g->nr >= g->target)
		return false;
	snprintf(name, sizeof(name), "%04x:%02x:%02x.%d", g->domain, bus, dev, fn);
	snprintf(out, outlen, "%s/%s", parent, name);
	mkdirs(out);
	putf(out, "vendor", "0x%04x\n", bridge ? 0x10b5 : 0x15b3);
	putf(out, "device", "0x%04x\n", device);
	putf(out, "subsystem_vendor", "0x%04x\n", bridge ? 0x10b5 : 0x15b3);
	putf(out, "subsystem_device", "0x%04x\n", 0x0001);
	putf(out, "class", "0x%06x\n", cls);
	putf(out, "revision", "0x%02x\n", 0xb0);
	putf(out, "irq", "%d\n", 0);
	putf(out, "numa_node", "%d\n", (int)(g->domain & 1));
	putf(out, "current_link_speed", "16.0 GT/s PCIe\n");
	putf(out, "current_link_width", "16\n");
	putf(out, "max_link_speed", "16.0 GT/s PCIe\n");
	putf(out, "max_link_width", "16\n");
	if (bridge) {
		putf(out, "secondary_bus_number", "%d\n", sec);
		putf(out, "subordinate_bus_number", "%d\n", sub);
	}
	config_space(cfg, bridge ? 0x10b5 : 0x15b3, device, cls, type, sec, sub,
		     (uint16_t)(type == 6 && dev % 2 ? 0x1d : 0));
	put(out, "config", cfg, sizeof(cfg));
	resource(out, bridge, 0x4000000000ULL + (uint64_t)g->nr * 0x100000);
	link_to(out, "driver", bridge ? "../../../bus/pci/drivers/pcieport" :
					"../../../bus/pci/drivers/mlx5_core");
	snprintf(link, sizeof(link), "../../../kernel/iommu_groups/%d", g->group);
	link_to(out, "iommu_group", link);
	snprintf(rel, sizeof(rel), "%s/sys/kernel/iommu_groups/%d", g->root, g->group);
	mkdirs(rel);
	putf(rel, "type", "DMA-FQ\n");
	g->group++;
	/* sys/bus/pci/devices/NAME -> ../../../devices/... */
	snprintf(rel, sizeof(rel), "%s/sys/bus/pci/devices", g->root);
	snprintf(link, sizeof(link), "../../../%s", out + strlen(g->root) + 5);
	link_to(rel, name, link);
	g->nr++;
	return true;
}

/*
 * Per root port: switch A (upstream + 6 downstream), each downstream port
 * to switch B (upstream + 6 downstream), each of those to an 8-function
 * endpoint: 338 functions over 50 buses, six levels deep.
 */
static void root_port(struct gen *g, int rp, int *bus)
{
	char rpd[PATH_MAX], ausp[PATH_MAX], adsp[PATH_MAX], busp[PATH_MAX];
	char bdsp[PATH_MAX], ep[PATH_MAX];
	int base = *bus, a, b, f;

	*bus += 50;
	if (!function(g, g->hb, 0, rp + 1, 0, 0x2030, 0x060400, 4, base, base + 49, rpd,
		      sizeof(rpd)))
		return;
	if (!function(g, rpd, base, 0, 0, 0x9797, 0x060400, 5, base + 1, base + 49, ausp,
		      sizeof(ausp)))
		return;
	for (a = 0; a < 6; a++) {
		int bb = base + 2 + a * 8;	/* B's upstream bus, internal bus, 6 endpoint buses */

		if (!function(g, ausp, base + 1, a, 0, 0x9797, 0x060400, 6, bb, bb + 7, adsp,
			      sizeof(adsp)))
			return;
		if (!function(g, adsp, bb, 0, 0, 0x9781, 0x060400, 5, bb + 1, bb + 7, busp,
			      sizeof(busp)))
			return;
		for (b = 0; b < 6; b++) {
			if (!function(g, busp, bb + 1, b, 0, 0x9781, 0x060400, 6, bb + 2 + b,
				      bb + 2 + b, bdsp, sizeof(bdsp)))
				return;
			for (f = 0; f < 8; f++)
				if (!function(g, bdsp, bb + 2 + b, 0, f, 0x101b, 0x020700, 0,
					      -1, -1, ep, sizeof(ep)))
					return;
		}
	}
}

static void generate(const char *root, int target)
{
	struct gen g = { .root = root, .target = target };
	char path[PATH_MAX];

	PATHF(path, "%s/sys/bus/pci/devices", root);
	mkdirs(path);
	PATHF(path, "%s/proc", root);
	mkdirs(path);
	putf(path, "cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
	     "model\t\t: 143\n\n");
	putf(path, "cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n");
	for (g.domain = 0; g.nr < target; g.domain++) {
		int bus = 1, rp;

		PATHF(g.hb, "%s/sys/devices/pci%04x:00", root, g.domain);
		for (rp = 0; rp < 4 && g.nr < target; rp++)
			root_port(&g, rp, &bus);
	}
}

/* ---------------------------------------------------------------------- */
/* Timing                                                                  */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Wall clock and CPU (user + system) of one contender, medians over the runs. */
struct timing {
	double wall, cpu;
};

static double cpu_ms(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

static struct timing medians(double *wall, double *cpu, int runs)
{
	struct timing t = { median(wall, runs), median(cpu, runs) };

	return t;
}

static size_t load_once(const char *path)
{
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	size_t n;

	if (p2pdma_fabric_load(&o, &f, &e))
		die("loading %s: %s", path, e.reason);
	n = f->nr_fns;
	p2pdma_fabric_free(f);
	return n;
}

static struct timing time_load(const char *path, int runs, size_t *nr_fns)
{
	double wall[64], cpu[64];
	int i;

	*nr_fns = load_once(path);		/* warm-up */
	for (i = 0; i < runs; i++) {
		struct rusage r0, r1;
		double t0 = now_ms();

		getrusage(RUSAGE_SELF, &r0);
		load_once(path);
		getrusage(RUSAGE_SELF, &r1);
		wall[i] = now_ms() - t0;
		cpu[i] = cpu_ms(&r1) - cpu_ms(&r0);
	}
	return medians(wall, cpu, runs);
}

/* Run argv with stdout and stderr to /dev/null; the exit status must be 0. */
static double run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	int status;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ))
		die("cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s %s %s failed", argv[0], argv[1], argv[2] ? argv[2] : "");
	return cpu_ms(&ru);
}

static struct timing time_cmd(char *const argv[], int runs)
{
	double wall[64], cpu[64];
	int i;

	run_quiet(argv);
	for (i = 0; i < runs; i++) {
		double t0 = now_ms();

		cpu[i] = run_quiet(argv);
		wall[i] = now_ms() - t0;
	}
	return medians(wall, cpu, runs);
}

static struct timing time_lspci(const char *root, const char *what, int runs)
{
	char opt[PATH_MAX + 32];
	char *argv[] = { "lspci", "-A", "linux-sysfs", "-O", opt, (char *)what, NULL };

	snprintf(opt, sizeof(opt), "sysfs.path=%s/sys/bus/pci", root);
	return time_cmd(argv, runs);
}

static struct timing time_topo(const char *bin, const char *input, int runs)
{
	char *argv[] = { (char *)bin, "-i", (char *)input, "topo", NULL };

	return time_cmd(argv, runs);
}

/* The p2pdma binary of the same build: ../cli/p2pdma from this program. */
static void find_cli(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		die("cannot find myself: %s", strerror(errno));
	self[n] = '\0';
	if (snprintf(out, len, "%s/../cli/p2pdma", dirname(self)) >= (int)len)
		die("path too long");
	if (access(out, X_OK))
		die("%s: not built", out);
}

struct result {
	const char *name;
	size_t fns;
	struct timing load, topo, tv, vvv;
	bool lspci;
};

static void cell(char *buf, size_t len, double v, bool have)
{
	if (have)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "-");
}

static void table(const char *title, const struct result *r, int n, bool cpu)
{
	int i;

	printf("%s\n", title);
	printf("%-36s %5s %11s %11s %10s %11s %9s\n", "tree", "fns", "p2pdma load",
	       "p2pdma topo", "lspci -tv", "lspci -vvv", "vvv/topo");
	for (i = 0; i < n; i++) {
		double load = cpu ? r[i].load.cpu : r[i].load.wall;
		double topo = cpu ? r[i].topo.cpu : r[i].topo.wall;
		double tv = cpu ? r[i].tv.cpu : r[i].tv.wall;
		double vvv = cpu ? r[i].vvv.cpu : r[i].vvv.wall;
		char a[16], b[16], ratio[16];

		cell(a, sizeof(a), tv, r[i].lspci);
		cell(b, sizeof(b), vvv, r[i].lspci);
		if (r[i].lspci)
			snprintf(ratio, sizeof(ratio), "%.2fx", vvv / topo);
		else
			snprintf(ratio, sizeof(ratio), "-");
		printf("%-36s %5zu %11.1f %11.1f %10s %11s %9s\n", r[i].name, r[i].fns, load,
		       topo, a, b, ratio);
	}
	printf("\n");
}

/*
 * Goals (issue 17): `p2pdma topo` faster than `lspci -tv` on every tree,
 * loading the generated tree in at most half of `lspci -tv`'s time.
 * Both clocks are shown; CPU time is the one other load cannot skew.
 */
static void goals(const struct result *r, int n)
{
	int i, clock;

	printf("Goals (issue 17), as ratios to lspci -tv:\n");
	printf("%-36s %-6s %13s %13s\n", "tree", "clock", "topo/lspci", "load/lspci");
	for (i = 0; i < n; i++)
		for (clock = 0; clock < 2; clock++) {
			double tv = clock ? r[i].tv.cpu : r[i].tv.wall;
			double topo = (clock ? r[i].topo.cpu : r[i].topo.wall) / tv;
			double load = (clock ? r[i].load.cpu : r[i].load.wall) / tv;

			printf("%-36s %-6s %8.2fx %-4s %8.2fx %-4s\n", clock ? "" : r[i].name,
			       clock ? "CPU" : "wall", topo, topo < 1 ? "met" : "NOT",
			       load, i ? "" : load <= 0.5 ? "met" : "NOT");
		}
	printf("(goals: topo/lspci < 1 on every tree; load/lspci <= 0.5 on the first)\n\n");
}

static void measure(struct result *r, const char *name, const char *tree, const char *cli,
		    bool lspci, int runs)
{
	r->name = name;
	r->lspci = lspci;
	r->load = time_load(tree, runs, &r->fns);
	r->topo = time_topo(cli, tree, runs);
	if (lspci) {
		r->tv = time_lspci(tree, "-tv", runs);
		r->vvv = time_lspci(tree, "-vvv", runs);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "functions", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "keep", no_argument, NULL, 'k' },
		{ 0 },
	};
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], gen[PATH_MAX], real[PATH_MAX], unpacked[PATH_MAX], cli[PATH_MAX];
	char cmd[PATH_MAX * 3];
	int functions = 4096, runs = 5, keep = 0, c, i;
	struct result res[3];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			functions = atoi(optarg);
		else if (c == 'r')
			runs = atoi(optarg);
		else if (c == 'k')
			keep = 1;
		else
			die("usage: bench_load [--functions N] [--runs R] [--keep]");
	}
	if (functions < 1 || runs < 1 || runs > 64)
		die("--functions must be >= 1, --runs 1..64");
	find_cli(cli, sizeof(cli));
	snprintf(dir, sizeof(dir), "%s/p2pdma-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	PATHF(gen, "%s/generated", dir);
	PATHF(unpacked, "%s/real", dir);
	snprintf(real, sizeof(real),
		 "%s/tests/data/real/sysfs/hwloc-32em64t-2n8c+dax+nvme+mic+dimms.tar.bz2",
		 P2PDMA_SOURCE_ROOT);
	fprintf(stderr, "bench_load: generating %d functions in %s ...\n", functions, gen);
	generate(gen, functions);
	mkdirs(unpacked);
	snprintf(cmd, sizeof(cmd), "tar -C '%s' -xf '%s'", unpacked, real);
	if (system(cmd))
		die("%s failed", cmd);
	/* hwloc's layout: the tree is one level down */
	strncat(unpacked, "/32em64t-2n8c+1mic", sizeof(unpacked) - strlen(unpacked) - 1);

	measure(&res[0], "generated, 4096-byte config (dir)", gen, cli, true, runs);
	measure(&res[1], "hwloc 32em64t, 64-byte config (dir)", unpacked, cli, true, runs);
	measure(&res[2], "hwloc 32em64t (.tar.bz2, in memory)", real, cli, false, runs);
	printf("Loading a machine, in ms: median of %d runs after a warm-up (page cache warm)\n\n",
	       runs);
	table("Wall clock", res, 3, false);
	table("CPU time (user + system)", res, 3, true);
	goals(res, 2);
	printf("'p2pdma load' is p2pdma_fabric_load() in this process; 'p2pdma topo' is\n"
	       "the whole '%s -i TREE topo' process; lspci is\n"
	       "'lspci -A linux-sysfs -O sysfs.path=TREE/sys/bus/pci -tv|-vvv'.\n", cli);
	printf("\ncommand:");
	for (i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("%s\n", argc == 1 ? "   (defaults: --functions 4096 --runs 5)" : "");
	if (keep) {
		fprintf(stderr, "bench_load: trees kept in %s\n", dir);
	} else {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "bench_load: could not remove %s\n", dir);
	}
	return 0;
}
