# SPDX-License-Identifier: GPL-2.0
# A real Docker host inside a network namespace, for integration tests.
# Sourced after lib/common.sh:
#
#   . "$MX_TOP/tests/integration/lib/common.sh"
#   . "$MX_TOP/tests/integration/lib/docker.sh"
#   mx_docker_start                    # or: mx_docker_start --legacy --ip6tables
#   mx_docker_network mailcow 172.22.1.0/24 br-mailcow
#   mx_docker_smtp postfix mailcow 25  # busybox "220 ..." banner on 25, published
#   mx_docker_client                   # client netns behind a veth
#   mx_client_connect 25               # prints the banner (exit 1 when blocked)
#   mx_ipt -I DOCKER-USER -p tcp --dport 25 -j DROP   # rules in the docker host
#   "$MXPROBE" -N "$MX_DOCKER_NS" firewall --json
#
# What it builds:
# - MX_DOCKER_NS: a network namespace (mx_netns "docker") that plays the
#   host. Debian's dockerd (docker.io, 20.10) and its own containerd run in
#   it, entered with `nsenter --net` (not `ip netns exec`, which remounts /sys
#   and leaves dockerd without cgroup mounts). Everything dockerd and
#   containerd write is under MX_DOCKER_ROOT=/tmp/mxt-$$/docker: data-root,
#   exec-root, pidfile, API socket, containerd socket/root/state, daemon.json
#   (the host's /etc/docker/daemon.json and key.json are never read or
#   written), container cgroups (--cgroup-parent, below our own cgroup).
#   dockerd is given a D-Bus address that does not exist so that it can never
#   talk to a firewalld of the host.
# - The iptables flavour dockerd uses: a directory of iptables/ip6tables
#   (-save/-restore) symlinks to xtables-nft-multi or xtables-legacy-multi
#   put first in dockerd's PATH (update-alternatives is global: never used).
#   MX_DOCKER_IPT is "nft" or "legacy"; mx_ipt/mx_ip6t run the same flavour.
# - An image "mxt-busybox" made with `docker import` from a tarball of
#   busybox-static, with /srv/banner (prints "220 <name> ESMTP").
# - mx_docker_client: a namespace "client" joined to the docker host by a
#   veth pair (host 198.51.100.1/24 + 2001:db8:100::1/64, client .2/::2), so
#   test connections enter through an interface and take the external path
#   (PREROUTING DNAT -> FORWARD -> container), not OUTPUT.
#
# Cleanup (on any exit, via mx_on_exit, before the namespaces go): every
# container (docker rm -f, then a kill of whatever is left in our cgroups),
# dockerd, containerd, the containerd shims (by pid, from the shims' own
# pid files under our state directory), every mount under MX_DOCKER_ROOT,
# our cgroups, the directory. On SIGKILL of the test (no trap runs) dockerd
# and containerd die with it (setpriv --pdeathsig), and the next
# mx_docker_start of any test removes the rest (it finds /tmp/mxt-PID/docker
# of a pid that is gone). Names of everything global are unique
# (mxt-$$...), so several developers can run tests at the same time.
#
# Functions (all fail the test with a message on error):
#   mx_docker_start [--legacy] [--ip6tables]  start dockerd; exports DOCKER_HOST
#   mx_docker ARGS...       Debian's docker client against our daemon
#   mx_dns CMD...           run CMD in the docker host namespace (nsenter --net)
#   mx_ipt / mx_ip6t ARGS... iptables / ip6tables of the flavour dockerd uses
#   mx_docker_network NAME SUBNET [BRIDGE] [IPV6SUBNET]   a user bridge network
#   mx_docker_smtp NAME NETWORK HOSTPORT[:CPORT] [IP]      banner server, published
#   mx_docker_client [ADDR4]  client namespace; sets MX_CLIENT_NS, MX_HOST_IP,
#                             MX_CLIENT_IP, MX_HOST_IP6, MX_CLIENT_IP6; an extra
#                             ADDR4 (e.g. 203.0.113.7) is added to the client
#   mx_client_connect PORT [DSTIP] [SRCIP]  connect from the client, print
#                             the first line received; exit 1 if none
#   mx_docker_cid NAME      container id (full) of NAME

