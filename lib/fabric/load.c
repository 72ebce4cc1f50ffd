// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma_fabric_load(): pick the loader method for a source, run it,
 * finalize the model, and hand back all of it or nothing.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "access/tarball.h"
#include "loaders.h"
#include "readfile.h"
#include "util.h"

static const struct p2pdma_loader loaders[] = {
	{ "sysfs", P2PDMA_INPUT_SYSFS, p2pdma_load_sysfs },
	{ "json", P2PDMA_INPUT_JSON, p2pdma_load_json },
	{ "lspci", P2PDMA_INPUT_LSPCI, p2pdma_load_lspci },
	{ "lspci-vvv", P2PDMA_INPUT_LSPCI_VVV, p2pdma_load_lspci_vvv },
	{ "nccl", P2PDMA_INPUT_NCCL, p2pdma_load_nccl },
	{ "bug-report", P2PDMA_INPUT_BUGREPORT, p2pdma_load_bugreport },
};

#define BUILTIN_PREFIX "builtin:"
#define SNIFF_LEN 65536
/* The lspci loaders' own limit: a longer file is refused by them anyway. */
#define SNIFF_WHOLE_MAX (64u << 20)

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static bool is_tarball_name(const char *path)
{
	static const char *const suffixes[] = {
		".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
		/* not read, but a tarball: the reader names the compression */
		".tar.zst", ".tzst", ".tar.lz4", ".tar.lzo", ".tar.lz", ".tar.lrz",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (has_suffix(path, suffixes[i]))
			return true;
	return false;
}

/* A tarball, plain or in a compression the tarball reader reads. */
static bool is_compressed_or_tar(const unsigned char *b, size_t n)
{
	bool readable;

	return p2pdma_archive_kind(b, n, &readable) && readable;
}

/* "BB:DD.F " or "DDDD:BB:DD.F " at the start of a line: an lspci device line. */
static bool is_lspci_device_line(const char *l)
{
	const char *p = l;
	int n = 0;

	while (isxdigit((unsigned char)p[n]))
		n++;
	if (n >= 4 && p[n] == ':') {	/* domain */
		p += n + 1;
		n = 0;
		while (isxdigit((unsigned char)p[n]))
			n++;
	}
	return n == 2 && p[2] == ':' && isxdigit((unsigned char)p[3]) &&
	       isxdigit((unsigned char)p[4]) && p[5] == '.' &&
	       p[6] >= '0' && p[6] <= '7' && p[7] == ' ';
}

/* "00: 86 80 ..." or "100: ..." : a line of an lspci hex dump. */
static bool is_lspci_hex_line(const char *l)
{
	int n = 0;

	while (isxdigit((unsigned char)l[n]))
		n++;
	return (n == 2 || n == 3) && l[n] == ':' && l[n + 1] == ' ' &&
	       isxdigit((unsigned char)l[n + 2]) && isxdigit((unsigned char)l[n + 3]);
}

static int sniff_text(const char *path, const char *buf,
		      enum p2pdma_input_format *out, struct p2pdma_error *e)
{
	const char *p = buf;
	bool dev = false, hex = false;

	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '{') {
		*out = P2PDMA_INPUT_JSON;
		return 0;
	}
	if (*p == '<') {
		*out = P2PDMA_INPUT_NCCL;
		return 0;
	}
	if (!strncmp(p, "-[", 2) || !strncmp(p, "-+-[", 4) || !strncmp(p, "+-[", 3))
		return p2pdma_fail(e, -EINVAL,
				   "%s: this is 'lspci -t' tree output, which has no device details; give 'lspci -vvv' or 'lspci -xxxx' output instead",
				   path);
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		dev |= is_lspci_device_line(p);
		hex |= is_lspci_hex_line(p);
	}
	if (dev) {
		*out = hex ? P2PDMA_INPUT_LSPCI : P2PDMA_INPUT_LSPCI_VVV;
		return 0;
	}
	return p2pdma_fail(e, -EINVAL,
			   "%s: cannot tell what kind of file this is; name the format with --input-format",
			   path);
}

