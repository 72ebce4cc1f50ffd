// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma copy: parsing an end, and printing the report (text, JSON),
 * whatever backend moved the bytes.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"

static int parse_nsid(const char *s, size_t n, uint32_t *out)
{
	char buf[16], *end;
	unsigned long long v;
	size_t i;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoull(buf, &end, 10);
	if (*end || !v || v > 0xfffffffeULL)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int copy_end_parse(const char *s, struct copy_end *out, struct p2pdma_error *e)
{
	const char *at = strchr(s, '@'), *slash = strchr(s, '/');
	size_t blen = slash ? (size_t)(slash - s) : at ? (size_t)(at - s) : strlen(s);
	char bdf[P2PDMA_BDF_STRLEN + 8];

	memset(out, 0, sizeof(*out));
	out->arg = s;
	out->nsid = 1;
	if (slash && at && slash > at)
		return p2pdma_fail(e, -EINVAL, "'%s': write BDF/NSID@OFFSET, namespace first", s);
	if (!blen || blen >= sizeof(bdf))
		return p2pdma_fail(e, -EINVAL, "'%s' is not BDF[/nsid][@offset]", s);
	memcpy(bdf, s, blen);
	bdf[blen] = '\0';
	if (p2pdma_bdf_parse(bdf, &out->bdf))
		return p2pdma_fail(e, -EINVAL, "'%s': '%s' is not a PCI address (DDDD:BB:DD.F)", s, bdf);
	if (slash && parse_nsid(slash + 1, at ? (size_t)(at - slash - 1) : strlen(slash + 1),
				&out->nsid))
		return p2pdma_fail(e, -EINVAL, "'%s': the namespace ID is not a number from 1 to 4294967294", s);
	if (at && p2pdma_size_parse(at + 1, &out->offset))
		return p2pdma_fail(e, -EINVAL, "'%s': '%s' is not an offset (bytes, 4K, 1M, ...)", s, at + 1);
	return 0;
}

static void text_leg(FILE *b, const struct copy_leg *l)
{
	fprintf(b, "  %-20s %s: %s, %s\n", l->role, l->dev, l->verdict, l->how);
	fprintf(b, "  %-20s %s\n", "", l->path);
}

int copy_report_text(const struct copy_report *r)
{
	char s1[32], s2[32], s3[32], *out = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&out, &len);
	int i;

	if (!b)
		return cli_error("out of memory");
	fprintf(b, "Copy %s -> %s, %s (backend %s)\n", r->src, r->dst,
		p2pdma_size_format(r->size, s1, sizeof(s1)), r->backend);
	fprintf(b, "Buffer: %s, %u x %s\n",
		strcmp(r->via, "host") ? r->via : "host memory (bounce buffer)", r->depth,
		p2pdma_size_format(r->chunk, s2, sizeof(s2)));
	if (r->fallback)
		fprintf(b, "Fallback to host memory: %s\n", r->fallback_reason);
	for (i = 0; i < 2; i++)
		text_leg(b, &r->leg[i]);
	fprintf(b, "Moved: %s; through host memory: %s\n",
		p2pdma_size_format(r->bytes, s1, sizeof(s1)),
		p2pdma_size_format(r->host_memory_bytes, s3, sizeof(s3)));
	if (r->has_stats)
		fprintf(b, "DMAs: %llu; bytes below a switch %llu, through the root complex %llu, inside a device %llu\n",
			(unsigned long long)r->dmas, (unsigned long long)r->switch_local_bytes,
			(unsigned long long)r->rc_bytes, (unsigned long long)r->internal_bytes);
	if (r->has_model)
		fprintf(b, "Modelled: %.6f s, %.1f MB/s (bandwidth model, idle platform)\n",
			r->model_seconds, r->model_throughput / 1e6);
	else if (r->model_error[0])
		fprintf(b, "Modelled: not available: %s\n", r->model_error);
	if (r->has_timing)
		fprintf(b, "Time: %.6f s, %.1f MB/s\n", r->seconds, r->throughput / 1e6);
	if (r->notes)
		fputs(r->notes, b);
	if (r->data_ok == 1)
		fprintf(b, "Check: destination equals source (%llu bytes)\n",
			(unsigned long long)r->bytes);
	else if (!r->data_ok)
		fprintf(b, "Check: FAILED: first difference at byte %llu of the copy\n",
			(unsigned long long)r->first_diff);
	return cli_print_stream(b, &out);
}

static json_object *json_leg(const struct copy_leg *l)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(l->dev));
	json_object_object_add(o, "role", json_object_new_string(l->role));
	json_object_object_add(o, "verdict", json_object_new_string(l->verdict));
	json_object_object_add(o, "mapping", json_object_new_string(l->how));
	json_object_object_add(o, "path", json_object_new_string(l->path));
	json_object_object_add(o, "root_complex", json_object_new_boolean(l->root_complex));
	return o;
}

int copy_report_json(const struct copy_report *r)
{
	json_object *o = json_object_new_object(), *legs = json_object_new_array();

	json_object_object_add(o, "backend", json_object_new_string(r->backend));
	json_object_object_add(o, "source", json_object_new_string(r->src));
	json_object_object_add(o, "destination", json_object_new_string(r->dst));
	json_object_object_add(o, "size", json_object_new_uint64(r->size));
	json_object_object_add(o, "bytes", json_object_new_uint64(r->bytes));
	json_object_object_add(o, "via", json_object_new_string(r->via));
	json_object_object_add(o, "fallback", r->fallback ?
			       json_object_new_string(r->fallback_reason) : NULL);
	json_object_object_add(o, "host_memory_bytes", json_object_new_uint64(r->host_memory_bytes));
	json_object_object_add(o, "data_ok", r->data_ok < 0 ? NULL :
			       json_object_new_boolean(r->data_ok));
	if (r->data_ok == 0)
		json_object_object_add(o, "first_difference", json_object_new_uint64(r->first_diff));
	json_object_object_add(o, "chunk", json_object_new_uint64(r->chunk));
	json_object_object_add(o, "depth", json_object_new_int((int)r->depth));
	json_object_array_add(legs, json_leg(&r->leg[0]));
	json_object_array_add(legs, json_leg(&r->leg[1]));
	json_object_object_add(o, "legs", legs);
	if (r->has_stats) {
		json_object_object_add(o, "dmas", json_object_new_uint64(r->dmas));
		json_object_object_add(o, "switch_local_bytes", json_object_new_uint64(r->switch_local_bytes));
		json_object_object_add(o, "root_complex_bytes", json_object_new_uint64(r->rc_bytes));
		json_object_object_add(o, "internal_bytes", json_object_new_uint64(r->internal_bytes));
	}
	if (r->has_model) {
		json_object_object_add(o, "modelled_seconds", json_object_new_double(r->model_seconds));
		json_object_object_add(o, "modelled_throughput",
				       json_object_new_double(r->model_throughput));
	}
	if (r->has_timing) {
		json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
		json_object_object_add(o, "throughput", json_object_new_double(r->throughput));
	}
	if (r->extra) {
		json_object_object_foreach(r->extra, key, val)
			json_object_object_add(o, key, json_object_get(val));
	}
	return cli_print_json(o);
}
