#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest kernels.
#   kernels.sh resolve [SPEC...]  print one exact version per SPEC (default: $KERNELS, else
#                                 $DEFAULT_KERNELS, see tests/runner/lib.sh); SPEC is a series
#                                 (6.1, 7.3), SUITE:SERIES (trixie:7.3), an exact version
#                                 (6.12.117+deb12-amd64) or a debug kernel (debug, debug:7.3:
#                                 tests/debug-kernel/kernel.sh builds it); bookworm's resolve on
#                                 the host, the others in their suite's chroot (chroot.sh)
#   kernels.sh prepare VER        install the headers (on the host, or in the chroot of VER's
#                                 suite), fetch + unpack the image into the cache (with its
#                                 modules.dep, as installing it makes) and extract an ELF
#                                 vmlinux; prints the cache directory
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/lib.sh"

export DEBIAN_FRONTEND=noninteractive INITRD=No

# Print the names among the given packages that have an apt Candidate (one apt-cache call).
with_candidate() {
	(($#)) || return 0
	apt-cache policy "$@" 2>/dev/null | apt_candidates | cut -d' ' -f1
}

series_re() { printf '^%s\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64$' "${1//./\\.}"; }

cmd_resolve() {
	local s suite
	# shellcheck disable=SC2086 # KERNELS is a space-separated list
	(($#)) || set -- ${KERNELS:-$DEFAULT_KERNELS}
	# One apt query per suite, the versions printed in the order of the specs.
	declare -A specs=()
	for s in "$@"; do
		if ! is_debug_kernel "$s"; then
			suite=$(kernel_suite "$s")
			specs[$suite]+=" ${s#*:}"
		fi
	done
	declare -A got=()
	for suite in "${!specs[@]}"; do
		# shellcheck disable=SC2086 # a space-separated list
		if [[ $suite = bookworm ]]; then
			got[$suite]=$(resolve_bookworm ${specs[$suite]})
		else
			got[$suite]=$("$RUNNER_DIR/chroot.sh" "$suite" resolve ${specs[$suite]})
		fi
	done
	declare -A next=()
	for s in "$@"; do
		if is_debug_kernel "$s"; then
			# Built once (cached by source version, config and compiler).
			"$REPO/tests/debug-kernel/kernel.sh" build "$s"
			continue
		fi
		suite=$(kernel_suite "$s")
		local -a vs
		mapfile -t vs <<<"${got[$suite]}"
		echo "${vs[${next[$suite]:-0}]}"
		next[$suite]=$((${next[$suite]:-0} + 1))
	done
}

resolve_bookworm() {
	local s v re names=() ok
	# Every header version of the requested series, and the exact versions asked for.
	mapfile -t all < <(apt-cache pkgnames linux-headers- | sed 's/^linux-headers-//')
	for s in "$@"; do
		if [[ $s =~ ^[0-9]+\.[0-9]+$ ]]; then
			re=$(series_re "$s")
			for v in "${all[@]}"; do
				if [[ $v =~ $re ]]; then names+=("linux-headers-$v" "linux-image-$v-unsigned"); fi
			done
		elif [[ $s =~ ^[0-9]+\.[0-9]+[.0-9a-z+~-]*-amd64$ ]]; then
			names+=("linux-headers-$s" "linux-image-$s-unsigned")
		else
			die "bad kernel spec '$s' (want a series like 6.12 or a version like 6.12.117+deb12-amd64)"
		fi
	done
	ok=" $(with_candidate "${names[@]}" | tr '\n' ' ') "
	installable() { [[ $ok = *" linux-headers-$1 "* && $ok = *" linux-image-$1-unsigned "* ]]; }
	for s in "$@"; do
		if [[ $s =~ ^[0-9]+\.[0-9]+$ ]]; then
			re=$(series_re "$s")
			v=$(for v in "${all[@]}"; do
				if [[ $v =~ $re ]] && installable "$v"; then echo "$v"; fi
			done | sort -rV | head -n 1)
			[[ -n $v ]] || die "no installable kernel of series $s (headers + image-unsigned)"
			echo "$v"
		else
			installable "$s" || [[ -e $(kernel_dir "$s")/.done && -e /lib/modules/$s/build/Makefile ]] ||
				die "kernel $s: linux-headers-$s or linux-image-$s-unsigned not installable"
			echo "$s"
		fi
	done
}


cmd_prepare() {
	local ver=$1 dir tmp deb
	if is_debug_kernel "$ver"; then
		# tests/debug-kernel/kernel.sh built it and linked it into the cache and /lib/modules.
		[[ -e $(kernel_dir "$ver")/vmlinux ]] || die "debug kernel $ver not built"
		kernel_dir "$ver"
		return 0
	fi
	if is_chroot_kernel "$ver"; then
		"$RUNNER_DIR/chroot.sh" "$(kernel_suite "$ver")" headers "$ver" >/dev/null
		exec "$RUNNER_DIR/chroot-kernel.sh" prepare "$ver"
	fi
	dir=$(kernel_dir "$ver")
	mkdir -p "$(dirname "$dir")"
	# Several runs may share the cache: one preparation per version at a time.
	exec 9>"$dir.lock"
	flock 9
	if [[ ! -e /lib/modules/$ver/build/Makefile ]]; then
		log "installing linux-headers-$ver"
		apt_get install -y -qq --no-install-recommends "linux-headers-$ver" >/dev/null
	fi
	if [[ ! -e $dir/.done ]]; then
		tmp=$(mktemp -d "$dir.tmp.XXXXXX")
		chmod 755 "$tmp"
		mkdir -p "$tmp/deb"
		log "downloading linux-image-$ver-unsigned"
		(cd "$tmp/deb" && apt_get download -qq "linux-image-$ver-unsigned")
		deb=$(find "$tmp/deb" -name '*.deb' -print -quit)
		[[ -n $deb ]] || die "apt-get download linux-image-$ver-unsigned gave no .deb"
		dpkg -x "$deb" "$tmp/root"
		rm -rf "$tmp/deb"
		[[ -d $tmp/root/lib/modules/$ver ]] || die "image of $ver has no lib/modules/$ver"
		extract_vmlinux "$tmp/root/boot/vmlinuz-$ver" "$tmp/vmlinux"
		touch "$tmp/.done"
		rm -rf "$dir"
		mv -T "$tmp" "$dir"
	fi
	# The module index that installing the image makes (depmod): guest_module_files (lib.sh)
	# resolves the guest's modules with it. The caches of before it have none.
	if [[ ! -e $dir/root/lib/modules/$ver/modules.dep ]]; then
		log "depmod $ver"
		depmod -b "$dir/root" "$ver"
	fi
	flock -u 9
	echo "$dir"
}

case ${1:-} in
resolve) shift; cmd_resolve "$@" ;;
prepare) [[ $# -eq 2 ]] || die "usage: $0 prepare VER"; cmd_prepare "$2" ;;
*) die "usage: $0 resolve [SPEC...] | prepare VER" ;;
esac
