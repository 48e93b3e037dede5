#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) a debug kernel for shmap's tests from Debian's linux-source-SERIES.
#
#   kernel.sh [build] [SPEC]  build unless cached, install the links, print the kernel version
#                             (e.g. 6.12.117-shmap-debug) on stdout
#   kernel.sh dir [SPEC]      print the cache directory (builds first if needed)
#   kernel.sh key [SPEC]      print the cache key only (no build)
# SPEC: debug (the default: 6.12, bookworm's linux-source-6.12, built on the host with its gcc-12)
# or debug:7.3 (trixie-backports' linux-source-7.3, built in the trixie chroot with its gcc-14,
# tests/runner/chroot.sh); a version ending in -shmap-debug names its series. The suite of a
# series is tests/runner/lib.sh's kernel_suite.
#
# allnoconfig + KCONFIG_ALLCONFIG=tests/debug-kernel/debug.config (as debug-SERIES.config changes
# it, if there is one: series_fragment) + olddefconfig; every fragment line is checked in the
# resulting .config. Cache: $SHMAP_CACHE/debug-KEY (KEY: source package version, fragment, gcc
# version where it is built, boot image, recipe revision), holding
#   vmlinux                         ELF image, booted by QEMU through PVH (6.12)
#   bzImage                         the image QEMU boots where PVH does not work (7.3, see
#                                   boot_image); tests/runner/boot.sh prefers it
#   config, System.map, version, build-time, series, fragment.config (the merged fragment),
#   make.log
#   build/                          what an external module build needs (install-extmod-build
#                                   output + .config + Module.symvers): make -C build M=...
#   root/lib/modules/VER/           modules_install output (brd.ko, modules.builtin*, ...),
#                                   build -> ../../../../build
# Each series keeps its latest build only; the series live side by side. The links that make it
# "just another kernel" for tests/runner:
#   $SHMAP_CACHE/kernels/VER -> ../debug-KEY   (kernels.sh prepare finds .done and does nothing)
#   /lib/modules/VER/build   -> $SHMAP_CACHE/debug-KEY/build   (build-module.sh's kernel tree; only
#                                   for a series built on the host: chroot.sh SUITE headers VER
#                                   copies the tree into the chroot of the others)
# Environment: SHMAP_CACHE, SHMAP_KJOBS (make -j, default: nproc), SHMAP_DEBUG_KEEP=1 (keep the
# full build tree in debug-KEY/src for rebuilding by hand), SHMAP_DEBUG_NOLINK=1 (no links).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/../runner/lib.sh"

DEBUG_DIR=$(cd "$(dirname "$0")" && pwd)
RECIPE=1 # bump when the build steps below change what ends up in the cache
JOBS=${SHMAP_KJOBS:-$(nproc)}
# What the kernel build needs in a chroot (deps.sh installs the host's).
CHROOT_BUILD_PKGS=(gcc make bc bison flex libelf-dev libssl-dev dwarves python3 cpio rsync kmod xz-utils)
SERIES='' SUITE='' SRCPKG='' WORK=''

# set_series SPEC: SERIES, SUITE (bookworm: the host) and SRCPKG of a debug kernel spec.
set_series() {
	case $1 in
	debug) SERIES=6.12 ;;
	debug:[0-9]*.[0-9]*) SERIES=${1#debug:} ;;
	*-shmap-debug) SERIES=$(version_series "$1") ;;
	*) die "bad debug kernel spec '$1' (want debug or debug:SERIES, e.g. debug:7.3)" ;;
	esac
	[[ $SERIES =~ ^[0-9]+\.[0-9]+$ ]] || die "bad debug kernel series '$SERIES'"
	SUITE=$(kernel_suite "debug:$SERIES")
	SRCPKG=linux-source-$SERIES
}

# The image QEMU boots: vmlinux, an ELF, through PVH; from 7.x on the bzImage, through the
# kernel's own entry: 7.3's PVH entry (xen_prepare_pvh, before startup_64) calls the KASAN-
# instrumented out-of-line memcmp (hypervisor_cpuid_base; gcc-14 does not inline it) before KASAN
# has a shadow, and the guest triple-faults before its first console line.
boot_image() { if [[ $SERIES = 6.* ]]; then echo vmlinux; else echo bzImage; fi; }

