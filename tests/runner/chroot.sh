#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian chroots that build shmap for Debian's kernels with each suite's own compiler and
# DKMS, and that the packaging tests install the packages in: one manager for every suite.
#   bookworm  6.1, 6.12+deb12 and the 6.12 debug kernel (gcc-12, dkms 3.0); the packaging tests
#             install there; the runner builds bookworm's modules on the host (a bookworm machine)
#   trixie    trixie, trixie-updates, trixie-security and trixie-backports: 6.12+deb13, 7.3.x+deb13
#             and the 7.3 debug kernel (gcc-14, dkms 3.2)
#   sid       sid and experimental (pinned at 1): 7.2, 7.3-rc (gcc-16, dkms 3.2)
# A chroot is a minbase debootstrap at $SHMAP_CACHE/SUITE-chroot with the packages of
# CHROOT_PKGS; headers are added per kernel, by exact version (never -t).
#   chroot.sh SUITE ensure            create the chroot once; prints its path
#   chroot.sh SUITE update            apt-get update + dist-upgrade inside
#   chroot.sh SUITE resolve SPEC...   one exact kernel version per SPEC: a series (6.12, 7.3) gives
#                                     the newest ABI whose headers, image (linux-image-VER-unsigned,
#                                     or linux-binary[-unsigned]-VER + linux-modules-VER) have a
#                                     candidate; an exact ABI name (7.3.4+deb13-amd64) is checked
#   chroot.sh SUITE headers VER       linux-headers-VER inside (the debug kernels: their build tree
#                                     and modules copied in); prints the build dir inside
#                                     (/lib/modules/VER/build)
#   chroot.sh SUITE build VER         build + install the module through DKMS inside, in hermetic
#                                     trees $BUILD/dkms/VER (as build-module.sh on the host); prints
#                                     the host path of the installed shmap.ko*
#   chroot.sh SUITE candidate PKG     the version apt would install of PKG inside, or nothing
#   chroot.sh SUITE image-pkgs VER    the packages that hold the image and modules of VER
#   chroot.sh SUITE install PKG...    apt-get install inside (under the chroot's lock)
#   chroot.sh SUITE run [--bind DIR]... [--] CMD [ARG...]
#                                     run CMD inside, with /proc, /dev and each DIR bind-mounted at
#                                     the same path, in a private mount namespace (the mounts vanish
#                                     with the command whatever way it ends)
#   chroot.sh bookworm bootstrap DIR  a pristine minbase bookworm in DIR: the host's apt sources,
#                                     no package lists, nothing installed (a brand-new machine;
#                                     tests/packaging/fresh-machine.sh)
# Env: SHMAP_CACHE, BUILD, SHMAP_SRC, SHMAP_APT_UPDATE=1 (apt-get update at ensure).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

SUITE=${1:-}
case $SUITE in
bookworm | trixie | sid) ;;
*) die "usage: $0 bookworm|trixie|sid COMMAND... (see the header)" ;;
esac
shift
ROOT=$SHMAP_CACHE/$SUITE-chroot
# What DKMS, the packaging tests and the checks need beyond minbase: dkms (brings kmod,
# dpkg-dev, patch; the compiler comes with each linux-headers package), xz-utils (DKMS
# compresses the module like the kernel's own), openssl (DKMS signs with its own MOK key),
# sparse (make C=2), g++ and pkg-config (programs built against the installed library),
# ca-certificates.
CHROOT_PKGS=(make dkms kmod xz-utils openssl sparse g++ pkg-config ca-certificates)

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
	[[ -x $ROOT/bin/sh ]] || die "no chroot at $ROOT (run $0 $SUITE ensure)"
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
	' run-in "$ROOT" "${#binds[@]}" "${binds[@]}" "$@"
}

# Serialise everything that changes the chroot (several runner jobs may start at once); the
# packaging tests hold the same lock shared while an overlay of the chroot is mounted.
with_lock() {
	mkdir -p "$SHMAP_CACHE"
	exec 9>"$ROOT.lock"
	flock 9
}
# Release it before running anything that may take it again (child processes inherit fd 9).
unlock() { exec 9>&-; }

apt_in() { run_in apt-get -o Dpkg::Use-Pty=0 -qq "$@"; }

