# SPDX-License-Identifier: GPL-2.0
# Helpers of the firewall scenarios (sourced after lib/docker.sh).
#   fw_run                 runs `mxprobe -N $MX_DOCKER_NS firewall --json`; sets FW_RC
#   fw_q 'JQ'              jq over that report's firewall checks, by id:
#                          fw_q '.["firewall.published"].status'
#   fw_expect 'JQ' VALUE WHAT
#   expect_open PORT / expect_blocked PORT [SRC]   a real connection from the client
FW_JSON=/tmp/$MX_TEST_ID/firewall.json

fw_run() {
	mkdir -p "/tmp/$MX_TEST_ID"
	set +e
	"$MXPROBE" -N "$MX_DOCKER_NS" firewall --json >"$FW_JSON"
	FW_RC=$?
	set -e
	jq -e . "$FW_JSON" >/dev/null || fail "firewall --json is not JSON"
}

fw_q() {
	jq -r "[.checks[] | {key: .id, value: .}] | from_entries | $1" "$FW_JSON"
}

fw_expect() { expect_eq "$(fw_q "$1")" "$2" "$3"; }

# expect_open PORT [SRC] [DST]. Tries a few times: a fresh container's IPv6
# address is unusable until its duplicate address detection ends.
expect_open() {
	local out i
	for ((i = 0; i < 10; i++)); do
		out=$(mx_client_connect "$1" "${3:-}" "${2:-}") && break
		sleep 0.5
	done
	[ -n "$out" ] || fail "connection to ${3:-$MX_HOST_IP} port $1${2:+ from $2} failed"
	expect_match "$out" "^220 " "real connection to ${3:-$MX_HOST_IP} port $1${2:+ from $2} answered"
}

expect_blocked() {
	if out=$(mx_client_connect "$1" "" "${2:-}"); then
		fail "connection to port $1${2:+ from $2} succeeded: '$out'"
	fi
	echo "ok: real connection to port $1${2:+ from $2} blocked"
}
