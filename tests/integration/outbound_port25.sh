#!/usr/bin/env bash
# The provider blocks outgoing port 25 (the most common reason mail does
# not leave): only outbound.smtp_out fails, and it says so.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up
world_rule 'tcp dport 25 drop'

world_mx outbound --json --timeout 2
out=$W_OUT
expect_eq "$W_RC" 2 "exit code (a failure)"
w_expect "$out" outbound.smtp_out=fail outbound.ip6_mailcow=skip
sum=$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .summary' <<<"$out")
expect_match "$sum" 'outgoing TCP port 25 is blocked: .*no answer to SYN' "names the SYN drop"
expect_match "$sum" 'other outgoing TCP works' "knows it is port-specific"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .remedy' <<<"$out")" \
	'providers block outgoing port 25' "remedy names the provider block"

# A provider that rejects instead of dropping (TCP reset).
ip netns exec "$W_ROUTER" nft flush chain ip provider filter_forward
world_rule 'tcp dport 25 reject with tcp reset'
world_mx outbound --json --timeout 2
out=$W_OUT
w_expect "$out" outbound.smtp_out=fail outbound.ip6_mailcow=skip
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .summary' <<<"$out")" \
	'refused' "reset reported as refused"
