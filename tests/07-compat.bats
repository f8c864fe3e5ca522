#!/usr/bin/env bats
# Drop-in compatibility with tini and dumb-init: their flags and environment
# variables, and the program name (a symlink) choosing the defaults:
#   minit, tini, docker-init: child in its own process group, signals to it
#   dumb-init: child in its own session, signals to its whole group
#   dumb-init -c: child in minit's own group and session (as dumb-init does)

load lib/minit

# check_personality MODE SESSION(yes|no) GROUP(yes|no) PROGNAME [ARGS...]
# The child is sigrec with one -c child in the same process group; it leads
# that group unless SHARED=1 (it stays in minit's, as dumb-init -c leaves it).
check_personality() {
	local mode=$1 want_sess=$2 want_group=$3 name=$4
	shift 4
	PROG=$(personality "$name")
	start_minit "$mode" "$@" sigrec -o "$REC" -c 1 -x TERM:0
	wait_ready "$REC" 2
	local main pgid sid other
	last_ready || fail "no ready line: $(cat "$REC")"
	main=$READY_PID pgid=$READY_PGID sid=$READY_SID
	other=$(awk -v m="$main" '$1 == "ready" && $2 != m { print $2 }' "$REC")
	if ((${SHARED:-0})); then
		[[ $pgid != "$main" ]] || fail "as $name $*: the child should stay in minit's process group: $(cat "$REC")"
	else
		[[ $pgid == "$main" ]] || fail "as $name $*: the child should lead its own process group: $(cat "$REC")"
	fi
	if [[ $want_sess == yes ]]; then
		[[ $sid == "$main" ]] || fail "as $name $*: the child should have its own session: $(cat "$REC")"
	else
		[[ $sid != "$main" ]] || fail "as $name $*: the child should not have its own session: $(cat "$REC")"
	fi
	kill -USR1 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" -p "$main" USR1
	if [[ $want_group == yes ]]; then
		assert_sigs_from "$MINIT_SELF" -p "$other" USR1
	else
		mark_via_minit
		host_pid "$other" || fail "no host pid for the group member $other"
		kill -n $MARK "$HOST_PID"
		wait_sig $MARK "$REC" "$other"
		refute_sig USR1 "$REC" "$other"
	fi
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
	PROG=
}

@test "pid1: as minit: own process group, not own session, signals to the child only" { check_personality pid1 no no minit; }
@test "subreaper: as minit: own process group, not own session, signals to the child only" { check_personality sub no no minit; }
@test "pid1: as tini: own process group, not own session, signals to the child only" { check_personality pid1 no no tini; }
@test "subreaper: as tini: own process group, not own session, signals to the child only" { check_personality sub no no tini; }
@test "pid1: as docker-init: like tini" { check_personality pid1 no no docker-init; }
@test "subreaper: as docker-init: like tini" { check_personality sub no no docker-init; }
@test "pid1: as dumb-init: own session, signals to the whole group" { check_personality pid1 yes yes dumb-init; }
@test "subreaper: as dumb-init: own session, signals to the whole group" { check_personality sub yes yes dumb-init; }
@test "pid1: dumb-init -c: minit's group and session, signals to the child only" { SHARED=1 check_personality pid1 no no dumb-init -c; }
@test "subreaper: dumb-init -c: minit's group and session, signals to the child only" { SHARED=1 check_personality sub no no dumb-init -c; }
@test "pid1: dumb-init --single-child: minit's group and session, signals to the child only" { SHARED=1 check_personality pid1 no no dumb-init --single-child; }
@test "subreaper: dumb-init --single-child: minit's group and session, signals to the child only" { SHARED=1 check_personality sub no no dumb-init --single-child; }
@test "pid1: dumb-init with DUMB_INIT_SETSID=0: minit's group and session, signals to the child only" { EXTRA_ENV=(DUMB_INIT_SETSID=0); SHARED=1 check_personality pid1 no no dumb-init; }
@test "subreaper: dumb-init with DUMB_INIT_SETSID=0: minit's group and session, signals to the child only" { EXTRA_ENV=(DUMB_INIT_SETSID=0); SHARED=1 check_personality sub no no dumb-init; }
@test "pid1: minit --setsid: own session, signals to the group" { check_personality pid1 yes yes minit --setsid; }
@test "subreaper: minit --setsid: own session, signals to the group" { check_personality sub yes yes minit --setsid; }
@test "pid1: minit with DUMB_INIT_SETSID=1: own session, signals to the group" { EXTRA_ENV=(DUMB_INIT_SETSID=1); check_personality pid1 yes yes minit; }
@test "subreaper: minit with DUMB_INIT_SETSID=1: own session, signals to the group" { EXTRA_ENV=(DUMB_INIT_SETSID=1); check_personality sub yes yes minit; }
@test "pid1: tini -g: signals to the group, no session" { check_personality pid1 no yes tini -g; }
@test "subreaper: tini -g: signals to the group, no session" { check_personality sub no yes tini -g; }
@test "pid1: TINI_KILL_PROCESS_GROUP=1: signals to the group" { EXTRA_ENV=(TINI_KILL_PROCESS_GROUP=1); check_personality pid1 no yes tini; }
@test "subreaper: TINI_KILL_PROCESS_GROUP=1: signals to the group" { EXTRA_ENV=(TINI_KILL_PROCESS_GROUP=1); check_personality sub no yes tini; }
@test "pid1: MINIT_GROUP=0 wins over TINI_KILL_PROCESS_GROUP=1" { EXTRA_ENV=(TINI_KILL_PROCESS_GROUP=1 MINIT_GROUP=0); check_personality pid1 no no tini; }
@test "subreaper: MINIT_GROUP=0 wins over TINI_KILL_PROCESS_GROUP=1" { EXTRA_ENV=(TINI_KILL_PROCESS_GROUP=1 MINIT_GROUP=0); check_personality sub no no tini; }

