// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The workload file (doc/workload.md): an object whose "flows" array
 * lists concurrent transfers, read strictly against a machine so that
 * every mistake is reported with the file and the JSON path.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bw_int.h"
#include "json_read.h"
#include "readfile.h"
#include "p2pdma/mem.h"

#define MAX_FILE (16u << 20)
#define MAX_DEPTH 16
#define MAX_FLOWS 1000000
#define MAX_RATE 1e13		/* 10 TB/s: no device or link comes near */

static const char *const top_keys[] = {
	"format", "version", "description", "platform", "flows", NULL,
};
static const char *const flow_keys[] = {
	"from", "to", "bytes", "via", "max_rate", "host_node", NULL,
};
static const char *const platform_keys[] = {
	"dram_bandwidth", "inter_socket_bandwidth", "rc_peer_bandwidth",
	"rc_peer_direction_bandwidth",
	"rc_peer_read_cost", "rc_peer_reads", "rc_peer_writes",
	"max_payload_size", "max_read_request_size", NULL,
};

static bool has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

/* A positive number no larger than @max (an integer or a fraction). */
static int get_rate(struct p2pdma_json_reader *r, struct json_object *o, const char *key,
		    double min, double max, double *out)
{
	struct json_object *v;
	double x;
	int ret = p2pdma_json_get(r, o, key, &v);

	if (ret)
		return ret;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return p2pdma_json_fail(r, key, -EINVAL, "expected a number");
	x = json_object_get_double(v);
	if (!(x >= min && x <= max))
		return p2pdma_json_fail(r, key, -ERANGE, "%s is out of range (%g to %g)",
					json_object_to_json_string(v), min, max);
	*out = x;
	return 0;
}

/* 128, 256, ... 4096: the sizes a Device Control register can hold. */
static int get_tlp_size(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, unsigned int *out)
{
	int64_t x;
	int ret = p2pdma_json_int(r, o, key, 128, 4096, false, &x);

	if (ret)
		return ret;
	if (x & (x - 1))
		return p2pdma_json_fail(r, key, -EINVAL, "%lld is not a power of two",
					(long long)x);
	*out = (unsigned int)x;
	return 0;
}

static int get_bool_tri(struct p2pdma_json_reader *r, struct json_object *o,
			const char *key, int *out)
{
	bool b;
	int ret = p2pdma_json_bool(r, o, key, &b);

	if (!ret)
		*out = b;
	return ret;
}

static int read_platform(struct p2pdma_json_reader *r, struct json_object *o,
			 struct p2pdma_bw_override *ov)
{
	size_t old = p2pdma_json_push(r, ".platform");

	if (!p2pdma_json_expect_object(r, NULL, o) && !p2pdma_json_keys(r, o, platform_keys)) {
		if (has(o, "dram_bandwidth"))
			get_rate(r, o, "dram_bandwidth", 1e6, MAX_RATE, &ov->dram_bw);
		if (has(o, "inter_socket_bandwidth"))
			get_rate(r, o, "inter_socket_bandwidth", 1e6, MAX_RATE, &ov->inter_socket_bw);
		if (has(o, "rc_peer_bandwidth"))
			get_rate(r, o, "rc_peer_bandwidth", 1e6, MAX_RATE, &ov->rc_peer_bw);
		if (has(o, "rc_peer_direction_bandwidth"))
			get_rate(r, o, "rc_peer_direction_bandwidth", 1e6, MAX_RATE,
				 &ov->rc_peer_dir_bw);
		if (has(o, "rc_peer_read_cost"))
			get_rate(r, o, "rc_peer_read_cost", 1, 100, &ov->rc_peer_read_cost);
		if (has(o, "rc_peer_reads"))
			get_bool_tri(r, o, "rc_peer_reads", &ov->rc_peer_reads);
		if (has(o, "rc_peer_writes"))
			get_bool_tri(r, o, "rc_peer_writes", &ov->rc_peer_writes);
		if (has(o, "max_payload_size"))
			get_tlp_size(r, o, "max_payload_size", &ov->mps);
		if (has(o, "max_read_request_size"))
			get_tlp_size(r, o, "max_read_request_size", &ov->mrrs);
	}
	p2pdma_json_pop(r, old);
	return r->err;
}

