// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Copy buffers: a provider's p2pmem, mapped through sysfs p2pmem/allocate,
 * and a page-aligned host buffer for the bounce path.
 *
 * Every mmap() of allocate is a new allocation from the provider's pool,
 * so one mapping holds every buffer in flight; the kernel accepts only
 * shared mappings at offset 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "linux_int.h"

static int map_error(const char *path, const char *provider, size_t len, int err,
		     struct p2pdma_error *e)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return p2pdma_fail(e, -err, "%s: permission denied: mapping p2pmem needs "
				   "root (allocate is mode 0660, owner root)", path);
	case ENOMEM:
		return p2pdma_fail(e, -err, "%s: the pool of %s cannot give %zu contiguous "
				   "bytes (see p2pmem/available)", path, provider, len);
	case ENODEV:
		return p2pdma_fail(e, -err, "%s: %s's p2pmem is going away (driver unbinding)",
				   path, provider);
	default:
		return p2pdma_fail(e, -err, "%s: %s", path, strerror(err));
	}
}

int p2pdma_linux_buf_p2pmem(const struct p2pdma_linux *l, const char *provider,
			    size_t len, struct p2pdma_linux_buf *out,
			    struct p2pdma_error *e)
{
	char rel[128], path[4096];
	void *addr;
	int fd, err;

	memset(out, 0, sizeof(*out));
	if (!len || len % (size_t)sysconf(_SC_PAGESIZE))
		return p2pdma_fail(e, -EINVAL, "p2pmem length %zu is not a page multiple", len);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/p2pmem/allocate", provider);
	if (lx_path(path, sizeof(path), l->root, rel))
		return p2pdma_fail(e, -ENAMETOOLONG, "%s: path too long", l->root);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return map_error(path, provider, len, errno, e);
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (addr == MAP_FAILED)
		return map_error(path, provider, len, err, e);
	out->addr = addr;
	out->len = len;
	out->p2pmem = true;
	snprintf(out->provider, sizeof(out->provider), "%s", provider);
	return 0;
}

int p2pdma_linux_buf_host(size_t len, struct p2pdma_linux_buf *out,
			  struct p2pdma_error *e)
{
	void *addr;

	memset(out, 0, sizeof(*out));
	/* mmap gives page alignment and pages the kernel can pin. */
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED)
		return p2pdma_fail(e, -errno, "host buffer of %zu bytes: %s", len,
				   strerror(errno));
	out->addr = addr;
	out->len = len;
	return 0;
}

void p2pdma_linux_buf_release(struct p2pdma_linux_buf *b)
{
	if (b->addr)
		munmap(b->addr, b->len);
	memset(b, 0, sizeof(*b));
}
