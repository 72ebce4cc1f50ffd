// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma copy as a user meets it: the report, its JSON keys, the exit
 * statuses (0 copied, 2 bad usage or input with one error line and
 * nothing written), --backing keeping bytes between runs, and the
 * manual page covering every option --help names.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define P tu_p2pdma_bin()
#define M "-i builtin:dual-xeon-8gpu"

struct run {
	int status;
	char *out, *err;
};

/* Run a shell command line, keeping its status and both outputs. */
#define RUN(r, ...) ((r).status = tu_run(&(r).out, &(r).err, __VA_ARGS__))

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void test_text(void **state)
{
	struct run r;

	(void)state;
	RUN(r, "%s %s copy 0000:d0:00.0 0000:b6:00.0 1M --check", P, M);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Buffer: 0000:d0:00.0, 4 x 128 KiB"));
	assert_non_null(strstr(r.out, "through host memory: 0 B"));
	assert_non_null(strstr(r.out, "Check: destination equals source (1048576 bytes)"));
	assert_non_null(strstr(r.out, "root complex (pci0000:ca)"));
	run_free(&r);
}

static json_object *key(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("no key '%s'", k);
	return v;
}

static void test_json(void **state)
{
	double sec, rate;
	struct run r;
	json_object *o;

	(void)state;
	RUN(r, "%s %s copy 0000:d0:00.0 0000:b6:00.0@1M 3M --via host --json", P, M);
	assert_int_equal(r.status, 0);
	o = json_tokener_parse(r.out);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(key(o, "backend")), "sim");
	assert_int_equal(json_object_get_uint64(key(o, "bytes")), 3 << 20);
	assert_string_equal(json_object_get_string(key(o, "via")), "host");
	assert_null(key(o, "fallback"));
	assert_int_equal(json_object_get_uint64(key(o, "host_memory_bytes")), 6 << 20);
	assert_null(key(o, "data_ok"));		/* not checked */
	/* The bandwidth model's time for the bytes it moved: rate x time = bytes. */
	sec = json_object_get_double(key(o, "modelled_seconds"));
	rate = json_object_get_double(key(o, "modelled_throughput"));
	assert_true(sec > 0 && rate > 0);
	assert_true(fabs(sec * rate - (double)(3 << 20)) < (double)(3 << 20) * 1e-6);
	json_object_put(o);
	run_free(&r);
}

/* --via a provider the kernel refuses for the source: fallback, said in one line. */
static void test_fallback(void **state)
{
	char *m = tu_data_path("../sim/data/mixed.json");
	struct run r;
	json_object *o;

	(void)state;
	RUN(r, "%s -i %s copy 0000:81:00.0 0000:08:00.0 1M --via 0000:08:00.0 --check --json", P, m);
	assert_int_equal(r.status, 0);
	o = json_tokener_parse(r.out);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(key(o, "via")), "host");
	assert_non_null(strstr(json_object_get_string(key(o, "fallback")), "NOT_SUPPORTED"));
	assert_true(json_object_get_boolean(key(o, "data_ok")));
	json_object_put(o);
	run_free(&r);
	free(m);
}

/* Bad input: one line on stderr naming the problem, exit 2, nothing on stdout. */
static void test_bad_input(void **state)
{
	static const struct {
		const char *args, *says;
	} bad[] = {
		{ "0000:77:00.0 0000:b6:00.0 1M", "no such device" },
		{ "0000:1a:00.0 0000:b6:00.0 1M", "not an NVMe controller" },
		{ "0000:d0:00.0 0000:b6:00.0 0", "SIZE 0" },
		{ "0000:d0:00.0 0000:b6:00.0 2T", "past its end" },
		{ "0000:d0:00.0 0000:d0:00.0@4K 1M", "overlap" },
		{ "0000:d0:00.0 0000:b6:00.0 1M --via 0000:1a:00.0", "has no p2pmem" },
		{ "0000:d0:00.0 0000:b6:00.0 1M --via 0000:d0:00.0 --chunk 32M", "do not fit" },
		{ "0000:d0:00.0 0000:b6:00.0 1M --via nowhere", "--via 'nowhere'" },
		{ "0000:d0:00.0/x 0000:b6:00.0 1M", "namespace ID" },
		{ "0000:d0:00.0 0000:b6:00.0 1M --backend linux", "is not one" },
		{ "0000:d0:00.0 0000:b6:00.0", "SRC DST SIZE" },
		{ "0000:d0:00.0 0000:b6:00.0 1M --depth 0", "--depth" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;

		RUN(r, "%s %s copy %s", P, M, bad[i].args);
		if (r.status != 2 || !strstr(r.err, bad[i].says) || r.out[0])
			fail_msg("copy %s: status %d, stderr '%s' (wanted 2 and '%s')", bad[i].args,
				 r.status, r.err, bad[i].says);
		run_free(&r);
	}
}

/* --backing DIR: what one run wrote, the next run reads. */
static void test_backing(void **state)
{
	char *dir = tu_mkdtemp();
	struct run r;

	(void)state;
	RUN(r, "%s %s copy 0000:d0:00.0 0000:b6:00.0 1M --backing %s", P, M, dir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/*
	 * The first run wrote d0's first MiB (its pattern) into b6's file.  A
	 * second run copies b6 to d0@1M: only if it reads back what the first
	 * run left in b6's file (not b6's own pattern) do the two files agree.
	 */
	RUN(r, "%s %s copy 0000:b6:00.0 0000:d0:00.0@1M 1M --backing %s --check && "
		"cmp -i 1048576:0 -n 1048576 %s/0000:d0:00.0-n1.img %s/0000:b6:00.0-n1.img",
		P, M, dir, dir, dir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tu_rmtree(dir);
	free(dir);
}

static void test_man_page(void **state)
{
	char *man, *path, want[96];
	struct run r;
	const char *s;

	(void)state;
	RUN(r, "%s copy --help", P);
	assert_int_equal(r.status, 0);
	assert_true(asprintf(&path, "%s/doc/p2pdma.1", P2PDMA_SOURCE_ROOT) > 0);
	man = tu_read_file(path, NULL);
	assert_non_null(man);
	assert_non_null(strstr(man, ".SS copy"));
	for (s = strstr(r.out, "--"); s; s = strstr(s + 2, "--")) {
		size_t n = strspn(s + 2, "abcdefghijklmnopqrstuvwxyz-"), o = 0, i;

		for (i = 0; i < n + 2 && o + 3 < sizeof(want); i++) {
			if (s[i] == '-')
				want[o++] = '\\';
			want[o++] = s[i];
		}
		want[o] = 0;
		if (n && !strstr(man, want))
			fail_msg("doc/p2pdma.1 lacks %.*s of 'copy'", (int)n + 2, s);
	}
	free(man);
	free(path);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_backing),
		cmocka_unit_test(test_man_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
