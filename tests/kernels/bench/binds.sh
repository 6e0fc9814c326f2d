#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/bench/binds.sh inside the kernel-matrix guest (make bench-kernels):
# the fexit mechanism of Debian 12's 6.1 kernel, which the development
# machine cannot attach. qemu TCG makes absolute times meaningless (every
# instruction is emulated), but the rounds are interleaved in one guest, so
# the with/without ratio is a real figure. Fewer iterations and a lower pace
# than on the host: TCG runs the loop about 4 times slower, and starting
# a tracer (BTF parsing, verifier) much slower.
#   KERNEL_BENCH_N (30000), KERNEL_BENCH_ROUNDS (5), KERNEL_BENCH_RATE (2000)
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
echo "kernel $(uname -r), mechanism: $("$top/build/mxprobe" features --json |
	jq -r .mechanisms.binds.mechanism 2>/dev/null || echo '?')"
RATE=${KERNEL_BENCH_RATE:-2000} exec "$top/tests/bench/binds.sh" "$top/build/mxprobe" \
	"${KERNEL_BENCH_N:-30000}" "${KERNEL_BENCH_ROUNDS:-5}"
