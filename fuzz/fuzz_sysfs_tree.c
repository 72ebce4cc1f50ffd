// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the sysfs directory loader, on trees made from
 * the input: a small machine (a root port above an NVMe with p2pmem, an
 * IOMMU group, /proc) is written to a scratch directory, then the input's
 * edits are applied to it: any file's contents, removal, a symlink (to
 * /dev/zero, "..", itself, or the input's text), a FIFO, a directory, a
 * config of odd size, a function directory with an odd name.
 *
 * A refused tree must come with a one-line reason naming the tree; an
 * accepted one must draw as DOT.  Built with FUZZ_CAPTURE (fuzz_capture),
 * an accepted tree is also captured, and the capture must load as the
 * same machine (the same JSON).  Nothing may be left in $TMPDIR.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p2pdma.h"
#include "fuzz_scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RP "sys/devices/pci0000:00/0000:00:01.0"
#define EP RP "/0000:01:00.0"

/* Every path an edit can name: the template's files, directories and links. */
static const char *const paths[] = {
	RP, RP "/vendor", RP "/device", RP "/class", RP "/config", RP "/resource",
	RP "/numa_node", RP "/secondary_bus_number", RP "/subordinate_bus_number",
	RP "/current_link_speed", RP "/current_link_width", RP "/max_link_speed",
	RP "/max_link_width",
	EP, EP "/vendor", EP "/device", EP "/class", EP "/config", EP "/resource",
	EP "/numa_node", EP "/iommu_group", EP "/p2pmem", EP "/p2pmem/size",
	EP "/p2pmem/available", EP "/p2pmem/published", EP "/driver",
	"sys/bus/pci/devices", "sys/bus/pci/devices/0000:00:01.0",
	"sys/bus/pci/devices/0000:01:00.0", "sys/kernel/iommu_groups/1/type",
	"sys/devices/pci0000:00", "sys", "proc", "proc/cpuinfo", "proc/cmdline",
	"proc/iomem",
};

static const char *const link_targets[] = {
	"/dev/zero", "/dev/null", ".", "..", "../..", "../../..", "/proc/self", "/",
	"../../../devices/pci0000:00/0000:00:01.0", "../../../../kernel/iommu_groups/1",
};

static const char *const odd_names[] = {
	"0000:01:00.8", "0000:01:20.0", "000:01:00.2", "0000:01:00.1", "pci0000:01",
	"0000:02:00.0", "10000:01:00.0", "0000:01:00.0", "pci10000:00",
};

static char root[300];

static void put(const char *rel, const void *data, size_t len)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fuzz_write(p, data, len);
}

/* An edit's write: its directory may be gone or a file by now; then nothing. */
static void try_put(const char *rel, const void *data, size_t len)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (len && write(fd, data, len) < 0)
		abort();
	close(fd);
}

static void puts_at(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void mkdirs(const char *rel)
{
	char p[600], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	mkdir(p, 0700);
}

static void link_at(const char *rel, const char *target)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p))
		abort();
}

static void le16(uint8_t *b, unsigned int at, unsigned int v)
{
	b[at] = v & 0xff;
	b[at + 1] = (v >> 8) & 0xff;
}

/* Config space laid out from the PCIe specification: Express at 0x40, ACS at 0x100. */
static void config(uint8_t *b, size_t len, unsigned int ven, unsigned int dev, int type,
		   unsigned int pcie_type)
{
	memset(b, 0, len);
	le16(b, 0, ven);
	le16(b, 2, dev);
	le16(b, 6, 0x10);
	b[0x0e] = (uint8_t)type;
	if (type == 1)
		b[0x19] = b[0x1a] = 1;
	b[0x34] = 0x40;
	b[0x40] = 0x10;
	le16(b, 0x42, pcie_type << 4 | 2);
	le16(b, 0x4c, 3 | 16 << 4);
	le16(b, 0x52, 3 | 16 << 4);
	if (len == 4096) {
		le16(b, 0x100, 0x000d);
		le16(b, 0x102, 1);
		le16(b, 0x104, 0x5f);
	}
}

static void template(void)
{
	static uint8_t rp[4096], ep[256];
	static const char res[] =
		"0x00000000fb000000 0x00000000fbffffff 0x0000000000140204\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
	static const char *const text[][2] = {
		{ RP "/vendor", "0x8086\n" }, { RP "/device", "0x2030\n" },
		{ RP "/class", "0x060400\n" }, { RP "/numa_node", "0\n" },
		{ RP "/secondary_bus_number", "1\n" }, { RP "/subordinate_bus_number", "1\n" },
		{ RP "/current_link_speed", "8.0 GT/s PCIe\n" }, { RP "/current_link_width", "16\n" },
		{ RP "/max_link_speed", "8.0 GT/s PCIe\n" }, { RP "/max_link_width", "16\n" },
		{ EP "/vendor", "0x144d\n" }, { EP "/device", "0xa80a\n" },
		{ EP "/class", "0x010802\n" }, { EP "/numa_node", "0\n" },
		{ EP "/p2pmem/size", "4194304\n" }, { EP "/p2pmem/available", "4194304\n" },
		{ EP "/p2pmem/published", "1\n" }, { "sys/kernel/iommu_groups/1/type", "DMA\n" },
	};
	size_t i;

	config(rp, sizeof(rp), 0x8086, 0x2030, 1, 4);
	config(ep, sizeof(ep), 0x144d, 0xa80a, 0, 0);
	mkdirs(EP "/p2pmem");
	mkdirs("sys/bus/pci/devices");
	mkdirs("sys/kernel/iommu_groups/1");
	mkdirs("proc");
	for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		puts_at(text[i][0], text[i][1]);
	put(RP "/config", rp, sizeof(rp));
	put(EP "/config", ep, sizeof(ep));
	put(EP "/resource", res, sizeof(res) - 1);
	link_at(EP "/iommu_group", "../../../../kernel/iommu_groups/1");
	link_at(EP "/driver", "../../../../bus/pci/drivers/nvme");
	link_at("sys/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0");
	link_at("sys/bus/pci/devices/0000:01:00.0",
		"../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0");
	puts_at("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n\n");
	puts_at("proc/cmdline", "root=/dev/sda\n");
	puts_at("proc/iomem", "00001000-0009ffff : System RAM\n100000000-1ffffffff : System RAM\n");
}

