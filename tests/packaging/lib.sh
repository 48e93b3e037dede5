# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for tests/packaging/*.sh: TAP output, the cached chroots
# and the throw-away overlay every run works in.
#
# Two chroots: bookworm (the 6.x kernels), created once under
# $SHMAP_CACHE/bookworm-chroot, and sid (the 7.x kernels, whose headers need
# sid's gcc), the one the test runner keeps under $SHMAP_CACHE/sid-chroot
# (tests/runner/sid-chroot.sh creates it and installs the headers). Neither
# is modified by a test: each run mounts an overlay (upper layer in a
# temporary directory) on top of one, inside a private mount namespace, so
# whatever a run installs, and every mount it makes, disappears when it exits.

SHMAP_CACHE=${SHMAP_CACHE:-/var/cache/shmap}
PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNNER_DIR=$(cd "$PKG_DIR/../runner" && pwd)
CHROOT_NAME=bookworm
CHROOT_BASE=$SHMAP_CACHE/bookworm-chroot
CHROOT_LOCK=$SHMAP_CACHE/bookworm-chroot.lock
# Packages every test needs inside the chroot (dkms' own dependencies come
# with it; openssl lets dkms generate its MOK key and sign; g++ and
# pkg-config build the programs against the installed library).
CHROOT_PACKAGES=(dkms kmod xz-utils openssl g++ pkg-config ca-certificates)

# --- TAP: tests/tap.sh, each description after the suite's name -------------

TAP_PREFIX=${TAP_PREFIX:-packaging}
# shellcheck source=tests/tap.sh
. "$PKG_DIR/../tap.sh"

now() {
	date +%s.%N
}

# elapsed START: seconds since START (from now), one decimal.
elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'
}

die() {
	echo "Bail out! $TAP_PREFIX: $*"
	exit 1
}

# --- mount namespace -------------------------------------------------------

# Re-execute the calling script in a private mount namespace (every mount
# it makes goes away with the namespace, even if it is killed), under a
# supervisor: the script runs as a child with SHMAP_PKG_WORK set to a fresh
# work directory; on SIGINT/SIGTERM/SIGHUP the supervisor kills at once every
# process chrooted into that directory (apt, dpkg, dkms, make: a script's
# own trap would only run after its current command ends), then the script,
# then unmounts and deletes the work directory. Call before anything else.
enter_private_mount_namespace() {
	if [ -z "${SHMAP_PKG_UNSHARED:-}" ]; then
		export SHMAP_PKG_UNSHARED=1
		exec unshare --mount --propagation private -- "$0" "$@"
	fi
	[ -z "${SHMAP_PKG_WORK:-}" ] || return 0
	SHMAP_PKG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/shmap-chroot.XXXXXX")
	export SHMAP_PKG_WORK
	local rc=0
	_SUPERVISED=
	trap '_supervisor_stop' INT TERM HUP
	"$0" "$@" &
	_SUPERVISED=$!
	wait "$_SUPERVISED" || rc=$?
	# A signal interrupts `wait`: reap the script for real.
	while kill -0 "$_SUPERVISED" 2>/dev/null; do
		wait "$_SUPERVISED" || rc=$?
	done
	overlay_umount "$SHMAP_PKG_WORK"
	rm -rf "$SHMAP_PKG_WORK"
	exit "$rc"
}

_supervisor_stop() {
	# The script first, so that it exits as soon as its current command
	# (most likely one in the chroot) is killed.
	[ -z "$_SUPERVISED" ] || kill -TERM "$_SUPERVISED" 2>/dev/null || true
	kill_chrooted "$SHMAP_PKG_WORK/root"
}

# kill_chrooted DIR: SIGKILL every process whose root directory is DIR.
kill_chrooted() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		if [ "$r" = "$1" ]; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
}

# --- the cached chroot -----------------------------------------------------

# The Debian mirror: the runner's debian_mirror (tests/runner/lib.sh).
debian_mirror() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c '. "$1/lib.sh" && debian_mirror' debian_mirror "$RUNNER_DIR"
}

# chroot_apt ROOT ARGS...: apt-get inside ROOT without prompts, initramfs
# generation or service starts.
chroot_apt() {
	local root=$1
	shift
	chroot "$root" env DEBIAN_FRONTEND=noninteractive INITRD=No \
		LC_ALL=C.UTF-8 apt-get -y -q -o Dpkg::Use-Pty=0 \
		--no-install-recommends "$@"
}

