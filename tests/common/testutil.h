/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the cmocka suites: where the test data is, running the CLI,
 * scratch directories, reading whole files.
 */
#ifndef P2PDMA_TESTUTIL_H
#define P2PDMA_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "p2pdma.h"

/* Absolute path of a file under tests/data (static buffer per call site is not kept: caller frees). */
char *tu_data_path(const char *rel);

/* The real captures copied from shared/testdata: tests/data/real/REL. */
char *tu_real_path(const char *rel);

/* The built p2pdma binary ($P2PDMA_BIN). */
const char *tu_p2pdma_bin(void);

/*
 * Run a shell command line; stdout and stderr are captured into malloc'ed
 * strings (either may be NULL).  Returns the exit status, or -1.
 */
int tu_run(char **out, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A command's exit status and both outputs (never NULL). */
struct tu_output {
	int status;
	char *out, *err;
};

/* tu_run() keeping everything; fails the test when the command cannot run. */
struct tu_output tu_capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tu_output_free(struct tu_output *o);

/* A fresh scratch directory under $TMPDIR; remove with tu_rmtree(). */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);

/* Whole file into a NUL-terminated buffer; NULL on error. */
char *tu_read_file(const char *path, size_t *len);
int tu_write_file(const char *path, const char *data, size_t len);

/* Load any source through the public loader; fails the test on error. */
struct p2pdma_fabric *tu_load(const char *path);

/* The function at @bdf ("BB:DD.F" or "DDDD:BB:DD.F"); fails the test when absent. */
struct p2pdma_function *tu_fn(const struct p2pdma_fabric *f, const char *bdf);
/* Load, expecting failure; returns the error (reason checked by caller). */
int tu_load_fails(const char *path, struct p2pdma_error *e);

/* A file of tests/data/@dir that the loaders must refuse, and how. */
struct tu_refusal {
	const char *file;
	int line;		/* the reason starts "PATH:LINE: "; 0: "PATH: " */
	const char *says;	/* and contains this */
};

/* Each of @bad is refused with a one-line reason as it says. */
void tu_assert_refusals(const char *dir, const struct tu_refusal *bad, size_t n);

/*
 * A seed for property tests: TU_DEFAULT_SEED, or $P2PDMA_SEED (a number,
 * or "random" for one from the time and pid); printed once to stderr, so
 * a failing run's log names the seed that repeats it.
 */
#define TU_DEFAULT_SEED 1
uint64_t tu_seed(void);

/*
 * Whether a loader's reason names a place in @file: "FILE:LINE: ...",
 * "FILE:LINE:COL: ...", "FILE: $.json.path..." or, for a check on the
 * whole model, "FILE: DDDD:BB:DD.F: ..." naming the function.
 */
bool tu_names_place(const char *reason, const char *file);
/* xorshift64* generator. */
uint64_t tu_rand(uint64_t *state);

#endif /* P2PDMA_TESTUTIL_H */
