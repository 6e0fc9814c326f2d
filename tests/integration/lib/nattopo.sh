# SPDX-License-Identifier: GPL-2.0
# A Docker-shaped forwarding path without Docker: client ns -- veth --
# router ns (DNAT in nat PREROUTING → DOCKER, filter FORWARD → DOCKER-USER →
# DOCKER, policy DROP, the rule layout of Docker 20.10) -- veth -- server ns
# with a listener on port 25. Everything lives in namespaces the test made.
# Source after common.sh; then call nattopo_up [iptables-nft|iptables-legacy].
# NT_BRIDGE=1: the server behind a bridge (br-mxt); NT_EXTRA_PORT=P: publish P
# too; NT_NO_SERVER=1: no listener on 25 (the caller runs its own).
#   $NT_C $NT_R $NT_S   namespaces; $NT_PUB router's address seen by the client
#   $NT_SRV             server address (DNAT target); $NT_RIF_C/$NT_RIF_S router ifs
#   nt_ipt ARGS         iptables of the chosen backend inside the router
NT_PUB=10.97.1.1
NT_CLI=10.97.1.2
NT_SRV=10.97.2.2

nt_ipt() { ip netns exec "$NT_R" "$NT_IPT" -w "$@"; }

nattopo_up() {
	NT_IPT=${1:-iptables-nft}
	command -v "$NT_IPT" >/dev/null || skip "$NT_IPT not installed"
	NT_C=$(mx_netns cli)
	NT_R=$(mx_netns rtr)
	NT_S=$(mx_netns srv)
	read -r NT_CIF NT_RIF_C < <(mx_veth "$NT_C" $NT_CLI/24 "$NT_R" $NT_PUB/24)
	if [ "${NT_BRIDGE:-0}" = 1 ]; then
		# Like docker0/br-*: the router's address on a bridge, the server's
		# veth a port of it.
		read -r NT_RPORT NT_SIF < <(mx_veth "$NT_R" 10.97.3.1/30 "$NT_S" $NT_SRV/24)
		ip -n "$NT_R" addr flush dev "$NT_RPORT"
		ip -n "$NT_R" link add br-mxt type bridge
		ip -n "$NT_R" link set "$NT_RPORT" master br-mxt
		ip -n "$NT_R" addr add 10.97.2.1/24 dev br-mxt
		ip -n "$NT_R" link set br-mxt up
		NT_RIF_S=br-mxt
	else
		read -r NT_RIF_S NT_SIF < <(mx_veth "$NT_R" 10.97.2.1/24 "$NT_S" $NT_SRV/24)
	fi
	ip -n "$NT_C" route add default via $NT_PUB
	ip -n "$NT_S" route add default via 10.97.2.1
	ip netns exec "$NT_R" sysctl -qw net.ipv4.ip_forward=1
	# Docker 20.10's layout (field notes), for one published port.
	nt_ipt -t nat -N DOCKER
	nt_ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	nt_ipt -t nat -A DOCKER -i "$NT_RIF_S" -j RETURN
	nt_ipt -t nat -A DOCKER ! -i "$NT_RIF_S" -p tcp --dport 25 -j DNAT --to-destination $NT_SRV:25
	[ -z "${NT_EXTRA_PORT:-}" ] || nt_ipt -t nat -A DOCKER ! -i "$NT_RIF_S" -p tcp --dport "$NT_EXTRA_PORT" \
		-j DNAT --to-destination $NT_SRV:"$NT_EXTRA_PORT"
	nt_ipt -t nat -A POSTROUTING -s 10.97.2.0/24 ! -o "$NT_RIF_S" -j MASQUERADE
	nt_ipt -N DOCKER
	nt_ipt -N DOCKER-USER
	nt_ipt -P FORWARD DROP
	nt_ipt -A FORWARD -j DOCKER-USER
	nt_ipt -A FORWARD -o "$NT_RIF_S" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	nt_ipt -A FORWARD -o "$NT_RIF_S" -j DOCKER
	nt_ipt -A FORWARD -i "$NT_RIF_S" ! -o "$NT_RIF_S" -j ACCEPT
	nt_ipt -A DOCKER -d $NT_SRV/32 ! -i "$NT_RIF_S" -o "$NT_RIF_S" -p tcp --dport 25 -j ACCEPT
	[ -z "${NT_EXTRA_PORT:-}" ] || nt_ipt -A DOCKER -d $NT_SRV/32 ! -i "$NT_RIF_S" -o "$NT_RIF_S" -p tcp \
		--dport "$NT_EXTRA_PORT" -j ACCEPT
	[ "${NT_NO_SERVER:-0}" = 1 ] && return 0
	nt_ipt -A DOCKER-USER -j RETURN
	# The "container": a mail server greets first.
	ip netns exec "$NT_S" busybox nc -ll -p 25 -e /bin/echo "220 mx.test ESMTP" &
	mx_on_exit "kill $!"
	local i
	for i in $(seq 50); do
		ip netns exec "$NT_S" ss -Htln 'sport = :25' | grep -q . && return 0
		sleep 0.1
	done
	fail "server did not start"
}

# nt_connect: one connection from the client; prints the greeting (or nothing).
nt_connect() {
	ip netns exec "$NT_C" busybox nc -w 3 $NT_PUB 25 </dev/null 2>/dev/null || true
}

# nt_trace_start OUTFILE ARGS...: mxprobe trace in the router, in the background
# (NT_MECH=fentry|kprobe|nflink forces the hook mechanism),
# ready (its start line printed) when this returns. Sets NT_TRACE_PID.
nt_trace_start() {
	local out=$1 i
	shift
	# Empty now: the start line of a previous trace must not be taken
	# for this one's (the child truncates the file only when it runs).
	: >"$out"
	"$MXPROBE" -N "$NT_R" ${NT_V:-} trace --port 25 ${NT_MECH:+--mechanism "$NT_MECH"} "$@" \
		>"$out" 2>"$out.err" &
	NT_TRACE_PID=$!
	mx_on_exit "kill $NT_TRACE_PID"
	for i in $(seq 100); do
		grep -q '"event":"start"\|^tracing' "$out" 2>/dev/null && return 0
		kill -0 $NT_TRACE_PID 2>/dev/null || { cat "$out.err" >&2; fail "trace exited early"; }
		sleep 0.1
	done
	fail "trace did not start"
}

# nt_trace_stop: SIGINT, wait for the summary.
nt_trace_stop() {
	kill -INT "$NT_TRACE_PID"
	wait "$NT_TRACE_PID" || true
}
