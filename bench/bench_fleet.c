// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_fleet: doctor and diff at fleet scale, on one core.
 *
 *   bench_fleet [FUNCTIONS [MACHINES [DIR]]]
 *
 * 1. Two generated machines of FUNCTIONS (default 4096) functions that
 *    differ in a few ACS registers: doctor on one, diff of the two.
 * 2. The fleet: MACHINES (default 10000) node captures, written as JSON
 *    files into DIR (default a temporary directory) the way a collector
 *    would hold them, each one loaded, run through doctor and diffed
 *    against the first as the baseline; the time per machine.
 *
 * Times are CPU time of this thread, so other load on the machine does
 * not inflate them.  Prints a table and the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "p2pdma.h"
#include "bench.h"

/* Endpoint classes that doctor looks at: GPU, NIC, NVMe. */
static const uint32_t classes[] = { 0x030200, 0x020000, 0x010802 };

static struct p2pdma_function *add(struct p2pdma_fabric *f, struct p2pdma_host_bridge *hb,
				   struct p2pdma_function *parent, unsigned int bus,
				   unsigned int dev, enum p2pdma_role role, uint32_t cls,
				   uint16_t acs)
{
	struct p2pdma_function t, *out;
	struct p2pdma_error e = { 0 };

	p2pdma_function_init(&t);
	t.bdf = (struct p2pdma_bdf){ hb->domain, (uint8_t)bus, (uint8_t)dev, 0 };
	t.role = role;
	t.vendor = role == P2PDMA_ROLE_ENDPOINT ? 0x10de : 0x10b5;
	t.device = role == P2PDMA_ROLE_ENDPOINT ? 0x20b5 : 0xc010;
	t.class_code = cls;
	t.acs_state = role == P2PDMA_ROLE_ENDPOINT ? P2PDMA_ACS_ABSENT : P2PDMA_ACS_PRESENT;
	t.acs_cap = 0x5f;
	t.acs_ctrl = acs;
	t.link = (struct p2pdma_link){ 16000, 16, 16000, 16 };
	if (p2pdma_fabric_add_function(f, hb, parent, &t, &out, &e))
		die("generate", &e);
	return out;
}

/*
 * Host bridges (8086:09a2 at 00.0) with root ports, each above a switch
 * of up to 31 downstream ports with one endpoint each, until @want
 * functions.  Downstream port k redirects when (k + @redir_seed) % 7 == 0.
 */
static struct p2pdma_fabric *generate(size_t want, unsigned int redir_seed)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	unsigned int h;

	for (h = 0; f->nr_fns < want && h < 64; h++) {
		struct p2pdma_host_bridge *hb;
		unsigned int bus = 1, rp;

		if (p2pdma_fabric_add_host_bridge(f, NULL, h, 0, &hb, &e))
			die("generate", &e);
		add(f, hb, NULL, 0, 0, P2PDMA_ROLE_ENDPOINT, 0x060000, 0)->device = 0x09a2;
		for (rp = 1; rp < 8 && f->nr_fns < want && bus < 200; rp++) {
			struct p2pdma_function *port, *usp;
			unsigned int k;

			port = add(f, hb, NULL, 0, rp, P2PDMA_ROLE_ROOT_PORT, 0x060400, 0x11);
			port->secondary_bus = (int)bus;
			usp = add(f, hb, port, bus, 0, P2PDMA_ROLE_SWITCH_UPSTREAM, 0x060400, 0);
			usp->secondary_bus = (int)++bus;
			bus++;
			for (k = 0; k < 31 && f->nr_fns + 1 < want; k++) {
				uint16_t acs = (k + redir_seed) % 7 ? 0x11 : 0x1d;
				struct p2pdma_function *dsp = add(f, hb, usp, usp->secondary_bus, k,
								  P2PDMA_ROLE_SWITCH_DOWNSTREAM,
								  0x060400, acs);

				dsp->secondary_bus = dsp->subordinate_bus = (int)bus;
				add(f, hb, dsp, bus++, 0, P2PDMA_ROLE_ENDPOINT, classes[k % 3], 0);
			}
			usp->subordinate_bus = port->subordinate_bus = (int)bus - 1;
		}
	}
	p2pdma_fabric_set_kernel_release(f, "6.12.117");
	if (p2pdma_fabric_finalize(f, &e))
		die("generate", &e);
	return f;
}

