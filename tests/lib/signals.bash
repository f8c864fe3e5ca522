# The sigrec recorder (tests/helpers/sigrec.c) and signal numbers (part of
# lib/minit). sigrec -o FILE appends the lines
#   ready PID PGID SID
#   sig NAME NUM TIME_MS SI_PID SI_CODE PID
# with pids as minit's namespace sees them and TIME_MS on CLOCK_MONOTONIC
# (the clock of svtool and crash -o); $REC is the usual FILE.

# signal name -> number, as bash's `kill -l` has it (RTMIN = 34, as sigrec
# prints them)
declare -gA SIGNUM_OF=(
	[HUP]=1 [INT]=2 [QUIT]=3 [ILL]=4 [TRAP]=5 [ABRT]=6 [IOT]=6 [BUS]=7 [FPE]=8
	[KILL]=9 [USR1]=10 [SEGV]=11 [USR2]=12 [PIPE]=13 [ALRM]=14 [TERM]=15
	[STKFLT]=16 [CHLD]=17 [CONT]=18 [STOP]=19 [TSTP]=20 [TTIN]=21 [TTOU]=22
	[URG]=23 [XCPU]=24 [XFSZ]=25 [VTALRM]=26 [PROF]=27 [WINCH]=28 [IO]=29
	[POLL]=29 [PWR]=30 [SYS]=31 [RTMIN]=34 [RTMAX]=64
)
for ((_i = 1; _i <= 30; _i++)); do
	SIGNUM_OF[RTMIN+$_i]=$((34 + _i))
	SIGNUM_OF[RTMAX-$_i]=$((64 - _i))
done
unset _i

