#!/usr/bin/env bats
# minit installed as dumb-init does what dumb-init does, wherever a user
# could tell. Every case runs against Debian's /usr/bin/dumb-init and
# against minit named dumb-init, as PID 1 and not, in dumb-init's default
# setsid mode and with -c: a case that passes for both encodes dumb-init's
# behaviour. Where minit deliberately differs (README.md, "Program name
# decides the defaults") there is no case here: -r takes real-time signals
# too, minit is a subreaper when not PID 1, and as PID 1 leftovers get TERM
# and the leftover grace before the kernel's KILL.

load lib/minit

# pgrp_sid PID: PGRP, SID = its process group and session (stat fields 5, 6)
pgrp_sid() {
	local STAT
	stat_field "$1" 5 || fail "pid $1 is gone"
	PGRP=$STAT
	stat_field "$1" 6 || fail "pid $1 is gone"
	SID=$STAT
}

# ---------------------------------------------------------------------------
# exit codes

t_exit_codes() {
	init_prog dumb-init
	local n
	for n in 0 1 2 32 127 255; do
		run_init "$1" "${@:2}" sh -c "exit $n"
		assert_exit "$n" "the child's exit $n"
	done
	run_init "$1" "${@:2}" sh -c 'kill -s TERM $$'
	assert_exit 143 "128 + TERM"
	run_init "$1" "${@:2}" sh -c 'kill -s KILL $$'
	assert_exit 137 "128 + KILL"
	run_init "$1" "${@:2}" crash SEGV
	assert_exit 139 "128 + SEGV"
}
@test "dumb-init pid1: the child's exit code, 128+N for signal N" { IMPL=peer t_exit_codes pid1; }
@test "minit as dumb-init pid1: the child's exit code, 128+N for signal N" { IMPL=minit t_exit_codes pid1; }
@test "dumb-init not pid1: the child's exit code, 128+N for signal N" { IMPL=peer t_exit_codes sub; }
@test "minit as dumb-init not pid1: the child's exit code, 128+N for signal N" { IMPL=minit t_exit_codes sub; }
@test "dumb-init -c not pid1: the child's exit code, 128+N for signal N" { IMPL=peer t_exit_codes sub -c; }
@test "minit as dumb-init -c not pid1: the child's exit code, 128+N for signal N" { IMPL=minit t_exit_codes sub -c; }

# every exec failure exits 2; a file without #! runs with /bin/sh
t_exec_failures() {
	init_prog dumb-init
	local what
	for what in /nonexistent no-such-command-anywhere '' /etc/passwd /tmp "$(printf 'a%.0s' {1..5000})"; do
		run_init "$1" -- "$what"
		assert_exit 2 "exec of '${what:0:20}'"
	done
	printf 'exit 7\n' >"$T/noshebang"
	chmod +x "$T/noshebang"
	run_init "$1" -- "$T/noshebang"
	assert_exit 7 "a script without #!, run by /bin/sh"
}
@test "dumb-init pid1: every exec failure exits 2; a script without #! runs with sh" { IMPL=peer t_exec_failures pid1; }
@test "minit as dumb-init pid1: every exec failure exits 2; a script without #! runs with sh" { IMPL=minit t_exec_failures pid1; }
@test "dumb-init not pid1: every exec failure exits 2; a script without #! runs with sh" { IMPL=peer t_exec_failures sub; }
@test "minit as dumb-init not pid1: every exec failure exits 2; a script without #! runs with sh" { IMPL=minit t_exec_failures sub; }

# ---------------------------------------------------------------------------
# signals

