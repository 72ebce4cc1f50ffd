// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * p2pdma_capture(): write what the sysfs loader reads from a machine
 * into a tarball, so that loading the tarball gives the same model as
 * loading the machine.
 *
 * The lists of files come from sysfs_layout.c, which the loader uses
 * too.  sysfs files claim a size of 4096 whatever they hold, so every
 * file is read to its end and stored with the length actually read
 * (config: 4096 bytes as root, 64 without).  The machine is loaded
 * first, so one the loader refuses is refused before any file is made;
 * the tarball is then written under a temporary name beside the
 * destination, loaded back, compared with the machine and renamed into
 * place, so a failed capture never leaves half a tarball.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "access/access.h"
#include "cfgspace.h"
#include "json_write.h"
#include "sysfs_attr.h"
#include "sysfs_io.h"
#include "sysfs_layout.h"
#include "readfile.h"
#include "tempfiles.h"
#include "util.h"

#define CAPTURE_MAX_DEPTH	64

struct capture {
	const char *root;
	const char *out_path;
	p2pdma_log_fn log;
	void *log_arg;
	struct p2pdma_error *e;
	struct archive *a;
	struct archive_entry *entry;
	time_t now;
	char rel[PATH_MAX];		/* path inside the tarball */
	size_t rel_len;
	char **dirs;			/* directories already written */
	size_t nr_dirs, dirs_cap;
	size_t nr_fns, nr_short_config;
};

/* ---------------------------------------------------------------------- */
/* Writing entries                                                         */

static int rel_push(struct capture *c, const char *name)
{
	if (!p2pdma_path_append(c->rel, sizeof(c->rel), &c->rel_len, name))
		return p2pdma_fail(c->e, -ENAMETOOLONG, "%s/%s: path too long", c->root, c->rel);
	return 0;
}

static void rel_pop(struct capture *c, size_t len)
{
	c->rel_len = len;
	c->rel[len] = '\0';
}

static int archive_failed(struct capture *c)
{
	return p2pdma_fail(c->e, -EIO, "%s: %s", c->out_path, archive_error_string(c->a));
}

static int put_raw(struct capture *c, const char *path, mode_t type,
		   const void *data, size_t len, const char *target)
{
	archive_entry_clear(c->entry);
	archive_entry_set_pathname(c->entry, path);
	archive_entry_set_filetype(c->entry, type);
	archive_entry_set_perm(c->entry, type == AE_IFDIR ? 0755 : type == AE_IFLNK ? 0777 : 0644);
	archive_entry_set_mtime(c->entry, c->now, 0);
	archive_entry_set_size(c->entry, type == AE_IFREG ? (la_int64_t)len : 0);
	if (target)
		archive_entry_set_symlink(c->entry, target);
	if (archive_write_header(c->a, c->entry) < ARCHIVE_WARN ||
	    (type == AE_IFREG && len &&
	     archive_write_data(c->a, data, len) != (la_ssize_t)len))
		return p2pdma_fail(c->e, -EIO, "%s: cannot write %s: %s", c->out_path, path,
				   archive_error_string(c->a));
	return 0;
}

/* One entry at c->rel (plus "/@name" when @name is given). */
static int put_entry(struct capture *c, const char *name, mode_t type,
		     const void *data, size_t len, const char *target)
{
	size_t save = c->rel_len;
	int ret = 0;

	if (name)
		ret = rel_push(c, name);
	if (!ret)
		ret = put_raw(c, c->rel, type, data, len, target);
	rel_pop(c, save);
	return ret;
}

static bool dir_written(struct capture *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nr_dirs; i++)
		if (!strcmp(c->dirs[i], path))
			return true;
	return false;
}

/*
 * Directory entries for c->rel and every ancestor not written yet.  Only
 * these shared directories (host bridges and what leads to them) are
 * remembered; a function's own directory is met once by the walk.
 */
