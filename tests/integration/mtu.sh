#!/usr/bin/env bash
# mxprobe mtu against a real client — router — server chain: a plain 1500
# path, a 1420 hop that sends frag-needed / packet-too-big, the same hop as
# an ICMP black hole, a peer that does not answer echo, and Docker-bridge
# and compose MTUs compared with what the path carries. IPv4 and IPv6.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/mtu_topo.sh"
need jq
need iptables
need ip6tables

mtu_topo 1500
mcdir=$(mktemp -d "/tmp/$MX_TEST_ID-mailcow.XXXXXX")
mx_on_exit "rm -rf '$mcdir'"
cp "$MX_TOP/tests/mtu/fixtures/docker-compose.yml" "$mcdir/"

# run ARGS...: the JSON report in $out, the exit code in $rc.
run() {
	set +e
	out=$("$MXPROBE" -N "$CLI" --json mtu --mailcow-dir "$mcdir" "$@")
	rc=$?
	set -e
}
# f FAMILY FIELD: a field of mtu.path's data for ipv4/ipv6.
f() { jq -r --arg fam "$1" --arg k "$2" '.checks[] | select(.id=="mtu.path") | .data[$fam][$k]' <<<"$out"; }
st() { jq -r --arg id "$1" '.checks[] | select(.id==$id) | .status' <<<"$out"; }
d() { jq -r --arg k "$1" '.checks[] | select(.id=="mtu.docker") | .data[$k]' <<<"$out"; }
set_hop() { # set_hop MTU: the router—server link
	ip -n "$RTR" link set "t$$" mtu "$1"
	ip -n "$SRV" link set "s$$" mtu "$1"
}

echo "== plain 1500 path"
for fam in ipv4 ipv6; do
	dst=$SRV4; [ $fam = ipv6 ] && dst=$SRV6
	run "$dst"
	expect_eq "$(st mtu.path)" pass "$fam plain: status"
	expect_eq "$(f $fam path_mtu_bytes)" 1500 "$fam plain: path MTU"
	expect_eq "$(f $fam bound)" local "$fam plain: bounded by our interface"
	expect_eq "$(f $fam probes)" 2 "$fam plain: probes (base + interface MTU)"
	expect_eq "$(f $fam interface)" "$CLI_IF" "$fam plain: uplink interface"
done
echo "== both families at once (HOST given as a name with both addresses)"
echo "$SRV4 mtu-peer.test" >"/tmp/$MX_TEST_ID-hosts"
echo "$SRV6 mtu-peer.test" >>"/tmp/$MX_TEST_ID-hosts"
mx_on_exit "rm -f /tmp/$MX_TEST_ID-hosts"
set +e
out=$(unshare -m sh -c "mount --bind /tmp/$MX_TEST_ID-hosts /etc/hosts && exec '$MXPROBE' -N '$CLI' --json mtu mtu-peer.test")
set -e
expect_eq "$(f ipv4 path_mtu_bytes)/$(f ipv6 path_mtu_bytes)" 1500/1500 "name with A and AAAA: both measured"

echo "== 1420 hop with frag-needed / packet-too-big"
set_hop 1420
for fam in ipv4 ipv6; do
	dst=$SRV4 rtr=10.77.1.1
	[ $fam = ipv6 ] && dst=$SRV6 rtr=fd77:1::1
	run "$dst"
	expect_eq "$(st mtu.path)" pass "$fam ptb: status (PMTUD works)"
	expect_eq "$(f $fam path_mtu_bytes)" 1420 "$fam ptb: path MTU"
	expect_eq "$(f $fam bound)" ptb "$fam ptb: bounded by the router's report"
	expect_eq "$(f $fam ptb_from)" "$rtr" "$fam ptb: reported by the router"
	expect_eq "$(f $fam ptb_mtu_bytes)" 1420 "$fam ptb: reported MTU"
	expect_eq "$(f $fam probes)" 3 "$fam ptb: probes (base, 1500, 1420)"
	expect_eq "$(f $fam blackhole)" false "$fam ptb: no black hole"
	# Uplink 1500 and PMTUD working: Docker's default 1500 is fine.
	expect_eq "$(st mtu.docker)" pass "$fam ptb: docker MTU"