static size_t doctor(struct p2pdma_fabric *f)
{
	struct p2pdma_policy *p = p2pdma_policy_new(f);
	struct p2pdma_error e = { 0 };
	struct p2pdma_doctor *d = NULL;
	size_t blocked;

	if (!p || p2pdma_doctor_run(p, &d, &e))
		die("doctor", &e);
	blocked = d->nr_blocked + d->nr_pairs;
	p2pdma_doctor_free(d);
	p2pdma_policy_free(p);
	return blocked;
}

static size_t diff(struct p2pdma_fabric *a, struct p2pdma_fabric *b)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_diff *d;
	size_t n;

	if (p2pdma_diff_run(a, b, &d, &e))
		die("diff", &e);
	n = d->nr_changes;
	p2pdma_diff_free(d);
	return n;
}

static struct p2pdma_fabric *load(const char *path)
{
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_JSON };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;

	if (p2pdma_fabric_load(&o, &f, &e))
		die("load", &e);
	return f;
}

static void write_machine(const char *dir, size_t i, unsigned int fns)
{
	struct p2pdma_fabric *f = generate(fns, (unsigned int)(i % 5 ? 0 : i));
	struct p2pdma_error e = { 0 };
	char path[4096], *json;
	FILE *out;

	if (p2pdma_fabric_write_json(f, &json, &e))
		die("write", &e);
	snprintf(path, sizeof(path), "%s/node%05zu.json", dir, i);
	out = fopen(path, "w");
	if (!out || fputs(json, out) < 0 || fclose(out)) {
		perror(path);
		exit(1);
	}
	free(json);
	p2pdma_fabric_free(f);
}

/* Distinct captures: one in five has other ports redirecting. */
static double fleet(const char *dir, size_t machines, unsigned int fns, size_t *changes)
{
	struct p2pdma_fabric *base;
	char path[4096];
	double t;
	size_t i;

	for (i = 0; i < machines; i++)
		write_machine(dir, i, fns);
	snprintf(path, sizeof(path), "%s/node00000.json", dir);
	base = load(path);
	t = now();
	for (i = 0; i < machines; i++) {
		struct p2pdma_fabric *f;

		snprintf(path, sizeof(path), "%s/node%05zu.json", dir, i);
		f = load(path);
		doctor(f);
		*changes += diff(base, f);
		p2pdma_fabric_free(f);
	}
	t = now() - t;
	for (i = 0; i < machines; i++) {
		snprintf(path, sizeof(path), "%s/node%05zu.json", dir, i);
		unlink(path);
	}
	p2pdma_fabric_free(base);
	return t;
}

int main(int argc, char **argv)
{
	size_t want = argc > 1 ? strtoul(argv[1], NULL, 0) : 4096;
	size_t machines = argc > 2 ? strtoul(argv[2], NULL, 0) : 10000, changes = 0;
	char tmpl[] = "/tmp/bench_fleet.XXXXXX";
	const char *dir = argc > 3 ? argv[3] : mkdtemp(tmpl);
	struct p2pdma_fabric *a, *b;
	double t_doc, t_diff, t_fleet;
	size_t n;

	if (!dir || want < 16 || !machines) {
		fprintf(stderr, "usage: bench_fleet [FUNCTIONS [MACHINES [DIR]]]\n");
		return 2;
	}
	a = generate(want, 0);
	b = generate(want, 3);
	t_doc = now();
	doctor(a);
	t_doc = now() - t_doc;
	t_diff = now();
	n = diff(a, b);
	t_diff = now() - t_diff;
	t_fleet = fleet(dir, machines, 128, &changes);
	printf("%-52s %12s %10s\n", "case", "CPU time", "note");
	printf("%-52s %10.3f s %10zu\n", "doctor, one machine (functions)", t_doc, a->nr_fns);
	printf("%-52s %10.3f s %10zu\n", "diff, two machines (changes found)", t_diff, n);
	printf("%-52s %10.3f s %10zu\n", "fleet: load + doctor + diff, all machines", t_fleet, machines);
	printf("%-52s %10.3f ms %9s\n", "fleet: per machine (128 functions each)",
	       t_fleet * 1e3 / (double)machines, "");
	printf("(%zu changes against the baseline across the fleet)\n", changes);
	printf("command: %s %zu %zu%s%s\n", argv[0], want, machines, argc > 3 ? " " : "",
	       argc > 3 ? argv[3] : "");
	p2pdma_fabric_free(a);
	p2pdma_fabric_free(b);
	if (argc <= 3)
		rmdir(dir);
	return 0;
}
