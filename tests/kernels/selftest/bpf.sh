#!/bin/bash
# Harness self-test: the BPF side of the guest: bpffs mounted, BTF present,
# and bpftool (when installed) sees kprobe and tracing program types.
set -euo pipefail
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || { echo "bpffs not mounted"; exit 1; }
[ -s /sys/kernel/btf/vmlinux ] || { echo "no BTF"; exit 1; }
command -v bpftool >/dev/null || { echo "skip: bpftool not installed"; exit 77; }
probe=$(bpftool feature probe kernel 2>/dev/null)
for t in kprobe tracing; do
	grep -q "eBPF program_type $t is available" <<<"$probe" || { echo "program type $t unavailable"; exit 1; }
	echo "program type $t: available"
done
