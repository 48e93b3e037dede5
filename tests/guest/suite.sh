#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shmap test suite, run inside the test guest (busybox sh) as
# /tests/suite.sh, with the static programs in /tests and the sanitizer
# build of the library test in /tests/asan.
#
# Prints TAP: the programs' own lines plus this script's shell-level cases
# ("ok N - suite: ..."). Numbering restarts per program; the host renumbers.
# Loads brd and, where the kernel has them, the dma-buf importers vgem and
# vivid first, then the module itself with several parameter sets:
#   1. default_mode=eager   all programs, and those that choose their modes ($OWN_MODE)
#   2. default_mode=lazy    all programs but those, the bench smoke (bench --smoke)
#   3. fault_window=1       the fault program (one page per fault)
#   4. max_buffer_mb=12 max_total_mb=16   the limits program
#   5. max_buffer_mb=1048576 max_total_mb=1048576   the sparse program (1 TiB)
# plus: refused module parameters, dev_mode, modprobe -r while busy,
# shmapctl list (shmapctl-list.sh), and shmapctl's own test with the
# examples (shmapctl.sh).
# Exits non-zero if anything failed.

T=${SHMAP_TESTS:-/tests}
ASAN=$T/asan
STATS=/sys/class/misc/shmap/stats
PARAMS=/sys/module/shmap/parameters
# Programs run in every parameter set ("lib" also as $ASAN/lib).
PROGS="abi create mmap share futex odirect seal memcg fault syscalls fdinfo lib compat32"
# Programs that give every buffer its mode themselves (each case on an eager and on a
# lazy buffer): run once, with the eager parameter set.
OWN_MODE="huge huge-share dmabuf"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23:print_summary=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=24

phase=setup
TAP_PREFIX=suite
# shellcheck source=tests/tap.sh
. "$T/tap.sh"
# shellcheck source=tests/klog.sh
. "$T/klog.sh"
# shellcheck source=tests/kmod.sh
. "$T/kmod.sh"

# The helpers below run only as check's "$@", which shellcheck cannot follow.
# shellcheck disable=SC2317
fails() { ! "$@"; }
# eq A B: string equality, with a diagnostic when it does not hold.
# shellcheck disable=SC2317
eq() {
	[ "$1" = "$2" ] && return 0
	diag "got '$1', expected '$2'"
	return 1
}
# shellcheck disable=SC2317
stat_is() { eq "$(cat "$STATS/$1" 2>&1)" "$2"; }
loaded() { [ -d /sys/module/shmap ]; }
# exists PATH...: one of the PATHs exists (for a glob's expansion).
# shellcheck disable=SC2317
exists() {
	for f in "$@"; do [ -e "$f" ] && return 0; done
	return 1
}

# Kernel log lines that mean trouble, since the last clear_klog.
clear_klog() { dmesg -c >/dev/null 2>&1; }
check_klog() {
	if bad=$(dmesg | klog_bad -); then
		not_ok "kernel log clean after $1 ($phase)" "$(echo "$bad" | head -40)"
	fi
}

# run PROG [ARGS]: a test program printing its own TAP. A crash of the
# program itself (exit status other than 0 or 1) is one more failure here.
run() {
	prog=$1
	shift
	name=${prog#"$T"/}
	if [ ! -x "$prog" ]; then
		not_ok "$name present ($phase)"
		return
	fi
	diag "---- $name $* ($phase)"
	clear_klog
	"$prog" "$@"
	rc=$?
	case $rc in
	0) ;;
	1) TAP_FAILED=$((TAP_FAILED + 1)) ;;
	*) not_ok "$name ($phase) exited with status $rc" ;;
	esac
	check_klog "$name"
}

# Wait (up to 30 s) for a file to appear.
wait_file() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && return 1
		usleep 100000 2>/dev/null || sleep 1
	done
	return 0
}

# load ARGS...: modprobe shmap ARGS as one TAP line. Returns its status.
load() {
	if loaded; then
		diag "shmap still loaded, unloading first"
		modprobe -r shmap
	fi
	if modprobe shmap "$@"; then
		ok "modprobe shmap $* ($phase)"
		return 0
	fi
	not_ok "modprobe shmap $* ($phase)"
	dmesg | tail -20 | sed 's/^/# /'
	return 1
}

# Everything released, then a clean unload.
unload() {
	check "no buffers left before unload ($phase)" stat_is buffers 0
	check "pages_allocated 0 before unload ($phase)" stat_is pages_allocated 0
	check "pages_reserved 0 before unload ($phase)" stat_is pages_reserved 0
	check "modprobe -r shmap ($phase)" modprobe -r shmap
	check "/dev/shmap gone after unload ($phase)" fails test -e /dev/shmap
}

