// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The linux backend on a fake machine: a sysfs tree built by hand (the
 * shapes the kernel writes, KERNEL-FACTS §6: p2pmem/size, available,
 * published, allocate; nvme/nvmeX/nvmeXnY with size in 512-byte sectors)
 * where ordinary files stand in for the block devices and for
 * p2pmem/allocate.  Data is checked against a pattern written here, byte
 * for byte; refusals and I/O errors come from the engine's fault seam.
 *
 * Machine (q35-like, Intel CPU): host bridge 00:00.0 8086:29c0 (not on the
 * kernel's allow-list); root port 00:02.0 -> NVMe A 01:00.0 (nvme0n1,
 * published p2pmem with allocate); root port 00:03.0 -> NVMe B 02:00.0
 * (nvme1n1, 4096-byte blocks, p2pmem not published); root port 00:04.0 ->
 * NVMe C 03:00.0 (controller, no namespace); root port 00:05.0 -> a
 * provider D 04:00.0 whose p2pmem has no allocate (kernel before 6.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "sysfs_builder.h"
#include "testutil.h"
#include "linux_int.h"

#define HB	"sys/devices/pci0000:00"
#define RP(n)	HB "/0000:00:0" #n ".0"
#define NV_A	RP(2) "/0000:01:00.0"
#define NV_B	RP(3) "/0000:02:00.0"
#define NV_C	RP(4) "/0000:03:00.0"
#define PROV_D	RP(5) "/0000:04:00.0"
#define DISK	(1u << 20)		/* every fake namespace: 1 MiB */
#define POOL	(512u << 10)		/* A's p2pmem */

struct ctx {
	char *dir, *root;
	struct p2pdma_linux *l;
};

static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 131u) ^ (i >> 9) ^ 0x5a);
}

static void root_port(const char *root, const char *rel, uint8_t bus)
{
	struct sb_cfg c;

	sb_cfg_init(&c, 0x8086, 0x29c9, 0x060400);
	c.header_type = 1;
	c.pcie_type = SB_PCIE_ROOT_PORT;
	c.secondary = c.subordinate = bus;
	sb_function(root, rel, &c);
}

static void nvme_fn(const char *root, const char *rel)
{
	struct sb_cfg c;
	char path[256];

	sb_cfg_init(&c, 0x1b36, 0x0010, 0x010802);
	c.pcie_type = SB_PCIE_ENDPOINT;
	sb_function(root, rel, &c);
	snprintf(path, sizeof(path), "%s/driver", rel);
	sb_symlink(root, path, "../../../../bus/pci/drivers/nvme");
}

static void namespace(const char *root, const char *fn, const char *ctrl,
		      const char *ns, unsigned int lba)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/nvme/%s/%s/size", fn, ctrl, ns);
	sb_printf(root, path, "%u\n", DISK / 512);
	snprintf(path, sizeof(path), "%s/nvme/%s/%s/nsid", fn, ctrl, ns);
	sb_printf(root, path, "1\n");
	snprintf(path, sizeof(path), "%s/nvme/%s/%s/queue/logical_block_size", fn, ctrl, ns);
	sb_printf(root, path, "%u\n", lba);
}

static void p2pmem(const char *root, const char *fn, int published, bool allocate)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/p2pmem/size", fn);
	sb_printf(root, path, "%u\n", POOL);
	snprintf(path, sizeof(path), "%s/p2pmem/available", fn);
	sb_printf(root, path, "%u\n", POOL);
	snprintf(path, sizeof(path), "%s/p2pmem/published", fn);
	sb_printf(root, path, "%d\n", published);
	if (!allocate)
		return;
	/* An ordinary file the size of the pool: mmap(MAP_SHARED) works on it. */
	snprintf(path, sizeof(path), "%s/p2pmem/allocate", fn);
	sb_write(root, path, "", 0);
	snprintf(path, sizeof(path), "%s/%s/p2pmem/allocate",
		 root, fn);
	assert_int_equal(truncate(path, POOL), 0);
}

/* The two disks: nvme0n1 holds the pattern, nvme1n1 zeros. */
static void disks(const char *root)
{
	uint8_t *buf = malloc(DISK);
	uint64_t i;

	assert_non_null(buf);
	for (i = 0; i < DISK; i++)
		buf[i] = pattern(i);
	sb_write(root, "dev/nvme0n1", buf, DISK);
	memset(buf, 0, DISK);
	sb_write(root, "dev/nvme1n1", buf, DISK);
	free(buf);
}

