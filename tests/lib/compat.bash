# The differential compatibility suites, tests/5x-compat-*.bats (part of
# lib/minit). One test body runs against a peer's real binary (Debian's
# /usr/bin/tini, /usr/bin/dumb-init) and against minit installed under the
# peer's name, so a test shows that it encodes the peer's behaviour, not
# minit's reading of it.
#
# Each case is written out as @tests "NAME MODE: TITLE" (IMPL=peer) and
# "minit as NAME MODE: TITLE" (IMPL=minit), calling its body with MODE. The
# body starts with init_prog NAME; then start_init, run_init and their _via
# forms run INIT_PROG as start_minit, run_minit, start_via and run_via run
# minit, and set MINIT_PID to the init's host pid whatever init it is, so
# that main_child, host_pid, the signal helpers and teardown work for both.
# (A peer's binary is not minit: minit_argv leaves it as it is, so
# valgrind's wrapper and the emulator's go only in front of minit.)

PEER_DIR=${PEER_DIR:-/usr/bin}

# is_peer: IMPL is the peer
is_peer() { [[ $IMPL == peer ]]; }

# init_prog NAME: INIT_PROG = the program to run for IMPL: the peer's
# binary (the test is skipped when it is not installed), or a symlink
# NAME -> minit
init_prog() {
	if is_peer; then
		INIT_PROG=$PEER_DIR/$1
		[[ -x $INIT_PROG ]] || skip "$INIT_PROG is not installed"
	else
		INIT_PROG=$(personality "$1")
	fi
}

# is_init PID: PID runs the init under test (its exec is done)
is_init() {
	if is_peer; then
		[[ /proc/$1/exe -ef $INIT_PROG ]]
	else
		is_minit "$1"
	fi
}

# _init_ready: the init takes signals. The peers block their signals before
# they fork the child: once the child runs, a signal to the init is taken
# (minit: minit_takes_signals)
_init_ready() {
	if is_peer; then
		has_children "$MINIT_PID" || is_gone "$MINIT_PID"
	else
		minit_blocked_or_gone
	fi
}

# start_init MODE INIT_ARGS...: start_minit for INIT_PROG: start it in MODE
# in the background and wait until it takes signals; sets LAUNCH_PID,
# MINIT_PID (the init's host pid) and MINIT_SELF (1 as PID 1)
start_init() {
	local PROG=$INIT_PROG
	rm -f "$REC" # a ready line from an earlier run must not count
	_launch_minit "$@"
	wait_for -m "the init to start under pid $LAUNCH_PID" -d "ps_tree $LAUNCH_PID" \
		find_minit_pid "$LAUNCH_PID" is_init
	if [[ $MODE == pid1 ]]; then MINIT_SELF=1; else MINIT_SELF=$MINIT_PID; fi
	wait_for -m "the init (pid $MINIT_PID) to take signals" _init_ready
}

# start_init_via MODE WRAPPER... -- INIT_ARGS...: start_init behind WRAPPER
# (see start_via)
start_init_via() { _via start_init "$@"; }

# run_init MODE INIT_ARGS...: run_minit for INIT_PROG (status, output,
# stderr ...)
run_init() {
	local PROG=$INIT_PROG
	run_minit "$@"
}

# run_init_via MODE WRAPPER... -- INIT_ARGS...: run_init behind WRAPPER
run_init_via() {
	local PROG=$INIT_PROG
	run_via "$@"
}

# forwards_each SIG...: send each SIG to the init and wait for the child's
# record of it ($REC), then check that each reached the child exactly once,
# from the init, and that no CONT was added
forwards_each() {
	local s
	for s; do
		signum "$s"
		kill -n "$SIGNUM" "$MINIT_PID"
		wait_sig "$s"
	done
	mark_via_minit
	assert_sigs_from "$MINIT_SELF" "$@"
	refute_sig CONT
}

# compat_no_escalation MODE INIT_ARGS...: a stop request is forwarded and
# nothing else (the peers never send KILL: the orchestrator's own timeout
# decides): the init over a TERM-ignoring sigrec still runs
# NO_KILL_WINDOW_MS after TERM (past minit's own 9 s), the child got TERM
# once and no CONT. A body for sv_both.
NO_KILL_WINDOW_MS=${NO_KILL_WINDOW_MS:-9600}
compat_no_escalation() {
	local mode=$1 MAIN_CHILD
	shift
	start_init "$mode" "$@" sigrec -o "$REC"
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_sig TERM
	sv_stays_alive "$MINIT_PID" "$NO_KILL_WINDOW_MS"
	main_child || fail "the child is gone"
	sig_count TERM
	((COUNT == 1)) || fail "TERM reached the child $COUNT times"
	refute_sig CONT
	kill -KILL "$MAIN_CHILD"
	wait_minit
	assert_exit 137 "the child, killed by the test"
}

