#!/usr/bin/env bats
# Idle means zero wakeups: with nothing happening, minit's
# voluntary_ctxt_switches in /proc/PID/status do not change over a 2 s window.
# (This is the one place where the suite sleeps for a measured window.)

load lib/minit

IDLE_WINDOW=${IDLE_WINDOW:-2}

ctxt() { # PID -> "voluntary nonvoluntary"
	echo "$(status_field "$1" voluntary_ctxt_switches) $(status_field "$1" nonvoluntary_ctxt_switches)"
}

assert_idle() {
	wait_for -m "minit asleep" eval 'pstate $MINIT_PID; [[ $PSTATE == S ]]'
	local before after
	before=$(ctxt "$MINIT_PID")
	sleep "$IDLE_WINDOW"
	after=$(ctxt "$MINIT_PID")
	is_alive "$MINIT_PID" || fail "minit died during the idle window"
	[[ ${before%% *} == "${after%% *}" ]] ||
		fail "minit woke up while idle: voluntary_ctxt_switches ${before%% *} -> ${after%% *} in ${IDLE_WINDOW}s"
}

t_idle_child() {
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	assert_idle
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: idle with a running child: zero wakeups in 2 s" { t_idle_child pid1; }
@test "subreaper: idle with a running child: zero wakeups in 2 s" { t_idle_child sub; }

t_idle_pause() {
	start_minit "$1" --pause
	assert_idle
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: idle in --pause: zero wakeups in 2 s" { t_idle_pause pid1; }
@test "subreaper: idle in --pause: zero wakeups in 2 s" { t_idle_pause sub; }

# after activity (forwarded signals, reaped orphans, log lines that fail to
# be written) minit goes back to sleeping without wakeups
t_idle_after_activity() { # MODE STDERR_MODE
	STDERR_MODE=$2
	EXTRA_ENV=(REC="$REC")
	start_minit "$1" -vvv -w sh -c 'orphans 20 >/dev/null; exec sigrec -o "$REC" -x TERM:0'
	wait_ready
	local s
	for s in USR1 USR2 HUP WINCH; do kill -s "$s" "$MINIT_PID"; done
	assert_sigs_from "$MINIT_SELF" USR1 USR2 HUP WINCH
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
	assert_idle
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: idle again after signals and orphans, stderr a broken pipe: zero wakeups" { t_idle_after_activity pid1 brokenpipe; }
@test "subreaper: idle again after signals and orphans, stderr a broken pipe: zero wakeups" { t_idle_after_activity sub brokenpipe; }
@test "pid1: idle again after signals and orphans, stderr closed: zero wakeups" { t_idle_after_activity pid1 closed; }
@test "subreaper: idle again after signals and orphans, stderr closed: zero wakeups" { t_idle_after_activity sub closed; }