static void build(const char *root)
{
	struct sb_cfg c;

	sb_cfg_init(&c, 0x8086, 0x29c0, 0x060000);
	sb_function(root, HB "/0000:00:00.0", &c);
	root_port(root, RP(2), 1);
	root_port(root, RP(3), 2);
	root_port(root, RP(4), 3);
	root_port(root, RP(5), 4);
	nvme_fn(root, NV_A);
	namespace(root, NV_A, "nvme0", "nvme0n1", 512);
	p2pmem(root, NV_A, 1, true);
	nvme_fn(root, NV_B);
	namespace(root, NV_B, "nvme1", "nvme1n1", 4096);
	p2pmem(root, NV_B, 0, true);
	nvme_fn(root, NV_C);
	sb_mkdirs(root, NV_C "/nvme/nvme2");
	sb_cfg_init(&c, 0x1de5, 0x3000, 0x058000);
	c.pcie_type = SB_PCIE_ENDPOINT;
	sb_function(root, PROV_D, &c);
	p2pmem(root, PROV_D, 1, false);
	sb_proc(root, "GenuineIntel", 6, 85, "console=ttyS0");
	sb_printf(root, "proc/sys/kernel/osrelease", "6.12.0-test\n");
	disks(root);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct p2pdma_error e = { 0 };

	c->dir = tu_mkdtemp();
	assert_true(asprintf(&c->root, "%s/root", c->dir) > 0);
	assert_int_equal(mkdir(c->root, 0755), 0);
	build(c->root);
	assert_int_equal(p2pdma_linux_discover(c->root, &c->l, &e), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	lx_fault_hook = NULL;
	p2pdma_linux_free(c->l);
	tu_rmtree(c->dir);
	free(c->dir);
	free(c->root);
	free(c);
	return 0;
}

static uint8_t *disk(const struct ctx *c, const char *name)
{
	uint8_t *d = malloc(DISK);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/dev/%s", c->root, name);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0 && d);
	assert_int_equal(pread(fd, d, DISK, 0), DISK);
	close(fd);
	return d;
}

/* dst[doff, +n) == pattern(soff...), and every other dst byte still 0. */
static void assert_copied(const struct ctx *c, uint64_t soff, uint64_t doff, uint64_t n)
{
	uint8_t *d = disk(c, "nvme1n1");
	uint64_t i;

	for (i = 0; i < DISK; i++) {
		uint8_t want = i >= doff && i < doff + n ? pattern(soff + i - doff) : 0;

		if (d[i] != want)
			fail_msg("nvme1n1 byte %llu is 0x%02x, want 0x%02x",
				 (unsigned long long)i, d[i], want);
	}
	free(d);
}

static void request(const struct ctx *c, struct p2pdma_linux_copy_req *r,
		    const char *src, const char *dst, uint64_t size)
{
	struct p2pdma_error e = { 0 };

	memset(r, 0, sizeof(*r));
	assert_int_equal(p2pdma_linux_target_parse(c->l, src, &r->src, &e), 0);
	assert_int_equal(p2pdma_linux_target_parse(c->l, dst, &r->dst, &e), 0);
	r->size = size;
}

/* ---------------------------------------------------------------------- */

static void test_discover(void **state)
{
	const struct ctx *c = *state;
	const struct p2pdma_linux *l = c->l;

	assert_string_equal(l->release, "6.12.0-test");
	assert_int_equal(l->nr_providers, 3);
	assert_string_equal(l->providers[0].bdf, "0000:01:00.0");
	assert_true(l->providers[0].published && l->providers[0].has_allocate);
	assert_int_equal(l->providers[0].size, POOL);
	assert_string_equal(l->providers[1].bdf, "0000:02:00.0");
	assert_false(l->providers[1].published);
	assert_string_equal(l->providers[2].bdf, "0000:04:00.0");
	assert_false(l->providers[2].has_allocate);

	assert_int_equal(l->nr_ns, 2);
	assert_string_equal(l->ns[0].name, "nvme0n1");
	assert_string_equal(l->ns[0].bdf, "0000:01:00.0");
	assert_int_equal(l->ns[0].nsid, 1);
	assert_int_equal(l->ns[0].size, DISK);
	assert_int_equal(l->ns[0].lba_size, 512);
	assert_int_equal(l->ns[0].queue_p2p, P2PDMA_QUEUE_P2P_YES);
	assert_string_equal(l->ns[1].name, "nvme1n1");
	assert_int_equal(l->ns[1].lba_size, 4096);
}

static void test_queue_unknown_without_nvme_driver(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_linux *l;

	sb_remove(c->root, NV_B "/driver");
	assert_int_equal(p2pdma_linux_discover(c->root, &l, &e), 0);
	assert_int_equal(l->ns[1].queue_p2p, P2PDMA_QUEUE_P2P_UNKNOWN);
	assert_non_null(strstr(l->ns[1].queue_why, "(none)"));
	p2pdma_linux_free(l);
}

static void test_no_sysfs(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	struct p2pdma_linux *l = (void *)1;

	assert_int_equal(p2pdma_linux_discover(c->dir, &l, &e), -ENOENT);
	assert_null(l);
	assert_non_null(strstr(e.reason, "sys/bus/pci/devices"));
}

static void test_targets(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_target t;
	struct p2pdma_error e = { 0 };

	assert_int_equal(p2pdma_linux_target_parse(c->l, "0000:01:00.0", &t, &e), 0);
	assert_string_equal(t.ns->name, "nvme0n1");
	assert_int_equal(t.offset, 0);
	assert_int_equal(p2pdma_linux_target_parse(c->l, "02:00.0/1@64k", &t, &e), 0);
	assert_string_equal(t.ns->name, "nvme1n1");
	assert_int_equal(t.offset, 65536);
	assert_int_equal(p2pdma_linux_target_parse(c->l, "/dev/nvme1n1@4096", &t, &e), 0);
	assert_string_equal(t.ns->bdf, "0000:02:00.0");
	assert_int_equal(t.offset, 4096);
	assert_non_null(strstr(t.path, "/root/dev/nvme1n1"));
	assert_true(p2pdma_linux_spec_is_nvme("/dev/nvme0n1@1M"));
	assert_true(p2pdma_linux_spec_is_nvme("0000:01:00.0/1"));
	assert_false(p2pdma_linux_spec_is_nvme("/tmp/file"));
}

static void test_target_errors(void **state)
{
	static const struct {
		const char *spec;
		int err;
		const char *says;
	} bad[] = {
		{ "0000:03:00.0", -ENOENT, "has no NVMe namespace" },
		{ "0000:01:00.0/7", -ENOENT, "has no namespace 7" },
		{ "0000:01:00.0/0", -EINVAL, "namespace ID" },
		{ "/dev/nvme9n1", -ENOENT, "no NVMe namespace nvme9n1" },
		{ "0000:09:00.0", -ENOENT, "has no NVMe namespace" },
		{ "zz:zz", -EINVAL, "not a PCI address" },
		{ "0000:01:00.0@lots", -EINVAL, "offset 'lots'" },
		{ "\xcc\n", -EINVAL, "a control character" },
	};
	const struct ctx *c = *state;
	struct p2pdma_linux_target t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct p2pdma_error e = { 0 };

		assert_int_equal(p2pdma_linux_target_parse(c->l, bad[i].spec, &t, &e), bad[i].err);
		if (!strstr(e.reason, bad[i].says) || strchr(e.reason, '\n'))
			fail_msg("%s: reason '%s' lacks '%s'", bad[i].spec, e.reason, bad[i].says);
	}
}

