# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Common settings for the host-side test runner; sourced by the other scripts.

RUNNER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$RUNNER_DIR/../.." && pwd)
# Where the module sources (dkms.conf Makefile src include) come from.
SHMAP_SRC=${SHMAP_SRC:-$REPO}
SHMAP_CACHE=${SHMAP_CACHE:-/var/cache/shmap}
BUILD=${BUILD:-$REPO/build}
export REPO SHMAP_SRC SHMAP_CACHE BUILD

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Version of the module package: the top-level Makefile's VERSION (dkms.conf says
# #MODULE_VERSION#, filled in by copy_module_sources).
shmap_version() {
	sed -n 's/^VERSION := //p' "$SHMAP_SRC/Makefile"
}

# Copy the module sources of $SHMAP_SRC (dkms.conf Makefile src include) into DEST, without
# build products: in a git checkout, the files git tracks (and still exist) plus the untracked
# ones it does not ignore; otherwise everything. dkms.conf gets the version, as dh_dkms -V and
# `make dkms-source` give it.
copy_module_sources() {
	local dest=$1 parts=(dkms.conf Makefile src include) p
	mkdir -p "$dest"
	if git -C "$SHMAP_SRC" rev-parse --show-toplevel 2>/dev/null | grep -qxF "$(cd "$SHMAP_SRC" && pwd -P)"; then
		(cd "$SHMAP_SRC" && git ls-files -z -co --exclude-standard -- "${parts[@]}" |
			while IFS= read -r -d '' p; do if [[ -e $p ]]; then printf '%s\0' "$p"; fi; done |
			xargs -0r cp --parents -t "$dest")
	else
		for p in "${parts[@]}"; do
			[[ -e $SHMAP_SRC/$p ]] && cp -a "$SHMAP_SRC/$p" "$dest/"
		done
	fi
	sed -i "s/#MODULE_VERSION#/$(shmap_version)/" "$dest/dkms.conf"
}

# The host's Debian mirror for SUITE (default bookworm; bookworm-security gives the security
# archive), from its apt configuration (deb822 .sources or one-line .list): the URI of the
# entry that lists that suite itself.
debian_mirror() {
	local suite=${1:-bookworm} uri
	uri=$(awk -v want="$suite" '
		/^URIs:/ { uris = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) found = 1 }
		/^$/ { if (found && uris != "") { print uris; exit } uris = ""; found = 0 }
		END { if (found && uris != "") print uris }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	if [[ -z $uri ]]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -E 's/^deb +(\[[^]]*\] +)?//;t;d' | awk -v want="$suite" '$2 == want { print $1; exit }')
	fi
	[[ -n $uri ]] || die "no $suite mirror found in /etc/apt/sources.list{,.d}"
	echo "${uri%/}"
}

# Filter the output of "apt-cache policy PKG..." to "PKG VERSION" lines, one per PKG that has a
# candidate (the version apt would install).
apt_candidates() {
	awk '/^[^ ]/ { name = $1; sub(/:$/, "", name) }
		/^  Candidate:/ && $2 != "(none)" { print name, $2 }'
}

kernel_dir() { printf '%s/kernels/%s\n' "$SHMAP_CACHE" "$1"; }

# The kernel's own modules that the guest suite loads: brd (the block device of the O_DIRECT
# tests), vgem (DRM) and vivid (V4L2), the dma-buf importers of tests/dmabuf.c. The kernel
# caches keep them and every module they need (chroot-kernel.sh), so does the initramfs.
GUEST_MODULES="brd vgem vivid"

# guest_module_files ROOT VER: the files of GUEST_MODULES and of the modules they depend on,
# soft dependencies included (modprobe --show-depends: the modules.dep and modules.softdep
# of ROOT/lib/modules/VER), relative to ROOT/lib/modules/VER, one a line; a module that VER
# lacks (or has built in) gives none. Dies without modules.dep.
guest_module_files() {
	local root=$1 ver=$2 m
	[[ -e $root/lib/modules/$ver/modules.dep ]] || die "no modules.dep in $root/lib/modules/$ver"
	for m in $GUEST_MODULES; do
		modprobe -d "$root" -S "$ver" --show-depends "$m" 2>/dev/null ||
			log "note: no $m module in $ver"
	done | awk -v dir="/lib/modules/$ver/" \
		'$1 == "insmod" && (i = index($2, dir)) { print substr($2, i + length(dir)) }' | sort -u
}

