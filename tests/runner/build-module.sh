#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and install the module for one kernel through DKMS, in hermetic trees.
#   build-module.sh VER    prints the path of the installed module (updates/dkms/shmap.ko*)
# Sources: exactly "dkms.conf Makefile src include" of $SHMAP_SRC (default: the checkout).
# Trees: $BUILD/dkms/VER/{source,dkms,lib/modules} (dkms-build.sh); make.log shown on failure.
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
[[ -n $pver ]] || die "no VERSION in $SHMAP_SRC/Makefile"

w=$BUILD/dkms/$ver
rm -rf "$w"
src=$w/source/$pkg-$pver
mkdir -p "$src" "$w/dkms" "$w/lib/modules/$ver"

copy_module_sources "$src"
log "dkms build $pkg/$pver for $ver"
"$RUNNER_DIR/dkms-build.sh" "$w" "$pkg" "$pver" "$ver" "$kdir" || die "dkms failed for $ver"

ko=$(find "$w/lib/modules/$ver/updates/dkms" -name "$pkg.ko*" -print -quit 2>/dev/null || true)
[[ -n $ko ]] || { cat "$w/dkms.log" >&2; die "dkms installed no $pkg.ko for $ver"; }
echo "$ko"
