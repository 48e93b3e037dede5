#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# shmapctl.sh: exercise every shmapctl command and error against the
# real module, and run the libshmap examples. TAP output ("ok N - shmapctl:
# ..."), exit status 1 if anything failed.
#
# Where shmap is installed for the running kernel and we are root (the test
# guests), everything runs: the script unloads shmap first (it must not be
# in use), loads it with modprobe and leaves it unloaded. Elsewhere (a
# development host) only what needs no module runs: help, argument errors,
# the column lists, "not loaded", JSON validity, info on non-shmap fds.
#
# Every column of info and status is checked alone (-o COL) in text, with
# -b for sizes, and in JSON with its type; the lists of columns here
# (INFO_COLS, STATUS_COLS) must equal what --list-columns prints.
#
# Environment:
#   SHMAPCTL        the shmapctl binary (default: shmapctl from PATH)
#   SHMAP_EXAMPLES  directory of the example programs (default: from PATH)
#
# POSIX sh (busybox ash is enough). JSON is validated with python3 when it
# exists, else its outline (one object holding one array of objects,
# balanced brackets) and each field's type are checked in sh.

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
# shellcheck source=tests/kmod.sh
. "$(dirname "$0")/kmod.sh"

cleanup() {
	[ -n "$holder" ] && kill "$holder" "$(cat "$T/fd.pid" 2>/dev/null)" 2>/dev/null
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

# The columns, NAME:TYPE, as --list-columns prints them.
INFO_COLS="SOURCE:string FILE:string SIZE:size MODE:string SEALS:list FLAGS:list
READONLY:boolean NORESERVE:boolean HUGE:boolean MAPPINGS:number RESIDENT:size
RESERVED:size HUGE-FOLIOS:number DMABUFS:number INODE:number"
STATUS_COLS="MODULE:string KERNEL:string STATE:string LOADED:boolean
INSTALLED:boolean PATH:string VERSION:string SRCVERSION:string REFCOUNT:number
HOLDERS:list DEVICE:string DEV-MODE:string OWNER:string GROUP:string
MAJ:MIN:string OPENS:boolean ERROR:string ABI:number FEATURES:list
DEFAULT-MODE:string FAULT-WINDOW:number MAX-BUFFER:size MAX-TOTAL:size BUFFERS:number
DMABUFS:number ALLOCATED:size RESERVED:size FAULTS:number"

# json_ok DESC KEY: is $T/out one JSON object holding the array KEY?
json_ok() {
	if command -v python3 >/dev/null 2>&1; then
		if python3 -c 'import json, sys
d = json.load(sys.stdin)
assert list(d) == [sys.argv[1]] and isinstance(d[sys.argv[1]], list)
assert all(isinstance(r, dict) for r in d[sys.argv[1]])' "$2" <"$T/out" 2>"$T/err"; then
			ok "$1: valid JSON"
		else
			fail "$1: invalid JSON or not {\"$2\": [...]}"
		fi
		return
	fi
	# The outline libsmartcols prints, and balanced brackets.
	opens=$(tr -cd '{[' <"$T/out" | wc -c)
	closes=$(tr -cd '}]' <"$T/out" | wc -c)
	if [ "$(sed -n 1p "$T/out")" = "{" ] &&
	   [ "$(sed -n 2p "$T/out")" = "   \"$2\": [" ] &&
	   [ "$(tail -n 2 "$T/out" | tr -d ' \n')" = "]}" ] &&
	   [ "$opens" -eq "$closes" ]; then
		ok "$1: JSON outline (no python3)"
	else
		fail "$1: not {\"$2\": [...]}"
	fi
}

# json_field DESC KEY TYPE: a "key": value line of TYPE (string, number,
# size, boolean, list, null) in $T/out.
json_field() {
	case $3 in
	number | size) re='[0-9]+' ;;
	boolean) re='(true|false)' ;;
	list) re='\[' ;;
	null) re='null' ;;
	*) re='"([^"\\]|\\.)*"' ;;
	esac
	has "$1" "^ *\"$2\": $re,?\$"
}