# Every signal reaches the child once, from dumb-init, the fault signals
# too; no CONT added after the stop requests.
FORWARDED=(HUP INT QUIT USR1 TERM ALRM WINCH URG PWR ILL TRAP ABRT BUS FPE SEGV SYS RTMIN RTMIN+1 RTMAX-1)
t_forward() {
	init_prog dumb-init
	local sigs=("${FORWARDED[@]}")
	valgrind_drop_signals sigs
	start_init "$1" "${@:2}" sigrec -o "$REC" -x USR2:0
	wait_ready
	forwards_each "${sigs[@]}"
	kill -USR2 "$MINIT_PID"
	wait_minit
	assert_exit 0 "the child's exit on USR2"
}
@test "dumb-init pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=peer t_forward pid1; }
@test "minit as dumb-init pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=minit t_forward pid1; }
@test "dumb-init not pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=peer t_forward sub; }
@test "minit as dumb-init not pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=minit t_forward sub; }
@test "dumb-init -c not pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=peer t_forward sub -c; }
@test "minit as dumb-init -c not pid1: every signal reaches the child once, fault signals too, no CONT added" { IMPL=minit t_forward sub -c; }

# setsid mode: the child leads a session, signals go to its whole group;
# -c (or DUMB_INIT_SETSID=0): the child shares dumb-init's group and session,
# and only the child gets them
GROUP_SH='sigrec -o "$REC" & sigrec -o "$REC" & exec sigrec -o "$REC" -x USR2:0'
t_session() {
	init_prog dumb-init
	local setsid=1
	[[ -z $2 && -z ${3:-} ]] || setsid=0
	EXTRA_ENV=(REC="$REC" "${@:3}")
	start_init "$1" $2 sh -c "$GROUP_SH"
	wait_ready "$REC" 3
	local main cpgrp csid PGRP SID
	main_child || fail "the init has no child"
	main=$MAIN_CHILD
	pgrp_sid "$main"
	cpgrp=$PGRP csid=$SID
	pgrp_sid "$MINIT_PID"
	if ((setsid)); then
		[[ $cpgrp == "$main" && $csid == "$main" ]] || fail "setsid: the child's group $cpgrp and session $csid should be its own ($main)"
	else
		[[ $cpgrp == "$PGRP" && $csid == "$SID" ]] || fail "-c: the child's group $cpgrp and session $csid should be dumb-init's ($PGRP $SID)"
	fi
	kill -USR1 "$MINIT_PID"
	if ((setsid)); then
		wait_for -m "USR1 in all three sigrecs" eval 'sig_count USR1; ((COUNT == 3))'
	else
		mark_via_minit
		sig_count USR1
		((COUNT == 1)) || fail "-c: USR1 reached $COUNT processes, expected the child only"
	fi
}
@test "dumb-init not pid1: setsid: the child's own session; signals reach its whole group" { IMPL=peer t_session sub ""; }
@test "minit as dumb-init not pid1: setsid: the child's own session; signals reach its whole group" { IMPL=minit t_session sub ""; }
@test "dumb-init pid1: setsid: the child's own session; signals reach its whole group" { IMPL=peer t_session pid1 ""; }
@test "minit as dumb-init pid1: setsid: the child's own session; signals reach its whole group" { IMPL=minit t_session pid1 ""; }
@test "dumb-init -c not pid1: the child in dumb-init's group; only the child gets signals" { IMPL=peer t_session sub -c; }
@test "minit as dumb-init -c not pid1: the child in dumb-init's group; only the child gets signals" { IMPL=minit t_session sub -c; }
@test "dumb-init not pid1: DUMB_INIT_SETSID=0 is -c" { IMPL=peer t_session sub "" DUMB_INIT_SETSID=0; }
@test "minit as dumb-init not pid1: DUMB_INIT_SETSID=0 is -c" { IMPL=minit t_session sub "" DUMB_INIT_SETSID=0; }

