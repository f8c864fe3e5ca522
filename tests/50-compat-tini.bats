#!/usr/bin/env bats
# minit installed as tini (or docker-init) does what tini does, wherever a
# user could tell. Every case runs against Debian's /usr/bin/tini and
# against minit named tini, as PID 1 and not: a case that passes for both
# encodes tini's behaviour, not our reading of it. Where minit deliberately
# differs (README.md, "Program name decides the defaults"), there is no case
# here: SEGV and the other fault signals, 32 and 33 are forwarded rather
# than killing tini; ignored signals and the caller's mask are reset for the
# child (an ignored SIGCHLD hangs tini); as PID 1 leftovers get TERM and
# the leftover grace before the kernel's KILL.

load lib/minit

# ---------------------------------------------------------------------------
# exit codes

t_exit_codes() {
	init_prog tini
	local n
	for n in 0 1 2 127 255; do
		run_init "$1" -- sh -c "exit $n"
		assert_exit "$n" "the child's exit $n"
	done
	run_init "$1" -- sh -c 'kill -s TERM $$'
	assert_exit 143 "128 + TERM"
	run_init "$1" -- sh -c 'kill -s KILL $$'
	assert_exit 137 "128 + KILL"
	run_init "$1" -- sh -c 'kill -s USR1 $$'
	assert_exit 138 "128 + USR1"
	run_init "$1" -- crash SEGV
	assert_exit 139 "128 + SEGV"
}
@test "tini pid1: the child's exit code, 128+N for signal N" { IMPL=peer t_exit_codes pid1; }
@test "minit as tini pid1: the child's exit code, 128+N for signal N" { IMPL=minit t_exit_codes pid1; }
@test "tini not pid1: the child's exit code, 128+N for signal N" { IMPL=peer t_exit_codes sub; }
@test "minit as tini not pid1: the child's exit code, 128+N for signal N" { IMPL=minit t_exit_codes sub; }

t_remap() {
	init_prog tini
	run_init "$1" -e 3 -- sh -c 'exit 3'
	assert_exit 0 "-e 3"
	run_init "$1" -e 143 -- sh -c 'kill -s TERM $$'
	assert_exit 0 "-e 143"
	run_init "$1" -e 1 -- sh -c 'exit 2'
	assert_exit 2 "-e 1 leaves 2 alone"
}
@test "tini pid1: -e CODE turns that exit code into 0" { IMPL=peer t_remap pid1; }
@test "minit as tini pid1: -e CODE turns that exit code into 0" { IMPL=minit t_remap pid1; }
@test "tini not pid1: -e CODE turns that exit code into 0" { IMPL=peer t_remap sub; }
@test "minit as tini not pid1: -e CODE turns that exit code into 0" { IMPL=minit t_remap sub; }

# exec failures: 127 not found, 126 not executable, 1 for the rest; a file
# without #! runs with /bin/sh (tini's execvp is glibc's)
t_exec_failures() {
	init_prog tini
	run_init "$1" -- /nonexistent
	assert_exit 127 "/nonexistent"
	run_init "$1" -- no-such-command-anywhere
	assert_exit 127 "a name not on PATH"
	run_init "$1" -- ''
	assert_exit 127 "an empty name"
	run_init "$1" -- /etc/passwd
	assert_exit 126 "a file without x"
	run_init "$1" -- /tmp
	assert_exit 126 "a directory"
	run_init "$1" -- "$(printf 'a%.0s' {1..5000})"
	assert_exit 1 "a name too long"
	printf 'exit 7\n' >"$T/noshebang"
	chmod +x "$T/noshebang"
	run_init "$1" -- "$T/noshebang"
	assert_exit 7 "a script without #!, run by /bin/sh"
}
@test "tini pid1: exec failures exit 127, 126 or 1; a script without #! runs with sh" { IMPL=peer t_exec_failures pid1; }
@test "minit as tini pid1: exec failures exit 127, 126 or 1; a script without #! runs with sh" { IMPL=minit t_exec_failures pid1; }
@test "tini not pid1: exec failures exit 127, 126 or 1; a script without #! runs with sh" { IMPL=peer t_exec_failures sub; }
@test "minit as tini not pid1: exec failures exit 127, 126 or 1; a script without #! runs with sh" { IMPL=minit t_exec_failures sub; }

# ---------------------------------------------------------------------------
# signals

