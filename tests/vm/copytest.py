# SPDX-License-Identifier: GPL-2.0-or-later
"""Real copies in the guests (agent/copies.c), judged on the host.

"copies": `p2pdma copy --backend linux --check --json` between every two
NVMe namespaces through every provider and through host memory.  Each must
complete with exact data; where the kernel refused P2P it must have
bounced and named the refusal.  The table puts "P2P used or bounced" next
to what p2pdma predicted for the two legs.

"bench": p2pmem-test (the P2PDMA authors' tool) and p2pdma on the same
drives, size and buffer; the destination must hold the same bytes after
each, and the throughput table compares tool with tool (TCG-emulated DMA
says nothing about hardware).
"""

import json
import re

OK_TYPES = ("BUS_ADDR", "THRU_HOST_BRIDGE")
# What evaluate_all() saw, for print_tables() after the TAP lines.
SEEN = {"rows": [], "runs": []}
SI = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3, "u": 1e-6}


def _json(run):
    try:
        return json.loads(run.get("stdout") or "")
    except ValueError:
        return None


def predicted(report):
    """What p2pdma's verdicts for the two legs say the kernel will do."""
    verdicts = [leg.get("verdict") for leg in report.get("legs", [])]
    if report.get("via") == "host":
        return "host", verdicts
    return ("P2P" if all(v in OK_TYPES for v in verdicts) else "bounce"), verdicts


def actual(report):
    if report.get("via") == "host":
        return "host"
    if report.get("fallback"):
        return "bounced (%s)" % (report.get("refused_errno") or "?")
    return "P2P used"


def copy_problem(c, report, known_limit):
    """Why this copy is wrong, or None."""
    run = c["run"]
    if report is None:
        err = (run.get("stderr") or "").strip().splitlines()
        return "p2pdma copy exited %s: %s" % (run.get("status"), err[-1] if err else "no output")
    if report.get("bytes") != report.get("size"):
        return "copied %s of %s bytes" % (report.get("bytes"), report.get("size"))
    used = actual(report)
    if used.startswith("bounced"):
        reason = report.get("fallback") or ""
        if "the kernel refused P2P" not in reason or "p2pdma:" not in reason:
            return "bounced without naming the refusal and our verdict: %s" % reason
    if report.get("data_ok") is not True:
        if known_limit and used == "P2P used":
            return None     # the vIOMMU limit: the peer data never arrives
        return "--check: destination differs at byte %s" % report.get("first_difference")
    return None


def evaluate_all(tap, runs):
    """TAP lines for every guest's copies and bench; keeps the table rows."""
    rows = SEEN["rows"]
    SEEN["runs"] = runs
    for run in runs:
        if not run.results:
            continue
        name = run.topo.name
        limit = run.topo.known_limit or (
            "vIOMMU" if getattr(run.topo, "random", False) and
            getattr(run.topo, "iommu", None) else None)
        copies = run.results.get("copies")
        tap.check(isinstance(copies, list) and len(copies) > 0,
                  "%s: the guest ran p2pdma copy (%d copies)" % (name, len(copies or [])))
        for c in copies or []:
            report = _json(c["run"])
            problem = copy_problem(c, report, limit)
            pred, verdicts = predicted(report or {})
            used = actual(report) if report else "-"
            label = " [QEMU limit]" if limit and used == "P2P used" else ""
            tap.check(problem is None, "%s: copy %s -> %s via %s: %s, predicted %s%s"
                      % (name, c["src"], c["dst"], c["via"], used, pred, label), problem)
            agree = (pred == "host" and used == "host") or \
                    (pred == "P2P" and used == "P2P used") or \
                    (pred == "bounce" and used.startswith("bounced"))
            data = "-" if not report else ("exact" if report.get("data_ok") else "LOST")
            rows.append((name, c["src"][5:], c["dst"][5:], c["via"][5:] if c["via"] != "host"
                         else "host", "/".join(v or "?" for v in verdicts), pred, used, data,
                         "yes" if agree else "NO"))
        evaluate_bench(tap, run)


def p2pmem_test_rate(stdout):
    m = re.search(r"([0-9.]+)\s*([kMGTmu]?)B/s", stdout or "")
    return float(m.group(1)) * SI[m.group(2)] if m else None


