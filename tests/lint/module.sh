#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "module": build the module with W=1 (extra compiler warnings) and C=2 (sparse on every
# file) for each kernel; any "warning:" or "error:" line from the compiler, modpost or sparse,
# or a failed build, fails the gate. The build runs in a scratch copy of Makefile, src/ and include/
# ($LINT_OUT/module/VER), so src/ stays clean.
#   module.sh [SPEC...]  default: the kernels of $KERNELS (default: the runner's matrix), as
#                        tests/runner/kernels.sh resolves them; missing headers are installed
# Bookworm's kernels build on the host; the others in the chroot of their suite
# (tests/runner/chroot.sh: trixie, sid) through the same function, with the chroot as the make
# prefix (LINT_CHROOT=0 leaves them out). The PREEMPT_RT and cloud flavours of $LINT_FLAVOURS
# (default: bookworm's 6.12 and sid's 7.2) are built too (compile only: no guest boots them).
# Env: KERNELS, LINT_CHROOT, LINT_FLAVOURS, BUILD, SHMAP_CACHE, LINT_OUT.
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

# lint_module_build LABEL KDIR WORK [PREFIX...]
#   The hook for every kernel: copy Makefile (src/Kbuild reads VERSION there), src/ and include/
#   into WORK (emptied first), then run
#   PREFIX make -C KDIR M=WORK/src W=1 C=2 modules, output in WORK/build.log. Prints the
#   warnings it found; returns 1 on any, or when make fails. KDIR and WORK are paths as the
#   command after PREFIX sees them: WORK must be at the same path there (a bind mount).
#   See chroot_module_build for a kernel in a chroot.
lint_module_build() {
	local label=$1 kdir=$2 work=$3 rc=0 n c=2
	shift 3
	local log=$work/build.log
	rm -rf "$work"
	lint_copy "$work" Makefile src include
	if ! sparse_fits "$kdir" "$work" "$@"; then
		echo "module $label: this suite's sparse cannot parse __typeof_unqual__, which this kernel uses (its own scripts/checker-valid.sh turns sparse off then): W=1 only here; sparse checks the same series where a newer sparse exists (sid)"
		c=0
	fi
	# make clean first: a copy from outside git may carry build products, which would make
	# make skip the compiler (and sparse) and so hide warnings.
	"$@" make -s -C "$kdir" M="$work/src" clean >/dev/null 2>&1 || true
	# KBUILD_CHECKSRC=2 as well: newer top Makefiles (7.x here) turn sparse off when
	# scripts/checker-valid.sh fails, and Debian's header packages do not ship that script.
	"$@" make -C "$kdir" M="$work/src" W=1 C=$c KBUILD_CHECKSRC=$c -j"$(nproc)" modules \
		>"$log" 2>&1 || rc=$?
	n=$(grep -ciE '(warning|error):' "$log" || true)
	if ((rc)); then
		echo "module $label: make failed (exit $rc); $log:"
		sed 's/^/  /' "$log"
		return 1
	fi
	if ((n)); then
		echo "module $label: $n warning/error line(s):"
		grep -iE '(warning|error):' "$log" | sed "s|$work/||g; s/^/  /"
		return 1
	fi
	if ! compgen -G "$work/src/shmap.ko*" >/dev/null; then
		echo "module $label: make succeeded but built no shmap.ko ($log)"
		return 1
	fi
	if ((c == 0)); then
		echo "module $label: W=1 clean"
		return 0
	fi
	n=$(grep -c '^ *CHECK ' "$log" || true)
	if ((n == 0)); then
		echo "module $label: sparse did not run (no CHECK line in $log)"
		return 1
	fi
	echo "module $label: W=1 C=2 clean ($n files through sparse)"
}

# sparse_fits KDIR WORK [PREFIX...]: sparse (as PREFIX runs it) can check code built against
# KDIR. Kernels that validate their checker (scripts/checker-valid.sh, 6.13 and later; Debian's
# header packages do not ship the script) need one that parses __typeof_unqual__: the same probe.
sparse_fits() {
	local kdir=$1 work=$2 probe=$2/typeof-unqual.c out
	shift 2
	# Debian's per-flavour Makefile includes the -common one.
	# shellcheck disable=SC2016 # expanded by the inner shell
	"$@" sh -c 'm=$1/Makefile; grep -qs checker-valid.sh "$m" $(sed -n "s/^include //p" "$m")' \
		sh "$kdir" || return 0
	printf 'static inline int u(const int *q)\n{\n\t__typeof_unqual__(*q) v = *q;\n\treturn v;\n}\n' >"$probe"
	# (sparse exits 0 on errors: judge by its output, as checker-valid.sh does)
	out=$("$@" sparse "$probe" 2>&1 || true)
	[[ $out != *error* ]]
}

# chroot_module_build SUITE VER: lint_module_build for a kernel whose headers are in the chroot
# of SUITE (tests/runner/chroot.sh), the scratch copy bind-mounted there at the same path.
chroot_module_build() {
	local suite=$1 v=$2 kdir work=$LINT_OUT/module/$2
	kdir=$("$RUNNER_DIR/chroot.sh" "$suite" headers "$v") || return 1
	mkdir -p "$work"
	lint_module_build "$v" "$kdir" "$work" "$RUNNER_DIR/chroot.sh" "$suite" run --bind "$work" --
}

# resolve_kernels: "SUITE VER" lines for the arguments or $KERNELS, and the flavours.
resolve_kernels() {
	local specs=() s v
	# shellcheck disable=SC2086 # KERNELS is a space-separated list
	(($#)) || set -- ${KERNELS:-$DEFAULT_KERNELS}
	for s in "$@"; do
		if is_chroot_kernel "$s" && [[ ${LINT_CHROOT:-1} != 1 ]]; then
			log "kernel $s: skipped (LINT_CHROOT=0), it builds only in the $(kernel_suite "$s") chroot"
		else
			specs+=("$s")
		fi
	done
	((${#specs[@]})) || return 0
	"$RUNNER_DIR/kernels.sh" resolve "${specs[@]}" | while read -r v; do
		echo "$(kernel_suite "$v") $v"
	done | with_flavours
}

# with_flavours: each "SUITE VER" line read, plus the flavours of VER when SUITE:SERIES is in
# $LINT_FLAVOURS (compile only): PREEMPT_RT shows locking that is wrong under RT early, cloud a
# leaner config.
with_flavours() {
	local suite v s f
	while read -r suite v; do
		echo "$suite $v"
		for s in ${LINT_FLAVOURS:-bookworm:6.12 sid:7.2}; do
			[[ ${s%%:*} = "$suite" && $v = "${s#*:}".*-amd64 && $v != *-rt-amd64 && $v != *-cloud-amd64 ]] ||
				continue
			for f in rt cloud; do echo "$suite ${v%-amd64}-$f-amd64"; done
		done
	done
}

lint_need make
lint_need sparse
mapfile -t kernels < <(resolve_kernels "$@")
((${#kernels[@]})) || die "no kernel to build for"

rc=0
for k in "${kernels[@]}"; do
	read -r suite v <<<"$k"
	if [[ $suite != bookworm ]]; then
		chroot_module_build "$suite" "$v" || rc=1
		continue
	fi
	kdir=/lib/modules/$v/build
	if [[ ! -e $kdir/Makefile ]]; then
		log "installing linux-headers-$v"
		apt_get install -y -qq --no-install-recommends "linux-headers-$v" >/dev/null ||
			die "cannot install linux-headers-$v"
	fi
	lint_module_build "$v" "$kdir" "$LINT_OUT/module/$v" || rc=1
done
exit "$rc"
