// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2p-agent: runs inside a QEMU guest booted with our P2PDMA kernel and does
 * the kernel's own peer-to-peer test for every (provider, client) pair:
 *
 *   mmap the provider's /sys/bus/pci/devices/BDF/p2pmem/allocate (shared),
 *   poison the buffer, O_DIRECT pread from the client's NVMe namespace into
 *   it, compare with the pattern the host wrote to that drive, and keep the
 *   errno and the kernel log lines that appeared during the read.
 *
 * Then it runs `p2pdma check --json PROVIDER CLIENT` on the live guest for
 * the same pair and `p2pdma capture`, and prints everything as one JSON
 * document on stdout (the init script sends it to the second serial port).
 * The host side (vmtest.py) compares the kernel's results with our verdicts.
 *
 * Statically linked against libc only: the initramfs has nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "copies.h"
#include "devices.h"
#include "jsonw.h"
#include "kmsg.h"
#include "pattern.h"

#define POISON 0x5a5a5a5a5a5a5a5aull
#define OUTPUT_MAX (4u << 20)

struct options {
	const char *sys_root;
	const char *p2pdma;
	const char *capture;
	size_t length;
	int wait_seconds;
};

struct pair_result {
	int mmap_errno;
	int open_errno;
	int read_errno;
	long long bytes;
	bool data_ok;
	long long first_bad;	/* byte offset of the first wrong word, or -1 */
	long long poison_left;	/* words still holding the poison */
	struct vm_kmsg_lines log;
};

/* Lines worth keeping from boot: what the kernel said about p2p and ACS. */
static const char *const boot_filter[] = {
	"peer-to-peer", "P2PDMA", "ACS", "DMAR", "CMB", "nvme", NULL
};