done

echo "== unprivileged: ping sockets instead of raw ones"
need setpriv
ip netns exec "$CLI" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
for fam in ipv4 ipv6; do
	dst=$SRV4; [ $fam = ipv6 ] && dst=$SRV6
	set +e
	out=$(ip netns exec "$CLI" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MXPROBE" --json mtu --mailcow-dir "$mcdir" "$dst")
	set -e
	expect_eq "$(f $fam socket)" ping "$fam unprivileged: ping socket"
	expect_eq "$(f $fam path_mtu_bytes)/$(f $fam bound)" 1420/ptb "$fam unprivileged: frag-needed from the error queue"
done
ip netns exec "$CLI" sysctl -qw net.ipv4.ping_group_range="1 0"
set +e
out=$(ip netns exec "$CLI" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$MXPROBE" --json mtu --mailcow-dir "$mcdir" "$SRV4")
set -e
expect_eq "$(st mtu.path)" error "no CAP_NET_RAW, no ping group: error"
expect_match "$(f ipv4 error)" "needs CAP_NET_RAW" "the error names the privilege"

echo "== the same hop as an ICMP black hole"
ip netns exec "$RTR" iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
ip netns exec "$RTR" ip6tables -A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
for fam in ipv4 ipv6; do
	dst=$SRV4; [ $fam = ipv6 ] && dst=$SRV6
	run "$dst"
	expect_eq "$rc" 2 "$fam black hole: exit code"
	expect_eq "$(st mtu.path)" fail "$fam black hole: status"
	expect_eq "$(f $fam path_mtu_bytes)" 1420 "$fam black hole: path MTU exact to the byte"
	expect_eq "$(f $fam bound)" blackhole "$fam black hole: found by silent loss"
	expect_eq "$(f $fam blackhole)" true "$fam black hole: reported"
	expect_eq "$(f $fam ptb_used)" 0 "$fam black hole: no frag-needed arrived"
	p=$(f $fam probes)
	[ "$p" -le 12 ] || fail "$fam black hole: $p probes (goal: at most 12)"
	echo "ok: $fam black hole: $p probes"
	# mailcow's compose sets no MTU: its network gets Docker's 1500.
	expect_eq "$(st mtu.docker)" fail "$fam black hole: docker MTU"
	expect_eq "$(d recommended_mtu_bytes)" 1420 "$fam black hole: recommended MTU"
done

echo "== mailcow's bridge vs the path"
ip -n "$CLI" link add br-mailcow type bridge
ip -n "$CLI" link set br-mailcow mtu 1500 up
run "$SRV4"
expect_eq "$(st mtu.docker)" fail "bridge 1500 over a 1420 black hole: status"
expect_eq "$(d mailcow_bridge_mtu_bytes)" 1500 "bridge MTU read over netlink"
expect_match "$(jq -r '.checks[]|select(.id=="mtu.docker").remedy' <<<"$out")" \
	'docker-compose.override.yml set networks: mailcow-network: driver_opts: com.docker.network.driver.mtu: "1420"' \
	"remedy names the key, the file and the value"
# The user follows the advice but does not recreate the network.
cat >"$mcdir/docker-compose.override.yml" <<'YML'
networks:
  mailcow-network:
    driver_opts:
      # lower MTU for this provider
      com.docker.network.driver.mtu: "${MAILCOW_MTU:-1420}"
YML
run "$SRV4"
expect_eq "$(st mtu.docker)" fail "compose 1420, bridge still 1500: status"
expect_eq "$(d compose_mtu_bytes)" 1420 "compose MTU from the override (with \${VAR:-default})"
expect_match "$(jq -r '.checks[]|select(.id=="mtu.docker").summary' <<<"$out")" 'predates' \
	"says the network must be recreated"
ip -n "$CLI" link set br-mailcow mtu 1420
run "$SRV4"
expect_eq "$(st mtu.docker)" pass "compose and bridge 1420: status"

echo "== uplink below 1500 (OpenStack-style), path otherwise fine"
ip netns exec "$RTR" iptables -F OUTPUT
ip netns exec "$RTR" ip6tables -F OUTPUT
set_hop 1500
rm "$mcdir/docker-compose.override.yml"
ip -n "$CLI" link set "$CLI_IF" mtu 1450
ip -n "$RTR" link set "r$$" mtu 1450
ip -n "$CLI" link set br-mailcow mtu 1500
run "$SRV4"
expect_eq "$(f ipv4 path_mtu_bytes)" 1450 "uplink 1450: path MTU"
expect_eq "$(f ipv4 bound)" local "uplink 1450: bounded by our interface"
expect_eq "$(st mtu.docker)" fail "uplink 1450, bridge 1500: status"
expect_eq "$(d recommended_mtu_bytes)" 1450 "uplink 1450: recommended MTU"

echo "== part of check: targets and mailcow directory from --config"
cfgf="/tmp/$MX_TEST_ID-mxprobe.conf"
mx_on_exit "rm -f '$cfgf'"
printf 'mtu_target = %s\nmtu_target6 = %s\nmailcow_dir = %s\n' "$SRV4" "$SRV6" "$mcdir" >"$cfgf"
set +e
out=$("$MXPROBE" -N "$CLI" --json --config "$cfgf" check)
set -e
expect_eq "$(f ipv4 path_mtu_bytes)/$(f ipv6 path_mtu_bytes)" 1450/1450 "check: both families to the configured targets"
expect_eq "$(d mailcow_dir)" "$mcdir" "check: mailcow_dir from --config"
expect_eq "$(st mtu.docker)" fail "check: bridge 1500 over uplink 1450"

echo "== a peer that does not answer echo"
ip netns exec "$SRV" iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
run --timeout 1 -4 "$SRV4"
expect_eq "$(st mtu.path)" warn "echo blocked: status"
expect_eq "$(f ipv4 unreachable)" true "echo blocked: no answer at all"
expect_eq "$(f ipv4 path_mtu_bytes)" null "echo blocked: no MTU claimed"

echo "== a firewall that rejects echo (ICMP admin-prohibited)"
ip netns exec "$SRV" iptables -F INPUT
ip netns exec "$SRV" iptables -A INPUT -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-admin-prohibited
run -4 "$SRV4"
expect_eq "$(st mtu.path)" warn "echo rejected: status"
expect_match "$(f ipv4 icmp_error)" "^administratively prohibited \(type 3 code 13\) from $SRV4" "echo rejected: the ICMP error is named"
expect_eq "$(f ipv4 probes)" 3 "echo rejected: a refusal is final (base, MTU, smallest)"

echo "== a namespace without routes"
EMPTY=$(mx_netns empty)
set +e
out=$("$MXPROBE" -N "$EMPTY" --json mtu)
set -e
expect_eq "$(st mtu.path)/$(st mtu.docker)" skip/skip "no route to the default targets: nothing to measure"
set +e
out=$("$MXPROBE" -N "$EMPTY" --json mtu 192.0.2.1)
rc=$?
set -e
expect_eq "$(st mtu.path)/$rc" error/3 "no route to a named host: error"
expect_match "$(f ipv4 error)" "no route to 192.0.2.1" "the error names the host"

echo "== bad input"
set +e
err=$("$MXPROBE" -N "$CLI" mtu no-such-host.invalid 2>&1 >/dev/null); rc=$?
set -e
expect_eq "$rc" 3 "unresolvable host: exit code"
expect_match "$err" "^mxprobe: mtu: resolve 'no-such-host.invalid'" "unresolvable host: message"
echo "mtu: all good"
