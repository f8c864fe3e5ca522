# Shared helpers for the minit bats suite.
#
# Every behaviour is run in two modes:
#   pid1 - minit is PID 1 of a new PID namespace:
#          unshare --pid --fork --mount-proc MINIT ...
#          (unshare is our child; minit is unshare's child; minit's children
#          see it as pid 1)
#   sub  - minit is a plain child of the bats shell, i.e. not PID 1, so it
#          must make itself a child subreaper.
# A test body is a function taking the mode; each file has one @test per mode.
#
# Environment knobs:
#   MINIT          binary under test (default: ../minit; `make asan` sets
#                  MINIT=./minit-asan)
#   TEST_HELPERS   directory of the C probes, built by `make test-helpers`
#                  (default: ../build/tests)
#   TIMEOUT_MULT   multiply every deadline (slow builds, e.g. 3 for ASan)
#   VALGRIND       1: run every minit under valgrind memcheck (make
#                  check-valgrind, with MINIT=./minit-valgrind); a test fails
#                  when valgrind reports an error (see "valgrind" below)
#
# Synchronisation is always by polling with a deadline (wait_for and
# friends), never by fixed sleeps.

# bats-support gives fail(); its files are sourced directly because its
# load.bash forks a dirname per file, which adds up over 200 tests.
# (bats-assert is not used: load it in a file that wants it.)
_load_bats_support() {
	local d
	for d in ${BATS_LIB_PATH//:/ } /usr/lib/bats /usr/local/lib/bats; do
		if [[ -f $d/bats-support/src/output.bash ]]; then
			source "$d/bats-support/src/output.bash"
			source "$d/bats-support/src/error.bash"
			source "$d/bats-support/src/lang.bash"
			return 0
		fi
	done
	bats_load_library bats-support
}
_load_bats_support

: "${BATS_TEST_TIMEOUT:=90}" # safety net; our own deadlines are much shorter

TESTS_ROOT=${BATS_TEST_DIRNAME%/tests}
[[ $TESTS_ROOT != "$BATS_TEST_DIRNAME" ]] || TESTS_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MINIT=${MINIT:-$TESTS_ROOT/minit}
[[ $MINIT == /* ]] || MINIT=$PWD/$MINIT
TEST_HELPERS=${TEST_HELPERS:-$TESTS_ROOT/build/tests}
TIMEOUT_MULT=${TIMEOUT_MULT:-1}
VALGRIND=${VALGRIND:-0}
[[ $VALGRIND == 1 ]] || VALGRIND=0

# ---------------------------------------------------------------------------
# the probes: the Makefile builds them (make test-helpers), the tests only
# check that they are there

# check_probes: every probe the Makefile builds is in TEST_HELPERS and not
# older than its source; otherwise one line naming `make test-helpers`
check_probes() {
	local src name bad=()
	for src in "$TESTS_ROOT"/tests/helpers/*.c "$TESTS_ROOT/tests/fixtures/prefork-server.c"; do
		name=${src##*/}
		name=${name%.c}
		[[ -x $TEST_HELPERS/$name && ! $src -nt $TEST_HELPERS/$name ]] || bad+=("$name")
	done
	((${#bad[@]} == 0)) && return 0
	echo "test probes missing or older than their source in $TEST_HELPERS: ${bad[*]}: run \`make test-helpers\`" >&2
	return 1
}

# A file that needs more in its setup_file defines its own and calls
# check_probes first.
setup_file() { check_probes; }

# ---------------------------------------------------------------------------
# per-test set-up and clean-up

setup() {
	T=$BATS_TEST_TMPDIR
	TAG="minit-bats:$T"
	OUT=$T/minit.out
	ERR=$T/minit.err
	REC=$T/rec.log
	LAUNCH_PID=
	MINIT_PID=
	MODE=
	TMUX_SOCK=
	STDERR_MODE=file
	KEEP_FDS=()
	EXTRA_ENV=()
	valgrind_setup
	PATH=$TEST_HELPERS:$PATH
	# a developer's shell must not change what minit sees
	local v
	for v in $(compgen -e); do
		case $v in MINIT_* | TINI_* | DUMB_INIT_*) unset "$v" ;; esac
	done
	[[ -x $MINIT ]] || fail "minit binary not found or not executable: $MINIT (run make)"
}

# Every process a test starts carries MINITTEST_TAG=$TAG in its environment;
# teardown kills whatever still carries it (minit, children, orphans,
# processes that escaped into another parent), then reaps our own jobs.
tagged_pids() {
	local f p
	for f in $(grep -lzxF "MINITTEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		[[ $p == "$$" || $p == "$BASHPID" ]] || echo "$p"
	done
}

kill_tagged() {
	local i pids
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(tagged_pids)
		[[ -n $pids ]] || return 0
		# shellcheck disable=SC2086
		kill -STOP $pids 2>/dev/null || true
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null || true
		nap 0.02
	done
}

teardown() {
	if [[ -n ${TMUX_SOCK:-} ]]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	kill_tagged
	local p
	for p in "${BG_PIDS[@]:-}"; do
		[[ -n $p ]] || continue
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	BG_PIDS=()
	valgrind_check
}

BG_PIDS=()

# ---------------------------------------------------------------------------
# polling

now_us() { echo "${EPOCHREALTIME/./}"; }

# nap: sleep ~15 ms without forking (read with a timeout on a silent fifo)
nap() {
	# a pipe nobody ever writes to (we hold its write end too)
	[[ -n ${NAP_FD:-} ]] || exec {NAP_FD}<> <(:)
	read -r -t "${1:-0.015}" -u "$NAP_FD" _ || true
}

# secs_to_us SECONDS: sets US to SECONDS (integer or decimal) in
# microseconds, times TIMEOUT_MULT
secs_to_us() {
	local i=${1%%.*} f=0
	[[ $1 == *.* ]] && f=${1#*.}
	f=${f}000000
	f=${f:0:6}
	US=$(((10#${i:-0} * 1000000 + 10#$f) * TIMEOUT_MULT))
}

# wait_for [-t SECONDS] [-m MESSAGE] [-d DIAGCMD] CMD...: run CMD every 15 ms
# until it succeeds; fail the test with MESSAGE (and DIAGCMD's output) after
# the deadline (default 10 s).
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

# last lines of minit's stderr and the recorder file, for failure messages
diag_tail() {
	local f
	for f in "$ERR" "$REC"; do
		[[ -s $f ]] || continue
		printf '\n--- %s (tail):\n%s' "${f##*/}" "$(tail -n 15 "$f")"
	done
}

# wait_file_line FILE REGEX [TIMEOUT]: wait until FILE has a line matching
# the extended REGEX.
wait_file_line() {
	wait_for -t "${3:-10}" -m "a line /$2/ in ${1##*/}" grep -qE -- "$2" "$1"
}

# ---------------------------------------------------------------------------
# /proc inspection (host view)

# pstate PID: sets PSTATE to the state letter of PID ("" if gone), no fork
pstate() {
	local stat
	PSTATE=
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	stat=${stat##*) }
	PSTATE=${stat%% *}
}

proc_state() { # PID -> one letter, or nothing if gone
	pstate "$1"
	echo "$PSTATE"
}

stat_field() { # PID N -> field N of /proc/PID/stat (1-based, as in proc(5))
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat "$2"
	local n=$#
	local k=$((${!n} - 2))
	echo "${!k}"
}

status_field() { # PID NAME -> value of NAME: in /proc/PID/status
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

is_gone() { # PID: exited (zombie or reaped)
	pstate "$1"
	[[ -z $PSTATE || $PSTATE == Z || $PSTATE == X ]]
}

is_alive() { ! is_gone "$1"; }

children_of() { # PID -> its children, one per line
	local f kids
	for f in /proc/"$1"/task/*/children; do
		kids=()
		read -r -a kids 2>/dev/null <"$f" || true
		((${#kids[@]} == 0)) || printf '%s\n' "${kids[@]}"
	done
}

# collect_descendants PID: fill the array DESC with PID's descendants
# (parents before their children), without forking
collect_descendants() {
	DESC=()
	_collect_desc "$1"
}
_collect_desc() {
	local f c kids
	for f in /proc/"$1"/task/*/children; do
		kids=()
		read -r -a kids 2>/dev/null <"$f" || true
		for c in "${kids[@]}"; do
			DESC+=("$c")
			_collect_desc "$c"
		done
	done
}

descendants_of() {
	local DESC
	collect_descendants "$1"
	((${#DESC[@]} == 0)) || printf '%s\n' "${DESC[@]}"
}

# zombies_of PID: Z-state processes whose parent is PID, one per line
zombies_of() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v pp="$1" '{ s = $0; sub(/^.*\) /, "", s); split(s, a, " ");
			if (a[1] == "Z" && a[2] == pp) { split($0, b, " "); print b[1] } }'
}

count_zombies_of() { zombies_of "$1" | wc -l; }
no_zombies_of() { [[ $(count_zombies_of "$1") -eq 0 ]]; }

# signal bit of a /proc/PID/status mask (SigPnd, ShdPnd, SigBlk, SigIgn, ...)
mask_has() { # PID FIELD SIGNUM
	local m
	m=$(status_field "$1" "$2") || return 1
	[[ -n $m ]] || return 1
	(((16#$m >> ($3 - 1)) & 1))
}

# wait until PID has taken signal SIGNUM off its pending sets
wait_consumed() { # PID SIGNUM
	wait_for -m "pid $1 to consume signal $2" \
		eval "! mask_has $1 ShdPnd $2 && ! mask_has $1 SigPnd $2"
}


# ---------------------------------------------------------------------------
# starting minit

# launch CMD...: start CMD in the background with a clean signal state
# (default dispositions, empty mask), stdin from /dev/null, all fds above 2
# closed except those in KEEP_FDS, and the cleanup tag in its environment.
# stdout -> $OUT; stderr per STDERR_MODE: file ($ERR), closed, brokenpipe
# (a pipe whose reader is already gone). Sets LAUNCH_PID.
launch() {
	local sig_env=(env --default-signal)
	[[ -z ${LAUNCH_IGNORE:-} ]] || sig_env+=(--ignore-signal="$LAUNCH_IGNORE")
	rm -f "$ERR"
	if [[ $STDERR_MODE == brokenpipe ]]; then
		rm -f "$T/pipe"
		mkfifo "$T/pipe"
	fi
	(
		close_fds
		case $STDERR_MODE in
		file) exec 2>"$ERR" ;;
		closed) exec 2>&- ;;
		brokenpipe)
			exec 8<>"$T/pipe" 2>"$T/pipe" # rw open does not block
			exec 8<&-                     # the only reader is gone
			;;
		esac
		# valgrind's log fd, open before any wrapper drops privileges
		((!VALGRIND)) || exec 99>>"$VG_LOG"
		exec "${sig_env[@]}" MINITTEST_TAG="$TAG" MINIT_RESTART=no \
			"${EXTRA_ENV[@]}" "$@" <"${LAUNCH_STDIN:-/dev/null}" >"$OUT"
	) &
	LAUNCH_PID=$!
	BG_PIDS+=("$LAUNCH_PID")
}

close_fds() {
	local fd k keep
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		((fd > 2)) || continue
		keep=
		for k in "${KEEP_FDS[@]}"; do [[ $fd == "$k" ]] && keep=1; done
		[[ -n $keep ]] || eval "exec $fd>&-" 2>/dev/null || true
	done
}

ps_tree() { # PID: one line per process below (and at) PID, for diagnostics
	local p
	for p in "$1" $(descendants_of "$1"); do
		printf '\n  %s %s exe=%s' "$p" "$(proc_state "$p")" "$(readlink "/proc/$p/exe" 2>/dev/null)"
	done
}

minit_realpath() { readlink -f "$MINIT"; }

# is PID running the minit binary (exec done)? A rebuild while it runs
# turns the exe link into "PATH (deleted)". Under VALGRIND=1, PID runs
# valgrind's tool with minit as the program (valgrind_is_minit).
is_minit() {
	if ((VALGRIND)); then
		valgrind_is_minit "$1"
		return
	fi
	[[ /proc/$1/exe -ef $MINIT ]] && return 0
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ $exe == *" (deleted)" && ${exe% (deleted)} == "$(minit_realpath)" ]]
}

# find_minit_pid ROOTPID: set MINIT_PID to the first process at or below
# ROOTPID running minit
find_minit_pid() {
	local p DESC
	collect_descendants "$1"
	for p in "$1" "${DESC[@]}"; do
		if is_minit "$p"; then
			MINIT_PID=$p
			return 0
		fi
	done
	return 1
}

_resolve_minit() { find_minit_pid "$1"; }

# minit_argv PROG: MINIT_ARGV = the command that runs PROG (minit, a symlink
# to it, or a script that execs "${MINIT_WRAP[@]}" "$MINIT"): under
# VALGRIND=1 the minit binary and its symlinks get MINIT_WRAP in front
minit_argv() {
	MINIT_ARGV=("$1")
	((VALGRIND)) && [[ $1 -ef $MINIT ]] && MINIT_ARGV=("${MINIT_WRAP[@]}" "$1")
	return 0
}

# minit_cmd MODE [PROG]: the command prefix that runs minit (or the
# program PROG, e.g. a symlink to it) in MODE
minit_cmd() {
	local MINIT_ARGV
	minit_argv "${2:-$MINIT}"
	case $1 in
	pid1) echo unshare --pid --fork --mount-proc "${MINIT_ARGV[@]}" ;;
	sub) echo "${MINIT_ARGV[@]}" ;;
	*) fail "unknown mode $1" ;;
	esac
}

# start_minit MODE [ARGS...]: start minit (or $PROG if set) in MODE in the
# background. Sets LAUNCH_PID (our child), MINIT_PID (minit's host pid) and
# MINIT_SELF (minit's pid as its children see it: 1 as PID 1).
start_minit() {
	MODE=$1
	shift
	local MINIT_ARGV
	minit_argv "${PROG:-$MINIT}"
	rm -f "$REC" # a ready line from an earlier run must not count
	case $MODE in
	pid1) launch unshare --pid --fork --mount-proc "${MINIT_ARGV[@]}" "$@" ;;
	sub) launch "${MINIT_ARGV[@]}" "$@" ;;
	*) fail "unknown mode $MODE" ;;
	esac
	wait_for -m "minit to start under pid $LAUNCH_PID ($(minit_realpath))" \
		-d "ps_tree $LAUNCH_PID" _resolve_minit "$LAUNCH_PID"
	if [[ $MODE == pid1 ]]; then MINIT_SELF=1; else MINIT_SELF=$MINIT_PID; fi
	# signals sent before minit blocked them would kill it: wait for that
	wait_for -m "minit (pid $MINIT_PID) to block its signals" minit_blocked_or_gone
}

# minit_takes_signals PID: minit has set up its signals. It blocks every
# signal, SEGV included (the kernel still forces its own faults), and takes
# them with sigtimedwait, during which the kernel unblocks the waited-for set:
# so either TERM and SEGV are both blocked, or it is waiting in sigtimedwait.
# (Under valgrind, SigBlk is valgrind's from its start-up on, with TERM
# blocked but never SEGV.)
minit_takes_signals() {
	local w
	{ mask_has "$1" SigBlk 15 && mask_has "$1" SigBlk 11; } && return 0
	read -r w 2>/dev/null <"/proc/$1/wchan" # no newline: read "fails" but sets w
	[[ $w == do_sigtimedwait* ]]
}

minit_blocked_or_gone() { minit_takes_signals "$MINIT_PID" || is_gone "$MINIT_PID"; }

# wait_minit [TIMEOUT]: wait for the launched command to end; sets status
# (minit's exit status; unshare passes it through), output/lines (stdout),
# stderr/stderr_lines.
wait_minit() {
	wait_for -t "${1:-10}" -m "minit (pid $MINIT_PID) to exit" is_gone "$LAUNCH_PID"
	status=0
	wait "$LAUNCH_PID" 2>/dev/null || status=$?
	mapfile -t lines <"$OUT"
	stderr_lines=()
	[[ ! -f $ERR ]] || mapfile -t stderr_lines <"$ERR"
	local IFS=$'\n'
	output="${lines[*]}"
	stderr="${stderr_lines[*]}"
}

# run_minit MODE [ARGS...]: run minit (or $PROG) in MODE to completion; for
# invocations that end by themselves (usage errors, short commands). Sets
# status, output, lines, stderr, stderr_lines like `run --separate-stderr`.
run_minit() {
	MODE=$1
	shift
	local MINIT_ARGV
	minit_argv "${PROG:-$MINIT}"
	case $MODE in
	pid1) launch unshare --pid --fork --mount-proc "${MINIT_ARGV[@]}" "$@" ;;
	sub) launch "${MINIT_ARGV[@]}" "$@" ;;
	*) fail "unknown mode $MODE" ;;
	esac
	MINIT_PID=$LAUNCH_PID
	wait_minit
}

