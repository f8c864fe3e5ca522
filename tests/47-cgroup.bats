#!/usr/bin/env bats
# The kernel-tracked tree (issue 13): minit started in a cgroup v2 directory
# the test prepares on this machine's cgroup2 mount (found in mountinfo)
# runs the server in a cgroup of its own; the final KILL is one write to
# cgroup.kill; a fork loop and a double-forked setsid daemon are gone by
# --stop-timeout + 100 ms; minit exits when the cgroup is empty; a process
# of minit's cgroup outside its tree (docker exec's) is untouched; with
# --cgroup off or a read-only cgroupfs the /proc code runs. And OOM kills in
# a memory-limited cgroup (v1 memory controller here, v2 memory.max where
# available), told apart from other KILLs.

load lib/minit

# cgroup mode is this file's subject, whatever the stage's TEST_CGROUP
unset TEST_CGROUP

setup_file() {
	check_probes || return 1
	CG_MOUNT=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	export CG_MOUNT
}

# cg_prepare: CG = a cgroup v2 directory of this test's own, CG_REL its
# name as /proc/PID/cgroup says it; IN_CG = a wrapper that runs a command in it
cg_prepare() {
	[[ -n $CG_MOUNT && -w $CG_MOUNT/cgroup.procs ]] || skip "no writable cgroup v2 mount here"
	CG=$CG_MOUNT/minit-bats-$$-$BATS_TEST_NUMBER
	mkdir -p "$CG"
	CG_REL=/${CG#"$CG_MOUNT"/}
	IN_CG=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG")
	TEARDOWN_HOOKS+=(cg_cleanup)
}

# everything left in CG killed, its directories removed, deepest first
cg_cleanup() {
	[[ -n ${CG:-} && -d $CG ]] || return 0
	echo 1 >"$CG/cgroup.kill" 2>/dev/null || true
	local d i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
		[[ -d $CG ]] || return 0
		nap 0.05
	done
}

# start_cg MODE MINIT-ARGS...: start_minit inside CG
start_cg() { start_via "$1" "${IN_CG[@]}" -- "${@:2}"; }

cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; } # PID

# ---------------------------------------------------------------------------

