#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest kernels of sid (7.2) and experimental (7.3-rc): the 7.x counterpart of "kernels.sh prepare".
#   sid-kernel.sh prepare VER   fetch (apt-get download inside the sid chroot) the kernel's
#                               linux-binary[-unsigned]-VER, linux-modules-VER and linux-base-VER,
#                               keep only what a guest run needs and print the cache directory
#                               $SHMAP_CACHE/kernels/VER, laid out as kernels.sh does, so that
#                               initramfs.sh and boot.sh work unchanged:
#                                 vmlinux (uncompressed ELF, booted directly: PVH)
#                                 root/lib/modules/VER/{modules.order,modules.builtin,
#                                   modules.builtin.modinfo,config,System.map}
#                                 root/lib/modules/VER/kernel/drivers/block/brd.ko.xz
#                                 packages (the exact packages and versions used), .done
#                               Also puts brd.ko.xz under the chroot's /lib/modules/VER, standing in
#                               for the installed image: DKMS 3.2 compresses a module like the
#                               modules it finds installed for that kernel (.ko.xz).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

CHROOT=$RUNNER_DIR/sid-chroot.sh


candidate() { "$CHROOT" candidate "$1"; }

# Extract the members of a .deb matching the shell patterns into DIR.
deb_extract() {
	local deb=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"
}

cmd_prepare() {
	local ver=$1 dir tmp bin v p deb m base t0=$SECONDS
	dir=$(kernel_dir "$ver")
	"$CHROOT" ensure >/dev/null
	if [[ ! -e $dir/.done ]]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		tmp=$(mktemp -d "$SHMAP_CACHE/sid-kernel.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		v=$(candidate "linux-binary-unsigned-$ver")
		if [[ -n $v && $v != "(none)" ]]; then
			bin=linux-binary-unsigned-$ver
		else
			bin=linux-binary-$ver
		fi
		: >"$dir/packages"
		for p in "$bin" "linux-modules-$ver" "linux-base-$ver"; do
			v=$(candidate "$p")
			[[ -n $v && $v != "(none)" ]] || die "$p has no candidate in the sid chroot"
			echo "$p=$v" >>"$dir/packages"
			log "downloading $p=$v"
			# shellcheck disable=SC2016 # expanded by the inner shell
			"$CHROOT" run --bind "$tmp" -- /bin/sh -c 'cd "$1" && apt-get download -qq "$2"' sh "$tmp" "$p=$v"
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
		# linux-binary-unsigned ships vmlinuz.unsigned, linux-binary vmlinuz.
		if [[ ! -f $base/vmlinuz && -f $base/vmlinuz.unsigned ]]; then mv "$base/vmlinuz.unsigned" "$base/vmlinuz"; fi
		if [[ ! -f $base/vmlinuz && -f $tmp/x/boot/vmlinuz-$ver ]]; then cp "$tmp/x/boot/vmlinuz-$ver" "$base/vmlinuz"; fi
		[[ -f $base/vmlinuz ]] || die "$bin has no vmlinuz for $ver"
		for m in modules.order modules.builtin modules.builtin.modinfo; do
			[[ -f $base/$m ]] || die "no $m for $ver in its packages"
		done
		[[ -n $(find "$base/kernel/drivers/block" -name 'brd.ko*' 2>/dev/null) ]] ||
			log "note: no brd module in linux-modules-$ver"
		extract_vmlinux "$base/vmlinuz" "$dir/vmlinux"
		rm -f "$base/vmlinuz"
		rm -rf "$tmp"
		trap - EXIT
		touch "$dir/.done"
		log "kernel $ver prepared in $((SECONDS - t0))s"
	fi
	# The chroot's stand-in for the installed image (see the header).
	local sid_mods
	sid_mods=$SHMAP_CACHE/sid-chroot/lib/modules/$ver/kernel/drivers/block
	if [[ -z $(find "$sid_mods" -name 'brd.ko*' 2>/dev/null) ]]; then
		mkdir -p "$sid_mods"
		cp "$dir"/root/lib/modules/"$ver"/kernel/drivers/block/brd.ko* "$sid_mods/" 2>/dev/null ||
			log "warning: no compressed module to show DKMS the compression of $ver"
	fi
	echo "$dir"
}

case ${1:-} in
prepare) [[ $# -eq 2 ]] || die "usage: $0 prepare VER"; cmd_prepare "$2" ;;
*) die "usage: $0 prepare VER" ;;
esac
