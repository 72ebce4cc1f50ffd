// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lspci -vvv text cases the mutation audit (tests-2026-12: LT1, LT3)
 * found unchecked, on a two-function text written here in lspci's
 * layout: a root port whose ACS capability lspci printed (so lspci could
 * read extended config space) and an NVMe drive behind it with no
 * extended capability.  An ACSCap/ACSCtl line always lists all seven
 * bits (lspci's cap_acs()); one with fewer is a cut file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lspci.h"
#include "testutil.h"

#define RP_HEAD "00:01.0 PCI bridge [0604]: Intel Corporation Sky Lake-E PCI Express Root Port A [8086:2030] (rev 04) (prog-if 00 [Normal decode])\n" \
	"\tControl: I/O+ Mem+ BusMaster+\n" \
	"\tStatus: Cap+ 66MHz- UDF-\n" \
	"\tBus: primary=00, secondary=01, subordinate=01, sec-latency=0\n" \
	"\tCapabilities: [90] Express (v2) Root Port (Slot+), MSI 00\n" \
	"\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x16, ASPM not supported\n"
#define RP_ACS "\tCapabilities: [100 v1] Access Control Services\n" \
	"\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n" \
	"\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd- EgressCtrl- DirectTrans-\n"
#define RP_TAIL "\tKernel driver in use: pcieport\n\n"
#define NVME "01:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller SM981/PM981/PM983 [144d:a808] (prog-if 02 [NVM Express])\n" \
	"\tControl: I/O- Mem+ BusMaster+\n" \
	"\tStatus: Cap+ 66MHz- UDF-\n" \
	"\tCapabilities: [70] Express (v2) Endpoint, MSI 00\n" \
	"\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x4, ASPM L1\n" \
	"\tKernel driver in use: nvme\n\n"

static int load(const char *text, struct p2pdma_fabric **out, struct p2pdma_error *e)
{
	struct p2pdma_fabric *f = p2pdma_fabric_new();
	int ret;

	assert_non_null(f);
	ret = p2pdma_lspci_vvv_load_buf(f, text, strlen(text), "cut.txt", NULL, NULL, e);
	if (!ret)
		ret = p2pdma_fabric_finalize(f, e);
	if (ret) {
		p2pdma_fabric_free(f);
		f = NULL;
	}
	*out = f;
	return ret;
}

/* The whole text: RR CR set on the root port (SV RR CR = 0x0d). */
static void test_whole_text(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;

	(void)state;
	assert_int_equal(load(RP_HEAD RP_ACS RP_TAIL NVME, &f, &e), 0);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_state, P2PDMA_ACS_PRESENT);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_cap, 0x1f);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_ctrl, 0x0d);
	p2pdma_fabric_free(f);
}

/*
 * LT1: an ACS line cut between two of its bits is refused with the
 * file and line, not read with the missing bits as '-' (which would
 * turn RR/CR off and make a false BUS_ADDR).
 */
static void test_cut_acs_lines(void **state)
{
	static const struct {
		const char *line;
		const char *says;
	} cut[] = {
		{ "\t\tACSCtl:\tSrcValid+ TransBlk-\n", "cut.txt:9: an ACSCtl line lists the seven ACS bits" },
		{ "\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd- EgressCtrl-\n",
		  "cut.txt:9: an ACSCtl line lists the seven ACS bits" },
		{ "\t\tACSCtl:\n", "cut.txt:9: an ACSCtl line" },
	};
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;
	char text[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		snprintf(text, sizeof(text), "%s%s%s%s%s", RP_HEAD,
			 "\tCapabilities: [100 v1] Access Control Services\n"
			 "\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl- DirectTrans-\n",
			 cut[i].line, RP_TAIL, NVME);
		assert_int_equal(load(text, &f, &e), -EINVAL);
		if (strncmp(e.reason, cut[i].says, strlen(cut[i].says)))
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, e.reason, cut[i].says);
	}
	/* The ACSCap line cut the same way. */
	snprintf(text, sizeof(text), "%s%s%s%s", RP_HEAD,
		 "\tCapabilities: [100 v1] Access Control Services\n"
		 "\t\tACSCap:\tSrcValid+ TransBlk+ ReqRedir+\n"
		 "\t\tACSCtl:\tSrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd- EgressCtrl- DirectTrans-\n",
		 RP_TAIL, NVME);
	assert_int_equal(load(text, &f, &e), -EINVAL);
	assert_non_null(strstr(e.reason, "cut.txt:8: an ACSCap line lists the seven ACS bits"));
}

/*
 * LT3: lspci printed extended capabilities for the root port, so it
 * could read extended config space; the NVMe drive shows none, so it
 * has no ACS capability: absent, not unknown.  Without any extended
 * capability in the whole text, nothing shows lspci could read them:
 * unknown for both.
 */
static void test_no_ext_caps_here_but_elsewhere(void **state)
{
	struct p2pdma_error e = { 0 };
	struct p2pdma_fabric *f;

	(void)state;
	assert_int_equal(load(RP_HEAD RP_ACS RP_TAIL NVME, &f, &e), 0);
	assert_int_equal(tu_fn(f, "01:00.0")->acs_state, P2PDMA_ACS_ABSENT);
	p2pdma_fabric_free(f);

	assert_int_equal(load(RP_HEAD RP_TAIL NVME, &f, &e), 0);
	assert_int_equal(tu_fn(f, "00:01.0")->acs_state, P2PDMA_ACS_UNKNOWN);
	assert_int_equal(tu_fn(f, "01:00.0")->acs_state, P2PDMA_ACS_UNKNOWN);
	p2pdma_fabric_free(f);
}

/*
 * A real root dump (pciutils-cap-aer-root.txt, lspci -vvv) cut at every
 * byte inside the bits of each of its ACSCap/ACSCtl lines: refused each
 * time, naming the file and the cut line.
 */
static void test_real_dump_cut_in_acs_bits(void **state)
{
	char *path = tu_real_path("lspci/pciutils-cap-aer-root.txt"), want[64];
	size_t len, lines = 0, line = 1, cut;
	char *text = tu_read_file(path, &len);
	const char *p;

	(void)state;
	assert_non_null(text);
	for (p = text; p < text + len; p++) {
		const char *bits, *eol;

		if (*p == '\n')
			line++;
		if (strncmp(p, "ACSCap:", 7) && strncmp(p, "ACSCtl:", 7))
			continue;
		bits = p + 7;
		eol = memchr(bits, '\n', (size_t)(text + len - bits));
		assert_non_null(eol);
		snprintf(want, sizeof(want), "cut.txt:%zu: an %.6s line", line, p);
		for (cut = (size_t)(bits - text) + 1; cut < (size_t)(eol - text); cut++) {
			struct p2pdma_fabric *f = p2pdma_fabric_new();
			struct p2pdma_error e = { 0 };
			int ret = p2pdma_lspci_vvv_load_buf(f, text, cut, "cut.txt", NULL, NULL, &e);

			if (!ret)
				ret = p2pdma_fabric_finalize(f, &e);
			if (ret != -EINVAL || strncmp(e.reason, want, strlen(want)))
				fail_msg("cut at byte %zu: %d \"%s\", want \"%s...\"", cut, ret,
					 e.reason, want);
			p2pdma_fabric_free(f);
		}
		lines++;
	}
	assert_true(lines >= 2);
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_text),
		cmocka_unit_test(test_cut_acs_lines),
		cmocka_unit_test(test_no_ext_caps_here_but_elsewhere),
		cmocka_unit_test(test_real_dump_cut_in_acs_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
