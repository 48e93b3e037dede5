#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, inside the guest (busybox sh), as /tests/bench-guest.sh: load the module with
# limits large enough for the sizes, run /tests/bench, unload. Options come from the kernel
# command line (init passes unknown name=value arguments on as environment variables):
#   bench_sizes=64,1024 (MiB)   bench_reps=3,1 (runs per size)   bench_trace_pages=64 (0: none)
# Output: bench's lines (bench-info:, bench:, bench-trace:) and "# " comments.
# Exits non-zero if the module did not load or unload, or a row failed.

T=${SHMAP_TESTS:-/tests}
sizes=${bench_sizes:-64,1024}

max=1
for s in $(echo "$sizes" | tr ',' ' '); do
	[ "$s" -gt "$max" ] && max=$s
done
# One buffer of the largest size at a time; twice that leaves room for a second one.
if ! modprobe shmap max_buffer_mb="$max" max_total_mb=$((2 * max)); then
	echo "# bench: modprobe shmap max_buffer_mb=$max failed"
	dmesg | tail -n 20 | sed 's/^/# /'
	exit 2
fi
echo "# bench on $(uname -r): $(grep MemTotal /proc/meminfo | tr -s ' '), $(nproc) CPU(s)," \
	"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
s=$(date +%s)
"$T/bench" --sizes "$sizes" --reps "${bench_reps:-3,1}" --trace-pages "${bench_trace_pages:-64}"
rc=$?
echo "# bench: exit status $rc, $(($(date +%s) - s)) s (guest clock)"
if ! modprobe -r shmap; then
	echo "# bench: modprobe -r shmap failed"
	rc=3
fi
exit $rc
