#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: the static gates, each a script of its own in tests/lint/:
#   - module        W=1 C=2 (compiler, modpost, sparse) build for each 6.x kernel of $KERNELS
#   - checkpatch    checkpatch.pl --strict on src/ and the uapi header (.checkpatch.conf)
#   - clang-format  src/ formatted as .clang-format (kernel coding style)
#   - cppcheck      user space: userspace/ and tests/
#   - clang-tidy    user space: the Clang Static Analyzer
#   - shellcheck    every shell script
# Runs them all (installing their tools first), shows what each found, then one line per gate
# and "N passed, N failed"; exits 1 if any failed.
#   lint.sh [GATE...]   only those gates (also: LINT_GATES="checkpatch shellcheck")
# Env: KERNELS, BUILD, SHMAP_CACHE; logs in $BUILD/lint/GATE.log.
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

ALL_GATES=(module checkpatch clang-format cppcheck clang-tidy shellcheck)
if ! (($#)); then
	read -ra gates <<<"${LINT_GATES:-${ALL_GATES[*]}}"
	set -- "${gates[@]}"
fi
for g in "$@"; do
	[[ -x $LINT_DIR/$g.sh && " ${ALL_GATES[*]} " = *" $g "* ]] ||
		die "unknown gate '$g' (gates: ${ALL_GATES[*]})"
done

"$RUNNER_DIR/deps.sh"
mkdir -p "$LINT_OUT"

rows=() passed=0 failed=0
for g in "$@"; do
	log=$LINT_OUT/$g.log
	echo "==== $g"
	s=$SECONDS
	if "$LINT_DIR/$g.sh" 2>&1 | tee "$log"; then
		res=PASS passed=$((passed + 1))
	else
		res=FAIL failed=$((failed + 1))
	fi
	rows+=("$(printf '%-4s  %-13s %4ds  %s' "$res" "$g" $((SECONDS - s)) "$log")")
done

echo
echo "==== lint summary"
printf '%s\n' "${rows[@]}"
echo "# ${SECONDS}s in all; logs: $LINT_OUT/GATE.log"
echo "$passed passed, $failed failed"
((failed == 0))
