#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of the VM harness itself, without QEMU (meson test vm-harness):
topology files (good ones and every kind of bad line), the QEMU command
line they produce, the drive pattern (against values worked out by hand
from the splitmix64 definition), and the agreement rule.  TAP."""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import compare  # noqa: E402
import randtopo  # noqa: E402
import topology  # noqa: E402

RESULTS = []


def check(ok, name, diag=None):
    RESULTS.append((bool(ok), name, diag))


def parse_text(text):
    with tempfile.NamedTemporaryFile("w", suffix=".topo", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        return topology.Topology(path), None
    except topology.TopologyError as e:
        return None, str(e)
    finally:
        os.unlink(path)


GOOD = """description t
rootport rp1 slot=2
nvme a rp1 fn=0 cmb=16
nvme b rp1 fn=1
rootport rp2 slot=3 acs=off
upstream sw rp2
downstream dp sw
nvme c dp cmb=16
nvme r pcie.0 slot=5
expect a c EREMOTEIO
"""

BAD = [
    ("frobnicate x\nnvme a pcie.0 slot=1\n", ":1: unknown directive 'frobnicate'"),
    ("nvme a rp9\n", ":1: unknown parent 'rp9'"),
    ("rootport rp1 slot=2\nrootport rp2 slot=2\nnvme a rp1\n", ":2: slot 2 already used by 'rp1'"),
    ("rootport rp1 slot=2\nnvme a rp1 fn=1\n", ":2: function 1 needs a function 0"),
    ("rootport rp1 slot=2\nnvme a rp1\nnvme b rp1\n", ":3: function 0 of 'rp1' is already 'a'"),
    ("rootport rp1 slot=2\nnvme a rp1 cmb=lots\n", ":2: cmb (MiB) 'lots' is not a number"),
    ("rootport rp1 slot=2\nnvme a rp1 color=red\n", ":2: unknown option 'color'"),
    ("rootport rp1 slot=2\nnvme a rp1\nexpect a a ok\n", ":3: 'a' has no cmb"),
    ("rootport rp1 slot=2\nnvme a rp1 cmb=16\nexpect a z ok\n", ":3: 'z' is not an nvme"),
    ("rootport rp1 slot=2\nnvme a rp1 cmb=16\nexpect a a maybe\n", ":3: result 'maybe'"),
    ("rootport rp1 slot=2\nupstream u rp1\nnvme a u\n", ":3: an NVMe sits on a root or downstream port"),
    ("rootport rp1 slot=2\ndownstream d rp1\n", ":2: a downstream port sits on an upstream port"),
    ("rootport rp1 slot=40\n", ":1: slot 40 is outside 1..31"),
    ("rootport rp1 slot=2\n", "no nvme devices"),
    ("rootport RP slot=2\n", ":1: bad id 'RP'"),
    ("iommu amd\n", ":1: iommu takes 'intel'"),
    ("rootport rp1 slot=2 acs=maybe\n", ":1: acs is on or off"),
]


def test_parse():
    t, err = parse_text(GOOD)
    check(t is not None, "a good topology parses", err)
    if not t:
        return
    check([n.id for n in t.providers()] == ["a", "c"], "providers are the NVMe with a CMB")
    check(t.expected("a", "c") == "EREMOTEIO" and t.expected("c", "a") is None,
          "expect lines are looked up by (provider, client)")
    cmd = t.kernel_cmdline()
    check("p2pdma_vm.nvme=4" in cmd and "p2pdma_vm.p2pmem=2" in cmd,
          "the kernel command line tells the agent what to wait for", " ".join(cmd))
    with tempfile.TemporaryDirectory() as d:
        args = t.qemu_args("K", "I", d, 4096)
        devs = [args[i + 1] for i, a in enumerate(args) if a == "-device"]
        check("-accel" in args and args[args.index("-accel") + 1] == "tcg", "QEMU runs under TCG")
        check(any(x.startswith("nvme,id=a,") and "addr=0.0" in x and "multifunction=on" in x
                  and "cmb_size_mb=16" in x for x in devs),
              "function 0 of a multi-function NVMe gets multifunction=on", json.dumps(devs))
        check(any(x.startswith("nvme,id=b,") and "addr=0.1" in x and "cmb_size_mb" not in x
                  for x in devs), "function 1 without a CMB", json.dumps(devs))
        check(any(x.startswith("pcie-root-port,id=rp2,") and "disable-acs=true" in x
                  for x in devs), "acs=off becomes disable-acs=true")
        check(any(x.startswith("nvme,id=r,") and "bus=pcie.0" in x and "addr=5.0" in x
                  for x in devs), "an NVMe on pcie.0 sits at its slot")
        chassis = [x.split("chassis=")[1].split(",")[0] for x in devs if "chassis=" in x]
        check(len(chassis) == len(set(chassis)) == 3, "every port has its own chassis number",
              json.dumps(chassis))
        check(os.path.getsize(os.path.join(d, "a.img")) == 4096, "each drive gets its pattern file")


def test_bad():
    for text, want in BAD:
        t, err = parse_text(text)
        check(t is None and want in (err or ""), "bad topology rejected: %s" % want.strip(":0123456789 "),
              "got %r" % err)


def test_pattern():
    # 0xaf63dc4c8601ec8c is the published FNV-1a 64-bit test vector for "a";
    # the two words are what tests/vm/agent/pattern.h (C, in the guest)
    # computes for that seed.
    # pattern_word(seed, i) is the i-th output of SplitMix64 (Steele, Lea
    # and Flood, 2014) started at seed; its published first outputs for
    # state 0 (Vigna's splitmix64.c, the xoshiro seeder) pin the mixer.
    check([topology.pattern_word(0, i) for i in range(4)] ==
          [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC],
          "SplitMix64 reference outputs for seed 0")
    seed = topology.pattern_seed("a")
    check(seed == 0xAF63DC4C8601EC8C, "FNV-1a of the serial", hex(seed))
    check(topology.pattern_word(seed, 0) == 0x5F29C2AADD9B8527, "first pattern word")
    check(topology.pattern_word(seed, 1) == 0xFF84F1BDB6D3884F, "second pattern word")
    check(topology.pattern_word(topology.pattern_seed("b"), 0) != topology.pattern_word(seed, 0),
          "drives with different serials hold different data")


def test_compare():
    check(compare.bdf("03:00.0") == "0000:03:00.0" and compare.bdf("0000:0A:1f.7") == "0000:0a:1f.7",
          "BDFs are normalised to DDDD:BB:DD.F")
    check(compare.normalize_line("nvme 0000:01:00.1: ACS redirect is set")
          == compare.normalize_line("pci 0000:01:00.1: ACS redirect is set")
          == "0000:01:00.1: ACS redirect is set", "the driver word is not compared")
    recs = [{"level": 4, "text": "nvme 0000:05:00.0: cannot be used for peer-to-peer DMA as x"},
            {"level": 3, "text": "critical target error, dev nvme2n1, sector 0"},
            {"level": 4, "text": "pci 0000:00:00.0: Host bridge not in P2PDMA whitelist: 8086:29c0"}]
    check(len(compare.p2pdma_lines(recs)) == 2, "only P2PDMA lines are compared")
    pair = {"mmap_errno": "", "open_errno": "", "errno": "", "bytes": 4096, "length": 4096}
    check(compare.kernel_result(pair) == "ok", "a full read is success")
    check(compare.kernel_result(dict(pair, errno="EREMOTEIO", bytes=-1)) == "EREMOTEIO",
          "EREMOTEIO is kept")
    check(compare.kernel_result(dict(pair, bytes=512)) == "short-read:512", "a short read is not success")
    check(compare.kernel_result(dict(pair, mmap_errno="ENOMEM")) == "mmap:ENOMEM",
          "an mmap failure is not a verdict")
    one = {"provider": "0000:03:00.0", "client": "0000:05:00.0", "map_type": "NOT_SUPPORTED",
           "kernel_log": ["nvme 0000:05:00.0: cannot be used for peer-to-peer DMA as x"]}
    for shape, doc in (("object", one), ("list", [one]), ("wrapped", {"verdicts": [one]})):
        v, why = compare.find_verdict(json.dumps(doc), "03:00.0", "05:00.0")
        check(v is not None, "verdict found in a %s" % shape, why)
    v, why = compare.find_verdict("not json", "a", "b")
    check(v is None and "no JSON" in why, "garbage check output is reported")
    m, lg, _ = compare.compare("EREMOTEIO", [recs[0]["text"]], one)
    check(m and lg, "NOT_SUPPORTED + the same line agrees with EREMOTEIO")
    m, lg, why = compare.compare("ok", [recs[0]["text"]], one)
    check(not m, "NOT_SUPPORTED disagrees with a successful read", why)
    m, lg, why = compare.compare("EREMOTEIO", [], one)
    check(m and not lg, "a predicted line the kernel did not print disagrees", why)
    for t in ("BUS_ADDR", "THRU_HOST_BRIDGE"):
        m, _, _ = compare.compare("ok", [], dict(one, map_type=t, kernel_log=[]))
        check(m, "%s agrees with a successful read" % t)


def test_shipped():
    try:
        topos = topology.load_all(os.path.join(HERE, "topologies"))
        check(len(topos) >= 8, "every shipped topology parses (%d)" % len(topos))
    except topology.TopologyError as e:
        check(False, "every shipped topology parses", str(e))


def test_random():
    """The generator: a seed always gives the same file, every file parses,
    and 300 seeds reach every feature the issue lists."""
    seeds = randtopo.seeds(20261202, 300)
    check(seeds == randtopo.seeds(20261202, 300), "random: the master seed repeats the seeds")
    check(randtopo.generate(seeds[0]) == randtopo.generate(seeds[0]),
          "random: one seed gives the same topology twice")
    seen = {}
    bad = None
    for s in seeds:
        text = randtopo.generate(s)
        t, err = parse_text(text)
        if not t:
            bad = bad or "seed %d: %s\n%s" % (s, err, text)
            continue
        feats = {
            "a vIOMMU": t.iommu == "intel",
            "a root port without ACS": "acs=off" in text,
            "a switch below a switch": text.count("upstream ") >= 2,
            "a multi-function NVMe": " fn=1" in text,
            "an NVMe on the root bus": " pcie.0 " in text,
            "several CMBs": len(t.providers()) >= 2,
            "an AMD Zen CPU": t.cpu == "EPYC",
            "a pre-Zen AMD CPU": t.cpu == "qemu64",
            "an Intel CPU": t.cpu == "Skylake-Server",
            "pci=disable_acs_redir=": any("disable_acs_redir=" in a for a in t.cmdline),
            "pci=config_acs=": any("config_acs=" in a for a in t.cmdline),
        }
        for k, v in feats.items():
            seen[k] = seen.get(k, 0) + v
        check_pairs = len(t.providers()) >= 1 and len(t.nvmes()) >= 2
        if not check_pairs:
            bad = bad or "seed %d: fewer than one provider and two drives" % s
    check(bad is None, "random: 300 topologies parse and each has a pair", bad)
    for k, n in sorted(seen.items()):
        check(n > 0, "random: %s appears (%d of 300)" % (k, n))


def main():
    test_random()
    test_parse()
    test_bad()
    test_pattern()
    test_compare()
    test_shipped()
    print("1..%d" % len(RESULTS))
    for i, (ok, name, diag) in enumerate(RESULTS, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if diag and not ok:
            print("# " + diag)
    return 0 if all(r[0] for r in RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main())
