#!/usr/bin/env bash
# trace-nat.sh against iptables-legacy: no nftables trace there, so a drop is
# attributed by the legacy rule whose counter moved.
export MX_TRACE_IPT=iptables-legacy
exec bash "$MX_TOP/tests/integration/live/trace-nat.sh"
