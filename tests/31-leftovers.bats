#!/usr/bin/env bats
# Leftovers (issue 3): when the main child exits on its own and is not
# restarted, every other process still alive gets TERM+CONT, then KILL after
# --leftover-grace (default 2 s, 0 = at once); only then does minit exit,
# with the main child's status. With nothing left, minit exits at once.
# The main child is `sigrec -c N -x USR1:3`: USR1 (sent by the test straight
# to it) makes it exit 3, leaving its N TERM-ignoring sigrec children behind.

load lib/minit

# start minit over `sigrec -c N [-g] -x USR1:3 [more sigrec options]` with
# sv_open (CHILD, CHILD_NS: the main child; it watches the whole tree and
# minit); sets LEFT (host pids of the children) and LEFT_NS
start_tree() { # MODE N MINIT_OPTIONS... -- SIGREC_OPTIONS...
	local mode=$1 n=$2 opts=() a HOST_PID
	shift 2
	while [[ $# -gt 0 && $1 != -- ]]; do opts+=("$1") && shift; done
	[[ ${1:-} == -- ]] && shift
	sv_open -n $((n + 1)) "$mode" "${opts[@]}" sigrec -o "$REC" -c "$n" -x USR1:3 "$@"
	LEFT=() LEFT_NS=()
	while read -r -a a; do
		[[ ${a[0]} == ready && ${a[1]} != "$CHILD_NS" ]] || continue
		LEFT_NS+=("${a[1]}")
		host_pid "${a[1]}" && LEFT+=("$HOST_PID")
	done <"$REC"
	((${#LEFT[@]} == n)) || fail "expected $n children of the main child, found ${LEFT[*]}"
}

# end_main: make the main child exit 3 on its own; SV_T0 = its exit time
end_main() {
	sv_send USR1 "$CHILD"
	sv_exit_time "$CHILD"
	SV_T0=$SV_T
}

# TERM-ignoring leftovers get TERM+CONT when the main child exits, KILL after
# the grace; minit exits right after them with the main child's 3.
t_grace() {
	local mode=$1 grace=$2 opt=() i p
	[[ $grace == default ]] && grace=2000 || opt=(--leftover-grace "${grace}ms")
	start_tree "$mode" 2 "${opt[@]}" -- ${3:-}
	end_main
	for p in "${LEFT[@]}"; do
		sv_exit_time "$p" $((grace / 1000 + 10))
		sv_assert_at $((SV_T - SV_T0)) "$grace" "KILL of leftover $p after the grace"
	done
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) "$grace" $((grace + SV_TOL)) "minit's exit"
	for i in "${!LEFT_NS[@]}"; do
		sv_assert_rung TERM 0 "${LEFT_NS[$i]}"
	done
	wait_minit
	assert_exit 3 "the main child's status"
}
@test "pid1: TERM-ignoring leftovers get TERM+CONT at the main child's exit, KILL after --leftover-grace 500ms" {
	sv_timed t_grace pid1 500
}
@test "subreaper: TERM-ignoring leftovers get TERM+CONT at the main child's exit, KILL after --leftover-grace 500ms" {
	sv_timed t_grace sub 500
}
@test "pid1: leftovers in their own sessions (setsid) are stopped the same way" {
	sv_timed t_grace pid1 500 -g
}
@test "subreaper: leftovers in their own sessions (setsid) are stopped the same way" {
	sv_timed t_grace sub 500 -g
}
@test "pid1: the default --leftover-grace is 2 s" { sv_timed t_grace pid1 default; }
@test "subreaper: the default --leftover-grace is 2 s" { sv_timed t_grace sub default; }

t_grace_zero() {
	local p
	start_tree "$1" 2 --leftover-grace 0
	end_main
	for p in "${LEFT[@]}"; do
		sv_exit_time "$p"
		sv_assert_span $((SV_T - SV_T0)) 0 "$SV_TOL" "KILL of leftover $p with grace 0"
	done
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 "$SV_TOL" "minit's exit with grace 0"
	wait_minit
	assert_exit 3 "the main child's status"
}
@test "pid1: --leftover-grace 0 kills the leftovers at once" { sv_timed t_grace_zero pid1; }
@test "subreaper: --leftover-grace 0 kills the leftovers at once" { sv_timed t_grace_zero sub; }

# Leftovers that obey TERM: minit exits as soon as they are gone, with the
# main child's status (not the leftovers' 0), long before the grace.
t_obeying() {
	local p last=0
	start_tree "$1" 2 --leftover-grace 5s -- -x TERM:0
	end_main
	for p in "${LEFT[@]}"; do
		sv_exit_time "$p"
		sv_assert_span $((SV_T - SV_T0)) 0 "$SV_TOL" "exit of leftover $p on TERM"
		((SV_T > last)) && last=$SV_T
	done
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - last)) 0 "$SV_GRACE_TOL" "minit's exit after the last leftover's"
	wait_minit
	assert_exit 3 "the main child's status"
}
@test "pid1: leftovers that exit on TERM: minit exits right after them with the main child's status" {
	sv_timed t_obeying pid1
}
@test "subreaper: leftovers that exit on TERM: minit exits right after them with the main child's status" {
	sv_timed t_obeying sub
}

# A stopped leftover is continued by the CONT that follows TERM.
t_stopped() {
	start_tree "$1" 1 --leftover-grace 5s -- -x TERM:0
	kill -STOP "${LEFT[0]}"
	wait_for -m "the leftover to be stopped" is_stopped "${LEFT[0]}"
	end_main
	sv_exit_time "${LEFT[0]}"
	sv_assert_span $((SV_T - SV_T0)) 0 "$SV_TOL" "the stopped leftover's exit on TERM+CONT"
	sv_exit_time "$MINIT_PID"
	wait_minit
	assert_exit 3 "the main child's status"
}
@test "pid1: a stopped leftover is continued and ends on TERM, long before the grace" { sv_timed t_stopped pid1; }
@test "subreaper: a stopped leftover is continued and ends on TERM, long before the grace" { sv_timed t_stopped sub; }

t_nothing_left() {
	sv_open "$1" sigrec -o "$REC" -x USR1:3
	end_main
	sv_exit_time "$MINIT_PID"
	sv_assert_exit $((SV_T - SV_T0)) 0 "$SV_GRACE_TOL" "minit's exit with nothing left"
	wait_minit
	assert_exit 3 "the main child's status"
}
@test "pid1: nothing left: minit exits within 10 ms of the main child" { sv_timed t_nothing_left pid1; }
@test "subreaper: nothing left: minit exits within 10 ms of the main child" { sv_timed t_nothing_left sub; }

# Orphans (double fork) sleeping when the main child exits: reparented to
# minit, TERMed, reaped; nothing of the test survives minit.
t_orphans() {
	local left
	# run_minit gives minit 10 s, the grace is 30 s: only TERM can end them in time
	run_minit "$1" --leftover-grace 30s sh -c 'orphans 5 -s 100000 >/dev/null; exit 4'
	assert_exit 4 "the main child's status"
	left=$(tagged_pids)
	[[ -z $left ]] || fail "processes outlived minit: $(ps -o pid,ppid,stat,args -p "$(echo $left | tr ' ' ,)")"
}
@test "pid1: sleeping orphans are TERMed and reaped before minit exits (well before the grace)" {
	t_orphans pid1
}
@test "subreaper: sleeping orphans are TERMed and reaped before minit exits (well before the grace)" {
	t_orphans sub
}

# Leftovers are also stopped when the main child dies of a signal and is not
# restarted (--restart no): minit exits 128+N after them.
t_after_crash() {
	local p
	start_tree "$1" 2 --restart no --leftover-grace 300ms -- -x USR2:0
	kill -KILL "$CHILD"
	sv_exit_time "$CHILD"
	SV_T0=$SV_T
	for p in "${LEFT[@]}"; do
		sv_exit_time "$p"
		sv_assert_at $((SV_T - SV_T0)) 300 "KILL of leftover $p after the grace"
	done
	wait_minit
	assert_exit 137 "the main child died of SIGKILL"
}
@test "pid1: leftovers of a main child killed by a signal (not restarted) are stopped; exit 128+N" {
	sv_timed t_after_crash pid1
}
@test "subreaper: leftovers of a main child killed by a signal (not restarted) are stopped; exit 128+N" {
	sv_timed t_after_crash sub
}