# columns CMD WANT NULLABLE ARGS...: "shmapctl CMD ARGS" with every column
# of WANT alone, in text (a header and one value of the type; a size in
# bytes with -b) and in JSON (the field with a value of its type; null for
# the columns in NULLABLE). CMD must exit 0.
columns() {
	cmd=$1 want=$2 nullable=" $3 "
	shift 3
	for c in $want; do
		name=${c%:*} type=${c##*:}
		key=$(echo "$name" | tr '[:upper:]' '[:lower:]')
		case $type in
		number) re='[0-9]+' ;;
		size) re='[0-9.]+ (B|KiB|MiB|GiB|TiB)' ;;
		boolean) re='[01]' ;;
		list) re='.*' ;;
		*) re='.+' ;;
		esac
		case $nullable in *" $name "*) re="($re|-)" ;; esac
		t "$cmd -o $name" 0 "" "$SHMAPCTL" "$cmd" -o "$name" "$@" || continue
		if [ "$(sed -n 1p "$T/out" | tr -d ' ')" = "$name" ] &&
		   [ "$(wc -l <"$T/out")" -eq 2 ] &&
		   sed -n 2p "$T/out" | grep -Eq "^ *$re *\$"; then
			ok "$cmd -o $name: header and a $type"
		else
			fail "$cmd -o $name: header and a $type (/$re/)"
		fi
		if [ "$type" = size ]; then
			t "$cmd -b -o $name: bytes" 0 '^ *[0-9]+ *$' "$SHMAPCTL" "$cmd" -n -b -o "$name" "$@"
		fi
		t "$cmd -J -o $name" 0 "" "$SHMAPCTL" "$cmd" -J -o "$name" "$@" || continue
		case $nullable in
		*" $name "*) has "$cmd -J -o $name: $key ($type or null)" "^ *\"$key\": (null|\[)" ;;
		*) json_field "$cmd -J -o $name: $key is a $type" "$key" "$type" ;;
		esac
	done
}

