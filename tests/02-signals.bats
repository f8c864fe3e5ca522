#!/usr/bin/env bats
# Signal forwarding: every catchable signal but CHLD reaches the main child
# with minit as the sender (fault signals too, by kill and by sigqueue),
# -g sends to the child's process group, -r rewrites or drops, a vanished
# child is not an error, and a closed or broken stderr changes nothing.

load lib/minit

# everything but the stop signals (TERM INT QUIT), CHLD, the job-control
# signals (below) and the marker; real-time ones by number (34 is SIGRTMIN
# for glibc, whose numbering sigrec and most senders use; 32 and 33 are
# glibc's own, see t_forward_libc_signals)
FORWARD_STD=(HUP USR1 USR2 PIPE ALRM WINCH URG VTALRM PROF IO PWR XCPU XFSZ STKFLT)
FAULTS=(SEGV BUS ILL FPE ABRT TRAP SYS)
FORWARD_RT=(34 35 36 41 47 60 63 64)
valgrind_drop_signals FORWARD_RT # under valgrind: not 64 (lib/valgrind.bash)

start_rec() { # MODE [MINIT ARGS...] -- sigrec exits 0 on TERM
	local mode=$1
	shift
	start_minit "$mode" "$@" sigrec -o "$REC" -x TERM:0
	wait_ready
}

stop_rec() { # ends the sigrec child through minit, checks exit 0
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "minit exited $status after TERM (child exits 0 on TERM); stderr: $stderr"
}

t_forward_all() {
	start_rec "$1"
	local s
	for s in "${FORWARD_STD[@]}"; do kill -s "$s" "$MINIT_PID"; done
	for s in "${FORWARD_RT[@]}"; do kill -n "$s" "$MINIT_PID"; done
	assert_sigs_from "$MINIT_SELF" "${FORWARD_STD[@]}" "${FORWARD_RT[@]}"
	# the kernel discards a pending CONT when a stop signal is generated and
	# vice versa, so CONT goes alone, then the stop signals
	kill -CONT "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" CONT
	kill -TSTP "$MINIT_PID"
	kill -TTIN "$MINIT_PID"
	kill -TTOU "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" TSTP TTIN TTOU
	! is_stopped "$MINIT_PID" || fail "minit is stopped"
	is_alive "$MINIT_PID" || fail "minit died"
	stop_rec
}
@test "pid1: every catchable signal (standard, job control, real-time) is forwarded by minit to the child" { t_forward_all pid1; }
@test "subreaper: every catchable signal (standard, job control, real-time) is forwarded by minit to the child" { t_forward_all sub; }

t_forward_faults_kill() {
	valgrind_skip_signals "${FAULTS[@]}"
	start_rec "$1"
	local s
	for s in "${FAULTS[@]}"; do kill -s "$s" "$MINIT_PID"; done
	assert_sigs_from "$MINIT_SELF" "${FAULTS[@]}"
	is_alive "$MINIT_PID" || fail "minit died of a fault signal sent with kill"
	stop_rec
}
@test "pid1: SEGV BUS ILL FPE ABRT TRAP SYS sent with kill are forwarded, minit survives" { t_forward_faults_kill pid1; }
@test "subreaper: SEGV BUS ILL FPE ABRT TRAP SYS sent with kill are forwarded, minit survives" { t_forward_faults_kill sub; }

t_forward_faults_sigqueue() {
	start_rec "$1"
	local s faults=("${FAULTS[@]}")
	valgrind_drop_signals faults # under valgrind: RT signals only (lib/valgrind.bash)
	for s in "${faults[@]}"; do
		/bin/kill -q 7 -s "$s" "$MINIT_PID" || fail "sigqueue($s) failed"
	done
	kill -n 40 "$MINIT_PID"
	/bin/kill -q 9 -s 41 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" "${faults[@]}" 40 41
	is_alive "$MINIT_PID" || fail "minit died of a fault signal sent with sigqueue"
	stop_rec
}
@test "pid1: fault and real-time signals sent with sigqueue are forwarded, minit survives" { t_forward_faults_sigqueue pid1; }
@test "subreaper: fault and real-time signals sent with sigqueue are forwarded, minit survives" { t_forward_faults_sigqueue sub; }

