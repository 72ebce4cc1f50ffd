// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"

char *tu_data_path(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/tests/data/%s", P2PDMA_SOURCE_ROOT, rel) < 0)
		return NULL;
	return p;
}

char *tu_real_path(const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/tests/data/real/%s", P2PDMA_SOURCE_ROOT, rel) < 0)
		return NULL;
	return p;
}

const char *tu_p2pdma_bin(void)
{
	const char *b = getenv("P2PDMA_BIN");

	return b ? b : "p2pdma";
}

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

int tu_run(char **out, char **err, const char *fmt, ...)
{
	char *cmd, *errfile = NULL;
	int status, efd = -1;
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) < 0) {
		va_end(ap);
		return -1;
	}
	va_end(ap);
	if (err) {
		char tmpl[] = "/tmp/p2pdma-test-err-XXXXXX";
		char *full;

		efd = mkstemp(tmpl);
		if (efd < 0) {
			free(cmd);
			return -1;
		}
		errfile = strdup(tmpl);
		if (asprintf(&full, "( %s ) 2>%s", cmd, tmpl) < 0) {
			free(cmd);
			return -1;
		}
		free(cmd);
		cmd = full;
	}
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	{
		char *o = slurp_fd(fileno(p));

		if (out)
			*out = o;
		else
			free(o);
	}
	status = pclose(p);
	if (err) {
		lseek(efd, 0, SEEK_SET);
		*err = slurp_fd(efd);
		close(efd);
		unlink(errfile);
		free(errfile);
	}
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

struct tu_output tu_capture(const char *fmt, ...)
{
	struct tu_output r = { 0 };
	char *cmd;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	r.status = tu_run(&r.out, &r.err, "%s", cmd);
	assert_non_null(r.out);
	assert_non_null(r.err);
	free(cmd);
	return r;
}

void tu_output_free(struct tu_output *o)
{
	free(o->out);
	free(o->err);
}

char *tu_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char *p;

	if (asprintf(&p, "%s/p2pdma-test-XXXXXX", t ? t : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(p)) {
		free(p);
		return NULL;
	}
	return p;
}

void tu_rmtree(const char *dir)
{
	char *cmd;

	if (!dir || strncmp(dir, "/tmp/", 5) != 0 || strstr(dir, ".."))
		return;
	if (asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		return;
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
}

char *tu_read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *b;

	if (fd < 0)
		return NULL;
	b = slurp_fd(fd);
	close(fd);
	if (b && len)
		*len = strlen(b);
	return b;
}

int tu_write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

struct p2pdma_fabric *tu_load(const char *path)
{
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	if (p2pdma_fabric_load(&o, &f, &e))
		fail_msg("loading %s failed: %s", path, e.reason);
	return f;
}

struct p2pdma_function *tu_fn(const struct p2pdma_fabric *f, const char *bdf)
{
	struct p2pdma_function *fn = NULL;
	struct p2pdma_error e = { 0 };

	if (p2pdma_fabric_lookup(f, bdf, &fn, &e))
		fail_msg("no function %s: %s", bdf, e.reason);
	return fn;
}

int tu_load_fails(const char *path, struct p2pdma_error *e)
{
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_fabric *f = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = p2pdma_fabric_load(&o, &f, e);
	if (!ret) {
		p2pdma_fabric_free(f);
		fail_msg("loading %s succeeded but should have failed", path);
	}
	assert_null(f);
	assert_true(e->reason[0] != '\0');
	return ret;
}

void tu_assert_refusals(const char *dir, const struct tu_refusal *bad, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char rel[128], *path, want[512];
		struct p2pdma_error e;

		snprintf(rel, sizeof(rel), "%s/%s", dir, bad[i].file);
		path = tu_data_path(rel);
		tu_load_fails(path, &e);
		if (bad[i].line)
			snprintf(want, sizeof(want), "%s:%d: ", path, bad[i].line);
		else
			snprintf(want, sizeof(want), "%s: ", path);
		if (strncmp(e.reason, want, strlen(want)) || !strstr(e.reason, bad[i].says))
			fail_msg("%s: got \"%s\", want \"%s...%s\"", bad[i].file, e.reason, want,
				 bad[i].says);
		/* One line. */
		assert_null(strchr(e.reason, '\n'));
		free(path);
	}
}

uint64_t tu_seed(void)
{
	static uint64_t seed;
	const char *s = getenv("P2PDMA_SEED");

	if (seed)
		return seed;
	/*
	 * A fixed default, so a run that passes today passes tomorrow and a
	 * kill by a property test is not luck; "random" opts in to a new one.
	 */
	if (!s || !*s)
		seed = TU_DEFAULT_SEED;
	else if (!strcmp(s, "random"))
		seed = (uint64_t)time(NULL) * 2654435761u + (uint64_t)getpid();
	else
		seed = strtoull(s, NULL, 0);
	if (!seed)
		seed = 1;
	fprintf(stderr, "# seed %llu (rerun with P2PDMA_SEED=%llu)\n",
		(unsigned long long)seed, (unsigned long long)seed);
	return seed;
}

bool tu_names_place(const char *reason, const char *file)
{
	size_t n = strlen(file);
	const char *p = reason + n;

	if (strncmp(reason, file, n))
		return false;
	if (!strncmp(p, ": $", 3))
		return true;
	/* A model-level check names the function ("FILE: 0000:03:00.0: ..."). */
	if (!strncmp(p, ": ", 2) && strlen(p) > 14 && p[6] == ':' && p[9] == ':' &&
	    p[12] == '.' && (p[14] == ':' || p[14] == ' '))
		return true;
	if (*p != ':' || p[1] < '0' || p[1] > '9')
		return false;
	for (p++; *p >= '0' && *p <= '9'; p++)
		;
	return *p == ':';
}

uint64_t tu_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ULL;
}
