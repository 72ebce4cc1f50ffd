// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest agent's pieces, on the host: the JSON writer (escaping, and
 * base64 against the RFC 4648 test vectors), the sysfs scan (a fake /sys
 * tree with a p2pmem provider and an NVMe namespace), and the /dev/kmsg
 * record reader (records sent through a SOCK_SEQPACKET pair, which keeps
 * record boundaries as /dev/kmsg does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "devices.h"
#include "jsonw.h"
#include "kmsg.h"

/* Run @fn against a memory stream and return what it wrote (malloc'ed). */
static char *capture_json(void (*fn)(struct jsonw *w, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw w;

	assert_non_null(f);
	jsonw_init(&w, f);
	fn(&w, arg);
	fclose(f);
	return buf;
}

static void write_b64(struct jsonw *w, const void *arg)
{
	const char *s = arg;

	jsonw_base64(w, (const unsigned char *)s, strlen(s));
}

static void test_base64_rfc4648(void **state)
{
	static const char *const vectors[][2] = {
		{ "", "\"\"" }, { "f", "\"Zg==\"" }, { "fo", "\"Zm8=\"" },
		{ "foo", "\"Zm9v\"" }, { "foob", "\"Zm9vYg==\"" },
		{ "fooba", "\"Zm9vYmE=\"" }, { "foobar", "\"Zm9vYmFy\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *out = capture_json(write_b64, vectors[i][0]);

		assert_string_equal(out, vectors[i][1]);
		free(out);
	}
}

static void write_doc(struct jsonw *w, const void *arg)
{
	(void)arg;
	jsonw_begin_object(w);
	jsonw_key(w, "s");
	jsonw_string(w, "a\"b\\c\nd\te\x01");
	jsonw_key(w, "n");
	jsonw_int(w, -121);
	jsonw_key(w, "list");
	jsonw_begin_array(w);
	jsonw_bool(w, true);
	jsonw_null(w);
	jsonw_begin_object(w);
	jsonw_end_object(w);
	jsonw_string(w, NULL);
	jsonw_end_array(w);
	jsonw_key(w, "last");
	jsonw_bool(w, false);
	jsonw_end_object(w);
}

static void test_json_structure(void **state)
{
	char *out = capture_json(write_doc, NULL);

	(void)state;
	assert_string_equal(out,
		"{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\",\"n\":-121,"
		"\"list\":[true,null,{},null],\"last\":false}\n");
	free(out);
}

/* A scratch sysfs tree. */
static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int make_sysfs(void **state)
{
	(void)state;
	strcpy(root, "/tmp/p2pdma-agent-XXXXXX");
	assert_non_null(mkdtemp(root));
	dir("bus");
	dir("bus/pci");
	dir("bus/pci/devices");
	/* Listed out of order: the scan sorts by BDF. */
	dir("bus/pci/devices/0000:03:00.0");
	put("bus/pci/devices/0000:03:00.0/vendor", "0x1b36\n");
	put("bus/pci/devices/0000:03:00.0/device", "0x0010\n");
	dir("bus/pci/devices/0000:03:00.0/p2pmem");
	put("bus/pci/devices/0000:03:00.0/p2pmem/size", "16777216\n");
	put("bus/pci/devices/0000:03:00.0/p2pmem/available", "16711680\n");
	put("bus/pci/devices/0000:03:00.0/p2pmem/published", "1\n");
	dir("bus/pci/devices/0000:03:00.0/nvme");
	dir("bus/pci/devices/0000:03:00.0/nvme/nvme1");
	put("bus/pci/devices/0000:03:00.0/nvme/nvme1/serial", "a     \n");
	dir("bus/pci/devices/0000:03:00.0/nvme/nvme1/power");
	dir("bus/pci/devices/0000:03:00.0/nvme/nvme1/nvme1n1");
	dir("bus/pci/devices/0000:00:02.0");
	put("bus/pci/devices/0000:00:02.0/vendor", "0x1b36\n");
	put("bus/pci/devices/0000:00:02.0/device", "0x000c\n");
	/* An NVMe whose namespace has not appeared yet, without a CMB. */
	dir("bus/pci/devices/0000:04:00.0");
	put("bus/pci/devices/0000:04:00.0/vendor", "0x1b36\n");
	put("bus/pci/devices/0000:04:00.0/device", "0x0010\n");
	dir("bus/pci/devices/0000:04:00.0/nvme");
	dir("bus/pci/devices/0000:04:00.0/nvme/nvme0");
	put("bus/pci/devices/0000:04:00.0/nvme/nvme0/serial", "b\n");
	return 0;
}

static int remove_sysfs(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_devices_scan(void **state)
{
	struct vm_device d[VM_MAX_DEVICES];
	int n;

	(void)state;
	n = vm_devices_scan(root, d, VM_MAX_DEVICES);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].bdf, "0000:00:02.0");
	assert_string_equal(d[0].id, "1b36:000c");
	assert_false(d[0].has_p2pmem);
	assert_string_equal(d[0].block, "");

	assert_string_equal(d[1].bdf, "0000:03:00.0");
	assert_true(d[1].has_p2pmem);
	assert_int_equal(d[1].p2pmem_size, 16777216);
	assert_int_equal(d[1].p2pmem_available, 16711680);
	assert_int_equal(d[1].p2pmem_published, 1);
	assert_string_equal(d[1].serial, "a");		/* NVMe pads with blanks */
	assert_string_equal(d[1].block, "nvme1n1");

	assert_string_equal(d[2].serial, "b");
	assert_string_equal(d[2].block, "");
	assert_int_equal(vm_devices_count_nvme(d, n), 1);
	assert_int_equal(vm_devices_count_p2pmem(d, n), 1);

	/* A root without a PCI bus is empty, not an error. */
	assert_int_equal(vm_devices_scan("/nonexistent", d, VM_MAX_DEVICES), 0);
}

static void send_record(int fd, const char *rec)
{
	assert_int_equal(send(fd, rec, strlen(rec), 0), (ssize_t)strlen(rec));
}

static void test_kmsg_records(void **state)
{
	static const char *const filter[] = { "peer-to-peer", NULL };
	struct vm_kmsg_lines *l = calloc(1, sizeof(*l));
	int sv[2];

	(void)state;
	assert_non_null(l);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	/* PRI 4 = warning, facility 0; dictionary lines follow the text. */
	send_record(sv[1], "4,812,5306721,-;nvme 0000:05:00.0: cannot be used for "
			   "peer-to-peer DMA as x\n SUBSYSTEM=pci\n DEVICE=+pci:0000:05:00.0\n");
	send_record(sv[1], "3,813,5306800,-;critical target error, dev nvme2n1\n");
	send_record(sv[1], "garbage without a separator\n");
	send_record(sv[1], "14,814,5306900,-;user space peer-to-peer line\n");
	vm_kmsg_drain(sv[0], l, NULL);
	assert_int_equal(l->count, 3);
	assert_int_equal(l->level[0], 4);
	assert_string_equal(l->text[0], "nvme 0000:05:00.0: cannot be used for peer-to-peer DMA as x");
	assert_int_equal(l->level[1], 3);
	assert_int_equal(l->level[2], 6);	/* 14 = facility 1 (user), level 6 */

	memset(l, 0, sizeof(*l));
	send_record(sv[1], "4,815,1,-;nvme 0000:05:00.0: cannot be used for peer-to-peer DMA as y\n");
	send_record(sv[1], "6,816,2,-;unrelated\n");
	vm_kmsg_drain(sv[0], l, filter);
	assert_int_equal(l->count, 1);
	assert_non_null(strstr(l->text[0], "as y"));

	/* Skipping keeps nothing and leaves the stream empty. */
	send_record(sv[1], "4,817,3,-;skipped\n");
	vm_kmsg_drain(sv[0], NULL, NULL);
	memset(l, 0, sizeof(*l));
	vm_kmsg_drain(sv[0], l, NULL);
	assert_int_equal(l->count, 0);
	close(sv[0]);
	close(sv[1]);
	free(l);
}

static void test_kmsg_overflow(void **state)
{
	struct vm_kmsg_lines *l = calloc(1, sizeof(*l));
	char rec[64];
	int sv[2], i;

	(void)state;
	assert_non_null(l);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	for (i = 0; i < VM_KMSG_MAX_LINES + 5; i++) {
		snprintf(rec, sizeof(rec), "4,%d,0,-;line %d\n", i, i);
		send_record(sv[1], rec);
	}
	vm_kmsg_drain(sv[0], l, NULL);
	assert_int_equal(l->count, VM_KMSG_MAX_LINES);
	assert_int_equal(l->dropped, 5);
	assert_string_equal(l->text[0], "line 0");
	close(sv[0]);
	close(sv[1]);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_json_structure),
		cmocka_unit_test_setup_teardown(test_devices_scan, make_sysfs, remove_sysfs),
		cmocka_unit_test(test_kmsg_records),
		cmocka_unit_test(test_kmsg_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