# mount_api ROOT: /proc, /sys, /dev, /dev/pts for apt, dkms and gcc.
mount_api() {
	local root=$1
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
}

umount_api() {
	local root=$1 m
	for m in run dev/pts dev sys proc; do
		if mountpoint -q "$root/$m"; then
			umount "$root/$m" || umount -l "$root/$m" || true
		fi
	done
}

# chroot_bootstrap DIR LOG: a minbase bookworm in DIR (debootstrap, output in LOG) that uses
# the host's archive: its sources, Valid-Until off (the snapshot is frozen), the host's
# /etc/hosts, no daemons, no initramfs. Nothing else is installed: tests/packaging/
# fresh-machine.sh uses it as it is, a machine on which nothing was installed yet.
chroot_bootstrap() {
	local dir=$1 log=$2 mirror
	mirror=$(debian_mirror)
	rm -rf "$dir"
	mkdir -p "$dir"
	debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$log" 2>&1 ||
		die "debootstrap failed, see $log"
	# Same archive (and security suite) as the host; no package lists yet (debootstrap's
	# are of its one suite): as on a new machine, the first apt-get update makes them.
	rm -rf "$dir/var/lib/apt/lists"
	mkdir -p "$dir/var/lib/apt/lists/partial"
	rm -f "$dir/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
	if [ -r /etc/apt/sources.list ]; then
		cp /etc/apt/sources.list "$dir/etc/apt/sources.list"
	fi
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99shmap-snapshot"
	cp /etc/hosts "$dir/etc/hosts"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 0755 "$dir/usr/sbin/policy-rc.d"
	# No kernel image in such a chroot is ever booted.
	mkdir -p "$dir/etc/initramfs-tools"
}

_chroot_create() {
	local tmp=$CHROOT_BASE.tmp
	chroot_bootstrap "$tmp" "$SHMAP_CACHE/debootstrap.log"
	mount_api "$tmp"
	if ! { chroot_apt "$tmp" update && chroot_apt "$tmp" install "${CHROOT_PACKAGES[@]}"; } \
		>"$SHMAP_CACHE/chroot-setup.log" 2>&1; then
		umount_api "$tmp"
		die "package installation in the chroot failed, see $SHMAP_CACHE/chroot-setup.log"
	fi
	chroot_apt "$tmp" clean >/dev/null 2>&1 || true
	umount_api "$tmp"
	mv "$tmp" "$CHROOT_BASE"
}

# chroot_has_headers KVER: linux-headers-KVER installed in the base.
chroot_has_headers() {
	[ -e "$CHROOT_BASE/lib/modules/$1/build/Makefile" ]
}

# kernel_signs_modules KVER (after overlay_mount): the kernel was built with
# CONFIG_MODULE_SIG, so its tree has scripts/sign-file and DKMS signs the
# modules it builds for it. Debian's kernels do; the debug kernel does not,
# and DKMS then says "modules won't be signed".
kernel_signs_modules() {
	grep -q '^CONFIG_MODULE_SIG=y' "$ROOT/lib/modules/$1/build/.config"
}

# The debug kernel (tests/debug-kernel/kernel.sh) has no headers package: its build
# tree, made with the same gcc-12 as bookworm's, stands in for one. The copy
# is marked with the kernel's cache key and replaced when the kernel changes.
is_debug_kver() {
	bash -c '. "$1/lib.sh" && is_debug_kernel "$2"' is_debug_kver "$RUNNER_DIR" "$1"
}

