#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# DKMS life cycle of the shmap module from the source tree, in the test
# runner's chroot of the kernels' suite (bookworm: dkms 3.0; trixie, sid: dkms
# 3.2), in a throw-away overlay (so the host's /var/lib/dkms and /lib/modules,
# and the chroots, are never touched):
#
#   tests/packaging/dkms-lifecycle.sh [--chroot bookworm|trixie|sid] [KVER...]
#
# KVER... default to $KERNELS, else every linux-headers-*-ARCH installed on
# the host; they decide the chroot (see chroot-install.sh). Copies dkms.conf, Makefile, src and include (the files git
# tracks or would track, no build products) to /usr/src/shmap-VERSION, then
# runs the commands README-install.md gives: dkms add, build, install,
# status, remove for each kernel, and checks each one's exit status, output
# and effect. Module signing as Debian's dkms does it: the first build
# generates /var/lib/dkms/mok.key and mok.pub, every module is signed with
# that key (modinfo signer/sig_key, and the "~Module signature appended~"
# trailer). TAP on stdout; exit status 1 if anything failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (chroot, mounts)"
enter_private_mount_namespace "$@"

chroot_opt=
if [ "${1:-}" = --chroot ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [--chroot bookworm|trixie|sid] [KVER...]" >&2; exit 2; }
	chroot_opt=$2
	shift 2
fi
use_kernels "$chroot_opt" "$@"

top=$(git -C "$here" rev-parse --show-toplevel)
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^VERSION := //p' "$top/Makefile")
if [ -z "$name" ] || [ -z "$version" ]; then
	die "no PACKAGE_NAME in dkms.conf or VERSION in Makefile"
fi
mv=(-m "$name" -v "$version")

use_work_dir

start=$(now)
chroot_ensure "${kernels[@]}"
diag "time: $CHROOT_NAME chroot ready $CHROOT_SECONDS s (created: $CHROOT_CREATED)"
overlay_mount "$work"
arch=$(in_chroot uname -m)

# run_dkms DESCRIPTION EXPECTED-OUTPUT-REGEX ARGS...: dkms ARGS in the
# chroot must exit 0 and print a line matching the regex. DKMS_OUT keeps
# the output.
DKMS_OUT=
run_dkms() {
	local desc=$1 want=$2 rc=0 t
	shift 2
	t=$(now)
	DKMS_OUT=$(in_chroot dkms "$@" 2>&1) || rc=$?
	if [ $rc = 0 ] && grep -Eq "$want" <<<"$DKMS_OUT"; then
		ok "$desc ($(elapsed "$t") s)"
	else
		not_ok "$desc" "exit $rc, expected output /$want/:" "$DKMS_OUT"
		return 1
	fi
}

# status_is KVER REGEX: `dkms status -k KVER` for shmap matches REGEX.
status_is() {
	local out
	# (dkms 3.0.10 prints readelf warnings for some kernels: keep our lines)
	out=$(in_chroot dkms status "${mv[@]}" -k "$1" 2>&1 | grep "^$name/" || true)
	grep -Eq "$2" <<<"$out" || { echo "dkms status: '$out'"; return 1; }
}

# unsigned_ok FILE (in the chroot): no signer and no signature trailer.
unsigned_ok() {
	local f=$1 signer tail
	signer=$(in_chroot modinfo -F signer "$f")
	case $f in
	*.xz) tail=$(xz -dc "$ROOT$f" | tail -c 28) ;;
	*) tail=$(tail -c 28 "$ROOT$f") ;;
	esac
	[ -z "$signer" ] || { echo "signer '$signer'"; return 1; }
	[ "$tail" != "~Module signature appended~" ] || { echo "signature trailer present"; return 1; }
}

