#!/usr/bin/env bats
# minit installed as dumb-init does what dumb-init does, wherever a user
# could tell. Every case runs against Debian's /usr/bin/dumb-init and
# against minit named dumb-init, as PID 1 and not, in dumb-init's default
# setsid mode and with -c: a case that passes for both encodes dumb-init's
# behaviour. Where minit deliberately differs (README.md, "Program name
# decides the defaults") there is no case here: -r takes real-time signals
# too, minit is a subreaper when not PID 1, and as PID 1 leftovers get TERM
# and the leftover grace before the kernel's KILL.

load lib/common
load lib/supervise
load lib/compat

assert_exit() { # CODE WHY
	[[ $status -eq $1 ]] || fail "expected exit $1 ($2), got $status$(diag_tail)"
}

stat_fields() { # PID: STAT = fields 3.. of /proc/PID/stat ([0] state [1] ppid [2] pgrp [3] session [4] tty_nr [5] tpgid)
	local s
	read -r s <"/proc/$1/stat"
	read -r -a STAT <<<"${s##*) }"
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
	local sigs=("${FORWARDED[@]}") s
	valgrind_drop_signals sigs
	start_init "$1" "${@:2}" sigrec -o "$REC" -x USR2:0
	wait_ready
	for s in "${sigs[@]}"; do
		signum "$s"
		kill -n "$SIGNUM" "$MINIT_PID"
		wait_sig "$s"
	done
	mark_via_minit
	assert_sigs_from "$MINIT_SELF" "${sigs[@]}"
	refute_sig CONT
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
	local main
	main=$(child_pid)
	stat_fields "$main"
	local csid=${STAT[3]} cpgrp=${STAT[2]}
	stat_fields "$MINIT_PID"
	if ((setsid)); then
		[[ $cpgrp == "$main" && $csid == "$main" ]] || fail "setsid: the child's group $cpgrp and session $csid should be its own ($main)"
	else
		[[ $cpgrp == "${STAT[2]}" && $csid == "${STAT[3]}" ]] || fail "-c: the child's group $cpgrp and session $csid should be dumb-init's (${STAT[2]} ${STAT[3]})"
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
NO_KILL_WINDOW_MS=${NO_KILL_WINDOW_MS:-9600}
t_no_escalation_one() {
	start_init "$1" sigrec -o "$REC"
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_sig TERM
	sv_stays_alive "$MINIT_PID" "$NO_KILL_WINDOW_MS"
	sig_count TERM
	((COUNT == 1)) || fail "TERM reached the child $COUNT times"
	refute_sig CONT
	kill -KILL "$(child_pid)"
	wait_minit
	assert_exit 137 "the child, killed by the test"
}
t_no_escalation() {
	init_prog dumb-init
	sv_both t_no_escalation_one
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
	main=$(child_pid)
	kill -s "$1" "$MINIT_PID"
	wait_for -m "the init stopped" eval 'pstate $MINIT_PID; [[ $PSTATE == T ]]'
	case $3 in
	stopped) wait_for -m "the child stopped" eval 'pstate $main; [[ $PSTATE == T ]]' ;;
	recorded) wait_sig "$1" ;;
	nothing) ;;
	esac
	kill -CONT "$MINIT_PID"
	wait_for -m "the init running again" eval 'pstate $MINIT_PID; [[ $PSTATE != T ]]'
	wait_sig CONT
	pstate "$main"
	[[ $PSTATE != T ]] || fail "the child is still stopped"
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
	main=$(child_pid)
	kill -TSTP "$MINIT_PID"
	wait_for -m "the child stopped" eval 'pstate $main; [[ $PSTATE == T ]]'
	pstate "$MINIT_PID"
	[[ $PSTATE != T ]] || fail "PID 1 stopped"
	kill -CONT "$MINIT_PID"
	wait_sig CONT
}
@test "dumb-init pid1: TSTP stops the child's group only; CONT resumes it" { IMPL=peer t_job_control_pid1; }
@test "minit as dumb-init pid1: TSTP stops the child's group only; CONT resumes it" { IMPL=minit t_job_control_pid1; }

