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
 * every tree is captured instead: capture must refuse what the loader
 * refuses, with the loader's reason, and nothing else, and what it
 * writes must load as the same machine (the same JSON).  Nothing may be
 * left in $TMPDIR.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
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

/* An edit's write: its directory may be gone, or the path a FIFO, by now; then nothing. */
static void try_put(const char *rel, const void *data, size_t len)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	/* O_NONBLOCK: an earlier edit's FIFO there would wait for a reader forever. */
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0)
		return;
	if (len && write(fd, data, len) < 0)
		abort();
	close(fd);
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

/* The template machine: a table, so that the part an input edited can be laid again. */
enum tkind { T_DIR, T_FILE, T_LINK };

struct tentry {
	enum tkind kind;
	const char *rel;
	const void *data;	/* contents, or the link's target */
	size_t len;		/* 0: strlen(data) */
};

static uint8_t rp_cfg[4096], ep_cfg[256];

static const char res[] =
	"0x00000000fb000000 0x00000000fbffffff 0x0000000000140204\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

/* Parents before children: laying a prefix of the table in order is always possible. */
#define DIR(r) { .kind = T_DIR, .rel = (r) }
#define TXT(r, s) { .kind = T_FILE, .rel = (r), .data = (s) }
#define BIN(r, b, n) { .kind = T_FILE, .rel = (r), .data = (b), .len = (n) }
#define LNK(r, to) { .kind = T_LINK, .rel = (r), .data = (to) }
static const struct tentry tmpl[] = {
	DIR("sys"), DIR("sys/devices"), DIR("sys/devices/pci0000:00"),
	DIR(RP), DIR(EP), DIR(EP "/p2pmem"),
	DIR("sys/bus"), DIR("sys/bus/pci"), DIR("sys/bus/pci/devices"),
	DIR("sys/kernel"), DIR("sys/kernel/iommu_groups"),
	DIR("sys/kernel/iommu_groups/1"), DIR("proc"),
	TXT(RP "/vendor", "0x8086\n"), TXT(RP "/device", "0x2030\n"),
	TXT(RP "/class", "0x060400\n"), TXT(RP "/numa_node", "0\n"),
	TXT(RP "/secondary_bus_number", "1\n"),
	TXT(RP "/subordinate_bus_number", "1\n"),
	TXT(RP "/current_link_speed", "8.0 GT/s PCIe\n"),
	TXT(RP "/current_link_width", "16\n"),
	TXT(RP "/max_link_speed", "8.0 GT/s PCIe\n"),
	TXT(RP "/max_link_width", "16\n"),
	BIN(RP "/config", rp_cfg, sizeof(rp_cfg)),
	TXT(EP "/vendor", "0x144d\n"), TXT(EP "/device", "0xa80a\n"),
	TXT(EP "/class", "0x010802\n"), TXT(EP "/numa_node", "0\n"),
	BIN(EP "/config", ep_cfg, sizeof(ep_cfg)),
	BIN(EP "/resource", res, sizeof(res) - 1),
	TXT(EP "/p2pmem/size", "4194304\n"), TXT(EP "/p2pmem/available", "4194304\n"),
	TXT(EP "/p2pmem/published", "1\n"),
	LNK(EP "/iommu_group", "../../../../kernel/iommu_groups/1"),
	LNK(EP "/driver", "../../../../bus/pci/drivers/nvme"),
	TXT("sys/kernel/iommu_groups/1/type", "DMA\n"),
	LNK("sys/bus/pci/devices/0000:00:01.0", "../../../devices/pci0000:00/0000:00:01.0"),
	LNK("sys/bus/pci/devices/0000:01:00.0",
	  "../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"),
	TXT("proc/cpuinfo",
	  "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n\n"),
	TXT("proc/cmdline", "root=/dev/sda\n"),
	TXT("proc/iomem", "00001000-0009ffff : System RAM\n100000000-1ffffffff : System RAM\n"),
};

/*
 * Every template file is written once into a store beside the tree, and
 * laid by a hard link from there: one link() instead of open, write and
 * close, on every restore.  So no file of the tree may ever be written
 * in place: every edit removes what is at its path before it makes
 * something new there (check_tree() would see a store written through).
 */
static char store[300];

static void stored(size_t i, char *p, size_t len)
{
	snprintf(p, len, "%s/%zu", store, i);
}

static void fill_store(void)
{
	char p[600];
	size_t i;

	fuzz_scratch_path(store, sizeof(store), "store");
	if (mkdir(store, 0700))
		abort();
	for (i = 0; i < sizeof(tmpl) / sizeof(tmpl[0]); i++) {
		if (tmpl[i].kind != T_FILE)
			continue;
		stored(i, p, sizeof(p));
		fuzz_write(p, tmpl[i].data, tmpl[i].len ? tmpl[i].len : strlen(tmpl[i].data));
	}
}

