// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_scratch.h"

static char scratch[256];

static void remove_scratch(void)
{
	fuzz_empty_dir(scratch);
	rmdir(scratch);
}

const char *fuzz_scratch(void)
{
	char tmp[300];

	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof(scratch), "%s/p2pdma-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(scratch))
		abort();
	snprintf(tmp, sizeof(tmp), "%s/tmp", scratch);
	if (mkdir(tmp, 0700) || setenv("TMPDIR", tmp, 1))
		abort();
	atexit(remove_scratch);
	return scratch;
}

char *fuzz_scratch_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", fuzz_scratch(), rel);
	return buf;
}

void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd))
		abort();
}

void fuzz_tmp_is_clean(void)
{
	char tmp[300];
	DIR *d;
	struct dirent *de;

	d = opendir(fuzz_scratch_path(tmp, sizeof(tmp), "tmp"));
	if (!d)
		abort();
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			abort();	/* a temporary file or directory was left behind */
	closedir(d);
}

static void empty(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d)
		abort();
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

			if (sub < 0)
				abort();
			empty(sub);
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR))
				abort();
		} else if (unlinkat(dirfd(d), de->d_name, 0)) {
			abort();
		}
	}
	closedir(d);
}

void fuzz_empty_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

	if (fd < 0)
		abort();
	empty(fd);
}