run_all() {
	for p in $PROGS; do
		run "$T/$p"
	done
	run "$ASAN/lib"
}

echo "# shmap suite on $(uname -r)"

# ---- setup
check "shmap not loaded at start" fails loaded
# kmod's tools, not the shell's applets (tests/kmod.sh): busybox's modprobe has no --version.
modprobe_is_kmod() { modprobe --version 2>/dev/null | grep -q '^kmod version'; }
check "modprobe is kmod's" modprobe_is_kmod
if modprobe brd rd_nr=1 rd_size=8192; then
	ok "modprobe brd rd_nr=1 rd_size=8192"
else
	not_ok "modprobe brd rd_nr=1 rd_size=8192"
fi
check "/dev/ram0 exists" test -b /dev/ram0
check "cgroup2 with the memory controller" grep -qw memory /sys/fs/cgroup/cgroup.controllers
# The kernel's dma-buf importers, for the dmabuf program and the V4L2 example of
# $T/installed: vgem (DRM, /dev/dri/card*) and vivid (V4L2, /dev/video*), loaded
# once for the whole suite where the kernel has them (modprobe -n).
clear_klog
for mod in vgem:/dev/dri/card vivid:/dev/video; do
	node=${mod#*:} mod=${mod%%:*}
	if ! modprobe -n -q "$mod"; then
		skip "modprobe $mod" "no $mod module in $(uname -r)"
	elif modprobe "$mod"; then
		ok "modprobe $mod"
		check "$node* exists after modprobe $mod" exists "$node"*
		diag "$mod: $(echo "$node"*)"
	else
		not_ok "modprobe $mod" "$(dmesg | tail -20)"
	fi
done
check_klog "modprobe vgem vivid"

# ---- refused parameters: modprobe fails, the kernel log names the parameter
phase="bad-params"
for p in max_total_mb=-5 max_total_mb=0 max_total_mb=1048577 max_total_mb=abc \
	max_buffer_mb=0 max_buffer_mb=-1 max_buffer_mb=1048577 max_buffer_mb=12x \
	default_mode=bogus default_mode= default_mode=EAGER \
	dev_mode=0999 dev_mode=01000 dev_mode=abc dev_mode=-1 \
	fault_window=0 fault_window=3 fault_window=513 fault_window=1024 fault_window=abc \
	fault_window=-16; do
	param=${p%%=*}
	clear_klog
	if modprobe shmap "$p" 2>/tmp/modprobe.err; then
		not_ok "modprobe shmap $p refused"
		diag "it loaded; /dev/shmap mode $(stat -c %a /dev/shmap 2>&1)"
		modprobe -r shmap
	elif ! dmesg | grep -q "$param"; then
		not_ok "modprobe shmap $p refused, kernel log names $param"
		sed 's/^/# modprobe: /' /tmp/modprobe.err
		dmesg | tail -5 | sed 's/^/# /'
	elif loaded; then
		not_ok "modprobe shmap $p refused, module not left loaded"
		modprobe -r shmap
	else
		ok "modprobe shmap $p refused, kernel log names $param"
	fi
done

# ---- dev_mode
phase=dev_mode
if load dev_mode=0600; then
	check "dev_mode=0600: /dev/shmap is 600" eq "$(stat -c %a /dev/shmap)" 600
	check "dev_mode=0600: parameter file is read-only (444)" \
		eq "$(stat -c %a $PARAMS/dev_mode)" 444
	check "dev_mode cannot be written at run time" fails sh -c "echo 0666 > $PARAMS/dev_mode" 2>/dev/null
	check "dev_mode=0600: /dev/shmap still 600" eq "$(stat -c %a /dev/shmap)" 600
	modprobe -r shmap
fi
if load dev_mode=0640; then
	check "dev_mode=0640: /dev/shmap is 640" eq "$(stat -c %a /dev/shmap)" 640
	modprobe -r shmap
fi
if load; then
	check "default dev_mode: /dev/shmap is 666" eq "$(stat -c %a /dev/shmap)" 666
	check "default default_mode is lazy" eq "$(cat $PARAMS/default_mode)" lazy
	check "default max_buffer_mb is 1024" eq "$(cat $PARAMS/max_buffer_mb)" 1024
	check "default fault_window is 64" eq "$(cat $PARAMS/fault_window 2>&1)" 64
	mt=$(cat $PARAMS/max_total_mb)
	ramkb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	diag "max_total_mb=$mt, MemTotal ${ramkb} kB"
	# Half of RAM, give or take what the kernel counts as RAM.
	check "default max_total_mb is about half of RAM" \
		test "$mt" -ge $((ramkb / 1024 / 2 - 64)) -a "$mt" -le $((ramkb / 1024 / 2 + 64))
	for s in buffers pages_allocated pages_reserved faults; do
		check "stats/$s is 0 after load" stat_is $s 0
	done
	unload
fi

# ---- all programs, eager by default
phase=eager
if load default_mode=eager; then
	check "default_mode reads eager" eq "$(cat $PARAMS/default_mode)" eager
	run_all
	for p in $OWN_MODE; do
		run "$T/$p"
	done
	unload
fi

# ---- all programs, lazy by default
phase=lazy
if load default_mode=lazy; then
	check "default_mode reads lazy" eq "$(cat $PARAMS/default_mode)" lazy
	run_all
	# make bench's program, seconds-long (4 MiB, one run of every row), so that it cannot rot.
	run "$T/bench" --smoke
	# Examples built with pkg-config against the installed libshmap-dev
	# (the packaging test), when the runner provides them.
	for ex in "$T"/installed/*; do
		[ -f "$ex" ] || continue
		case $ex in *.sh) continue ;; esac
		# The V4L2 example needs vivid: a kernel without the module skips it.
		if [ "${ex##*/}" = v4l2-capture ] && ! modprobe -n -q vivid; then
			skip "installed example v4l2-capture ($phase)" "no vivid module in $(uname -r)"
			continue
		fi
		clear_klog
		"$ex" >/tmp/ex.out 2>&1
		rc=$?
		sed 's/^/# /' /tmp/ex.out
		check "installed example ${ex##*/} ($phase)" eq "$rc" 0
		check_klog "${ex##*/}"
	done
	unload
