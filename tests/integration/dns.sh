#!/usr/bin/env bash
# mxprobe dns against a real authoritative server: nsd in one network
# namespace serves the zones of tests/dns/mkzones.sh (one correct mail
# domain, one domain per defect, reverse zones); mxprobe runs in another
# namespace with --resolver pointing at it. Each scenario asserts the status
# of every check of the group and the key data.
. "$MX_TOP/tests/integration/lib/common.sh"
need nsd
need jq
need openssl

srv=$(mx_netns dnssrv)
cli=$(mx_netns dnscli)
read -r va vb < <(mx_veth "$srv" 10.53.0.1/24 "$cli" 10.53.0.2/24)
# IPv6 too (nodad: usable at once), for a resolver reached over IPv6.
ip -n "$srv" addr add fd53::1/64 dev "$va" nodad
ip -n "$cli" addr add fd53::2/64 dev "$vb" nodad
work=$(mktemp -d /tmp/mxt-$$-dns.XXXXXX)
mx_on_exit "rm -rf $work"
"$MX_TOP/tests/dns/mkzones.sh" "$work/zones" 10.53.0.1 fd53::1 >/dev/null

ip netns exec "$srv" nsd -d -c "$work/zones/nsd.conf" &
nsd_pid=$!
mx_on_exit "kill $nsd_pid"
for _ in $(seq 100); do
	if ip netns exec "$cli" dig +time=1 +tries=1 +short @10.53.0.1 good.test SOA | grep -q ns.good.test; then
		break
	fi
	sleep 0.1
done
ip netns exec "$cli" dig +short @10.53.0.1 good.test SOA | grep -q ns.good.test || fail "nsd did not start: $(cat "$work/zones/nsd.log")"

# run DOMAIN N [more args]: mxprobe dns for scenario N, JSON in $out.
run() {
	local d=$1 n=$2
	shift 2
	printf 'MAILCOW_HOSTNAME=mx.%s\n' "$d" >"$work/mailcow.conf"
	set +e
	out=$("$MXPROBE" -N "$cli" dns "$d" --mailcow-conf "$work/mailcow.conf" \
		--resolver 10.53.0.1 --public-ip 198.51.100.$n --public-ip 2001:db8::$n --json "$@")
	rc=$?
	set -e
}
# The status of every dns check, as "id=status ..." in table order.
statuses() { jq -r '[.checks[] | "\(.id | sub("^dns\\."; ""))=\(.status)"] | join(" ")' <<<"$out"; }
data() { jq -r ".checks[] | select(.id == \"dns.$1\") | .data$2" <<<"$out"; }
summary() { jq -r ".checks[] | select(.id == \"dns.$1\") | .summary" <<<"$out"; }

