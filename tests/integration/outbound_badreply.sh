#!/usr/bin/env bash
# Replies that do not answer what mxprobe sent (wrong DNS id or question,
# wrong NTP originate, wrong fuzzy tag, wrong ICMP payload nonce) are not
# believed: the probes fail although "something came back". And an EHLO
# reply with STARTTLS masked by a middlebox is named. The wrong
# responder is a small mock (tests/outbound/bad_responder.py says why).
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
need python3
world_up
W_BAD=$(mx_netns bad)
mx_veth "$W_ROUTER" 10.77.3.1/24 "$W_BAD" 10.77.3.2/24 >/dev/null
ip -n "$W_BAD" route add default via 10.77.3.1
ip netns exec "$W_BAD" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
ip netns exec "$W_BAD" python3 "$MX_TOP/tests/outbound/bad_responder.py" 10.77.3.2 "$W_DIR/bad.ready" &
mx_on_exit "kill $!"
world_wait "bad responder" test -e "$W_DIR/bad.ready"

bad="--target dns_udp=10.77.3.2 --target ntp=10.77.3.2 --target fuzzy_mailcow=10.77.3.2"
bad+=" --target ping=10.77.3.2 --target smtp_out=10.77.3.2"
# shellcheck disable=SC2086
world_mx outbound --json --timeout 2 $bad
out=$W_OUT
expect_eq "$W_RC" 2 "exit code"
jq -r ".checks[] | select(.status != \"pass\") | \"\\(.id): \\(.summary)\"" <<<"$out"
w_expect "$out" outbound.dns_udp=fail outbound.ntp=fail outbound.fuzzy_mailcow=fail \
	outbound.ping=fail outbound.smtp_out=warn outbound.ip6_mailcow=skip
for c in dns_udp ntp fuzzy_mailcow ping; do
	n=$(jq -r --arg id "outbound.$c" '[.checks[] | select(.id == $id) | .data.probes[].ignored_replies // 0] | add' <<<"$out")
	[ "$n" -ge 1 ] || fail "$c: the mock's replies were not seen (ignored_replies=$n)"
	echo "ok: $c ignored $n forged replies"
done
expect_match "$(jq -r '.checks[] | select(.id == "outbound.ntp") | .summary' <<<"$out")" \
	'not believed' "NTP summary says the replies were not believed"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.fuzzy_mailcow") | .summary' <<<"$out")" \
	'tag .* is not ours' "fuzzy summary names the tag"
# The genuine servers still pass in the same run.
expect_eq "$(w_status "$out" outbound.fuzzy_rspamd)" pass "real fuzzy_storage"
expect_eq "$(w_status "$out" outbound.dns_tcp)" pass "real nsd over TCP"
# A middlebox that masks STARTTLS in the EHLO reply (Cisco-style).
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | "\(.data.probes[0].starttls) \(.data.probes[0].starttls_masked)"' <<<"$out")" \
	"false true" "masked STARTTLS detected"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .summary' <<<"$out")" \
	'hides STARTTLS' "summary names the middlebox"
