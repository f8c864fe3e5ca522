#!/usr/bin/env bats
# Talking to the orchestrator (issue 12): the child's sd_notify (READY=1,
# STATUS=, RELOADING=1, MAINPID=, WATCHDOG=1, EXTEND_TIMEOUT_USEC=) on the
# NOTIFY_SOCKET minit passes it, only from minit's own tree; --notify,
# --ready-timeout, --watchdog, --stop-delay; minit --health and --status;
# the termination message. The child is tests/fixtures/notify-server.
#
# minit --health and --status run where `docker exec` would: as PID 1 in
# minit's mount and PID namespaces (nsenter), finding the control socket by
# its default name; as a subreaper, beside other minits on this machine,
# with a name of the test's own (MINIT_CONTROL).

load lib/minit

NS=notify-server

# control_name: CONTROL = a control socket name of this test's own
control_name() { CONTROL=@minit-test-${BATS_TEST_TMPDIR//\//-}; }

# ask [--json] REQUEST: run `minit --REQUEST` (health, status) where the
# running minit's children would; ASK_RC, ASK (its output)
ask() {
	local args=("--$1") rc=0
	shift
	args+=("$@")
	control_name
	if [[ $MODE == pid1 ]]; then
		ASK=$(nsenter -t "$MINIT_PID" -m -p "$MINIT" "${args[@]}" 2>&1) || rc=$?
	else
		ASK=$(MINIT_CONTROL=$CONTROL "$MINIT" "${args[@]}" 2>&1) || rc=$?
	fi
	ASK_RC=$rc
}

_healthy() { ask health && ((ASK_RC == 0)); }
_unhealthy() { ask health && ((ASK_RC == 1)); }

# json KEY: the value of KEY in the last --status --json (python's repr)
json() {
	python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$ASK" "$1"
}

# start_ns MODE MINIT-ARGS... -- SERVER-ARGS...: minit over notify-server
start_ns() {
	local mode=$1 margs=()
	shift
	while [[ $1 != -- ]]; do margs+=("$1") && shift; done
	shift
	control_name
	[[ $mode == pid1 ]] || EXTRA_ENV+=(MINIT_CONTROL="$CONTROL")
	start_supervised "$mode" "${margs[@]}" -- "$NS" -o "$REC" "$@"
	wait_ready
}

# ---------------------------------------------------------------------------
# readiness and health

# --notify: starting until READY=1 (after 1 s), healthy after; --status
# --json says so
t_ready() {
	start_ns "$1" --notify -- -r 1000 -s serving
	ask health
	((ASK_RC == 1)) && [[ $ASK == *"not ready"* ]] || fail "health before READY=1: rc $ASK_RC, $ASK"
	wait_lines "$REC" '^said .* READY=1'
	wait_for -m "healthy once ready" _healthy
	[[ $ASK == healthy ]] || fail "health said: $ASK"
	ask status --json
	((ASK_RC == 0)) || fail "--status --json: rc $ASK_RC, $ASK"
	[[ $(json ready) == True && $(json state) == running && $(json status) == serving ]] ||
		fail "--status --json: $ASK"
	last_ready
	[[ $(json main_pid) == "$READY_PID" ]] || fail "main_pid in $ASK, expected $READY_PID"
	ask status
	[[ $ASK == "running: $NS as pid $READY_PID for "*", ready, 0 restarts, status: serving" ]] ||
		fail "--status: $ASK"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the server's exit on TERM"
}
@test "pid1: --notify: --health fails until READY=1, succeeds after; --status --json shows it" { t_ready pid1; }
@test "subreaper: --notify: --health fails until READY=1, succeeds after; --status --json shows it" { t_ready sub; }

# Without --notify the socket is still passed; a child that never uses it
# is healthy while it runs
t_no_notify() {
	start_ns "$1" -- -r -1
	main_child
	grep -qz '^NOTIFY_SOCKET=@minit-notify-' "/proc/$MAIN_CHILD/environ" || fail "no NOTIFY_SOCKET in the child"
	ask health
	((ASK_RC == 0)) || fail "health without --notify: rc $ASK_RC, $ASK"
}
@test "pid1: without --notify NOTIFY_SOCKET is passed; a child that never says anything is healthy" { t_no_notify pid1; }
@test "subreaper: without --notify NOTIFY_SOCKET is passed; a child that never says anything is healthy" { t_no_notify sub; }

# READY=1 from a process outside minit's tree is ignored and counted; so are
# a datagram too long and one with a NUL, even from the child itself
t_outside() {
	start_ns "$1" -v --notify -- -r 1500 -j
	main_child
	local name
	name=$(tr '\0' '\n' <"/proc/$MAIN_CHILD/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", "\0" + sys.argv[1][1:])' "$name"
	wait_log warning "notify: ignoring pid"
	ask health
	((ASK_RC == 1)) || fail "READY=1 from outside (or the junk) was taken: $ASK"
	ask status --json
	(($(json notify_ignored) >= 3)) || fail "expected 3 datagrams ignored: $ASK"
	wait_for -m "ready after the child's own READY=1" _healthy
}
@test "pid1: a datagram from outside minit's tree, one too long and one with a NUL are ignored" { t_outside pid1; }
@test "subreaper: a datagram from outside minit's tree, one too long and one with a NUL are ignored" { t_outside sub; }

# RELOADING=1: not ready until READY=1 again
t_reloading() {
	start_ns "$1" --notify -- -R
	wait_for -m "healthy" _healthy
	kill -HUP "$MINIT_PID"
	wait_lines "$REC" '^said .* RELOADING=1'
	ask status
	[[ $ASK == reloading:* ]] || { wait_lines "$REC" '^said .* READY=1' 2; ask status; }
	wait_lines "$REC" '^said .* READY=1' 2
	wait_for -m "healthy again after READY=1" _healthy
}
@test "pid1: RELOADING=1: reloading until READY=1 again" { t_reloading pid1; }
@test "subreaper: RELOADING=1: reloading until READY=1 again" { t_reloading sub; }

# minit started with a NOTIFY_SOCKET of its own passes on what the child
# says of its state (READY=1, STATUS=, RELOADING=1, STOPPING=1), from its own
# pid, the one the launcher knows; the child still talks to minit's socket,
# and nothing from outside minit's tree is passed on
t_upstream() {
	up_listen
	EXTRA_ENV=(NOTIFY_SOCKET="$UP")
	start_ns "$1" -- -r 300 -s "warmed up" -R -S
	main_child
	grep -qz '^NOTIFY_SOCKET=@minit-notify-' "/proc/$MAIN_CHILD/environ" ||
		fail "the child's NOTIFY_SOCKET: $(tr '\0' '\n' <"/proc/$MAIN_CHILD/environ" | grep NOTIFY)"
	wait_lines "$UP_LOG" '^from '
	local first
	first=$(grep -m1 '^from ' "$UP_LOG")
	[[ $first == "from $MINIT_PID READY=1|STATUS=warmed up|" ]] || fail "passed on: $first (minit is $MINIT_PID)"
	kill -HUP "$MINIT_PID"
	wait_lines "$UP_LOG" "^from $MINIT_PID RELOADING=1\\|MONOTONIC_USEC=[0-9]+\\|\$"
	wait_lines "$UP_LOG" "^from $MINIT_PID READY=1\\|STATUS=warmed up\\|\$" 2
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the server's exit on TERM"
	grep -q "^from $MINIT_PID STOPPING=1|\$" "$UP_LOG" || fail "no STOPPING=1: $(cat "$UP_LOG")"
	[[ $(grep -c '^from ' "$UP_LOG") == 4 ]] || fail "more was passed on than the child said: $(cat "$UP_LOG")"
}
@test "pid1: an inherited NOTIFY_SOCKET gets READY=1, STATUS=, RELOADING=1 and STOPPING=1 from minit" { t_upstream pid1; }
@test "subreaper: an inherited NOTIFY_SOCKET gets READY=1, STATUS=, RELOADING=1 and STOPPING=1 from minit" { t_upstream sub; }

# The same with systemd's own client, systemd-notify, as the child: it
# says READY=1 and exits at once, and minit still takes it as its tree's
t_upstream_systemd_notify() {
	up_listen
	EXTRA_ENV=(NOTIFY_SOCKET="$UP")
	run_minit "$1" systemd-notify --ready --status="up"
	assert_exit 0 "systemd-notify's"
	# as PID 1 MINIT_PID is unshare's, which run_minit waits for
	local from='[0-9]+'
	[[ $1 == pid1 ]] || from=$MINIT_PID
	wait_lines "$UP_LOG" "^from $from READY=1\\|STATUS=up\\|\$"
}
@test "pid1: an inherited NOTIFY_SOCKET gets systemd-notify's READY=1 from minit" { t_upstream_systemd_notify pid1; }
@test "subreaper: an inherited NOTIFY_SOCKET gets systemd-notify's READY=1 from minit" { t_upstream_systemd_notify sub; }

# The launcher's watchdog (WATCHDOG_USEC for minit: systemd's WatchdogSec=)
# goes to the child as its own (WATCHDOG_PID its pid), and its WATCHDOG=1
# is passed on: the launcher's watchdog is fed by the child, not by minit
t_upstream_watchdog() {
	up_listen
	EXTRA_ENV=(NOTIFY_SOCKET="$UP" WATCHDOG_USEC=400000)
	start_ns "$1" -- -r 0 -b
	main_child
	grep -qz '^WATCHDOG_USEC=400000$' "/proc/$MAIN_CHILD/environ" || fail "the child's WATCHDOG_USEC"
	last_ready
	grep -qz "^WATCHDOG_PID=$READY_PID\$" "/proc/$MAIN_CHILD/environ" ||
		fail "the child's WATCHDOG_PID: $(tr '\0' '\n' <"/proc/$MAIN_CHILD/environ" | grep WATCHDOG)"
	wait_lines "$UP_LOG" "^from $MINIT_PID WATCHDOG=1\\|\$" 3
}
@test "pid1: an inherited WATCHDOG_USEC is the child's; its WATCHDOG=1 is passed on" { t_upstream_watchdog pid1; }
@test "subreaper: an inherited WATCHDOG_USEC is the child's; its WATCHDOG=1 is passed on" { t_upstream_watchdog sub; }

# The launcher's socket is gone, or not a socket (a FIFO there): minit runs
# on and never waits on it
t_upstream_broken() {
	mkfifo "$T/fifo"
	EXTRA_ENV=(NOTIFY_SOCKET="$T/fifo")
	start_ns "$1" -v -- -r 0
	wait_log warning "notify: unable to pass READY=1 on to $T/fifo"
	ask health
	((ASK_RC == 0)) || fail "health: $ASK"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the server's exit on TERM"
}
@test "pid1: an inherited NOTIFY_SOCKET that is a FIFO: warned once, never waited on" { t_upstream_broken pid1; }
@test "subreaper: an inherited NOTIFY_SOCKET that is a FIFO: warned once, never waited on" { t_upstream_broken sub; }

# The launcher stops reading its socket (a hung systemd, a stopped conmon)
# while the child beats every millisecond: the queue fills, minit warns once
# and goes on answering --health and its stop request
t_upstream_full() {
	up_listen
	kill -STOP "${BG_PIDS[-1]}"
	EXTRA_ENV=(NOTIFY_SOCKET="$UP" WATCHDOG_USEC=4000)
	start_ns "$1" -v -- -r 0 -b
	wait_log warning "notify: unable to pass WATCHDOG=1 on to $UP: Resource temporarily unavailable"
	ask health
	((ASK_RC == 0)) || fail "health with the launcher's socket full: rc $ASK_RC, $ASK"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "the server's exit on TERM"
	count_log warning "notify: unable to pass"
	((NLINES == 1)) || fail "warned $NLINES times"
}
@test "pid1: the launcher's NOTIFY_SOCKET full: warned once, never waited on" { t_upstream_full pid1; }
@test "subreaper: the launcher's NOTIFY_SOCKET full: warned once, never waited on" { t_upstream_full sub; }

# with --listen, health is the child's, not the socket's
t_listen_health() {
	local port
	port=$(free_port)
	start_ns "$1" --listen "tcp:127.0.0.1:$port" --restart on-crash --backoff-min 2s -- -r 0
	wait_for -m "healthy" _healthy
	main_child
	kill -KILL "$MAIN_CHILD" # a KILL minit did not send: a crash
	wait_log warning 'restart 1 of'
	ask health
	((ASK_RC == 1)) && [[ $ASK == *"restarting"* ]] || fail "health while restarting: rc $ASK_RC, $ASK"
}
@test "pid1: with --listen, health while the child is restarting is a failure" { t_listen_health pid1; }
@test "subreaper: with --listen, health while the child is restarting is a failure" { t_listen_health sub; }

t_no_minit() {
	local rc=0 out
	out=$(MINIT_CONTROL=@minit-test-nobody-$$ "$MINIT" --health 2>&1) || rc=$?
	((rc == 1)) || fail "--health with no minit: rc $rc, $out"
	[[ $out == "minit: error: no minit answers here: "* ]] || fail "--health with no minit: $out"
	out=$("$MINIT" --health sh 2>&1) && fail "--health with a command ran: $out"
	[[ $out == *"--health takes no command"* ]] || fail "--health sh: $out"
}
@test "--health with no minit to ask exits 1 with one line; it takes no command" { t_no_minit; }

# Abstract socket names are shared by every container on one network
# namespace (a pod, --network host), and the default control name is made
# of namespace inode numbers anyone can guess: a process of another
# container may hold it first and answer "healthy". --health and --status
# take an answer only from a process of their own PID namespace (it has a
# pid there) and of their own user or root: this one, in a PID namespace
# of its own, is not believed.
t_squatter() {
	local rc=0 out
	control_name
	unshare --pid --fork --kill-child python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
open(sys.argv[2], "w").write("up\n")
while True:
    req, addr = s.recvfrom(64)
    s.sendto(b"healthy\n", addr)' "$CONTROL" "$T/squatter" </dev/null >/dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
	wait_lines "$T/squatter" '^up'
	out=$(unshare --pid --fork --mount-proc env MINIT_CONTROL="$CONTROL" "$MINIT" --health 2>&1) || rc=$?
	((rc == 1)) || fail "--health believed a process outside its PID namespace: rc $rc, $out"
	[[ $out == *"outside this PID namespace"* ]] || fail "--health said: $out"
	rc=0
	out=$(unshare --pid --fork --mount-proc env MINIT_CONTROL="$CONTROL" "$MINIT" --status 2>&1) || rc=$?
	((rc == 1)) || fail "--status believed a process outside its PID namespace: rc $rc, $out"
}
@test "--health and --status take no answer from a process outside their PID namespace" { t_squatter; }

# Both socket names can be worked out in advance (t_squatter), so minit
# binds them before its child exists: a child cannot take one first and
# answer --health, or hear its own notifications, in minit's place.
t_sockets_first() {
	((VALGRIND)) && skip "under valgrind the system calls strace sees are valgrind's"
	local log=$T/strace.log pre=() mpid binds clone
	[[ $1 == pid1 ]] && pre=(unshare --pid --fork --mount-proc)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -q -o "$log" -e trace=execve,bind,clone,clone3,fork,vfork \
		"${pre[@]}" "$MINIT" -- true </dev/null >/dev/null 2>&1 ||
		fail "minit -- true under strace: $(tail -5 "$log")"
	mpid=$(awk -v m="execve(\"$MINIT\"" 'index($0, m) == index($0, "execve") && / = 0$/ { print $1; exit }' "$log")
	[[ -n $mpid ]] || fail "no execve of $MINIT in: $(head -5 "$log")"
	# line numbers of minit's binds of its two names, and of its first fork
	binds=$(awk -v p="$mpid" '$1 == p && /bind\(/ && /minit-(notify|control)-/ { print NR }' "$log")
	clone=$(awk -v p="$mpid" '$1 == p && $2 ~ /^(clone|clone3|fork|vfork)\(/ { print NR; exit }' "$log")
	(($(wc -w <<<"$binds") == 2)) || fail "expected 2 binds by minit (pid $mpid): $(grep bind "$log")"
	[[ -n $clone ]] || fail "no fork by minit (pid $mpid) in the log"
	local b
	for b in $binds; do
		((b < clone)) || fail "a socket bound after the child's fork:
$(sed -n "${b}p;${clone}p" "$log")"
	done
}
@test "pid1: the notify and control sockets are bound before the child exists" { t_sockets_first pid1; }
@test "subreaper: the notify and control sockets are bound before the child exists" { t_sockets_first sub; }

# ---------------------------------------------------------------------------
# --ready-timeout and --watchdog

# not ready in time: ended (TERM), and with --restart no minit exits with
# its status; the reason is logged and in the termination message
t_ready_timeout() {
	start_ns "$1" -v --ready-timeout 500ms --termination-log "$T/tlog" -- -r -1
	wait_minit 5
	assert_exit 0 "the server's own exit on the TERM that ended it"
	wait_log warning "not ready after 500 ms"
	[[ $(cat "$T/tlog") == "$NS exited with status 0 (not ready: no READY=1 in 500 ms)" ]] ||
		fail "termination message: $(cat "$T/tlog")"
}
@test "pid1: --ready-timeout: a child not ready in time is ended; --restart no exits with its status" { t_ready_timeout pid1; }
@test "subreaper: --ready-timeout: a child not ready in time is ended; --restart no exits with its status" { t_ready_timeout sub; }

# A child that stops its heartbeats is ended and restarted within 1 s +
# 100 ms of its last beat
WATCHDOG_TOL_MS=100
t_watchdog() {
	start_ns "$1" -v --watchdog 1s --restart on-crash --backoff-min 10ms -- -b -H "$T/hang"
	wait_lines "$REC" '^beat ' 2
	last_ready
	local old=$READY_PID last US
	touch "$T/hang"
	wait_lines "$REC" '^ready ' 2 5
	last=$(awk -v p="$old" '$1 == "beat" && $2 == p { t = $3 } END { print t }' "$REC")
	ms_to_us "$last"
	local t_last=$US
	sig_count TERM "$REC" "$old"
	((COUNT == 1)) || fail "the hung server got TERM $COUNT times"
	sv_assert_span $((SIG_T - t_last)) $((1000 - SV_TOL)) $((1000 + SV_TOL)) "TERM after the last beat"
	local again
	again=$(awk -v p="$old" '$1 == "started" && $2 != p { print $3; exit }' "$REC")
	ms_to_us "$again"
	sv_assert_span $((US - t_last)) 1000 $((1000 + WATCHDOG_TOL_MS)) "the restarted server's start after the last beat"
	wait_log warning "watchdog: no WATCHDOG=1"
	ask status
	[[ $ASK == *"1 restart (last: exited with status 0 (watchdog: no WATCHDOG=1 in 1000 ms))"* ]] ||
		fail "--status after the watchdog: $ASK"
}
@test "pid1: --watchdog 1s: a hung child is ended and restarted within 1.1 s of its last beat" { sv_timed t_watchdog pid1; }
@test "subreaper: --watchdog 1s: a hung child is ended and restarted within 1.1 s of its last beat" { sv_timed t_watchdog sub; }

# WATCHDOG_USEC and WATCHDOG_PID (the child's own pid) are passed
t_watchdog_env() {
	control_name
	EXTRA_ENV=(D="$T" MINIT_CONTROL="$CONTROL")
	start_supervised "$1" --watchdog 2s -- sh -c 'echo "$WATCHDOG_USEC $WATCHDOG_PID $$" >"$D/env"; exec sleep 60'
	wait_for -m "the child's environment" test -s "$T/env"
	read -r usec wpid self <"$T/env"
	[[ $usec == 2000000 && $wpid == "$self" ]] || fail "WATCHDOG_USEC, WATCHDOG_PID, pid: $(cat "$T/env")"
}
@test "pid1: --watchdog passes WATCHDOG_USEC and WATCHDOG_PID" { t_watchdog_env pid1; }
@test "subreaper: --watchdog passes WATCHDOG_USEC and WATCHDOG_PID" { t_watchdog_env sub; }

# ---------------------------------------------------------------------------
# --stop-delay and EXTEND_TIMEOUT_USEC

# The stop signal reaches the child 2 s after minit's TERM; it serves meanwhile
STOP_DELAY_TOL_MS=100
t_stop_delay() {
	local port
	port=$(free_port)
	start_ns "$1" -v --stop-delay 2s -- -l "$port"
	wait_for -m "the server answering" eval '[[ $(tcp_req "$port" ping 2>/dev/null) == pong ]]'
	sv_send TERM "$MINIT_PID"
	local t0=$SV_T0
	wait_log info "stop requested by SIGTERM: sending TERM to pid [0-9]+ after 2000 ms"
	[[ $(tcp_req "$port" ping) == pong ]] || fail "the server stopped serving during the delay"
	sig_count TERM
	((COUNT == 0)) || fail "TERM reached the server during the delay"
	wait_sig TERM "$REC" "" "" 0 
	sv_assert_span $((SIG_T - t0)) $((2000 - STOP_DELAY_TOL_MS)) $((2000 + STOP_DELAY_TOL_MS)) "the server's TERM after minit's"
	wait_minit
	assert_exit 0 "the server's exit on TERM"
}
@test "pid1: --stop-delay 2s: the child gets its TERM 2 s after minit's, and serves meanwhile" { sv_timed t_stop_delay pid1; }
@test "subreaper: --stop-delay 2s: the child gets its TERM 2 s after minit's, and serves meanwhile" { sv_timed t_stop_delay sub; }

# a second stop request ends the delay
t_stop_delay_twice() {
	start_ns "$1" -v --stop-delay 5s -- -r 0
	kill -TERM "$MINIT_PID"
	wait_log info "stop requested by SIGTERM"
	sv_send INT "$MINIT_PID"
	local t0=$SV_T0
	wait_sig TERM
	sv_assert_span $((SIG_T - t0)) 0 "$SV_TOL" "the server's TERM after the second request"
	wait_minit
	assert_exit 0 "the server's exit on TERM"
}
@test "pid1: a second stop request during --stop-delay ends the delay" { sv_timed t_stop_delay_twice pid1; }
@test "subreaper: a second stop request during --stop-delay ends the delay" { sv_timed t_stop_delay_twice sub; }

# EXTEND_TIMEOUT_USEC during a stop: no KILL at --stop-timeout
t_extend() {
	start_ns "$1" -v --stop-timeout 1s -- -e 3000000
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "the server's own exit 1.5 s after TERM (extended), not KILL at 1 s"
	wait_log info "asked for [0-9]+ ms more to stop"
	start_ns "$1" --stop-timeout 1s -- -x 1500
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 137 "KILL at 1 s without EXTEND_TIMEOUT_USEC"
}
@test "pid1: EXTEND_TIMEOUT_USEC during a stop moves the final KILL" { t_extend pid1; }
@test "subreaper: EXTEND_TIMEOUT_USEC during a stop moves the final KILL" { t_extend sub; }

# ---------------------------------------------------------------------------
# MAINPID=

# nginx-style re-exec: the server forks its successor, says MAINPID=, and
# exits 0; minit follows the successor, and stops it on TERM
t_mainpid() {
	control_name
	[[ $1 == pid1 ]] || EXTRA_ENV=(MINIT_CONTROL="$CONTROL")
	start_minit "$1" -v -- "$NS" -o "$REC" -M
	wait_log info "following pid [0-9]+ from MAINPID="
	local succ
	succ=$(awk '$1 == "successor" { print $2 }' "$REC")
	sv_stays_alive "$MINIT_PID" 300
	ask status --json
	[[ $(json main_pid) == "$succ" ]] || fail "main_pid $(json main_pid), expected the successor $succ"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the successor's exit on TERM"
	sig_count TERM "$REC" "$succ"
	((COUNT == 1)) || fail "the successor got TERM $COUNT times"
}
@test "pid1: MAINPID= from a re-exec'ing server: minit follows the successor as --pidfile would" { t_mainpid pid1; }
@test "subreaper: MAINPID= from a re-exec'ing server: minit follows the successor as --pidfile would" { t_mainpid sub; }

# ---------------------------------------------------------------------------
# the termination message

t_termination_log() {
	local tl=$T/tlog
	run_minit "$1" --termination-log "$tl" -- sh -c 'exit 3'
	assert_exit 3 "the child's"
	[[ $(cat "$tl") == "sh exited with status 3" ]] || fail "after exit 3: $(cat "$tl")"
	start_supervised "$1" --termination-log "$tl" -- sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $(cat "$tl") == "sigrec exited with status 0 after SIGTERM (stop requested by SIGTERM)" ]] ||
		fail "after a stop: $(cat "$tl")"
	run_minit "$1" --termination-log "$tl" --restart on-crash --restart-max 1 --backoff-min 10ms -- crash SEGV
	[[ $(cat "$tl") == "gave up after 1 restarts in 60 s: killed by SIGSEGV"* ]] || fail "after giving up: $(cat "$tl")"
	run_minit "$1" --termination-log "$tl" -- no-such-command-anywhere
	assert_exit 127 "not found"
	[[ $(cat "$tl") == "unable to start no-such-command-anywhere (exit 127)" ]] || fail "after exec failed: $(cat "$tl")"
	start_minit "$1" --termination-log "$tl" --pause
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $(cat "$tl") == "--pause ended by SIGTERM" ]] || fail "after --pause: $(cat "$tl")"
}
@test "pid1: the termination message says why minit exited, for each kind of exit" { t_termination_log pid1; }
@test "subreaper: the termination message says why minit exited, for each kind of exit" { t_termination_log sub; }

# a FIFO or a link there: refused with a warning, never waited for
t_termination_log_hostile() {
	mkfifo "$T/fifo"
	run_minit "$1" --termination-log "$T/fifo" -- sh -c 'exit 4'
	assert_exit 4 "the child's, the FIFO not waited for"
	[[ $stderr == *"termination log $T/fifo"* ]] || fail "no warning: $stderr" # no reader: ENXIO; one: not a regular file
	echo keep >"$T/target"
	ln -s "$T/target" "$T/link"
	run_minit "$1" --termination-log "$T/link" -- sh -c 'exit 5'
	assert_exit 5 "the child's"
	[[ $(cat "$T/target") == keep ]] || fail "written through the link"
	[[ $stderr == *"unable to open the termination log $T/link"* ]] || fail "no warning: $stderr"
}
@test "pid1: a termination log that is a FIFO or a link is refused, never waited for" { t_termination_log_hostile pid1; }
@test "subreaper: a termination log that is a FIFO or a link is refused, never waited for" { t_termination_log_hostile sub; }
