#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shmap demo, run in the guest as /tests/demo.sh (busybox sh): load the
# module, show its counters, run the libshmap example producer-consumer (two
# processes, one buffer passed over a Unix socket), show the counters again, unload.
# Exits 0 only if every step worked.

T=${SHMAP_TESTS:-/tests}
STATS=/sys/class/misc/shmap/stats
status=0
# shellcheck source=tests/kmod.sh
. "$T/kmod.sh"

step() {
	echo
	echo "==> $*"
}
show_stats() {
	for f in "$STATS"/*; do
		printf '    %-16s %s\n' "${f##*/}" "$(cat "$f")"
	done
}

step "modprobe shmap default_mode=lazy max_total_mb=64"
if ! modprobe shmap default_mode=lazy max_total_mb=64; then
	echo "demo: could not load the shmap module" >&2
	exit 1
fi
ls -l /dev/shmap
echo "    parameters:"
for f in /sys/module/shmap/parameters/*; do
	printf '    %-16s %s\n' "${f##*/}" "$(cat "$f")"
done

step "cat $STATS/*   (before)"
show_stats || status=1

step "$T/examples/producer-consumer"
"$T/examples/producer-consumer" || status=1

step "cat $STATS/*   (after: the buffer is gone, the fault count stays)"
show_stats || status=1
[ "$(cat $STATS/buffers)" = 0 ] || { echo "demo: buffers left behind" >&2; status=1; }
[ "$(cat $STATS/pages_allocated)" = 0 ] || { echo "demo: pages left behind" >&2; status=1; }

step "modprobe -r shmap"
modprobe -r shmap || status=1
[ -e /dev/shmap ] && { echo "demo: /dev/shmap still there" >&2; status=1; }

echo
if [ $status = 0 ]; then echo "demo: all steps succeeded"; else echo "demo: FAILED"; fi
exit $status
