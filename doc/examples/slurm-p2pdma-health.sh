#!/bin/sh
# Slurm health check: drain this node when a PCIe peer-to-peer pair got
# worse than in its known-good baseline (ACS redirect back on after a
# firmware update, a host bridge the new kernel does not allow, a GPU or
# NIC gone).
#
# Once, on the node in a known-good state (as root, so ACS is readable):
#     p2pdma capture /etc/p2pdma/baseline.tar.xz
# slurm.conf:
#     HealthCheckProgram=/etc/slurm/p2pdma-health.sh
#     HealthCheckInterval=300
#     HealthCheckNodeState=ANY
# slurmd runs it as root; Slurm does not act on the exit status itself,
# so the script drains the node.
baseline=/etc/p2pdma/baseline.tar.xz
node=$(hostname -s)

out=$(p2pdma diff "$baseline" 2>&1)
case $? in
0)	exit 0 ;;
1)	why=$(printf '%s\n' "$out" | grep -m1 '\[worse\]' | tr -s ' ')
	scontrol update nodename="$node" state=drain reason="p2pdma: $why" ;;
*)	scontrol update nodename="$node" state=drain \
		reason="p2pdma: cannot check: $(printf '%s' "$out" | head -n1)" ;;
esac
exit 1
