// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loader for nvidia-bug-report.log(.gz), the file users attach to GPU and
 * P2P issues.  It is a series of sections, each a header line (the
 * command, e.g. "/usr/bin/lspci -nnDvvvxxxx") and a body, separated by
 * lines of underscores.  What this loader takes from it:
 *
 *  - the "lspci -nnDvvvxxx[x]" section (present when the script ran as
 *    root): read by the lspci hex-dump loader, so errors name the
 *    report's own line numbers;
 *  - the kernel release from the "uname:" line;
 *  - the kernel command line: the dmesg/Xorg line "Kernel command line:"
 *    whose BOOT_IMAGE names that release (reports hold the logs of
 *    earlier boots too); none is set when no line matches.
 *
 * Not yet: reports without a root dump (the -nntv tree with -nn IDs and
 * no config space), /proc/cpuinfo (the CPU stays unknown), and
 * "nvidia-smi topo -m".  A report without the section is refused with
 * that reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>

#include "loaders.h"
#include "lspci.h"
#include "util.h"

#define REPORT_MAX_BYTES (512u << 20)

/* Decompress (gzip, bzip2, xz or none) into one buffer. */
static int read_report(const char *path, char **out, size_t *len, struct p2pdma_error *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	int ret = 0;

	if (!a || !buf) {
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		ret = p2pdma_fail(e, -EINVAL, "%s: %s", path, archive_error_string(a) ?
				  archive_error_string(a) : "cannot read");
		goto out;
	}
	for (;;) {
		la_ssize_t r;

		if (n == cap) {
			char *nb = cap >= REPORT_MAX_BYTES ? NULL : realloc(buf, 2 * cap + 1);

			if (!nb) {
				ret = p2pdma_fail(e, -EFBIG, "%s: larger than %u MiB uncompressed",
						  path, REPORT_MAX_BYTES >> 20);
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = archive_read_data(a, buf + n, cap - n);
		if (r < 0) {
			ret = p2pdma_fail(e, -EINVAL, "%s: offset %zu: %s", path, n,
					  archive_error_string(a));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (a)
		archive_read_free(a);
	return ret;
}

static const char *next_line(const char *s, const char *end)
{
	const char *nl = memchr(s, '\n', (size_t)(end - s));

	return nl ? nl + 1 : end;
}

/* Is the line at @s a section header that runs "lspci -nnDvvvxxx(x)"? */
static bool dump_header(const char *s, const char *eol)
{
	static const char *const cmds[] = { "lspci -nnDvvvxxxx", "lspci -nnDvvvxxx" };
	size_t i, len = (size_t)(eol - s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		size_t l = strlen(cmds[i]);

		if (len >= l && !memcmp(s + len - l, cmds[i], l) &&
		    (len == l || s[len - l - 1] == '/' || s[len - l - 1] == ' '))
			return true;
	}
	return false;
}

/* The dump section's body: from after its header up to the "____" line. */
static int find_dump(const char *buf, size_t len, const char **body, size_t *blen,
		     unsigned int *line)
{
	const char *s = buf, *end = buf + len;
	unsigned int n = 1;

	for (; s < end; s = next_line(s, end), n++) {
		const char *eol = next_line(s, end), *b, *t;

		if (!dump_header(s, eol))
			continue;
		b = eol;
		for (t = b; t < end && strncmp(t, "____", 4); t = next_line(t, end))
			;
		*body = b;
		*blen = (size_t)(t - b);
		*line = n;
		return 0;
	}
	return -ENOENT;
}

/* "uname: Linux HOST RELEASE ..." */
static char *uname_release(const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;

	for (; s < end; s = next_line(s, end)) {
		char host[256], rel[128];

		if (!strncmp(s, "uname: Linux ", 13) &&
		    sscanf(s + 13, "%255s %127s", host, rel) == 2)
			return strdup(rel);
	}
	return NULL;
}

/* The "Kernel command line:" of the boot whose BOOT_IMAGE names @rel. */
static char *boot_cmdline(const char *buf, size_t len, const char *rel)
{
	const char *s = buf, *end = buf + len, *key = "Kernel command line: ";
	char image[160];

	if (!rel || !buf)
		return NULL;
	snprintf(image, sizeof(image), "vmlinuz-%s ", rel);
	for (; s < end; s = next_line(s, end)) {
		const char *eol = next_line(s, end);
		const char *k = memmem(s, (size_t)(eol - s), key, strlen(key));

		if (k && memmem(k, (size_t)(eol - k), image, strlen(image))) {
			const char *v = k + strlen(key), *e2 = eol;

			while (e2 > v && (e2[-1] == '\n' || e2[-1] == '\r'))
				e2--;
			return strndup(v, (size_t)(e2 - v));
		}
	}
	return NULL;
}

/* Release and command line: best effort, missing ones stay unknown. */
static int kernel_facts(struct p2pdma_fabric *f, const char *buf, size_t len)
{
	char *rel = uname_release(buf, len), *cmd = boot_cmdline(buf, len, rel);
	int ret = 0;

	if (rel && p2pdma_fabric_set_kernel_release(f, rel) == -ENOMEM)
		ret = -ENOMEM;
	if (!ret && cmd)
		ret = p2pdma_fabric_set_cmdline(f, cmd);
	free(rel);
	free(cmd);
	return ret;
}

int p2pdma_bugreport_load_buf(struct p2pdma_fabric *f, const char *buf, size_t len,
			      const char *name, const struct p2pdma_load_opts *opts,
			      struct p2pdma_error *e)
{
	const char *body;
	size_t blen;
	unsigned int line;
	char *where;
	int ret;

	if (!buf)
		return p2pdma_fail(e, -EINVAL, "%s: no data", name);
	if (find_dump(buf, len, &body, &blen, &line))
		return p2pdma_fail(e, -EINVAL,
				   "%s: no 'lspci -nnDvvvxxxx' section (nvidia-bug-report.sh run as root has one); this loader needs the config-space dump",
				   name);
	if (asprintf(&where, "%s (lspci section at line %u)", name, line) < 0)
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	ret = p2pdma_lspci_load_buf(f, body, blen, where, opts, e);
	free(where);
	if (!ret && kernel_facts(f, buf, len))
		ret = p2pdma_fail(e, -ENOMEM, "out of memory");
	return ret;
}

int p2pdma_load_bugreport(struct p2pdma_fabric *f, const char *path,
			  const struct p2pdma_load_opts *opts, struct p2pdma_error *e)
{
	char *buf = NULL;
	size_t len = 0;
	int ret = read_report(path, &buf, &len, e);

	if (ret)
		return ret;
	ret = p2pdma_bugreport_load_buf(f, buf, len, path, opts, e);
	free(buf);
	return ret;
}