static int put_dirs(struct capture *c)
{
	char path[PATH_MAX];
	size_t i;
	int ret = 0;

	memcpy(path, c->rel, c->rel_len + 1);
	for (i = 1; !ret && i <= c->rel_len; i++) {
		char *copy, save = path[i];

		if (save != '/' && save != '\0')
			continue;
		path[i] = '\0';
		if (!dir_written(c, path)) {
			copy = strdup(path);
			if (!copy || p2pdma_ptr_push((void ***)&c->dirs, &c->nr_dirs,
						     &c->dirs_cap, copy)) {
				free(copy);
				return p2pdma_fail(c->e, -ENOMEM, "out of memory");
			}
			ret = put_raw(c, path, AE_IFDIR, NULL, 0, NULL);
		}
		path[i] = save;
	}
	return ret;
}

/* ---------------------------------------------------------------------- */
/* Copying from the machine                                                */

/* Copy the file @name under @fd if it can be read; what cannot be, the loader treats as absent. */
static int copy_file(struct capture *c, int fd, const char *name, size_t max, size_t *len)
{
	/* Attributes and config space: one read, as the loader reads them. */
	char small[P2PDMA_CFG_PCIE_SIZE], *buf = NULL;
	int ret;

	*len = 0;
	if (max <= sizeof(small))
		ret = p2pdma_read_at(fd, name, small, max, len);
	else
		ret = p2pdma_read_all_at(fd, name, max, &buf, len);
	if (ret == -ENOMEM)
		return p2pdma_fail(c->e, ret, "out of memory");
	if (ret == -ENOENT)
		return 1;
	if (ret) {
		p2pdma_log(c->log, c->log_arg, P2PDMA_LOG_DEBUG, "%s/%s/%s: %s; left out",
			   c->root, c->rel, name,
			   ret == -ESPIPE ? "a FIFO or device" : strerror(-ret));
		return 1;
	}
	ret = put_entry(c, name, AE_IFREG, buf ? buf : small, *len, NULL);
	free(buf);
	return ret;
}

static int copy_link(struct capture *c, int fd, const char *name)
{
	char target[PATH_MAX];
	size_t len;
	int ret = p2pdma_readlink_at(fd, name, target, sizeof(target), &len);

	if (ret)
		return 0;	/* no such link (or not a link): nothing the loader would read */
	return put_entry(c, name, AE_IFLNK, NULL, 0, target);
}

static int copy_p2pmem(struct capture *c, int fd)
{
	size_t save = c->rel_len, i, len;
	int pfd, ret;

	pfd = p2pdma_open_dir_at(fd, P2PDMA_SYSFS_P2PMEM);
	if (pfd < 0)
		return 0;
	ret = rel_push(c, P2PDMA_SYSFS_P2PMEM);
	if (!ret)
		ret = put_entry(c, NULL, AE_IFDIR, NULL, 0, NULL);
	for (i = 0; !ret && p2pdma_sysfs_p2pmem_files[i]; i++) {
		ret = copy_file(c, pfd, p2pdma_sysfs_p2pmem_files[i], P2PDMA_SYSFS_ATTR_MAX, &len);
		ret = ret < 0 ? ret : 0;
	}
	rel_pop(c, save);
	close(pfd);
	return ret;
}

static int copy_device_dir(struct capture *c, int fd, int depth);

static int copy_function(struct capture *c, int fd, int depth)
{
	size_t i, len;
	int ret;

	ret = put_entry(c, NULL, AE_IFDIR, NULL, 0, NULL);
	for (i = 0; !ret && p2pdma_sysfs_fn_files[i]; i++) {
		const char *name = p2pdma_sysfs_fn_files[i];
		bool config = !strcmp(name, "config");

		ret = copy_file(c, fd, name, config ? P2PDMA_CFG_PCIE_SIZE : P2PDMA_SYSFS_ATTR_MAX,
				&len);
		if (!ret && config && len < P2PDMA_CFG_PCI_SIZE)
			c->nr_short_config++;
		ret = ret < 0 ? ret : 0;
	}
	for (i = 0; !ret && p2pdma_sysfs_fn_links[i]; i++)
		ret = copy_link(c, fd, p2pdma_sysfs_fn_links[i]);
	if (!ret)
		ret = copy_p2pmem(c, fd);
	c->nr_fns++;
	if (!ret)
		ret = copy_device_dir(c, fd, depth + 1);
	return ret;
}

static bool is_device_entry(const char *name, void *arg)
{
	struct p2pdma_bdf bdf;
	uint32_t domain;
	uint8_t bus;

	(void)arg;
	return p2pdma_sysfs_parse_fn_name(name, &bdf) ||
	       p2pdma_sysfs_parse_hb_name(name, &domain, &bus);
}

