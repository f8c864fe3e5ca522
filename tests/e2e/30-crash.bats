#!/usr/bin/env bats
# A crash inside the container (`docker exec ... kill -SEGV <server>`): minit
# restarts the server and the container keeps running. With --listen
# (MINIT_LISTEN) minit holds the listening socket across the restart, so a
# client in the container's network namespace sees no refused connection;
# without it (the control), the same client does see refusals.

load lib

# pf_masters NAME: the master pids of prefork-server's "ready PID ADDR" lines
pf_masters() { logs "$1" | awk '$1 == "ready" { print $2 }'; }
pf_count_ready() { [[ $(pf_masters "$1" | wc -l) -ge $2 ]]; }

# pf_workers NAME MASTER: workers named by "prefork: master MASTER ready workers=a,b"
pf_workers() {
	logs "$1" | sed -nE "s/^prefork: master $2 ready workers=([0-9,]+)$/\1/p" | tail -n 1 | tr ',' ' '
}

# crash NAME PID: `docker exec NAME kill -SEGV PID`, then wait until minit
# logged the crash. The exec'd kill may itself be ended by minit's TERM to
# every process of the container on the restart (status 143): that is the
# subject of the last test here, not of the others.
crash() {
	local rc=0
	cexec "$1" sh -c "kill -SEGV $2" || rc=$?
	[[ $rc == 0 || $rc == 143 ]] || fail "docker exec $1 kill -SEGV $2 failed with status $rc"
	wait_log "$1" "^minit: warning: pid $2 killed by SIGSEGV; restart 1 of 5 in [0-9]+ ms$"
}

@test "crash, nginx example: kill -SEGV of the master is restarted by minit, the container keeps running and serving" {
	local c master new old_workers w
	c=$(cname crash-nginx)
	dstart "$c" --network none "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"
	master=$(nginx_master "$c")
	old_workers=$(nginx_workers "$c" "$master")

	crash "$c" "$master"

	nginx_wait_ready "$c" "$master"
	new=$(nginx_master "$c")
	assert_log "$c" "^minit: warning: pid $master killed by SIGSEGV; restart 1 of 5 in 100 ms$"
	assert_log "$c" "^minit: info: started nginx as pid $new$"
	is_running "$c" || fail "the container stopped"
	[[ $(inspect "$c" '{{.RestartCount}}') == 0 ]] || fail "docker restarted the container (minit should have)"
	# the crashed master's workers did not outlive it, and nothing is left unreaped
	for w in $old_workers; do
		[[ -z $(cps "$c" | awk -v p="$w" '$1 == p') ]] || fail "old worker $w still there: $(cps "$c")"
	done
	wait_for -t 20 -m "no zombie in $c" no_zombies "$c"
}

@test "crash with --listen: minit holds the socket, a client in the container's network namespace sees no refused connection" {
	local c m1 m2 n ok refused other
	c=$(cname crash-listen)
	dstart "$c" --network none -e MINIT_LISTEN=tcp:127.0.0.1:8080 -e MINIT_VERBOSITY=2 \
		"$IMG_SCRATCH" prefork-server -w 2
	client_start "$c"
	wait_for -t 30 -m "prefork-server ready" pf_count_ready "$c" 1
	assert_log "$c" '^prefork: listening on fd 3 \(LISTEN_FDS\) 127\.0\.0\.1:8080$'
	m1=$(pf_masters "$c" | tail -n 1)

	client_loop_start http://127.0.0.1:8080/ping "$T/client.log"
	wait_for -t 60 -m "20 answers before the crash" eval "(( \$(count_lines '$T/client.log' '^ok ') >= 20 ))"

	crash "$c" "$m1"

	wait_for -t 30 -m "prefork-server restarted" pf_count_ready "$c" 2
	m2=$(pf_masters "$c" | tail -n 1)
	[[ $m2 != "$m1" ]] || fail "same master pid after the restart"
	# 20 more answers, some of them from the new master's workers
	n=$(count_lines "$T/client.log" '^ok ')
	wait_for -t 60 -m "20 more answers after the restart" eval "(( \$(count_lines '$T/client.log' '^ok ') >= n + 20 ))"
	local w new_seen=0
	for w in $(pf_workers "$c" "$m2"); do
		grep -qE "^ok [0-9]+ pong $w\$" "$T/client.log" && new_seen=1
	done
	client_loop_stop "$T/client.log"

	ok=$(count_lines "$T/client.log" '^ok ')
	refused=$(count_lines "$T/client.log" 'Connection refused')
	other=$(count_lines "$T/client.log" '^fail ')
	echo "# client: $ok answered, $refused refused, $other failed" >&3
	((refused == 0)) || fail "$refused refused connection(s) across the restart:
$(grep -E '^fail ' "$T/client.log" | head)"
	# a request already accepted by a worker of the crashed master when minit
	# TERMs them is lost with that worker; no init can save it. At most one.
	((other <= 1)) || fail "$other failed requests:
$(grep -E '^fail ' "$T/client.log" | head)"
	((new_seen)) || fail "no answer from the new workers ($(pf_workers "$c" "$m2"))"
	assert_log "$c" "^minit: warning: pid [0-9]+ killed by SIGSEGV; restart 1 of 5 in 100 ms$"
	[[ $(log_count "$c" '^prefork: listening on fd 3 \(LISTEN_FDS\)') == 2 ]] || fail "the restarted server did not get the held socket"
	is_running "$c" || fail "the container stopped"
}

