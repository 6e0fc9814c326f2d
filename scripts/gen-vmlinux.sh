#!/usr/bin/env bash
# Regenerates include/vmlinux.h from a kernel's BTF. The header is committed so
# that building mxprobe needs no BTF on the build host; CO-RE relocations make
# the programs run on other kernels (see docs/architecture.md).
# usage: scripts/gen-vmlinux.sh [BTF_FILE]   (default: /sys/kernel/btf/vmlinux)
set -euo pipefail
btf=${1:-/sys/kernel/btf/vmlinux}
top=$(cd "$(dirname "$0")/.." && pwd)
[ -r "$btf" ] || { echo "gen-vmlinux: read $btf: no such file (kernel built without BTF?)" >&2; exit 1; }
tmp=$(mktemp "$top/include/.vmlinux.h.XXXXXX")
trap 'rm -f "$tmp"' EXIT
bpftool btf dump file "$btf" format c >"$tmp"
mv "$tmp" "$top/include/vmlinux.h"
trap - EXIT
echo "gen-vmlinux: wrote include/vmlinux.h from $btf"
