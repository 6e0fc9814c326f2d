#!/usr/bin/env bash
# `mxprobe ports` on a real Docker host (dockerd in a namespace, lib/docker.sh):
# mailcow's own docker-proxy on 25 is expected; another container publishing
# 587 is a conflict named by its container; a container on the host network
# listening on 465 is attributed through its cgroup and the API socket; a
# host service left on a port Docker DNATs away is shadowed, and a real
# client from outside indeed reaches the container, not it.
. "$MX_TOP/tests/integration/lib/common.sh"
. "$MX_TOP/tests/integration/lib/docker.sh"
need jq
need python3

tmp=$(mktemp -d /tmp/mxt-$$-pd.XXXXXX)
mx_on_exit "rm -rf $tmp"
mx_docker_start
mx_docker_network mailcow 172.22.1.0/24 br-mailcow
# Names as docker compose gives them to mailcow's containers.
mx_docker_smtp mailcowdockerized-postfix-mailcow-1 mailcow 25 172.22.1.253
mx_docker_smtp stray-smtp mailcow 587 172.22.1.50
mx_docker run -d --name hostnet-smtps --network host mxt-busybox /bin/nc -ll -p 465 -e /srv/banner >/dev/null ||
	fail "docker run hostnet-smtps"
for _ in $(seq 100); do
	mx_dns ss -Htln 'sport = :465' | grep -q LISTEN && break
	sleep 0.1
done

q() { jq -r --arg id "$1" ".checks[] | select(.id == \$id) | $2" "$tmp/out.json"; }
run() {
	set +e
	"$MXPROBE" -N "$MX_DOCKER_NS" ports --json "$@" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	set -e
	jq -e . "$tmp/out.json" >/dev/null || fail "not JSON: $(cat "$tmp/err")"
}

run
expect_eq "$(q ports.smtp '"\(.status) \(.data.state)"')" "pass mailcow" "mailcow's own docker-proxy on 25"
expect_eq "$(q ports.smtp '.data.holders[0].processes[0].command')" docker-proxy "holder is docker-proxy"
expect_eq "$(q ports.smtp '.data.holders[0].container_name')" mailcowdockerized-postfix-mailcow-1 "attributed to its container"
expect_eq "$(q ports.smtp '.data.holders[0].container_id')" "$(mx_docker_cid mailcowdockerized-postfix-mailcow-1)" "and its id"
expect_match "$(q ports.smtp .summary)" "in use by mailcow: docker-proxy \\(pid [0-9]+, container mailcowdockerized-postfix-mailcow-1\\)" "smtp summary"

expect_eq "$(q ports.submission '"\(.status) \(.data.state)"')" "fail conflict" "another container publishing 587"
expect_eq "$(q ports.submission '.data.holders[0].container_name')" stray-smtp "named by the API"
expect_match "$(q ports.submission .remedy)" "docker stop stray-smtp" "remedy names the container"

cid=$(mx_docker_cid hostnet-smtps)
expect_eq "$(q ports.smtps '"\(.status) \(.data.holders[0].container_id) \(.data.holders[0].container_name)"')" \
	"fail $cid hostnet-smtps" "host-network container: id from its cgroup, name from the API"

echo "--- without the API socket: the cgroup still names the container id"
DOCKER_HOST=unix://$tmp/nonexistent.sock run
expect_eq "$(q ports.smtps '"\(.data.holders[0].container_id) \(.data.holders[0].container_name)"')" "$cid null" "id only, no invented name"
expect_eq "$(q ports.smtp '"\(.status) \(.data.state)"')" "warn unsure" "docker-proxy unattributed: a warning, not a guess"

echo "--- a host service on a port Docker DNATs away"
# As with "userland-proxy": false: only the DNAT rule publishes the port.
# Here docker-proxy for 25 is stopped (by pid) and a host MTA takes 0.0.0.0:25.
for p in $(mx_dns ss -Htlpn 'sport = :25' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
	[ "$(cat /proc/"$p"/comm)" = docker-proxy ] && kill "$p"
done
for p in $(mx_dns ss -Htlpn 'sport = :587' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
	[ "$(cat /proc/"$p"/comm)" = docker-proxy ] && kill "$p"
done
for _ in $(seq 100); do mx_dns ss -Htln 'sport = :25 or sport = :587' | grep -q . || break; sleep 0.1; done
run
expect_eq "$(q ports.smtp '"\(.status) \(.data.state) \(.data.published_by)"')" \
	"pass mailcow mailcowdockerized-postfix-mailcow-1" "DNAT only (no docker-proxy): still mailcow's"
expect_match "$(q ports.smtp .summary)" "Docker DNATs it to 172.22.1.253:25" "DNAT-only summary"
expect_eq "$(q ports.submission '"\(.status) \(.data.published_by)"')" "fail stray-smtp" \
	"DNAT only: another container's publication is still a conflict"

out=$tmp/exim.out
nsenter --net="/run/netns/$MX_DOCKER_NS" setpriv --pdeathsig KILL python3 "$MX_TOP/tests/integration/lib/listen.py" exim4 tcp,0.0.0.0,25 >"$out" 2>&1 &
exim=$!
mx_on_exit "kill $exim"
until grep -qs ready "$out"; do kill -0 $exim || fail "listen.py: $(cat "$out")"; sleep 0.1; done
run
expect_eq "$(q ports.smtp '"\(.status) \(.data.state)"')" "warn shadowed" "host MTA shadowed"
expect_eq "$(q ports.smtp '.data.holders[] | select(.processes[0].command == "exim4") | .dnat | "\(.to) \(.chain)"')" \
	"172.22.1.253:25 DOCKER" "the DNAT rule Docker wrote"
mx_docker_client
expect_match "$(mx_client_connect 25)" "^220 mailcowdockerized-postfix-mailcow-1 ESMTP" "outside traffic reaches the container, not the host MTA"
echo "ports_docker: all good"