/* Each refused request returns the error with its line and writes nothing. */
static void test_bad_requests(void **state)
{
	static const struct {
		const char *src, *dst, *via;
		uint64_t size;
		size_t chunk;
		int err;
		const char *says;
	} bad[] = {
		{ "/dev/nvme0n1", "/dev/nvme1n1", NULL, DISK + 4096, 0, -EINVAL,
		  "beyond nvme0n1, which holds 1048576 bytes" },
		{ "/dev/nvme0n1", "/dev/nvme1n1@1020k", NULL, 8192, 0, -EINVAL,
		  "beyond nvme1n1" },
		{ "/dev/nvme0n1@100", "/dev/nvme1n1", NULL, 4096, 0, -EINVAL,
		  "offset 100 on nvme0n1 is not a multiple of its 512-byte" },
		{ "/dev/nvme0n1", "/dev/nvme1n1@512", NULL, 4096, 0, -EINVAL,
		  "offset 512 on nvme1n1 is not a multiple of its 4096-byte" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", NULL, 1000, 0, -EINVAL,
		  "multiples of nvme0n1's 512-byte" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", NULL, 8192, 1000, -EINVAL,
		  "not a multiple of the page size" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", "0000:02:00.0", 8192, 0, -EPERM,
		  "not published" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", "0000:04:00.0", 8192, 0, -ENOENT,
		  "no p2pmem/allocate: user-space mapping needs Linux 6.2 or later (this is 6.12.0-test)" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", "0000:03:00.0", 8192, 0, -ENOENT,
		  "has no p2pmem" },
		{ "/dev/nvme0n1", "/dev/nvme1n1", NULL, 0, 0, -EINVAL, "more than 0" },
		{ "/dev/nvme1n1", "/dev/nvme1n1@4096", NULL, 8192, 0, -EINVAL, "overlap" },
	};
	const struct ctx *c = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct p2pdma_linux_copy_req r;
		struct p2pdma_linux_copy_result res;
		struct p2pdma_error e = { 0 };

		request(c, &r, bad[i].src, bad[i].dst, bad[i].size);
		r.via = bad[i].via;
		r.chunk = bad[i].chunk;
		assert_int_equal(p2pdma_linux_copy(c->l, &r, &res, &e), bad[i].err);
		if (!strstr(e.reason, bad[i].says) || strchr(e.reason, '\n'))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, e.reason, bad[i].says);
		assert_int_equal(res.copied, 0);
	}
	assert_copied(c, 0, 0, 0);
}

