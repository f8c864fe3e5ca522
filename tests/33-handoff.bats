#!/usr/bin/env bats
# Pid-file handoff (issue 3): with --pidfile PATH, when the main child exits
# and PATH names another live process in minit's tree, that process becomes
# the main child instead of ending the container: daemonising servers
# (prefork-server -d -p, nginx `daemon on`), and nginx's binary upgrade
# (USR2, WINCH, QUIT to the old master: the new master becomes the main child
# and later stops cleanly). Signals to minit then go to the new main child.

load lib/minit

setup_file() {
	check_probes || return 1
	# nginx for the binary upgrade (scripts/packages.sh, only when missing)
	server_packages || echo "# scripts/packages.sh failed: the nginx test will skip" >&3
}

# pidfile_names NSPID FILE: FILE holds a pid other than NSPID
pidfile_differs() { local p; p=$(pidfile_pid "$2"); [[ -n $p && $p != "$1" ]]; }

# A daemonising server: the launcher exits 0 at once, the daemon (setsid,
# re-parented to minit) writes the pid file; minit follows it, forwards
# signals to it, and exits 0 right after its graceful stop.
t_daemon() {
	local port ns master
	port=$(free_port)
	start_supervised "$1" -v --pidfile "$T/server.pid" \
		prefork-server -d -p "$T/server.pid" -w 2 -l "127.0.0.1:$port" -o "$T/prefork.log"
	wait_log info 'exited; following pid'
	ns=$(pidfile_pid "$T/server.pid")
	count_log info "following pid $ns from $T/server.pid"
	[[ $NLINES -eq 1 ]] || fail "minit did not follow the pid file's $ns: $(cat "$ERR")"
	host_pid "$ns" && master=$HOST_PID
	[[ -n $master ]] || fail "pid $ns from the pid file is not in minit's tree"
	wait_for -m "the daemon to answer" prefork_ping "$port"
	is_alive "$MINIT_PID" || fail "minit ended with the launcher"
	# signals now go to the daemon
	kill -HUP "$MINIT_PID"
	wait_lines "$T/prefork.log" 'reload'
	sv_watch "$master" "$MINIT_PID"
	kill -QUIT "$MINIT_PID"
	sv_exit_time "$master"
	local tc=$SV_T
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - tc)) 0 "$SV_GRACE_TOL" "time minit added to the daemon's own shutdown"
	wait_minit
	assert_exit 0 "the daemon's clean exit"
	grep -q 'graceful stop' "$T/prefork.log" || fail "the daemon did not get QUIT: $(cat "$T/prefork.log")"
	count_log warning KILL
	[[ $NLINES -eq 0 ]] || fail "KILL was needed: $(cat "$ERR")"
}
@test "pid1: a daemonising server (prefork-server -d -p) is followed through --pidfile and stops cleanly" {
	sv_timed t_daemon pid1
}
@test "subreaper: a daemonising server (prefork-server -d -p) is followed through --pidfile and stops cleanly" {
	sv_timed t_daemon sub
}

# The followed daemon crashes: the pid file names a dead process, so this is
# an ordinary crash: on-crash restarts the command after the back-off (100
# ms), not after waiting for the pid file to change.
t_daemon_crash() {
	local port ns t0
	port=$(free_port)
	start_supervised "$1" -v --restart on-crash --pidfile "$T/server.pid" \
		prefork-server -d -p "$T/server.pid" -w 2 -l "127.0.0.1:$port" -o "$T/prefork.log"
	wait_log info 'exited; following pid'
	ns=$(pidfile_pid "$T/server.pid")
	wait_for -m "the daemon to answer" prefork_ping "$port"
	t0=${EPOCHREALTIME/./}
	[[ $(tcp_req "$port" $'crash\n') == crash* ]] || fail "no reply to crash"
	wait_log warning 'killed by SIGSEGV; restart 1 of 5 in 100 ms' 1 10
	t0=$(((${EPOCHREALTIME/./} - t0) / 1000))
	((t0 < 1000)) || fail "the restart was decided ${t0} ms after the crash (back-off 100 ms)$(diag_tail)"
	wait_log info 'exited; following pid' 2
	wait_for -m "the new daemon to answer" prefork_ping "$port"
	pidfile_differs "$ns" "$T/server.pid" || fail "the pid file still names the crashed daemon"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the new daemon's clean exit"
}
@test "pid1: a followed daemon that crashes is restarted after the back-off and followed again" {
	sv_timed t_daemon_crash pid1
}
@test "subreaper: a followed daemon that crashes is restarted after the back-off and followed again" {
	sv_timed t_daemon_crash sub
}

