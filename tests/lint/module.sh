#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Gate "module": build the module with W=1 (extra compiler warnings) and C=2 (sparse on every
# file) for each kernel; any "warning:" or "error:" line from the compiler, modpost or sparse,
# or a failed build, fails the gate. The build runs in a scratch copy of src/ and include/
# ($LINT_OUT/module/VER), so src/ stays clean.
#   module.sh [VER...]   default: the kernels of $KERNELS (default: the runner's matrix) that
#                        build on the host (6.x), as tests/runner/kernels.sh resolves them;
#                        missing headers are installed
# The kernels that build only in the sid chroot (7.x) are built there through the same function,
# with the chroot as the make prefix (LINT_SID=0 leaves them out). The PREEMPT_RT and cloud
# flavours of 6.12 and 7.2 are built too (compile only: no guest boots them).
# Env: KERNELS, LINT_SID, BUILD, SHMAP_CACHE, LINT_OUT.
set -euo pipefail
# shellcheck source=tests/lint/lib.sh
. "$(dirname "$0")/lib.sh"

# lint_module_build LABEL KDIR WORK [PREFIX...]
#   The hook for every kernel: copy src/ and include/ into WORK (emptied first), then run
#   PREFIX make -C KDIR M=WORK/src W=1 C=2 modules, output in WORK/build.log. Prints the
#   warnings it found; returns 1 on any, or when make fails. KDIR and WORK are paths as the
#   command after PREFIX sees them: WORK must be at the same path there (a bind mount).
#   See sid_module_build for a kernel in the sid chroot.
lint_module_build() {
	local label=$1 kdir=$2 work=$3 rc=0 n
	shift 3
	local log=$work/build.log
	rm -rf "$work"
	lint_copy "$work" src include
	# make clean first: a copy from outside git may carry build products, which would make
	# make skip the compiler (and sparse) and so hide warnings.
	"$@" make -s -C "$kdir" M="$work/src" clean >/dev/null 2>&1 || true
	# KBUILD_CHECKSRC=2 as well: newer top Makefiles (7.x here) turn sparse off when
	# scripts/checker-valid.sh fails, and Debian's header packages do not ship that script.
	"$@" make -C "$kdir" M="$work/src" W=1 C=2 KBUILD_CHECKSRC=2 -j"$(nproc)" modules \
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
	n=$(grep -c '^ *CHECK ' "$log" || true)
	if ((n == 0)); then
		echo "module $label: sparse did not run (no CHECK line in $log)"
		return 1
	fi
	echo "module $label: W=1 C=2 clean ($n files through sparse)"
}

# sid_module_build VER: lint_module_build for a kernel whose headers are in the sid chroot
# (tests/runner/sid-chroot.sh), the scratch copy bind-mounted there at the same path.
sid_module_build() {
	local v=$1 kdir work=$LINT_OUT/module/$1
	kdir=$("$RUNNER_DIR/sid-chroot.sh" headers "$v") || return 1
	mkdir -p "$work"
	lint_module_build "$v" "$kdir" "$work" "$RUNNER_DIR/sid-chroot.sh" run --bind "$work" --
}

# Kernels the host cannot build for (newer than bookworm's compiler): the runner's test if it
# has one, else anything but 6.x.
is_chroot_kernel() {
	if declare -F is_sid_kernel >/dev/null; then is_sid_kernel "$1"; else [[ $1 != 6.* ]]; fi
}

# resolve_kernels: "host VER" and "sid VER" lines for the arguments or $KERNELS.
resolve_kernels() {
	local host=() sid=() s
	# shellcheck disable=SC2086 # KERNELS is a space-separated list
	(($#)) || set -- ${KERNELS:-${DEFAULT_KERNELS:-6.1 6.12}}
	for s in "$@"; do
		if ! is_chroot_kernel "$s"; then
			host+=("$s")
		elif [[ ${LINT_SID:-1} = 1 ]]; then
			sid+=("$s")
		else
			log "kernel $s: skipped (LINT_SID=0), it builds only in the sid chroot"
		fi
	done
	if ((${#host[@]})); then
		"$RUNNER_DIR/kernels.sh" resolve "${host[@]}" | with_flavours host
	fi
	if ((${#sid[@]})); then
		"$RUNNER_DIR/sid-chroot.sh" resolve "${sid[@]}" | with_flavours sid
	fi
}

# with_flavours WHERE: "WHERE VER" for each version read, plus its flavours (compile only):
# PREEMPT_RT shows locking that is wrong under RT early, cloud a leaner config. Debian ships
# both for the series in $LINT_FLAVOUR_SERIES (default 6.12 and 7.2).
with_flavours() {
	local v s f
	while read -r v; do
		echo "$1 $v"
		for s in ${LINT_FLAVOUR_SERIES:-6.12 7.2}; do
			[[ $v = "$s".*-amd64 && $v != *-rt-amd64 && $v != *-cloud-amd64 ]] || continue
			for f in rt cloud; do echo "$1 ${v%-amd64}-$f-amd64"; done
		done
	done
}

lint_need make
lint_need sparse
mapfile -t kernels < <(resolve_kernels "$@")
((${#kernels[@]})) || die "no kernel to build for"

rc=0
for k in "${kernels[@]}"; do
	read -r where v <<<"$k"
	if [[ $where = sid ]]; then
		sid_module_build "$v" || rc=1
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