static void copy_ok(const struct ctx *c, struct p2pdma_linux_copy_req *r,
		    struct p2pdma_linux_copy_result *res)
{
	struct p2pdma_error e = { 0 };

	if (p2pdma_linux_copy(c->l, r, res, &e))
		fail_msg("copy failed: %s", e.reason);
	assert_int_equal(res->copied, r->size);
	assert_int_equal(res->p2p_bytes + res->bounced_bytes, r->size);
}

static void test_pread_host(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;

	request(c, &r, "/dev/nvme0n1@8k", "/dev/nvme1n1@64k", 300 * 1024);
	r.engine = P2PDMA_ENGINE_PREAD;
	r.chunk = 64 * 1024;
	r.check = true;
	copy_ok(c, &r, &res);
	assert_int_equal(res.engine, P2PDMA_ENGINE_PREAD);
	assert_int_equal(res.bounced_bytes, r.size);
	assert_false(res.refused);
	assert_true(res.checked && res.check_ok);
	assert_copied(c, 8192, 65536, r.size);
	p2pdma_linux_copy_result_clear(&res);
}

/* io_uring where the kernel has it; where not, AUTO says why it fell back. */
static void test_auto_engine_p2pmem(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	int probe = lx_uring_probe();

	request(c, &r, "0000:01:00.0", "0000:02:00.0", 40 * 4096);
	r.via = "0000:01:00.0";
	r.chunk = 8192;
	r.depth = 4;
	copy_ok(c, &r, &res);
	if (probe == 0) {
		assert_int_equal(res.engine, P2PDMA_ENGINE_IO_URING);
		assert_int_equal(res.depth, 4);
	} else {
		assert_int_equal(res.engine, P2PDMA_ENGINE_PREAD);
		assert_non_null(strstr(res.engine_why, "io_uring unavailable"));
	}
	assert_int_equal(res.p2p_bytes, r.size);
	assert_copied(c, 0, 0, r.size);
	p2pdma_linux_copy_result_clear(&res);
}

/* Depth 1 gains nothing from a ring: auto takes pread and says why. */
static void test_auto_depth_one(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;

	request(c, &r, "0000:01:00.0", "0000:02:00.0", 16384);
	r.via = "0000:01:00.0";
	r.depth = 1;
	r.chunk = 4096;
	copy_ok(c, &r, &res);
	assert_int_equal(res.engine, P2PDMA_ENGINE_PREAD);
	assert_non_null(strstr(res.engine_why, "depth 1"));
	assert_copied(c, 0, 0, r.size);
	p2pdma_linux_copy_result_clear(&res);
}

/* A depth the pool cannot hold shrinks to what fits: 512 KiB / 64 KiB = 8. */
static void test_depth_fits_pool(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;

	request(c, &r, "0000:01:00.0", "0000:02:00.0", DISK);
	r.via = "0000:01:00.0";
	r.chunk = 64 * 1024;
	r.depth = 32;
	r.engine = P2PDMA_ENGINE_IO_URING;
	copy_ok(c, &r, &res);
	assert_int_equal(res.depth, 8);
	assert_copied(c, 0, 0, DISK);
	p2pdma_linux_copy_result_clear(&res);
}

