#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "clang-format": the module sources must be formatted as the top-level .clang-format
# (the kernel coding style) says: clang-format --dry-run --Werror, and for every file it
# rejects, the diff that clang-format would apply.
#   clang-format.sh [FILE...]   default: src/*.c src/*.h
# The layout depends on clang-format's version: the reference is Debian 12's clang-format 14.
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

lint_need clang-format
cd "$REPO"
[[ -f .clang-format ]] || die "no .clang-format in $REPO"
if (($#)); then
	files=("$@")
else
	files=(src/*.c src/*.h)
fi
ver=$(clang-format --version | grep -o 'version [0-9][0-9.]*' | head -n 1)

bad=()
for f in "${files[@]}"; do
	if ! clang-format --dry-run --Werror --style=file "$f" >/dev/null 2>&1; then
		bad+=("$f")
		echo "clang-format: $f is not formatted; clang-format -i would change:"
		clang-format --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" - |
			sed 's/^/  /' || true
	fi
done
if ((${#bad[@]})); then
	echo "clang-format ($ver): ${#bad[@]} of ${#files[@]} files not formatted: ${bad[*]}"
	exit 1
fi
echo "clang-format ($ver): ${#files[@]} files formatted"
