#!/usr/bin/env bats
# Exit status: the child's code, 128+N for death by signal N, -e remapping,
# 126/127 for exec failures (one line naming the command and the reason).

load lib/minit

t_passthrough() {
	local c bad=()
	for c in 0 1 3 42 125 126 127 128 200 255; do
		run_minit "$1" sh -c "exit $c"
		[[ $status -eq $c ]] || bad+=("child exit $c: minit exited $status; stderr: $stderr")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}
@test "pid1: the child's exit code passes through (0 1 3 42 125-128 200 255)" { t_passthrough pid1; }
@test "subreaper: the child's exit code passes through (0 1 3 42 125-128 200 255)" { t_passthrough sub; }

t_signal_matrix() {
	local s n bad=()
	for s in HUP INT QUIT ILL ABRT FPE KILL USR1 SEGV USR2 PIPE ALRM TERM SYS; do
		n=$(kill -l "$s")
		die_cmd "$s"
		run_minit "$1" "${DIE[@]}"
		[[ $status -eq $((128 + n)) ]] || bad+=("child killed by $s: want $((128 + n)), got $status; stderr: $stderr")
	done
	((${#bad[@]} == 0)) || fail "$(printf '%s\n' "${bad[@]}")"
}
@test "pid1: a child killed by signal N gives 128+N (HUP INT QUIT ILL ABRT FPE KILL USR1 SEGV USR2 PIPE ALRM TERM SYS)" { t_signal_matrix pid1; }
@test "subreaper: a child killed by signal N gives 128+N (HUP INT QUIT ILL ABRT FPE KILL USR1 SEGV USR2 PIPE ALRM TERM SYS)" { t_signal_matrix sub; }

t_rt_signal_death() {
	die_cmd 40
	run_minit "$1" "${DIE[@]}"
	[[ $status -eq 168 ]] || fail "child killed by signal 40: want 168, got $status"
}
@test "pid1: a child killed by a real-time signal gives 128+N" { t_rt_signal_death pid1; }
@test "subreaper: a child killed by a real-time signal gives 128+N" { t_rt_signal_death sub; }

# 128+N is an exit code, minit does not kill itself: check the raw wait status
t_exits_normally() {
	local cmd
	die_cmd SEGV
	# shellcheck disable=SC2207
	cmd=($(minit_cmd "$1"))
	launch perl -e 'system @ARGV; printf "%d %d\n", $? >> 8, $? & 127' -- "${cmd[@]}" "${DIE[@]}"
	MINIT_PID=$LAUNCH_PID
	wait_minit
	[[ $output == "139 0" ]] || fail "want a normal exit with 139 (\"139 0\"), got exit/signal \"$output\""
}
@test "pid1: 128+N is a normal exit of minit, not a death by signal" { t_exits_normally pid1; }
@test "subreaper: 128+N is a normal exit of minit, not a death by signal" { t_exits_normally sub; }

t_remap() {
	run_minit "$1" -e 3 sh -c 'exit 3'
	[[ $status -eq 0 ]] || fail "-e 3, exit 3: want 0, got $status"
	run_minit "$1" --remap-exit 3 sh -c 'exit 3'
	[[ $status -eq 0 ]] || fail "--remap-exit 3, exit 3: want 0, got $status"
	run_minit "$1" -e 3 sh -c 'exit 4'
	[[ $status -eq 4 ]] || fail "-e 3, exit 4: want 4, got $status"
	run_minit "$1" -e 3 -e 4 sh -c 'exit 4'
	[[ $status -eq 0 ]] || fail "-e 3 -e 4, exit 4: want 0, got $status"
	run_minit "$1" -e 3 -e 4 sh -c 'exit 3'
	[[ $status -eq 0 ]] || fail "-e 3 -e 4, exit 3: want 0, got $status"
	run_minit "$1" -e 255 sh -c 'exit 255'
	[[ $status -eq 0 ]] || fail "-e 255, exit 255: want 0, got $status"
	run_minit "$1" -e 3 sh -c 'exit 0'
	[[ $status -eq 0 ]] || fail "-e 3, exit 0: want 0, got $status"
}
@test "pid1: -e/--remap-exit maps the given codes to 0, repeatable, others unchanged" { t_remap pid1; }
@test "subreaper: -e/--remap-exit maps the given codes to 0, repeatable, others unchanged" { t_remap sub; }

assert_exec_failure() { # WANT_STATUS COMMAND REASON_REGEX
	[[ $status -eq $1 ]] || fail "want $1, got $status; stderr: $stderr"
	[[ -z $output ]] || fail "nothing should reach stdout: $output"
	[[ ${#stderr_lines[@]} -eq 1 ]] || fail "want exactly one line on stderr, got ${#stderr_lines[@]}: $stderr"
	[[ ${stderr_lines[0]} == minit:* ]] || fail "the line should start with 'minit:': $stderr"
	[[ ${stderr_lines[0]} == *"$2"* ]] || fail "the line should name the command '$2': $stderr"
	[[ ${stderr_lines[0]} =~ $3 ]] || fail "the line should give the reason (/$3/): $stderr"
}

t_not_found_path() {
	run_minit "$1" "$T/no-such-program" arg
	assert_exec_failure 127 "$T/no-such-program" '[Nn]o such file|not found'
}
@test "pid1: a command path that does not exist exits 127 with one line" { t_not_found_path pid1; }
@test "subreaper: a command path that does not exist exits 127 with one line" { t_not_found_path sub; }

t_not_found_in_path() {
	run_minit "$1" no-such-command-minit-test
	assert_exec_failure 127 no-such-command-minit-test '[Nn]o such file|not found'
}
@test "pid1: a command not found in PATH exits 127 with one line" { t_not_found_in_path pid1; }
@test "subreaper: a command not found in PATH exits 127 with one line" { t_not_found_in_path sub; }

t_not_executable() {
	printf '#!/bin/sh\nexit 0\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	run_minit "$1" "$T/noexec"
	assert_exec_failure 126 "$T/noexec" '[Pp]ermission denied|not executable|cannot execute'
}
@test "pid1: a file without execute permission exits 126 with one line" { t_not_executable pid1; }
@test "subreaper: a file without execute permission exits 126 with one line" { t_not_executable sub; }

t_directory() {
	mkdir -p "$T/adir"
	run_minit "$1" "$T/adir"
	assert_exec_failure 126 "$T/adir" '[Pp]ermission denied|[Ii]s a directory|not executable|cannot execute'
}
@test "pid1: a directory as the command exits 126 with one line" { t_directory pid1; }
@test "subreaper: a directory as the command exits 126 with one line" { t_directory sub; }

t_bad_format() {
	printf '\177ELF garbage that is not a program\n' >"$T/badelf"
	chmod 755 "$T/badelf"
	run_minit "$1" "$T/badelf"
	assert_exec_failure 126 "$T/badelf" '[Ee]xec format|not executable|cannot execute'
}
@test "pid1: an executable in an unknown format exits 126 with one line" { t_bad_format pid1; }
@test "subreaper: an executable in an unknown format exits 126 with one line" { t_bad_format sub; }
