#!/usr/bin/env bats
# Real servers under minit (issue 3), as PID 1 of a PID namespace and as a
# subreaper: nginx (`daemon off`; `daemon on` followed through --pidfile; the
# binary upgrade is in 33-handoff), gunicorn on a --listen socket across a
# crash, apache2 prefork's graceful-stop, and PostgreSQL's four-step ladder
# TERM,INT,QUIT,KILL (smart -> fast -> immediate -> kill). Private configs in
# the test's directory, 127.0.0.1 and free ports only. The Debian packages
# come from scripts/packages.sh (nginx-light|nginx, gunicorn, apache2,
# postgresql), run in setup_file when one is missing.

load lib/minit

setup_file() {
	check_probes || return 1
	server_packages || echo "# scripts/packages.sh failed: server tests will skip" >&3
	pg_init || echo "# no PostgreSQL cluster: the PostgreSQL tests will skip" >&3
}

teardown_file() { pg_cleanup; }

assert_no_kill() {
	count_log warning KILL
	[[ $NLINES -eq 0 ]] || fail "KILL was needed: $(cat "$ERR")"
}

# ---------------------------------------------------------------------------
# nginx

# daemon off: TERM (fast) and QUIT (graceful) both end nginx and minit with 0
t_nginx_foreground() {
	local port sig
	need /usr/sbin/nginx
	for sig in TERM QUIT; do
		port=$(free_port)
		rm -rf "$T/nginx"
		nginx_conf "$T/nginx" "$port" off
		start_supervised "$1" /usr/sbin/nginx -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
		wait_for -m "nginx to answer" http_ok "$port"
		kill -"$sig" "$MINIT_PID"
		wait_minit
		assert_exit 0 "nginx's clean exit on $sig"
		assert_no_kill
		count_lines "$T/nginx/error.log" 'exit$'
		((NLINES >= 1)) || fail "nginx did not exit cleanly on $sig: $(tail "$T/nginx/error.log")"
	done
}
@test "pid1: nginx (daemon off) serves and exits 0 on TERM and on QUIT" { t_nginx_foreground pid1; }
@test "subreaper: nginx (daemon off) serves and exits 0 on TERM and on QUIT" { t_nginx_foreground sub; }

# daemon on: the launcher exits, minit follows the master through the pid
# file, forwards HUP (reload) to it and stops it cleanly.
t_nginx_daemon() {
	local port master
	need /usr/sbin/nginx
	port=$(free_port)
	nginx_conf "$T/nginx" "$port" on
	start_supervised "$1" -v --pidfile "$T/nginx/nginx.pid" \
		/usr/sbin/nginx -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
	wait_log info 'exited; following pid'
	master=$(pidfile_pid "$T/nginx/nginx.pid")
	count_log info "following pid $master "
	[[ $NLINES -eq 1 ]] || fail "minit did not follow nginx's master $master: $(cat "$ERR")"
	wait_for -m "nginx to answer" http_ok "$port"
	is_alive "$MINIT_PID" || fail "minit ended with nginx's launcher"
	kill -HUP "$MINIT_PID"
	wait_lines "$T/nginx/error.log" 'reconfiguring'
	wait_for -m "nginx to answer after the reload" http_ok "$port"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "nginx's clean exit"
	assert_no_kill
	grep -q "$master#$master: exit" "$T/nginx/error.log" || fail "the master did not exit cleanly"
}
@test "pid1: nginx (daemon on) is followed through --pidfile, reloads on HUP, stops cleanly" {
	t_nginx_daemon pid1
}
@test "subreaper: nginx (daemon on) is followed through --pidfile, reloads on HUP, stops cleanly" {
	t_nginx_daemon sub
}

# ---------------------------------------------------------------------------
# gunicorn: the --listen socket through LISTEN_FDS, kept across a crash

