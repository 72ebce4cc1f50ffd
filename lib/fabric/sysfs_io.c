// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading sysfs-like trees through directory descriptors, without ever
 * following a symlink by accident: a capture is outside input, and a
 * link in it may point anywhere.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysfs_io.h"
#include "util.h"

/* Tell why an O_NOFOLLOW open failed: a symlink gives ELOOP (or ENXIO/EMLINK on some systems). */
static int open_errno(int dirfd, const char *name, int err)
{
	struct stat st;

	if ((err == ELOOP || err == EMLINK || err == ENOTDIR) &&
	    !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

/*
 * Nothing read: a FIFO with no writer (or /dev/null) reads as an empty
 * file, which the loader would then misreport ("'' is not a hex
 * number"); -ESPIPE says what it is.  Asked only when nothing came, so
 * a good attribute costs no fstat().
 */
static int empty_read(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && !S_ISREG(st.st_mode) ? -ESPIPE : 0;
}

/*
 * sysfs fills an attribute in one read, and a regular file gives less
 * than asked only at its end, so a short read is the end: no second
 * read to see 0.  (/proc files are seq_files: read those with
 * p2pdma_read_all_at(), which reads until 0.)
 */
static int read_fd(int fd, char *buf, size_t cap, size_t *len)
{
	char extra;
	ssize_t n;

	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == cap) {
		/* Exactly full or too long: one byte more tells. */
		do
			n = read(fd, &extra, 1);
		while (n < 0 && errno == EINTR);
		if (n)
			return n < 0 ? -errno : -EFBIG;
		n = (ssize_t)cap;
	}
	*len = (size_t)n;
	return n ? 0 : empty_read(fd);
}

int p2pdma_read_at(int dirfd, const char *name, void *buf, size_t cap, size_t *len)
{
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_errno(dirfd, name, errno);
	ret = read_fd(fd, buf, cap, len);
	close(fd);
	return ret;
}

int p2pdma_read_all_at(int dirfd, const char *name, size_t max, char **buf,
		       size_t *len)
{
	size_t cap = 4096, got = 0;
	char *b = NULL;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_errno(dirfd, name, errno);
	for (;;) {
		ssize_t n;

		if (!b || got == cap) {
			char *nb;

			if (b)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			if (got >= cap) {
				ret = -EFBIG;
				break;
			}
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
		}
		n = read(fd, b + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (!ret && !got)
		ret = empty_read(fd);
	close(fd);
	if (!ret && got > max)
		ret = -EFBIG;
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = got;
	return 0;
}

int p2pdma_open_dir_at(int dirfd, const char *path)
{
	const char *p = path;
	int fd = dirfd;

	while (*p) {
		char comp[256];
		size_t n = strcspn(p, "/");
		int nfd;

		if (n >= sizeof(comp)) {
			if (fd != dirfd)
				close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		if (!n)
			continue;
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0)
			nfd = open_errno(fd, comp, errno);
		if (fd != dirfd)
			close(fd);
		if (nfd < 0)
			return nfd;
		fd = nfd;
	}
	if (fd == dirfd) {
		fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
	}
	return fd;
}

int p2pdma_readlink_at(int dirfd, const char *name, char *buf, size_t cap,
		       size_t *len)
{
	ssize_t n = readlinkat(dirfd, name, buf, cap);

	if (n < 0)
		return -errno;
	if ((size_t)n >= cap)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static int dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct p2pdma_dirent *)a)->name,
		      ((const struct p2pdma_dirent *)b)->name);
}

static unsigned char entry_type(int dirfd, const char *name, unsigned char d_type)
{
	struct stat st;

	if (d_type != DT_UNKNOWN)
		return d_type;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return DT_UNKNOWN;
	if (S_ISDIR(st.st_mode))
		return DT_DIR;
	if (S_ISLNK(st.st_mode))
		return DT_LNK;
	if (S_ISREG(st.st_mode))
		return DT_REG;
	return DT_UNKNOWN;
}

void p2pdma_dirents_free(struct p2pdma_dirent *d, size_t nr)
{
	(void)nr;		/* the names are in the same block */
	free(d);
}

int p2pdma_dirlist_add(struct p2pdma_dirlist *l, const char *name, unsigned char type)
{
	size_t len = strlen(name) + 1;

	/* Room for a function directory's names at once: growing costs a copy. */
	if (p2pdma_grow((void **)&l->v, &l->cap, l->n < 32 ? 32 : l->n + 1, sizeof(*l->v)) ||
	    p2pdma_grow((void **)&l->names, &l->names_cap,
			l->len + len < 512 ? 512 : l->len + len, 1))
		return -ENOMEM;
	memcpy(l->names + l->len, name, len);
	l->v[l->n].off = l->len;
	l->v[l->n++].type = type;
	l->len += len;
	return 0;
}

void p2pdma_dirlist_discard(struct p2pdma_dirlist *l)
{
	free(l->v);
	free(l->names);
	*l = (struct p2pdma_dirlist){ 0 };
}

int p2pdma_dirlist_finish(struct p2pdma_dirlist *l, struct p2pdma_dirent **out, size_t *nr)
{
	struct p2pdma_dirent *d = NULL;
	char *names;
	size_t i;

	if (l->n) {
		d = malloc(l->n * sizeof(*d) + l->len);
		if (!d) {
			p2pdma_dirlist_discard(l);
			return -ENOMEM;
		}
		names = (char *)(d + l->n);
		memcpy(names, l->names, l->len);
		for (i = 0; i < l->n; i++) {
			d[i].name = names + l->v[i].off;
			d[i].type = l->v[i].type;
		}
		qsort(d, l->n, sizeof(*d), dirent_cmp);
	}
	*out = d;
	*nr = l->n;
	p2pdma_dirlist_discard(l);
	return 0;
}

/* The kernel's struct linux_dirent64, which glibc does not declare. */
struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int add_entry(int dirfd, const struct dirent64_raw *de,
		     bool (*want)(const char *name, void *arg), void *arg,
		     struct p2pdma_dirlist *l)
{
	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return 0;
	if (want && !want(de->d_name, arg))
		return 0;
	return p2pdma_dirlist_add(l, de->d_name, entry_type(dirfd, de->d_name, de->d_type));
}

/*
 * getdents64 straight on the caller's descriptor: opendir() would cost
 * a dup, a flags check and a close per directory, which adds up over
 * thousands of device directories.
 */
int p2pdma_list_dir(int dirfd, bool (*want)(const char *name, void *arg), void *arg,
		    struct p2pdma_dirent **out, size_t *nr)
{
	struct p2pdma_dirlist l = { 0 };
	/*
	 * On the stack: a sysfs device directory (some 30 names) fits many
	 * times over, and a directory per call is listed over and over.
	 */
	char buf[8192] __attribute__((aligned(8)));
	long got;
	int ret = 0;

	if (lseek(dirfd, 0, SEEK_SET) < 0)
		return -errno;
	while (!ret && (got = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
		long pos = 0;

		while (!ret && pos < got) {
			const struct dirent64_raw *de = (const void *)(buf + pos);

			ret = add_entry(dirfd, de, want, arg, &l);
			pos += de->d_reclen;
		}
	}
	if (!ret && got < 0)
		ret = -errno;
	if (ret) {
		p2pdma_dirlist_discard(&l);
		return ret;
	}
	return p2pdma_dirlist_finish(&l, out, nr);
}
