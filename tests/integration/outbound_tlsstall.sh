#!/usr/bin/env bash
# The classic mailcow symptom of a path-MTU black hole: small packets pass,
# full-size ones vanish. TCP connects, banners, DNS and small HTTP replies
# work; every TLS handshake stalls (the server's certificate flight is
# big). mxprobe says the TLS handshake stalled after the TCP connection,
# and for port 25 that the banner came but STARTTLS hangs.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up
inet_if=$(world_ifname "$W_ROUTER" 10.77.2.1)
world_rule "iifname \"$inet_if\" ip length > 1000 drop"

world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 2 "exit code"
w_expect "$out" outbound.smtp_out=warn outbound.smtps_out=fail outbound.asn_check=fail \
	outbound.github_https=fail outbound.docker_hub=fail outbound.sa_heinlein=fail \
	outbound.bazaar=fail outbound.urlhaus=fail outbound.clamav_db=fail \
	outbound.letsencrypt=fail outbound.sa_apache=warn outbound.ip6_mailcow=skip
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .summary' <<<"$out")" \
	'220 mx\.google\.test.*STARTTLS handshake stalled .*path MTU' "port 25 open, STARTTLS stalls"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.github_https") | .summary' <<<"$out")" \
	'TCP connected, but the TLS handshake stalled' "TLS stall named"
