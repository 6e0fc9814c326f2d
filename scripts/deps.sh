#!/usr/bin/env bash
# Installs what building (and, with --test, testing) mxprobe needs from
# Debian's archive. Idempotent and silent when everything is there, so the
# Makefile can call it on every build.
# usage: scripts/deps.sh [--test] [--check]
#   --test   also the packages of the test suite (scripts/packages-test.txt and
#            every tests/**/packages.txt)
#   --check  only report what is missing; exit 1 if anything is
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lists=("$top/scripts/packages-build.txt")
check_only=0
for a in "$@"; do
	case $a in
	--test)
		lists+=("$top/scripts/packages-test.txt")
		while IFS= read -r f; do lists+=("$f"); done < <(find "$top/tests" -name packages.txt | sort)
		;;
	--check) check_only=1 ;;
	*) echo "deps: unknown option '$a'" >&2; exit 2 ;;
	esac
done

want=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${lists[@]}" | sort -u)
missing=()
for p in $want; do
	# "install ok installed" is the only state in which the package is usable.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ $check_only = 1 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root, e.g. sudo make, to install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Services pulled in by test packages (chrony, nsd, postfix, ...) must not be
# started on the host: the tests start their own copies inside namespaces.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' >$policy && chmod +x $policy && added_policy=1
fi
cleanup() { [ $added_policy = 1 ] && rm -f $policy; return 0; }
trap cleanup EXIT
# The package lists may be stale or absent on a fresh machine.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/mxprobe-deps.log 2>&1; then
	apt-get update -qq >>/tmp/mxprobe-deps.log 2>&1
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >>/tmp/mxprobe-deps.log 2>&1 || {
		echo "deps: apt-get install failed; see /tmp/mxprobe-deps.log" >&2
		tail -n 20 /tmp/mxprobe-deps.log >&2
		exit 1
	}
fi
