#!/usr/bin/env bash
# Writes the test zones of tests/integration/dns.sh into DIR: an nsd.conf for
# an authoritative server on ADDR, one fully correct mail domain and one
# domain per defect, the reverse zones for their PTRs, and real DKIM keys
# (openssl, 2048 and 1024 bits). Every scenario N has the public addresses
# 198.51.100.N and 2001:db8::N and the mail host mx.<domain>.
# usage: mkzones.sh DIR ADDR [ADDR6]   (ADDR6: nsd listens there too)
set -euo pipefail
dir=${1:?usage: mkzones.sh DIR ADDR [ADDR6]}
ns=${2:?usage: mkzones.sh DIR ADDR [ADDR6]}
ns6=${3-}
mkdir -p "$dir"
cd "$dir"

# A DER SubjectPublicKeyInfo in base64, as mailcow's UI shows it.
dkim_key() { # BITS
	openssl genrsa "$1" 2>/dev/null | openssl rsa -pubout -outform DER 2>/dev/null | base64 -w0
}
# A TXT value over 255 bytes must be split into several strings (RFC 7208 3.3).
txt_split() {
	local s=$1 out="" i
	for ((i = 0; i < ${#s}; i += 200)); do out+="\"${s:i:200}\" "; done
	printf '( %s)' "$out"
}
key2048=$(dkim_key 2048)
key1024=$(dkim_key 1024)

# The correct records of scenario domain $1 with number $2; a scenario
# changes them through the variables below (set, then call zone).
zone() {
	local d=$1 n=$2
	{
		cat <<Z
\$ORIGIN $d.
\$TTL 300
@ SOA ns.$d. hostmaster.$d. 1 3600 600 86400 300
@ NS ns.$d.
ns A $ns
${MXREC-@ MX 10 mx.$d.}
${HOSTREC-mx A 198.51.100.$n
mx AAAA 2001:db8::$n}
${SPF-@ TXT \"v=spf1 mx -all\"}
${DMARC-_dmarc TXT \"v=DMARC1; p=quarantine; aspf=s; adkim=s; rua=mailto:dmarc@$d\"}
dkim._domainkey TXT ${DKIM-$(txt_split "v=DKIM1; k=rsa; p=$key2048")}
${WILD-* TXT \"v=spf1 -all\"}
${AUTODISCOVER-autodiscover CNAME mx.$d.}
autoconfig CNAME mx.$d.
_autodiscover._tcp SRV 0 1 443 mx.$d.
${STS-_mta-sts TXT \"v=STSv1; id=20240101T000000\"}
mta-sts CNAME mx.$d.
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@$d"
${CAA-@ CAA 0 issue \"letsencrypt.org\"}
${EXTRA-}
Z
	} >"$d.zone"
	if [ -n "${SIGN-}" ]; then
		# DNSSEC: a KSK whose DS is the validating resolver's trust anchor.
		local ksk zsk
		ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$d")
		zsk=$(ldns-keygen -a ECDSAP256SHA256 "$d")
		# SIGN=expired: signatures valid only in January 2020.
		if [ "$SIGN" = expired ]; then
			ldns-signzone -i 20200101 -e 20200201 "$d.zone" "$ksk" "$zsk"
		else
			ldns-signzone "$d.zone" "$ksk" "$zsk"
		fi
		cp "$ksk.ds" "$d.ds"
		zones+=("$d:$d.zone.signed")
	else
		zones+=("$d:$d.zone")
	fi
	unset MXREC HOSTREC SPF DMARC DKIM WILD AUTODISCOVER STS CAA EXTRA SIGN
}
zones=()

# Forensic reports go to another domain that authorizes it (RFC 7489 7.1).
DMARC='_dmarc TXT "v=DMARC1; p=quarantine; aspf=s; adkim=s; rua=mailto:dmarc@good.test; ruf=mailto:forensic@reports.test"'
# The HELO name's own SPF (what receivers check for bounces).
EXTRA='mx TXT "v=spf1 a -all"'
zone good.test 10

# 11 DNS-querying terms: mx a include + 8 a: in the include.
SPF='@ TXT "v=spf1 mx a include:inc.spf11.test -all"'
EXTRA=$(printf 'inc TXT "v=spf1 a:h1.spf11.test a:h2.spf11.test a:h3.spf11.test a:h4.spf11.test a:h5.spf11.test a:h6.spf11.test a:h7.spf11.test a:h8.spf11.test -all"\n@ A 198.51.100.11\n'; for i in 1 2 3 4 5 6 7 8; do echo "h$i A 192.0.2.$i"; done)
zone spf11.test 11

SPF=$'@ TXT "v=spf1 mx -all"\n@ TXT "v=spf1 a -all"'
zone spf2rec.test 12

SPF='@ TXT "v=spf1 mx include:l1.spfloop.test -all"'
EXTRA=$'l1 TXT "v=spf1 include:l2.spfloop.test -all"\nl2 TXT "v=spf1 include:spfloop.test -all"'
zone spfloop.test 13

DMARC=''
zone nodmarc.test 14

DMARC='_dmarc TXT "v=DMARC1; p=quarantined; aspf=s; adkim=s"'
zone baddmarc.test 15

DKIM=$(txt_split "v=DKIM1; k=rsa; p=$key1024")
zone dkim1024.test 16

DKIM="\"v=DKIM1; k=rsa; p=${key2048:0:200}\""
zone dkimtrunc.test 17

EXTRA='other A 198.51.100.18'
zone ptrbad.test 18

MXREC=$'@ MX 10 mail.mxcname.test.\nmail CNAME mx.mxcname.test.'
zone mxcname.test 19

HOSTREC=$'mx CNAME server.hostcname.test.\nserver A 198.51.100.20\nserver AAAA 2001:db8::20'
zone hostcname.test 20

zone v6noptr.test 21

# The optional records, present and wrong; the policy weak.
DMARC='_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@reports.test"'
WILD=''
AUTODISCOVER='autodiscover A 192.0.2.99'
STS='_mta-sts TXT "v=STSv1; id=not-alnum!"'
CAA=$'@ CAA 0 issue "digicert.com"\n@ CAA 0 iodef "mailto:caa@extras.test"'
EXTRA=$'_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nmx TXT "v=spf1 -all"'
zone extras.test 22

# A TXT RRset at the apex too big for 1232 bytes of UDP (site verification
# tokens pile up like this): the reply is truncated, the SPF lookup must
# retry over TCP.
EXTRA=$(for i in $(seq 14); do printf '@ TXT "site-verification-%02d=%s"\n' $i "$(printf '%090d' $i)"; done)
zone bigtxt.test 23

# Every mechanism at once, for the comparison with pyspf: ip4, a with a
# dual CIDR, mx with a prefix, exists with a macro, include with ?all,
# redirect to a record using ptr.
SPF='@ TXT "v=spf1 ip4:203.0.113.0/25 a:web.spfmix.test/28//120 mx/30 exists:%{ir}.bl.spfmix.test include:inc.spfmix.test redirect=red.spfmix.test"'
EXTRA=$'web A 192.0.2.100\nweb AAAA 2001:db8:7::1\n200.113.0.203.bl A 127.0.0.2\ninc TXT "v=spf1 ip6:2001:db8:5::/48 ?all"\nred TXT "v=spf1 ptr:spfmix.test ~all"'
zone spfmix.test 25

# Signed (DNSSEC) with a DANE record: validated only through a validating
# resolver that trusts the key.
SIGN=1
EXTRA=$'_25._tcp.mx TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
zone signed.test 24

# Signed, but the signatures expired: validating resolvers SERVFAIL.
SIGN=expired
zone bogus.test 26

# A foreign DMARC report destination: has MX, but no authorization record
# for extras.test (only for good.test).
cat >reports.test.zone <<Z
\$ORIGIN reports.test.
\$TTL 300
@ SOA ns.reports.test. hostmaster.reports.test. 1 3600 600 86400 300
@ NS ns.reports.test.
ns A $ns
@ MX 10 mx.reports.test.
mx A 192.0.2.50
good.test._report._dmarc TXT "v=DMARC1"
Z
zones+=(reports.test:reports.test.zone)

scenarios="good spf11 spf2rec spfloop nodmarc baddmarc dkim1024 dkimtrunc ptrbad mxcname hostcname v6noptr extras bigtxt signed spfmix bogus"
# Reverse zones: every scenario's PTR is mx.<domain>, except the defects.
{
	printf '$ORIGIN 100.51.198.in-addr.arpa.\n$TTL 300\n'
	printf '@ SOA ns.good.test. hostmaster.good.test. 1 3600 600 86400 300\n@ NS ns.good.test.\n'
	i=10
	for d in $scenarios; do
		if [ $d = ptrbad ]; then
			echo "$i PTR other.ptrbad.test."
		else
			echo "$i PTR mx.$d.test."
		fi
		i=$((i + 1))
	done
} >rev4.zone
{
	printf '$ORIGIN 0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.\n$TTL 300\n'
	printf '@ SOA ns.good.test. hostmaster.good.test. 1 3600 600 86400 300\n@ NS ns.good.test.\n'
	i=10
	for d in $scenarios; do
		# 2001:db8::N with N in hex digits as written (decimal-looking).
		nib=$(printf '%04d' $i | rev | sed 's/./&./g')
		[ $d = v6noptr ] || echo "${nib}0.0.0.0.0.0.0.0.0.0.0.0 PTR mx.$d.test."
		i=$((i + 1))
	done
} >rev6.zone

cat >nsd.conf <<C
server:
	ip-address: $ns
${ns6:+	ip-address: $ns6}
	port: 53
	username: ""
	zonesdir: "$dir"
	pidfile: "$dir/nsd.pid"
	database: ""
	xfrdfile: "$dir/xfrd.state"
	zonelistfile: "$dir/zone.list"
	logfile: "$dir/nsd.log"
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: no
C
for z in "${zones[@]}"; do printf 'zone:\n\tname: %s\n\tzonefile: %s\n' "${z%%:*}" "${z#*:}" >>nsd.conf; done
printf 'zone:\n\tname: 100.51.198.in-addr.arpa\n\tzonefile: rev4.zone\n' >>nsd.conf
printf 'zone:\n\tname: 0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa\n\tzonefile: rev6.zone\n' >>nsd.conf
nsd-checkconf nsd.conf
# The zone names, for a resolver's stub-zones.
{
	for z in "${zones[@]}"; do echo "${z%%:*}"; done
	echo 100.51.198.in-addr.arpa
	echo 0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa
} >zones.list
