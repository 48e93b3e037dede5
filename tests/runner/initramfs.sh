#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs (uncompressed newc cpio) for one kernel.
#   initramfs.sh VER MODULE OUT.cpio
# MODULE: the DKMS-installed shmap.ko* for VER. The kernel image must have been
# prepared (kernels.sh prepare VER). Layout in the guest:
#   /init (tests/guest/init), busybox, kmod as modprobe & co., /lib/modules/VER (shmap and
#   the kernel's GUEST_MODULES, see lib.sh),
#   /tests = build/tests, /tests/asan = build/tests-asan, /tests/suite.sh, /tests/demo.sh,
#   /tests/tap.sh, /tests/klog.sh, /tests/kmod.sh
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

[[ $# -eq 3 ]] || die "usage: $0 VER MODULE OUT.cpio"
ver=$1 ko=$2 out=$3
kroot=$(kernel_dir "$ver")/root
kmods=$kroot/lib/modules/$ver
[[ -d $kmods ]] || die "kernel $ver not prepared ($kmods missing)"
[[ -f $ko ]] || die "module $ko missing"

root=$(mktemp -d "${TMPDIR:-/tmp}/shmap-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
# mktemp makes it 0700; as the guest's / it must let unprivileged users through.
chmod 0755 "$root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,tests,lib/modules,lib64,usr/bin,usr/sbin}

# Copy the shared libraries (and ELF interpreter) an ELF file needs, at the same paths.
copy_libs() {
	local f=$1 lib
	# Static binaries and scripts: ldd fails or says so; nothing to copy.
	ldd "$f" >/dev/null 2>&1 || return 0
	if ldd "$f" | grep -q 'not found'; then
		log "warning: $f: $(ldd "$f" | grep 'not found' | tr -s ' \t' ' ')"
	fi
	while read -r lib; do
		[[ $lib = "$root"/* || -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$f" | grep -oE '(=> )?/[^ ]+ \(0x' | sed -E 's/^=> //; s/ \(0x$//')
}
is_elf() { [[ -f $1 && $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') = 7f454c46 ]]; }

# busybox and its applets; kmod provides the module tools.
kmod_tools=(modprobe insmod rmmod lsmod modinfo depmod)
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[[ " ${kmod_tools[*]} " = *" $a "* || -e $root/bin/$a ]] || ln -s busybox "$root/bin/$a"
done
cp -L "$(command -v kmod)" "$root/bin/kmod"
copy_libs "$root/bin/kmod"
for t in "${kmod_tools[@]}"; do ln -s ../bin/kmod "$root/sbin/$t"; done

# Modules: shmap (DKMS), the kernel's GUEST_MODULES (brd, vgem, vivid; lib.sh) and what they
# need, as the image has them (.ko.xz: the guest's kmod is the host's, which reads xz and zstd),
# and module indexes for these.
m=$root/lib/modules/$ver
mkdir -p "$m/updates/dkms"
cp "$ko" "$m/updates/dkms/"
files=$(guest_module_files "$kroot" "$ver")
for f in $files; do install -D -m 0644 "$kmods/$f" "$m/$f"; done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[[ -f $kmods/$f ]] && cp "$kmods/$f" "$m/"
done
depmod -b "$root" "$ver"

# Tests: build/tests at /tests, build/tests-asan at /tests/asan (either may be missing).
if [[ -d $BUILD/tests ]]; then cp -a "$BUILD/tests/." "$root/tests/"; fi
if [[ -d $BUILD/tests-asan ]]; then
	mkdir -p "$root/tests/asan"
	cp -a "$BUILD/tests-asan/." "$root/tests/asan/"
	ln -s tests/asan "$root/tests-asan"
fi
while IFS= read -r -d '' f; do
	if is_elf "$f"; then copy_libs "$f"; fi
done < <(find "$root/tests" -type f -print0)
for s in suite.sh demo.sh; do
	if [[ -f $REPO/tests/guest/$s ]]; then install -m 0755 "$REPO/tests/guest/$s" "$root/tests/$s"; fi
done
# The shell libraries the guest scripts source.
install -m 0644 "$REPO/tests/tap.sh" "$REPO/tests/klog.sh" "$REPO/tests/kmod.sh" "$root/tests/"
# shmapctl, its tests and the libshmap examples.
# setpriv (util-linux): the tests that run as an unprivileged user drop root with it.
# Busybox has an applet of that name without --reuid, and its sh prefers applets to PATH for
# bare names: the tests call /usr/bin/setpriv by path (SETPRIV).
install -m 0755 "$(command -v setpriv)" "$root/usr/bin/setpriv"
copy_libs "$root/usr/bin/setpriv"
# lsfd (util-linux-extra): the list test checks what it shows of a buffer fd.
install -m 0755 "$(command -v lsfd)" "$root/usr/bin/lsfd"
copy_libs "$root/usr/bin/lsfd"
if [[ -x $BUILD/tools/shmapctl ]]; then
	install -m 0755 "$BUILD/tools/shmapctl" "$root/usr/bin/shmapctl"
	# It links libshmap.so.1, of this build: in the guest's /usr/lib, where ld.so looks.
	install -D -m 0755 "$BUILD/lib/libshmap.so.1" "$root/usr/lib/libshmap.so.1"
	LD_LIBRARY_PATH=$root/usr/lib copy_libs "$root/usr/bin/shmapctl"
	install -m 0755 "$REPO/tests/shmapctl.sh" "$REPO/tests/shmapctl-list.sh" "$root/tests/"
fi
if [[ -d $BUILD/examples ]]; then
	mkdir -p "$root/tests/examples"
	cp -a "$BUILD/examples/." "$root/tests/examples/"
fi
# Programs built against the installed packages (tests/packaging), if any.
if [[ -n ${SHMAP_PROGRAMS:-} && -d $SHMAP_PROGRAMS ]]; then
	mkdir -p "$root/tests/installed"
	cp -a "$SHMAP_PROGRAMS/." "$root/tests/installed/"
fi
mkdir -p "$root/etc/modprobe.d"
# Scratch/override guest scripts (for testing the runner itself).
if [[ -n ${SHMAP_GUEST_DIR:-} ]]; then cp -a "$SHMAP_GUEST_DIR/." "$root/tests/"; fi

install -m 0755 "$REPO/tests/guest/init" "$root/init"
# nobody: the tests that check what an unprivileged user may do.
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >"$root/etc/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" >"$root/etc/group"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
