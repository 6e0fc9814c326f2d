#!/bin/bash
# Harness self-test: modules that are not in the initramfs load on demand
# from the guest kernel's own package (not the host's), both by modprobe and
# by the kernel's request_module.
set -euo pipefail
kver=$(uname -r)
vm=$(modinfo -F vermagic vxlan)
[[ $vm == "$kver "* ]] || { echo "vxlan module is for '$vm', not $kver"; exit 1; }
modprobe vxlan
[ -d /sys/module/vxlan ] || { echo "modprobe vxlan: /sys/module/vxlan missing"; exit 1; }
echo "modprobe vxlan: ok ($kver)"
# request_module from the kernel: a dummy link autoloads nothing if built in,
# so use ipvlan (a module on Debian kernels) through rtnetlink
ns=mxpst-mod-$$
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
ip -n "$ns" link add d0 type dummy
ip -n "$ns" link add i0 link d0 type ipvlan mode l2
[ -d /sys/module/ipvlan ] || { echo "ipvlan not autoloaded"; exit 1; }
echo "request_module (ipvlan): ok"