t_placement() {
	cg_prepare
	start_cg "$1" -v -- sigrec -o "$REC" -x TERM:0
	wait_ready
	main_child
	local server own
	server=$(cgroup_of "$MAIN_CHILD") own=$(cgroup_of "$MINIT_PID")
	[[ $server =~ ^$CG_REL/minit-[0-9]+-[0-9a-f]+$ ]] || fail "the server's cgroup: $server"
	[[ $own == "$CG_REL" ]] || fail "minit moved to $own (the server's: $server)"
	wait_log info "cgroup mode: the server runs in $CG/minit-"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
	[[ -z $(find "$CG" -mindepth 1 -type d) ]] || fail "minit left cgroups behind: $(find "$CG" -mindepth 1 -type d)"
}
@test "pid1: in a writable cgroup the server runs in a cgroup of its own below minit's, removed at exit" { t_placement pid1; }
@test "subreaper: in a writable cgroup the server runs in a cgroup of its own below minit's, removed at exit" { t_placement sub; }
# A cgroup that was once killed through cgroup.kill (minit's own, by a
# launcher; the server's, by minit's KILL of the crashed tree's leftover
# before the restart): the server starts and restarts all the same. Linux
# 6.18's clone3(CLONE_INTO_CGROUP) kills a child born into a cgroup whose
# kill count differs from its parent's: minit starts the server in its
# cgroup with clone3 only where a probe child lived (its own cgroup never
# killed), and forks, then joins, once it has killed the server's cgroup.
t_killed_before() { # MODE own|server
	local how="starts in its cgroup"
	cg_prepare
	if [[ $2 == own ]]; then
		echo 1 >"$CG/cgroup.kill"
		how="joins its cgroup after fork"
	fi
	((VALGRIND)) && how="joins its cgroup after fork" # valgrind: clone3 is ENOSYS
	start_cg "$1" -vvv --restart on-crash --backoff-min 10ms -- sh -c '
		[ -e "$0/crashed" ] && exec sigrec -o "$1" -x TERM:0
		sigrec -o "$1" -c 1 & while ! grep -q ready "$1" 2>/dev/null; do sleep 0.01; done
		touch "$0/crashed"; kill -SEGV $$' "$T" "$REC"
	wait_ready "$REC" 3 # the crash's restart
	count_log warning "killed by SIGKILL"
	((NLINES == 0)) || fail "a child was killed at birth: $(cat "$ERR")"
	count_log debug "the server $how"
	((NLINES == 1)) || fail "no line 'the server $how': $(grep -i 'the server' "$ERR")"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: in a cgroup once killed by cgroup.kill the server starts, crashes, restarts" { t_killed_before pid1 own; }
@test "subreaper: in a cgroup once killed by cgroup.kill the server starts, crashes, restarts" { t_killed_before sub own; }
@test "pid1: started in its cgroup by clone3, the server restarts after minit's cgroup.kill of its leftover" { t_killed_before pid1 server; }
@test "subreaper: started in its cgroup by clone3, the server restarts after minit's cgroup.kill of its leftover" { t_killed_before sub server; }

# Someone else (an operator, an OOM daemon) writes the server cgroup's
# cgroup.kill: the server dies, is restarted as after any crash, and the
# restart lives. Once the kernel's kill count of that cgroup differs from
# minit's, a clone3 start there dies at birth (Linux 6.18): after a KILL of
# the server minit joins it to its cgroup after fork instead (once, five
# KILLs at birth made it give up).
t_killed_outside() {
	cg_prepare
	start_cg "$1" -vvv --restart on-crash --backoff-min 10ms -- sigrec -o "$REC" -x TERM:0
	wait_ready
	main_child
	local server
	server=$(cgroup_of "$MAIN_CHILD")
	echo 1 >"$CG_MOUNT$server/cgroup.kill"
	wait_ready "$REC" 2 # the restart's
	count_log warning "killed by SIGKILL"
	((NLINES == 1)) || fail "want the one KILL from outside, saw $NLINES: $(cat "$ERR")"
	if ((!VALGRIND)); then # valgrind: clone3 is ENOSYS, the server always joins after fork
		count_log debug "the server died of a KILL: from now on it joins .* after fork"
		((NLINES == 1)) || fail "no line saying the server now joins after fork: $(cat "$ERR")"
	fi
	is_alive "$MINIT_PID" || fail "minit gave up: $(cat "$ERR")"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: after a cgroup.kill from outside the server restarts and lives" { t_killed_outside pid1; }
@test "subreaper: after a cgroup.kill from outside the server restarts and lives" { t_killed_outside sub; }

# The server's cgroup frozen (cgroup.freeze) and the server KILLed: its
# restart is born frozen, and minit does not wait for it (a probe child it
# waited for once would have held PID 1): a stop still ends it all.
t_frozen() {
	cg_prepare
	start_cg "$1" -v --restart on-crash --backoff-min 10ms --stop-timeout 500ms -- \
		sigrec -o "$REC" -x TERM:0
	wait_ready
	main_child
	local server
	server=$CG_MOUNT$(cgroup_of "$MAIN_CHILD")
	echo 1 >"$server/cgroup.freeze"
	wait_for -m "the server's cgroup frozen" grep -qx "frozen 1" "$server/cgroup.events"
	kill -KILL "$MAIN_CHILD"
	wait_log warning "killed by SIGKILL; restart 1 of"
	wait_log info "started sigrec" 2
	kill -TERM "$MINIT_PID"
	wait_minit 10
	assert_exit 137 "the ladder's KILL of the frozen restart"
}
@test "pid1: a restart born into a frozen cgroup does not hold minit" { t_frozen pid1; }
@test "subreaper: a restart born into a frozen cgroup does not hold minit" { t_frozen sub; }

# The server's cgroup removed from outside while the server is down (an
# operator, a cleanup job, a worker that left it): the restart cannot join
# it, so minit leaves cgroup mode and starts it again at once, uncounted,
# in its own cgroup, where the /proc code tracks it
t_removed() {
	cg_prepare
	start_cg "$1" -v --restart on-crash --backoff-min 300ms --restart-max 1 -- \
		sigrec -o "$REC" -x TERM:0
	wait_ready
	main_child
	local server
	server=$CG_MOUNT$(cgroup_of "$MAIN_CHILD")
	kill -KILL "$MAIN_CHILD"
	wait_for -m "the server's cgroup removed" rmdir "$server"
	wait_ready "$REC" 2 5
	wait_log warning "cgroup mode off"
	main_child
	[[ $(cgroup_of "$MAIN_CHILD") == "$CG_REL" ]] || fail "the restart's cgroup: $(cgroup_of "$MAIN_CHILD")"
	count_log warning "restart 1 of 1"
	((NLINES == 1)) || fail "the failed join was counted as a crash: $(cat "$ERR")"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: the server's cgroup removed while it is down: the restart runs in minit's cgroup" { t_removed pid1; }
@test "subreaper: the server's cgroup removed while it is down: the restart runs in minit's cgroup" { t_removed sub; }

# the final KILL of a TERM-ignoring tree: exactly one write to cgroup.kill
t_one_kill() {
	((VALGRIND)) && skip "under valgrind the system calls strace sees are valgrind's"
	cg_prepare
	EXTRA_ENV=(ASAN_OPTIONS=detect_leaks=0) # LeakSanitizer cannot run under ptrace
	start_cg "$1" --stop-timeout 300ms -- sigrec -o "$REC" -c 3
	wait_ready "$REC" 4
	strace -q -y -o "$T/strace.log" -p "$MINIT_PID" -e trace=write,kill,pidfd_send_signal &
	BG_PIDS+=($!)
	wait_for -m "strace attached" eval '[[ $(status_field $MINIT_PID TracerPid) != 0 ]]'
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 137 "the ladder's KILL"
	local kills
	kills=$(grep -c 'cgroup.kill>' "$T/strace.log" || true)
	((kills == 1)) || fail "expected one write to cgroup.kill, saw $kills:
$(cat "$T/strace.log")"
	! grep -qE '(kill|pidfd_send_signal)\(.*SIGKILL' "$T/strace.log" ||
		fail "a KILL went out another way too: $(grep SIGKILL "$T/strace.log")"
}
@test "pid1: the stop's final KILL is one write to cgroup.kill" { t_one_kill pid1; }
@test "subreaper: the stop's final KILL is one write to cgroup.kill" { t_one_kill sub; }

# A fork loop and a double-forked setsid daemon, all TERM-ignoring: gone by
# --stop-timeout + 100 ms
FORK_STORM='trap "" TERM
	setsid sh -c "trap \"\" TERM; sh -c \"trap \\\"\\\" TERM; echo \\\$\\\$ >\\\"$D/daemon\\\"; exec sleep 1000\" &" &
	while :; do sleep 0.01 & done'
t_fork_storm() {
	cg_prepare
	EXTRA_ENV=(D="$T")
	start_cg "$1" --stop-timeout 1s -- sh -c "$FORK_STORM"
	wait_for -m "the daemon" test -s "$T/daemon"
	local daemon
	host_pid "$(cat "$T/daemon")" && daemon=$HOST_PID
	[[ -n $daemon ]] || fail "daemon not found"
	sv_watch "$MINIT_PID" "$daemon"
	sv_send TERM "$MINIT_PID"
	local t0=$SV_T0
	sv_exit_time "$MINIT_PID" 5
	sv_assert_exit $((SV_T - t0)) 1000 1100 "minit's exit after TERM"
	sv_exit_time "$daemon" 1
	sv_assert_span $((SV_T - t0)) 0 1100 "the daemon's end"
	wait_minit
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: a fork loop and a setsid daemon are gone by --stop-timeout + 100 ms" { sv_timed t_fork_storm pid1; }
@test "subreaper: a fork loop and a setsid daemon are gone by --stop-timeout + 100 ms" { sv_timed t_fork_storm sub; }

# minit exits as soon as the cgroup is empty: the leftover exits 300 ms
# after its TERM, minit right after it
t_populated() {
	cg_prepare
	EXTRA_ENV=(REC="$REC" D="$T")
	start_cg "$1" -- sh -c 'notify-server -o "$REC" -x 300 & while [ ! -e "$D/go" ]; do sleep 0.01; done; exit 3'
	wait_ready
	last_ready
	host_pid "$READY_PID"
	local left=$HOST_PID
	sv_watch "$MINIT_PID" "$left"
	touch "$T/go"
	sv_exit_time "$left" 5
	local t_left=$SV_T
	sv_exit_time "$MINIT_PID" 5
	sv_assert_exit $((SV_T - t_left)) 0 "$SV_TOL" "minit's exit after the last process of the cgroup"
	wait_minit
	assert_exit 3 "the child's"
}
@test "pid1: minit exits the moment the server's cgroup is empty" { sv_timed t_populated pid1; }
@test "subreaper: minit exits the moment the server's cgroup is empty" { sv_timed t_populated sub; }

# A process in minit's cgroup but not in its tree (as docker exec's are):
# the stop does not touch it
t_outsider() {
	cg_prepare
	start_cg "$1" --stop-timeout 300ms -- sigrec -o "$REC"
	wait_ready
	if [[ $1 == pid1 ]]; then
		launch "${IN_CG[@]}" nsenter -t "$MINIT_PID" --pid --mount sigrec -o "$T/outsider"
	else
		launch "${IN_CG[@]}" sigrec -o "$T/outsider"
	fi
	local keep=$LAUNCH_PID
	wait_ready "$T/outsider"
	kill -TERM "$MINIT_PID"
	# wait for minit's end as this test's own launch: LAUNCH_PID is the outsider now
	wait_for -m "minit to exit" is_gone "$MINIT_PID"
	sig_count TERM "$T/outsider"
	((COUNT == 0)) || fail "the outsider got TERM: $SIG_LINES"
	sig_count CONT "$T/outsider"
	((COUNT == 0)) || fail "the outsider got CONT: $SIG_LINES"
	if [[ $1 == sub ]]; then
		is_alive "$keep" || fail "the outsider was killed"
	fi
}
@test "pid1: a process of minit's cgroup outside its tree (docker exec's) is not signalled by the stop" { t_outsider pid1; }
@test "subreaper: a process of minit's cgroup outside its tree (docker exec's) is not signalled by the stop" { t_outsider sub; }

# The server makes cgroups of its own below its cgroup and puts workers in
# them (docker-in-docker, systemd, a CI runner do): the stop's TERM reaches
# them as it reaches the rest of the tree, and minit removes the nested
# directories with its own at exit.
# start_mover MODE sub|up: start_cg MODE over a server (sigrec, $REC) whose
# worker (sigrec, $T/worker, in a session of its own) first moves itself
# into a new cgroup below the server's (sub) or into minit's (up); WORKER =
# its host pid
start_mover() {
	cg_prepare
	EXTRA_ENV=(REC="$REC" W="$T/worker" M="$CG_MOUNT" WHERE="$2")
	start_cg "$1" -- sh -c 'setsid sh -c '\''cg=$(sed -n "s/^0:://p" /proc/self/cgroup)
		if [ "$WHERE" = sub ]; then to=$M$cg/sub && mkdir "$to"; else to=$M${cg%/*}; fi &&
		echo $$ >"$to/cgroup.procs" && exec sigrec -o "$W" -x TERM:0'\'' &
		exec sigrec -o "$REC" -x TERM:0'
	wait_ready
	wait_ready "$T/worker"
	last_ready "$T/worker"
	host_pid "$READY_PID"
	WORKER=$HOST_PID
}

t_nested() {
	start_mover "$1" sub
	[[ $(cgroup_of "$WORKER") =~ ^$CG_REL/minit-[0-9]+-[0-9a-f]+/sub$ ]] ||
		fail "the worker's cgroup: $(cgroup_of "$WORKER")"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "sigrec's on TERM"
	sig_count TERM "$T/worker"
	((COUNT == 1)) || fail "the nested worker got $COUNT TERMs: $(cat "$T/worker")"
	[[ -z $(find "$CG" -mindepth 1 -type d) ]] || fail "minit left cgroups behind: $(find "$CG" -mindepth 1 -type d)"
}
@test "pid1: a worker in a cgroup the server made below its own gets the stop's TERM; the cgroups go at exit" { t_nested pid1; }
@test "subreaper: a worker in a cgroup the server made below its own gets the stop's TERM; the cgroups go at exit" { t_nested sub; }

# A root worker moves itself out of the server's cgroup into minit's. As a
# subreaper minit still has it as a child once the server is gone: the stop
# TERMs it through /proc and waits for it, as without cgroup mode. As PID 1
# it is indistinguishable from a docker exec session: minit exits when the
# server's cgroup is empty and the kernel ends the rest with it.
t_escaped() {
	start_mover "$1" up
	local worker=$WORKER
	[[ $(cgroup_of "$worker") == "$CG_REL" ]] || fail "the worker did not leave: $(cgroup_of "$worker")"
	sv_watch "$MINIT_PID"
	sv_send TERM "$MINIT_PID"
	local t0=$SV_T0
	sv_exit_time "$MINIT_PID" 5
	# well before the 2 s leftover grace's KILL
	sv_assert_exit $((SV_T - t0)) 0 500 "minit's exit after TERM"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
	wait_for -m "the escaped worker gone" is_gone "$worker"
	sig_count TERM "$T/worker"
	if [[ $1 == sub ]]; then
		((COUNT == 1)) || fail "the escaped worker got $COUNT TERMs: $(cat "$T/worker")"
	else
		((COUNT == 0)) || fail "the escaped worker got TERM as an exec session would not: $SIG_LINES"
	fi
}
@test "pid1: a worker that leaves the server's cgroup ends with minit" { sv_timed t_escaped pid1; }
@test "subreaper: a worker that leaves the server's cgroup is TERMed and waited for" { sv_timed t_escaped sub; }

# --cgroup off: the /proc code, the server in minit's own cgroup
t_off() {
	cg_prepare
	start_cg "$1" -v --cgroup off -- sigrec -o "$REC" -x TERM:0
	wait_ready
	main_child
	[[ $(cgroup_of "$MAIN_CHILD") == "$CG_REL" ]] || fail "the server's cgroup: $(cgroup_of "$MAIN_CHILD")"
	wait_log info "no cgroup mode \\(--cgroup off\\)"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: --cgroup off: no cgroup of the server's own" { t_off pid1; }
@test "subreaper: --cgroup off: no cgroup of the server's own" { t_off sub; }

# a read-only cgroupfs (plain Docker, Kubernetes): the /proc code, and the
# ladder still ends a TERM-ignoring tree
t_read_only() {
	cg_prepare
	start_via "$1" "${IN_CG[@]}" unshare --mount sh -c 'mount -o remount,bind,ro "$0" && exec "$@"' "$CG_MOUNT" \
		-- -vvv --stop-timeout 300ms -- sigrec -o "$REC" -c 2
	wait_ready "$REC" 3
	wait_log debug "no cgroup mode: unable to make .*Read-only file system"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: a read-only cgroupfs: the /proc code ends the tree" { t_read_only pid1; }
@test "subreaper: a read-only cgroupfs: the /proc code ends the tree" { t_read_only sub; }

# Every cgroup mount read-only, as Docker mounts cgroupfs by default: no
# cgroup mode, no OOM watch (v1's needs a write to cgroup.event_control),
# and the child runs all the same.
t_all_ro() {
	local ro='awk '\''$9 ~ /^cgroup2?$/ { print $5 }'\'' /proc/self/mountinfo | while read -r m; do
		mount -o remount,bind,ro "$m" || exit 1; done && exec "$@"'
	run_via "$1" unshare --mount sh -c "$ro" sh -- -vvv -- sh -c 'exit 5'
	assert_exit 5 "the child's"
	[[ $stderr == *"no cgroup mode: "* ]] || fail "cgroup mode on a read-only cgroupfs? $stderr"
}
@test "pid1: every cgroup mount read-only (Docker's default): no cgroup mode, no OOM watch, the child runs" { t_all_ro pid1; }
@test "subreaper: every cgroup mount read-only (Docker's default): no cgroup mode, no OOM watch, the child runs" { t_all_ro sub; }

# Too few file descriptors (RLIMIT_NOFILE) for minit's set-up: at each
# limit minit runs the child or exits 125 with one error line, and never
# leaves the server's cgroup behind
t_few_fds() {
	((VALGRIND)) && skip "valgrind keeps file descriptors of its own below the limit"
	cg_prepare
	EXTRA_ENV=(ASAN_OPTIONS=detect_leaks=0) # LeakSanitizer needs file descriptors at exit
	local n
	for n in 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		run_via "$1" "${IN_CG[@]}" prlimit --nofile="$n" -- -- sh -c 'exit 3'
		((status == 3 || status == 125)) || fail "RLIMIT_NOFILE $n: exit $status: $stderr"
		if ((status == 125)); then
			[[ $(grep -c 'minit: error: ' <<<"$stderr") == 1 ]] ||
				fail "RLIMIT_NOFILE $n: exit 125 without one error line: $stderr"
		fi
		[[ -z $(find "$CG" -mindepth 1 -type d) ]] ||
			fail "RLIMIT_NOFILE $n: minit left $(find "$CG" -mindepth 1 -type d) behind: $stderr"
	done
}
@test "pid1: too few file descriptors: the child runs or minit exits 125, no cgroup left behind" { t_few_fds pid1; }
@test "subreaper: too few file descriptors: the child runs or minit exits 125, no cgroup left behind" { t_few_fds sub; }

# ---------------------------------------------------------------------------
# OOM

# mem_prepare MIB: MEM = a memory cgroup of this test's own limited to MIB
# (v2 memory.max where the v2 hierarchy has the memory controller, else
# v1's), IN_MEM = a wrapper that runs a command in it
mem_prepare() {
	local v1
	MEM= IN_MEM=()
	if [[ -n $CG_MOUNT ]] && grep -qw memory "$CG_MOUNT/cgroup.controllers" 2>/dev/null &&
		grep -qw memory "$CG_MOUNT/cgroup.subtree_control" 2>/dev/null; then
		MEM=$CG_MOUNT/minit-bats-mem-$$-$BATS_TEST_NUMBER
		mkdir -p "$MEM"
		echo $(($1 << 20)) >"$MEM/memory.max"
		echo 0 >"$MEM/memory.swap.max" 2>/dev/null || true
	else
		v1=$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ { print $5; exit }' /proc/self/mountinfo)
		[[ -n $v1 && -w $v1/cgroup.procs ]] || skip "no writable memory cgroup here"
		MEM=$v1/minit-bats-mem-$$-$BATS_TEST_NUMBER
		mkdir -p "$MEM"
		echo $(($1 << 20)) >"$MEM/memory.limit_in_bytes"
	fi
	IN_MEM=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$MEM")
	TEARDOWN_HOOKS+=(mem_cleanup)
}
mem_cleanup() {
	[[ -n ${MEM:-} && -d $MEM ]] || return 0
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rmdir "$MEM" 2>/dev/null && return 0
		kill -KILL $(cat "$MEM/cgroup.procs" 2>/dev/null) 2>/dev/null || true
		nap 0.05
	done
}

# the limit: valgrind's or ASan's own memory (minit runs in the limited
# cgroup too) needs more than 32 MiB, or the OOM killer may pick minit: an
# ASan minit outweighed the second python3 at 32 MiB once
LIMIT_MIB=$((${VALGRIND:-0} || ASAN_BUILD ? 512 : 32))
EAT="s = b'x' * ($LIMIT_MIB << 23)" # eight times the limit

t_oom_main() {
	mem_prepare "$LIMIT_MIB"
	run_via "$1" "${IN_MEM[@]}" -- -v --restart on-crash --restart-max 1 --backoff-min 10ms \
		--termination-log "$T/tlog" -- python3 -c "$EAT"
	assert_exit 137 "the last OOM kill"
	count_log warning "pid [0-9]+ \(python3\) killed by the OOM killer \(memory limit $LIMIT_MIB MiB\)"
	((NLINES == 2)) || fail "expected two OOM kills logged: $stderr"
	count_log warning "killed by SIGKILL \(OOM killer, memory limit $LIMIT_MIB MiB\); restart 1 of 1"
	((NLINES == 1)) || fail "the first OOM kill is a crash, restarted: $stderr"
	[[ $(cat "$T/tlog") == "gave up after 1 restarts in 60 s: killed by SIGKILL (OOM killer, memory limit $LIMIT_MIB MiB)" ]] ||
		fail "termination message: $(cat "$T/tlog")"
}
@test "pid1: an OOM-killed child is told as such, counted as a crash, and in the termination message" { t_oom_main pid1; }
@test "subreaper: an OOM-killed child is told as such, counted as a crash, and in the termination message" { t_oom_main sub; }

# a worker killed by the OOM killer while its master lives on: logged
t_oom_worker() {
	mem_prepare "$LIMIT_MIB"
	EXTRA_ENV=(EAT="$EAT")
	run_via "$1" "${IN_MEM[@]}" -- -v -- sh -c 'python3 -c "$EAT"; echo "worker $?"; sleep 1; exit 0'
	assert_exit 0 "the master's, which lived on"
	[[ $output == "worker 137" ]] || fail "the worker was not killed: $output"
	count_log warning "killed by the OOM killer \(memory limit $LIMIT_MIB MiB\)"
	((NLINES == 1)) || fail "the worker's OOM kill was not logged once: $stderr"
}
@test "pid1: a worker's OOM kill that its master survives is logged" { t_oom_worker pid1; }
@test "subreaper: a worker's OOM kill that its master survives is logged" { t_oom_worker sub; }

# a KILL that was not the OOM killer's is not called one
t_not_oom() {
	mem_prepare "$LIMIT_MIB"
	run_via "$1" "${IN_MEM[@]}" -- -v -- sh -c 'kill -KILL $$'
	assert_exit 137 "the child's KILL"
	count_log warning 'OOM'
	((NLINES == 0)) || fail "a plain KILL was called an OOM kill: $stderr"
}
@test "pid1: a KILL that was not the OOM killer's is not called one" { t_not_oom pid1; }
@test "subreaper: a KILL that was not the OOM killer's is not called one" { t_not_oom sub; }
