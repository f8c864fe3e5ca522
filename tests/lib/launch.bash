# Starting minit, its log, per-test set-up and clean-up (part of lib/minit).

# ---------------------------------------------------------------------------
# per-test set-up and clean-up

# setup: per-test state. T (the test's directory), TAG (the clean-up tag),
# OUT / ERR (minit's stdout / stderr), REC (sigrec's record file); knobs a
# test may set before starting minit: STDERR_MODE (file, closed,
# brokenpipe), KEEP_FDS (fds above 2 minit inherits), EXTRA_ENV (NAME=VALUE
# for minit's environment), LAUNCH_IGNORE (signals minit starts with
# ignored), LAUNCH_STDIN, PROG (run instead of $MINIT: a symlink or script),
# TEARDOWN_HOOKS (functions teardown calls; a file sets them).
setup() {
	T=$BATS_TEST_TMPDIR
	TAG="minit-bats:$T"
	OUT=$T/minit.out
	ERR=$T/minit.err
	REC=$T/rec.log
	LAUNCH_PID=
	MINIT_PID=
	MODE=
	TMUX_SOCK=
	STDERR_MODE=file
	KEEP_FDS=()
	EXTRA_ENV=()
	BG_PIDS=()
	TRACKED=()
	valgrind_setup
	cross_setup
	PATH=$TEST_HELPERS:$PATH
	# a developer's shell must not change what minit sees
	local v
	for v in $(compgen -e); do
		case $v in MINIT_* | TINI_* | DUMB_INIT_*) unset "$v" ;; esac
	done
	[[ -x $MINIT ]] || fail "minit binary not found or not executable: $MINIT (run make)"
}

