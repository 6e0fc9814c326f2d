#!/usr/bin/env bash
# trace-nat.sh with the kprobe/kretprobe front end forced: the last fallback
# (kernels without the netfilter link and without fentry). Skips where
# kprobes are not built (this development kernel); runs in the 6.1 VM.
. "$MX_TOP/tests/integration/lib/common.sh"
"$MXPROBE" features --json | jq -e '.features[] | select(.name=="kprobe") | .available' >/dev/null ||
	skip "kprobes not available on $(uname -r)"
export NT_MECH=kprobe
exec bash "$MX_TOP/tests/integration/live/trace-nat.sh"
