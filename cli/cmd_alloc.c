// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma alloc PROVIDER SIZE: carve a buffer from a provider's p2pmem
 * pool, as pci_alloc_p2pmem() would, and show where it lives: its CPU
 * physical range and the PCI bus range peers use.  A model: nothing is
 * allocated on the machine itself.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char alloc_options[] =
	"  PROVIDER          a function with p2pmem (DDDD:BB:DD.F)\n"
	"  SIZE              bytes: 4096, 0x1000, 64K, 2M, 1G; rounded up to whole\n"
	"                    4 KiB pages, contiguous inside one p2pmem range\n"
	"      --json        print JSON instead of text\n"
	"  -h, --help        this text\n"
	"\n"
	"Providers are the functions the machine says have p2pmem: a kernel pool\n"
	"(sysfs p2pmem/) on a live or captured machine, or \"p2pmem\" in a JSON\n"
	"description.  The pool covers p2pmem size bytes at the start of one\n"
	"memory BAR: a BAR of exactly that size, else the smallest prefetchable\n"
	"64-bit BAR that holds it, else the smallest prefetchable one, else the\n"
	"smallest memory BAR that holds it.  Memory the machine reports in use\n"
	"(size - available) stays in use here.\n"
	"\n"
	"Exit status: 0 allocated, 1 the pool cannot hold it (too large, or no\n"
	"contiguous run free), 2 bad usage or input.\n";

static int usage_error(void)
{
	fputs("Try 'p2pdma alloc --help'.\n", stderr);
	return EXIT_USAGE;
}

/* The range of @p holding @phys. */
static int range_of(const struct p2pdma_provider *p, uint64_t phys,
		    struct p2pdma_p2pmem_range *r)
{
	size_t i;

	for (i = 0; !p2pdma_provider_range(p, i, r); i++)
		if (phys >= r->phys && phys - r->phys < r->size)
			return 0;
	return -ENOENT;
}

static const char *fn_label(const struct p2pdma_function *fn, char *buf, size_t len)
{
	char v[128], d[128];

	p2pdma_name_vendor(fn->vendor, v, sizeof(v));
	p2pdma_name_device(fn->vendor, fn->device, d, sizeof(d));
	if (v[0] && d[0])
		snprintf(buf, len, " (%s %s)", v, d);
	else
		buf[0] = '\0';
	return buf;
}

struct alloc_result {
	const struct p2pdma_provider *p;
	uint64_t requested, size, phys;
	struct p2pdma_p2pmem_range r;
	const char *release;		/* the kernel release answered for */
	bool user_alloc;		/* it has sysfs p2pmem/allocate (6.2+) */
};

static int print_text(const struct alloc_result *a)
{
	const struct p2pdma_function *fn = p2pdma_provider_function(a->p);
	char name[P2PDMA_BDF_STRLEN], label[300], s1[32], s2[32], s3[32];
	uint64_t bus = p2pdma_provider_bus_addr(a->p, a->phys);
	uint64_t off = fn->host->bus_offset;
	size_t len = 0;
	char *out = NULL;
	FILE *b = open_memstream(&out, &len);

	if (!b)
		return cli_error("out of memory");
	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	fprintf(b, "Provider %s%s: p2pmem %s, %s\n", name,
		fn_label(fn, label, sizeof(label)),
		p2pdma_size_format(p2pdma_provider_size(a->p), s1, sizeof(s1)),
		p2pdma_provider_published(a->p) ? "published" : "not published");
	fprintf(b, "Buffer: %s", p2pdma_size_format(a->size, s1, sizeof(s1)));
	if (a->size != a->requested)
		fprintf(b, " (%s asked, rounded up to whole pages)",
			p2pdma_size_format(a->requested, s2, sizeof(s2)));
	fprintf(b, " in BAR %d at offset 0x%llx\n", a->r.bar,
		(unsigned long long)(a->r.offset + (a->phys - a->r.phys)));
	fprintf(b, "  CPU physical  %#llx-%#llx\n", (unsigned long long)a->phys,
		(unsigned long long)(a->phys + a->size - 1));
	fprintf(b, "  PCI bus       %#llx-%#llx  (host bridge %s, bus offset %s0x%llx)\n",
		(unsigned long long)bus, (unsigned long long)(bus + a->size - 1),
		fn->host->name, (int64_t)off < 0 ? "-" : "",
		(unsigned long long)((int64_t)off < 0 ? -off : off));
	fprintf(b, "Pool now: size %llu, available %llu (%s of %s free)\n",
		(unsigned long long)p2pdma_provider_size(a->p),
		(unsigned long long)p2pdma_provider_available(a->p),
		p2pdma_size_format(p2pdma_provider_available(a->p), s2, sizeof(s2)),
		p2pdma_size_format(p2pdma_provider_size(a->p), s3, sizeof(s3)));
	if (a->user_alloc)
		fprintf(b, "From user space: mmap of /sys/bus/pci/devices/%s/p2pmem/allocate (kernel %s)\n",
			name, a->release);
	else
		fprintf(b, "From user space: not on kernel %s (p2pmem/allocate arrived in 6.2); only in-kernel users such as nvmet allocate there\n",
			a->release);
	return cli_print_stream(b, &out);
}