/* Threads split the range; an odd size leaves a short last chunk. */
static void test_threads(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	enum p2pdma_linux_engine eng[] = { P2PDMA_ENGINE_PREAD, P2PDMA_ENGINE_AUTO };
	size_t i;

	for (i = 0; i < 2; i++) {
		request(c, &r, "/dev/nvme0n1@4k", "/dev/nvme1n1", 5 * 16384 + 3 * 4096);
		r.via = "0000:01:00.0";
		r.chunk = 16384;
		r.depth = 2;
		r.threads = 3;
		r.engine = eng[i];
		r.check = true;
		copy_ok(c, &r, &res);
		assert_int_equal(res.threads, 3);
		assert_true(res.check_ok);
		assert_copied(c, 4096, 0, r.size);
		p2pdma_linux_copy_result_clear(&res);
	}
}

static int refuse_p2p_writes(bool write, bool p2p, uint64_t off)
{
	return write && p2p ? -EREMOTEIO : 0;
}

/* The kernel refuses: the copy completes through host memory and says why. */
static void test_refusal_bounces(void **state)
{
	const struct ctx *c = *state;
	enum p2pdma_linux_engine eng[] = { P2PDMA_ENGINE_PREAD, P2PDMA_ENGINE_AUTO };
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	size_t i;

	lx_fault_hook = refuse_p2p_writes;
	for (i = 0; i < 2; i++) {
		request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1", 64 * 1024);
		r.via = "0000:01:00.0";
		r.chunk = 8192;
		r.depth = 4;
		r.engine = eng[i];
		copy_ok(c, &r, &res);
		assert_true(res.refused);
		assert_int_equal(res.refused_errno, EREMOTEIO);
		assert_int_equal(res.p2p_bytes, 0);
		assert_int_equal(res.bounced_bytes, r.size);
		/* What was refused, our verdict with its reason, and one line. */
		assert_non_null(strstr(res.refusal, "write of nvme1n1 (0000:02:00.0) from p2pmem of 0000:01:00.0 failed with EREMOTEIO"));
		assert_non_null(strstr(res.refusal, "p2pdma: NOT_SUPPORTED"));
		assert_non_null(strstr(res.refusal, "29c0"));
		assert_non_null(strstr(res.refusal, "fix: both devices below one PCIe switch"));
		assert_non_null(strstr(res.refusal, "kernel log: not readable"));
		assert_null(strchr(res.refusal, '\n'));
		assert_copied(c, 0, 0, r.size);
		p2pdma_linux_copy_result_clear(&res);
	}
	lx_fault_hook = NULL;
}

static char *kmsg_fifo;

/* The kernel refuses and says so: one /dev/kmsg record, then EREMOTEIO. */
static int refuse_and_log(bool is_write, bool p2p, uint64_t off)
{
	static const char rec[] = "4,99,12345,-;nvme 0000:02:00.0: cannot be used for "
		"peer-to-peer DMA as the client and provider (0000:01:00.0) do not share an "
		"upstream bridge or whitelisted host bridge\n SUBSYSTEM=pci\n";
	int fd;

	if (!is_write || !p2p)
		return 0;
	fd = open(kmsg_fifo, O_WRONLY | O_NONBLOCK);
	if (fd >= 0) {
		assert_int_equal(write(fd, rec, sizeof(rec) - 1), sizeof(rec) - 1);
		close(fd);
	}
	return -EREMOTEIO;
}

/* The kernel's own line, read from (a stand-in for) /dev/kmsg, ends the refusal. */
static void test_refusal_kernel_log(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;

	assert_true(asprintf(&kmsg_fifo, "%s/dev/kmsg", c->root) > 0);
	assert_int_equal(mkfifo(kmsg_fifo, 0600), 0);
	lx_fault_hook = refuse_and_log;
	request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1", 8192);
	r.via = "0000:01:00.0";
	r.chunk = 8192;
	r.engine = P2PDMA_ENGINE_PREAD;
	copy_ok(c, &r, &res);
	lx_fault_hook = NULL;
	assert_true(res.refused);
	assert_int_equal(res.nr_kmsg, 1);
	assert_string_equal(res.kmsg[0], "nvme 0000:02:00.0: cannot be used for peer-to-peer "
			    "DMA as the client and provider (0000:01:00.0) do not share an "
			    "upstream bridge or whitelisted host bridge");
	assert_non_null(strstr(res.refusal, "; kernel log: nvme 0000:02:00.0: cannot be used"));
	assert_copied(c, 0, 0, r.size);
	p2pdma_linux_copy_result_clear(&res);
	free(kmsg_fifo);
}