version_series() { sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$1"; }

# in_builder CMD...: run CMD where the series is built: on the host, or in its suite's chroot with
# $WORK (if set) bind-mounted at the same path.
in_builder() {
	if [[ $SUITE = bookworm ]]; then
		"$@"
	elif [[ -n $WORK ]]; then
		"$RUNNER_DIR/chroot.sh" "$SUITE" run --bind "$WORK" -- "$@"
	else
		"$RUNNER_DIR/chroot.sh" "$SUITE" run -- "$@"
	fi
}

pkg_version() {
	in_builder apt-cache policy "$SRCPKG" 2>/dev/null | apt_candidates | cut -d' ' -f2
}

# The symbol a fragment line is about: CONFIG_X=..., "# CONFIG_X is not set" or "#-CONFIG_X".
fragment_symbol() {
	[[ $1 =~ ^(#-|#\ )?(CONFIG_[A-Za-z0-9_]+)(=|\ is\ not\ set$|$) ]] && echo "${BASH_REMATCH[2]}"
}

# The fragment of the series: debug.config, changed by debug-SERIES.config if there is one: a line
# of it replaces the line of debug.config about the same symbol (or is added), "#-CONFIG_X" takes
# X's line out (a symbol the series no longer has). Without one: debug.config as it is.
series_fragment() {
	local add=$DEBUG_DIR/debug-$SERIES.config line sym
	[[ -f $add ]] || { cat "$DEBUG_DIR/debug.config"; return 0; }
	local -A mine=()
	while IFS= read -r line; do
		sym=$(fragment_symbol "$line") && mine[$sym]=1
	done <"$add"
	while IFS= read -r line; do
		sym=$(fragment_symbol "$line") && [[ -n ${mine[$sym]:-} ]] && continue
		printf '%s\n' "$line"
	done <"$DEBUG_DIR/debug.config"
	printf '\n# --- %s\n' "${add##*/}"
	grep -v '^#-' "$add" || true
}

cache_key() {
	local pv=$1
	[[ -n $pv && $pv != "(none)" ]] || die "$SRCPKG has no apt candidate (apt-get update?)"
	{
		echo "recipe $RECIPE"
		echo "source $SRCPKG $pv"
		# (a vmlinux boot adds no line: the keys of the builds before bzImage boots stay)
		[[ $(boot_image) = vmlinux ]] || echo "boot $(boot_image)"
		in_builder gcc --version | head -n 1
		series_fragment
	} | sha256sum | cut -c1-16
}

# Every line of the fragment must be in .config ("# CONFIG_X is not set": X not y/m).
verify_config() {
	local cfg=$1 frag=$2 line sym bad=0
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
	done <"$frag"
	((bad == 0)) || die "olddefconfig dropped fragment lines (above): fix $DEBUG_DIR/debug{,-$SERIES}.config"
}

# The build tools: the host's (deps.sh) or the chroot's.
install_tools() {
	if [[ $SUITE = bookworm ]]; then
		"$RUNNER_DIR/deps.sh"
	else
		"$RUNNER_DIR/chroot.sh" "$SUITE" install "${CHROOT_BUILD_PKGS[@]}"
	fi
}

# fetch_source PV DIR: unpack linux-source-SERIES=PV into DIR/linux-source-SERIES (apt-get download
# on the host, or inside the chroot of the suite).
fetch_source() {
	local pv=$1 dir=$2 deb
	mkdir -p "$dir/deb"
	log "downloading $SRCPKG $pv ($SUITE)"
	if [[ $SUITE = bookworm ]]; then
		(cd "$dir/deb" && apt_get download -qq "$SRCPKG=$pv" >&2)
	else
		# shellcheck disable=SC2016 # expanded by the inner shell
		in_builder /bin/sh -c 'cd "$1" && apt-get download -qq "$2"' sh "$dir/deb" "$SRCPKG=$pv" >&2
	fi
	deb=$(find "$dir/deb" -name '*.deb' -print -quit)
	[[ -n $deb ]] || die "apt-get download $SRCPKG gave no .deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards "*/$SRCPKG.tar.xz" | tar -xJ -C "$dir"
	rm -rf "$dir/deb"
	[[ -f $dir/$SRCPKG/Makefile ]] || die "no kernel tree in $SRCPKG"
}

configure() {
	local src=$1 frag=$2
	series_fragment >"$frag"
	log "configuring (allnoconfig + the $SERIES fragment, $(grep -c '^CONFIG_\|^# CONFIG_' "$frag") lines + olddefconfig)"
	in_builder make -C "$src" -s KCONFIG_ALLCONFIG="$frag" allnoconfig >&2
	in_builder make -C "$src" -s olddefconfig >&2
	verify_config "$src/.config" "$frag"
}

# collect SRC OUT VER: the cache layout (see the header) from a built tree.
collect() {
	local src=$1 out=$2 ver=$3
	log "collecting $ver"
	in_builder env -C "$src" srctree=. SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
		sh scripts/package/install-extmod-build "$out/build" >&2
	cp "$src/.config" "$out/build/.config"
	cp "$src/vmlinux" "$out/vmlinux"
	if [[ $(boot_image) = bzImage ]]; then cp "$src/arch/x86/boot/bzImage" "$out/bzImage"; fi
	cp "$src/.config" "$out/config"
	cp "$src/System.map" "$out/System.map"
	in_builder make -C "$src" -s modules_install INSTALL_MOD_PATH="$out/root" >&2
	rm -f "$out/root/lib/modules/$ver/build" "$out/root/lib/modules/$ver/source"
	ln -s ../../../../build "$out/root/lib/modules/$ver/build"
}

# A module build against the collected tree must work before it is cached.
probe_build() {
	local tree=$1 dir=$2
	mkdir -p "$dir"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\nMODULE_DESCRIPTION("probe");\n' \
		>"$dir/probe.c"
	echo 'obj-m := probe.o' >"$dir/Kbuild"
	in_builder make -C "$tree" M="$dir" -s modules >&2 || die "external module build fails on $tree"
	rm -rf "$dir"
}

build() {
	local pv=$1 out=$2 tmp src ver t0 t1 targets=(vmlinux modules)
	t0=$(date +%s)
	install_tools
	tmp=$out.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "$SERIES" >"$tmp/series"
	WORK=$tmp
	fetch_source "$pv" "$tmp"
	src=$tmp/$SRCPKG
	configure "$src" "$tmp/fragment.config"

	if [[ $(boot_image) = bzImage ]]; then targets+=(bzImage); fi
	log "building ${targets[*]} with -j$JOBS ($SUITE, $(in_builder gcc --version | head -n 1))"
	if ! in_builder make -C "$src" -j"$JOBS" "${targets[@]}" >"$tmp/make.log" 2>&1; then
		tail -n 60 "$tmp/make.log" >&2
		die "kernel build failed (log: $tmp/make.log)"
	fi
	in_builder make -C "$src" -s modules_prepare >&2
	ver=$(in_builder make -C "$src" -s kernelrelease)
	[[ -n $ver ]] || die "no kernelrelease"
	collect "$src" "$tmp" "$ver"
	probe_build "$tmp/build" "$tmp/probe"
	if [[ ${SHMAP_DEBUG_KEEP:-0} = 1 ]]; then
		mv "$src" "$tmp/src"
	else
		rm -rf "$src"
	fi
	WORK=
	echo "$ver" >"$tmp/version"
	t1=$(date +%s)
	echo "$((t1 - t0))" >"$tmp/build-time"
	log "built $ver in $((t1 - t0)) s"
	touch "$tmp/.done"
	rm -rf "$out"
	mv -T "$tmp" "$out"
}

# The series of a cache directory: its series file, else (older builds) its version's.
dir_series() {
	if [[ -f $1/series ]]; then
		cat "$1/series"
	elif [[ -f $1/version ]]; then
		version_series "$(cat "$1/version")"
	fi
}

# Older builds of this series (previous source version, fragment or compiler) are dead weight;
# the other series' builds stay.
prune() {
	local keep=$1 d
	for d in "$SHMAP_CACHE"/debug-*; do
		[[ -d $d && ${d##*/} != "${keep##*/}" ]] || continue
		if [[ $(dir_series "$d") = "$SERIES" ]]; then
			log "removing the older $SERIES build ${d##*/}"
			rm -rf "$d"
		fi
	done
}

link() {
	local out=$1 ver=$2 kd
	[[ ${SHMAP_DEBUG_NOLINK:-0} = 1 ]] && return 0
	kd=$(kernel_dir "$ver")
	mkdir -p "$(dirname "$kd")"
	if [[ $(readlink "$kd" 2>/dev/null) != "../${out##*/}" ]]; then
		rm -rf "$kd"
		ln -sfn "../${out##*/}" "$kd"
	fi
	[[ $SUITE = bookworm ]] || return 0
	mkdir -p "/lib/modules/$ver"
	if [[ $(readlink "/lib/modules/$ver/build" 2>/dev/null) != "$out/build" ]]; then
		rm -rf "/lib/modules/$ver/build"
		ln -sfn "$out/build" "/lib/modules/$ver/build"
	fi
}

# One lock per series (the 6.12 one keeps its old name).
lock_file() {
	if [[ $SERIES = 6.12 ]]; then echo "$SHMAP_CACHE/debug.lock"; else echo "$SHMAP_CACHE/debug:$SERIES.lock"; fi
}

main() {
	local cmd=${1:-build} pv key out ver
	case $cmd in
	build | dir | key) ;;
	*) die "usage: $0 [build|dir|key] [debug|debug:SERIES]" ;;
	esac
	set_series "${2:-debug}"
	[[ $SUITE = bookworm ]] || "$RUNNER_DIR/chroot.sh" "$SUITE" ensure >/dev/null
	pv=$(pkg_version)
	key=$(cache_key "$pv")
	[[ $cmd = key ]] && { echo "$key"; return 0; }
	out=$SHMAP_CACHE/debug-$key
	mkdir -p "$SHMAP_CACHE"
	exec 9>"$(lock_file)"
	flock 9
	if [[ ! -e $out/.done ]]; then
		build "$pv" "$out"
		prune "$out"
	fi
	ver=$(cat "$out/version")
	link "$out" "$ver"
	flock -u 9
	case $cmd in
	build) echo "$ver" ;;
	dir) echo "$out" ;;
	esac
}

main "$@"