# ---------------------------------------------------------------------------
# the child's exit (not PID 1): setsid: one TERM (as -r rewrites it) to the
# child's group, then dumb-init exits at once; -c: nothing
LEAVE_ONE='sigrec -o "$REC" & while [ ! -e "$D/go" ]; do sleep 0.01; done; exit 5'
t_child_exit() { # OPTIONS EXPECTED-SIGNAL|none
	init_prog dumb-init
	EXTRA_ENV=(REC="$REC" D="$T")
	start_init sub $1 sh -c "$LEAVE_ONE"
	wait_ready
	local left
	left=$(ready_field 2)
	touch "$T/go"
	wait_minit 2
	assert_exit 5 "the child's"
	is_alive "$left" || fail "the leftover (pid $left) was ended"
	kill -n $MARK "$left"
	wait_for -m "the leftover's marker" has_sig $MARK
	if [[ $2 == none ]]; then
		(($(grep -c '^sig' "$REC") == 1)) || fail "the leftover got signals: $(grep '^sig' "$REC")"
	else
		sig_count "$2"
		((COUNT == 1)) || fail "the leftover got $2 $COUNT times: $(grep '^sig' "$REC")"
		(($(grep -c '^sig' "$REC") == 2)) || fail "the leftover got more: $(grep '^sig' "$REC")"
	fi
	kill -KILL "$left"
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
	EXTRA_ENV=(REC="$REC" D="$T")
	start_init pid1 sh -c "$LEAVE_ONE"
	wait_ready
	local left
	left=$(host_pid_of "$(ready_field 2)")
	touch "$T/go"
	wait_minit 4
	assert_exit 5 "the child's"
	wait_for -m "the leftover gone with the namespace" is_gone "$left"
}
@test "dumb-init pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=peer t_child_exit_pid1; }
@test "minit as dumb-init pid1: the child exits 5: exit 5, the namespace's leftovers gone" { IMPL=minit t_child_exit_pid1; }

# ---------------------------------------------------------------------------
# process state

# dumb-init moves to /; the child starts where it was started
t_cwd() {
	init_prog dumb-init
	mkdir -p "$T/work"
	local argv
	if is_peer; then argv=("$INIT_PROG"); else minit_argv "$INIT_PROG" && argv=("${MINIT_ARGV[@]}"); fi
	MODE=sub
	launch sh -c 'cd "$0" && exec "$@"' "$T/work" "${argv[@]}" $1 sh -c 'readlink /proc/$PPID/cwd; pwd'
	MINIT_PID=$LAUNCH_PID
	wait_minit
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
	local argv f
	if is_peer; then argv=("$INIT_PROG"); else minit_argv "$INIT_PROG" && argv=("${MINIT_ARGV[@]}"); fi
	printf 'exec ' >"$T/cmd"
	printf '%q ' "${argv[@]}" sh -c 'cat /proc/$$/stat /proc/$PPID/stat' >>"$T/cmd"
	script -qec "sh $T/cmd" /dev/null </dev/null | tr -d '\r' | grep -E '^[0-9]+ \(' >"$T/stat" || true
	mapfile -t f <"$T/stat"
	((${#f[@]} == 2)) || fail "expected two stat lines from the terminal: $(cat "$T/stat")"
	local c=(${f[0]#*) }) i=(${f[1]#*) }) cpid=${f[0]%% *}
	[[ ${c[3]} == "$cpid" ]] || fail "the child's session is ${c[3]}, not its own ($cpid)"
	[[ ${c[4]} != 0 && ${c[5]} == "$cpid" ]] || fail "the child has no terminal (tty ${c[4]}, foreground ${c[5]})"
	[[ ${i[4]} == 0 ]] || fail "dumb-init kept the terminal (tty ${i[4]})"
}
@test "dumb-init not pid1: on a terminal, the child's session takes it, dumb-init lets go" { IMPL=peer t_tty; }
@test "minit as dumb-init not pid1: on a terminal, the child's session takes it, dumb-init lets go" { IMPL=minit t_tty; }

# the launcher's ignored signals and mask do not reach the child; an
# ignored SIGCHLD changes nothing
t_signal_state() {
	init_prog dumb-init
	local argv
	if is_peer; then argv=("$INIT_PROG"); else minit_argv "$INIT_PROG" && argv=("${MINIT_ARGV[@]}"); fi
	MODE=sub
	LAUNCH_IGNORE=HUP,INT,USR1,PIPE,CHLD
	launch perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(4, 15, 21)); exec @ARGV or die' \
		"${argv[@]}" sh -c 'cat /proc/self/status; exit 3'
	MINIT_PID=$LAUNCH_PID
	wait_minit
	assert_exit 3 "the child's, with SIGCHLD ignored by the launcher"
	[[ $(awk '$1 == "SigBlk:" { print $2 }' <<<"$output") == 0000000000000000 ]] ||
		fail "the child's mask: $(grep SigBlk <<<"$output")"
	[[ $(awk '$1 == "SigIgn:" { print $2 }' <<<"$output") == 0000000000000000 ]] ||
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

# ---------------------------------------------------------------------------
# command line

t_cli() {
	init_prog dumb-init
	local a
	for a in -V --version -h --help; do
		run_init via "$a"
		assert_exit 0 "$a"
	done
	run_init via
	assert_exit 1 "no command"
	run_init via --yolo true
	assert_exit 1 "an unknown option"
	for a in 15 herp:derp 15:derp; do
		run_init via -r "$a" true
		assert_exit 1 "-r $a"
	done
	run_init via true -x
	assert_exit 0 "options after the command belong to it"
}
@test "dumb-init: -V, --version, -h, --help exit 0; no command, unknown options and bad -r exit 1" { IMPL=peer t_cli; }
@test "minit as dumb-init: -V, --version, -h, --help exit 0; no command, unknown options and bad -r exit 1" { IMPL=minit t_cli; }