# 32 and 33 are kept by glibc for threads (no handler can be set for them)
# and sigfillset leaves them out, but a sender may still send them: minit
# forwards them like any other, even when it was started with them ignored
# (as GNU make leaves them). sigrec blocks and records them. (Before, as PID
# 1 minit dropped them; as a subreaper they killed it or were ignored.)
t_forward_libc_signals() {
	start_rec "$1"
	kill -n 32 "$MINIT_PID"
	kill -n 33 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" 32 33
	is_alive "$MINIT_PID" || fail "minit died of signal 32 or 33"
	stop_rec
}
@test "pid1: signals 32 and 33, which libc keeps for itself, are forwarded and minit survives them" { t_forward_libc_signals pid1; }
@test "subreaper: signals 32 and 33, which libc keeps for itself, are forwarded and minit survives them" { t_forward_libc_signals sub; }

t_forward_stop_signals() {
	local s
	for s in TERM INT QUIT; do
		rm -f "$REC"
		start_minit "$1" sigrec -o "$REC" -x "$s:7"
		wait_ready
		kill -s "$s" "$MINIT_PID"
		assert_sig_from "$s" "$MINIT_SELF"
		wait_minit
		[[ $status -eq 7 ]] || fail "$s: the child exits 7 on $s, minit exited $status; stderr: $stderr"
	done
}
@test "pid1: TERM, INT and QUIT reach the child (first step of a stop) and its status is returned" { t_forward_stop_signals pid1; }
@test "subreaper: TERM, INT and QUIT reach the child (first step of a stop) and its status is returned" { t_forward_stop_signals sub; }

t_repeated_signal() {
	start_rec "$1"
	local i
	for i in 1 2 3 4 5; do
		kill -USR1 "$MINIT_PID"
		wait_for -m "USR1 number $i" eval "sig_count USR1 && ((COUNT >= $i))"
	done
	stop_rec
}
@test "pid1: a signal sent repeatedly is forwarded every time" { t_repeated_signal pid1; }
@test "subreaper: a signal sent repeatedly is forwarded every time" { t_repeated_signal sub; }

# SIGCHLD is not forwarded. sigrec does not record CHLD, so the child here is
# a perl script logging CHLD and WINCH. If minit forwarded the CHLD it would
# do so before the later WINCH, and perl dispatches pending signals in
# number order (CHLD 17 before WINCH 28): the WINCH line is the marker.
CHLD_LOGGER='open F, ">>", $ARGV[0] or die; select((select(F), $| = 1)[0]);
$SIG{CHLD} = sub { print F "CHLD\n" }; $SIG{WINCH} = sub { print F "WINCH\n" };
$SIG{TERM} = sub { exit 0 }; print F "ready\n"; sleep 100 while 1;'

t_chld_not_forwarded() {
	start_minit "$1" perl -e "$CHLD_LOGGER" "$T/perl.log"
	wait_lines "$T/perl.log" '^ready$'
	kill -CHLD "$MINIT_PID"
	wait_consumed "$MINIT_PID" 17
	kill -WINCH "$MINIT_PID"
	wait_lines "$T/perl.log" '^WINCH$'
	! grep -q '^CHLD$' "$T/perl.log" || fail "SIGCHLD was forwarded to the child: $(cat "$T/perl.log")"
	is_alive "$MINIT_PID" || fail "minit died of a SIGCHLD sent with kill"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
}
@test "pid1: SIGCHLD sent to minit is not forwarded" { t_chld_not_forwarded pid1; }
@test "subreaper: SIGCHLD sent to minit is not forwarded" { t_chld_not_forwarded sub; }

# the control for the test above: the logger does log a CHLD sent to it
t_chld_logger_control() {
	start_minit "$1" perl -e "$CHLD_LOGGER" "$T/perl.log"
	wait_lines "$T/perl.log" '^ready$'
	main_child || fail "minit has no child"
	kill -CHLD "$MAIN_CHILD"
	wait_lines "$T/perl.log" '^CHLD$'
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
}
@test "pid1: the CHLD logger logs a CHLD sent to it directly (control)" { t_chld_logger_control pid1; }
@test "subreaper: the CHLD logger logs a CHLD sent to it directly (control)" { t_chld_logger_control sub; }

# ---------------------------------------------------------------------------
# -g / --group: the child's whole process group

