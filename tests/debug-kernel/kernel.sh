#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) a debug kernel for shmap's tests from Debian's linux-source-6.12.
#
#   kernel.sh [build]   build unless cached, install the links, print the kernel version
#                       (e.g. 6.12.117-shmap-debug) on stdout
#   kernel.sh dir       print the cache directory (builds first if needed)
#   kernel.sh key       print the cache key only (no build)
#
# allnoconfig + KCONFIG_ALLCONFIG=tests/debug-kernel/debug.config + olddefconfig; every fragment line is
# checked in the resulting .config. Cache: $SHMAP_CACHE/debug-KEY (KEY: source package version,
# fragment, gcc version, recipe revision), holding
#   vmlinux                         ELF image, booted by QEMU through PVH
#   config, System.map, version, build-time
#   build/                          what an external module build needs (install-extmod-build
#                                   output + .config + Module.symvers): make -C build M=...
#   root/lib/modules/VER/           modules_install output (brd.ko, modules.builtin*, ...),
#                                   build -> ../../../../build
# and the links that make it "just another kernel" for tests/runner:
#   $SHMAP_CACHE/kernels/VER -> ../debug-KEY   (kernels.sh prepare finds .done and does nothing)
#   /lib/modules/VER/build   -> $SHMAP_CACHE/debug-KEY/build   (build-module.sh's kernel tree)
# Environment: SHMAP_CACHE, SHMAP_KJOBS (make -j, default: nproc), SHMAP_DEBUG_KEEP=1 (keep the
# full build tree in debug-KEY/src for rebuilding by hand), SHMAP_DEBUG_NOLINK=1 (no links).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/../runner/lib.sh"

DEBUG_DIR=$(cd "$(dirname "$0")" && pwd)
FRAGMENT=$DEBUG_DIR/debug.config
SRCPKG=linux-source-6.12
RECIPE=1 # bump when the build steps below change what ends up in the cache
JOBS=${SHMAP_KJOBS:-$(nproc)}

pkg_version() {
	apt-cache policy "$SRCPKG" 2>/dev/null | apt_candidates | cut -d' ' -f2
}

cache_key() {
	local pv=$1
	[[ -n $pv && $pv != "(none)" ]] || die "$SRCPKG has no apt candidate (apt-get update?)"
	{
		echo "recipe $RECIPE"
		echo "source $SRCPKG $pv"
		gcc --version | head -n 1
		cat "$FRAGMENT"
	} | sha256sum | cut -c1-16
}

