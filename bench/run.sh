#!/usr/bin/env bash
# bench/run.sh: `make bench`. Measures minit against Debian's tini-static,
# dumb-init and catatonit, each as PID 1 of a fresh PID namespace on the same
# work, and writes a markdown table (figure, each init, minit / best peer,
# target, met) and a PNG chart. See bench/README.md for what each figure is.
#
# usage: bench/run.sh [--smoke] [--out DIR] [--minit PATH] [--only LIST] [--build-only]
#   --smoke       tiny version for `make check`: few iterations, 1 s idle
#                 window, 1,000-orphan storm; well under a minute; exit 0 when
#                 the harness works (slow figures never fail it)
#   --out DIR     where bench.md, bench.png and raw.tsv go
#                 (default bench/results, or build/bench/smoke with --smoke)
#   --minit PATH  the minit binary (default $MINIT or ./minit)
#   --only LIST   comma-separated figures: size,idle,startup,signal,storm,stop,restart
#   --build-only  build the probes into build/bench/ and stop
# Needs root (PID namespaces), gcc, and gnuplot for the chart (skipped with a
# note when missing; `scripts/packages.sh --bench` installs it).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
smoke=0 out='' only='' build_only=0
minit=${MINIT:-$root/minit}

die() { echo "bench: $*" >&2; exit 1; }
while (($#)); do
	case $1 in
	--smoke) smoke=1 ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--out=*) out=${1#*=} ;;
	--minit) minit=${2:?--minit needs a path}; shift ;;
	--minit=*) minit=${1#*=} ;;
	--only) only=${2:?--only needs a list}; shift ;;
	--only=*) only=${1#*=} ;;
	--build-only) build_only=1 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (see --help)" ;;
	esac
	shift
done

# ---- probes -------------------------------------------------------------------
bdir=$root/build/bench
mkdir -p "$bdir"
cc=${CC:-gcc}
for p in nsbench sigchild storm server; do
	src=$here/probes/$p.c bin=$bdir/$p
	if [[ ! -x $bin || $src -nt $bin || $here/probes/common.h -nt $bin ]]; then
		# The probes that run inside the namespaces are static: no dynamic
		# loading in the figures (falls back to dynamic if that fails).
		if [[ $p == nsbench ]] || ! "$cc" -O2 -Wall -Wextra -static -o "$bin" "$src" 2>/dev/null; then
			"$cc" -O2 -Wall -Wextra -o "$bin" "$src" || die "cannot build $src"
		fi
	fi
done
((build_only)) && exit 0

[[ $(id -u) == 0 ]] || die "needs root (PID namespaces)"
minit=$(realpath -m "$minit")
if ((smoke)); then
	out=${out:-$root/build/bench/smoke}
	STARTUP_N=10 SIG_N=50 IDLE_MS=1000 SETTLE_MS=200 STORM_N=1000 STORM_P=2 STORM_R=1
	STORM_CAP=2000 STOP_R=2 IGN_CAP=1500 STOP_TIMEOUT_MS=500 CRASHES=2 BACKOFF_MS=50 LIMIT=60
else
	out=${out:-$here/results}
	STARTUP_N=300 SIG_N=1000 IDLE_MS=10000 SETTLE_MS=1000 STORM_N=20000 STORM_P=2 STORM_R=5
	STORM_CAP=5000 STOP_R=20 IGN_CAP=15000 STOP_TIMEOUT_MS=9000 CRASHES=10 BACKOFF_MS=100 LIMIT=300
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/minit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
raw=$work/raw.tsv log=$work/log
: >"$raw"

# ---- the inits ------------------------------------------------------------------
# name, then the argv prefix that runs "CMD..." under it.
inits=()
declare -A pre=() path=() missing=()
add_init() {
	local name=$1 bin=$2
	shift 2
	inits+=("$name")
	path[$name]=$bin
	pre[$name]="$bin $*"
	if [[ ! -x $bin ]]; then
		missing[$name]="$bin not found"
		[[ $name == minit ]] && missing[$name]="$bin not built (run make)"
	fi
}
# Run a snapshot of minit: the binary may be rebuilt while the bench runs.
if [[ -x $minit ]]; then
	mkdir -p "$bdir/snap"
	cp "$minit" "$bdir/snap/minit.tmp" && mv -f "$bdir/snap/minit.tmp" "$bdir/snap/minit"
	if ! timeout -k 1 5 "$bdir/snap/minit" --version >/dev/null 2>&1; then
		sleep 2 # caught mid-link: once more
		cp "$minit" "$bdir/snap/minit.tmp" && mv -f "$bdir/snap/minit.tmp" "$bdir/snap/minit"
	fi
	minit=$bdir/snap/minit