_chroot_add_debug_tree() {
	local k=$1 dir key dst=$CHROOT_BASE/lib/modules/$1
	dir=$("$PKG_DIR/../debug-kernel/kernel.sh" dir) || die "debug kernel $k is not built"
	key=${dir##*/debug-}
	[ "$(cat "$dst/build/.shmap-debug-key" 2>/dev/null)" = "$key" ] && return 0
	rm -rf "$dst/build"
	mkdir -p "$dst"
	cp -a "$dir/build" "$dst/build"
	echo "$key" >"$dst/build/.shmap-debug-key"
}

_chroot_add_headers() {
	local pkgs=() k
	for k in "$@"; do
		if is_debug_kver "$k"; then
			_chroot_add_debug_tree "$k"
			continue
		fi
		chroot_has_headers "$k" || pkgs+=("linux-headers-$k")
	done
	[ "${#pkgs[@]}" -gt 0 ] || return 0
	mount_api "$CHROOT_BASE"
	# (finishes a run that was interrupted here)
	if ! { chroot "$CHROOT_BASE" dpkg --configure -a &&
		chroot_apt "$CHROOT_BASE" update &&
		chroot_apt "$CHROOT_BASE" install "${pkgs[@]}"; } \
		>>"$SHMAP_CACHE/chroot-setup.log" 2>&1; then
		umount_api "$CHROOT_BASE"
		die "installing ${pkgs[*]} in the chroot failed, see $SHMAP_CACHE/chroot-setup.log"
	fi
	chroot_apt "$CHROOT_BASE" clean >/dev/null 2>&1 || true
	umount_api "$CHROOT_BASE"
}

# The sid chroot belongs to the test runner: sid-chroot.sh creates it
# (ensure) and installs the headers (headers VER), sid-kernel.sh puts the
# image's brd.ko.xz under its /lib/modules/VER (DKMS 3.2 compresses a module
# like those it finds there: shmap.ko.xz, as on a sid system). Both take the
# chroot's lock themselves: called before chroot_ensure takes it.
_sid_prepare() {
	local k
	"$RUNNER_DIR/sid-chroot.sh" ensure || return 1
	for k in "$@"; do
		"$RUNNER_DIR/sid-chroot.sh" headers "$k" || return 1
		"$RUNNER_DIR/sid-kernel.sh" prepare "$k" || return 1
	done
}

_sid_ensure() {
	local log=$SHMAP_PKG_WORK/sid-chroot.log
	# shellcheck disable=SC2034 # for the caller
	[ -e "$CHROOT_BASE/.done" ] || CHROOT_CREATED=1
	if ! _sid_prepare "$@" >"$log" 2>&1; then
		diag "$(tail -n 30 "$log")"
		die "sid chroot or headers of $* not ready (tests/runner/sid-chroot.sh)"
	fi
}

# chroot_ensure KVER...: the cached chroot exists and has the headers of
# every KVER. Takes an exclusive lock while it changes the cache (sid:
# sid-chroot.sh does), then keeps a shared one (fd 9) until the caller
# exits, so that no other run changes the lower layer under a mounted
# overlay. For sid that is the runner's lock: sid-chroot.sh takes it
# exclusively to change the chroot, and (ensure) at the start of every
# command but run, so a runner module build waits for the packaging test.
# Sets CHROOT_CREATED to 1 when it had to create the chroot, and
# CHROOT_SECONDS to the time it took.
chroot_ensure() {
	local start
	mkdir -p "$SHMAP_CACHE"
	if [ "$CHROOT_NAME" = sid ]; then
		start=$(now)
		# shellcheck disable=SC2034 # for the caller
		CHROOT_CREATED=0
		_sid_ensure "$@"
		exec 9>"$CHROOT_LOCK"
		flock -s 9
		# shellcheck disable=SC2034 # for the caller
		CHROOT_SECONDS=$(elapsed "$start")
		return 0
	fi
	exec 9>"$CHROOT_LOCK"
	flock -x 9
	start=$(now)
	# shellcheck disable=SC2034 # for the caller
	CHROOT_CREATED=0
	if [ ! -e "$CHROOT_BASE/etc/apt/apt.conf.d/99shmap-snapshot" ]; then
		_chroot_create
		# shellcheck disable=SC2034 # for the caller
		CHROOT_CREATED=1
	fi
	_chroot_add_headers "$@"
	# shellcheck disable=SC2034 # for the caller
	CHROOT_SECONDS=$(elapsed "$start")
	flock -s 9
}

# overlay_mount WORKDIR: mounts the cached chroot read-only as the lower
# layer of an overlay at WORKDIR/root (changes go to WORKDIR/upper), plus
# the API file systems. Sets ROOT.
overlay_mount() {
	local w=$1
	mkdir -p "$w/upper" "$w/work" "$w/root"
	mount -t overlay overlay \
		-o "lowerdir=$CHROOT_BASE,upperdir=$w/upper,workdir=$w/work" "$w/root"
	ROOT=$w/root
	mount_api "$ROOT"
	if [ "$CHROOT_NAME" = sid ]; then
		# (as sid-chroot.sh run does)
		mount -t tmpfs tmpfs "$ROOT/run"
		# The runner's DKMS signing key: a system has none before its
		# first DKMS build, and the tests check that DKMS makes one.
		rm -f "$ROOT/var/lib/dkms/mok.key" "$ROOT/var/lib/dkms/mok.pub"
		# The image of each kernel stands in for an installed one by its
		# brd.ko.xz (see _sid_ensure); it lacks the module index that
		# installing the image makes. DKMS 3.2 runs depmod for a kernel
		# only if /lib/modules/VER/modules.dep exists ("Skipping depmod
		# because ... is missing": an image not installed).
		local d
		for d in "$ROOT"/lib/modules/*/kernel; do
			d=${d%/kernel}
			if [ -d "$d/kernel" ] && [ ! -e "$d/modules.dep" ]; then
				in_chroot depmod -a "${d##*/}"
			fi
		done
	fi
}