static void usage(FILE *out)
{
	fputs("Usage: p2p-agent [--sys DIR] [--p2pdma PATH] [--capture OUT|--no-capture]\n"
	      "                 [--length BYTES] [--wait SECONDS]\n"
	      "Peer-to-peer O_DIRECT reads between every NVMe namespace and every\n"
	      "p2pmem provider of this (guest) machine; JSON on stdout.\n"
	      "The kernel command line's p2pdma_vm.nvme=N and p2pdma_vm.p2pmem=N\n"
	      "say how many of each to wait for.\n", out);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "sys", required_argument, NULL, 's' },
		{ "p2pdma", required_argument, NULL, 'p' },
		{ "capture", required_argument, NULL, 'c' },
		{ "no-capture", no_argument, NULL, 'n' },
		{ "length", required_argument, NULL, 'l' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*o = (struct options){ "/sys", "/bin/p2pdma", "/tmp/capture.tar.xz", 65536, 60 };
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->sys_root = optarg; break;
		case 'p': o->p2pdma = optarg; break;
		case 'c': o->capture = optarg; break;
		case 'n': o->capture = NULL; break;
		case 'l': o->length = strtoul(optarg, NULL, 0); break;
		case 'w': o->wait_seconds = atoi(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (o->length == 0 || o->length % 4096) {
		fprintf(stderr, "p2p-agent: --length must be a non-zero multiple of 4096\n");
		return -1;
	}
	return 0;
}

/* Whole small file into a malloc'ed NUL-terminated buffer (or NULL). */
static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The value of "KEY=N" on the kernel command line, or @fallback. */
static int cmdline_int(const char *cmdline, const char *key, int fallback)
{
	const char *p = cmdline ? strstr(cmdline, key) : NULL;

	return p ? atoi(p + strlen(key)) : fallback;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/*
 * NVMe controllers probe asynchronously: wait until as many namespaces and
 * p2pmem pools exist as the host said it configured, or until the timeout.
 */
static int scan_when_ready(const struct options *o, const char *cmdline,
			   struct vm_device *devs, long *waited)
{
	int want_nvme = cmdline_int(cmdline, "p2pdma_vm.nvme=", 0);
	int want_p2p = cmdline_int(cmdline, "p2pdma_vm.p2pmem=", 0);
	struct timespec start;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		n = vm_devices_scan(o->sys_root, devs, VM_MAX_DEVICES);
		*waited = elapsed_ms(&start);
		if (vm_devices_count_nvme(devs, n) >= want_nvme &&
		    vm_devices_count_p2pmem(devs, n) >= want_p2p)
			return n;
		if (*waited > o->wait_seconds * 1000L)
			return n;
		usleep(100000);
	}
}

static void write_cpu(struct jsonw *w)
{
	char *info = slurp("/proc/cpuinfo", 65536, NULL);
	char vendor[64] = "";
	int family = -1;
	char *p;

	if (info) {
		p = strstr(info, "vendor_id");
		if (p)
			sscanf(p, "vendor_id : %63s", vendor);
		p = strstr(info, "cpu family");
		if (p)
			sscanf(p, "cpu family : %d", &family);
	}
	jsonw_key(w, "cpu_vendor");
	jsonw_string(w, vendor);
	jsonw_key(w, "cpu_family");
	jsonw_int(w, family);
	free(info);
}

static void write_devices(struct jsonw *w, const struct vm_device *d, int n)
{
	int i;

	jsonw_key(w, "devices");
	jsonw_begin_array(w);
	for (i = 0; i < n; i++) {
		jsonw_begin_object(w);
		jsonw_key(w, "bdf");
		jsonw_string(w, d[i].bdf);
		jsonw_key(w, "id");
		jsonw_string(w, d[i].id);
		jsonw_key(w, "serial");
		jsonw_string(w, d[i].serial[0] ? d[i].serial : NULL);
		jsonw_key(w, "block");
		jsonw_string(w, d[i].block[0] ? d[i].block : NULL);
		jsonw_key(w, "p2pmem");
		if (d[i].has_p2pmem) {
			jsonw_begin_object(w);
			jsonw_key(w, "size");
			jsonw_int(w, d[i].p2pmem_size);
			jsonw_key(w, "available");
			jsonw_int(w, d[i].p2pmem_available);
			jsonw_key(w, "published");
			jsonw_int(w, d[i].p2pmem_published);
			jsonw_end_object(w);
		} else {
			jsonw_null(w);
		}
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
}

static void write_lines(struct jsonw *w, const char *key, const struct vm_kmsg_lines *l)
{
	int i;

	jsonw_key(w, key);
	jsonw_begin_array(w);
	for (i = 0; i < l->count; i++) {
		jsonw_begin_object(w);
		jsonw_key(w, "level");
		jsonw_int(w, l->level[i]);
		jsonw_key(w, "text");
		jsonw_string(w, l->text[i]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	if (l->dropped) {
		jsonw_key(w, "log_dropped");
		jsonw_int(w, l->dropped);
	}
}

/* Fill with the poison through the MMIO mapping, 8 bytes at a time. */
static void poison(volatile uint64_t *buf, size_t words)
{
	size_t i;

	for (i = 0; i < words; i++)
		buf[i] = POISON;
}

static void verify(volatile uint64_t *buf, size_t words, const char *serial,
		   off_t offset, struct pair_result *r)
{
	uint64_t seed = pattern_seed(serial);
	size_t i, base = (size_t)offset / 8;

	r->data_ok = true;
	r->first_bad = -1;
	r->poison_left = 0;
	for (i = 0; i < words; i++) {
		uint64_t got = buf[i];

		if (got == POISON)
			r->poison_left++;
		if (got != pattern_word(seed, base + i) && r->first_bad < 0) {
			r->first_bad = (long long)(i * 8);
			r->data_ok = false;
		}
	}
}

/* The kernel's own test: O_DIRECT read from @client into @provider's p2pmem. */
static void p2p_read(const struct options *o, const struct vm_device *provider,
		     const struct vm_device *client, off_t offset, int kmsg,
		     struct pair_result *r)
{
	char path[256];
	void *buf;
	ssize_t n;
	int afd, bfd;

	memset(r, 0, sizeof(*r));
	r->bytes = -1;
	r->first_bad = -1;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/p2pmem/allocate",
		 o->sys_root, provider->bdf);
	afd = open(path, O_RDWR | O_CLOEXEC);
	if (afd < 0) {
		r->mmap_errno = errno;
		return;
	}
	buf = mmap(NULL, o->length, PROT_READ | PROT_WRITE, MAP_SHARED, afd, 0);
	close(afd);
	if (buf == MAP_FAILED) {
		r->mmap_errno = errno;
		return;
	}
	poison(buf, o->length / 8);
	snprintf(path, sizeof(path), "/dev/%s", client->block);
	bfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (bfd < 0) {
		r->open_errno = errno;
		munmap(buf, o->length);
		return;
	}
	/* Whatever the kernel said before this read is not about this pair. */
	if (kmsg >= 0)
		vm_kmsg_drain(kmsg, NULL, NULL);
	n = pread(bfd, buf, o->length, offset);
	r->read_errno = n < 0 ? errno : 0;
	r->bytes = n;
	if (kmsg >= 0)
		vm_kmsg_drain(kmsg, &r->log, NULL);
	if (n == (ssize_t)o->length)
		verify(buf, o->length / 8, client->serial, offset, r);
	close(bfd);
	munmap(buf, o->length);
}

/*
 * Runs @argv with stdout and stderr sent to files under /tmp; returns the
 * exit status (or -1) and the two outputs, malloc'ed.
 */
static int run(char *const argv[], char **out, char **err)
{
	static const char out_path[] = "/tmp/agent-run.out";
	static const char err_path[] = "/tmp/agent-run.err";
	int status = -1;
	pid_t pid;

	*out = *err = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	*out = slurp(out_path, OUTPUT_MAX, NULL);
	*err = slurp(err_path, OUTPUT_MAX, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int write_run_keep(struct jsonw *w, const char *key, char *const argv[], char **keep)
{
	char *out, *err;
	int status = run(argv, &out, &err);

	jsonw_key(w, key);
	jsonw_begin_object(w);
	jsonw_key(w, "status");
	jsonw_int(w, status);
	jsonw_key(w, "stdout");
	jsonw_string(w, out ? out : "");
	jsonw_key(w, "stderr");
	jsonw_string(w, err ? err : "");
	jsonw_end_object(w);
	if (keep)
		*keep = out;
	else
		free(out);
	free(err);
	return status;
}

static void write_run(struct jsonw *w, const char *key, char *const argv[])
{
	write_run_keep(w, key, argv, NULL);
}

static const char *errno_name(int e)
{
	const char *name = e ? strerrorname_np(e) : "";

	return name ? name : "?";
}

static void write_pair(struct jsonw *w, const struct options *o,
		       const struct vm_device *p, const struct vm_device *c,
		       off_t offset, const struct pair_result *r)
{
	char *check[] = { (char *)o->p2pdma, "check", "--json",
			  (char *)p->bdf, (char *)c->bdf, NULL };

	jsonw_begin_object(w);
	jsonw_key(w, "provider");
	jsonw_string(w, p->bdf);
	jsonw_key(w, "client");
	jsonw_string(w, c->bdf);
	jsonw_key(w, "client_serial");
	jsonw_string(w, c->serial);
	jsonw_key(w, "client_block");
	jsonw_string(w, c->block);
	jsonw_key(w, "offset");
	jsonw_int(w, (long long)offset);
	jsonw_key(w, "length");
	jsonw_int(w, (long long)o->length);
	jsonw_key(w, "mmap_errno");
	jsonw_string(w, errno_name(r->mmap_errno));
	jsonw_key(w, "open_errno");
	jsonw_string(w, errno_name(r->open_errno));
	jsonw_key(w, "errno");
	jsonw_string(w, errno_name(r->read_errno));
	jsonw_key(w, "bytes");
	jsonw_int(w, r->bytes);
	jsonw_key(w, "data_ok");
	jsonw_bool(w, r->data_ok);
	jsonw_key(w, "first_bad");
	jsonw_int(w, r->first_bad);
	jsonw_key(w, "poison_left");
	jsonw_int(w, r->poison_left);
	write_lines(w, "kmsg", &r->log);
	write_run(w, "check", check);
	jsonw_end_object(w);
}

static void run_pairs(struct jsonw *w, const struct options *o,
		      const struct vm_device *d, int n, int kmsg)
{
	struct pair_result *r = malloc(sizeof(*r));
	int i, j, k = 0;

	jsonw_key(w, "pairs");
	jsonw_begin_array(w);
	for (i = 0; r && i < n; i++) {
		if (!d[i].has_p2pmem)
			continue;
		for (j = 0; j < n; j++) {
			/* A different region of the drive for every pair. */
			off_t offset = (off_t)(k++ % 8) * (off_t)o->length;

			if (!d[j].block[0])
				continue;
			p2p_read(o, &d[i], &d[j], offset, kmsg, r);
			write_pair(w, o, &d[i], &d[j], offset, r);
			fflush(w->out);
		}
	}
	jsonw_end_array(w);
	free(r);
}

static void write_capture(struct jsonw *w, const struct options *o)
{
	char *argv[] = { (char *)o->p2pdma, "capture", (char *)o->capture, NULL };
	char *out, *err, *data;
	size_t len = 0;
	int status;

	unlink(o->capture);
	status = run(argv, &out, &err);
	data = slurp(o->capture, 64u << 20, &len);
	jsonw_key(w, "capture");
	jsonw_begin_object(w);
	jsonw_key(w, "status");
	jsonw_int(w, status);
	jsonw_key(w, "stderr");
	jsonw_string(w, err ? err : "");
	jsonw_key(w, "size");
	jsonw_int(w, data ? (long long)len : -1);
	jsonw_key(w, "base64");
	if (data && len)
		jsonw_base64(w, (unsigned char *)data, len);
	else
		jsonw_null(w);
	jsonw_end_object(w);
	free(out);
	free(err);
	free(data);
}

static void write_system(struct jsonw *w, const char *cmdline)
{
	struct utsname u;

	jsonw_key(w, "agent");
	jsonw_int(w, 1);
	jsonw_key(w, "kernel");
	jsonw_string(w, uname(&u) ? "" : u.release);
	jsonw_key(w, "cmdline");
	jsonw_string(w, cmdline ? cmdline : "");
	write_cpu(w);
}

int main(int argc, char **argv)
{
	struct vm_device *devs = calloc(VM_MAX_DEVICES, sizeof(*devs));
	struct vm_kmsg_lines *boot = calloc(1, sizeof(*boot));
	char *top[] = { NULL, "topo", NULL };
	struct options o;
	struct jsonw w;
	char *cmdline;
	long waited;
	int n, kmsg;

	if (!devs || !boot || parse_options(argc, argv, &o))
		return 2;
	cmdline = slurp("/proc/cmdline", 4096, NULL);
	if (cmdline)
		cmdline[strcspn(cmdline, "\n")] = '\0';
	n = scan_when_ready(&o, cmdline, devs, &waited);
	kmsg = vm_kmsg_open();
	if (kmsg >= 0)
		vm_kmsg_drain(kmsg, boot, boot_filter);

	jsonw_init(&w, stdout);
	jsonw_begin_object(&w);
	write_system(&w, cmdline);
	jsonw_key(&w, "waited_ms");
	jsonw_int(&w, waited);
	write_devices(&w, devs, n);
	write_lines(&w, "boot_log", boot);
	run_pairs(&w, &o, devs, n, kmsg);
	run_copies(&w, o.p2pdma, devs, n);
	top[0] = (char *)o.p2pdma;
	write_run(&w, "topo", top);
	if (o.capture)
		write_capture(&w, &o);
	jsonw_end_object(&w);
	fflush(stdout);
	free(cmdline);
	free(boot);
	free(devs);
	return 0;
}
