/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The p2pdma command-line tool: shared state and helpers for subcommands.
 * Each subcommand lives in cmd_NAME.c and is listed in main.c.
 */
#ifndef P2PDMA_CLI_H
#define P2PDMA_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "p2pdma.h"

/* Exit statuses every subcommand uses. */
#define EXIT_OK		0
#define EXIT_NO		1	/* the answer is "no" (e.g. P2P not possible) */
#define EXIT_USAGE	2	/* bad usage or bad input */

struct cli {
	const char *input;		/* -i; NULL = the live machine */
	enum p2pdma_input_format format;
	const char *builtin_dir;	/* $P2PDMA_MACHINES_DIR, or NULL */
	const char *kernel;		/* --kernel: what-if release, or NULL */
};

struct cli_command {
	const char *name;
	const char *args;		/* one-line synopsis after the name */
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/*
 * Load the machine named by -i (or the live one), with --kernel's release
 * in place of its own; prints the error itself.
 */
struct p2pdma_fabric *cli_load(const struct cli *cli);

/* --kernel VERSION: checked now, applied by cli_load(); -1 (printed) when bad. */
int cli_kernel_option(struct cli *cli, const char *arg);
/* SIGINT/SIGTERM/SIGHUP remove the library's temporary files first. */
void cli_catch_signals(void);

/* "p2pdma: error: ..." on stderr; returns EXIT_USAGE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a library error; returns EXIT_USAGE. */
int cli_lib_error(const struct p2pdma_error *e);
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The log hook handed to the library: warnings go to stderr. */
void cli_log(void *arg, enum p2pdma_log_level level, const char *msg);

/* Print a command's usage ("Usage: p2pdma [-i SRC] NAME ARGS") and options. */
void cli_usage(FILE *out, const struct cli_command *cmd, const char *options);

/* @v as a JSON string "0x..." (addresses do not fit JSON's doubles). */
struct json_object *cli_json_hex(uint64_t v);

/* Print @o, pretty, and a newline; drops the reference.  An exit status. */
int cli_print_json(struct json_object *o);

/* Write @s to stdout; returns EXIT_OK, or EXIT_USAGE if stdout failed. */
int cli_print(const char *s);
/*
 * Close the open_memstream() @b over *@out (set only once it is closed),
 * print it, free it.  An exit status.
 */
int cli_print_stream(FILE *b, char **out);

/*
 * --dot / --svg FILE: the fabric as Graphviz DOT on stdout (@svg_path
 * NULL), or rendered into @svg_path by Graphviz's dot ($P2PDMA_DOT
 * overrides the program; .png and .pdf names pick those formats; "-"
 * is stdout).  Prints its own errors; returns an exit status.
 */
int cli_dot_output(const struct p2pdma_fabric *f, const struct p2pdma_dot_opts *opts,
		   const char *svg_path);

/*
 * The "what if" options of check, matrix and find: their getopt entries,
 * their help lines, and the handler for getopt's answer.
 */
#define CLI_WHATIF_LONGOPTS \
	{ "cmdline", required_argument, NULL, 'C' }, \
	{ "iommu", required_argument, NULL, 'I' }, \
	{ "cpu", required_argument, NULL, 'U' }
#define CLI_WHATIF_HELP \
	"      --cmdline 'ARGS'  what if the kernel booted with ARGS: applies its\n" \
	"                        pci=disable_acs_redir= and pci=config_acs= exactly as\n" \
	"                        the kernel parses them (in memory, not to the machine)\n" \
	"      --iommu on|off    on: what if an IOMMU requests ACS (the kernel then sets\n" \
	"                        SV, RR, CR and UF where the hardware has them); off\n" \
	"                        (default): the registers as loaded\n" \
	"      --cpu CPU         what if the CPU were amd-zen, intel, hygon, zhaoxin or\n" \
	"                        VENDOR:FAMILY[:MODEL] (e.g. AuthenticAMD:0x15)\n"

/*
 * If getopt's @c is a what-if option, record @arg in @w.  Returns 1 when
 * it was one, 0 when it was not, -1 when @arg is bad (already printed).
 */
int cli_whatif_option(int c, const char *arg, struct p2pdma_whatif *w);

/*
 * Options of a command that takes only --json and --help: -1 to go on
 * (optind at the first argument), else the exit status to return.
 */
int cli_json_opts(const struct cli_command *cmd, const char *options, int argc,
		  char **argv, bool *json);

int cmd_topo(struct cli *cli, int argc, char **argv);
int cmd_capture(struct cli *cli, int argc, char **argv);
int cmd_machines(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_matrix(struct cli *cli, int argc, char **argv);
int cmd_find(struct cli *cli, int argc, char **argv);
int cmd_alloc(struct cli *cli, int argc, char **argv);
int cmd_map(struct cli *cli, int argc, char **argv);
int cmd_copy(struct cli *cli, int argc, char **argv);
int cmd_simulate(struct cli *cli, int argc, char **argv);
int cmd_doctor(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);

extern const struct cli_command cli_commands[];
const struct cli_command *cli_find_command(const char *name);

#endif /* P2PDMA_CLI_H */
