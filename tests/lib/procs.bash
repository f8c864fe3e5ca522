# Polling with deadlines, and /proc as the host sees it (part of lib/minit).

# ---------------------------------------------------------------------------
# polling

now_us() { echo "${EPOCHREALTIME/./}"; }

# nap [SECONDS]: sleep (default ~15 ms) without forking: a read with a
# time-out on a pipe nobody writes to (we hold its write end too)
nap() {
	[[ -n ${NAP_FD:-} ]] || exec {NAP_FD}<> <(:)
	read -r -t "${1:-0.015}" -u "$NAP_FD" _ || true
}

# secs_to_us SECONDS: US = SECONDS (integer or decimal) in microseconds,
# times TIMEOUT_MULT
secs_to_us() {
	local i=${1%%.*} f=0
	[[ $1 == *.* ]] && f=${1#*.}
	f=${f}000000
	f=${f:0:6}
	US=$(((10#${i:-0} * 1000000 + 10#$f) * TIMEOUT_MULT))
}

# wait_for [-t SECONDS] [-m MESSAGE] [-d DIAGCMD] CMD...: run CMD every 15 ms
# until it succeeds; fail the test with MESSAGE (and DIAGCMD's output) after
# the deadline (default 10 s, times TIMEOUT_MULT).
wait_for() {
	local timeout=10 msg="" diag=""
	while [[ $# -gt 0 ]]; do
		case $1 in
		-t) timeout=$2; shift 2 ;;
		-m) msg=$2; shift 2 ;;
		-d) diag=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local US
	secs_to_us "$timeout"
	local deadline=$((${EPOCHREALTIME/./} + US))
	while :; do
		"$@" && return 0
		if ((${EPOCHREALTIME/./} > deadline)); then
			fail "timed out after ${timeout}s waiting for: ${msg:-$*}${diag:+$($diag)}$(diag_tail)"
			return 1
		fi
		nap
	done
}

# diag_tail: the last lines of minit's stderr, the recorder file and the exit
# watcher's log, for failure messages
diag_tail() {
	local f
	for f in "$ERR" "$REC" "${SV_WATCH:-}"; do
		[[ -n $f && -s $f ]] || continue
		printf '\n--- %s (tail):\n%s' "${f##*/}" "$(tail -n 30 "$f")"
	done
}

# count_lines FILE REGEX: NLINES = lines of FILE matching the extended REGEX
# (bash's =~; an unterminated last line counts; 0 when FILE is missing)
count_lines() {
	local l
	NLINES=0
	[[ -f $1 ]] || return 0
	while IFS= read -r l || [[ -n $l ]]; do
		[[ $l =~ $2 ]] && NLINES=$((NLINES + 1))
	done <"$1"
	return 0
}
has_lines() { count_lines "$1" "$2" && ((NLINES >= $3)); }

# wait_lines FILE REGEX [COUNT] [TIMEOUT]: wait until COUNT (default 1) lines
# of FILE match REGEX; sets NLINES
wait_lines() {
	wait_for -t "${4:-10}" -m "${3:-1} line(s) /$2/ in ${1##*/}" has_lines "$1" "$2" "${3:-1}"
}

# ---------------------------------------------------------------------------
# /proc inspection (host view)

# pstate PID: PSTATE = the state letter of PID ("" if gone)
pstate() {
	local stat
	PSTATE=
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	stat=${stat##*) }
	PSTATE=${stat%% *}
}

is_gone() { # PID: exited (zombie or reaped)
	pstate "$1"
	[[ -z $PSTATE || $PSTATE == Z || $PSTATE == X ]]
}
is_alive() { ! is_gone "$1"; }
is_stopped() { pstate "$1" && [[ $PSTATE == T ]]; }

# stat_field PID N: STAT = field N of /proc/PID/stat (1-based, as in
# proc(5); N >= 3); returns 1 when PID is gone
stat_field() {
	local stat a
	STAT=
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	read -r -a a <<<"${stat##*) }"
	STAT=${a[$2 - 3]}
}

# status_field PID NAME: prints the value of NAME: in /proc/PID/status
status_field() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

# fds_of PID: FDS = PID's open fds, in ascending order (valgrind's log fd
# left out: valgrind_fd)
fds_of() {
	local f n s=()
	FDS=()
	for f in /proc/"$1"/fd/*; do
		[[ -e $f || -L $f ]] || continue
		n=${f##*/}
		valgrind_fd "$1" "$n" || s[n]=$n
	done
	FDS=("${s[@]}")
}

# status_dump [TEXT]: DUMP[NAME] = the value of each "NAME: VALUE" line of
# TEXT (default $output: a /proc/PID/status a child printed, whole or some
# of its lines), its words joined by one space ("" when it has none); the
# first line of a NAME counts
status_dump() {
	local k v w
	declare -gA DUMP
	DUMP=()
	while read -r k v; do
		[[ $k == ?*: && -z ${DUMP[${k%:}]+set} ]] || continue
		read -r -a w <<<"$v"
		DUMP[${k%:}]=${w[*]}
	done <<<"${1-$output}"
}

# mask CAP...: prints the capability set of CAP... (numbers) as /proc/PID/status
# shows one: 16 hex digits
mask() {
	local m=0 b
	for b; do ((m |= 1 << b)); done
	printf '%016x' "$m"
}

# kids PID: KIDS = PID's children (every thread's)
kids() {
	local f k
	KIDS=()
	for f in /proc/"$1"/task/*/children; do
		k=()
		read -r -a k 2>/dev/null <"$f" || true
		KIDS+=("${k[@]}")
	done
}
children_of() { # PID: prints its children, one per line
	local KIDS
	kids "$1"
	((${#KIDS[@]} == 0)) || printf '%s\n' "${KIDS[@]}"
}
has_children() { kids "$1" && ((${#KIDS[@]} > 0)); }

# descendants PID: DESC = PID's descendants, parents before their children
descendants() {
	DESC=()
	_descend "$1"
}
_descend() {
	local c KIDS
	kids "$1"
	for c in "${KIDS[@]}"; do
		DESC+=("$c")
		_descend "$c"
	done
}

# zombies_of PID: prints the Z-state processes whose parent is PID
zombies_of() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v pp="$1" '{ s = $0; sub(/^.*\) /, "", s); split(s, a, " ");
			if (a[1] == "Z" && a[2] == pp) { split($0, b, " "); print b[1] } }'
}
count_zombies_of() { zombies_of "$1" | wc -l; }
no_zombies_of() { [[ $(count_zombies_of "$1") -eq 0 ]]; }

# mask_has PID FIELD SIGNUM: the signal's bit is set in a /proc/PID/status
# mask (SigPnd, ShdPnd, SigBlk, SigIgn, ...)
mask_has() {
	local m
	m=$(status_field "$1" "$2") || return 1
	[[ -n $m ]] || return 1
	(((16#$m >> ($3 - 1)) & 1))
}

# wait_consumed PID SIGNUM: wait until PID has taken the signal off its
# pending sets
_consumed() { ! mask_has "$1" ShdPnd "$2" && ! mask_has "$1" SigPnd "$2"; }
wait_consumed() { wait_for -m "pid $1 to consume signal $2" _consumed "$1" "$2"; }

# ps_tree PID: prints a line per process at and below PID, for diagnostics
ps_tree() {
	local p DESC
	descendants "$1"
	for p in "$1" "${DESC[@]}"; do
		pstate "$p"
		printf '\n  %s %s exe=%s' "$p" "$PSTATE" "$(readlink "/proc/$p/exe" 2>/dev/null)"
	done
}

# main_child: MAIN_CHILD = host pid of minit's main child: the oldest of
# MINIT_PID's children (orphans minit picks up later are younger); returns
# 1 when minit has no child
main_child() {
	local c best= bstart= STAT KIDS
	MAIN_CHILD=
	kids "$MINIT_PID"
	for c in "${KIDS[@]}"; do
		stat_field "$c" 22 || continue
		if [[ -z $best ]] || ((STAT < bstart)); then
			best=$c bstart=$STAT
		fi
	done
	MAIN_CHILD=$best
	[[ -n $MAIN_CHILD ]]
}

# host_pid NSPID: HOST_PID = the host pid of the process below minit that
# minit's namespace calls NSPID (NSPID itself unless MODE is pid1); returns
# 1 when there is none
host_pid() {
	local p k v ns DESC
	HOST_PID=
	if [[ $MODE != pid1 ]]; then
		HOST_PID=$1
		return 0
	fi
	descendants "$MINIT_PID"
	for p in "${DESC[@]}"; do
		ns=
		while read -r k v; do
			[[ $k == NSpid: ]] && ns=${v##*[[:space:]]} && break
		done <"/proc/$p/status"
		[[ $ns == "$1" ]] && HOST_PID=$p && return 0
	done 2>/dev/null
	return 1
}
