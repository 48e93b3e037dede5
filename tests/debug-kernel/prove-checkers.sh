#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prove that the debug kernel's checkers fire, before relying on them: a scratch module
# (built in a temporary directory, outside the repository) with one deliberate bug per boot,
# booted with the runner's boot.sh, and the expected report looked up in the console.
#
#   prove-checkers.sh [--kernel SPEC] [BUG...]
#                                  SPEC: debug (default, 6.12) or debug:7.3 (kernel.sh);
#                                  BUG: none uaf lockdep leak atomic (default: all)
#
#   none     clean control boot: boot.sh must PASS (no false positives from the debug kernel)
#   uaf      kmalloc, kfree, read           -> "BUG: KASAN: slab-use-after-free" (or KFENCE)
#   lockdep  mutex A->B, then B->A          -> "WARNING: possible circular locking dependency"
#   leak     kmalloc'ed objects dropped     -> kmemleak lists them after scan, 6 s, scan
#            (the boot has debug_append's arguments, lib.sh: on 7.x slub_debug=F, without which
#            SLUB's per-CPU sheaves hide them; /prove.sh fails if a cache still has sheaves)
#   atomic   kmalloc(GFP_KERNEL) under a spinlock -> "BUG: sleeping function called from invalid context"
# loglevel=5: boot.sh flags any console line with "lockdep", and a PROVE_LOCKING kernel says
# "RCU lockdep checking is enabled" (pr_info) at boot; /init raises the level to 8 right away.
# The scratch module is built as shmap is for that kernel: on the host for the 6.12 one, in the
# chroot of its suite (tests/runner/chroot.sh, the kernel's build tree copied in) for the others.
# Prints TAP; logs in $BUILD/debug/prove/VER/BUG/{console.log,tap.log,verdict}. Env: SHMAP_JOBS
# (boots at once, default 2), SHMAP_CACHE, BUILD.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/../runner/lib.sh"
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/../tap.sh"
DEBUG_DIR=$(cd "$(dirname "$0")" && pwd)

