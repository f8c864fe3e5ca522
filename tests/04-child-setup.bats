#!/usr/bin/env bats
# Child set-up: empty signal mask and default dispositions before exec,
# whatever minit's caller left (ignored signals included), fds 0-2 and passed
# fds inherited, minit's own fds (signalfd, epoll, pidfd, ...) not
# inherited, argv/env/stdio passed through.

load lib/minit

ZERO=0000000000000000

sigprobe_masks() { # sets BLK and IGN from the last run's stdout
	BLK=$(awk '$1 == "SigBlk:" { print $2 }' "$OUT")
	IGN=$(awk '$1 == "SigIgn:" { print $2 }' "$OUT")
	[[ -n $BLK && -n $IGN ]] || fail "sigprobe printed nothing useful: $output / $stderr"
}

assert_clean_masks() {
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
	sigprobe_masks
	[[ $BLK == "$ZERO" ]] || fail "child's SigBlk should be empty, is $BLK"
	[[ $IGN == "$ZERO" ]] || fail "child's SigIgn should be empty, is $IGN"
}

# Under make, GNU make leaves signals 32 and 33 ignored for everything it
# runs (this shell too, then): minit resets those as well.
t_clean_masks() {
	run_minit "$1" sigprobe
	assert_clean_masks
}
@test "pid1: the child starts with no blocked and no ignored signals" { t_clean_masks pid1; }
@test "subreaper: the child starts with no blocked and no ignored signals" { t_clean_masks sub; }

t_caller_ignores_hup() {
	local cmd
	# shellcheck disable=SC2207
	cmd=($(minit_cmd "$1"))
	# a shell that ignores HUP (trap '' HUP) and then runs minit
	run_minit_via sh -c 'trap "" HUP; exec "$@"' sh "${cmd[@]}" sigprobe
	assert_clean_masks
}
@test "pid1: a signal ignored by minit's caller (trap '' HUP) is default again in the child" { t_caller_ignores_hup pid1; }
@test "subreaper: a signal ignored by minit's caller (trap '' HUP) is default again in the child" { t_caller_ignores_hup sub; }

t_caller_ignores_pipe_usr2() {
	LAUNCH_IGNORE=PIPE,USR2
	run_minit "$1" sigprobe
	assert_clean_masks
}
@test "pid1: PIPE and USR2 ignored by the caller are default again in the child" { t_caller_ignores_pipe_usr2 pid1; }
@test "subreaper: PIPE and USR2 ignored by the caller are default again in the child" { t_caller_ignores_pipe_usr2 sub; }

t_ignored_still_forwarded() {
	# even if the caller ignored USR1, minit must not lose it: forwarded
	LAUNCH_IGNORE=USR1
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -USR1 "$MINIT_PID"
	assert_sig_from USR1 "$MINIT_SELF"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: a signal the caller ignored is still forwarded when sent to minit" { t_ignored_still_forwarded pid1; }
@test "subreaper: a signal the caller ignored is still forwarded when sent to minit" { t_ignored_still_forwarded sub; }

# ---------------------------------------------------------------------------
# file descriptors

fd_targets() { # PID -> "fd -> target" lines
	local f
	for f in /proc/"$1"/fd/*; do echo "${f##*/} -> $(readlink "$f")"; done
}

start_idle_child() { # MODE [MINIT ARGS...]: sigrec writing to stdout (no -o)
	local mode=$1
	shift
	start_minit "$mode" "$@" sigrec -x TERM:0
	REC=$OUT
	wait_ready "$OUT"
	main_child || fail "no child"
	CHILD=$MAIN_CHILD
}

