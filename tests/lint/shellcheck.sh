#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "shellcheck": every shell script of the repository, found by its first line: bash
# scripts (#!...bash) as bash, sh scripts (#!...sh: the guest scripts run under busybox sh) as
# POSIX sh (-s sh), and *.sh files without a shebang (sourced libraries) by their
# "# shellcheck shell=" directive. Default severity (style and up); sourced files are followed
# (-x) from the top of the tree, as the "# shellcheck source=" directives expect.
# Usage: shellcheck.sh [FILE...]   (default: all of them)
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

lint_need shellcheck
cd "$REPO"
(($#)) || mapfile -t all < <(lint_files)
(($#)) && all=("$@")

bash_files=() sh_files=() lib_files=()
for f in "${all[@]}"; do
	[[ -f $f ]] || continue
	IFS= read -r first <"$f" || true
	case $first in
	'#!'*bash*) bash_files+=("$f") ;;
	'#!'*/sh | '#!'*/sh' '* | '#!'*' sh' | '#!'*' sh '*) sh_files+=("$f") ;;
	'#!'*) ;;
	*) [[ $f = *.sh ]] && lib_files+=("$f") ;;
	esac
done

rc=0
# group WHAT SHELL FILE...: one shellcheck run; SHELL empty: from each file's directive.
group() {
	local what=$1 opts=(-x)
	[[ -n $2 ]] && opts+=(-s "$2")
	shift 2
	(($#)) || return 0
	if ! shellcheck "${opts[@]}" "$@"; then
		rc=1
		echo "shellcheck: findings in the $what scripts above"
	fi
}
group bash bash "${bash_files[@]}"
group sh sh "${sh_files[@]}"
group sourced '' "${lib_files[@]}"
total=$((${#bash_files[@]} + ${#sh_files[@]} + ${#lib_files[@]}))
((total)) || die "no shell script found"
if ((rc)); then
	exit 1
fi
echo "shellcheck $(shellcheck --version | sed -n 's/^version: //p'): $total scripts clean" \
	"(${#bash_files[@]} bash, ${#sh_files[@]} sh, ${#lib_files[@]} sourced)"
