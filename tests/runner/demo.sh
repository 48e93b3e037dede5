#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot one kernel (default: newest 6.12; KERNELS=... to choose) and run
# /tests/demo.sh (tests/guest/demo.sh) in it, showing its output as it runs.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -f $REPO/tests/guest/demo.sh || -f ${SHMAP_GUEST_DIR:-/nonexistent}/demo.sh ]] ||
	die "tests/guest/demo.sh does not exist yet: nothing to demo"

"$RUNNER_DIR/deps.sh"
if [[ ${SHMAP_SKIP_MAKE:-0} != 1 ]]; then
	make -C "$REPO" BUILD="$BUILD" all tests || die "make failed"
fi
# shellcheck disable=SC2086 # KERNELS is a space-separated list; the first one is used
set -- ${KERNELS:-6.12}
ver=$("$RUNNER_DIR/kernels.sh" resolve "$1")
d=$BUILD/demo/$ver
rm -rf "$d"
mkdir -p "$d"
log "preparing $ver"
"$RUNNER_DIR/prepare.sh" "$ver" "$d" >"$d/prepare.log" 2>&1 || { cat "$d/prepare.log" >&2; die "preparation failed"; }
log "booting $ver (kernel log: $d/console.log)"
rc=0
SHMAP_SERIAL_STDIO=1 "$RUNNER_DIR/boot.sh" "$ver" "$d/initramfs.cpio" "$d" /tests/demo.sh || rc=$?
((rc == 0)) || die "demo failed on $ver ($(cat "$d/verdict" 2>/dev/null))"
log "demo finished on $ver"