/* The function and host bridge directories inside @fd, recursively. */
static int copy_device_dir(struct capture *c, int fd, int depth)
{
	struct p2pdma_dirent *ents = NULL;
	size_t n = 0, i;
	int ret;

	if (depth > CAPTURE_MAX_DEPTH)
		return p2pdma_fail(c->e, -ELOOP, "%s/%s: devices nested more than %d deep",
				   c->root, c->rel, CAPTURE_MAX_DEPTH);
	ret = p2pdma_list_dir(fd, is_device_entry, NULL, &ents, &n);
	if (ret)
		return p2pdma_fail(c->e, ret, "%s/%s: cannot list: %s", c->root, c->rel,
				   strerror(-ret));
	for (i = 0; !ret && i < n; i++) {
		size_t save = c->rel_len;
		struct p2pdma_bdf bdf;
		int sub;

		if (ents[i].type != DT_DIR)
			continue;	/* never follow a link; the loader refuses them */
		sub = p2pdma_open_dir_at(fd, ents[i].name);
		if (sub < 0)
			continue;
		ret = rel_push(c, ents[i].name);
		if (!ret && p2pdma_sysfs_parse_fn_name(ents[i].name, &bdf))
			ret = copy_function(c, sub, depth);
		else if (!ret)
			ret = put_entry(c, NULL, AE_IFDIR, NULL, 0, NULL);
		if (!ret && !p2pdma_sysfs_parse_fn_name(ents[i].name, &bdf))
			ret = copy_device_dir(c, sub, depth + 1);
		rel_pop(c, save);
		close(sub);
	}
	p2pdma_dirents_free(ents, n);
	return ret;
}

static int copy_devices(struct capture *c, int sysfd)
{
	struct p2pdma_dir sys = p2pdma_dir_borrow_fd(sysfd);
	char **dirs = NULL;
	size_t nr = 0, i;
	int ret;

	ret = p2pdma_sysfs_host_bridge_dirs(&sys, &dirs, &nr);
	if (ret)
		return p2pdma_fail(c->e, ret, "%s/sys/devices: %s", c->root, strerror(-ret));
	/* sys/devices itself, even empty: the loader requires it. */
	ret = rel_push(c, "sys/devices");
	if (!ret)
		ret = put_dirs(c);
	rel_pop(c, 0);
	for (i = 0; !ret && i < nr; i++) {
		int fd = p2pdma_open_dir_at(sysfd, dirs[i]);

		if (fd < 0)
			continue;
		p2pdma_log(c->log, c->log_arg, P2PDMA_LOG_DEBUG,
			   "%s: copying the devices under sys/%s", c->root, dirs[i]);
		ret = rel_push(c, "sys");
		if (!ret)
			ret = rel_push(c, dirs[i]);
		if (!ret)
			ret = put_dirs(c);
		if (!ret)
			ret = copy_device_dir(c, fd, 0);
		rel_pop(c, 0);
		close(fd);
	}
	p2pdma_sysfs_free_dirs(dirs, nr);
	return ret;
}

/* sys/bus/pci/devices: the links libpci and other tools go through. */
static int copy_bus_links(struct capture *c, int sysfd)
{
	struct p2pdma_dirent *ents = NULL;
	size_t n = 0, i;
	int fd, ret;

	fd = p2pdma_open_dir_at(sysfd, "bus/pci/devices");
	if (fd < 0)
		return 0;
	ret = rel_push(c, "sys/bus/pci/devices");
	if (!ret)
		ret = put_dirs(c);
	if (!ret)
		ret = p2pdma_list_dir(fd, NULL, NULL, &ents, &n);
	for (i = 0; !ret && i < n; i++)
		if (ents[i].type == DT_LNK)
			ret = copy_link(c, fd, ents[i].name);
	p2pdma_dirents_free(ents, n);
	rel_pop(c, 0);
	close(fd);
	return ret < 0 ? ret : 0;
}

