// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `p2pdma matrix`: the verdict for every pair of endpoint functions, laid
 * out like `nvidia-smi topo -m` (short labels, a legend, a device list)
 * so that 8 to 32 devices stay readable.  One O(n) index, then O(1) per
 * cell.  Bridges are never rows or columns.  Rows are handed out one by
 * one as they are made: 20,000 endpoints need memory for a row, not for
 * 4*10^8 cells.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "policy_int.h"

struct mdev {
	const struct p2pdma_function *fn;
	char label[16];
};

bool p2pdma_fn_default_class(const struct p2pdma_function *fn)
{
	uint32_t base = fn->class_code >> 16;

	return base == 0x01 || base == 0x02 || p2pdma_fn_is_gpu(fn) || base == 0x0b ||
	       fn->p2pmem.present;
}

const char *p2pdma_fn_kind(const struct p2pdma_function *fn)
{
	uint32_t base = fn->class_code >> 16;

	if ((fn->class_code >> 8) == 0x0108)
		return "NVMe";
	switch (base) {
	case 0x01: return "STOR";
	case 0x02: return "NIC";
	case 0x03: return p2pdma_fn_is_gpu(fn) ? "GPU" : "DEV";
	case 0x0b: case 0x12: return "ACC";
	default: return fn->p2pmem.present ? "MEM" : "DEV";
	}
}

static int pick(const struct p2pdma_fabric *f, enum p2pdma_matrix_set set,
		struct mdev **out, size_t *nr)
{
	static const char *const kinds[] = { "NVMe", "STOR", "NIC", "GPU", "ACC", "MEM", "DEV" };
	unsigned int counters[ARRAY_SIZE(kinds)] = { 0 };
	struct mdev *d = calloc(f->nr_fns ? f->nr_fns : 1, sizeof(*d));
	size_t i, k, n = 0;

	if (!d)
		return -ENOMEM;
	for (i = 0; i < f->nr_fns; i++) {
		const struct p2pdma_function *fn = f->fns[i];
		const char *kd;

		if (p2pdma_function_is_bridge(fn))
			continue;
		if (set == P2PDMA_MATRIX_DEFAULT && !p2pdma_fn_default_class(fn))
			continue;
		kd = p2pdma_fn_kind(fn);
		for (k = 0; k < ARRAY_SIZE(kinds) && strcmp(kinds[k], kd); k++)
			;
		d[n].fn = fn;
		snprintf(d[n].label, sizeof(d[n].label), "%s%u", kd, counters[k]++);
		n++;
	}
	*out = d;
	*nr = n;
	return 0;
}

static char letter(const struct p2pdma_fast *fv)
{
	if (!fv->certain)
		return '?';
	switch (fv->type) {
	case P2PDMA_MAP_BUS_ADDR: return 'B';
	case P2PDMA_MAP_THRU_HOST_BRIDGE: return 'H';
	default: return 'N';
	}
}

static void cell(const struct p2pdma_policy *p, const struct mdev *a, const struct mdev *b,
		 char *buf, size_t len, struct p2pdma_fast *fv, enum p2pdma_path_class *pc)
{
	p2pdma_fast_verdict(p, a->fn->index, b->fn->index, fv);
	*pc = p2pdma_path_class_of(p, a->fn->index, b->fn->index, fv->lca);
	snprintf(buf, len, "%c%d %s", letter(fv), fv->distance, p2pdma_path_class_name(*pc));
}

static void legend(struct p2pdma_buf *b)
{
	p2pdma_buf_puts(b,
		"\nLegend (rows: provider, columns: client; the verdict is the Linux kernel's):\n"
		"  B  = BUS_ADDR: peer-to-peer below a common switch, PCI bus addresses\n"
		"  H  = THRU_HOST_BRIDGE: peer-to-peer through an allowed host bridge\n"
		"  N  = NOT_SUPPORTED: the kernel refuses peer-to-peer DMA\n"
		"  ?  = uncertain: ACS or CPU state unknown (run as root; 'p2pdma check' says more)\n"
		"  the number after the letter is the kernel's distance\n"
		"Path class (nvidia-smi topo -m's view; NCCL counts NODE as PHB; neither reads ACS):\n"
		"  X    = Self\n"
		"  PIX  = Connection traversing at most a single PCIe bridge (a switch counts once)\n"
		"  PXB  = Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge)\n"
		"  PHB  = Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU)\n"
		"  NODE = Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA node\n"
		"  SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)\n");
}

static void devices(struct p2pdma_buf *b, const struct mdev *d, size_t n, int lw)
{
	char lbl[256];
	size_t i;

	p2pdma_buf_puts(b, "\nDevices:\n");
	for (i = 0; i < n; i++) {
		const struct p2pdma_function *fn = d[i].fn;

		p2pdma_buf_printf(b, "  %-*s %s", lw, d[i].label, p2pdma_fn_label(fn, lbl, sizeof(lbl)));
		if (fn->physfn)
			p2pdma_buf_puts(b, " [VF]");
		if (fn->p2pmem.present)
			p2pdma_buf_printf(b, " [p2pmem %llu MiB%s]",
					  (unsigned long long)(fn->p2pmem.size >> 20),
					  fn->p2pmem.published ? ", published" : "");
		p2pdma_buf_puts(b, "\n");
	}
}