MX_DOCKER_BIN=/usr/bin/docker # Debian's client, whatever else is in PATH
MX_DOCKER_ROOT=/tmp/$MX_TEST_ID/docker
MX_DOCKER_NS=
MX_DOCKER_IPT=nft
MX_CLIENT_NS=
MX_HOST_IP=198.51.100.1
MX_CLIENT_IP=198.51.100.2
MX_HOST_IP6=2001:db8:100::1
MX_CLIENT_IP6=2001:db8:100::2

mx_dns() { nsenter --net="/run/netns/$MX_DOCKER_NS" "$@"; }
mx_docker() { "$MX_DOCKER_BIN" "$@"; }
mx_ipt() { mx_dns "$MX_DOCKER_ROOT/ipt-bin/iptables" -w "$@"; }
mx_ip6t() { mx_dns "$MX_DOCKER_ROOT/ipt-bin/ip6tables" -w "$@"; }

_mx_docker_need() {
	local c
	# The kernel matrix sets this: Docker's own start-up under TCG costs
	# minutes, and issue 7 asks only for the live tests without Docker there.
	[ -z "${MX_SKIP_DOCKER:-}" ] || skip "$MX_SKIP_DOCKER"
	command -v socat >/dev/null || skip "socat not installed"
	for c in dockerd containerd containerd-shim-runc-v2 runc nsenter; do
		command -v "$c" >/dev/null || skip "$c not installed (package docker.io)"
	done
	[ -x "$MX_DOCKER_BIN" ] || skip "$MX_DOCKER_BIN not installed (package docker.io)"
	[ -x /bin/busybox ] || skip "busybox not installed (package busybox-static)"
	[ -x /usr/sbin/xtables-nft-multi ] || skip "iptables not installed"
}