/*
 * Text whose first 64 KiB show lspci device lines but no hex may still be
 * a hex dump with a long first record: look at all of it before saying.
 */
static int sniff_whole(const char *path, enum p2pdma_input_format *out,
		       struct p2pdma_error *e)
{
	size_t len;
	char *all;
	int ret = p2pdma_read_file(path, SNIFF_WHOLE_MAX, &all, &len, e);

	if (ret)
		return ret;
	ret = sniff_text(path, all, out, e);
	free(all);
	return ret;
}

int p2pdma_input_detect(const char *path, enum p2pdma_input_format *out,
			struct p2pdma_error *e)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd, ret;

	if (!path || !strcmp(path, "/")) {
		*out = P2PDMA_INPUT_SYSFS;
		return 0;
	}
	/* "-": a JSON description on standard input (a pipe cannot be sniffed). */
	if (!strcmp(path, "-")) {
		*out = P2PDMA_INPUT_JSON;
		return 0;
	}
	if (!strncmp(path, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX))) {
		*out = P2PDMA_INPUT_BUILTIN;
		return 0;
	}
	/* "a.txt,b.txt": several lspci outputs read together. */
	if (strchr(path, ',') && stat(path, &st)) {
		*out = P2PDMA_INPUT_BUGREPORT;
		return 0;
	}
	if (stat(path, &st))
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (strstr(path, "nvidia-bug-report") || has_suffix(path, ".log.gz") ||
	    has_suffix(path, ".log")) {
		*out = P2PDMA_INPUT_BUGREPORT;
		return 0;
	}
	if (S_ISDIR(st.st_mode) || is_tarball_name(path)) {
		*out = P2PDMA_INPUT_SYSFS;
		return 0;
	}
	if (has_suffix(path, ".json")) {
		*out = P2PDMA_INPUT_JSON;
		return 0;
	}
	if (has_suffix(path, ".xml")) {
		*out = P2PDMA_INPUT_NCCL;
		return 0;
	}
	if (S_ISFIFO(st.st_mode) && p2pdma_is_shell_pipe(path))
		return p2pdma_fail(e, -EINVAL,
				   "%s: a pipe cannot be looked into twice; name its format with --input-format",
				   path);
	if (!S_ISREG(st.st_mode))
		return p2pdma_fail(e, -EINVAL, "%s: not a regular file or directory%s", path,
				   S_ISFIFO(st.st_mode) ? " (a named pipe)" : "");

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	buf = malloc(SNIFF_LEN + 1);
	if (!buf) {
		close(fd);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	n = read(fd, buf, SNIFF_LEN);
	close(fd);
	if (n < 0) {
		ret = p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	} else if (n == 0) {
		ret = p2pdma_fail(e, -EINVAL, "%s: the file is empty", path);
	} else if (is_compressed_or_tar((unsigned char *)buf, (size_t)n)) {
		*out = P2PDMA_INPUT_SYSFS;
		ret = 0;
	} else {
		buf[n] = '\0';
		ret = sniff_text(path, buf, out, e);
		if (!ret && *out == P2PDMA_INPUT_LSPCI_VVV && n == SNIFF_LEN)
			ret = sniff_whole(path, out, e);
	}
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Built-in machine descriptions                                           */

static const char *builtin_dir(const struct p2pdma_load_opts *opts)
{
	struct stat st;

	/* An empty directory name (an empty environment variable) is no choice. */
	if (opts && opts->builtin_dir && *opts->builtin_dir)
		return opts->builtin_dir;
	/* Installed data first; the source tree serves an uninstalled build. */
	if (!stat(P2PDMA_MACHINES_DIR, &st) && S_ISDIR(st.st_mode))
		return P2PDMA_MACHINES_DIR;
	return P2PDMA_SRC_MACHINES_DIR;
}

static bool valid_builtin_name(const char *name)
{
	const char *p;

	if (!*name)
		return false;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return name[0] != '.';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int p2pdma_builtin_list(const char *dir, char ***names, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .builtin_dir = dir };
	const char *d = builtin_dir(&o);
	struct dirent *de;
	size_t nr = 0, cap = 0;
	char **v = NULL;
	DIR *dp;

	dp = opendir(d);
	if (!dp)
		return p2pdma_fail(e, -errno, "built-in machines directory %s: %s", d,
				   strerror(errno));
	while ((de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		char *n;

		if (l <= 5 || !has_suffix(de->d_name, ".json"))
			continue;
		n = strndup(de->d_name, l - 5);
		if (!n || p2pdma_ptr_push((void ***)&v, &nr, &cap, n)) {
			free(n);
			goto nomem;
		}
	}
	closedir(dp);
	dp = NULL;
	if (nr)
		qsort(v, nr, sizeof(*v), cmp_str);
	if (p2pdma_ptr_push((void ***)&v, &nr, &cap, NULL))
		goto nomem;
	*names = v;
	return 0;
nomem:
	if (dp)
		closedir(dp);
	while (nr)
		free(v[--nr]);
	free(v);
	return p2pdma_fail(e, -ENOMEM, "out of memory");
}

static int builtin_path(const struct p2pdma_load_opts *opts, char **path,
			struct p2pdma_error *e)
{
	const char *name = opts->path + strlen(BUILTIN_PREFIX);
	struct stat st;

	if (!valid_builtin_name(name))
		return p2pdma_fail(e, -EINVAL,
				   "'%s': a built-in machine name has only letters, digits, '-', '_' and '.'",
				   name);
	if (asprintf(path, "%s/%s.json", builtin_dir(opts), name) < 0) {
		*path = NULL;
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	if (stat(*path, &st)) {
		free(*path);
		*path = NULL;
		return p2pdma_fail(e, -ENOENT,
				   "no built-in machine '%s' ('p2pdma machines' lists them)",
				   name);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */

int p2pdma_fabric_load(const struct p2pdma_load_opts *opts,
		       struct p2pdma_fabric **out, struct p2pdma_error *e)
{
	enum p2pdma_input_format fmt = opts->format;
	const char *path = opts->path ? opts->path : "/";
	struct p2pdma_fabric *f;
	char *resolved = NULL;
	size_t i;
	int ret;

	*out = NULL;
	if (fmt == P2PDMA_INPUT_AUTO) {
		ret = p2pdma_input_detect(path, &fmt, e);
		if (ret)
			return ret;
	}
	if (fmt == P2PDMA_INPUT_BUILTIN) {
		if (strncmp(path, BUILTIN_PREFIX, strlen(BUILTIN_PREFIX)))
			return p2pdma_fail(e, -EINVAL,
					   "'%s': a built-in machine is named builtin:NAME", path);
		ret = builtin_path(opts, &resolved, e);
		if (ret)
			return ret;
		path = resolved;
		fmt = P2PDMA_INPUT_JSON;
	}

	f = p2pdma_fabric_new();
	if (!f) {
		free(resolved);
		return p2pdma_fail(e, -ENOMEM, "out of memory");
	}
	ret = p2pdma_fail(e, -EINVAL, "no loader for format %s",
			  p2pdma_input_format_name(fmt));
	for (i = 0; i < ARRAY_SIZE(loaders); i++) {
		if (loaders[i].format != fmt)
			continue;
		ret = loaders[i].load(f, path, opts, e);
		break;
	}
	if (!ret)
		ret = p2pdma_fabric_finalize(f, e);
	/* Every reason names its source; loaders usually do it themselves. */
	if (!strcmp(path, "-"))
		path = "<stdin>";
	if (ret && e && !strstr(e->reason, path))
		p2pdma_error_prefix(e, path);
	free(resolved);
	if (ret) {
		p2pdma_fabric_free(f);
		return ret;
	}
	*out = f;
	return 0;
}
