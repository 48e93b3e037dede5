#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "cppcheck": static analysis of the user-space C code (libshmap, shmapctl, the examples,
# the tests). A finding is fixed, or suppressed inline (// cppcheck-suppress ID) with a comment
# that says why.
#   cppcheck.sh [PATH...]   default: userspace tests
# tests/lint/libkmod.cfg tells cppcheck what kmod_list_foreach() is (it reads no system header).
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

lint_need cppcheck
cd "$REPO"
(($#)) || set -- userspace tests

rc=0
out=$(cppcheck --enable=warning,style,performance,portability --error-exitcode=1 --inline-suppr \
	--suppress=missingIncludeSystem --library="$LINT_DIR/libkmod.cfg" \
	-I include/uapi -I userspace/lib -I tests -j "$(nproc)" -q \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]\n{code}' "$@" 2>&1) || rc=$?
n=$(grep -cE '^[^ ]+:[0-9]+:[0-9]+: [a-z]+: ' <<<"$out" || true)
if ((rc)) || ((n)); then
	printf '%s\n' "$out"
	echo "cppcheck: $n finding(s) in $* (exit $rc)"
	exit 1
fi
echo "cppcheck $(cppcheck --version | sed 's/^Cppcheck //'): $* clean" \
	"($(find "$@" -name '*.c' -o -name '*.cc' -o -name '*.h' | wc -l) files)"
