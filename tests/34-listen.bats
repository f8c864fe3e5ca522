#!/usr/bin/env bats
# --listen (issue 3): minit binds and listens before the first spawn and
# passes the sockets as fds 3... with LISTEN_FDS, LISTEN_PID (the child's
# pid) and LISTEN_FDNAMES; they stay open across restarts, so clients see no
# refused connection while the server crashes and restarts. Bad addresses
# (exit 2), ports in use and permission errors (exit 125) are one-line
# errors before anything is spawned. Only 127.0.0.1 / ::1 are used.

load lib/minit

# socket inode listening on a TCP port (hex in /proc/net/tcp{,6}) or a unix path
tcp_inode() { # FILE PORT
	awk -v p="$(printf ':%04X' "$2")" '$2 ~ p"$" && $4 == "0A" { print $10; exit }' "$1"
}
unix_inode() { # PATH
	awk -v p="$1" '$8 == p && $6 == "01" { print $7; exit }' /proc/net/unix
}

t_env() {
	local p4 p6 line ns fds inodes i
	p4=$(free_port)
	p6=$(free_port)
	start_supervised "$1" --listen "web=tcp:127.0.0.1:$p4" --listen "tcp6:[::1]:$p6" \
		--listen "ctl=unix:$T/ctl.sock" \
		sh -c 'echo "env $LISTEN_FDS $LISTEN_PID $$ $LISTEN_FDNAMES"
			echo fds-begin; ls -v /proc/$$/fd; echo fds-end
			ino=; for f in 3 4 5; do [ -S /proc/$$/fd/$f ] && ino="$ino $(readlink /proc/$$/fd/$f)"; done
			echo "inodes$ino"
			exec sleep 1000'
	wait_lines "$OUT" '^inodes( |$)'
	read -r _ n lpid ns names < <(grep '^env ' "$OUT")
	[[ $n == 3 ]] || fail "LISTEN_FDS=$n, expected 3: $(cat "$OUT")"
	[[ $lpid == "$ns" ]] || fail "LISTEN_PID=$lpid is not the child's pid $ns"
	[[ $names == web:listen:ctl ]] || fail "LISTEN_FDNAMES=$names, expected web:listen:ctl"
	# (ls writes straight to the file: a pipe would add the shell's pipe fds)
	fds=$(awk '$1 == "fds-end" { f = 0 } f { printf " %s", $1 } $1 == "fds-begin" { f = 1 }' "$OUT")
	main_child && valgrind_fd "$MAIN_CHILD" "$VG_FD" && fds=${fds% "$VG_FD"} # valgrind's log
	[[ $fds == " 0 1 2 3 4 5" ]] || fail "the child's fds should be 0-2 and the 3 sockets, got:$fds"
	inodes=($(grep '^inodes ' "$OUT" | sed 's/socket:\[\([0-9]*\)\]/\1/g'))
	((${#inodes[@]} == 4)) || fail "fds 3, 4, 5 should be sockets: ${inodes[*]}"
	[[ ${inodes[1]} == "$(tcp_inode /proc/net/tcp "$p4")" ]] ||
		fail "fd 3 is not the socket listening on 127.0.0.1:$p4"
	[[ ${inodes[2]} == "$(tcp_inode /proc/net/tcp6 "$p6")" ]] ||
		fail "fd 4 is not the socket listening on [::1]:$p6"
	[[ ${inodes[3]} == "$(unix_inode "$T/ctl.sock")" ]] ||
		fail "fd 5 is not the socket listening on $T/ctl.sock"
	# they accept connections (the kernel completes the handshake for the backlog)
	exec {i}<>"/dev/tcp/127.0.0.1/$p4" || fail "no connection to 127.0.0.1:$p4"
	exec {i}>&-
	exec {i}<>"/dev/tcp/::1/$p6" || fail "no connection to [::1]:$p6"
	exec {i}>&-
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 143 "sleep killed by TERM"
}
@test "pid1: --listen passes tcp, tcp6 and unix sockets as fds 3-5 with LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES" {
	t_env pid1
}
@test "subreaper: --listen passes tcp, tcp6 and unix sockets as fds 3-5 with LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES" {
	t_env sub
}

# The child can connect at once: minit listened before the first spawn.
t_before_spawn() {
	local port
	port=$(free_port)
	run_minit "$1" --listen "tcp:127.0.0.1:$port" \
		bash -c 'exec 9<>"/dev/tcp/127.0.0.1/$1" && echo connected' bash "$port"
	assert_exit 0 "the child connected"
	[[ $output == connected ]] || fail "the child could not connect: $output $stderr"
}
@test "pid1: the socket listens before the first spawn" { t_before_spawn pid1; }
@test "subreaper: the socket listens before the first spawn" { t_before_spawn sub; }

# fd 3's socket inode of the current prefork master
master_fd3() {
	main_child || return 1
	readlink "/proc/$MAIN_CHILD/fd/3"
}

# A client loop against the socket while the server is made to crash 10
# times: no connection is refused, the socket is the same throughout.
t_no_refused() {
	local port k first last summary total ok refused other
	port=$(free_port)
	start_supervised "$1" --listen "tcp:127.0.0.1:$port" --restart on-crash --backoff-min 10ms \
		--backoff-max 20ms --restart-max 50 prefork-server -w 2 -o "$T/prefork.log"
	wait_ready "$OUT"
	first=$(master_fd3)
	"$SVTOOL" client "$port" "$T/client.stop" 200000 60000 >"$T/client.out" &
	local client=$!
	BG_PIDS+=("$client")
	for k in 1 2 3 4 5 6 7 8 9 10; do
		[[ $(tcp_req "$port" $'crash\n') == crash* ]] || fail "crash $k: no reply$(diag_tail)"
		wait_ready "$OUT" $((k + 1))
	done
	wait_for -m "the last server to answer" prefork_ping "$port"
	last=$(master_fd3)
	touch "$T/client.stop"
	wait "$client"
	read -r _ total _ ok _ refused _ other < <(grep '^total ' "$T/client.out")
	echo "# client: $total connections, $ok answered, $refused refused, $other other failures" >&3
	[[ -n $total ]] || fail "no client summary: $(cat "$T/client.out")"
	((refused == 0)) || fail "$refused connections refused:
$(grep '^fail' "$T/client.out" | head -20)"
	((ok > 0 && total >= 10)) || fail "too few connections: $(tail -n 1 "$T/client.out")"
	count_log warning 'killed by SIGSEGV; restart'
	[[ $NLINES -eq 10 ]] || fail "expected 10 restarts, got $NLINES: $(cat "$ERR")"
	count_lines "$T/prefork.log" 'listening on fd 3 \(LISTEN_FDS\)'
	[[ $NLINES -eq 11 ]] || fail "every start should use fd 3 (LISTEN_FDS): $(grep listening "$T/prefork.log")"
	[[ -n $first && $first == "$last" ]] || fail "fd 3 changed across restarts: $first -> $last"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "fast stop of the last server"
}
@test "pid1: no connection is refused while the server crashes 10 times (socket held by minit)" {
	t_no_refused pid1
}
@test "subreaper: no connection is refused while the server crashes 10 times (socket held by minit)" {
	t_no_refused sub
}

# one line on stderr, nothing on stdout, command not run
assert_one_line_error() { # CODE WHY
	assert_exit "$1" "$2"
	((${#stderr_lines[@]} == 1)) || fail "expected one error line, got: $stderr"
	[[ ${stderr_lines[0]} == minit:* ]] || fail "the error line should start with minit: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran"
	[[ -z $output ]] || fail "stdout should be empty: $output"
}

t_bad_addr() {
	local a
	for a in 'tcp:127.0.0.1:99999' 'tcp:127.0.0.1' 'tcp:127.0.0.1:' 'udp:127.0.0.1:53' \
		'tcp6:::1:80' 'tcp6:[::1]80' 'tcp:not.an.address:80' 'unix:' '127.0.0.1:80' \
		'=tcp:127.0.0.1:80'; do
		run_minit "$1" --listen "$a" touch "$T/ran"
		assert_one_line_error 2 "invalid address $a"
		[[ $stderr == *"$a"* || $stderr == *listen* ]] || fail "the error should name the address or option: $stderr"
	done
	EXTRA_ENV=(MINIT_LISTEN=tcp:localhost:http)
	run_minit "$1" touch "$T/ran"
	assert_one_line_error 2 "invalid MINIT_LISTEN"
}
@test "pid1: invalid --listen addresses are one-line usage errors (exit 2), nothing spawned" { t_bad_addr pid1; }
@test "subreaper: invalid --listen addresses are one-line usage errors (exit 2), nothing spawned" { t_bad_addr sub; }

t_in_use() {
	local port free first
	port=$(free_port)
	free=$(free_port)
	# another minit holds the port
	env MINITTEST_TAG="$TAG" "${MINIT_WRAP[@]}" "$MINIT" --listen "tcp:127.0.0.1:$port" sleep 1000 2>/dev/null &
	first=$!
	BG_PIDS+=("$first")
	wait_for -m "port $port to listen" eval '[[ -n $(tcp_inode /proc/net/tcp "$port") ]]'
	run_minit "$1" --listen "tcp:127.0.0.1:$free" --listen "tcp:127.0.0.1:$port" touch "$T/ran"
	assert_one_line_error 125 "port $port in use"
	[[ $stderr == *"127.0.0.1:$port"* && $stderr == *"in use"* ]] ||
		fail "the error should name the address and the cause: $stderr"
	[[ -z $(tcp_inode /proc/net/tcp "$free") ]] || fail "port $free is still listening"
}
@test "pid1: a port in use is a one-line error (exit 125) before anything is spawned" { t_in_use pid1; }
@test "subreaper: a port in use is a one-line error (exit 125) before anything is spawned" { t_in_use sub; }

t_permission() {
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %s "$@"\n' \
		"${MINIT_WRAP[*]} \"$MINIT\"" >"$T/bin/minit-nobody"
	chmod 755 "$T/bin/minit-nobody"
	PROG=$T/bin/minit-nobody
	if ((start > 80)); then
		run_minit "$1" --listen "tcp:127.0.0.1:80" touch "$T/ran"
		assert_one_line_error 125 "port 80 as nobody"
		[[ $stderr == *"ermission denied"* ]] || fail "the error should give the cause: $stderr"
	fi
	mkdir -m 0700 "$T/private"
	run_minit "$1" --listen "unix:$T/private/sock" touch "$T/ran"
	assert_one_line_error 125 "unix socket in a root-only directory as nobody"
	[[ $stderr == *"ermission denied"* ]] || fail "the error should give the cause: $stderr"
}
@test "pid1: permission errors (privileged port, unwritable directory) are one-line errors (exit 125)" {
	t_permission pid1
}
@test "subreaper: permission errors (privileged port, unwritable directory) are one-line errors (exit 125)" {
	t_permission sub
}