# run_minit_via CMD...: run an arbitrary command line that runs minit (e.g.
# a shell that changes something first) to completion, like run_minit
run_minit_via() {
	MODE=via
	launch "$@"
	MINIT_PID=$LAUNCH_PID
	wait_minit
}

# die_cmd SIG: set DIE to a command that dies of signal SIG
die_cmd() {
	if [[ -x $TEST_HELPERS/crash ]]; then
		DIE=("$TEST_HELPERS/crash" "$1")
	else
		DIE=(sh -c 'kill -s "$1" $$' sh "$1")
	fi
}

# ---------------------------------------------------------------------------
# the sigrec probe: lines "ready PID PGID SID" and
# "sig NAME NUM TIME_MS SI_PID SI_CODE PID" (pids as seen in minit's namespace)

# signal name -> number table as bash's `kill -l` has it (RTMIN = 34, as
# sigrec prints them)
declare -gA SIGNUM_OF=(
	[HUP]=1 [INT]=2 [QUIT]=3 [ILL]=4 [TRAP]=5 [ABRT]=6 [IOT]=6 [BUS]=7 [FPE]=8
	[KILL]=9 [USR1]=10 [SEGV]=11 [USR2]=12 [PIPE]=13 [ALRM]=14 [TERM]=15
	[STKFLT]=16 [CHLD]=17 [CONT]=18 [STOP]=19 [TSTP]=20 [TTIN]=21 [TTOU]=22
	[URG]=23 [XCPU]=24 [XFSZ]=25 [VTALRM]=26 [PROF]=27 [WINCH]=28 [IO]=29
	[POLL]=29 [PWR]=30 [SYS]=31 [RTMIN]=34 [RTMAX]=64
)
_load_signums() {
	local i
	for ((i = 1; i <= 30; i++)); do
		SIGNUM_OF[RTMIN+$i]=$((34 + i))
		SIGNUM_OF[RTMAX-$i]=$((64 - i))
	done
}
_load_signums

