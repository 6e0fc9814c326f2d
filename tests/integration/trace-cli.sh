#!/usr/bin/env bash
# `mxprobe trace` bad input: one clear line on stderr, exit 3, nothing left.
. "$MX_TOP/tests/integration/lib/common.sh"

# bad PATTERN ARGS...: lib/common.sh
bad "trace: --port is required" trace
bad "trace: --port: '0' is not a port" trace --port 0
bad "trace: --port: '70000' is not a port" trace --port 70000
bad "trace: --port: 'smtp' is not a port" trace -p smtp
bad "trace: --mechanism: 'ebpf' is not nflink, fentry or kprobe" trace --port 25 --mechanism ebpf
bad "trace: --nftrace-rate: 'x' is not a rate" trace --port 25 --nftrace-rate x
bad "trace: --selftest-addr: 'mail' is not an IPv4 address" trace --port 25 --selftest --selftest-addr mail
bad "trace: --filter: " trace --port 25 --filter 'port port'
bad "trace: a live command has no prometheus output" trace --port 25 --format prometheus
bad "trace: follows live packets; --sysroot does not apply" trace --port 25 --sysroot /
bad "trace: unexpected argument 'now'" trace --port 25 now
bad "trace: --write /nonexistent/x.pcap: " trace --port 25 --write /nonexistent/x.pcap
"$MXPROBE" trace --help | grep -q -- "--selftest" || fail "trace --help"
echo "trace-cli: all good"