# Every process a test starts carries MINITTEST_TAG=$TAG in its environment.
# tagged_pids prints them (not this shell).
tagged_pids() {
	local f p
	for f in $(grep -lzxF "MINITTEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		p=${p%/environ}
		[[ $p == "$$" || $p == "$BASHPID" ]] || echo "$p"
	done
}

# track_pids PID...: teardown kills PID too (if it is still the same
# process: same start time), for processes that clear their environment of
# the tag, like nginx's workers
track_pids() {
	local p STAT
	for p; do
		stat_field "$p" 22 && TRACKED+=("$p:$STAT")
	done
}

# kill_leftovers: STOP and KILL every tagged process, everything below the
# launched command while it is still our child, and every tracked pid, until
# none is left (10 rounds at most)
kill_leftovers() {
	local i e pids DESC STAT
	for ((i = 0; i < 10; i++)); do
		mapfile -t pids < <(tagged_pids)
		if [[ -n ${LAUNCH_PID:-} ]] && stat_field "$LAUNCH_PID" 4 && [[ $STAT == "$BASHPID" ]]; then
			descendants "$LAUNCH_PID"
			pids+=("${DESC[@]}")
		fi
		for e in "${TRACKED[@]}"; do
			stat_field "${e%%:*}" 22 && [[ $STAT == "${e#*:}" ]] && pids+=("${e%%:*}")
		done
		((${#pids[@]})) || return 0
		kill -STOP "${pids[@]}" 2>/dev/null || true
		kill -KILL "${pids[@]}" 2>/dev/null || true
		nap 0.02
	done
}

# teardown: end the tmux server, kill what the test left (kill_leftovers),
# reap our background jobs, run the file's TEARDOWN_HOOKS, and last fail the
# test if valgrind reported an error (VALGRIND=1). sv_timed's and sv_both's
# subshells run it too, for their own processes.
teardown() {
	local p h
	if [[ -n ${TMUX_SOCK:-} ]]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	kill_leftovers
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	BG_PIDS=()
	TRACKED=()
	for h in "${TEARDOWN_HOOKS[@]}"; do "$h" || true; done
	valgrind_check
}

# ---------------------------------------------------------------------------
# starting minit

# launch CMD...: start CMD in the background with a clean signal state
# (default dispositions, empty mask; LAUNCH_IGNORE ignored), stdin from
# LAUNCH_STDIN or /dev/null, every fd above 2 closed but KEEP_FDS, the
# clean-up tag and EXTRA_ENV in its environment, stdout to $OUT, stderr per
# STDERR_MODE: file ($ERR), closed, brokenpipe (a pipe whose reader is
# already gone). TEST_CGROUP (a stage's knob: off) becomes MINIT_CGROUP, so
# a whole run can take the /proc code where cgroup mode would run. Sets
# LAUNCH_PID.
launch() {
	local sig_env=(env --default-signal)
	[[ -z ${LAUNCH_IGNORE:-} ]] || sig_env+=(--ignore-signal="$LAUNCH_IGNORE")
	rm -f "$ERR"
	if [[ $STDERR_MODE == brokenpipe ]]; then
		rm -f "$T/pipe"
		mkfifo "$T/pipe"
	fi
	(
		close_fds
		case $STDERR_MODE in
		file) exec 2>"$ERR" ;;
		closed) exec 2>&- ;;
		brokenpipe)
			exec 8<>"$T/pipe" 2>"$T/pipe" # rw open does not block
			exec 8<&-                     # the only reader is gone
			;;
		esac
		# valgrind's log fd, open before any wrapper drops privileges
		((!VALGRIND)) || exec 99>>"$VG_LOG"
		exec "${sig_env[@]}" MINITTEST_TAG="$TAG" MINIT_RESTART=no \
			${TEST_CGROUP:+MINIT_CGROUP="$TEST_CGROUP"} \
			"${EXTRA_ENV[@]}" "$@" <"${LAUNCH_STDIN:-/dev/null}" >"$OUT"
	) &
	LAUNCH_PID=$!
	BG_PIDS+=("$LAUNCH_PID")
}

# close_fds: close every fd above 2 of this (sub)shell but KEEP_FDS
close_fds() {
	local fd k keep
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		((fd > 2)) || continue
		keep=
		for k in "${KEEP_FDS[@]}"; do [[ $fd == "$k" ]] && keep=1; done
		[[ -n $keep ]] || eval "exec $fd>&-" 2>/dev/null || true
	done
}

# is_minit PID: PID runs the minit binary (its exec is done). A rebuild while
# it runs turns the exe link into "PATH (deleted)". Under VALGRIND=1, PID
# runs valgrind's tool with minit as the program (valgrind_is_minit); a
# cross-built minit under emulation runs qemu's (cross_is_minit).
is_minit() {
	if ((VALGRIND)); then
		valgrind_is_minit "$1"
		return
	fi
	if ((CROSS_EMULATED)); then
		cross_is_minit "$1"
		return
	fi
	[[ /proc/$1/exe -ef $MINIT ]] && return 0
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ $exe == *" (deleted)" && ${exe% (deleted)} == "$(readlink -f "$MINIT")" ]]
}

# find_minit_pid ROOTPID [PRED]: MINIT_PID = the first process at or below
# ROOTPID running minit (for which PRED PID holds: default is_minit; the
# compat suites' is_init finds a peer init too); returns 1 when there is
# none yet
find_minit_pid() {
	local p DESC
	descendants "$1"
	for p in "$1" "${DESC[@]}"; do
		if "${2:-is_minit}" "$p"; then
			MINIT_PID=$p
			return 0
		fi
	done
	return 1
}

# minit_argv PROG: MINIT_ARGV = the command that runs PROG (minit, a symlink
# to it, or a script that execs "${MINIT_WRAP[@]}" "$MINIT"): under
# VALGRIND=1 or emulation (cross.bash) the minit binary and its symlinks get
# MINIT_WRAP in front
minit_argv() {
	MINIT_ARGV=("$1")
	((VALGRIND || CROSS_EMULATED)) && [[ $1 -ef $MINIT ]] && MINIT_ARGV=("${MINIT_WRAP[@]}" "$1")
	return 0
}

# minit_cmd MODE [PROG]: prints the command prefix that runs minit (or PROG,
# e.g. a symlink to it) in MODE
minit_cmd() {
	local MINIT_ARGV
	minit_argv "${2:-$MINIT}"
	case $1 in
	pid1) echo unshare --pid --fork --mount-proc "${MINIT_ARGV[@]}" ;;
	sub) echo "${MINIT_ARGV[@]}" ;;
	*) fail "unknown mode $1" ;;
	esac
}

