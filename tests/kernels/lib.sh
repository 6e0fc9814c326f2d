# shellcheck shell=bash
# Shared helpers for the kernel-matrix harness. Sourced, not executed.
# The KM_* variables are used by the scripts that source this file.
# shellcheck disable=SC2034

# Repository root: this file lives in tests/kernels/.
KM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# BUILD may be relative (the Makefile passes BUILD ?= build): anchor it at the
# repository root so every script agrees on one place whatever the cwd.
KM_BUILD=${BUILD:-build}
case $KM_BUILD in /*) ;; *) KM_BUILD=$KM_ROOT/$KM_BUILD ;; esac
KM_DIR=$KM_BUILD/kernels

km_log() { printf '%s\n' "kernel-matrix: $*" >&2; }
km_die() { km_log "$*"; exit 1; }

# km_need_cmds CMD:PKG ... installs the Debian packages of missing commands.
# scripts/deps.sh installs tests/kernels/packages.txt normally; this is the
# fallback for a machine where it did not run (a fresh CI box, say).
km_need_cmds() {
	local spec cmd pkg missing=()
	for spec in "$@"; do
		cmd=${spec%%:*} pkg=${spec#*:}
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || km_die "missing packages ${missing[*]}: not root, install them first"
	km_log "installing missing packages: ${missing[*]}"
	# apt lists may be absent on a fresh machine: update once, then install.
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; } ||
		km_die "apt-get install of ${missing[*]} failed"
}

# km_die_with_parent "$@": re-executes the calling script with a parent-death
# signal (TERM), once. A harness whose parent (make, CI, a terminal) is killed,
# even with SIGKILL, then gets TERM, and its trap stops its guest: no qemu is
# left behind. Call it first thing, with the script's arguments.
km_die_with_parent() {
	# the marker names the pid: children inherit it but are not re-executed
	[ "${KM_PDEATH_PID:-}" = "$$" ] && return 0
	command -v setpriv >/dev/null 2>&1 || return 0
	export KM_PDEATH_PID=$$
	exec setpriv --pdeathsig TERM -- "$0" "$@"
}
