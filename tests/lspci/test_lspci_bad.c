// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Malformed lspci dumps and -vvv text (tests/data/lspci-bad/, each made
 * with one known fault; README.md there lists them) are refused with the
 * file, the line and what is wrong.  Then the real dumps cut at random
 * places and with random bytes changed: each either loads or is refused
 * with a reason naming the file, never half a model, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci.h"
#include "testutil.h"

static const struct tu_refusal bad[] = {
	{ "cut-mid-line.txt", 11, "cut in the middle of a byte" },
	{ "cut-after-line.txt", 10, "stops at 0x30" },
	{ "bad-hex.txt", 9, "bad hex" },
	{ "bad-separator.txt", 3, "bad hex" },
	{ "overlap.txt", 7, "claims buses [03-07], which overlap buses [01-05] of bridge 0000:00:01.0 (line 1)" },
	{ "duplicate.txt", 7, "0000:00:01.0 is described twice (first at line 1)" },
	{ "missing-line.txt", 3, "does not follow the line before" },
	{ "hex-without-device.txt", 7, "no device line above it" },
	{ "no-hex.txt", 1, "has no hex dump under it" },
	{ "bad-device-number.txt", 7, "device number above 1f" },
	{ "outside-parent.txt", 7, "outside the buses [01-02] of the bridge above it" },
	{ "junk-line.txt", 7, "not a line of an lspci dump" },
	{ "vvv-cut-bus.txt", 3, "cannot read the bus numbers" },
	{ "vvv-cut-acs.txt", 4, "ACSCap line but no ACSCtl line" },
	{ "vvv-bad-acs.txt", 5, "lists the seven ACS bits" },
	{ "vvv-overlap.txt", 4, "which overlap buses [01-05]" },
	{ "vvv-plain.txt", 0, "plain 'lspci' output" },
	{ "vvv-bridge-no-bus.txt", 1, "'Bus: primary=..' line is missing" },
	{ "vvv-cut-link.txt", 5, "cannot read the link speed and width" },
};

static void test_refused_with_line(void **state)
{
	(void)state;
	tu_assert_refusals("lspci-bad", bad, sizeof(bad) / sizeof(bad[0]));
}

/* --input-format lspci on text without hex, and lspci-vvv on a hex-only dump. */
static void test_wrong_format_named(void **state)
{
	char *vvv = tu_real_path("lspci/dell-r730-broadwell-2xP100-2xNVMe.lspci-vvv.txt");
	char *hex = tu_real_path("lspci/pciutils-tree-asus-p6t6.txt");
	struct p2pdma_load_opts o = { .path = vvv, .format = P2PDMA_INPUT_LSPCI };
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f = NULL;

	(void)state;
	assert_int_equal(p2pdma_fabric_load(&o, &f, &e), -EINVAL);
	assert_null(f);
	assert_non_null(strstr(e.reason, "has no hex dump under it"));
	assert_non_null(strstr(e.reason, "--input-format lspci-vvv"));
	o.path = hex;
	o.format = P2PDMA_INPUT_LSPCI_VVV;
	assert_int_equal(p2pdma_fabric_load(&o, &f, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "plain 'lspci' output"));
	free(vvv);
	free(hex);
}

typedef int (*load_buf_fn)(struct p2pdma_fabric *, const char *, size_t, const char *,
			   const struct p2pdma_load_opts *, struct p2pdma_error *);

static int vvv_buf(struct p2pdma_fabric *f, const char *b, size_t n, const char *name,
		   const struct p2pdma_load_opts *o, struct p2pdma_error *e)
{
	return p2pdma_lspci_vvv_load_buf(f, b, n, name, NULL, o, e);
}

/* Reasons about the whole input, which have no line to name. */
static bool whole_file(const char *reason)
{
	static const char *const whole[] = {
		"damaged: plain 'lspci' output has no bus numbers",
	};
	size_t i;

	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (!strncmp(reason, whole[i], strlen(whole[i])))
			return true;
	return false;
}

/* Load a damaged copy: success with a finalizable model, or a reason naming the file. */
static int try_one(load_buf_fn load, const char *buf, size_t len)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	struct p2pdma_error e = { 0 };
	int ret;

	assert_non_null(f);
	ret = load(f, buf, len, "damaged", NULL, &e);
	if (!ret)
		ret = p2pdma_fabric_finalize(f, &e);
	if (ret) {
		assert_true(ret < 0);
		if (strncmp(e.reason, "damaged", 7) && strncmp(e.reason, "out of memory", 13))
			fail_msg("reason does not name the file: %s", e.reason);
		/* And the line (or the function a model check refused). */
		if (strncmp(e.reason, "out of memory", 13) && !tu_names_place(e.reason, "damaged") &&
		    !whole_file(e.reason))
			fail_msg("seed %llu: the reason names no line: %s",
				 (unsigned long long)tu_seed(), e.reason);
	}
	p2pdma_fabric_free(f);
	return ret;
}

/*
 * Whether a file cut at @cut ends inside the bits of an ACSCap/ACSCtl
 * line (lspci prints all seven): such a file must be refused, or the
 * missing bits would read as '-'.
 */
static bool cut_in_acs_bits(const char *buf, size_t cut)
{
	size_t ls = cut;
	const char *acs;

	while (ls && buf[ls - 1] != '\n')
		ls--;
	if (cut == ls)
		return false;
	acs = memmem(buf + ls, cut - ls, "ACSC", 4);
	return acs && cut - (size_t)(acs - buf) > 7 &&
	       (!strncmp(acs, "ACSCap:", 7) || !strncmp(acs, "ACSCtl:", 7)) &&
	       buf[cut] != '\n';
}

static void damage(load_buf_fn load, const char *rel, int rounds, uint64_t *rng)
{
	char *path = tu_real_path(rel);
	size_t len;
	char *orig = tu_read_file(path, &len), *copy = malloc(len + 1);
	int i;

	assert_non_null(orig);
	assert_non_null(copy);
	for (i = 0; i < rounds; i++) {
		size_t cut = (size_t)(tu_rand(rng) % (len + 1)), k;

		/* Cut anywhere; inside an ACS line's bits it is an error. */
		if (!try_one(load, orig, cut) && load == vvv_buf && cut < len &&
		    cut_in_acs_bits(orig, cut))
			fail_msg("seed %llu: %s cut at byte %zu, inside an ACS line, loaded",
				 (unsigned long long)tu_seed(), rel, cut);
		/* Change a few bytes. */
		memcpy(copy, orig, len);
		for (k = 0; k < 1 + tu_rand(rng) % 4; k++)
			copy[tu_rand(rng) % len] = (char)(tu_rand(rng) & 0xff);
		try_one(load, copy, len);
	}
	free(copy);
	free(orig);
	free(path);
}

static void test_damaged_real_dumps(void **state)
{
	uint64_t rng = tu_seed();

	(void)state;
	damage(p2pdma_lspci_load_buf, "lspci/pciutils-tree-asus-p6t6.txt", 40, &rng);
	damage(p2pdma_lspci_load_buf, "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt", 20, &rng);
	damage(p2pdma_lspci_load_buf, "lspci/pciutils-PCI-X-bridges-and-domains.txt", 40, &rng);
	damage(vvv_buf, "lspci/lambda-vector-wrx80-2xA6000.lspci-nnDvvvxxx.txt", 20, &rng);
	damage(vvv_buf, "lspci/pciutils-cap-aer-root.txt", 40, &rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_with_line),
		cmocka_unit_test(test_wrong_format_named),
		cmocka_unit_test(test_damaged_real_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