# The pid file names a child of the main child (like nginx's new master
# after USR2): when the main child exits, minit follows the child at once,
# sends it the next stop request and exits with its status.
t_child_successor() {
	local main succ ns_succ
	start_supervised "$1" -v --pidfile "$T/server.pid" sigrec -o "$REC" -c 1 -x USR1:0 -x TERM:7
	wait_ready "$REC" 2
	main_child && main=$MAIN_CHILD
	last_ready && local ns_main=$READY_PID
	ns_succ=$(awk -v m="$ns_main" '$1 == "ready" && $2 != m { print $2; exit }' "$REC")
	echo "$ns_succ" >"$T/server.pid"
	host_pid "$ns_succ" && succ=$HOST_PID
	sv_watch "$main" "$MINIT_PID"
	kill -USR1 "$main"
	sv_exit_time "$main"
	wait_log info "pid $ns_main exited; following pid $ns_succ"
	is_alive "$MINIT_PID" || fail "minit ended instead of following pid $ns_succ"
	kill -TERM "$MINIT_PID"
	assert_sig_from TERM "$MINIT_SELF" "$REC" "$ns_succ"
	wait_minit
	assert_exit 7 "the successor's status"
}
@test "pid1: the pid file names a child of the main child: it becomes the main child and gets the stop" {
	sv_timed t_child_successor pid1
}
@test "subreaper: the pid file names a child of the main child: it becomes the main child and gets the stop" {
	sv_timed t_child_successor sub
}

# The pid file names the exiting main child itself: nothing to follow, minit
# ends with its status at once.
t_stale() {
	sv_open "$1" -v --pidfile "$T/server.pid" sigrec -o "$REC" -x USR1:5
	echo "$CHILD_NS" >"$T/server.pid"
	sv_send USR1 "$CHILD"
	sv_exit_time "$CHILD"
	SV_T0=$SV_T
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 "$SV_TOL" "minit's exit when the pid file names the exited child"
	wait_minit
	assert_exit 5 "the main child's status"
}
@test "pid1: the pid file names the exited main child: minit exits with its status at once" { sv_timed t_stale pid1; }
@test "subreaper: the pid file names the exited main child: minit exits with its status at once" { sv_timed t_stale sub; }

# Not minit's: a live process outside minit's tree is never followed.
@test "subreaper: a pid file naming a live process outside minit's tree is not followed" {
	local outside
	sleep 1000 &
	outside=$!
	BG_PIDS+=("$outside")
	start_supervised sub -v --pidfile "$T/server.pid" --leftover-grace 1s \
		sh -c 'echo "$2" >"$1"; sigrec -o "$3" &
			until grep -q "^ready" "$3" 2>/dev/null; do sleep 0.01; done; exit 6' \
		sh "$T/server.pid" "$outside" "$REC"
	wait_minit 15
	assert_exit 6 "the main child's status"
	is_alive "$outside" || fail "the outside process was killed"
	count_log info "following pid $outside"
	[[ $NLINES -eq 0 ]] || fail "minit followed a process outside its tree: $(cat "$ERR")"
}

# As PID 1, a process that entered the namespace from outside (docker exec,
# kubectl exec: nsenter here) is visible but is not minit's child: it is
# not followed. (As minit ends, it gets the leftovers' TERM like every
# process of the namespace, which the kernel would kill anyway.)
@test "pid1: a pid file naming a process that entered the namespace from outside (like docker exec) is not followed" {
	local ns_pid
	start_supervised pid1 -v --pidfile "$T/server.pid" --leftover-grace 1s sigrec -o "$REC" -c 1 -x USR1:6
	wait_ready "$REC" 2
	main_child && local main=$MAIN_CHILD
	MINITTEST_TAG=$TAG nsenter -t "$MINIT_PID" -p -m sigrec -o "$T/outside.rec" &
	BG_PIDS+=("$!")
	wait_ready "$T/outside.rec"
	ns_pid=$(awk '$1 == "ready" { print $2; exit }' "$T/outside.rec")
	echo "$ns_pid" >"$T/server.pid"
	kill -USR1 "$main"
	wait_minit 15
	assert_exit 6 "the main child's status"
	count_log info "following pid $ns_pid"
	[[ $NLINES -eq 0 ]] || fail "minit followed a process that entered from outside: $(cat "$ERR")"
}