/* Where other kernel releases answer differently (releases.c). */
static void release_notes(const struct p2pdma_policy *p, struct p2pdma_buf *b,
			  const struct mdev *d, size_t n)
{
	const struct p2pdma_function **fns = calloc(n ? n : 1, sizeof(*fns));
	struct p2pdma_buf notes = { 0 };
	char *s = NULL;
	size_t i;

	if (!fns) {
		b->err = -ENOMEM;
		return;
	}
	for (i = 0; i < n; i++)
		fns[i] = d[i].fn;
	p2pdma_rel_matrix_notes(p, &notes, fns, n);
	free(fns);
	if (notes.len)
		p2pdma_buf_puts(b, "\nOther kernel releases answer differently:\n");
	if (!p2pdma_buf_finish(&notes, &s) && s)
		p2pdma_buf_puts(b, s);
	free(s);
}

/* Where rows go: the caller's sink, one buffer's worth at a time. */
struct sink {
	p2pdma_emit_fn emit;
	void *arg;
	struct p2pdma_buf b;
};

/* Hand what is buffered to the sink and start over: memory stays a row. */
static int flush(struct sink *s)
{
	int ret;

	if (s->b.err)
		return s->b.err;
	ret = s->b.len ? s->emit(s->arg, s->b.s, s->b.len) : 0;
	s->b.len = 0;
	if (s->b.s)
		s->b.s[0] = '\0';
	return ret;
}

/* The widest cell, in a pass of its own so no cell is kept. */
static int cell_width(const struct p2pdma_policy *p, const struct mdev *d, size_t n, int cw)
{
	struct p2pdma_fast fv;
	enum p2pdma_path_class pc;
	char c[32];
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			cell(p, &d[i], &d[j], c, sizeof(c), &fv, &pc);
			if ((int)strlen(c) > cw)
				cw = (int)strlen(c);
		}
	return cw;
}

static int matrix_text(struct p2pdma_policy *p, const struct mdev *d, size_t n,
		       const struct p2pdma_whatif_report *whatif, struct sink *s)
{
	struct p2pdma_fast fv;
	enum p2pdma_path_class pc;
	char c[32];
	size_t i, j;
	int lw = 4, cw, ret = 0;
	bool uncertain = false;

	for (i = 0; i < n; i++)
		if ((int)strlen(d[i].label) > lw)
			lw = (int)strlen(d[i].label);
	cw = cell_width(p, d, n, 7);
	if (lw > cw)
		cw = lw;
	p2pdma_rel_text(p, &s->b);
	p2pdma_whatif_text(&s->b, whatif);
	p2pdma_buf_printf(&s->b, "%-*s", lw + 2, "");
	for (j = 0; j < n; j++)
		p2pdma_buf_printf(&s->b, "%-*s", cw + 2, d[j].label);
	p2pdma_buf_puts(&s->b, "\n");
	for (i = 0; i < n && !ret; i++) {
		p2pdma_buf_printf(&s->b, "%-*s", lw + 2, d[i].label);
		for (j = 0; j < n; j++) {
			cell(p, &d[i], &d[j], c, sizeof(c), &fv, &pc);
			uncertain |= !fv.certain;
			p2pdma_buf_printf(&s->b, "%-*s", j + 1 < n ? cw + 2 : 0, c);
		}
		p2pdma_buf_puts(&s->b, "\n");
		ret = flush(s);
	}
	if (ret)
		return ret;
	if (!n)
		p2pdma_buf_puts(&s->b, "(no endpoint functions of these classes; try --all)\n");
	legend(&s->b);
	devices(&s->b, d, n, lw);
	release_notes(p, &s->b, d, n);
	if (uncertain)
		p2pdma_buf_puts(&s->b, "\nSome verdicts are uncertain because ACS Control registers could not be read\n(or the CPU or a host bridge ID is unknown). Run as root, use a capture made as\nroot, or state the CPU with --cpu; 'p2pdma check' says which.\n");
	return flush(s);
}

static struct json_object *device_json(const struct mdev *d)
{
	struct json_object *o = json_object_new_object();
	char name[P2PDMA_BDF_STRLEN], s[16], dev[256];

	if (!o)
		return NULL;
	json_object_object_add(o, "label", json_object_new_string(d->label));
	json_object_object_add(o, "bdf", json_object_new_string(
		p2pdma_bdf_format(&d->fn->bdf, name, sizeof(name))));
	snprintf(s, sizeof(s), "%04x:%04x", d->fn->vendor, d->fn->device);
	json_object_object_add(o, "id", json_object_new_string(s));
	snprintf(s, sizeof(s), "%06x", d->fn->class_code);
	json_object_object_add(o, "class", json_object_new_string(s));
	p2pdma_name_device(d->fn->vendor, d->fn->device, dev, sizeof(dev));
	json_object_object_add(o, "name", dev[0] ? json_object_new_string(dev) : NULL);
	json_object_object_add(o, "p2pmem_published", json_object_new_boolean(
		d->fn->p2pmem.present && d->fn->p2pmem.published));
	return o;
}

