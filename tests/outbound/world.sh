# shellcheck shell=bash disable=SC2016,SC2034,SC2119,SC2120
# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/integration/outbound_*.sh (after lib/common.sh) and by
# tests/bench/outbound.sh. Builds a small internet in namespaces:
#
#   host (mxprobe) 10.77.1.2 --- 10.77.1.1 provider (router, NAT, firewall)
#                                10.77.2.1 --- 10.77.2.2 internet
#
# The internet namespace also carries the real addresses of the default
# targets that are literals (root servers 198.41.0.4, 199.9.14.201,
# 192.33.4.12; 1.1.1.1, 8.8.8.8, 9.9.9.9): the defaults are probed
# unchanged and traffic still never leaves our namespaces. Every target
# name resolves through the root server (nsd, authoritative for "." with the
# names in it), which the host namespace uses as its resolver
# (/etc/netns/NS/resolv.conf, bind-mounted by `ip netns exec`).
#
# Real servers from Debian, all in the internet namespace: nsd (root), chrony
# (NTP), rsync --daemon, postfix (SMTP 25 and SMTPS 465), rspamd's
# fuzzy_storage worker (11335, 11445), nginx (80, 443, 2703; asn-check and
# ip4.mailcow.email answers), with a test CA and certificate.
#
# After world_up: $W_HOST, $W_ROUTER, $W_NET (namespace names), $W_DIR
# (scratch), $W_CA (CA file for MXPROBE_CA_FILE); run mxprobe with world_mx.

W_SVC=10.77.2.2
# IPv6 (world_up with W_V6=1): the same servers on W_SVC6, the root servers'
# IPv6 addresses, and a default route in the host namespace.
W_SVC6=2001:db8:2::2
W_ROOTS6="2001:503:ba3e::2:30 2801:1b8:10::b 2001:500:2::c"
W_V6=${W_V6:-0}
W_ROOTS="198.41.0.4 199.9.14.201 192.33.4.12"
W_PINGS="1.1.1.1 8.8.8.8 9.9.9.9"
W_NAMES="rsync.sanesecurity.net spamassassin.heinlein-support.de github.com hub.docker.com
asn-check.mailcow.email ip4.mailcow.email ip6.mailcow.email gmail-smtp-in.l.google.com
smtp.gmail.com fuzzy.mailcow.email bazaar.abuse.ch urlhaus.abuse.ch fuzzy1.rspamd.com
fuzzy2.rspamd.com 0.debian.pool.ntp.org discovery.razor.cloudmark.com database.clamav.net
acme-v02.api.letsencrypt.org spamassassin.apache.org"

world_need() {
	local t
	for t in nsd chronyd rsync nginx rspamd openssl jq nft /usr/lib/postfix/sbin/master; do
		command -v "$t" >/dev/null || skip "$t not installed (see tests/outbound/packages.txt)"
	done
}

