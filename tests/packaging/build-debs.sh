#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages of shmap from a clean export of the repository.
#
#   tests/packaging/build-debs.sh [--worktree] [--source] OUTDIR
#
# The export is `git archive HEAD` by default; --worktree exports the files
# of the working tree that git tracks or would track (untracked files not
# ignored by .gitignore), for testing uncommitted packaging. The build is
# `dpkg-buildpackage -us -uc -b` (with --source also the source package,
# from an orig tarball made of the same export minus debian/), then lintian
# must report no error and no warning. The .deb, .changes and .buildinfo
# files (and the source package) land in OUTDIR. TAP on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
	echo "usage: $0 [--worktree] [--source] OUTDIR" >&2
	exit 2
}

worktree=0
source_too=0
while [ $# -gt 0 ]; do
	case $1 in
	--worktree) worktree=1 ;;
	--source) source_too=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
mkdir -p "$1"
outdir=$(cd "$1" && pwd)

top=$(git -C "$here" rev-parse --show-toplevel)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shmap-debs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- versions ----------------------------------------------------------------

# One version: the top-level Makefile's. dkms.conf leaves it to dh_dkms -V
# (#MODULE_VERSION#), debian/shmap-dkms.install to ${DEB_VERSION_UPSTREAM};
# debian/changelog, Debian's own file, must name the same upstream version.
version=$(sed -n 's/^VERSION := //p' "$top/Makefile")
[ -n "$version" ] || die "no VERSION in the top-level Makefile"
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src_name=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Source)
versions_agree() {
	[ "${deb_version%-*}" = "$version" ] || { echo "debian/changelog: ${deb_version%-*}"; return 1; }
	grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$top/dkms.conf" ||
		{ echo "dkms.conf: PACKAGE_VERSION is not #MODULE_VERSION#"; return 1; }
}
check "version $version: Makefile VERSION == debian/changelog upstream version; dkms.conf leaves it to dh_dkms -V" versions_agree

# libshmap.sym and debian/libshmap1.symbols name the same symbols (the build
# then checks the .so against the symbols file, abi-check the .so against
# libshmap.sym).
symbols_agree() {
	diff -u \
		<(sed -e 's|/\*.*\*/||' -e '/\/\*/,/\*\//d' "$top/userspace/lib/libshmap.sym" |
			grep -o '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' | tr -d ' \t;' | sort) \
		<(sed -n 's/^ \(shmap_[A-Za-z0-9_]*\)@LIBSHMAP_.*/\1/p' "$top/debian/libshmap1.symbols" | sort)
}
check "debian/libshmap1.symbols lists the symbols of libshmap.sym" symbols_agree

# --- export ------------------------------------------------------------------

src=$tmp/$src_name-$version
mkdir -p "$src"
if [ $worktree = 1 ]; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -xf - -C "$src"
	what="working tree (tracked and untracked files)"
else
	git -C "$top" archive --format=tar HEAD | tar -xf - -C "$src"
	what="git archive HEAD ($(git -C "$top" rev-parse --short HEAD))"
fi
if [ -f "$src/debian/control" ]; then
	ok "exported $what"
else
	not_ok "exported $what" "no debian/control in the export (is debian/ committed? try --worktree)"
	tap_end
fi

# --- build -------------------------------------------------------------------

build_flags=(-us -uc -b)
if [ $source_too = 1 ]; then
	tar -C "$tmp" --exclude="$src_name-$version/debian" --sort=name \
		--owner=0 --group=0 --numeric-owner \
		-cJf "$tmp/${src_name}_$version.orig.tar.xz" "$src_name-$version"
	build_flags=(-us -uc)
fi
start=$(now)
if (cd "$src" && dpkg-buildpackage "${build_flags[@]}") >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage ${build_flags[*]}"
else
	not_ok "dpkg-buildpackage ${build_flags[*]}" "$(tail -n 40 "$tmp/build.log")"
	cp "$tmp/build.log" "$outdir/build.log"
	tap_end
