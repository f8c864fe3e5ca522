#!/usr/bin/env bats
# `docker run -it` under a real terminal (a tmux pane): the docker client puts
# the pane in raw mode, so Ctrl-C is a byte that reaches the container's pty,
# whose line discipline turns it into SIGINT for the pty's foreground process
# group. minit makes its child's group the foreground one, so Ctrl-C reaches
# the application (once), an interactive shell can read the terminal, and the
# container exits with the application's status.

load lib

# tty_start NAME DOCKER-RUN-ARGS...: run `docker run -it` in a detached tmux
# pane; its exit status goes to $T/rc. The pane stays after the command ends.
tty_start() {
	local name=$1
	shift
	E2E_CONTAINERS+=("$name")
	TMUX_SOCK=$T/tmux.sock
	{
		printf '%q ' docker run -it --rm --pull never --name "$name" --label "$E2E_LABEL.run=$E2E_RUN" \
			--label "$E2E_LABEL.owner=$E2E_OWNER" "$@"
		printf '\necho "exit=$?" >%q\n' "$T/rc"
	} >"$T/run.sh"
	TERM=xterm tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 160 -y 40 "bash $(printf %q "$T/run.sh")" 3>&-
	tmux -S "$TMUX_SOCK" set-option -g remain-on-exit on >/dev/null
}

pane() { tmux -S "$TMUX_SOCK" capture-pane -p -S -200 2>/dev/null; }
pane_has() { pane | grep -qE -- "$1"; }
wait_pane() { wait_for -t "${2:-30}" -m "/$1/ in the terminal" pane_has "$1"; }
keys() { tmux -S "$TMUX_SOCK" send-keys "$@"; }
tty_exit() { # wait for the docker client to end; prints its exit status
	wait_for -t 30 -m "docker run -it to end" test -s "$T/rc"
	sed -n 's/^exit=//p' "$T/rc"
}

@test "docker run -it: Ctrl-C reaches the application once (from the terminal), the container exits with its status" {
	local c rc line
	c=$(cname tty-int)
	# sigrec exits 42 on INT and prints a line for every signal
	tty_start "$c" --network none -e MINIT_VERBOSITY=2 "$IMG_SCRATCH" sigrec -x INT:42
	wait_pane '^ready [0-9]+ '
	keys C-c
	rc=$(tty_exit)
	[[ $rc == 42 ]] || fail "docker run -it exited $rc, expected 42:
$(pane)"
	line=$(pane | grep -E '^(\^C)?sig INT 2 ') || fail "no INT recorded:
$(pane)"
	[[ $(wc -l <<<"$line") == 1 ]] || fail "INT recorded more than once: $line"
	# si_code 128 (SI_KERNEL): the terminal sent it, straight to the child's group
	[[ $(awk '{ print $6 }' <<<"$line") == 128 ]] || fail "INT did not come from the terminal: $line"
	pane_has '^minit: info: pid [0-9]+ exited with status 42' || fail "no exit line from minit:
$(pane)"
}

@test "docker run -it: an interactive shell under minit reads the terminal, Ctrl-C interrupts its foreground job, exit 7 ends the container with 7" {
	local c rc
	c=$(cname tty-sh)
	tty_start "$c" --network none "$IMG_SCRATCH" sh
	wait_pane '^[~/][^ ]* #'
	keys 'echo "answer-$((6 * 7))"' Enter
	wait_pane '^answer-42$'
	keys 'sleep 600' Enter
	wait_for -t 20 -m "sleep 600 running" eval "[[ -n \$(pids_matching '$c' ' sleep 600 \$') ]]"
	keys C-c
	wait_for -t 20 -m "sleep 600 interrupted" eval "[[ -z \$(pids_matching '$c' ' sleep 600 \$') ]]"
	keys 'echo "after-sleep=$?"' Enter
	wait_pane '^after-sleep=130$'
	keys 'exit 7' Enter
	rc=$(tty_exit)
	[[ $rc == 7 ]] || fail "docker run -it exited $rc, expected 7:
$(pane)"
}