static int copy_iommu_groups(struct capture *c, int sysfd)
{
	struct p2pdma_dirent *ents = NULL;
	size_t n = 0, i, len, base;
	int fd, ret;

	fd = p2pdma_open_dir_at(sysfd, "kernel/iommu_groups");
	if (fd < 0)
		return 0;
	ret = rel_push(c, "sys/kernel/iommu_groups");
	base = c->rel_len;
	if (!ret)
		ret = put_dirs(c);
	if (!ret)
		ret = p2pdma_list_dir(fd, NULL, NULL, &ents, &n);
	for (i = 0; !ret && i < n; i++) {
		int gfd;

		if (ents[i].type != DT_DIR)
			continue;
		gfd = p2pdma_open_dir_at(fd, ents[i].name);
		if (gfd < 0)
			continue;
		ret = rel_push(c, ents[i].name);
		if (!ret)
			ret = put_entry(c, NULL, AE_IFDIR, NULL, 0, NULL);
		if (!ret)
			ret = copy_file(c, gfd, "type", P2PDMA_SYSFS_ATTR_MAX, &len);
		ret = ret < 0 ? ret : 0;
		rel_pop(c, base);
		close(gfd);
	}
	p2pdma_dirents_free(ents, n);
	rel_pop(c, 0);
	close(fd);
	return ret;
}

/* proc/sys/kernel/osrelease: which kernel's rules apply. */
static int copy_osrelease(struct capture *c, int procfd)
{
	size_t save = c->rel_len, len;
	int fd, ret;

	fd = p2pdma_open_dir_at(procfd, "sys/kernel");
	if (fd < 0)
		return 0;
	ret = rel_push(c, "sys/kernel");
	if (!ret)
		ret = put_dirs(c);
	if (!ret)
		ret = copy_file(c, fd, "osrelease", P2PDMA_PROC_FILE_MAX, &len);
	rel_pop(c, save);
	close(fd);
	return ret;
}

static int copy_proc(struct capture *c, int rootfd)
{
	size_t len;
	int fd, ret;

	fd = p2pdma_open_dir_at(rootfd, "proc");
	if (fd < 0)
		return 0;
	ret = rel_push(c, "proc");
	if (!ret)
		ret = put_dirs(c);
	if (!ret)
		ret = copy_file(c, fd, "cpuinfo", P2PDMA_PROC_FILE_MAX, &len);
	if (ret >= 0)
		ret = copy_file(c, fd, "cmdline", P2PDMA_PROC_FILE_MAX, &len);
	if (ret >= 0)
		ret = copy_file(c, fd, "iomem", P2PDMA_PROC_FILE_MAX, &len);
	if (ret >= 0)
		ret = copy_osrelease(c, fd);
	rel_pop(c, 0);
	close(fd);
	return ret < 0 ? ret : 0;
}

/* ---------------------------------------------------------------------- */
/* The tarball                                                             */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls > lx && !strcmp(s + ls - lx, suffix);
}

static int set_compression(struct capture *c)
{
	int r;

	if (has_suffix(c->out_path, ".tar"))
		r = archive_write_add_filter_none(c->a);
	else if (has_suffix(c->out_path, ".tar.gz") || has_suffix(c->out_path, ".tgz"))
		r = archive_write_add_filter_gzip(c->a);
	else if (has_suffix(c->out_path, ".tar.bz2") || has_suffix(c->out_path, ".tbz2"))
		r = archive_write_add_filter_bzip2(c->a);
	else if (has_suffix(c->out_path, ".tar.xz") || has_suffix(c->out_path, ".txz"))
		r = archive_write_add_filter_xz(c->a);
	else
		return p2pdma_fail(c->e, -EINVAL,
				   "%s: name the capture .tar, .tar.gz, .tar.bz2 or .tar.xz (the suffix picks the compression)",
				   c->out_path);
	if (r != ARCHIVE_OK)
		return p2pdma_fail(c->e, -EOPNOTSUPP, "%s: %s", c->out_path,
				   archive_error_string(c->a));
	return 0;
}