fi
diag "time: dpkg-buildpackage $(elapsed "$start") s"
cp "$tmp/build.log" "$outdir/build.log"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=$tmp/${src_name}_${deb_version}_$arch.changes
debs=()
for p in shmap-dkms:all libshmap1:$arch libshmap-dev:$arch shmap-utils:$arch; do
	debs+=("$tmp/${p%%:*}_${deb_version}_${p#*:}.deb")
done
missing=()
for d in "${debs[@]}"; do
	[ -f "$d" ] || missing+=("${d##*/}")
done
if [ ${#missing[@]} -eq 0 ]; then
	ok "built ${#debs[@]} packages"
else
	not_ok "built ${#debs[@]} packages" "missing: ${missing[*]}"
fi

# The DKMS package ships exactly dkms.conf, Makefile, src and include.
dkms_contents() {
	local want got
	want=$(cd "$src" && { printf '%s\n' dkms.conf Makefile src/Kbuild include/uapi/linux/shmap.h; ls src/*.c src/*.h; } | sort)
	got=$(dpkg-deb -c "$tmp/shmap-dkms_${deb_version}_all.deb" |
		awk '$1 !~ /^d/ { print $6 }' | sed -n "s|^\./usr/src/$src_name-$version/||p" | sort)
	diff -u <(echo "$want") <(echo "$got")
}
check "shmap-dkms ships /usr/src/$src_name-$version = dkms.conf Makefile src include" dkms_contents
check "shmap-dkms: dkms.conf says PACKAGE_VERSION=\"$version\" (dh_dkms -V)" \
	sh -c "dpkg-deb --fsys-tarfile '$tmp/shmap-dkms_${deb_version}_all.deb' |
		tar -xOf - ./usr/src/$src_name-$version/dkms.conf | grep -qx 'PACKAGE_VERSION=\"$version\"'"
check "shmap-dkms does not depend on or recommend libshmap1" \
	sh -c "! dpkg-deb -f '$tmp/shmap-dkms_${deb_version}_all.deb' Depends Recommends | grep -q libshmap"

# shmapctl links the shared library, so shmap-utils depends on libshmap1.
utils_links_libshmap() {
	mkdir -p "$tmp/utils"
	dpkg-deb -x "$tmp/shmap-utils_${deb_version}_$arch.deb" "$tmp/utils"
	readelf -d "$tmp/utils/usr/bin/shmapctl" | grep -q 'NEEDED.*\[libshmap\.so\.1\]' ||
		{ echo "shmapctl does not link libshmap.so.1"; return 1; }
	dpkg-deb -f "$tmp/shmap-utils_${deb_version}_$arch.deb" Depends | grep -q "libshmap1 (>= $version)" ||
		{ echo "Depends: $(dpkg-deb -f "$tmp/shmap-utils_${deb_version}_$arch.deb" Depends)"; return 1; }
}
check "shmap-utils: shmapctl NEEDED libshmap.so.1, Depends: libshmap1 (>= $version)" utils_links_libshmap

# --- lintian -------------------------------------------------------------------

start=$(now)
lintian_out=$tmp/lintian.txt
lintian_rc=0
lintian --fail-on error,warning --display-info "$changes" >"$lintian_out" 2>&1 || lintian_rc=$?
cp "$lintian_out" "$outdir/lintian.txt"
errors=$(grep -c '^E: ' "$lintian_out" || true)
warnings=$(grep -c '^W: ' "$lintian_out" || true)
infos=$(grep -c '^I: ' "$lintian_out" || true)
if [ "$lintian_rc" = 0 ] && [ "$errors" = 0 ] && [ "$warnings" = 0 ]; then
	ok "lintian: $errors errors, $warnings warnings ($infos info tags)"
else
	not_ok "lintian: $errors errors, $warnings warnings ($infos info tags), exit $lintian_rc" \
		"$(grep -v '^I: ' "$lintian_out" | head -n 40)"
fi
diag "time: lintian $(elapsed "$start") s"

find "$tmp" -maxdepth 1 -type f \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \
	-o -name '*.dsc' -o -name '*.tar.*' \) -exec cp {} "$outdir/" \;
diag "packages in $outdir"
tap_end
