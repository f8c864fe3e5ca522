#!/usr/bin/env bats
# A child that turns on its init (issue 10): it tries to attach to minit to
# get past its own confinement, runs a file-capability binary to gain what
# minit could pass on, is stopped before it ever execs, stops itself, or
# arranges for a pid to be reused under minit's feet. And a /proc that is not
# minit's own. minit must stay in charge and never signal a process outside
# its tree.

load lib/minit

CAP_NET_RAW=13
CAP_SYS_ADMIN=21

setup_file() {
	check_probes || return 1
	# copies any user can run: the test's own directories are root-only
	PUBLIC_DIR=$(mktemp -d /tmp/minit-hostile.XXXXXX)
	chmod 755 "$PUBLIC_DIR"
	cp "$TEST_HELPERS/attach" "$PUBLIC_DIR/"
	# a file-capability binary: cat, with CAP_SYS_ADMIN and CAP_NET_RAW
	# inheritable and effective (granted on exec if the caller's inheritable
	# set has them)
	cp "$(command -v cat)" "$PUBLIC_DIR/capcat"
	setcap cap_sys_admin,cap_net_raw+ei "$PUBLIC_DIR/capcat"
	export PUBLIC_DIR
}

teardown_file() {
	[[ -z ${PUBLIC_DIR:-} ]] || rm -rf "$PUBLIC_DIR"
}

# ---------------------------------------------------------------------------
# attaching to minit

# A root child confined by seccomp or by a dropped capability must not reach
# minit (unconfined, all of its capabilities) with ptrace, process_vm_readv,
# /proc/PID/mem or pidfd_getfd: through minit it could do all it may not.
t_attach() { # MODE MINIT_OPTIONS...
	local mode=$1
	shift
	EXTRA_ENV=(ATTACH="$PUBLIC_DIR/attach")
	run_minit "$mode" "$@" -- sh -c 'exec "$ATTACH" "$PPID"' # the shell's parent: minit
	assert_exit 0 "every attempt refused:
$output"
	[[ $output == *"ptrace-seize EPERM"* ]] || fail "ptrace was not refused: $output"
}
@test "pid1: a root child under --seccomp default cannot attach to minit" { t_attach pid1 --seccomp default; }
@test "subreaper: a root child under --seccomp default cannot attach to minit" { t_attach sub --seccomp default; }
@test "pid1: a root child with a dropped capability cannot attach to minit" { t_attach pid1 --cap-drop net_raw; }
@test "subreaper: a root child with a dropped capability cannot attach to minit" { t_attach sub --cap-drop net_raw; }
@test "pid1: a --user child cannot attach to minit" { t_attach pid1 --user nobody; }
@test "subreaper: a --user child cannot attach to minit" { t_attach sub --user nobody; }

# ---------------------------------------------------------------------------
# inheritable and ambient capabilities

# minit started with CAP_SYS_ADMIN and CAP_NET_RAW inheritable (and NET_RAW
# ambient): a --user child that runs a file-capability binary must not get
# them (CVE-2022-24769), nor a root child keep them inheritable.
WITH_INH=(setpriv --inh-caps +sys_admin,+net_raw --ambient-caps +net_raw)

t_inheritable() {
	run_via "$1" "${WITH_INH[@]}" -- --user nobody -- "$PUBLIC_DIR/capcat" /proc/self/status
	assert_exit 0 "capcat's"
	status_dump
	[[ ${DUMP[CapEff]-} == 0000000000000000 ]] ||
		fail "the --user child gained capabilities through minit's inheritable set: CapEff ${DUMP[CapEff]-}"
	[[ ${DUMP[CapInh]-} == 0000000000000000 && ${DUMP[CapAmb]-} == 0000000000000000 ]] ||
		fail "CapInh ${DUMP[CapInh]-}, CapAmb ${DUMP[CapAmb]-}: expected both empty"
	run_via "$1" "${WITH_INH[@]}" -- -- cat /proc/self/status
	assert_exit 0 "cat's"
	status_dump
	[[ ${DUMP[CapInh]-} == 0000000000000000 && ${DUMP[CapAmb]-} == 0000000000000000 ]] ||
		fail "a root child kept CapInh ${DUMP[CapInh]-}, CapAmb ${DUMP[CapAmb]-}"
	# asked for with --cap-add: given (as before)
	run_via "$1" "${WITH_INH[@]}" -- --user nobody --cap-add net_raw -- cat /proc/self/status
	assert_exit 0 "cat's"
	status_dump
	[[ ${DUMP[CapAmb]-} == "$(mask $CAP_NET_RAW)" ]] || fail "--cap-add net_raw: CapAmb ${DUMP[CapAmb]-}"
}
@test "pid1: minit's inheritable and ambient capabilities never pass to the child unasked" { t_inheritable pid1; }
@test "subreaper: minit's inheritable and ambient capabilities never pass to the child unasked" { t_inheritable sub; }

