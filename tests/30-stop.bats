#!/usr/bin/env bats
# Stop requests (issue 3): TERM, INT or QUIT to minit (or the --stop-on set)
# is forwarded after --rewrite, followed by CONT, and starts the ladder
# (--stop-ladder, default: the received signal then KILL) whose stages double
# and sum to --stop-timeout; the final KILL reaches every remaining process;
# a second request does not restart the ladder; a request during restart
# back-off ends minit at once; minit exits with the main child's status once
# the last process is reaped. Times come from sigrec's CLOCK_MONOTONIC stamps
# and pidfd exit watching, relative to the moment the stop signal was sent
# (SV_T0), within SV_TOL (50) ms.

load lib/minit

t_ladder_schedule() {
	local tk
	sv_open "$1" --stop-ladder QUIT,TERM,INT,KILL --stop-timeout 1400ms sigrec -o "$REC"
	sv_send QUIT "$MINIT_PID"
	# 4 rungs over 1400 ms: waits of t, 2t, 4t = 200, 400, 800
	sv_exit_time "$CHILD"
	tk=$SV_T
	sv_assert_rung QUIT 0 "$CHILD_NS"
	sv_assert_rung TERM 200 "$CHILD_NS"
	sv_assert_rung INT 600 "$CHILD_NS"
	sv_assert_at $((tk - SV_T0)) 1400 "KILL of the child (its death)"
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - tk)) 0 "$SV_TOL" "minit's exit after the child's"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: --stop-ladder QUIT,TERM,INT,KILL over 1400 ms: rungs at 0, 200, 600, KILL at 1400, each followed by CONT" {
	sv_timed t_ladder_schedule pid1
}
@test "subreaper: --stop-ladder QUIT,TERM,INT,KILL over 1400 ms: rungs at 0, 200, 600, KILL at 1400, each followed by CONT" {
	sv_timed t_ladder_schedule sub
}

# The issue's example, QUIT,TERM,KILL over 9 s (QUIT at 0, TERM at 3 s, KILL
# at 9 s), scaled to 900 ms: QUIT at 0, TERM at 300, KILL at 900.
t_three_rungs() {
	local tk
	sv_open "$1" --stop-ladder QUIT,TERM,KILL --stop-timeout 900ms sigrec -o "$REC"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$CHILD"
	tk=$SV_T
	sv_assert_rung QUIT 0 "$CHILD_NS"
	sv_assert_rung TERM 300 "$CHILD_NS"
	sv_assert_at $((tk - SV_T0)) 900 "KILL of the child (its death)"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: --stop-ladder QUIT,TERM,KILL over 900 ms: QUIT at 0, TERM at 300, KILL at 900" {
	sv_timed t_three_rungs pid1
}
@test "subreaper: --stop-ladder QUIT,TERM,KILL over 900 ms: QUIT at 0, TERM at 300, KILL at 900" {
	sv_timed t_three_rungs sub
}

