// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --dot and --svg FILE for the commands that draw the machine (topo,
 * check): the DOT text on stdout, or a picture rendered by Graphviz's
 * "dot" program.  $P2PDMA_DOT names another dot program.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* dot's output format from the file name: .png, .pdf, otherwise SVG. */
static const char *render_format(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && !strcasecmp(path + n - 4, ".png"))
		return "-Tpng";
	if (n > 4 && !strcasecmp(path + n - 4, ".pdf"))
		return "-Tpdf";
	return "-Tsvg";
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static int render(const char *dot_text, const char *path)
{
	const char *prog = getenv("P2PDMA_DOT");
	char *argv[5];
	posix_spawn_file_actions_t fa;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int pfd[2], status, ret, wr;
	pid_t pid;

	if (!prog || !*prog)
		prog = "dot";
	argv[0] = (char *)prog;
	argv[1] = (char *)render_format(path);
	argv[2] = strcmp(path, "-") ? "-o" : NULL;
	argv[3] = (char *)path;
	argv[4] = NULL;
	if (pipe2(pfd, O_CLOEXEC))
		return cli_error("cannot render %s: %m", path);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[0], STDIN_FILENO);
	ret = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[0]);
	if (ret) {
		close(pfd[1]);
		if (ret == ENOENT)
			return cli_error("cannot render %s: Graphviz's '%s' program is not installed; install it (Debian, Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz) or use --dot and render the graph elsewhere",
					 path, prog);
		return cli_error("cannot render %s: cannot run '%s': %s", path, prog, strerror(ret));
	}
	/* If dot dies early, a write error is the answer, not SIGPIPE. */
	sigaction(SIGPIPE, &ign, &old);
	wr = write_all(pfd[1], dot_text, strlen(dot_text));
	close(pfd[1]);
	sigaction(SIGPIPE, &old, NULL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cli_error("cannot render %s: waitpid: %m", path);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return cli_error("'%s' could not render %s (exit status %d)", prog, path,
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (wr)
		return cli_error("cannot render %s: '%s' stopped reading its input", path, prog);
	return EXIT_OK;
}

int cli_dot_output(const struct p2pdma_fabric *f, const struct p2pdma_dot_opts *opts,
		   const char *svg_path)
{
	struct p2pdma_error e = { 0 };
	char *text;
	int ret;

	if (p2pdma_fabric_write_dot(f, opts, &text, &e))
		return cli_lib_error(&e);
	ret = svg_path ? render(text, svg_path) : cli_print(text);
	free(text);
	return ret;
}