# -r S:R rewrites (R = 0 drops); a stop request rewritten is still just forwarded
t_rewrite() {
	init_prog dumb-init
	start_init "$1" -r 15:3 -r 2:0 -r 28:0 -- sigrec -o "$REC" -x USR2:0
	wait_ready
	kill -TERM "$MINIT_PID"
	kill -INT "$MINIT_PID"
	kill -WINCH "$MINIT_PID"
	kill -HUP "$MINIT_PID"
	mark_via_minit
	assert_sigs_from "$MINIT_SELF" QUIT HUP
	refute_sig TERM
	refute_sig INT
	refute_sig WINCH
	refute_sig CONT
	kill -USR2 "$MINIT_PID"
	wait_minit
	assert_exit 0 "the child's exit on USR2"
}
@test "dumb-init pid1: -r 15:3 -r 2:0 -r 28:0: TERM arrives as QUIT, INT and WINCH are dropped" { IMPL=peer t_rewrite pid1; }
@test "minit as dumb-init pid1: -r 15:3 -r 2:0 -r 28:0: TERM arrives as QUIT, INT and WINCH are dropped" { IMPL=minit t_rewrite pid1; }
@test "dumb-init not pid1: -r 15:3 -r 2:0 -r 28:0: TERM arrives as QUIT, INT and WINCH are dropped" { IMPL=peer t_rewrite sub; }
@test "minit as dumb-init not pid1: -r 15:3 -r 2:0 -r 28:0: TERM arrives as QUIT, INT and WINCH are dropped" { IMPL=minit t_rewrite sub; }

# no escalation: the TERM-ignoring child still runs past minit's own 9 s
t_no_escalation() {
	init_prog dumb-init
	sv_both compat_no_escalation
}
@test "dumb-init: a TERM-ignoring child still runs 9.6 s after TERM, pid1 and not" { IMPL=peer t_no_escalation; }
@test "minit as dumb-init: a TERM-ignoring child still runs 9.6 s after TERM, pid1 and not" { IMPL=minit t_no_escalation; }

# ---------------------------------------------------------------------------
# job control (not PID 1): TSTP, TTIN, TTOU are forwarded (setsid: as STOP
# to the group), then dumb-init stops itself, so the shell sees it stopped;
# CONT resumes it and is forwarded
t_job_control() { # SIG MODE-OPTION EXPECT(stopped|recorded)
	init_prog dumb-init
	start_init sub $2 sigrec -o "$REC"
	wait_ready
	local main
	main_child || fail "the init has no child"
	main=$MAIN_CHILD
	kill -s "$1" "$MINIT_PID"
	wait_for -m "the init stopped" is_stopped "$MINIT_PID"
	case $3 in
	stopped) wait_for -m "the child stopped" is_stopped "$main" ;;
	recorded) wait_sig "$1" ;;
	nothing) ;;
	esac
	kill -CONT "$MINIT_PID"
	wait_for -m "the init running again" eval '! is_stopped "$MINIT_PID"'
	wait_sig CONT
	! is_stopped "$main" || fail "the child is still stopped"
	[[ $3 == recorded ]] || refute_sig "$1"
}
@test "dumb-init not pid1: TSTP stops the child's group and dumb-init; CONT resumes both" { IMPL=peer t_job_control TSTP "" stopped; }
@test "minit as dumb-init not pid1: TSTP stops the child's group and dumb-init; CONT resumes both" { IMPL=minit t_job_control TSTP "" stopped; }
@test "dumb-init not pid1: TTIN stops the child's group and dumb-init; CONT resumes both" { IMPL=peer t_job_control TTIN "" stopped; }
@test "minit as dumb-init not pid1: TTIN stops the child's group and dumb-init; CONT resumes both" { IMPL=minit t_job_control TTIN "" stopped; }
@test "dumb-init -c not pid1: TSTP reaches the child as TSTP, dumb-init stops; CONT resumes it" { IMPL=peer t_job_control TSTP -c recorded; }
@test "minit as dumb-init -c not pid1: TSTP reaches the child as TSTP, dumb-init stops; CONT resumes it" { IMPL=minit t_job_control TSTP -c recorded; }
@test "dumb-init not pid1: TTOU rewritten to 0: dropped, and dumb-init still stops" { IMPL=peer t_job_control TTOU "-r 22:0" nothing; }
@test "minit as dumb-init not pid1: TTOU rewritten to 0: dropped, and dumb-init still stops" { IMPL=minit t_job_control TTOU "-r 22:0" nothing; }

