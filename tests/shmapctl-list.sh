#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# shmapctl-list.sh: `shmapctl list` against the real module, in the test
# guest (root, shmap loaded, no buffer alive, debugfs mounted): a buffer
# held by fd in one process and only mapped in another, a buffer only
# mapped, what an unprivileged user sees, every column and option, the
# module's fdinfo lines, and lsfd's view of a buffer fd. TAP output ("ok N -
# list: ..."), exit status 1 if anything failed.
#
# Environment:
#   SHMAPCTL    the shmapctl binary (default: shmapctl from PATH)
#   SHMAP_HOLD  tests/shmap-hold (default: shmap-hold from PATH)
#   SETPRIV     util-linux setpriv, by path (busybox has an applet of that name)
#   LSFD        util-linux lsfd (its checks are skipped if it does not run)
#
# POSIX sh (busybox ash is enough); JSON is checked as text: libsmartcols
# prints one key per line, flattened here to one line per row.

set -u

SHMAPCTL=${SHMAPCTL:-shmapctl}
HOLD=${SHMAP_HOLD:-shmap-hold}
SETPRIV=${SETPRIV:-setpriv}
LSFD=${LSFD:-lsfd}
DEBUGFS=/sys/kernel/debug
STATS=/sys/class/misc/shmap/stats
T=$(mktemp -d "${TMPDIR:-/tmp}/test-list.XXXXXX") || exit 1
# The unprivileged holders write their ready files in $T/nobody.
chmod 0755 "$T"
mkdir -m 1777 "$T/nobody"
holders=
TAP_PREFIX=list
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
# shellcheck source=tests/kmod.sh
. "$(dirname "$0")/kmod.sh"

