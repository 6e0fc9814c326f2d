#!/usr/bin/env bash
# The host's resolver does not answer: names fail as "cannot resolve" (not
# as blocked ports), while the address-literal targets (root servers, ping)
# are probed in the same run, unaffected by the hanging lookups.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/outbound/world.sh"
world_up
# The resolver (10.77.2.53) is a blackhole; the roots stay reachable.
echo "nameserver 10.77.2.53" >"/etc/netns/$W_HOST/resolv.conf"
world_rule 'ip daddr 10.77.2.53 drop'

world_mx outbound --json --timeout 2
out=$W_OUT
jq -r ".checks[] | select(.id == \"outbound.probes\" or .id == \"outbound.ntp\") | .summary" <<<"$out"
expect_eq "$W_RC" 2 "exit code"
# Literal targets pass; every named target fails or (optional) warns.
w_expect "$out" outbound.smtp_out=fail outbound.smtps_out=fail outbound.ntp=fail \
	outbound.clamd_rsync=fail outbound.fuzzy_mailcow=fail outbound.fuzzy_rspamd=fail \
	outbound.fuzzy_maps=fail outbound.asn_check=fail outbound.github_http=fail \
	outbound.github_https=fail outbound.docker_hub=fail outbound.sa_heinlein=fail \
	outbound.bazaar=fail outbound.urlhaus=fail outbound.clamav_db=fail \
	outbound.letsencrypt=fail outbound.sa_apache=warn outbound.razor=warn \
	outbound.ip4_mailcow=warn outbound.ip6_mailcow=skip outbound.public_ip=warn
expect_match "$(jq -r '.checks[] | select(.id == "outbound.smtp_out") | .summary' <<<"$out")" \
	'^cannot resolve gmail-smtp-in\.l\.google\.com' "named as a resolver problem, not a port block"
expect_match "$(jq -r '.checks[] | select(.id == "outbound.dns_udp") | .summary' <<<"$out")" \
	'root servers answer' "literal targets still probed"
