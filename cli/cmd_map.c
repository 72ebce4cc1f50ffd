// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma map --client BDF... SEGMENT...: build one scatter-gather list
 * from p2pmem and host buffers, map it for each client as the kernel's
 * dma_map_sgtable() would, and show every segment's DMA address and how
 * it was obtained (bus address, IOVA, direct), or the refusal.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char map_options[] =
	"      --client BDF    a device that DMAs to the list (repeat for several);\n"
	"                      each gets its own mapping\n"
	"  SEGMENT...          p2p:PROVIDER:SIZE  a buffer from PROVIDER's p2pmem\n"
	"                      host:SIZE          a buffer in host RAM\n"
	"                      (SIZE: 4096, 0x1000, 64K, 2M, ...)\n"
	"      --max-seg SIZE  longest DMA entry an IOMMU mapping merges segments\n"
	"                      into (default 64K, the kernel's when a driver sets none)\n"
	"      --json          print JSON instead of text\n"
	"  -h, --help          this text\n"
	"\n"
	"Per segment and client, from the kernel's verdict for (provider, client):\n"
	"BUS_ADDR gets the PCI bus address and uses no IOVA; THRU_HOST_BRIDGE and\n"
	"host memory get an IOVA in the client's IOMMU domain (IOMMU group type DMA\n"
	"or DMA-FQ), or the CPU address plus the client's DMA offset when it has no\n"
	"translating domain (no group, or identity); NOT_SUPPORTED refuses the whole\n"
	"list with EREMOTEIO and maps nothing.  Providers: see 'p2pdma alloc --help'.\n"
	"\n"
	"Exit status: 0 mapped for every client, 1 refused for some client,\n"
	"2 bad usage or input.\n";

#define MAX_CLIENTS 64

struct map_req {
	const char *clients[MAX_CLIENTS];
	size_t nr_clients;
	struct p2pdma_segment_spec *specs;
	size_t nr_specs;
	uint64_t max_seg;
	bool json;
};

/* One client's outcome, kept until printing. */
struct outcome {
	const struct p2pdma_function *fn;
	struct p2pdma_dma_client_info ci;
	int ret;
	struct p2pdma_error e;
	struct p2pdma_sg *sg;		/* copy of the list after the map */
	size_t nents, dma_nents;
	ptrdiff_t failed;
	const char *note;		/* where the kernel release maps it wrongly */
};

static int usage_error(void)
{
	fputs("Try 'p2pdma map --help'.\n", stderr);
	return EXIT_USAGE;
}

static const char *how_key(enum p2pdma_dma_how how)
{
	switch (how) {
	case P2PDMA_DMA_BUS_ADDR: return "bus_address";
	case P2PDMA_DMA_IOVA: return "iova";
	case P2PDMA_DMA_DIRECT: return "direct";
	default: return "unmapped";
	}
}

static const char *errno_name(int err)
{
	switch (-err) {
	case EREMOTEIO: return "EREMOTEIO";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	default: return "error";
	}
}

