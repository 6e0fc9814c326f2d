#!/usr/bin/env bash
# `mxprobe features` on the running kernel: every feature is probed, the
# answers agree with what the kernel shows elsewhere, and each live command
# names a mechanism. On this project's 6.18 machines the exact set is known.
. "$MX_TOP/tests/integration/lib/common.sh"
need jq
out=$("$MXPROBE" features -j)
jq -e '.features | length >= 9 and all(.[]; (.available | type == "boolean") and (.name | type == "string"))' <<<"$out" >/dev/null ||
	fail "features JSON shape"
avail() { jq -r --arg n "$1" '.features[] | select(.name == $n) | .available' <<<"$out"; }
# Ground truth where the kernel shows it without BPF.
if [ -e /sys/kernel/btf/vmlinux ]; then want=true; else want=false; fi
expect_eq "$(avail btf)" "$want" "btf agrees with /sys/kernel/btf/vmlinux"
if [ -e /sys/bus/event_source/devices/kprobe ]; then want=true; else want=false; fi
expect_eq "$(avail kprobe)" "$want" "kprobe agrees with the kprobe PMU"
expect_eq "$(avail tracepoint)" true "tracepoints (tracefs mounted privately when missing)"
jq -e '.mechanisms | to_entries | length >= 1 and all(.[]; .value.mechanism != null)' <<<"$out" >/dev/null ||
	fail "a live command without a mechanism"
echo "kernel $(uname -r): $(jq -r '[.features[] | "\(.name)=\(.available)"] | join(" ")' <<<"$out")"
echo "mechanisms: $(jq -c '.mechanisms | map_values(.mechanism)' <<<"$out")"
case $(uname -r) in
6.18.*-fc-*)
	# This project's development machines: kprobes not built, fentry refused, netfilter link present.
	expect_eq "$(avail fentry)" false "fentry refused here"
	expect_eq "$(avail netfilter_link)" true "netfilter link here"
	expect_eq "$(avail iter_task_file)" true "task_file iterator here"
	;;
esac
# Nothing of ours stays loaded.
if command -v bpftool >/dev/null; then
	left=$(bpftool prog show 2>/dev/null | grep -c 'probe_\|mx_nf_probe' || true)
	expect_eq "$left" 0 "no probe program left loaded"
fi
if command -v nft >/dev/null; then
	expect_eq "$(nft list tables | grep -c mxprobe_probe || true)" 0 "no nft table of ours left"
	if [ "$(avail nft_owner_table)" = true ]; then
		expect_eq "$(avail nft_trace)" true "nftrace usable where owned tables are"
	fi
fi
# Text output is readable and the exit code says all went well.
"$MXPROBE" features | grep -q '^mechanisms$' || fail "text output"
echo "features: all good"
