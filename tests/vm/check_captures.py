#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real kernel's verdicts, without QEMU: for every guest capture saved
in tests/data/vm/ (NAME.tar.xz, taken by `p2pdma capture` inside a QEMU
guest running our P2PDMA kernel) and the results that kernel gave for each
(provider, client) pair (NAME.kernel.json, written by vmtest.py --save),
run `p2pdma -i NAME.tar.xz check --json PROVIDER CLIENT` and require the
same answer: success <=> BUS_ADDR/THRU_HOST_BRIDGE, EREMOTEIO <=>
NOT_SUPPORTED, and the kernel's P2PDMA log lines.  TAP on stdout."""

import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True     # keep the source tree free of __pycache__

import compare  # noqa: E402

DATA = os.environ.get("P2PDMA_VM_DATA", os.path.join(ROOT, "tests", "data", "vm"))


def check_pair(p2pdma, capture, pair, kernel):
    # Older captures have no proc/sys/kernel/osrelease: the release the
    # guest reported is given as --kernel, so its rules are the ones used.
    rel = ["--kernel", kernel] if kernel else []
    p = subprocess.run([p2pdma] + rel + ["-i", capture, "check", "--json",
                        pair["provider"], pair["client"]],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        return False, "p2pdma check exited %d: %s" % (p.returncode, p.stderr.strip())
    verdict, why = compare.find_verdict(p.stdout, pair["provider"], pair["client"])
    if not verdict:
        return False, why
    # A read that succeeded but lost its data (the QEMU vIOMMU limit) was
    # still accepted by the kernel's mapping: it counts as success.
    map_ok, log_ok, why = compare.compare(pair["result"], pair["kernel_log"], verdict)
    return map_ok and log_ok, why or None


def main():
    p2pdma = os.environ.get("P2PDMA_BIN", os.path.join(ROOT, "build", "cli", "p2pdma"))
    records = sorted(glob.glob(os.path.join(DATA, "*.kernel.json")))
    results = []
    if not records:
        results.append((False, "saved kernel results in %s" % DATA,
                        "none found: run tests/vm/vmtest.py --save"))
    for path in records:
        with open(path) as f:
            rec = json.load(f)
        name = rec["topology"]
        capture = os.path.join(DATA, name + ".tar.xz")
        if not os.path.exists(capture):
            results.append((False, "%s: capture %s saved" % (name, os.path.basename(capture)),
                            "missing: run tests/vm/vmtest.py --save"))
            continue
        for pair in rec["pairs"]:
            ok, why = check_pair(p2pdma, capture, pair, rec.get("kernel"))
            results.append((ok, "%s: %s(%s) -> %s(%s): kernel %s" %
                            (name, pair["provider_name"], pair["provider"],
                             pair["client_name"], pair["client"], pair["result"]), why))
    print("1..%d" % len(results))
    for i, (ok, name, why) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if why and not ok:
            print("# " + why)
    return 0 if all(r[0] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
