#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A Debian sid chroot for the 7.x kernels (sid: 7.2, experimental: 7.3-rc), whose headers need
# gcc-16 and a newer libc than the host has. The module is built there through DKMS.
#   sid-chroot.sh ensure            create the chroot once (debootstrap + apt setup); prints its path
#   sid-chroot.sh update            apt-get update + dist-upgrade inside (creates it if needed)
#   sid-chroot.sh resolve [SPEC...] print one exact 7.x version per SPEC (default: $SID_KERNELS or
#                                   "7.2 7.3"); SPEC is a series (7.2, 7.3) or an exact ABI name
#                                   (7.2.13+deb14-amd64, 7.3-amd64). The newest ABI whose headers,
#                                   linux-binary[-unsigned]-VER and linux-modules-VER all have a
#                                   candidate (sid, or experimental pinned at 1).
#   sid-chroot.sh headers VER       install linux-headers-VER inside (exact version, no -t); prints
#                                   the kernel build dir inside the chroot (/lib/modules/VER/build)
#   sid-chroot.sh build VER         build + install the module through DKMS inside the chroot in
#                                   hermetic trees $BUILD/dkms/VER (as build-module.sh on the host;
#                                   fetches the kernel with sid-kernel.sh prepare VER first);
#                                   prints the host path of the installed shmap.ko.xz
#   sid-chroot.sh lint VER          W=1 + sparse (C=2) build of src/ against VER's headers in the
#                                   chroot ($BUILD/lint/VER/lint.log); exit 1 on any diagnostic
#   sid-chroot.sh candidate PKG     the version apt would install of PKG in the chroot, or nothing
#   sid-chroot.sh run [--bind DIR]... [--] CMD [ARG...]
#                                   run CMD in the chroot, with /proc, /dev and each DIR bind-mounted
#                                   at the same path; mounts live in a private mount namespace, so
#                                   they vanish with the command whatever way it ends
# Env: SHMAP_CACHE (chroot at $SHMAP_CACHE/sid-chroot), BUILD, SHMAP_SRC, SHMAP_APT_UPDATE=1.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

SID_ROOT=$SHMAP_CACHE/sid-chroot
# What DKMS and the checks need inside, beyond minbase: dkms (brings kmod, dpkg-dev, patch; the
# compiler, gcc-16, comes with each linux-headers package),
# xz-utils (DKMS compresses the module like the kernel's own), openssl (DKMS signs with its own
# MOK key since CONFIG_MODULE_SIG=y), sparse (make C=2).
SID_PKGS=(make dkms xz-utils openssl sparse kmod)

