#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from the records of the
# DNS test zones (tests/dns/mkzones.sh) plus the hand-written edge cases in
# tests/fuzz/seeds.txt ("spf|...", "dmarc|...", "dkim|..." lines).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/tests/dns/mkzones.sh" "$tmp/z" 192.0.2.53 >/dev/null
out=$top/tests/fuzz/corpus
rm -rf "$out"
mkdir -p "$out/spf" "$out/dmarc" "$out/dkim"
{
	# TXT rdata of every zone: the character-strings joined, as resolvers do.
	grep -h ' TXT ' "$tmp"/z/*.zone | sed -e 's/^.* TXT //' -e 's/^( //' -e 's/ )$//' \
		-e 's/" "//g' -e 's/^"//' -e 's/" *$//'
	sed -n 's/^[a-z]*|//p' "$top/tests/fuzz/seeds.txt"
} | sort -u | while IFS= read -r rec; do
	case $rec in
	[vV]=[sS][pP][fF]1*) kind=spf ;;
	v=DMARC1* | *p=quarantine* | *p=none*) kind=dmarc ;;
	v=DKIM1* | *p=MII*) kind=dkim ;;
	*) continue ;;
	esac
	printf '%s' "$rec" >"$out/$kind/$(printf '%s' "$rec" | sha1sum | cut -c1-16)"
done
ls "$out"/* | wc -l
