#!/usr/bin/env bats
# Reaping: minit drains waitpid until nothing is left (no zombie survives an
# orphan storm), is a child subreaper when not PID 1 (orphans of the child
# become its children), and -w warns once per reaped orphan.

_storm_user_timeout=${BATS_TEST_TIMEOUT:-}
load lib/minit

# the child: make orphans, then idle as sigrec (exit 0 on TERM); the
# creators' report ("orphans N created in MS ms") goes to $STORM_OUT if set
ORPHANS_THEN_REC='orphans "$@" >"${STORM_OUT:-/dev/null}" || exit 99; exec sigrec -o "$REC" -x TERM:0'

# The storm (issue 4): 20,000 orphans from 2 parallel creators. orphans
# makes them with clone(CLONE_VM), not fork (1-4 ms a fork on a busy VM made
# this minutes per mode): 3 s on a 2-CPU machine busy with other test runs.
# The creators get STORM_MS_PER_ORPHAN ms per orphan (at least 60 s, times
# TIMEOUT_MULT), and minit's own part, no zombie left once they are done,
# 20 s. STORM_ORPHANS=2000 makes a quick run.
STORM_ORPHANS=${STORM_ORPHANS:-20000}
STORM_MS_PER_ORPHAN=${STORM_MS_PER_ORPHAN:-15}
STORM_CREATE_S=$((STORM_ORPHANS * STORM_MS_PER_ORPHAN / 1000))
((STORM_CREATE_S >= 60)) || STORM_CREATE_S=60
# bats' safety net (lib/minit.bash: 90 s) must not end a storm within its
# deadlines (set as the file is sourced, for the storm tests only: bats
# starts its timer before the test function runs)
if [[ -z $_storm_user_timeout && ${BATS_TEST_NAME:-} == *storm_of* ]] &&
	((BATS_TEST_TIMEOUT < (STORM_CREATE_S + 20) * TIMEOUT_MULT + 60)); then
	BATS_TEST_TIMEOUT=$(((STORM_CREATE_S + 20) * TIMEOUT_MULT + 60))
fi

start_orphans() { # MODE [MINIT ARGS...] -- ORPHANS ARGS...
	local mode=$1 margs=()
	shift
	while [[ $1 != -- ]]; do margs+=("$1"); shift; done
	shift
	EXTRA_ENV+=(REC="$REC")
	start_minit "$mode" "${margs[@]}" sh -c "$ORPHANS_THEN_REC" sh "$@"
	wait_ready "$REC" 1 "${READY_TIMEOUT:-10}"
}

t_storm() {
	EXTRA_ENV+=(STORM_OUT="$T/storm.out")
	READY_TIMEOUT=$STORM_CREATE_S start_orphans "$1" -- "$STORM_ORPHANS" 2
	grep -q "^orphans $STORM_ORPHANS created" "$T/storm.out" ||
		fail "the creators did not make $STORM_ORPHANS orphans: $(cat "$T/storm.out")"
	wait_for -t 20 -m "no zombie children of minit after $STORM_ORPHANS orphans" \
		-d "count_zombies_of $MINIT_PID" no_zombies_of "$MINIT_PID"
	is_alive "$MINIT_PID" || fail "minit died during the storm"
	# nothing but the main child is left below minit
	local kids
	kids=$(children_of "$MINIT_PID" | wc -l)
	[[ $kids -eq 1 ]] || fail "minit has $kids children, want only the main child"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status after the storm; stderr: $stderr"
}
@test "pid1: no zombie survives a storm of $STORM_ORPHANS orphans from 2 creators" { t_storm pid1; }
@test "subreaper: no zombie survives a storm of $STORM_ORPHANS orphans from 2 creators" { t_storm sub; }

t_storm_while_exiting() {
	# the child leaves 100 short-lived orphans behind and exits at once:
	# minit must still reap them all and return the child's status
	run_minit "$1" sh -c 'orphans 100 2 -s 50 >/dev/null; exit 5'
	[[ $status -eq 5 ]] || fail "want the child's 5, got $status; stderr: $stderr"
}
@test "pid1: orphans still running when the child exits do not change its status" { t_storm_while_exiting pid1; }
@test "subreaper: orphans still running when the child exits do not change its status" { t_storm_while_exiting sub; }

