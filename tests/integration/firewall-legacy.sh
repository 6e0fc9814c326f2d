#!/usr/bin/env bash
# `mxprobe firewall` on a host whose dockerd uses iptables-legacy (read
# through libiptc, not nf_tables), and with iptables-nft rules beside it.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
. "$MX_TOP/tests/integration/lib/firewall.sh"
need jq

mx_docker_start --legacy
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
mx_docker_smtp postfix mailcow 25 172.22.1.25
mx_docker_client

echo "== healthy, legacy"
fw_run
expect_eq "$FW_RC" 0 "exit code"
fw_expect '.["firewall.backend"].data.backends | join(",")' iptables-legacy "backend"
fw_expect '.["firewall.backend"].data.legacy_and_nft' false "only legacy"
fw_expect '.["firewall.managers"].data.managers.docker_backend' iptables-legacy "dockerd's iptables"
fw_expect '.["firewall.docker_user"].data.jump_position' 1 "DOCKER-USER first"
fw_expect '.["firewall.published"].data.ports[0].verdict' ACCEPT "port 25 accepted"
fw_expect '.["firewall.published"].data.ports[0].decided_by.backend' iptables-legacy "by a legacy rule"
fw_expect '.["firewall.published"].data.ports[0].dnat.rule' \
	"! -i br-mailcow -p tcp -m tcp --dport 25 -j DNAT --to-destination 172.22.1.25:25" "Docker's DNAT"
expect_open 25

echo "== DROP in INPUT (no effect) and in DOCKER-USER (blocks), legacy"
mx_ipt -I INPUT -p tcp --dport 25 -j DROP
fw_run
fw_expect '.["firewall.input"].data.no_effect[0].rule' "-p tcp -m tcp --dport 25 -j DROP" "INPUT rule"
fw_expect '.["firewall.input"].data.no_effect[0].handle' null "legacy rules have no handle"
expect_open 25
mx_ipt -I DOCKER-USER -p tcp -m multiport --dports 25,465,587 -j REJECT --reject-with tcp-reset
fw_run
fw_expect '.["firewall.published"].data.ports[0].verdict' REJECT "rejected"
fw_expect '.["firewall.published"].data.ports[0].decided_by.rule' \
	"-p tcp -m multiport --dports 25,465,587 -j REJECT --reject-with tcp-reset" "the legacy rule"
fw_expect '.["firewall.published"].data.ports[0].decided_by.position' 1 "position"
expect_blocked 25

echo "== iptables-nft rules beside the legacy ones"
mx_dns iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
fw_run
fw_expect '.["firewall.backend"].status' warn "both backends reported"
fw_expect '.["firewall.backend"].data.legacy_and_nft' true "legacy and nft"
echo "firewall-legacy: all scenarios pass"
