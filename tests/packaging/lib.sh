# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for tests/packaging/*.sh: TAP output, the cached chroots
# and the throw-away overlay every run works in.
#
# The chroots are the test runner's (tests/runner/chroot.sh, one per suite
# under $SHMAP_CACHE/SUITE-chroot): bookworm for its kernels and the 6.12
# debug kernel, trixie for 6.12+deb13, trixie-backports' 7.3 and the 7.3
# debug kernel, sid for 7.2 and experimental's 7.3-rc. chroot.sh creates
# them and installs the headers. No test modifies one: each run mounts an
# overlay (upper layer in a temporary directory) on top of it, inside a
# private mount namespace, so whatever a run installs, and every mount it
# makes, disappears when it exits.

SHMAP_CACHE=${SHMAP_CACHE:-/var/cache/shmap}
PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNNER_DIR=$(cd "$PKG_DIR/../runner" && pwd)
CHROOT_NAME=bookworm
CHROOT_BASE=$SHMAP_CACHE/bookworm-chroot
CHROOT_LOCK=$SHMAP_CACHE/bookworm-chroot.lock

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

# runner_lib FUNCTION ARG...: a function of tests/runner/lib.sh.
runner_lib() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c '. "$1/lib.sh" && "${@:2}"' runner_lib "$RUNNER_DIR" "$@"
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

# kernel_signs_modules KVER (after overlay_mount): the kernel was built with
# CONFIG_MODULE_SIG, so its tree has scripts/sign-file and DKMS signs the
# modules it builds for it. Debian's kernels do; the debug kernels do not,
# and DKMS then says "modules won't be signed".
kernel_signs_modules() {
	grep -q '^CONFIG_MODULE_SIG=y' "$ROOT/lib/modules/$1/build/.config"
}

is_debug_kver() { runner_lib is_debug_kernel "$1"; }

# _chroot_prepare KVER...: chroot.sh makes the chroot and puts the headers of
# each KVER in it (a debug kernel: its build tree); for a kernel of a chroot
# suite, chroot-kernel.sh puts the image's brd.ko* under its /lib/modules/VER
# (DKMS 3.2 compresses a module like those it finds there, as on an
# installed system). Both take the chroot's lock themselves: called before
# chroot_ensure takes it.
_chroot_prepare() {
	local k
	"$RUNNER_DIR/chroot.sh" "$CHROOT_NAME" ensure || return 1
	for k in "$@"; do
		"$RUNNER_DIR/chroot.sh" "$CHROOT_NAME" headers "$k" || return 1
		if [ "$CHROOT_NAME" != bookworm ] && ! is_debug_kver "$k"; then
			"$RUNNER_DIR/chroot-kernel.sh" prepare "$k" || return 1
		fi
	done
}

# chroot_ensure KVER...: the cached chroot exists and has the headers of
# every KVER (chroot.sh takes the chroot's lock exclusively to change it),
# then keeps the same lock shared (fd 9) until the caller exits, so that no
# other run changes the lower layer under a mounted overlay.
# Sets CHROOT_CREATED to 1 when it had to create the chroot, and
# CHROOT_SECONDS to the time it took.
chroot_ensure() {
	local start log=$SHMAP_PKG_WORK/chroot.log
	mkdir -p "$SHMAP_CACHE"
	start=$(now)
	# shellcheck disable=SC2034 # for the caller
	CHROOT_CREATED=0
	# shellcheck disable=SC2034 # for the caller
	[ -e "$CHROOT_BASE/.done" ] || CHROOT_CREATED=1
	if ! _chroot_prepare "$@" >"$log" 2>&1; then
		diag "$(tail -n 30 "$log")"
		die "$CHROOT_NAME chroot or headers of $* not ready (tests/runner/chroot.sh)"
	fi
	exec 9>"$CHROOT_LOCK"
	flock -s 9
	# shellcheck disable=SC2034 # for the caller
	CHROOT_SECONDS=$(elapsed "$start")
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
	# (as chroot.sh run does)
	mount -t tmpfs tmpfs "$ROOT/run"
	# The runner's DKMS signing key: a system has none before its first
	# DKMS build, and the tests check that DKMS makes one.
	rm -f "$ROOT/var/lib/dkms/mok.key" "$ROOT/var/lib/dkms/mok.pub"
	# The image of each kernel stands in for an installed one by its
	# brd.ko.xz (see _chroot_prepare); it lacks the module index that
	# installing the image makes. DKMS 3.2 runs depmod for a kernel only if
	# /lib/modules/VER/modules.dep exists ("Skipping depmod because ... is
	# missing": an image not installed).
	local d
	for d in "$ROOT"/lib/modules/*/kernel; do
		d=${d%/kernel}
		if [ -d "$d/kernel" ] && [ ! -e "$d/modules.dep" ]; then
			in_chroot depmod -a "${d##*/}"
		fi
	done
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

# kernel_chroot KVER: the chroot that builds for KVER, that of its suite
# (kernel_suite, tests/runner/lib.sh).
kernel_chroot() { runner_lib kernel_suite "$1"; }

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

# select_chroot NAME KVER...: work in chroot NAME (bookworm, trixie, sid;
# empty: the one of the KVERs); every KVER must be one of its kernels.
select_chroot() {
	local name=$1 k c
	shift
	case $name in
	'' | bookworm | trixie | sid) ;;
	*) die "unknown chroot '$name' (bookworm, trixie or sid)" ;;
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
