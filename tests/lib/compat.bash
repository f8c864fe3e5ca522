# Differential compatibility tests (tests/5x-compat-*.bats): one test body
# runs against a peer's real binary (Debian's /usr/bin/tini, /usr/bin/dumb-init)
# and against minit installed under the peer's name, so a test shows that it
# encodes the peer's behaviour, not minit's reading of it. Load after
# lib/common.
#
#   Each case is written out as @tests "NAME MODE: TITLE" (IMPL=peer) and
#   "minit as NAME MODE: TITLE" (IMPL=minit), calling its body with MODE.
#   init_prog NAME: INIT_PROG = the program to run for IMPL (the peer's
#     binary, or a symlink NAME -> minit)
#   start_init MODE ARGS...: start it in the background; sets LAUNCH_PID,
#     MINIT_PID (the init's host pid, whatever init it is, so lib/common's
#     child_pid, host_pid_of and friends work) and MINIT_SELF (1 as PID 1)
#   run_init MODE ARGS...: run it to completion (status, output, stderr)
#   is_peer: IMPL is the peer

PEER_DIR=${PEER_DIR:-/usr/bin}

is_peer() { [[ $IMPL == peer ]]; }

init_prog() {
	if is_peer; then
		INIT_PROG=$PEER_DIR/$1
		[[ -x $INIT_PROG ]] || skip "$INIT_PROG is not installed"
	else
		INIT_PROG=$(personality "$1")
	fi
}

# is_init PID: PID runs the init under test (exec done)
is_init() {
	if is_peer; then
		[[ /proc/$1/exe -ef $INIT_PROG ]]
	else
		is_minit "$1"
	fi
}

_find_init() {
	local p DESC
	collect_descendants "$1"
	for p in "$1" "${DESC[@]}"; do
		if is_init "$p"; then
			MINIT_PID=$p
			return 0
		fi
	done
	return 1
}

# the peers block their signals before they fork the child: once the child
# runs, a signal to the init is taken (minit: minit_takes_signals)
_init_ready() {
	if is_peer; then
		[[ -n $(children_of "$MINIT_PID") ]] || is_gone "$MINIT_PID"
	else
		minit_blocked_or_gone
	fi
}

start_init() {
	MODE=$1
	shift
	local argv
	if is_peer; then argv=("$INIT_PROG"); else minit_argv "$INIT_PROG" && argv=("${MINIT_ARGV[@]}"); fi
	rm -f "$REC"
	case $MODE in
	pid1) launch unshare --pid --fork --mount-proc "${argv[@]}" "$@" ;;
	sub) launch "${argv[@]}" "$@" ;;
	esac
	wait_for -m "the init to start under pid $LAUNCH_PID" -d "ps_tree $LAUNCH_PID" _find_init "$LAUNCH_PID"
	if [[ $MODE == pid1 ]]; then MINIT_SELF=1; else MINIT_SELF=$MINIT_PID; fi
	wait_for -m "the init (pid $MINIT_PID) to take signals" _init_ready
}

run_init() {
	MODE=$1
	shift
	local argv
	if is_peer; then argv=("$INIT_PROG"); else minit_argv "$INIT_PROG" && argv=("${MINIT_ARGV[@]}"); fi
	case $MODE in
	pid1) launch unshare --pid --fork --mount-proc "${argv[@]}" "$@" ;;
	sub) launch "${argv[@]}" "$@" ;;
	via) launch "${argv[@]}" "$@" ;;
	esac
	MINIT_PID=$LAUNCH_PID
	wait_minit
}