t_gunicorn() {
	local port master client total ok refused other
	need /usr/bin/gunicorn
	port=$(free_port)
	wsgi_app "$T/app"
	start_supervised "$1" --listen "tcp:127.0.0.1:$port" --restart on-crash --backoff-min 100ms \
		/usr/bin/gunicorn --chdir "$T/app" -w 2 --graceful-timeout 5 app:app
	wait_for -t 20 -m "gunicorn to answer" http_ok "$port"
	count_lines "$ERR" "Listening at: http://127.0.0.1:$port"
	[[ $NLINES -eq 1 ]] || fail "gunicorn did not take the socket from LISTEN_FDS: $(cat "$ERR")"
	"$SVTOOL" client "$port" "$T/client.stop" 100000 60000 \
		$'GET / HTTP/1.0\r\n\r\n' 'HTTP/1.0 200' >"$T/client.out" &
	client=$!
	BG_PIDS+=("$client")
	main_child && master=$MAIN_CHILD
	kill -SEGV "$master"
	wait_log warning 'killed by SIGSEGV; restart 1 of 5 in 100 ms'
	wait_lines "$ERR" "Listening at: http://127.0.0.1:$port" 2 20
	wait_for -t 20 -m "the restarted gunicorn to answer" http_ok "$port"
	touch "$T/client.stop"
	wait "$client"
	read -r _ total _ ok _ refused _ other < <(grep '^total ' "$T/client.out")
	echo "# client: $total requests, $ok answered, $refused refused, $other other failures" >&3
	((refused == 0)) || fail "$refused connections refused across the crash:
$(grep '^fail' "$T/client.out" | head -20)"
	kill -TERM "$MINIT_PID"
	wait_minit 20
	assert_exit 0 "gunicorn's graceful exit"
	assert_no_kill
}
@test "pid1: gunicorn serves on the --listen socket, survives a crash with no refused connection, stops with 0" {
	t_gunicorn pid1
}
@test "subreaper: gunicorn serves on the --listen socket, survives a crash with no refused connection, stops with 0" {
	t_gunicorn sub
}

# ---------------------------------------------------------------------------
# apache2 prefork: graceful-stop (WINCH) finishes an open request

