# SPDX-License-Identifier: GPL-2.0-or-later
"""The comparison between what a real P2PDMA kernel did and what
`p2pdma check --json` said, shared by vmtest.py (live guests) and
check_captures.py (saved captures, no QEMU).

Agreement for one (provider, client) pair means:
  - map type: the kernel's read succeeded <=> BUS_ADDR or THRU_HOST_BRIDGE,
    and it failed with EREMOTEIO <=> NOT_SUPPORTED;
  - log: the kernel's P2PDMA warning lines printed for that read equal the
    `kernel_log` lines we predicted, in order.  The word before the device
    name (the bound driver, e.g. "nvme", or "pci" without one) is not
    compared: it says which driver is bound, not what the policy decided.
"""

import json
import re

# The P2PDMA lines of KERNEL-FACTS.md section 2 that a mapping can print.
P2PDMA_MESSAGES = (
    "ACS redirect is set between the client and provider",
    "to disable ACS redirect for this path, add the kernel parameter",
    "cannot be used for peer-to-peer DMA as",
    "Host bridge not in P2PDMA whitelist",
)

OK_TYPES = ("BUS_ADDR", "THRU_HOST_BRIDGE")
BDF_RE = re.compile(r"^(?:([0-9a-fA-F]{4,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")
PREFIX_RE = re.compile(r"^\S+ ((?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): ")


def bdf(text):
    """DDDD:BB:DD.F, lower case, for any form the kernel or we print."""
    m = BDF_RE.match(text.strip()) if isinstance(text, str) else None
    if not m:
        return text
    return "%s:%s:%s.%s" % ((m.group(1) or "0000").lower(), m.group(2).lower(),
                            m.group(3).lower(), m.group(4))


def p2pdma_lines(records):
    """The P2PDMA warning lines among kmsg records ({level, text} or str)."""
    out = []
    for r in records:
        text = r["text"] if isinstance(r, dict) else r
        if any(m in text for m in P2PDMA_MESSAGES):
            out.append(text)
    return out


def normalize_line(line):
    return PREFIX_RE.sub(r"\1: ", line.strip())


def kernel_result(pair):
    """ok, EREMOTEIO, or what else went wrong, for one agent pair."""
    if pair.get("mmap_errno"):
        return "mmap:" + pair["mmap_errno"]
    if pair.get("open_errno"):
        return "open:" + pair["open_errno"]
    if pair.get("errno"):
        return pair["errno"]
    if pair.get("bytes") != pair.get("length"):
        return "short-read:%s" % pair.get("bytes")
    return "ok"


def result_class(map_type):
    if map_type in OK_TYPES:
        return "ok"
    if map_type == "NOT_SUPPORTED":
        return "EREMOTEIO"
    return "?"


def _verdicts(node):
    """Every object in a JSON document that carries a map_type."""
    if isinstance(node, dict):
        if "map_type" in node:
            yield node
        for v in node.values():
            yield from _verdicts(v)
    elif isinstance(node, list):
        for v in node:
            yield from _verdicts(v)


def find_verdict(check_stdout, provider, client):
    """Our verdict for (provider, client) from `p2pdma check --json` output,
    or (None, why)."""
    try:
        doc = json.loads(check_stdout)
    except ValueError as e:
        return None, "check printed no JSON (%s)" % e
    found = list(_verdicts(doc))
    for v in found:
        if bdf(v.get("client", "")) == bdf(client) and \
           bdf(v.get("provider", provider)) == bdf(provider):
            return v, None
    if len(found) == 1:
        return found[0], None
    return None, "no verdict for %s -> %s in check output" % (provider, client)


def compare(kernel_res, kernel_lines, verdict):
    """(map agrees, log agrees, text) for one pair."""
    ours = verdict.get("map_type", "?")
    map_ok = result_class(ours) == kernel_res
    predicted = [normalize_line(l) for l in verdict.get("kernel_log") or []]
    logged = [normalize_line(l) for l in kernel_lines]
    log_ok = predicted == logged
    why = []
    if not map_ok:
        why.append("kernel %s but p2pdma says %s" % (kernel_res, ours))
    if not log_ok:
        why.append("kernel logged %s, p2pdma predicted %s"
                   % (json.dumps(logged), json.dumps(predicted)))
    return map_ok, log_ok, "; ".join(why)
