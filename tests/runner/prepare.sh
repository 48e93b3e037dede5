#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything a guest run needs for one kernel: headers + image (cached), the module built by
# DKMS (taken from $SHMAP_MODULE_DIR/VER/ when the packaging test built it, else built here: on
# the host for bookworm's kernels, by DKMS inside the chroot of the kernel's suite for the
# others), the initramfs (with the examples of $SHMAP_PROGRAMS_DIR/SUITE when set: built
# against the installed library in the chroot of that suite).
#   prepare.sh VER OUTDIR      writes OUTDIR/initramfs.cpio
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -eq 2 ]] || die "usage: $0 VER OUTDIR"
ver=$1 out=$2
"$RUNNER_DIR/kernels.sh" prepare "$ver" >/dev/null
# The module DKMS built when the Debian packages were installed (make check runs
# tests/packaging first), else a DKMS build of our own.
ko=
if [[ -n ${SHMAP_MODULE_DIR:-} ]]; then
	ko=$(find "$SHMAP_MODULE_DIR/$ver" -maxdepth 1 -name 'shmap.ko*' -print -quit 2>/dev/null || true)
fi
if [[ -n $ko ]]; then
	log "module from the package install: $ko"
elif is_chroot_kernel "$ver"; then
	ko=$("$RUNNER_DIR/chroot.sh" "$(kernel_suite "$ver")" build "$ver")
else
	ko=$("$RUNNER_DIR/build-module.sh" "$ver")
fi
suite=$(kernel_suite "$ver")
if [[ -n ${SHMAP_PROGRAMS_DIR:-} && -d $SHMAP_PROGRAMS_DIR/$suite ]]; then
	export SHMAP_PROGRAMS=$SHMAP_PROGRAMS_DIR/$suite
fi
"$RUNNER_DIR/initramfs.sh" "$ver" "$ko" "$out/initramfs.cpio"
