#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build user space, test the Debian packages and DKMS (tests/packaging), then run
# the guest suite on every kernel of $KERNELS with the module from the package install.
# Env: KERNELS (kernel specs, see kernels.sh; default $DEFAULT_KERNELS of lib.sh), SHMAP_CACHE,
# BUILD, SHMAP_JOBS (guests in parallel, default 2), SHMAP_TIMEOUT (per guest, default 420 s;
# SHMAP_DEBUG_TIMEOUT for the debug kernels, 2400 s), SHMAP_SRC (module sources), SHMAP_GUEST_DIR
# (extra files for /tests), SHMAP_SKIP_MAKE=1 (runner development only: skip "make"),
# SHMAP_PACKAGING=0 (skip the packaging tests and the fresh-machine check).
# Logs: $BUILD/check/VER/{console.log,tap.log,verdict,prepare.log,boot.log}.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
"$RUNNER_DIR/deps.sh"

if [[ ${SHMAP_SKIP_MAKE:-0} != 1 ]]; then
	log "make (user space)"
	make -C "$REPO" BUILD="$BUILD" all tests || die "make failed"
fi

mapfile -t kernels < <("$RUNNER_DIR/kernels.sh" resolve)
((${#kernels[@]})) || die "no kernels"
log "kernels: ${kernels[*]}"

declare -A verdict secs
# Kernel images and headers first, one at a time (apt/dpkg take a lock).
ok=()
for v in "${kernels[@]}"; do
	d=$BUILD/check/$v
	rm -rf "$d"
	mkdir -p "$d"
	if "$RUNNER_DIR/kernels.sh" prepare "$v" >"$d/prepare.log" 2>&1; then
		ok+=("$v")
	else
		verdict[$v]="FAIL (kernel)"
		secs[$v]=0
		echo "== $v: kernel preparation failed ($d/prepare.log):" >&2
		sed 's/^/   /' "$d/prepare.log" >&2
	fi
done
# Kernels whose module the host's DKMS builds (bookworm's, the 6.12 debug kernel), not a chroot's.
host_ok=()
for v in "${ok[@]}"; do is_chroot_kernel "$v" || host_ok+=("$v"); done
# DKMS generates its signing key on first use: not in two builds at once.
if ((${#host_ok[@]})) && [[ ! -f /var/lib/dkms/mok.key ]]; then
	"$RUNNER_DIR/build-module.sh" "${host_ok[0]}" >/dev/null 2>&1 || true
fi
log "kernels ready in $((SECONDS - t0))s"

# host_suite NAME COMMAND...: a host-side suite whose TAP goes to $BUILD/check/NAME/tap.log,
# reported below in a row of its own.
declare -A extra_secs
extras=()
host_suite() {
	local name=$1 d=$BUILD/check/$1 s=$SECONDS
	shift
	rm -rf "$d"
	mkdir -p "$d"
	"$@" >"$d/tap.log" 2>&1 || echo "FAIL" >"$d/verdict"
	extra_secs[$name]=$((SECONDS - s))
	extras+=("$name")
}

# Packaging: build the .debs from the tree and install them in the chroot of each kernel's suite
# (bookworm, trixie, sid; a debug kernel's build tree stands in for a headers package). DKMS builds
# the module for every kernel there; the examples are built against the installed library; then
# purge, and the DKMS life cycle. The guests below load the module from that install and run
# those examples. SHMAP_PACKAGING=0 skips it (the guests then use a DKMS build of their own).
if [[ ${SHMAP_PACKAGING:-1} = 1 ]] && ((${#ok[@]})); then
	log "packaging: debs, chroot install, DKMS life cycle"
	rm -rf "$BUILD/packaging"
	host_suite packaging "$REPO/tests/packaging/run-all.sh" --worktree "$BUILD/packaging" "${ok[@]}"
	export SHMAP_MODULE_DIR=$BUILD/packaging/modules SHMAP_PROGRAMS_DIR=$BUILD/packaging/programs
	# A brand-new machine: deps.sh alone installs what make demo, the package build and
	# lint need.
	log "fresh machine: deps.sh in a pristine bookworm, then make demo, debs, lint there"
	host_suite fresh-machine "$REPO/tests/packaging/fresh-machine.sh"
fi
# Non-Debian installs: make install/uninstall into a temporary root, man pages.
host_suite install "$REPO/tests/packaging/install-tree.sh"
log "building and booting, ${SHMAP_JOBS:-2} at a time"

# Per kernel: module (DKMS) + initramfs, then the guest.
pipeline() {
	local v=$1 d=$BUILD/check/$1 s rc=0
	if ! "$RUNNER_DIR/prepare.sh" "$v" "$d" >>"$d/prepare.log" 2>&1; then
		echo "FAIL (build)" >"$d/verdict"
		{
			echo "== $v: module or initramfs build failed ($d/prepare.log):"
			sed 's/^/   /' "$d/prepare.log"
		} >"$d/boot.log"
		return 1
	fi
	s=$SECONDS
	# Every guest runs tests/torture/suite.sh: the regular suite, then fault injection (where the
	# kernel has it), stress, ioctl fuzzing and kmemleak (where the kernel has it). The debug
	# kernel turns kmemleak and page-allocation debugging on (debug_append, lib.sh) and needs
	# more memory and time.
	local append=${SHMAP_APPEND:-} mem=${SHMAP_MEM:-512} timeout=${SHMAP_TIMEOUT:-420}
	if is_debug_kernel "$v"; then
		append="$(debug_append "$v") $append" mem=1024
		timeout=${SHMAP_DEBUG_TIMEOUT:-2400}
	fi
	SHMAP_APPEND=$append SHMAP_MEM=$mem SHMAP_TIMEOUT=$timeout \
		"$RUNNER_DIR/boot.sh" "$v" "$d/initramfs.cpio" "$d" /tests/torture/suite.sh \
		>"$d/boot.log" 2>&1 || rc=$?
	echo "$((SECONDS - s))" >"$d/seconds"
	return "$rc"
}
running=0
for v in "${ok[@]}"; do
	if ((running >= ${SHMAP_JOBS:-2})); then wait -n || true; running=$((running - 1)); fi
	pipeline "$v" &
	running=$((running + 1))
done
wait || true

total_pass=0 total_fail=0 total_skip=0 bad=0
rows=()
for v in "${kernels[@]}"; do
	d=$BUILD/check/$v
	pass=0 fail=0 skip=0
	echo "# ---- kernel $v"
	if [[ -f $d/tap.log ]]; then
		"$RUNNER_DIR/tap.sh" "$d/tap.log" >"$d/tap.renumbered" 2>"$d/tap.counts"
		read -r pass fail skip <"$d/tap.counts"
		cat "$d/tap.renumbered"
	fi
	if [[ -z ${verdict[$v]:-} ]]; then
		secs[$v]=$(cat "$d/seconds" 2>/dev/null || echo 0)
		case $(cat "$d/verdict" 2>/dev/null) in
		PASS*) verdict[$v]=PASS ;;
		"FAIL (build)") verdict[$v]="FAIL (build)" ;;
		*) verdict[$v]=FAIL ;;
		esac
		if [[ ${verdict[$v]} != PASS ]]; then
			sed 's/^/# /' "$d/boot.log"
		fi
	fi
	if [[ ${verdict[$v]} != PASS ]]; then
		fail=$((fail + 1))   # the guest failure itself
	elif ((fail)); then
		verdict[$v]=FAIL
	fi
	if ((pass + fail == 0)); then
		verdict[$v]="FAIL (no tests)"
		bad=1
	fi
	[[ ${verdict[$v]} = PASS ]] || bad=1
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
	rows+=("$(printf '%-28s %7d %7d %7d %8d  %s' "$v" "$pass" "$fail" "$skip" "${secs[$v]}" "${verdict[$v]}")")
done

# Host-side suites (packaging): their TAP and a row each.
for x in "${extras[@]}"; do
	d=$BUILD/check/$x
	echo "# ---- $x"
	"$RUNNER_DIR/tap.sh" "$d/tap.log" >"$d/tap.renumbered" 2>"$d/tap.counts"
	read -r pass fail skip <"$d/tap.counts"
	cat "$d/tap.renumbered"
	v=PASS
	if [[ -f $d/verdict ]] || ((fail)); then
		v=FAIL
		grep -v '^\(ok\|not ok\|#\)' "$d/tap.log" | tail -n 30 | sed 's/^/# /'
	fi
	if ((pass + fail == 0)); then v="FAIL (no tests)"; fi
	# A failed run that reported no failing test counts as one failure.
	if [[ $v != PASS ]] && ((fail == 0)); then fail=1; fi
	[[ $v = PASS ]] || bad=1
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
	rows+=("$(printf '%-28s %7d %7d %7d %8d  %s' "$x" "$pass" "$fail" "$skip" "${extra_secs[$x]}" "$v")")
done

echo
printf '%-28s %7s %7s %7s %8s  %s\n' suite passed failed skipped seconds verdict
printf '%s\n' "${rows[@]}"
# Why each failed guest failed, after the table: CI shows the tail of this output, and the
# details above (the whole boot.log) may not be in it.
for v in "${kernels[@]}"; do
	[[ ${verdict[$v]} = PASS ]] && continue
	d=$BUILD/check/$v
	echo "# $v: ${verdict[$v]}; the guest: $(cat "$d/verdict" 2>/dev/null || echo "no verdict")"
	grep '^not ok' "$d/tap.renumbered" 2>/dev/null | head -n 3 | sed 's/^/#   /'
	echo "#   last TAP lines:"
	tail -n 2 "$d/tap.log" 2>/dev/null | sed 's/^/#     /'
	echo "#   last console lines:"
	tail -n 8 "$d/console.log" 2>/dev/null | sed 's/^/#     /'
done
echo "# logs: $BUILD/check/VER/ (console.log, tap.log); total $((SECONDS - t0))s"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
((bad == 0 && total_fail == 0 && total_pass > 0))