fi

# ---- one page per fault: the fault program checks whatever window is loaded
phase=window1
if load fault_window=1; then
	check "fault_window reads 1" eq "$(cat $PARAMS/fault_window 2>&1)" 1
	run "$T/fault"
	unload
fi
phase=window512
if load fault_window=512; then
	check "fault_window reads 512" eq "$(cat $PARAMS/fault_window 2>&1)" 512
	unload
fi

# ---- small limits
phase=limits
if load max_buffer_mb=12 max_total_mb=16; then
	check "max_buffer_mb reads 12" eq "$(cat $PARAMS/max_buffer_mb)" 12
	check "max_total_mb reads 16" eq "$(cat $PARAMS/max_total_mb)" 16
	run "$T/limits"
	unload
fi

# ---- the largest limits: a 1 TiB sparse buffer
phase=sparse
if load max_buffer_mb=1048576 max_total_mb=1048576; then
	run "$T/sparse"
	unload
fi

# ---- modprobe -r while the module is in use
phase=busy
if load; then
	rm -f /tmp/held
	"$T/shmap-hold" fd /tmp/held &
	hold=$!
	if wait_file /tmp/held; then
		check "a held buffer fd is counted" stat_is buffers 1
		check "modprobe -r refused while a buffer fd is open" fails modprobe -r shmap
		check "module still loaded" loaded
	else
		not_ok "shmap-hold fd got ready"
	fi
	kill $hold 2>/dev/null
	wait $hold 2>/dev/null
	check "buffer fd holder gone: buffers 0" stat_is buffers 0
	check "buffer fd holder gone: pages_allocated 0" stat_is pages_allocated 0

	rm -f /tmp/held
	"$T/shmap-hold" map /tmp/held &
	hold=$!
	if wait_file /tmp/held; then
		check "a mapping alone keeps the buffer (buffers 1)" stat_is buffers 1
		check "a mapping alone keeps its pages (pages_allocated 16)" stat_is pages_allocated 16
		check "modprobe -r refused while only a mapping remains" fails modprobe -r shmap
		check "module still loaded" loaded
	else
		not_ok "shmap-hold map got ready"
	fi
	kill $hold 2>/dev/null
	wait $hold 2>/dev/null
	check "mapping holder gone: buffers 0" stat_is buffers 0
	check "mapping holder gone: pages_allocated 0" stat_is pages_allocated 0

	exec 3</dev/shmap
	check "modprobe -r refused while /dev/shmap is open" fails modprobe -r shmap
	exec 3<&-
	unload
fi

# ---- shmapctl list: who holds which buffer (one page per fault, so that
# the pages a test touches are exactly the resident ones)
phase=list
if load fault_window=1; then
	SHMAPCTL=/usr/bin/shmapctl SETPRIV=/usr/bin/setpriv LSFD=/usr/bin/lsfd \
		SHMAP_HOLD=$T/shmap-hold run "$T/shmapctl-list.sh"
	unload
fi

# 5. shmapctl (the module loaded with modprobe) and the libshmap examples.
phase=shmapctl
if loaded; then unload; fi
SHMAPCTL=/usr/bin/shmapctl SETPRIV=/usr/bin/setpriv SHMAP_EXAMPLES=$T/examples \
	run "$T/shmapctl.sh"

phase=end
check "shmap unloaded at the end" fails loaded
tap_end