static void lay(size_t i)
{
	const struct tentry *t = &tmpl[i];
	char p[600], from[600];

	snprintf(p, sizeof(p), "%s/%s", root, t->rel);
	switch (t->kind) {
	case T_DIR:
		if (mkdir(p, 0700))
			abort();
		break;
	case T_FILE:
		stored(i, from, sizeof(from));
		if (link(from, p))
			abort();
		break;
	case T_LINK:
		link_at(t->rel, t->data);
		break;
	}
}

/* @rel is @top or below it. */
static bool below(const char *rel, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(rel, top, n) && (rel[n] == '\0' || rel[n] == '/');
}

/* Lay the template's entries at and below @top (all of them when NULL). */
static void lay_template(const char *top)
{
	size_t i;

	for (i = 0; i < sizeof(tmpl) / sizeof(tmpl[0]); i++)
		if (!top || below(tmpl[i].rel, top))
			lay(i);
}

static void template(void)
{
	config(rp_cfg, sizeof(rp_cfg), 0x8086, 0x2030, 1, 4);
	config(ep_cfg, sizeof(ep_cfg), 0x144d, 0xa80a, 0, 0);
	fill_store();
	lay_template(NULL);
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

/*
 * The paths the input's edits touched: after the input, each is removed
 * and laid again from the template, so the next input starts from the
 * same tree without paying for the whole of it.  A path below another
 * touched one goes with its ancestor.
 */
static char touched[16][300];
static unsigned long inputs;
static size_t nr_touched;

static void touch(const char *rel)
{
	snprintf(touched[nr_touched++], sizeof(touched[0]), "%s", rel);
}

/*
 * Every directory above @rel is still a directory of the tree: an edit
 * under a component that an earlier edit made a symlink would reach
 * through it, perhaps out of the scratch directory.
 */
static bool inside(const char *rel)
{
	char p[600], *s;
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (lstat(p, &st) || !S_ISDIR(st.st_mode))
			return false;
		*s = '/';
	}
	return true;
}

/*
 * Whether an edit of this input hit a directory of the template: until
 * one does, every directory above any path an edit names is still the
 * template's (files have nothing below them), and inside() can be
 * skipped, six lstat() calls an edit.
 */
static bool dirs_moved;

static bool template_dir(const char *rel)
{
	size_t i;

	for (i = 0; i < sizeof(tmpl) / sizeof(tmpl[0]); i++)
		if (tmpl[i].kind == T_DIR && !strcmp(tmpl[i].rel, rel))
			return true;
	return false;
}

/* Laid again with a touched ancestor, or with an earlier touch of itself. */
static bool covered(size_t i)
{
	size_t j;

	for (j = 0; j < nr_touched; j++)
		if (j != i && below(touched[i], touched[j]) &&
		    (strcmp(touched[i], touched[j]) || j < i))
			return true;
	return false;
}

/* What is at @t's place is what the template laid there. */
static bool laid(const struct tentry *t)
{
	char p[600], got[4096];
	size_t want = t->len ? t->len : strlen(t->data ? t->data : "");
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, t->rel);
	if (lstat(p, &st))
		return false;
	switch (t->kind) {
	case T_DIR:
		return S_ISDIR(st.st_mode);
	case T_LINK:
		n = readlink(p, got, sizeof(got));
		return S_ISLNK(st.st_mode) && n == (ssize_t)want && !memcmp(got, t->data, want);
	case T_FILE:
		if (!S_ISREG(st.st_mode) || (size_t)st.st_size != want)
			return false;
		fd = open(p, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, got, sizeof(got));
		if (fd >= 0)
			close(fd);
		return n == (ssize_t)want && !memcmp(got, t->data, want);
	}
	return false;
}

static size_t count_entries(const char *dir)
{
	char p[600];
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (!d)
		abort();
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			n += count_entries(p);
	}
	closedir(d);
	return n;
}

/* The tree is the template again, no more and no less; else the fuzzer itself is wrong. */
static void check_tree(void)
{
	size_t i, n = sizeof(tmpl) / sizeof(tmpl[0]);

	for (i = 0; i < n; i++)
		if (!laid(&tmpl[i])) {
			fprintf(stderr, "fuzz_sysfs_tree: %s not restored\n", tmpl[i].rel);
			abort();
		}
	if (count_entries(root) != n) {
		fprintf(stderr, "fuzz_sysfs_tree: extra entries left in the tree\n");
		abort();
	}
}

static void restore(void)
{
	size_t i;

	for (i = 0; i < nr_touched; i++) {
		if (covered(i))
			continue;
		remove_at(touched[i]);
		lay_template(touched[i]);
	}
	nr_touched = 0;
	dirs_moved = false;	/* the template again, every directory in place */
}

