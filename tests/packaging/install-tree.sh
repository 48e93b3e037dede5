#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Non-Debian installs: the top-level "make install" / "make uninstall" honour DESTDIR, PREFIX
# and LIBDIR. Installs into a temporary root, builds a C and a C++ program against it with
# pkg-config (tests/packaging/installed.c: shmap.h and the uapi header linux/shmap.h, and
# 0.1's shmap_buf_info@LIBSHMAP_0.1 as an old binary calls it), uninstalls, checks nothing
# is left; then renders every man page without a warning (userspace/man/check.sh). Prints TAP ("ok N - install: ..."); exits 1 on a failure.
#   install-tree.sh
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$repo/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shmap-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
prefix=/opt/shmap
libdir=$prefix/lib64
TAP_PREFIX=install
# shellcheck source=tests/tap.sh
. "$repo/tests/tap.sh"

vars=(BUILD="$build" DESTDIR="$root" PREFIX="$prefix" LIBDIR="$libdir")
check "make install DESTDIR PREFIX=$prefix LIBDIR=$libdir" make -s -C "$repo" install "${vars[@]}"
for f in "$libdir/libshmap.so.1" "$libdir/libshmap.so" "$libdir/libshmap.a" \
	"$libdir/pkgconfig/shmap.pc" "$prefix/include/shmap.h" "$prefix/include/linux/shmap.h" \
	"$prefix/bin/shmapctl" \
	"$prefix/share/man/man3/shmap_buf_create.3" "$prefix/share/man/man1/shmapctl.1"; do
	check "installed $f" test -e "$root$f"
done
check "nothing installed outside DESTDIR$prefix" \
	bash -c "cd '$root' && ! find . -mindepth 1 -not -path './${prefix#/}' -not -path './${prefix#/}/*' -not -path './opt' | grep ."

# One program, as C and as C++, with the installed headers and library only.
cp "$repo/tests/packaging/installed.c" "$tmp/prog.c"
cp "$tmp/prog.c" "$tmp/prog.cc"
version=$(make -s -C "$repo" version)
pc=(env PKG_CONFIG_LIBDIR="$root$libdir/pkgconfig" PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$root")
# shellcheck disable=SC2046 # pkg-config output is a list of flags
check "pkg-config finds shmap $version in DESTDIR" \
	bash -c "[ \"\$(${pc[*]} pkg-config --modversion shmap)\" = $version ]"
check "C program (shmap.h, linux/shmap.h) builds with pkg-config --cflags --libs shmap and runs" \
	bash -c "gcc -Wall -Werror -o '$tmp/prog' '$tmp/prog.c' \$(${pc[*]} pkg-config --cflags --libs shmap) &&
		LD_LIBRARY_PATH='$root$libdir' '$tmp/prog'"
check "C++ program (shmap_buf_info info;) builds with pkg-config --cflags --libs shmap and runs" \
	bash -c "g++ -Wall -Werror -o '$tmp/progxx' '$tmp/prog.cc' \$(${pc[*]} pkg-config --cflags --libs shmap) &&
		LD_LIBRARY_PATH='$root$libdir' '$tmp/progxx'"
check "a 0.1 binary's shmap_buf_info@LIBSHMAP_0.1 still links and runs" \
	bash -c "gcc -Wall -Werror -DOLD_BINARY -o '$tmp/old' '$tmp/prog.c' \$(${pc[*]} pkg-config --cflags --libs shmap) &&
		nm -D '$tmp/old' | grep -q ' U shmap_buf_info@LIBSHMAP_0.1\$' && LD_LIBRARY_PATH='$root$libdir' '$tmp/old'"

check "make uninstall with the same variables" make -s -C "$repo" uninstall "${vars[@]}"
check "nothing left but directories" bash -c "! find '$root' -not -type d | grep ."

check "every man page renders without a warning (groff -man -ww, man -l)" "$repo/userspace/man/check.sh"

tap_end