# ---------------------------------------------------------------------------
# a child stopped before exec, a child that stops itself

# main_child_in STATES: minit's main child is in one of STATES (pstate
# letters)
main_child_in() { main_child && pstate "$MAIN_CHILD" && [[ $PSTATE == ["$1"] ]]; }

# strace stops minit's next child at its execve (SIGSTOP injected): minit
# must not wait for the child's report, but take the stop request, whose
# CONT resumes the child so that TERM can end it.
t_stopped_before_exec() {
	EXTRA_ENV=("$NO_LSAN")
	start_minit "$1" -v --restart always --backoff-min 300ms -- sh -c 'exit 1'
	strace_minit "$T/strace.log" -f -e trace=execve -e inject=execve:signal=SIGSTOP
	wait_for -m "a child stopped at exec" main_child_in tT
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 143 "the stopped child, ended by TERM after CONT"
}
@test "pid1: a child stopped before exec: minit still takes TERM and ends it" { t_stopped_before_exec pid1; }
@test "subreaper: a child stopped before exec: minit still takes TERM and ends it" { t_stopped_before_exec sub; }

t_stops_itself() {
	start_minit "$1" sh -c 'kill -STOP $$; exit 5'
	wait_for -m "the child stopped" main_child_in T
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 143 "the child, resumed by CONT and ended by TERM"
}
@test "pid1: a child that stopped itself is resumed and ended by a stop request" { t_stops_itself pid1; }
@test "subreaper: a child that stopped itself is resumed and ended by a stop request" { t_stops_itself sub; }

# ---------------------------------------------------------------------------
# a /proc entry that blocks

# A root child may bind-mount a FIFO over /proc/PID/stat of one of its
# processes: an open of it for reading waits for a writer that never comes.
# minit reads it in its /proc walk of the tree (here: the TERM to the
# crashed server's leftovers before the restart, --cgroup off) and must not
# wait. The hidden process is not found by the walk; it ends by itself.
t_fifo_over_stat() {
	EXTRA_ENV=(REC="$REC" D="$T")
	local script='[ -e "$D/crashed" ] && exec sigrec -o "$REC" -x TERM:0
		sleep 3 & mkfifo "$D/fifo" && mount --bind "$D/fifo" /proc/$!/stat || exit 9
		touch "$D/crashed"; kill -SEGV $$'
	start_via "$1" unshare --mount --propagation private -- -v --cgroup off \
		--restart on-crash --backoff-min 10ms -- sh -c "$script"
	wait_log warning "killed by SIGSEGV"
	wait_ready "$REC"
	kill -TERM "$MINIT_PID"
	wait_minit 8
	assert_exit 0 "the restarted child's exit on TERM"
}
@test "pid1: a FIFO mounted over a worker's /proc/PID/stat does not hold minit's /proc walk" { t_fifo_over_stat pid1; }
@test "subreaper: a FIFO mounted over a worker's /proc/PID/stat does not hold minit's /proc walk" { t_fifo_over_stat sub; }

# ---------------------------------------------------------------------------
# pids reused under minit's feet

# Syscall numbers on this machine, for /proc/PID/syscall.
declare -gA NR=([x86_64:kill]=62 [x86_64:pidfd_open]=434 [aarch64:kill]=129 [aarch64:pidfd_open]=434)

# _stalled_on PID TARGET: PID is stopped in kill(TARGET) or pidfd_open(TARGET)
_stalled_on() {
	local nr arg rest a
	read -r nr arg rest <"/proc/$1/syscall" 2>/dev/null || return 1
	a=$(uname -m)
	[[ $nr == "${NR[$a:kill]}" || $nr == "${NR[$a:pidfd_open]}" ]] && ((arg == $2))
}

