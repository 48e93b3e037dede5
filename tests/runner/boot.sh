#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel with its initramfs under QEMU (TCG) and judge the run.
#   boot.sh VER INITRAMFS OUTDIR [GUEST-COMMAND]
# Writes OUTDIR/console.log (kernel console), OUTDIR/tap.log (the command's output),
# OUTDIR/verdict (one line: PASS or FAIL: reasons). Exit 0 if the run is clean.
# Env: SHMAP_TIMEOUT (seconds, default 300), SHMAP_MEM (MiB, default 512), SHMAP_APPEND (extra
# kernel arguments), SHMAP_SERIAL_STDIO=1 (test output to stdout instead of tap.log),
# SHMAP_SMP (vCPUs, default 2), SHMAP_QEMU_ARGS (extra QEMU arguments, split at spaces; make
# bench gives "-icount shift=0,sleep=off" with SHMAP_SMP=1).
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/klog.sh
. "$(dirname "$0")/../klog.sh"

[[ $# -ge 3 && $# -le 4 ]] || die "usage: $0 VER INITRAMFS OUTDIR [GUEST-COMMAND]"
ver=$1 cpio=$2 out=$3 run=${4:-/tests/suite.sh}
# The ELF vmlinux, booted through PVH; a kernel cached with a bzImage boots that instead (the 7.3
# debug kernel: its PVH entry cannot run KASAN's code yet, see tests/debug-kernel/kernel.sh).
image=$(kernel_dir "$ver")/vmlinux
[[ -f $image ]] || die "no vmlinux for $ver (run kernels.sh prepare $ver)"
if [[ -f $(kernel_dir "$ver")/bzImage ]]; then image=$(kernel_dir "$ver")/bzImage; fi
[[ -f $cpio ]] || die "no initramfs $cpio"
timeout=${SHMAP_TIMEOUT:-300}
mkdir -p "$out"
console=$out/console.log tap=$out/tap.log
rm -f "$console" "$tap" "$out/verdict"

append="console=ttyS0 panic=-1 oops=panic softlockup_panic=1 hung_task_panic=1"
append+=" sysctl.kernel.hung_task_timeout_secs=30 sysctl.kernel.panic_on_rcu_stall=1"
# init_on_alloc=0: Debian zeroes every new page by default, which would hide a
# module that hands out pages without __GFP_ZERO.
# tsc=reliable: under TCG the clocksource watchdog sometimes finds the TSC skewed against the
# emulated HPET and marks it unstable at run time; the kernel then live-patches the static key in
# sched_clock_cpu(), the hottest function there is, while the other vCPU runs it, and a 7.3 guest
# died twice of it ("Oops: int3" at sched_clock_cpu+0x9, before any test). TCG's TSC is one
# virtual clock for all vCPUs, so it is reliable; the flag only turns the TSC watchdog off.
append+=" tsc=reliable"
# maxcpus=1: the kernel boots on one vCPU and the guest's init brings the others up before the
# tests. A boot flips many static keys, and under multi-threaded TCG a live patch of code that
# the other vCPU is running can kill the guest ("Oops: int3" at a patched site: 7.3 at
# sched_clock_cpu+0x9, 6.12 at key_set_index_key+0x9a, both around 2.1 s, in initcalls and the
# scheduler, never in a test). On one vCPU nothing runs the code being patched.
append+=" maxcpus=1"
append+=" cryptomgr.notests init_on_alloc=0 shmap_run=$run ${SHMAP_APPEND:-}"

tap_serial=file:$tap
if [[ ${SHMAP_SERIAL_STDIO:-0} = 1 ]]; then tap_serial=stdio; fi

read -ra qemu_extra <<<"${SHMAP_QEMU_ARGS:-}"

start=$SECONDS
rc=0
# Two vCPUs (multi-threaded TCG) so that concurrent first touches really race. Code patched
# live while the other vCPU runs it can kill the guest (see maxcpus=1 above): the tests that
# switch the function tracer take the other CPUs offline for the switch (t_cpus_alone()).
# One host thread for both vCPUs (thread=single) would avoid that, but it changes what the
# guest sees: tests/fault.c's atomic refaults after MADV_DONTNEED were read faults there (which
# fault-around serves), not write faults as on hardware; it seems that single-threaded TCG
# emulates an atomic read-modify-write as a load and a store.
timeout -k 5 "$timeout" qemu-system-x86_64 -accel tcg -smp "${SHMAP_SMP:-2}" -m "${SHMAP_MEM:-512}" \
	"${qemu_extra[@]}" -display none -nodefaults -no-reboot -no-user-config \
	-kernel "$image" -initrd "$cpio" -append "$append" \
	-serial "file:$console" -serial "$tap_serial" \
	-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null || rc=$?
secs=$((SECONDS - start))
touch "$console" "$tap"
# The guest's serial output may carry CRs.
sed -i 's/\r$//' "$console" "$tap"

reasons=()
if ((rc == 124 || rc == 137)); then
	reasons+=("timeout after ${timeout}s")
elif ((rc == 0)); then
	reasons+=("guest stopped without reporting a status (panic or poweroff)")
elif ((rc % 2 == 1)); then
	status=$(((rc - 1) / 2))
	((status == 0)) || reasons+=("guest command $run exited with status $status")
else
	reasons+=("qemu failed with exit code $rc")
fi

bad=$(klog_bad -n "$console" || true)
[[ -z $bad ]] || reasons+=("kernel log reports problems")

taint=$(sed -n 's/^shmap-init: taint=\([0-9]*\).*/\1/p' "$console" | tail -n 1)
if [[ -n $taint ]]; then
	# W(512) D(128) L(16384) B(32) M(16); O(4096) and E(8192) from our module are expected.
	badtaint=$((taint & (512 | 128 | 16384 | 32 | 16)))
	((badtaint == 0)) || reasons+=("kernel tainted $taint (bad bits $badtaint)")
elif ((${#reasons[@]} == 0)); then
	reasons+=("guest did not report its taint")
fi

if ((${#reasons[@]} == 0)); then
	echo "PASS ${secs}s" >"$out/verdict"
	exit 0
fi
{
	printf 'FAIL %ss:' "$secs"
	printf ' %s;' "${reasons[@]}"
	echo
} >"$out/verdict"
{
	echo "== $ver: FAIL (${secs}s)"
	printf '   - %s\n' "${reasons[@]}"
	if [[ -n $bad ]]; then
		echo "   console lines ($console):"
		# Each flagged line with a little context after it.
		klog_bad -n -A 12 "$console" | head -n 80 | sed 's/^/     /'
	else
		echo "   last console lines ($console):"
		tail -n 25 "$console" | sed 's/^/     /'
	fi
} >&2
exit 1