# signum NAME|NUMBER: sets SIGNUM (no output, no fork)
signum() {
	local s=${1#SIG}
	if [[ $s =~ ^[0-9]+$ ]]; then
		SIGNUM=$s
	else
		SIGNUM=${SIGNUM_OF[${s^^}]:-}
		[[ -n $SIGNUM ]] || fail "unknown signal name $1"
	fi
}

# read_rec [FILE]: parse the recorder file into
#   READY_LINES (array), SIG_COUNT[num:pid], SIG_COUNT[num] (all pids),
#   SIG_LINE[num:pid] / SIG_LINE[num] (last such line)
read_rec() {
	local f=${1:-$REC} a k
	READY_LINES=()
	SIG_COUNT=()
	SIG_LINE=()
	[[ -f $f ]] || return 0
	while read -r -a a; do
		case ${a[0]} in
		ready) READY_LINES+=("${a[*]}") ;;
		sig)
			for k in "${a[2]}" "${a[2]}:${a[6]}"; do
				SIG_COUNT[$k]=$((${SIG_COUNT[$k]:-0} + 1))
				SIG_LINE[$k]="${SIG_LINE[$k]:+${SIG_LINE[$k]}
}${a[*]}"
			done
			;;
		esac
	done <"$f"
}
declare -ga READY_LINES=()
declare -gA SIG_COUNT=() SIG_LINE=()

