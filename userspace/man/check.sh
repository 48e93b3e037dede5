#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh: render every shmap man page and fail on any warning.
#
#   - groff -man -ww -z (all warnings) for the utf8 device and, if
#     installed, the default ps device, with .so links resolved (soelim);
#   - man -l with man-db's --warnings, if man is installed;
#   - mandoc -Tlint at level warning, if mandoc is installed (not on the
#     .so link pages: mandoc calls every .so fragile, groff and man-db
#     resolve them above);
#   - every public function declared in userspace/lib/shmap.h has a
#     section 3 page (its own, or a .so link to a shared one), and every
#     .so link points to an existing page.
#
# Exit status 0 if all is clean. Run from anywhere.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
header=$here/../lib/shmap.h
cd "$here"

fail=0
pages=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

report() {
	echo "check.sh: $1" >&2
	fail=1
}

# The terminal device always; PostScript (groff's default) too where
# installed (not with only groff-base).
devices=utf8
if groff -Tps -z </dev/null >/dev/null 2>&1; then
	devices="utf8 ps"
fi

for page in man1/*.1 man3/*.3 man4/*.4; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))

	# A .so link page: its target must exist.
	first=$(head -n 1 "$page")
	case $first in
	.so\ *)
		target=${first#.so }
		[ -f "$target" ] || report "$page: .so target $target missing"
		;;
	*)
		if command -v mandoc >/dev/null 2>&1 &&
		   ! mandoc -Tlint -W warning "$page" >"$tmp" 2>&1; then
			report "$page: mandoc -Tlint warnings:"
			sed 's/^/  /' "$tmp" >&2
		fi
		;;
	esac

	for dev in $devices; do
		if ! groff -s -I "$here" -man -ww -z -T"$dev" "$page" \
		     >"$tmp" 2>&1 || [ -s "$tmp" ]; then
			report "$page: groff -T$dev warnings:"
			sed 's/^/  /' "$tmp" >&2
		fi
	done

	if command -v man >/dev/null 2>&1; then
		if ! LC_ALL=C.UTF-8 MANWIDTH=80 MANROFFSEQ='' \
		     man --warnings -E UTF-8 -l -Tutf8 -Z "$page" \
		     >/dev/null 2>"$tmp" || [ -s "$tmp" ]; then
			report "$page: man warnings:"
			sed 's/^/  /' "$tmp" >&2
		fi
	fi
done

# Every shmap_* function of the public header has a page.
if [ -f "$header" ]; then
	sed -n 's/^[a-z].*[ *]\(shmap_[a-z0-9_]*\)(.*/\1/p' "$header" |
		sort -u >"$tmp"
	[ -s "$tmp" ] || report "no function found in $header"
	while read -r fn; do
		[ -f "man3/$fn.3" ] || report "no man page for $fn (man3/$fn.3)"
	done <"$tmp"
fi

[ -f man3/libshmap.3 ] || report "man3/libshmap.3 missing"
[ -f man4/shmap.4 ] || report "man4/shmap.4 missing"
[ -f man1/shmapctl.1 ] || report "man1/shmapctl.1 missing"

if [ "$fail" -ne 0 ]; then
	echo "check.sh: FAILED" >&2
	exit 1
fi
echo "check.sh: $pages man pages OK"