static int open_root(struct capture *c, int *rootfd, int *sysfd)
{
	struct p2pdma_dir top;
	char *sub = NULL;
	size_t found;
	int fd, ret;

	fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return p2pdma_fail(c->e, -errno, "%s: %s", c->root, strerror(errno));
	top = p2pdma_dir_borrow_fd(fd);
	ret = p2pdma_sysfs_find_root(&top, &sub, &found);
	if (ret) {
		close(fd);
		if (ret == -ENOENT || ret == -EEXIST)
			return p2pdma_fail(c->e, -EINVAL,
					   "%s: %s", c->root, ret == -ENOENT ?
					   "no sys/ directory here or in a subdirectory" :
					   "several subdirectories hold a sys/ tree; name one");
		return p2pdma_fail(c->e, ret, "%s: %s", c->root, strerror(-ret));
	}
	*rootfd = sub ? p2pdma_open_dir_at(fd, sub) : fd;
	if (sub)
		close(fd);
	free(sub);
	if (*rootfd < 0)
		return p2pdma_fail(c->e, *rootfd, "%s: %s", c->root, strerror(-*rootfd));
	*sysfd = p2pdma_open_dir_at(*rootfd, "sys");
	if (*sysfd < 0) {
		close(*rootfd);
		return p2pdma_fail(c->e, *sysfd, "%s/sys: %s", c->root, strerror(-*sysfd));
	}
	return 0;
}

static int write_all(struct capture *c, int outfd)
{
	int rootfd = -1, sysfd = -1, ret;

	c->a = archive_write_new();
	c->entry = archive_entry_new();
	if (!c->a || !c->entry)
		return p2pdma_fail(c->e, -ENOMEM, "out of memory");
	ret = set_compression(c);
	if (ret)
		return ret;
	if (archive_write_set_format_pax_restricted(c->a) != ARCHIVE_OK ||
	    archive_write_open_fd(c->a, outfd) != ARCHIVE_OK)
		return archive_failed(c);
	ret = open_root(c, &rootfd, &sysfd);
	if (ret)
		return ret;
	ret = copy_devices(c, sysfd);
	if (!ret)
		ret = copy_bus_links(c, sysfd);
	if (!ret)
		ret = copy_iommu_groups(c, sysfd);
	if (!ret)
		ret = copy_proc(c, rootfd);
	close(sysfd);
	close(rootfd);
	if (!ret && archive_write_close(c->a) != ARCHIVE_OK)
		ret = archive_failed(c);
	return ret;
}

static void capture_free(struct capture *c)
{
	size_t i;

	if (c->a)
		archive_write_free(c->a);
	if (c->entry)
		archive_entry_free(c->entry);
	for (i = 0; i < c->nr_dirs; i++)
		free(c->dirs[i]);
	free(c->dirs);
}

static void warn_short_config(struct capture *c)
{
	if (!c->nr_short_config || geteuid() != 0)
		return;
	p2pdma_log(c->log, c->log_arg, P2PDMA_LOG_WARN,
		   "config space of %zu of %zu functions could be read only in part; their ACS state will be unknown in the capture",
		   c->nr_short_config, c->nr_fns);
}

/* @path loaded as a sysfs tree or capture; no log. */
static int load_tree_at(const char *path, struct p2pdma_fabric **f, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = path, .format = P2PDMA_INPUT_SYSFS };

	return p2pdma_fabric_load(&o, f, e);
}

/* The line of @text that holds @at, without its indentation, into @out. */
static void line_at(const char *text, const char *at, char *out, size_t n)
{
	const char *line = at;
	size_t len;

	while (line > text && line[-1] != '\n')
		line--;
	while (*line == ' ')
		line++;
	len = strcspn(line, "\n");
	p2pdma_excerpt(out, n, line, len, n > 8 ? n - 8 : 0);
}

/* The refusal for a capture that loads as another machine, with the first lines that differ. */
static int different(struct capture *c, const struct p2pdma_fabric *want,
		     const struct p2pdma_fabric *got)
{
	char *a = NULL, *b = NULL, mine[80] = "?", theirs[80] = "?";
	size_t i = 0;
	int ret;

	ret = p2pdma_fabric_write_json(want, &a, c->e);
	if (!ret)
		ret = p2pdma_fabric_write_json(got, &b, c->e);
	if (!ret) {
		while (a[i] && a[i] == b[i])
			i++;
		line_at(a, a + i, mine, sizeof(mine));
		line_at(b, b + i, theirs, sizeof(theirs));
		ret = p2pdma_fail(c->e, -EIO,
				  "%s: capture refused: it would load as a different machine (first difference: the machine has '%s', the capture '%s'); did the machine change meanwhile?",
				  c->root, mine, theirs);
	}
	free(a);
	free(b);
	return ret;
}

