#!/usr/bin/env bash
# system.time_offset against a real NTP server (chronyd) in a network
# namespace: an honest server passes, a server 120 s ahead (chronyd under
# libfaketime) fails with the TOTP explanation, a closed port is a warning
# that names the server, and a port where nothing answers times out.
. "$MX_TOP/tests/integration/lib/common.sh"
need chronyd
need faketime

srv=$(mx_netns srv)
cli=$(mx_netns cli)
mx_veth "$cli" 10.77.0.2/24 "$srv" 10.77.0.1/24 >/dev/null
dir=$(mktemp -d /tmp/mxt-sntp-XXXXXX)
mx_on_exit "rm -rf $dir"

start_chrony() { # start_chrony NAME PORT [faketime offset]
	local name=$1 port=$2 skew=${3:-}
	cat >"$dir/$name.conf" <<EOC
port $port
local stratum 3
allow all
cmdport 0
driftfile $dir/$name.drift
pidfile $dir/$name.pid
EOC
	# -x: never touch the clock of the machine running the tests.
	if [ -n "$skew" ]; then
		ip netns exec "$srv" faketime -f "$skew" chronyd -x -f "$dir/$name.conf" -d >"$dir/$name.log" 2>&1 &
	else
		ip netns exec "$srv" chronyd -x -f "$dir/$name.conf" -d >"$dir/$name.log" 2>&1 &
	fi
	mx_on_exit "kill $!"
	for _ in $(seq 100); do
		ip netns exec "$srv" ss -uln | grep -q ":$port " && return 0
		sleep 0.1
	done
	cat "$dir/$name.log"
	fail "chronyd ($name) did not start"
}
start_chrony honest 123
start_chrony skewed 1123 "+120s"

offset() { # offset SERVER PORT -> "status offset summary" of system.time_offset
	printf 'ntp_server = %s\n' "$1" >"$dir/cfg"
	# The check always asks port 123: redirect the skewed server's port.
	ip netns exec "$cli" "$MXPROBE" --config "$dir/cfg" --timeout 2 system -j |
		jq -r '.checks[] | select(.id == "system.time_offset") | "\(.status) \(.data.offset_seconds // "null") \(.summary)"'
}

read -r st off rest < <(offset 10.77.0.1)
expect_eq "$st" pass "honest server: status"
awk -v o="$off" 'BEGIN { exit !(o < 1 && o > -1) }' || fail "honest server: offset $off"

# Send the client's port-123 queries to the skewed server's port 1123.
ip netns exec "$srv" iptables -t nat -A PREROUTING -p udp --dport 123 -s 10.77.0.2 -j REDIRECT --to-ports 1123
read -r st off rest < <(offset 10.77.0.1)
expect_eq "$st" fail "skewed server: status"
awk -v o="$off" 'BEGIN { exit !(o > 110 && o < 130) }' || fail "skewed server: offset $off"
expect_match "$rest" "TOTP" "skewed server: summary explains TOTP"
ip netns exec "$srv" iptables -t nat -F PREROUTING

# Closed port: ICMP port unreachable, reported as a warning naming the server.
ip netns exec "$srv" iptables -t nat -A PREROUTING -p udp --dport 123 -j REDIRECT --to-ports 9
read -r st off rest < <(offset 10.77.0.1)
expect_eq "$st" warn "closed port: status"
expect_match "$rest" "ntp 10.77.0.1: port unreachable" "closed port: summary"
ip netns exec "$srv" iptables -t nat -F PREROUTING

# Silence: replies dropped, the probe times out instead of believing anything.
ip netns exec "$srv" iptables -A OUTPUT -p udp --sport 123 -j DROP
read -r st off rest < <(offset 10.77.0.1)
expect_eq "$st" warn "no reply: status"
expect_match "$rest" "no reply within 2.0 s" "no reply: summary"
echo "sntp: all good"