# signed_ok FILE (in the chroot): modinfo names the DKMS key, the key id is
# the MOK certificate's serial, and the module ends with the signature
# trailer (after decompression for .ko.xz).
signed_ok() {
	local f=$1 signer key serial tail
	signer=$(in_chroot modinfo -F signer "$f")
	key=$(in_chroot modinfo -F sig_key "$f" | tr -d ':' | tr 'A-F' 'a-f')
	serial=$(in_chroot openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -serial |
		sed 's/^serial=//' | tr 'A-F' 'a-f')
	case $f in
	*.xz) tail=$(xz -dc "$ROOT$f" | tail -c 28) ;;
	*) tail=$(tail -c 28 "$ROOT$f") ;;
	esac
	[ "$signer" = "DKMS module signing key" ] || { echo "signer '$signer'"; return 1; }
	if [ -z "$key" ] || [ "${serial%"$key"}" = "$serial" ]; then
		echo "sig_key '$key' is not the serial of mok.pub '$serial'"
		return 1
	fi
	[ "$tail" = "~Module signature appended~" ] || { echo "no signature trailer: '$tail'"; return 1; }
}

# --- the source tree -------------------------------------------------------------

src=/usr/src/$name-$version
# shellcheck disable=SC2016 # expanded by the inner bash
SHMAP_SRC=$top bash -c '. "$1/lib.sh" && copy_module_sources "$2"' copy "$RUNNER_DIR" "$ROOT$src"
check "source tree copied to $src (dkms.conf Makefile src include)" \
	test -f "$ROOT$src/dkms.conf" -a -f "$ROOT$src/src/Kbuild" -a -f "$ROOT$src/include/uapi/linux/shmap.h"
check "no MOK key before the first build" test ! -e "$ROOT/var/lib/dkms/mok.key"

# --- add -----------------------------------------------------------------------------

run_dkms "dkms add ${mv[*]}" "Creating symlink /var/lib/dkms/$name/$version/source" add "${mv[@]}" || true
for k in "${kernels[@]}"; do
	check "$k: dkms status: added" status_is "$k" "^$name/$version: added\$"
done
if out=$(in_chroot dkms add "${mv[@]}" 2>&1); then
	not_ok "second dkms add is refused" "$out"
else
	# (dkms 3.0: "contains: shmap-0.1.0", 3.2: "contains: shmap/0.1.0")
	check "second dkms add is refused (already in the DKMS tree)" \
		grep -Eq "DKMS tree already contains: ${name}[-/]$version" <<<"$out"
fi

# --- build, install per kernel ---------------------------------------------------------

# re KVER: KVER as an extended regex (6.12.117+deb12-amd64 has a '+').
re() {
	# shellcheck disable=SC2001 # one sed is clearer than a loop
	sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"
}

key_reused() {
	if grep -q 'generating self signed' <<<"$DKMS_OUT"; then
		echo "a new key was generated"
		return 1
	fi
	[ "$(sha256sum "$ROOT/var/lib/dkms/mok.key" | cut -d' ' -f1)" = "$key_sum" ]
}

