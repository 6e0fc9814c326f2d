#!/usr/bin/env bash
# Benchmark: `mxprobe outbound` with half of the targets blackholed (their
# packets dropped at the provider, so each of them costs a full timeout),
# against the same checks done one after another with the tools an admin
# uses by hand (nc, dig, ping, curl), in the same namespaces and run.
# Goal: mxprobe takes about as long as its slowest probe, <= 1.1 x timeout.
# usage: tests/bench/outbound.sh [MXPROBE] [TIMEOUT_S] [ROUNDS]   (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
MXPROBE=${1:-$top/build/mxprobe}
MXPROBE=$(cd "$(dirname "$MXPROBE")" && pwd)/$(basename "$MXPROBE")
T=${2:-3}
ROUNDS=${3:-3}
export MXPROBE MX_TOP=$top
. "$top/tests/integration/lib/common.sh"
. "$top/tests/outbound/world.sh"
for t in nc dig ping curl; do command -v $t >/dev/null || skip "$t not installed"; done
world_up
# Half the targets: everything on TCP 443 (9 targets), 25, 465 and 873.
world_rule 'tcp dport { 25, 443, 465, 873 } drop'

now() { date +%s.%N; }

# The by-hand equivalent, one target after another, same timeout each.
by_hand() {
	local h=(ip netns exec "$W_HOST")
	"${h[@]}" nc -z -w "$T" rsync.sanesecurity.net 873 || true
	for n in spamassassin.heinlein-support.de github.com hub.docker.com bazaar.abuse.ch \
		urlhaus.abuse.ch database.clamav.net acme-v02.api.letsencrypt.org spamassassin.apache.org; do
		"${h[@]}" curl -s -o /dev/null --cacert "$W_CA" -m "$T" "https://$n/" || true
	done
	"${h[@]}" curl -s -o /dev/null --cacert "$W_CA" -m "$T" https://asn-check.mailcow.email/ || true
	for n in github.com fuzzy.mailcow.email ip4.mailcow.email; do
		"${h[@]}" curl -s -o /dev/null -m "$T" "http://$n/" || true
	done
	"${h[@]}" nc -w "$T" gmail-smtp-in.l.google.com 25 </dev/null || true
	"${h[@]}" curl -s -o /dev/null --cacert "$W_CA" -m "$T" smtps://smtp.gmail.com:465 || true
	"${h[@]}" nc -z -w "$T" discovery.razor.cloudmark.com 2703 || true
	for r in $W_ROOTS; do
		"${h[@]}" dig +time="$T" +tries=1 @"$r" . SOA >/dev/null || true
		"${h[@]}" dig +tcp +time="$T" +tries=1 @"$r" . SOA >/dev/null || true
	done
	for p in $W_PINGS; do "${h[@]}" ping -c1 -W "$T" "$p" >/dev/null || true; done
	"${h[@]}" chronyc -h 0.debian.pool.ntp.org -t "$T" tracking >/dev/null 2>&1 || true
	"${h[@]}" nc -u -z -w "$T" fuzzy.mailcow.email 11445 || true
	"${h[@]}" nc -u -z -w "$T" fuzzy1.rspamd.com 11335 || true
}

best_mx=999 best_hand=999
for ((i = 1; i <= ROUNDS; i++)); do
	t0=$(now)
	world_mx outbound --json --timeout "$T"
	t1=$(now)
	mx=$(echo "$t1 - $t0" | bc -l)
	failed=$(jq '[.checks[] | select(.status == "fail")] | length' <<<"$W_OUT")
	probes=$(jq '.checks[] | select(.id == "outbound.probes") | .data.probes' <<<"$W_OUT")
	t0=$(now)
	by_hand >/dev/null 2>&1
	t1=$(now)
	hand=$(echo "$t1 - $t0" | bc -l)
	printf 'round %d: mxprobe %.2f s (%s probes, %s checks failed), by hand %.2f s\n' \
		"$i" "$mx" "$probes" "$failed" "$hand"
	best_mx=$(echo "if ($mx < $best_mx) $mx else $best_mx" | bc -l)
	best_hand=$(echo "if ($hand < $best_hand) $hand else $best_hand" | bc -l)
done
printf 'timeout %s s, best of %d: mxprobe %.2f s = %.3f x timeout (goal <= 1.1); by hand %.2f s = %.1f x mxprobe\n' \
	"$T" "$ROUNDS" "$best_mx" "$(echo "$best_mx / $T" | bc -l)" "$best_hand" \
	"$(echo "$best_hand / $best_mx" | bc -l)"
