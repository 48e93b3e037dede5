#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the host packages the runner needs (idempotent, fast when present).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(
	qemu-system-x86 dkms openssl busybox-static kmod cpio xz-utils zstd
	make gcc libc6-dev gcc-multilib pkg-config check libkmod-dev sparse
	coreutils util-linux debootstrap
)
PKGS+=("$@")

export DEBIAN_FRONTEND=noninteractive INITRD=No

# apt lists: refresh once when there are none or when asked (SHMAP_APT_UPDATE=1).
apt_update_once() {
	if [[ ${SHMAP_APT_UPDATE:-0} = 1 ]] || ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
		log "apt-get update"
		apt-get -o DPkg::Lock::Timeout=600 update -qq
	fi
}

missing=()
for p in "${PKGS[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $s = ii* ]] || missing+=("$p")
done

apt_update_once
if ((${#missing[@]})); then
	log "installing: ${missing[*]}"
	apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