_enough_ready() { # FILE N
	read_rec "$1"
	((${#READY_LINES[@]} >= $2))
}

# wait_ready [FILE] [COUNT] [TIMEOUT]: wait for COUNT ready lines
wait_ready() {
	wait_for -t "${3:-10}" -m "${2:-1} ready line(s) in ${1:-$REC}" _enough_ready "${1:-$REC}" "${2:-1}"
}

# ready_field N [FILE]: field N (2 pid, 3 pgid, 4 sid) of the last ready line
# (the main sigrec writes its ready line after its -c children)
ready_field() {
	read_rec "${2:-$REC}"
	local a
	read -r -a a <<<"${READY_LINES[-1]:-}"
	echo "${a[$(($1 - 1))]:-}"
}

# sig_count SIG [FILE] [PID]: sets COUNT to the number of records
sig_count() {
	signum "$1"
	read_rec "${2:-$REC}"
	COUNT=${SIG_COUNT[$SIGNUM${3:+:$3}]:-0}
}

has_sig() { # SIG [FILE] [PID]
	sig_count "$@"
	((COUNT > 0))
}

_all_sigs() { # FILE PID SIG...: every SIG recorded (by PID if set)?
	local f=$1 p=$2 s
	shift 2
	read_rec "$f"
	for s; do
		signum "$s"
		((${SIG_COUNT[$SIGNUM${p:+:$p}]:-0} > 0)) || return 1
	done
}

# wait_sig SIG [FILE] [PID]: wait until signal SIG was recorded
wait_sig() {
	wait_for -m "signal $1 recorded in ${2:-$REC}${3:+ by pid $3}" _all_sigs "${2:-$REC}" "${3:-}" "$1"
}

# assert_sigs_from SENDER [-f FILE] [-p PID] SIG...: wait until every SIG is
# recorded, then check each was recorded exactly once, with si_pid SENDER
# and a user-sent si_code (<= 0)
assert_sigs_from() {
	local sender=$1 f=$REC p= s line spid scode bad=()
	shift
	while [[ $# -gt 0 ]]; do
		case $1 in
		-f) f=$2; shift 2 ;;
		-p) p=$2; shift 2 ;;
		*) break ;;
		esac
	done
	wait_for -m "signals $* recorded in ${f##*/}${p:+ by pid $p}" _all_sigs "$f" "$p" "$@"
	read_rec "$f"
	for s; do
		signum "$s"
		local k=$SIGNUM${p:+:$p}
		line=${SIG_LINE[$k]}
		if ((SIG_COUNT[$k] != 1)); then
			bad+=("signal $s recorded ${SIG_COUNT[$k]} times: $line")
			continue
		fi
		read -r _ _ _ _ spid scode _ <<<"$line"
		[[ $spid == "$sender" ]] || bad+=("signal $s came from pid $spid, expected $sender: $line")
		((scode <= 0)) || bad+=("signal $s has si_code $scode (not user-sent): $line")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}

# assert_sig_from SIG SENDER [FILE] [PID]
assert_sig_from() {
	assert_sigs_from "$2" -f "${3:-$REC}" ${4:+-p "$4"} "$1"
}

refute_sig() { # SIG [FILE] [PID]
	sig_count "$@"
	((COUNT == 0)) || fail "signal $1 should not have been recorded:
${SIG_LINE[$SIGNUM${3:+:$3}]}"
}

MARK=54 # RTMIN+20 in bash's numbering: a signal the tests never use otherwise

_more_marks() { # FILE BEFORE
	sig_count $MARK "$1"
	((COUNT > $2))
}

# mark_via_minit [FILE]: send the marker signal to minit and wait until the
# main child recorded it. Signals minit handled before are then already
# delivered (minit forwards in order; a pending lower-numbered signal is
# taken before the marker).
mark_via_minit() {
	sig_count $MARK "${1:-$REC}"
	local before=$COUNT
	kill -n $MARK "$MINIT_PID"
	wait_for -m "marker signal through minit" _more_marks "${1:-$REC}" "$before"
}

# child_pid: host pid of minit's main child (its only child that is not an
# orphan picked up later: the oldest one)
child_pid() {
	local c best= bstart=
	for c in $(children_of "$MINIT_PID"); do
		local st
		st=$(stat_field "$c" 22) || continue
		if [[ -z $best ]] || ((st < bstart)); then
			best=$c
			bstart=$st
		fi
	done
	[[ -n $best ]] && echo "$best"
}

# host pid of a process given its pid in minit's namespace
host_pid_of() { # NSPID
	if [[ $MODE != pid1 ]]; then
		echo "$1"
		return
	fi
	local p
	for p in $(descendants_of "$MINIT_PID"); do
		local ns
		ns=$(awk '$1 == "NSpid:" { print $NF }' "/proc/$p/status" 2>/dev/null)
		[[ $ns == "$1" ]] && echo "$p" && return 0
	done
	return 1
}

# ---------------------------------------------------------------------------
# log lines

# count_log LEVEL [REGEX]: stderr lines "minit: LEVEL: ..." (matching REGEX)
count_log() {
	local n
	n=$(grep -cE "^minit: $1: .*${2:-}" "$ERR" 2>/dev/null) || true
	echo "${n:-0}"
}

assert_no_errors_logged() {
	local bad
	bad=$(grep -E '^minit: error:' "$ERR" 2>/dev/null || true)
	[[ -z $bad ]] || fail "unexpected error log lines:
$bad"
}

# ---------------------------------------------------------------------------
# misc

# personality NAME: a symlink $T/bin/NAME -> minit; prints its path
personality() {
	mkdir -p "$T/bin"
	ln -sf "$MINIT" "$T/bin/$1"
	echo "$T/bin/$1"
}

# ---------------------------------------------------------------------------
# valgrind (VALGRIND=1)
#
# Every minit the suite starts runs as "${MINIT_WRAP[@]}" "$MINIT" ARGS:
# tests/lib/valgrind-minit runs it under memcheck, logging to VG_LOG (one file
# per test; minit and its forked children, each line starting ==PID==) on fd
# 99. start_minit, run_minit and minit_cmd add the wrapper themselves (to
# $MINIT and to symlinks to it, such as personality's); a test that starts
# minit some other way, or writes a script that execs it, puts
# "${MINIT_WRAP[@]}" in front of "$MINIT" (empty without VALGRIND=1).
# teardown fails the test when the log holds any error (valgrind_check).
#
# Under valgrind, /proc/PID/exe of minit is valgrind's tool (e.g.
# /usr/libexec/valgrind/memcheck-amd64-linux); minit and every child it
# forks keep fd 99 open (valgrind does not close it); minit's SigBlk is
# valgrind's except while minit waits in a system call; some signals never
# reach minit (VG_TAKEN_SIGNALS); some system calls fail with ENOSYS
# (VG_UNHANDLED_OK). SV_TOL and SV_EXIT_SLACK (lib/supervise) are raised.

VG_WRAPPER=$TESTS_ROOT/tests/lib/valgrind-minit
VG_FD=99
# System calls valgrind 3.19 does not know (the program gets ENOSYS), by
# number, that are accepted; any other one fails the test:
#   317 seccomp: libseccomp's probe of the kernel's seccomp API (minit loads
#       its filter with prctl, which valgrind knows).
# (434 pidfd_open would fail too: minit no longer uses it.)
VG_UNHANDLED_OK=${VG_UNHANDLED_OK:-317}

valgrind_setup() {
	MINIT_WRAP=()
	((VALGRIND)) || return 0
	# a dot file: sv_timed's clean-up between attempts keeps it
	VG_LOG=$T/.valgrind.log
	VG_TEST_PID=$BASHPID
	MINIT_WRAP=("$VG_WRAPPER" "$VG_LOG")
	: >"$VG_LOG"
}

# valgrind_is_minit PID: PID runs valgrind's tool with minit (or a symlink
# to it) as the program: the first argument after valgrind's options
valgrind_is_minit() {
	local exe a args
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ $exe == */valgrind/*-linux ]] || return 1
	mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
	for a in "${args[@]:1}"; do
		[[ $a == -* ]] && continue
		[[ $a -ef $MINIT || $a == "$MINIT" ]]
		return
	done
	return 1
}

# Signals sent to minit that valgrind 3.19 does not let reach it:
# - SEGV BUS ILL FPE TRAP from another process (kill, sigqueue): valgrind's
#   own handler takes them whatever minit's mask (it must, for its own
#   faults); it queues them where minit's signal wait never sees them, or
#   ends the process with their default action;
# - SYS: valgrind leaves it unblocked too while minit runs (rather than
#   waits); one arriving then ends the process or aborts valgrind
#   ("Assertion 'tst->status == VgTs_WaitSys' failed");
# - 64 (SIGRTMAX): valgrind's own (VG_SIGVGKILL): minit can neither block it
#   nor send it (kill fails with EINVAL).
VG_TAKEN_SIGNALS=(11 7 4 8 5 31 64)
VG_TAKEN_WHY="under valgrind 3.19, SEGV BUS ILL FPE TRAP SYS sent by another process and SIGRTMAX are valgrind's: they do not reach minit's signal wait"

_vg_taken() { # SIG: under valgrind, one of VG_TAKEN_SIGNALS?
	local t
	((VALGRIND)) || return 1
	signum "$1"
	for t in "${VG_TAKEN_SIGNALS[@]}"; do [[ $SIGNUM == "$t" ]] && return 0; done
	return 1
}

# valgrind_skip_signals SIG...: skip the test under valgrind when it sends
# minit one of VG_TAKEN_SIGNALS
valgrind_skip_signals() {
	local s
	for s; do
		_vg_taken "$s" && skip "$VG_TAKEN_WHY ($s)"
	done
	return 0
}

# valgrind_drop_signals ARRAY: under valgrind, remove VG_TAKEN_SIGNALS from
# the array named ARRAY (signals a test sends minit)
valgrind_drop_signals() {
	((VALGRIND)) || return 0
	local -n _vg_arr=$1
	local s kept=()
	for s in "${_vg_arr[@]}"; do _vg_taken "$s" || kept+=("$s"); done
	_vg_arr=("${kept[@]}")
}

# valgrind_fd PID FD: FD of PID is valgrind's log (a child inherits it)
valgrind_fd() {
	((VALGRIND)) && [[ $2 == "$VG_FD" && /proc/$1/fd/$2 -ef $VG_LOG ]]
}

# valgrind_check: fail the test when valgrind reported an error (a block
# between VGERR-BEGIN and VGERR-END: a memory error, a definite or indirect
# leak), a non-zero ERROR SUMMARY, a system call it does not know (other
# than VG_UNHANDLED_OK), or a valgrind crash. Once per test, from its own
# teardown (not from sv_timed's and sv_both's subshells).
valgrind_check() {
	((VALGRIND)) && [[ $BASHPID == "${VG_TEST_PID:-}" && -f $VG_LOG ]] || return 0
	local line n=0 bad=() in_err=0 excerpt=() re_ok
	re_ok="unhandled [a-z0-9-]+ syscall: (${VG_UNHANDLED_OK// /|})\$"
	while IFS= read -r line; do
		if [[ $line == *VGERR-BEGIN ]]; then
			n=$((n + 1)) in_err=1
		elif [[ $line == *VGERR-END ]]; then
			in_err=0
		elif ((in_err)); then
			((${#excerpt[@]} < 80)) && excerpt+=("$line")
		elif [[ $line =~ ERROR\ SUMMARY:\ ([0-9]+)\ errors && ${BASH_REMATCH[1]} != 0 ]]; then
			bad+=("$line")
		elif [[ $line =~ unhandled\ [a-z0-9-]+\ syscall: && ! $line =~ $re_ok ]]; then
			bad+=("$line")
		elif [[ $line =~ impossible\ happened|Valgrind\'s\ memory\ management|VALGRIND\ INTERNAL\ ERROR ]]; then
			bad+=("$line")
		fi
	done <"$VG_LOG"
	((n == 0 && ${#bad[@]} == 0)) && return 0
	fail "valgrind: $n error report(s) and ${#bad[@]} other problem(s) in $VG_LOG:
$(printf '%s\n' "${excerpt[@]}")
$(printf '%s\n' "${bad[@]}" | sort -u | head -n 10)"
}
