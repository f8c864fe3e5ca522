#!/usr/bin/env bats
# TTY: with stdin a terminal the child gets its own process group and the
# terminal's foreground, Ctrl-C reaches the application (from the terminal,
# not through minit), and minit never stops on SIGTTIN/SIGTTOU.
# Runs minit inside a detached tmux session on its own socket.

load lib/minit

# tty_start MODE PRE [MINIT ARGS...]: run PRE (shell code, e.g. stty tostop)
# and then minit in a new tmux pane; the exit status goes to $T/rc
tty_start() {
	command -v tmux >/dev/null || fail "tmux is needed for the tty tests"
	local mode=$1 pre=$2 cmd q
	shift 2
	MODE=$mode
	# shellcheck disable=SC2207
	cmd=($(minit_cmd "$mode") "$@")
	printf -v q '%q ' "${cmd[@]}"
	# minit's stderr: a file, or the terminal itself with TTY_STDERR=1
	[[ -n ${TTY_STDERR:-} ]] || q+="2>$(printf '%q' "$ERR")"
	cat >"$T/pane.sh" <<-EOF
		$pre
		$q
		echo \$? >$(printf '%q' "$T/rc.tmp")
		mv $(printf '%q' "$T/rc.tmp") $(printf '%q' "$T/rc")
	EOF
	TMUX_SOCK=$T/tmux.sock
	(
		close_fds
		exec env --default-signal MINITTEST_TAG="$TAG" MINIT_RESTART=no TERM=xterm \
			PATH="$PATH" "${EXTRA_ENV[@]}" \
			tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 120 -y 40 "bash $T/pane.sh" \
			</dev/null >"$T/tmux.out" 2>&1
	) || fail "tmux did not start: $(cat "$T/tmux.out")"
	local pane
	pane=$(tmux -S "$TMUX_SOCK" list-panes -F '#{pane_pid}' 2>/dev/null | head -n 1)
	[[ -n $pane ]] || fail "no tmux pane"
	wait_for -m "minit to start in the tmux pane" -d "ps_tree $pane" find_minit_pid "$pane"
	if [[ $mode == pid1 ]]; then MINIT_SELF=1; else MINIT_SELF=$MINIT_PID; fi
}

tty_wait_exit() { # sets status from $T/rc
	wait_for -m "minit in the tmux pane to exit" -d "ps_tree $MINIT_PID" test -s "$T/rc"
	status=$(<"$T/rc")
	stderr=$(cat "$ERR" 2>/dev/null || true)
}

# the child is in its own process group, which is the terminal's
# foreground, and has executed its command (under valgrind, a Ctrl-C that
# comes before the exec can be taken into valgrind's own queue and lost with
# the exec)
child_is_foreground() {
	local pgrp MAIN_CHILD STAT
	main_child || return 1
	stat_field "$MAIN_CHILD" 5 || return 1
	pgrp=$STAT
	stat_field "$MAIN_CHILD" 8 || return 1
	[[ $pgrp == "$MAIN_CHILD" && $STAT == "$MAIN_CHILD" ]] && ! is_minit "$MAIN_CHILD"
}

t_foreground() {
	tty_start "$1" "" sigrec -o "$REC" -x TERM:0
	wait_ready
	wait_for -m "the child to be the terminal's foreground process group" \
		-d "ps_tree $MINIT_PID" child_is_foreground
	main_child || fail "minit has no child"
	stat_field "$MINIT_PID" 5 || fail "minit is gone"
	[[ $STAT != "$MAIN_CHILD" ]] || fail "minit must not be in the child's process group"
	last_ready && [[ $READY_PGID == "$READY_PID" ]] || fail "child's own pgid != pid: $(cat "$REC")"
	kill -TERM "$MINIT_PID"
	tty_wait_exit
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
}
@test "pid1: on a terminal the child gets its own process group and the foreground" { t_foreground pid1; }
@test "subreaper: on a terminal the child gets its own process group and the foreground" { t_foreground sub; }

t_ctrl_c() {
	tty_start "$1" "" sigrec -o "$REC" -x INT:42
	wait_ready
	wait_for -m "the child in the foreground" child_is_foreground
	tmux -S "$TMUX_SOCK" send-keys C-c
	tty_wait_exit
	[[ $status -eq 42 ]] || fail "Ctrl-C should end the child (exit 42 on INT), minit exited $status; stderr: $stderr"
	sig_count INT
	[[ $COUNT -eq 1 ]] || fail "INT recorded $COUNT times: $(cat "$REC")"
	local spid scode
	read -r _ _ _ _ spid scode _ <<<"$SIG_LINES"
	[[ $scode == 128 && $spid == 0 ]] ||
		fail "the INT should come from the terminal (si_code 128, si_pid 0), not through minit: $SIG_LINES"
}
@test "pid1: Ctrl-C on the terminal reaches the application directly" { t_ctrl_c pid1; }
@test "subreaper: Ctrl-C on the terminal reaches the application directly" { t_ctrl_c sub; }

t_ctrl_c_default_action() {
	# an application with the default INT action dies of it: 130
	tty_start "$1" "" sh -c 'exec sleep 600'
	wait_for -m "the child in the foreground" child_is_foreground
	tmux -S "$TMUX_SOCK" send-keys C-c
	tty_wait_exit
	[[ $status -eq 130 ]] || fail "want 130 (child killed by INT), got $status; stderr: $stderr"
}
@test "pid1: Ctrl-C kills a default-action application and minit exits 130" { t_ctrl_c_default_action pid1; }
@test "subreaper: Ctrl-C kills a default-action application and minit exits 130" { t_ctrl_c_default_action sub; }

t_no_stop_on_ttin_ttou() {
	# tostop: a background process writing to the terminal gets SIGTTOU;
	# -vvv makes minit write while the child holds the foreground
	TTY_STDERR=1 tty_start "$1" "stty tostop" -vvv sigrec -o "$REC" -x TERM:0
	wait_ready
	wait_for -m "the child in the foreground" child_is_foreground
	kill -TTIN "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" TTIN
	kill -TTOU "$MINIT_PID"
	kill -TSTP "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" TTOU TSTP
	kill -USR1 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" USR1
	pstate "$MINIT_PID"
	[[ $PSTATE != T ]] || fail "minit is stopped"
	local screen
	screen=$(tmux -S "$TMUX_SOCK" capture-pane -p)
	[[ $screen == *"minit: debug: "* ]] || fail "minit's log lines did not reach the terminal: $screen"
	kill -TERM "$MINIT_PID"
	tty_wait_exit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: minit never stops on TTIN/TTOU (sent, or writing with tostop)" { t_no_stop_on_ttin_ttou pid1; }
@test "subreaper: minit never stops on TTIN/TTOU (sent, or writing with tostop)" { t_no_stop_on_ttin_ttou sub; }
