#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every host package that make check, make demo, make lint and make bench need
# (idempotent, fast when present). Two lists, one source of truth each:
#   - the packages' build dependencies, from debian/control (apt-get build-dep);
#   - everything else the host-side scripts call, in HOST_PKGS below.
# tests/packaging/fresh-machine.sh proves them complete: it runs this script in a pristine
# minbase bookworm chroot and then the builds, the package build, lintian and the demo there.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

HOST_PKGS=(
	# the source checkout, the user-space build, the install test (C and C++)
	git make gcc g++ libc6-dev gcc-multilib pkg-config libkmod-dev libsmartcols-dev
	# the dma-buf test's drm.h (the kernel's uapi header; linux-libc-dev has no drm/)
	libdrm-dev
	# the man page check (userspace/man/check.sh): mandoc -Tlint besides groff and man
	mandoc
	# the guests: QEMU, the initramfs, the kernels, DKMS and its signing key, lsfd (the list test)
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd dkms openssl util-linux-extra
	# chroots (sid, packaging) and mount namespaces
	debootstrap util-linux coreutils
	# the package build's companions: dpkg-dev (dpkg-buildpackage), lintian
	dpkg-dev lintian
	# make lint: sparse, checkpatch (perl), the user-space analyzers, shellcheck
	sparse perl cppcheck clang-format clang-tidy shellcheck
	# the debug kernel (tests/debug-kernel/kernel.sh)
	bison flex bc dwarves libelf-dev libssl-dev
	# make bench: the plots
	gnuplot-nox
)

export DEBIAN_FRONTEND=noninteractive INITRD=No

# apt lists: refresh once when there are none or when asked (SHMAP_APT_UPDATE=1).
if [[ ${SHMAP_APT_UPDATE:-0} = 1 ]] || ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	log "apt-get update"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
fi

missing=()
for p in "${HOST_PKGS[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $s = ii* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
	log "installing: ${missing[*]}"
	apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# dpkg-checkbuilddeps (dpkg-dev, above) answers in a few milliseconds when they are there.
if ! (cd "$REPO" && dpkg-checkbuilddeps >/dev/null 2>&1); then
	log "installing the build dependencies of debian/control"
	apt_get build-dep -y -qq --no-install-recommends "$REPO" >/dev/null
fi
