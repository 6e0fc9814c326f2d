#!/usr/bin/env bash
# asn-check.mailcow.email answers 503 (the network's AS is blocked by
# Spamhaus): a warning explaining the DQS key; with SPAMHAUS_DQS_KEY set in
# mailcow.conf the same answer passes.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up 503

world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 1 "exit code: a warning"
w_expect "$out" outbound.asn_check=warn outbound.ip6_mailcow=skip
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.asn_check") | "\(.data.http_status) \(.data.asn_status)"' <<<"$out")" \
	"503 blocked" "HTTP 503 read over TLS"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.asn_check") | .remedy' <<<"$out")" \
	'SPAMHAUS_DQS_KEY' "remedy explains the DQS key"

mc=$W_DIR/mailcow.conf
printf 'MAILCOW_HOSTNAME=mx.example.org\nSPAMHAUS_DQS_KEY=abcdefghijklmnopqrstuvwxyz\n' >"$mc"
world_mx outbound --json --timeout 2 --mailcow-conf "$mc"
out=$W_OUT
expect_eq "$(w_status "$out" outbound.asn_check)" pass "DQS key set: pass"
expect_eq "$(jq -r '.checks[] | select(.id == "outbound.asn_check") | .data.dqs_key_set' <<<"$out")" true "dqs_key_set"