/* One edit: op, path, then a length byte and that many bytes of payload. */
static size_t edit(const uint8_t *d, size_t n)
{
	char p[600], text[256], odd[300];
	const char *rel;
	size_t len;

	if (n < 3)
		return n;
	rel = paths[d[1] % (sizeof(paths) / sizeof(paths[0]))];
	len = d[2] < n - 3 ? d[2] : n - 3;
	memcpy(text, d + 3, len);
	text[len] = '\0';
	if (d[0] % 8 == 7) {
		snprintf(odd, sizeof(odd), RP "/%s",
			 odd_names[d[2] % (sizeof(odd_names) / sizeof(odd_names[0]))]);
		rel = odd;
	}
	if (dirs_moved && !inside(rel))
		return d[0] % 8 >= 6 ? 3 : 3 + len;
	dirs_moved |= template_dir(rel);
	touch(rel);
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
		mkdir(p, 0700);
		snprintf(p, sizeof(p), "%s/vendor", odd);
		/* Not through a link an earlier edit put there. */
		if (!dirs_moved || inside(p)) {
			remove_at(p);	/* the NVMe's own vendor is a link to the store */
			try_put(p, "0x15b3\n", 7);
		}
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
/* @cap loads as the same machine as @f (the same JSON). */
static void same_machine(const struct p2pdma_fabric *f, const char *cap)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *g = load(cap, &e);
	char *a = NULL, *b = NULL;

	if (!g || p2pdma_fabric_write_json(f, &a, &e) || p2pdma_fabric_write_json(g, &b, &e) ||
	    strcmp(a, b))
		abort();
	free(a);
	free(b);
	p2pdma_fabric_free(g);
}

#define LOADER_REFUSES "capture refused: the loader refuses the machine: "

/*
 * Capture refused the tree: only because the loader does, and with the
 * loader's reason; anything else is capture refusing a tree the loader
 * takes.  Every 16th time the loader is asked itself, a check that does
 * not trust capture's word for its verdict.
 */
static void check_refusal(int ret, const struct p2pdma_error *e, const char *cap, bool ask)
{
	const char *why = e->reason + strlen(LOADER_REFUSES);
	struct p2pdma_error le = { 0 };
	struct p2pdma_fabric *f;

	if (strncmp(e->reason, LOADER_REFUSES, strlen(LOADER_REFUSES)) ||
	    strchr(e->reason, '\n') || !strstr(e->reason, root)) {
		fprintf(stderr, "capture refused a tree the loader took: %s\n", e->reason);
		abort();
	}
	if (!access(cap, F_OK))
		abort();	/* a refused capture was written all the same */
	if (!ask)
		return;
	f = load(root, &le);
	if (f || ret != le.err || strncmp(le.reason, why, strlen(why))) {
		fprintf(stderr, "capture said the loader refuses (%s); the loader: %s\n", why,
			f ? "took it" : le.reason);
		abort();
	}
}

/*
 * The capture round trip.  Capture loads the tree first, checks its own
 * tarball against it, and refuses what the loader refuses, so it is the
 * whole test of the tree here; every 16th time the tree and the capture
 * are loaded here as well and compared.
 */
static void round_trip(void)
{
	static unsigned long captured;
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	bool ask = !(++captured % 16);
	char cap[300];
	int ret;

	fuzz_scratch_path(cap, sizeof(cap), "capture.tar");
	ret = p2pdma_capture(root, cap, NULL, NULL, &e);
	if (ret) {
		check_refusal(ret, &e, cap, ask);
		return;
	}
	if (ask) {
		f = load(root, &e);
		if (!f)
			abort();	/* capture took a tree the loader refuses */
		same_machine(f, cap);
		p2pdma_fabric_free(f);
	}
	unlink(cap);
}
#else
/* A tree the loader takes draws as DOT. */
static void draw(void)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = load(root, &e);
	char *dot = NULL;

	if (!f)
		return;
	if (p2pdma_fabric_write_dot(f, NULL, &dot, &e))
		abort();
	free(dot);
	p2pdma_fabric_free(f);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	int edits = 0;

	if (!root[0]) {
		fuzz_scratch_path(root, sizeof(root), "tree");
		if (mkdir(root, 0700))
			abort();
		template();
	}
	while (at < size && edits++ < 16)
		at += edit(data + at, size - at);
#ifdef FUZZ_CAPTURE
	/* The DOT of these trees is fuzz_sysfs_tree's: here the round trip. */
	round_trip();
#else
	draw();
#endif
	fuzz_tmp_is_clean();
	restore();
	/* The restore is checked now and then: cheap, and a drift shows at once. */
	if (!(++inputs % 64))
		check_tree();
	return 0;
}
