#!/usr/bin/env bash
# `mxprobe ports` against real holders in a network namespace: a real nginx
# (master + workers) on [::]:80 dual-stack, and listen.py processes on
# 127.0.0.1, [::1], [::] v6only, a specific IP and UDP; with both pid-map
# mechanisms (the BPF task_file iterator where the kernel has it, the /proc
# walk always), then with mailcow.conf binds, then with nat rules that
# shadow host services (iptables-nft as Docker writes them, and native nft).
. "$MX_TOP/tests/integration/lib/common.sh"
need python3
need jq
need nginx
need nft

mx_netns holders >/dev/null
ns=$MX_TEST_ID-holders
ip -n "$ns" addr add 10.9.9.9/32 dev lo
ip -n "$ns" addr add 10.9.9.8/32 dev lo
tmp=$(mktemp -d /tmp/mxt-$$-ports.XXXXXX)
mx_on_exit "rm -rf $tmp"

# start NAME SPEC...: a listen.py process in the namespace; prints its pid.
start() {
	local out=$tmp/$1.out pid
	ip netns exec "$ns" python3 "$MX_TOP/tests/integration/lib/listen.py" "$@" >"$out" 2>&1 &
	pid=$!
	mx_on_exit "kill $pid"
	until grep -qs ready "$out"; do
		kill -0 "$pid" 2>/dev/null || fail "listen.py $*: $(cat "$out")"
		sleep 0.1
	done
	echo "$pid"
}
exim=$(start exim4 tcp,127.0.0.1,25)
master=$(start master tcp,::1,587)
dovecot=$(start dovecot tcp,10.9.9.9,143)
caddy=$(start caddy udp,0.0.0.0,443)
sshd6=$(start sshd6 tcp,::,993,v6only)
redis=$(start redis tcp,10.9.9.9,7654)

mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx;
	proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx;
	uwsgi_temp_path $tmp/nginx;
	scgi_temp_path $tmp/nginx;
	server { listen [::]:80 ipv6only=off; return 204; }
}
CONF
ip netns exec "$ns" setpriv --pdeathsig KILL nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" &
nginx_pid=$!
mx_on_exit "kill $nginx_pid"
for _ in $(seq 100); do [ -s "$tmp/nginx/nginx.pid" ] && break; sleep 0.1; done
[ -s "$tmp/nginx/nginx.pid" ] || fail "nginx did not start: $(cat "$tmp/nginx/error.log")"
expect_eq "$(cat "$tmp/nginx/nginx.pid")" "$nginx_pid" "nginx master pid"

# q CHECK_ID JQ_FILTER: a field of one check of the last run
q() { jq -r --arg id "$1" ".checks[] | select(.id == \$id) | $2" "$tmp/out.json"; }

run() { # run [ARGS...]: mxprobe ports --json in the namespace, exit code in $rc
	set +e
	"$MXPROBE" -N "$ns" ports --json "$@" >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
	set -e
	jq -e . "$tmp/out.json" >/dev/null || fail "not JSON: $(head -c 300 "$tmp/out.json") $(cat "$tmp/err")"
}