# all_columns WANT: the names of WANT, comma-separated (for -o).
all_columns() {
	cols=
	for c in $1; do
		cols=${cols:+$cols,}${c%:*}
	done
	echo "$cols"
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

# listed DESC WANT CMD...: CMD's --list-columns output is WANT.
listed() {
	desc=$1 want=$2
	shift 2
	run "$@"
	got=$(awk '{ print $1 ":" substr($2, 2, length($2) - 2) }' "$T/out" | tr '\n' ' ')
	want=$(printf '%s\n' "$want" | tr '\n' ' ')
	if [ "$rc" -eq 0 ] && [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc" "want: $want" "got:  $got"
	fi
}

# --- needs nothing -----------------------------------------------------------

t "--help" 0 '^Usage: shmapctl ' "$SHMAPCTL" --help
has "--help: modprobe loads the module" "modprobe shmap"
t "--version" 0 '^shmapctl [0-9]+\.[0-9]+\.[0-9]+$' "$SHMAPCTL" --version
for c in status set info create; do
	t "$c --help" 0 "^Usage: shmapctl $c" "$SHMAPCTL" "$c" --help
done
for c in info status; do
	t "$c --help lists the columns" 0 '^ +INODE|^ +FAULTS' "$SHMAPCTL" "$c" --help
	has "$c --help: the table options" '^  -J, --json .*' 
	has "$c --help: -o, -n, -r, -b, -H" '^  -H, --list-columns'
done
t "load is gone" 2 "unknown command 'load'" "$SHMAPCTL" load
t "unload is gone" 2 "unknown command 'unload'" "$SHMAPCTL" unload
t "help create" 0 '^Usage: shmapctl create' "$SHMAPCTL" help create
t "no command" 2 'missing command' "$SHMAPCTL"
t "unknown command" 2 "unknown command 'frob'" "$SHMAPCTL" frob
t "unknown option" 2 "Try 'shmapctl status --help'" "$SHMAPCTL" status --frob
t "set: no argument" 2 "missing PARAM=VALUE" "$SHMAPCTL" set
t "info: no argument" 2 "missing FD or PATH" "$SHMAPCTL" info
listed "info --list-columns" "$INFO_COLS" "$SHMAPCTL" info --list-columns
listed "info -H" "$INFO_COLS" "$SHMAPCTL" info -H
listed "status --list-columns" "$STATUS_COLS" "$SHMAPCTL" status --list-columns
for c in info status; do
	fd0=
	[ "$c" = info ] && fd0=0
	t "$c -o FROB: unknown column" 2 "unknown column 'FROB'" "$SHMAPCTL" "$c" -o FROB ${fd0:+"$fd0"}
	t "$c -o ,: empty column name" 2 "unknown column ''" "$SHMAPCTL" "$c" -o , ${fd0:+"$fd0"}
	t "$c -o '': empty list" 2 "empty column list" "$SHMAPCTL" "$c" -o '' ${fd0:+"$fd0"}
	t "$c --output +FROB" 2 "unknown column 'FROB'" "$SHMAPCTL" "$c" --output +FROB ${fd0:+"$fd0"}
	t "$c -o without a list" 2 "" "$SHMAPCTL" "$c" -o
done
t "status: an argument" 2 "unexpected argument 'x'" "$SHMAPCTL" status x
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
t "info -J: no buffer" 1 "not a shmap buffer" "$SHMAPCTL" info -J 0

installed=$("$SHMAPCTL" status -n -r -o INSTALLED 2>/dev/null)
root=no
[ "$(id -u)" = 0 ] && root=yes

if [ "$installed" != 1 ] || [ "$root" = no ]; then
	# A development host: shmap is not installed for the running kernel.
	if [ "$installed" != 1 ] && [ ! -d /sys/module/shmap ]; then
		t "status: not loaded -> 1" 1 "not loaded" "$SHMAPCTL" status
		t "status -J: not loaded -> 1" 1 '"state": "unloaded"' "$SHMAPCTL" status -J -o +LOADED
		json_ok "status -J (not loaded)" status
		has "status -J: loaded is false" '"loaded": false'
		has "status -J: counters unknown (null)" '"buffers": null'
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

t "status: not loaded -> 1" 1 "shmap is not loaded \(run 'modprobe shmap'\)" "$SHMAPCTL" status
has "status: unloaded, counters unknown" '^shmap +[^ ]+ +unloaded +- +- +- +- +- +- +-$'
t "status -J: not loaded -> 1" 1 '"state": "unloaded"' "$SHMAPCTL" status -J -o "$(all_columns "$STATUS_COLS")"
json_ok "status -J (not loaded)" status
has "status -J: loaded false" '"loaded": false,'
has "status -J: installed true" '"installed": true,'
has "status -J: no device" '"device": null,'
has "status -J: does not open" '"opens": false,'
has "status -J: counters null" '"buffers": null,'
t "set: not loaded" 1 "shmap is not loaded \(run 'modprobe shmap max_buffer_mb=10'\)" "$SHMAPCTL" set max_buffer_mb=10

check "modprobe shmap max_buffer_mb=64 max_total_mb=128" modprobe shmap max_buffer_mb=64 max_total_mb=128
t "status: loaded -> 0" 0 '^MODULE +VERSION +STATE +DEVICE +ABI +BUFFERS +ALLOCATED +RESERVED +MAX-BUFFER +MAX-TOTAL$' "$SHMAPCTL" status
has "status: one row, limits human-readable" '^shmap +[^ ]+ +live +/dev/shmap +[0-9]+ +0 +0 B +0 B +64 MiB +128 MiB$'
diag "shmapctl status:"
diag "$(cat "$T/out")"
t "status -b: bytes" 0 ' 67108864 +134217728$' "$SHMAPCTL" status -b
t "status -n: no header" 0 '^shmap ' "$SHMAPCTL" status -n
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok "status -n: one line"; else fail "status -n: one line"; fi
t "status -r: raw" 0 '^shmap live 64\\x20MiB 0$' "$SHMAPCTL" status -r -n -o MODULE,STATE,MAX-BUFFER,BUFFERS
t "status -r -b" 0 '^live 67108864$' "$SHMAPCTL" status -rnb -o state,max-buffer
t "status -o +FAULTS: after the defaults" 0 ' MAX-TOTAL +FAULTS$' "$SHMAPCTL" status -o +FAULTS
t "status -o: the order given" 0 '^BUFFERS +MODULE$' "$SHMAPCTL" status -o BUFFERS,MODULE
t "status -o: a column named twice shown once" 0 '^MODULE$' "$SHMAPCTL" status -o MODULE,module
t "status -o: case-insensitive" 0 '^MODULE +DEV-MODE$' "$SHMAPCTL" status -o module,Dev-Mode
t "status: device and parameters" 0 '^/dev/shmap 0666 root root [0-9]+:[0-9]+ 1 - lazy$' "$SHMAPCTL" status -n -r -o DEVICE,DEV-MODE,OWNER,GROUP,MAJ:MIN,OPENS,ERROR,DEFAULT-MODE
# dmabuf where the kernel has dma-buf (its debugfs directory), as tests/dmabuf.c decides it.
feats=eager,lazy,noreserve,export-ro,seal,name,huge,huge-lazy
[ -d /sys/kernel/debug/dma_buf ] && feats=$feats,dmabuf
t "status: features" 0 "^[0-9]+ $feats\$" "$SHMAPCTL" status -n -r -o ABI,FEATURES
t "status: module" 0 '^1 1 /.*/shmap\.ko(\.[a-z]+)? [0-9]+$' "$SHMAPCTL" status -n -r -o LOADED,INSTALLED,PATH,REFCOUNT
t "status: KERNEL" 0 "" "$SHMAPCTL" status -n -r -o KERNEL
if [ "$(cat "$T/out")" = "$(uname -r)" ]; then ok "status: KERNEL is uname -r"; else fail "status: KERNEL is uname -r"; fi
columns status "$STATUS_COLS" "ERROR HOLDERS"
t "status -J: every column" 0 '"module": "shmap"' "$SHMAPCTL" status -J -o "$(all_columns "$STATUS_COLS")"
json_ok "status -J (loaded)" status
has "status -J: a size is a number of bytes" '"max-buffer": 67108864,'
has "status -J: a counter is a number" '"buffers": 0,'
has "status -J: a boolean" '"loaded": true,'
has "status -J: a list" '"features": \[$'
has "status -J: the list's items" "^ +\"$(echo "$feats" | sed 's/,/", "/g')\"\$"
has "status -J: an unknown value is null" '"error": null,'
has "status -J: dev-mode a string" '"dev-mode": "0666",'
diag "shmapctl status -J -o MODULE,STATE,BUFFERS,MAX-TOTAL,FEATURES:"
diag "$("$SHMAPCTL" status -J -o MODULE,STATE,BUFFERS,MAX-TOTAL,FEATURES)"

t "set max_buffer_mb=32" 0 "^max_buffer_mb=32$" "$SHMAPCTL" set max_buffer_mb=32
if [ "$(param max_buffer_mb)" = 32 ]; then ok "set: sysfs shows 32"; else rc=0; fail "set: sysfs shows 32"; fi
t "status: MAX-BUFFER follows" 0 '^32\\x20MiB$' "$SHMAPCTL" status -rn -o MAX-BUFFER
t "set max_buffer_mb=0: invalid" 1 "invalid value for max_buffer_mb" "$SHMAPCTL" set max_buffer_mb=0
if grep -q 'want a number' "$T/err"; then ok "set: kernel message shown"; else fail "set: kernel message shown"; fi
if [ "$(param max_buffer_mb)" = 32 ]; then ok "set: old value kept"; else rc=0; fail "set: old value kept"; fi
t "set default_mode=eager" 0 "^default_mode=eager$" "$SHMAPCTL" set default_mode=eager
t "status: DEFAULT-MODE follows" 0 '^eager$' "$SHMAPCTL" status -rn -o DEFAULT-MODE
t "set default_mode=lazy max_total_mb=100" 0 "^max_total_mb=100$" "$SHMAPCTL" set default_mode=lazy max_total_mb=100
t "set default_mode=sloppy: invalid" 1 "invalid value for default_mode" "$SHMAPCTL" set default_mode=sloppy
t "set dev_mode: read-only" 1 "dev_mode is read-only.*modprobe shmap dev_mode=0600" "$SHMAPCTL" set dev_mode=0600
t "set: unknown parameter" 1 "unknown parameter 'frob'" "$SHMAPCTL" set frob=1

# shellcheck disable=SC2016 # expanded by the inner shell
t "create: SHMAP_FD and SHMAP_SIZE" 0 '^[0-9]+ 1048576$' "$SHMAPCTL" create --size 1M -- sh -c 'echo "$SHMAP_FD $SHMAP_SIZE"'
# shellcheck disable=SC2016
t "create: size rounded up to pages" 0 '^[0-9]+ [1-9][0-9]{3,}$' "$SHMAPCTL" create --size 1 -- sh -c 'echo "$SHMAP_FD $SHMAP_SIZE"'
# shellcheck disable=SC2016
t "create --eager + info" 0 '^SOURCE +SIZE +MODE +RESIDENT +RESERVED +MAPPINGS +SEALS +FLAGS +INODE$' "$SHMAPCTL" create --size 1M --eager --name t1 -- sh -c '"$1" info "$SHMAP_FD"' sh "$SHMAPCTL"
has "info: eager, resident, no seal or flag" '^[0-9]+ +1 MiB +eager +1 MiB +[0-9.]+ [KMG]?i?B +0 +[0-9]+$'
diag "shmapctl info \$SHMAP_FD:"
diag "$(cat "$T/out")"
# shellcheck disable=SC2016
t "create --lazy + info -b" 0 '^[0-9]+ 2097152 lazy 0 2097152 0$' "$SHMAPCTL" create --size 2M --lazy -- sh -c '"$1" info -rnb -o SOURCE,SIZE,MODE,RESIDENT,RESERVED,MAPPINGS "$SHMAP_FD"' sh "$SHMAPCTL"
# shellcheck disable=SC2016
t "create --lazy + info -J" 0 '"mode": "lazy"' "$SHMAPCTL" create --size 2M --lazy -- sh -c '"$1" info -J "$SHMAP_FD"' sh "$SHMAPCTL"
json_ok "info -J" buffers
has "info -J: lazy, nothing resident" '"resident": 0,'
has "info -J: reserved in bytes" '"reserved": 2097152,'
has "info -J: no seal: lsblk's [null]" '"seals": \[$'
diag "shmapctl info -J \$SHMAP_FD:"
diag "$(cat "$T/out")"
# shellcheck disable=SC2016
t "create --noreserve" 0 '^noreserve 0 1$' "$SHMAPCTL" create --size 1M --noreserve -- sh -c '"$1" info -rn -o FLAGS,READONLY,NORESERVE "$SHMAP_FD"' sh "$SHMAPCTL"
# shellcheck disable=SC2016
t "create: not huge" 0 '^0 0$' "$SHMAPCTL" create --size 4M --eager -- sh -c '"$1" info -rn -o HUGE,HUGE-FOLIOS "$SHMAP_FD"' sh "$SHMAPCTL"
# A fresh guest has two free 2 MiB blocks for it.
# shellcheck disable=SC2016
t "create --huge: the flag and two 2 MiB folios" 0 '^huge 1 2 4194304$' "$SHMAPCTL" create --size 4M --eager --huge -- sh -c '"$1" info -rnb -o FLAGS,HUGE,HUGE-FOLIOS,RESIDENT "$SHMAP_FD"' sh "$SHMAPCTL"
# shellcheck disable=SC2016
t "create --huge: info -J" 0 '"huge-folios": 2' "$SHMAPCTL" create --size 4M --eager --huge -- sh -c '"$1" info -J -o FLAGS,HUGE,HUGE-FOLIOS "$SHMAP_FD"' sh "$SHMAPCTL"
has "create --huge: info -J, huge a boolean" '"huge": true,'
has "create --huge: info -J, the flag" '^ +"huge"$'
# shellcheck disable=SC2016
t "info: two buffers, two rows" 0 '^2$' "$SHMAPCTL" create --size 4K -- sh -c '"$1" info -n "$SHMAP_FD" "$SHMAP_FD" | wc -l' sh "$SHMAPCTL"
# shellcheck disable=SC2016
t "info: a bad argument among good ones -> 1, the good row printed" 1 '^[0-9]+ 4\\x20KiB$' "$SHMAPCTL" create --size 4K -- sh -c '"$1" info -rn -o SOURCE,SIZE "$SHMAP_FD" 0' sh "$SHMAPCTL"
if grep -q '^shmapctl: 0: not a shmap buffer$' "$T/err"; then ok "info: the bad one reported"; else fail "info: the bad one reported"; fi
t "create: -v prints the fd" 0 "buffer fd [0-9]+, 4 KiB" "$SHMAPCTL" create -v --size 4K -- true
t "create: over max_buffer_mb" 1 "File too large.*max_buffer_mb is 32" "$SHMAPCTL" create --size 64M -- true
t "set max_buffer_mb=200" 0 "^max_buffer_mb=200$" "$SHMAPCTL" set max_buffer_mb=200
t "create: over max_total_mb" 1 "No space left on device.*max_total_mb" "$SHMAPCTL" create --lazy --size 101M -- true
t "create: bad name" 1 "Invalid argument" "$SHMAPCTL" create --size 4K --name a/b -- true
t "create: exit status of COMMAND" 3 "" "$SHMAPCTL" create --size 4K -- sh -c 'exit 3'
t "create: COMMAND not found" 127 "cannot run /nonexistent" "$SHMAPCTL" create --size 4K -- /nonexistent

# A buffer held by another process, seen through /proc/PID/fd/N. The sleep outlasts the
# checks below on a slow debug kernel (60 s did not), and is killed after them.
# shellcheck disable=SC2016
"$SHMAPCTL" create --size 2M --eager --name holder -- sh -c 'echo $$ >"$1.pid"; echo "$SHMAP_FD" >"$1.tmp"; mv "$1.tmp" "$1"; exec sleep 900' sh "$T/fd" &
holder=$!
i=0
while [ ! -s "$T/fd" ] && [ $i -lt 50 ]; do
	sleep 0.2 2>/dev/null || sleep 1
	i=$((i + 1))
done
fd=$(cat "$T/fd" 2>/dev/null)
src=/proc/$holder/fd/$fd
t "info /proc/PID/fd/N" 0 "^$src +2 MiB +eager " "$SHMAPCTL" info "$src"
t "info /proc/PID/fd/N: file name" 0 '^[^ ]*shmap' "$SHMAPCTL" info -rn -o FILE "$src"
columns info "$INFO_COLS" "" "$src"
t "info -J: every column" 0 '"size": 2097152,' "$SHMAPCTL" info -J -o "$(all_columns "$INFO_COLS")" "$src"
json_ok "info -J /proc/PID/fd/N" buffers
has "info -J: source" "\"source\": \"$src\","
has "info -J: readonly false" '"readonly": false,'
has "info -J: inode a number" '"inode": [0-9]+$'
if [ -n "$drop" ]; then
	t "info /proc/PID/fd/N of another user" 1 "pidfd_getfd: Operation not permitted.*run as the process's owner or root" as_nobody "$SHMAPCTL" info "$src"
fi
t "status: one buffer alive" 0 '^1 2\\x20MiB [1-9][0-9]*$' "$SHMAPCTL" status -rn -o BUFFERS,ALLOCATED,REFCOUNT
kill "$holder" "$(cat "$T/fd.pid")" 2>/dev/null
wait "$holder" 2>/dev/null
holder=

if [ -n "$drop" ]; then
	t "set as non-root: permission denied" 1 "cannot set max_buffer_mb: Permission denied" as_nobody "$SHMAPCTL" set max_buffer_mb=20
	t "status as non-root" 0 "^shmap live 1$" as_nobody "$SHMAPCTL" status -rn -o MODULE,STATE,OPENS
	# shellcheck disable=SC2016
	t "create + info as non-root" 0 "^ *4 KiB$" as_nobody "$SHMAPCTL" create --size 4K -- sh -c '"$1" info -n -o SIZE "$SHMAP_FD"' sh "$SHMAPCTL"
else
	skip "permission errors" "cannot drop root (no setpriv, no su with a nobody user)"
fi

check "modprobe -r shmap" modprobe -r shmap
t "status after modprobe -r -> 1" 1 "not loaded" "$SHMAPCTL" status

# --- the examples ------------------------------------------------------------

check "modprobe shmap for the examples" modprobe shmap
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
t "status: no buffer left" 0 '^0$' "$SHMAPCTL" status -rn -o BUFFERS
check "modprobe -r shmap at the end" modprobe -r shmap

tap_end
