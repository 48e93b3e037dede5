#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# prepare.sh for the 7.x kernels of sid/experimental: everything a guest run needs for one kernel.
#   sid-prepare.sh VER OUTDIR  headers in the sid chroot + image (cached), the module built by DKMS
#                              inside the chroot, the initramfs: writes OUTDIR/initramfs.cpio
# Then boot as for 6.x: boot.sh VER OUTDIR/initramfs.cpio OUTDIR.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -eq 2 ]] || die "usage: $0 VER OUTDIR"
ver=$1 out=$2
"$RUNNER_DIR/sid-chroot.sh" headers "$ver" >/dev/null
"$RUNNER_DIR/sid-kernel.sh" prepare "$ver" >/dev/null
ko=$("$RUNNER_DIR/sid-chroot.sh" build "$ver")
"$RUNNER_DIR/initramfs.sh" "$ver" "$ko" "$out/initramfs.cpio"
