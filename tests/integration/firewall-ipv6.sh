#!/usr/bin/env bash
# `mxprobe firewall` IPv6 coverage with mailcow's ENABLE_IPV6=true: dockerd
# with ip6tables (Docker's IPv6 NAT), IPv4 DOCKER-USER restrictions without
# an IPv6 counterpart, then with one; a real IPv6 connection each time.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
. "$MX_TOP/tests/integration/lib/firewall.sh"
need jq

mx_docker_start --ip6tables
mx_docker_network mailcow 172.22.1.0/24 br-mailcow fd4d:6169:6c63:6f77::/64
mx_docker_smtp postfix mailcow 25 172.22.1.25
mx_docker_client
mkdir -p "/tmp/$MX_TEST_ID"
printf 'MAILCOW_HOSTNAME=mx.example.org\nENABLE_IPV6=true\n' >"/tmp/$MX_TEST_ID/mailcow.conf"
fw_run6() {
	set +e
	"$MXPROBE" -N "$MX_DOCKER_NS" --mailcow-conf "/tmp/$MX_TEST_ID/mailcow.conf" firewall --json >"$FW_JSON"
	set -e
	jq -e . "$FW_JSON" >/dev/null || fail "firewall --json is not JSON"
}

echo "== IPv6 published through ip6tables"
fw_run6
fw_expect '.["firewall.ipv6"].data.docker_ip6tables' true "Docker manages ip6tables"
fw_expect '.["firewall.ipv6"].data.published_ipv6' 1 "port 25 published over IPv6"
fw_expect '.["firewall.ipv6"].status' warn "Docker 20.10: no DOCKER-USER for IPv6"
fw_expect '.["firewall.ipv6"].data.docker_user.present' false "no ip6tables DOCKER-USER"
expect_open 25 "" "$MX_HOST_IP6"

echo "== an IPv4 restriction without an IPv6 one"
mx_ipt -I DOCKER-USER -s 203.0.113.0/24 -p tcp --dport 25 -j DROP
fw_run6
fw_expect '.["firewall.ipv6"].status' warn "IPv6 not covered"
fw_expect '.["firewall.published"].data.restricted' 1 "IPv4 restricted"
fw_expect '.["firewall.ipv6"].data.restricting_rules_ipv4' 1 "one IPv4 rule"
fw_expect '.["firewall.ipv6"].data.restricting_rules_ipv6' 0 "no IPv6 rule"

echo "== the same restriction for IPv6, in FORWARD (no DOCKER-USER there)"
mx_ip6t -I FORWARD -s 2001:db8:dead::/48 -p tcp --dport 25 -j DROP
fw_run6
fw_expect '.["firewall.ipv6"].data.restricting_rules_ipv6' 1 "one IPv6 rule"
fw_expect '.["firewall.ipv6"].data.ports[0].restricted[0].from' 2001:db8:dead::/48 "from where (IPv6)"
expect_open 25 "" "$MX_HOST_IP6"

echo "== an IPv6 DROP for everyone"
mx_ip6t -I FORWARD -p tcp --dport 25 -j DROP
fw_run6
fw_expect '.["firewall.ipv6"].status' fail "IPv6 blocked"
expect_open 25
if mx_client_connect 25 "$MX_HOST_IP6" >/dev/null; then fail "IPv6 connection got through"; fi
echo "ok: IPv6 connection blocked"
