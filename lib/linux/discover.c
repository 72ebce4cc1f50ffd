// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the running kernel offers for real peer-to-peer copies: p2pmem
 * pools, NVMe namespaces and their block devices, the kernel release.
 * Everything comes from sysfs below a root directory, so the same code
 * reads a fake tree in the tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "linux_int.h"
#include "sysfs_attr.h"
#include "sysfs_io.h"
#include "util.h"

int lx_path(char *buf, size_t len, const char *root, const char *rel)
{
	int n;

	if (!root || !strcmp(root, "/"))
		root = "";
	n = snprintf(buf, len, "%s/%s", root, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int lx_read_u64(int dirfd, const char *name, uint64_t *out)
{
	char buf[64];
	int64_t v;
	size_t n;
	int ret;

	ret = p2pdma_read_at(dirfd, name, buf, sizeof(buf), &n);
	if (ret)
		return ret;
	ret = p2pdma_sysfs_parse_dec(buf, n, 0, INT64_MAX, &v, NULL);
	if (ret)
		return ret;
	*out = (uint64_t)v;
	return 0;
}

const char *p2pdma_queue_p2p_name(enum p2pdma_queue_p2p q)
{
	switch (q) {
	case P2PDMA_QUEUE_P2P_YES: return "yes";
	case P2PDMA_QUEUE_P2P_NO: return "no";
	default: return "unknown";
	}
}

static void read_release(const char *root, char *out, size_t len)
{
	char path[4096], buf[128];
	struct utsname u;
	size_t n = 0;

	out[0] = '\0';
	if (!lx_path(path, sizeof(path), root, "proc/sys/kernel/osrelease") &&
	    !p2pdma_read_at(AT_FDCWD, path, buf, sizeof(buf) - 1, &n)) {
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
			n--;
		buf[n] = '\0';
		for (size_t i = 0; i < n; i++)	/* it goes into one-line messages */
			if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
				buf[i] = '?';
		snprintf(out, len, "%.*s", (int)len - 1, buf);
		return;
	}
	/* A live machine without /proc mounted still has uname(). */
	if ((!root || !strcmp(root, "/")) && !uname(&u))
		snprintf(out, len, "%s", u.release);
}

/* p2pmem/ of the function directory @fd, if the kernel made one. */
static int read_provider(int fd, const char *bdf, struct p2pdma_linux *l)
{
	struct p2pdma_linux_provider *p;
	uint64_t published = 0;
	int pfd;

	pfd = openat(fd, "p2pmem", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return 0;
	if (p2pdma_grow((void **)&l->providers, &l->providers_cap, l->nr_providers + 1,
			sizeof(*p))) {
		close(pfd);
		return -ENOMEM;
	}
	p = &l->providers[l->nr_providers++];
	memset(p, 0, sizeof(*p));
	snprintf(p->bdf, sizeof(p->bdf), "%.*s", (int)sizeof(p->bdf) - 1, bdf);
	lx_read_u64(pfd, "size", &p->size);
	lx_read_u64(pfd, "available", &p->available);
	lx_read_u64(pfd, "published", &published);
	p->published = published != 0;
	p->has_allocate = faccessat(pfd, "allocate", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	close(pfd);
	return 0;
}

/* "nvme0n1" below controller "nvme0"; not "nvme0c0n1" (a multipath path). */
static bool is_ns_name(const char *ctrl, const char *name)
{
	size_t n = strlen(ctrl);
	const char *p = name + n + 1;

	if (strncmp(name, ctrl, n) || name[n] != 'n' || !*p)
		return false;
	return strspn(p, "0123456789") == strlen(p) &&
	       strlen(name) < sizeof(((struct p2pdma_linux_ns *)0)->name);
}

static void queue_p2p(struct p2pdma_linux_ns *ns, const char *driver)
{
	if (!strcmp(driver, "nvme")) {
		ns->queue_p2p = P2PDMA_QUEUE_P2P_YES;
		snprintf(ns->queue_why, sizeof(ns->queue_why),
			 "the NVMe PCI transport sets BLK_FEAT_PCI_P2PDMA");
	} else {
		ns->queue_p2p = P2PDMA_QUEUE_P2P_UNKNOWN;
		snprintf(ns->queue_why, sizeof(ns->queue_why),
			 "driver %s: sysfs does not show the queue's P2P flag",
			 driver[0] ? driver : "(none)");
	}
}

static int add_ns(int cfd, const char *name, const char *bdf, const char *driver,
		  struct p2pdma_linux *l)
{
	struct p2pdma_linux_ns *ns;
	uint64_t v = 0;
	int nfd;

	nfd = openat(cfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (nfd < 0)
		return 0;
	if (p2pdma_grow((void **)&l->ns, &l->ns_cap, l->nr_ns + 1, sizeof(*ns))) {
		close(nfd);
		return -ENOMEM;
	}
	ns = &l->ns[l->nr_ns++];
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%.*s", (int)sizeof(ns->name) - 1, name);
	snprintf(ns->bdf, sizeof(ns->bdf), "%.*s", (int)sizeof(ns->bdf) - 1, bdf);
	if (!lx_read_u64(nfd, "nsid", &v))
		ns->nsid = (unsigned int)v;
	else
		ns->nsid = (unsigned int)strtoul(strrchr(name, 'n') + 1, NULL, 10);
	if (!lx_read_u64(nfd, "size", &v))
		ns->size = v * 512;	/* sysfs counts 512-byte sectors always */
	ns->lba_size = 512;
	if (!lx_read_u64(nfd, "queue/logical_block_size", &v) && v >= 512 && v <= 65536)
		ns->lba_size = (unsigned int)v;
	queue_p2p(ns, driver);
	close(nfd);
	return 0;
}

static int read_controllers(int fd, const char *bdf, const char *driver,
			    struct p2pdma_linux *l)
{
	struct dirent *c, *n;
	DIR *nvme, *ctrl;
	int ret = 0, dfd;

	dfd = openat(fd, "nvme", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	nvme = fdopendir(dfd);
	if (!nvme) {
		close(dfd);
		return 0;
	}
	while (!ret && (c = readdir(nvme))) {
		int cfd;

		/* "nvme0": the kernel's controller names, nothing else. */
		if (strncmp(c->d_name, "nvme", 4) || !c->d_name[4] ||
		    strspn(c->d_name + 4, "0123456789") != strlen(c->d_name + 4))
			continue;
		cfd = openat(dfd, c->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cfd < 0 || !(ctrl = fdopendir(cfd))) {
			if (cfd >= 0)
				close(cfd);
			continue;
		}
		while (!ret && (n = readdir(ctrl)))
			if (is_ns_name(c->d_name, n->d_name))
				ret = add_ns(cfd, n->d_name, bdf, driver, l);
		closedir(ctrl);
	}
	closedir(nvme);
	return ret;
}

static int read_function(int devs, const char *bdf, struct p2pdma_linux *l)
{
	char driver[64] = "", target[256];
	size_t n;
	int fd, ret;

	fd = openat(devs, bdf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (!p2pdma_readlink_at(fd, "driver", target, sizeof(target), &n))
		p2pdma_sysfs_link_basename(target, n, driver, sizeof(driver), NULL);
	ret = read_provider(fd, bdf, l);
	if (!ret)
		ret = read_controllers(fd, bdf, driver, l);
	close(fd);
	return ret;
}

static int provider_cmp(const void *a, const void *b)
{
	return strcmp(((const struct p2pdma_linux_provider *)a)->bdf,
		      ((const struct p2pdma_linux_provider *)b)->bdf);
}

static int ns_cmp(const void *a, const void *b)
{
	const struct p2pdma_linux_ns *x = a, *y = b;
	int c = strcmp(x->bdf, y->bdf);

	return c ? c : (x->nsid > y->nsid) - (x->nsid < y->nsid);
}

static int scan(struct p2pdma_linux *l, struct p2pdma_error *e)
{
	char path[4096];
	struct dirent *d;
	struct p2pdma_bdf bdf;
	int ret = 0, devs;
	DIR *dir;

	ret = lx_path(path, sizeof(path), l->root, "sys/bus/pci/devices");
	if (ret)
		return p2pdma_fail(e, ret, "%s: path too long", l->root);
	devs = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devs < 0 || !(dir = fdopendir(devs))) {
		ret = -errno;
		if (devs >= 0)
			close(devs);
		return p2pdma_fail(e, ret, "%s: %s (is sysfs mounted?)", path, strerror(-ret));
	}
	while (!ret && (d = readdir(dir)))
		if (p2pdma_sysfs_parse_fn_name(d->d_name, &bdf))
			ret = read_function(devs, d->d_name, l);
	closedir(dir);
	if (ret)
		return p2pdma_fail(e, ret, "%s: %s", path, strerror(-ret));
	if (l->nr_providers)	/* qsort() wants an array, even for none */
		qsort(l->providers, l->nr_providers, sizeof(*l->providers), provider_cmp);
	if (l->nr_ns)
		qsort(l->ns, l->nr_ns, sizeof(*l->ns), ns_cmp);
	return 0;
}

int p2pdma_linux_discover(const char *root, struct p2pdma_linux **out,
			  struct p2pdma_error *e)
{
	struct p2pdma_linux *l = calloc(1, sizeof(*l));
	int ret;

	*out = NULL;
	if (!l || !(l->root = strdup(root && *root ? root : "/"))) {
		free(l);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	read_release(l->root, l->release, sizeof(l->release));
	ret = scan(l, e);
	if (ret) {
		p2pdma_linux_free(l);
		return ret;
	}
	*out = l;
	return 0;
}

void p2pdma_linux_free(struct p2pdma_linux *l)
{
	if (!l)
		return;
	free(l->root);
	free(l->providers);
	free(l->ns);
	free(l);
}

const struct p2pdma_linux_provider *
p2pdma_linux_provider_find(const struct p2pdma_linux *l, const char *bdf)
{
	struct p2pdma_bdf want, have;
	size_t i;

	if (p2pdma_bdf_parse(bdf, &want))
		return NULL;
	for (i = 0; i < l->nr_providers; i++)
		if (!p2pdma_bdf_parse(l->providers[i].bdf, &have) &&
		    !p2pdma_bdf_cmp(&want, &have))
			return &l->providers[i];
	return NULL;
}
