// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Namespaces in the machine description ("nvme_namespaces", see
 * doc/json-format.md): read, written back the same, used by the NVMe
 * model, and every malformed one refused with its JSON path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "p2pdma/sim.h"

/* tests/data/json/small.json with @ns as 0000:01:00.0's namespaces, in @dir. */
static char *with_ns(const char *dir, const char *ns)
{
	char *src = tu_data_path("json/small.json"), *text = tu_read_file(src, NULL), *out, *path;
	const char *at;

	assert_non_null(text);
	at = strstr(text, "\"driver\": \"nvme\",");
	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s\"nvme_namespaces\": %s, %s", (int)(at - text), text, ns, at) > 0);
	assert_true(asprintf(&path, "%s/m.json", dir) > 0);
	assert_int_equal(tu_write_file(path, out, strlen(out)), 0);
	free(src);
	free(text);
	free(out);
	return path;
}

static void test_read_use_write(void **state)
{
	char *dir = tu_mkdtemp(), *path = with_ns(dir,
		"[{\"nsid\": 2, \"blocks\": 1000, \"block_size\": 4096}, {\"nsid\": 9, \"blocks\": 8, \"block_size\": 512}]");
	struct p2pdma_fabric *f = tu_load(path), *g;
	struct p2pdma_load_opts o = { .path = path };
	struct p2pdma_function *fn;
	struct p2pdma_sim_ns_info ni;
	struct p2pdma_sim *s;
	struct p2pdma_error e = { 0 };
	char *json;

	(void)state;
	assert_int_equal(p2pdma_fabric_lookup(f, "0000:01:00.0", &fn, &e), 0);
	assert_int_equal(fn->nr_nvme_ns, 2);
	assert_int_equal(fn->nvme_ns[1].nsid, 9);
	assert_int_equal(p2pdma_sim_new(f, &(struct p2pdma_sim_opts){ .ns_in_memory = true }, &s, &e), 0);
	assert_int_equal(p2pdma_sim_nvme_nr_ns(p2pdma_sim_nvme(s, fn)), 2);
	assert_int_equal(p2pdma_sim_nvme_ns(p2pdma_sim_nvme(s, fn), 2, &ni, &e), 0);
	assert_int_equal(ni.nr_blocks, 1000);
	assert_int_equal(ni.block_size, 4096);
	assert_int_equal(p2pdma_sim_nvme_ns(p2pdma_sim_nvme(s, fn), 1, &ni, &e), -ENOENT);
	p2pdma_sim_free(s);
	/* Written back, it reads the same. */
	assert_int_equal(p2pdma_fabric_write_json(f, &json, &e), 0);
	assert_int_equal(tu_write_file(path, json, strlen(json)), 0);
	assert_int_equal(p2pdma_fabric_load(&o, &g, &e), 0);
	assert_int_equal(p2pdma_fabric_lookup(g, "0000:01:00.0", &fn, &e), 0);
	assert_int_equal(fn->nr_nvme_ns, 2);
	assert_true(fn->nvme_ns[0].nsid == 2 && fn->nvme_ns[0].blocks == 1000 &&
		    fn->nvme_ns[1].block_size == 512);
	free(json);
	p2pdma_fabric_free(g);
	p2pdma_fabric_free(f);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void test_refused(void **state)
{
	static const struct {
		const char *ns, *says;
	} bad[] = {
		{ "[{\"nsid\": 0, \"blocks\": 8, \"block_size\": 512}]", "nvme_namespaces[0].nsid" },
		{ "[{\"nsid\": 1, \"blocks\": 0, \"block_size\": 512}]", "nvme_namespaces[0].blocks" },
		{ "[{\"nsid\": 1, \"blocks\": 8, \"block_size\": 1000}]", "not a power of two" },
		{ "[{\"nsid\": 1, \"blocks\": 8, \"block_size\": 256}]", "nvme_namespaces[0].block_size" },
		{ "[{\"nsid\": 2, \"blocks\": 8, \"block_size\": 512}, {\"nsid\": 1, \"blocks\": 8, \"block_size\": 512}]",
		  "does not follow" },
		{ "[{\"nsid\": 1, \"blocks\": 8, \"block_size\": 512, \"lbaf\": 0}]", "unknown key" },
		{ "[{\"nsid\": 1, \"blocks\": 8}]", "missing key \"block_size\"" },
		{ "[{\"nsid\": 1, \"blocks\": 18446744073709551615, \"block_size\": 512}]", "larger than 2^64" },
		{ "{}", "nvme_namespaces" },
		{ "[1]", "nvme_namespaces[0]" },
	};
	char *dir = tu_mkdtemp();
	struct p2pdma_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = with_ns(dir, bad[i].ns);

		tu_load_fails(path, &e);
		if (!strstr(e.reason, bad[i].says) || !strstr(e.reason, path))
			fail_msg("%s: '%s' does not name the file and say '%s'", bad[i].ns, e.reason,
				 bad[i].says);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_use_write),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