# main child sigrec with two -c children, all in the child's process group
start_group() { # MODE [MINIT ARGS...]
	local mode=$1
	shift
	start_minit "$mode" "$@" sigrec -o "$REC" -c 2 -x TERM:0
	wait_ready "$REC" 3
	last_ready || fail "no ready line: $(cat "$REC")"
	MAIN=$READY_PID
	OTHERS=$(awk -v m="$MAIN" '$1 == "ready" && $2 != m { print $2 }' "$REC")
	[[ $(wc -w <<<"$OTHERS") -eq 2 ]] || fail "expected two group members: $(cat "$REC")"
	local p
	for p in $OTHERS; do
		[[ $(awk -v p="$p" '$1 == "ready" && $2 == p { print $3 }' "$REC") == "$READY_PGID" ]] ||
			fail "group member $p is not in the child's process group"
	done
}

t_group() {
	start_group "$@"
	kill -USR1 "$MINIT_PID"
	kill -n 40 "$MINIT_PID"
	local p
	for p in "$MAIN" $OTHERS; do
		assert_sigs_from "$MINIT_SELF" -p "$p" USR1 40
	done
	stop_rec
}
@test "pid1: -g forwards to every process in the child's process group" { t_group pid1 -g; }
@test "subreaper: -g forwards to every process in the child's process group" { t_group sub -g; }
@test "pid1: --group forwards to every process in the child's process group" { t_group pid1 --group; }
@test "subreaper: --group forwards to every process in the child's process group" { t_group sub --group; }
@test "pid1: MINIT_GROUP=1 forwards to the child's process group" { EXTRA_ENV=(MINIT_GROUP=1); t_group pid1; }
@test "subreaper: MINIT_GROUP=1 forwards to the child's process group" { EXTRA_ENV=(MINIT_GROUP=1); t_group sub; }

t_no_group() {
	start_group "$1"
	kill -USR1 "$MINIT_PID"
	assert_sig_from USR1 "$MINIT_SELF" "$REC" "$MAIN"
	mark_via_minit
	# a USR1 sent to them would be pending now and taken before this marker
	local p HOST_PID
	for p in $OTHERS; do
		host_pid "$p" || fail "no host pid for $p"
		kill -n $MARK "$HOST_PID"
		wait_sig $MARK "$REC" "$p"
		refute_sig USR1 "$REC" "$p"
	done
	stop_rec
}
@test "pid1: without -g only the main child gets the signal" { t_no_group pid1; }
@test "subreaper: without -g only the main child gets the signal" { t_no_group sub; }

# ---------------------------------------------------------------------------
# -r / --rewrite

t_rewrite_forms() {
	# name, number, SIG prefix, lower case, mixed, to a real-time signal
	start_rec "$1" -r USR1:USR2 -r 1:28 --rewrite SIGALRM:sigprof -r vtalrm:40 -r 23:XCPU
	kill -USR1 "$MINIT_PID"
	kill -HUP "$MINIT_PID"
	kill -ALRM "$MINIT_PID"
	kill -VTALRM "$MINIT_PID"
	kill -URG "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" USR2 WINCH PROF 40 XCPU
	mark_via_minit
	local s
	for s in USR1 HUP ALRM VTALRM URG; do refute_sig "$s"; done
	stop_rec
}
@test "pid1: -r/--rewrite S:R forwards S as R, by name, number, SIG prefix or lower case" { t_rewrite_forms pid1; }
@test "subreaper: -r/--rewrite S:R forwards S as R, by name, number, SIG prefix or lower case" { t_rewrite_forms sub; }

t_rewrite_drop() {
	start_rec "$1" -r USR1:0 -r 40:0
	kill -USR1 "$MINIT_PID"
	kill -n 40 "$MINIT_PID"
	kill -HUP "$MINIT_PID"
	assert_sig_from HUP "$MINIT_SELF"
	mark_via_minit
	refute_sig USR1
	refute_sig 40
	is_alive "$MINIT_PID" || fail "minit died of a dropped signal"
	stop_rec
}
@test "pid1: -r S:0 drops S, other signals still pass" { t_rewrite_drop pid1; }
@test "subreaper: -r S:0 drops S, other signals still pass" { t_rewrite_drop sub; }

t_rewrite_several() {
	start_rec "$1" -r USR1:USR2 -r USR2:HUP
	kill -USR1 "$MINIT_PID"
	assert_sig_from USR2 "$MINIT_SELF"
	mark_via_minit
	refute_sig HUP
	refute_sig USR1
	kill -USR2 "$MINIT_PID"
	assert_sig_from HUP "$MINIT_SELF"
	stop_rec
}
@test "pid1: several -r apply each to its own signal, no chaining" { t_rewrite_several pid1; }
@test "subreaper: several -r apply each to its own signal, no chaining" { t_rewrite_several sub; }