# True when pid $1 is still one of ours: its command line names our root
# (a pid file can outlive its process, and pids are reused).
_mx_docker_ours() { [ -n "$1" ] && { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF "$MX_DOCKER_ROOT"; }

# Kills what is left of our containers and shims, by pid: the processes in
# our cgroups (--cgroup-parent) and the shims' pid files.
_mx_docker_kill_leftovers() {
	local d f pid
	for f in "$MX_DOCKER_ROOT"/ctd-state/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		_mx_docker_ours "$pid" && kill -9 "$pid" 2>/dev/null
	done
	while IFS= read -r d; do
		cat "$d"/cgroup.procs 2>/dev/null
	done < <(find /sys/fs/cgroup -maxdepth 6 -type d -path "*/$MX_TEST_ID-docker*" 2>/dev/null) |
		sort -u | xargs -r kill -9 2>/dev/null
	return 0
}

_mx_docker_stop() {
	local pid i
	set +e
	if [ -S "$MX_DOCKER_ROOT/docker.sock" ]; then
		local ids
		ids=$(timeout 60 "$MX_DOCKER_BIN" ps -aq 2>/dev/null)
		[ -n "$ids" ] && timeout 60 "$MX_DOCKER_BIN" rm -f $ids >/dev/null 2>&1
	fi
	for pidf in "$MX_DOCKER_ROOT/dockerd.pid" "$MX_DOCKER_ROOT/containerd.pid"; do
		[ -f "$pidf" ] || continue
		pid=$(cat "$pidf")
		_mx_docker_ours "$pid" || continue
		kill "$pid" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	_mx_docker_kill_leftovers
	# Deepest mounts first (overlay merged dirs, netns files, the data-root
	# bind mount dockerd makes private).
	findmnt -rn -o TARGET | grep "^$MX_DOCKER_ROOT" | sort -r | while IFS= read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	find /sys/fs/cgroup -maxdepth 6 -depth -type d -path "*/$MX_TEST_ID-docker*" \
		-exec rmdir {} \; 2>/dev/null
	rm -rf "/tmp/$MX_TEST_ID"
	return 0
}

# A test killed with SIGKILL runs no trap: its dockerd and containerd die
# with it (parent-death signal), and the next mx_docker_start removes what
# is left (containers, mounts, cgroups, namespaces) of any test whose pid is
# gone.
_mx_docker_reap_stale() {
	local d pid ns
	for d in /tmp/mxt-*/docker; do
		[ -d "$d" ] || continue
		pid=${d#/tmp/mxt-}
		pid=${pid%%/*}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		[ "$pid" != $$ ] || continue
		kill -0 "$pid" 2>/dev/null && continue
		echo "docker.sh: removing what test $pid left behind" >&2
		(
			MX_TEST_ID=mxt-$pid MX_DOCKER_ROOT=$d
			export DOCKER_HOST="unix://$d/docker.sock" DOCKER_CONFIG="$d/cli"
			_mx_docker_stop
		)
		for ns in $(ip netns list 2>/dev/null | awk -v p="mxt-$pid-" 'index($1, p) == 1 {print $1}'); do
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
			ip netns del "$ns" 2>/dev/null
		done
	done
	return 0
}

# mx_docker_start [--legacy] [--ip6tables]
mx_docker_start() {
	local legacy=0 ip6=0 a i flavour
	for a in "$@"; do
		case $a in
		--legacy) legacy=1 ;;
		--ip6tables) ip6=1 ;;
		*) fail "mx_docker_start: unknown option $a" ;;
		esac
	done
	_mx_docker_need
	_mx_docker_reap_stale
	mx_netns docker >/dev/null # not in $(...): the name must be recorded here
	MX_DOCKER_NS=$MX_TEST_ID-docker
	local r=$MX_DOCKER_ROOT
	mkdir -p "$r/data" "$r/exec" "$r/ipt-bin" "$r/cli"
	mx_on_exit _mx_docker_stop

	if [ $legacy = 1 ]; then
		MX_DOCKER_IPT=legacy
		flavour=/usr/sbin/xtables-legacy-multi
		[ -x $flavour ] || skip "iptables-legacy not installed"
		mx_dns $flavour iptables -w -L -n >/dev/null 2>&1 ||
			skip "iptables-legacy: this kernel has no legacy xtables (ip_tables)"
	else
		MX_DOCKER_IPT=nft
		flavour=/usr/sbin/xtables-nft-multi
	fi
	for a in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
		ln -s "$flavour" "$r/ipt-bin/$a"
	done

	cat >"$r/containerd.toml" <<-EOF
		version = 2
		root = "$r/ctd-root"
		state = "$r/ctd-state"
		[grpc]
		  address = "$r/containerd.sock"
		[ttrpc]
		  address = "$r/containerd.sock.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
		[plugins."io.containerd.grpc.v1.cri"]
		  disable = true
	EOF
	if [ $ip6 = 1 ]; then
		# Docker 20.10 manages ip6tables only as an experimental feature.
		printf '{"deprecated-key-path": "%s", "experimental": true, "ip6tables": true}\n' \
			"$r/key.json" >"$r/daemon.json"
	else
		printf '{"deprecated-key-path": "%s"}\n' "$r/key.json" >"$r/daemon.json"
	fi

	export DOCKER_HOST="unix://$r/docker.sock" DOCKER_CONFIG="$r/cli"
	local env=(env "PATH=$r/ipt-bin:/usr/sbin:/usr/bin:/sbin:/bin"
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path=$r/no-dbus")
	# nsenter and env exec: $! is containerd's (dockerd's) own pid.
	local pdeath=""
	command -v setpriv >/dev/null && pdeath="setpriv --pdeathsig KILL"
	# setpriv: the parent-death signal survives nsenter's and env's exec.
	$pdeath nsenter --net="/run/netns/$MX_DOCKER_NS" "${env[@]}" containerd --config "$r/containerd.toml" \
		>"$r/containerd.log" 2>&1 &
	echo $! >"$r/containerd.pid"
	for ((i = 0; i < 300; i++)); do
		[ -S "$r/containerd.sock" ] && break
		kill -0 "$(cat "$r/containerd.pid")" 2>/dev/null ||
			{ tail -n 20 "$r/containerd.log" >&2; fail "containerd did not start"; }
		sleep 0.1
	done
	$pdeath nsenter --net="/run/netns/$MX_DOCKER_NS" "${env[@]}" dockerd --config-file "$r/daemon.json" \
		--data-root "$r/data" --exec-root "$r/exec" --pidfile "$r/docker.pid" -H "$DOCKER_HOST" \
		--containerd "$r/containerd.sock" --cgroup-parent "$MX_TEST_ID-docker" \
		--iptables=true >"$r/dockerd.log" 2>&1 &
	echo $! >"$r/dockerd.pid"
	local dpid=$!
	for ((i = 0; i < 600; i++)); do
		"$MX_DOCKER_BIN" version >/dev/null 2>&1 && break
		kill -0 "$dpid" 2>/dev/null || { tail -n 20 "$r/dockerd.log" >&2; fail "dockerd did not start"; }
		sleep 0.1
	done
	"$MX_DOCKER_BIN" version >/dev/null 2>&1 || { tail -n 20 "$r/dockerd.log" >&2; fail "dockerd does not answer"; }
	_mx_docker_image
}

_mx_docker_image() {
	local img=$MX_DOCKER_ROOT/img
	mkdir -p "$img/bin" "$img/srv" "$img/tmp"
	cp /bin/busybox "$img/bin/busybox"
	for a in sh nc echo cat httpd sleep ls hostname; do ln -s busybox "$img/bin/$a"; done
	printf '#!/bin/sh\necho "220 $(hostname) ESMTP"\n' >"$img/srv/banner"
	chmod +x "$img/srv/banner"
	tar -C "$img" -c . | "$MX_DOCKER_BIN" import - mxt-busybox >/dev/null ||
		fail "docker import of busybox"
}

# mx_docker_network NAME SUBNET [BRIDGE] [IPV6SUBNET]
mx_docker_network() {
	local args=(--subnet "$2")
	[ -n "${3:-}" ] && args+=(-o "com.docker.network.bridge.name=$3")
	[ -n "${4:-}" ] && args+=(--ipv6 --subnet "$4")
	"$MX_DOCKER_BIN" network create "${args[@]}" "$1" >/dev/null || fail "docker network create $1"
}

# mx_docker_smtp NAME NETWORK HOSTPORT[:CPORT] [IP]: a container NAME whose
# busybox nc answers every connection on CPORT (default: HOSTPORT) with
# "220 NAME ESMTP", published on HOSTPORT.
mx_docker_smtp() {
	local name=$1 net=$2 hp=${3%%:*} cp=${3#*:} ipargs=()
	[ -n "${4:-}" ] && ipargs=(--ip "$4")
	"$MX_DOCKER_BIN" run -d --name "$name" --hostname "$name" --network "$net" "${ipargs[@]}" \
		-p "$hp:$cp" mxt-busybox /bin/nc -ll -p "$cp" -e /srv/banner >/dev/null ||
		fail "docker run $name"
}

mx_docker_cid() { "$MX_DOCKER_BIN" inspect -f '{{.Id}}' "$1"; }

# mx_docker_client [EXTRA_ADDR4]
mx_docker_client() {
	mx_netns client >/dev/null
	MX_CLIENT_NS=$MX_TEST_ID-client
	local h="vh$$" c="vc$$"
	ip link add "$h" netns "$MX_DOCKER_NS" type veth peer name "$c" netns "$MX_CLIENT_NS"
	ip -n "$MX_DOCKER_NS" addr add "$MX_HOST_IP/24" dev "$h"
	ip -n "$MX_CLIENT_NS" addr add "$MX_CLIENT_IP/24" dev "$c"
	ip -n "$MX_DOCKER_NS" -6 addr add "$MX_HOST_IP6/64" dev "$h" nodad
	ip -n "$MX_CLIENT_NS" -6 addr add "$MX_CLIENT_IP6/64" dev "$c" nodad
	ip -n "$MX_DOCKER_NS" link set "$h" up
	ip -n "$MX_CLIENT_NS" link set "$c" up
	if [ -n "${1:-}" ]; then
		ip -n "$MX_CLIENT_NS" addr add "$1/32" dev "$c"
		ip -n "$MX_DOCKER_NS" route add "$1/32" via "$MX_CLIENT_IP"
	fi
	ip -n "$MX_CLIENT_NS" route add default via "$MX_HOST_IP"
	MX_DOCKER_HOSTIF=$h
}

# mx_client_connect PORT [DSTIP] [SRCIP]: prints what the server sends first
# (socat: busybox nc cannot choose a source address). DSTIP may be IPv6.
mx_client_connect() {
	local port=$1 dst=${2:-$MX_HOST_IP} bind="" out
	[ -n "${3:-}" ] && bind=",bind=$3"
	[[ $dst == *:* ]] && dst="[$dst]"
	out=$(ip netns exec "$MX_CLIENT_NS" socat -T 5 - "TCP:$dst:$port,connect-timeout=5$bind" \
		</dev/null 2>/dev/null | head -n 1) || true
	[ -n "$out" ] || return 1
	printf '%s\n' "$out"
}
