// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI functions, their p2pmem and their NVMe namespaces, from sysfs
 * (see devices.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"

/* @dir/@name into @buf; false when it does not fit (the entry is skipped). */
static bool join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len;
}

/* First line of a sysfs attribute, trailing blanks removed; "" on error. */
static void read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static long long read_number(const char *path, long long fallback)
{
	char buf[64], *end;
	long long v;

	read_attr(path, buf, sizeof(buf));
	if (!buf[0])
		return fallback;
	v = strtoll(buf, &end, 0);
	return *end ? fallback : v;
}

static void read_p2pmem(const char *dev, struct vm_device *d)
{
	char path[512];
	DIR *dir;

	snprintf(path, sizeof(path), "%s/p2pmem", dev);
	dir = opendir(path);
	if (!dir)
		return;
	closedir(dir);
	d->has_p2pmem = true;
	snprintf(path, sizeof(path), "%s/p2pmem/size", dev);
	d->p2pmem_size = read_number(path, -1);
	snprintf(path, sizeof(path), "%s/p2pmem/available", dev);
	d->p2pmem_available = read_number(path, -1);
	snprintf(path, sizeof(path), "%s/p2pmem/published", dev);
	d->p2pmem_published = (int)read_number(path, -1);
}

/* The namespace block device below controller directory @ctrl, if any. */
static void find_namespace(const char *ctrl, const char *name, struct vm_device *d)
{
	size_t len = strlen(name);
	struct dirent *e;
	DIR *dir = opendir(ctrl);

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		/* nvme0n1 below nvme0; also nvme0c0n1 under native multipath */
		if (strncmp(e->d_name, name, len) || !strchr(e->d_name + len, 'n'))
			continue;
		if (strlen(e->d_name) >= sizeof(d->block))
			continue;
		if (!d->block[0] || strcmp(e->d_name, d->block) < 0)
			strcpy(d->block, e->d_name);
	}
	closedir(dir);
}

static void read_nvme(const char *dev, struct vm_device *d)
{
	char path[512], ctrl[800], attr[900];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/nvme", dev);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "nvme", 4))
			continue;
		if (!join(ctrl, sizeof(ctrl), path, e->d_name) ||
		    !join(attr, sizeof(attr), ctrl, "serial"))
			continue;
		read_attr(attr, d->serial, sizeof(d->serial));
		find_namespace(ctrl, e->d_name, d);
		break;
	}
	closedir(dir);
}

static void read_device(const char *root, const char *bdf, struct vm_device *d)
{
	char dev[300], path[400], v[16], id[16];

	memset(d, 0, sizeof(*d));
	d->p2pmem_published = -1;
	memcpy(d->bdf, bdf, strnlen(bdf, sizeof(d->bdf) - 1));	/* length checked by caller */
	snprintf(dev, sizeof(dev), "%s/bus/pci/devices/%s", root, bdf);
	snprintf(path, sizeof(path), "%s/vendor", dev);
	read_attr(path, v, sizeof(v));
	snprintf(path, sizeof(path), "%s/device", dev);
	read_attr(path, id, sizeof(id));
	snprintf(d->id, sizeof(d->id), "%.4s:%.4s",
		 v[0] ? v + 2 : "????", id[0] ? id + 2 : "????");
	read_p2pmem(dev, d);
	read_nvme(dev, d);
}

static int by_bdf(const void *a, const void *b)
{
	return strcmp(((const struct vm_device *)a)->bdf,
		      ((const struct vm_device *)b)->bdf);
}

int vm_devices_scan(const char *sys_root, struct vm_device *out, int max)
{
	char path[256];
	struct dirent *e;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", sys_root);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < max) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(out->bdf))
			continue;
		read_device(sys_root, e->d_name, &out[n++]);
	}
	closedir(dir);
	qsort(out, (size_t)n, sizeof(*out), by_bdf);
	return n;
}

int vm_devices_count_nvme(const struct vm_device *d, int n)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += d[i].block[0] != '\0';
	return c;
}

int vm_devices_count_p2pmem(const struct vm_device *d, int n)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += d[i].has_p2pmem;
	return c;
}