# The apt sources of the suite, on the host's mirrors (tests/runner/lib.sh debian_mirror).
write_sources() {
	local dir=$1 mirror security suites
	mirror=$(debian_mirror)
	security=$(debian_mirror bookworm-security)
	case $SUITE in
	bookworm) suites="bookworm bookworm-updates" ;;
	trixie) suites="trixie trixie-updates trixie-backports" ;;
	sid) suites="sid experimental" ;;
	esac
	rm -f "$dir/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$mirror" "$suites"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [[ $SUITE != sid ]]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$SUITE"
			printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$dir/etc/apt/sources.list.d/debian.sources"
	# Experimental only for what is asked for by exact version, never as an upgrade; backports
	# are NotAutomatic in their Release file already (priority 100).
	if [[ $SUITE = sid ]]; then
		printf 'Package: *\nPin: release a=experimental\nPin-Priority: 1\n' \
			>"$dir/etc/apt/preferences.d/experimental"
	fi
}

# bootstrap DIR LOG: minbase debootstrap of the suite into DIR set up for this archive: the
# snapshot is frozen (Valid-Until off), the host's /etc/hosts, no daemons, no initramfs.
bootstrap() {
	local dir=$1 log=$2 mirror
	mirror=$(debian_mirror)
	command -v debootstrap >/dev/null || "$RUNNER_DIR/deps.sh"
	rm -rf "$dir"
	mkdir -p "$dir"
	log "debootstrap $SUITE into $dir ($mirror)"
	debootstrap --variant=minbase "$SUITE" "$dir" "$mirror" >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "debootstrap $SUITE failed (log: $log)"; }
	cp /etc/hosts "$dir/etc/hosts"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	cat >"$dir/etc/apt/apt.conf.d/99shmap" <<-'EOF'
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
		APT::Sandbox::User "root";
	EOF
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 0755 "$dir/usr/sbin/policy-rc.d"
	# No kernel image in such a chroot is ever booted.
	mkdir -p "$dir/etc/initramfs-tools"
}

# A pristine bookworm: the host's own apt sources and no package lists (debootstrap's are of
# its one suite): as on a new machine, the first apt-get update makes them.
cmd_bootstrap() {
	local dir=$1
	[[ $SUITE = bookworm ]] || die "bootstrap: only bookworm (the host's suite)"
	bootstrap "$dir" "$dir.debootstrap.log"
	rm -rf "$dir/var/lib/apt/lists"
	mkdir -p "$dir/var/lib/apt/lists/partial"
	rm -f "$dir/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
	if [[ -r /etc/apt/sources.list ]]; then cp /etc/apt/sources.list "$dir/etc/apt/sources.list"; fi
	# apt as a new machine has it, but for the frozen snapshot.
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99shmap"
	rm -f "$dir.debootstrap.log"
}

cmd_ensure() {
	with_lock
	if [[ ! -e $ROOT/.done ]]; then
		local tmp=$ROOT.tmp t0=$SECONDS
		rm -rf "$ROOT"
		bootstrap "$tmp" "$SHMAP_CACHE/$SUITE-debootstrap.log"
		write_sources "$tmp"
		mv "$tmp" "$ROOT"
		apt_in update
		log "installing in the $SUITE chroot: ${CHROOT_PKGS[*]}"
		apt_in install -y "${CHROOT_PKGS[@]}" >/dev/null
		apt_in clean
		# DKMS makes its signing key on first use: here, not in two builds at once.
		run_in dkms generate_mok >/dev/null 2>&1 || log "note: dkms generate_mok failed (dkms < 3.1 makes it at the first build)"
		echo "${CHROOT_PKGS[*]}" >"$ROOT/.done"
		log "$SUITE chroot ready in $((SECONDS - t0))s"
	else
		[[ ${SHMAP_APT_UPDATE:-0} = 1 ]] && apt_in update
		# A chroot made with an older package list gets the missing ones.
		if [[ $(cat "$ROOT/.done") != "${CHROOT_PKGS[*]}" ]]; then
			log "installing in the $SUITE chroot: ${CHROOT_PKGS[*]}"
			apt_in install -y "${CHROOT_PKGS[@]}" >/dev/null ||
				{ apt_in update && apt_in install -y "${CHROOT_PKGS[@]}" >/dev/null; }
			apt_in clean
			echo "${CHROOT_PKGS[*]}" >"$ROOT/.done"
		fi
	fi
	unlock
	echo "$ROOT"
}

cmd_update() {
	cmd_ensure >/dev/null
	with_lock
	apt_in update
	apt_in dist-upgrade -y >/dev/null
	apt_in clean
	unlock
}

cmd_install() {
	cmd_ensure >/dev/null
	with_lock
	apt_in install -y "$@" >/dev/null || { apt_in update && apt_in install -y "$@" >/dev/null; }
	apt_in clean
	unlock
}

