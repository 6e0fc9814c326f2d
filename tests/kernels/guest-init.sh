#!/bin/bash
# Stage 2 of the kernel-matrix guest: PID 1 after switch_root, running the
# host's own bash on the host's root (read-only 9p under a tmpfs overlay).
#
# Mounts what a normal boot would (proc, sys, dev, pts, shm, run, debugfs,
# tracefs, bpffs, cgroup2), puts the GUEST kernel's modules over /lib/modules
# (the host's are for the host's kernel), mounts the writable 9p share "mxpout"
# that carries results back, runs tests/kernels/guest-run.sh with a time limit,
# and reboots, which ends qemu (-no-reboot).
# Kernel command line parameters (set by tests/kernels/run-kernel.sh):
#   mxp.repo=PATH     repository root (host path)
#   mxp.kdir=PATH     $BUILD/kernels/VER (host path): holds lib/modules/VER
#   mxp.timeout=SECS  time limit for guest-run.sh
#   mxp.testtimeout=SECS  time limit per test (MXP_TEST_TIMEOUT)
#   mxp.livedir=DIR   test directory relative to the repository (MXP_LIVE_DIR)
#   mxp.trace=1       trace this script (set -x) with uptimes
# No `set -e`: PID 1 must never exit (the kernel panics); every step reports
# and carries on, and the end is always a reboot.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

log() { printf '%s\n' "mxprobe-guest: $*"; }

# Every exec costs ~0.1 s under TCG: parse the command line once, with builtins.
read -r -a cmdline_words </proc/cmdline
param() {
	local kv
	for kv in "${cmdline_words[@]}"; do
		if [[ $kv == "$1"=* ]]; then
			printf '%s\n' "${kv#*=}"
			return 0
		fi
	done
	return 1
}

# mxp.trace=1 (through KERNEL_CMDLINE_EXTRA): trace this script with uptimes
if [ "$(param mxp.trace)" = 1 ]; then
	# shellcheck disable=SC2016,SC2154 # expanded at trace time
	PS4='+ [$(read -r u _ </proc/uptime; echo "$u")] '
	set -x
fi

finish() {
	sync
	[ -n "${outdir:-}" ] && umount "$outdir" 2>/dev/null
	log "rebooting (qemu exits)"
	echo b >/proc/sysrq-trigger
	sleep 10
}

mounted() {
	# mounted DIR: DIR is a mount point (builtins only, see above)
	local _src mnt _rest
	while read -r _src mnt _rest; do
		[ "$mnt" = "$1" ] && return 0
	done </proc/mounts
	return 1
}
try_mount() {
	# try_mount TYPE SOURCE TARGET [OPTIONS]
	mounted "$3" && return 0
	mount -t "$1" ${4:+-o "$4"} "$2" "$3" || log "warning: mount of $1 on $3 failed"
}

read -r up _ </proc/uptime
log "stage 2 at ${up}s, kernel $(uname -r)"

kver=$(uname -r)
repo=$(param mxp.repo) || {
	log "error: no mxp.repo= on the kernel command line"
	finish
}
kdir=$(param mxp.kdir) || {
	log "error: no mxp.kdir= on the kernel command line"
	finish
}
limit=$(param mxp.timeout) || limit=600
if t=$(param mxp.testtimeout); then export MXP_TEST_TIMEOUT=$t; fi
if t=$(param mxp.livedir); then export MXP_LIVE_DIR=$t; fi


mkdir -p /dev/pts /dev/shm /run /tmp /sys/kernel/debug /sys/kernel/tracing \
	/sys/fs/cgroup /sys/fs/bpf /sys/kernel/security 2>/dev/null
try_mount devpts devpts /dev/pts gid=5,mode=620,ptmxmode=666
try_mount tmpfs tmpfs /dev/shm mode=1777
# Fresh /run and /tmp (the host's hold its sockets, netns files and junk),
# except where the repository or the kernel tree lives under one of them (a CI
# clone in /tmp, say): a tmpfs there would hide it. The overlay root is
# writable anyway.
for d in /run /tmp; do
	if [[ $repo/ == "$d"/* || $kdir/ == "$d"/* ]]; then
		log "note: $d not replaced by a tmpfs, the repository is under it"
		continue
	fi
	if [ "$d" = /tmp ]; then try_mount tmpfs tmpfs /tmp mode=1777; else try_mount tmpfs tmpfs /run mode=0755; fi
done
try_mount debugfs debugfs /sys/kernel/debug
try_mount tracefs tracefs /sys/kernel/tracing
# A unified cgroup2 hierarchy, as on a systemd host (Debian 12's default).
try_mount cgroup2 cgroup2 /sys/fs/cgroup nsdelegate
try_mount bpf bpf /sys/fs/bpf mode=0700
try_mount securityfs securityfs /sys/kernel/security

# /dev/fd and friends: devtmpfs has no such links.
ln -sfn /proc/self/fd /dev/fd 2>/dev/null
ln -sf /proc/self/fd/0 /dev/stdin 2>/dev/null
ln -sf /proc/self/fd/1 /dev/stdout 2>/dev/null
ln -sf /proc/self/fd/2 /dev/stderr 2>/dev/null

# The guest kernel's modules, so that modprobe (also the kernel's own
# request_module, which runs /sbin/modprobe in this root) finds them.
# (The host may have no /lib/modules at all: create the mount point.)
if [ -d "$kdir/lib/modules/$kver" ]; then
	mkdir -p /lib/modules 2>/dev/null
	mount --bind "$kdir/lib/modules" /lib/modules ||
		log "warning: bind mount of $kdir/lib/modules over /lib/modules failed"
else
	log "warning: no modules for $kver under $kdir/lib/modules"
fi

# Writable share for results (the host's $BUILD/kernels/out/VER).
outdir=/run/mxprobe-out
mkdir -p "$outdir"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 mxpout "$outdir"; then
	log "error: mount of 9p share mxpout failed; results only on the console"
	outdir=
fi

hostname "mxprobe-$kver" 2>/dev/null
ip link set lo up 2>/dev/null || log "warning: could not bring lo up"

read -r boot _ </proc/uptime
log "ready at ${boot}s"
[ -n "$outdir" ] && printf '%s\n' "$boot" >"$outdir/boot-seconds"

# Console and results share both get the runner's output.
export MXP_RESULTS_DIR=${outdir:-/run/mxprobe-results}
mkdir -p "$MXP_RESULTS_DIR"
cd "$repo" || log "error: repository $repo not visible in the guest"
timeout -k 10 "$limit" bash "$repo/tests/kernels/guest-run.sh" 2>&1 | tee "$MXP_RESULTS_DIR/guest-run.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 124 ] && log "error: guest-run.sh exceeded ${limit}s"
read -r up _ </proc/uptime
log "guest-run.sh exited $rc after ${up}s uptime"
printf '%s\n' "$rc" >"$MXP_RESULTS_DIR/exit-code"
finish