first=1
for k in "${kernels[@]}"; do
	kre=$(re "$k")
	# A kernel built without CONFIG_MODULE_SIG (the debug kernels) has no
	# sign-file (what DKMS 3.0 looks for) and no CONFIG_MODULE_SIG_HASH
	# (what 3.2 looks for): DKMS says so, and its modules stay unsigned.
	signs=1
	kernel_signs_modules "$k" || signs=0
	if [ $signs = 1 ]; then
		run_dkms "$k: dkms build" "Signing module" build "${mv[@]}" -k "$k" || true
	else
		run_dkms "$k: dkms build (no module signing in this kernel)" \
			"(sign-file not found|built without module signing facility), modules won't be signed" \
			build "${mv[@]}" -k "$k" || true
	fi
	if [ $signs = 0 ]; then
		:
	elif [ $first = 1 ]; then
		check "$k: first build generated the MOK key pair (/var/lib/dkms/mok.key, mok.pub)" \
			grep -q "generating self signed certificate for MOK" <<<"$DKMS_OUT"
		check "mok.key is private (mode 0600) and mok.pub a DER certificate" \
			sh -c "[ \"\$(stat -c %a '$ROOT/var/lib/dkms/mok.key')\" = 600 ] &&
				chroot '$ROOT' openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject |
				grep -Eq 'CN ?= ?DKMS module signing key'"
		key_sum=$(sha256sum "$ROOT/var/lib/dkms/mok.key" | cut -d' ' -f1)
		first=0
	else
		check "$k: build reused the existing MOK key" key_reused
	fi
	check "$k: dkms status: built" status_is "$k" "^$name/$version, $kre, $arch: built\$"
	built=$(cd "$ROOT" && find "var/lib/dkms/$name/$version/$k/$arch/module" -name "$name.ko*" 2>/dev/null | head -n1)
	if [ -n "$built" ] && [ $signs = 0 ]; then
		check "$k: built module /$built is not signed" unsigned_ok "/$built"
	elif [ -n "$built" ]; then
		check "$k: built module /$built is signed" signed_ok "/$built"
	else
		not_ok "$k: built module in /var/lib/dkms/$name/$version/$k/$arch/module"
	fi

	# (dkms 3.0: "Installing to DIR/", 3.2: "Installing DIR/shmap.ko.xz")
	run_dkms "$k: dkms install" "Installing (to )?/lib/modules/$kre/updates/dkms/" install "${mv[@]}" -k "$k" || true
	check "$k: dkms status: installed" status_is "$k" "^$name/$version, $kre, $arch: installed\$"
	installed=$(in_chroot modinfo -k "$k" -F filename "$name" 2>&1 || true)
	check "$k: modinfo -k $k $name resolves to updates/dkms ($installed)" \
		grep -Eq "^/lib/modules/$kre/updates/dkms/$name\\.ko(\\.xz)?\$" <<<"$installed"
	if [ -n "$installed" ] && [ -e "$ROOT$installed" ]; then
		if [ $signs = 1 ]; then
			check "$k: installed module is signed" signed_ok "$installed"
		else
			check "$k: installed module is not signed" unsigned_ok "$installed"
		fi
		vm=$(in_chroot modinfo -F vermagic "$installed" | awk '{ print $1 }')
		check "$k: installed module's vermagic is $k" test "$vm" = "$k"
	else
		not_ok "$k: installed module exists"
	fi
done

check "dkms status lists ${#kernels[@]} installed kernels" \
	sh -c "[ \"\$(chroot '$ROOT' dkms status ${mv[*]} | grep -c ': installed\$')\" = ${#kernels[@]} ]"

# A kernel without headers: a clear error, no partial state.
if out=$(in_chroot dkms build "${mv[@]}" -k 0.0.0-none 2>&1); then
	not_ok "dkms build for a kernel without headers fails" "$out"
else
	check "dkms build for a kernel without headers fails and says why" \
		grep -q "Your kernel headers for kernel 0.0.0-none cannot be found" <<<"$out"
fi

# --- remove per kernel ---------------------------------------------------------------------

for k in "${kernels[@]}"; do
	kre=$(re "$k")
	# (dkms 3.0: "Deleting from: DIR/", 3.2: "Deleting DIR/shmap.ko.xz")
	run_dkms "$k: dkms remove -k $k" "Deleting (from: )?/lib/modules/$kre/updates/dkms/" \
		remove "${mv[@]}" -k "$k" || true
	check "$k: module gone from /lib/modules/$k/updates/dkms" \
		sh -c "! ls '$ROOT/lib/modules/$k/updates/dkms/$name.ko'* >/dev/null 2>&1"
	check "$k: modules.dep no longer lists $name" sh -c "! grep -q '/$name.ko' '$ROOT/lib/modules/$k/modules.dep'"
	check "$k: dkms status lists no build for $k" status_is "$k" "^(|$name/$version: added)\$"
done
if [ -e "$ROOT/var/lib/dkms/$name" ]; then
	run_dkms "dkms remove --all (leftover registration)" "." remove "${mv[@]}" --all || true
fi
check "/var/lib/dkms/$name is gone after the last remove" test ! -e "$ROOT/var/lib/dkms/$name"
check "the source tree stays in $src (dkms never deletes it)" test -f "$ROOT$src/dkms.conf"

diag "time: whole life cycle for ${#kernels[@]} kernels $(elapsed "$start") s"
tap_end
