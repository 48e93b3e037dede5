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
#                                    root/lib/modules/VER/kernel/...: GUEST_MODULES (lib.sh:
#                                      brd, vgem, vivid) and the modules they need, with the
#                                      modules.dep & co. of that tree
#                                    guest-modules (the GUEST_MODULES kept: a cache filled for
#                                      others, e.g. brd alone before vgem and vivid, is filled
#                                      again), packages (the exact packages and versions used),
#                                    .done
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
	local ver=$1 suite chroot dir tmp v p deb m base full files pkgs t0=$SECONDS
	suite=$(kernel_suite "$ver")
	chroot=("$RUNNER_DIR/chroot.sh" "$suite")
	dir=$(kernel_dir "$ver")
	"${chroot[@]}" ensure >/dev/null
	mkdir -p "$(dirname "$dir")"
	# Several runs may share the cache: one preparation per version at a time.
	exec 9>"$dir.lock"
	flock 9
	if [[ ! -e $dir/.done || $(cat "$dir/guest-modules" 2>/dev/null) != "$GUEST_MODULES" ]]; then
		[[ -e $dir/.done ]] && log "kernel $ver: cache without $GUEST_MODULES, filling it again"
		tmp=$(mktemp -d "$dir.tmp.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		chmod 755 "$tmp"
		mkdir -p "$tmp/deb" "$tmp/new"
		read -r -a pkgs <<<"$("${chroot[@]}" image-pkgs "$ver")"
		if [[ -n $("${chroot[@]}" candidate "linux-base-$ver") ]]; then pkgs+=("linux-base-$ver"); fi
		for p in "${pkgs[@]}"; do
			v=$("${chroot[@]}" candidate "$p")
			[[ -n $v ]] || die "$p has no candidate in the $suite chroot"
			echo "$p=$v" >>"$tmp/new/packages"
			log "downloading $p=$v"
			# shellcheck disable=SC2016 # expanded by the inner shell
			"${chroot[@]}" run --bind "$tmp/deb" -- /bin/sh -c 'cd "$1" && apt-get download -qq "$2"' sh "$tmp/deb" "$p=$v"
		done
		# Every module (the dependencies of the guest's are found in the whole tree), the
		# module lists, config, System.map and the image. Merged /usr: the packages ship
		# usr/lib/modules/VER (older ones lib/modules/VER).
		for deb in "$tmp"/deb/*.deb; do
			deb_extract "$deb" "$tmp/x" \
				'*/modules/*/vmlinuz*' '*/modules/*/modules.order' '*/modules/*/modules.builtin' \
				'*/modules/*/modules.builtin.modinfo' '*/modules/*/config' '*/modules/*/System.map' \
				'*/modules/*/kernel/*' '*/boot/vmlinuz-*' 2>/dev/null || true
		done
		full=$tmp/full/lib/modules/$ver
		mkdir -p "$full"
		for m in usr/lib lib; do
			[[ -d $tmp/x/$m/modules/$ver ]] && cp -a "$tmp/x/$m/modules/$ver/." "$full/"
		done
		# linux-binary-unsigned ships vmlinuz.unsigned, linux-binary vmlinuz, linux-image
		# /boot/vmlinuz-VER.
		if [[ ! -f $full/vmlinuz && -f $full/vmlinuz.unsigned ]]; then mv "$full/vmlinuz.unsigned" "$full/vmlinuz"; fi
		if [[ ! -f $full/vmlinuz && -f $tmp/x/boot/vmlinuz-$ver ]]; then cp "$tmp/x/boot/vmlinuz-$ver" "$full/vmlinuz"; fi
		[[ -f $full/vmlinuz ]] || die "${pkgs[0]} has no vmlinuz for $ver"
		for m in modules.order modules.builtin modules.builtin.modinfo; do
			[[ -f $full/$m ]] || die "no $m for $ver in its packages"
		done
		extract_vmlinux "$full/vmlinuz" "$tmp/new/vmlinux"
		depmod -b "$tmp/full" "$ver"
		files=$(guest_module_files "$tmp/full" "$ver")
		base=$tmp/new/root/lib/modules/$ver
		mkdir -p "$base"
		for m in modules.order modules.builtin modules.builtin.modinfo config System.map; do
			[[ -f $full/$m ]] && cp "$full/$m" "$base/"
		done
		for m in $files; do install -D -m 0644 "$full/$m" "$base/$m"; done
		depmod -b "$tmp/new/root" "$ver"
		echo "$GUEST_MODULES" >"$tmp/new/guest-modules"
		touch "$tmp/new/.done"
		rm -rf "$dir"
		mv -T "$tmp/new" "$dir"
		rm -rf "$tmp"
		trap - EXIT
		log "kernel $ver prepared in $((SECONDS - t0))s: $(wc -w <<<"$files") modules kept"
	fi
	flock -u 9
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