# The version apt would install of a package in the chroot, or nothing.
candidate() { run_in apt-cache policy "$1" 2>/dev/null | apt_candidates | cut -d' ' -f2; }
# The packages that have a candidate, among the given ones (one apt-cache call).
with_candidates() { run_in apt-cache policy "$@" 2>/dev/null | apt_candidates | cut -d' ' -f1; }

# The packages holding the image and modules of VER, from the list of packages with a
# candidate: linux-image-VER-unsigned (bookworm and trixie's 6.12), else linux-binary-unsigned-VER
# or linux-binary-VER with linux-modules-VER (7.x: the image and the modules split).
image_pkgs() {
	local v=$1 ok=" $2 "
	if [[ $ok = *" linux-image-$v-unsigned "* ]]; then
		echo "linux-image-$v-unsigned"
	elif [[ $ok = *" linux-modules-$v "* && $ok = *" linux-binary-unsigned-$v "* ]]; then
		echo "linux-binary-unsigned-$v linux-modules-$v"
	elif [[ $ok = *" linux-modules-$v "* && $ok = *" linux-binary-$v "* ]]; then
		echo "linux-binary-$v linux-modules-$v"
	else
		return 1
	fi
}

cmd_image_pkgs() {
	local v=$1 ok
	ok=$(with_candidates "linux-image-$v-unsigned" "linux-binary-unsigned-$v" "linux-binary-$v" \
		"linux-modules-$v" | tr '\n' ' ')
	image_pkgs "$v" "$ok" || die "no image package of $v has a candidate in the $SUITE chroot"
}

resolve_one() {
	local spec=$1 re v names=() all ok
	if [[ $spec =~ ^[0-9]+\.[0-9]+$ ]]; then
		# 6.12.117+deb13-amd64 (trixie), 7.2.13+deb14-amd64 (sid), 7.3-amd64 (experimental rc)
		re="^linux-headers-${spec//./\\.}(\\.[0-9]+)?(-[0-9]+)?(\\+deb[0-9]+)?-amd64\$"
		mapfile -t all < <(run_in apt-cache pkgnames linux-headers- | grep -E "$re" |
			sed 's/^linux-headers-//' | sort -rV)
	elif [[ $spec =~ ^[0-9]+\.[0-9]+[.0-9a-z+~-]*-amd64$ ]]; then
		all=("$spec")
	else
		die "bad kernel spec '$spec' (want a series like 7.3 or a version like 7.3.4+deb13-amd64)"
	fi
	for v in "${all[@]}"; do
		names+=("linux-headers-$v" "linux-image-$v-unsigned" "linux-binary-unsigned-$v" \
			"linux-binary-$v" "linux-modules-$v")
	done
	ok=" $( ((${#names[@]})) && with_candidates "${names[@]}" | tr '\n' ' ') "
	for v in "${all[@]}"; do
		if [[ $ok = *" linux-headers-$v "* ]] && image_pkgs "$v" "$ok" >/dev/null; then
			echo "$v"
			return 0
		fi
		# An exact version whose packages left the archive but are cached still works.
		if [[ $spec = "$v" && -e $(kernel_dir "$v")/.done && -e $ROOT/lib/modules/$v/build/Makefile ]]; then
			echo "$v"
			return 0
		fi
	done
	die "no installable kernel for '$spec' in the $SUITE chroot (headers + image)"
}

cmd_resolve() {
	cmd_ensure >/dev/null
	local s
	for s in "$@"; do resolve_one "$s"; done
}

# A debug kernel (tests/debug-kernel/kernel.sh) has no packages: its build tree, in the kernel
# cache, stands in for a headers package, and its modules_install output (brd.ko, modules.dep,
# modules.builtin*) for the installed image: DKMS 3.2 compresses a module like the modules it
# finds in /lib/modules/VER (the debug kernels' are not compressed) and runs depmod only where
# modules.dep exists. The build tree is marked with the kernel's cache directory and the whole
# of /lib/modules/VER replaced when the kernel changes.
add_build_tree() {
	local ver=$1 kd dir=$ROOT/lib/modules/$1 key
	kd=$(kernel_dir "$ver")
	[[ -d $kd/build ]] || die "debug kernel $ver is not built (no $kd/build)"
	key=$(readlink -f "$kd")
	[[ $(cat "$dir/build/.shmap-tree" 2>/dev/null) = "$key" && -e $dir/modules.dep ]] && return 0
	with_lock
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a "$kd/root/lib/modules/$ver/." "$dir/"
	rm -f "$dir/build"
	cp -a "$kd/build" "$dir/build"
	echo "$key" >"$dir/build/.shmap-tree"
	unlock
}

