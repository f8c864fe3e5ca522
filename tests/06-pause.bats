#!/usr/bin/env bats
# Pause mode: `minit --pause` runs no command, sleeps, reaps, and exits 0 on
# TERM or INT; other signals do not end it.

load lib/minit

t_pause_exit_on() { # MODE SIG [ARGS...]
	local mode=$1 sig=$2
	shift 2
	start_minit "$mode" "$@"
	kill -s "$sig" "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "--pause should exit 0 on $sig, got $status; stderr: $stderr"
}
@test "pid1: --pause exits 0 on TERM" { t_pause_exit_on pid1 TERM --pause; }
@test "subreaper: --pause exits 0 on TERM" { t_pause_exit_on sub TERM --pause; }
@test "pid1: --pause exits 0 on INT" { t_pause_exit_on pid1 INT --pause; }
@test "subreaper: --pause exits 0 on INT" { t_pause_exit_on sub INT --pause; }
@test "pid1: MINIT_PAUSE=1 pauses and exits 0 on TERM" { EXTRA_ENV=(MINIT_PAUSE=1); t_pause_exit_on pid1 TERM; }
@test "subreaper: MINIT_PAUSE=1 pauses and exits 0 on TERM" { EXTRA_ENV=(MINIT_PAUSE=1); t_pause_exit_on sub TERM; }

t_pause_survives_others() {
	start_minit "$1" --pause
	local s sigs=(HUP USR1 USR2 WINCH ALRM PIPE SEGV)
	valgrind_drop_signals sigs # under valgrind: not SEGV (lib/valgrind.bash)
	for s in "${sigs[@]}"; do
		kill -s "$s" "$MINIT_PID"
		wait_consumed "$MINIT_PID" "${SIGNUM_OF[$s]}"
	done
	kill -n 40 "$MINIT_PID"
	wait_consumed "$MINIT_PID" 40
	is_alive "$MINIT_PID" || fail "--pause ended on a signal other than TERM/INT: $(cat "$ERR")"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: --pause keeps running on HUP USR1 USR2 WINCH ALRM PIPE SEGV and RT signals" { t_pause_survives_others pid1; }
@test "subreaper: --pause keeps running on HUP USR1 USR2 WINCH ALRM PIPE SEGV and RT signals" { t_pause_survives_others sub; }

t_pause_no_children() {
	start_minit "$1" --pause
	[[ -z $(children_of "$MINIT_PID") ]] || fail "--pause must not start a child: $(ps_tree "$MINIT_PID")"
	kill -TERM "$MINIT_PID"
	wait_minit
}
@test "pid1: --pause runs no child" { t_pause_no_children pid1; }
@test "subreaper: --pause runs no child" { t_pause_no_children sub; }

# as PID 1 of a namespace, orphans made by processes joining it are reaped
# (not applicable as a subreaper: a paused minit has no descendants)
@test "pid1: --pause reaps orphans in its PID namespace" {
	start_minit pid1 --pause -w
	(
		close_fds
		exec env MINITTEST_TAG="$TAG" nsenter -t "$MINIT_PID" -p orphans 50 >"$T/orphans.out" 2>&1
	) || fail "orphans in the namespace failed: $(cat "$T/orphans.out")"
	wait_for -m "50 reap warnings" -d "count_zombies_of $MINIT_PID" \
		has_lines "$ERR" '^minit: warning: ' 50
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
	kill -INT "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
	count_log warning
	((NLINES == 50)) || fail "want 50 reap warnings: $stderr"
}

t_pause_with_command() {
	run_minit "$1" --pause true
	[[ $status -eq 1 ]] || fail "--pause with a command should be a usage error (1), got $status"
}
@test "pid1: --pause with a command is a usage error" { t_pause_with_command pid1; }
@test "subreaper: --pause with a command is a usage error" { t_pause_with_command sub; }