# Every line of the fragment must be in .config ("# CONFIG_X is not set": X not y/m).
verify_config() {
	local cfg=$1 line sym bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]}
			if grep -qE "^$sym=[ym]$" "$cfg"; then
				log "config: wanted '$line', got '$(grep -E "^$sym=" "$cfg")'"
				bad=1
			fi
		elif [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
			sym=${BASH_REMATCH[1]}
			if ! grep -qxF -- "$line" "$cfg"; then
				log "config: wanted '$line', got '$(grep -E "^(# )?${sym}[= ]" "$cfg" || echo "(absent)")'"
				bad=1
			fi
		fi
	done <"$FRAGMENT"
	((bad == 0)) || die "olddefconfig dropped fragment lines (above): fix $FRAGMENT"
}

build() {
	local pv=$1 out=$2 tmp src deb ver t0 t1
	t0=$(date +%s)
	"$RUNNER_DIR/deps.sh" # the kernel build tools are among its packages
	tmp=$out.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/deb"
	log "downloading $SRCPKG $pv"
	(cd "$tmp/deb" && apt_get download -qq "$SRCPKG=$pv" >&2)
	deb=$(find "$tmp/deb" -name '*.deb' -print -quit)
	[[ -n $deb ]] || die "apt-get download $SRCPKG gave no .deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$tmp"
	rm -rf "$tmp/deb"
	src=$tmp/linux-source-6.12
	[[ -f $src/Makefile ]] || die "no kernel tree in $SRCPKG"

	log "configuring (allnoconfig + $FRAGMENT + olddefconfig)"
	make -C "$src" -s KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >&2
	make -C "$src" -s olddefconfig >&2
	verify_config "$src/.config"

	log "building vmlinux + modules with -j$JOBS"
	if ! make -C "$src" -j"$JOBS" vmlinux modules >"$tmp/make.log" 2>&1; then
		tail -n 60 "$tmp/make.log" >&2
		die "kernel build failed (log: $tmp/make.log)"
	fi
	make -C "$src" -s modules_prepare >&2
	ver=$(make -C "$src" -s kernelrelease)
	[[ -n $ver ]] || die "no kernelrelease"

	log "collecting $ver"
	(cd "$src" && srctree=. SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
		sh scripts/package/install-extmod-build "$tmp/build")
	cp "$src/.config" "$tmp/build/.config"
	cp "$src/vmlinux" "$tmp/vmlinux"
	cp "$src/.config" "$tmp/config"
	cp "$src/System.map" "$tmp/System.map"
	make -C "$src" -s modules_install INSTALL_MOD_PATH="$tmp/root" >&2
	rm -f "$tmp/root/lib/modules/$ver/build" "$tmp/root/lib/modules/$ver/source"
	ln -s ../../../../build "$tmp/root/lib/modules/$ver/build"
	# A module build against the collected tree must work before it is cached.
	mkdir -p "$tmp/probe"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("probe");\n' \
		>"$tmp/probe/probe.c"
	echo 'obj-m := probe.o' >"$tmp/probe/Kbuild"
	make -C "$tmp/build" M="$tmp/probe" -s modules >&2 || die "external module build fails on $tmp/build"
	rm -rf "$tmp/probe"
	if [[ ${SHMAP_DEBUG_KEEP:-0} = 1 ]]; then
		mv "$src" "$tmp/src"
	else
		rm -rf "$src"
	fi
	echo "$ver" >"$tmp/version"
	t1=$(date +%s)
	echo "$((t1 - t0))" >"$tmp/build-time"
	log "built $ver in $((t1 - t0)) s"
	touch "$tmp/.done"
	rm -rf "$out"
	mv -T "$tmp" "$out"
}

link() {
	local out=$1 ver=$2 kd
	[[ ${SHMAP_DEBUG_NOLINK:-0} = 1 ]] && return 0
	kd=$(kernel_dir "$ver")
	mkdir -p "$(dirname "$kd")" "/lib/modules/$ver"
	if [[ $(readlink "$kd" 2>/dev/null) != "../${out##*/}" ]]; then
		rm -rf "$kd"
		ln -sfn "../${out##*/}" "$kd"
	fi
	if [[ $(readlink "/lib/modules/$ver/build" 2>/dev/null) != "$out/build" ]]; then
		rm -rf "/lib/modules/$ver/build"
		ln -sfn "$out/build" "/lib/modules/$ver/build"
	fi
}

main() {
	local cmd=${1:-build} pv key out ver
	pv=$(pkg_version)
	key=$(cache_key "$pv")
	[[ $cmd = key ]] && { echo "$key"; return 0; }
	out=$SHMAP_CACHE/debug-$key
	mkdir -p "$SHMAP_CACHE"
	exec 9>"$SHMAP_CACHE/debug.lock"
	flock 9
	if [[ ! -e $out/.done ]]; then
		build "$pv" "$out"
		# Older keys (previous source version, fragment or compiler) are dead weight.
		find "$SHMAP_CACHE" -maxdepth 1 -name 'debug-*' ! -name "debug-$key" \
			-exec rm -rf {} + 2>/dev/null || true
	fi
	ver=$(cat "$out/version")
	link "$out" "$ver"
	flock -u 9
	case $cmd in
	build) echo "$ver" ;;
	dir) echo "$out" ;;
	*) die "usage: $0 [build|dir|key]" ;;
	esac
}

main "$@"
