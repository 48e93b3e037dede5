#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and install the module for one kernel through DKMS, in hermetic trees.
#   build-module.sh VER    prints the path of the installed module (updates/dkms/shmap.ko*)
# Sources: exactly "dkms.conf Makefile src include" of $SHMAP_SRC (default: the checkout).
# Trees: $BUILD/dkms/VER/{source,dkms,lib/modules}; make.log shown on failure.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || die "usage: $0 KERNEL-VERSION"
ver=$1
kdir=/lib/modules/$ver/build
[[ -e $kdir/Makefile ]] || die "no headers for $ver at $kdir (run kernels.sh prepare $ver)"
[[ -f $SHMAP_SRC/dkms.conf ]] || die "no dkms.conf in $SHMAP_SRC"
pkg=shmap
pver=$(shmap_version)
[[ -n $pver ]] || die "no PACKAGE_VERSION in $SHMAP_SRC/dkms.conf"

w=$BUILD/dkms/$ver
rm -rf "$w"
src=$w/source/$pkg-$pver
mkdir -p "$src" "$w/dkms" "$w/lib/modules/$ver"

# Copy the module sources, without build products: in a git checkout, the tracked files plus
# the untracked ones that are not ignored; otherwise everything.
parts=(dkms.conf Makefile src include)
if git -C "$SHMAP_SRC" rev-parse --show-toplevel 2>/dev/null | grep -qxF "$(cd "$SHMAP_SRC" && pwd -P)"; then
	(cd "$SHMAP_SRC" && git ls-files -z -co --exclude-standard -- "${parts[@]}" |
		xargs -0r cp --parents -t "$src")
else
	for p in "${parts[@]}"; do
		[[ -e $SHMAP_SRC/$p ]] && cp -a "$SHMAP_SRC/$p" "$src/"
	done
fi

common=(-m "$pkg" -v "$pver" --dkmstree "$w/dkms" --sourcetree "$w/source")
out=$w/dkms.log
run_dkms() {
	if ! dkms "$@" "${common[@]}" >>"$out" 2>&1; then
		cat "$out" >&2
		local mlog=$w/dkms/$pkg/$pver/build/make.log
		if [[ -f $mlog ]]; then
			printf '\n===== %s =====\n' "$mlog" >&2
			cat "$mlog" >&2
		fi
		die "dkms $1 failed for $ver"
	fi
}
log "dkms build $pkg/$pver for $ver"
run_dkms add
run_dkms build -k "$ver" --kernelsourcedir "$kdir"
run_dkms install -k "$ver" --kernelsourcedir "$kdir" --installtree "$w/lib/modules" --no-depmod

ko=$(find "$w/lib/modules/$ver/updates/dkms" -name "$pkg.ko*" -print -quit 2>/dev/null || true)
[[ -n $ko ]] || { cat "$out" >&2; die "dkms installed no $pkg.ko for $ver"; }
echo "$ko"
