#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything a guest run needs for one kernel: headers + image (cached), the module built by
# DKMS, the initramfs.
#   prepare.sh VER OUTDIR      writes OUTDIR/initramfs.cpio
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -eq 2 ]] || die "usage: $0 VER OUTDIR"
ver=$1 out=$2
"$RUNNER_DIR/kernels.sh" prepare "$ver" >/dev/null
ko=$("$RUNNER_DIR/build-module.sh" "$ver")
"$RUNNER_DIR/initramfs.sh" "$ver" "$ko" "$out/initramfs.cpio"
