#!/usr/bin/env bash
# mxprobe outbound against a healthy provider: every probe gets a real
# protocol answer from a real server (tests/outbound/world.sh).
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up

world_mx outbound --json
out=$W_OUT
expect_eq "$W_RC" 0 "exit code (all passed)"
# No IPv6 default route in the host namespace: ip6.mailcow.email is skipped.
w_expect "$out" outbound.ip6_mailcow=skip
expect_eq "$(jq '[.checks[] | select(.group == "outbound")] | length' <<<"$out")" 25 "25 outbound checks"
# Protocol facts, not just "connected".
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .data.probes[0].banner' <<<"$out")" \
	'^220 mx\.google\.test ESMTP' "SMTP banner read"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | "\(.data.probes[0].starttls) \(.data.probes[0].certificate_verified)"' <<<"$out")" \
	"true true" "EHLO offered STARTTLS, the handshake verified"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtps_out") | .data.probes[0].tls_version' <<<"$out")" \
	'^TLSv1\.[23]$' "SMTPS spoke TLS first"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.clamd_rsync") | .data.probes[0].rsync_protocol' <<<"$out")" \
	'^[0-9]+\.[0-9]+$' "rsync greeting version"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.ntp") | .data.probes[0].stratum' <<<"$out")" 10 "chrony's stratum"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.fuzzy_rspamd") | [.data.probes[].outcome] | join(",")' <<<"$out")" \
	"ok,ok" "both rspamd fuzzy hosts answered our tag"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | [.data.probes[] | select(.outcome == "ok")] | length' <<<"$out")" \
	6 "3 roots x (low, high) source ports over UDP"
lo=$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | [.data.probes[] | select(.source_ports == "1024-32767") | .source_port] | max' <<<"$out")
hi=$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | [.data.probes[] | select(.source_ports == "32768-65535") | .source_port] | min' <<<"$out")
[ "$lo" -ge 1024 ] && [ "$lo" -le 32767 ] || fail "low source port $lo out of range"
[ "$hi" -ge 32768 ] || fail "high source port $hi out of range"
echo "ok: source ports $lo (low) and $hi (high)"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.asn_check") | .data.asn_status' <<<"$out")" clean "asn-check 200"
# The NAT'ing provider: the internet sees 10.77.2.1.
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.public_ip") | .data.ipv4' <<<"$out")" 10.77.2.1 "public IPv4"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.public_ip") | .data.ipv4_behind_nat' <<<"$out")" true "behind NAT"

# A target given as an address: the certificate is matched against its IP
# SANs (no SNI), and an HTTP Host header carries the address.
world_mx outbound --json --target github_https=10.77.2.2 --target github_http=10.77.2.2
out=$W_OUT
expect_eq "$(w_status "$out" outbound.github_https)" pass "TLS to an address, IP SAN verified"
expect_eq "$(w_status "$out" outbound.github_http)" pass "HTTP to an address"
world_mx outbound --json --target github_https=10.77.2.1:443
expect_match "$(jq -r '.checks[] | select(.id == "outbound.github_https") | .summary' <<<"$W_OUT")" \
	'refused' "nothing on the router's 443: refused"

# --public-ip overrides what ip4.mailcow.email says.
world_mx outbound --json --public-ip 192.0.2.10
out=$W_OUT
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.public_ip") | .data.ipv4 + " " + .data.ipv4_source' <<<"$out")" \
	"192.0.2.10 option" "--public-ip wins"

# A TLS peer whose certificate is not from a trusted CA (no test CA given:
# the system store does not know it) fails with the verification reason.
set +e
out=$(ip netns exec "$W_HOST" "$MXPROBE" outbound --json)
set -e
expect_eq "$(w_status "$out" outbound.github_https)" fail "untrusted certificate fails"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.github_https") | .summary' <<<"$out")" \
	'did not verify: (self-signed|unable to get local issuer)' "verification reason named"
# Port 25 encrypts opportunistically (as MTAs do): reported, not failed.
expect_eq "$(w_status "$out" outbound.smtp_out)" pass "SMTP with an unknown CA still passes"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .data.probes[0].certificate_verified' <<<"$out")" \
	false "STARTTLS certificate reported as not verified"

# ICMP over both socket kinds: raw by default (ping_group_range "1 0"), the
# unprivileged ping socket once the namespace's range includes our group.
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.ping") | .data.probes[].icmp_socket] | unique | join(",")' <<<"$out")" \
	raw "raw ICMP socket by default"
ip netns exec "$W_HOST" sysctl -qw net.ipv4.ping_group_range="0 0"
world_mx outbound --json
out=$W_OUT
expect_eq "$(w_status "$out" outbound.ping)" pass "ping over a ping socket"
expect_eq "$(jq -r '[.checks[] | select(.id == "outbound.ping") | .data.probes[].icmp_socket] | unique | join(",")' <<<"$out")" \
	ping "unprivileged ping socket used"