# Waits until CMD succeeds (no wall-clock bound: a count of short sleeps,
# generous for a loaded machine; the test fails with a message otherwise).
world_wait() {
	local what=$1 i
	shift
	for ((i = 0; i < 1200; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "$what did not come up (see $W_DIR)"
}

world_certs() {
	local d=$W_DIR/pki san="" n
	mkdir -p "$d"
	for n in $W_NAMES; do san+="DNS:$n,"; done
	san+="IP:$W_SVC,IP:$W_SVC6,"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mxprobe test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=mxprobe test server" \
		-keyout "$d/srv.key" -out "$d/srv.csr" >/dev/null 2>&1
	printf 'subjectAltName=%s\n' "${san%,}" >"$d/ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/srv.pem" >/dev/null 2>&1
	chmod 644 "$d"/*
	W_CA=$d/ca.pem
}

world_nsd() {
	local d=$W_DIR/nsd n ip
	mkdir -p "$d"
	{
		echo '$TTL 3600'
		echo '. IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024010100 1800 900 604800 86400'
		echo '. IN NS a.root-servers.net.'
		echo 'a.root-servers.net. IN A 198.41.0.4'
		for n in $W_NAMES; do echo "$n. IN A $W_SVC"; done
		if [ "$W_V6" = 1 ]; then
			for n in $W_NAMES; do
				# As in the real world, some names have no AAAA.
				case $n in ip4.mailcow.email | rsync.sanesecurity.net) continue ;; esac
				echo "$n. IN AAAA $W_SVC6"
			done
		fi
	} >"$d/root.zone"
	{
		echo 'server:'
		echo "  zonesdir: \"$d\""
		echo "  pidfile: \"$d/nsd.pid\""
		echo "  database: \"\""
		echo "  xfrdfile: \"$d/xfrd.state\""
		echo "  zonelistfile: \"$d/zone.list\""
		echo '  username: ""'
		echo '  chroot: ""'
		echo '  verbosity: 1'
		for ip in $W_ROOTS; do echo "  ip-address: $ip"; done
		if [ "$W_V6" = 1 ]; then for ip in $W_ROOTS6; do echo "  ip-address: $ip"; done; fi
		echo 'remote-control:'
		echo '  control-enable: no'
		echo 'zone:'
		echo '  name: "."'
		echo '  zonefile: "root.zone"'
	} >"$d/nsd.conf"
	ip netns exec "$W_NET" nsd -d -c "$d/nsd.conf" >"$d/log" 2>&1 &
	mx_on_exit "kill $!"
	disown $!
}

world_chrony() {
	local d=$W_DIR/chrony
	mkdir -p "$d"
	# A server that serves its own clock (local stratum): it answers
	# mode-3 requests with mode 4 at stratum 10. -x: never touches the clock.
	cat >"$d/chrony.conf" <<-EOF
		local stratum 10
		allow all
		bindaddress $W_SVC
		$([ "$W_V6" = 1 ] && echo "bindaddress $W_SVC6")
		port 123
		cmdport 0
		pidfile $d/chronyd.pid
		driftfile $d/drift
	EOF
	ip netns exec "$W_NET" chronyd -x -d -f "$d/chrony.conf" >"$d/log" 2>&1 &
	mx_on_exit "kill $!"
	disown $!
}

world_rsync() {
	local d=$W_DIR/rsync
	mkdir -p "$d/pub"
	cat >"$d/rsyncd.conf" <<-EOF
		pid file = $d/rsyncd.pid
		$([ "$W_V6" = 1 ] || echo "address = $W_SVC")
		use chroot = no
		reverse lookup = no
		[sanesecurity]
		path = $d/pub
		read only = yes
	EOF
	ip netns exec "$W_NET" rsync --daemon --no-detach --config="$d/rsyncd.conf" \
		--log-file="$d/log" &
	mx_on_exit "kill $!"
	disown $!
}

world_postfix() {
	local d=$W_DIR/postfix
	mkdir -p "$d/etc" "$d/data"
	chown postfix "$d/data"
	# The queue layout postfix-script would create (master exits quietly
	# without it).
	for s in active bounce corrupt defer deferred flush hold incoming private saved trace; do
		install -d -o postfix -m 700 "$d/queue/$s"
	done
	install -d -m 755 "$d/queue/pid"
	install -d -o postfix -g postdrop -m 730 "$d/queue/maildrop"
	install -d -o postfix -g postdrop -m 710 "$d/queue/public"
	cat >"$d/etc/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $d/queue
		data_directory = $d/data
		command_directory = /usr/sbin
		daemon_directory = /usr/lib/postfix/sbin
		meta_directory = /etc/postfix
		shlib_directory = /usr/lib/postfix
		mail_owner = postfix
		setgid_group = postdrop
		myhostname = mx.google.test
		mydestination =
		inet_interfaces = $W_SVC$([ "$W_V6" = 1 ] && echo ", [$W_SVC6]")
		inet_protocols = $([ "$W_V6" = 1 ] && echo all || echo ipv4)
		maillog_file = /dev/stdout
		smtpd_banner = \$myhostname ESMTP mxprobe-test
		smtpd_tls_cert_file = $W_DIR/pki/srv.pem
		smtpd_tls_key_file = $W_DIR/pki/srv.key
		smtpd_tls_security_level = may
		smtpd_peername_lookup = no
		import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
	EOF
	cat >"$d/etc/master.cf" <<-EOF
		smtp      inet  n       -       n       -       -       smtpd
		smtps     inet  n       -       n       -       -       smtpd -o smtpd_tls_wrappermode=yes
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		relay     unix  -       -       n       -       -       smtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		local     unix  -       n       n       -       -       local
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
		tlsmgr    unix  -       -       n       1000?   1       tlsmgr
	EOF
	# master directly (not the postfix(1) wrapper, which insists that a
	# non-default config directory be listed in /etc/postfix/main.cf).
	ip netns exec "$W_NET" env MAIL_CONFIG="$d/etc" /usr/lib/postfix/sbin/master -d \
		-c "$d/etc" >"$d/log" 2>&1 &
	mx_on_exit "kill $!"
	disown $!
}

world_rspamd() {
	local d=$W_DIR/rspamd
	mkdir -p "$d/db" "$d/run"
	chown _rspamd "$d/db" "$d/run" 2>/dev/null || chmod 777 "$d/db" "$d/run"
	cat >"$d/rspamd.conf" <<-EOF
		options { pidfile = "$d/run/rspamd.pid"; dbdir = "$d/db"; rundir = "$d/run"; }
		logging { type = "file"; filename = "$d/log"; level = "info"; }
		worker "fuzzy" {
			bind_socket = "$W_SVC:11335";
			bind_socket = "$W_SVC:11445";
			$([ "$W_V6" = 1 ] && echo "bind_socket = \"[$W_SVC6]:11335\"; bind_socket = \"[$W_SVC6]:11445\";")
			count = 1;
			backend = "sqlite";
			hashfile = "$d/db/fuzzy.db";
			expire = 90d;
			allow_update = ["127.0.0.1"];
		}
	EOF
	ip netns exec "$W_NET" rspamd -f -u _rspamd -g _rspamd -c "$d/rspamd.conf" \
		>"$d/out" 2>&1 &
	mx_on_exit "kill $!"
	disown $!
}

world_nginx() {
	local d=$W_DIR/nginx asn=${1:-200}
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		pid $d/nginx.pid;
		error_log $d/error.log;
		events { worker_connections 64; }
		http {
			access_log $d/access.log;
			client_body_temp_path $d/tmp;
			proxy_temp_path $d/tmp;
			fastcgi_temp_path $d/tmp;
			uwsgi_temp_path $d/tmp;
			scgi_temp_path $d/tmp;
			default_type text/plain;
			server {
				listen $W_SVC:80 default_server;
				listen $W_SVC:443 ssl default_server;
				listen $W_SVC:2703 default_server;
				$([ "$W_V6" = 1 ] && echo "listen [$W_SVC6]:80 default_server; listen [$W_SVC6]:443 ssl default_server; listen [$W_SVC6]:2703 default_server;")
				ssl_certificate $W_DIR/pki/srv.pem;
				ssl_certificate_key $W_DIR/pki/srv.key;
				location / { return 200 "ok\n"; }
			}
			server {
				listen $W_SVC:80;
				server_name ip4.mailcow.email;
				location / { return 200 "\$remote_addr\n"; }
			}
			server {
				listen $W_SVC:80;
				$([ "$W_V6" = 1 ] && echo "listen [$W_SVC6]:80;")
				server_name ip6.mailcow.email;
				location / { return 200 "\$remote_addr\n"; }
			}
			server {
				listen $W_SVC:443 ssl;
				$([ "$W_V6" = 1 ] && echo "listen [$W_SVC6]:443 ssl;")
				server_name asn-check.mailcow.email;
				ssl_certificate $W_DIR/pki/srv.pem;
				ssl_certificate_key $W_DIR/pki/srv.key;
				location / { return $asn "asn\n"; }
			}
		}
	EOF
	ip netns exec "$W_NET" nginx -c "$d/nginx.conf" -p "$d" >"$d/out" 2>&1 &
	mx_on_exit "kill $!"
	disown $!
}

# world_up [ASN_STATUS]: namespaces, addresses, routes, NAT, every server.
world_up() {
	local ip
	world_need
	W_DIR=$(mktemp -d /tmp/mxt-outbound-XXXXXX)
	chmod 755 "$W_DIR"
	mx_on_exit "rm -rf $W_DIR"
	W_HOST=$(mx_netns host)
	W_ROUTER=$(mx_netns router)
	W_NET=$(mx_netns net)
	mx_veth "$W_HOST" 10.77.1.2/24 "$W_ROUTER" 10.77.1.1/24 >/dev/null
	mx_veth "$W_ROUTER" 10.77.2.1/24 "$W_NET" 10.77.2.2/24 >/dev/null
	ip -n "$W_HOST" route add default via 10.77.1.1
	ip -n "$W_NET" route add default via 10.77.2.1
	ip netns exec "$W_ROUTER" sysctl -qw net.ipv4.ip_forward=1
	if [ "$W_V6" = 1 ]; then
		local hif rif1 rif2 nif
		hif=$(world_ifname "$W_HOST" 10.77.1.2)
		rif1=$(world_ifname "$W_ROUTER" 10.77.1.1)
		rif2=$(world_ifname "$W_ROUTER" 10.77.2.1)
		nif=$(world_ifname "$W_NET" 10.77.2.2)
		ip netns exec "$W_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n "$W_HOST" addr add 2001:db8:1::2/64 dev "$hif" nodad
		ip -n "$W_ROUTER" addr add 2001:db8:1::1/64 dev "$rif1" nodad
		ip -n "$W_ROUTER" addr add 2001:db8:2::1/64 dev "$rif2" nodad
		ip -n "$W_NET" addr add "$W_SVC6/64" dev "$nif" nodad
		ip -n "$W_HOST" -6 route add default via 2001:db8:1::1
		ip -n "$W_NET" -6 route add default via 2001:db8:2::1
		for ip in $W_ROOTS6; do
			ip -n "$W_NET" addr add "$ip/128" dev lo nodad
			ip -n "$W_ROUTER" -6 route add "$ip/128" via "$W_SVC6"
		done
	fi
	for ip in $W_ROOTS $W_PINGS; do
		ip -n "$W_NET" addr add "$ip/32" dev lo
		ip -n "$W_ROUTER" route add "$ip/32" via 10.77.2.2
	done
	# The provider's NAT: the internet sees the router's address.
	ip netns exec "$W_ROUTER" nft -f - <<-EOF
		table ip provider {
			chain nat_post { type nat hook postrouting priority 100; oifname "$(world_ifname "$W_ROUTER" 10.77.2.1)" masquerade; }
			chain filter_forward { type filter hook forward priority 0; policy accept; }
		}
		table ip6 provider6 {
			chain filter_forward { type filter hook forward priority 0; policy accept; }
		}
	EOF
	# The host namespace resolves through the root server.
	mkdir -p "/etc/netns/$W_HOST"
	mx_on_exit "rm -rf /etc/netns/$W_HOST"
	echo "nameserver 198.41.0.4" >"/etc/netns/$W_HOST/resolv.conf"
	: >"/etc/netns/$W_HOST/hosts"
	world_certs
	world_nsd
	world_chrony
	world_rsync
	world_postfix
	world_rspamd
	world_nginx "${1:-200}"
	world_wait "nsd" ip netns exec "$W_NET" sh -c "ss -ulnH | grep -q '198.41.0.4:53 '"
	world_wait "chrony" ip netns exec "$W_NET" sh -c "ss -ulnH | grep -q '$W_SVC:123 '"
	world_wait "rsync" ip netns exec "$W_NET" sh -c "ss -tlnH | grep -q ':873 '"
	world_wait "postfix" ip netns exec "$W_NET" sh -c "ss -tlnH | grep -q '$W_SVC:465 '"
	world_wait "rspamd fuzzy" ip netns exec "$W_NET" sh -c "ss -ulnH | grep -q '$W_SVC:11445 '"
	world_wait "nginx" ip netns exec "$W_NET" sh -c "ss -tlnH | grep -q '$W_SVC:2703 '"
}

# The interface of NS that holds ADDR.
world_ifname() {
	ip -n "$1" -o addr show | awk -v a="$2/" 'index($4, a) == 1 { print $2 }'
}

# A rule in the provider's forward chain (nft syntax), e.g.
#   world_rule 'tcp dport 25 drop'
world_rule() {
	ip netns exec "$W_ROUTER" nft add rule ip provider filter_forward "$@"
}

# world_rule6 'RULE': the same for IPv6.
world_rule6() {
	ip netns exec "$W_ROUTER" nft add rule ip6 provider6 filter_forward "$@"
}

# world_mx ARGS...: mxprobe in the host namespace with the test CA; its
# stdout in $W_OUT, its exit code in $W_RC (stderr goes to the test log).
world_mx() {
	set +e
	W_OUT=$(ip netns exec "$W_HOST" env MXPROBE_CA_FILE="$W_CA" "$MXPROBE" "$@")
	W_RC=$?
	set -e
}

# status JSON CHECK_ID -> pass/warn/fail/skip/error
w_status() { jq -r --arg id "$2" '.checks[] | select(.id == $id) | .status' <<<"$1"; }
# Every check id with its status, "id=status" per line, sorted.
w_statuses() { jq -r '.checks[] | "\(.id)=\(.status)"' <<<"$1" | sort; }

# w_expect JSON "id=status"...: every outbound check is as listed, and
# every check not listed passed. Prints the differences and fails.
w_expect() {
	local json=$1 want got
	shift
	want=$(jq -r '.checks[].id' <<<"$json" | while read -r id; do
		local st=pass kv
		for kv in "$@"; do [ "${kv%%=*}" = "$id" ] && st=${kv#*=}; done
		echo "$id=$st"
	done | sort)
	got=$(w_statuses "$json")
	if [ "$want" != "$got" ]; then
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /' >&2
		jq -r '.checks[] | "    \(.id) \(.status): \(.summary)"' <<<"$json" >&2
		fail "check statuses differ from the expected ones (< expected, > got)"
	fi
	echo "ok: $(wc -l <<<"$got") checks as expected"
}