# The crashed server's worker G is reaped by its own parent while minit is
# in the middle of its /proc walk, and a process outside minit's tree gets
# G's pid: minit must not signal that process. strace holds minit at the
# entry of each kill or pidfd_open for 1.5 s; while it is held on the
# worker's parent P, G ends and the outsider takes its pid (ns_last_pid).
t_recycled_pid() {
	((VALGRIND)) && skip "valgrind 3.19 has no pidfd_open: minit signals by pid there, as on kernels before 5.3"
	[[ -n ${NR[$(uname -m):kill]:-} ]] || skip "syscall numbers unknown for $(uname -m)"
	EXTRA_ENV=(D="$T" "$NO_LSAN")
	start_minit "$1" -v --restart on-crash --backoff-min 10s -- sh -c '
		[ -e "$D/crashed" ] && exec sleep 60
		sh -c "trap \"\" TERM; sleep 600 & echo \$! >\"$D/G\"; wait" & echo $! >"$D/P"
		while [ ! -e "$D/crash" ]; do sleep 0.02; done
		touch "$D/crashed"; kill -SEGV $$'
	wait_for -m "the worker" test -s "$T/G"
	local P G Gh o= i HOST_PID
	P=$(cat "$T/P") G=$(cat "$T/G")
	host_pid "$G" || fail "the worker (pid $G) is not below minit"
	Gh=$HOST_PID
	strace_minit "$T/strace.log" -e trace=kill,pidfd_open -e inject=kill,pidfd_open:delay_enter=1500000
	touch "$T/crash"
	wait_for -m "minit held on the worker's parent (pid $P)" _stalled_on "$MINIT_PID" "$P"
	# the worker ends; its parent reaps it; an outsider takes its pid
	kill -KILL "$Gh"
	wait_for -m "the worker reaped by its parent" eval '[[ ! -e /proc/$Gh ]]'
	for i in $(seq 1 30); do
		if [[ $1 == pid1 ]]; then
			nsenter -t "$MINIT_PID" --pid --mount sh -c \
				'echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid; MINITTEST_TAG="$3" sigrec -o "$2" & echo $! >"$2.pid"' \
				sh "$G" "$T/outsider" "$TAG"
		else
			sh -c 'echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid; sigrec -o "$2" & echo $! >"$2.pid"' \
				sh "$G" "$T/outsider"
		fi
		o=$(cat "$T/outsider.pid")
		[[ $o == "$G" ]] && break
		# (as PID 1, a pid not found below minit is no host pid to kill:
		# teardown finds the outsider by its tag)
		if host_pid "$o"; then kill -KILL "$HOST_PID" 2>/dev/null || true; fi
		o=
	done
	[[ -n $o ]] || skip "could not give the outsider pid $G (other processes took it)"
	wait_ready "$T/outsider"
	# minit goes on with its walk, to the worker's pid, now the outsider's
	wait_log warning 'restart 1 of' 1 10
	wait_for -t 15 -m "minit's call on pid $G done" -d "cat $T/strace.log" \
		grep -qE "^(kill|pidfd_open)\($G, .*\) += " "$T/strace.log"
	local oh
	host_pid "$G" || fail "the outsider (pid $G) is not below minit"
	oh=$HOST_PID
	sig_count $MARK "$T/outsider"
	kill -n $MARK "$oh"
	wait_for -m "the outsider's marker" _more_marks "$T/outsider" "$COUNT"
	refute_sig TERM "$T/outsider"
	kill -KILL "$oh" 2>/dev/null || true
	kill -TERM "$MINIT_PID"
	wait_minit 20
}
@test "pid1: a worker's pid reused during minit's /proc walk: the new process is not signalled" { t_recycled_pid pid1; }
@test "subreaper: a worker's pid reused during minit's /proc walk: the new process is not signalled" { t_recycled_pid sub; }

