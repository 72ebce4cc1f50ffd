#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of copytest.py without QEMU (meson test vm-copytest): reading
p2pmem-test's rate line (its format is report_transfer_rate() of its
libargconfig: "%6.2f%sB in %-6.1f%ss   %6.2f%sB/s", SI suffixes), what
p2pdma predicted against what the kernel did, and when a copy is wrong.
TAP."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import copytest  # noqa: E402
from test_harness import RESULTS, check  # noqa: E402  (one TAP collector for both)


def report(via="0000:03:00.0", verdicts=("BUS_ADDR", "BUS_ADDR"), fallback=None,
           errno=None, size=65536, nbytes=65536, data_ok=True):
    return {"via": via, "size": size, "bytes": nbytes, "fallback": fallback,
            "refused_errno": errno, "data_ok": data_ok,
            "legs": [{"verdict": v} for v in verdicts]}


REFUSAL = ("the kernel refused P2P: O_DIRECT read of nvme0n1 (0000:03:00.0) into p2pmem of "
           "0000:05:00.0 failed with EREMOTEIO at copy offset 0, so the copy went on through "
           "host memory; p2pdma: NOT_SUPPORTED (distance 6): ...")


def test_rate():
    out = ("MATCH on data check, 0x1f8742d1 = 0x1f8742d1.\nTransfer:\n"
           "524.29kB in 76.7  ms     6.83MB/s\n")
    check(copytest.p2pmem_test_rate(out) == 6.83e6, "p2pmem-test MB/s line read")
    check(copytest.p2pmem_test_rate("  1.05GB in 1.2    s   874.00kB/s") == 874e3,
          "p2pmem-test kB/s line read")
    check(copytest.p2pmem_test_rate("pwrite: Remote I/O error\n") is None,
          "a failed p2pmem-test has no rate")


def test_prediction():
    check(copytest.predicted(report())[0] == "P2P", "two accepting legs predict P2P")
    check(copytest.predicted(report(verdicts=("BUS_ADDR", "THRU_HOST_BRIDGE")))[0] == "P2P",
          "THRU_HOST_BRIDGE is accepted too")
    check(copytest.predicted(report(verdicts=("BUS_ADDR", "NOT_SUPPORTED")))[0] == "bounce",
          "one refused leg predicts a bounce")
    check(copytest.predicted(report(via="host"))[0] == "host", "host memory is host")
    check(copytest.actual(report()) == "P2P used", "no fallback: P2P used")
    check(copytest.actual(report(fallback=REFUSAL, errno="EREMOTEIO")) == "bounced (EREMOTEIO)",
          "a fallback is a bounce with the kernel's errno")


def test_problems():
    run = {"run": {"status": 0}}
    check(copytest.copy_problem(run, report(), None) is None, "a good copy has no problem")
    p = copytest.copy_problem(run, report(nbytes=4096), None)
    check(p and "copied 4096 of 65536" in p, "a short copy is a problem", p)
    p = copytest.copy_problem(run, report(fallback="bounced", errno="EREMOTEIO"), None)
    check(p and "without naming the refusal" in p, "a bounce must name the refusal", p)
    check(copytest.copy_problem(run, report(fallback=REFUSAL, errno="EREMOTEIO"), None) is None,
          "a named bounce with exact data is fine")
    p = copytest.copy_problem(run, report(data_ok=False), None)
    check(p and "--check" in p, "different data is a problem", p)
    check(copytest.copy_problem(run, report(data_ok=False), "vIOMMU") is None,
          "lost P2P data is the known QEMU limit where the topology says so")
    p = copytest.copy_problem(run, report(via="host", data_ok=False), "vIOMMU")
    check(p is not None, "the QEMU limit never excuses a host-memory copy", p)
    bad = {"run": {"status": 2, "stderr": "p2pdma: error: x\n"}}
    p = copytest.copy_problem(bad, None, None)
    check(p and "exited 2: p2pdma: error: x" in p, "a failed run names its error", p)


def main():
    test_rate()
    test_prediction()
    test_problems()
    print("1..%d" % len(RESULTS))
    failed = 0
    for i, (ok, name, diag) in enumerate(RESULTS, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(diag or "").splitlines():
                print("# " + line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
