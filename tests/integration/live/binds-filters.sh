#!/usr/bin/env bash
# `mxprobe binds` filters are applied in the kernel and really filter:
# --port, --pid, --failed, --all (port 0 binds show the port they got), -N;
# --duration ends the stream by itself; after SIGKILL no BPF program or link
# of ours is left; bad options get one line and exit 3.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/binds.sh"
need socat
need jq
need ss

ns=$(mx_netns bflt)
other=$(mx_netns bflt2)
out=$(mktemp /tmp/mxt-binds.XXXXXX)
fifo=$(mktemp -u /tmp/mxt-binds-fifo.XXXXXX)
mkfifo "$fifo"
mx_on_exit "rm -f $out $out.err $fifo"

# wait_for CMD...: retries CMD (not a deadline: a slow guest takes longer).
wait_for() {
	local i
	for ((i = 0; i < 600; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "--- output so far:" >&2
	cat "$out" "$out.err" >&2
	fail "gave up waiting for: $*"
}
listening() { ip netns exec "$1" ss -Htln "sport = :$2" | grep -q LISTEN; }

# listen_once NS PORT [ADDR]: a socat that listens, then is killed.
listen_once() {
	local pid
	ip netns exec "$1" socat "TCP4-LISTEN:$2,bind=${3:-0.0.0.0}" STDIO </dev/null >/dev/null 2>&1 &
	pid=$!
	wait_for listening "$1" "$2"
	kill $pid
	wait $pid 2>/dev/null || true
}

events() { jq -c 'select(.event == "bind" or .event == "listen")' "$out"; }

# --port: 2603 is watched, 2604 is not.
binds_start "$out" --json --port 2603
listen_once "$ns" 2603
listen_once "$ns" 2604
binds_stop
expect_eq "$(events | jq -s 'map(.port) | unique | join(",")')" '"2603"' "--port 2603: only port 2603"
expect_eq "$(events | jq -s 'length')" 2 "--port 2603: its bind and its listen"

# --pid: a process whose pid is known before it binds (bash execs socat).
ip netns exec "$ns" bash -c "read -r _ <$fifo; exec socat TCP4-LISTEN:2605 STDIO </dev/null >/dev/null 2>&1" &
wanted=$!
mx_on_exit "kill $wanted"
binds_start "$out" --json --port 2605,2606 --pid "$wanted"
echo go >"$fifo"
wait_for listening "$ns" 2605
listen_once "$ns" 2606
kill "$wanted"
binds_stop
expect_eq "$(events | jq -s --argjson p "$wanted" 'map(select(.pid != $p)) | length')" 0 "--pid: no other process"
expect_eq "$(events | jq -s --argjson p "$wanted" 'map(select(.pid == $p)) | length')" 2 "--pid: the process's bind and listen"

# --failed: one success, one EADDRINUSE.
binds_start "$out" --json --port 2607 --failed
ip netns exec "$ns" socat TCP4-LISTEN:2607 STDIO </dev/null >/dev/null 2>&1 &
holder=$!
mx_on_exit "kill $holder"
wait_for listening "$ns" 2607
ip netns exec "$ns" socat TCP4-LISTEN:2607 STDIO </dev/null >/dev/null 2>&1 || true
wait_for grep -q EADDRINUSE "$out"
kill $holder
binds_stop
expect_eq "$(events | jq -s 'map(.result) | join(",")')" '"EADDRINUSE"' "--failed: the failure only"

# --all: a bind to port 0 shows the port the kernel picked.
if [ -x /usr/bin/python3 ]; then
	binds_start "$out" --json --all
	ip netns exec "$ns" /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$out.port"
	binds_stop
	got=$(cat "$out.port")
	expect_eq "$(events | jq -s --argjson p "$got" 'map(select(.port == 0 and .bound_port == $p and .address == "127.0.0.1")) | length')" 1 \
		"--all: bind to port 0 reported with the port it got"
	rm -f "$out.port"
fi

# -N: only that namespace.
binds_start "$out" --json --port 2608 -N "$ns"
listen_once "$other" 2608
listen_once "$ns" 2608
binds_stop
expect_eq "$(events | jq -s --arg ino "$(stat -L -c %i /run/netns/"$ns")" 'map(select((.netns | tostring) != $ino)) | length')" 0 \
	"-N: no event of another namespace"
expect_eq "$(events | jq -s 'length')" 2 "-N: the namespace's bind and listen"

# --duration: ends by itself with an end record.
"$MXPROBE" binds --json --port 2609 --duration 1 >"$out" 2>"$out.err" || fail "--duration: exit $?"
expect_eq "$(jq -s 'map(select(.event == "end")) | length' "$out")" 1 "--duration: end record"

# SIGTERM: a clean end like SIGINT (drained, end record, exit 0).
binds_start "$out" --json --port 2610
listen_once "$ns" 2610
kill -TERM "$BINDS_PID"
rc=0
wait "$BINDS_PID" || rc=$?
expect_eq "$rc" 0 "exit code after SIGTERM"
expect_eq "$(jq -s 'map(select(.event == "end")) | length' "$out")" 1 "SIGTERM: end record"
expect_eq "$(events | jq -s 'length')" 2 "SIGTERM: events before it were not lost"

# SIGKILL: our links and programs go with our file descriptors.
binds_start "$out" --json --all
ids=$(binds_bpf_ids "$BINDS_PID")
[ -n "$ids" ] || fail "no BPF fds in mxprobe binds"
kill -9 "$BINDS_PID"
wait "$BINDS_PID" 2>/dev/null || true
binds_gone "$ids" || fail "BPF objects left after SIGKILL: $ids"
echo "ok: nothing left after SIGKILL ($(echo $ids | wc -w) programs and links)"

# Bad input: one line, exit 3 (bad() of common.sh).
bad "--port: 'abc' is not a port" binds --port abc
bad "--port: '70000' is not a port" binds --port 70000
bad "--port: '30-20' is not a port" binds --port 30-20
bad "--pid: '0' is not a process id" binds --pid 0
bad "--all and --port exclude each other" binds --all --port 25
bad "no prometheus format" binds --format prometheus
bad "unexpected argument 'extra'" binds extra

# Without privilege: one line that says so, exit 3 (not "this kernel cannot").
rc=0
msg=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$MXPROBE" binds --duration 1 2>&1 >/dev/null) || rc=$?
expect_eq "$rc" 3 "exit code of binds as nobody"
expect_eq "$(printf '%s\n' "$msg" | wc -l)" 1 "one line for binds as nobody"
expect_match "$msg" "not allowed to load BPF programs: run as root" "message of binds as nobody"