static char *bdf(const struct p2pdma_function *fn, char *buf)
{
	return p2pdma_bdf_format(&fn->bdf, buf, P2PDMA_BDF_STRLEN);
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */

static void text_mode(FILE *o, const struct outcome *r)
{
	const struct p2pdma_dma_client_info *ci = &r->ci;

	switch (ci->mode) {
	case P2PDMA_DMA_MODE_IOMMU:
		if (ci->mode_assumed)
			fprintf(o, "IOMMU group %d (type unknown, taken as translating): IOVA through its domain",
				ci->iommu_group);
		else
			fprintf(o, "IOMMU group %d (%s): IOVA through its domain",
				ci->iommu_group, ci->group_type);
		break;
	case P2PDMA_DMA_MODE_BLOCKED:
		fprintf(o, "IOMMU group %d (blocked): no DMA", ci->iommu_group);
		break;
	case P2PDMA_DMA_MODE_DIRECT:
		if (ci->iommu_group >= 0)
			fprintf(o, "IOMMU group %d (%s): direct mapping", ci->iommu_group,
				ci->group_type);
		else
			fprintf(o, "no IOMMU group: direct mapping");
		if (ci->dma_offset)
			fprintf(o, " with DMA offset %#llx", (unsigned long long)ci->dma_offset);
		break;
	}
}

/* The segments as built: the specs say whose memory each one is. */
static void text_segments(FILE *o, const struct p2pdma_sgl *s, const struct map_req *q)
{
	char name[P2PDMA_BDF_STRLEN], sz[32], mem[48];
	size_t i;

	fprintf(o, "Segments:\n  %-3s %-24s %-10s %s\n", "#", "memory", "size", "CPU physical");
	for (i = 0; i < s->nents; i++) {
		const struct p2pdma_sg *sg = &s->sg[i];

		if (q->specs[i].kind == P2PDMA_SEGMENT_P2P)
			snprintf(mem, sizeof(mem), "p2pmem %s",
				 p2pdma_bdf_format(&q->specs[i].provider, name, sizeof(name)));
		else
			snprintf(mem, sizeof(mem), "host RAM");
		fprintf(o, "  %-3zu %-24s %-10s %#llx-%#llx\n", i, mem,
			p2pdma_size_format(sg->len, sz, sizeof(sz)),
			(unsigned long long)sg->phys,
			(unsigned long long)(sg->phys + sg->len - 1));
	}
}

static void text_client(FILE *o, const struct outcome *r)
{
	char name[P2PDMA_BDF_STRLEN], sz[32];
	size_t i;

	fprintf(o, "\nClient %s: ", bdf(r->fn, name));
	text_mode(o, r);
	fputc('\n', o);
	if (r->ret < 0) {
		fprintf(o, "  refused (%s): %s\n", errno_name(r->ret), r->e.reason);
		return;
	}
	fprintf(o, "  %-3s %-17s %-19s %s\n", "#", "map type", "DMA address", "how");
	for (i = 0; i < r->nents; i++) {
		const struct p2pdma_sg *sg = &r->sg[i];
		const char *how = p2pdma_dma_how_name(sg->how);

		fprintf(o, "  %-3zu %-17s 0x%-17llx %s%s\n", i,
			sg->provider ? p2pdma_map_type_name(sg->map_type) : "host",
			(unsigned long long)sg->seg_dma, how,
			sg->how == P2PDMA_DMA_BUS_ADDR ? " (no IOVA, nothing to unmap)" : "");
	}
	fprintf(o, "  DMA list, %zu entr%s:", r->dma_nents, r->dma_nents == 1 ? "y" : "ies");
	for (i = 0; i < r->dma_nents; i++)
		fprintf(o, "%s %#llx +%s%s", i ? "," : "",
			(unsigned long long)r->sg[i].dma_address,
			p2pdma_size_format(r->sg[i].dma_len, sz, sizeof(sz)),
			r->sg[i].dma_flags & P2PDMA_SG_DMA_BUS_ADDRESS ? " [bus address]" : "");
	fputc('\n', o);
	if (r->ci.mode == P2PDMA_DMA_MODE_IOMMU)
		fprintf(o, "  IOVA reserved: %s\n",
			p2pdma_size_format(r->ci.iova_mapped, sz, sizeof(sz)));
	if (r->note)
		fprintf(o, "  note: %s\n", r->note);
}

static int print_text(struct p2pdma_policy *p, const struct p2pdma_sgl *s,
		      const struct map_req *q, const struct outcome *res, size_t n)
{
	size_t len = 0, i;
	char *out = NULL;
	FILE *o = open_memstream(&out, &len);
	bool assumed;
	int ret;

	if (!o)
		return cli_error("out of memory");
	fprintf(o, "Kernel release: %s", p2pdma_policy_release(p, &assumed));
	fputs(assumed ? " (the machine's is unknown: the newest p2pdma knows)\n\n" : "\n\n", o);
	text_segments(o, s, q);
	for (i = 0; i < n; i++)
		text_client(o, &res[i]);
	if (fclose(o)) {
		free(out);
		return cli_error("out of memory");
	}
	ret = cli_print(out);
	free(out);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* JSON                                                                    */

static json_object *json_segments(const struct p2pdma_fabric *f, const struct p2pdma_sgl *s,
				  const struct map_req *q)
{
	json_object *a = json_object_new_array();
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	for (i = 0; i < s->nents; i++) {
		const struct p2pdma_sg *sg = &s->sg[i];
		const struct p2pdma_function *fn = NULL;
		json_object *o = json_object_new_object();

		if (q->specs[i].kind == P2PDMA_SEGMENT_P2P)
			fn = p2pdma_fabric_find(f, &q->specs[i].provider);
		json_object_object_add(o, "index", json_object_new_uint64(i));
		json_object_object_add(o, "memory", json_object_new_string(fn ? "p2pmem" : "host"));
		json_object_object_add(o, "provider", fn ?
				       json_object_new_string(bdf(fn, name)) : NULL);
		json_object_object_add(o, "size", json_object_new_uint64(sg->len));
		json_object_object_add(o, "cpu_phys", cli_json_hex(sg->phys));
		json_object_object_add(o, "bus", fn ? cli_json_hex(p2pdma_function_bus_addr(fn, sg->phys)) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *json_client_segments(const struct outcome *r)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->nents; i++) {
		const struct p2pdma_sg *sg = &r->sg[i];
		json_object *o = json_object_new_object();
		bool seen = sg->provider && sg->map_type != P2PDMA_MAP_UNKNOWN;

		json_object_object_add(o, "index", json_object_new_uint64(i));
		json_object_object_add(o, "map_type", seen ?
				       json_object_new_string(p2pdma_map_type_name(sg->map_type)) : NULL);
		json_object_object_add(o, "dma_address", r->ret < 0 ? NULL : cli_json_hex(sg->seg_dma));
		json_object_object_add(o, "how", json_object_new_string(how_key(sg->how)));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *json_client(const struct outcome *r)
{
	json_object *o = json_object_new_object(), *list, *err;
	const struct p2pdma_dma_client_info *ci = &r->ci;
	char name[P2PDMA_BDF_STRLEN];
	size_t i;

	json_object_object_add(o, "client", json_object_new_string(bdf(r->fn, name)));
	json_object_object_add(o, "release_note", r->note ? json_object_new_string(r->note) : NULL);
	json_object_object_add(o, "dma_mode", json_object_new_string(p2pdma_dma_mode_name(ci->mode)));
	json_object_object_add(o, "iommu_group", ci->iommu_group >= 0 ?
			       json_object_new_int(ci->iommu_group) : NULL);
	json_object_object_add(o, "iommu_group_type", ci->group_type ?
			       json_object_new_string(ci->group_type) : NULL);
	json_object_object_add(o, "mode_assumed", json_object_new_boolean(ci->mode_assumed));
	json_object_object_add(o, "dma_offset", cli_json_hex(ci->dma_offset));
	json_object_object_add(o, "mapped", json_object_new_boolean(r->ret >= 0));
	if (r->ret < 0) {
		err = json_object_new_object();
		json_object_object_add(err, "errno", json_object_new_string(errno_name(r->ret)));
		json_object_object_add(err, "segment", r->failed >= 0 ?
				       json_object_new_int64(r->failed) : NULL);
		json_object_object_add(err, "reason", json_object_new_string(r->e.reason));
		json_object_object_add(o, "error", err);
	} else {
		json_object_object_add(o, "error", NULL);
	}
	json_object_object_add(o, "segments", json_client_segments(r));
	list = json_object_new_array();
	for (i = 0; r->ret >= 0 && i < r->dma_nents; i++) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "dma_address", cli_json_hex(r->sg[i].dma_address));
		json_object_object_add(d, "length", json_object_new_uint64(r->sg[i].dma_len));
		json_object_object_add(d, "bus_address", json_object_new_boolean(
					       r->sg[i].dma_flags & P2PDMA_SG_DMA_BUS_ADDRESS));
		json_object_array_add(list, d);
	}
	json_object_object_add(o, "dma_list", list);
	json_object_object_add(o, "iova_reserved", json_object_new_uint64(ci->iova_mapped));
	return o;
}

static int print_json(const struct p2pdma_fabric *f, const struct p2pdma_sgl *s,
		      const struct map_req *q, const struct outcome *res, size_t n)
{
	json_object *o = json_object_new_object(), *clients = json_object_new_array();
	size_t i;

	json_object_object_add(o, "segments", json_segments(f, s, q));
	for (i = 0; i < n; i++)
		json_object_array_add(clients, json_client(&res[i]));
	json_object_object_add(o, "clients", clients);
	return cli_print_json(o);
}

/* ---------------------------------------------------------------------- */

/*
 * Map for one client, keep a copy of what it got, give the mapping back
 * so the next client starts from the same list.
 */
static int map_one(struct p2pdma_dma *d, struct p2pdma_sgl *s, struct outcome *r)
{
	struct p2pdma_error ue = { 0 };

	if (p2pdma_dma_client_info(d, r->fn, &r->ci, &r->e))
		return -EINVAL;
	r->ret = p2pdma_dma_map_sg(d, r->fn, s, &r->e);
	if (r->ret >= 0)	/* IOVA reserved while mapped */
		p2pdma_dma_client_info(d, r->fn, &r->ci, NULL);
	r->sg = malloc(s->nents * sizeof(*r->sg));
	if (!r->sg)
		return -ENOMEM;
	memcpy(r->sg, s->sg, s->nents * sizeof(*r->sg));
	r->nents = s->nents;
	r->dma_nents = s->dma_nents;
	r->failed = s->failed;
	r->note = r->ret >= 0 ? p2pdma_dma_release_note(d, s) : NULL;
	if (r->ret >= 0 && p2pdma_dma_unmap_sg(d, r->fn, s, &ue))
		return cli_lib_error(&ue), -EIO;
	return 0;
}

struct map_run {
	struct p2pdma_policy *policy;
	struct p2pdma_mem *mem;
	struct p2pdma_dma *dma;
	struct p2pdma_sgl sgl;
	struct outcome res[MAX_CLIENTS];
};

static int setup(struct p2pdma_fabric *f, const struct map_req *q, struct map_run *r)
{
	struct p2pdma_dma_opts o = { .max_seg_size = q->max_seg };
	struct p2pdma_error e = { 0 };
	size_t i;

	for (i = 0; i < q->nr_clients; i++)
		if (p2pdma_fabric_lookup(f, q->clients[i], (struct p2pdma_function **)&r->res[i].fn, &e))
			return cli_lib_error(&e);
	r->policy = p2pdma_policy_new(f);
	if (!r->policy)
		return cli_error("out of memory");
	o.policy = r->policy;
	if (p2pdma_mem_new(f, NULL, 0, &r->mem, &e) ||
	    p2pdma_mem_add_model_providers(r->mem, cli_log, NULL, &e) < 0 ||
	    p2pdma_sgl_from_specs(r->mem, q->specs, q->nr_specs, &r->sgl, &e) ||
	    p2pdma_dma_new(r->mem, &o, &r->dma, &e)) {
		cli_lib_error(&e);
		/* A pool or host RAM that cannot hold a buffer is a "no", as in alloc. */
		return e.err == -ENOMEM ? EXIT_NO : EXIT_USAGE;
	}
	return EXIT_OK;
}

static int run_map(struct p2pdma_fabric *f, const struct map_req *q)
{
	struct map_run *r = calloc(1, sizeof(*r));
	int ret, refused = 0;
	size_t i;

	if (!r)
		return cli_error("out of memory");
	p2pdma_sgl_init(&r->sgl);
	ret = setup(f, q, r);
	for (i = 0; ret == EXIT_OK && i < q->nr_clients; i++) {
		if (map_one(r->dma, &r->sgl, &r->res[i]))
			ret = cli_error("mapping for %s failed: %s", q->clients[i], r->res[i].e.reason);
		refused |= r->res[i].ret < 0;
	}
	if (ret == EXIT_OK)
		ret = q->json ? print_json(f, &r->sgl, q, r->res, q->nr_clients) :
			print_text(r->policy, &r->sgl, q, r->res, q->nr_clients);
	if (ret == EXIT_OK && refused)
		ret = EXIT_NO;
	for (i = 0; i < q->nr_clients; i++)
		free(r->res[i].sg);
	if (r->mem)
		p2pdma_sgl_free_buffers(r->mem, &r->sgl);
	p2pdma_sgl_release(&r->sgl);
	p2pdma_dma_free(r->dma);
	p2pdma_mem_free(r->mem);
	p2pdma_policy_free(r->policy);
	free(r);
	return ret;
}

static int parse_args(int argc, char **argv, struct map_req *q)
{
	static const struct option opts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "max-seg", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct p2pdma_error e = { 0 };
	int c, i;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (q->nr_clients == MAX_CLIENTS)
				return cli_error("at most %d clients", MAX_CLIENTS);
			q->clients[q->nr_clients++] = optarg;
			break;
		case 'm':
			if (p2pdma_size_parse(optarg, &q->max_seg) || !q->max_seg)
				return cli_error("--max-seg: '%s' is not a size above 0", optarg);
			break;
		case 'j':
			q->json = true;
			break;
		case 'h':
			cli_usage(stdout, cli_find_command("map"), map_options);
			return -1;
		default:
			return usage_error();
		}
	}
	if (!q->nr_clients) {
		cli_error("map needs at least one --client");
		return usage_error();
	}
	if (optind == argc) {
		cli_error("map needs at least one segment (p2p:PROVIDER:SIZE or host:SIZE)");
		return usage_error();
	}
	q->nr_specs = (size_t)(argc - optind);
	q->specs = calloc(q->nr_specs, sizeof(*q->specs));
	if (!q->specs)
		return cli_error("out of memory");
	for (i = optind; i < argc; i++)
		if (p2pdma_segment_spec_parse(argv[i], &q->specs[i - optind], &e))
			return cli_lib_error(&e);
	return EXIT_OK;
}

int cmd_map(struct cli *cli, int argc, char **argv)
{
	struct map_req q = { 0 };
	struct p2pdma_fabric *f;
	int ret;

	ret = parse_args(argc, argv, &q);
	if (ret) {
		free(q.specs);
		return ret < 0 ? EXIT_OK : ret;
	}
	f = cli_load(cli);
	if (!f) {
		free(q.specs);
		return EXIT_USAGE;
	}
	ret = run_map(f, &q);
	p2pdma_fabric_free(f);
	free(q.specs);
	return ret;
}
