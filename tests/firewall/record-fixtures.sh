#!/usr/bin/env bash
# Records the nf_tables dumps the unit tests parse (tests/unit/fixtures/firewall/)
# from a real dockerd: run as root with
#   MXPROBE=build/mxprobe MX_TOP=$PWD bash tests/firewall/record-fixtures.sh
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
out=$MX_TOP/tests/unit/fixtures/firewall
mkdir -p "$out"
mx_docker_start
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
mx_docker_smtp postfix mailcow 25 172.22.1.25
mx_docker_smtp dovecot mailcow 993 172.22.1.26
MXPROBE_FW_SAVE=$out/docker-healthy.nl "$MXPROBE" -N "$MX_DOCKER_NS" -q firewall >/dev/null || true
mx_ipt -I INPUT -p tcp --dport 25 -j DROP
mx_ipt -I DOCKER-USER -s 203.0.113.0/24 -p tcp --dport 25 -j DROP
mx_ipt -I DOCKER-USER -i eth+ -p tcp -m multiport --dports 993,995 -j REJECT --reject-with tcp-reset
mx_ipt -I DOCKER-USER -p tcp -m conntrack --ctorigdstport 443 -j DROP
mx_ipt -A DOCKER-USER -m set --match-set mxtbans src -j DROP 2>/dev/null || true
mx_dns nft -f - <<'NFT'
table inet mxt_native {
	chain forward { type filter hook forward priority -1; policy accept;
		ct state established,related accept
		ip6 saddr 2001:db8::/32 tcp dport { 25, 587 } drop
		iifname "eth0" tcp dport 1000-2000 counter reject
	}
}
NFT
MXPROBE_FW_SAVE=$out/docker-rules.nl "$MXPROBE" -N "$MX_DOCKER_NS" -q firewall >/dev/null || true
mx_dns iptables-save >"$out/docker-rules.iptables-save"
mx_dns nft -a list ruleset >"$out/docker-rules.nft"
echo "recorded into $out"
