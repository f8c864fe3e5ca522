#!/usr/bin/env bats
# What a careless launcher can leave minit (issue 10): SIGCHLD or every
# signal ignored, signals blocked, stderr a pipe nobody reads, stdio closed,
# a working directory it should not pin. minit must neither hang nor pass
# any of it on to the child.

load lib/minit

# The launchers are wrappers (start_via, run_via): between the namespace
# set-up and minit, they leave it their state and exec it.

ZERO=0000000000000000

# child_masks: BLK, IGN = the child's SigBlk and SigIgn, as sigprobe printed
# them ($output, after run_minit or run_via)
child_masks() {
	status_dump
	BLK=${DUMP[SigBlk]-} IGN=${DUMP[SigIgn]-}
	[[ -n $BLK && -n $IGN ]] || fail "sigprobe printed nothing useful: $output / $stderr"
}

# ---------------------------------------------------------------------------
# signals

# With SIGCHLD ignored, the kernel reaps children itself and sends no
# SIGCHLD: minit would wait forever for a child it can no longer see.
t_sigchld_ignored() {
	LAUNCH_IGNORE=CHLD
	run_minit "$1" sh -c 'exit 3'
	assert_exit 3 "the child's status, with SIGCHLD ignored by the launcher"
	assert_no_errors_logged
}
@test "pid1: SIGCHLD ignored by the launcher: minit still sees its child exit 3" { t_sigchld_ignored pid1; }
@test "subreaper: SIGCHLD ignored by the launcher: minit still sees its child exit 3" { t_sigchld_ignored sub; }

t_sigchld_ignored_stop() {
	LAUNCH_IGNORE=CHLD
	EXTRA_ENV=(REC="$REC")
	start_minit "$1" sh -c 'orphans 5 >/dev/null; exec sigrec -o "$REC" -x TERM:7'
	wait_ready
	wait_for -m "no zombies" no_zombies_of "$MINIT_PID"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 7 "the child's exit after TERM"
}
@test "pid1: SIGCHLD ignored by the launcher: orphans reaped, TERM stops the child" { t_sigchld_ignored_stop pid1; }
@test "subreaper: SIGCHLD ignored by the launcher: orphans reaped, TERM stops the child" { t_sigchld_ignored_stop sub; }

# Every catchable signal ignored: minit still takes each one, and the child
# starts with default dispositions.
IGNORE_ALL=HUP,INT,QUIT,USR1,USR2,PIPE,ALRM,TERM,CHLD,TSTP,TTIN,TTOU,URG,WINCH,PWR
t_all_ignored() {
	LAUNCH_IGNORE=$IGNORE_ALL
	run_minit "$1" sigprobe
	assert_exit 0 "sigprobe's"
	child_masks
	[[ $IGN == "$ZERO" ]] || fail "the child inherited ignored signals: SigIgn $IGN"
	LAUNCH_IGNORE=$IGNORE_ALL
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -USR1 "$MINIT_PID"
	kill -HUP "$MINIT_PID"
	assert_sigs_from "$MINIT_SELF" USR1 HUP
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the child's exit on TERM"
}
@test "pid1: every signal ignored by the launcher: forwarded anyway, none ignored in the child" { t_all_ignored pid1; }
@test "subreaper: every signal ignored by the launcher: forwarded anyway, none ignored in the child" { t_all_ignored sub; }

# A launcher that blocks TERM, HUP and USR1: the child starts with nothing
# blocked, so a stop request reaches it.
BLOCKER=(perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(1, 10, 15)); exec @ARGV or die')
t_blocked() {
	run_via "$1" "${BLOCKER[@]}" -- sigprobe
	assert_exit 0 "sigprobe's"
	child_masks
	[[ $BLK == "$ZERO" ]] || fail "the child inherited blocked signals: SigBlk $BLK"
	start_via "$1" "${BLOCKER[@]}" -- sigrec -o "$REC" -x TERM:4
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 4 "the child's exit on the forwarded TERM"
}
@test "pid1: signals blocked by the launcher are unblocked in the child" { t_blocked pid1; }
@test "subreaper: signals blocked by the launcher are unblocked in the child" { t_blocked sub; }

# ---------------------------------------------------------------------------
# stderr a pipe that nobody reads (docker's log pipe backed up)

# full_fifo: FIFO=$T/err, held open for reading by this shell (FIFO_FD) and
# filled to the brim, without blocking
full_fifo() {
	FIFO=$T/err
	mkfifo "$FIFO"
	exec {FIFO_FD}<>"$FIFO"
	python3 - "$FIFO" <<-'EOF'
		import os, sys
		fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
		try:
		    while True:
		        os.write(fd, b"x" * 4096)
		except BlockingIOError:
		    pass
		try:
		    while True:
		        os.write(fd, b"x")
		except BlockingIOError:
		    pass
	EOF
}

# drain_fifo: read what is in the FIFO now into DRAINED (without blocking)
drain_fifo() {
	DRAINED=$(python3 - "$FIFO" <<-'EOF'
		import os, sys
		fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
		out = b""
		try:
		    while True:
		        b = os.read(fd, 65536)
		        if not b:
		            break
		        out += b
		except BlockingIOError:
		    pass
		sys.stdout.write(out.replace(b"x", b"").decode())
	EOF
	)
}

