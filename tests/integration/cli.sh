#!/usr/bin/env bash
# The command-line contract: bad input gets one clear line and exit 3.
. "$MX_TOP/tests/integration/lib/common.sh"

bad "unknown command 'frobnicate'" frobnicate
bad "unknown option '--nope'" system --nope
bad "--format: 'xml' is not" --format xml system
bad "--timeout: 'abc' is not a positive" system --timeout abc
bad "option '--output' needs a value" system --output
bad "mailcow-conf: open /nonexistent" system --mailcow-conf /nonexistent
bad "target: unknown target 'nope'" system --target nope=1.2.3.4
bad "target: .* port must be 1-65535" system --target ntp=1.2.3.4:70000
bad "sysroot: /nonexistent" system --sysroot /nonexistent
bad "netns: open /run/netns/nonexistent-ns" system -N nonexistent-ns
"$MXPROBE" --help | grep -q "usage: mxprobe" || fail "--help"
"$MXPROBE" --version | grep -Eq '^mxprobe [0-9]+\.[0-9]+' || fail "--version"
echo "cli: all good"
