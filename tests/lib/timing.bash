# Timing of the supervision tests (tests/30-35: stop ladder, leftovers,
# restart, pid-file handoff) (part of lib/minit). Every timestamp (sigrec,
# crash -o, svtool) is CLOCK_MONOTONIC in ms with 3 decimals; the helpers
# turn them into integer microseconds and compute in bash. svtool
# (tests/helpers/svtool.c) gives the clock, a signal sender that says when
# it sent, and a pidfd exit watcher (the exit time of any process, not only
# our children).
#
# Knobs:
#   SV_TOL        ms a ladder rung, a KILL or an exit may be off its schedule
#                 (default 50, the issue's bound)
#   SV_GRACE_TOL  ms minit may add to a graceful child's own shutdown
#                 (default 10, the issue's bound)
#   SV_TRIES      attempts of a timing test whose only failure is a missed
#                 bound (default 3; 1 makes every miss fail at once)
#   SV_EXIT_SLACK ms added to the upper bounds on minit's own exit time
#                 (default 0, 500 for an ASan build or under valgrind: see below)
#
# Under valgrind (VALGRIND=1) SV_TOL and SV_GRACE_TOL default to 200 ms:
# minit runs 20-50 times slower there, and the first run of a code path
# (the KILL rung, a /proc scan) waits for valgrind to translate it, so on a
# busy machine minit acts 50-150 ms late. That stage checks memory, not
# timing: the bats and asan stages hold minit to the issue's bounds.
if ((VALGRIND)); then
	SV_TOL=${SV_TOL:-200}
	SV_GRACE_TOL=${SV_GRACE_TOL:-200}
fi
SV_TOL=${SV_TOL:-50}
SV_GRACE_TOL=${SV_GRACE_TOL:-10}
SV_TRIES=${SV_TRIES:-3}
# An ASan build runs LeakSanitizer when it exits: its scan of the heap takes
# 50-300 ms (more on a busy machine) between minit's last reap and its death.
# Only the upper bounds on minit's own exit time get this allowance
# (sv_assert_exit); signals minit sends are held to SV_TOL. valgrind's exit
# (leak check, final report) takes about as long.
if [[ -z ${SV_EXIT_SLACK:-} ]]; then
	SV_EXIT_SLACK=0
	((ASAN_BUILD || VALGRIND)) && SV_EXIT_SLACK=500
fi
SVTOOL=$TEST_HELPERS/svtool
SV_TIMING_RC=86

