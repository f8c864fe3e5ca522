#!/usr/bin/env bats
# Command line: usage errors, help, version, licence, `--` and the
# first-non-option rule, MINIT_* variables and their precedence, invalid values.

load lib/minit

# usage errors: exit 1, stdout empty, "minit: ..." plus a hint to --help
assert_usage_error() {
	[[ $status -eq 1 ]] || fail "expected exit 1 (usage error), got $status; stderr: $stderr"
	[[ -z $output ]] || fail "stdout should be empty on a usage error: $output"
	((${#stderr_lines[@]} >= 1 && ${#stderr_lines[@]} <= 2)) ||
		fail "expected one line plus a hint on stderr, got ${#stderr_lines[@]}: $stderr"
	[[ ${stderr_lines[0]} == minit:* ]] || fail "first stderr line should start with 'minit:': $stderr"
	[[ $stderr == *--help* ]] || fail "no hint to --help: $stderr"
}

t_no_command() {
	run_minit "$1"
	assert_usage_error
}
@test "pid1: no command is a usage error (exit 1, hint to --help)" { t_no_command pid1; }
@test "subreaper: no command is a usage error (exit 1, hint to --help)" { t_no_command sub; }

t_only_dashdash() {
	run_minit "$1" --
	assert_usage_error
}
@test "pid1: only -- and no command is a usage error" { t_only_dashdash pid1; }
@test "subreaper: only -- and no command is a usage error" { t_only_dashdash sub; }

t_unknown_long() {
	run_minit "$1" --bogus-option touch "$T/ran"
	assert_usage_error
	[[ $stderr == *bogus-option* ]] || fail "message should name the option: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran despite the usage error"
}
@test "pid1: unknown long option is a usage error naming it" { t_unknown_long pid1; }
@test "subreaper: unknown long option is a usage error naming it" { t_unknown_long sub; }

t_unknown_short() {
	run_minit "$1" -Z touch "$T/ran"
	assert_usage_error
	[[ $stderr == *Z* ]] || fail "message should name the option: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran despite the usage error"
}
@test "pid1: unknown short option is a usage error" { t_unknown_short pid1; }
@test "subreaper: unknown short option is a usage error" { t_unknown_short sub; }

t_missing_arg() {
	local opt
	for opt in -p --pdeathsig -e --remap-exit -r --rewrite --stop-timeout; do
		run_minit "$1" "$opt"
		assert_usage_error
	done
}
@test "pid1: option missing its argument is a usage error" { t_missing_arg pid1; }
@test "subreaper: option missing its argument is a usage error" { t_missing_arg sub; }

t_help() {
	local opt
	for opt in -h --help; do
		run_minit "$1" "$opt"
		[[ $status -eq 0 ]] || fail "$opt: exit $status, stderr: $stderr"
		[[ $output =~ [Uu]sage ]] || fail "$opt: no usage text on stdout: $output"
		[[ $output == *--pause* && $output == *--remap-exit* ]] ||
			fail "$opt: help should list the options: $output"
		[[ -z $stderr ]] || fail "$opt: stderr should be empty: $stderr"
	done
}
@test "pid1: -h and --help print usage on stdout and exit 0" { t_help pid1; }
@test "subreaper: -h and --help print usage on stdout and exit 0" { t_help sub; }

t_help_wins_over_command() {
	run_minit "$1" --help touch "$T/ran"
	[[ $status -eq 0 ]] || fail "exit $status"
	[[ ! -e $T/ran ]] || fail "--help should not run the command"
}
@test "pid1: --help before a command prints help without running it" { t_help_wins_over_command pid1; }
@test "subreaper: --help before a command prints help without running it" { t_help_wins_over_command sub; }

t_version() {
	local opt
	for opt in -V --version; do
		run_minit "$1" "$opt"
		[[ $status -eq 0 ]] || fail "$opt: exit $status, stderr: $stderr"
		[[ ${#lines[@]} -eq 1 ]] || fail "$opt: expected one version line, got: $output"
		[[ ${lines[0]} =~ minit.*[0-9]+\.[0-9]+ ]] || fail "$opt: not a version line: $output"
	done
}
@test "pid1: -V and --version print one version line and exit 0" { t_version pid1; }
@test "subreaper: -V and --version print one version line and exit 0" { t_version sub; }

t_license() {
	local opt
	for opt in -l --license; do
		run_minit "$1" "$opt"
		[[ $status -eq 0 ]] || fail "$opt: exit $status, stderr: $stderr"
		[[ $output == *MIT* || $output == *"Permission is hereby granted"* ]] ||
			fail "$opt: no MIT licence text: $output"
	done
}
@test "pid1: -l and --license print the MIT licence and exit 0" { t_license pid1; }
@test "subreaper: -l and --license print the MIT licence and exit 0" { t_license sub; }

t_dashdash() {
	run_minit "$1" -- sh -c 'exit 3'
	[[ $status -eq 3 ]] || fail "expected 3, got $status: $stderr"
	run_minit "$1" -v -- echo --version -h
	[[ $status -eq 0 ]] || fail "expected 0, got $status: $stderr"
	[[ $output == "--version -h" ]] || fail "arguments after -- must go to the command: '$output'"
}
@test "pid1: -- ends the options" { t_dashdash pid1; }
@test "subreaper: -- ends the options" { t_dashdash sub; }

t_dashdash_option_like_command() {
	run_minit "$1" -- --help
	[[ $status -eq 127 ]] || fail "'minit -- --help' must try to run a command named --help (127), got $status: $output"
}
@test "pid1: after -- an option-like word is the command" { t_dashdash_option_like_command pid1; }
@test "subreaper: after -- an option-like word is the command" { t_dashdash_option_like_command sub; }

t_first_nonoption() {
	run_minit "$1" echo -v --help -p BOGUS -- -x
	[[ $status -eq 0 ]] || fail "exit $status (options after the command must not be parsed): $stderr"
	[[ $output == "-v --help -p BOGUS -- -x" ]] || fail "the command got '$output'"
	run_minit "$1" -e 3 sh -c 'exit 3' -e 4
	[[ $status -eq 0 ]] || fail "options before the command must still apply, got $status"
}
@test "pid1: parsing stops at the first non-option argument" { t_first_nonoption pid1; }
@test "subreaper: parsing stops at the first non-option argument" { t_first_nonoption sub; }

# option / variable -> an invalid value: exit 2, one line, command not run
INVALID_OPTS=(
	"-p BOGUS" "-p 65" "--pdeathsig 0x1"
	"-r USR1" "-r FOO:USR2" "-r USR1:BAR" "--rewrite 99:1"
	"-e abc" "-e 256"
	"--stop-timeout 5x" "--stop-timeout s" "--leftover-grace 1q"
	"--stop-on NOPE" "--restart sometimes" "--restart-max many"
)
INVALID_ENV=(
	MINIT_PDEATHSIG=BOGUS MINIT_STOP_TIMEOUT=abc MINIT_SETSID=maybe
	MINIT_VERBOSITY=lots MINIT_REMAP_EXIT=x MINIT_REWRITE=USR1
)

check_invalid() { # DESCRIPTION: checks the last run
	if [[ $status -ne 2 ]]; then
		echo "$1: expected exit 2, got $status; stderr: $stderr"
	elif [[ ${#stderr_lines[@]} -ne 1 || ${stderr_lines[0]} != minit:* ]]; then
		echo "$1: expected exactly one 'minit: ...' line, got: $stderr"
	elif [[ -e $T/ran ]]; then
		echo "$1: the command ran"
	fi
	rm -f "$T/ran"
}

t_invalid_values() {
	local bad=() a v msg
	for a in "${INVALID_OPTS[@]}"; do
		# shellcheck disable=SC2086
		run_minit "$1" $a touch "$T/ran"
		msg=$(check_invalid "option $a") && [[ -z $msg ]] || bad+=("$msg")
	done
	for v in "${INVALID_ENV[@]}"; do
		EXTRA_ENV=("$v")
		run_minit "$1" touch "$T/ran"
		msg=$(check_invalid "env $v") && [[ -z $msg ]] || bad+=("$msg")
	done
	EXTRA_ENV=()
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}
@test "pid1: invalid values in options and MINIT_* variables exit 2 with one line" { t_invalid_values pid1; }
@test "subreaper: invalid values in options and MINIT_* variables exit 2 with one line" { t_invalid_values sub; }

t_value_forms() {
	local bad=() a
	for a in "-p TERM" "-p SIGTERM" "-p sigterm" "-p 15" "-p RTMIN+2" \
		"-r SIGUSR1:sigusr2" "-r 10:12" "-r USR1:0" "-r RTMIN+2:USR2" \
		"--stop-timeout 1.5s" "--stop-timeout 500ms" "--stop-timeout 2m" "--stop-timeout 3" \
		"-e 255" "--stop-ladder INT,TERM,KILL"; do
		# shellcheck disable=SC2086
		run_minit "$1" $a sh -c 'exit 5'
		[[ $status -eq 5 ]] || bad+=("'$a' should be accepted (want the child's 5, got $status): $stderr")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}
@test "pid1: signal names, numbers and durations in their documented forms are accepted" { t_value_forms pid1; }
@test "subreaper: signal names, numbers and durations in their documented forms are accepted" { t_value_forms sub; }

t_env_remap() {
	EXTRA_ENV=(MINIT_REMAP_EXIT=3,4)
	run_minit "$1" sh -c 'exit 4'
	[[ $status -eq 0 ]] || fail "MINIT_REMAP_EXIT=3,4 and exit 4: want 0, got $status"
	run_minit "$1" sh -c 'exit 3'
	[[ $status -eq 0 ]] || fail "MINIT_REMAP_EXIT=3,4 and exit 3: want 0, got $status"
	run_minit "$1" sh -c 'exit 5'
	[[ $status -eq 5 ]] || fail "MINIT_REMAP_EXIT=3,4 and exit 5: want 5, got $status"
}
@test "pid1: MINIT_REMAP_EXIT takes a comma-separated list" { t_env_remap pid1; }
@test "subreaper: MINIT_REMAP_EXIT takes a comma-separated list" { t_env_remap sub; }

# does minit's child lead its own session? prints yes/no (the child is a
# shell comparing its session id, field 6 of /proc/$$/stat, with its pid)
SESSION_PROBE='read -r s </proc/$$/stat; set -- $s; if [ "$6" = "$$" ]; then echo yes; else echo no; fi'
child_has_own_session() { # MODE [MINIT ARGS...]
	local mode=$1
	shift
	run_minit "$mode" "$@" sh -c "$SESSION_PROBE"
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
	echo "$output"
}

t_env_booleans() {
	local v got bad=()
	for v in 1 true yes on; do
		EXTRA_ENV=("MINIT_SETSID=$v")
		got=$(child_has_own_session "$1")
		[[ $got == yes ]] || bad+=("MINIT_SETSID=$v: child should have its own session")
	done
	for v in 0 false no off; do
		EXTRA_ENV=("MINIT_SETSID=$v")
		got=$(child_has_own_session "$1")
		[[ $got == no ]] || bad+=("MINIT_SETSID=$v: child should not have its own session")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}
@test "pid1: boolean variables take 1/0 true/false yes/no on/off" { t_env_booleans pid1; }
@test "subreaper: boolean variables take 1/0 true/false yes/no on/off" { t_env_booleans sub; }

t_option_beats_env_bool() {
	EXTRA_ENV=(MINIT_SETSID=1)
	[[ $(child_has_own_session "$1") == yes ]] || fail "MINIT_SETSID=1 alone should give a session (control)"
	[[ $(child_has_own_session "$1" -c) == no ]] || fail "-c must win over MINIT_SETSID=1"
	EXTRA_ENV=(MINIT_SINGLE_CHILD=1)
	[[ $(child_has_own_session "$1" --setsid) == yes ]] || fail "--setsid must win over MINIT_SINGLE_CHILD=1"
}
@test "pid1: an option wins over its MINIT_* variable (setsid / single-child)" { t_option_beats_env_bool pid1; }
@test "subreaper: an option wins over its MINIT_* variable (setsid / single-child)" { t_option_beats_env_bool sub; }

t_option_beats_env_rewrite() {
	EXTRA_ENV=(MINIT_REWRITE=USR1:USR2)
	start_minit "$1" -r USR1:HUP sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -USR1 "$MINIT_PID"
	assert_sig_from HUP "$MINIT_SELF"
	mark_via_minit
	refute_sig USR2
	refute_sig USR1
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status"
}
@test "pid1: -r wins over MINIT_REWRITE" { t_option_beats_env_rewrite pid1; }
@test "subreaper: -r wins over MINIT_REWRITE" { t_option_beats_env_rewrite sub; }

t_env_rewrite() {
	EXTRA_ENV=(MINIT_REWRITE=USR1:USR2,HUP:0)
	start_minit "$1" sigrec -o "$REC" -x TERM:0
	wait_ready
	kill -HUP "$MINIT_PID"
	kill -USR1 "$MINIT_PID"
	assert_sig_from USR2 "$MINIT_SELF"
	mark_via_minit
	refute_sig USR1
	refute_sig HUP
	kill -TERM "$MINIT_PID"
	wait_minit
}
@test "pid1: MINIT_REWRITE takes a comma-separated list" { t_env_rewrite pid1; }
@test "subreaper: MINIT_REWRITE takes a comma-separated list" { t_env_rewrite sub; }

# ---------------------------------------------------------------------------
# logging: stderr only, "minit: LEVEL: message", -v repeatable, MINIT_VERBOSITY

# a run that has something to say at every level: a forwarded signal, a
# reaped orphan, the child's exit
chatty_run() { # MODE [MINIT ARGS...]
	local mode=$1
	shift
	start_minit "$mode" "$@" sh -c 'orphans 1 >/dev/null; exec sigrec -o "$1" -x TERM:0' sh "$REC"
	wait_ready
	kill -USR1 "$MINIT_PID"
	wait_sig USR1
	kill -TERM "$MINIT_PID"
	wait_minit
	[[ $status -eq 0 ]] || fail "exit $status: $stderr"
}

t_log_format() {
	chatty_run "$1" -vvv -w
	[[ -z $output ]] || fail "minit must not write to stdout: $output"
	local l bad=()
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ ^minit:\ (error|warning|info|debug):\ .+ ]] || bad+=("$l")
	done
	((${#bad[@]} == 0)) || fail "lines not in the 'minit: LEVEL: message' format:
$(printf '%s\n' "${bad[@]}")"
	count_log debug
	((NLINES > 0)) || fail "-vvv printed no debug line: $stderr"
}
@test "pid1: every log line is 'minit: LEVEL: message' on stderr" { t_log_format pid1; }
@test "subreaper: every log line is 'minit: LEVEL: message' on stderr" { t_log_format sub; }

t_verbosity_levels() {
	chatty_run "$1"
	count_log '(info|debug)'
	((NLINES == 0)) || fail "default verbosity must not print info/debug: $stderr"
	chatty_run "$1" -v
	count_log info
	((NLINES > 0)) || fail "-v printed no info line: $stderr"
	count_log debug
	((NLINES == 0)) || fail "-v must not print debug lines: $stderr"
	chatty_run "$1" -v -v
	count_log debug
	((NLINES > 0)) || fail "-v -v printed no debug line: $stderr"
}
@test "pid1: -v is repeatable: info with -v, debug with -vv, neither by default" { t_verbosity_levels pid1; }
@test "subreaper: -v is repeatable: info with -v, debug with -vv, neither by default" { t_verbosity_levels sub; }

t_env_verbosity() {
	EXTRA_ENV=(MINIT_VERBOSITY=3)
	chatty_run "$1"
	count_log debug
	((NLINES > 0)) || fail "MINIT_VERBOSITY=3 printed no debug line: $stderr"
	# level 0: errors only, so the -w warning for the orphan is not shown
	EXTRA_ENV=(MINIT_VERBOSITY=0)
	chatty_run "$1" -w
	count_log warning
	((NLINES == 0)) || fail "MINIT_VERBOSITY=0 must hide warnings: $stderr"
	# ... while at the default level it is (the control for the line above)
	EXTRA_ENV=()
	chatty_run "$1" -w
	count_log warning
	((NLINES > 0)) || fail "-w printed no warning at the default level: $stderr"
}
@test "pid1: MINIT_VERBOSITY sets the level (3 debug, 0 errors only)" { t_env_verbosity pid1; }
@test "subreaper: MINIT_VERBOSITY sets the level (3 debug, 0 errors only)" { t_env_verbosity sub; }
