#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel suite, run in the test guest (busybox sh) as /tests/torture/suite.sh
# (boot.sh VER CPIO DIR /tests/torture/suite.sh). Works on any kernel: what a kernel lacks
# (kmemleak, fault injection) is reported as a TAP skip.
#
#  1. the regular suite (/tests/suite.sh), unless shmap_regular=0 on the kernel command line
#     (unknown name=value arguments reach init, and this script, as environment variables)
#  2. kmemleak: clear (everything allocated so far is not a leak)
#  3. modprobe shmap; faultinj, stress, fuzz (64-bit and 32-bit); modprobe -r shmap
#  4. kmemleak: scan, wait 6 s, scan (an object is reported after two scans and 5 s of age),
#     once while the module is still loaded (backtraces resolve to shmap symbols) and once
#     after unloading (leaks on the unload path; the module's addresses no longer resolve, so
#     they are matched against its address range, recorded before unloading).
#     Failure: any leak whose backtrace has a shmap symbol or an address in the module's range.
#     Other leaks are printed as diagnostics only: they are the kernel's, not ours.
#  5. the kernel log since the start must be free of reports (KASAN, lockdep, ...).
# Options (environment / kernel command line): shmap_regular=0|1, shmap_stress="ARGS",
# shmap_fuzz="ARGS" (e.g. shmap_fuzz=12345 replays a seed).
# Prints TAP; exits non-zero if anything failed.

T=${SHMAP_TESTS:-/tests}
D=$T/torture
KL=/sys/kernel/debug/kmemleak
STATS=/sys/class/misc/shmap/stats

TAP_PREFIX=torture
# shellcheck source=tests/tap.sh
. "$T/tap.sh"
# shellcheck source=tests/klog.sh
. "$T/klog.sh"
# shellcheck source=tests/kmod.sh
. "$T/kmod.sh"

check_klog() {
	if bad=$(dmesg | klog_bad -); then
		not_ok "kernel log clean after $1" "$(echo "$bad" | head -40)"
	else
		ok "kernel log clean after $1"
	fi
	dmesg -c >/dev/null 2>&1
}

# run NAME PROG [ARGS]: a program printing its own TAP (numbering restarts; the host renumbers).
run() {
	name=$1
	shift
	if [ ! -x "$1" ]; then
		not_ok "$name present"
		return
	fi
	diag "---- $name: $*"
	s=$(date +%s)
	"$@"
	rc=$?
	diag "---- $name: exit status $rc, $(($(date +%s) - s)) s"
	case $rc in
	0) ;;
	1) TAP_FAILED=$((TAP_FAILED + 1)) ;;
	*) not_ok "$name exited with status $rc" ;;
	esac
	check_klog "$name"
}

# Everything unreferenced so far (boot, the regular suite) is reported by a scan, then cleared.
kmemleak_on() { [ -w $KL ] && echo scan > $KL 2>/dev/null && echo clear > $KL; }

