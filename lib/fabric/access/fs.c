// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The file-system method: a directory is a descriptor, and every call
 * is the sysfs_io.c one relative to it (no symlink followed unless read
 * as a link, FIFOs and devices never opened as files).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"

static int fs_read(const struct p2pdma_dir *d, const char *name, void *buf, size_t cap,
		   size_t *len)
{
	return p2pdma_read_at(d->fd, name, buf, cap, len);
}

static int fs_read_all(const struct p2pdma_dir *d, const char *name, size_t max,
		       char **buf, size_t *len)
{
	return p2pdma_read_all_at(d->fd, name, max, buf, len);
}

static int fs_readlink(const struct p2pdma_dir *d, const char *name, char *buf,
		       size_t cap, size_t *len)
{
	return p2pdma_readlink_at(d->fd, name, buf, cap, len);
}

static int fs_open_dir(const struct p2pdma_dir *d, const char *path, struct p2pdma_dir *out)
{
	int fd = p2pdma_open_dir_at(d->fd, path);

	if (fd < 0)
		return fd;
	*out = (struct p2pdma_dir){ .m = &p2pdma_access_fs, .fd = fd };
	return 0;
}

static int fs_list(const struct p2pdma_dir *d, bool (*want)(const char *name, void *arg),
		   void *arg, struct p2pdma_dirent **out, size_t *nr)
{
	return p2pdma_list_dir(d->fd, want, arg, out, nr);
}

static int fs_kind(const struct p2pdma_dir *d, const char *path)
{
	struct stat st;

	if (fstatat(d->fd, path, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return DT_DIR;
	if (S_ISLNK(st.st_mode))
		return DT_LNK;
	return S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

static void fs_close(struct p2pdma_dir *d)
{
	if (!d->borrowed)
		close(d->fd);
	d->fd = -1;
}

const struct p2pdma_access p2pdma_access_fs = {
	.name = "fs",
	.read = fs_read,
	.read_all = fs_read_all,
	.readlink = fs_readlink,
	.open_dir = fs_open_dir,
	.list = fs_list,
	.kind = fs_kind,
	.close = fs_close,
};

int p2pdma_dir_open_fs(const char *path, struct p2pdma_dir *out)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	out->m = NULL;
	if (fd < 0)
		return -errno;
	*out = (struct p2pdma_dir){ .m = &p2pdma_access_fs, .fd = fd };
	return 0;
}

struct p2pdma_dir p2pdma_dir_borrow_fd(int fd)
{
	return (struct p2pdma_dir){ .m = &p2pdma_access_fs, .fd = fd, .borrowed = true };
}
