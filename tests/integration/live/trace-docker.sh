#!/usr/bin/env bash
# mxprobe trace against a real dockerd (lib/docker.sh: Debian's dockerd in a
# namespace, a busybox "postfix" publishing 25 on br-mailcow, a client
# behind a veth): the path Docker built, the container by name, a DROP in
# DOCKER-USER named, and --selftest through the same path.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
need jq
need socat

mx_docker_start
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
mx_docker_smtp postfix mailcow 25 172.22.1.25
mx_docker_client 203.0.113.7
out=/tmp/$MX_TEST_ID-trace
mx_on_exit "rm -f $out $out.err"

trace_start() {
	local i
	: >"$out" # no start line of the previous trace
	"$MXPROBE" -N "$MX_DOCKER_NS" trace --port 25 --json "$@" >"$out" 2>"$out.err" &
	tpid=$!
	mx_on_exit "kill $tpid"
	for i in $(seq 100); do
		grep -q '"event":"start"' "$out" 2>/dev/null && return 0
		kill -0 $tpid 2>/dev/null || { cat "$out.err"; fail "trace exited early"; }
		sleep 0.1
	done
	fail "trace did not start"
}
trace_stop() {
	sleep 0.3
	kill -INT $tpid
	wait $tpid || true
	cat "$out" "$out.err"
}
syn_from() { jq -c --arg s "$1" 'select(.event=="packet" and .tcp_flags=="S" and (.src | startswith($s + ":")))' "$out" | head -n1; }

echo "== 1. healthy: PREROUTING DNAT -> FORWARD -> DOCKER-USER (return) -> DOCKER accept -> container"
trace_start --every-packet
greeting=$(mx_client_connect 25) || true
trace_stop
expect_eq "$greeting" "220 postfix ESMTP" "healthy: the container answers"
s=$(syn_from "$MX_CLIENT_IP")
expect_eq "$(jq -r '.end.kind + " " + .end.container' <<<"$s")" "container postfix" \
	"healthy: delivered to the container, by name"
expect_eq "$(jq -r '.dnat.from + " -> " + .dnat.to' <<<"$s")" "$MX_HOST_IP:25 -> 172.22.1.25:25" "healthy: DNAT"
expect_eq "$(jq -r '.in + " " + .out' <<<"$s")" "$MX_DOCKER_HOSTIF br-mailcow" "healthy: interfaces"
lines=$(jq -r '.path[].rules[].line' <<<"$s")
echo "$lines"
expect_match "$lines" "nat PREROUTING rule 1: -m addrtype --dst-type LOCAL -j DOCKER → jump DOCKER" "healthy: Docker's PREROUTING jump"
expect_match "$lines" "nat PREROUTING → DOCKER rule [0-9]+: ! -i br-mailcow -p tcp --dport 25 -j DNAT --to-destination 172.22.1.25:25 → ACCEPT" \
	"healthy: Docker's DNAT rule"
expect_match "$lines" "filter FORWARD rule 1: -j DOCKER-USER → jump DOCKER-USER" "healthy: DOCKER-USER first"
expect_match "$lines" "filter FORWARD → DOCKER-USER rule 1: -j RETURN → return" "healthy: DOCKER-USER returns"
expect_match "$lines" "filter FORWARD → DOCKER rule 1: -d 172.22.1.25/32 ! -i br-mailcow -o br-mailcow -p tcp --dport 25 -j ACCEPT → ACCEPT" \
	"healthy: Docker's ACCEPT"

echo "== 2. a DROP in DOCKER-USER for one network: blocked from there, named"
mx_ipt -I DOCKER-USER -s 203.0.113.0/24 -p tcp --dport 25 -j DROP
trace_start
blocked=$(mx_client_connect 25 "$MX_HOST_IP" 203.0.113.7) || true
greeting=$(mx_client_connect 25) || true
trace_stop
expect_eq "$blocked" "" "DOCKER-USER drop: 203.0.113.7 gets no greeting"
expect_eq "$greeting" "220 postfix ESMTP" "DOCKER-USER drop: others still connect"
s=$(syn_from 203.0.113.7)
expect_eq "$(jq -r '.end.kind + " " + .end.hook + " " + .end.reason' <<<"$s")" "dropped FORWARD NETFILTER_DROP" \
	"DOCKER-USER drop: dropped in FORWARD"
expect_eq "$(jq -r '.path[] | select(.hook=="FORWARD") | .rules[-1].line' <<<"$s")" \
	"filter FORWARD → DOCKER-USER rule 1: -s 203.0.113.0/24 -p tcp --dport 25 -j DROP → DROP" \
	"DOCKER-USER drop: the rule"
expect_eq "$(jq -r '.end.kind' <<<"$(syn_from "$MX_CLIENT_IP")")" container "DOCKER-USER drop: the other client reaches the container"
mx_ipt -D DOCKER-USER -s 203.0.113.0/24 -p tcp --dport 25 -j DROP

echo "== 3. --selftest: a connection from a throwaway namespace through a veth"
set +e
"$MXPROBE" -N "$MX_DOCKER_NS" trace --port 25 --selftest --selftest-addr "$MX_HOST_IP" >"$out" 2>"$out.err"
rc=$?
set -e
cat "$out" "$out.err"
expect_eq "$rc" 0 "selftest: exit 0"
expect_match "$(cat "$out")" "selftest: connected to $MX_HOST_IP:25 from 198\.18\.[0-9.]+ through mxst[0-9]+h; greeting \"220 postfix ESMTP\"" \
	"selftest: connected, greeting checked"
expect_match "$(cat "$out")" "first packet: delivered to container postfix \(172.22.1.25:25\) via br-mailcow" \
	"selftest: its SYN reached the container"
mx_ipt -I DOCKER-USER -s 198.18.0.0/15 -j DROP
set +e
"$MXPROBE" -N "$MX_DOCKER_NS" trace --port 25 --selftest --selftest-addr "$MX_HOST_IP" --timeout 2 >"$out" 2>"$out.err"
rc=$?
set -e
cat "$out" "$out.err"
expect_eq "$rc" 2 "selftest blocked: exit 2"
expect_match "$(cat "$out")" "first packet: DROPPED in FORWARD.*; by filter FORWARD → DOCKER-USER rule 1: -s 198.18.0.0/15 -j DROP → DROP" \
	"selftest blocked: the rule"
echo "trace-docker: all good"
