#!/bin/bash
# run-kernel.sh VER
#
# Boots kernel VER (already fetched by scripts/kernel-fetch.sh) under
# qemu-system-x86_64 and runs tests/kernels/guest-run.sh inside it. The guest
# root is the host's / (read-only virtio-9p, tmpfs overlay on top); results
# come back through the writable 9p share $BUILD/kernels/out/VER/. The serial
# console and qemu's own messages go to $BUILD/kernels/VER.log.
# Prints the guest's per-test lines and "kernel VER: N passed, N failed";
# exits 0 only when the guest ran to the end and nothing failed.
#
# Environment:
#   KERNEL_ACCEL    tcg (default), kvm, or auto (kvm if a short probe boot
#                   under kvm works, else tcg)
#   KERNEL_MEM      guest RAM in MiB (default 1536)
#   KERNEL_SMP      guest CPUs (default 2)
#   KERNEL_TIMEOUT  seconds for the whole guest (default 780: the 15-minute CI budget less build and fetch)
#   KERNEL_CMDLINE_EXTRA  more guest kernel parameters (e.g. loglevel=7)
#   MXP_TEST_TIMEOUT  seconds per test inside the guest (default 300)
#   MXP_LIVE_DIR    test directory, relative to the repository (default
#                   tests/integration/live; tests/kernels/selftest for the
#                   harness's own tests)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
km_die_with_parent "$@"

[ $# -eq 1 ] || km_die "usage: run-kernel.sh VER"
ver=$1
kdir=$KM_DIR/$ver
vmlinuz=$kdir/boot/vmlinuz-$ver
log=$KM_DIR/$ver.log
pidfile=$KM_DIR/$ver.pid
outdir=$KM_DIR/out/$ver
accel=${KERNEL_ACCEL:-tcg}
mem=${KERNEL_MEM:-1536}
smp=${KERNEL_SMP:-2}
limit=${KERNEL_TIMEOUT:-780}
# the guest's own limit for guest-run.sh: leave room to boot and report back
guest_limit=$((limit > 120 ? limit - 60 : limit))

[ -f "$vmlinuz" ] || km_die "kernel $ver: $vmlinuz missing (run scripts/kernel-fetch.sh first)"
[ "$(id -u)" -eq 0 ] || km_die "kernel $ver: run-kernel.sh needs root (9p export of / and live tests)"
# jq is for guest-run.sh: the guest runs this host's userland, so it must be here
km_need_cmds qemu-system-x86_64:qemu-system-x86 setpriv:util-linux flock:util-linux \
	timeout:coreutils jq:jq
for p in "$KM_ROOT" "$kdir" "${MXP_LIVE_DIR:-}"; do
	# paths travel on the kernel command line, which splits at spaces
	[[ $p != *[[:space:]]* ]] || km_die "path $p: contains whitespace, unusable on the guest command line"
done

# One run per kernel at a time: a second one would share the pidfile, the log
# and the results directory (and its stale-qemu cleanup below would kill the
# first one's guest).
exec 9>"$KM_DIR/$ver.lock"
flock -n 9 || km_die "kernel $ver: another run holds $KM_DIR/$ver.lock"

initrd=$("$KM_ROOT/tests/kernels/mkinitramfs.sh" "$ver")

# ---- no qemu left behind ------------------------------------------------------
# qemu writes its pid to $pidfile; on any exit of this script (error, Ctrl-C,
# TERM from make or CI) that qemu is killed. A SIGKILL of this script cannot be
# trapped: for that, qemu and its timeout(1) run with a parent-death signal
# (setpriv --pdeathsig), so they die with their parent.
kill_qemu() {
	local pid
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile" 2>/dev/null) || return 0
	# only a qemu: the pid may have been reused since a stale file was written
	if [ -n "$pid" ] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == qemu* ]]; then
		kill "$pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}
job=
cleanup() {
	kill_qemu
	[ -n "$job" ] && kill "$job" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'km_log "kernel $ver: interrupted"; exit 130' INT TERM HUP

# A pidfile left by a harness that was SIGKILLed while its qemu survived (we
# hold the lock, so its owner is gone).
kill_qemu

# run_qemu LOG SECONDS ARGS...: qemu in the background (so traps run at once),
# waited for; returns qemu's status, 124 on timeout.
run_qemu() {
	local qlog=$1 secs=$2 rc
	shift 2
	setpriv --pdeathsig KILL -- \
		timeout -k 5 "$secs" \
		setpriv --pdeathsig KILL -- \
		qemu-system-x86_64 "$@" -pidfile "$pidfile" </dev/null >"$qlog" 2>&1 &
	job=$!
	rc=0
	# (stderr of wait: bash's own "Aborted" notice when qemu dies of a signal)
	wait "$job" 2>/dev/null || rc=$?
	job=
	rm -f "$pidfile"
	return "$rc"
}

common=(
	-name "mxprobe-$ver"
	-nodefaults -no-user-config
	-machine q35 -m "$mem" -smp "$smp"
	-display none -vga none -monitor none -serial stdio
	-nic none -no-reboot
	-kernel "$vmlinuz" -initrd "$initrd"
)
# console on the serial port; panic=-1 reboots (so qemu exits) on a panic;
# mitigations=off because TCG pays for every one of them.
# KERNEL_CMDLINE_EXTRA adds parameters, e.g. loglevel=7 to see every message.
# apparmor=0: Debian's kernel enables AppArmor, but the guest runs the host's
# root file system, which has no apparmor_parser; dockerd's containers then
# cannot start (the live Docker tests need them).
cmdline="console=ttyS0,115200 panic=-1 loglevel=4 mitigations=off 8250.nr_uarts=1 apparmor=0${KERNEL_CMDLINE_EXTRA:+ $KERNEL_CMDLINE_EXTRA}"

# ---- accelerator --------------------------------------------------------------
# KVM is broken on some hosts (nested virtualization): on the development
# machine -cpu host aborts at once (MSR 0x10a refused) and -cpu qemu64 spins
# forever. Use it only when a short boot under kvm reaches the initramfs
# within 20 s.
probe_kvm() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local plog=$KM_DIR/$ver.kvm-probe.log
	run_qemu "$plog" 20 "${common[@]}" -accel kvm -cpu host \
		-append "$cmdline mxp.mode=probe" || true
	grep -q 'mxprobe-init: probe-ok' "$plog"
}
case $accel in
tcg) ;;
kvm) ;;
auto)
	accel=tcg
	if probe_kvm; then accel=kvm; fi
	km_log "kernel $ver: accelerator $accel (kvm probe $([ $accel = kvm ] && echo worked || echo failed or timed out))"
	;;
