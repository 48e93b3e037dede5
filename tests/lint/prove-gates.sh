#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that every gate of make lint can fail. Per case: a scratch copy of the repository in
# /tmp gets one deliberate violation, the copy's own gate runs on it and must fail, naming the
# violation (PATTERN); the same gate on an unchanged copy must pass, so the failure is the
# violation's and not something the tree already had.
#   prove-gates.sh [CASE...]   default: all; the driver case uses the shellcheck gate
# Env: PROVE_KERNEL (the kernel of the module cases; default: the last of kernels.sh resolve),
# KEEP=1 keeps the copies. Logs: $BUILD/lint/prove/CASE.{base,bad}.log. Exits 1 unless every
# case is proved.
# shellcheck disable=SC2016 # the violations are perl expressions: their $ are perl's
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

PROVE_LOG=$LINT_OUT/prove
work=$(mktemp -d /tmp/shmap-prove.XXXXXX)
cleanup() { if [[ ${KEEP:-0} = 1 ]]; then log "copies kept in $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

# edit FILE PERL-EXPR: change FILE of the current copy; fails if nothing changed.
edit() {
	local f=$1 before
	before=$(md5sum <"$f")
	perl -0pi -e "$2" "$f"
	[[ $(md5sum <"$f") != "$before" ]] || die "edit of $f did not apply: $2"
}

# --- the violations (each runs in its copy's top directory) ---------------------------------

# W=1 only: a variable set but never read (-Wunused-but-set-variable is off without W=1).
bad_w1() {
	edit src/shmap_main.c 's/(static int __init shmap_init\(void\)\n\{\n\tint ret;\n)/$1\tint lint_unused;\n/'
	edit src/shmap_main.c 's/(\tshmap_params_init\(\);\n)/$1\tlint_unused = 1;\n/'
}
# sparse only: a __user pointer dereferenced (gcc sees a plain pointer).
bad_sparse() {
	edit src/shmap_ioctl.c 's/(\tstruct shmap_version args;\n\n)/$1\tif (argp->flags)\n\t\treturn -EINVAL;\n/'
}
bad_checkpatch_ws() {
	edit src/shmap.h 's/^(#define SHMAP_BATCH 512)$/$1  /m'
}
bad_checkpatch_printk() {
	edit src/shmap_params.c 's/pr_err\("%s: want \\"eager\\"/printk(KERN_ERR "shmap: %s: want \\"eager\\"/'
}
bad_clang_format() {
	edit src/shmap_mmap.c 's/if \(vmf->pgoff >= buf->npages\)/if(vmf->pgoff>=buf->npages)/'
}
# A leak on the success path: cppcheck and the Clang analyzer both see it.
bad_leak() {
	cat >>tests/tap.c <<-'EOF'

	int tap_lint_leak(void);
	int tap_lint_leak(void)
	{
		char *p = malloc(16);

		if (!p)
			return -1;
		p[0] = 1;
		return p[0];
	}
	EOF
}
bad_shell_bash() {
	edit tests/runner/tap.sh 's/^(set -euo pipefail\n)/${1}lint_x=\$*\nls \$lint_x >\/dev\/null\n/m'
}
bad_shell_guest() {
	edit tests/guest/demo.sh 's/^(status=0\n)/${1}lint_x=\$1\necho \$lint_x\n/m'
}

# --- the cases: NAME VIOLATION PATTERN COMMAND... (COMMAND relative to the copy) --------------

kernel=${PROVE_KERNEL:-}
CASES=()
add() { CASES+=("$1"); eval "case_$(tr - _ <<<"$1")=(\"\${@:2}\")"; }

setup_cases() {
	local s host=()
	if [[ -z $kernel ]]; then
		# The newest kernel of $KERNELS that builds on the host (not in a chroot), no debug one.
		# shellcheck disable=SC2086 # KERNELS is a space-separated list
		for s in ${KERNELS:-$DEFAULT_KERNELS}; do
			if ! is_chroot_kernel "$s" && ! is_debug_kernel "$s"; then host+=("$s"); fi
		done
		((${#host[@]})) || die "no host kernel in KERNELS for the module cases (set PROVE_KERNEL)"
		kernel=$("$RUNNER_DIR/kernels.sh" resolve "${host[@]}" | sort -V | tail -n 1)
	fi
	add module-w1 bad_w1 "shmap_main.c:.*lint_unused.* set but not used" tests/lint/module.sh "$kernel"
	add module-sparse bad_sparse 'shmap_ioctl.c:.*(dereference of noderef|address space)' \
		tests/lint/module.sh "$kernel"
	add checkpatch-ws bad_checkpatch_ws 'TRAILING_WHITESPACE' tests/lint/checkpatch.sh src/shmap.h
	add checkpatch-printk bad_checkpatch_printk 'PREFER_PR_LEVEL' \
		tests/lint/checkpatch.sh src/shmap_params.c
	add clang-format bad_clang_format 'src/shmap_mmap.c is not formatted|^ *\+.*if \(vmf' \
		tests/lint/clang-format.sh src/shmap_mmap.c
	add cppcheck bad_leak 'tests/tap.c:.*\[memleak\]' tests/lint/cppcheck.sh tests/tap.c
	add clang-tidy bad_leak 'tests/tap.c:.*(Potential leak|unix\.Malloc)' \
		tests/lint/clang-tidy.sh tests/tap.c
	add shellcheck-bash bad_shell_bash 'SC2086' tests/lint/shellcheck.sh tests/runner/tap.sh
	add shellcheck-guest bad_shell_guest 'SC2086' tests/lint/shellcheck.sh tests/guest/demo.sh
	# The driver: a failing gate gives a FAIL line, the count and a non-zero exit.
	add driver bad_checkpatch_printk '^FAIL +checkpatch|^0 passed, 1 failed$' \
		env LINT_GATES=checkpatch tests/lint/lint.sh
}

# run_in COPY LOG COMMAND...: run a gate of COPY with COPY's own build directory.
run_in() {
	local copy=$1 log=$2
	shift 2
	(cd "$copy" && BUILD=$copy/build LINT_OUT=$copy/build/lint "$@") >"$log" 2>&1
}

declare -A base_rc
prove() {
	local name=$1 var rc=0 base key
	var="case_$(tr - _ <<<"$name")[@]"
	local c=("${!var}")
	local mutate=${c[0]} pattern=${c[1]}
	local cmd=("${c[@]:2}")
	local copy=$work/$name gate w
	for w in "${cmd[@]}"; do
		if [[ $w = tests/lint/*.sh ]]; then gate=${w##*/}; break; fi
	done
	# Baseline: the same command on an unchanged copy (once per command).
	key=${cmd[*]}
	if [[ -z ${base_rc[$key]:-} ]]; then
		base_rc[$key]=0
		run_in "$work/base" "$PROVE_LOG/$name.base.log" "${cmd[@]}" || base_rc[$key]=$?
	fi
	base=${base_rc[$key]}
	lint_copy "$copy"
	(cd "$copy" && "$mutate")
	run_in "$copy" "$PROVE_LOG/$name.bad.log" "${cmd[@]}" || rc=$?
	if ((base == 0 && rc != 0)) && grep -qE "$pattern" "$PROVE_LOG/$name.bad.log"; then
		printf 'PROVED      %-18s %s: passes unchanged, fails (exit %d) with %s:\n' \
			"$name" "$gate" "$rc" "$mutate"
		grep -E "$pattern" "$PROVE_LOG/$name.bad.log" | head -n 3 | cut -c1-150 | sed 's/^/              | /'
		return 0
	fi
	printf 'NOT PROVED  %-18s %s: unchanged exit %d, with %s exit %d, /%s/ %s (%s)\n' \
		"$name" "$gate" "$base" "$mutate" "$rc" "$pattern" \
		"$(grep -qE "$pattern" "$PROVE_LOG/$name.bad.log" && echo found || echo 'not found')" \
		"$PROVE_LOG/$name.{base,bad}.log"
	return 1
}

setup_cases
(($#)) || set -- "${CASES[@]}"
mkdir -p "$PROVE_LOG"
lint_copy "$work/base"
log "copies in $work; module cases on $kernel; logs in $PROVE_LOG"
proved=0 failed=0
for name in "$@"; do
	[[ " ${CASES[*]} " = *" $name "* ]] || die "unknown case '$name' (cases: ${CASES[*]})"
	if prove "$name"; then proved=$((proved + 1)); else failed=$((failed + 1)); fi
done
echo "$proved proved, $failed not proved"
((failed == 0))
