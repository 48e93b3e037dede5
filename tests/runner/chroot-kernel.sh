#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest kernels of the chroot suites (trixie: 6.12+deb13 and trixie-backports' 7.3; sid: 7.2 and
# experimental's 7.3-rc): the chroot counterpart of "kernels.sh prepare".
#   chroot-kernel.sh prepare VER   fetch (apt-get download inside the chroot of the kernel's suite,
#                                  tests/runner/chroot.sh) the image and modules of VER
#                                  (linux-image-VER-unsigned, or linux-binary[-unsigned]-VER,
#                                  linux-modules-VER and linux-base-VER), keep only what a guest
#                                  run needs and print the cache directory $SHMAP_CACHE/kernels/VER,
#                                  laid out as kernels.sh does, so that initramfs.sh and boot.sh
#                                  work unchanged:
#                                    vmlinux (uncompressed ELF, booted directly: PVH)
#                                    root/lib/modules/VER/{modules.order,modules.builtin,
#                                      modules.builtin.modinfo,config,System.map}
#                                    root/lib/modules/VER/kernel/drivers/block/brd.ko.xz
#                                    packages (the exact packages and versions used), .done
#                                  Also puts brd.ko.xz under the chroot's /lib/modules/VER,
#                                  standing in for the installed image: DKMS 3.2 compresses a
#                                  module like the modules it finds installed for that kernel.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

# Extract the members of a .deb matching the shell patterns into DIR.
deb_extract() {
	local deb=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"
}

cmd_prepare() {
	local ver=$1 suite chroot dir tmp v p deb m base pkgs t0=$SECONDS
	suite=$(kernel_suite "$ver")
	chroot=("$RUNNER_DIR/chroot.sh" "$suite")
	dir=$(kernel_dir "$ver")
	"${chroot[@]}" ensure >/dev/null
	if [[ ! -e $dir/.done ]]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tmp=$(mktemp -d "$SHMAP_CACHE/chroot-kernel.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		read -r -a pkgs <<<"$("${chroot[@]}" image-pkgs "$ver")"
		if [[ -n $("${chroot[@]}" candidate "linux-base-$ver") ]]; then pkgs+=("linux-base-$ver"); fi
		: >"$dir/packages"
		for p in "${pkgs[@]}"; do
			v=$("${chroot[@]}" candidate "$p")
			[[ -n $v ]] || die "$p has no candidate in the $suite chroot"
			echo "$p=$v" >>"$dir/packages"
			log "downloading $p=$v"
			# shellcheck disable=SC2016 # expanded by the inner shell
			"${chroot[@]}" run --bind "$tmp" -- /bin/sh -c 'cd "$1" && apt-get download -qq "$2"' sh "$tmp" "$p=$v"
		done
		base=$dir/root/lib/modules/$ver
		mkdir -p "$base"
		# Merged /usr: the packages ship usr/lib/modules/VER (older ones lib/modules/VER).
		for deb in "$tmp"/*.deb; do
			deb_extract "$deb" "$tmp/x" \
				'*/modules/*/vmlinuz*' '*/modules/*/modules.order' '*/modules/*/modules.builtin' \
				'*/modules/*/modules.builtin.modinfo' '*/modules/*/config' '*/modules/*/System.map' \
				'*/boot/vmlinuz-*' 2>/dev/null || true
			deb_extract "$deb" "$tmp/x" '*/kernel/drivers/block/brd.ko*' 2>/dev/null || true
		done
		for m in usr/lib lib; do
			[[ -d $tmp/x/$m/modules/$ver ]] && cp -a "$tmp/x/$m/modules/$ver/." "$base/"
		done
		# linux-binary-unsigned ships vmlinuz.unsigned, linux-binary vmlinuz, linux-image
		# /boot/vmlinuz-VER.
		if [[ ! -f $base/vmlinuz && -f $base/vmlinuz.unsigned ]]; then mv "$base/vmlinuz.unsigned" "$base/vmlinuz"; fi
		if [[ ! -f $base/vmlinuz && -f $tmp/x/boot/vmlinuz-$ver ]]; then cp "$tmp/x/boot/vmlinuz-$ver" "$base/vmlinuz"; fi
		[[ -f $base/vmlinuz ]] || die "${pkgs[0]} has no vmlinuz for $ver"
		for m in modules.order modules.builtin modules.builtin.modinfo; do
			[[ -f $base/$m ]] || die "no $m for $ver in its packages"
		done
		[[ -n $(find "$base/kernel/drivers/block" -name 'brd.ko*' 2>/dev/null) ]] ||
			log "note: no brd module in ${pkgs[*]}"
		extract_vmlinux "$base/vmlinuz" "$dir/vmlinux"
		rm -f "$base/vmlinuz"
		rm -rf "$tmp"
		trap - EXIT
		touch "$dir/.done"
		log "kernel $ver prepared in $((SECONDS - t0))s"
	fi
	# The chroot's stand-in for the installed image (see the header).
	local mods
	mods=$SHMAP_CACHE/$suite-chroot/lib/modules/$ver/kernel/drivers/block
	if [[ -z $(find "$mods" -name 'brd.ko*' 2>/dev/null) ]]; then
		mkdir -p "$mods"
		cp "$dir"/root/lib/modules/"$ver"/kernel/drivers/block/brd.ko* "$mods/" 2>/dev/null ||
			log "warning: no compressed module to show DKMS the compression of $ver"
	fi
	echo "$dir"
}

case ${1:-} in
prepare) [[ $# -eq 2 ]] || die "usage: $0 prepare VER"; cmd_prepare "$2" ;;
*) die "usage: $0 prepare VER" ;;
esac
