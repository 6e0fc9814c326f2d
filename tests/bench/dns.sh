#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `mxprobe dns` against what an admin does today: one `dig` per record the
# seed's DNS table and the optional records name (MX, A, AAAA, both PTRs and
# their forward lookups, SPF TXT, _dmarc, the DKIM key, a wildcard name,
# autodiscover, autoconfig, the SRV, _mta-sts, _smtp._tls, TLSA, CAA), and
# pyspf (python3-spf) for the SPF evaluation alone. Everything asks the same
# nsd in a throwaway namespace serving tests/dns/mkzones.sh's good.test;
# hyperfine when installed, else RUNS timed runs. Prints means and ratios.
# Note what is not equal: the digs only fetch; mxprobe also parses, follows
# the SPF tree, decodes the DKIM key and judges every record.
#   tests/bench/dns.sh [MXPROBE]     (root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mx=$(realpath "${1:-$top/build/mxprobe}")
runs=${RUNS:-20}
srv="mxb-$$-dnssrv" cli="mxb-$$-dnscli"
tmp=$(mktemp -d "/tmp/mxb-$$.XXXXXX")
cleanup() {
	set +e
	[ -n "${nsd_pid-}" ] && kill "$nsd_pid"
	wait 2>/dev/null
	for ns in "$srv" "$cli"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp" "/etc/netns/$cli"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "dns bench: needs root" >&2; exit 1; }

ip netns add "$srv"
ip netns add "$cli"
ip link add "vb$$a" netns "$srv" type veth peer name "vb$$b" netns "$cli"
ip -n "$srv" addr add 10.53.0.1/24 dev "vb$$a"
ip -n "$cli" addr add 10.53.0.2/24 dev "vb$$b"
for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
ip -n "$srv" link set "vb$$a" up
ip -n "$cli" link set "vb$$b" up
"$top/tests/dns/mkzones.sh" "$tmp/z" 10.53.0.1 >/dev/null
ip netns exec "$srv" nsd -d -c "$tmp/z/nsd.conf" &
nsd_pid=$!
until ip netns exec "$cli" dig +time=1 +tries=1 +short @10.53.0.1 good.test SOA | grep -q ns; do sleep 0.1; done
mkdir -p "/etc/netns/$cli"
echo "nameserver 10.53.0.1" >"/etc/netns/$cli/resolv.conf"

# The admin's way, as a script run in the namespace.
cat >"$tmp/digs.sh" <<'S'
d=good.test h=mx.good.test
q() { dig +short @10.53.0.1 "$@" >/dev/null; }
q MX $d; q A $h; q AAAA $h; q -x 198.51.100.10; q -x 2001:db8::10
q TXT $d; q TXT _dmarc.$d; q TXT dkim._domainkey.$d; q TXT random-name.$d
q A autodiscover.$d; q A autoconfig.$d; q SRV _autodiscover._tcp.$d
q TXT _mta-sts.$d; q TXT _smtp._tls.$d; q TLSA _25._tcp.$h; q CAA $h; q CAA $d
S
# The same 17 queries from one dig process (dig -f): no process start-ups.
sed -n 's/^q \(.*\)/\1/p' "$tmp/digs.sh" | tr ';' '\n' | sed 's/^ *q //; s/^ *//' |
	sed 's/\$d/good.test/g; s/\$h/mx.good.test/g; s/^/+short @10.53.0.1 /' >"$tmp/batch"
in_ns="ip netns exec $cli"
batch_cmd="$in_ns dig -f $tmp/batch"
mx_cmd="$in_ns $mx dns good.test --resolver 10.53.0.1 --public-ip 198.51.100.10 --public-ip 2001:db8::10 --hostname mx.good.test --json"
dig_cmd="$in_ns bash $tmp/digs.sh"
spf_cmd="$in_ns /usr/bin/python3 -c \"import spf; spf.check2(i='198.51.100.10', s='postmaster@good.test', h='mx.good.test')\""
nq=$($mx_cmd | jq '[.checks[].data.queries[]?] | length')
echo "good.test: mxprobe sends $nq queries for 16 checks; the dig script 17 (one per record, no follow-up)"

if command -v hyperfine >/dev/null; then
	hyperfine -N -w 3 -r "$runs" --export-json "$tmp/h.json" "$mx_cmd" "$dig_cmd" "$spf_cmd" "$batch_cmd" >/dev/null 2>&1 ||
		hyperfine -w 3 -r "$runs" --export-json "$tmp/h.json" "$mx_cmd" "$dig_cmd" "$spf_cmd" "$batch_cmd" >/dev/null
	mapfile -t means < <(jq -r '.results[].mean * 1000' "$tmp/h.json")
else
	mean_ms() {
		local i t0 sum=0
		for ((i = 0; i < runs; i++)); do
			t0=$(date +%s%N)
			eval "$1" >/dev/null 2>&1 || true
			sum=$((sum + $(date +%s%N) - t0))
		done
		echo "$((sum / runs / 1000))e-3"
	}
	means=("$(mean_ms "$mx_cmd")" "$(mean_ms "$dig_cmd")" "$(mean_ms "$spf_cmd")" "$(mean_ms "$batch_cmd")")
fi
printf 'mxprobe dns (16 checks):      %8.1f ms\n' "${means[0]}"
printf 'dig, one per record (17):     %8.1f ms   ratio mxprobe/dig   %.2f\n' "${means[1]}" \
	"$(echo "${means[0]} / ${means[1]}" | bc -l)"
printf 'pyspf check2 (SPF alone):     %8.1f ms   ratio mxprobe/pyspf %.2f\n' "${means[2]}" \
	"$(echo "${means[0]} / ${means[2]}" | bc -l)"
printf 'dig -f, 17 queries, 1 process:%8.1f ms   ratio mxprobe/dig-f %.2f\n' "${means[3]}" \
	"$(echo "${means[0]} / ${means[3]}" | bc -l)"