cleanup() {
	for p in $holders; do kill "$p" 2>/dev/null; done
	grep -q " $DEBUGFS debugfs " /proc/mounts ||
		mount -t debugfs debugfs "$DEBUGFS"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

as_nobody() {
	"$SETPRIV" --reuid=65534 --regid=65534 --clear-groups "$@"
}

# run CMD...: stdout in $T/out, stderr in $T/err, exit status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

fail() {
	not_ok "$1" "exit status $rc; stdout:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
}

# t DESC WANT CMD...: run CMD, which must exit with status WANT.
t() {
	desc=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "$desc (want exit status $want)"
		return 1
	fi
	ok "$desc"
}

# out_is DESC TEXT: the last run's stdout is exactly TEXT (lines).
out_is() {
	if [ "$(cat "$T/out")" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "want:" "$2" "got:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
	fi
}

# out_has DESC LINE: one line of stdout is exactly LINE.
out_has() {
	if grep -qxF -- "$2" "$T/out"; then
		ok "$1"
	else
		not_ok "$1" "want the line:" "$2" "got:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
	fi
}

# out_set DESC TEXT: stdout has the lines of TEXT, in any order (buffers come
# in inode order, and inode numbers need not grow with creation time).
out_set() {
	if [ "$(sort "$T/out")" = "$(printf '%s\n' "$2" | sort)" ]; then
		ok "$1"
	else
		not_ok "$1" "want, in any order:" "$2" "got:" "$(cat "$T/out")" "stderr:" "$(cat "$T/err")"
	fi
}

# err_is DESC TEXT: the last run's stderr is exactly TEXT.
err_is() {
	if [ "$(cat "$T/err")" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "want on stderr:" "$2" "got:" "$(cat "$T/err")"
	fi
}

# json_rows: the last run's JSON output, one row object per line.
json_rows() {
	sed 's/^ *//' "$T/out" | tr -d '\n' | sed 's/},{/}\
{/g'
	echo
}

# json_has DESC OBJECT: a row of the JSON output is exactly OBJECT.
json_has() {
	if json_rows | grep -qF -- "$2"; then
		ok "$1"
	else
		not_ok "$1" "want the row:" "$2" "got:" "$(json_rows)"
	fi
}

# wait_ready FILE: until a holder has written FILE (at most 30 s).
wait_ready() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 300 ]; do
		usleep 100000 2>/dev/null || sleep 1
		i=$((i + 1))
	done
}

# hold MODE NAME [as_nobody]: start shmap-hold MODE, wait until it is ready;
# h_pid, h_fd, h_child and page are set from its ready file.
hold() {
	mode=$1 name=$2
	shift 2
	f=$T/nobody/$mode-$name
	"$@" "$HOLD" "$mode" "$f" "$name" &
	holders="$holders $!"
	wait_ready "$f"
	if ! read -r h_pid h_fd h_child page <"$f"; then
		not_ok "shmap-hold $mode $name got ready"
		return 1
	fi
	# $! may be a subshell (as_nobody): kill the holder itself too.
	holders="$holders $h_pid"
	ok "shmap-hold $mode '$name' ready: pid $h_pid, fd $h_fd, child $h_child"
}

# --- no buffer ----------------------------------------------------------------

t "no buffer: exit status 0" 0 "$SHMAPCTL" list
out_is "no buffer: nothing printed" ""
t "no buffer -J" 0 "$SHMAPCTL" list -J
if [ "$(json_rows)" = '{"buffers": []}' ]; then ok "no buffer -J: an empty array"; else fail "no buffer -J: an empty array"; fi

# --- a buffer held by fd in one process, only mapped in another ----------------

hold share "list demo" || { tap_end; exit 1; }
P=$h_pid FD=$h_fd C=$h_child
size=$((16 * page)) res=$((3 * page))
ino=$(stat -L -c %i "/proc/$P/fd/$FD")
diag "buffer inode $ino, page size $page"

# The module's fdinfo lines, and shmapctl showing the same values.
tab=$(printf '\t')
cat "/proc/$P/fdinfo/$FD" >"$T/fdinfo" 2>&1
for kv in "size${tab}$size" "mode${tab}lazy" "name${tab}list demo" \
	"resident-pages${tab}3" "reserved-pages${tab}16" "seals${tab}future_write" \
	"read-only${tab}0" "noreserve${tab}0" "huge${tab}0" "huge-folios${tab}0" \
	"dmabuf-exports${tab}0" "mappings${tab}1" \
	"creator-pid${tab}$P" "creator-comm${tab}shmap-hold"; do
	if grep -qxF "shmap-${kv%%"$tab"*}:$tab${kv#*"$tab"}" "$T/fdinfo"; then
		ok "fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}"
	else
		not_ok "fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}" "$(cat "$T/fdinfo")"
	fi
done

t "list" 0 "$SHMAPCTL" list
if [ "$(head -n 1 "$T/out" | tr -s ' ' | sed 's/^ //')" = "INODE NAME SIZE MODE RESIDENT RESERVED MAPPINGS HOLDERS PID COMMAND USER" ]; then
	ok "list: the default columns"
else
	fail "list: the default columns"
fi
if [ "$(wc -l <"$T/out")" -eq 2 ]; then ok "list: the buffer once"; else fail "list: the buffer once"; fi
if [ "$page" = 4096 ]; then
	row=$(sed -n 2p "$T/out" | tr -s ' ' | sed 's/^ //')
	if [ "$row" = "$ino list demo 64 KiB lazy 12 KiB 64 KiB 1 2 $P shmap-hold root" ]; then
		ok "list: size, residency, mappings, holders, creator, owner"
	else
		fail "list: size, residency, mappings, holders, creator, owner"
	fi
fi
t "list -r -b -n" 0 "$SHMAPCTL" list -r -b -n
out_is "list -r -b -n: one raw row in bytes" "$ino list\\x20demo $size lazy $res $size 1 2 $P shmap-hold root"
t "list -r" 0 "$SHMAPCTL" list -r
if [ "$page" = 4096 ]; then
	out_is "list -r: a header, spaces escaped" "INODE NAME SIZE MODE RESIDENT RESERVED MAPPINGS HOLDERS PID COMMAND USER
$ino list\\x20demo 64\\x20KiB lazy 12\\x20KiB 64\\x20KiB 1 2 $P shmap-hold root"
fi
t "list -J" 0 "$SHMAPCTL" list -J
json_has "list -J: the row, numbers as numbers" "{\"inode\": $ino,\"name\": \"list demo\",\"size\": $size,\"mode\": \"lazy\",\"resident\": $res,\"reserved\": $size,\"mappings\": 1,\"holders\": 2,\"pid\": $P,\"command\": \"shmap-hold\",\"user\": \"root\"}"
if [ "$(json_rows | grep -c '"inode"')" -eq 1 ]; then ok "list -J: one row"; else fail "list -J: one row"; fi

t "list --holders" 0 "$SHMAPCTL" list --holders -r -b -n -o PID,FDS,MAPPED,READONLY,HOLDERS
out_is "--holders: the fd holder and the mapper" "$P $FD 0 0 2
$C - $size - 2"
t "list -P -J" 0 "$SHMAPCTL" list -P -J
json_has "-P -J: the fd holder" "{\"inode\": $ino,\"name\": \"list demo\",\"size\": $size,\"pid\": $P,\"command\": \"shmap-hold\",\"user\": \"root\",\"fds\": [\"$FD\"],\"mapped\": 0}"
json_has "-P -J: the mapper" "{\"inode\": $ino,\"name\": \"list demo\",\"size\": $size,\"pid\": $C,\"command\": \"shmap-hold\",\"user\": \"root\",\"fds\": [null],\"mapped\": $size}"
if grep -q '"holders": \[' "$T/out"; then ok "-P -J: top-level key holders"; else fail "-P -J: top-level key holders"; fi

# Every column on its own, in both modes.
for cv in "INODE $ino" "NAME list\\x20demo" "SIZE $size" "MODE lazy" "RESIDENT $res" \
	"RESERVED $size" "MAPPINGS 1" "HOLDERS 2" "PID $P" "COMMAND shmap-hold" \
	"USER root" "SEALS future-write" "NORESERVE 0" "HUGE 0" "HUGE-FOLIOS 0" \
	"DMABUFS 0"; do
	t "-o ${cv%% *}" 0 "$SHMAPCTL" list -r -b -n -o "${cv%% *}"
	out_is "-o ${cv%% *}: ${cv#* }" "${cv#* }"
done
for cv in "PID $C" "COMMAND shmap-hold" "USER root" "FDS -" "MAPPED $size" "READONLY -" \
	"SIZE $size" "SEALS future-write"; do
	t "-P --pid C -o ${cv%% *}" 0 "$SHMAPCTL" list -P --pid "$C" -r -b -n -o "${cv%% *}"
	out_is "-P --pid C -o ${cv%% *}: ${cv#* }" "${cv#* }"
done
for cv in "FDS $FD" "MAPPED 0" "READONLY 0"; do
	t "-P --pid P -o ${cv%% *}" 0 "$SHMAPCTL" list -P --pid "$P" -r -b -n -o "${cv%% *}"
	out_is "-P --pid P -o ${cv%% *}: ${cv#* }" "${cv#* }"
done
t "-o in lower case" 0 "$SHMAPCTL" list -n -r -b -o inode,seals
out_is "-o inode,seals" "$ino future-write"
t "-o +SEALS: the defaults and SEALS" 0 "$SHMAPCTL" list -r -o +SEALS
if head -n 1 "$T/out" | grep -qx 'INODE NAME SIZE MODE RESIDENT RESERVED MAPPINGS HOLDERS PID COMMAND USER SEALS'; then ok "-o +SEALS: header"; else fail "-o +SEALS: header"; fi
t "-o BOGUS: exit status 2" 2 "$SHMAPCTL" list -o BOGUS
err_is "-o BOGUS: the column named" "shmapctl: unknown column 'BOGUS' (see --list-columns)
Try 'shmapctl list --help'."
t "-o FDS without --holders: exit status 2" 2 "$SHMAPCTL" list -o FDS
t "-H: the columns" 0 "$SHMAPCTL" list -H
if [ "$(wc -l <"$T/out")" -eq 16 ] && grep -q '^ *DMABUFS  <number>' "$T/out"; then ok "-H: 16 columns"; else fail "-H: 16 columns"; fi
t "-P -H: the columns" 0 "$SHMAPCTL" list -P -H
if [ "$(wc -l <"$T/out")" -eq 19 ] && grep -q '^ *FDS  <list>' "$T/out"; then ok "-P -H: 19 columns"; else fail "-P -H: 19 columns"; fi
t "--help" 0 "$SHMAPCTL" list --help
t "extra argument: exit status 2" 2 "$SHMAPCTL" list foo

# Filters.
for u in root 0; do
	t "-u $u" 0 "$SHMAPCTL" list -n -r -o INODE -u "$u"
	out_is "-u $u: root's buffer" "$ino"
done
t "-u nobody" 0 "$SHMAPCTL" list -n -u nobody
out_is "-u nobody: nothing" ""
t "-u no-such-user: exit status 2" 2 "$SHMAPCTL" list -u no-such-user
for p in "$P" "$C"; do
	t "--pid $p" 0 "$SHMAPCTL" list -n -r -o INODE --pid "$p"
	out_is "--pid $p: the buffer it holds" "$ino"
done
t "--pid 1" 0 "$SHMAPCTL" list -n --pid 1
out_is "--pid 1: nothing" ""
t "--pid x: exit status 2" 2 "$SHMAPCTL" list --pid x
t "-P -u nobody" 0 "$SHMAPCTL" list -P -n -u nobody
out_is "-P -u nobody: nothing" ""
t "-P -u root" 0 "$SHMAPCTL" list -P -n -r -o PID -u root
out_is "-P -u root: both holders" "$P
$C"

# lsfd sees the buffer fd as a regular file named /shmap:NAME. (It cannot
# show the mapper: it stat()s the path that maps shows, which no buffer has.)
if "$LSFD" -p $$ >/dev/null 2>&1; then
	t "lsfd -p P" 0 "$LSFD" -p "$P" -n -r -o FD,TYPE,NAME
	out_has "lsfd: the fd, TYPE REG, NAME /shmap:NAME" "$FD REG /shmap:list\\x20demo"
else
	skip "lsfd" "$LSFD does not run"
fi

# --- a buffer only mapped: root reads the rest in debugfs -----------------------

hold map maponly || { tap_end; exit 1; }
M=$h_pid
mino=$(awk '/\/shmap:maponly$/ { print $5; exit }' "/proc/$M/maps")
if grep -qxF "$mino $size lazy 16 16 1 - 0 0 0 0 $M shmap-hold maponly" "$DEBUGFS/shmap/buffers"; then
	ok "debugfs: the mapped-only buffer's line"
else
	not_ok "debugfs: the mapped-only buffer's line" "$(cat "$DEBUGFS/shmap/buffers")"
fi
t "mapped only, as root" 0 "$SHMAPCTL" list --pid "$M" -n -r -b
out_is "mapped only: everything from debugfs, owner from map_files" "$mino maponly $size lazy $size $size 1 1 $M shmap-hold root"
t "mapped only: -o DMABUFS" 0 "$SHMAPCTL" list --pid "$M" -n -r -o NAME,DMABUFS
out_is "mapped only: DMABUFS from debugfs" "maponly 0"
t "mapped only: --holders" 0 "$SHMAPCTL" list -P --pid "$M" -n -r -b -o PID,FDS,MAPPED
out_is "mapped only --holders: no fd, its mapping" "$M - $size"

# --- the unprivileged view -------------------------------------------------------

hold share mine as_nobody || { tap_end; exit 1; }
NP=$h_pid NFD=$h_fd NC=$h_child
hold map nbmap as_nobody || { tap_end; exit 1; }
NM=$h_pid
t "as nobody" 0 as_nobody "$SHMAPCTL" list -n -r -b -o NAME,SIZE,RESIDENT,HOLDERS,PID,COMMAND,USER
out_set "as nobody: its own buffers; what only a mapping shows is unknown" "mine $size $res 2 $NP shmap-hold nobody
nbmap - - 1 - - -"
err_is "as nobody: root's buffers reported as hidden" "shmapctl: 2 more buffers are held by processes you cannot inspect (run as root)"
t "as nobody -J" 0 as_nobody "$SHMAPCTL" list -J -o NAME,SIZE,MODE,HOLDERS,USER
json_has "as nobody -J: unknown is null" '{"name": "nbmap","size": null,"mode": null,"holders": 1,"user": null}'
err_is "as nobody -J: the same line on stderr" "shmapctl: 2 more buffers are held by processes you cannot inspect (run as root)"
t "as nobody --holders" 0 as_nobody "$SHMAPCTL" list -P -n -r -b -o NAME,PID,FDS,MAPPED,USER
out_set "as nobody --holders: its processes" "mine $NP $NFD 0 nobody
mine $NC - $size nobody
nbmap $NM - $size nobody"
t "as root: all four" 0 "$SHMAPCTL" list -n -r -o NAME,USER
out_set "as root: all four, nothing hidden" "list\\x20demo root
maponly root
mine nobody
nbmap nobody"
err_is "as root: nothing on stderr" ""
t "-u nobody" 0 "$SHMAPCTL" list -n -r -o NAME -u nobody
out_set "-u nobody: nobody's buffers" "mine
nbmap"

# Root without debugfs: every process is readable, a buffer only mapped has
# its name and owner but no size.
if umount "$DEBUGFS" 2>"$T/err"; then
	t "root without debugfs" 0 "$SHMAPCTL" list -n -r -b -o NAME,SIZE,HOLDERS,USER
	out_set "root without debugfs: mapped-only buffers without info" "list\\x20demo $size 2 root
maponly - 1 root
mine $size 2 nobody
nbmap - 1 nobody"
	err_is "root without debugfs: nothing hidden" ""
	mount -t debugfs debugfs "$DEBUGFS"
else
	not_ok "umount $DEBUGFS" "$(cat "$T/err")"
fi

# --- a huge buffer: its flag and its 2 MiB folios in fdinfo, debugfs and list --------

# shellcheck disable=SC2016 # expanded by the inner shell
"$SHMAPCTL" create --size 4M --eager --huge --name hugelist -- \
	sh -c 'echo "$SHMAP_FD" >"$1.tmp"; mv "$1.tmp" "$1"; exec sleep 600' sh "$T/huge" &
HP=$!
holders="$holders $HP"
wait_ready "$T/huge"
HFD=$(cat "$T/huge" 2>/dev/null)
hino=$(stat -L -c %i "/proc/$HP/fd/$HFD" 2>/dev/null)
# A fresh guest has two free 2 MiB blocks for it.
cat "/proc/$HP/fdinfo/$HFD" >"$T/fdinfo" 2>&1
for kv in "huge${tab}1" "huge-folios${tab}2" "noreserve${tab}0"; do
	if grep -qxF "shmap-${kv%%"$tab"*}:$tab${kv#*"$tab"}" "$T/fdinfo"; then
		ok "huge fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}"
	else
		not_ok "huge fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}" "$(cat "$T/fdinfo")"
	fi
done
hres=$((4 * 1024 * 1024 / page))
if grep -qxF "$hino 4194304 eager $hres $hres 0 - 0 1 2 0 $HP shmapctl hugelist" "$DEBUGFS/shmap/buffers"; then
	ok "debugfs: the huge buffer's line"
else
	not_ok "debugfs: the huge buffer's line" "want: $hino 4194304 eager $hres $hres 0 - 0 1 2 0 $HP shmapctl hugelist" "$(cat "$DEBUGFS/shmap/buffers")"
fi
t "huge: list -o NAME,HUGE,HUGE-FOLIOS" 0 "$SHMAPCTL" list --pid "$HP" -n -r -o NAME,HUGE,HUGE-FOLIOS,NORESERVE
out_is "huge: list shows the flag and 2 folios" "hugelist 1 2 0"
t "huge: list -J" 0 "$SHMAPCTL" list --pid "$HP" -J -o NAME,HUGE,HUGE-FOLIOS
json_has "huge: list -J, a boolean and a number" '{"name": "hugelist","huge": true,"huge-folios": 2}'
t "huge: list --holders -o HUGE-FOLIOS" 0 "$SHMAPCTL" list -P --pid "$HP" -n -r -o PID,FDS,HUGE-FOLIOS
out_is "huge: --holders row" "$HP $HFD 2"
if umount "$DEBUGFS" 2>"$T/err"; then
	t "huge without debugfs: from fdinfo" 0 "$SHMAPCTL" list --pid "$HP" -n -r -o NAME,HUGE,HUGE-FOLIOS
	out_is "huge without debugfs: the same from fdinfo" "hugelist 1 2"
	t "mapped only, without debugfs: -o DMABUFS" 0 "$SHMAPCTL" list --pid "$M" -n -r -o NAME,DMABUFS
	out_is "mapped only, without debugfs: DMABUFS unknown" "maponly -"
	mount -t debugfs debugfs "$DEBUGFS"
else
	not_ok "umount $DEBUGFS" "$(cat "$T/err")"
fi

# --- a buffer with a dma-buf: its count in fdinfo, list, info and status ----------
# (where the kernel has dma-buf: its debugfs directory, as tests/dmabuf.c decides it)

if [ ! -d /sys/kernel/debug/dma_buf ]; then
	skip "dma-buf counts" "no dma-buf in $(uname -r) (no /sys/kernel/debug/dma_buf)"
else
hold dmabuf dmabuf || { tap_end; exit 1; }
DP=$h_pid DFD=$h_fd
cat "/proc/$DP/fdinfo/$DFD" >"$T/fdinfo" 2>&1
# The export allocated every page of the lazy buffer.
for kv in "dmabuf-exports${tab}1" "resident-pages${tab}16"; do
	if grep -qxF "shmap-${kv%%"$tab"*}:$tab${kv#*"$tab"}" "$T/fdinfo"; then
		ok "dmabuf fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}"
	else
		not_ok "dmabuf fdinfo: shmap-${kv%%"$tab"*} is ${kv#*"$tab"}" "$(cat "$T/fdinfo")"
	fi
done
t "dmabuf: list -o NAME,RESIDENT,DMABUFS" 0 "$SHMAPCTL" list --pid "$DP" -n -r -b -o NAME,RESIDENT,DMABUFS
out_is "dmabuf: list shows one dma-buf" "dmabuf $size 1"
t "dmabuf: list -J" 0 "$SHMAPCTL" list --pid "$DP" -J -o NAME,DMABUFS
json_has "dmabuf: list -J, a number" '{"name": "dmabuf","dmabufs": 1}'
t "dmabuf: info -o DMABUFS" 0 "$SHMAPCTL" info -n -r -o DMABUFS "/proc/$DP/fd/$DFD"
out_is "dmabuf: info shows one dma-buf" "1"
t "dmabuf: status -o DMABUFS" 0 "$SHMAPCTL" status -n -r -o DMABUFS
out_is "dmabuf: status counts it" "1"
if [ "$(cat "$STATS/dmabufs" 2>&1)" = 1 ]; then ok "stats/dmabufs is 1"; else not_ok "stats/dmabufs is 1" "$(cat "$STATS/dmabufs" 2>&1)"; fi
# A buffer that only its dma-buf holds: no process shows it, debugfs has its count.
hold dmabuf-only dmaonly || { tap_end; exit 1; }
t "dma-buf only: list -o NAME,HOLDERS,DMABUFS" 0 "$SHMAPCTL" list -n -r -o NAME,HOLDERS,DMABUFS
out_has "dma-buf only: no holder, one dma-buf, from debugfs" "dmaonly 0 1"
t "dma-buf only: status -o DMABUFS" 0 "$SHMAPCTL" status -n -r -o DMABUFS
out_is "dma-buf only: status counts both" "2"
fi

# --- all gone --------------------------------------------------------------------

for p in $holders; do kill "$p" 2>/dev/null; done
for p in $holders; do wait "$p" 2>/dev/null; done
holders=
i=0
while [ "$(cat "$STATS/buffers")" != 0 ] && [ $i -lt 100 ]; do
	usleep 100000 2>/dev/null || sleep 1
	i=$((i + 1))
done
t "holders gone" 0 "$SHMAPCTL" list -n
out_is "holders gone: nothing listed" ""
t "holders gone: status -o BUFFERS,DMABUFS" 0 "$SHMAPCTL" status -n -r -o BUFFERS,DMABUFS
out_is "holders gone: no buffer, no dma-buf" "0 0"

tap_end
