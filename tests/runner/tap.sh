#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Renumber the TAP output of one guest.
#   tap.sh TAP.LOG     prints the "ok"/"not ok" lines renumbered from 1 and the "# " comments;
#                      other lines are dropped. Last line: "PASSED FAILED SKIPPED" counts, to
#                      stderr ("ok ... # SKIP" lines count as skipped, not passed).
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 TAP.LOG" >&2; exit 1; }
awk '
	function rest(s) { sub(/^[ \t]*[0-9]+/, "", s); sub(/^[ \t]+/, "", s); return s }
	/^ok( |$)/     { n++; if ($0 ~ /# *SKIP/) skip++; else pass++
	                 r = rest(substr($0, 3));  print "ok " n (r == "" ? "" : " " r); next }
	/^not ok( |$)/ { n++; fail++; r = rest(substr($0, 7)); print "not ok " n (r == "" ? "" : " " r); next }
	/^# /          { print }
	END            { printf "%d %d %d\n", pass, fail, skip > "/dev/stderr" }
' "$1"