# Inside minit's tree but not its child: the pid file names a grandchild
# whose parent is still alive. minit could not wait for it or learn its
# status, so it does not follow it.
t_grandchild() {
	start_supervised "$1" -v --pidfile "$T/server.pid" --leftover-grace 1s \
		sh -c 'sh -c "sleep 1000 & echo \$! >\"\$1\"; wait" sh "$1" &
			until [ -s "$1" ] && [ -e "$2" ]; do sleep 0.01; done; exit 6' \
		sh "$T/server.pid" "$T/go"
	touch "$T/go"
	wait_minit 15
	assert_exit 6 "the main child's status"
	count_log info "following pid"
	[[ $NLINES -eq 0 ]] || fail "minit followed a grandchild it cannot wait for: $(cat "$ERR")"
}
@test "pid1: a pid file naming a grandchild whose parent lives is not followed" { sv_timed t_grandchild pid1; }
@test "subreaper: a pid file naming a grandchild whose parent lives is not followed" { sv_timed t_grandchild sub; }

# nginx's binary upgrade, as in nginx's documentation, under minit:
# USR2 to the old master (new master starts as its child, pid file ->
# nginx.pid.oldbin), WINCH (old workers quit), QUIT (old master quits): the
# new master becomes the main child, serves, and stops cleanly on QUIT.
t_nginx_upgrade() {
	local port old new old_h new_h
	need /usr/sbin/nginx
	port=$(free_port)
	nginx_conf "$T/nginx" "$port" on
	start_supervised "$1" -v --pidfile "$T/nginx/nginx.pid" \
		/usr/sbin/nginx -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
	wait_log info 'exited; following pid'
	old=$(pidfile_pid "$T/nginx/nginx.pid")
	host_pid "$old" && old_h=$HOST_PID
	[[ -n $old_h ]] || fail "nginx master $old not found in minit's tree"
	track_pids "$old_h"
	wait_for -m "nginx to answer" http_ok "$port"

	kill -USR2 "$old_h"
	wait_for -m "the new master's pid file" pidfile_differs "$old" "$T/nginx/nginx.pid"
	[[ $(pidfile_pid "$T/nginx/nginx.pid.oldbin") == "$old" ]] || fail "no nginx.pid.oldbin"
	new=$(pidfile_pid "$T/nginx/nginx.pid")
	host_pid "$new" && new_h=$HOST_PID
	track_pids "$new_h"
	wait_for -m "the new master's workers" eval '(($(children_of "$new_h" | wc -l) >= 2))'

	kill -WINCH "$old_h"
	wait_for -m "the old workers to quit" eval '[[ $(children_of "$old_h") == "$new_h" ]]'
	wait_for -m "nginx to answer through the new workers" http_ok "$port"

	sv_watch "$old_h" "$new_h" "$MINIT_PID"
	kill -QUIT "$old_h"
	sv_exit_time "$old_h"
	wait_log info "pid $old exited; following pid $new"
	is_alive "$MINIT_PID" || fail "minit ended with the old master"
	wait_for -m "nginx to answer after the upgrade" http_ok "$port"

	kill -QUIT "$MINIT_PID"
	sv_exit_time "$new_h"
	local tc=$SV_T
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - tc)) 0 "$SV_TOL" "minit's exit after the new master's"
	wait_minit
	assert_exit 0 "the new master's clean exit"
	count_log warning KILL
	[[ $NLINES -eq 0 ]] || fail "KILL was needed: $(cat "$ERR")"
	grep -q "$new#$new: exit" "$T/nginx/error.log" || fail "the new master did not exit cleanly: $(tail "$T/nginx/error.log")"
}
@test "pid1: nginx binary upgrade (USR2, WINCH, QUIT): the new master becomes the main child and stops cleanly" {
	sv_timed t_nginx_upgrade pid1
}
@test "subreaper: nginx binary upgrade (USR2, WINCH, QUIT): the new master becomes the main child and stops cleanly" {
	sv_timed t_nginx_upgrade sub
}
