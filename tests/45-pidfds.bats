#!/usr/bin/env bats
# The loop and pidfds (issue 11), seen from outside with strace: an idle
# minit sits in one epoll_wait and nothing else; a stop of a tree signals
# the main child and every process the /proc walk finds through pidfds
# (pidfd_open, pidfd_send_signal), never by a bare pid. Without pidfds (an
# old kernel: ENOSYS; a seccomp profile: EPERM) minit notes it once and
# signals by pid, and everything still works.

load lib/minit

# The tests that keep strace attached until minit exits do without
# LeakSanitizer (NO_LSAN).

t_idle_epoll() {
	((VALGRIND)) && skip "under valgrind the system calls strace sees are valgrind's"
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	wait_for -m "minit asleep in epoll_wait" eval '[[ $(cat /proc/$MINIT_PID/wchan) == do_epoll_wait ]]'
	strace_minit "$T/strace.log" -e trace=all
	# a bounded observation of nothing happening
	sleep 1
	kill -INT "$STRACE_PID"
	wait "$STRACE_PID" 2>/dev/null || true
	local lines
	mapfile -t lines <"$T/strace.log"
	((${#lines[@]} == 1)) && [[ ${lines[0]} =~ ^epoll_p?wait\( ]] ||
		fail "an idle minit made system calls: $(cat "$T/strace.log")"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: idle, minit waits in one epoll_wait and makes no other system call" { t_idle_epoll pid1; }
@test "subreaper: idle, minit waits in one epoll_wait and makes no other system call" { t_idle_epoll sub; }

# The main child sigrec -c 2 (its two children, minit's grandchildren, in
# its group) ignores TERM; the ladder's KILL goes to the whole tree: as a
# subreaper through the walk's pidfds, as PID 1 with one kill(-1) (the whole
# namespace; no pid in it can be stale). Without cgroup mode, whose KILL is
# one write to cgroup.kill (47-cgroup).
t_stop_through_pidfds() {
	((VALGRIND)) && skip "valgrind 3.19 has no pidfd_open: minit signals by pid there"
	# the /proc walk's path: in cgroup mode the KILL is one write (47)
	EXTRA_ENV=("$NO_LSAN" MINIT_CGROUP=off)
	start_minit "$1" --stop-timeout 300ms sigrec -o "$REC" -c 2
	wait_ready "$REC" 3
	local grand p KIDS
	main_child || fail "minit has no child"
	kids "$MAIN_CHILD"
	grand=("${KIDS[@]}")
	((${#grand[@]} == 2)) || fail "expected two grandchildren, found ${grand[*]}"
	strace_minit "$T/strace.log" -e trace=kill,pidfd_open,pidfd_send_signal
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 137 "the ladder's KILL"
	wait "$STRACE_PID" 2>/dev/null || true
	local log nsmain nsgrand=()
	log=$(cat "$T/strace.log")
	[[ $log == *"pidfd_send_signal("*"SIGTERM"* ]] || fail "the main child's TERM did not go through its pidfd:
$log"
	ready_pids
	last_ready
	for p in "${READY_PIDS[@]}"; do
		[[ $p == "$READY_PID" ]] || nsgrand+=("$p")
	done
	for p in "${nsgrand[@]}"; do
		[[ ! $log =~ kill\($p, ]] || fail "grandchild $p signalled by pid:
$log"
		[[ $1 == pid1 || $log =~ pidfd_open\($p, ]] || fail "grandchild $p not opened with pidfd_open:
$log"
	done
	if [[ $1 == pid1 ]]; then
		[[ $log == *"kill(-1, SIGKILL)"* ]] || fail "as PID 1 the final KILL should be kill(-1):
$log"
	else
		[[ $log =~ pidfd_send_signal\([0-9]+,\ SIGKILL ]] || fail "no KILL through a pidfd:
$log"
	fi
}
@test "pid1: a stop signals the main child and the grandchildren the walk finds through pidfds" { t_stop_through_pidfds pid1; }
@test "subreaper: a stop signals the main child and the grandchildren the walk finds through pidfds" { t_stop_through_pidfds sub; }

# ---------------------------------------------------------------------------
# no pidfds

# minit behind nopidfd (ENOSYS, or EPERM with -p): forwarding, the ladder, a
# crash's cleanup of the workers, the final KILL: all by pid, all still
# working
# (the back-off gives the crashed server's worker time to record its TERM
# before the KILL that follows it)
t_no_pidfds() { # MODE NOPIDFD-OPTION ERRNO-TEXT
	local why=$3
	# valgrind answers ENOSYS for pidfd_open itself: the seccomp filter's
	# EPERM never comes back
	((!VALGRIND)) || why="Function not implemented"
	EXTRA_ENV=(REC="$REC" D="$T")
	start_via "$1" nopidfd $2 -- -vvv --restart on-crash --backoff-min 200ms --stop-timeout 300ms -- sh -c '
		[ -e "$D/crashed" ] && exec sigrec -o "$REC.2" -c 1
		sigrec -o "$REC" &
		while ! grep -q ready "$REC" 2>/dev/null; do sleep 0.01; done
		touch "$D/crashed"; kill -SEGV $$'
	wait_sig TERM "$REC" # the crashed server's worker got its TERM
	wait_ready "$REC.2" 2
	kill -USR1 "$MINIT_PID"
	wait_sig USR1 "$REC.2"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 137 "the ladder's KILL of the restarted, TERM-ignoring tree"
	count_log debug "no pidfds here \\($why\\): signalling by pid"
	((NLINES == 1)) ||
		fail "expected the fallback noted once at debug level: $(grep pidfd "$ERR")"
}
@test "pid1: without pidfds (ENOSYS): signals by pid, noted once; forward, restart, stop all work" { t_no_pidfds pid1 "" "Function not implemented"; }
@test "subreaper: without pidfds (ENOSYS): signals by pid, noted once; forward, restart, stop all work" { t_no_pidfds sub "" "Function not implemented"; }
@test "pid1: pidfds denied by seccomp (EPERM): signals by pid, noted once; forward, restart, stop all work" { t_no_pidfds pid1 -p "Operation not permitted"; }
@test "subreaper: pidfds denied by seccomp (EPERM): signals by pid, noted once; forward, restart, stop all work" { t_no_pidfds sub -p "Operation not permitted"; }