/* A device of the machine that can take part in a transfer: not a bridge. */
static int get_device(struct p2pdma_json_reader *r, const struct p2pdma_fabric *f,
		      struct json_object *o, const char *key,
		      const struct p2pdma_function **out)
{
	struct p2pdma_bdf bdf;
	const struct p2pdma_function *fn;
	char name[P2PDMA_BDF_STRLEN];

	if (p2pdma_json_bdf(r, o, key, false, &bdf))
		return r->err;
	fn = p2pdma_fabric_find(f, &bdf);
	p2pdma_bdf_format(&bdf, name, sizeof(name));
	if (!fn)
		return p2pdma_json_fail(r, key, -ENOENT, "no device %s on this machine", name);
	if (p2pdma_function_is_bridge(fn))
		return p2pdma_json_fail(r, key, -EINVAL,
					"%s is a bridge; transfers go between endpoints", name);
	*out = fn;
	return 0;
}

/* Memory a transfer can go through: a p2pmem provider or a memory BAR. */
static bool has_memory(const struct p2pdma_function *fn)
{
	int i;

	if (fn->p2pmem.present)
		return true;
	for (i = 0; i < P2PDMA_NUM_BARS; i++)
		if ((fn->bars[i].flags & P2PDMA_BAR_MEM) && fn->bars[i].size)
			return true;
	return false;
}

static int read_via(struct p2pdma_json_reader *r, const struct p2pdma_fabric *f,
		    struct json_object *o, struct p2pdma_bw_flow_spec *fl)
{
	const char *s;
	char name[P2PDMA_BDF_STRLEN];

	fl->via = P2PDMA_BW_VIA_AUTO;
	if (!has(o, "via") || p2pdma_json_str(r, o, "via", false, false, &s))
		return r->err;
	if (!strcmp(s, "auto"))
		return 0;
	if (!strcmp(s, "host")) {
		fl->via = P2PDMA_BW_VIA_HOST;
		return 0;
	}
	fl->via = P2PDMA_BW_VIA_DEVICE;
	if (get_device(r, f, o, "via", &fl->via_fn))
		return r->err;
	if (!has_memory(fl->via_fn))
		return p2pdma_json_fail(r, "via", -EINVAL,
					"%s has no p2pmem and no memory BAR to go through",
					p2pdma_bdf_format(&fl->via_fn->bdf, name, sizeof(name)));
	return 0;
}

/* "bytes": an integer, or a size such as "1 GiB"; 1 byte to 1 PiB. */
static int read_bytes(struct p2pdma_json_reader *r, struct json_object *o, uint64_t *out)
{
	struct json_object *v;
	char q[P2PDMA_JSON_QUOTE_MAX + 8];
	uint64_t x;

	if (p2pdma_json_get(r, o, "bytes", &v))
		return r->err;
	if (json_object_is_type(v, json_type_string)) {
		if (p2pdma_size_parse(json_object_get_string(v), &x))
			return p2pdma_json_fail(r, "bytes", -EINVAL,
						"\"%s\" is not a size (a number of bytes, or e.g. \"4 GiB\")",
						p2pdma_json_quote(json_object_get_string(v), q, sizeof(q)));
	} else if (p2pdma_json_u64(r, o, "bytes", 0, &x)) {
		return r->err;
	}
	if (!x || x > P2PDMA_BW_MAX_BYTES)
		return p2pdma_json_fail(r, "bytes", -ERANGE,
					"%llu is out of range (1 byte to 1 PiB)",
					(unsigned long long)x);
	*out = x;
	return 0;
}

static int read_flow(struct p2pdma_json_reader *r, const struct p2pdma_fabric *f,
		     struct json_object *o, struct p2pdma_bw_flow_spec *fl)
{
	int64_t node;

	if (p2pdma_json_expect_object(r, NULL, o) || p2pdma_json_keys(r, o, flow_keys) ||
	    get_device(r, f, o, "from", &fl->from) || get_device(r, f, o, "to", &fl->to))
		return r->err;
	if (fl->from == fl->to)
		return p2pdma_json_fail(r, "to", -EINVAL,
					"a flow from a device to itself moves nothing over PCIe");
	if (read_bytes(r, o, &fl->bytes) || read_via(r, f, o, fl))
		return r->err;
	if (has(o, "max_rate") && get_rate(r, o, "max_rate", 1, MAX_RATE, &fl->max_rate))
		return r->err;
	fl->host_node = -1;
	if (has(o, "host_node")) {
		if (p2pdma_json_int(r, o, "host_node", 0, 1023, false, &node))
			return r->err;
		fl->host_node = (int)node;
	}
	return 0;
}

