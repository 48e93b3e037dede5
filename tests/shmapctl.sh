#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# shmapctl.sh: exercise every shmapctl command and error against the
# real module, and run the libshmap examples. TAP output ("ok N - shmapctl:
# ..."), exit status 1 if anything failed.
#
# Where shmap is installed for the running kernel and we are root (the test
# guests), everything runs: the script unloads shmap first (it must not be
# in use) and leaves it unloaded. Elsewhere (a development host) only what
# needs no module runs: help, argument errors, "not loaded", "not
# installed", JSON validity, info on non-shmap fds.
#
# Environment:
#   SHMAPCTL        the shmapctl binary (default: shmapctl from PATH)
#   SHMAP_EXAMPLES  directory of the example programs (default: from PATH)
#
# POSIX sh (busybox ash is enough). JSON is validated with python3 when it
# exists, else only its outline is checked.

set -u

SHMAPCTL=${SHMAPCTL:-shmapctl}
# util-linux setpriv, by path where busybox's applet of that name would win.
SETPRIV=${SETPRIV:-setpriv}
EXAMPLES=${SHMAP_EXAMPLES:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/test-shmapctl.XXXXXX") || exit 1
holder=
TAP_PREFIX=shmapctl
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

conf=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	[ -n "$conf" ] && rm -f "$conf"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# fail DESC: not_ok with the last run's exit status and output.
fail() {
	not_ok "$1" "exit status $rc; stdout and stderr:" "$(cat "$T/out" "$T/err")"
}

# run CMD...: stdout in $T/out, stderr in $T/err, exit status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# t DESC WANT PATTERN CMD...: run CMD; WANT is an exit status or "nz" (any
# failure); PATTERN, if not empty, is an extended regex that must match
# stdout or stderr. A failure must also say "shmapctl: ..." on stderr.
t() {
	desc=$1 want=$2 pat=$3
	shift 3
	run "$@"
	if [ "$want" = nz ]; then
		if [ "$rc" -eq 0 ]; then
			fail "$desc (succeeded)"
			return 1
		fi
	elif [ "$rc" -ne "$want" ]; then
		fail "$desc (want exit status $want)"
		return 1
	fi
	if [ -n "$pat" ] && ! cat "$T/out" "$T/err" | grep -Eq -- "$pat"; then
		fail "$desc (no match for /$pat/)"
		return 1
	fi
	if [ "$rc" -ne 0 ] && [ "$want" != 126 ] && [ "$want" != 127 ] &&
	   [ -s "$T/err" ] && ! grep -q '^shmapctl: ' "$T/err"; then
		fail "$desc (error not prefixed by 'shmapctl: ')"
		return 1
	fi
	ok "$desc"
}

# json_ok DESC: is $T/out one valid JSON object?
json_ok() {
	if command -v python3 >/dev/null 2>&1; then
		if python3 -m json.tool <"$T/out" >/dev/null 2>"$T/err"; then
			ok "$1: valid JSON"
		else
			fail "$1: invalid JSON"
		fi
	elif [ "$(wc -l <"$T/out")" -eq 1 ] && grep -q '^{.*}$' "$T/out"; then
		ok "$1: one JSON object (outline only: no python3)"
	else
		fail "$1: not one JSON object"
	fi
}

# has DESC PATTERN: does $T/out match?
has() {
	if grep -Eq -- "$2" "$T/out"; then
		ok "$1"
	else
		fail "$1 (no match for /$2/)"
	fi
}

example() {
	if [ -n "$EXAMPLES" ] && [ -x "$EXAMPLES/$1" ]; then
		echo "$EXAMPLES/$1"
	else
		command -v "$1" 2>/dev/null
	fi
}

param() {
	cat "/sys/module/shmap/parameters/$1" 2>/dev/null
}

# --- needs nothing -----------------------------------------------------------

t "--help" 0 '^Usage: shmapctl ' "$SHMAPCTL" --help
t "--version" 0 '^shmapctl [0-9]+\.[0-9]+\.[0-9]+$' "$SHMAPCTL" --version
for c in status load unload set info create; do
	t "$c --help" 0 "^Usage: shmapctl $c" "$SHMAPCTL" "$c" --help
done
t "help create" 0 '^Usage: shmapctl create' "$SHMAPCTL" help create
t "no command" 2 'missing command' "$SHMAPCTL"
t "unknown command" 2 "unknown command 'frob'" "$SHMAPCTL" frob
t "unknown option" 2 "Try 'shmapctl status --help'" "$SHMAPCTL" status --frob
t "load: not PARAM=VALUE" 2 "is not PARAM=VALUE" "$SHMAPCTL" load max_buffer_mb
t "set: no argument" 2 "missing PARAM=VALUE" "$SHMAPCTL" set
t "info: no argument" 2 "missing FD or PATH" "$SHMAPCTL" info
t "create: no --size" 2 "missing --size" "$SHMAPCTL" create -- true
t "create: size 0" 2 "must not be 0" "$SHMAPCTL" create --size 0 -- true
t "create: bad size" 2 "bad size '12X'" "$SHMAPCTL" create --size 12X -- true
t "create: size overflow" 2 "too large" "$SHMAPCTL" create --size 99999999999T -- true
t "create: no command" 2 "missing COMMAND" "$SHMAPCTL" create --size 1M
t "create: --lazy --eager" 2 "exclude each other" "$SHMAPCTL" create --size 1M --lazy --eager -- true
t "create: --eager --noreserve" 2 "needs a lazy buffer" "$SHMAPCTL" create --size 1M --eager --noreserve -- true
t "info: regular file" 1 "not a shmap buffer" "$SHMAPCTL" info /etc/passwd
t "info: fd 0 (/dev/null)" 1 "0: not a shmap buffer" "$SHMAPCTL" info 0
t "info: closed fd" 1 "fd 77: Bad file descriptor" "$SHMAPCTL" info 77
t "info: missing path" 1 "No such file or directory" "$SHMAPCTL" info /nonexistent/x
t "info: /proc/self/fd of a non-shmap fd" 1 "not a shmap buffer" "$SHMAPCTL" info /proc/self/fd/0

"$SHMAPCTL" status --json >"$T/status.json" 2>/dev/null
installed=no
grep -q '"installed":true' "$T/status.json" && installed=yes
root=no
[ "$(id -u)" = 0 ] && root=yes

if [ "$installed" = no ] || [ "$root" = no ]; then
	# A development host: shmap is not installed for the running kernel.
	if [ "$installed" = no ] && [ ! -d /sys/module/shmap ]; then
		t "status: not loaded -> 1" 1 "not loaded" "$SHMAPCTL" status
		t "status --json: not loaded -> 1" 1 '"loaded":false' "$SHMAPCTL" status --json
		json_ok "status --json (not loaded)"
		t "load: not installed" 1 "shmap is not installed for kernel .*; install shmap-dkms or run dkms install" "$SHMAPCTL" load
		t "load: unknown parameter" 1 "unknown parameter 'frob'" "$SHMAPCTL" load frob=1
		t "unload: not loaded" 1 "not loaded" "$SHMAPCTL" unload
		t "set: not loaded" 1 "not loaded" "$SHMAPCTL" set max_buffer_mb=10
		t "set: read-only parameter" 1 "dev_mode is read-only" "$SHMAPCTL" set dev_mode=0600
		t "create: module not loaded" 1 "cannot open /dev/shmap" "$SHMAPCTL" create --size 1M -- true
	fi
	skip "tests with the module" "shmap not installed for $(uname -r) or not root"
	tap_end
	exit 0
fi

# --- with the module (guest) ------------------------------------------------

if [ -d /sys/module/shmap ] && ! modprobe -r shmap 2>/dev/null; then
	echo "Bail out! shmap is loaded and in use"
	exit 1
fi

# Permission errors, if we can drop root: util-linux setpriv, else su
# (busybox's su takes "-c CMD ARG0 ARGS").
as_nobody() {
	if [ "$drop" = setpriv ]; then
		"$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		# shellcheck disable=SC2016 # for the inner shell
		su -s /bin/sh -c 'exec "$0" "$@"' -- nobody "$@"
	fi
}
drop=
if "$SETPRIV" --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
	drop=setpriv
elif grep -q '^nobody:' /etc/passwd 2>/dev/null &&
     [ "$(su -s /bin/sh nobody -c 'id -u' 2>/dev/null)" = 65534 ]; then
	drop=su
fi

t "status: not loaded -> 1" 1 "shmap is not loaded" "$SHMAPCTL" status
t "status --json: not loaded -> 1" 1 '"loaded":false' "$SHMAPCTL" status --json
json_ok "status --json (not loaded)"
t "unload: not loaded" 1 "shmap is not loaded" "$SHMAPCTL" unload
t "set: not loaded" 1 "shmap is not loaded" "$SHMAPCTL" set max_buffer_mb=10

t "load: max_buffer_mb=0 is refused, kernel message shown" 1 "invalid parameter.*|max_buffer_mb: want a number" "$SHMAPCTL" load max_buffer_mb=0
if grep -q 'max_buffer_mb' "$T/err"; then ok "load: kernel message names max_buffer_mb (stderr)"; else fail "load: kernel message names max_buffer_mb (stderr)"; fi
t "load: default_mode=bogus" 1 "default_mode" "$SHMAPCTL" load default_mode=bogus
t "load: dev_mode=999" 1 "dev_mode" "$SHMAPCTL" load dev_mode=999
t "load: max_total_mb=-5" 1 "max_total_mb" "$SHMAPCTL" load max_total_mb=-5
t "load: unknown parameter" 1 "unknown parameter 'frob'" "$SHMAPCTL" load frob=1
t "status: still not loaded after bad loads" 1 "not loaded" "$SHMAPCTL" status

t "load max_buffer_mb=64 max_total_mb=128" 0 "shmap loaded" "$SHMAPCTL" load max_buffer_mb=64 max_total_mb=128
t "status: loaded -> 0" 0 "max_buffer_mb +64 \(64 MiB\)" "$SHMAPCTL" status
has "status: device node" '^device: +/dev/shmap c[rw-]{9} .*opens'
has "status: counters" '^  buffers +0$'
has "status: limits" '^limits: +buffer 64 MiB, total 128 MiB'
has "status: refcount" '^refcount: +[0-9]+$'
t "status --json: loaded" 0 '"max_buffer_mb":64' "$SHMAPCTL" status --json
json_ok "status --json (loaded)"
has "status --json: numbers as numbers" '"buffers":0,'
has "status --json: limits in bytes" '"max_buffer_bytes":67108864'
has "status --json: dev_mode" '"dev_mode":"0666"'

t "load: same parameters again" 0 "already loaded" "$SHMAPCTL" load max_buffer_mb=64
t "load: dev_mode=666 equals 0666" 0 "already loaded" "$SHMAPCTL" load dev_mode=666
t "load: different parameters" 1 "already loaded with max_buffer_mb=64 \(requested 32\)" "$SHMAPCTL" load max_buffer_mb=32 max_total_mb=128

t "set max_buffer_mb=32" 0 "^max_buffer_mb=32$" "$SHMAPCTL" set max_buffer_mb=32
if [ "$(param max_buffer_mb)" = 32 ]; then ok "set: sysfs shows 32"; else rc=0; fail "set: sysfs shows 32"; fi
t "set max_buffer_mb=0: invalid" 1 "invalid value for max_buffer_mb" "$SHMAPCTL" set max_buffer_mb=0
if grep -q 'want a number' "$T/err"; then ok "set: kernel message shown"; else fail "set: kernel message shown"; fi
if [ "$(param max_buffer_mb)" = 32 ]; then ok "set: old value kept"; else rc=0; fail "set: old value kept"; fi
t "set default_mode=eager" 0 "^default_mode=eager$" "$SHMAPCTL" set default_mode=eager
t "set default_mode=lazy max_total_mb=100" 0 "^max_total_mb=100$" "$SHMAPCTL" set default_mode=lazy max_total_mb=100
t "set default_mode=sloppy: invalid" 1 "invalid value for default_mode" "$SHMAPCTL" set default_mode=sloppy
t "set dev_mode: read-only" 1 "dev_mode is read-only" "$SHMAPCTL" set dev_mode=0600
t "set: unknown parameter" 1 "unknown parameter 'frob'" "$SHMAPCTL" set frob=1

# shellcheck disable=SC2016 # expanded by the inner shell
t "create: SHMAP_FD and SHMAP_SIZE" 0 '^[0-9]+ 1048576$' "$SHMAPCTL" create --size 1M -- sh -c 'echo "$SHMAP_FD $SHMAP_SIZE"'
# shellcheck disable=SC2016
t "create: size rounded up to pages" 0 '^[0-9]+ [1-9][0-9]{3,}$' "$SHMAPCTL" create --size 1 -- sh -c 'echo "$SHMAP_FD $SHMAP_SIZE"'
# shellcheck disable=SC2016
t "create --eager + info" 0 '^mode: +eager$' "$SHMAPCTL" create --size 1M --eager --name t1 -- sh -c '"$1" info "$SHMAP_FD"' sh "$SHMAPCTL"
has "info: size human and exact" '^size: +1 MiB \(1048576 bytes\)$'
has "info: eager is resident" '^resident: +1 MiB \([0-9]+ pages, 1048576 bytes\)$'
has "info: seals none" '^seals: +none$'
has "info: inode" '^inode: +[0-9]+$'
# shellcheck disable=SC2016
t "create --lazy + info --json" 0 '"mode":"lazy"' "$SHMAPCTL" create --size 2M --lazy -- sh -c '"$1" info --json "$SHMAP_FD"' sh "$SHMAPCTL"
json_ok "info --json"
has "info --json: lazy, nothing resident" '"resident_pages":0,'
has "info --json: reserved" '"reserved_bytes":2097152,'
# shellcheck disable=SC2016
t "create --noreserve" 0 '^flags: +noreserve$' "$SHMAPCTL" create --size 1M --noreserve -- sh -c '"$1" info "$SHMAP_FD"' sh "$SHMAPCTL"
t "create: -v prints the fd" 0 "buffer fd [0-9]+, 4 KiB" "$SHMAPCTL" create -v --size 4K -- true
t "create: over max_buffer_mb" 1 "File too large.*max_buffer_mb is 32" "$SHMAPCTL" create --size 64M -- true
t "set max_buffer_mb=200" 0 "^max_buffer_mb=200$" "$SHMAPCTL" set max_buffer_mb=200
t "create: over max_total_mb" 1 "No space left on device.*max_total_mb" "$SHMAPCTL" create --lazy --size 101M -- true
t "create: bad name" 1 "Invalid argument" "$SHMAPCTL" create --size 4K --name a/b -- true
t "create: exit status of COMMAND" 3 "" "$SHMAPCTL" create --size 4K -- sh -c 'exit 3'
t "create: COMMAND not found" 127 "cannot run /nonexistent" "$SHMAPCTL" create --size 4K -- /nonexistent

# A buffer held by another process, seen through /proc/PID/fd/N.
# shellcheck disable=SC2016
"$SHMAPCTL" create --size 2M --name holder -- sh -c 'echo "$SHMAP_FD" >"$1.tmp"; mv "$1.tmp" "$1"; exec sleep 60' sh "$T/fd" &
holder=$!
i=0
while [ ! -s "$T/fd" ] && [ $i -lt 50 ]; do
	sleep 0.2 2>/dev/null || sleep 1
	i=$((i + 1))
done
fd=$(cat "$T/fd" 2>/dev/null)
t "info /proc/PID/fd/N" 0 '^size: +2 MiB \(2097152 bytes\)$' "$SHMAPCTL" info "/proc/$holder/fd/$fd"
has "info /proc/PID/fd/N: file name" '^file: .*shmap'
t "info --json /proc/PID/fd/N" 0 '"size":2097152' "$SHMAPCTL" info --json "/proc/$holder/fd/$fd"
json_ok "info --json /proc/PID/fd/N"
if [ -n "$drop" ]; then
	t "info /proc/PID/fd/N of another user" 1 "pidfd_getfd: Operation not permitted.*run as the process's owner or root" as_nobody "$SHMAPCTL" info "/proc/$holder/fd/$fd"
fi
t "status: one buffer alive" 0 '^  buffers +1$' "$SHMAPCTL" status
t "unload: busy" 1 "shmap is in use: 1 buffer alive, refcount [0-9]+" "$SHMAPCTL" unload
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=

if [ -n "$drop" ]; then
	t "set as non-root: permission denied" 1 "cannot set max_buffer_mb: Permission denied" as_nobody "$SHMAPCTL" set max_buffer_mb=20
	t "unload as non-root: not permitted" 1 "cannot unload shmap: (Operation not permitted|Permission denied)" as_nobody "$SHMAPCTL" unload
	t "status as non-root" 0 "^module: +shmap" as_nobody "$SHMAPCTL" status
	# shellcheck disable=SC2016
	t "create + info as non-root" 0 "^size: +4 KiB" as_nobody "$SHMAPCTL" create --size 4K -- sh -c '"$1" info "$SHMAP_FD"' sh "$SHMAPCTL"
else
	skip "permission errors" "cannot drop root (no setpriv, no su with a nobody user)"
fi

t "unload" 0 "shmap unloaded" "$SHMAPCTL" unload
t "status after unload -> 1" 1 "not loaded" "$SHMAPCTL" status
if [ -n "$drop" ]; then
	t "load as non-root: not permitted" 1 "cannot load shmap: (Operation not permitted|Permission denied)" as_nobody "$SHMAPCTL" load
fi

# /etc/modprobe.d: options apply (the command line wins), blacklist stops.
conf=/etc/modprobe.d/shmapctl-test.conf
if mkdir -p /etc/modprobe.d 2>/dev/null &&
   echo "options shmap max_total_mb=77" 2>/dev/null >"$conf"; then
	t "load: options from modprobe.d" 0 "options from /etc/modprobe.d: max_total_mb=77" "$SHMAPCTL" load
	if [ "$(param max_total_mb)" = 77 ]; then ok "load: modprobe.d option applied"; else rc=0; fail "load: modprobe.d option applied"; fi
	t "unload (modprobe.d)" 0 "shmap unloaded" "$SHMAPCTL" unload
	t "load: command line over modprobe.d" 0 "shmap loaded" "$SHMAPCTL" load max_total_mb=88
	if [ "$(param max_total_mb)" = 88 ]; then ok "load: command line won"; else rc=0; fail "load: command line won"; fi
	t "unload (command line)" 0 "shmap unloaded" "$SHMAPCTL" unload
	echo "blacklist shmap" >"$conf"
	t "load: blacklisted" 1 "blacklisted in /etc/modprobe.d" "$SHMAPCTL" load
	t "load --ignore-blacklist" 0 "shmap loaded" "$SHMAPCTL" load --ignore-blacklist
	t "unload (blacklist)" 0 "shmap unloaded" "$SHMAPCTL" unload
	rm -f "$conf"
else
	skip "modprobe.d options and blacklist" "cannot write $conf"
fi

# --- the examples ------------------------------------------------------------

t "load for the examples" 0 "shmap loaded" "$SHMAPCTL" load
for ex in producer-consumer forked-counter readonly-export; do
	p=$(example "$ex")
	if [ -z "$p" ]; then
		skip "example $ex" "not found (set SHMAP_EXAMPLES)"
		continue
	fi
	t "example $ex" 0 "^$ex: OK$" "$p"
done
p=$(example shell-example.sh)
if [ -n "$p" ]; then
	t "example shell-example.sh" 0 "^shell-example: OK$" env SHMAPCTL="$SHMAPCTL" sh "$p"
else
	skip "example shell-example.sh" "not found (set SHMAP_EXAMPLES)"
fi
t "status: no buffer left" 0 '^  buffers +0$' "$SHMAPCTL" status
t "unload at the end" 0 "shmap unloaded" "$SHMAPCTL" unload

tap_end
