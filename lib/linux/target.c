// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The two ends of a copy ("0000:01:00.0/1@1M", "/dev/nvme0n1") and the
 * checks a request passes before anything is opened for writing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux_int.h"
#include "p2pdma/mem.h"
#include "readfile.h"

/* Bytes 1-31 and 127: never in a device name, never echoed into a reason. */
#define CONTROL_CHARS "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" \
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"

bool p2pdma_linux_spec_is_nvme(const char *spec)
{
	struct p2pdma_bdf bdf;
	char head[64];
	size_t n = strcspn(spec, "/@");

	if (!strncmp(spec, "/dev/nvme", 9))
		return true;
	if (n >= sizeof(head))
		return false;
	memcpy(head, spec, n);
	head[n] = '\0';
	return p2pdma_bdf_parse(head, &bdf) == 0;
}

static const struct p2pdma_linux_ns *ns_by_name(const struct p2pdma_linux *l,
						const char *name)
{
	size_t i;

	for (i = 0; i < l->nr_ns; i++)
		if (!strcmp(l->ns[i].name, name))
			return &l->ns[i];
	return NULL;
}

/* The namespace @nsid (0: the first) of function @bdf. */
static const struct p2pdma_linux_ns *ns_by_bdf(const struct p2pdma_linux *l,
					       const struct p2pdma_bdf *bdf,
					       unsigned int nsid)
{
	struct p2pdma_bdf have;
	size_t i;

	for (i = 0; i < l->nr_ns; i++) {
		if (p2pdma_bdf_parse(l->ns[i].bdf, &have) || p2pdma_bdf_cmp(bdf, &have))
			continue;
		if (!nsid || l->ns[i].nsid == nsid)
			return &l->ns[i];
	}
	return NULL;
}

static int parse_offset(const char *spec, const char *at, uint64_t *off,
			struct p2pdma_error *e)
{
	*off = 0;
	if (!at)
		return 0;
	if (p2pdma_size_parse(at + 1, off))
		return p2pdma_fail(e, -EINVAL, "%s: offset '%s' is not a size (e.g. 4096, 1M)",
				   spec, at + 1);
	return 0;
}

static int parse_bdf_spec(const struct p2pdma_linux *l, const char *spec,
			  const char *head, struct p2pdma_linux_target *out,
			  struct p2pdma_error *e)
{
	const char *slash = strchr(head, '/');
	char bdfs[64];
	struct p2pdma_bdf bdf;
	unsigned long nsid = 0;
	char *end;

	snprintf(bdfs, sizeof(bdfs), "%.*s", (int)(slash ? slash - head : (long)strlen(head)), head);
	if (p2pdma_bdf_parse(bdfs, &bdf))
		return p2pdma_fail(e, -EINVAL, "%s: '%s' is not a PCI address (DDDD:BB:DD.F)",
				   spec, bdfs);
	if (slash) {
		nsid = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || nsid == 0 || nsid > 0xfffffffful)
			return p2pdma_fail(e, -EINVAL, "%s: namespace ID '%s' is not a number from 1",
					   spec, slash + 1);
	}
	out->ns = ns_by_bdf(l, &bdf, (unsigned int)nsid);
	if (out->ns)
		return 0;
	if (nsid && ns_by_bdf(l, &bdf, 0))
		return p2pdma_fail(e, -ENOENT, "%s: %s has no namespace %lu", spec, bdfs, nsid);
	return p2pdma_fail(e, -ENOENT,
			   "%s: %s has no NVMe namespace (no nvme/nvmeX/nvmeXnY in sysfs: "
			   "not an NVMe drive, no driver bound, or no namespace attached)",
			   spec, bdfs);
}

int p2pdma_linux_target_parse(const struct p2pdma_linux *l, const char *spec,
			      struct p2pdma_linux_target *out,
			      struct p2pdma_error *e)
{
	const char *at = strrchr(spec, '@');
	char head[256], rel[64];
	int ret;

	memset(out, 0, sizeof(*out));
	if (spec[strcspn(spec, CONTROL_CHARS)]) {
		p2pdma_excerpt(head, sizeof(head), spec, strlen(spec), 64);
		return p2pdma_fail(e, -EINVAL, "'%s': a control character in a device name", head);
	}
	if (snprintf(head, sizeof(head), "%.*s",
		     (int)(at ? at - spec : (long)strlen(spec)), spec) >= (int)sizeof(head))
		return p2pdma_fail(e, -EINVAL, "%.64s...: too long", spec);
	ret = parse_offset(spec, at, &out->offset, e);
	if (ret)
		return ret;
	if (!strncmp(head, "/dev/", 5)) {
		out->ns = ns_by_name(l, head + 5);
		if (!out->ns)
			return p2pdma_fail(e, -ENOENT,
					   "%s: no NVMe namespace %s below %s/sys/bus/pci/devices",
					   spec, head + 5, strcmp(l->root, "/") ? l->root : "");
	} else {
		ret = parse_bdf_spec(l, spec, head, out, e);
		if (ret)
			return ret;
	}
	snprintf(rel, sizeof(rel), "dev/%s", out->ns->name);
	if (lx_path(out->path, sizeof(out->path), l->root, rel))
		return p2pdma_fail(e, -ENAMETOOLONG, "%s: path too long", l->root);
	return 0;
}