# While minit waits for a daemonising server's pid file, an orphan that
# took the launcher's pid exits 9: that is not the launcher's status.
t_handoff_pid_reuse() {
	cat >"$T/launcher" <<-'EOF'
		#!/bin/sh
		# the main child: leaves a daemon and exits 0. Both leave its process
		# group (as a daemon does with setsid), or its pid stays taken.
		L=$$ D=$1
		setsid sh -c '
			L=$1 D=$2
			while kill -0 "$L" 2>/dev/null; do sleep 0.01; done
			echo $((L - 1)) >/proc/sys/kernel/ns_last_pid
			sh -c "echo \$\$ >\"$D/X\"; sleep 0.3; exit 9" &
			exit 0' sh "$L" "$D" &
		setsid sleep 60 &
		echo "$L" >"$D/L"
		exit 0
	EOF
	chmod +x "$T/launcher"
	start_minit "$1" -v --pidfile "$T/never.pid" -- "$T/launcher" "$T"
	wait_for -m "the orphan" test -s "$T/X"
	[[ $(cat "$T/X") == "$(cat "$T/L")" ]] || skip "the launcher's pid $(cat "$T/L") was not reused (got $(cat "$T/X"))"
	local x= HOST_PID
	if host_pid "$(cat "$T/X")"; then x=$HOST_PID; fi
	[[ -z $x ]] || wait_for -m "the orphan reaped" eval '[[ ! -e /proc/$x ]]'
	kill -TERM "$MINIT_PID"
	wait_minit 10
	assert_exit 0 "the launcher's status, not the orphan's"
}
@test "pid1: an orphan reusing the launcher's pid during the --pidfile wait does not change the exit code" { t_handoff_pid_reuse pid1; }
@test "subreaper: an orphan reusing the launcher's pid during the --pidfile wait does not change the exit code" { t_handoff_pid_reuse sub; }

# ---------------------------------------------------------------------------
# a /proc that is not minit's

# PID 1 of a new namespace with the host's /proc (no --mount-proc), or a
# subreaper below such a PID 1: /proc/self is not minit. The crashed
# server's worker still gets its TERM: in cgroup mode as a member of the
# server's cgroup (whose pids are this namespace's, whatever /proc says),
# with --cgroup off as a member of the server's process group.
t_foreign_proc() { # MODE auto|off
	local self
	EXTRA_ENV=(REC="$REC" D="$T" MINIT_CGROUP="$2")
	MODE=$1
	local script='[ -e "$D/crashed" ] && exec sigrec -o "$REC.2" -x TERM:0
		sigrec -o "$REC" -x TERM:0 &
		while ! grep -q ready "$REC" 2>/dev/null; do sleep 0.02; done
		touch "$D/crashed"; kill -SEGV $$'
	if [[ $1 == pid1 ]]; then
		launch unshare --pid --fork "${MINIT_WRAP[@]}" "$MINIT" -v --restart on-crash -- sh -c "$script"
		self=1
	else
		launch unshare --pid --fork sh -c '"$@"; exit $?' sh "${MINIT_WRAP[@]}" "$MINIT" -v \
			--restart on-crash -- sh -c "$script"
		self=2
	fi
	wait_for -m "minit to start" find_minit_pid "$LAUNCH_PID"
	wait_sig TERM "$REC"
	assert_sig_from TERM "$self"
	if [[ $2 == off ]]; then
		wait_log info "/proc is not this PID namespace's: signalling process group"
	else
		wait_log info "cgroup mode: the server runs in "
	fi
	wait_ready "$REC.2"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "the restarted child's exit on TERM"
}
@test "pid1: with the host's /proc, the crashed server's worker still gets TERM (its cgroup)" { t_foreign_proc pid1 auto; }
@test "subreaper: with the host's /proc, the crashed server's worker still gets TERM (its cgroup)" { t_foreign_proc sub auto; }
@test "pid1: with the host's /proc and --cgroup off, the crashed server's worker still gets TERM (its process group)" { t_foreign_proc pid1 off; }
@test "subreaper: with the host's /proc and --cgroup off, the crashed server's worker still gets TERM (its process group)" { t_foreign_proc sub off; }

# ---------------------------------------------------------------------------
# sigqueue payloads

t_payload() {
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	sigqueue "$MINIT_PID" 37 4242 # RTMIN+3
	kill -USR1 "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" RTMIN+3 USR1
	local rt usr
	sig_count RTMIN+3
	rt=$SIG_LINES
	sig_count USR1
	usr=$SIG_LINES
	[[ $rt == *" -1 "*" 4242" ]] || fail "RTMIN+3 lost its value or its SI_QUEUE code: $rt"
	[[ $usr == *" 0 "*" -" ]] || fail "a plain kill became something else: $usr"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "sigrec's on TERM"
}
@test "pid1: a signal sent with sigqueue reaches the child with its value" { t_payload pid1; }
@test "subreaper: a signal sent with sigqueue reaches the child with its value" { t_payload sub; }