# as PID 1 dumb-init cannot stop itself: the child's group stops, CONT resumes it
t_job_control_pid1() {
	init_prog dumb-init
	start_init pid1 sigrec -o "$REC"
	wait_ready
	local main
	main_child || fail "the init has no child"
	main=$MAIN_CHILD
	kill -TSTP "$MINIT_PID"
	wait_for -m "the child stopped" is_stopped "$main"
	! is_stopped "$MINIT_PID" || fail "PID 1 stopped"
	kill -CONT "$MINIT_PID"
	wait_sig CONT
}
@test "dumb-init pid1: TSTP stops the child's group only; CONT resumes it" { IMPL=peer t_job_control_pid1; }
@test "minit as dumb-init pid1: TSTP stops the child's group only; CONT resumes it" { IMPL=minit t_job_control_pid1; }

# ---------------------------------------------------------------------------
# the child's exit (not PID 1): setsid: one TERM (as -r rewrites it) to the
# child's group, then dumb-init exits at once; -c: nothing (compat_leave_one)
t_child_exit() { # OPTIONS EXPECTED-SIGNAL|none
	init_prog dumb-init
	compat_leave_one sub "$2" $1
}
@test "dumb-init not pid1: the child exits 5: one TERM to its group, exit 5 at once" { IMPL=peer t_child_exit "" TERM; }
@test "minit as dumb-init not pid1: the child exits 5: one TERM to its group, exit 5 at once" { IMPL=minit t_child_exit "" TERM; }
@test "dumb-init not pid1: -r 15:1: the exit's TERM goes as HUP" { IMPL=peer t_child_exit "-r 15:1" HUP; }
@test "minit as dumb-init not pid1: -r 15:1: the exit's TERM goes as HUP" { IMPL=minit t_child_exit "-r 15:1" HUP; }
@test "dumb-init not pid1: -r 15:0: the exit's TERM is dropped" { IMPL=peer t_child_exit "-r 15:0" none; }
@test "minit as dumb-init not pid1: -r 15:0: the exit's TERM is dropped" { IMPL=minit t_child_exit "-r 15:0" none; }
@test "dumb-init -c not pid1: the child exits 5: nothing sent, exit 5 at once" { IMPL=peer t_child_exit -c none; }
@test "minit as dumb-init -c not pid1: the child exits 5: nothing sent, exit 5 at once" { IMPL=minit t_child_exit -c none; }

t_child_exit_pid1() {
	init_prog dumb-init
	compat_leave_one pid1 gone
}
@test "dumb-init pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=peer t_child_exit_pid1; }
@test "minit as dumb-init pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=minit t_child_exit_pid1; }

# ---------------------------------------------------------------------------
# process state