/* Remove whatever is at @rel (file, link, FIFO or whole directory). */
static void remove_at(const char *rel)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (lstat(p, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		fuzz_empty_dir(p);
		rmdir(p);
	} else {
		unlink(p);
	}
}

/* One edit: op, path, then a length byte and that many bytes of payload. */
static size_t edit(const uint8_t *d, size_t n)
{
	char p[600], text[256];
	const char *rel;
	size_t len;

	if (n < 3)
		return n;
	rel = paths[d[1] % (sizeof(paths) / sizeof(paths[0]))];
	len = d[2] < n - 3 ? d[2] : n - 3;
	memcpy(text, d + 3, len);
	text[len] = '\0';
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	switch (d[0] % 8) {
	case 0:		/* new contents */
		remove_at(rel);
		try_put(rel, d + 3, len);
		break;
	case 1:
		remove_at(rel);
		break;
	case 2:		/* a link to the input's text */
		remove_at(rel);
		if (len && !memchr(text, '\0', len))
			symlink(text, p);
		break;
	case 3:
		remove_at(rel);
		mkfifo(p, 0600);
		break;
	case 4:
		remove_at(rel);
		mkdir(p, 0700);
		break;
	case 5:		/* contents of an odd size: the payload, repeated */
		remove_at(rel);
		{
			size_t want = (size_t)d[2] * 17, i;
			uint8_t *b = calloc(1, want + 1);

			for (i = 0; b && len && i < want; i++)
				b[i] = d[3 + i % len];
			if (b)
				try_put(rel, b, want);
			free(b);
		}
		break;
	case 6:		/* a link to an interesting place */
		remove_at(rel);
		symlink(link_targets[d[2] % (sizeof(link_targets) / sizeof(link_targets[0]))], p);
		return 3;
	case 7:		/* a function directory with an odd name next to the NVMe */
		snprintf(p, sizeof(p), RP "/%s",
			 odd_names[d[2] % (sizeof(odd_names) / sizeof(odd_names[0]))]);
		mkdirs(p);
		snprintf(p, sizeof(p), RP "/%s/vendor",
			 odd_names[d[2] % (sizeof(odd_names) / sizeof(odd_names[0]))]);
		try_put(p, "0x15b3\n", 7);
		return 3;
	}
	return 3 + len;
}

static struct p2pdma_fabric *load(const char *path, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_SYSFS };
	struct p2pdma_fabric *f = NULL;

	if (p2pdma_fabric_load(&o, &f, e)) {
		if (f || !e->reason[0] || strchr(e->reason, '\n') || !strstr(e->reason, path))
			abort();
		return NULL;
	}
	return f;
}

#ifdef FUZZ_CAPTURE
/* The capture of an accepted tree loads as the same machine. */
static void round_trip(const struct p2pdma_fabric *f)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *g;
	char cap[300], *a = NULL, *b = NULL;

	fuzz_scratch_path(cap, sizeof(cap), "capture.tar");
	if (p2pdma_capture(root, cap, NULL, NULL, &e)) {
		fprintf(stderr, "capture refused a tree the loader took: %s\n", e.reason);
		abort();	/* the loader took the tree, so capture must too */
	}
	g = load(cap, &e);
	if (!g || p2pdma_fabric_write_json(f, &a, &e) || p2pdma_fabric_write_json(g, &b, &e) ||
	    strcmp(a, b))
		abort();
	free(a);
	free(b);
	p2pdma_fabric_free(g);
	unlink(cap);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	char *dot = NULL;
	size_t at = 0;
	int edits = 0;

	fuzz_scratch_path(root, sizeof(root), "tree");
	mkdir(root, 0700);
	template();
	while (at < size && edits++ < 16)
		at += edit(data + at, size - at);
	f = load(root, &e);
	if (f) {
		if (p2pdma_fabric_write_dot(f, NULL, &dot, &e))
			abort();
		free(dot);
#ifdef FUZZ_CAPTURE
		round_trip(f);
#endif
		p2pdma_fabric_free(f);
	}
	fuzz_tmp_is_clean();
	fuzz_empty_dir(root);
	return 0;
}
