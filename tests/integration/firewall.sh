#!/usr/bin/env bash
# `mxprobe firewall` against a real dockerd (iptables-nft) in a namespace, a
# busybox "postfix" publishing port 25 on br-mailcow, and a client behind a
# veth. Each scenario changes the rules the way users do and asserts what
# the report says and what a real connection from the client does.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
. "$MX_TOP/tests/integration/lib/firewall.sh"
need jq
need nft

mx_docker_start
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
mx_docker_smtp postfix mailcow 25 172.22.1.25
mx_docker_client 203.0.113.7

echo "== 1. healthy Docker 20.10 layout"
fw_run
expect_eq "$FW_RC" 0 "exit code"
fw_expect '.["firewall.backend"].data.backends | join(",")' iptables-nft "backend"
fw_expect '.["firewall.managers"].data.managers.docker' 20.10 "Docker layout"
fw_expect '.["firewall.managers"].data.managers.ufw' false "no ufw"
fw_expect '.["firewall.docker_user"].status' pass "DOCKER-USER"
fw_expect '.["firewall.docker_user"].data.jump_position' 1 "FORWARD jumps to DOCKER-USER first"
fw_expect '.["firewall.forward_policy"].data.policy' DROP "FORWARD policy"
fw_expect '.["firewall.published"].status' pass "published ports"
fw_expect '.["firewall.published"].data.ports[0].port' 25 "port 25 published"
fw_expect '.["firewall.published"].data.ports[0].container_ip' 172.22.1.25 "container address"
fw_expect '.["firewall.published"].data.ports[0].verdict' ACCEPT "port 25 accepted"
fw_expect '.["firewall.published"].data.ports[0].decided_by.chain' DOCKER "accepted by Docker's chain"
fw_expect '.["firewall.published"].data.ports[0].decided_by.rule' \
	"-d 172.22.1.25/32 ! -i br-mailcow -o br-mailcow -p tcp -m tcp --dport 25 -j ACCEPT" "the ACCEPT rule"
fw_expect '.["firewall.input"].status' pass "no INPUT rule"
expect_open 25

echo "== 1b. mailcow's netfilter container: MAILCOW first in INPUT and FORWARD"
mx_ipt -N MAILCOW
mx_ipt -A MAILCOW -s 192.0.2.66/32 -j REJECT # a ban
mx_ipt -I INPUT -j MAILCOW
mx_ipt -I FORWARD -j MAILCOW
fw_run
fw_expect '.["firewall.managers"].data.managers.mailcow.forward_position' 1 "MAILCOW jump in FORWARD"
fw_expect '.["firewall.managers"].data.managers.mailcow.input_position' 1 "MAILCOW jump in INPUT"
fw_expect '.["firewall.docker_user"].status' pass "DOCKER-USER after MAILCOW is fine"
fw_expect '.["firewall.docker_user"].data.jump_position' 2 "DOCKER-USER jump second"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].from' 192.0.2.66/32 "the ban, from where"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].chain' MAILCOW "in MAILCOW"
mx_ipt -D INPUT -j MAILCOW
mx_ipt -D FORWARD -j MAILCOW
mx_ipt -F MAILCOW
mx_ipt -X MAILCOW

echo "== 2. a DROP for port 25 in INPUT: no effect"
mx_ipt -I INPUT -p tcp --dport 25 -j DROP
h=$(mx_dns nft -a list chain ip filter INPUT | sed -n 's/.*dport 25 .*# handle \([0-9]*\)/\1/p')
fw_run
expect_eq "$FW_RC" 1 "exit code (warning)"
fw_expect '.["firewall.input"].status' warn "INPUT rule reported"
fw_expect '.["firewall.input"].data.no_effect[0].chain' INPUT "chain"
fw_expect '.["firewall.input"].data.no_effect[0].position' 1 "position"
fw_expect '.["firewall.input"].data.no_effect[0].handle' "$h" "nft handle"
fw_expect '.["firewall.input"].data.no_effect[0].rule' "-p tcp -m tcp --dport 25 -j DROP" "rendering"
fw_expect '.["firewall.published"].data.ports[0].verdict' ACCEPT "port 25 still accepted"
expect_open 25
mx_ipt -D INPUT -p tcp --dport 25 -j DROP

echo "== 3. a DROP in DOCKER-USER: blocked, attributed to that rule"
mx_ipt -I DOCKER-USER -p tcp --dport 25 -j DROP
h=$(mx_dns nft -a list chain ip filter DOCKER-USER | sed -n 's/.*dport 25 .*# handle \([0-9]*\)/\1/p')
fw_run
expect_eq "$FW_RC" 2 "exit code (failure)"
fw_expect '.["firewall.published"].status' fail "published port blocked"
fw_expect '.["firewall.published"].data.ports[0].verdict' DROP "verdict"
fw_expect '.["firewall.published"].data.ports[0].decided_by.chain' DOCKER-USER "chain"
fw_expect '.["firewall.published"].data.ports[0].decided_by.position' 1 "position"
fw_expect '.["firewall.published"].data.ports[0].decided_by.handle' "$h" "handle"
fw_expect '.["firewall.docker_user"].data.rules' 1 "one rule in DOCKER-USER"
expect_blocked 25
mx_ipt -D DOCKER-USER -p tcp --dport 25 -j DROP

echo "== 3b. a DROP in DOCKER-USER from one network only: open, restricted, and from where"
mx_ipt -I DOCKER-USER -s 203.0.113.0/24 -p tcp -m conntrack --ctorigdstport 25 -j DROP
fw_run
fw_expect '.["firewall.published"].status' pass "published port open"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].from' 203.0.113.0/24 "from where"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].rule' \
	"-s 203.0.113.0/24 -p tcp -m conntrack --ctorigdstport 25 -j DROP" "rendering"
