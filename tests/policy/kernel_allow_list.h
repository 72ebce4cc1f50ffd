/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's host-bridge allow-list, transcribed by hand from
 * KERNEL-FACTS.md 1.4 (current pci/pci tree, in the kernel's order), for
 * the tests to hold the library's table against: a reference that read
 * the library's own table could not catch a wrong row.
 */
#ifndef P2PDMA_TEST_KERNEL_ALLOW_LIST_H
#define P2PDMA_TEST_KERNEL_ALLOW_LIST_H

#include <stdint.h>

struct kal_entry {
	uint16_t vendor;
	int device;		/* -1: PCI_ANY_ID */
	unsigned int req_same;	/* REQ_SAME_HOST_BRIDGE */
};

static const struct kal_entry kernel_allow_list[] = {
	{ 0x8086, 0x3c00, 1 }, { 0x8086, 0x3c01, 1 },
	{ 0x8086, 0x2f00, 1 }, { 0x8086, 0x2f01, 1 },
	{ 0x8086, 0x2030, 0 }, { 0x8086, 0x2031, 0 }, { 0x8086, 0x2032, 0 },
	{ 0x8086, 0x2033, 0 }, { 0x8086, 0x2020, 0 }, { 0x8086, 0x09a2, 0 },
	{ 0x8086, 0x0b25, 0 }, { 0x8086, 0x0cfe, 0 }, { 0x8086, 0x11fb, 0 },
	{ 0x8086, 0x1212, 0 }, { 0x8086, 0x1216, 0 },
	{ 0x8086, 0x4940, 0 }, { 0x8086, 0x4942, 0 }, { 0x8086, 0x4944, 0 },
	{ 0x8086, 0x4946, 0 }, { 0x8086, 0x4948, 0 },
	{ 0x1ae0, -1, 0 },
	{ 0x10de, 0x2f95, 0 }, { 0x10de, 0x2f96, 0 }, { 0x10de, 0x2f97, 0 },
	{ 0x10de, 0x2f98, 0 },
	{ 0x1d17, 0x1003, 1 }, { 0x1d17, 0x1005, 1 }, { 0x1d17, 0x1006, 1 },
	{ 0x1d17, 0x1007, 1 }, { 0x1d17, 0x1008, 0 },
};

#define KAL_SIZE (sizeof(kernel_allow_list) / sizeof(kernel_allow_list[0]))

#endif