# overlay_apt_install PACKAGE...: apt-get install in the overlay (packages
# the chroot lacks); the .debs are kept in $SHMAP_CACHE/NAME-apt-archives
# for the next run.
overlay_apt_install() {
	local a=$SHMAP_CACHE/$CHROOT_NAME-apt-archives
	mkdir -p "$a/partial"
	mountpoint -q "$ROOT/var/cache/apt/archives" ||
		mount --bind "$a" "$ROOT/var/cache/apt/archives"
	in_chroot apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends install "$@"
}

overlay_umount() {
	local w=$1
	[ -n "$w" ] || return 0
	# What is left running in there: dkms 3.2 shows progress with a
	# background "sleep 3" that outlives the build by up to 3 s.
	kill_chrooted "$w/root"
	if mountpoint -q "$w/root/var/cache/apt/archives"; then
		umount "$w/root/var/cache/apt/archives" || umount -l "$w/root/var/cache/apt/archives" || true
	fi
	umount_api "$w/root"
	if mountpoint -q "$w/root"; then
		umount "$w/root" || umount -l "$w/root" || true
	fi
}

# in_chroot COMMAND...: run in the overlay chroot with a sane environment.
in_chroot() {
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive INITRD=No "$@"
}

# kernel_chroot KVER: the chroot that builds for KVER: sid for the kernels
# bookworm has no compiler for (is_sid_kernel, tests/runner/lib.sh), else
# bookworm.
kernel_chroot() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	if bash -c '. "$1/lib.sh" && is_sid_kernel "$2"' kernel_chroot "$RUNNER_DIR" "$1"; then
		echo sid
	else
		echo bookworm
	fi
}

# use_work_dir: work is the directory enter_private_mount_namespace made (the supervisor
# removes it too); the overlay mounted there is unmounted and it is deleted at exit.
use_work_dir() {
	work=$SHMAP_PKG_WORK
	trap 'overlay_umount "$work"; rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
}

# use_kernels CHROOT [KVER...]: the global array kernels gets the KVERs (default:
# default_kernels), then select_chroot CHROOT with them.
use_kernels() {
	local opt=$1
	shift
	if [ $# -gt 0 ]; then
		kernels=("$@")
	else
		read -r -a kernels <<<"$(default_kernels)"
	fi
	[ ${#kernels[@]} -gt 0 ] || die "no kernel versions given and no linux-headers installed"
	select_chroot "$opt" "${kernels[@]}"
}

# select_chroot NAME KVER...: work in chroot NAME (bookworm, sid; empty:
# the one of the KVERs); every KVER must be one of its kernels.
select_chroot() {
	local name=$1 k c
	shift
	case $name in
	'' | bookworm | sid) ;;
	*) die "unknown chroot '$name' (bookworm or sid)" ;;
	esac
	for k in "$@"; do
		c=$(kernel_chroot "$k")
		[ -n "$name" ] || name=$c
		[ "$c" = "$name" ] ||
			die "$k is a kernel of the $c chroot, not $name: one run per chroot (run-all.sh groups them)"
	done
	CHROOT_NAME=${name:-bookworm}
	CHROOT_BASE=$SHMAP_CACHE/$CHROOT_NAME-chroot
	CHROOT_LOCK=$SHMAP_CACHE/$CHROOT_NAME-chroot.lock
}

# default_kernels: KERNELS from the environment, else every
# linux-headers-*-<arch> package installed on the host.
default_kernels() {
	if [ -n "${KERNELS:-}" ]; then
		echo "$KERNELS"
		return
	fi
	dpkg-query -W -f '${db:Status-Status} ${Package}\n' 'linux-headers-*' 2>/dev/null |
		awk '$1 == "installed" { print $2 }' |
		sed -n 's/^linux-headers-\(.*-\(amd64\|arm64\|686\|686-pae\|armmp\|powerpc64le\|s390x\)\)$/\1/p' |
		sort -V | tr '\n' ' '
}