def bench_rows(bench):
    out = []
    for r in bench.get("runs", []):
        if r["tool"] == "p2pmem-test":
            rate = p2pmem_test_rate(r["run"].get("stdout"))
        else:
            rep = _json(r["run"]) or {}
            rate = rep.get("throughput")
        out.append((r["tool"], r["depth"], r["threads"], rate, r))
    return out


def evaluate_bench(tap, run):
    b = run.results.get("bench")
    name = run.topo.name
    if not b:
        tap.check(False, "%s: p2pmem-test and p2pdma compared" % name, "no bench in results")
        return
    rows = bench_rows(b)
    for tool, depth, threads, rate, r in rows:
        st = r["run"].get("status")
        out = r["run"].get("stdout") or ""
        ok = st == 0 and rate is not None and (tool != "p2pmem-test" or "MATCH on data check" in out)
        tap.check(ok, "%s: %s depth %d threads %d ran (%s)" %
                  (name, tool, depth, threads, "%.2f MB/s" % (rate / 1e6) if rate else "no rate"),
                  None if ok else "exit %s: %s %s" % (st, out[-300:], (r["run"].get("stderr") or "")[-300:]))
    hashes = {r["dst_hash"] for _, _, _, _, r in rows}
    limit = " [QEMU limit]" if run.topo.known_limit and b["via"] != "host" else ""
    same = len(hashes) == 1 and b.get("src_hash") in hashes
    tap.check(same or bool(limit), "%s: destination bytes identical after p2pmem-test and "
              "p2pdma (%s -> %s via %s)%s" % (name, b["src"], b["dst"], b["via"], limit),
              None if same else "destination hashes %s, source %s" % (sorted(hashes), b.get("src_hash")))


def _table(head, rows):
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    print("# " + fmt % head)
    for r in rows:
        print("# " + fmt % r)


def print_tables():
    rows, runs = SEEN["rows"], SEEN["runs"]
    ms = [(r.results or {}).get("copies_ms") or 0 for r in runs]
    if any(ms):
        print("# copies and bench: %.1f s of guest time in all (%s)" % (
            sum(ms) / 1000.0, ", ".join("%s %.1f s" % (r.topo.name, m / 1000.0)
                                          for r, m in zip(runs, ms))))
    if rows:
        print("# copy table: p2pdma copy --backend linux --check in the guest; "
              "P2P used or bounced against the verdicts p2pdma predicted (read leg/write leg)")
        _table(("topology", "src", "dst", "via", "verdicts", "predicted", "P2P used or bounced",
                "data", "agree"), rows)
        agree = sum(1 for r in rows if r[-1] == "yes")
        print("# copy agreement: %d/%d (%.1f %%)" % (agree, len(rows), 100.0 * agree / len(rows)))
    bench = []
    for run in runs:
        b = (run.results or {}).get("bench")
        if not b:
            continue
        best = {}
        for tool, depth, threads, rate, _ in bench_rows(b):
            k = (tool, depth, threads)
            if rate and rate > best.get(k, 0):
                best[k] = rate
        base = best.get(("p2pmem-test", 1, 1))
        for (tool, depth, threads), rate in best.items():
            bench.append((run.topo.name, b["via"][5:] if b["via"] != "host" else "host",
                          tool, depth, threads, "%.2f" % (rate / 1e6),
                          "%.2fx" % (rate / base) if base else "-"))
    if bench:
        b0 = next(r.results["bench"] for r in runs if r.results and r.results.get("bench"))
        print("# throughput table (QEMU TCG: tool against tool only; %d KiB per run in %d KiB "
              "chunks, best of %d runs); ratio against p2pmem-test with its default single thread"
              % (b0["size"] // 1024, b0["chunk"] // 1024,
                 len(b0["runs"]) // 5 if b0.get("runs") else 0))
        _table(("topology", "via", "tool", "depth", "threads", "MB/s", "ratio"), bench)
        print("# (printed by: tests/vm/vmtest.py --build-dir BUILD [TOPOLOGY...]; the runs are "
              "in tests/vm/agent/copies.c)")