# Each signal reaches the child once, from tini: stop requests too (TERM,
# INT, QUIT), with no CONT after them.
FORWARDED=(HUP INT QUIT USR1 TERM ALRM WINCH URG PWR TSTP RTMIN RTMIN+1 RTMAX-1)
t_forward() {
	init_prog tini
	start_init "$1" -- sigrec -o "$REC" -x USR2:0
	wait_ready
	forwards_each "${FORWARDED[@]}"
	pstate "$MINIT_PID"
	[[ $PSTATE == S ]] || fail "the init is in state $PSTATE after TSTP (tini never stops itself)"
	kill -USR2 "$MINIT_PID"
	wait_minit
	assert_exit 0 "the child's exit on USR2"
}
@test "tini pid1: signals reach the child once each, no CONT added, TSTP too" { IMPL=peer t_forward pid1; }
@test "minit as tini pid1: signals reach the child once each, no CONT added, TSTP too" { IMPL=minit t_forward pid1; }
@test "tini not pid1: signals reach the child once each, no CONT added, TSTP too" { IMPL=peer t_forward sub; }
@test "minit as tini not pid1: signals reach the child once each, no CONT added, TSTP too" { IMPL=minit t_forward sub; }

# A stop request is forwarded and nothing else: tini never sends KILL, the
# orchestrator's own timeout decides (past minit's own 9 s).
t_no_escalation() {
	init_prog tini
	sv_both compat_no_escalation --
}
@test "tini: a TERM-ignoring child still runs 9.6 s after TERM, pid1 and not" { IMPL=peer t_no_escalation; }
@test "minit as tini: a TERM-ignoring child still runs 9.6 s after TERM, pid1 and not" { IMPL=minit t_no_escalation; }

# -g (and TINI_KILL_PROCESS_GROUP, any value): the child's whole group
t_group() {
	init_prog tini
	local gsh='trap "" USR1; sigrec -o "$REC" & sigrec -o "$REC" -x USR2:0 & wait' # sh itself ignores USR1
	EXTRA_ENV=(REC="$REC")
	start_init "$1" -g -- sh -c "$gsh"
	wait_ready "$REC" 2
	kill -USR1 "$MINIT_PID"
	wait_for -m "USR1 in both of the group's sigrecs" eval 'sig_count USR1; ((COUNT == 2))'
	EXTRA_ENV=(REC="$REC.2" TINI_KILL_PROCESS_GROUP=0)
	REC=$REC.2 start_init "$1" -- sh -c "$gsh"
	wait_ready "$REC.2" 2
	kill -USR1 "$MINIT_PID"
	wait_for -m "USR1 in both sigrecs (TINI_KILL_PROCESS_GROUP=0)" eval 'sig_count USR1 "$REC.2"; ((COUNT == 2))'
}
@test "tini pid1: -g and TINI_KILL_PROCESS_GROUP=0 signal the child's process group" { IMPL=peer t_group pid1; }
@test "minit as tini pid1: -g and TINI_KILL_PROCESS_GROUP=0 signal the child's process group" { IMPL=minit t_group pid1; }
@test "tini not pid1: -g and TINI_KILL_PROCESS_GROUP=0 signal the child's process group" { IMPL=peer t_group sub; }
@test "minit as tini not pid1: -g and TINI_KILL_PROCESS_GROUP=0 signal the child's process group" { IMPL=minit t_group sub; }

# -p SIG: the init gets SIG when its parent dies, and passes it on
t_pdeathsig() {
	init_prog tini
	# the init is a child of a shell (the test kills it), not its exec
	start_init_via sub sh -c '"$@" & echo $! >"$0"; wait' "$T/init.pid" -- -p SIGUSR1 -- sigrec -o "$REC"
	wait_ready
	kill -KILL "$LAUNCH_PID"
	assert_sig_from USR1 "$MINIT_PID"
}
@test "tini not pid1: -p SIGUSR1: the parent's death reaches the child as USR1" { IMPL=peer t_pdeathsig; }
@test "minit as tini not pid1: -p SIGUSR1: the parent's death reaches the child as USR1" { IMPL=minit t_pdeathsig; }

# ---------------------------------------------------------------------------
# the child's exit