# ms_to_us TEXT: US = TEXT ("1234.567" ms) in microseconds
ms_to_us() {
	local i=${1%%.*} f=000
	[[ $1 == *.* ]] && f=${1#*.}000
	US=$((10#$i * 1000 + 10#${f:0:3}))
}

# fmt_ms US: FMT = US as "123.4" ms (for messages)
fmt_ms() {
	local v=$1 sign=
	((v < 0)) && sign=- v=$((-v))
	FMT=$sign$((v / 1000)).$(((v % 1000) / 100))
}

# sv_send SIG PID: send SIG to PID; SV_T0 = when it was sent (us)
sv_send() {
	local t US
	signum "$1"
	t=$("$SVTOOL" kill "$SIGNUM" "$2") || fail "could not send SIG$1 to pid $2"
	ms_to_us "$t"
	SV_T0=$US
}

# ---------------------------------------------------------------------------
# timing assertions

# sv_assert_span US LO_MS HI_MS WHAT: LO <= US/1000 <= HI (integers in ms).
# Inside sv_timed, a miss before the last attempt ends the attempt with
# SV_TIMING_RC so that it is run again.
sv_assert_span() {
	if (($1 < $2 * 1000 || $1 > $3 * 1000)); then
		fmt_ms "$1"
		if [[ -n ${SV_ATTEMPT:-} ]] && ((SV_ATTEMPT < SV_TRIES)); then
			printf '# attempt %d of %d: %s: %s ms is outside [%s, %s] ms (retrying)\n' \
				"$SV_ATTEMPT" "$SV_TRIES" "$4" "$FMT" "$2" "$3" >&3
			exit "$SV_TIMING_RC"
		fi
		fail "$4: $FMT ms is outside [$2, $3] ms$(diag_tail)"
	fi
}

# sv_assert_exit US LO_MS HI_MS WHAT: sv_assert_span for minit's own exit
# time: HI is raised by SV_EXIT_SLACK (an ASan build's leak check, valgrind)
sv_assert_exit() {
	local what=$4
	((SV_EXIT_SLACK == 0)) || what+=" (with a $SV_EXIT_SLACK ms ASan/valgrind exit allowance)"
	sv_assert_span "$1" "$2" $(($3 + SV_EXIT_SLACK)) "$what"
}

# sv_assert_at US EXPECTED_MS WHAT: within SV_TOL ms of EXPECTED
sv_assert_at() {
	sv_assert_span "$1" $(($2 - SV_TOL)) $(($2 + SV_TOL)) "$3"
}

# sv_assert_rung SIG OFFSET_MS NSPID: SIG came from minit exactly once, at
# SV_T0 + OFFSET (+-SV_TOL), and a CONT from minit followed within SV_TOL
sv_assert_rung() {
	local t
	wait_sig "$1" "$REC" "$3" "$MINIT_SELF"
	t=$SIG_T
	((COUNT == 1)) || fail "SIG$1 sent $COUNT times by minit, expected once:
$(cat "$REC")"
	sv_assert_at $((t - SV_T0)) "$2" "SIG$1 (rung at +$2 ms)"
	wait_sig CONT "$REC" "$3" "$MINIT_SELF" "$t"
	sv_assert_span $((SIG_T - t)) 0 "$SV_TOL" "SIGCONT after SIG$1"
}

# sv_stays_alive PID MS: PID must stay alive for MS ms (a bounded
# observation of something that must NOT happen, not a synchronisation)
sv_stays_alive() {
	local end=$((${EPOCHREALTIME/./} + $2 * 1000))
	while ((${EPOCHREALTIME/./} < end)); do
		is_alive "$1" || fail "pid $1 ended within $2 ms$(diag_tail)"
		nap
	done
}

# ---------------------------------------------------------------------------
# running a timing test

# sv_timed FUNC ARGS...: run a test body with timing bounds up to SV_TRIES
# times. Timing is measured against the wall of a shared, often busy machine:
# a late wake-up of minit or of a probe is noise, a wrong schedule is not.
# So only a missed timing bound (sv_assert_span) is retried, after the
# attempt's processes were killed (its own teardown) and its files removed
# (dot files stay: valgrind's log); any other failure fails at once, and the
# last attempt fails as usual. Every retry is reported as a TAP comment.
sv_timed() {
	local i rc
	for ((i = 1; i <= SV_TRIES; i++)); do
		if ((i > 1)); then
			find "$T" -mindepth 1 -maxdepth 1 ! -name '.*' -exec rm -rf {} +
		fi
		rc=0
		(
			trap teardown EXIT
			SV_ATTEMPT=$i
			"$@"
		) &
		wait "$!" || rc=$?
		((rc == SV_TIMING_RC)) || return "$rc"
	done
	return 1
}

# sv_both FUNC ARGS...: run `FUNC pid1 ARGS` and `FUNC sub ARGS` side by side,
# each in a subshell with its own directory ($T/pid1, $T/sub), clean-up tag
# and teardown, for bodies that mostly wait (a 10 s run): both modes, half
# the time.
sv_both() {
	local mode pids=() rc=0 p
	for mode in pid1 sub; do
		mkdir -p "$T/$mode"
		(
			T=$T/$mode
			# its own tag too: teardown kills whatever carries the tag, and
			# the half that ends first must not kill the other's minit
			TAG="minit-bats:$T"
			OUT=$T/minit.out ERR=$T/minit.err REC=$T/rec.log
			trap teardown EXIT
			"$1" "$mode" "${@:2}"
		) 2>"$T/$mode.diag" &
		pids+=("$!")
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	if ((rc)); then
		for mode in pid1 sub; do
			[[ -s $T/$mode.diag ]] && printf -- '--- %s:\n%s\n' "$mode" "$(cat "$T/$mode.diag")" >&2
		done
	fi
	return "$rc"
}

# ---------------------------------------------------------------------------
# exit watching (pidfd: any pid, also grandchildren and minit itself)

SV_WATCH=
SV_NWATCH=0

# sv_watch PID...: start a watcher for these (host) pids; returns once every
# pidfd is open. Exit times land in $SV_WATCH ("exit PID TIME_MS").
sv_watch() {
	SV_WATCH=$T/watch.log
	"$SVTOOL" watch "$SV_WATCH" "$@" &
	BG_PIDS+=("$!")
	SV_NWATCH=$((SV_NWATCH + 1))
	wait_for -m "the exit watcher to start" has_lines "$SV_WATCH" '^watching ' "$SV_NWATCH"
}

# _sv_exited PID: SV_T = its exit time (us) if the watcher saw it end
_sv_exited() {
	local w p t US
	SV_T=
	[[ -f $SV_WATCH ]] || return 1
	while read -r w p t; do
		if [[ ($w == exit || $w == gone) && $p == "$1" ]]; then
			ms_to_us "$t"
			SV_T=$US
			return 0
		fi
	done <"$SV_WATCH"
	return 1
}

# sv_exit_time PID [TIMEOUT]: wait until the watcher saw PID end; SV_T = when
sv_exit_time() {
	wait_for -t "${2:-10}" -m "pid $1 to exit (watched)" _sv_exited "$1"
}

# sv_open [-n N] MODE MINIT_ARGS...: the opening of most supervision tests.
# start_supervised MODE MINIT_ARGS (a sigrec child recording to $REC), wait
# for N ready lines (default 1), find the main child, and watch minit and
# every process below it with one watcher (exit times that a test compares
# must come from one watcher: two are two processes, scheduled apart). Sets
# CHILD (the main child's host pid) and CHILD_NS (its pid in minit's
# namespace, from the last ready line: the main sigrec writes its own after
# its -c children's).
sv_open() {
	local n=1 MAIN_CHILD READY_PID READY_PGID READY_SID DESC
	if [[ $1 == -n ]]; then
		n=$2
		shift 2
	fi
	start_supervised "$@"
	wait_ready "$REC" "$n"
	main_child || fail "minit has no child$(diag_tail)"
	last_ready || fail "no ready line in $REC"
	CHILD=$MAIN_CHILD CHILD_NS=$READY_PID
	descendants "$MINIT_PID"
	sv_watch "${DESC[@]}" "$MINIT_PID"
}
