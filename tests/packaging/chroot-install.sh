#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the shmap packages in a bookworm, trixie or sid chroot, as a user would.
#
#   tests/packaging/chroot-install.sh [--chroot bookworm|trixie|sid] DEBDIR MODDIR [KVER...]
#
# DEBDIR holds the .deb files (tests/packaging/build-debs.sh). KVER...
# (default: $KERNELS, else every linux-headers-*-ARCH installed on the
# host) are the kernels whose headers the chroot gets; they decide the
# chroot (--chroot only checks that): the one of their suite, kept by the
# test runner under ${SHMAP_CACHE:-/var/cache/shmap}/SUITE-chroot
# (tests/runner/chroot.sh, which also installs the headers there; the same
# bookworm-built packages are installed everywhere; on trixie and sid DKMS
# 3.2 builds shmap.ko.xz). Each run works in a throw-away
# overlay on top of the chroot, in a private mount namespace (nothing stays
# mounted, the cache is never changed by a run).
#
# Checks: `apt install ./shmap-dkms_*.deb ./libshmap1_*.deb
# ./libshmap-dev_*.deb ./shmap-utils_*.deb` builds the module with DKMS for
# every kernel; the module is in /lib/modules/KVER/updates/dkms, is signed
# with the MOK key dkms generated, and is copied to MODDIR/KVER/ (the file
# the test runner loads in its guests); programs build against the
# installed library with pkg-config, as C and as C++, dynamically and
# statically, and run; the installed examples build statically into
# MODDIR/../programs/SUITE, which the guests run; shmapctl
# runs; `apt purge` leaves nothing behind.
# TAP on stdout; exit status 1 if anything failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() { echo "usage: $0 [--chroot bookworm|trixie|sid] DEBDIR MODDIR [KVER...]" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
enter_private_mount_namespace "$@"