# _launch_minit MODE ARGS...: launch minit (or $PROG) in MODE, behind the
# wrapper VIA when set (start_via, run_via); sets MODE
_launch_minit() {
	local MINIT_ARGV
	MODE=$1
	shift
	minit_argv "${PROG:-$MINIT}"
	case $MODE in
	pid1) launch unshare --pid --fork --mount-proc "${VIA[@]}" "${MINIT_ARGV[@]}" "$@" ;;
	sub) launch "${VIA[@]}" "${MINIT_ARGV[@]}" "$@" ;;
	*) fail "unknown mode $MODE" ;;
	esac
}

# start_via MODE WRAPPER... -- ARGS...: start_minit MODE ARGS with WRAPPER
# (a command that ends by exec'ing its arguments: a launcher that leaves
# minit a signal mask, closed fds, a directory, capabilities, a seccomp
# filter) between the namespace set-up and minit
start_via() { _via start_minit "$@"; }

# run_via MODE WRAPPER... -- ARGS...: run_minit MODE ARGS behind WRAPPER
run_via() { _via run_minit "$@"; }

# _via FUNC MODE WRAPPER... -- ARGS...: FUNC MODE ARGS with VIA=(WRAPPER...)
_via() {
	local fn=$1 mode=$2 VIA=()
	shift 2
	while (($#)) && [[ $1 != -- ]]; do
		VIA+=("$1")
		shift
	done
	(($#)) || fail "$fn via ${VIA[*]}: no -- between the wrapper and minit's arguments"
	shift
	"$fn" "$mode" "$@"
}

# start_minit MODE [ARGS...]: start minit (or $PROG if set) in MODE in the
# background and wait until it takes signals. Sets LAUNCH_PID (our child),
# MINIT_PID (minit's host pid) and MINIT_SELF (minit's pid as its children
# see it: 1 as PID 1).
start_minit() {
	rm -f "$REC" # a ready line from an earlier run must not count
	_launch_minit "$@"
	wait_for -m "minit to start under pid $LAUNCH_PID ($(readlink -f "$MINIT"))" \
		-d "ps_tree $LAUNCH_PID" find_minit_pid "$LAUNCH_PID"
	if [[ $MODE == pid1 ]]; then MINIT_SELF=1; else MINIT_SELF=$MINIT_PID; fi
	# signals sent before minit blocked them would kill it: wait for that
	wait_for -m "minit (pid $MINIT_PID) to block its signals" minit_blocked_or_gone
}

# start_supervised MODE [ARGS...]: start_minit, then wait for minit's first
# child
start_supervised() {
	start_minit "$@"
	wait_for -m "minit's first child" has_children "$MINIT_PID"
}

# minit_takes_signals PID: minit has set up its signals. It blocks every
# signal, SEGV included (the kernel still forces its own faults), and takes
# them in its event loop. Ready: TERM and SEGV both blocked, or minit waits
# where the kernel may show another mask: in sigtimedwait, which unblocks
# the waited-for set (wchan do_sigtimedwait), or in epoll_wait, ppoll or
# select over a signalfd (wchan do_epoll_wait or ep_poll; do_sys_poll or
# do_select, which kernel 6.18 shows as poll_schedule_timeout). Any other
# wait is not ready. (Under valgrind, SigBlk is valgrind's from its
# start-up on, with TERM blocked but never SEGV.)
minit_takes_signals() {
	local w
	{ mask_has "$1" SigBlk 15 && mask_has "$1" SigBlk 11; } && return 0
	read -r w 2>/dev/null <"/proc/$1/wchan" # no newline: read "fails" but sets w
	w=${w%%.*}                              # a compiler's clone: do_sigtimedwait.isra.0
	case $w in
	do_sigtimedwait | do_epoll_wait | ep_poll | do_sys_poll | do_select | poll_schedule_timeout) return 0 ;;
	esac
	return 1
}

minit_blocked_or_gone() { minit_takes_signals "$MINIT_PID" || is_gone "$MINIT_PID"; }

# NO_LSAN: an EXTRA_ENV entry for a test that keeps strace attached to minit
# until minit exits: LeakSanitizer (an ASan build's exit check) cannot run
# under ptrace
NO_LSAN=ASAN_OPTIONS=detect_leaks=0

# strace_minit OUT STRACE_ARGS...: strace -q -o OUT -p MINIT_PID STRACE_ARGS
# in the background (STRACE_PID; teardown kills it); returns once strace is
# attached
strace_minit() {
	local out=$1
	shift
	strace -q -o "$out" -p "$MINIT_PID" "$@" &
	STRACE_PID=$!
	BG_PIDS+=("$STRACE_PID")
	wait_for -m "strace attached" _traced "$MINIT_PID"
}
_traced() { [[ $(status_field "$1" TracerPid) != 0 ]]; }

# wait_minit [TIMEOUT]: wait for the launched command to end; sets status
# (minit's exit status; unshare passes it through), output/lines (stdout),
# stderr/stderr_lines.
wait_minit() {
	wait_for -t "${1:-10}" -m "minit (pid $MINIT_PID) to exit" is_gone "$LAUNCH_PID"
	status=0
	wait "$LAUNCH_PID" 2>/dev/null || status=$?
	mapfile -t lines <"$OUT"
	stderr_lines=()
	[[ ! -f $ERR ]] || mapfile -t stderr_lines <"$ERR"
	local IFS=$'\n'
	output="${lines[*]}"
	stderr="${stderr_lines[*]}"
}

# run_minit MODE [ARGS...]: run minit (or $PROG) in MODE to completion; for
# invocations that end by themselves (usage errors, short commands). Sets
# status, output, lines, stderr, stderr_lines like `run --separate-stderr`.
run_minit() {
	_launch_minit "$@"
	MINIT_PID=$LAUNCH_PID
	wait_minit
}

# run_minit_via CMD...: run an arbitrary command line that runs minit (e.g.
# a shell that changes something first) to completion, like run_minit
run_minit_via() {
	MODE=via
	launch "$@"
	MINIT_PID=$LAUNCH_PID
	wait_minit
}

# assert_exit CODE WHY: minit's exit status (after wait_minit) is CODE
assert_exit() {
	[[ $status -eq $1 ]] || fail "expected exit $1 ($2), got $status$(diag_tail)"
}

# die_cmd SIG: DIE = a command that dies of signal SIG
die_cmd() { DIE=("$TEST_HELPERS/crash" "$1"); }

# personality NAME: prints the path of a symlink $T/bin/NAME -> minit
personality() {
	mkdir -p "$T/bin"
	ln -sf "$MINIT" "$T/bin/$1"
	echo "$T/bin/$1"
}

# default_prog: prints the path of a wrapper that runs minit without
# launch's MINIT_RESTART=no, so minit's built-in restart default applies
# (exec keeps the pid, so in pid1 mode minit is still PID 1)
default_prog() {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nunset MINIT_RESTART\nexec %s "$@"\n' "${MINIT_WRAP[*]} \"$MINIT\"" >"$T/bin/minit-defaults"
	chmod +x "$T/bin/minit-defaults"
	echo "$T/bin/minit-defaults"
}

# ---------------------------------------------------------------------------
# minit's log: stderr lines "minit: LEVEL: message"

# count_log LEVEL [REGEX]: NLINES = minit's log lines at LEVEL (a regex too:
# '(info|debug)') whose message matches REGEX
count_log() { count_lines "$ERR" "^minit: $1: .*${2:-}"; }

# wait_log LEVEL REGEX [COUNT] [TIMEOUT]: wait for COUNT (default 1) such lines
wait_log() {
	wait_for -t "${4:-10}" -m "${3:-1} minit $1 line(s) /$2/" has_lines "$ERR" "^minit: $1: .*$2" "${3:-1}"
}

assert_no_errors_logged() {
	local bad
	bad=$(grep -E '^minit: error:' "$ERR" 2>/dev/null || true)
	[[ -z $bad ]] || fail "unexpected error log lines:
$bad"
}

# up_listen: a notify socket of minit's launcher (systemd's for a unit of
# Type=notify, podman's for --sdnotify=container) at UP, what arrives on it
# in UP_LOG ("from PID TEXT", newlines as '|'; tests/helpers/dgram-recv)
up_listen() {
	UP=$T/up.sock UP_LOG=$T/up.log
	dgram-recv "$UP" "$UP_LOG" &
	BG_PIDS+=($!)
	wait_lines "$UP_LOG" '^listening$'
}