# dumb-init moves to /; the child starts where it was started. (dumb-init
# moves after its fork: the child gives it up to 2 s.)
t_cwd() {
	init_prog dumb-init
	mkdir -p "$T/work"
	run_init_via sub sh -c 'cd "$0" && exec "$@"' "$T/work" -- $1 sh -c '
		i=0; while [ "$(readlink /proc/$PPID/cwd)" != / ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
		readlink /proc/$PPID/cwd; pwd'
	assert_exit 0 "the child's"
	[[ $output == "/"$'\n'"$T/work" ]] || fail "init's and child's directories: $output"
}
@test "dumb-init not pid1: dumb-init in /, the child in the start directory" { IMPL=peer t_cwd; }
@test "minit as dumb-init not pid1: dumb-init in /, the child in the start directory" { IMPL=minit t_cwd; }
@test "dumb-init -c not pid1: dumb-init in /, the child in the start directory" { IMPL=peer t_cwd -c; }
@test "minit as dumb-init -c not pid1: dumb-init in /, the child in the start directory" { IMPL=minit t_cwd -c; }

# With a terminal (dumb-init a session leader, as docker run -it makes it):
# the child's new session takes the terminal, dumb-init gives it up; a HUP
# sent afterwards is the user's and is forwarded.
t_tty() {
	init_prog dumb-init
	init_on_tty -e
	local c=("${TTY_CHILD[@]}") i=("${TTY_INIT[@]}") cpid=$TTY_PID
	[[ ${c[3]} == "$cpid" ]] || fail "the child's session is ${c[3]}, not its own ($cpid)"
	[[ ${c[4]} != 0 && ${c[5]} == "$cpid" ]] || fail "the child has no terminal (tty ${c[4]}, foreground ${c[5]})"
	[[ ${i[4]} == 0 ]] || fail "dumb-init kept the terminal (tty ${i[4]})"
}
@test "dumb-init not pid1: on a terminal, the child's session takes it, dumb-init lets go" { IMPL=peer t_tty; }
@test "minit as dumb-init not pid1: on a terminal, the child's session takes it, dumb-init lets go" { IMPL=minit t_tty; }

# the launcher's ignored signals and mask do not reach the child; an
# ignored SIGCHLD changes nothing. Signals 32 and up may come ignored from
# whatever started the test run (glibc's sigaction refuses 32 and 33, so
# env --default-signal cannot reset them): dumb-init resets 1-31 only,
# minit every one.
t_signal_state() {
	local ign_checked=0x7fffffff
	[[ $IMPL == peer ]] || ign_checked=0xffffffffffffffff
	init_prog dumb-init
	LAUNCH_IGNORE=HUP,INT,USR1,PIPE,CHLD
	run_init_via sub perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(4, 15, 21)); exec @ARGV or die' \
		-- sh -c 'cat /proc/self/status; exit 3'
	assert_exit 3 "the child's, with SIGCHLD ignored by the launcher"
	status_dump
	[[ ${DUMP[SigBlk]-} == 0000000000000000 ]] || fail "the child's mask: $(grep SigBlk <<<"$output")"
	[[ -n ${DUMP[SigIgn]-} ]] && (((0x${DUMP[SigIgn]} & ign_checked) == 0)) ||
		fail "the child's ignored signals: $(grep SigIgn <<<"$output")"
}
@test "dumb-init not pid1: the launcher's ignored and blocked signals are reset for the child" { IMPL=peer t_signal_state; }
@test "minit as dumb-init not pid1: the launcher's ignored and blocked signals are reset for the child" { IMPL=minit t_signal_state; }

# as PID 1 no zombie is left
t_zombies() {
	init_prog dumb-init
	start_init pid1 sh -c 'orphans 20 >/dev/null; exec sleep 30'
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
}
@test "dumb-init pid1: orphans are reaped" { IMPL=peer t_zombies; }
@test "minit as dumb-init pid1: orphans are reaped" { IMPL=minit t_zombies; }

t_notify_passthrough() {
	init_prog dumb-init
	notify_passthrough "$1"
}
@test "dumb-init pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=peer t_notify_passthrough pid1; }
@test "minit as dumb-init pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=minit t_notify_passthrough pid1; }
@test "dumb-init not pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=peer t_notify_passthrough sub; }
@test "minit as dumb-init not pid1: the launcher's NOTIFY_SOCKET reaches the child unchanged" { IMPL=minit t_notify_passthrough sub; }

# ---------------------------------------------------------------------------
# command line

t_cli() {
	init_prog dumb-init
	local a
	for a in -V --version -h --help; do
		run_init sub "$a"
		assert_exit 0 "$a"
	done
	run_init sub
	assert_exit 1 "no command"
	run_init sub --yolo true
	assert_exit 1 "an unknown option"
	for a in 15 herp:derp 15:derp; do
		run_init sub -r "$a" true
		assert_exit 1 "-r $a"
	done
	run_init sub true -x
	assert_exit 0 "options after the command belong to it"
}
@test "dumb-init: -V, --version, -h, --help exit 0; no command, unknown options and bad -r exit 1" { IMPL=peer t_cli; }
@test "minit as dumb-init: -V, --version, -h, --help exit 0; no command, unknown options and bad -r exit 1" { IMPL=minit t_cli; }