@test "crash without --listen (control): the same client sees refused connections while the server is down" {
	local c m1 n refused
	c=$(cname crash-nolisten)
	# a 1 s restart back-off: the port is closed for at least that long
	dstart "$c" --network none -e MINIT_BACKOFF_MIN=1s -e MINIT_VERBOSITY=2 \
		"$IMG_SCRATCH" prefork-server -w 2 -l 127.0.0.1:8080
	client_start "$c"
	wait_for -t 30 -m "prefork-server ready" pf_count_ready "$c" 1
	m1=$(pf_masters "$c" | tail -n 1)
	client_loop_start http://127.0.0.1:8080/ping "$T/client.log"
	wait_for -t 60 -m "20 answers before the crash" eval "(( \$(count_lines '$T/client.log' '^ok ') >= 20 ))"

	crash "$c" "$m1"

	wait_for -t 30 -m "prefork-server restarted" pf_count_ready "$c" 2
	n=$(count_lines "$T/client.log" '^ok ')
	wait_for -t 60 -m "20 more answers after the restart" eval "(( \$(count_lines '$T/client.log' '^ok ') >= n + 20 ))"
	client_loop_stop "$T/client.log"
	refused=$(count_lines "$T/client.log" 'Connection refused')
	echo "# control: $refused refused connection(s) during the 1 s back-off" >&3
	((refused > 0)) || fail "no refused connection without --listen: the client cannot tell the difference"
}

@test "crash restart leaves processes started by docker exec alone (only the crashed server's tree is signalled)" {
	local c m1 sleeper
	c=$(cname crash-exec)
	dstart "$c" --network none -e MINIT_VERBOSITY=2 "$IMG_SCRATCH" prefork-server -w 2 -l 127.0.0.1:8080
	wait_for -t 30 -m "prefork-server ready" pf_count_ready "$c" 1
	m1=$(pf_masters "$c" | tail -n 1)
	# an operator's session: not a descendant of minit (its parent is outside
	# the container's PID namespace)
	bg sh -c 'docker exec "$1" sh -c "echo started; sleep 120; echo survived" >"$2/exec.out" 2>&1 </dev/null
		echo $? >"$2/exec.rc"' sh "$c" "$T"
	wait_for -t 20 -m "the exec session's sleep" eval "[[ -n \$(pids_matching '$c' ' sleep 120 \$') ]]"
	sleeper=$(pids_matching "$c" ' sleep 120 $')

	crash "$c" "$m1"

	wait_for -t 30 -m "prefork-server restarted" pf_count_ready "$c" 2
	[[ -n $(cps "$c" | awk -v p="$sleeper" '$1 == p && $3 != "Z"') ]] ||
		fail "minit's restart killed the docker exec session (sleep $sleeper gone; exec exit status $(cat "$T/exec.rc" 2>/dev/null || echo ?)):
$(logs "$c" | grep '^minit:')"
	[[ ! -e $T/exec.rc ]] || fail "the docker exec session ended with status $(cat "$T/exec.rc")"
}

# `docker run --memory`: a server that outgrows the container's limit is
# killed by the OOM killer, and minit says so (log, the restart counted as a
# crash, the exit code, /dev/termination-log's line). The counter minit reads
# (memory.events, memory.oom_control) is readable on Docker's read-only
# cgroupfs.
@test "crash, docker run --memory 64m: an OOM-killed server is told as such, restarted as a crash; exit 137 and the reason" {
	local c tlog=$BATS_TEST_TMPDIR/tlog
	: >"$tlog"
	c=$(cname oom)
	dstart "$c" --network none --memory 64m --memory-swap 64m -v "$tlog:/dev/termination-log" \
		-e MINIT_RESTART_MAX=1 -e MINIT_BACKOFF_MIN=10ms \
		"$IMG_SCRATCH" dd if=/dev/zero of=/dev/null bs=256M count=1
	wait_for -t 60 -m "the container to end" is_exited "$c"
	[[ $(exit_code "$c") == 137 ]] || fail "exit $(exit_code "$c"), expected 137: $(logs "$c")"
	assert_log "$c" '^minit: warning: pid [0-9]+ killed by SIGKILL \(OOM killer, memory limit 64 MiB\); restart 1 of 1 in [0-9]+ ms$'
	assert_log "$c" '^minit: error: pid [0-9]+ killed by SIGKILL \(OOM killer, memory limit 64 MiB\); giving up after 1 restarts'
	[[ $(cat "$tlog") == "gave up after 1 restarts in 60 s: killed by SIGKILL (OOM killer, memory limit 64 MiB)" ]] ||
		fail "termination message: $(cat "$tlog")"
}
