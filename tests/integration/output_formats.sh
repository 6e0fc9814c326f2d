#!/usr/bin/env bash
# The report formats, read by real parsers: JSON by jq against the contract
# (../shared/cli.md), Prometheus by promtool, text with and without a TTY;
# -o writes atomically; exit codes follow the statuses.
. "$MX_TOP/tests/integration/lib/common.sh"
need jq
fx="$MX_TOP/tests/unit/fixtures"
dir=$(mktemp -d /tmp/mxt-out-XXXXXX)
mx_on_exit "rm -rf $dir"

# A fixture host that passes some checks and fails others (LXC container).
set +e
"$MXPROBE" --sysroot "$fx/lxc" system -j >"$dir/lxc.json"
rc=$?
set -e
expect_eq "$rc" 2 "exit code with a failed check"
jq -e '
  (.mxprobe | type == "string") and .schema == 1 and
  (.host | has("hostname") and has("kernel") and has("os")) and
  (.checks | length > 5) and
  all(.checks[]; (.id | test("^[a-z0-9_]+\\.[a-z0-9_.]+$")) and (.group | type == "string") and
      (.status | IN("pass","warn","fail","skip","error")) and (.summary | type == "string" and length > 0) and
      (.remedy == null or (.remedy | type == "string")) and (.data | type == "object")) and
  (.summary.pass == ([.checks[] | select(.status == "pass")] | length)) and
  (.summary.fail == ([.checks[] | select(.status == "fail")] | length)) and
  (.summary.skip == ([.checks[] | select(.status == "skip")] | length))
' "$dir/lxc.json" >/dev/null || fail "JSON does not follow the contract"
expect_eq "$(jq -r '.checks[] | select(.id=="system.virtualization") | .status' "$dir/lxc.json")" fail "lxc fails"
expect_eq "$(jq -r '.checks[] | select(.id=="system.time_offset") | .status' "$dir/lxc.json")" skip "network check skipped under --sysroot"
expect_eq "$(jq -r '.host.hostname' "$dir/lxc.json")" lxc "hostname from the sysroot"
# Every failing check says what to do.
expect_eq "$(jq '[.checks[] | select(.status == "fail" and .remedy == null)] | length' "$dir/lxc.json")" 0 "remedy on every failure"

# Prometheus textfile, written atomically with -o.
set +e
"$MXPROBE" --sysroot "$fx/lxc" --format prometheus -o "$dir/mx.prom" system
rc=$?
set -e
expect_eq "$rc" 2 "exit code with -o"
[ -s "$dir/mx.prom" ] || fail "no prom file"
expect_eq "$(find "$dir" -name 'mx.prom.tmp*' | wc -l)" 0 "no temporary file left"
expect_eq "$(stat -c %a "$dir/mx.prom")" 644 "readable by the collector"
if command -v promtool >/dev/null; then
	promtool check metrics <"$dir/mx.prom" || fail "promtool rejects the output"
	echo "ok: promtool check metrics"
fi
# Same statuses as the JSON.
while read -r id code; do
	want=$(jq -r --arg id "$id" '.checks[] | select(.id == $id) | .status' "$dir/lxc.json")
	names=(pass warn fail skip error)
	[ "${names[$code]}" = "$want" ] || fail "prometheus $id=$code, json $want"
done < <(sed -n 's/^mxprobe_check_status{check="\([^"]*\)",group="[^"]*"} \([0-9]\)$/\1 \2/p' "$dir/mx.prom")
grep -q '^mxprobe_check_value{check="system.memory",key="mem_total_bytes"} 8344055808$' "$dir/mx.prom" ||
	fail "memory value missing from prometheus output"
# A strict shape check for hosts without promtool: every sample line parses.
bad=$(grep -v '^#' "$dir/mx.prom" | grep -Evc '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eE]+$' || true)
expect_eq "$bad" 0 "malformed sample lines"

# An unwritable -o target: one line, exit 3, nothing left behind.
set +e
out=$("$MXPROBE" --sysroot "$fx/kvm" -o /nonexistent-dir/x.prom system 2>&1 >/dev/null)
rc=$?
set -e
expect_eq "$rc" 3 "unwritable output"
expect_match "$out" "output: create temporary file beside /nonexistent-dir/x.prom" "unwritable output message"

# Text: aligned sections, no colour without a TTY; colour on a TTY unless NO_COLOR.
"$MXPROBE" --sysroot "$fx/kvm" system >"$dir/kvm.txt" || true
grep -q $'\033' "$dir/kvm.txt" && fail "colour codes without a TTY"
grep -q '^System$' "$dir/kvm.txt" || fail "no System section"
grep -Eq '^  PASS  virtualization +KVM virtual machine' "$dir/kvm.txt" || fail "virtualization line"
if command -v script >/dev/null; then
	script -qec "$MXPROBE --sysroot $fx/kvm system" /dev/null >"$dir/tty.txt" || true
	grep -q $'\033\[32mPASS' "$dir/tty.txt" || fail "no colour on a TTY"
	NO_COLOR=1 script -qec "$MXPROBE --sysroot $fx/kvm system" /dev/null >"$dir/tty2.txt" || true
	grep -q $'\033\[3' "$dir/tty2.txt" && fail "colour despite NO_COLOR"
	echo "ok: colour only on a TTY, never with NO_COLOR"
fi
echo "output formats: all good"
