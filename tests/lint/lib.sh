# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Common code of the static gates (tests/lint/*.sh, make lint); sourced.
# Every gate works on the tree it lives in ($REPO, from tests/runner/lib.sh), so a copy of the
# repository checks itself (tests/lint/prove-gates.sh relies on that).

LINT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/runner/lib.sh
. "$LINT_DIR/../runner/lib.sh"
# Scratch space and logs of the gates.
LINT_OUT=${LINT_OUT:-$BUILD/lint}
export LINT_OUT

# lint_need CMD [PKG]: CMD exists (tests/runner/deps.sh installs PKG, default CMD).
lint_need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 is missing: tests/runner/deps.sh installs ${2:-$1} (make lint runs it)"
}

# True when $REPO is the top of a git work tree (not a copy of one).
lint_in_git() {
	[[ $(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null) = "$(cd "$REPO" && pwd -P)" ]]
}

# lint_files [PATH...]: the repository's files under PATH (default: all), one per line, relative
# to $REPO: in a git checkout the tracked files plus the untracked ones that are not ignored;
# otherwise every file outside build/ and .git/. .ci/ (the harness's, not the project's) is
# never listed.
lint_files() {
	if lint_in_git; then
		git -C "$REPO" ls-files -co --exclude-standard -- "$@" ':(exclude).ci'
	else
		(($#)) || set -- .
		(cd "$REPO" && find "$@" \( -path ./build -o -path ./.git -o -path ./.ci \) -prune -o \
			-type f -print | sed 's|^\./||')
	fi | sort -u | while IFS= read -r f; do
		# Tracked but deleted in the work tree: not there to check.
		if [[ -f $REPO/$f ]]; then printf '%s\n' "$f"; fi
	done
}

# lint_copy DEST PATH...: copy those files of the repository (as lint_files lists them) into
# DEST, keeping their paths; build products never come along.
lint_copy() {
	local dest
	dest=$(mkdir -p "$1" && cd "$1" && pwd)
	shift
	lint_files "$@" | (cd "$REPO" && tr '\n' '\0' | xargs -0r cp --parents -t "$dest")
}
