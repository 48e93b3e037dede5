#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: boot each kernel of $KERNELS once under QEMU, run the benchmark there
# (tests/bench/guest.sh -> tests/bench/bench.c), then print one table per kernel (cost and
# faults per 4 KiB page per row, the target ratios) and write a CSV and PNG plots.
# Env:
#   KERNELS            series or versions (default "6.12 7.3"), as make check takes them
#   BENCH_MODE         icount (default): -icount shift=0,sleep=off, 1 vCPU; guest time is the
#                      number of executed instructions, so runs repeat exactly; wall: TCG wall
#                      clock, 1 vCPU (ratios pulled toward 1, medians within ~10%)
#   BENCH_SIZES        buffer sizes in MiB (default "64 1024")
#   BENCH_REPS         measured runs per row after one warm-up, one count per size (the last
#                      repeats): default "3 1" under icount (its runs repeat within 0.1%, the
#                      free rows within 3%), "5 3" for wall
#   BENCH_TRACE_PAGES  pages of the ftrace sub-measurement (default 64; 0: none)
#   BENCH_MEM          guest MiB (default 1024 + 2 x the largest size)
#   BENCH_TIMEOUT      seconds per guest (default 1800)
#   SHMAP_SKIP_MAKE=1  do not run make first
# Output in $BUILD/bench/: bench.csv, trace.csv, tables.txt, VER/{table.txt,root.png,child.png,
# console.log,tap.log,verdict,prepare.log,boot.log}.
set -euo pipefail
# shellcheck source=tests/runner/lib.sh
. "$(dirname "$0")/../runner/lib.sh"

