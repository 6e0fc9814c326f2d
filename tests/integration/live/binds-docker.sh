#!/usr/bin/env bash
# `mxprobe binds` with a real Docker host (dockerd in a namespace,
# lib/docker.sh): the container's own listen is attributed to the container
# by name (API socket) in the container's namespace; docker-proxy's bind of
# the published port shows in the Docker host's namespace; a host MTA that
# then tries 0.0.0.0:25 fails, and the event names docker-proxy, serving
# that container, as the holder.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
. "$MX_TOP/tests/integration/lib/binds.sh"
need jq
need socat
# dockerd refuses to start containers under an AppArmor kernel (Debian's 6.1)
# without apparmor_parser to load its profile.
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] &&
	! command -v apparmor_parser >/dev/null; then
	skip "AppArmor is enabled and apparmor_parser is missing: dockerd cannot run containers"
fi

out=$(mktemp /tmp/mxt-binds.XXXXXX)
mx_on_exit "rm -f $out $out.err"
mx_docker_start # exports DOCKER_HOST: mxprobe names containers through it
hostns=$(stat -L -c %i "/run/netns/$MX_DOCKER_NS")
binds_start "$out" --json --port 25
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
mx_docker_smtp mailcowdockerized-postfix-mailcow-1 mailcow 25 172.22.1.253
for _ in $(seq 300); do
	mx_dns ss -Htln 'sport = :25' | grep -q LISTEN && break
	sleep 0.1
done
mx_dns ss -Htln 'sport = :25' | grep -q LISTEN || fail "nothing published on 25"
# A host MTA starting after mailcow: its bind must fail.
rc=0
mx_dns socat TCP4-LISTEN:25 STDIO </dev/null >/dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "the host MTA's bind to 0.0.0.0:25 should have failed"
for _ in $(seq 600); do
	grep -q EADDRINUSE "$out" && break
	sleep 0.05
done
binds_stop

ev() { jq -c "select(.event == \"bind\" or .event == \"listen\") | $1" "$out"; }
ctr=$(ev 'select(.comm == "nc" and .event == "listen" and .result == "ok")' | head -1)
[ -n "$ctr" ] || { cat "$out" >&2; fail "no listen of the container's nc"; }
expect_eq "$(jq -r .container <<<"$ctr")" mailcowdockerized-postfix-mailcow-1 "container's listen attributed by name"
[ "$(jq -r .netns <<<"$ctr")" != "$hostns" ] || fail "container's listen in the Docker host's namespace"
echo "ok: container's listen in its own namespace"

proxy=$(ev 'select(.comm == "docker-proxy" and .event == "listen" and .result == "ok" and .address == "0.0.0.0")' | head -1)
[ -n "$proxy" ] || { cat "$out" >&2; fail "no listen of docker-proxy on 0.0.0.0:25"; }
expect_eq "$(jq -r .netns <<<"$proxy")" "$hostns" "docker-proxy listens in the Docker host's namespace"

failed=$(ev 'select(.comm == "socat" and .result == "EADDRINUSE")' | head -1)
[ -n "$failed" ] || { cat "$out" >&2; fail "no failed bind of the host MTA"; }
expect_eq "$(jq -r '"\(.address):\(.port)"' <<<"$failed")" "0.0.0.0:25" "the MTA's requested address"
expect_eq "$(jq -r '.holders[0].comm' <<<"$failed")" docker-proxy "holder: docker-proxy"
expect_eq "$(jq -r '.holders[0].pid' <<<"$failed")" "$(jq -r .pid <<<"$proxy")" "holder pid is docker-proxy's"
expect_eq "$(jq -r '.holders[0].publishes_for' <<<"$failed")" mailcowdockerized-postfix-mailcow-1 \
	"docker-proxy publishes the port for the mailcow container"