*) km_die "KERNEL_ACCEL=$accel: not tcg, kvm or auto" ;;
esac
if [ "$accel" = kvm ]; then
	accelargs=(-accel kvm -cpu host)
else
	# multi-threaded TCG uses both host cores for the two vCPUs
	# shellcheck disable=SC2054 # qemu's option syntax uses commas
	accelargs=(-accel tcg,thread=multi -cpu max)
fi

# ---- boot ------------------------------------------------------------------------
rm -rf "$outdir" "$KM_DIR/$ver.result"
mkdir -p "$outdir"
km_log "kernel $ver: booting under $accel (${mem} MiB, $smp cpus, limit ${limit}s), log $log"
start=$(date +%s.%N)
rc=0
run_qemu "$log" "$limit" "${common[@]}" "${accelargs[@]}" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$outdir,mount_tag=mxpout,security_model=none" \
	-append "$cmdline mxp.stage2=$KM_ROOT/tests/kernels/guest-init.sh mxp.repo=$KM_ROOT mxp.kdir=$kdir mxp.timeout=$guest_limit mxp.testtimeout=${MXP_TEST_TIMEOUT:-300}${MXP_LIVE_DIR:+ mxp.livedir=$MXP_LIVE_DIR}" ||
	rc=$?
wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

# ---- results ---------------------------------------------------------------------
problem=
if [ "$rc" -eq 124 ]; then
	problem="guest exceeded ${limit}s and was killed"
elif [ "$rc" -ne 0 ]; then
	problem="qemu exited with status $rc"
elif [ ! -s "$outdir/summary" ]; then
	problem="guest ended without a summary (crash, panic or a failed mount: see the log)"
fi

if [ -s "$outdir/results.tsv" ]; then
	while IFS=$'\t' read -r status name secs; do
		printf '%s %s (%ss)\n' "$status" "$name" "$secs"
	done <"$outdir/results.tsv"
fi
if [ -s "$outdir/mechanisms" ]; then
	while IFS= read -r m; do
		km_log "kernel $ver: mechanism $m"
	done <"$outdir/mechanisms"
fi
boot=$(cat "$outdir/boot-seconds" 2>/dev/null || echo "?")
if [ "$boot" = "?" ]; then
	km_log "kernel $ver: guest never got ready; wall time ${wall}s"
else
	km_log "kernel $ver: guest ready after ${boot}s of guest uptime; wall time ${wall}s"
fi
printf '%s\n' "boot=$boot wall=$wall accel=$accel" >"$KM_DIR/$ver.timing"

if [ -n "$problem" ]; then
	km_log "kernel $ver: $problem"
	km_log "---- last lines of $log ----"
	tail -n 60 "$log" >&2 || true
	# count the whole kernel as one failure if the guest did not report
	passed=$(grep -c '^PASS' "$outdir/results.tsv" 2>/dev/null || true)
	failed=$(grep -vc '^\(PASS\|SKIP\)' "$outdir/results.tsv" 2>/dev/null || true)
	failed=$((${failed:-0} + 1))
	printf '%s %s\n' "${passed:-0}" "$failed" >"$KM_DIR/$ver.result"
	echo "kernel $ver: ${passed:-0} passed, $failed failed"
	exit 1
fi

passed=$(grep -c '^PASS' "$outdir/results.tsv" || true)
failed=$(grep -vc '^\(PASS\|SKIP\)' "$outdir/results.tsv" || true)
printf '%s %s\n' "${passed:-0}" "${failed:-0}" >"$KM_DIR/$ver.result"
if [ "${failed:-0}" -gt 0 ]; then
	km_log "kernel $ver: failing tests' logs are in $outdir/logs/"
	awk -F'\t' '$1 != "PASS" && $1 != "SKIP" { print $2 }' "$outdir/results.tsv" |
		while IFS= read -r f; do
			km_log "---- $f ----"
			tail -n 40 "$outdir/logs/$f.log" >&2 || true
		done
	km_log "---- last lines of $log ----"
	tail -n 30 "$log" >&2 || true
fi
# the guest's own closing line
head -n1 "$outdir/summary"
[ "${failed:-0}" -eq 0 ]
