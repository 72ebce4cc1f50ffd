#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The real kernel as oracle: boot every topology of tests/vm/topologies/
under QEMU (TCG) with our CONFIG_PCI_P2PDMA kernel, let the guest agent do
real O_DIRECT reads into p2pmem, and compare the kernel's results with
`p2pdma check --json` run in the same guest.

  tests/vm/vmtest.py [--build-dir DIR] [--jobs N] [--save] [TOPOLOGY...]
  tests/vm/vmtest.py --random N [--seed S]      a sweep of N random topologies

Without topology names and without --random, every fixed topology boots
and two random ones beside them (randtopo.py; the seed is printed, and
--seed repeats them).  Prints TAP, the agreement table and a last line
"N passed, M failed".
--save writes each guest's capture and the kernel's results to
tests/data/vm/ (NAME.tar.xz, NAME.kernel.json) for check_captures.py.
Missing QEMU, kernel source or build tools make the run FAIL, never skip.
"""

import argparse
import base64
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True     # keep the source tree free of __pycache__

import compare  # noqa: E402
import randtopo  # noqa: E402
import topology  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data", "vm")
DISK_SIZE = 1 << 20
QEMU = "qemu-system-x86_64"
DEFAULT_RANDOM = 2          # random topologies beside the fixed ones


class Tap:
    def __init__(self):
        self.lines = []
        self.passed = 0
        self.failed = 0

    def check(self, ok, name, diag=None):
        self.lines.append(("ok" if ok else "not ok", name, diag))
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def emit(self):
        print("1..%d" % len(self.lines))
        for i, (status, name, diag) in enumerate(self.lines, 1):
            print("%s %d - %s" % (status, i, name))
            if diag and status != "ok":
                for line in diag.splitlines():
                    print("# " + line)


def cache_dir():
    return os.environ.get("P2PDMA_VM_CACHE", os.path.join(HERE, "cache"))


def work_dir():
    """Where the initramfs and the guests' files go: $P2PDMA_VM_WORK, so
    that several checkouts can share one kernel cache; else the cache."""
    return os.environ.get("P2PDMA_VM_WORK", cache_dir())


def build_kernel():
    start = time.time()
    p = subprocess.run([os.path.join(HERE, "build-kernel.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    took = time.time() - start
    sys.stderr.write(p.stderr)
    if p.returncode:
        return None, took, p.stderr.strip().splitlines()[-1:] or ["failed"]
    return p.stdout.strip().splitlines()[-1], took, None


def build_initramfs(build_dir):
    os.makedirs(work_dir(), exist_ok=True)
    out = os.path.join(work_dir(), "initramfs.cpio.gz")
    p = subprocess.run([os.path.join(HERE, "build-initramfs.sh"), build_dir, out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode:
        return None, p.stdout.strip()
    return out, None


class Run:
    """One guest boot and what came back from it."""

    def __init__(self, topo):
        self.topo = topo
        self.workdir = os.path.join(work_dir(), "run", topo.name)
        self.results = None
        self.error = None
        self.seconds = 0.0
        self.kernel_source = None

    def boot(self, kernel, initrd):
        try:
            with open(os.path.join(os.path.dirname(kernel), "source-version")) as f:
                self.kernel_source = f.read().strip()
        except OSError:
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)
        args = self.topo.qemu_args(kernel, initrd, self.workdir, DISK_SIZE)
        with open(os.path.join(self.workdir, "qemu-args"), "w") as f:
            f.write(" ".join(args) + "\n")
        start = time.time()
        try:
            p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=self.topo.timeout)
            if p.returncode:
                self.error = "QEMU exited with %d: %s" % (p.returncode, p.stdout.strip()[-500:])
        except subprocess.TimeoutExpired:
            self.error = "guest did not finish in %d s" % self.topo.timeout
        except OSError as e:
            self.error = "cannot run %s: %s" % (args[0], e.strerror)
        self.seconds = time.time() - start
        self._read_results()
        return self

    def _read_results(self):
        path = os.path.join(self.workdir, "results.json")
        try:
            with open(path, errors="replace") as f:
                text = f.read().replace("\r", "")
        except OSError:
            text = ""
        if not text.strip():
            self.error = self.error or "the agent printed nothing"
            return
        try:
            self.results = json.loads(text)
        except ValueError as e:
            self.error = (self.error or "") + " results.json is not JSON (%s)" % e

    def console_tail(self, n=15):
        try:
            with open(os.path.join(self.workdir, "console.log"), errors="replace") as f:
                return "".join(f.read().replace("\r", "").splitlines(True)[-n:])
        except OSError:
            return ""


class Pair:
    def __init__(self, topo, serials, raw):
        self.raw = raw
        self.provider = raw["provider"]
        self.client = raw["client"]
        self.pname = serials.get(self.provider, "?")
        self.cname = serials.get(self.client, "?")
        self.kernel = compare.kernel_result(raw)
        self.data = None if self.kernel != "ok" else ("exact" if raw["data_ok"] else "lost")
        self.lines = compare.p2pdma_lines(raw.get("kmsg", []))
        self.expected = topo.expected(self.pname, self.cname)
        check = raw.get("check", {})
        self.verdict, self.why = None, None
        if check.get("status") not in (0, 1):
            err = (check.get("stderr") or "").strip().splitlines()
            self.why = "p2pdma check exited %s: %s" % (check.get("status"), err[-1] if err else "")
        else:
            self.verdict, self.why = compare.find_verdict(check.get("stdout", ""),
                                                          self.provider, self.client)
        self.map_ok = self.log_ok = False
        if self.verdict:
            self.map_ok, self.log_ok, self.why = compare.compare(self.kernel, self.lines,
                                                                 self.verdict)

    def kernel_text(self):
        return self.kernel + (" (data %s)" % self.data if self.data else "")

    def ours_text(self):
        if not self.verdict:
            return "-"
        return "%s d=%s" % (self.verdict.get("map_type"), self.verdict.get("distance"))

    def viommu_limit_problem(self):
        """The QEMU limit, exactly: the kernel accepts the mapping (the read
        succeeds) and not one byte arrives (the poison is intact).  The
        vIOMMU's fault report is not required: QEMU drops fault records
        while an earlier one is still pending, so it comes and goes."""
        if self.kernel != "ok" or self.data != "lost":
            return "expected the QEMU vIOMMU limit (success, data lost), got %s" \
                % self.kernel_text()
        words = self.raw["length"] // 8
        if self.raw.get("poison_left") != words:
            return "expected no data at all, but %d of %d words changed" \
                % (words - self.raw.get("poison_left", 0), words)
        return None

    def viommu_excused(self):
        """A random topology with a vIOMMU has no expect lines: a BUS_ADDR
        pair whose data the QEMU limit swallowed is that limit, not a
        disagreement (the kernel did map it by bus address)."""
        return (getattr(self, "random", False) and self.data == "lost" and
                self.verdict is not None and self.verdict.get("map_type") == "BUS_ADDR" and
                self.viommu_limit_problem() is None)

    def dmar_faults(self):
        return sum(1 for r in self.raw.get("kmsg", [])
                   if "DMAR" in r["text"] and "fault addr" in r["text"])

    def expectation_problem(self):
        """Why the kernel's behaviour differs from the topology's expect line
        (or, with none, from byte-exact data after a successful read)."""
        want = self.expected
        if want is None:
            if self.kernel == "ok" and self.data != "exact" and not self.viommu_excused():
                return "read succeeded but data %s" % self.data
            return None
        if want == "data-lost":
            return None     # its own test: viommu_limit_problem()
        if want == "ok" and (self.kernel != "ok" or self.data != "exact"):
            return "expected ok with exact data, got %s" % self.kernel_text()
        if want == "EREMOTEIO" and self.kernel != "EREMOTEIO":
            return "expected EREMOTEIO, got %s" % self.kernel_text()
        return None


def serial_map(results):
    return {d["bdf"]: d["serial"] for d in results.get("devices", []) if d.get("serial")}


def kernel_record(run, pairs):
    r = run.results
    return {
        "topology": run.topo.name,
        "description": run.topo.description,
        "source": "tests/vm/topologies/%s.topo" % run.topo.name,
        "kernel": r.get("kernel"),
        "kernel_source": run.kernel_source,
        "cmdline": r.get("cmdline"),
        "cpu": {"vendor": r.get("cpu_vendor"), "family": r.get("cpu_family")},
        "known_limit": run.topo.known_limit,
        "devices": {v: k for k, v in serial_map(r).items()},
        "pairs": [{"provider": p.provider, "client": p.client,
                   "provider_name": p.pname, "client_name": p.cname,
                   "result": p.kernel, "data": p.data,
                   "kernel_log": p.lines} for p in pairs],
    }


def check_saved(tap, run, record):
    path = os.path.join(DATA, run.topo.name + ".kernel.json")
    name = "%s: kernel results equal the saved %s" % (run.topo.name,
                                                     os.path.relpath(path, ROOT))
    try:
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError) as e:
        tap.check(False, name, "cannot read it (%s); run tests/vm/vmtest.py --save" % e)
        return
    keys = ("provider", "client", "result", "data", "kernel_log")
    a = [{k: p[k] for k in keys} for p in saved.get("pairs", [])]
    b = [{k: p[k] for k in keys} for p in record["pairs"]]
    tap.check(a == b, name, None if a == b else
              "saved %s\nnow   %s" % (json.dumps(a), json.dumps(b)))


def save(run, record):
    os.makedirs(DATA, exist_ok=True)
    path = os.path.join(DATA, run.topo.name + ".kernel.json")
    with open(path, "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")
    cap = run.results.get("capture") or {}
    if cap.get("status") == 0 and cap.get("base64"):
        with open(os.path.join(DATA, run.topo.name + ".tar.xz"), "wb") as f:
            f.write(base64.b64decode(cap["base64"]))


def evaluate(tap, run, args, table):
    t = run.topo
    label = " [QEMU limit: %s]" % t.known_limit if t.known_limit else ""
    ok = tap.check(run.results is not None,
                   "%s: guest booted and the agent reported (%.0f s)%s" % (t.name, run.seconds, label),
                   None if run.results else "%s\nconsole:\n%s" % (run.error, run.console_tail()))
    if not ok:
        return
    r = run.results
    serials = serial_map(r)
    ndev = sum(1 for d in r["devices"] if d.get("block"))
    nprov = sum(1 for d in r["devices"] if d.get("p2pmem"))
    tap.check(ndev == len(t.nvmes()) and nprov == len(t.providers()),
              "%s: %d NVMe namespaces and %d p2pmem providers as described"
              % (t.name, len(t.nvmes()), len(t.providers())),
              "guest has %d namespaces and %d providers" % (ndev, nprov))
    pairs = [Pair(t, serials, p) for p in r.get("pairs", [])]
    for p in pairs:
        p.random = getattr(t, "random", False) and t.iommu is not None
        problem = p.expectation_problem()
        good = p.map_ok and p.log_ok and not problem
        tap.check(good, "%s: %s(%s) -> %s(%s): kernel %s, p2pdma %s%s"
                  % (t.name, p.pname, p.provider, p.cname, p.client,
                     p.kernel_text(), p.ours_text(),
                     " [QEMU limit]" if p.expected == "data-lost" else ""),
                  "; ".join(x for x in (p.why, problem) if x) or None)
        table.append((t.name, p))
        if p.expected == "data-lost":
            problem = p.viommu_limit_problem()
            tap.check(problem is None,
                      "[QEMU limit] %s: %s -> %s: the kernel maps by bus address and the read "
                      "succeeds, but no byte arrives (%d vIOMMU fault lines)"
                      % (t.name, p.pname, p.cname, p.dmar_faults()),
                      problem)
    seen = {(p.pname, p.cname) for p in pairs}
    for prov, cli, _, line in t.expect:
        tap.check((prov, cli) in seen, "%s: pair %s -> %s (line %d) was run"
                  % (t.name, prov, cli, line))
    cap = r.get("capture") or {}
    tap.check(cap.get("status") == 0 and bool(cap.get("base64")),
              "%s: p2pdma capture in the guest (%s bytes)" % (t.name, cap.get("size")),
              (cap.get("stderr") or "").strip() or None)
    record = kernel_record(run, pairs)
    if getattr(t, "random", False):
        return      # nothing saved: the seed makes it again
    if args.save:
        save(run, record)
    else:
        check_saved(tap, run, record)


def print_table(table):
    head = ("topology", "provider", "client", "kernel", "p2pdma check", "log", "agree")
    rows = []
    agree = 0
    for name, p in table:
        same = p.map_ok and p.log_ok
        agree += same
        rows.append((name, "%s %s" % (p.pname, p.provider[5:]), "%s %s" % (p.cname, p.client[5:]),
                     p.kernel_text(), p.ours_text(),
                     "=" if p.log_ok else ("-" if not p.verdict else "differs"),
                     "yes" if same else "NO"))
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print("# agreement table: the real kernel (6.12, QEMU guest) vs p2pdma check")
    print("# " + fmt % head)
    for r in rows:
        print("# " + fmt % r)
    total = len(rows)
    print("# agreement: %d/%d pairs (%.1f %%)" % (agree, total, 100.0 * agree / total if total else 0))


def random_topologies(seed, n):
    """@n random topologies from @seed, written where a failing one can be
    read (and booted again by path)."""
    out = os.path.join(work_dir(), "random")
    os.makedirs(out, exist_ok=True)
    topos = []
    for i, sub in enumerate(randtopo.seeds(seed, n)):
        path = os.path.join(out, "random-%d-%d.topo" % (seed, i))
        with open(path, "w") as f:
            f.write(randtopo.generate(sub))
        t = topology.Topology(path)
        t.random = True
        topos.append(t)
    return topos


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"),
                    help="meson build directory whose cli/p2pdma goes into the guest")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="guests booted at once")
    ap.add_argument("--save", action="store_true",
                    help="write captures and kernel results to tests/data/vm/")
    ap.add_argument("--random", type=int, metavar="N",
                    help="boot N random topologies (randtopo.py); alone, only those "
                         "(default: %d beside the fixed ones when no topology is named)"
                    % DEFAULT_RANDOM)
    ap.add_argument("--seed", type=int, help="seed of the random topologies (default: the clock)")
    ap.add_argument("topologies", nargs="*", help="names or .topo paths (default: all)")
    args = ap.parse_args()

    tap = Tap()
    start = time.time()
    table = []
    seed = args.seed if args.seed is not None else int(time.time() * 1000) % (1 << 31)
    nrand = args.random if args.random is not None else (0 if args.topologies else DEFAULT_RANDOM)
    try:
        topos = [topology.Topology(t if t.endswith(".topo") else
                                   os.path.join(HERE, "topologies", t + ".topo"))
                 for t in args.topologies]
        for t in topos:     # a random one booted again by path: nothing saved
            t.random = t.name.startswith("random-")
        if not topos and args.random is None:
            topos = topology.load_all(os.path.join(HERE, "topologies"))
        topos += random_topologies(seed, nrand)
    except topology.TopologyError as e:
        tap.check(False, "topology files parse", str(e))
        topos = []
    if nrand:
        print("# random topologies: %d from seed %d (repeat: tests/vm/vmtest.py --random %d --seed %d)"
              % (nrand, seed, nrand, seed), flush=True)
    have_qemu = shutil.which(QEMU) is not None
    tap.check(have_qemu, "%s is installed" % QEMU, "install qemu-system-x86 (./build.sh deps)")
    kernel, ktime, kerr = build_kernel()
    tap.check(kernel is not None, "guest kernel built or cached (%.0f s)" % ktime,
              "\n".join(kerr or []))
    initrd, ierr = build_initramfs(os.path.abspath(args.build_dir))
    tap.check(initrd is not None, "initramfs built from %s" % args.build_dir, ierr)
    if have_qemu and kernel and initrd and topos:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            runs = list(pool.map(lambda t: Run(t).boot(kernel, initrd), topos))
        for run in runs:
            evaluate(tap, run, args, table)
    tap.emit()
    print_table(table)
    print("# VM suite: %d topologies in %.0f s (kernel step %.0f s)"
          % (len(topos), time.time() - start, ktime))
    if nrand:
        rand = [p for name, p in table if name.startswith("random-")]
        print("# random: %d topologies, seed %d, %d pairs, %d agree"
              % (nrand, seed, len(rand), sum(1 for p in rand if p.map_ok and p.log_ok)))
    print("%d passed, %d failed" % (tap.passed, tap.failed))
    return 0 if tap.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
