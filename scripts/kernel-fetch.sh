#!/bin/bash
# kernel-fetch.sh PKG_OR_PATH
#
# Makes a Debian kernel available to the kernel-matrix harness under
# $BUILD/kernels/VER/ (boot/vmlinuz-VER, lib/modules/VER with modules.dep) and
# prints VER on stdout. PKG_OR_PATH is one of:
#   - a Debian package name: linux-image-amd64 (a metapackage: resolved to the
#     versioned linux-image-6.1.0-N-amd64 it depends on), linux-image-6.1.0-N-amd64,
#     optionally NAME=VERSION; fetched with `apt-get download` into
#     $BUILD/kernels/debs/ and not fetched again while that file is there;
#   - a path to a kernel image .deb;
#   - a directory with boot/vmlinuz-VER (or vmlinuz-VER) and lib/modules/VER
#     (or modules/VER), e.g. a tree extracted with dpkg-deb -x.
# Debian's image packages ship no modules.dep (their postinst runs depmod), so
# this script runs depmod on the extracted tree.
set -euo pipefail

# shellcheck source=SCRIPTDIR/../tests/kernels/lib.sh
. "$(dirname "$0")/../tests/kernels/lib.sh"

[ $# -eq 1 ] || km_die "usage: kernel-fetch.sh PKG_OR_PATH"
src=$1
debs=$KM_DIR/debs
mkdir -p "$debs"

km_need_cmds dpkg-deb:dpkg depmod:kmod

# resolve_pkg NAME -> prints the image package a name stands for. Metapackages
# depend on the next package down: linux-image-amd64 Depends:
# linux-image-6.1.0-56-amd64 (= 6.1.192-2); linux-image-6.12-amd64 Depends:
# linux-image-6.12.N+deb12-amd64. The real image is the first package in the
# chain without a linux-image-* dependency (its own are kmod, linux-base...).
resolve_pkg() {
	local name=$1 depth dep
	for depth in 1 2 3 4 5; do
		dep=$(apt-cache depends --important "$name" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -n1 || true)
		if [ -z "$dep" ] || [ "$dep" = "$name" ]; then
			printf '%s\n' "$name"
			return 0
		fi
		name=$dep
		: "$depth"
	done
	km_die "package $1: linux-image dependency chain longer than 5"
}

# apt lists can be missing on a fresh machine; update them once if the name
# is unknown, then retry.
apt_known() { apt-cache show --no-all-versions "$1" >/dev/null 2>&1; }

# extract_deb DEB -> extracts into $KM_DIR/VER and prints VER. The VER of a deb
# is remembered in $debs/NAME.deb.kver so that a cached run reads no archive.
extract_deb() {
	local deb=$1 ver tmp stamp
	stamp=$debs/$(basename "$deb").kver
	if [ -s "$stamp" ]; then
		ver=$(cat "$stamp")
		if [ -f "$KM_DIR/$ver/.extracted" ] &&
			[ "$(cat "$KM_DIR/$ver/.extracted")" = "$(basename "$deb")" ]; then
			printf '%s\n' "$ver"
			return 0
		fi
	fi
	km_log "extracting $(basename "$deb")"
	tmp=$(mktemp -d "$KM_DIR/.extract.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" EXIT
	dpkg-deb -x "$deb" "$tmp" || km_die "kernel package $deb: dpkg-deb -x failed"
	ver=$(find "$tmp/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | head -n1 || true)
	[ -n "$ver" ] || km_die "kernel package $deb: no lib/modules/VER inside (not a kernel image package?)"
	[ -f "$tmp/boot/vmlinuz-$ver" ] || km_die "kernel package $deb: no boot/vmlinuz-$ver inside"
	install_tree "$tmp" "$ver"
	printf '%s\n' "$(basename "$deb")" >"$KM_DIR/$ver/.extracted"
	printf '%s\n' "$ver" >"$stamp"
	rm -rf "$tmp"
	trap - EXIT
	printf '%s\n' "$ver"
}

# install_tree DIR VER: moves/copies an extracted tree into $KM_DIR/VER in the
# layout the harness expects and generates modules.dep there.
install_tree() {
	local dir=$1 ver=$2 dst=$KM_DIR/$2
	rm -rf "$dst"
	mkdir -p "$dst/boot" "$dst/lib/modules"
	mv "$dir/boot/vmlinuz-$ver" "$dst/boot/"
	[ -f "$dir/boot/config-$ver" ] && mv "$dir/boot/config-$ver" "$dst/boot/"
	[ -f "$dir/boot/System.map-$ver" ] && mv "$dir/boot/System.map-$ver" "$dst/boot/"
	mv "$dir/lib/modules/$ver" "$dst/lib/modules/"
	run_depmod "$dst" "$ver"
}

run_depmod() {
	local dst=$1 ver=$2 map=()
	[ -f "$dst/boot/System.map-$ver" ] && map=(-F "$dst/boot/System.map-$ver")
	depmod -b "$dst" "${map[@]}" "$ver" ||
		km_die "kernel $ver: depmod -b $dst failed"
	[ -s "$dst/lib/modules/$ver/modules.dep" ] ||
		km_die "kernel $ver: depmod produced no modules.dep"
}

# from_dir DIR: a directory holding an extracted kernel.
from_dir() {
	local dir vmlinuz ver moddir
	dir=$(cd "$1" && pwd)
	vmlinuz=$(find "$dir" "$dir/boot" -maxdepth 1 -name 'vmlinuz*' -type f 2>/dev/null | head -n1 || true)
	[ -n "$vmlinuz" ] || km_die "kernel directory $dir: no vmlinuz or boot/vmlinuz-VER inside"
	for moddir in "$dir/lib/modules" "$dir/modules"; do
		[ -d "$moddir" ] || continue
		ver=$(find "$moddir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -n1 || true)
		[ -n "$ver" ] && break
	done
	[ -n "${ver:-}" ] || km_die "kernel directory $dir: no lib/modules/VER or modules/VER inside"
	if [ "$dir" = "$KM_DIR/$ver" ]; then
		[ -s "$dir/lib/modules/$ver/modules.dep" ] || run_depmod "$dir" "$ver"
		printf '%s\n' "$ver"
		return 0
	fi
	if [ -f "$KM_DIR/$ver/.extracted" ] && [ "$(cat "$KM_DIR/$ver/.extracted")" = "dir:$dir" ]; then
		printf '%s\n' "$ver"
		return 0
	fi
	km_log "importing kernel $ver from $dir"
	rm -rf "${KM_DIR:?}/$ver"
	mkdir -p "$KM_DIR/$ver/boot" "$KM_DIR/$ver/lib/modules"
	cp "$vmlinuz" "$KM_DIR/$ver/boot/vmlinuz-$ver"
	[ -f "$dir/boot/config-$ver" ] && cp "$dir/boot/config-$ver" "$KM_DIR/$ver/boot/"
	[ -f "$dir/boot/System.map-$ver" ] && cp "$dir/boot/System.map-$ver" "$KM_DIR/$ver/boot/"
	# hard links when on the same file system: modules are hundreds of MB, and
	# depmod only adds files, it never rewrites a .ko.
	cp -al "$moddir/$ver" "$KM_DIR/$ver/lib/modules/" 2>/dev/null ||
		cp -a "$moddir/$ver" "$KM_DIR/$ver/lib/modules/"
	rm -f "$KM_DIR/$ver/lib/modules/$ver"/modules.dep*
	run_depmod "$KM_DIR/$ver" "$ver"
	printf '%s\n' "dir:$dir" >"$KM_DIR/$ver/.extracted"
	printf '%s\n' "$ver"
}

from_pkg() {
	local spec=$1 name want_ver pkg ver deb fname
	name=${spec%%=*}
	[[ $name == linux-image-* ]] || km_die "package $name: not a linux-image-* package"
	want_ver=
	[ "$name" != "$spec" ] && want_ver=${spec#*=}
	if ! apt_known "$name"; then
		km_log "package $name unknown to apt: running apt-get update"
		apt-get update >&2 || true
		apt_known "$name" || km_die "package $name: not found in the apt archive"
	fi
	pkg=$(resolve_pkg "$name")
	if [ -n "$want_ver" ] && [ "$pkg" = "$name" ]; then
		ver=$want_ver
	else
		ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
		if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
			km_die "package $pkg: no candidate version in apt"
		fi
	fi
	# apt-get download names files NAME_VERSION_ARCH.deb with ':' escaped.
	fname="${pkg}_${ver//:/%3a}_amd64.deb"
	deb=$debs/$fname
	if [ ! -s "$deb" ]; then
		km_log "downloading $pkg=$ver"
		# apt's _apt sandbox user cannot write into a root-owned build dir:
		# download as root (what apt falls back to anyway, with a warning).
		(cd "$debs" && apt-get download -o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
			km_die "package $pkg=$ver: apt-get download failed"
		[ -s "$deb" ] || km_die "package $pkg=$ver: downloaded file $fname not found in $debs"
	fi
	extract_deb "$deb"
}

if [ -d "$src" ]; then
	from_dir "$src"
elif [ -f "$src" ]; then
	case $src in
	*.deb) extract_deb "$(cd "$(dirname "$src")" && pwd)/$(basename "$src")" ;;
	*) km_die "kernel source $src: a file that is not a .deb" ;;
	esac
elif [[ $src == */* ]]; then
	km_die "kernel source $src: no such file or directory"
else
	from_pkg "$src"
fi