t_default_ladder() {
	sv_open "$1" --stop-timeout 500ms sigrec -o "$REC"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$CHILD"
	sv_assert_at $((SV_T - SV_T0)) 500 "KILL of the child (its death)"
	sv_assert_rung TERM 0 "$CHILD_NS"
	sv_exit_time "$MINIT_PID"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: default ladder: the received TERM, then KILL at --stop-timeout" { sv_timed t_default_ladder pid1; }
@test "subreaper: default ladder: the received TERM, then KILL at --stop-timeout" { sv_timed t_default_ladder sub; }

t_rewritten_ladder() {
	sv_open "$1" --rewrite INT:QUIT --stop-timeout 500ms sigrec -o "$REC"
	sv_send INT "$MINIT_PID"
	sv_exit_time "$CHILD"
	sv_assert_at $((SV_T - SV_T0)) 500 "KILL of the child (its death)"
	sv_assert_rung QUIT 0 "$CHILD_NS"
	refute_sig INT "$REC" "$CHILD_NS"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: INT rewritten to QUIT is a stop request: QUIT (not INT) then KILL" { sv_timed t_rewritten_ladder pid1; }
@test "subreaper: INT rewritten to QUIT is a stop request: QUIT (not INT) then KILL" { sv_timed t_rewritten_ladder sub; }

t_stop_on() {
	sv_open "$1" --stop-on HUP --stop-timeout 300ms sigrec -o "$REC"
	# TERM is no longer a stop request: forwarded, and nothing else happens
	sv_send TERM "$MINIT_PID"
	assert_sig_from TERM "$MINIT_SELF" "$REC" "$CHILD_NS"
	sv_stays_alive "$CHILD" 600
	refute_sig CONT "$REC" "$CHILD_NS"
	sv_send HUP "$MINIT_PID"
	sv_exit_time "$CHILD"
	sv_assert_at $((SV_T - SV_T0)) 300 "KILL of the child (its death)"
	sv_assert_rung HUP 0 "$CHILD_NS"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: --stop-on HUP: TERM is only forwarded, HUP starts the ladder" { sv_timed t_stop_on pid1; }
@test "subreaper: --stop-on HUP: TERM is only forwarded, HUP starts the ladder" { sv_timed t_stop_on sub; }

# A TERM-ignoring child with 3 TERM-ignoring children (own sessions with -g):
# every one is gone by --stop-timeout.
t_tree_killed() {
	local mode=$1 g=${2:-} pids p sids
	start_supervised "$mode" --stop-timeout 600ms sigrec -o "$REC" -c 3 $g
	wait_ready "$REC" 4
	ready_pids
	pids=("${READY_HOST_PIDS[@]}")
	((${#pids[@]} == 4)) || fail "expected 4 sigrec processes, found ${#pids[@]}: ${pids[*]}"
	if [[ -n $g ]]; then
		sids=$(awk '$1 == "ready" { print $4 }' "$REC" | sort -u | wc -l)
		[[ $sids -eq 4 ]] || fail "the -g children should each have their own session: $(cat "$REC")"
	fi
	sv_watch "${pids[@]}" "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	for p in "${pids[@]}"; do
		sv_exit_time "$p"
		sv_assert_at $((SV_T - SV_T0)) 600 "death of pid $p (TERM-ignoring)"
	done
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 $((600 + SV_TOL)) "minit's exit"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: a TERM-ignoring child and its 3 TERM-ignoring children are all killed at --stop-timeout" {
	sv_timed t_tree_killed pid1
}
@test "subreaper: a TERM-ignoring child and its 3 TERM-ignoring children are all killed at --stop-timeout" {
	sv_timed t_tree_killed sub
}
@test "pid1: TERM-ignoring children in their own sessions (setsid) are killed at --stop-timeout too" {
	sv_timed t_tree_killed pid1 -g
}
@test "subreaper: TERM-ignoring children in their own sessions (setsid) are killed at --stop-timeout too" {
	sv_timed t_tree_killed sub -g
}

# The child exits at once on TERM: minit must follow within SV_GRACE_TOL ms.
t_graceful_fast() {
	local tc
	sv_open "$1" sigrec -o "$REC" -x TERM:0
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$CHILD"
	tc=$SV_T
	sv_exit_time "$MINIT_PID"
	sv_assert_span $((tc - SV_T0)) 0 "$SV_TOL" "the child's exit after TERM"
	sv_assert_exit $((SV_T - tc)) 0 "$SV_GRACE_TOL" "time minit added to the child's own exit"
	wait_minit
	assert_exit 0 "the child's clean exit"
}
@test "pid1: a child exiting 0 on TERM: minit exits 0 within 10 ms of it" { sv_timed t_graceful_fast pid1; }
@test "subreaper: a child exiting 0 on TERM: minit exits 0 within 10 ms of it" { sv_timed t_graceful_fast sub; }

worker_reading() { # a worker of prefork master $1 accepted and waits for the request line
	local w c
	descendants "$1"
	for w in "${DESC[@]}"; do
		c=
		read -r c <"/proc/$w/wchan" 2>/dev/null
		[[ $c == wait_woken ]] && return 0
	done
	return 1
}

# prefork-server stops gracefully on QUIT while a request is open: the test
# holds the request line back until the server is stopping, so the shutdown
# lasts as long as the test decides.
t_graceful_prefork() {
	local port master tc fd reply
	port=$(free_port)
	start_supervised "$1" prefork-server -w 2 -l "127.0.0.1:$port" -o "$T/prefork.log"
	wait_ready "$OUT"
	main_child && master=$MAIN_CHILD
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	wait_for -m "a worker to accept the connection" worker_reading "$master"
	sv_watch "$master" "$MINIT_PID"
	sv_send QUIT "$MINIT_PID"
	wait_lines "$T/prefork.log" 'graceful stop'
	is_alive "$master" || fail "the server did not wait for its open request"
	printf 'ping\n' >&"$fd"
	read -r -t 5 reply <&"$fd" || true
	exec {fd}>&-
	[[ $reply == pong* ]] || fail "the open request got '$reply', expected pong"
	sv_exit_time "$master"
	tc=$SV_T
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - tc)) 0 "$SV_GRACE_TOL" "time minit added to the server's own shutdown"
	wait_minit
	assert_exit 0 "the server's clean exit"
	count_log warning KILL
	[[ $NLINES -eq 0 ]] || fail "KILL was used on a graceful stop: $stderr"
}
@test "pid1: graceful QUIT of a preforking server with an open request: minit exits 0 within 10 ms of the master" {
	sv_timed t_graceful_prefork pid1
}
@test "subreaper: graceful QUIT of a preforking server with an open request: minit exits 0 within 10 ms of the master" {
	sv_timed t_graceful_prefork sub
}

# The main child exits at once on TERM, its TERM-ignoring child stays: it is
# killed at --stop-timeout (not after the longer --leftover-grace), and minit
# exits with the main child's 0.
t_graceful_leftover() {
	local main left
	start_supervised "$1" --stop-timeout 600ms --leftover-grace 5s \
		sh -c 'sigrec -o "$1" & exec sigrec -o "$1" -x TERM:0' sh "$REC"
	wait_ready "$REC" 2
	main_child && main=$MAIN_CHILD
	descendants "$main"
	left=${DESC[0]:-}
	[[ -n $left ]] || fail "the background sigrec is not a child of the main child"
	sv_watch "$main" "$left" "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$main"
	sv_assert_span $((SV_T - SV_T0)) 0 "$SV_TOL" "the main child's exit"
	sv_exit_time "$left"
	sv_assert_at $((SV_T - SV_T0)) 600 "KILL of the TERM-ignoring leftover"
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 $((600 + SV_TOL)) "minit's exit"
	wait_minit
	assert_exit 0 "the main child's clean exit"
}
@test "pid1: after a clean stop, a TERM-ignoring leftover is killed by --stop-timeout; minit exits 0" {
	sv_timed t_graceful_leftover pid1
}
@test "subreaper: after a clean stop, a TERM-ignoring leftover is killed by --stop-timeout; minit exits 0" {
	sv_timed t_graceful_leftover sub
}

# A stopped (SIGSTOP) child is woken by the CONT after the stop signal.
t_stopped_child() {
	sv_open "$1" sigrec -o "$REC" -x TERM:0
	kill -STOP "$CHILD"
	wait_for -m "the child to be stopped" is_stopped "$CHILD"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$CHILD"
	sv_assert_span $((SV_T - SV_T0)) 0 "$SV_TOL" "the stopped child's exit after TERM+CONT"
	wait_minit
	assert_exit 0 "the child's clean exit"
}
@test "pid1: a stopped child is continued after the stop signal and exits cleanly" { sv_timed t_stopped_child pid1; }
@test "subreaper: a stopped child is continued after the stop signal and exits cleanly" { sv_timed t_stopped_child sub; }

t_second_request() {
	local t0 tk
	sv_open "$1" --stop-ladder TERM,INT,QUIT,KILL --stop-timeout 1400ms sigrec -o "$REC"
	sv_send TERM "$MINIT_PID"
	t0=$SV_T0
	wait_sig INT "$REC" "$CHILD_NS" "$MINIT_SELF"
	# a second request between rungs: the schedule must stay anchored at t0
	sv_send TERM "$MINIT_PID"
	mark_via_minit # minit has read the second TERM (lower signals are read first)
	sv_exit_time "$CHILD"
	tk=$SV_T
	SV_T0=$t0
	sv_assert_rung INT 200 "$CHILD_NS"
	sv_assert_rung QUIT 600 "$CHILD_NS"
	sv_assert_at $((tk - t0)) 1400 "KILL of the child (its death)"
	sig_count TERM "$REC" "$CHILD_NS" "$MINIT_SELF"
	sv_assert_at $((SIG_T - t0)) 0 "the first TERM"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: a second stop request while stopping does not restart the ladder" { sv_timed t_second_request pid1; }
@test "subreaper: a second stop request while stopping does not restart the ladder" { sv_timed t_second_request sub; }

t_stop_in_backoff() {
	start_minit "$1" --restart on-crash --backoff-min 5s crash SEGV -o "$T/starts"
	wait_log warning 'restart 1 of'
	sv_watch "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 "$SV_TOL" "minit's exit after TERM during back-off"
	wait_minit
	count_lines "$T/starts" '^[[:space:]]*start([[:space:]]|$)'
	[[ $NLINES -eq 1 ]] || fail "restarted after the stop: $(cat "$T/starts")"
	assert_exit 139 "the last status, SEGV"
}
@test "pid1: a stop request during restart back-off ends minit at once with the last status" {
	sv_timed t_stop_in_backoff pid1
}
@test "subreaper: a stop request during restart back-off ends minit at once with the last status" {
	sv_timed t_stop_in_backoff sub
}
