// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Vendor, device and class names from pci.ids, through libpci.
 *
 * Looked up only when a command prints one: the first look-up reads the
 * file libpci would read, and idsfile.c answers from it without parsing
 * every line; what it does not find goes to libpci.
 *
 * One libpci handle serves the whole process.  libpci's name cache is not
 * thread-safe, so look-ups are serialised.  udev's hwdb is not consulted:
 * names must depend only on pci.ids so that output is the same on every
 * machine with the same pci.ids.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pci/pci.h>

#include "idsfile.h"
#include "util.h"

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pci_access *names_pacc;
static struct p2pdma_ids *names_ids;
static bool names_ids_tried;
static jmp_buf names_jmp;

/*
 * pci_alloc() leaves the message hooks empty until pci_init(), which we do
 * not call (no access method is needed for names).  libpci's error hook
 * must not return, so a failed look-up jumps back out of it.
 */
static void names_quiet(char *msg, ...)
{
	(void)msg;
}

static void __attribute__((noreturn)) names_error(char *msg, ...)
{
	(void)msg;
	longjmp(names_jmp, 1);
}

static struct pci_access *names_access(void)
{
	if (!names_pacc) {
		names_pacc = pci_alloc();
		if (!names_pacc)
			return NULL;
		names_pacc->warning = names_quiet;
		names_pacc->debug = names_quiet;
		names_pacc->error = names_error;
	}
	return names_pacc;
}

/* The quick answer from the file itself; names_lock held. */
static bool quick(struct pci_access *pacc, char *buf, size_t len, int flags, unsigned int a,
		  unsigned int b)
{
	if (!names_ids_tried) {
		names_ids_tried = true;
		names_ids = p2pdma_ids_open(pacc->id_file_name);
	}
	if (!names_ids)
		return false;
	switch (flags) {
	case PCI_LOOKUP_VENDOR:
		return p2pdma_ids_vendor(names_ids, (uint16_t)a, buf, len);
	case PCI_LOOKUP_DEVICE:
		return p2pdma_ids_device(names_ids, (uint16_t)a, (uint16_t)b, buf, len);
	case PCI_LOOKUP_CLASS:
		return p2pdma_ids_subclass(names_ids, (uint8_t)(a >> 8), (uint8_t)a, buf, len);
	default:
		return false;
	}
}

static const char *lookup(char *buf, size_t len, int flags, unsigned int a,
			  unsigned int b)
{
	struct pci_access *pacc;
	const char *volatile r = NULL;

	if (!len)
		return buf;
	buf[0] = '\0';
	pthread_mutex_lock(&names_lock);
	pacc = names_access();
	if (pacc && quick(pacc, buf, len, flags, a, b)) {
		pthread_mutex_unlock(&names_lock);
		return buf;
	}
	if (pacc && !setjmp(names_jmp))
		r = pci_lookup_name(pacc, buf, (int)len,
				    flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
				    a, b);
	pthread_mutex_unlock(&names_lock);
	if (!r)
		buf[0] = '\0';
	else if (r != buf)
		snprintf(buf, len, "%s", r);
	return buf;
}

const char *p2pdma_name_vendor(uint16_t vendor, char *buf, size_t len)
{
	return lookup(buf, len, PCI_LOOKUP_VENDOR, vendor, 0);
}

const char *p2pdma_name_device(uint16_t vendor, uint16_t device, char *buf, size_t len)
{
	return lookup(buf, len, PCI_LOOKUP_DEVICE, vendor, device);
}

const char *p2pdma_name_class(uint32_t class_code, char *buf, size_t len)
{
	return lookup(buf, len, PCI_LOOKUP_CLASS, class_code >> 8, 0);
}

static void __attribute__((destructor)) names_cleanup(void)
{
	if (names_pacc)
		pci_cleanup(names_pacc);
	names_pacc = NULL;
	p2pdma_ids_close(names_ids);
	names_ids = NULL;
}