t_tini_flags() {
	PROG=$(personality tini)
	run_minit "$1" -s -g -p TERM -e 3 -v -w sh -c 'exit 3'
	[[ $status -eq 0 ]] || fail "tini -s -g -p TERM -e 3 -v -w: want 0 (3 remapped), got $status; stderr: $stderr"
	local f
	for f in -h --version -l; do
		run_minit "$1" "$f"
		[[ $status -eq 0 && -n $output ]] || fail "tini $f: exit $status, stdout '$output'"
	done
	run_minit "$1" --version
	[[ ${#lines[@]} -eq 1 && ${lines[0]} =~ [0-9]+\.[0-9]+ ]] || fail "tini --version: not one version line: $output"
}
@test "pid1: tini's flags -s -g -p -e -v -w -h -l --version are accepted" { t_tini_flags pid1; }
@test "subreaper: tini's flags -s -g -p -e -v -w -h -l --version are accepted" { t_tini_flags sub; }

t_dumb_init_flags() {
	PROG=$(personality dumb-init)
	run_minit "$1" -V
	[[ $status -eq 0 && ${#lines[@]} -eq 1 && ${lines[0]} =~ [0-9]+\.[0-9]+ ]] ||
		fail "dumb-init -V: exit $status, stdout '$output'"
	run_minit "$1" -c -v sh -c 'exit 4'
	[[ $status -eq 4 ]] || fail "dumb-init -c -v: want the child's 4, got $status"
	run_minit "$1" -h
	[[ $status -eq 0 && -n $output ]] || fail "dumb-init -h: exit $status"
}
@test "pid1: dumb-init's flags -V -c -v -h are accepted" { t_dumb_init_flags pid1; }
@test "subreaper: dumb-init's flags -V -c -v -h are accepted" { t_dumb_init_flags sub; }

t_dumb_init_rewrite() {
	PROG=$(personality dumb-init)
	start_minit "$1" -r 10:12 -r 1:0 sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -USR1 "$MINIT_PID"
	kill -HUP "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" USR2
	mark_via_minit
	refute_sig USR1
	refute_sig HUP
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: dumb-init -r 10:12 -r 1:0 rewrites and drops" { t_dumb_init_rewrite pid1; }
@test "subreaper: dumb-init -r 10:12 -r 1:0 rewrites and drops" { t_dumb_init_rewrite sub; }

# a short run with a forwarded signal: something to log at debug level
debug_run() { # MODE [ARGS...]
	local mode=$1
	shift
	start_minit "$mode" "$@" sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -USR1 "$MINIT_PID"
	wait_sig USR1
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}

t_compat_verbosity() {
	EXTRA_ENV=(TINI_VERBOSITY=3)
	debug_run "$1"
	count_log debug
	((NLINES > 0)) || fail "TINI_VERBOSITY=3 gave no debug lines: $stderr"
	EXTRA_ENV=(DUMB_INIT_DEBUG=1)
	debug_run "$1"
	count_log debug
	((NLINES > 0)) || fail "DUMB_INIT_DEBUG=1 gave no debug lines: $stderr"
	EXTRA_ENV=(TINI_VERBOSITY=3 MINIT_VERBOSITY=1)
	debug_run "$1"
	count_log debug
	((NLINES == 0)) || fail "MINIT_VERBOSITY=1 must win over TINI_VERBOSITY=3: $stderr"
	EXTRA_ENV=()
	debug_run "$1"
	count_log debug
	((NLINES == 0)) || fail "no debug lines by default: $stderr"
}
@test "pid1: TINI_VERBOSITY and DUMB_INIT_DEBUG raise the verbosity, MINIT_VERBOSITY wins" { t_compat_verbosity pid1; }
@test "subreaper: TINI_VERBOSITY and DUMB_INIT_DEBUG raise the verbosity, MINIT_VERBOSITY wins" { t_compat_verbosity sub; }

t_tini_subreaper_env() {
	EXTRA_ENV=(TINI_SUBREAPER=1 REC="$REC")
	PROG=$(personality tini)
	start_minit "$1" -vv sh -c 'orphans 3 -s 60000 >/dev/null; exec sigrec -o "$REC" -x TERM:0'
	wait_ready
	local n
	n=$(children_of "$MINIT_PID" | wc -l)
	[[ $n -eq 4 ]] || fail "TINI_SUBREAPER=1: want the child and 3 orphans below minit, found $n"
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status; stderr: $stderr"
	if [[ $1 == sub ]]; then
		count_log '(info|debug|warning)' subreaper
		((NLINES >= 1)) || fail "no subreaper line with -vv: $stderr"
	fi
}
@test "pid1: TINI_SUBREAPER=1 is accepted" { t_tini_subreaper_env pid1; }
@test "subreaper: TINI_SUBREAPER=1 is accepted and says subreaper with -vv" { t_tini_subreaper_env sub; }
