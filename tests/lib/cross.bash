# tests/lib/cross.bash: the suite against a minit built for another
# architecture (make check-cross: MINIT=build/ARCH/minit). Loaded by
# lib/minit.bash; everything cross-specific of the test library is here.
#
# MINIT is read once: its ELF machine says whether this kernel runs it
# natively (x86_64, and i386 on an x86_64 kernel with IA32 emulation: then
# nothing here changes anything) or through qemu-user-static registered with
# binfmt_misc (scripts/binfmt.sh): CROSS_EMULATED=1, CROSS_QEMU=aarch64|arm.
#
# Under emulation:
#   - minit's /proc/PID/exe is /usr/bin/qemu-QEMU-static and its cmdline is
#     "INTERPRETER PATH ARGV0 ARGS..." (binfmt flag P): is_minit (launch.bash)
#     asks cross_is_minit, as it asks valgrind_is_minit under VALGRIND=1;
#   - every minit the suite starts is started through the native probe
#     subreaper-exec (MINIT_WRAP, as valgrind's wrapper is under VALGRIND=1;
#     tests/helpers/subreaper-exec.c): qemu-user 7.2 answers the emulated
#     PR_SET_CHILD_SUBREAPER with EINVAL itself, so the probe sets the
#     attribute, which survives execve, before qemu starts; minit, not PID 1,
#     still logs that its own request failed;
#   - tests whose subject qemu-user 7.2 does not emulate are skipped, each
#     with its reason (CROSS_SKIPS below; matched on the test's name in
#     setup). Nothing else is loosened: every other test holds the emulated
#     binary to the same bounds as the native one.
#
# Hooks in launch.bash: setup calls cross_setup, is_minit and minit_argv
# look at CROSS_EMULATED; nothing else is touched.

CROSS_EMULATED=0
CROSS_QEMU=

# cross_elf_machine FILE: sets CROSS_MACHINE to e_machine of the ELF FILE
# (62 x86_64, 3 i386, 183 aarch64, 40 arm), "" when FILE is no ELF
cross_elf_machine() {
	local h
	CROSS_MACHINE=
	h=$(od -An -tx1 -N20 "$1" 2>/dev/null | tr -d ' \n') || return 0
	[[ ${h:0:8} == 7f454c46 ]] || return 0
	CROSS_MACHINE=$((16#${h:38:2}${h:36:2}))
}

cross_detect() {
	local host
	cross_elf_machine "$MINIT"
	case $(uname -m) in
	x86_64) host="62 3" ;;
	aarch64) host="183 40" ;;
	*) host= ;;
	esac
	[[ -n $CROSS_MACHINE && " $host " != *" $CROSS_MACHINE "* ]] || return 0
	case $CROSS_MACHINE in
	183) CROSS_QEMU=aarch64 ;;
	40) CROSS_QEMU=arm ;;
	62) CROSS_QEMU=x86_64 ;;
	3) CROSS_QEMU=i386 ;;
	*) CROSS_QEMU=unknown ;;
	esac
	CROSS_EMULATED=1
}
cross_detect

# cross_is_minit PID: PID is qemu-user running minit (or a symlink to it):
# exe is a qemu-*-static, and the program binfmt handed it (cmdline's second
# word, relative to the process's cwd) is MINIT
cross_is_minit() {
	local exe args prog
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ ${exe##*/} == qemu-*-static ]] || return 1
	mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
	prog=${args[1]:-}
	[[ -n $prog ]] || return 1
	[[ $prog == /* ]] || prog=/proc/$1/cwd/$prog
	[[ $prog -ef $MINIT ]]
}

# Tests that cannot hold under qemu-user 7.2: "REGEX => REASON", the
# extended REGEX against the test's description (both modes unless the
# REGEX names one).
#
# qemu-user 7.2 maps the host's real-time signals 34-64 to the emulated
# program's 32-62 (host 32 and 33 belong to its own libc and reach the guest
# as nothing): a number is the same on both sides only below 32.
CROSS_RT_WHY="it renumbers real-time signals between the host and the emulated program (host 34-64 are minit's 32-62; host 32 and 33 never reach it)"
CROSS_SKIPS=(
	"a child killed by a real-time signal gives 128\\+N => $CROSS_RT_WHY: a native child killed by 40 is minit's 38"
	"^(pid1|subreaper): -r/--rewrite S:R forwards S as R => $CROSS_RT_WHY: the test names signal 40 in -r"
	"^(pid1|subreaper): -r S:0 drops S => $CROSS_RT_WHY: the test names signal 40 in -r"
	"signals 32 and 33, which libc keeps for itself => $CROSS_RT_WHY"
	"(SEGV BUS ILL FPE ABRT TRAP SYS sent with kill|fault and real-time signals sent with sigqueue) => it holds one pending fault signal (SEGV, BUS, ILL, FPE, TRAP) at a time: a burst of them from kill or sigqueue ends the emulator with SIGSEGV"
	"with stderr closed \\(2>&-\\) minit forwards => its fcntl(F_DUPFD) does not carry a signalfd's signal translation to the new fd: with fd 2 closed minit's signalfd is made at 2 and moved above it, and real-time signals then reach minit under the host's numbers (54 forwarded as 56)"
	"^subreaper: (.* exits 12[67] with one line|.*warns (once )?for every orphan|without -w reaping orphans is silent) => minit, not PID 1, adds its warning that qemu refused PR_SET_CHILD_SUBREAPER (EINVAL) to the lines under test"
	"^(pid1|subreaper): (-s|--subreaper and MINIT_SUBREAPER=1) (is|are) accepted => it answers PR_SET_CHILD_SUBREAPER with EINVAL, so an explicit --subreaper ends minit with 125, as it must"
	"--seccomp (default|auto) => it does not emulate seccomp: loading a filter fails with EINVAL (minit exits 125)"
)

# cross_skip_check: in setup, skip the running test when CROSS_SKIPS names it
cross_skip_check() {
	local e re
	((CROSS_EMULATED)) || return 0
	for e in "${CROSS_SKIPS[@]}"; do
		re=${e%% => *}
		[[ $BATS_TEST_DESCRIPTION =~ $re ]] && skip "under qemu-user ($CROSS_QEMU): ${e#* => }"
	done
	return 0
}

# cross_setup: in setup, under emulation: skip what qemu cannot hold, and
# start every minit through the native subreaper-exec (see above)
cross_setup() {
	((CROSS_EMULATED)) || return 0
	cross_skip_check
	MINIT_WRAP=("$TEST_HELPERS/subreaper-exec")
	[[ -x ${MINIT_WRAP[0]} ]] || fail "probe subreaper-exec missing in $TEST_HELPERS (make test-helpers)"
}
