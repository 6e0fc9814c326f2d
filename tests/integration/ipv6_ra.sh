#!/usr/bin/env bash
# ipv6.ra against a real router advertisement (radvd in a router
# namespace): the host's default route comes by RA (proto ra); with
# forwarding off it is a warning (Docker will turn forwarding on), with
# forwarding on and accept_ra=1 a failure, with accept_ra=2 a pass.
. "$MX_TOP/tests/integration/lib/common.sh"
need jq
need radvd

RTR=$(mx_netns rtr)
HOST=$(mx_netns host)
ip link add "ra$$" netns "$RTR" type veth peer name "up$$" netns "$HOST"
ip -n "$RTR" addr add 2001:db8:78::1/64 dev "ra$$" nodad
ip -n "$RTR" link set "ra$$" up
ip netns exec "$HOST" sysctl -qw net.ipv6.conf.all.forwarding=0 "net.ipv6.conf.up$$.accept_ra=1"
ip -n "$HOST" link set "up$$" up
ip netns exec "$RTR" sysctl -qw net.ipv6.conf.all.forwarding=1

conf=$(mktemp "/tmp/$MX_TEST_ID-radvd.XXXXXX")
mx_on_exit "rm -f '$conf' '$conf.pid'"
cat >"$conf" <<CONF
interface ra$$ {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 600;
	prefix 2001:db8:78::/64 { AdvOnLink on; AdvAutonomous on; };
};
CONF
ip netns exec "$RTR" radvd -n -C "$conf" -p "$conf.pid" -m stderr &
radvd_pid=$!
mx_on_exit "kill $radvd_pid"

# The RA arrives within MaxRtrAdvInterval (and on the host's solicitation).
for i in $(seq 100); do
	ip -n "$HOST" -6 route show default | grep -q 'proto ra' && break
	sleep 0.1
done
expect_match "$(ip -n "$HOST" -6 route show default)" "proto ra" "default route learned from the RA"

ra() {
	set +e
	out=$("$MXPROBE" -N "$HOST" --json ipv6)
	set -e
	jq -r --arg k "$1" '.checks[] | select(.id=="ipv6.ra") | if $k=="" then .status elif $k=="remedy" then .remedy else .data[$k] end' <<<"$out"
}
expect_eq "$(ra "")" warn "forwarding off, accept_ra=1: warn before Docker turns forwarding on"
expect_eq "$(ra interface)" "up$$" "the RA uplink is named"
exp=$(ra route_expires_seconds)
[ "$exp" -gt 0 ] && [ "$exp" -le 600 ] || fail "route expiry from netlink: '$exp'"
echo "ok: route expires in $exp s (from RTA_CACHEINFO)"

# What Docker does for an IPv6 network: the kernel drops RA-learned
# default routes at once (rt6_purge_dflt_routers) and ignores new RAs.
ip netns exec "$HOST" sysctl -qw net.ipv6.conf.all.forwarding=1
expect_eq "$(ip -n "$HOST" -6 route show default)" "" "forwarding on: the kernel dropped the RA route"
expect_eq "$(ra "")" fail "forwarding on, accept_ra=1, route gone, SLAAC address left: fail"
expect_eq "$(ra interface)" "up$$" "the uplink that lost its route is named"
expect_match "$(ra remedy)" "net.ipv6.conf.up$$.accept_ra=2" "remedy"

ip netns exec "$HOST" sysctl -qw "net.ipv6.conf.up$$.accept_ra=2"
for i in $(seq 100); do
	ip -n "$HOST" -6 route show default | grep -q 'proto ra' && break
	sleep 0.1
done
expect_match "$(ip -n "$HOST" -6 route show default)" "proto ra" "accept_ra=2: the next RA brings the route back"
expect_eq "$(ra "")" pass "accept_ra=2 keeps RAs with forwarding on"
expect_eq "$(ra accept_ra)" 2 "accept_ra read from the namespace's /proc/sys"
echo "ipv6_ra: all good"