/*
 * The machine as the loader sees it, before anything is written: what
 * the loader refuses in the tree (a link where a file goes, a device
 * node, an oversize file) capture refuses with the same reason, and
 * leaves no file behind, not even a temporary one.
 */
static int load_machine(struct capture *c, struct p2pdma_fabric **want)
{
	int ret = load_tree_at(c->root, want, c->e);

	if (ret)
		p2pdma_error_prefix(c->e, "capture refused: the loader refuses the machine");
	return ret;
}

/*
 * "Loading the capture gives the same model as loading the machine": a
 * capture that would not is refused, not written.  Whatever capture
 * left out that the loader read, or a machine that changed while it
 * was copied, shows as a difference from @want.
 */
static int verify(struct capture *c, const struct p2pdma_fabric *want, const char *tmp)
{
	struct p2pdma_fabric *got = NULL;
	int ret;

	ret = load_tree_at(tmp, &got, c->e);
	if (ret) {
		p2pdma_error_prefix(c->e, "capture refused: it would not load back");
	} else {
		ret = p2pdma_fabric_same_json(want, got);
		if (ret < 0)
			ret = p2pdma_fail(c->e, ret, "out of memory");
		else
			ret = ret ? 0 : different(c, want, got);
	}
	p2pdma_fabric_free(got);
	return ret;
}

/* The mode a new file gets under the process umask (mkstemp makes 0600). */
static mode_t file_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

/* Write the tarball under a temporary name, check it against @want, rename it into place. */
static int write_checked(struct capture *c, const struct p2pdma_fabric *want)
{
	char *tmp;
	int fd, ret;

	/* Beside the destination, so the final rename cannot cross file systems. */
	if (asprintf(&tmp, "%s.XXXXXX", c->out_path) < 0)
		return p2pdma_fail(c->e, -ENOMEM, "out of memory");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = p2pdma_fail(c->e, -errno, "%s: cannot create: %s", c->out_path,
				  strerror(errno));
		free(tmp);
		return ret;
	}
	p2pdma_temp_track(tmp);
	ret = write_all(c, fd);
	/* Before the close: freeing an archive not closed still writes to its fd. */
	capture_free(c);
	if (!ret && (fchmod(fd, file_mode()) || fsync(fd)))
		ret = p2pdma_fail(c->e, -errno, "%s: %s", tmp, strerror(errno));
	if (close(fd) && !ret)
		ret = p2pdma_fail(c->e, -errno, "%s: %s", tmp, strerror(errno));
	if (!ret)
		ret = verify(c, want, tmp);
	if (!ret && rename(tmp, c->out_path))
		ret = p2pdma_fail(c->e, -errno, "%s: cannot rename into place: %s", c->out_path,
				  strerror(errno));
	if (ret)
		unlink(tmp);
	p2pdma_temp_untrack(tmp);
	free(tmp);
	return ret;
}

int p2pdma_capture(const char *root, const char *out_path,
		   p2pdma_log_fn log, void *log_arg, struct p2pdma_error *e)
{
	struct capture c = {
		.root = root ? root : "/",
		.out_path = out_path,
		.log = log,
		.log_arg = log_arg,
		.e = e,
		.now = time(NULL),
	};
	struct p2pdma_fabric *want = NULL;
	struct stat st;
	int ret;

	if (!out_path || !*out_path)
		return p2pdma_fail(e, -EINVAL, "no file name for the capture");
	if (!stat(out_path, &st) && S_ISDIR(st.st_mode))
		return p2pdma_fail(e, -EISDIR, "%s: is a directory; name the capture file", out_path);
	if (geteuid() != 0)
		p2pdma_log(log, log_arg, P2PDMA_LOG_WARN,
			   "not running as root: config space will be captured as 64 bytes, so the ACS state will be unknown when the capture is loaded");
	ret = load_machine(&c, &want);
	if (!ret)
		ret = write_checked(&c, want);
	p2pdma_fabric_free(want);
	if (!ret)
		warn_short_config(&c);
	return ret;
}