t_only_std_fds() {
	start_idle_child "$1" -vvv -w
	local fds FDS
	fds_of "$CHILD"
	fds=${FDS[*]}
	[[ $fds == "0 1 2" ]] || fail "the child should have exactly fds 0 1 2, has: $(fd_targets "$CHILD")"
	kill -TERM "$MINIT_PID"
	wait_minit
}
@test "pid1: the child has only fds 0 1 2 (minit's signalfd/pidfd not inherited)" { t_only_std_fds pid1; }
@test "subreaper: the child has only fds 0 1 2 (minit's signalfd/pidfd not inherited)" { t_only_std_fds sub; }

t_passed_fd() {
	KEEP_FDS=(5)
	exec 5>"$T/fd5.txt"
	start_idle_child "$1"
	exec 5>&-
	local fds FDS
	fds_of "$CHILD"
	fds=${FDS[*]}
	[[ $fds == "0 1 2 5" ]] || fail "the child should have fds 0 1 2 5, has: $(fd_targets "$CHILD")"
	[[ $(readlink "/proc/$CHILD/fd/5") == "$T/fd5.txt" ]] || fail "fd 5 is not the passed file: $(fd_targets "$CHILD")"
	kill -TERM "$MINIT_PID"
	wait_minit
	# and the child can write to it
	exec 5>"$T/fd5.txt"
	run_minit "$1" sh -c 'echo via-fd-5 >&5'
	exec 5>&-
	[[ $status -eq 0 ]] || fail "writing to fd 5 failed: $stderr"
	[[ $(cat "$T/fd5.txt") == via-fd-5 ]] || fail "fd 5 content: $(cat "$T/fd5.txt")"
}
@test "pid1: a passed fd (exec 5>file) is inherited and writable by the child" { t_passed_fd pid1; }
@test "subreaper: a passed fd (exec 5>file) is inherited and writable by the child" { t_passed_fd sub; }

t_no_internal_fd_with_closed_stderr() {
	STDERR_MODE=closed
	start_idle_child "$1" -vvv
	local f t bad=()
	for f in /proc/"$CHILD"/fd/*; do
		t=$(readlink "$f")
		[[ $t != anon_inode:* && $t != socket:* && $t != pipe:* ]] || bad+=("${f##*/} -> $t")
	done
	((${#bad[@]} == 0)) || fail "minit's own fds leaked into the child (stderr closed): ${bad[*]}"
	[[ ! -e /proc/$CHILD/fd/2 ]] || [[ $(readlink "/proc/$CHILD/fd/2") == /dev/null ]] ||
		fail "fd 2 was closed for minit; in the child it is $(readlink "/proc/$CHILD/fd/2")"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: with stderr closed the child's fd 2 is not one of minit's internal fds" { t_no_internal_fd_with_closed_stderr pid1; }
@test "subreaper: with stderr closed the child's fd 2 is not one of minit's internal fds" { t_no_internal_fd_with_closed_stderr sub; }

t_stdio() {
	printf 'line one\nline two\n' >"$T/in.txt"
	LAUNCH_STDIN=$T/in.txt
	run_minit "$1" sh -c 'cat; echo to-stdout; echo to-stderr >&2'
	[[ $status -eq 0 ]] || fail "exit $status"
	[[ $output == $'line one\nline two\nto-stdout' ]] || fail "stdout: $output"
	[[ $stderr == *to-stderr* ]] || fail "the child's stderr should be minit's: $stderr"
}
@test "pid1: the child reads minit's stdin and writes to its stdout and stderr" { t_stdio pid1; }
@test "subreaper: the child reads minit's stdin and writes to its stdout and stderr" { t_stdio sub; }

t_argv_env() {
	EXTRA_ENV=(SOME_VAR="a value")
	run_minit "$1" sh -c 'printf "[%s]" "$@"; printf "{%s}" "$SOME_VAR"' sh 'a b' '' '-v' '--' '*'
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
	[[ $output == '[a b][][-v][--][*]{a value}' ]] || fail "argv/env not passed verbatim: $output"
}
@test "pid1: argv and environment reach the child verbatim" { t_argv_env pid1; }
@test "subreaper: argv and environment reach the child verbatim" { t_argv_env sub; }