fi
add_init minit "$minit" --
add_init tini /usr/bin/tini-static --
add_init dumb-init /usr/bin/dumb-init
add_init catatonit /usr/bin/catatonit --
peers=(tini dumb-init catatonit)
for n in "${inits[@]}"; do
	[[ -n ${missing[$n]:-} ]] && printf '%s\t_missing\t%s\n' "$n" "${missing[$n]}" >>"$raw"
done

# variants CMD... -> "NAME PREFIX... CMD... :: NAME ..." for every present init
variants() {
	local n first=1
	for n in "${inits[@]}"; do
		[[ -n ${missing[$n]:-} ]] && continue
		((first)) || printf '%s\0' '::'
		first=0
		printf '%s\0' "$n"
		# shellcheck disable=SC2086
		printf '%s\0' ${pre[$n]} "$@"
	done
}

want() { [[ -z $only || ,$only, == *,$1,* ]]; }
failed=()
# nsbench SCENARIO OPTS... -- VARIANTS; output lines appended to raw (after sed $SED)
run_nsbench() {
	local what=$1 sedexpr=$2
	shift 2
	echo "bench: $what" >&2
	if ! timeout -k 5 "$LIMIT" "$bdir/nsbench" "$@" 2>>"$log" | sed -e "$sedexpr" >>"$raw"; then
		failed+=("$what")
		echo "bench: $what: nsbench failed (see below)" >&2
		tail -n 5 "$log" >&2
	fi
}
nsb() {
	local what=$1 sedexpr=$2 sc=$3 opts=()
	shift 3
	while [[ $1 != -- ]]; do opts+=("$1"); shift; done
	shift
	local -a vv
	mapfile -d '' vv < <(variants "$@")
	((${#vv[@]})) || return 0
	run_nsbench "$what" "$sedexpr" "$sc" "${opts[@]}" -- "${vv[@]}"
}

B=$bdir
t_begin=$(date +%s)

# ---- figures -------------------------------------------------------------------
if want size; then
	for n in "${inits[@]}"; do
		[[ -n ${missing[$n]:-} ]] && continue
		b=${path[$n]}
		printf '%s\tsize_kb\t%s\n' "$n" "$(awk -v s="$(stat -Lc %s "$b")" 'BEGIN{printf "%.1f", s/1000}')" >>"$raw"
		if readelf -l "$b" 2>/dev/null | grep -q 'program interpreter'; then
			printf '%s\tsize_dynamic\t1\n' "$n" >>"$raw"
		fi
	done
fi
if want idle; then
	nsb "idle RSS and wake-ups (${IDLE_MS} ms)" '' idle -w "$IDLE_MS" -S "$SETTLE_MS" -- sleep 3600
fi
if want startup; then
	# bare /bin/true as PID 1 is the baseline, interleaved with the inits
	mapfile -d '' vv < <(variants /bin/true)
	run_nsbench "start-up overhead ($STARTUP_N rounds)" '' startup -n "$STARTUP_N" -- bare /bin/true :: "${vv[@]}"
fi
if want signal; then
	# on one CPU: otherwise where the scheduler happens to place sender,
	# init and child (cross-CPU wake-ups) outweighs what the init does
	cpu=$(($(nproc) - 1))
	nsb "signal latency ($SIG_N signals, CPU $cpu)" '' siglat -n "$SIG_N" -A "$cpu" -- "$B/sigchild" '{fifo}'
fi
if want storm; then
	nsb "orphan storm ($STORM_N orphans, $STORM_P creators, $STORM_R reps)" '' \
		storm -r "$STORM_R" -c "$STORM_CAP" -- "$B/storm" "$STORM_N" "$STORM_P" '{fifo}'
fi
if want stop; then
	nsb "stop, prefork server with 4 workers ($STOP_R reps)" '' \
		stop -r "$STOP_R" -c "$IGN_CAP" -- "$B/server" -w 4 -r '{fifo}'
	# TERM-ignoring child: all at once (the peers never end it: cap).
	# minit gets an explicit --stop-timeout; the peers have no such option.
	save_minit=${pre[minit]}
	pre[minit]="$minit --stop-timeout ${STOP_TIMEOUT_MS}ms --"
	nsb "stop, TERM-ignoring child (cap $(awk -v c="$IGN_CAP" 'BEGIN{printf "%g", c/1000}') s)" 's/\tstop_/\tstopign_/' \
		stop -P -r 1 -c "$IGN_CAP" -- "$B/server" -i -r '{fifo}'
	pre[minit]=$save_minit
fi
if want restart; then
	if [[ -z ${missing[minit]:-} ]]; then
		ropts="--restart on-crash --backoff-min ${BACKOFF_MS}ms --backoff-max ${BACKOFF_MS}ms --restart-max 1000 --restart-window 60s"
		# shellcheck disable=SC2086
		run_nsbench "restart after $CRASHES crashes, without and with --listen" \
			's/^minit+listen\t\([a-z_]*\)/minit\t\1_listen/' \
			restart -k "$CRASHES" -b "$BACKOFF_MS" -- \
			minit "$minit" $ropts -- "$B/server" -p '{port}' :: \
			minit+listen "$minit" $ropts --listen 'tcp:127.0.0.1:{port}' -- "$B/server" -p '{port}'
	fi
	for n in "${peers[@]}"; do
		for k in restart_gap_ms refused restart_gap_ms_listen refused_listen; do
			printf '%s\t%s\tna:no restart: exits when its child does\n' "$n" "$k" >>"$raw"
		done
	done
fi
t_end=$(date +%s)

# minit's n/a reasons: add its last own message (e.g. an unknown option)
if [[ -s $log ]] && grep -q '^minit: ' "$log"; then
	last=$(grep '^minit: \(error\|warning\)' "$log" | grep -v 'killed by SIG\|KILL to every' | tail -n 1 || true)
	[[ -n $last ]] && printf 'minit\t_lastmsg\t%s\n' "$last" >>"$raw"
fi

# ---- table ---------------------------------------------------------------------
stop_s=$(awk -v m="$STOP_TIMEOUT_MS" 'BEGIN{printf "%g", m/1000}')
rows=(
	"size_kb|Static binary size (KB)|abs:200|≤ 200 KB|size"
	"rss_kib|Idle RSS of PID 1 (KiB)|rel:0.5|≤ 0.5 × best peer|idle RSS"
	"wakeups|Idle wake-ups of PID 1 in $((IDLE_MS / 1000)) s|abs:0|0|"
	"startup_overhead_us|Start-up overhead, median (µs)|rel:1|≤ best peer|start-up"
	"sig_p50_us|Signal forwarding latency p50, one CPU (µs)|rel:1|≤ best peer|signal p50"
	"sig_p99_us|Signal forwarding latency p99, one CPU (µs)|none|—|signal p99"
	"storm_drain_ms|Orphan storm $STORM_N/$STORM_P: drain time (ms)|rel:1.05|≤ 1.05 × best peer|storm drain"
	"storm_peak|Orphan storm: peak zombies|none|—|"
	"storm_wakeups|Orphan storm: wake-ups of PID 1|none|—|"
	"storm_left|Orphan storm: zombies left|abs:0|0|"
	"stop_ms|Stop, prefork 4 workers: TERM to exit (ms)|add:5|≤ best peer + 5 ms|stop"
	"stopign_ms|Stop, TERM-ignoring child: TERM to exit (ms)|abs:$((STOP_TIMEOUT_MS + 100))|≤ $((STOP_TIMEOUT_MS + 100)) (stop timeout ${stop_s} s + 100 ms)|"
	"restart_gap_ms|Restart gap after a crash − back-off (ms)|abs:10|≤ 10 ms|"
	"restart_gap_ms_listen|Restart gap with --listen − back-off (ms)|abs:10|≤ 10 ms|"
	"refused|Refused connections in $CRASHES crashes|none|—|"
	"refused_listen|Refused connections in $CRASHES crashes, --listen|abs:0|0|"
)
printf '%s\n' "${rows[@]}" >"$work/rows"

kernel=$(uname -r) cpus=$(nproc)
cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
mver=$([[ -x $minit ]] && timeout -k 1 5 "$minit" --version 2>/dev/null | head -n 1 || echo "minit: not built")
mode=$( ((smoke)) && echo "smoke (--smoke: tiny, not for comparison)" || echo full)
{
	echo "# minit benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $mode run, $((t_end - t_begin)) s; $cpus × ${cpu:-CPU}, Linux $kernel."
	echo "Inits: $mver; tini-static $(/usr/bin/tini-static --version 2>/dev/null | awk '{print $3}'),"\
		"dumb-init $(/usr/bin/dumb-init --version 2>&1 | awk '{print $2}'),"\
		"catatonit $(/usr/bin/catatonit --version 2>/dev/null | awk '{print $3}') (Debian)."
	echo "Each init runs as PID 1 of a fresh PID + mount namespace with its own /proc."
	echo "Lower is better everywhere; \"best peer\" is the lowest of tini, dumb-init and catatonit."
	echo
	awk -F'\t' -v inits="${inits[*]}" -v peers="${peers[*]}" -v chart="$work/chart.dat" \
		-v ignore_cap="$IGN_CAP" -f "$here/table.awk" "$work/rows" "$raw"
	echo
	echo "Reproduce: \`make bench\` (or \`bench/run.sh\`, as root); method: bench/README.md."
} >"$out/bench.md"
cp "$raw" "$out/raw.tsv"

# ---- chart ---------------------------------------------------------------------
chart_note=
if command -v gnuplot >/dev/null && [[ -s $work/chart.dat ]]; then
	if ! gnuplot -e "datafile='$work/chart.dat'; outfile='$out/bench.png'; ncols=$((${#inits[@]} + 1))" "$here/chart.gp" 2>"$work/gp.err"; then
		chart_note="chart: gnuplot failed: $(head -n 3 "$work/gp.err")"
	fi
else
	chart_note="chart: skipped (gnuplot not installed or nothing to plot)"
fi

# A full run into bench/results refreshes the block between the markers
# <!-- bench:begin --> and <!-- bench:end --> of README.md and bench/README.md.
if ((!smoke)) && [[ $out == "$here/results" ]]; then
	for readme in "$root/README.md" "$here/README.md"; do
		if ! { [[ -f $readme ]] && grep -q '^<!-- bench:begin -->' "$readme" &&
			grep -q '^<!-- bench:end -->' "$readme"; }; then
			continue
		fi
		rel=$(realpath --relative-to="$(dirname "$readme")" "$out")
		{
			sed '1,2d; /^Reproduce: /d' "$out/bench.md"
			[[ -z $chart_note ]] && printf '![minit vs tini, dumb-init, catatonit](%s/bench.png)\n\n' "$rel"
			echo "Reproduce: \`make bench\` as root (about 2 minutes; writes $rel/); method: bench/README.md."
		} >"$work/block"
		awk -v block="$work/block" '
			/^<!-- bench:begin -->/ { print; while ((getline l < block) > 0) print l; skip = 1; next }
			/^<!-- bench:end -->/ { skip = 0 }
			!skip
		' "$readme" >"$work/readme" && cat "$work/readme" >"$readme"
		echo "bench: refreshed the table in $readme"
	done
fi

cat "$out/bench.md"
echo
echo "bench: wrote $out/bench.md${chart_note:+ }${chart_note:-, $out/bench.png} and $out/raw.tsv"
if ((${#failed[@]})); then
	echo "bench: failed: ${failed[*]}" >&2
	exit 1
fi
# The harness works when every installed peer produced the core figures.
bad=$(awk -F'\t' -v peers="${peers[*]}" -v only="$only" '
	BEGIN { n = split(peers, p, " "); for (i = 1; i <= n; i++) ispeer[p[i]] = 1 }
	$2 == "_missing" { gone[$1] = 1 }
	ispeer[$1] && $3 ~ /^na:/ && $2 !~ /^(restart_gap|refused)/ { print $1 " " $2 ": " $3 }
' "$raw")
if [[ -n $bad ]]; then
	echo "bench: the harness failed for a peer:" >&2
	echo "$bad" >&2
	exit 1
fi
exit 0
