#!/usr/bin/env bash
# The provider redirects every port-53 packet to its own resolver (a real
# unbound): the answers are valid but not authoritative, so mxprobe warns
# that DNS is intercepted instead of calling the root servers reachable.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
need unbound
world_up
d=$W_DIR/unbound
mkdir -p "$d"
ip -n "$W_NET" addr add 10.77.2.53/32 dev lo
echo ". 3600 IN NS a.root-servers.net." >"$d/root.hints"
echo "a.root-servers.net. 3600 IN A 198.41.0.4" >>"$d/root.hints"
cat >"$d/unbound.conf" <<EOC
server:
  interface: 10.77.2.53
  access-control: 0.0.0.0/0 allow_snoop
  do-ip6: no
  chroot: ""
  username: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  root-hints: "$d/root.hints"
  module-config: "iterator"
  use-syslog: no
  logfile: "$d/log"
remote-control:
  control-enable: no
EOC
ip netns exec "$W_NET" unbound -d -c "$d/unbound.conf" &
ub_pid=$!
mx_on_exit "kill $ub_pid"
world_wait "unbound" ip netns exec "$W_NET" sh -c "ss -ulnH | grep -q '10.77.2.53:53 '"
# A busy resolver has the root zone's SOA cached (allow_snoop: unbound answers
# RD=0 queries from its cache, as a transparent proxy does).
world_wait "unbound resolving" sh -c \
	"ip netns exec $W_NET dig +time=1 +tries=1 @10.77.2.53 . SOA | grep -q 'status: NOERROR'"

ip netns exec "$W_ROUTER" nft -f - <<EON
table ip intercept {
	chain pre { type nat hook prerouting priority -100; meta l4proto { tcp, udp } th dport 53 dnat to 10.77.2.53; }
}
EON
world_mx outbound --json --timeout 2
out=$W_OUT
jq -r '.checks[] | select(.id | startswith("outbound.dns")) | "\(.id): \(.summary)"' <<<"$out"
expect_eq "$W_RC" 1 "exit code: warnings"
w_expect "$out" outbound.dns_udp=warn outbound.dns_tcp=warn outbound.ip6_mailcow=skip
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | .data.authoritative' <<<"$out")" false "non-authoritative"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | .summary' <<<"$out")" \
	'intercepts port 53' "interception named"

# The intercepting resolver refuses (no recursion for us): the root servers'
# addresses "answer" REFUSED, which no root server does for ". SOA".
kill "$ub_pid"
wait "$ub_pid" 2>/dev/null || true
sed -i 's|allow_snoop|refuse|' "$d/unbound.conf"
ip netns exec "$W_NET" unbound -d -c "$d/unbound.conf" &
mx_on_exit "kill $!"
world_wait "unbound (refusing)" ip netns exec "$W_NET" sh -c "ss -ulnH | grep -q '10.77.2.53:53 '"
# The host's own lookups would be refused too: names from /etc/hosts now.
for n in $W_NAMES; do echo "$W_SVC $n"; done >"/etc/netns/$W_HOST/hosts"
world_mx outbound --json --timeout 2
out=$W_OUT
w_expect "$out" outbound.dns_udp=fail outbound.dns_tcp=fail outbound.ip6_mailcow=skip
expect_match "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | .summary' <<<"$out")" \
	'not as root servers \(server answered REFUSED\): port 53 is intercepted' "REFUSED in the roots' name"
