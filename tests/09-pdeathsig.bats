#!/usr/bin/env bats
# -p/--pdeathsig SIG: minit gets SIG when its parent dies. The parent here is
# unshare (PID 1 mode) or a shell that started minit in the background
# (subreaper mode); the test kills that parent with SIGKILL.

load lib/minit

# start minit under a parent we can kill; sets PARENT_PID
start_with_parent() { # MODE [MINIT ARGS...]
	local mode=$1
	shift
	if [[ $mode == pid1 ]]; then
		start_minit pid1 "$@"
		PARENT_PID=$LAUNCH_PID # unshare
	else
		MODE=sub
		launch sh -c '"$@" & wait' sh "${MINIT_WRAP[@]}" "$MINIT" "$@"
		PARENT_PID=$LAUNCH_PID
		wait_for -m "minit to start below the parent shell" -d "ps_tree $PARENT_PID" \
			find_minit_pid "$PARENT_PID"
		MINIT_SELF=$MINIT_PID
	fi
	[[ $(status_field "$MINIT_PID" PPid) == "$PARENT_PID" ]] || fail "minit's parent is not $PARENT_PID"
}

t_pdeath_kill() { # MODE ARGS...
	local mode=$1
	shift
	start_with_parent "$mode" "$@" sigrec -o "$REC"
	wait_ready
	local child
	main_child || fail "no child"
	child=$MAIN_CHILD
	kill -KILL "$PARENT_PID"
	wait_for -m "minit (pid $MINIT_PID) gone after its parent died" is_gone "$MINIT_PID"
	wait_for -m "minit's child (pid $child) gone after minit's parent died" -d "ps_tree $child" is_gone "$child"
}
@test "pid1: -p KILL: when minit's parent dies, minit and its child go away" { t_pdeath_kill pid1 -p KILL; }
@test "subreaper: -p KILL: when minit's parent dies, minit and its child go away" { t_pdeath_kill sub -p KILL; }
@test "pid1: --pdeathsig SIGKILL: minit and its child go away with the parent" { t_pdeath_kill pid1 --pdeathsig SIGKILL; }
@test "subreaper: --pdeathsig SIGKILL: minit and its child go away with the parent" { t_pdeath_kill sub --pdeathsig SIGKILL; }

t_pdeath_term() { # MODE ARGS...
	local mode=$1
	shift
	start_with_parent "$mode" "$@" sigrec -o "$REC" -x TERM:0
	wait_ready
	local child
	main_child || fail "no child"
	child=$MAIN_CHILD
	kill -KILL "$PARENT_PID"
	# TERM reaches minit, which forwards it: the child records it from minit
	assert_sigs_from "$MINIT_SELF" TERM
	wait_for -m "the child gone" is_gone "$child"
	wait_for -m "minit gone" is_gone "$MINIT_PID"
}
@test "pid1: -p TERM: the parent's death makes minit forward TERM and exit" { t_pdeath_term pid1 -p TERM; }
@test "subreaper: -p TERM: the parent's death makes minit forward TERM and exit" { t_pdeath_term sub -p TERM; }
@test "pid1: MINIT_PDEATHSIG=TERM works like -p TERM" { EXTRA_ENV=(MINIT_PDEATHSIG=TERM); t_pdeath_term pid1; }
@test "subreaper: MINIT_PDEATHSIG=TERM works like -p TERM" { EXTRA_ENV=(MINIT_PDEATHSIG=TERM); t_pdeath_term sub; }

# the control: without -p, minit outlives its parent
t_no_pdeath() {
	start_with_parent "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -KILL "$PARENT_PID"
	wait_for -m "the parent gone" is_gone "$PARENT_PID"
	# minit re-parented: its parent changed, and it still forwards
	wait_for -m "minit re-parented" eval '[[ $(status_field $MINIT_PID PPid) != $PARENT_PID ]]'
	kill -USR1 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" USR1
	is_alive "$MINIT_PID" || fail "minit died with its parent without -p"
	refute_sig TERM
	kill -TERM "$MINIT_PID"
	wait_for -m "minit gone" is_gone "$MINIT_PID"
}
@test "pid1: without -p minit outlives its parent" { t_no_pdeath pid1; }
@test "subreaper: without -p minit outlives its parent" { t_no_pdeath sub; }
