// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * p2pdma diff: a machine against itself is empty; hand edits of a copy
 * of dual-xeon-8gpu (tests/data/fleet, each file says its one edit) show
 * exactly that change and the pair verdicts it changes, worked out by
 * hand; exit statuses 0, 1 and 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define BASE "../../data/machines/dual-xeon-8gpu.json"

static struct p2pdma_diff *diff_of(const char *a, const char *b)
{
	char *pa = tu_data_path(a), *pb = tu_data_path(b);
	struct p2pdma_fabric *fa = tu_load(pa), *fb = tu_load(pb);
	struct p2pdma_error e = { 0 };
	struct p2pdma_diff *d;

	if (p2pdma_diff_run(fa, fb, &d, &e))
		fail_msg("diff: %s", e.reason);
	p2pdma_fabric_free(fa);
	p2pdma_fabric_free(fb);
	free(pa);
	free(pb);
	return d;
}

static size_t count(const struct p2pdma_diff *d, enum p2pdma_change_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < d->nr_changes; i++)
		n += d->changes[i].kind == k;
	return n;
}

static const struct p2pdma_change *first(const struct p2pdma_diff *d, enum p2pdma_change_kind k)
{
	size_t i;

	for (i = 0; i < d->nr_changes; i++)
		if (d->changes[i].kind == k)
			return &d->changes[i];
	fail_msg("no %s change", p2pdma_change_kind_name(k));
	return NULL;
}

static void test_self(void **state)
{
	struct p2pdma_diff *d = diff_of(BASE, BASE);

	(void)state;
	assert_int_equal(d->nr_changes, 0);
	p2pdma_diff_free(d);
	d = diff_of("real/../../../data/machines/amd-epyc-2gpu.json",
		    "../../data/machines/amd-epyc-2gpu.json");
	assert_int_equal(d->nr_changes, 0);
	p2pdma_diff_free(d);
}

/*
 * 3c:00.0 0x11 -> 0x1d: the GPU 3d:00.0 below it now has redirect on its
 * path to the three other devices of that switch (3e GPU, 3f NIC, 40
 * NVMe): those 3 pairs go from BUS_ADDR to THRU_HOST_BRIDGE (09a2 is
 * listed on 6.8), worse.  Nothing else.
 */
static void test_acs(void **state)
{
	struct p2pdma_diff *d = diff_of(BASE, "fleet/acs-3c00.json");
	const struct p2pdma_change *c;
	size_t i;

	(void)state;
	assert_int_equal(d->nr_changes, 4);
	c = first(d, P2PDMA_CHANGE_ACS);
	assert_string_equal(c->what, "0000:3c:00.0");
	assert_string_equal(c->before, "0x0011 (SV UF)");
	assert_string_equal(c->after, "0x001d (SV RR CR UF)");
	assert_int_equal(count(d, P2PDMA_CHANGE_PAIR), 3);
	assert_int_equal(d->nr_worse, 3);
	for (i = 0; i < d->nr_changes; i++) {
		if (d->changes[i].kind != P2PDMA_CHANGE_PAIR)
			continue;
		assert_non_null(strstr(d->changes[i].what, "0000:3d:00.0"));
		assert_string_equal(d->changes[i].before, "BUS_ADDR");
		assert_string_equal(d->changes[i].after, "THRU_HOST_BRIDGE");
	}
	p2pdma_diff_free(d);
}

/* A link at x8: one change, no verdict moves. */
static void test_link(void **state)
{
	struct p2pdma_diff *d = diff_of(BASE, "fleet/link-1a.json");
	const struct p2pdma_change *c;

	(void)state;
	assert_int_equal(d->nr_changes, 1);
	c = first(d, P2PDMA_CHANGE_LINK);
	assert_string_equal(c->what, "0000:1a:00.0");
	assert_string_equal(c->before, "x16 16.0 GT/s");
	assert_string_equal(c->after, "x8 16.0 GT/s");
	assert_int_equal(d->nr_worse, 0);
	p2pdma_diff_free(d);
}

/*
 * 6.8 -> 5.15: 8086:09a2 is not on 5.15's allow-list (added in 5.18), so
 * every one of the 135 THRU_HOST_BRIDGE pairs is refused; the 18
 * BUS_ADDR pairs never ask the host bridge (the BMC's VGA is no device
 * of interest, so its pairs are not counted).
 */
static void test_release(void **state)
{
	struct p2pdma_diff *d = diff_of(BASE, "fleet/release-5.15.json");
	const struct p2pdma_change *c;

	(void)state;
	c = first(d, P2PDMA_CHANGE_RELEASE);
	assert_string_equal(c->before, "6.8.0-49-generic");
	assert_string_equal(c->after, "5.15.0-91-generic");
	assert_int_equal(count(d, P2PDMA_CHANGE_PAIR), 135);
	assert_int_equal(d->nr_worse, 135);
	assert_int_equal(d->nr_changes, 136);
	p2pdma_diff_free(d);
}

/* Root port 98:02.0 in slot 98:03.0: it moved, the E810 below it moved, no verdict changes. */
static void test_moved(void **state)
{
	struct p2pdma_diff *d = diff_of(BASE, "fleet/moved-e810.json");

	(void)state;
	assert_int_equal(d->nr_changes, 2);
	assert_int_equal(count(d, P2PDMA_CHANGE_MOVED), 2);
	assert_string_equal(d->changes[0].after, "0000:99:00.0 under 0000:98:03.0");
	assert_string_equal(d->changes[1].before, "0000:98:02.0 on pci0000:98");
	assert_string_equal(d->changes[1].after, "0000:98:03.0 on pci0000:98");
	assert_int_equal(d->nr_worse, 0);
	p2pdma_diff_free(d);
}

static void test_cli(void **state)
{
	const char *bin = tu_p2pdma_bin();
	char *base = tu_data_path(BASE), *acs = tu_data_path("fleet/acs-3c00.json");
	char *link = tu_data_path("fleet/link-1a.json"), *out = NULL, *err = NULL;

	(void)state;
	assert_int_equal(tu_run(&out, NULL, "'%s' diff '%s' '%s'", bin, base, base), 0);
	assert_string_equal(out, "No differences.\n");
	free(out);
	assert_int_equal(tu_run(&out, NULL, "'%s' diff '%s' '%s'", bin, base, link), 0);
	free(out);
	assert_int_equal(tu_run(&out, NULL, "'%s' diff --json '%s' '%s'", bin, base, acs), 1);
	assert_non_null(strstr(out, "\"worse\": 3"));
	free(out);
	/* B defaults to -i; going back to the baseline's registers is better, not worse. */
	assert_int_equal(tu_run(&out, NULL, "'%s' -i '%s' diff '%s'", bin, base, acs), 0);
	assert_non_null(strstr(out, "THRU_HOST_BRIDGE -> BUS_ADDR"));
	free(out);
	assert_int_equal(tu_run(&out, &err, "'%s' diff /nonexistent/baseline.json '%s'", bin, base), 2);
	assert_non_null(strstr(err, "/nonexistent/baseline.json"));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1);	/* one line */
	free(out);
	free(err);
	assert_int_equal(tu_run(&out, &err, "'%s' diff", bin), 2);
	free(out);
	free(err);
	free(base);
	free(acs);
	free(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_acs),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_moved),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
