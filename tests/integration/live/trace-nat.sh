#!/usr/bin/env bash
# mxprobe trace on Docker's netfilter path, built in namespaces (client --
# router with DNAT/FORWARD/DOCKER-USER -- server): real connections, and the
# path, rules, DNAT and end the trace reports for each. The same assertions
# hold whatever mechanism the kernel offers (netfilter link on 6.4+,
# fentry/kprobe on nf_hook_slow below), so this also runs in the 6.1 VM.
# MX_TRACE_IPT=iptables-legacy runs it against legacy x_tables.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/nattopo.sh"
need busybox
need jq
ipt=${MX_TRACE_IPT:-iptables-nft}
nattopo_up "$ipt"
out=/tmp/$MX_TEST_ID-trace
mx_on_exit "rm -f $out $out.err $out.pcap"

# A trace around one connection attempt; prints the greeting (or nothing).
traced() {
	nt_trace_start "$out" "$@"
	greeting=$(nt_connect)
	sleep 0.3
	nt_trace_stop
	echo "--- trace ($*):"
	cat "$out"
}
# The first packet record (the client's SYN) of the JSON trace.
syn() { jq -c 'select(.event=="packet" and .tcp_flags=="S")' "$out" | head -n1; }

"$MXPROBE" features | grep '^  trace' || true

# 1. Healthy: DNAT in PREROUTING, FORWARD -> DOCKER-USER (return) -> DOCKER accept.
traced --json --every-packet
expect_eq "$greeting" "220 mx.test ESMTP" "healthy: the server answers through the trace"
s=$(syn)
expect_eq "$(jq -r '.end.kind' <<<"$s")" forwarded "healthy: SYN forwarded"
expect_eq "$(jq -r '.end.to' <<<"$s")" "$NT_SRV:25" "healthy: to the DNAT target"
expect_eq "$(jq -r '.dnat.from + " -> " + .dnat.to' <<<"$s")" "$NT_PUB:25 -> $NT_SRV:25" \
	"healthy: DNAT before/after from conntrack"
expect_eq "$(jq -r '[.path[].hook] | join(" ")' <<<"$s")" "PREROUTING FORWARD POSTROUTING" \
	"healthy: hooks in path order"
expect_eq "$(jq -r '.in + " " + .out' <<<"$s")" "$NT_RIF_C $NT_RIF_S" "healthy: interfaces in and out"
# Every JSON Lines record has ts and event; the run opens with start and ends with summary.
expect_eq "$(jq -s 'all(.[]; (.ts | type == "number") and (.event | type == "string"))' "$out")" true \
	"json: ts and event on every record"
expect_eq "$(jq -r 'select(.event=="start") | .port' "$out" | head -n1)" 25 "json: start record names the port"
expect_eq "$(jq -s -r '.[-1].event' "$out")" summary "json: summary record last"
expect_eq "$(jq -s '.[-1].packets >= 2' "$out")" true "json: summary counts the packets"
if [ "$ipt" = iptables-nft ]; then
	lines=$(jq -r '.path[].rules[].line' <<<"$s")
	echo "$lines"
	expect_match "$lines" "nat PREROUTING → DOCKER rule 2: ! -i $NT_RIF_S -p tcp --dport 25 -j DNAT --to-destination $NT_SRV:25 → ACCEPT" \
		"healthy: the DNAT rule, by position and text"
	expect_match "$lines" "filter FORWARD → DOCKER-USER rule 1: -j RETURN → return" "healthy: DOCKER-USER returns"
	expect_match "$lines" "filter FORWARD → DOCKER rule 1: -d $NT_SRV/32 ! -i $NT_RIF_S -o $NT_RIF_S -p tcp --dport 25 -j ACCEPT → ACCEPT" \
		"healthy: DOCKER accepts"
fi
reply=$(jq -c 'select(.event=="packet" and .tcp_flags=="SA")' "$out" | head -n1)
expect_eq "$(jq -r '.end.kind + " " + .dnat.direction' <<<"$reply")" "forwarded reply" \
	"healthy: the SYN-ACK goes back as the reply of the DNAT'ed connection"

# 2. A DROP in DOCKER-USER (after an unrelated rule: it is rule 2) blocks,
#    and the trace names it.
nt_ipt -I DOCKER-USER -s 192.0.2.0/24 -j RETURN
nt_ipt -I DOCKER-USER 2 -s 10.97.1.0/24 -p tcp --dport 25 -j DROP
traced
expect_eq "$greeting" "" "DOCKER-USER drop: no greeting"
if [ "$ipt" = iptables-nft ]; then
	expect_match "$(cat "$out")" "filter FORWARD → DOCKER-USER rule 2: -s 10.97.1.0/24 -p tcp --dport 25 -j DROP → DROP" \
		"DOCKER-USER drop: attributed to rule 2 by the nftables trace"
else
	expect_match "$(cat "$out")" "legacy filter DOCKER-USER rule 2: -s 10.97.1.0/24 -p tcp --dport 25 -j DROP → DROP" \
		"DOCKER-USER drop: attributed to rule 2 by its counter"