cmd_headers() {
	local ver=$1 v t0=$SECONDS
	cmd_ensure >/dev/null
	if is_debug_kernel "$ver"; then
		add_build_tree "$ver"
	elif [[ ! -e $ROOT/lib/modules/$ver/build/Makefile ]]; then
		with_lock
		v=$(candidate "linux-headers-$ver")
		[[ -n $v ]] || die "linux-headers-$ver has no candidate in the $SUITE chroot"
		log "installing linux-headers-$ver=$v in the $SUITE chroot"
		# Exact version: experimental packages stay at priority 1 otherwise.
		apt_in install -y "linux-headers-$ver=$v" >/dev/null
		apt_in clean
		[[ -e $ROOT/lib/modules/$ver/build/Makefile ]] || die "headers of $ver installed but no build dir"
		log "headers of $ver installed in $((SECONDS - t0))s"
		unlock
	fi
	echo "/lib/modules/$ver/build"
}

# DKMS inside the chroot, in hermetic trees: dkms-build.sh, as build-module.sh runs it on the host,
# in $BUILD/dkms/VER/{source,dkms,lib/modules}. DKMS 3.2 (trixie, sid) takes the module
# compression from the modules it finds under the install tree for that kernel (3.0 read
# /lib/modules/VER/modules.dep), at build time under /lib/modules (chroot-kernel.sh puts the
# image's brd.ko* there, add_build_tree a debug kernel's brd.ko) and at install time under
# --installtree, which is seeded with the same file (removed afterwards). Without it DKMS builds
# shmap.ko.xz and then looks for shmap.ko.
cmd_build() {
	local ver=$1 pkg=shmap pver w src seed kd
	cmd_headers "$ver" >/dev/null
	kd=$("$RUNNER_DIR/kernels.sh" prepare "$ver")
	seed=$kd/root/lib/modules/$ver/kernel/drivers/block
	pver=$(shmap_version)
	[[ -n $pver ]] || die "no VERSION in $SHMAP_SRC/Makefile"
	mkdir -p "$BUILD"
	w=$(cd "$BUILD" && pwd -P)/dkms/$ver
	rm -rf "$w"
	src=$w/source/$pkg-$pver
	mkdir -p "$src" "$w/dkms" "$w/lib/modules/$ver/kernel/drivers/block"
	cp "$seed"/brd.ko* "$w/lib/modules/$ver/kernel/drivers/block/" 2>/dev/null || true
	copy_module_sources "$src"
	cp "$RUNNER_DIR/dkms-build.sh" "$w/"
	log "dkms build $pkg/$pver for $ver ($SUITE chroot)"
	# Without a signing key, the first build makes one: one such build at a time.
	[[ -f $ROOT/var/lib/dkms/mok.key ]] || with_lock
	run_in --bind "$w" -- /bin/bash "$w/dkms-build.sh" "$w" "$pkg" "$pver" "$ver" "/lib/modules/$ver/build" >&2 ||
		die "dkms failed for $ver in the $SUITE chroot"
	unlock
	rm -rf "$w/lib/modules/$ver/kernel"
	local ko
	ko=$(find "$w/lib/modules/$ver/updates/dkms" -name "$pkg.ko*" -print -quit 2>/dev/null || true)
	[[ -n $ko ]] || { cat "$w/dkms.log" >&2; die "dkms installed no $pkg.ko for $ver"; }
	echo "$ko"
}

need() { [[ $1 -eq $2 ]] || die "usage: $0 $SUITE $3"; }
cmd=${1:-}
(($#)) && shift
case $cmd in
ensure) cmd_ensure ;;
update) cmd_update ;;
resolve) cmd_resolve "$@" ;;
headers) need $# 1 "headers VER"; cmd_headers "$1" ;;
build) need $# 1 "build VER"; cmd_build "$1" ;;
run) run_in "$@" ;;
candidate) need $# 1 "candidate PKG"; candidate "$1" ;;
image-pkgs) need $# 1 "image-pkgs VER"; cmd_image_pkgs "$1" ;;
install) (($#)) || die "usage: $0 $SUITE install PKG..."; cmd_install "$@" ;;
bootstrap) need $# 1 "bootstrap DIR"; cmd_bootstrap "$1" ;;
*) die "usage: $0 $SUITE ensure | update | resolve SPEC... | headers VER | build VER | run [--bind DIR]... [--] CMD... | candidate PKG | image-pkgs VER | install PKG... | bootstrap DIR" ;;
esac