# living orphans: their parent becomes minit
t_orphans_reparented() {
	start_orphans "$1" -- 5 -s 60000
	local main kids p n=0
	main_child || fail "no main child"
	main=$MAIN_CHILD
	for p in $(children_of "$MINIT_PID"); do
		[[ $p == "$main" ]] && continue
		[[ $(status_field "$p" PPid) == "$MINIT_PID" ]] || fail "orphan $p has PPid $(status_field "$p" PPid), not minit ($MINIT_PID)"
		n=$((n + 1))
	done
	[[ $n -eq 5 ]] || fail "want 5 orphans re-parented to minit ($MINIT_PID), found $n; tree: $(ps_tree "$MINIT_PID")"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
}
@test "pid1: orphans of the child are re-parented to minit" { t_orphans_reparented pid1; }
@test "subreaper: orphans of the child are re-parented to minit (automatic subreaper)" { t_orphans_reparented sub; }

t_orphans_reaped_when_they_exit() {
	start_orphans "$1" -- 20 -s 60000
	local main p orphans=()
	main_child || fail "no main child"
	main=$MAIN_CHILD
	for p in $(children_of "$MINIT_PID"); do
		[[ $p == "$main" ]] || orphans+=("$p")
	done
	[[ ${#orphans[@]} -eq 20 ]] || fail "want 20 orphans below minit, found ${#orphans[@]}"
	kill -TERM "${orphans[@]}"
	wait_for -m "the 20 orphans reaped by minit" -d "ps_tree $MINIT_PID" \
		eval "(( \$(children_of $MINIT_PID | wc -l) == 1 ))"
	no_zombies_of "$MINIT_PID" || fail "zombies left"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
}
@test "pid1: orphans that exit later are reaped" { t_orphans_reaped_when_they_exit pid1; }
@test "subreaper: orphans that exit later are reaped" { t_orphans_reaped_when_they_exit sub; }

t_subreaper_verbose() {
	start_minit sub -v sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
	count_log '(info|debug|warning)' subreaper
	((NLINES >= 1)) ||
		fail "not PID 1 with -v: expected a log line mentioning the subreaper: $stderr"
}
@test "subreaper: with -v minit says it is a child subreaper" { t_subreaper_verbose; }

t_subreaper_flag() { # MODE ARGS... : -s / MINIT_SUBREAPER accepted, orphans reaped
	local mode=$1
	shift
	start_orphans "$mode" "$@" -- 3 -s 60000
	local n
	n=$(children_of "$MINIT_PID" | wc -l)
	[[ $n -eq 4 ]] || fail "want the child and 3 orphans below minit, found $n"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
}
@test "pid1: -s is accepted" { t_subreaper_flag pid1 -s; }
@test "subreaper: -s is accepted" { t_subreaper_flag sub -s; }
@test "pid1: --subreaper and MINIT_SUBREAPER=1 are accepted" { EXTRA_ENV=(MINIT_SUBREAPER=1); t_subreaper_flag pid1 --subreaper; }
@test "subreaper: --subreaper and MINIT_SUBREAPER=1 are accepted" { EXTRA_ENV=(MINIT_SUBREAPER=1); t_subreaper_flag sub --subreaper; }

t_warn_on_reap() { # MODE ARGS...
	local mode=$1
	shift
	start_orphans "$mode" "$@" -- 20
	wait_log warning '' 20
	no_zombies_of "$MINIT_PID" || fail "zombies left"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
	local n
	count_log warning
	n=$NLINES
	[[ $n -eq 20 ]] || fail "want one warning per orphan (20), got $n: $stderr"
}
@test "pid1: -w warns once for every orphan reaped" { t_warn_on_reap pid1 -w; }
@test "subreaper: -w warns once for every orphan reaped" { t_warn_on_reap sub -w; }
@test "pid1: --warn-on-reap warns for every orphan" { t_warn_on_reap pid1 --warn-on-reap; }
@test "subreaper: --warn-on-reap warns for every orphan" { t_warn_on_reap sub --warn-on-reap; }
@test "pid1: MINIT_WARN_ON_REAP=1 warns for every orphan" { EXTRA_ENV=(MINIT_WARN_ON_REAP=1); t_warn_on_reap pid1; }
@test "subreaper: MINIT_WARN_ON_REAP=1 warns for every orphan" { EXTRA_ENV=(MINIT_WARN_ON_REAP=1); t_warn_on_reap sub; }

t_no_warn_by_default() {
	start_orphans "$1" -- 20
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
	count_log warning
	((NLINES == 0)) || fail "no warnings expected without -w: $stderr"
}
@test "pid1: without -w reaping orphans is silent" { t_no_warn_by_default pid1; }
@test "subreaper: without -w reaping orphans is silent" { t_no_warn_by_default sub; }
