// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by the subcommands: loading the machine, errors, usage.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

/*
 * One message on one line of stderr: control characters from names in
 * the input (a newline, an escape sequence) are shown as '?'.
 */
static void message(const char *kind, const char *fmt, va_list ap)
{
	char buf[2048], *c;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (c = buf; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "p2pdma: %s: %s\n", kind, buf);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("error", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("warning", fmt, ap);
	va_end(ap);
}

int cli_lib_error(const struct p2pdma_error *e)
{
	return cli_error("%s", e->reason[0] ? e->reason : "unknown error");
}

void cli_log(void *arg, enum p2pdma_log_level level, const char *msg)
{
	(void)arg;
	if (level == P2PDMA_LOG_WARN)
		cli_warn("%s", msg);
	else if (getenv("P2PDMA_DEBUG"))
		fprintf(stderr, "p2pdma: %s\n", msg);
}

struct p2pdma_fabric *cli_load(const struct cli *cli)
{
	struct p2pdma_load_opts o = {
		.path = cli->input,
		.format = cli->format,
		.builtin_dir = cli->builtin_dir,
		.log = cli_log,
	};
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;

	if (p2pdma_fabric_load(&o, &f, &e)) {
		cli_lib_error(&e);
		return NULL;
	}
	if (cli->kernel && p2pdma_fabric_set_kernel_release(f, cli->kernel)) {
		cli_error("out of memory");
		p2pdma_fabric_free(f);
		return NULL;
	}
	return f;
}

void cli_usage(FILE *out, const struct cli_command *cmd, const char *options)
{
	fprintf(out, "Usage: p2pdma [-i SRC] %s%s%s\n\n%s\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->summary);
	if (options && *options)
		fprintf(out, "\nOptions:\n%s", options);
	fputs("\nSee p2pdma(1) and 'p2pdma --help' for -i and the other global options.\n",
	      out);
}

int cli_print(const char *s)
{
	if (fputs(s, stdout) == EOF || fflush(stdout))
		return cli_error("cannot write the output: %m");
	return EXIT_OK;
}

int cli_print_stream(FILE *b, char **out)
{
	int ret;

	if (fclose(b)) {
		free(*out);
		return cli_error("out of memory");
	}
	ret = cli_print(*out);
	free(*out);
	return ret;
}

int cli_whatif_option(int c, const char *arg, struct p2pdma_whatif *w)
{
	struct p2pdma_error e = { 0 };
	const char *name;

	switch (c) {
	case 'C':
		name = "cmdline";
		break;
	case 'I':
		name = "iommu";
		break;
	case 'U':
		name = "cpu";
		break;
	default:
		return 0;
	}
	if (p2pdma_whatif_set(w, name, arg, &e)) {
		cli_lib_error(&e);
		return -1;
	}
	return 1;
}

struct json_object *cli_json_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

int cli_print_json(struct json_object *o)
{
	int ret = cli_print(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE));

	if (ret == EXIT_OK)
		ret = cli_print("\n");
	json_object_put(o);
	return ret;
}

int cli_kernel_option(struct cli *cli, const char *arg)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_kver k;

	if (p2pdma_kver_parse(arg, &k, &e)) {
		cli_error("--kernel: %s", e.reason);
		return -1;
	}
	cli->kernel = arg;
	return 0;
}

int cli_json_opts(const struct cli_command *cmd, const char *options, int argc,
		  char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			*json = true;
			continue;
		}
		cli_usage(c == 'h' ? stdout : stderr, cmd, options);
		return c == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	return -1;
}
