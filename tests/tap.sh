# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The TAP emitter of the shell tests (tap.c is the C one), sourced by the guest suites (busybox
# sh) and by the host's packaging and install tests (bash): POSIX sh only.
#
#   TAP_PREFIX=NAME       the word before each description ("ok 3 - NAME: ...")
#   ok DESC               not_ok DESC [DETAIL...] (each DETAIL's lines become "#   " comments)
#   skip DESC WHY         "ok N - NAME: DESC # SKIP WHY"
#   diag TEXT...          "# " comments
#   check DESC CMD...     one line for CMD's exit status; CMD runs in this shell (its variables
#                         stay set) and its output is shown, as comments, only when it fails
#   tap_end               the plan line; exits with status 1 if anything failed, else returns 0
# TAP_N and TAP_FAILED count the lines and the failures.

TAP_N=0
TAP_FAILED=0

tap_desc() {
	if [ -n "${TAP_PREFIX:-}" ]; then
		printf '%s: %s' "$TAP_PREFIX" "$1"
	else
		printf '%s' "$1"
	fi
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $(tap_desc "$1")"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $(tap_desc "$1")"
	shift
	for tap_detail in "$@"; do
		[ -n "$tap_detail" ] && printf '%s\n' "$tap_detail" | sed 's/^/#   /'
	done
	return 0
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $(tap_desc "$1") # SKIP ${2:-}"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

check() {
	tap_check_desc=$1
	shift
	tap_check_out=${TMPDIR:-/tmp}/tap-check.$$
	if "$@" >"$tap_check_out" 2>&1; then
		ok "$tap_check_desc"
	else
		not_ok "$tap_check_desc" "$(cat "$tap_check_out")"
	fi
	rm -f "$tap_check_out"
}

tap_end() {
	echo "1..$TAP_N"
	if [ "$TAP_FAILED" -ne 0 ]; then
		diag "$TAP_FAILED of $TAP_N failed"
		exit 1
	fi
}