spec=debug
if [[ ${1:-} = --kernel ]]; then
	(($# >= 2)) || die "usage: $0 [--kernel SPEC] [BUG...]"
	spec=$2
	shift 2
fi
(($#)) || set -- none uaf lockdep leak atomic
ver=$("$DEBUG_DIR/kernel.sh" build "$spec")
suite=$(kernel_suite "$ver")
out=$BUILD/debug/prove/$ver
scratch=$(mktemp -d "${TMPDIR:-/tmp}/shmap-prove.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

cat >"$scratch/bugs.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* One deliberate bug per load, chosen by the "bug" parameter. */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *bug = "none";
module_param(bug, charp, 0444);

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);
static DEFINE_SPINLOCK(spin);

static noinline void leak_some(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		char *p = kmalloc(200 + i, GFP_KERNEL);

		if (p)
			memset(p, 0x5a, 200);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static int __init bugs_init(void)
{
	if (!strcmp(bug, "uaf")) {
		char *p = kmalloc(64, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		kfree(p);
		OPTIMIZER_HIDE_VAR(p);
		pr_info("bugs: read after free: %d\n", READ_ONCE(p[8]));
	} else if (!strcmp(bug, "lockdep")) {
		mutex_lock(&lock_a);
		mutex_lock(&lock_b);
		mutex_unlock(&lock_b);
		mutex_unlock(&lock_a);
		mutex_lock(&lock_b);
		mutex_lock(&lock_a);
		mutex_unlock(&lock_a);
		mutex_unlock(&lock_b);
	} else if (!strcmp(bug, "leak")) {
		leak_some();
	} else if (!strcmp(bug, "atomic")) {
		void *p;

		spin_lock(&spin);
		p = kmalloc(32, GFP_KERNEL); /* may sleep */
		spin_unlock(&spin);
		kfree(p);
	}
	pr_info("bugs: %s done\n", bug);
	return 0;
}

static void __exit bugs_exit(void)
{
}

module_init(bugs_init);
module_exit(bugs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("deliberate bugs to prove the debug kernel's checkers");
EOF
echo 'obj-m := bugs.o' >"$scratch/Kbuild"
# build_scratch: bugs.ko in $scratch, with the compiler of the kernel's suite.
build_scratch() {
	local kdir
	if [[ $suite = bookworm ]]; then
		make -C "$("$DEBUG_DIR/kernel.sh" dir "$spec")/build" M="$scratch" -s modules
	else
		kdir=$("$RUNNER_DIR/chroot.sh" "$suite" headers "$ver")
		"$RUNNER_DIR/chroot.sh" "$suite" run --bind "$scratch" -- make -C "$kdir" M="$scratch" -s modules
	fi
}
build_scratch >&2 || die "building the scratch module failed"

# A minimal initramfs: busybox, the runner's /init, the module and /prove.sh.
root=$scratch/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,tests}
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do [[ -e $root/bin/$a ]] || ln -s busybox "$root/bin/$a"; done
install -m 0755 "$REPO/tests/guest/init" "$root/init"
cp "$scratch/bugs.ko" "$root/bugs.ko"
cat >"$root/prove.sh" <<'EOF'
#!/bin/sh
# shmap_bug comes from the kernel command line (shmap_bug=NAME).
KL=/sys/kernel/debug/kmemleak
if [ -w $KL ]; then echo scan > $KL; echo clear > $KL; fi
insmod /bugs.ko bug="$shmap_bug"
echo "# insmod bugs.ko bug=$shmap_bug: status $?"
if [ "$shmap_bug" = leak ] || [ "$shmap_bug" = none ]; then
	if [ ! -w $KL ]; then echo "# kmemleak not available"; exit 2; fi
	# A cache with per-CPU sheaves hides its recent allocations from kmemleak (lib.sh).
	sheaves=$(grep -lvx 0 /sys/kernel/slab/*/sheaf_capacity 2>/dev/null | wc -l)
	if [ "$sheaves" != 0 ]; then echo "# kmemleak blind: $sheaves slab caches have sheaves"; exit 3; fi
	echo scan > $KL
	sleep 6
	echo scan > $KL
	cat $KL
	[ -z "$(cat $KL)" ] || exit 1
fi
exit 0
EOF
chmod 0755 "$root/prove.sh"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$scratch/prove.cpio"

boot() {
	local b=$1 d=$out/$1
	rm -rf "$d"
	mkdir -p "$d"
	SHMAP_APPEND="loglevel=5 $(debug_append "$ver") shmap_bug=$b ${SHMAP_APPEND:-}" \
		SHMAP_TIMEOUT=${SHMAP_TIMEOUT:-300} \
		"$RUNNER_DIR/boot.sh" "$ver" "$scratch/prove.cpio" "$d" /prove.sh >"$d/boot.log" 2>&1 || true
}
running=0
for b in "$@"; do
	if ((running >= ${SHMAP_JOBS:-2})); then wait -n || true; running=$((running - 1)); fi
	boot "$b" &
	running=$((running + 1))
done
wait || true

diag "debug kernel $ver"
for b in "$@"; do
	d=$out/$b
	case $b in
	none) re='' ;;
	uaf) re='BUG: KASAN: slab-use-after-free|BUG: KFENCE: use-after-free' ;;
	lockdep) re='WARNING: possible circular locking dependency detected' ;;
	atomic) re='BUG: sleeping function called from invalid context' ;;
	leak) re='unreferenced object' ;;
	*) die "unknown bug $b" ;;
	esac
	verdict=$(cat "$d/verdict" 2>/dev/null || echo "no verdict")
	if [[ $b = none ]]; then
		if [[ $verdict = PASS* ]] && grep -q 'bugs: none done' "$d/console.log"; then
			ok "control boot (no bug) passes boot.sh: $verdict"
		else
			not_ok "control boot (no bug) passes boot.sh: $verdict"
		fi
		continue
	fi
	log=$d/console.log
	[[ $b = leak ]] && log=$d/tap.log
	if line=$(grep -m1 -E "$re" "$log"); then
		ok "$b fires: ${line#\[*\] } (verdict: ${verdict%%;*})"
		# The report, for the record.
		grep -E -A 14 "$re" "$log" | head -n 16 | sed 's/^/#   /'
	else
		not_ok "$b fires (verdict: $verdict; logs in $d)"
	fi
done
tap_end
