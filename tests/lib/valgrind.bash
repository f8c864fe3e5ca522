# VALGRIND=1: every minit under valgrind memcheck (part of lib/minit).
#
# Every minit the suite starts runs as "${MINIT_WRAP[@]}" "$MINIT" ARGS:
# tests/lib/valgrind-minit runs it under memcheck, logging to VG_LOG (one file
# per test; minit and its forked children, each line starting ==PID==) on fd
# 99. start_minit, run_minit and minit_cmd add the wrapper themselves (to
# $MINIT and to symlinks to it, such as personality's); a test that starts
# minit some other way, or writes a script that execs it, puts
# "${MINIT_WRAP[@]}" in front of "$MINIT" (empty without VALGRIND=1).
# teardown fails the test when the log holds any error (valgrind_check).
#
# Under valgrind, /proc/PID/exe of minit is valgrind's tool (e.g.
# /usr/libexec/valgrind/memcheck-amd64-linux); minit and every child it
# forks keep fd 99 open (valgrind does not close it); minit's SigBlk is
# valgrind's except while minit waits in a system call; some signals never
# reach minit (VG_TAKEN_SIGNALS); some system calls fail with ENOSYS
# (VG_UNHANDLED_OK). SV_TOL and SV_EXIT_SLACK (timing.bash) are raised.

VG_WRAPPER=$TESTS_ROOT/tests/lib/valgrind-minit
VG_FD=99
# System calls valgrind 3.19 does not know (the program gets ENOSYS), by
# number, that are accepted; any other one fails the test:
#   434 pidfd_open: valgrind 3.19 lacks it, so under valgrind minit signals
#       by pid (its designed fallback for kernels without pidfds).
# (minit compiles no seccomp filter at run time any more: 317, libseccomp's
# probe of seccomp(2), is gone.)
VG_UNHANDLED_OK=${VG_UNHANDLED_OK:-434}

valgrind_setup() {
	MINIT_WRAP=()
	((VALGRIND)) || return 0
	# a dot file: sv_timed's clean-up between attempts keeps it
	VG_LOG=$T/.valgrind.log
	VG_TEST_PID=$BASHPID
	MINIT_WRAP=("$VG_WRAPPER" "$VG_LOG")
	: >"$VG_LOG"
}

# valgrind_is_minit PID: PID runs valgrind's tool with minit (or a symlink
# to it) as the program: the first argument after valgrind's options
valgrind_is_minit() {
	local exe a args
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ $exe == */valgrind/*-linux ]] || return 1
	mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
	for a in "${args[@]:1}"; do
		[[ $a == -* ]] && continue
		[[ $a -ef $MINIT || $a == "$MINIT" ]]
		return
	done
	return 1
}

# Signals sent to minit that valgrind 3.19 does not let reach it:
# - SEGV BUS ILL FPE TRAP from another process (kill, sigqueue): valgrind's
#   own handler takes them whatever minit's mask (it must, for its own
#   faults); it queues them where minit's signal wait never sees them, or
#   ends the process with their default action;
# - SYS: valgrind leaves it unblocked too while minit runs (rather than
#   waits); one arriving then ends the process or aborts valgrind
#   ("Assertion 'tst->status == VgTs_WaitSys' failed");
# - 64 (SIGRTMAX): valgrind's own (VG_SIGVGKILL): minit can neither block it
#   nor send it (kill fails with EINVAL).
VG_TAKEN_SIGNALS=(11 7 4 8 5 31 64)
VG_TAKEN_WHY="under valgrind 3.19, SEGV BUS ILL FPE TRAP SYS sent by another process and SIGRTMAX are valgrind's: they do not reach minit's signal wait"

_vg_taken() { # SIG: under valgrind, one of VG_TAKEN_SIGNALS?
	local t
	((VALGRIND)) || return 1
	signum "$1"
	for t in "${VG_TAKEN_SIGNALS[@]}"; do [[ $SIGNUM == "$t" ]] && return 0; done
	return 1
}

# valgrind_skip_signals SIG...: skip the test under valgrind when it sends
# minit one of VG_TAKEN_SIGNALS
valgrind_skip_signals() {
	local s
	for s; do
		_vg_taken "$s" && skip "$VG_TAKEN_WHY ($s)"
	done
	return 0
}

# valgrind_drop_signals ARRAY: under valgrind, remove VG_TAKEN_SIGNALS from
# the array named ARRAY (signals a test sends minit)
valgrind_drop_signals() {
	((VALGRIND)) || return 0
	local -n _vg_arr=$1
	local s kept=()
	for s in "${_vg_arr[@]}"; do _vg_taken "$s" || kept+=("$s"); done
	_vg_arr=("${kept[@]}")
}

# valgrind_fd PID FD: FD of PID is valgrind's log (a child inherits it)
valgrind_fd() {
	((VALGRIND)) && [[ $2 == "$VG_FD" && /proc/$1/fd/$2 -ef $VG_LOG ]]
}

# valgrind_check: fail the test when valgrind reported an error (a block
# between VGERR-BEGIN and VGERR-END: a memory error, a definite or indirect
# leak), a non-zero ERROR SUMMARY, a system call it does not know (other
# than VG_UNHANDLED_OK), or a valgrind crash. Once per test, from its own
# teardown (not from sv_timed's and sv_both's subshells, which run
# teardown for their own processes).
valgrind_check() {
	((VALGRIND)) && [[ $BASHPID == "${VG_TEST_PID:-}" && -f $VG_LOG ]] || return 0
	local line n=0 bad=() in_err=0 excerpt=() re_ok
	re_ok="unhandled [a-z0-9-]+ syscall: (${VG_UNHANDLED_OK// /|})\$"
	while IFS= read -r line; do
		if [[ $line == *VGERR-BEGIN ]]; then
			n=$((n + 1)) in_err=1
		elif [[ $line == *VGERR-END ]]; then
			in_err=0
		elif ((in_err)); then
			((${#excerpt[@]} < 80)) && excerpt+=("$line")
		elif [[ $line =~ ERROR\ SUMMARY:\ ([0-9]+)\ errors && ${BASH_REMATCH[1]} != 0 ]]; then
			bad+=("$line")
		elif [[ $line =~ unhandled\ [a-z0-9-]+\ syscall: && ! $line =~ $re_ok ]]; then
			bad+=("$line")
		elif [[ $line =~ impossible\ happened|Valgrind\'s\ memory\ management|VALGRIND\ INTERNAL\ ERROR ]]; then
			bad+=("$line")
		fi
	done <"$VG_LOG"
	((n == 0 && ${#bad[@]} == 0)) && return 0
	fail "valgrind: $n error report(s) and ${#bad[@]} other problem(s) in $VG_LOG:
$(printf '%s\n' "${excerpt[@]}")
$(printf '%s\n' "${bad[@]}" | sort -u | head -n 10)"
}
