#!/usr/bin/env bash
# `mxprobe binds`: the listen() cases that do not take the common path, with
# every mechanism (on the tracepoint one, those where listen() changes no
# socket state are found through the fd; the others through the TCP_LISTEN
# transition): a listen() that fails after the transition (EADDRINUSE: two
# SO_REUSEADDR sockets on one port), a second listen() on a listening socket
# (only its backlog changes), listen() on an accepted (connected) socket
# (EINVAL), and a backlog above net.core.somaxconn (reported as the kernel
# caps it). Each must be one event with the real result.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/binds.sh"
need jq
need python3

ns=$(mx_netns blisten)
out=$(mktemp /tmp/mxt-blisten.XXXXXX)
mx_on_exit "rm -f $out $out.err $out.py"
somaxconn=$(ip netns exec "$ns" cat /proc/sys/net/core/somaxconn)

binds_start "$out" --json --port 7777,7778
cat >"$out.py" <<'PY'
import errno, os, socket, sys
def expect(what, want, fn):
    try:
        fn()
        got = 0
    except OSError as e:
        got = e.errno
    if got != want:
        sys.exit("%s: errno %d, expected %d" % (what, got, want))
def reuse(fam=socket.AF_INET):
    s = socket.socket(fam)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s
print(os.getpid(), flush=True)
a = reuse(); a.bind(("127.0.0.1", 7777))
b = reuse(); b.bind(("127.0.0.1", 7777))
expect("a.listen(5)", 0, lambda: a.listen(5))
expect("b.listen(1)", errno.EADDRINUSE, lambda: b.listen(1))
expect("a.listen(3) again", 0, lambda: a.listen(3))
s = socket.socket(socket.AF_INET6); s.bind(("::1", 7778))
expect("s.listen(1)", 0, lambda: s.listen(1))
c = socket.socket(socket.AF_INET6); c.connect(("::1", 7778))
x, _ = s.accept()
expect("accepted.listen(1)", errno.EINVAL, lambda: x.listen(1))
y = socket.socket(); y.bind(("127.0.0.2", 7777))
expect("y.listen(1000000)", 0, lambda: y.listen(1000000))
PY
pid=$(ip netns exec "$ns" sh -c 'ip link set lo up && exec python3 "$1"' sh "$out.py") ||
	fail "listen workload failed: $pid"
# The events of that pid are written when read (every 50 ms or at once for
# failures); the last one is y's listen.
for ((i = 0; i < 600; i++)); do
	grep -q "\"pid\":$pid,.*\"address\":\"127.0.0.2\".*\"backlog\"" "$out" && break
	sleep 0.05
done
binds_stop
got=$(jq -r --argjson p "$pid" 'select(.event == "listen" and .pid == $p) |
	"\(.address):\(.port) \(.result) backlog=\(.backlog) bound=\(.bound_port)"' "$out")
want="127.0.0.1:7777 ok backlog=5 bound=7777
127.0.0.1:7777 EADDRINUSE backlog=1 bound=0
127.0.0.1:7777 ok backlog=3 bound=7777
::1:7778 ok backlog=1 bound=7778
::1:7778 EINVAL backlog=1 bound=0
127.0.0.2:7777 ok backlog=$somaxconn bound=7777"
expect_eq "$got" "$want" "listen events of the workload"
lost=$(jq -r 'select(.event == "end") | .lost' "$out")
expect_eq "$lost" 0 "events lost"
