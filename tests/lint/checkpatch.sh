#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "checkpatch": the kernel's checkpatch.pl --no-tree --strict --file on the module sources
# and the uapi header. Message types are ignored only through the top-level .checkpatch.conf
# (checkpatch reads it from the current directory), each with its reason there.
#   checkpatch.sh [FILE...]   default: src/*.c src/*.h include/uapi/linux/shmap.h
# checkpatch.pl ships only in the kernel source: the first run takes it (with spelling.txt and
# const_structs.checkpatch, which it reads from its own directory) out of Debian's
# linux-source-6.12 package into $SHMAP_CACHE/checkpatch/scripts/ (about 10 s); later runs use
# that copy. Nothing of it goes into the repository.
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

SRC_PKG=linux-source-6.12
CP_DIR=$SHMAP_CACHE/checkpatch
CP_FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)

cp_cached() {
	local f
	for f in "${CP_FILES[@]}"; do [[ -s $CP_DIR/$f ]] || return 1; done
}

# Extract the three files once (several runs may share the cache: one at a time).
fetch_checkpatch() {
	local tmp deb inner=./usr/src/$SRC_PKG.tar.xz
	cp_cached && return 0
	mkdir -p "$SHMAP_CACHE"
	exec 8>"$CP_DIR.lock"
	flock 8
	if ! cp_cached; then
		lint_need dpkg-deb dpkg
		lint_need xz xz-utils
		tmp=$(mktemp -d "$CP_DIR.tmp.XXXXXX")
		log "downloading $SRC_PKG for checkpatch.pl"
		(cd "$tmp" && apt_get download -qq "$SRC_PKG") || die "apt-get download $SRC_PKG failed"
		deb=$(find "$tmp" -maxdepth 1 -name "${SRC_PKG}_*.deb" -print -quit)
		[[ -n $deb ]] || die "apt-get download $SRC_PKG gave no .deb"
		log "extracting ${CP_FILES[*]} from $(basename "$deb")"
		# The .deb holds one tarball of the whole tree; take the three files out of it.
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "$inner" |
			tar -xJ -C "$tmp" --strip-components=1 "${CP_FILES[@]/#/$SRC_PKG/}" ||
			die "cannot extract ${CP_FILES[*]} from $deb"
		basename "$deb" >"$tmp/source"
		rm -f "$deb"
		chmod 755 "$tmp" "$tmp/scripts/checkpatch.pl"
		rm -rf "$CP_DIR"
		mv -T "$tmp" "$CP_DIR"
	fi
	flock -u 8
	exec 8>&-
}

lint_need perl
fetch_checkpatch
cd "$REPO"
if (($#)); then
	files=("$@")
else
	files=(src/*.c src/*.h include/uapi/linux/shmap.h)
fi

rc=0
out=$(perl "$CP_DIR/scripts/checkpatch.pl" --no-tree --strict --file --show-types --color=never \
	--summary-file "${files[@]}" 2>&1) || rc=$?
# Per file: "FILE total: 0 errors, 0 warnings, 0 checks, N lines checked" when clean.
dirty=$(grep -E '^[^ ]+ total: ' <<<"$out" | grep -vc ' total: 0 errors, 0 warnings, 0 checks,' || true)
if ((rc)) || ((dirty)); then
	printf '%s\n' "$out"
	echo "checkpatch: findings in $dirty of ${#files[@]} files (exit $rc)"
	exit 1
fi
ign=$(grep -v '^[[:space:]]*#' .checkpatch.conf 2>/dev/null | grep -o -- '--ignore[= ][^ ]*' |
	sed 's/--ignore[= ]//' | paste -sd, - || true)
echo "checkpatch $(sed -n 's/^[^_]*_\(.*\)_all\.deb$/\1/p' "$CP_DIR/source" 2>/dev/null):" \
	"${#files[@]} files clean (--strict; ignored types: ${ign:-none})"
