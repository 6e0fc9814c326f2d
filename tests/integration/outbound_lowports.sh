#!/usr/bin/env bash
# A stateless provider firewall that only lets UDP replies reach ports
# 32768-65535 (seed: Hetzner robot firewall): the low range fails, with the
# unbound setting that fixes it.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up
inet_if=$(world_ifname "$W_ROUTER" 10.77.2.1)
# Stateless: match on the packet alone (no conntrack), as the robot firewall does.
world_rule "iifname \"$inet_if\" udp dport 1024-32767 drop"

world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 2 "exit code"
w_expect "$out" outbound.dns_udp=fail outbound.ip6_mailcow=skip
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | "\(.data.low_ports_ok) \(.data.high_ports_ok)"' <<<"$out")" \
	"false true" "low range fails, high range works"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | .remedy' <<<"$out")" \
	'outgoing-port-avoid: 0-32767' "recommends unbound's outgoing-port-avoid"

# The same firewall for TCP (only ACKs to high ports pass): dns_tcp fails too.
world_rule "iifname \"$inet_if\" tcp dport 1024-32767 drop"
world_mx outbound --json --timeout 2
out=$W_OUT
w_expect "$out" outbound.dns_udp=fail outbound.dns_tcp=fail outbound.ip6_mailcow=skip
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.dns_tcp") | "\(.data.low_ports_ok) \(.data.high_ports_ok)"' <<<"$out")" \
	"false true" "TCP: low range fails, high range works"
