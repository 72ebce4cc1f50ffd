# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded random topologies within what QEMU's q35 machine builds, written
in the .topo format of tests/vm/topology.py (README.md describes it).

One seed gives one topology, always the same: root ports with and without
ACS, switches nested up to two levels, multi-function NVMe devices,
NVMe devices on the root bus, several CMBs, a CPU on either side of the
kernel's AMD Zen rule (Skylake-Server, EPYC, qemu64 = AMD family 0xf),
with or without a vIOMMU, and random pci=disable_acs_redir= /
pci=config_acs= on random ports (by address, by lspci -t path or by
ID).  The generator never asks for an expected result: the kernel in the
guest is the oracle and `p2pdma check` must agree with it."""

import random

CPUS = ("Skylake-Server", "EPYC", "qemu64")
MAX_NVME = 5                # keeps a guest's pairs (providers x clients) small
ROOT_SLOTS = range(2, 10)   # pcie-root-port at 00:N.0
BUS_SLOTS = range(10, 16)   # NVMe on the root bus (integrated endpoints)


class _Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.lines = []
        self.nvme = 0
        self.ids = 0
        self.ports = []         # device names for pci= parameters

    def ident(self, prefix):
        self.ids += 1
        return "%s%d" % (prefix, self.ids)

    def nvme_line(self, parent, extra=""):
        name = self.ident("n")
        cmb = " cmb=16" if self.r.random() < 0.6 else ""
        self.lines.append("nvme %s %s%s%s" % (name, parent, cmb, extra))
        self.nvme += 1
        return name

    def endpoint(self, parent, extra=""):
        """An NVMe, or a multi-function one with 2-3 functions."""
        if self.nvme >= MAX_NVME:
            return
        if self.r.random() < 0.25 and self.nvme + 2 <= MAX_NVME:
            self.nvme_line(parent, extra + " fn=0")
            for fn in range(1, self.r.choice((2, 3))):
                if self.nvme < MAX_NVME:
                    self.nvme_line(parent, extra + " fn=%d" % fn)
        else:
            self.nvme_line(parent, extra)

    def switch(self, parent, path, depth):
        up = self.ident("u")
        self.lines.append("upstream %s %s" % (up, parent))
        for dev in range(self.r.choice((1, 2, 3))):
            dp = self.ident("d")
            self.lines.append("downstream %s %s" % (dp, up))
            # QEMU gives the downstream ports devfn 00.0, 01.0, ... in order.
            self.ports.append("%s/00.0/%02x.0" % (path, dev))
            self.below(dp, "%s/00.0/%02x.0" % (path, dev), depth + 1)

    def below(self, port, path, depth):
        """What hangs off a root or downstream port."""
        if self.nvme >= MAX_NVME:
            return
        x = self.r.random()
        if depth < 2 and x < 0.35:
            self.switch(port, path, depth)
        elif x < 0.9:
            self.endpoint(port)

    def params(self):
        """Random ACS parameters on random ports, the kernel's syntax."""
        opts = []
        ports = self.ports + ["pci:1b36:000c", "pci:104c:8233"]
        if self.r.random() < 0.3:
            pick = self.r.sample(ports, self.r.randint(1, min(2, len(ports))))
            opts.append("disable_acs_redir=" + ";".join(pick))
        if self.r.random() < 0.3:
            entries = []
            for port in self.r.sample(ports, self.r.randint(1, min(2, len(ports)))):
                flags = "".join(self.r.choice("01xxx") for _ in range(7))
                entries.append("%s@%s" % (flags, port))
            opts.append("config_acs=" + ";".join(entries))
        if opts:
            self.lines.append("cmdline pci=" + ",".join(opts))

    def build(self, seed):
        r = self.r
        cpu = r.choice(CPUS)
        self.lines.append("description random topology, seed %d" % seed)
        self.lines.append("cpu %s" % cpu)
        self.lines.append("timeout 300")
        if r.random() < 0.25:
            self.lines += ["iommu intel", "cmdline intel_iommu=on"]
        slots = r.sample(list(ROOT_SLOTS), r.randint(1, 4))
        for slot in sorted(slots):
            rp = self.ident("r")
            acs = " acs=off" if r.random() < 0.25 else ""
            self.lines.append("rootport %s slot=%d%s" % (rp, slot, acs))
            self.ports.append("0000:00:%02x.0" % slot)
            self.below(rp, "0000:00:%02x.0" % slot, 0)
        if r.random() < 0.3 and self.nvme < MAX_NVME:
            self.endpoint("pcie.0", " slot=%d" % r.choice(list(BUS_SLOTS)))
        # At least two drives and one CMB, so there is a pair to judge.
        while self.nvme < 2:
            self.endpoint("pcie.0", " slot=%d" % self.free_bus_slot())
        if not any(" cmb=" in l for l in self.lines if l.startswith("nvme ")):
            for i, l in enumerate(self.lines):
                if l.startswith("nvme "):
                    self.lines[i] = l + " cmb=16"
                    break
        self.params()
        return "\n".join(self.lines) + "\n"

    def free_bus_slot(self):
        used = {int(w.split("=")[1]) for l in self.lines for w in l.split()
                if l.startswith("nvme ") and " pcie.0 " in l and w.startswith("slot=")}
        return min(s for s in BUS_SLOTS if s not in used)


def generate(seed):
    """The .topo text of the topology for @seed."""
    return _Gen(seed).build(seed)


def seeds(master, n):
    """@n topology seeds drawn from @master (what --random N --seed S boots)."""
    r = random.Random(master)
    return [r.randrange(1 << 32) for _ in range(n)]