# The kernel matrix: the kernels Debian ships to its users. A SPEC is a series of bookworm
# (6.1, 6.12), of sid or experimental (7.2, 7.3), SUITE:SERIES (trixie:6.12, trixie:7.3 from
# trixie-backports), an exact version (7.3.4+deb13-amd64), or a debug kernel built from Debian's
# linux-source (tests/debug-kernel/kernel.sh): debug (6.12, bookworm) or debug:7.3 (trixie's
# backports); their versions end in -shmap-debug.
export DEFAULT_KERNELS="6.1 6.12 trixie:6.12 trixie:7.3 7.2 7.3 debug debug:7.3"
is_debug_kernel() { [[ $1 = debug || $1 = debug:* || $1 = *-shmap-debug ]]; }

# debug_append VER: the kernel arguments a debug kernel (VER: its version) boots with, in
# check.sh's rows and in tests/debug-kernel/prove-checkers.sh. kmemleak is built default-off.
# slub_debug=F from 6.18 on: SLUB's per-CPU sheaves (6.18; every cache has them in 7.x) leave
# the addresses of the objects they hand out in the unused tail of their objects[] array
# (alloc_from_pcs() only lowers ->size); a sheaf is itself a kmalloc'ed object that kmemleak
# tracks and scans, so an object allocated from a sheaf looks referenced until that slot is
# written again, and kmemleak reports no leak of it (7.3: none of prove-checkers' four, in
# minutes). A cache with a debug flag has no sheaves (calculate_sheaf_capacity()), and F
# (consistency checks) is the cheapest one; the guest checks that no sheaves are left
# (tests/torture/suite.sh, prove-checkers.sh).
debug_append() {
	local a="kmemleak=on debug_pagealloc=on" series
	series=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$1")
	if [[ $(printf '%s\n' 6.18 "$series" | sort -V | head -n1) = 6.18 ]]; then
		a+=" slub_debug=F"
	fi
	echo "$a"
}

# kernel_suite SPEC|VER: the Debian suite whose compiler and DKMS build the module for a kernel:
# bookworm (on the host, a bookworm machine; in its chroot for the packaging tests), trixie or
# sid (tests/runner/chroot.sh). Debian's ABI names say their suite (+deb13: trixie, +deb14:
# sid); the 7.x debug kernel is built from trixie-backports' source, with trixie's gcc.
kernel_suite() {
	local v=$1
	case $v in
	bookworm:* | trixie:* | sid:*) echo "${v%%:*}" ;;
	debug | debug:6.*) echo bookworm ;;
	debug:*) echo trixie ;;
	*-shmap-debug) if [[ $v = 6.* ]]; then echo bookworm; else echo trixie; fi ;;
	*+deb12[-.]*) echo bookworm ;;
	*+deb13[-.]*) echo trixie ;;
	*+deb1[4-9][-.]*) echo sid ;;
	*) if [[ $v =~ ^([7-9]|[1-9][0-9]+)\. ]]; then echo sid; else echo bookworm; fi ;;
	esac
}
# A kernel whose module is built in a chroot, not on the host.
is_chroot_kernel() { [[ $(kernel_suite "$1") != bookworm ]]; }

# apt-get that waits for the dpkg lock (other builds may hold it) and, when a package cannot
# be fetched (stale lists), refreshes the lists once and retries.
apt_get() {
	local o=(-o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get "${o[@]}" "$@" && return 0
	log "apt-get $1 failed; apt-get update and retry"
	apt-get "${o[@]}" update -qq
	DEBIAN_FRONTEND=noninteractive INITRD=No apt-get "${o[@]}" "$@"
}

# Decompress the ELF vmlinux out of a bzImage (xz or zstd payload).
extract_vmlinux() {
	local img=$1 out=$2 off magic tool o
	for magic in xz zstd; do
		case $magic in
		xz)   tool="xz -dc";   off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img" | cut -d: -f1 || true) ;;
		zstd) tool="zstd -dcq"; off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$img" | cut -d: -f1 || true) ;;
		esac
		for o in $off; do
			# Trailing data after the stream makes the tool complain: judge by the output.
			tail -c +$((o + 1)) "$img" | $tool >"$out.tmp" 2>/dev/null || true
			if [[ $(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' \n') = 7f454c46 ]]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	die "no xz/zstd ELF payload found in $img"
}
