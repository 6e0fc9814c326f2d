#!/usr/bin/env bash
# `mxprobe binds`: real processes (socat) in a network namespace of their own
# hold port 25 on 0.0.0.0, 127.0.0.1, [::], [::1] and a specific address; a
# second socat's bind fails. The failed event must carry the requested
# address and port (bindsnoop shows 0.0.0.0:0 there) and the holder's pid and
# command, looked up inside that namespace, not ours.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/binds.sh"
need socat
need jq
need ss

ns=$(mx_netns binds)
ip -n "$ns" addr add 10.77.0.1/24 dev lo
ip -n "$ns" addr add 10.77.0.2/24 dev lo
nsino=$(stat -L -c %i "/run/netns/$ns")
out=$(mktemp /tmp/mxt-binds.XXXXXX)
mx_on_exit "rm -f $out $out.err"

# hold ADDRESS-SPEC: a socat listening in the namespace; sets HOLDER.
hold() {
	local spec=$1 i
	ip netns exec "$ns" socat "$spec" STDIO </dev/null >/dev/null 2>&1 &
	HOLDER=$!
	mx_on_exit "kill $HOLDER"
	for ((i = 0; i < 300; i++)); do
		ip netns exec "$ns" ss -Htln 'sport = :25' | grep -q LISTEN && return 0
		sleep 0.05
	done
	fail "holder $spec did not listen"
}

# collide ADDRESS-SPEC: a second socat whose bind must fail; sets FAILER.
collide() {
	local rc=0
	ip netns exec "$ns" socat "$1" STDIO </dev/null >/dev/null 2>&1 &
	FAILER=$!
	wait $FAILER || rc=$?
	[ $rc -ne 0 ] || fail "socat $1 should have failed to bind"
}

# seen PID: mxprobe has written an event of PID.
seen() {
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q "\"pid\":$1," "$out" && return 0
		sleep 0.05
	done
	fail "no event of pid $1 in the output"
}

release() {
	kill "$HOLDER"
	wait "$HOLDER" 2>/dev/null || true
	while ip netns exec "$ns" ss -Htln 'sport = :25' | grep -q LISTEN; do sleep 0.05; done
}

binds_start "$out" --json --port 25
# The command uses the mechanism `mxprobe features` announces (same chooser).
mech=$(sed -n 's/^binds: tracing .* via //p' "$out.err")
echo "mechanism: $mech"
expect_eq "$mech" "$("$MXPROBE" features --json | jq -r .mechanisms.binds.mechanism)" "binds mechanism as features says"
ids=$(binds_bpf_ids "$BINDS_PID")
[ -n "$ids" ] || fail "no BPF program or link fd found in mxprobe binds"

cases=(
	# holder            failing bind          failed addr  holder addr
	"TCP4-LISTEN:25,bind=0.0.0.0|TCP4-LISTEN:25,bind=0.0.0.0|0.0.0.0|0.0.0.0"
	"TCP4-LISTEN:25,bind=127.0.0.1|TCP4-LISTEN:25,bind=0.0.0.0|0.0.0.0|127.0.0.1"
	"TCP6-LISTEN:25,bind=[::],ipv6only=0|TCP4-LISTEN:25,bind=0.0.0.0|0.0.0.0|::"
	"TCP6-LISTEN:25,bind=[::1]|TCP6-LISTEN:25,bind=[::]|::|::1"
	"TCP4-LISTEN:25,bind=10.77.0.1|TCP4-LISTEN:25,bind=0.0.0.0|0.0.0.0|10.77.0.1"
)
declare -a holders failers
for c in "${cases[@]}"; do
	IFS='|' read -r h f _ _ <<<"$c"
	hold "$h"
	collide "$f"
	# The holder is looked up when the event is read: it has to hold the
	# port until then (a real holder does not vanish either).
	seen "$FAILER"
	holders+=("$HOLDER")
	failers+=("$FAILER")
	release
done
# A specific address next to another specific one: no conflict, no failure.
hold "TCP4-LISTEN:25,bind=10.77.0.1"
ip netns exec "$ns" socat -T1 TCP4-LISTEN:25,bind=10.77.0.2 STDIO </dev/null >/dev/null 2>&1 &
other=$!
mx_on_exit "kill $other"
while ! ip netns exec "$ns" ss -Htln 'src 10.77.0.2 and sport = :25' | grep -q LISTEN; do sleep 0.05; done
kill "$other"
release
binds_stop

jq -e . "$out" >/dev/null || fail "output is not JSON Lines"
echo "ok: every line parses with jq"
expect_eq "$(jq -s '[.[] | select(.event == "end")] | length' "$out")" 1 "one end record"
expect_eq "$(jq -s '[.[] | select(.event == "end")][0].lost' "$out")" 0 "no event lost"
expect_eq "$(jq -s '[.[] | select(.event == "bind" or .event == "listen") | select(.port != 25)] | length' "$out")" 0 "--port 25 shows port 25 only"

i=0
for c in "${cases[@]}"; do
	IFS='|' read -r _ _ faddr haddr <<<"$c"
	hp=${holders[$i]} fp=${failers[$i]}
	i=$((i + 1))
	ev=$(jq -c --argjson p "$fp" 'select(.pid == $p and .event == "bind")' "$out")
	[ -n "$ev" ] || fail "case $c: no bind event of the failing socat (pid $fp)"
	expect_eq "$(jq -r .result <<<"$ev")" EADDRINUSE "case $i: result"
	expect_eq "$(jq -r .address <<<"$ev")" "$faddr" "case $i: requested address of the failed bind"
	expect_eq "$(jq -r .port <<<"$ev")" 25 "case $i: requested port of the failed bind"
	expect_eq "$(jq -r .netns <<<"$ev")" "$nsino" "case $i: netns of the event"
	expect_eq "$(jq -r .comm <<<"$ev")" socat "case $i: command"
	expect_eq "$(jq -r '.holders | length' <<<"$ev")" 1 "case $i: one holder"
	expect_eq "$(jq -r '.holders[0].pid' <<<"$ev")" "$hp" "case $i: holder pid"
	expect_eq "$(jq -r '.holders[0].comm' <<<"$ev")" socat "case $i: holder command"
	expect_eq "$(jq -r '.holders[0].address' <<<"$ev")" "$haddr" "case $i: holder address"
	# The holder's own bind and listen were seen too, with their result.
	expect_eq "$(jq -s --argjson p "$hp" '[.[] | select(.pid == $p and .result == "ok")] | map(.event) | sort | join(",")' "$out")" \
		'"bind,listen"' "case $i: holder's bind and listen"
done
expect_eq "$(jq -s '[.[] | select(.address == "10.77.0.2" and .result == "ok")] | length' "$out")" 2 \
	"10.77.0.2:25 beside 10.77.0.1:25 binds and listens"

# The programs and links were ours alone: gone after a clean exit.
binds_gone "$ids" || fail "BPF objects left after exit: $ids"
echo "ok: no BPF program or link left after SIGINT"