# kmemleak_check WHEN: scan twice and judge the report.
kmemleak_check() {
	when=$1
	# kmemleak disables itself when its own metadata cannot be allocated: make sure it
	# still works (a write to a disabled kmemleak fails with EPERM) before trusting silence.
	if ! echo scan > $KL || dmesg | grep -q 'kmemleak: .*disabled'; then
		not_ok "kmemleak still enabled ($when)"
		return
	fi
	sleep 6
	echo scan > $KL
	report=$(cat $KL)
	if [ -z "$report" ]; then
		ok "kmemleak: no leaks ($when)"
		return
	fi
	ours=$(echo "$report" | awk -v lo="$mod_lo" -v hi="$mod_hi" '
		/^unreferenced object/ { if (obj != "" && hit) print obj; obj = $0; hit = 0; next }
		{ obj = obj "\n" $0 }
		/shmap/ { hit = 1 }
		# Addresses: "[<ffff...>]" or an unresolved "%pS" (0xffff...) of an unloaded module.
		lo != "" && match($0, /(\[<|0x)[0-9a-f]{16}/) {
			a = substr($0, RSTART + RLENGTH - 16, 16)
			if (a >= lo && a < hi) hit = 1
		}
		END { if (obj != "" && hit) print obj }')
	if [ -n "$ours" ]; then
		not_ok "kmemleak: shmap leaks ($when)"
		echo "$ours" | head -60 | sed 's/^/# /'
	else
		ok "kmemleak: no shmap leaks ($when)"
		diag "kmemleak lists objects that are not shmap's:"
		echo "$report" | head -30 | sed 's/^/#   /'
	fi
	echo clear > $KL
}

diag "debug suite on $(uname -r)"
for f in kasan kfence kmemleak fail_page_alloc failslab; do
	[ -e /sys/kernel/debug/$f ] && diag "debugfs: $f present"
done
dmesg -c >/dev/null 2>&1

# 1. The regular suite.
if [ "${shmap_regular:-1}" != 0 ] && [ -x "$T/suite.sh" ]; then
	diag "---- regular suite"
	s=$(date +%s)
	if "$T/suite.sh"; then ok "regular suite"; else not_ok "regular suite"; fi
	diag "---- regular suite: $(($(date +%s) - s)) s"
	dmesg -c >/dev/null 2>&1
fi
if [ -d /sys/module/shmap ]; then modprobe -r shmap; fi

# 2. kmemleak baseline.
leakcheck=0
if kmemleak_on; then
	leakcheck=1
	ok "kmemleak enabled"
	# SLUB's per-CPU sheaves (6.18 on) keep the addresses of the objects they handed out and
	# are scanned, so kmemleak never sees those objects leak: the debug kernels boot with
	# slub_debug=F there, which leaves no cache with sheaves (debug_append, tests/runner/lib.sh).
	blind=$(grep -lvx 0 /sys/kernel/slab/*/sheaf_capacity 2>/dev/null)
	if [ -z "$blind" ]; then
		ok "kmemleak sees slab objects (no per-CPU sheaves)"
	else
		not_ok "kmemleak sees slab objects (no per-CPU sheaves): $(echo "$blind" | wc -l) caches have them" \
			"$(echo "$blind" | head -10)"
	fi
else
	skip "kmemleak" "not enabled: CONFIG_DEBUG_KMEMLEAK and kmemleak=on"
fi

# 3. The programs.
if modprobe shmap max_buffer_mb=64; then
	ok "modprobe shmap max_buffer_mb=64"
else
	not_ok "modprobe shmap max_buffer_mb=64"
	exit 1
fi
mod_lo='' mod_hi=''
# shellcheck disable=SC2046 # split the /proc/modules line into fields
set -- $(grep '^shmap ' /proc/modules)
if [ -n "${6:-}" ] && [ "$6" != 0x0000000000000000 ]; then
	mod_lo=${6#0x}
	# busybox arithmetic is signed: add the size to the low 32 bits in awk (module
	# addresses are 0xffffffffcXXXXXXX: no carry into the high half).
	mod_hi=$(awk -v a="$mod_lo" -v s="$2" 'BEGIN {
		l = 0
		for (i = 9; i <= 16; i++) l = l * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
		l += s
		if (l > 4294967295) l = 4294967295
		printf "%s%04x%04x\n", substr(a, 1, 8), int(l / 65536), l % 65536 }')
	diag "shmap at $mod_lo-$mod_hi"
fi

run faultinj "$D/faultinj"
# shellcheck disable=SC2086 # option lists
run stress "$D/stress" ${shmap_stress:-}
# shellcheck disable=SC2086
run fuzz "$D/fuzz" ${shmap_fuzz:-}
if [ -x "$D/fuzz32" ]; then
	# shellcheck disable=SC2086
	run fuzz32 "$D/fuzz32" ${shmap_fuzz:-}
fi

for c in buffers pages_allocated pages_reserved; do
	v=$(cat $STATS/$c)
	if [ "$v" = 0 ]; then ok "$c is 0 before unload"; else not_ok "$c is 0 before unload (got $v)"; fi
done
if [ $leakcheck = 1 ]; then kmemleak_check "module loaded"; fi
if modprobe -r shmap; then ok "modprobe -r shmap"; else not_ok "modprobe -r shmap"; fi
if [ $leakcheck = 1 ]; then kmemleak_check "after unload"; fi
check_klog "unload"

tap_end