# The /proc walk always; the BPF iterator where `features` says ports uses
# it (the same chooser the command calls), and then also without forcing.
mechs=(procfs)
auto=$("$MXPROBE" features --json | jq -r '.mechanisms.ports.mechanism')
[ "$auto" = "bpf_iter task_file" ] && mechs+=(bpf)
run
expect_eq "$(q ports.smtp .data.pid_mechanism)" "$auto" "the mechanism features shows is the one used"
for mech in "${mechs[@]}"; do
	echo "--- pid map: $mech"
	MXPROBE_PIDMAP=$mech run
	expect_eq "$rc" 2 "$mech: exit code (conflicts)"
	expect_eq "$(q ports.smtp .data.pid_mechanism)" "$([ $mech = bpf ] && echo 'bpf_iter task_file' || echo procfs)" "$mech: mechanism used"

	expect_eq "$(q ports.smtp .status)" fail "$mech: smtp status"
	expect_eq "$(q ports.smtp '.data.holders | length')" 1 "$mech: smtp one holder"
	expect_eq "$(q ports.smtp '.data.holders[0] | "\(.family) \(.address) \(.port) \(.protocol) \(.socket_state)"')" \
		"ipv4 127.0.0.1 25 tcp listen" "$mech: smtp holder socket"
	expect_eq "$(q ports.smtp '.data.holders[0].processes | map("\(.pid) \(.command)") | join(",")')" \
		"$exim exim4" "$mech: smtp holder process"
	expect_eq "$(q ports.smtp '.data.holders[0].blocks')" "0.0.0.0:25/tcp" "$mech: loopback blocks the wildcard"
	expect_match "$(q ports.smtp .summary)" "exim4 \\(pid $exim\\) listens on 127.0.0.1:25/tcp: postfix-mailcow would not start, its bind to 0.0.0.0:25/tcp fails with EADDRINUSE" "$mech: smtp summary"

	expect_eq "$(q ports.http .status)" fail "$mech: http status"
	expect_eq "$(q ports.http '.data.holders[0] | "\(.address) \(.v6only)"')" ":: false" "$mech: nginx dual-stack [::]"
	expect_eq "$(q ports.http '.data.holders[0].processes[0].pid')" "$nginx_pid" "$mech: nginx master first"
	expect_eq "$(q ports.http '.data.holders[0].processes | map(.command) | unique | join(",")')" nginx "$mech: nginx workers too"
	expect_eq "$(q ports.http '.data.holders[0].processes | length')" 3 "$mech: master + 2 workers"
	expect_eq "$(q ports.http '.data.holders[0].blocks')" "0.0.0.0:80/tcp" "$mech: dual-stack [::] blocks IPv4"

	expect_eq "$(q ports.submission '.data.holders[0] | "\(.address) \(.v6only) \(.blocks)"')" \
		"::1 true [::]:587/tcp" "$mech: [::1] blocks only the IPv6 wildcard"
	expect_eq "$(q ports.imap '.data.holders[0] | "\(.address) \(.blocks) \(.processes[0].pid)"')" \
		"10.9.9.9 0.0.0.0:143/tcp $dovecot" "$mech: specific IP blocks the wildcard"
	expect_eq "$(q ports.https '.data.holders[0] | "\(.protocol) \(.address) \(.socket_state) \(.blocks)"')" \
		"udp 0.0.0.0 bound 0.0.0.0:443/udp" "$mech: UDP 443 holder"
	expect_eq "$(q ports.imaps '.data.holders[0] | "\(.v6only) \(.blocks)"')" "true [::]:993/tcp" "$mech: v6only [::] vs [::]"
	expect_eq "$(q ports.redis '"\(.status) \(.data.state)"')" "pass other" "$mech: 10.9.9.9 does not touch 127.0.0.1"
	expect_eq "$(q ports.smtps '"\(.status) \(.data.state) \(.data.holders | length)"')" "pass free 0" "$mech: free port"
	if [ $mech = bpf ]; then
		expect_eq "$(q ports.smtp '.data.holders[0].reuseaddr')" false "bpf: SO_REUSEADDR read from struct sock"
	else
		expect_eq "$(q ports.smtp '.data.holders[0] | has("reuseaddr")')" false "procfs: flags unknown, not invented"
	fi
done

echo "--- unprivileged: sockets still listed, owners not invented"
if command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	cp "$MXPROBE" "$tmp/mxprobe"
	set +e
	nsenter --net="/run/netns/$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tmp/mxprobe" ports --json >"$tmp/out.json" 2>"$tmp/err"
	set -e
	expect_eq "$(q ports.smtp '"\(.status) \(.data.holders[0].address) \(.data.holders[0].processes | length)"')" \
		"fail 127.0.0.1 0" "nobody: the holder without a process"
	expect_match "$(q ports.smtp .remedy)" "run mxprobe as root" "nobody: says why"
fi

echo "--- mailcow.conf binds"
cat >"$tmp/mailcow.conf" <<CONF
SMTP_PORT=10.9.9.9:25
IMAP_PORT=10.9.9.8:143
IMAPS_PORT=10.9.9.8:993
SUBMISSION_PORT=[::1]:587
CONF
run --mailcow-conf "$tmp/mailcow.conf"
expect_eq "$(q ports.smtp '"\(.status) \(.data.mailcow_binds | join(","))"')" "pass 10.9.9.9:25/tcp" "smtp on 10.9.9.9 passes 127.0.0.1"
expect_eq "$(q ports.imap '"\(.status) \(.data.state)"')" "pass other" "imap on 10.9.9.8 passes 10.9.9.9"
expect_eq "$(q ports.imaps '.status')" pass "v6only [::] holds no IPv4 address"
expect_eq "$(q ports.submission '"\(.status) \(.data.holders[0].blocks)"')" "fail [::1]:587/tcp" "same IPv6 address"

