#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# All packaging tests in a row, for `make check` or CI:
#
#   tests/packaging/run-all.sh [--worktree] OUTDIR [KVER...]
#
# 1. build-debs.sh: the Debian packages from a clean export, lintian clean,
#    into OUTDIR/debs;
# 2. chroot-install.sh: apt install in the cached bookworm chroot, DKMS
#    builds for each KVER, modules copied to OUTDIR/modules/KVER/ (what the
#    test runner loads), build against the library, apt purge;
# 3. dkms-lifecycle.sh: dkms add/build/install/status/remove from the source
#    tree, with module signing.
# KVER... default to $KERNELS, else every linux-headers-*-ARCH on the host.
# Each script prints its own TAP stream; the exit status is 1 if any failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export_flag=()
if [ "${1:-}" = --worktree ]; then
	export_flag=(--worktree)
	shift
fi
[ $# -ge 1 ] || { echo "usage: $0 [--worktree] OUTDIR [KVER...]" >&2; exit 2; }
out=$1
shift
mkdir -p "$out/debs" "$out/modules"

rc=0
echo "# build-debs.sh"
"$here/build-debs.sh" "${export_flag[@]}" "$out/debs" || rc=1
if [ $rc = 0 ]; then
	echo "# chroot-install.sh"
	"$here/chroot-install.sh" "$out/debs" "$out/modules" "$@" || rc=1
fi
echo "# dkms-lifecycle.sh"
"$here/dkms-lifecycle.sh" "$@" || rc=1
exit $rc