# run_in [--bind DIR]... [--] CMD...: see the header.
run_in() {
	local binds=()
	while (($#)); do
		case $1 in
		--bind) binds+=("$(cd "$2" && pwd -P)"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	(($#)) || die "run: no command"
	[[ -x $SID_ROOT/bin/sh ]] || die "no chroot at $SID_ROOT (run $0 ensure)"
	# unshare: a private mount namespace dies with its last process, taking the mounts with it
	# (they are never visible on the host); --kill-child: if unshare is killed, so is the command.
	# shellcheck disable=SC2016 # the script expands its own arguments
	unshare --mount --propagation private --fork --kill-child -- /bin/bash -euc '
		r=$1 n=$2; shift 2
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/run"
		for ((i = 0; i < n; i++)); do
			mkdir -p "$r$1"
			mount --rbind "$1" "$r$1"
			shift
		done
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive INITRD=No "$@"
	' run-in "$SID_ROOT" "${#binds[@]}" "${binds[@]}" "$@"
}

# Serialise everything that changes the chroot (several runner jobs may start at once).
with_lock() {
	mkdir -p "$SHMAP_CACHE"
	exec 9>"$SHMAP_CACHE/sid-chroot.lock"
	flock 9
}
# Release it before running anything that may take it again (child processes inherit fd 9).
unlock() { exec 9>&-; }

apt_in() { run_in apt-get -o Dpkg::Use-Pty=0 -qq "$@"; }

cmd_ensure() {
	with_lock
	if [[ ! -e $SID_ROOT/.done ]]; then
		local mirror tmp t0=$SECONDS
		mirror=$(debian_mirror)
		command -v debootstrap >/dev/null || "$RUNNER_DIR/deps.sh"
		tmp=$SID_ROOT.tmp
		rm -rf "$tmp" "$SID_ROOT"
		log "debootstrap sid into $SID_ROOT ($mirror)"
		debootstrap --variant=minbase --include=make sid "$tmp" "$mirror" >"$SHMAP_CACHE/sid-debootstrap.log" 2>&1 ||
			{ tail -n 30 "$SHMAP_CACHE/sid-debootstrap.log" >&2; die "debootstrap failed"; }
		mv "$tmp" "$SID_ROOT"
		# The archive snapshot is frozen: its Release files are past Valid-Until.
		cp /etc/hosts "$SID_ROOT/etc/hosts"
		cat >"$SID_ROOT/etc/apt/apt.conf.d/99shmap" <<-'EOF'
			Acquire::Check-Valid-Until "false";
			APT::Install-Recommends "false";
			APT::Sandbox::User "root";
		EOF
		rm -f "$SID_ROOT/etc/apt/sources.list"
		cat >"$SID_ROOT/etc/apt/sources.list.d/debian.sources" <<-EOF
			Types: deb
			URIs: $mirror
			Suites: sid experimental
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		# Experimental only for what is asked for by exact version, never as an upgrade.
		cat >"$SID_ROOT/etc/apt/preferences.d/experimental" <<-'EOF'
			Package: *
			Pin: release a=experimental
			Pin-Priority: 1
		EOF
		# No daemons in the chroot.
		printf '#!/bin/sh\nexit 101\n' >"$SID_ROOT/usr/sbin/policy-rc.d"
		chmod 0755 "$SID_ROOT/usr/sbin/policy-rc.d"
		apt_in update
		log "installing in the chroot: ${SID_PKGS[*]}"
		apt_in install -y "${SID_PKGS[@]}" >/dev/null
		apt_in clean
		# DKMS makes its signing key on first use: here, not in two builds at once.
		run_in dkms generate_mok >/dev/null || log "warning: dkms generate_mok failed"
		touch "$SID_ROOT/.done"
		log "chroot ready in $((SECONDS - t0))s"
	elif [[ ${SHMAP_APT_UPDATE:-0} = 1 ]]; then
		apt_in update
	fi
	unlock
	echo "$SID_ROOT"
}

cmd_update() {
	cmd_ensure >/dev/null
	with_lock
	apt_in update
	apt_in dist-upgrade -y >/dev/null
	apt_in install -y "${SID_PKGS[@]}" >/dev/null
	apt_in clean
	unlock
}

# The version apt would install of a package in the chroot, or nothing.
candidate() { run_in apt-cache policy "$1" 2>/dev/null | apt_candidates | cut -d' ' -f2; }
has_candidate() { local c; c=$(candidate "$1"); [[ -n $c && $c != "(none)" ]]; }

# The package holding the kernel image of VER: the unsigned one when it exists.
binary_pkg() {
	if has_candidate "linux-binary-unsigned-$1"; then echo "linux-binary-unsigned-$1"
	elif has_candidate "linux-binary-$1"; then echo "linux-binary-$1"
	else return 1; fi
}

installable() {
	has_candidate "linux-headers-$1" && binary_pkg "$1" >/dev/null && has_candidate "linux-modules-$1"
}

resolve_one() {
	local spec=$1 re v
	if [[ $spec =~ ^[0-9]+\.[0-9]+$ ]]; then
		# 7.2.13+deb14-amd64 (sid), 7.3-amd64 (experimental rc)
		re="^linux-headers-${spec//./\\.}(\\.[0-9]+)?(-[0-9]+)?(\\+deb[0-9]+)?-amd64\$"
		while read -r v; do
			v=${v#linux-headers-}
			if installable "$v"; then echo "$v"; return 0; fi
		done < <(run_in apt-cache pkgnames linux-headers- | grep -E "$re" | sort -rV)
		die "no installable 7.x kernel of series $spec in the sid chroot"
	elif [[ $spec =~ ^[0-9]+\.[0-9]+[.0-9a-z+~-]*-amd64$ ]]; then
		installable "$spec" || [[ -e $(kernel_dir "$spec")/.done && -e $SID_ROOT/lib/modules/$spec/build/Makefile ]] ||
			die "kernel $spec: headers, linux-binary or linux-modules not installable in the sid chroot"
		echo "$spec"
	else
		die "bad kernel spec '$spec' (want a series like 7.2 or a version like 7.2.13+deb14-amd64)"
	fi
}

cmd_resolve() {
	cmd_ensure >/dev/null
	local s
	# shellcheck disable=SC2086 # SID_KERNELS is a space-separated list
	(($#)) || set -- ${SID_KERNELS:-7.2 7.3}
	for s in "$@"; do resolve_one "$s"; done
}

cmd_headers() {
	local ver=$1 v t0=$SECONDS
	cmd_ensure >/dev/null
	if [[ ! -e $SID_ROOT/lib/modules/$ver/build/Makefile ]]; then
		with_lock
		v=$(candidate "linux-headers-$ver")
		[[ -n $v && $v != "(none)" ]] || die "linux-headers-$ver has no candidate in the sid chroot"
		log "installing linux-headers-$ver=$v in the chroot"
		# Exact version: experimental packages stay at priority 1 otherwise.
		apt_in install -y "linux-headers-$ver=$v" >/dev/null
		apt_in clean
		[[ -e $SID_ROOT/lib/modules/$ver/build/Makefile ]] || die "headers of $ver installed but no build dir"
		log "headers of $ver installed in $((SECONDS - t0))s"
		unlock
	fi
	echo "/lib/modules/$ver/build"
}

# DKMS inside the chroot, in hermetic trees: dkms-build.sh, as build-module.sh runs it on the host
# for 6.x, in $BUILD/dkms/VER/{source,dkms,lib/modules}. One difference: DKMS 3.2 (sid) takes the module
# compression from the modules it finds under the install tree for that kernel (3.0 read
# /lib/modules/VER/modules.dep), at build time under /lib/modules (sid-kernel.sh puts the image's
# brd.ko.xz there) and at install time under --installtree, which is seeded with the same file
# (removed afterwards). Without it DKMS builds shmap.ko.xz and then looks for shmap.ko.
cmd_build() {
	local ver=$1 pkg=shmap pver w src
	cmd_headers "$ver" >/dev/null
	local seed
	seed=$("$RUNNER_DIR/sid-kernel.sh" prepare "$ver")/root/lib/modules/$ver/kernel/drivers/block
	pver=$(shmap_version)
	[[ -n $pver ]] || die "no PACKAGE_VERSION in $SHMAP_SRC/dkms.conf"
	mkdir -p "$BUILD"
	w=$(cd "$BUILD" && pwd -P)/dkms/$ver
	rm -rf "$w"
	src=$w/source/$pkg-$pver
	mkdir -p "$src" "$w/dkms" "$w/lib/modules/$ver/kernel/drivers/block"
	cp "$seed"/brd.ko* "$w/lib/modules/$ver/kernel/drivers/block/" 2>/dev/null || true
	copy_module_sources "$src"
	cp "$RUNNER_DIR/dkms-build.sh" "$w/"
	log "dkms build $pkg/$pver for $ver (sid chroot)"
	# Without a signing key, the first build makes one: one such build at a time.
	[[ -f $SID_ROOT/var/lib/dkms/mok.key ]] || with_lock
	run_in --bind "$w" -- /bin/bash "$w/dkms-build.sh" "$w" "$pkg" "$pver" "$ver" "/lib/modules/$ver/build" >&2 ||
		die "dkms failed for $ver in the sid chroot"
	unlock
	rm -rf "$w/lib/modules/$ver/kernel"
	local ko
	ko=$(find "$w/lib/modules/$ver/updates/dkms" -name "$pkg.ko*" -print -quit 2>/dev/null || true)
	[[ -n $ko ]] || { cat "$w/dkms.log" >&2; die "dkms installed no $pkg.ko for $ver"; }
	echo "$ko"
}

# W=1 and sparse (C=2) on a copy of src/ + include/ against VER's headers; fails on any
# compiler or sparse diagnostic. Debian's header packages lack scripts/checker-valid.sh, so the
# top Makefile's "C=2 specified, but sparse is not available" check always fails and turns
# sparse off: KBUILD_CHECKSRC=2 on the command line overrides that (its message is filtered).
cmd_lint() {
	local ver=$1 w out p
	cmd_headers "$ver" >/dev/null
	mkdir -p "$BUILD"
	w=$(cd "$BUILD" && pwd -P)/lint/$ver
	rm -rf "$w"
	mkdir -p "$w"
	for p in src include; do cp -a "$SHMAP_SRC/$p" "$w/"; done
	find "$w" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
	out=$w/lint.log
	if ! run_in --bind "$w" -- make -C "/lib/modules/$ver/build" M="$w/src" W=1 C=2 KBUILD_CHECKSRC=2 \
		modules >"$out" 2>&1; then
		cat "$out" >&2
		die "W=1 C=2 build failed for $ver"
	fi
	if grep -vE 'checker-valid\.sh: No such file|C=2 specified, but sparse is not available' "$out" |
		grep -E 'warning|error|note:' >&2; then
		die "W=1/sparse diagnostics for $ver (full log: $out)"
	fi
	grep -q 'CHECK ' "$out" || die "sparse did not run for $ver ($out)"
	log "W=1 + sparse clean for $ver"
}

case ${1:-} in
ensure) cmd_ensure ;;
update) cmd_update ;;
resolve) shift; cmd_resolve "$@" ;;
headers) [[ $# -eq 2 ]] || die "usage: $0 headers VER"; cmd_headers "$2" ;;
build) [[ $# -eq 2 ]] || die "usage: $0 build VER"; cmd_build "$2" ;;
lint) [[ $# -eq 2 ]] || die "usage: $0 lint VER"; cmd_lint "$2" ;;
run) shift; run_in "$@" ;;
candidate) [[ $# -eq 2 ]] || die "usage: $0 candidate PKG"; candidate "$2" ;;
*) die "usage: $0 ensure | update | resolve [SPEC...] | headers VER | build VER | lint VER | run [--bind DIR]... [--] CMD... | candidate PKG" ;;
esac
