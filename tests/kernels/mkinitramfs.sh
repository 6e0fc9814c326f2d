#!/bin/bash
# mkinitramfs.sh VER
#
# Builds $BUILD/kernels/VER/initramfs.cpio.gz for the kernel-matrix guest:
# busybox-static, tests/kernels/initramfs-init.sh as /init, and the modules of
# tests/kernels/modules.list (plus everything they depend on, per the kernel's
# own modules.dep) in load order. Modules compressed in the package (.ko.xz,
# .ko.zst, .ko.gz on newer Debian kernels) are decompressed here so busybox
# insmod never has to. Rebuilt only when an input is newer than the image.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || km_die "usage: mkinitramfs.sh VER"
ver=$1
kdir=$KM_DIR/$ver
moddir=$kdir/lib/modules/$ver
out=$kdir/initramfs.cpio.gz
here=$KM_ROOT/tests/kernels

[ -s "$moddir/modules.dep" ] || km_die "kernel $ver: $moddir/modules.dep missing (run scripts/kernel-fetch.sh first)"
km_need_cmds busybox:busybox-static cpio:cpio gzip:gzip xz:xz-utils zstd:zstd

# Debian's busybox (dynamic) and busybox-static both install /bin/busybox;
# only the static one runs in an initramfs that has no libc.
busybox=$(command -v busybox)
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	km_die "busybox $busybox: dynamically linked (install busybox-static instead)"
fi

inputs=("$here/modules.list" "$here/initramfs-init.sh" "$0" "$busybox" "$moddir/modules.dep")
if [ -s "$out" ]; then
	stale=0
	for f in "${inputs[@]}"; do [ "$f" -nt "$out" ] && stale=1; done
	if [ $stale -eq 0 ]; then
		printf '%s\n' "$out"
		exit 0
	fi
fi

# Index of the package's modules: normalized name (dashes as underscores) ->
# path relative to moddir, and name -> dependency paths.
declare -A path_of deps_of
while IFS= read -r line; do
	p=${line%%:*}
	n=${p##*/}
	n=${n%%.ko*}
	n=${n//-/_}
	path_of[$n]=$p
	deps_of[$p]=${line#*:}
done <"$moddir/modules.dep"

declare -A builtin=()
if [ -f "$moddir/modules.builtin" ]; then
	while IFS= read -r p; do
		n=${p##*/}
		n=${n%%.ko*}
		builtin[${n//-/_}]=1
	done <"$moddir/modules.builtin"
fi

# Soft dependencies ("softdep libcrc32c pre: crc32c"): libcrc32c's init asks
# the crypto API for crc32c, which would need modprobe, absent in the
# initramfs; so pre-softdeps are loaded first like hard ones. Their targets
# may be aliases (crc32c -> crc32c_generic, crc32c_intel): resolved through
# the exact (glob-free) lines of modules.alias, preferring *_generic, which
# works on any CPU.
declare -A softpre_of=() alias_of=()
if [ -f "$moddir/modules.softdep" ]; then
	while read -r kw mod rest; do
		[ "$kw" = softdep ] || continue
		[[ $rest == *pre:* ]] || continue
		rest=${rest#*pre:}
		rest=${rest%%post:*}
		softpre_of[${mod//-/_}]+=" $rest"
	done <"$moddir/modules.softdep"
fi
if [ -f "$moddir/modules.alias" ]; then
	while read -r kw al mod; do
		[ "$kw" = alias ] || continue
		[[ $al == *[\*\?\[]* ]] && continue
		alias_of[$al]+=" ${mod//-/_}"
	done <"$moddir/modules.alias"
fi

# resolve_soft NAME: module paths a softdep target stands for
resolve_soft() {
	local n=${1//-/_} m generic=() all=()
	if [ -n "${path_of[$n]:-}" ]; then
		printf '%s\n' "${path_of[$n]}"
		return 0
	fi
	for m in ${alias_of[$1]:-}; do
		[ -n "${path_of[$m]:-}" ] || continue
		all+=("${path_of[$m]}")
		[[ $m == *_generic ]] && generic+=("${path_of[$m]}")
	done
	if [ ${#generic[@]} -gt 0 ]; then
		printf '%s\n' "${generic[@]}"
	elif [ ${#all[@]} -gt 0 ]; then
		printf '%s\n' "${all[@]}"
	fi
	return 0
}

# Depth-first walk: a module is emitted after all its dependencies.
declare -A seen=()
order=()
visit() {
	local p=$1 d n s
	[ -n "${seen[$p]:-}" ] && return 0
	seen[$p]=1
	n=${p##*/}
	n=${n%%.ko*}
	n=${n//-/_}
	for s in ${softpre_of[$n]:-}; do
		for d in $(resolve_soft "$s"); do visit "$d"; done
	done
	for d in ${deps_of[$p]}; do visit "$d"; done
	order+=("$p")
}

shopt -s extglob
while IFS= read -r line; do
	line=${line%%#*}
	line=${line//[[:space:]]/}
	[ -n "$line" ] || continue
	required=0
	if [[ $line == !* ]]; then
		required=1
		line=${line#!}
	fi
	pat=${line//-/_}
	matched=0
	for n in "${!path_of[@]}"; do
		# shellcheck disable=SC2053 # pattern match on purpose (globs)
		if [[ $n == $pat ]]; then
			visit "${path_of[$n]}"
			matched=1
		fi
	done
	if [ $matched -eq 0 ] && [ -z "${builtin[$pat]:-}" ]; then
		if [ $required -eq 1 ]; then
			km_die "kernel $ver: required module $pat is neither a module nor built in"
		fi
		km_log "kernel $ver: module $pat not in this kernel, skipped"
	fi
done <"$here/modules.list"

stage=$(mktemp -d "$KM_DIR/.initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,mods,lower,rw,newroot}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$here/initramfs-init.sh" "$stage/init"
# The kernel opens /dev/console for PID 1 before /init runs.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

: >"$stage/mods/order"
for p in "${order[@]}"; do
	n=${p##*/}
	n=${n%%.ko*}.ko
	case $p in
	*.ko) cp "$moddir/$p" "$stage/mods/$n" ;;
	*.ko.xz) xz -dc "$moddir/$p" >"$stage/mods/$n" ;;
	*.ko.zst) zstd -qdc "$moddir/$p" >"$stage/mods/$n" ;;
	*.ko.gz) gzip -dc "$moddir/$p" >"$stage/mods/$n" ;;
	*) km_die "kernel $ver: module $p has an unknown compression" ;;
	esac
	printf '%s\n' "$n" >>"$stage/mods/order"
done

(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) |
	gzip -6 >"$out.tmp"
mv "$out.tmp" "$out"
km_log "kernel $ver: initramfs with ${#order[@]} modules, $(du -h "$out" | cut -f1)"
printf '%s\n' "$out"
