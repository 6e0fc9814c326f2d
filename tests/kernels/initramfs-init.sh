#!/bin/busybox sh
# shellcheck shell=dash
# /init of the kernel-matrix guest initramfs (busybox ash, PID 1).
#
# Loads the modules listed in /mods/order (dependency order, computed on the
# host from modules.dep), mounts the host's / read-only over virtio-9p, puts a
# tmpfs-backed overlayfs on top of it so the guest can write anywhere, then
# switch_root's into it and execs stage 2 (tests/kernels/guest-init.sh, run by
# the host's own bash). Parameters come from the kernel command line:
#   mxp.stage2=PATH   stage 2 script (a path on the host, seen the same in the guest)
#   mxp.mode=probe    only print a marker and power off (accelerator probe)
# Any failure prints a line starting with "mxprobe-init: error:" on the serial
# console and reboots, which ends qemu (-no-reboot).

/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /lower /rw /newroot
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opened /dev/console for us only if the node was in the cpio;
# make sure stdio goes to the serial console either way.
exec </dev/console >/dev/console 2>&1

die() {
	echo "mxprobe-init: error: $*"
	echo "mxprobe-init: rebooting (qemu exits)"
	sync
	reboot -f
	echo b >/proc/sysrq-trigger
	sleep 5
}

param() {
	# param NAME: value of NAME=VALUE on the kernel command line
	# shellcheck disable=SC2013 # words, not lines, on purpose
	for kv in $(cat /proc/cmdline); do
		case $kv in "$1"=*)
			echo "${kv#*=}"
			return 0
			;;
		esac
	done
	return 1
}

echo "mxprobe-init: initramfs up at $(cut -d' ' -f1 /proc/uptime)s"

if [ "$(param mxp.mode)" = probe ]; then
	echo "mxprobe-init: probe-ok"
	reboot -f
	echo b >/proc/sysrq-trigger
fi

# Load modules in dependency order. "File exists" (already loaded or built in)
# is fine; any other failure is reported but only fatal for the root's
# modules, checked by the mounts below.
n=0
while read -r mod; do
	[ -n "$mod" ] || continue
	if ! out=$(insmod "/mods/$mod" 2>&1); then
		case $out in
		*"File exists"*) ;;
		*) echo "mxprobe-init: warning: insmod $mod: $out" ;;
		esac
	fi
	n=$((n + 1))
done </mods/order
echo "mxprobe-init: $n modules loaded at $(cut -d' ' -f1 /proc/uptime)s"

stage2=$(param mxp.stage2) || die "no mxp.stage2= on the kernel command line"

# Host root, read-only. cache=loose: the host tree does not change during a
# run and TCG makes every 9p round trip expensive.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /lower ||
	die "mount of 9p share hostroot failed"

# Writable layer in guest RAM.
mount -t tmpfs -o mode=0755,size=75% tmpfs /rw || die "mount of tmpfs /rw failed"
mkdir -p /rw/upper /rw/work
if ! mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot; then
	# Fallback: the read-only root itself; stage 2 then puts tmpfs on the
	# directories that must be writable.
	echo "mxprobe-init: warning: overlayfs over 9p failed, using a read-only root"
	mount --bind /lower /newroot || die "bind mount of /lower failed"
fi

[ -x "/newroot$stage2" ] || [ -f "/newroot$stage2" ] || die "stage 2 $stage2 not found in the guest root"

# busybox switch_root does not carry /proc, /sys, /dev over: move them.
for d in proc sys dev; do
	mount --move "/$d" "/newroot/$d" || die "mount --move /$d failed"
done
echo "mxprobe-init: switching root at $(cut -d' ' -f1 /newroot/proc/uptime)s"
exec switch_root /newroot /bin/bash "$stage2"
