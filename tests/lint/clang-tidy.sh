#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "clang-tidy": the Clang Static Analyzer (clang-tidy's clang-analyzer-* checks: path-
# sensitive leaks, NULL dereferences, use after free, uninitialised reads) on the user-space C
# code, where cppcheck's checks are mostly local. Off, and why:
#   security.insecureAPI.strcpy          names every strcpy()/strcat() whatever the bounds;
#                                        ours copy literals into page-sized mappings
#   security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#                                        asks for C11 Annex K (memset_s ...), absent in glibc
#   optin.performance.Padding            field order is chosen for reading, and the ABI
#                                        structs are padded on purpose
#   clang-tidy.sh [FILE...]   default: every .c file under userspace/ and tests/
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

CHECKS='-*,clang-analyzer-*'
CHECKS+=',-clang-analyzer-security.insecureAPI.strcpy'
CHECKS+=',-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
CHECKS+=',-clang-analyzer-optin.performance.Padding'

lint_need clang-tidy
lint_need pkg-config
cd "$REPO"
if (($#)); then
	files=("$@")
else
	mapfile -t files < <(lint_files userspace tests | grep '\.c$')
fi
# As the Makefiles compile them (one set of flags for all: they agree on these).
read -ra pkgs <<<"$(pkg-config --cflags libkmod smartcols libdrm 2>/dev/null || true)"
# shmapctl's version comes from userspace/Makefile (-D).
flags=(-std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread -Iinclude/uapi -Iuserspace/lib
	-Itests "${pkgs[@]}" -DSHMAPCTL_VERSION='"lint"')

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One clang-tidy per file, $(nproc) at a time; each writes its own report.
export CHECKS tmp
# shellcheck disable=SC2016 # the script expands its variables in the child bash
printf '%s\0' "${files[@]}" | xargs -0 -P "$(nproc)" -I{} bash -c '
	f=$1; shift
	out=$tmp/$(printf %s "$f" | tr / _).log
	clang-tidy -quiet --checks="$CHECKS" --warnings-as-errors="*" "$f" -- "$@" >"$out" 2>&1 ||
		echo "$f" >>"$tmp/failed"
' tidy {} "${flags[@]}"

if [[ -s $tmp/failed ]]; then
	# Keep the diagnostics, drop clang-tidy's "N warnings generated." chatter.
	cat "$tmp"/*.log | grep -vE '^[0-9]+ (warning|error)s? (generated|treated as errors)\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' || true
	echo "clang-tidy: findings in $(sort -u "$tmp/failed" | wc -l) of ${#files[@]} files:" \
		"$(sort -u "$tmp/failed" | paste -sd' ' -)"
	exit 1
fi
echo "clang-tidy $(clang-tidy --version | grep -o 'version [0-9.]*' | head -n 1 | cut -d' ' -f2):" \
	"${#files[@]} files clean (clang-analyzer-*)"