# LEAVE_ONE: the child starts a TERM-ignoring sigrec (the leftover), then
# exits 5 once $D/go exists
LEAVE_ONE='sigrec -o "$REC" & while [ ! -e "$D/go" ]; do sleep 0.01; done; exit 5'

# compat_leave_one MODE FATE INIT_ARGS...: the init with INIT_ARGS over
# LEAVE_ONE in MODE; the child exits 5: the init exits 5 at once. FATE is
# the leftover's: gone (as PID 1: with the namespace), none (not PID 1: it
# still runs, and got no signal) or a signal (not PID 1: it still runs, and
# got that signal once and nothing else)
compat_leave_one() {
	local mode=$1 fate=$2 left READY_PID READY_PGID READY_SID HOST_PID
	shift 2
	EXTRA_ENV=(REC="$REC" D="$T")
	start_init "$mode" "$@" sh -c "$LEAVE_ONE"
	wait_ready
	last_ready
	left=$READY_PID
	if [[ $fate == gone ]]; then
		host_pid "$left" || fail "the leftover (pid $left in the namespace) is not below the init"
		left=$HOST_PID
		touch "$T/go"
		wait_minit 4
		assert_exit 5 "the child's"
		wait_for -m "the leftover gone with the namespace" is_gone "$left"
		return 0
	fi
	touch "$T/go"
	wait_minit 2
	assert_exit 5 "the child's"
	is_alive "$left" || fail "the leftover (pid $left) was ended"
	# the marker straight to the leftover: what it recorded before is complete
	kill -n $MARK "$left"
	wait_sig $MARK
	count_lines "$REC" '^sig'
	if [[ $fate == none ]]; then
		((NLINES == 1)) || fail "the leftover got signals: $(grep '^sig' "$REC")"
	else
		sig_count "$fate"
		((COUNT == 1)) || fail "the leftover got $fate $COUNT times: $(grep '^sig' "$REC")"
		((NLINES == 2)) || fail "the leftover got more: $(grep '^sig' "$REC")"
	fi
	kill -KILL "$left"
}

# init_on_tty [-e] INIT_ARGS...: run the init with INIT_ARGS over a child
# `sh -c 'cat /proc/$$/stat /proc/$PPID/stat'` on a terminal of its own
# (script(1)): as a child of the terminal's shell, or exec'ed by it with -e
# (a session leader, as docker run -it makes it). Sets TTY_PID (the child's
# pid), TTY_CHILD and TTY_INIT (the child's and the init's stat fields after
# "PID (comm) ": [0] state [1] ppid [2] pgrp [3] session [4] tty_nr [5] tpgid)
init_on_tty() {
	local f MINIT_ARGV
	: >"$T/cmd"
	if [[ $1 == -e ]]; then
		printf 'exec ' >"$T/cmd"
		shift
	fi
	minit_argv "$INIT_PROG"
	printf '%q ' "${MINIT_ARGV[@]}" "$@" sh -c 'cat /proc/$$/stat /proc/$PPID/stat' >>"$T/cmd"
	# exec: whatever $SHELL script(1) runs (dash, with SHELL unset, keeps
	# itself as the session leader) hands the session to the file's shell
	script -qec "exec sh $T/cmd" /dev/null </dev/null | tr -d '\r' | grep -E '^[0-9]+ \(' >"$T/stat" || true
	mapfile -t f <"$T/stat"
	((${#f[@]} == 2)) || fail "expected two stat lines from the terminal: $(cat "$T/stat")"
	TTY_PID=${f[0]%% *}
	read -r -a TTY_CHILD <<<"${f[0]#*) }"
	read -r -a TTY_INIT <<<"${f[1]#*) }"
}

# notify_passthrough MODE [--]: the launcher's NOTIFY_SOCKET (systemd,
# podman --sdnotify=container) reaches the child of INIT_PROG as it is: the
# child checks it, and its own READY=1 arrives there ("--" where the init
# takes one before the command)
notify_passthrough() {
	up_listen
	EXTRA_ENV=(NOTIFY_SOCKET="$UP")
	run_init "$@" sh -c 'test "$NOTIFY_SOCKET" = "$0" && exec systemd-notify --ready --status=up' "$UP"
	assert_exit 0 "the child's: NOTIFY_SOCKET unchanged, READY=1 sent"
	wait_lines "$UP_LOG" '^from [0-9]+ READY=1\|STATUS=up\|?$'
}
