#!/usr/bin/env bash
# A host with an IPv6 default route: every name with an AAAA record and the
# root servers' IPv6 addresses are probed over IPv6 as well; ip6.mailcow.email
# gives the public IPv6 address. Then IPv6 breaks at the provider while IPv4
# keeps working: the targets warn, naming IPv6.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
W_V6=1
world_up

world_mx outbound --json --timeout 2
out=$W_OUT
jq -r '.checks[] | select(.status != "pass") | "\(.id): \(.summary)"' <<<"$out"
expect_eq "$W_RC" 0 "exit code"
w_expect "$out"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.probes") | .data.ipv6_default_route' <<<"$out")" true "v6 route seen over netlink"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.public_ip") | .data.ipv6' <<<"$out")" 2001:db8:1::2 "public IPv6"
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.dns_udp") | .data.probes[] | select(.family == "ipv6" and .outcome == "ok")] | length' <<<"$out")" \
	6 "3 IPv6 roots x (low, high) answered"
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.github_https") | .data.probes[] | "\(.family)=\(.outcome)"] | join(",")' <<<"$out")" \
	"ipv4=ok,ipv6=ok" "TLS over both families"
# rsync.sanesecurity.net has no AAAA: over IPv6 not applicable, not a failure.
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.clamd_rsync") | .data.probes[] | "\(.family)=\(.outcome)"] | join(",")' <<<"$out")" \
	"ipv4=ok,ipv6=n/a" "no AAAA: IPv6 probe not applicable"
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.ip4_mailcow") | .data.probes[].family] | join(",")' <<<"$out")" \
	"ipv4" "ip4.mailcow.email probed over IPv4 only"

# IPv6 forwarding broken at the provider (IPv4 fine).
world_rule6 'meta l4proto { tcp, udp } drop'
world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 1 "exit code: warnings only"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.github_https") | .summary' <<<"$out")" \
	'works over IPv4, fails over IPv6' "IPv6 failure named"
expect_eq "$(w_status "$out" outbound.dns_udp)" warn "DNS: IPv4 roots fine, IPv6 not"
expect_eq "$(w_status "$out" outbound.ping)" pass "ping is IPv4 (unbound's healthcheck)"
# Optional in the seed ("Retrieve public IP address for display in UI"): a warning.
expect_eq "$(w_status "$out" outbound.ip6_mailcow)" warn "ip6.mailcow.email unreachable"