static int eio_at_24k(bool write, bool p2p, uint64_t off)
{
	return !write && off == 24576 ? -EIO : 0;
}

/* An I/O error stops the copy, names the device and offset, counts only what landed. */
static void test_io_error_stops(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	struct p2pdma_error e = { 0 };

	lx_fault_hook = eio_at_24k;
	request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1", 64 * 1024);
	r.chunk = 8192;
	r.engine = P2PDMA_ENGINE_PREAD;
	assert_int_equal(p2pdma_linux_copy(c->l, &r, &res, &e), -EIO);
	lx_fault_hook = NULL;
	assert_non_null(strstr(e.reason, "read of "));
	assert_non_null(strstr(e.reason, "/dev/nvme0n1 failed at byte 24576"));
	assert_non_null(strstr(e.reason, "24576 bytes written before it stopped"));
	assert_int_equal(res.copied, 24576);
	assert_copied(c, 0, 0, 24576);
	p2pdma_linux_copy_result_clear(&res);
}

/* io_uring: chunks already in flight finish; copied counts exactly those. */
static void test_io_error_uring(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	struct p2pdma_error e = { 0 };
	uint8_t *d;
	uint64_t i, landed = 0;

	lx_fault_hook = eio_at_24k;
	request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1", 64 * 1024);
	r.chunk = 8192;
	r.depth = 2;
	assert_int_equal(p2pdma_linux_copy(c->l, &r, &res, &e), -EIO);
	lx_fault_hook = NULL;
	assert_non_null(strstr(e.reason, "failed at byte 24576"));
	/* Every chunk counted is on the disk, and nothing else is. */
	d = disk(c, "nvme1n1");
	for (i = 0; i < 64 * 1024; i += 8192) {
		bool here = d[i] == pattern(i) && d[i + 8191] == pattern(i + 8191);

		landed += here ? 8192 : 0;
	}
	assert_true(d[24576] == 0);
	assert_int_equal(res.copied, landed);
	free(d);
	p2pdma_linux_copy_result_clear(&res);
}

static int pretend_writes(bool write, bool p2p, uint64_t off)
{
	return write ? 8192 : 0;	/* claims the bytes, writes none */
}

/* --check catches a destination that does not hold the source bytes. */
static void test_check_mismatch(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_linux_copy_req r;
	struct p2pdma_linux_copy_result res;
	struct p2pdma_error e = { 0 };

	lx_fault_hook = pretend_writes;
	request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1@8k", 32768);
	r.chunk = 8192;
	r.engine = P2PDMA_ENGINE_PREAD;
	r.check = true;
	assert_int_equal(p2pdma_linux_copy(c->l, &r, &res, &e), 0);
	lx_fault_hook = NULL;
	assert_true(res.checked);
	assert_false(res.check_ok);
	/* pattern(0) = 0x5a differs from the zeros at once. */
	assert_int_equal(res.mismatch_at, 0);
	p2pdma_linux_copy_result_clear(&res);
}

