// SPDX-License-Identifier: LGPL-2.1-or-later
/* Whole text files for the loaders that parse from memory, and excerpts for messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

/*
 * Whether @path may be read as a stream: a pipe the shell made for us
 * (process substitution, /dev/fd/N) has its writer already.  A named
 * FIFO may never get one, and a device may never end: both are refused.
 */
bool p2pdma_is_shell_pipe(const char *path)
{
	return !strncmp(path, "/dev/fd/", 8) || !strncmp(path, "/proc/self/fd/", 14);
}

int p2pdma_open_input(const char *path, struct p2pdma_error *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return p2pdma_fail(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return p2pdma_fail(e, err, "%s: %s", path, strerror(-err));
	}
	if (!S_ISREG(st.st_mode) && !(S_ISFIFO(st.st_mode) && p2pdma_is_shell_pipe(path))) {
		close(fd);
		return p2pdma_fail(e, -EINVAL, "%s: not a regular file%s", path,
				   S_ISFIFO(st.st_mode) ? " (a named pipe)" :
				   S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? " (a device)" : "");
	}
	/* Regular files never block; a shell's pipe may, and that is fine. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int p2pdma_read_fd(int fd, const char *name, size_t max, char **buf, size_t *len,
		   struct p2pdma_error *e)
{
	size_t cap = 0, n = 0;
	char *b = NULL;
	ssize_t got;

	*buf = NULL;
	for (;;) {
		/* Grow to at most @max + 1: one byte over says "too large". */
		if (n == cap) {
			size_t want = cap ? cap * 2 : 65536;
			char *nb;

			if (cap > max) {
				free(b);
				return p2pdma_fail(e, -EFBIG, "%s: larger than %zu MiB: not a machine description",
						   name, max >> 20);
			}
			if (want > max + 1)
				want = max + 1;
			nb = realloc(b, want + 1);
			if (!nb) {
				free(b);
				return p2pdma_fail(e, -ENOMEM, "out of memory");
			}
			b = nb;
			cap = want;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = -errno;

			free(b);
			return p2pdma_fail(e, err, "%s: read error: %s", name, strerror(-err));
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int p2pdma_read_file(const char *path, size_t max, char **buf, size_t *len,
		     struct p2pdma_error *e)
{
	int fd = p2pdma_open_input(path, e), ret;

	*buf = NULL;
	if (fd < 0)
		return fd;
	ret = p2pdma_read_fd(fd, path, max, buf, len, e);
	close(fd);
	return ret;
}

char *p2pdma_excerpt(char *out, size_t outlen, const char *s, size_t n, size_t max)
{
	size_t i, k = 0;

	if (!outlen)
		return out;
	for (i = 0; i < n && i < max && k + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < n && k + 4 < outlen) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}