all_pass="domain=pass host_address=pass mx=pass ptr_ipv4=pass ptr_ipv6=pass spf=pass dmarc=pass dkim=pass wildcard_spf=pass autodiscover=pass autoconfig=pass autodiscover_srv=pass mta_sts=pass tlsrpt=pass tlsa=pass caa=pass"
# expect_checks "id=status ...": all_pass with those checks changed.
expect_checks() {
	local want=" $all_pass " kv
	for kv in "$@"; do want=${want/ ${kv%%=*}=pass / $kv }; done
	want=${want# }
	expect_eq "$(statuses)" "${want% }" "$scenario: statuses"
}

scenario=good
run good.test 10
expect_checks
expect_eq "$rc" 0 "good: exit code"
expect_eq "$(data domain .domain)" good.test "good: domain"
expect_eq "$(data domain .resolver)" 10.53.0.1 "good: resolver"
expect_eq "$(data spf .results.ipv4.result)/$(data spf .results.ipv6.result)" pass/pass "good: spf result v4/v6"
expect_eq "$(data spf .results.ipv4.matched)" mx "good: spf matched term"
expect_eq "$(data spf .lookups)" 1 "good: spf lookups"
expect_eq "$(data spf .helo.record)/$(data spf .helo.ipv4)/$(data spf .helo.ipv6)" "v=spf1 a -all/pass/pass" "good: HELO SPF"
expect_eq "$(data dkim .key_bits)/$(data dkim .key_type)" 2048/rsa "good: dkim key"
expect_eq "$(data dmarc .policy)/$(data dmarc .aspf)/$(data dmarc .adkim)" quarantine/s/s "good: dmarc"
expect_eq "$(data dmarc '.ruf[0].authorized')" true "good: foreign ruf authorized by reports.test"
expect_eq "$(data ptr_ipv6 '.ptr[0].name')" mx.good.test "good: ptr v6"
expect_eq "$(data ptr_ipv4 .forward_confirmed)" true "good: fcrdns"
# Evidence: every query names the server asked and the AD flag.
expect_eq "$(jq -r '[.checks[].data.queries[]? | select(.server != "10.53.0.1")] | length' <<<"$out")" 0 "good: every query asked 10.53.0.1"
expect_eq "$(jq -r '[.checks[].data.queries[]? | select(.ad == null)] | length' <<<"$out")" 0 "good: AD flag on every answer"
expect_eq "$(data mx '.queries[0].records[0]')" "10 mx.good.test" "good: MX evidence"

# The same over IPv6 to the server.
scenario=good-ipv6-resolver
printf 'MAILCOW_HOSTNAME=mx.good.test\n' >"$work/mailcow.conf"
out=$("$MXPROBE" -N "$cli" dns good.test --mailcow-conf "$work/mailcow.conf" --resolver fd53::1 \
	--public-ip 198.51.100.10 --public-ip 2001:db8::10 --json)
expect_checks
expect_eq "$(jq -r '[.checks[].data.queries[]?.server] | unique | join(" ")' <<<"$out")" "fd53::1" "good over IPv6: server asked"

# The domain from MAILCOW_HOSTNAME: nearest parent with an MX record.
scenario=derived
printf 'MAILCOW_HOSTNAME=mx.good.test\n' >"$work/mailcow.conf"
set +e
out=$("$MXPROBE" -N "$cli" dns --mailcow-conf "$work/mailcow.conf" --resolver 10.53.0.1 \
	--public-ip 198.51.100.10 --json)
set -e
expect_eq "$(data domain .domain)" good.test "derived: domain"
expect_match "$(data domain .domain_source)" "nearest parent of MAILCOW_HOSTNAME mx.good.test with an MX" "derived: how"
# Only IPv4 given and no public IPv6 on any interface of the namespace:
# the host's AAAA sends IPv6 mail elsewhere.
expect_checks host_address=warn ptr_ipv6=skip
expect_match "$(summary host_address)" "mx.good.test has AAAA 2001:db8::10 but this host has no public IPv6 address" "derived: stray AAAA"

scenario=spf11
run spf11.test 11
expect_checks spf=fail
expect_eq "$(data spf .lookups)" 11 "spf11: lookups counted through the include"
expect_match "$(data spf '.problems[0]')" "more than 10 DNS lookups .the 11th: 'a:h8.spf11.test' in inc.spf11.test" "spf11: problem"
expect_eq "$(data spf .results.ipv4.result)" pass "spf11: matched by mx before the limit"
expect_eq "$rc" 2 "spf11: exit code"

scenario=spf2rec
run spf2rec.test 12
expect_checks spf=fail
expect_match "$(summary spf)" "has 2 SPF records" "spf2rec: summary"

scenario=spfloop
run spfloop.test 13
expect_checks spf=fail
expect_eq "$(data spf .loop)" true "spfloop: loop flagged"
expect_match "$(data spf '.problems[0]')" "include loop: spfloop.test -> l1.spfloop.test -> l2.spfloop.test -> spfloop.test" "spfloop: path"

scenario=nodmarc
run nodmarc.test 14
expect_checks dmarc=fail
expect_match "$(summary dmarc)" "_dmarc.nodmarc.test has no DMARC record" "nodmarc: summary"

scenario=baddmarc
run baddmarc.test 15
expect_checks dmarc=fail
expect_eq "$(data dmarc '.errors[0]')" "p=quarantined is not none, quarantine or reject" "baddmarc: error"

scenario=dkim1024
run dkim1024.test 16
expect_checks dkim=warn
expect_eq "$(data dkim .key_bits)" 1024 "dkim1024: bits"
expect_eq "$rc" 1 "dkim1024: exit code"

scenario=dkimtrunc
run dkimtrunc.test 17
expect_checks dkim=fail
expect_match "$(summary dkim)" "is not a DER public key: truncated" "dkimtrunc: summary"

scenario=ptrbad
run ptrbad.test 18
expect_checks ptr_ipv4=fail
expect_match "$(summary ptr_ipv4)" "198.51.100.18 PTR other.ptrbad.test is not the mail host name mx.ptrbad.test" "ptrbad: summary"
expect_eq "$(data ptr_ipv4 '.ptr[0].forward_confirmed')" true "ptrbad: forward-confirmed, wrong name"

scenario=mxcname
run mxcname.test 19
expect_checks mx=fail
expect_match "$(summary mx)" "MX mail.mxcname.test is a CNAME .to mx.mxcname.test." "mxcname: summary"

scenario=hostcname
run hostcname.test 20
expect_checks host_address=fail mx=fail
expect_match "$(summary host_address)" "mx.hostcname.test is a CNAME to server.hostcname.test" "hostcname: summary"

scenario=v6noptr
run v6noptr.test 21
expect_checks ptr_ipv6=fail
expect_match "$(summary ptr_ipv6)" "2001:db8::21 has no PTR record .NXDOMAIN." "v6noptr: summary"

scenario=extras
run extras.test 22
expect_checks spf=warn dmarc=warn wildcard_spf=warn autodiscover=warn mta_sts=fail tlsa=warn caa=fail
expect_match "$(summary spf)" "the HELO name mx.extras.test has SPF \"v=spf1 -all\" giving fail for 198.51.100.22: bounces from this host fail SPF" "extras: HELO SPF"
expect_match "$(summary dmarc)" "p=none: receivers only monitor" "extras: dmarc worst finding first"
expect_eq "$(data dmarc '.findings | length')" 3 "extras: dmarc findings"
expect_match "$(data dmarc '.findings[1]')" "relaxed SPF and DKIM alignment" "extras: dmarc alignment"
expect_match "$(data dmarc '.findings[2]')" "dmarc@reports.test is outside extras.test and extras.test._report._dmarc.reports.test has no" "extras: dmarc report authorization"
expect_eq "$(data dmarc '.rua[0].authorized')" false "extras: rua not authorized"
expect_match "$(summary caa)" "CAA at extras.test allows no letsencrypt.org" "extras: caa"
expect_match "$(summary tlsa)" "not DNSSEC-validated" "extras: tlsa without AD"
expect_match "$(summary mta_sts)" "id=not-alnum! must be letters and digits" "extras: mta-sts id"

# A truncated UDP reply: the lookup is retried over TCP.
scenario=bigtxt
run bigtxt.test 23
expect_checks
expect_eq "$(data spf '.queries[0].transport')" tcp "bigtxt: TXT over TCP after TC"
expect_eq "$(data spf .record)" "v=spf1 mx -all" "bigtxt: SPF found among 15 TXT records"

# DNSSEC: nsd alone sets no AD; a validating unbound in the client namespace
# (trust anchor: signed.test's KSK) does, and DANE then counts.
scenario=signed-unvalidated
run signed.test 24
expect_checks tlsa=warn
expect_eq "$(data domain .dnssec_ad)" false "signed via nsd: no AD"
if command -v unbound >/dev/null; then
	{
		printf 'server:\n\tinterface: 127.0.0.1\n\tport: 53\n\tusername: ""\n\tchroot: ""\n'
		printf '\tdirectory: "%s"\n\tpidfile: "%s/unbound.pid"\n\tuse-syslog: no\n' "$work" "$work"
		printf '\tlogfile: "%s/unbound.log"\n\tdo-daemonize: no\n\tqname-minimisation: no\n' "$work"
		printf '\tmodule-config: "validator iterator"\n'
		printf '\ttrust-anchor-file: "%s"\n' "$work"/zones/*.ds
		# unbound answers the special-use test. and documentation reverse
		# zones itself (RFC 6761) unless told not to.
		printf '\tlocal-zone: "%s" nodefault\n' test. 100.51.198.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa.
		while read -r z; do
			printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: 10.53.0.1\n' "$z"
		done <"$work/zones/zones.list"
	} >"$work/unbound.conf"
	ip netns exec "$cli" unbound -d -c "$work/unbound.conf" &
	ub_pid=$!
	mx_on_exit "kill $ub_pid"
	for _ in $(seq 100); do
		if ip netns exec "$cli" dig +time=1 +tries=1 +short @127.0.0.1 signed.test SOA | grep -q ns.signed.test; then
			break
		fi
		sleep 0.1
	done
	scenario=signed-validated
	printf 'MAILCOW_HOSTNAME=mx.signed.test\n' >"$work/mailcow.conf"
	set +e
	out=$("$MXPROBE" -N "$cli" dns signed.test --mailcow-conf "$work/mailcow.conf" \
		--resolver 127.0.0.1 --public-ip 198.51.100.24 --public-ip 2001:db8::24 --json)
	set -e
	expect_checks || { cat "$work/unbound.log"; exit 1; }
	expect_eq "$(data domain .dnssec_ad)" true "signed via unbound: AD"
	expect_eq "$(data tlsa .dnssec_ad)" true "signed via unbound: TLSA validated"
	expect_eq "$(data ptr_ipv4 '.queries[0].ad')" false "signed via unbound: unsigned reverse zone has no AD"

	# Expired signatures: SERVFAIL from the validator, data with CD.
	scenario=bogus
	set +e
	out=$("$MXPROBE" -N "$cli" dns bogus.test --resolver 127.0.0.1 --public-ip 198.51.100.26 \
		--hostname mx.bogus.test --json)
	rc=$?
	set -e
	expect_eq "$(jq -r '.checks[0].status' <<<"$out")" fail "bogus: dns.domain"
	expect_match "$(summary domain)" "DNSSEC of bogus.test is broken" "bogus: summary"
	expect_eq "$(data domain '.queries[0].bogus')" true "bogus: evidence"
	expect_eq "$(summary spf)" "DNSSEC validation fails for the domain (see dns.domain)" "bogus: rest skipped"
	expect_eq "$rc" 2 "bogus: exit code"
	# The same zone straight from nsd (no validation) is fine.
	run bogus.test 26
	expect_checks
fi

# Peer agreement: pyspf (Debian's python3-spf) evaluates the same records
# through the same server; check_host results must match for every case.
if /usr/bin/python3 -c 'import spf' 2>/dev/null; then
	# ip netns exec puts /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
	mkdir -p "/etc/netns/$cli"
	mx_on_exit "rm -rf /etc/netns/$cli"
	echo "nameserver 10.53.0.1" >"/etc/netns/$cli/resolv.conf"
	for c in good:198.51.100.10 good:2001:db8::10 good:192.0.2.1 spf11:198.51.100.11 \
		spf11:198.51.100.99 spfloop:198.51.100.13 spfloop:198.51.100.99 \
		spfloop:2001:db8::99 extras:2001:db8::22 extras:203.0.113.5 \
		spfmix:203.0.113.5 spfmix:203.0.113.200 spfmix:192.0.2.110 spfmix:192.0.2.95 \
		spfmix:2001:db8:7::ff spfmix:2001:db8:7::1:1 spfmix:198.51.100.26 \
		spfmix:2001:db8:5::9 spfmix:2001:db8:6::1 spfmix:192.0.2.200 spfmix:198.51.100.25 \
		spfmix:198.51.100.10; do
		d=${c%%:*}.test a=${c#*:}
		set +e
		ours=$("$MXPROBE" -N "$cli" dns "$d" --resolver 10.53.0.1 --public-ip "$a" --json |
			jq -r '.checks[] | select(.id == "dns.spf") | .data.results[].result')
		set -e
		theirs=$(ip netns exec "$cli" /usr/bin/python3 -c \
			"import spf; print(spf.check2(i='$a', s='postmaster@$d', h='mx.$d')[0])")
		expect_eq "$ours" "$theirs" "spf result for $a at $d: $ours, as pyspf says"
	done
fi

# No domain anywhere: `dns` says so (exit 3); in `check` the group is
# skipped, the reason in dns.domain.
scenario=nodomain
: >"$work/empty.conf"
set +e
err=$("$MXPROBE" -N "$cli" dns --mailcow-conf "$work/empty.conf" 2>&1 >/dev/null)
rc=$?
set -e
expect_eq "$rc" 3 "nodomain: dns exit code"
expect_match "$err" "dns: no mail domain: give DOMAIN, --domain, or a mailcow.conf" "nodomain: message"
set +e
out=$("$MXPROBE" -N "$cli" check --mailcow-conf "$work/empty.conf" --resolver 10.53.0.1 --json)
set -e
expect_eq "$(jq -r '[.checks[] | select(.group == "dns" and .status != "skip")] | length' <<<"$out")" 0 "nodomain: check skips the dns group"
expect_match "$(summary domain)" "no mail domain known" "nodomain: reason"
expect_eq "$(summary mx)" "no mail domain known (see dns.domain)" "nodomain: short reason elsewhere"

# A resolver that does not answer: errors, not failures; bounded by --timeout.
scenario=noresolver
set +e
out=$("$MXPROBE" -N "$cli" dns good.test --resolver 10.53.0.3 --timeout 1 --json)
rc=$?
set -e
expect_eq "$(jq -r '.checks[0].status' <<<"$out")" error "noresolver: dns.domain"
expect_eq "$rc" 3 "noresolver: exit code"

# Bad usage: one line, exit 3.
set +e
err=$("$MXPROBE" dns 'bad domain!' 2>&1 >/dev/null); rc=$?
set -e
expect_eq "$rc" 3 "bad domain: exit code"
expect_eq "$err" "mxprobe: dns: 'bad domain!' is not a domain name" "bad domain: message"
echo "dns: all scenarios as expected"