static struct json_object *cell_json(struct p2pdma_policy *p, const struct mdev *a,
				     const struct mdev *b)
{
	struct json_object *o = json_object_new_object();
	enum p2pdma_path_class pc;
	struct p2pdma_fast fv;
	char c[32];

	if (!o)
		return NULL;
	cell(p, a, b, c, sizeof(c), &fv, &pc);
	json_object_object_add(o, "map_type", json_object_new_string(
		fv.certain ? p2pdma_map_type_name(fv.type) : "UNKNOWN"));
	json_object_object_add(o, "distance", json_object_new_int(fv.distance));
	json_object_object_add(o, "path_class", json_object_new_string(p2pdma_path_class_name(pc)));
	json_object_object_add(o, "certain", json_object_new_boolean(fv.certain));
	return o;
}

/* @o on one line (json-c's spaced form) into the sink's buffer; takes @o. */
static void put_obj(struct sink *s, struct json_object *o)
{
	const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED |
							  JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!t)
		s->b.err = -ENOMEM;
	else
		p2pdma_buf_puts(&s->b, t);
	json_object_put(o);
}

/* The kernel release's keys (releases.c), one a line. */
static void rel_json(const struct p2pdma_policy *p, struct sink *s)
{
	struct json_object *rel = json_object_new_object();

	if (!rel) {
		s->b.err = -ENOMEM;
		return;
	}
	p2pdma_rel_json(p, rel);
	json_object_object_foreach(rel, key, val) {
		p2pdma_buf_printf(&s->b, "  \"%s\": ", key);
		put_obj(s, json_object_get(val));
		p2pdma_buf_puts(&s->b, ",\n");
	}
	json_object_put(rel);
}

/* One JSON document, one matrix row a line, so memory stays a row. */
static int matrix_json(struct p2pdma_policy *p, const struct mdev *d, size_t n,
		       const struct p2pdma_whatif_report *whatif, struct sink *s)
{
	struct json_object *devs = json_object_new_array();
	size_t i, j;
	int ret = 0;

	for (i = 0; devs && i < n; i++)
		json_object_array_add(devs, device_json(&d[i]));
	p2pdma_buf_puts(&s->b, "{\n");
	rel_json(p, s);
	p2pdma_buf_puts(&s->b, "  \"devices\": ");
	put_obj(s, devs);
	p2pdma_buf_puts(&s->b, ",\n  \"matrix\": [");
	for (i = 0; i < n && !ret; i++) {
		struct json_object *row = json_object_new_array();

		for (j = 0; row && j < n; j++)
			json_object_array_add(row, cell_json(p, &d[i], &d[j]));
		p2pdma_buf_puts(&s->b, i ? ",\n    " : "\n    ");
		put_obj(s, row);
		ret = flush(s);
	}
	if (ret)
		return ret;
	p2pdma_buf_puts(&s->b, n ? "\n  ],\n  \"whatif\": " : "],\n  \"whatif\": ");
	put_obj(s, p2pdma_whatif_json_obj(whatif));
	p2pdma_buf_puts(&s->b, "\n}\n");
	return flush(s);
}

int p2pdma_matrix_stream(struct p2pdma_policy *p, enum p2pdma_matrix_set set,
			 const struct p2pdma_whatif_report *whatif, bool json,
			 p2pdma_emit_fn emit, void *arg, struct p2pdma_error *e)
{
	struct sink s = { .emit = emit, .arg = arg };
	struct mdev *d = NULL;
	size_t n = 0;
	int ret;

	ret = p2pdma_policy_sync(p);
	if (!ret)
		ret = pick(p->f, set, &d, &n);
	if (!ret)
		ret = json ? matrix_json(p, d, n, whatif, &s) : matrix_text(p, d, n, whatif, &s);
	free(d);
	free(s.b.s);
	if (ret == -EINVAL)
		return p2pdma_fail(e, ret, "the fabric is not finalized");
	if (ret == -ENOMEM)
		return p2pdma_fail(e, ret, "out of memory");
	if (ret)
		return p2pdma_fail(e, ret, "cannot write the matrix: %s", strerror(-ret));
	return 0;
}

/* The whole matrix in one string, for callers that want it so. */
static int to_buf(void *arg, const char *s, size_t len)
{
	struct p2pdma_buf *b = arg;

	if (p2pdma_grow((void **)&b->s, &b->cap, b->len + len + 1, 1))
		return -ENOMEM;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int p2pdma_matrix_write(struct p2pdma_policy *p, enum p2pdma_matrix_set set,
			const struct p2pdma_whatif_report *whatif, bool json,
			char **out, struct p2pdma_error *e)
{
	struct p2pdma_buf b = { 0 };
	int ret;

	*out = NULL;
	ret = p2pdma_matrix_stream(p, set, whatif, json, to_buf, &b, e);
	if (ret) {
		free(b.s);
		return ret;
	}
	*out = b.s ? b.s : strdup("");
	return *out ? 0 : p2pdma_fail(e, -ENOMEM, "out of memory");
}