t_rewrite_group() {
	start_group "$1" -g -r USR1:USR2
	kill -USR1 "$MINIT_PID"
	local p
	for p in "$MAIN" $OTHERS; do
		assert_sigs_from "$MINIT_SELF" -p "$p" USR2
	done
	stop_rec
}
@test "pid1: -r and -g together: the rewritten signal goes to the group" { t_rewrite_group pid1; }
@test "subreaper: -r and -g together: the rewritten signal goes to the group" { t_rewrite_group sub; }

# ---------------------------------------------------------------------------
# a child that is already gone (ESRCH) is not an error

# spam SIGNUM: send SIGNUM to minit as fast as possible until it is gone;
# $T/spam.started appears after the first one was sent
spam() {
	(
		close_fds
		kill -n "$1" "$MINIT_PID" && : >"$T/spam.started"
		while kill -n "$1" "$MINIT_PID" 2>/dev/null && ! is_gone "$MINIT_PID"; do :; done
	) &
	BG_PIDS+=("$!")
	wait_for -m "the first signal sent" test -e "$T/spam.started"
}

t_esrch() { # MODE [MINIT ARGS...]
	# keep signals flowing into minit while the child exits with 7
	local mode=$1
	shift
	start_minit "$mode" "$@" sigrec -o "$REC" -x USR2:7
	wait_ready
	spam 10
	kill -USR2 "$MINIT_PID"
	wait_minit
	[[ $status -eq 7 ]] || fail "want the child's 7, got $status; stderr: $(grep -v '^minit: debug:' "$ERR" | head)"
	assert_no_errors_logged
}
@test "pid1: signals arriving while the child exits (ESRCH) are harmless" { t_esrch pid1 -v; }
@test "subreaper: signals arriving while the child exits (ESRCH) are harmless" { t_esrch sub -v; }
@test "pid1: with -g, signals arriving after the group is gone are harmless" { t_esrch pid1 -g; }
@test "subreaper: with -g, signals arriving after the group is gone are harmless" { t_esrch sub -g; }

# ---------------------------------------------------------------------------
# stderr closed or a broken pipe: no SIGPIPE, no loop, same exit status

t_broken_stderr() { # MODE closed|brokenpipe
	STDERR_MODE=$2
	start_minit "$1" -vvv -w sh -c 'orphans 3 >/dev/null; exec sigrec -o "$1" -x TERM:9' sh "$REC"
	wait_ready
	local s
	for s in USR1 HUP WINCH; do
		kill -s "$s" "$MINIT_PID"
	done
	assert_sigs_from "$MINIT_SELF" USR1 HUP WINCH
	mark_via_minit
	refute_sig PIPE
	is_alive "$MINIT_PID" || fail "minit died"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 9 ]] || fail "want the child's 9, got $status"
	refute_sig PIPE
}
@test "pid1: with stderr closed (2>&-) minit forwards, reaps and returns the child's status" { t_broken_stderr pid1 closed; }
@test "subreaper: with stderr closed (2>&-) minit forwards, reaps and returns the child's status" { t_broken_stderr sub closed; }
@test "pid1: with stderr a pipe without reader minit raises no SIGPIPE and returns the child's status" { t_broken_stderr pid1 brokenpipe; }
@test "subreaper: with stderr a pipe without reader minit raises no SIGPIPE and returns the child's status" { t_broken_stderr sub brokenpipe; }

t_broken_stderr_exec_failure() {
	STDERR_MODE=$2
	run_minit "$1" "$T/no-such-program"
	[[ $status -eq 127 ]] || fail "want 127 for a missing command with stderr $2, got $status"
}
@test "pid1: with stderr closed an exec failure still exits 127" { t_broken_stderr_exec_failure pid1 closed; }
@test "subreaper: with stderr closed an exec failure still exits 127" { t_broken_stderr_exec_failure sub closed; }
@test "pid1: with stderr a broken pipe an exec failure still exits 127" { t_broken_stderr_exec_failure pid1 brokenpipe; }
@test "subreaper: with stderr a broken pipe an exec failure still exits 127" { t_broken_stderr_exec_failure sub brokenpipe; }
