# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The kernel log lines that fail a run, in one place: boot.sh reads the console log with them on
# the host, the guest suites read dmesg between programs (busybox sh; POSIX sh only).
#
#   klog_bad [GREP-OPTION...] FILE...
#       print the lines of the FILEs (- for stdin) that report a problem; exit status 0 if
#       there is one, 1 if there is none (it is grep -E)

# Oopses, WARNs, BUGs and panics; lockups, stalls and hangs; list and refcount corruption; the
# report headers of UBSAN, KASAN, KFENCE, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_VM and kmemleak (a
# lockdep kernel prints "RCU lockdep checking is enabled" at boot: not a report, so no bare
# "lockdep"); an mm whose RSS counters did not drop to zero at exit.
KLOG_BAD='WARNING:|BUG:|Oops|Kernel panic|general protection|Call Trace|soft lockup|hard LOCKUP'
KLOG_BAD="$KLOG_BAD|blocked for more than|rcu: INFO|detected stall|list_add corruption"
KLOG_BAD="$KLOG_BAD|list_del corruption|refcount_t:|Bad page|Bad rss-counter|page dumped because"
KLOG_BAD="$KLOG_BAD|UBSAN:|KASAN|KFENCE:|possible circular locking|possible recursive locking"
KLOG_BAD="$KLOG_BAD|inconsistent lock state|suspicious RCU usage|DEBUG_LOCKS_WARN_ON"
KLOG_BAD="$KLOG_BAD|sleeping function called|scheduling while atomic|lock held when returning"
KLOG_BAD="$KLOG_BAD|new suspected memory leaks|kmemleak: Cannot|leak detector disabled"

klog_bad() {
	grep -E "$KLOG_BAD" "$@"
}
