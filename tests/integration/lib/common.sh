# SPDX-License-Identifier: GPL-2.0
# Sourced by integration tests. Gives each test its own network namespaces
# (unique names, so tests and developers can run side by side) and removes
# them on any exit, also when the test fails half-way.
#   . "$MX_TOP/tests/integration/lib/common.sh"
#   ns=$(mx_netns client)          # creates "mxt-<pid>-client"
#   mx_veth "$ns1" 10.9.0.1/24 "$ns2" 10.9.0.2/24
#   mx_on_exit "kill $pid"         # more cleanup, run in reverse order
#   expect_eq "$actual" "$expected" "what"
set -euo pipefail
: "${MXPROBE:?run through tests/run-integration.sh (MXPROBE unset)}"
MX_TEST_ID="mxt-$$"
_mx_cleanups=()
_mx_netns=()

mx_on_exit() { _mx_cleanups+=("$1"); }

_mx_cleanup() {
	local rc=$? i
	set +e
	for ((i = ${#_mx_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_mx_cleanups[$i]}" >/dev/null 2>&1
	done
	# Every namespace of this test by its unique prefix: mx_netns usually runs
	# in a $(...) subshell, whose additions to _mx_netns are lost.
	for ns in "${_mx_netns[@]}" $(ip netns list 2>/dev/null | awk -v p="$MX_TEST_ID-" 'index($1, p) == 1 {print $1}'); do
		# Processes left in a namespace keep it alive: end them first.
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	exit $rc
}
trap _mx_cleanup EXIT
trap 'exit 130' INT TERM

mx_netns() {
	local ns="$MX_TEST_ID-$1"
	ip netns add "$ns"
	_mx_netns+=("$ns")
	ip -n "$ns" link set lo up
	echo "$ns"
}

# mx_veth NS1 ADDR1 NS2 ADDR2: a veth pair between two namespaces.
mx_veth() {
	# $RANDOM, not a counter: callers run this in $(...) subshells too.
	local n=$RANDOM
	local a="v$$a$n" b="v$$b$n"
	ip link add "$a" netns "$1" type veth peer name "$b" netns "$3"
	ip -n "$1" addr add "$2" dev "$a"
	ip -n "$3" addr add "$4" dev "$b"
	ip -n "$1" link set "$a" up
	ip -n "$3" link set "$b" up
	echo "$a $b"
}

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; echo "ok: $3"; }
expect_match() { [[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"; echo "ok: $3"; }
# bad EXPECTED_PATTERN ARGS...: mxprobe ARGS must fail with exit 3 and one
# line on stderr matching the pattern (the bad-input rule of the project).
bad() { # bad EXPECTED_PATTERN ARGS...
	local pat=$1 out rc
	shift
	set +e
	out=$("$MXPROBE" "$@" 2>&1 >/dev/null)
	rc=$?
	set -e
	expect_eq "$rc" 3 "exit code of: mxprobe $*"
	expect_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line of error for: mxprobe $*"
	expect_match "$out" "$pat" "message of: mxprobe $*"
}
need() { command -v "$1" >/dev/null || skip "$1 not installed"; }
