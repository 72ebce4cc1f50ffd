/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the guest agent needs to know about the guest's PCI functions:
 * which ones have kernel p2pmem (providers) and which are NVMe
 * controllers with a namespace it can read (clients).  Read from sysfs.
 */
#ifndef VM_DEVICES_H
#define VM_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#define VM_MAX_DEVICES 64

struct vm_device {
	char bdf[16];		/* DDDD:BB:DD.F */
	char id[16];		/* vendor:device, hex */
	char serial[32];	/* NVMe serial number, or "" */
	char block[32];		/* first namespace, e.g. "nvme0n1", or "" */
	bool has_p2pmem;
	long long p2pmem_size;
	long long p2pmem_available;
	int p2pmem_published;	/* -1 when unknown */
};

/* Every PCI function under @sys_root (normally "/sys"), in BDF order. */
int vm_devices_scan(const char *sys_root, struct vm_device *out, int max);

/* Counts used to wait until the NVMe driver has finished probing. */
int vm_devices_count_nvme(const struct vm_device *d, int n);
int vm_devices_count_p2pmem(const struct vm_device *d, int n);

#endif /* VM_DEVICES_H */
