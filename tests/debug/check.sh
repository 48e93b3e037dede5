#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel row of "make check", on its own: the debug kernel (built once, cached),
# the module through the runner's DKMS path, the runner's initramfs, and boot.sh running
# /tests/debug/suite.sh on it. Other kernels: KERNELS=... runs the same guest suite on
# Debian kernels too (for faultinj/stress/fuzz there).
#
#   check.sh              debug kernel only
#   KERNELS="6.12" check.sh --also    debug kernel + the given Debian kernels
#
# Env: SHMAP_CACHE, BUILD, SHMAP_TIMEOUT (default 900 for the debug kernel), SHMAP_MEM (1024),
# SHMAP_DEBUG_APPEND (extra kernel arguments, e.g. "shmap_regular=0 shmap_fuzz=123"),
# SHMAP_SKIP_MAKE=1 (user space already built).
# Logs: $BUILD/check/VER/{console.log,tap.log,verdict,prepare.log,boot.log}.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/../runner/lib.sh"
DEBUG_DIR=$(cd "$(dirname "$0")" && pwd)

t0=$SECONDS
if [[ ${SHMAP_SKIP_MAKE:-0} != 1 ]]; then
	make -s -C "$REPO" BUILD="$BUILD" >&2 || die "make failed"
fi
make -s -C "$DEBUG_DIR" BUILD="$BUILD" >&2 || die "make -C tests/debug failed"

s=$SECONDS
dver=$("$DEBUG_DIR/kernel.sh")
log "debug kernel $dver ready in $((SECONDS - s)) s"
kernels=("$dver")
if [[ ${1:-} = --also ]]; then
	mapfile -t -O 1 kernels < <("$RUNNER_DIR/kernels.sh" resolve)
fi

one() {
	local v=$1 d=$BUILD/check/$1 s
	rm -rf "$d"
	mkdir -p "$d"
	if ! "$RUNNER_DIR/prepare.sh" "$v" "$d" >"$d/prepare.log" 2>&1; then
		echo "FAIL (build)" >"$d/verdict"
		cat "$d/prepare.log" >&2
		return 1
	fi
	s=$SECONDS
	if [[ $v = "$dver" ]]; then
		SHMAP_APPEND="loglevel=5 kmemleak=on debug_pagealloc=on ${SHMAP_DEBUG_APPEND:-}" \
			SHMAP_TIMEOUT=${SHMAP_TIMEOUT:-900} SHMAP_MEM=${SHMAP_MEM:-1024} \
			"$RUNNER_DIR/boot.sh" "$v" "$d/initramfs.cpio" "$d" /tests/debug/suite.sh \
			>"$d/boot.log" 2>&1 || true
	else
		SHMAP_APPEND="${SHMAP_DEBUG_APPEND:-}" \
			"$RUNNER_DIR/boot.sh" "$v" "$d/initramfs.cpio" "$d" /tests/debug/suite.sh \
			>"$d/boot.log" 2>&1 || true
	fi
	echo "$((SECONDS - s))" >"$d/seconds"
}
for v in "${kernels[@]}"; do
	one "$v" &
done
wait || true

bad=0
for v in "${kernels[@]}"; do
	d=$BUILD/check/$v
	echo "# ---- kernel $v ($(cat "$d/seconds" 2>/dev/null || echo 0) s in the guest)"
	[[ -f $d/tap.log ]] && cat "$d/tap.log"
	verdict=$(cat "$d/verdict" 2>/dev/null || echo "FAIL (no verdict)")
	echo "# verdict $v: $verdict"
	[[ $verdict = PASS* ]] || { bad=1; sed 's/^/# /' "$d/boot.log"; }
	grep -q '^not ok' "$d/tap.log" 2>/dev/null && bad=1
done
echo "# total $((SECONDS - t0)) s"
exit "$bad"