/* O_DIRECT wants offsets and lengths in whole logical blocks. */
static int check_alignment(const struct p2pdma_linux_target *t, const char *what,
			   uint64_t size, size_t chunk, struct p2pdma_error *e)
{
	unsigned int lba = t->ns->lba_size;

	if (t->offset % lba)
		return p2pdma_fail(e, -EINVAL,
				   "%s offset %llu on %s is not a multiple of its %u-byte "
				   "logical block (O_DIRECT needs whole blocks)",
				   what, (unsigned long long)t->offset, t->ns->name, lba);
	if (size % lba || chunk % lba)
		return p2pdma_fail(e, -EINVAL,
				   "size %llu and chunk %zu must be multiples of %s's %u-byte "
				   "logical block (O_DIRECT)",
				   (unsigned long long)size, chunk, t->ns->name, lba);
	return 0;
}

static int check_range(const struct p2pdma_linux_target *t, const char *what,
		       uint64_t size, struct p2pdma_error *e)
{
	if (t->offset > t->ns->size || size > t->ns->size - t->offset)
		return p2pdma_fail(e, -EINVAL,
				   "%s range %llu+%llu is beyond %s, which holds %llu bytes",
				   what, (unsigned long long)t->offset,
				   (unsigned long long)size, t->ns->name,
				   (unsigned long long)t->ns->size);
	return 0;
}

static int check_provider(const struct p2pdma_linux *l, const char *via,
			  struct p2pdma_error *e)
{
	const struct p2pdma_linux_provider *p = p2pdma_linux_provider_find(l, via);

	if (!p)
		return p2pdma_fail(e, -ENOENT,
				   "%s has no p2pmem (no sysfs p2pmem/ directory: its driver "
				   "registered no peer-to-peer memory)", via);
	if (!p->has_allocate)
		return p2pdma_fail(e, -ENOENT,
				   "%s has p2pmem but no p2pmem/allocate: user-space mapping "
				   "needs Linux 6.2 or later (this is %s)",
				   via, l->release[0] ? l->release : "an unknown release");
	if (!p->published)
		return p2pdma_fail(e, -EPERM,
				   "%s's p2pmem is not published (p2pmem/published is 0: its "
				   "driver keeps the memory for itself, e.g. an NVMe CMB "
				   "without both WDS and RDS)", via);
	return 0;
}

static int check_overlap(const struct p2pdma_linux_copy_req *r, struct p2pdma_error *e)
{
	const struct p2pdma_linux_target *s = &r->src, *d = &r->dst;

	if (s->ns != d->ns || s->offset >= d->offset + r->size ||
	    d->offset >= s->offset + r->size)
		return 0;
	return p2pdma_fail(e, -EINVAL, "source and destination ranges overlap on %s",
			   s->ns->name);
}

int p2pdma_linux_copy_validate(const struct p2pdma_linux *l,
			       const struct p2pdma_linux_copy_req *r,
			       struct p2pdma_error *e)
{
	size_t chunk = r->chunk ? r->chunk : LX_DEFAULT_CHUNK;
	int ret;

	if (!r->src.ns || !r->dst.ns)
		return p2pdma_fail(e, -EINVAL, "source or destination missing");
	if (r->size == 0)
		return p2pdma_fail(e, -EINVAL, "size must be more than 0");
	if (chunk % (size_t)sysconf(_SC_PAGESIZE))
		return p2pdma_fail(e, -EINVAL, "chunk %zu is not a multiple of the page size %ld",
				   chunk, sysconf(_SC_PAGESIZE));
	if (r->depth > LX_MAX_DEPTH || r->threads > LX_MAX_THREADS)
		return p2pdma_fail(e, -EINVAL, "depth at most %u, threads at most %u",
				   LX_MAX_DEPTH, LX_MAX_THREADS);
	ret = check_range(&r->src, "source", r->size, e);
	if (!ret)
		ret = check_range(&r->dst, "destination", r->size, e);
	if (!ret)
		ret = check_alignment(&r->src, "source", r->size, chunk, e);
	if (!ret)
		ret = check_alignment(&r->dst, "destination", r->size, chunk, e);
	if (!ret)
		ret = check_overlap(r, e);
	if (!ret && r->via)
		ret = check_provider(l, r->via, e);
	return ret;
}