fi
expect_match "$(cat "$out")" "⇒ DROPPED in FORWARD.*: NETFILTER_DROP at " \
	"DOCKER-USER drop: dropped in FORWARD with the kernel's reason"
nt_ipt -D DOCKER-USER -s 10.97.1.0/24 -p tcp --dport 25 -j DROP

# 3. A DROP for port 25 in INPUT: the forwarded path never meets it.
nt_ipt -I INPUT -p tcp --dport 25 -j DROP
traced --json
expect_eq "$greeting" "220 mx.test ESMTP" "INPUT drop: the connection still succeeds"
s=$(syn)
expect_eq "$(jq -r '[.path[].hook] | join(" ")' <<<"$s")" "PREROUTING FORWARD POSTROUTING" \
	"INPUT drop: INPUT is not on the path"
expect_eq "$(jq -r '.end.kind' <<<"$s")" forwarded "INPUT drop: forwarded all the same"
nt_ipt -D INPUT -p tcp --dport 25 -j DROP

# 4. FORWARD policy DROP with the jumps to DOCKER-USER and DOCKER gone.
nt_ipt -F FORWARD
traced --json
expect_eq "$greeting" "" "policy DROP: no greeting"
s=$(syn)
expect_eq "$(jq -r '.end.kind + " " + .end.hook + " " + .end.reason' <<<"$s")" \
	"dropped FORWARD NETFILTER_DROP" "policy DROP: dropped in FORWARD"
if [ "$ipt" = iptables-nft ]; then
	expect_eq "$(jq -r '.path[] | select(.hook=="FORWARD") | .rules[-1].line' <<<"$s")" \
		"filter FORWARD: policy DROP" "policy DROP: the policy decided"
fi

# 5. --write and --filter: only SYNs, in a file tcpdump reads.
nt_ipt -A FORWARD -j DOCKER-USER
nt_ipt -A FORWARD -o "$NT_RIF_S" -j ACCEPT
nt_ipt -A FORWARD -i "$NT_RIF_S" -j ACCEPT
traced --write "$out.pcap" --filter 'tcp[tcpflags] & tcp-syn != 0' --every-packet
expect_eq "$greeting" "220 mx.test ESMTP" "pcap: connection succeeds"
if command -v tcpdump >/dev/null; then
	pk=$(tcpdump -nn -r "$out.pcap" 2>/dev/null)
	echo "$pk"
	expect_eq "$(wc -l <<<"$pk")" 2 "pcap: SYN and SYN-ACK only"
	expect_match "$pk" "IP $NT_CLI\.[0-9]+ > $NT_PUB\.25: Flags \[S\]" "pcap: the SYN as it arrived"
fi
expect_match "$(tail -n1 "$out")" "not matching --filter" "filter: the rest counted as filtered"

# 6. A port the host serves itself: PREROUTING -> INPUT -> host socket, and
#    the answer OUTPUT -> POSTROUTING.
# socat keeps listening while it serves (busybox nc -ll closes its listener).
need socat
ip netns exec "$NT_R" socat TCP-LISTEN:2526,reuseaddr,fork SYSTEM:"echo 220 host" &
mx_on_exit "kill $!"
for i in $(seq 50); do
	ip netns exec "$NT_R" ss -Htln 'sport = :2526' | grep -q . && break
	sleep 0.1
done
nt_trace_start "$out" --port 2526 --json --every-packet
greeting=$(ip netns exec "$NT_C" busybox nc -w 3 $NT_PUB 2526 </dev/null 2>/dev/null || true)
sleep 0.3
nt_trace_stop
cat "$out"
expect_eq "$greeting" "220 host" "host port: answered"
s=$(syn)
expect_eq "$(jq -r '[.path[].hook] | join(" ")' <<<"$s")" "PREROUTING INPUT" "host port: PREROUTING then INPUT"
expect_match "$(jq -r '.end.kind + " " + .end.socket' <<<"$s")" "^host_socket 0\.0\.0\.0:2526 \(socat, pid [0-9]+\)$" \
	"host port: delivered to the listening socket, with its process"
sa=$(jq -c 'select(.event=="packet" and .tcp_flags=="SA")' "$out" | head -n1)
expect_eq "$(jq -r '([.path[].hook] | join(" ")) + " " + .end.kind + " " + .end.out' <<<"$sa")" \
	"OUTPUT POSTROUTING sent $NT_RIF_C" "host port: the SYN-ACK sent by the host"

# Bad input: one line, exit 3.
set +e
msg=$("$MXPROBE" -N "$NT_R" trace --port 25 --filter 'tcp port nonsense' 2>&1 >/dev/null)
rc=$?
set -e
expect_eq "$rc" 3 "bad --filter: exit 3"
expect_match "$msg" "^mxprobe: trace: --filter: " "bad --filter: one clear line"
echo "trace-nat ($ipt): all good"
