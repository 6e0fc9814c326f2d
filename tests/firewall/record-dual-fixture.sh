#!/usr/bin/env bash
# Records tests/unit/fixtures/firewall/docker-dual.nl: the iptables-nft copy of
# Docker's rules a host keeps beside Docker's iptables-legacy ones, with a DROP
# for 993 in DOCKER-USER. The rules are dockerd's own, as iptables-save printed
# them in record-fixtures.sh (docker-rules.iptables-save, without the rules
# that test added), restored with iptables-nft-restore in a namespace of its
# own. The unit test loads docker-healthy.nl's iptables tables as the legacy
# side (mx_fw_legacy_nft_file). Run as root with
#   MXPROBE=build/mxprobe MX_TOP=$PWD bash tests/firewall/record-dual-fixture.sh
. "$MX_TOP/tests/integration/lib/common.sh"
out=$MX_TOP/tests/unit/fixtures/firewall
ns=$(mx_netns dual)
grep -v -E '^-A (INPUT|DOCKER-USER (-p|-i|-s)) ' "$out/docker-rules.iptables-save" |
	ip netns exec "$ns" iptables-nft-restore
ip netns exec "$ns" iptables-nft -w -I DOCKER-USER -p tcp -m tcp --dport 993 -j DROP
MXPROBE_FW_SAVE=$out/docker-dual.nl "$MXPROBE" -N "$ns" -q firewall >/dev/null || true
ip netns exec "$ns" iptables-nft-save >"$out/docker-dual.iptables-save"
echo "recorded into $out"