# request_read PORT FD: the server side of our connection FD to PORT has
# consumed what we sent (rx queue empty): a child accepted it and reads
apache_read() {
	local ino cport
	ino=$(readlink "/proc/$BASHPID/fd/$2") && ino=${ino//[^0-9]/}
	cport=$(awk -v i="$ino" '$10 == i { split($2, a, ":"); print a[2]; exit }' /proc/net/tcp)
	[[ -n $cport ]] || return 1
	awk -v s="$(printf '%04X' "$1")" -v c="$cport" '
		{ split($2, l, ":"); split($3, r, ":"); split($5, q, ":") }
		l[2] == s && r[2] == c && $4 == "01" { found = 1; if (q[2] ~ /^0+$/) ok = 1 }
		END { exit !(found && ok) }' /proc/net/tcp
}

t_apache() {
	local port parent fd reply
	need /usr/sbin/apache2
	port=$(free_port)
	apache_conf "$T/apache" "$port"
	start_supervised "$1" -v --rewrite TERM:WINCH /usr/sbin/apache2 -f "$T/apache/httpd.conf" -DFOREGROUND
	wait_for -m "apache to answer" http_answers "$port"
	main_child && parent=$MAIN_CHILD
	# an open request: the request line is sent, the blank line held back
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET / HTTP/1.0\r\n' >&"$fd"
	wait_for -m "an apache child to read the request" apache_read "$port" "$fd"
	kill -TERM "$MINIT_PID"
	wait_lines "$T/apache/error.log" 'caught SIGWINCH, shutting down gracefully'
	is_alive "$parent" || fail "apache did not wait for the open request"
	printf '\r\n' >&"$fd"
	read -r -t 10 reply <&"$fd" || true
	exec {fd}>&-
	[[ $reply == HTTP/1.1\ * ]] || fail "the open request got '$reply'"
	wait_minit 15
	assert_exit 0 "apache's graceful stop"
	assert_no_kill
	count_log info 'sending WINCH'
	[[ $NLINES -eq 1 ]] || fail "TERM was not rewritten to WINCH: $(cat "$ERR")"
}
@test "pid1: apache2 prefork: TERM rewritten to WINCH is a graceful stop that finishes an open request, exit 0" {
	t_apache pid1
}
@test "subreaper: apache2 prefork: TERM rewritten to WINCH is a graceful stop that finishes an open request, exit 0" {
	t_apache sub
}

# ---------------------------------------------------------------------------
# PostgreSQL: the four-step ladder TERM,INT,QUIT,KILL over 2800 ms:
# TERM (smart) at 0, INT (fast) at 400, QUIT (immediate) at 1200, KILL at 2800

pg_session_running() {
	local p
	descendants "$PG_MASTER"
	for p in "${DESC[@]}"; do
		[[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == *SELECT* ]] && return 0
	done
	return 1
}

start_pg() { # MODE
	[[ -n ${PG_DIR:-} && -d $PG_DIR/data ]] || skip "no PostgreSQL cluster (initdb failed or not installed)"
	rm -f "$PG_DIR/data/postmaster.pid"
	start_supervised "$1" -v --user postgres --stop-ladder TERM,INT,QUIT,KILL --stop-timeout 2800ms \
		"$PG_BIN/postgres" -D "$PG_DIR/data" -k "$PG_DIR/sock" -c listen_addresses= -p 5432
	wait_for -t 20 -m "PostgreSQL to accept connections" pg_ready
	main_child && PG_MASTER=$MAIN_CHILD
	# a session that smart shutdown waits for
	runuser -u postgres -- env MINITTEST_TAG="$TAG" "$PG_BIN/psql" -h "$PG_DIR/sock" -U postgres \
		-c 'select pg_sleep(60)' >"$T/psql.out" 2>&1 &
	BG_PIDS+=("$!")
	wait_for -m "the session's backend to run the query" pg_session_running
	wait_lines "$ERR" 'database system is ready to accept connections'
}

# smart waits for the session; fast ends it and shuts down cleanly (exit 0)
# before the immediate step is due.
t_pg_fast() {
	start_pg "$1"
	sv_watch "$PG_MASTER" "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	sv_exit_time "$PG_MASTER"
	sv_assert_span $((SV_T - SV_T0)) 400 1200 "PostgreSQL's exit (after fast at 400, before immediate at 1200)"
	wait_minit
	assert_exit 0 "PostgreSQL's fast shutdown"
	count_lines "$ERR" 'received smart shutdown request'
	((NLINES == 1)) || fail "no smart shutdown: $(cat "$ERR")"
	count_lines "$ERR" 'received fast shutdown request'
	((NLINES == 1)) || fail "no fast shutdown: $(cat "$ERR")"
	count_lines "$ERR" 'database system is shut down'
	((NLINES == 1)) || fail "no clean shutdown: $(cat "$ERR")"
	assert_no_kill
}
@test "pid1: PostgreSQL: TERM (smart) waits for a session, INT (fast) at 400 ms shuts down cleanly, exit 0" {
	sv_timed t_pg_fast pid1
}
@test "subreaper: PostgreSQL: TERM (smart) waits for a session, INT (fast) at 400 ms shuts down cleanly, exit 0" {
	sv_timed t_pg_fast sub
}

# With the checkpointer stopped, fast shutdown cannot finish and immediate
# cannot end it: all four steps are taken, and the KILL at 2800 ms ends every
# PostgreSQL process.
t_pg_all_steps() {
	local ckpt p pids
	start_pg "$1"
	for p in $(children_of "$PG_MASTER"); do
		[[ $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) == *checkpointer* ]] && ckpt=$p
	done
	[[ -n ${ckpt:-} ]] || fail "no checkpointer process"
	kill -STOP "$ckpt"
	descendants "$PG_MASTER"
	pids=("${DESC[@]}")
	sv_watch "$PG_MASTER" "${pids[@]}" "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	for p in "$PG_MASTER" "$ckpt"; do
		sv_exit_time "$p"
		sv_assert_at $((SV_T - SV_T0)) 2800 "KILL of PostgreSQL process $p"
	done
	for p in "${pids[@]}"; do
		sv_exit_time "$p"
		sv_assert_span $((SV_T - SV_T0)) 0 $((2800 + SV_TOL)) "end of PostgreSQL process $p"
	done
	wait_minit
	assert_exit 137 "the ladder's KILL"
	local what
	for what in smart fast immediate; do
		count_lines "$ERR" "received $what shutdown request"
		((NLINES == 1)) || fail "no $what shutdown: $(cat "$ERR")"
	done
}
@test "pid1: PostgreSQL with a stuck checkpointer: smart, fast, immediate, then KILL at 2800 ms ends it all" {
	sv_timed t_pg_all_steps pid1
}
@test "subreaper: PostgreSQL with a stuck checkpointer: smart, fast, immediate, then KILL at 2800 ms ends it all" {
	sv_timed t_pg_all_steps sub
}
