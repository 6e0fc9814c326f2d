#!/usr/bin/env bash
# kill -9 of `mxprobe trace --selftest` in the middle of its test connection:
# afterwards no nft table, BPF link or program, veth or namespace of ours
# is left (the owner-flag table dies with its socket, links and programs with
# their fds, the anonymous namespace with its last thread and the veth with
# it). A leftover veth of a dead run (simulated) is removed by the next run.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/nattopo.sh"
need busybox
need jq
need bpftool
nattopo_up iptables-nft
out=/tmp/$MX_TEST_ID-trace
mx_on_exit "rm -f $out $out.err"

# The self-test's SYNs are dropped: its connection waits out --timeout.
nt_ipt -I DOCKER-USER -s 198.18.0.0/15 -j DROP
nt_trace_start "$out" --selftest --selftest-addr $NT_PUB --timeout 600
pid=$NT_TRACE_PID
# Wait for the self-test's first (dropped) SYN: the trace is mid-connection.
for i in $(seq 100); do
	grep -q "198.18.*→ $NT_PUB:25 \[S\]" "$out" && break
	sleep 0.1
done
grep -q "198.18.*→ $NT_PUB:25 \[S\]" "$out" || { cat "$out" "$out.err"; fail "selftest SYN not traced"; }
veth=mxst${pid}h
ip -n "$NT_R" link show "$veth" >/dev/null || fail "selftest veth $veth missing while running"
table=mxprobe_trace_$pid
ip netns exec "$NT_R" nft list tables | grep -q "$table" || fail "nft table $table missing while running"
# Our programs and links, from the fds that hold them (bpftool's pid column
# needs a bpftool built with its own BPF iterator).
progs=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -un)
links=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '$1 == "link_id:" { print $2 }' | sort -un)
echo "ours while running: programs $(echo $progs) links $(echo $links)"
[ -n "$progs" ] || fail "no BPF program of pid $pid seen while running"
[ -n "$links" ] || fail "no BPF link of pid $pid seen while running"

kill -9 "$pid"
wait "$pid" 2>/dev/null || true

gone() { # gone CMD...: true once CMD fails (the kernel frees some objects lazily)
	local i
	for i in $(seq 100); do
		"$@" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	return 1
}
tables=$(ip netns exec "$NT_R" nft list tables)
expect_eq "$(grep -c "$table" <<<"$tables" || true)" 0 "no nft table of ours after kill -9"
for id in $progs; do
	gone bpftool prog show id "$id" || fail "BPF program $id still loaded after kill -9"
done
for id in $links; do
	gone bpftool link show id "$id" || fail "BPF link $id still there after kill -9"
done
echo "ok: no BPF program or link of ours after kill -9"
gone ip -n "$NT_R" link show "$veth" || fail "veth $veth left after kill -9"
# The veth's other end lived in the self-test's anonymous namespace: the
# pair is gone only because that namespace is.
echo "ok: no veth of ours after kill -9, so no test namespace either"
expect_eq "$(ip netns list | grep -c -e "mxst" -e "-$pid\b" || true)" 0 "no named namespace of ours"

# A leftover of a dead run (as if the kernel had kept it) goes with the next run.
true &
dead=$!
wait $dead
ip -n "$NT_R" link add "mxst${dead}h" type veth peer name "mxst${dead}c"
nt_ipt -D DOCKER-USER -s 198.18.0.0/15 -j DROP
"$MXPROBE" -N "$NT_R" -v trace --port 25 --selftest --selftest-addr $NT_PUB >"$out" 2>"$out.err" ||
	{ cat "$out" "$out.err"; fail "selftest after kill"; }
cat "$out" "$out.err"
expect_match "$(cat "$out.err")" "removed mxst${dead}[hc], left by a killed run" "leftover reported"
gone ip -n "$NT_R" link show "mxst${dead}h" || fail "leftover veth not removed"
expect_match "$(cat "$out")" "selftest: connected to $NT_PUB:25" "selftest passes afterwards"
echo "trace-kill: all good"