/* Without root, opening the devices fails with one line saying so. */
static void test_not_root(void **state)
{
	const struct ctx *c = *state;
	char path[4096];
	pid_t pid;
	int status;

	snprintf(path, sizeof(path), "%s/dev/nvme0n1", c->root);
	assert_int_equal(chmod(path, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct p2pdma_linux_copy_req r;
		struct p2pdma_linux_copy_result res;
		struct p2pdma_error e = { 0 };

		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(3);
		request(c, &r, "/dev/nvme0n1", "/dev/nvme1n1", 4096);
		if (p2pdma_linux_copy(c->l, &r, &res, &e) != -EACCES)
			_exit(4);
		_exit(strstr(e.reason, "permission denied") && strstr(e.reason, "needs root") ? 0 : 5);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_copied(c, 0, 0, 0);
}

static void test_explain(void **state)
{
	const struct ctx *c = *state;
	struct p2pdma_error e = { 0 };
	enum p2pdma_map_type type;
	char name[P2PDMA_BDF_STRLEN];
	char *line = NULL;

	assert_int_equal(p2pdma_linux_explain(c->l, "0000:01:00.0", "0000:01:00.0", &type, &line, &e), 0);
	assert_int_equal(type, P2PDMA_MAP_BUS_ADDR);
	assert_non_null(strstr(line, "BUS_ADDR (distance 0)"));
	free(line);
	assert_int_equal(p2pdma_linux_explain(c->l, "0000:01:00.0", "0000:02:00.0", &type, &line, &e), 0);
	assert_int_equal(type, P2PDMA_MAP_NOT_SUPPORTED);
	assert_non_null(strstr(line, "NOT_SUPPORTED"));
	assert_null(strchr(line, '\n'));
	free(line);
	/* The kernel's choice: A serves itself; nobody serves A and B together. */
	assert_int_equal(p2pdma_linux_choose(c->l, "0000:01:00.0", "0000:01:00.0", 0, name, &e), 0);
	assert_string_equal(name, "0000:01:00.0");
	assert_int_equal(p2pdma_linux_choose(c->l, "0000:01:00.0", "0000:02:00.0", 0, name, &e), 0);
	assert_string_equal(name, "");
}

/* A tree the fabric loader cannot read: no verdict, no crash, the copy still runs. */
static void test_no_fabric(void **state)
{
	struct ctx *c = *state;
	struct p2pdma_linux *l;
	struct p2pdma_error e = { 0 };
	enum p2pdma_map_type type = P2PDMA_MAP_BUS_ADDR;
	char *line = (char *)"x", *root, *out = NULL, *err = NULL;
	int st;

	assert_true(asprintf(&root, "%s/bare", c->dir) > 0);
	assert_int_equal(mkdir(root, 0755), 0);
	sb_printf(root, "sys/bus/pci/devices/0000:01:00.0/nvme/nvme0/nvme0n1/size", "2048\n");
	sb_printf(root, "sys/bus/pci/devices/0000:02:00.0/nvme/nvme1/nvme1n1/size", "2048\n");
	disks(root);
	assert_int_equal(p2pdma_linux_discover(root, &l, &e), 0);
	assert_int_equal(l->nr_ns, 2);
	assert_true(p2pdma_linux_explain(l, "0000:01:00.0", "0000:02:00.0", &type, NULL, NULL) < 0);
	assert_true(p2pdma_linux_explain(l, "0000:01:00.0", "0000:02:00.0", &type, &line, &e) < 0);
	assert_null(line);
	assert_non_null(strstr(e.reason, "no verdict"));
	p2pdma_linux_free(l);
	st = tu_run(&out, &err, "%s -i %s copy --backend linux /dev/nvme0n1 /dev/nvme1n1 64K "
		    "--via host --check", tu_p2pdma_bin(), root);
	if (st != 0)
		fail_msg("exit %d: %s", st, err);
	assert_non_null(strstr(out, "Check: destination equals source"));
	free(out);
	free(err);
	free(root);
}

static void test_kmsg_records(void **state)
{
	char rec1[] = "4,1234,5678,-;nvme 0000:02:00.0: cannot be used for peer-to-peer "
		      "DMA as the client and provider (0000:01:00.0) do not share an "
		      "upstream bridge or whitelisted host bridge\n SUBSYSTEM=pci";
	char rec2[] = "6,1,2,-;random: crng init done";
	char rec3[] = "no semicolon here";

	assert_string_equal(lx_kmsg_text(rec1),
			    "nvme 0000:02:00.0: cannot be used for peer-to-peer DMA as the "
			    "client and provider (0000:01:00.0) do not share an upstream "
			    "bridge or whitelisted host bridge");
	assert_true(lx_kmsg_wanted(lx_kmsg_text(rec1)));
	assert_false(lx_kmsg_wanted(lx_kmsg_text(rec2)));
	assert_null(lx_kmsg_text(rec3));
	(void)state;
}

/* ---------------------------------------------------------------------- */
/* p2pdma copy --backend linux on the fake machine (-i ROOT)              */

static json_object *key(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("JSON has no key '%s'", k);
	return v;
}

static json_object *cli_copy_json(const struct ctx *c, const char *args)
{
	char *out = NULL, *err = NULL;
	json_object *o;
	int st;

	st = tu_run(&out, &err, "%s -i %s copy --backend linux --json %s", tu_p2pdma_bin(),
		    c->root, args);
	if (st != 0)
		fail_msg("exit %d: %s", st, err ? err : "");
	o = json_tokener_parse(out);
	assert_non_null(o);
	free(out);
	free(err);
	return o;
}

static void test_cli_host(void **state)
{
	const struct ctx *c = *state;
	json_object *o = cli_copy_json(c, "/dev/nvme0n1 /dev/nvme1n1@64K 128K --check");

	assert_string_equal(json_object_get_string(key(o, "backend")), "linux");
	assert_int_equal(json_object_get_uint64(key(o, "bytes")), 131072);
	/* auto: A serving B is NOT_SUPPORTED (Intel host bridge), so host memory. */
	assert_string_equal(json_object_get_string(key(o, "via")), "host");
	assert_int_equal(json_object_get_uint64(key(o, "host_memory_bytes")), 131072);
	assert_true(json_object_get_boolean(key(o, "data_ok")));
	assert_true(json_object_get_double(key(o, "seconds")) > 0);
	assert_true(json_object_get_double(key(o, "throughput")) > 0);
	assert_string_equal(json_object_get_string(key(o, "kernel")), "6.12.0-test");
	json_object_put(o);
	assert_copied(c, 0, 65536, 131072);
}

/* Through A's p2pmem: the legs carry p2pdma's prediction for each client. */
static void test_cli_via_provider(void **state)
{
	const struct ctx *c = *state;
	json_object *o = cli_copy_json(c, "0000:01:00.0 0000:02:00.0/1 64K --via 0000:01:00.0 "
				       "--engine pread --chunk 16K --threads 2");
	json_object *legs = key(o, "legs");

	assert_string_equal(json_object_get_string(key(o, "via")), "0000:01:00.0");
	assert_int_equal(json_object_get_uint64(key(o, "p2p_bytes")), 65536);
	assert_string_equal(json_object_get_string(key(o, "engine")), "pread");
	assert_int_equal(json_object_get_int(key(o, "threads")), 2);
	assert_string_equal(json_object_get_string(key(json_object_array_get_idx(legs, 0), "verdict")),
			    "BUS_ADDR");
	assert_string_equal(json_object_get_string(key(json_object_array_get_idx(legs, 1), "verdict")),
			    "NOT_SUPPORTED");
	json_object_put(o);
	assert_copied(c, 0, 0, 65536);
}

/* Bad input: one line on stderr naming the problem, exit 2, nothing written. */
static void test_cli_bad_input(void **state)
{
	static const struct {
		const char *args, *says;
	} bad[] = {
		{ "0000:03:00.0 /dev/nvme1n1 4K", "0000:03:00.0 has no NVMe namespace" },
		{ "/dev/nvme0n1 /dev/nvme1n1 8K --via 0000:04:00.0", "no p2pmem/allocate" },
		{ "/dev/nvme0n1 /dev/nvme1n1 8K --via 0000:02:00.0", "not published" },
		{ "/dev/nvme0n1 /dev/nvme1n1 2M", "beyond nvme0n1" },
		{ "/dev/nvme0n1@1000 /dev/nvme1n1 4K", "not a multiple of its 512-byte" },
		{ "/dev/nvme0n1 /dev/nvme1n1 4K --engine dma", "--engine 'dma'" },
		{ "/dev/nvme0n1 /dev/nvme1n1 4K --threads 0", "--threads '0'" },
		{ "/dev/nvme0n1 /dev/nvme1n1", "copy needs SRC DST SIZE" },
	};
	const struct ctx *c = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL, *err = NULL;
		int st = tu_run(&out, &err, "%s -i %s copy --backend linux %s", tu_p2pdma_bin(),
				c->root, bad[i].args);

		if (st != 2 || !err || !strstr(err, bad[i].says))
			fail_msg("'%s': exit %d, stderr '%s', want 2 and '%s'", bad[i].args, st,
				 err ? err : "", bad[i].says);
		assert_string_equal(out, "");
		free(out);
		free(err);
	}
	assert_copied(c, 0, 0, 0);
}

/* Not root: the devices cannot be opened for writing; exit 2 and says why. */
static void test_cli_not_root(void **state)
{
	const struct ctx *c = *state;
	char *out = NULL, *err = NULL;
	int st;

	assert_int_equal(chmod(c->dir, 0755), 0);
	st = tu_run(&out, &err, "%s %s -i %s copy --backend linux /dev/nvme0n1 /dev/nvme1n1 4K",
		    geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "",
		    tu_p2pdma_bin(), c->root);
	assert_int_equal(st, 2);
	assert_non_null(strstr(err, "permission denied: copying between block devices needs root"));
	assert_int_equal(strchr(err, '\n') - err, strlen(err) - 1);
	free(out);
	free(err);
	assert_copied(c, 0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_unknown_without_nvme_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_targets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pread_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_engine_p2pmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_depth_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_fits_pool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_bounces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_kernel_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_error_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_error_uring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
		cmocka_unit_test(test_kmsg_records),
		cmocka_unit_test_setup_teardown(test_no_fabric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_via_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_not_root, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
