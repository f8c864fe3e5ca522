#!/usr/bin/env bats
# Paths minit opens, and what a careless launcher or a hostile child can put
# there (issue 10): the --pidfile as a FIFO, a symbolic link or a directory
# (a child that can write the pid file's directory must not be able to
# block or steer its init), and a --listen unix:PATH that is a file, a
# directory, a dangling symbolic link or another server's live socket
# (refused, never removed; only a stale socket is replaced).

load lib/minit

# ---------------------------------------------------------------------------
# --pidfile

# A launcher that exits 0 and leaves a daemon behind, in $T: minit looks for
# the daemon in the pid file, which is made by PREP (run in $T first).
start_daemonising() { # MODE PREP
	EXTRA_ENV=(D="$T")
	start_minit "$1" -v --pidfile "$T/server.pid" \
		sh -c 'cd "$D" && { '"$2"'; } && { sleep 60 & } && echo $! >"$D/daemon" && exit 0'
}

# a stop request while minit looks for the daemon: it ends at once, with the
# launcher's 0, the daemon with it
stop_looking() {
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "the launcher's status"
	local d
	d=$(cat "$T/daemon")
	[[ $MODE == pid1 ]] || is_gone "$d" || fail "the daemon (pid $d) was left running"
}

# the pid file is not a regular file (PREP makes what it is): refused
t_pidfile_not_regular() { # MODE PREP
	start_daemonising "$1" "$2"
	wait_log warning "pidfile $T/server.pid is not a regular file: not followed" 1 5
	stop_looking
}
@test "pid1: --pidfile is a FIFO: not opened for reading, minit never blocks on it" { t_pidfile_not_regular pid1 'mkfifo server.pid'; }
@test "subreaper: --pidfile is a FIFO: not opened for reading, minit never blocks on it" { t_pidfile_not_regular sub 'mkfifo server.pid'; }
@test "pid1: --pidfile is a directory: refused with one warning" { t_pidfile_not_regular pid1 'mkdir server.pid'; }
@test "subreaper: --pidfile is a directory: refused with one warning" { t_pidfile_not_regular sub 'mkdir server.pid'; }

# A symbolic link, even to a good pid file naming minit's own child: a child
# could point it anywhere (another process's pid file, /dev/zero).
t_pidfile_symlink() {
	EXTRA_ENV=(D="$T")
	start_minit "$1" -v --pidfile "$T/server.pid" \
		sh -c 'cd "$D" && { sleep 60 & } && echo $! >"$D/daemon" && echo $! >real.pid &&
			ln -s real.pid server.pid && exit 0'
	wait_log warning "pidfile $T/server.pid is a symbolic link: not followed" 1 5
	count_log info 'following pid'
	((NLINES == 0)) || fail "minit followed the link"
	stop_looking
	count_log warning 'symbolic link'
	((NLINES == 1)) || fail "the warning should be logged once"
}
@test "pid1: --pidfile is a symbolic link: not followed, warned once" { t_pidfile_symlink pid1; }
@test "subreaper: --pidfile is a symbolic link: not followed, warned once" { t_pidfile_symlink sub; }

# ---------------------------------------------------------------------------
# --listen unix:PATH

# exit 125 with one line naming the problem; the child never ran
assert_refused() { # TEXT
	assert_exit 125 "a listen path minit must not take"
	((${#stderr_lines[@]} == 1)) || fail "expected one line on stderr: $stderr"
	[[ ${stderr_lines[0]} == "minit: error: unable to listen on unix:$T/sock: "*"$1"* ]] ||
		fail "expected '$1' on stderr: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran"
}

t_listen_file() {
	echo precious >"$T/sock"
	run_minit "$1" --listen "unix:$T/sock" touch "$T/ran"
	assert_refused "exists and is not a socket (a file)"
	[[ $(cat "$T/sock") == precious ]] || fail "the file was changed or removed"
}
@test "pid1: --listen unix:PATH on a regular file: exit 125, the file intact" { t_listen_file pid1; }
@test "subreaper: --listen unix:PATH on a regular file: exit 125, the file intact" { t_listen_file sub; }

t_listen_dir() {
	mkdir "$T/sock"
	run_minit "$1" --listen "unix:$T/sock" touch "$T/ran"
	assert_refused "exists and is not a socket (a directory)"
	[[ -d $T/sock ]] || fail "the directory is gone"
}
@test "pid1: --listen unix:PATH on a directory: exit 125" { t_listen_dir pid1; }
@test "subreaper: --listen unix:PATH on a directory: exit 125" { t_listen_dir sub; }

t_listen_dangling() {
	ln -s "$T/nowhere" "$T/sock"
	run_minit "$1" --listen "unix:$T/sock" touch "$T/ran"
	assert_refused "exists and is not a socket (a symbolic link)"
	[[ -L $T/sock && ! -e $T/nowhere ]] || fail "the link was replaced or followed"
}
@test "pid1: --listen unix:PATH on a dangling symbolic link: exit 125, the link intact" { t_listen_dangling pid1; }
@test "subreaper: --listen unix:PATH on a dangling symbolic link: exit 125, the link intact" { t_listen_dangling sub; }

# another server's socket, live: taking it would silently steal its clients
t_listen_live() {
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[1] + ".up", "w").close()
time.sleep(60)' "$T/sock" &
	BG_PIDS+=($!)
	wait_for -m "the other server" test -e "$T/sock.up"
	run_minit "$1" --listen "unix:$T/sock" touch "$T/ran"
	assert_refused "another server is listening on it"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$T/sock" ||
		fail "the other server's socket no longer answers"
}
@test "pid1: --listen unix:PATH that another server listens on: exit 125, its socket untouched" { t_listen_live pid1; }
@test "subreaper: --listen unix:PATH that another server listens on: exit 125, its socket untouched" { t_listen_live sub; }

# a stale socket file (its server is gone): replaced, as before
t_listen_stale() {
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/sock"
	[[ -S $T/sock ]] || fail "no stale socket made"
	run_minit "$1" --listen "unix:$T/sock" sh -c 'echo "fds=$LISTEN_FDS"'
	assert_exit 0 "the child's"
	[[ $output == fds=1 ]] || fail "the child did not get the socket: $output"
}
@test "pid1: --listen unix:PATH on a stale socket file: replaced" { t_listen_stale pid1; }
@test "subreaper: --listen unix:PATH on a stale socket file: replaced" { t_listen_stale sub; }
