#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# All packaging tests in a row, for `make check` or CI:
#
#   tests/packaging/run-all.sh [--worktree] OUTDIR [KVER...]
#
# 1. build-debs.sh: the Debian packages from a clean export, lintian clean,
#    into OUTDIR/debs;
# 2. chroot-install.sh: apt install in the chroot of the kernels, DKMS
#    builds for each KVER, modules copied to OUTDIR/modules/KVER/ (what the
#    test runner loads), build against the library (the examples into
#    OUTDIR/programs/SUITE), apt purge;
# 3. dkms-lifecycle.sh: dkms add/build/install/status/remove from the source
#    tree, with module signing.
# KVER... default to $KERNELS, else every linux-headers-*-ARCH on the host.
# They may mix chroots: steps 2 and 3 run once per chroot (tests/runner/
# chroot.sh: bookworm's, trixie's, sid's, in that order), each with the same
# packages.
# Each script prints its own TAP stream; the exit status is 1 if any failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
export_flag=()
if [ "${1:-}" = --worktree ]; then
	export_flag=(--worktree)
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--worktree] OUTDIR [KVER...]" >&2; exit 2; }
out=$1
shift
mkdir -p "$out/debs" "$out/modules"

# The kernels of each chroot, in the order bookworm, trixie, sid; no KVER: the
# scripts' default (bookworm's).
declare -A of=()
for k in "$@"; do
	c=$(kernel_chroot "$k")
	of[$c]+=" $k"
done
chroots=()
for c in bookworm trixie sid; do
	if [ -n "${of[$c]:-}" ] || { [ $c = bookworm ] && [ $# -eq 0 ]; }; then chroots+=("$c"); fi
done
kernels_of() {
	read -r -a ks <<<"${of[$1]:-}"
}

rc=0
echo "# build-debs.sh"
"$here/build-debs.sh" "${export_flag[@]}" "$out/debs" || rc=1
if [ $rc = 0 ]; then
	for c in "${chroots[@]}"; do
		kernels_of "$c"
		echo "# chroot-install.sh --chroot $c ${ks[*]}"
		"$here/chroot-install.sh" --chroot "$c" "$out/debs" "$out/modules" "${ks[@]}" || rc=1
	done
fi
for c in "${chroots[@]}"; do
	kernels_of "$c"
	echo "# dkms-lifecycle.sh --chroot $c ${ks[*]}"
	"$here/dkms-lifecycle.sh" --chroot "$c" "${ks[@]}" || rc=1
done
exit $rc