# Not PID 1 (with -s): tini exits at once with the child's status and leaves
# the rest alone, unsignalled (compat_leave_one).
t_leftover_sub() {
	init_prog tini
	compat_leave_one sub none -s --
}
@test "tini not pid1: the child exits 5: exit 5 at once, the leftover untouched" { IMPL=peer t_leftover_sub; }
@test "minit as tini not pid1: the child exits 5: exit 5 at once, the leftover untouched" { IMPL=minit t_leftover_sub; }

# As PID 1: the init exits with the child's status and nothing is left.
t_leftover_pid1() {
	init_prog tini
	compat_leave_one pid1 gone --
}
@test "tini pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=peer t_leftover_pid1; }
@test "minit as tini pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=minit t_leftover_pid1; }

# -s and TINI_SUBREAPER (any value, even 0): orphans come to the init; -w
# warns for each orphan reaped; none is left a zombie
t_reaping() {
	init_prog tini
	EXTRA_ENV=(TINI_SUBREAPER=0)
	start_init sub -w -- sh -c 'orphans 20 >/dev/null; exec sleep 30'
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
	wait_for -m "a warning per reaped orphan" eval '(($(grep -ci "reaped zombie process" "$ERR") >= 20))'
}
@test "tini not pid1: TINI_SUBREAPER=0 makes it a subreaper; -w warns for each orphan reaped" { IMPL=peer t_reaping; }
@test "minit as tini not pid1: TINI_SUBREAPER=0 makes it a subreaper; -w warns for each orphan reaped" { IMPL=minit t_reaping; }

# ---------------------------------------------------------------------------
# process state

# tini keeps its working directory; the child starts there
t_cwd() {
	init_prog tini
	mkdir -p "$T/work"
	run_init_via sub sh -c 'cd "$0" && exec "$@"' "$T/work" -- -- sh -c 'readlink /proc/$PPID/cwd; pwd'
	assert_exit 0 "the child's"
	[[ $output == "$T/work"$'\n'"$T/work" ]] || fail "init's and child's directories: $output"
}
@test "tini not pid1: the init and the child stay in the start directory" { IMPL=peer t_cwd; }
@test "minit as tini not pid1: the init and the child stay in the start directory" { IMPL=minit t_cwd; }

# own process group, the init's session; on a terminal, the foreground group
t_pgrp_tty() {
	init_prog tini
	# the init a child of the terminal's shell (the child is sh)
	init_on_tty --
	local c=("${TTY_CHILD[@]}") i=("${TTY_INIT[@]}") cpid=$TTY_PID
	[[ ${c[2]} == "$cpid" ]] || fail "the child's group is ${c[2]}, not its own ($cpid)"
	[[ ${c[3]} == "${i[3]}" ]] || fail "the child's session ${c[3]} is not the init's ${i[3]}"
	[[ ${c[5]} == "$cpid" ]] || fail "the terminal's foreground group is ${c[5]}, not the child's $cpid"
}
@test "tini not pid1: the child leads its own group in tini's session, in the terminal's foreground" { IMPL=peer t_pgrp_tty; }
@test "minit as tini not pid1: the child leads its own group in tini's session, in the terminal's foreground" { IMPL=minit t_pgrp_tty; }

t_notify_passthrough() {
	init_prog tini
	notify_passthrough "$1" --
}
@test "tini pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=peer t_notify_passthrough pid1; }
@test "minit as tini pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=minit t_notify_passthrough pid1; }
@test "tini not pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=peer t_notify_passthrough sub; }
@test "minit as tini not pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=minit t_notify_passthrough sub; }

# ---------------------------------------------------------------------------
# command line

t_cli() {
	init_prog tini
	run_init sub --version
	assert_exit 0 "--version"
	[[ $output == "tini version "* ]] || fail "--version printed: $output"
	run_init sub -h
	assert_exit 0 "-h"
	run_init sub -l
	assert_exit 0 "-l"
	[[ $output == *MIT* ]] || fail "-l printed no licence: $output"
	run_init sub
	assert_exit 1 "no command"
	run_init sub -z -- true
	assert_exit 1 "an unknown option"
	run_init sub -e 256 -- true
	assert_exit 1 "-e 256"
	run_init sub -e abc -- true
	assert_exit 1 "-e abc"
}
@test "tini: --version, -h, -l exit 0; no command, unknown options and bad values exit 1" { IMPL=peer t_cli; }
@test "minit as tini: --version, -h, -l exit 0; no command, unknown options and bad values exit 1" { IMPL=minit t_cli; }