static int read_flows(struct p2pdma_json_reader *r, const struct p2pdma_fabric *f,
		      struct json_object *top, struct p2pdma_bw_workload *w)
{
	struct json_object *arr;
	size_t i, n, old;

	if (p2pdma_json_array(r, top, "flows", &arr))
		return r->err;
	n = json_object_array_length(arr);
	if (!n)
		return p2pdma_json_fail(r, "flows", -EINVAL, "no flows: nothing to simulate");
	if (n > MAX_FLOWS)
		return p2pdma_json_fail(r, "flows", -E2BIG, "%zu flows, at most %d", n, MAX_FLOWS);
	w->flows = calloc(n, sizeof(*w->flows));
	if (!w->flows)
		return p2pdma_json_nomem(r);
	for (i = 0; i < n; i++) {
		old = p2pdma_json_push(r, ".flows[%zu]", i);
		if (read_flow(r, f, json_object_array_get_idx(arr, i), &w->flows[i]))
			return r->err;
		p2pdma_json_pop(r, old);
		w->nr_flows++;
	}
	return 0;
}

static int read_header(struct p2pdma_json_reader *r, struct json_object *top,
		       struct p2pdma_bw_workload *w)
{
	const char *s;
	int64_t v;

	if (p2pdma_json_expect_object(r, NULL, top) || p2pdma_json_keys(r, top, top_keys))
		return r->err;
	if (has(top, "format")) {
		if (p2pdma_json_str(r, top, "format", false, false, &s))
			return r->err;
		if (strcmp(s, "p2pdma-workload"))
			return p2pdma_json_fail(r, "format", -EINVAL,
						"expected \"p2pdma-workload\"");
	}
	if (has(top, "version") && p2pdma_json_int(r, top, "version", 1, 1, false, &v))
		return r->err;
	if (has(top, "description")) {
		if (p2pdma_json_str(r, top, "description", false, true, &s))
			return r->err;
		w->description = strdup(s);
		if (!w->description)
			return p2pdma_json_nomem(r);
	}
	return 0;
}

void p2pdma_bw_override_init(struct p2pdma_bw_override *ov)
{
	ov->dram_bw = ov->inter_socket_bw = ov->rc_peer_bw = ov->rc_peer_dir_bw = NAN;
	ov->rc_peer_read_cost = NAN;
	ov->rc_peer_reads = ov->rc_peer_writes = -1;
	ov->mps = ov->mrrs = 0;
}

struct p2pdma_bw_workload *bw_workload_new(const char *name)
{
	struct p2pdma_bw_workload *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	p2pdma_bw_override_init(&w->override);
	w->name = strdup(name ? name : "workload");
	if (!w->name) {
		free(w);
		return NULL;
	}
	return w;
}

int p2pdma_bw_workload_parse(const struct p2pdma_fabric *f, const char *name,
			     const char *text, size_t len,
			     struct p2pdma_bw_workload **out, struct p2pdma_error *e)
{
	struct p2pdma_json_reader r;
	struct json_object *top = NULL, *plat;
	struct p2pdma_bw_workload *w = bw_workload_new(name);
	int ret;

	*out = NULL;
	if (!w)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	p2pdma_json_init(&r, w->name, e);
	if (!p2pdma_json_parse(&r, text, len, MAX_DEPTH, &top) && !read_header(&r, top, w) &&
	    json_object_object_get_ex(top, "platform", &plat))
		read_platform(&r, plat, &w->override);
	if (!r.err)
		read_flows(&r, f, top, w);
	ret = r.err;
	p2pdma_json_release(&r);
	json_object_put(top);
	if (ret) {
		p2pdma_bw_workload_free(w);
		return ret;
	}
	*out = w;
	return 0;
}

int p2pdma_bw_workload_load(const struct p2pdma_fabric *f, const char *path,
			    struct p2pdma_bw_workload **out, struct p2pdma_error *e)
{
	char *buf;
	size_t len;
	int ret;

	*out = NULL;
	ret = p2pdma_read_file(path, MAX_FILE, &buf, &len, e);
	if (ret)
		return ret;
	ret = p2pdma_bw_workload_parse(f, path, buf, len, out, e);
	free(buf);
	return ret;
}

void p2pdma_bw_workload_free(struct p2pdma_bw_workload *w)
{
	if (!w)
		return;
	free(w->name);
	free(w->description);
	free(w->flows);
	free(w);
}
