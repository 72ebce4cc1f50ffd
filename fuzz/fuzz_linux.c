// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the linux backend's parsers of outside input:
 * /dev/kmsg records (first byte even) and copy ends "BDF[/NSID][@OFFSET]"
 * or "/dev/nvmeXnY[@OFFSET]" (first byte odd), the latter against two
 * namespaces held in memory.  Contract: no crash; a record gives NULL or a
 * string inside it; an end is found (with a namespace) or refused with a
 * one-line reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2pdma.h"
#include "linux_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct p2pdma_linux *machine(void)
{
	static struct p2pdma_linux_ns ns[2] = {
		{ .name = "nvme0n1", .bdf = "0000:01:00.0", .nsid = 1, .size = 1 << 20,
		  .lba_size = 512 },
		{ .name = "nvme1n2", .bdf = "0000:02:00.0", .nsid = 2, .size = 1 << 20,
		  .lba_size = 4096 },
	};
	static struct p2pdma_linux l = { .root = "/nonexistent", .ns = ns, .nr_ns = 2 };

	return &l;
}

static void spec(const char *s)
{
	struct p2pdma_linux_target t;
	struct p2pdma_error e = { 0 };

	if (p2pdma_linux_target_parse(machine(), s, &t, &e) == 0) {
		if (!t.ns)
			abort();
	} else if (!e.reason[0] || strchr(e.reason, '\n')) {
		abort();
	}
	(void)p2pdma_linux_spec_is_nvme(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	const char *text;

	if (size < 1 || size > 8192)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1) {
		spec(s);
	} else {
		text = lx_kmsg_text(s);
		if (text && (text < s || text > s + size - 1))
			abort();
		if (text)
			(void)lx_kmsg_wanted(text);
	}
	free(s);
	return 0;
}