expect_open 25
expect_blocked 25 203.0.113.7
mx_ipt -D DOCKER-USER -s 203.0.113.0/24 -p tcp -m conntrack --ctorigdstport 25 -j DROP

echo "== 4. FORWARD policy DROP, the DOCKER-USER jump missing"
mx_ipt -I DOCKER-USER -s 203.0.113.0/24 -j DROP
mx_ipt -D FORWARD -j DOCKER-USER
fw_run
fw_expect '.["firewall.docker_user"].status' fail "DOCKER-USER not jumped to"
fw_expect '.["firewall.docker_user"].data.jump_position' null "no jump"
fw_expect '.["firewall.forward_policy"].data.policy' DROP "policy"
fw_expect '.["firewall.published"].data.ports[0].restricted | length' 0 "DOCKER-USER rule not on the path"
expect_open 25 203.0.113.7 # the rule that should block it is never consulted
mx_ipt -I FORWARD -j DOCKER-USER
mx_ipt -D DOCKER-USER -s 203.0.113.0/24 -j DROP

echo "== 4b. FORWARD policy ACCEPT"
mx_ipt -P FORWARD ACCEPT
fw_run
fw_expect '.["firewall.forward_policy"].status' warn "policy ACCEPT warned"
mx_ipt -P FORWARD DROP

echo "== 5a. ufw-style rule set (ufw's documented chains: before/user/after, policy DROP)"
# ufw itself is not run: `ufw enable` writes /etc/ufw (the host's) and
# installs the same chains; these are its before.rules/user.rules layout.
mx_dns "$MX_DOCKER_ROOT/ipt-bin/iptables-restore" --noflush <<'EOF'
*filter
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
:ufw-after-input - [0:0]
:ufw-reject-input - [0:0]
-A INPUT -j ufw-before-input
-A INPUT -j ufw-after-input
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -j ufw-user-input
-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
-A ufw-after-input -j ufw-reject-input
-A ufw-reject-input -j DROP
COMMIT
EOF
fw_run
fw_expect '.["firewall.managers"].status' fail "ufw reported (danger)"
fw_expect '.["firewall.managers"].data.managers.ufw' true "ufw detected"
fw_expect '.["firewall.input"].status' warn "ufw's default deny has no effect on 25"
fw_expect '.["firewall.input"].data.no_effect[0].chain' ufw-reject-input "the ufw rule named"
expect_open 25
mx_ipt -D INPUT -j ufw-before-input
mx_ipt -D INPUT -j ufw-after-input
for c in ufw-before-input ufw-user-input ufw-after-input ufw-reject-input; do mx_ipt -F "$c"; done
for c in ufw-before-input ufw-user-input ufw-after-input ufw-reject-input; do mx_ipt -X "$c"; done

echo "== 5b. firewalld-style nftables table (its forward chain rejects what no zone allows)"
mx_dns nft -f - <<'EOF'
table inet firewalld {
	chain filter_FORWARD {
		type filter hook forward priority filter + 10; policy accept;
		ct state { established, related } accept
		iifname "lo" accept
		reject with icmpx admin-prohibited
	}
}
EOF
fw_run
fw_expect '.["firewall.managers"].data.managers.firewalld' true "firewalld detected"
fw_expect '.["firewall.managers"].status' fail "firewalld reported (danger)"
fw_expect '.["firewall.backend"].data.backends | join(",")' iptables-nft,nftables "backends"
fw_expect '.["firewall.published"].data.ports[0].verdict' REJECT "firewalld rejects port 25"
fw_expect '.["firewall.published"].data.ports[0].decided_by.table' firewalld "attributed to firewalld"
fw_expect '.["firewall.published"].data.ports[0].decided_by.chain' filter_FORWARD "chain"
expect_blocked 25
mx_dns nft delete table inet firewalld

echo "== 6. native nftables: a forward chain with policy drop in a table of its own"
mx_dns nft -f - <<'EOF'
table inet mxt_filter {
	chain input { type filter hook input priority 0; policy accept;
		tcp dport 25 drop
	}
	chain forward { type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ip saddr 198.51.100.0/24 tcp dport 25 accept
	}
}
EOF
fw_run
fw_expect '.["firewall.published"].status' fail "closed to the world"
fw_expect '.["firewall.published"].data.ports[0].verdict' DROP "dropped for a client from anywhere"
fw_expect '.["firewall.published"].data.ports[0].decided_by.table' mxt_filter "by the native table"
fw_expect '.["firewall.published"].data.ports[0].decided_by.rule' policy "by its policy"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].verdict' ACCEPT "but accepted"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].from' 198.51.100.0/24 "from one network"
fw_expect '.["firewall.published"].data.ports[0].restricted[0].rule' \
	"ip saddr 198.51.100.0/24 tcp dport 25 accept" "native rule in nft syntax"
fw_expect '.["firewall.input"].data.no_effect[0].rule' "tcp dport 25 drop" "native INPUT rule in nft syntax"
expect_open 25 # the client is in 198.51.100.0/24
mx_dns nft delete rule inet mxt_filter forward handle \
	"$(mx_dns nft -a list chain inet mxt_filter forward | sed -n 's/.*saddr.*accept # handle \([0-9]*\)/\1/p')"
fw_run
fw_expect '.["firewall.published"].data.ports[0].decided_by.chain' forward "dropped by chain forward"
fw_expect '.["firewall.published"].data.ports[0].restricted | length' 0 "no exception left"
expect_blocked 25
mx_dns nft delete table inet mxt_filter

echo "firewall: all scenarios pass"
