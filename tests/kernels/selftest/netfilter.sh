#!/bin/bash
# Harness self-test: nftables, iptables-nft and iptables-legacy all work on
# the guest kernel (modules come from the guest's own /lib/modules), in a
# throwaway network namespace.
set -euo pipefail
ns=mxpst-nf-$$
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns nft add table inet mxpst
in_ns nft add chain inet mxpst input '{ type filter hook input priority 0; policy accept; }'
in_ns nft add rule inet mxpst input tcp dport 25 counter accept
in_ns nft list ruleset | grep -q 'tcp dport 25 counter'
echo "nftables: ok"
in_ns iptables-nft -N MXPST
in_ns iptables-nft -A FORWARD -j MXPST
in_ns iptables-nft -t nat -A PREROUTING -p tcp --dport 25 -m addrtype --dst-type LOCAL -j DNAT --to-destination 10.213.1.2:25
in_ns iptables-nft -S FORWARD | grep -q -- '-j MXPST'
echo "iptables-nft (nat, addrtype, DNAT): ok"
in_ns iptables-legacy -A INPUT -p tcp --dport 25 -m conntrack --ctstate NEW -j ACCEPT
in_ns iptables-legacy -S INPUT | grep -q -- '--dport 25'
echo "iptables-legacy (conntrack): ok"
