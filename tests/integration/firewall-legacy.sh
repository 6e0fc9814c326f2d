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
echo "== Docker's rules in iptables-nft too (left from a switch of backend): each port once"
mx_ipt -D DOCKER-USER 1
mx_ipt -D INPUT 1
mx_dns sh -c 'iptables-legacy-save | iptables-nft-restore'
fw_run
expect_eq "$FW_RC" 1 "exit code (both backends: warn)"
fw_expect '.["firewall.published"].data.ports | length' 1 "port 25 listed once"
fw_expect '.["firewall.published"].data.ports[0].dnat.backend' iptables-nft "Docker's DNAT in iptables-nft"
fw_expect '.["firewall.published"].data.ports[0].dnat_also.backend' iptables-legacy "and in iptables-legacy"
fw_expect '.["firewall.published"].summary' \
	"new connections from outside: 25 open; 25 published by both iptables-nft and iptables-legacy (the kernel runs both: a DROP in either blocks)" \
	"summary names both backends"
fw_expect '.["firewall.input"].data.no_effect | length' 0 "no INPUT rule left"
expect_open 25

echo "== both backends: a DROP in iptables-nft's DOCKER-USER blocks"
mx_dns iptables-nft -w -I DOCKER-USER -p tcp --dport 25 -j DROP
fw_run
fw_expect '.["firewall.published"].data.ports[0].verdict' DROP "dropped"
fw_expect '.["firewall.published"].data.ports[0].decided_by.backend' iptables-nft "by the nft rule"
fw_expect '.["firewall.published"].remedy' \
	"remove or narrow the rule that drops them (iptables -t filter -D DOCKER-USER 1); to restrict who may connect, drop only chosen sources in DOCKER-USER" \
	"remedy"
expect_blocked 25
mx_dns iptables-nft -w -D DOCKER-USER 1

echo "== both backends: a DROP in iptables-legacy's DOCKER-USER blocks"
mx_dns iptables-legacy -w -I DOCKER-USER -p tcp --dport 25 -j DROP
fw_run
fw_expect '.["firewall.published"].data.ports | length' 1 "port 25 listed once"
fw_expect '.["firewall.published"].data.ports[0].verdict' DROP "dropped"
fw_expect '.["firewall.published"].data.ports[0].decided_by.backend' iptables-legacy "by the legacy rule"
# DOCKER-USER of each backend, named with what it holds (was: iptables-nft, "0 rules in it")
fw_expect '.["firewall.docker_user"].summary' \
	"iptables-nft: FORWARD jumps to DOCKER-USER first; 0 rules in it; iptables-legacy: FORWARD jumps to DOCKER-USER first; 1 rule in it (Docker's chains in iptables-nft and iptables-legacy: the kernel runs both)" \
	"DOCKER-USER of both backends"
fw_expect '.["firewall.docker_user"].data.backend' iptables-legacy "the backend holding the rule"
fw_expect '.["firewall.docker_user"].data.rules' 1 "its rule"
fw_expect '.["firewall.docker_user"].data.backends | map(.rules | tostring) | join(",")' 0,1 "rules per backend"
fw_expect '.["firewall.managers"].data.managers.docker_backend' iptables-nft+iptables-legacy "both backends"
fw_expect '.["firewall.managers"].data.managers.docker_backends | map(.docker_user_rules | tostring) | join(",")' \
	0,1 "DOCKER-USER rules per backend"
expect_match "$(fw_q '.["firewall.managers"].summary')" "in iptables-legacy, 1 rule in DOCKER-USER" "managers summary"
expect_blocked 25

echo "== both backends: legacy's FORWARD does not jump to its DOCKER-USER (its DROP never runs)"
mx_dns iptables-legacy -w -D FORWARD -j DOCKER-USER
fw_run
fw_expect '.["firewall.docker_user"].status' fail "reported"
fw_expect '.["firewall.docker_user"].data.backend' iptables-legacy "in iptables-legacy"
fw_expect '.["firewall.docker_user"].data.jump_position' null "no jump there"
fw_expect '.["firewall.docker_user"].data.backends[0].jump_position' 1 "iptables-nft's jump"
expect_match "$(fw_q '.["firewall.docker_user"].summary')" \
	"iptables-legacy: FORWARD does not jump to DOCKER-USER: its 1 rule never see a packet" "summary"
expect_match "$(fw_q '.["firewall.docker_user"].remedy')" "^iptables-legacy -I FORWARD -j DOCKER-USER" "remedy"
fw_expect '.["firewall.published"].data.ports[0].verdict' ACCEPT "open: the DROP is not on the path"
expect_open 25
mx_dns iptables-legacy -w -I FORWARD -j DOCKER-USER
mx_dns iptables-legacy -w -D DOCKER-USER 1
fw_run
fw_expect '.["firewall.published"].data.ports[0].verdict' ACCEPT "open again"
expect_open 25
echo "== a legacy DNAT to an address range: each address walked"
# 465 to 172.22.1.25-172.22.1.26 port 25: Docker's DOCKER chains accept .25
# only, so connections mapped to .26 meet FORWARD's policy DROP
mx_ipt -t nat -I DOCKER ! -i br-mailcow -p tcp -m tcp --dport 465 \
	-j DNAT --to-destination 172.22.1.25-172.22.1.26:25
fw_run
expect_eq "$(fw_q '.["firewall.published"].data.ports[] | select(.port == 465) | .dnat.rule')" \
	"$(mx_dns iptables-legacy-save -t nat | sed -n 's/^-A DOCKER \(.*--dport 465 .*\)/\1/p')" \
	"rendered as iptables-legacy-save prints it"
fw_expect '.["firewall.published"].data.ports[] | select(.port == 465) | .dnat_range.addresses' 2 "two addresses"
fw_expect '.["firewall.published"].data.ports[] | select(.port == 465) | .verdict' DROP "the worst verdict"
fw_expect '.["firewall.published"].data.ports[] | select(.port == 465) | .decided_for' 172.22.1.26 "for .26"
mx_ipt -t nat -D DOCKER 1
echo "firewall-legacy: all scenarios pass"