static json_object *span(uint64_t start, uint64_t size)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "start", cli_json_hex(start));
	json_object_object_add(o, "end", cli_json_hex(start + size - 1));
	return o;
}

static int print_json(const struct alloc_result *a)
{
	const struct p2pdma_function *fn = p2pdma_provider_function(a->p);
	json_object *o = json_object_new_object(), *pool = json_object_new_object();
	char name[P2PDMA_BDF_STRLEN];

	p2pdma_bdf_format(&fn->bdf, name, sizeof(name));
	json_object_object_add(o, "provider", json_object_new_string(name));
	json_object_object_add(o, "bar", json_object_new_int(a->r.bar));
	json_object_object_add(o, "bar_offset", cli_json_hex(a->r.offset + (a->phys - a->r.phys)));
	json_object_object_add(o, "requested", json_object_new_uint64(a->requested));
	json_object_object_add(o, "size", json_object_new_uint64(a->size));
	json_object_object_add(o, "cpu_phys", span(a->phys, a->size));
	json_object_object_add(o, "bus", span(p2pdma_provider_bus_addr(a->p, a->phys), a->size));
	json_object_object_add(o, "host_bridge", json_object_new_string(fn->host->name));
	json_object_object_add(o, "bus_offset", cli_json_hex(fn->host->bus_offset));
	json_object_object_add(pool, "size", json_object_new_uint64(p2pdma_provider_size(a->p)));
	json_object_object_add(pool, "available",
			       json_object_new_uint64(p2pdma_provider_available(a->p)));
	json_object_object_add(pool, "published",
			       json_object_new_boolean(p2pdma_provider_published(a->p)));
	json_object_object_add(o, "pool", pool);
	json_object_object_add(o, "kernel_release", json_object_new_string(a->release));
	json_object_object_add(o, "user_space_allocate", json_object_new_boolean(a->user_alloc));
	return cli_print_json(o);
}

static int run_alloc(struct p2pdma_fabric *f, const char *prov, uint64_t size, bool json)
{
	struct p2pdma_error e = { 0 };
	struct alloc_result a = { .requested = size };
	struct p2pdma_provider *p;
	struct p2pdma_mem *m = NULL;
	struct p2pdma_policy *pol = p2pdma_policy_new(f);
	int ret = EXIT_USAGE;

	if (!pol)
		return cli_error("out of memory");
	a.release = p2pdma_policy_release(pol, NULL);
	a.user_alloc = p2pdma_policy_has(pol, P2PDMA_FEAT_USER_ALLOCATE);

	if (p2pdma_mem_new(f, NULL, 0, &m, &e) ||
	    p2pdma_mem_add_model_providers(m, cli_log, NULL, &e) < 0 ||
	    p2pdma_provider_lookup(m, prov, &p, &e)) {
		cli_lib_error(&e);
		/* -ENOMEM: the pool cannot hold the buffer (a pool of 0 B). */
		ret = e.err == -ENOMEM ? EXIT_NO : EXIT_USAGE;
		goto done;
	}
	if (p2pdma_p2pmem_alloc(p, size, &a.phys, &e)) {
		cli_lib_error(&e);
		ret = e.err == -ENOMEM ? EXIT_NO : EXIT_USAGE;
		goto done;
	}
	a.p = p;
	a.size = (size + P2PDMA_PAGE_SIZE - 1) & ~(P2PDMA_PAGE_SIZE - 1);
	if (range_of(p, a.phys, &a.r)) {
		cli_error("internal error: the buffer is in no range of its provider");
		goto done;
	}
	ret = json ? print_json(&a) : print_text(&a);
done:
	p2pdma_mem_free(m);
	p2pdma_policy_free(pol);
	return ret;
}

int cmd_alloc(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct p2pdma_fabric *f;
	bool json = false;
	uint64_t size;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			cli_usage(stdout, cli_find_command("alloc"), alloc_options);
			return EXIT_OK;
		default:
			return usage_error();
		}
	}
	if (argc - optind != 2) {
		cli_error("alloc takes a provider and a size (got %d argument%s)",
			  argc - optind, argc - optind == 1 ? "" : "s");
		return usage_error();
	}
	if (p2pdma_size_parse(argv[optind + 1], &size))
		return cli_error("'%s' is not a size (e.g. 4096, 0x1000, 64K, 2M)",
				 argv[optind + 1]);
	if (!size)
		return cli_error("the size must be more than 0");
	f = cli_load(cli);
	if (!f)
		return EXIT_USAGE;
	ret = run_alloc(f, argv[optind], size, json);
	p2pdma_fabric_free(f);
	return ret;
}
