#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that the project's own files install everything it needs: what a brand-new Debian 12
# machine would do, in a pristine minbase bookworm chroot.
#
#   tests/packaging/fresh-machine.sh
#
# 1. A minbase bookworm (debootstrap, nothing installed; cached in
#    $SHMAP_CACHE/fresh-machine/pristine) gets a copy of this checkout and runs
#    tests/runner/deps.sh: the host packages and the build dependencies of debian/control.
#    What that installs is kept as an overlay layer keyed on the inputs of the installation
#    (deps.sh, tests/runner/lib.sh, debian/control), so it is redone exactly when one of them
#    changes, as on a new machine.
# 2. Over that layer, in a throw-away overlay, with only what step 1 installed: `make demo`
#    (user-space build, kernel, DKMS, initramfs, QEMU guest, the demo), the Debian package
#    build with lintian (build-debs.sh), the install test (install-tree.sh), and the lint gates
#    that need no kernel tree.
# The host's kernel cache ($SHMAP_CACHE/kernels) and a cache of the .debs apt fetches are
# mounted in, so a run downloads nothing twice. Runs in a private mount namespace. TAP.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
TAP_PREFIX=fresh-machine
# shellcheck source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
enter_private_mount_namespace "$@"

top=$(cd "$here/../.." && pwd)
base=$SHMAP_CACHE/fresh-machine
pristine=$base/pristine
archives=$base/apt-archives
work=$SHMAP_PKG_WORK
mkdir -p "$base" "$archives/partial" "$SHMAP_CACHE/kernels"
exec 9>"$base.lock"
flock -x 9

if [ ! -e "$pristine/.done" ]; then
	start=$(now)
	"$top/tests/runner/chroot.sh" bookworm bootstrap "$pristine" >"$base/debootstrap.log" 2>&1 ||
		die "pristine bookworm: $(tail -n 20 "$base/debootstrap.log")"
	touch "$pristine/.done"
	diag "time: pristine minbase bookworm $(elapsed "$start") s"
fi

key=$(cat "$top/tests/runner/deps.sh" "$top/tests/runner/lib.sh" "$top/debian/control" |
	sha256sum | cut -c1-16)
layer=$base/deps-$key

# mount_over ROOT LOWER...: an overlay of the LOWER layers (first on top) at ROOT, with its
# upper layer beside ROOT, the API file systems, the caches; sets ROOT for in_chroot.
mount_over() {
	local root=$1 lower
	shift
	lower=$(IFS=:; echo "$*")
	mkdir -p "$root" "$root.upper" "$root.work"
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$root.upper,workdir=$root.work" "$root"
	mount_api "$root"
	mount -t tmpfs tmpfs "$root/run"
	mkdir -p "$root/var/cache/apt/archives" "$root/var/cache/shmap/kernels"
	mount --bind "$archives" "$root/var/cache/apt/archives"
	mount --bind "$SHMAP_CACHE/kernels" "$root/var/cache/shmap/kernels"
	ROOT=$root
}

unmount_root() {
	local root=$1 m
	kill_chrooted "$root"
	for m in var/cache/shmap/kernels var/cache/apt/archives; do
		! mountpoint -q "$root/$m" || umount "$root/$m" || umount -l "$root/$m"
	done
	umount_api "$root"
	! mountpoint -q "$root" || umount "$root" || umount -l "$root"
}

# copy_checkout ROOT: this checkout at ROOT/src as git sees it (tracked files and untracked
# ones that are not ignored, with .git: a clone as the user has it, uncommitted work included).
copy_checkout() {
	mkdir -p "$1/src"
	(cd "$top" && { git ls-files -z --cached --others --exclude-standard; printf '.git\0'; } |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$1/src"
}

# --- 1. what deps.sh installs -----------------------------------------------------------
if [ -e "$layer/.shmap-done" ]; then
	ok "deps.sh installed the host packages and build dependencies in a pristine bookworm (cached layer deps-$key)"
else
	start=$(now)
	rm -rf "$layer" "$work/deps.upper" "$work/deps.work"
	mount_over "$work/deps" "$pristine"
	copy_checkout "$ROOT"
	if in_chroot /src/tests/runner/deps.sh >"$base/deps.log" 2>&1; then
		ok "deps.sh installs the host packages and build dependencies in a pristine bookworm ($(elapsed "$start") s)"
		unmount_root "$work/deps"
		rm -rf "$work/deps.upper/src" "$work/deps.upper/run" "$work/deps.upper/var/cache/shmap"
		mv "$work/deps.upper" "$layer"
		touch "$layer/.shmap-done"
		# Older layers are of inputs that are gone.
		find "$base" -maxdepth 1 -name 'deps-*' ! -name "deps-$key" -exec rm -rf {} +
	else
		not_ok "deps.sh installs the host packages and build dependencies in a pristine bookworm" \
			"$(tail -n 30 "$base/deps.log")"
		unmount_root "$work/deps"
		tap_end
	fi
fi

# --- 2. the commands, with only that ----------------------------------------------------
mount_over "$work/root" "$layer" "$pristine"
copy_checkout "$ROOT"
# in_src DESC COMMAND...: one TAP line for COMMAND run in /src as root on that machine.
in_src() {
	local desc=$1 log start
	shift
	log=$work/step.log
	start=$(now)
	if in_chroot sh -c 'cd /src && exec "$@"' in_src "$@" >"$log" 2>&1; then
		ok "$desc ($(elapsed "$start") s)"
	else
		not_ok "$desc" "$(tail -n 30 "$log")"
	fi
}
in_src "make demo (build, kernel, DKMS, guest, demo)" make demo
in_src "the Debian packages build and are lintian clean" tests/packaging/build-debs.sh --worktree /tmp/debs
in_src "make install / uninstall and the man pages" tests/packaging/install-tree.sh
in_src "lint gates that need no kernel tree" tests/lint/lint.sh clang-format cppcheck clang-tidy shellcheck
unmount_root "$work/root"
tap_end