chroot_opt=
if [ "${1:-}" = --chroot ]; then
	[ $# -ge 2 ] || usage
	chroot_opt=$2
	shift 2
fi
[ $# -ge 2 ] || usage
debdir=$(cd "$1" && pwd)
mkdir -p "$2"
moddir=$(cd "$2" && pwd)
shift 2
use_kernels "$chroot_opt" "$@"

# The newest build of each package in DEBDIR.
pick_deb() {
	find "$debdir" -maxdepth 1 -name "$1_*.deb" | sort -V | tail -n1
}
debs=()
for p in shmap-dkms libshmap1 libshmap-dev shmap-utils; do
	d=$(pick_deb "$p")
	[ -n "$d" ] || die "no ${p}_*.deb in $debdir"
	debs+=("$d")
done

use_work_dir
version=$(make -s -C "$here/../.." version)

# --- the chroot --------------------------------------------------------------

chroot_ensure "${kernels[@]}"
if [ "$CHROOT_CREATED" = 1 ]; then
	ok "$CHROOT_NAME chroot created with headers for ${kernels[*]}"
	diag "time: chroot creation (debootstrap, dkms, headers) $CHROOT_SECONDS s"
else
	ok "$CHROOT_NAME chroot cached ($CHROOT_BASE)"
	diag "time: chroot check/update $CHROOT_SECONDS s"
fi
overlay_mount "$work"
for k in "${kernels[@]}"; do
	check "headers for $k in the chroot" test -e "$ROOT/lib/modules/$k/build/Makefile"
done

# --- install -----------------------------------------------------------------

mkdir -p "$ROOT/tmp/debs"
cp "${debs[@]}" "$ROOT/tmp/debs/"
start=$(now)
if in_chroot sh -c 'cd /tmp/debs && apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends \
		install ./shmap-dkms_*.deb ./libshmap1_*.deb ./libshmap-dev_*.deb ./shmap-utils_*.deb' \
		>"$work/install.log" 2>&1; then
	ok "apt install ./shmap-dkms ./libshmap1 ./libshmap-dev ./shmap-utils"
else
	not_ok "apt install ./shmap-dkms ./libshmap1 ./libshmap-dev ./shmap-utils" \
		"$(tail -n 40 "$work/install.log")"
fi
diag "time: apt install with DKMS build for ${#kernels[@]} kernels $(elapsed "$start") s"
sed -n '/shmap-dkms/,$p' "$work/install.log" | grep -E 'Building|Done|Skipped|Signing|Error|error' |
	sed 's/^/dkms: /' | while IFS= read -r l; do diag "$l"; done

# --- the modules ---------------------------------------------------------------

cert_serial=$(in_chroot openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial 2>/dev/null |
	sed 's/^serial=//' | tr 'A-F' 'a-f' || true)
check "dkms generated its MOK key (/var/lib/dkms/mok.key, mok.pub)" \
	test -s "$ROOT/var/lib/dkms/mok.key" -a -s "$ROOT/var/lib/dkms/mok.pub" -a -n "$cert_serial"

for k in "${kernels[@]}"; do
	ko=$(find "$ROOT/lib/modules/$k/updates/dkms" -maxdepth 1 -name 'shmap.ko*' 2>/dev/null | head -n1)
	if [ -z "$ko" ]; then
		not_ok "$k: shmap.ko in /lib/modules/$k/updates/dkms" \
			"$(ls -la "$ROOT/lib/modules/$k/updates/dkms" 2>&1)"
		continue
	fi
	rel=${ko#"$ROOT"}
	ok "$k: ${rel##*/} in /lib/modules/$k/updates/dkms"
	check "$k: dkms status says installed" \
		sh -c "chroot '$ROOT' dkms status -m shmap -v '$version' -k '$k' | grep -q ': installed'"
	vermagic=$(in_chroot modinfo -F vermagic "$rel" 2>/dev/null | awk '{ print $1 }')
	if [ "$vermagic" = "$k" ]; then
		ok "$k: vermagic $vermagic"
	else
		not_ok "$k: vermagic $k" "modinfo -F vermagic: '$vermagic'"
	fi
	modversion=$(in_chroot modinfo -F version "$rel" 2>/dev/null)
	check "$k: module version $version ($modversion)" test "$modversion" = "$version"
	check "$k: modules.dep lists it (depmod ran)" grep -q "updates/dkms/shmap.ko" "$ROOT/lib/modules/$k/modules.dep"
	signer=$(in_chroot modinfo -F signer "$rel" 2>/dev/null || true)
	sig_key=$(in_chroot modinfo -F sig_key "$rel" 2>/dev/null | tr -d ':' | tr 'A-F' 'a-f' || true)
	if ! kernel_signs_modules "$k"; then
		check "$k: not signed: the kernel is built without CONFIG_MODULE_SIG" \
			test -z "$signer$sig_key"
	elif [ "$signer" = "DKMS module signing key" ] && [ -n "$sig_key" ] &&
		[ "${cert_serial##*"$sig_key"}" != "$cert_serial" ]; then
		ok "$k: signed by the DKMS MOK key (signer '$signer', key $sig_key)"
	else
		not_ok "$k: signed by the DKMS MOK key" "signer '$signer', sig_key '$sig_key', mok.pub serial '$cert_serial'"
	fi
	mkdir -p "$moddir/$k"
	rm -f "$moddir/$k"/shmap.ko*
	cp "$ko" "$moddir/$k/"
	check "$k: copied to $moddir/$k/${ko##*/}" test -s "$moddir/$k/${ko##*/}"
done

# --- building against the installed library -------------------------------------

# One program, as C and as C++, with the installed headers (shmap.h,
# linux/shmap.h) and library only; in a chroot the device is absent (or, on
# a host that has the module loaded, opens).
cp "$here/installed.c" "$ROOT/tmp/use-shmap.c"
cp "$ROOT/tmp/use-shmap.c" "$ROOT/tmp/use-shmap.cc"
check "pkg-config --modversion shmap is $version" \
	sh -c "chroot '$ROOT' pkg-config --modversion shmap | grep -qx '$version'"
# shellcheck disable=SC2016 # expanded inside the chroot
check "C program builds with pkg-config --cflags --libs shmap and runs" \
	in_chroot sh -ec 'cd /tmp; gcc -Wall -Werror -o use-c use-shmap.c $(pkg-config --cflags --libs shmap)
		readelf -d use-c | grep -q "NEEDED.*libshmap.so.1"; ./use-c'
# shellcheck disable=SC2016
check "C++ program builds with pkg-config --cflags --libs shmap and runs" \
	in_chroot sh -ec 'cd /tmp; g++ -Wall -Werror -o use-cxx use-shmap.cc $(pkg-config --cflags --libs shmap)
		readelf -d use-cxx | grep -q "NEEDED.*libshmap.so.1"; ./use-cxx'
# shellcheck disable=SC2016
check "a 0.1 binary's shmap_buf_info@LIBSHMAP_0.1 links and runs" \
	in_chroot sh -ec 'cd /tmp; gcc -Wall -Werror -DOLD_BINARY -o use-old use-shmap.c $(pkg-config --cflags --libs shmap)
		nm -D use-old | grep -q " U shmap_buf_info@LIBSHMAP_0.1$"; ./use-old'
check "shmapctl links libshmap.so.1 (readelf -d, ldd)" \
	in_chroot sh -ec 'readelf -d /usr/bin/shmapctl | grep -q "NEEDED.*\[libshmap\.so\.1\]"
		ldd /usr/bin/shmapctl | grep -q "libshmap\.so\.1 => /[^ ]*/libshmap\.so\.1 ("'
# shellcheck disable=SC2016
check "C program links the static libshmap.a and runs" \
	in_chroot sh -ec 'cd /tmp; gcc -Wall -Werror -o use-static use-shmap.c $(pkg-config --cflags shmap) \
		"$(pkg-config --variable=libdir shmap)/libshmap.a"
		! readelf -d use-static | grep -q "libshmap"; ./use-static'
# The installed examples, built with their own Makefile (pkg-config, static
# so they run in the test guests): the runner loads the module from this
# install and runs them there.
# shellcheck disable=SC2016
check "installed examples build with pkg-config (make STATIC=1)" \
	in_chroot sh -ec 'rm -rf /tmp/ex; mkdir /tmp/ex
		make -s -C /usr/share/doc/libshmap-dev/examples STATIC=1 O=/tmp/ex'
progdir=$moddir/../programs/$CHROOT_NAME
mkdir -p "$progdir"
cp "$ROOT"/tmp/ex/* "$progdir/"
check "shmapctl --version and --help run" \
	in_chroot sh -ec 'shmapctl --version; shmapctl --help >/dev/null'

# --- purge ---------------------------------------------------------------------

start=$(now)
if in_chroot apt-get -y -q -o Dpkg::Use-Pty=0 purge shmap-dkms libshmap1 libshmap-dev shmap-utils \
	>"$work/purge.log" 2>&1; then
	ok "apt purge shmap-dkms libshmap1 libshmap-dev shmap-utils"
else
	not_ok "apt purge shmap-dkms libshmap1 libshmap-dev shmap-utils" "$(tail -n 30 "$work/purge.log")"
fi
diag "time: apt purge $(elapsed "$start") s"
leftovers() {
	local left
	left=$(cd "$ROOT" && for f in lib/modules/*/updates/dkms/shmap.ko* usr/src/shmap-* \
		var/lib/dkms/shmap etc/modprobe.d/shmap.conf usr/lib/*/libshmap* \
		usr/include/shmap.h usr/include/linux/shmap.h usr/bin/shmapctl; do
		if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; fi
	done)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	for k in "${kernels[@]}"; do
		if grep -q shmap "$ROOT/lib/modules/$k/modules.dep"; then
			echo "$k: modules.dep still lists shmap"
			return 1
		fi
	done
}
check "nothing left in /lib/modules/*/updates/dkms, /usr/src/shmap-*, /var/lib/dkms/shmap, /etc/modprobe.d" leftovers
check "dkms status lists no shmap" sh -c "! chroot '$ROOT' dkms status | grep -q shmap"

tap_end