echo "--- extra ports from --config"
printf 'port.web2 = 10.9.9.9:80\nport.free2 = 8089\n' >"$tmp/extra.conf"
run --config "$tmp/extra.conf"
expect_eq "$(q ports.extra .status)" fail "extra ports: worst status"
expect_eq "$(q ports.extra '.data.ports | map(.name) | join(",")')" "web2,free2" "extra ports: both evaluated"
expect_eq "$(q ports.extra '.data.ports[0].holders[0].blocks')" "10.9.9.9:80/tcp" "dual-stack [::] holds a specific IPv4 too"
expect_eq "$(q ports.extra '.data.ports[1].state')" free "extra free port"
run
expect_eq "$(q ports.extra .status)" skip "no extra ports: skipped"

echo "--- nat rules shadow host services"
ip netns exec "$ns" iptables-nft -t nat -N DOCKER
ip netns exec "$ns" iptables-nft -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
ip netns exec "$ns" iptables-nft -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.22.1.5:80
ip netns exec "$ns" iptables-nft -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 25 -j DNAT --to-destination 172.22.1.253:25
ip netns exec "$ns" nft -f - <<NFT
table ip mxt_nat {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr 10.9.9.9 tcp dport 143 dnat to 172.22.1.9:143
		ip daddr 10.9.9.8 tcp dport 7654 dnat to 172.22.1.10:7654
	}
}
NFT
run
expect_eq "$(q ports.http '"\(.status) \(.data.state)"')" "warn shadowed" "nginx behind a Docker DNAT is shadowed"
expect_eq "$(q ports.http '.data.holders[0].dnat | "\(.to) \(.table) \(.chain)"')" "172.22.1.5:80 nat DOCKER" "the iptables-nft DNAT rule"
expect_match "$(q ports.http .summary)" "is shadowed: the nat rule in nat DOCKER DNATs the port to 172.22.1.5:80" "shadowed summary"
expect_eq "$(q ports.imap '.data.holders[0].dnat.to')" "172.22.1.9:143" "native nft dnat with ip daddr"
expect_eq "$(q ports.smtp '"\(.status) \(.data.holders[0].dnat)"')" "fail null" "loopback listener is not shadowed"
expect_eq "$(q ports.redis '"\(.data.state) \(.data.holders[0].dnat)"')" "other null" "a DNAT for another address does not shadow"
expect_eq "$(q ports.http '.data.holders[0].dnat | "\(.backend) \(.applies)"')" "nftables always" "rule backend and reach"
expect_match "$(q ports.http '.data.holders[0].dnat.rule')" "--dport 80 -j DNAT --to-destination 172.22.1.5:80" "the rule as iptables shows it"

# Docker on hosts with the iptables-legacy alternative: x_tables, not nf_tables.
if ip netns exec "$ns" iptables-legacy -t nat -L -n >/dev/null 2>&1; then
	echo "--- iptables-legacy DNAT"
	sieve=$(start sieve-host tcp,0.0.0.0,4190)
	ip netns exec "$ns" iptables-legacy -t nat -N DOCKER
	ip netns exec "$ns" iptables-legacy -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	ip netns exec "$ns" iptables-legacy -t nat -A DOCKER ! -i br-mailcow -p tcp -m tcp --dport 4190 -j DNAT --to-destination 172.22.1.11:4190
	run
	expect_eq "$(q ports.sieve '"\(.status) \(.data.state)"')" "warn shadowed" "legacy DNAT shadows too"
	expect_eq "$(q ports.sieve '.data.holders[0].dnat | "\(.backend) \(.chain) \(.to)"')" \
		"iptables-legacy DOCKER 172.22.1.11:4190" "legacy rule named"
else
	echo "skip part: no legacy x_tables in this kernel"
fi
echo "ports_holders: all good"