mode=${BENCH_MODE:-icount}
case $mode in
icount) qemu_args="-icount shift=0,sleep=off" unit="insn/page" reps=${BENCH_REPS:-3 1} ;;
wall) qemu_args="" unit="ns/page" reps=${BENCH_REPS:-5 3} ;;
*) die "BENCH_MODE must be icount or wall, not '$mode'" ;;
esac
read -ra sizes <<<"${BENCH_SIZES:-64 1024}"
((${#sizes[@]})) || die "BENCH_SIZES is empty"
max=0
for s in "${sizes[@]}"; do
	[[ $s =~ ^[1-9][0-9]*$ ]] || die "BENCH_SIZES: '$s' is not a size in MiB"
	((s > max)) && max=$s
done
[[ $reps =~ ^[1-9][0-9]*([ ,][1-9][0-9]*)*$ ]] || die "BENCH_REPS: '$reps' is not a list of counts"
reps=${reps// /,}
mem=${BENCH_MEM:-$((1024 + 2 * max))}
trace_pages=${BENCH_TRACE_PAGES:-64}
out=$BUILD/bench
t0=$SECONDS

"$RUNNER_DIR/deps.sh"
if [[ ${SHMAP_SKIP_MAKE:-0} != 1 ]]; then
	make -C "$REPO" BUILD="$BUILD" || die "make failed"
fi
[[ -x $BUILD/tests/bench && -x $BUILD/tests/bench-guest.sh ]] || die "no $BUILD/tests/bench"
mapfile -t kernels < <(KERNELS=${KERNELS:-6.12 7.3} "$RUNNER_DIR/kernels.sh" resolve)
((${#kernels[@]})) || die "no kernels"
mkdir -p "$out"
log "kernels: ${kernels[*]}; $mode, sizes ${sizes[*]} MiB, runs $reps + 1 warm-up, guest ${mem} MiB"

csv=$out/bench.csv tcsv=$out/trace.csv
echo "kernel,mode,cgroup,size_mib,row,status,cost_per_page,faults_per_page,min,max,reps" >"$csv"
echo "kernel,row,status,pages,faults,handle_mm_fault,lock_vma_under_rcu,lock_mm_and_find_vma,hmf_per_fault,lvur_per_fault,lmfv_per_fault,handlers" >"$tcsv"
: >"$out/tables.txt"

# key=value pairs of bench's lines (values may be "quoted strings") -> CSV rows.
to_csv() {
	awk -v mode="$mode" -v csv="$csv" -v tcsv="$tcsv" '
	function kv(line,   s, p, k, v) {
		split("", f)
		nk = 0
		s = line
		while (match(s, /[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|[^ ]*)/)) {
			p = substr(s, RSTART, RLENGTH)
			k = substr(p, 1, index(p, "=") - 1)
			v = substr(p, index(p, "=") + 1)
			gsub(/"/, "", v)
			gsub(/,/, ";", v)
			f[k] = v
			K[++nk] = k
			s = substr(s, RSTART + RLENGTH)
		}
	}
	/^bench: / {
		kv($0)
		if (!("row" in f)) next
		print f["kernel"] "," mode "," f["cgroup"] "," f["size_mib"] "," f["row"] "," \
			f["status"] "," f["ns_per_page"] "," f["faults_per_page"] "," f["min"] "," \
			f["max"] "," f["reps"] >> csv
	}
	/^bench-trace: / {
		kv($0)
		h = ""
		for (i = 1; i <= nk; i++)
			if (K[i] ~ /^shmap_/) h = h (h == "" ? "" : ";") K[i] ":" f[K[i]]
		print f["kernel"] "," f["row"] "," f["status"] "," f["pages"] "," f["faults"] "," \
			f["handle_mm_fault"] "," f["lock_vma_under_rcu"] "," f["lock_mm_and_find_vma"] "," \
			f["hmf_per_fault"] "," f["lvur_per_fault"] "," f["lmfv_per_fault"] "," h >> tcsv
	}' "$1"
}

# The rows in reading order: first touch, populate, re-touch, eager, dma-bufs, reads, free, floor.
ROWS=(anon_private_first_touch anon_shared_first_touch memfd_first_touch shmap_lazy_first_touch
	shmap_lazy_first_touch_w1 anon_thp_first_touch shmap_huge_first_touch shmap_huge_lazy_first_touch
	anon_private_populate
	shmap_huge_populate memfd_populate_new shmap_lazy_populate_new
	memfd_populate_existing shmap_lazy_populate_existing memfd_retouch_read shmap_lazy_retouch_read
	memfd_retouch_write shmap_lazy_retouch_write shmap_eager_create shmap_eager_mmap
	shmap_eager_second_mapping shmap_huge_create shmap_dmabuf_export_eager shmap_dmabuf_export_lazy
	udmabuf_create shmap_dmabuf_mmap_first_touch udmabuf_mmap_first_touch anon_private_read
	shmap_eager_read anon_free memfd_free shmap_lazy_free shmap_eager_free shmap_huge_free
	shmap_huge_lazy_free floor)

# table VER: the table and ratios of one kernel, from the CSVs.
table() {
	awk -F, -v ver="$1" -v mode="$mode" -v unit="$unit" -v sizes="${sizes[*]}" \
		-v rows="${ROWS[*]}" -v tpages="$trace_pages" '
	FNR == 1 { file++; next }
	file == 1 && $1 == ver { st[$3, $4, $5] = $6; c[$3, $4, $5] = $7; fl[$3, $4, $5] = $8 }
	file == 2 && $1 == ver { T[++nt] = $2; tl[$2] = $0 }
	function cell(cg, sz, r) {
		if (!((cg, sz, r) in st)) return sprintf("%15s", "-")
		if (st[cg, sz, r] == "skipped") return sprintf("%15s", "skipped")
		if (st[cg, sz, r] == "failed") return sprintf("%15s", "FAILED")
		# Below 10 per page (the export of an eager buffer): three decimals.
		return sprintf(c[cg, sz, r] + 0 < 10 ? "%8.3f %6.3f%s" : "%8.0f %6.3f%s", c[cg, sz, r],
			fl[cg, sz, r], st[cg, sz, r] == "ok" ? "" : "!")
	}
	function val(cg, sz, r) {
		return ((cg, sz, r) in st && st[cg, sz, r] == "ok") ? c[cg, sz, r] : ""
	}
	function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "    n/a" : sprintf("%7.2f", a / b) }
	END {
		ns = split(sizes, S, " "); nr = split(rows, R, " ")
		ncg = 0
		for (i = 1; i <= 2; i++) {
			cg = i == 1 ? "root" : "child"
			for (j = 1; j <= ns; j++) if ((cg, S[j], R[1]) in st) { CG[++ncg] = cg; break }
		}
		printf "== %s (%s): %s and minor faults per 4 KiB page, medians\n", ver, mode, unit
		printf "%-30s", "row"
		for (i = 1; i <= ncg; i++) for (j = 1; j <= ns; j++) printf " %15s", CG[i] " " S[j] "M"
		if (ns > 1) printf " %9s", S[ns] "M/" S[1] "M"
		printf "\n"
		for (k = 1; k <= nr; k++) {
			r = R[k]
			printf "%-30s", r
			for (i = 1; i <= ncg; i++) for (j = 1; j <= ns; j++) printf " %s", cell(CG[i], S[j], r)
			if (ns > 1) printf " %9s", r ~ /^shmap_/ ? ratio(val("root", S[ns], r), val("root", S[1], r)) : ""
			printf "\n"
		}
		printf "\n%-62s", "ratio (root cgroup unless said)"
		for (j = 1; j <= ns; j++) printf " %7s", S[j] "M"
		printf "\n"
		n = split("lazy re-touch read / memfd re-touch read;" \
			"lazy populate existing / memfd populate existing;" \
			"lazy first touch / anon private first touch;" \
			"lazy first touch (fault window 1) / anon private first touch;" \
			"eager create / floor;" \
			"huge first touch / anon private first touch;" \
			"huge populate / anon private populate;" \
			"huge create / eager create;" \
			"huge lazy first touch / anon private first touch;" \
			"huge lazy first touch / anon THP first touch;" \
			"dma-buf export (lazy) / lazy populate new;" \
			"dma-buf export (lazy) / udmabuf create;" \
			"udmabuf create / memfd populate new;" \
			"dma-buf mmap first touch: shmap / udmabuf;" \
			"shmap dma-buf mmap first touch / lazy re-touch write;" \
			"child cgroup: lazy first touch / anon private first touch;" \
			"child cgroup: dma-buf export (lazy) / udmabuf create", N, ";")
		split("shmap_lazy_retouch_read memfd_retouch_read root;" \
			"shmap_lazy_populate_existing memfd_populate_existing root;" \
			"shmap_lazy_first_touch anon_private_first_touch root;" \
			"shmap_lazy_first_touch_w1 anon_private_first_touch root;" \
			"shmap_eager_create floor root;" \
			"shmap_huge_first_touch anon_private_first_touch root;" \
			"shmap_huge_populate anon_private_populate root;" \
			"shmap_huge_create shmap_eager_create root;" \
			"shmap_huge_lazy_first_touch anon_private_first_touch root;" \
			"shmap_huge_lazy_first_touch anon_thp_first_touch root;" \
			"shmap_dmabuf_export_lazy shmap_lazy_populate_new root;" \
			"shmap_dmabuf_export_lazy udmabuf_create root;" \
			"udmabuf_create memfd_populate_new root;" \
			"shmap_dmabuf_mmap_first_touch udmabuf_mmap_first_touch root;" \
			"shmap_dmabuf_mmap_first_touch shmap_lazy_retouch_write root;" \
			"shmap_lazy_first_touch anon_private_first_touch child;" \
			"shmap_dmabuf_export_lazy udmabuf_create child", Q, ";")
		for (i = 1; i <= n; i++) {
			split(Q[i], q, " ")
			printf "%-62s", N[i]
			for (j = 1; j <= ns; j++) printf " %s", ratio(val(q[3], S[j], q[1]), val(q[3], S[j], q[2]))
			printf "\n"
		}
		if (!nt) exit
		printf "\nftrace function tracer, %s pages per row (calls per fault: hmf = handle_mm_fault,\n", tpages
		printf "lvur = lock_vma_under_rcu, lmfv = lock_mm_and_find_vma; handlers: the module'"'"'s fault functions)\n"
		printf "%-30s %6s %8s %8s %8s %8s %8s %8s  %s\n", "row", "faults", "hmf", "lvur", "lmfv", \
			"hmf/flt", "lvur/flt", "lmfv/flt", "handlers"
		for (k = 1; k <= nt; k++) {
			split(tl[T[k]], t, ",")
			if (t[3] != "ok") { printf "%-30s %s\n", t[2], t[3]; continue }
			printf "%-30s %6s %8s %8s %8s %8s %8s %8s  %s\n", t[2], t[5], t[6], t[7], t[8], t[9], \
				t[10], t[11], t[12]
		}
	}' "$csv" "$tcsv"
}

# plot VER CGROUP: bars per row at the first and the last size, shmap against its peers.
plot() {
	local ver=$1 cg=$2 d=$out/$1 lo=${sizes[0]} hi=${sizes[-1]} n
	awk -F, -v ver="$ver" -v cg="$cg" -v lo="$lo" -v hi="$hi" -v rows="${ROWS[*]}" '
	FNR == 1 { next }
	$1 == ver && $3 == cg && $6 == "ok" { c[$4, $5] = $7 }
	END {
		nr = split(rows, R, " ")
		for (k = 1; k <= nr; k++) {
			a = (lo, R[k]) in c ? c[lo, R[k]] : "NaN"
			b = (hi, R[k]) in c ? c[hi, R[k]] : "NaN"
			if (a == "NaN" && b == "NaN") continue
			label = R[k]
			gsub(/_/, " ", label)
			printf "%d \"%s\" %s %s %d\n", ++n, label, a, b, R[k] ~ /^shmap_/
		}
	}' "$csv" >"$d/$cg.dat"
	[[ -s $d/$cg.dat ]] || return 0
	n=$(wc -l <"$d/$cg.dat")
	gnuplot <<-EOF
		set terminal pngcairo size 1500,760 font "sans,11"
		set output "$d/$cg.png"
		set title "$ver, $cg memory cgroup, $mode: $unit (log scale; lower is better)"
		set logscale y
		set ylabel "$unit"
		set grid ytics
		set style fill solid 0.9 border -1
		set xtics rotate by -45 scale 0 font ",10"
		set xrange [0.4:$n + 0.6]
		set bmargin 11
		set key top right
		set linetype 1 lc rgb "#6baed6"
		set linetype 2 lc rgb "#08519c"
		set linetype 3 lc rgb "#bdbdbd"
		set linetype 4 lc rgb "#525252"
		plot "$d/$cg.dat" using (\$1-0.2):3:(0.38):(\$5 > 0 ? 1 : 3) with boxes lc variable notitle, \
			"" using (\$1+0.2):4:(0.38):(\$5 > 0 ? 2 : 4):xtic(2) with boxes lc variable notitle, \
			NaN with boxes lt 1 title "shmap, $lo MiB", NaN with boxes lt 2 title "shmap, $hi MiB", \
			NaN with boxes lt 3 title "peers, $lo MiB", NaN with boxes lt 4 title "peers, $hi MiB"
	EOF
}

bad=0
for v in "${kernels[@]}"; do
	d=$out/$v
	rm -rf "$d"
	mkdir -p "$d"
	log "$v: kernel, module, initramfs"
	if ! "$RUNNER_DIR/prepare.sh" "$v" "$d" >"$d/prepare.log" 2>&1; then
		sed 's/^/   /' "$d/prepare.log" >&2
		log "$v: preparation failed ($d/prepare.log)"
		bad=1
		continue
	fi
	log "$v: booting (console: $d/console.log, output: $d/tap.log)"
	s=$SECONDS rc=0
	SHMAP_SMP=1 SHMAP_MEM=$mem SHMAP_QEMU_ARGS=$qemu_args SHMAP_TIMEOUT=${BENCH_TIMEOUT:-1800} \
		SHMAP_APPEND="bench_sizes=$(IFS=,; echo "${sizes[*]}") bench_reps=$reps bench_trace_pages=$trace_pages" \
		"$RUNNER_DIR/boot.sh" "$v" "$d/initramfs.cpio" "$d" /tests/bench-guest.sh \
		>"$d/boot.log" 2>&1 &
	pid=$!
	# The guest's progress comments, as they come.
	tail -n +1 -F --pid=$pid "$d/tap.log" 2>/dev/null | grep --line-buffered '^# ' |
		sed -u "s/^# /[$v] /" >&2 || true
	wait "$pid" || rc=$?
	secs=$((SECONDS - s))
	if ((rc)); then
		bad=1
		sed 's/^/   /' "$d/boot.log" >&2
	fi
	log "$v: guest finished in ${secs}s ($(cat "$d/verdict" 2>/dev/null || echo 'no verdict'))"
	to_csv "$d/tap.log"
	table "$v" >"$d/table.txt"
	{ cat "$d/table.txt"; echo "# guest run ${secs}s (wall clock, boot included)"; echo; } |
		tee -a "$out/tables.txt"
	for cg in root child; do plot "$v" "$cg" || log "$v: gnuplot failed for $cg"; done
done
log "CSV: $csv, $tcsv; tables: $out/tables.txt; plots: $out/VER/{root,child}.png; $((SECONDS - t0))s in all"
exit "$bad"