_dropped_seen() { # what minit wrote since the drain (SEEN) has the count
	drain_fifo
	SEEN+=$DRAINED
	[[ $SEEN =~ minit:\ warning:\ [0-9]+\ log\ lines?\ dropped:\ stderr\ was\ full ]]
}

t_full_stderr() {
	full_fifo
	start_via "$1" sh -c 'exec 2>"$0"; exec "$@"' "$FIFO" -- -vvv sigrec -o "$REC" -x TERM:0
	# minit logs at every step (-vvv) into a full pipe: it must still start
	# the child, take signals, and stop in time
	wait_ready
	local child flags
	main_child || fail "minit has no child"
	child=$MAIN_CHILD
	# the child's stderr is the same pipe, and still blocking for it
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$child/fdinfo/2")
	(((8#$flags & 8#4000) == 0)) || fail "the child's stderr became non-blocking (flags $flags)"
	kill -USR1 "$MINIT_PID"
	assert_sig_from USR1 "$MINIT_SELF"
	drain_fifo
	# room again: the dropped lines are counted, then logging goes on
	kill -USR2 "$MINIT_PID"
	assert_sig_from USR2 "$MINIT_SELF"
	SEEN=
	wait_for -m "the count of dropped lines" _dropped_seen
	[[ $SEEN == *"minit: debug: forwarding SIGUSR2"* ]] || fail "no log line after the count: $SEEN"
	kill -TERM "$MINIT_PID"
	wait_minit 5
	assert_exit 0 "the child's exit on TERM"
}
@test "pid1: stderr a full pipe: minit starts, forwards and stops without waiting on it" { t_full_stderr pid1; }
@test "subreaper: stderr a full pipe: minit starts, forwards and stops without waiting on it" { t_full_stderr sub; }

# A full pipe during a stop of a TERM-ignoring child: the ladder still ends
# it on time.
t_full_stderr_stop() {
	full_fifo
	start_via "$1" sh -c 'exec 2>"$0"; exec "$@"' "$FIFO" -- -vvv --stop-timeout 1s sigrec -o "$REC"
	wait_ready
	kill -TERM "$MINIT_PID"
	wait_minit 4
	assert_exit 137 "the ladder's KILL"
}
@test "pid1: stderr a full pipe during a stop: the ladder's KILL still comes on time" { t_full_stderr_stop pid1; }
@test "subreaper: stderr a full pipe during a stop: the ladder's KILL still comes on time" { t_full_stderr_stop sub; }

# ---------------------------------------------------------------------------
# stdio closed

t_stdio_closed() {
	start_via "$1" sh -c 'exec 0<&- 1>&- 2>&-; exec "$@"' sh -- -vvv sleep 60
	wait_for -m "minit's child" main_child
	local child=$MAIN_CHILD
	wait_for -m "the child to exec sleep" eval '[[ $(readlink /proc/$child/exe) == */sleep ]]'
	# the child has exactly what minit was given: nothing, not minit's own fds
	fds_of "$child"
	((${#FDS[@]} == 0)) || fail "the child has fds ${FDS[*]}, expected none"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 143 "sleep killed by TERM"
}
@test "pid1: stdin, stdout and stderr closed: the child gets them closed, and none of minit's fds" { t_stdio_closed pid1; }
@test "subreaper: stdin, stdout and stderr closed: the child gets them closed, and none of minit's fds" { t_stdio_closed sub; }

# ---------------------------------------------------------------------------
# working directory

# minit holds no directory (a mount it pins cannot be unmounted); the child
# starts where minit was started, every time, and a relative --pidfile is
# read from there.
t_cwd() {
	mkdir -p "$T/work"
	EXTRA_ENV=(REC="$REC")
	start_via "$1" sh -c 'cd "$0" && exec "$@"' "$T/work" -- --restart always --backoff-min 10ms \
		sh -c 'pwd >>"$REC.cwd"; n=$(wc -l <"$REC.cwd"); [ "$n" -ge 2 ] || exit 1; exec sigrec -o "$REC" -x TERM:0'
	wait_ready
	[[ $(readlink "/proc/$MINIT_PID/cwd") == / ]] ||
		fail "minit's own working directory is $(readlink "/proc/$MINIT_PID/cwd"), expected /"
	[[ $(sort -u "$REC.cwd") == "$T/work" ]] || fail "the child ran in: $(cat "$REC.cwd")"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 0 "the child's exit on TERM"
}
@test "pid1: minit moves to /, the child starts in minit's directory, after a restart too" { t_cwd pid1; }
@test "subreaper: minit moves to /, the child starts in minit's directory, after a restart too" { t_cwd sub; }

t_cwd_pidfile() {
	mkdir -p "$T/work"
	# a launcher that daemonises: the daemon writes a relative pid file
	start_via "$1" sh -c 'cd "$0" && exec "$@"' "$T/work" -- -v --pidfile run.pid \
		sh -c "sh -c 'sleep 0.2; echo \$\$ >run.pid.tmp && mv run.pid.tmp run.pid; exec sleep 60' & exit 0"
	wait_log info 'following pid [0-9]+ from run.pid'
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_exit 143 "the followed daemon, killed by TERM"
}
@test "pid1: a relative --pidfile is read from minit's start directory" { t_cwd_pidfile pid1; }
@test "subreaper: a relative --pidfile is read from minit's start directory" { t_cwd_pidfile sub; }