# signum NAME|NUMBER: SIGNUM = the number (NAME with or without SIG, any case)
signum() {
	local s=${1#SIG}
	if [[ $s =~ ^[0-9]+$ ]]; then
		SIGNUM=$s
	else
		SIGNUM=${SIGNUM_OF[${s^^}]:-}
		[[ -n $SIGNUM ]] || fail "unknown signal name $1"
	fi
}

# ---------------------------------------------------------------------------
# ready lines

# a ready line: its first word is "ready" (sigrec, prefork-server, sigflood)
READY_RE='^[[:space:]]*ready([[:space:]]|$)'

# wait_ready [FILE] [COUNT] [TIMEOUT]: wait for COUNT (default 1) ready
# lines in FILE (default $REC)
wait_ready() { wait_lines "${1:-$REC}" "$READY_RE" "${2:-1}" "${3:-10}"; }

# last_ready [FILE]: READY_PID, READY_PGID, READY_SID = the fields of the
# last ready line (a sigrec with -c children writes its own after theirs);
# returns 1 when there is none
last_ready() {
	local a f=${1:-$REC}
	READY_PID= READY_PGID= READY_SID=
	[[ -f $f ]] || return 1
	while read -r -a a || ((${#a[@]})); do
		[[ ${a[0]} == ready ]] && READY_PID=${a[1]} READY_PGID=${a[2]} READY_SID=${a[3]}
	done <"$f"
	[[ -n $READY_PID ]]
}

# ready_pids [FILE]: READY_PIDS = the pid of every ready line, in order;
# READY_HOST_PIDS = the host pids of those found below minit (host_pid)
ready_pids() {
	local a HOST_PID
	READY_PIDS=() READY_HOST_PIDS=()
	while read -r -a a; do
		[[ ${a[0]} == ready ]] || continue
		READY_PIDS+=("${a[1]}")
		host_pid "${a[1]}" && READY_HOST_PIDS+=("$HOST_PID")
	done <"${1:-$REC}"
	return 0 # not the status of the last host_pid (a process gone)
}

# ---------------------------------------------------------------------------
# signal records

# sig_count SIG [FILE] [NSPID] [FROM] [AFTER_US]: COUNT = the records of
# signal SIG (name or number) in FILE (default $REC), only those of process
# NSPID and sent by pid FROM when given; SIG_LINES = those lines (one per
# line); SIG_T = the time (us) of the first of them at or after AFTER_US
# (default 0), empty if none
sig_count() {
	local a US f=${2:-$REC}
	signum "$1"
	COUNT=0 SIG_LINES= SIG_T=
	[[ -f $f ]] || return 0
	while read -r -a a; do
		[[ ${a[0]} == sig && ${a[2]} == "$SIGNUM" ]] || continue
		[[ -z ${3:-} || ${a[6]} == "$3" ]] || continue
		[[ -z ${4:-} || ${a[4]} == "$4" ]] || continue
		COUNT=$((COUNT + 1))
		SIG_LINES+=${SIG_LINES:+$'\n'}${a[*]}
		if [[ -z $SIG_T ]]; then
			ms_to_us "${a[3]}"
			((US >= ${5:-0})) && SIG_T=$US
		fi
	done <"$f"
	return 0
}

_sig_seen() { sig_count "$@" && [[ -n $SIG_T ]]; }

# wait_sig SIG [FILE] [NSPID] [FROM] [AFTER_US]: wait until such a record is
# there (at or after AFTER_US); sets COUNT, SIG_LINES, SIG_T like sig_count
wait_sig() {
	wait_for -m "signal $1 recorded in ${2:-$REC}${3:+ by pid $3}${4:+ from pid $4}" \
		_sig_seen "$1" "${2:-$REC}" "${3:-}" "${4:-}" "${5:-}"
}

# refute_sig SIG [FILE] [NSPID]: no record of SIG (by NSPID)
refute_sig() {
	sig_count "$1" "${2:-$REC}" "${3:-}"
	((COUNT == 0)) || fail "signal $1 should not have been recorded:
$SIG_LINES"
}

_all_sigs() { # FILE NSPID SIG...: every SIG recorded (by NSPID if set)?
	local f=$1 p=$2 s
	shift 2
	for s; do
		sig_count "$s" "$f" "$p"
		((COUNT > 0)) || return 1
	done
}

# assert_sigs_from SENDER [-f FILE] [-p NSPID] SIG...: wait until every SIG
# is recorded (by NSPID), then check that each was recorded exactly once,
# with si_pid SENDER and a user-sent si_code (<= 0: kill, sigqueue)
assert_sigs_from() {
	local sender=$1 f=$REC p= s spid scode bad=()
	shift
	while [[ $# -gt 0 ]]; do
		case $1 in
		-f) f=$2; shift 2 ;;
		-p) p=$2; shift 2 ;;
		*) break ;;
		esac
	done
	wait_for -m "signals $* recorded in ${f##*/}${p:+ by pid $p}" _all_sigs "$f" "$p" "$@"
	for s; do
		sig_count "$s" "$f" "$p"
		if ((COUNT != 1)); then
			bad+=("signal $s recorded $COUNT times: $SIG_LINES")
			continue
		fi
		read -r _ _ _ _ spid scode _ <<<"$SIG_LINES"
		[[ $spid == "$sender" ]] || bad+=("signal $s came from pid $spid, expected $sender: $SIG_LINES")
		((scode <= 0)) || bad+=("signal $s has si_code $scode (not user-sent): $SIG_LINES")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# assert_sig_from SIG SENDER [FILE] [NSPID]: assert_sigs_from for one signal
assert_sig_from() {
	assert_sigs_from "$2" -f "${3:-$REC}" ${4:+-p "$4"} "$1"
}

# ---------------------------------------------------------------------------
# the marker

MARK=54 # RTMIN+20 in bash's numbering: a signal the tests never use otherwise

_more_marks() { sig_count $MARK "$1" && ((COUNT > $2)); }

# mark_via_minit [FILE]: send the marker signal to minit and wait until it
# is recorded (by the main child). minit takes pending signals lowest number
# first and forwards them in order, so every signal sent to minit before has
# then been forwarded.
mark_via_minit() {
	sig_count $MARK "${1:-$REC}"
	local before=$COUNT
	kill -n $MARK "$MINIT_PID"
	wait_for -m "the marker signal through minit" _more_marks "${1:-$REC}" "$before"
}
