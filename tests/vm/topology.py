# SPDX-License-Identifier: GPL-2.0-or-later
"""Topology files (tests/vm/topologies/*.topo) and the QEMU command line
that builds each one.  The format is described in tests/vm/README.md."""

import os
import re
import shlex
import struct

# The same pattern as tests/vm/agent/pattern.h, so the guest can check bytes.
MASK64 = (1 << 64) - 1


def pattern_seed(serial):
    h = 0xCBF29CE484222325
    for c in serial.encode():
        h = ((h ^ c) * 0x100000001B3) & MASK64
    return h


def pattern_word(seed, index):
    z = (seed + (index + 1) * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def write_pattern(path, serial, size):
    seed = pattern_seed(serial)
    words = [pattern_word(seed, i) for i in range(size // 8)]
    with open(path, "wb") as f:
        f.write(struct.pack("<%dQ" % len(words), *words))


class TopologyError(Exception):
    pass


RESULTS = ("ok", "EREMOTEIO", "data-lost")
ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")


class Node:
    def __init__(self, kind, ident, parent, opts, line):
        self.kind = kind          # rootport, upstream, downstream, nvme
        self.id = ident
        self.parent = parent      # id of the parent node, or None (pcie.0)
        self.opts = opts
        self.line = line


class Topology:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[: -len(".topo")]
        self.description = ""
        self.cpu = "Skylake-Server"
        self.memory = 512
        self.iommu = None
        self.cmdline = []
        self.known_limit = None
        self.nodes = []
        self.expect = []          # (provider id, client id, result, line)
        self.timeout = 180
        self._parse()

    # -- parsing ---------------------------------------------------------

    def _fail(self, line, msg):
        raise TopologyError("%s:%d: %s" % (self.path, line, msg))

    def _opts(self, line, words, allowed):
        opts = {}
        for w in words:
            key, eq, val = w.partition("=")
            if key not in allowed:
                self._fail(line, "unknown option '%s' (allowed: %s)"
                           % (key, ", ".join(sorted(allowed))))
            if allowed[key] and not eq:
                self._fail(line, "option '%s' needs a value" % key)
            if not allowed[key] and eq:
                self._fail(line, "option '%s' takes no value" % key)
            opts[key] = val if eq else True
        return opts

    def _number(self, line, text, what, lo, hi):
        try:
            v = int(text, 0)
        except ValueError:
            self._fail(line, "%s '%s' is not a number" % (what, text))
        if not lo <= v <= hi:
            self._fail(line, "%s %d is outside %d..%d" % (what, v, lo, hi))
        return v

    def _node(self, line, kind, words, nparent, allowed):
        if len(words) < 1 + nparent:
            self._fail(line, "%s needs an id%s" %
                       (kind, " and a parent" if nparent else ""))
        ident = words[0]
        if not ID_RE.match(ident):
            self._fail(line, "bad id '%s' (lower case letters, digits, '-')" % ident)
        if self.node(ident):
            self._fail(line, "id '%s' is used twice" % ident)
        parent = words[1] if nparent else None
        if parent == "pcie.0" and kind == "nvme":
            pass    # an integrated endpoint on the root bus: no upstream bridge
        elif parent is not None:
            p = self.node(parent)
            if not p:
                self._fail(line, "unknown parent '%s' (define it first)" % parent)
            if kind == "upstream" and p.kind not in ("rootport", "downstream"):
                self._fail(line, "a switch upstream port sits on a root or downstream port")
            if kind == "downstream" and p.kind != "upstream":
                self._fail(line, "a downstream port sits on an upstream port")
            if kind == "nvme" and p.kind not in ("rootport", "downstream"):
                self._fail(line, "an NVMe sits on a root or downstream port")
        opts = self._opts(line, words[1 + nparent:], allowed)
        self.nodes.append(Node(kind, ident, parent, opts, line))
        return self.nodes[-1]

    def _parse(self):
        try:
            with open(self.path) as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise TopologyError("%s: %s" % (self.path, e.strerror))
        for n, raw in enumerate(lines, 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            word, _, rest = text.partition(" ")
            rest = rest.strip()
            self._directive(n, word, rest)
        self._check()

    def _directive(self, n, word, rest):
        words = rest.split()
        if word == "description":
            self.description = rest
        elif word == "cpu":
            if len(words) != 1:
                self._fail(n, "cpu takes one QEMU CPU model")
            self.cpu = words[0]
        elif word == "memory":
            self.memory = self._number(n, rest, "memory (MiB)", 128, 4096)
        elif word == "timeout":
            self.timeout = self._number(n, rest, "timeout (s)", 10, 1200)
        elif word == "iommu":
            if words != ["intel"]:
                self._fail(n, "iommu takes 'intel' (QEMU intel-iommu)")
            self.iommu = "intel"
        elif word == "cmdline":
            self.cmdline += shlex.split(rest)
        elif word == "known-limit":
            if not rest:
                self._fail(n, "known-limit needs a label")
            self.known_limit = rest
        elif word == "rootport":
            node = self._node(n, "rootport", words, 0,
                              {"slot": True, "acs": True})
            node.slot = self._number(n, node.opts.get("slot", ""), "slot", 1, 31)
            if node.opts.get("acs", "on") not in ("on", "off"):
                self._fail(n, "acs is on or off")
        elif word == "upstream":
            self._node(n, "upstream", words, 1, {})
        elif word == "downstream":
            self._node(n, "downstream", words, 1, {})
        elif word == "nvme":
            node = self._node(n, "nvme", words, 1,
                              {"cmb": True, "fn": True, "slot": True})
            node.cmb = self._number(n, node.opts.get("cmb", "0"), "cmb (MiB)", 0, 256)
            node.fn = self._number(n, node.opts.get("fn", "0"), "fn", 0, 7)
            node.slot = 0
            if node.parent == "pcie.0":
                node.slot = self._number(n, node.opts.get("slot", ""), "slot", 1, 31)
            elif "slot" in node.opts:
                self._fail(n, "slot= is only for an nvme on pcie.0")
        elif word == "expect":
            if len(words) != 3:
                self._fail(n, "expect PROVIDER CLIENT ok|EREMOTEIO|data-lost")
            if words[2] not in RESULTS:
                self._fail(n, "result '%s' is not one of %s" % (words[2], ", ".join(RESULTS)))
            self.expect.append((words[0], words[1], words[2], n))
        else:
            self._fail(n, "unknown directive '%s'" % word)

    def _check(self):
        if not self.nvmes():
            raise TopologyError("%s: no nvme devices" % self.path)
        slots = {}
        for node in self.nodes:
            if node.kind == "rootport":
                if node.slot in slots:
                    self._fail(node.line, "slot %d already used by '%s'"
                               % (node.slot, slots[node.slot]))
                slots[node.slot] = node.id
        for node in self.nvmes():
            if node.parent == "pcie.0" and node.slot in slots:
                self._fail(node.line, "slot %d already used by '%s'"
                           % (node.slot, slots[node.slot]))
        fns = {}
        for node in self.nvmes():
            key = (node.parent, node.slot, node.fn)
            if key in fns:
                self._fail(node.line, "function %d of '%s' is already '%s'"
                           % (node.fn, node.parent, fns[key]))
            fns[key] = node.id
        for node in self.nvmes():
            if node.fn and (node.parent, node.slot, 0) not in fns:
                self._fail(node.line, "function %d needs a function 0 on '%s'"
                           % (node.fn, node.parent))
        for p, c, _, line in self.expect:
            for ident in (p, c):
                if not self.node(ident) or self.node(ident).kind != "nvme":
                    self._fail(line, "'%s' is not an nvme of this topology" % ident)
            if not self.node(p).cmb:
                self._fail(line, "'%s' has no cmb, so it is no provider" % p)

    # -- queries -----------------------------------------------------------

    def node(self, ident):
        for n in self.nodes:
            if n.id == ident:
                return n
        return None

    def nvmes(self):
        return [n for n in self.nodes if n.kind == "nvme"]

    def providers(self):
        return [n for n in self.nvmes() if n.cmb]

    def expected(self, provider, client):
        for p, c, result, _ in self.expect:
            if (p, c) == (provider, client):
                return result
        return None

    # -- QEMU ------------------------------------------------------------

    def kernel_cmdline(self):
        # no_timer_check: under TCG on a loaded host the kernel's IO-APIC
        # timer test can fail and panic the guest before the agent runs.
        return ["console=ttyS0", "panic=-1", "no_timer_check",
                "p2pdma_vm.nvme=%d" % len(self.nvmes()),
                "p2pdma_vm.p2pmem=%d" % len(self.providers())] + self.cmdline

    def _device_args(self, node, chassis, workdir):
        if node.kind == "rootport":
            dev = ("pcie-root-port,id=%s,bus=pcie.0,addr=%x,chassis=%d,slot=%d"
                   % (node.id, node.slot, chassis, node.slot))
            if node.opts.get("acs") == "off":
                dev += ",disable-acs=true"
            return ["-device", dev]
        if node.kind == "upstream":
            return ["-device", "x3130-upstream,id=%s,bus=%s" % (node.id, node.parent)]
        if node.kind == "downstream":
            return ["-device", "xio3130-downstream,id=%s,bus=%s,chassis=%d,slot=0"
                    % (node.id, node.parent, chassis)]
        disk = os.path.join(workdir, node.id + ".img")
        dev = ("nvme,id=%s,serial=%s,drive=drv-%s,bus=%s,addr=%x.%d"
               % (node.id, node.id, node.id, node.parent, node.slot, node.fn))
        if node.fn == 0 and any(n.parent == node.parent and n.slot == node.slot and n.fn
                                for n in self.nvmes()):
            dev += ",multifunction=on"
        if node.cmb:
            dev += ",cmb_size_mb=%d" % node.cmb
        return ["-drive", "file=%s,if=none,id=drv-%s,format=raw" % (disk, node.id),
                "-device", dev]

    def qemu_args(self, kernel, initrd, workdir, disk_size):
        """The QEMU command line; writes each NVMe's backing file."""
        args = ["qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
                "-cpu", self.cpu, "-smp", "1", "-m", str(self.memory),
                "-nodefaults", "-display", "none", "-monitor", "none",
                "-no-reboot",
                "-serial", "file:" + os.path.join(workdir, "console.log"),
                "-serial", "file:" + os.path.join(workdir, "results.json"),
                "-kernel", kernel, "-initrd", initrd,
                "-append", " ".join(self.kernel_cmdline())]
        # QEMU wants the vIOMMU before the devices it translates for.
        if self.iommu == "intel":
            args += ["-device", "intel-iommu,intremap=off"]
        chassis = 0
        for node in self.nodes:
            if node.kind in ("rootport", "downstream"):
                chassis += 1
            if node.kind == "nvme":
                write_pattern(os.path.join(workdir, node.id + ".img"), node.id, disk_size)
            args += self._device_args(node, chassis, workdir)
        return args


def load_all(directory):
    paths = sorted(os.path.join(directory, f) for f in os.listdir(directory)
                   if f.endswith(".topo"))
    return [Topology(p) for p in paths]
