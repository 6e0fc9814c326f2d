#!/usr/bin/env bash
# ICMP echo blocked at the provider: unbound's healthcheck rule tolerates one
# unreachable host and fails with two.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up

world_rule 'ip daddr 9.9.9.9 icmp type echo-request drop'
world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 0 "one silent host is tolerated"
w_expect "$out" outbound.ip6_mailcow=skip
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.ping") | "\(.data.answered)/\(.data.unanswered)"' <<<"$out")" \
	"2/1" "2 answered, 1 not"

ip netns exec "$W_ROUTER" nft flush chain ip provider filter_forward
world_rule 'icmp type echo-request drop'
world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 2 "exit code"
w_expect "$out" outbound.ping=fail outbound.ip6_mailcow=skip
expect_match "$(jq -r '.checks[] | select(.id == "outbound.ping") | .summary' <<<"$out")" \
	'only 0 of 3 hosts answer ping' "summary"

# Rejected with ICMP admin-prohibited instead of dropped: also a failure,
# reported with the ICMP error (not mistaken for a reply).
ip netns exec "$W_ROUTER" nft flush chain ip provider filter_forward
# The ICMP error names the router that sent it (IP_RECVERR offender). The
# same for a UDP probe rejected on the way (NTP here).
world_rule 'icmp type echo-request reject with icmp type admin-prohibited'
world_rule 'udp dport 123 reject with icmp type port-unreachable'
world_mx outbound --json --timeout 2
out=$W_OUT
w_expect "$out" outbound.ping=fail outbound.ntp=fail outbound.ip6_mailcow=skip
expect_match "$(jq -r '.checks[] | select(.id == "outbound.ping") | .summary' <<<"$out")" \
	'ICMP administratively prohibited from 10\.77\.1\.1 \(a router' "ping: the rejecting router named"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.ntp") | .summary' <<<"$out")" \
	'ICMP port unreachable from 10\.77\.1\.1 \(a router' "NTP: the rejecting router named"
