#!/usr/bin/env bash
# Bad input to `mxprobe outbound`: one clear line on stderr, exit 3.
. "$MX_TOP/tests/integration/lib/common.sh"

conf=$(mktemp /tmp/mxt-outbound-cli-XXXXXX)
root=$(mktemp -d /tmp/mxt-outbound-root-XXXXXX)
mx_on_exit "rm -rf $conf $root"
bad "target: .*'bad_host!' is not a host name" outbound --target 'smtp_out=bad_host!:25'
bad "target: unknown target 'smtp'" outbound --target smtp=192.0.2.1
bad "target: .*write IPv6 addresses as \[ADDR\]:PORT" outbound --target dns_udp=2001:db8::1:53
bad "--timeout: '0' is not a positive" outbound --timeout 0
bad "--public-ip: 'mail' is not an IPv4 or IPv6" outbound --public-ip mail
echo "probe_rate = 0" >"$conf"
bad "config: .*:1: bad value '0' for probe_rate" outbound --config "$conf"
echo "ca_file = /nonexistent/ca.pem" >"$conf"
bad "config: .*:1: bad value '/nonexistent/ca.pem' for ca_file" outbound --config "$conf"
echo "target.ntp = [2001:db8::123]:123" >"$conf"
# A valid line is taken (under --sysroot the live probes are skipped).
out=$("$MXPROBE" outbound --config "$conf" --sysroot "$root" --json) || fail "a valid target line"
expect_eq "$(jq -r '[.checks[].status] | unique | join(",")' <<<"$out")" skip "live checks skipped under --sysroot"
echo "outbound cli: all good"
