#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms add, build and install of one module for one kernel, in hermetic trees: nothing outside
# W is read or written but the kernel's headers. Runs on the host (build-module.sh, 6.x) and
# inside the chroot of a kernel's suite (chroot.sh SUITE build), so it needs nothing but bash and dkms.
#   dkms-build.sh W PKG PVER VER KDIR
# W/source/PKG-PVER holds the sources; the trees are W/dkms (--dkmstree) and W/lib/modules
# (--installtree, no depmod). W/dkms.log gets dkms' output; on a failure it and every make.log
# are printed.
set -euo pipefail
[[ $# -eq 5 ]] || { echo "usage: $0 W PKG PVER VER KDIR" >&2; exit 2; }
w=$1 pkg=$2 pver=$3 ver=$4 kdir=$5
common=(-m "$pkg" -v "$pver" --dkmstree "$w/dkms" --sourcetree "$w/source")
kernel=(-k "$ver" --kernelsourcedir "$kdir")
for step in add build install; do
	case $step in
	add) args=() ;;
	build) args=("${kernel[@]}") ;;
	install) args=("${kernel[@]}" --installtree "$w/lib/modules" --no-depmod) ;;
	esac
	if ! dkms "$step" "${common[@]}" "${args[@]}" >>"$w/dkms.log" 2>&1; then
		cat "$w/dkms.log" >&2
		# DKMS 3.0 keeps make.log in .../build/, 3.2 in .../VER/ARCH/log/.
		find "$w/dkms" -name make.log -print0 2>/dev/null |
			while IFS= read -r -d '' mlog; do
				printf '\n===== %s =====\n' "$mlog" >&2
				cat "$mlog" >&2
			done
		echo "dkms $step failed for $ver" >&2
		exit 1
	fi
done
