#!/usr/bin/env bats
# minit --install DIR (issue 14): the running binary copied to DIR/minit,
# mode 0755, through a temporary file renamed over the old one, as PID 1 and
# as a plain process; the copy runs. And what a careless manifest or a
# hostile neighbour can put there: DIR/minit a running binary (a plain
# write would fail, text file busy), a symbolic link (replaced, not
# followed), a directory; DIR a FIFO, missing, read-only, or full. Every
# failure is one line and exit 125, with nothing left behind; MINIT_INSTALL
# in the environment is no action.

load lib/minit

# the binary under test (valgrind's wrapper runs it)
self() { readlink -f "$MINIT"; }

# no temporary file of an install left in DIR
no_temp_left() { # DIR
	local left
	left=$(find "$1" -maxdepth 1 -name '.minit.*')
	[[ -z $left ]] || fail "temporary files left in $1: $left"
}

t_install() {
	mkdir "$T/bin"
	run_minit "$1" --install "$T/bin"
	assert_exit 0 "the install's"
	cmp -s "$(self)" "$T/bin/minit" || fail "$T/bin/minit is not a copy of $(self)"
	[[ $(stat -c %a "$T/bin/minit") == 755 ]] || fail "mode $(stat -c %a "$T/bin/minit"), expected 755"
	[[ -z $stderr ]] || fail "a successful install said something: $stderr"
	no_temp_left "$T/bin"
	run "$T/bin/minit" -- sh -c 'exit 3'
	((status == 3)) || fail "the copy exited $status, not its child's 3: $output"
}
@test "pid1: --install DIR copies the running binary to DIR/minit, 0755, and the copy runs" { t_install pid1; }
@test "subreaper: --install DIR copies the running binary to DIR/minit, 0755, and the copy runs" { t_install sub; }

# The old DIR/minit is running as another container's init: the rename
# replaces it (writing into it would fail with ETXTBSY); the running one
# goes on.
t_busy() {
	mkdir "$T/bin"
	cp "$(self)" "$T/bin/minit"
	MINITTEST_TAG=$TAG "$T/bin/minit" -- sleep 60 &
	local busy=$!
	wait_for -m "the old minit running" eval '[[ $(readlink /proc/$busy/exe) == "$T/bin/minit" ]]'
	echo "#" >>"$T/bin/minit" 2>/dev/null && fail "the running binary could be written: no test"
	run_minit "$1" --install "$T/bin"
	assert_exit 0 "an install over a running binary"
	cmp -s "$(self)" "$T/bin/minit" || fail "not replaced"
	kill -0 "$busy" || fail "the running old minit died"
	kill "$busy"
}
@test "pid1: --install over a DIR/minit that is running replaces it; the running one goes on" { t_busy pid1; }
@test "subreaper: --install over a DIR/minit that is running replaces it; the running one goes on" { t_busy sub; }

# DIR/minit a symbolic link to somewhere else: the link is replaced, its
# target untouched
t_symlink() {
	mkdir "$T/bin"
	echo precious >"$T/victim"
	ln -s "$T/victim" "$T/bin/minit"
	run_minit "$1" --install "$T/bin"
	assert_exit 0 "the install's"
	[[ $(cat "$T/victim") == precious ]] || fail "the link's target was written"
	[[ -f $T/bin/minit && ! -L $T/bin/minit ]] || fail "DIR/minit is not a file of its own"
	cmp -s "$(self)" "$T/bin/minit" || fail "not a copy"
}
@test "pid1: --install with DIR/minit a symbolic link replaces the link, not its target" { t_symlink pid1; }
@test "subreaper: --install with DIR/minit a symbolic link replaces the link, not its target" { t_symlink sub; }

# refused, one line, exit 125, nothing left
refused() { # MODE DIR REGEX
	run_minit "$1" --install "$2"
	assert_exit 125 "a failed install"
	((${#stderr_lines[@]} == 1)) || fail "expected one line, got: $stderr"
	[[ $stderr =~ $3 ]] || fail "the reason: $stderr"
}

t_dir_is_dir() {
	mkdir -p "$T/bin/minit"
	refused "$1" "$T/bin" "minit: error: unable to replace $T/bin/minit: Is a directory"
	no_temp_left "$T/bin"
}
@test "pid1: --install with DIR/minit a directory: refused, nothing left" { t_dir_is_dir pid1; }
@test "subreaper: --install with DIR/minit a directory: refused, nothing left" { t_dir_is_dir sub; }

t_fifo() {
	mkfifo "$T/fifo"
	refused "$1" "$T/fifo" "unable to open the directory $T/fifo: Not a directory"
}
@test "pid1: --install DIR a FIFO: refused at once, no wait for a writer" { t_fifo pid1; }
@test "subreaper: --install DIR a FIFO: refused at once, no wait for a writer" { t_fifo sub; }

t_missing() {
	refused "$1" "$T/none" "unable to open the directory $T/none: No such file or directory"
}
@test "pid1: --install DIR missing: refused" { t_missing pid1; }
@test "subreaper: --install DIR missing: refused" { t_missing sub; }

# a read-only mount, and one too small for the binary (ENOSPC half way);
# what is left in it is listed on stdout before the mount goes
t_mount() { # MODE OPTIONS REGEX
	local MINIT_ARGV
	mkdir "$T/mnt"
	minit_argv "$MINIT"
	MODE=via
	if [[ $1 == pid1 ]]; then
		run_minit_via unshare --mount sh -c 'mount -t tmpfs -o "$1" none "$2" || exit 99; m=$2; shift 2; "$@"; rc=$?; ls -A "$m"; exit $rc' sh \
			"$2" "$T/mnt" unshare --pid --fork --mount-proc "${MINIT_ARGV[@]}" --install "$T/mnt"
	else
		run_minit_via unshare --mount sh -c 'mount -t tmpfs -o "$1" none "$2" || exit 99; m=$2; shift 2; "$@"; rc=$?; ls -A "$m"; exit $rc' sh \
			"$2" "$T/mnt" "${MINIT_ARGV[@]}" --install "$T/mnt"
	fi
	assert_exit 125 "a failed install"
	((${#stderr_lines[@]} == 1)) || fail "expected one line, got: $stderr"
	[[ $stderr =~ $3 ]] || fail "the reason: $stderr"
	[[ -z $output ]] || fail "left in the directory: $output"
}
@test "pid1: --install into a read-only DIR: refused" { t_mount pid1 ro "unable to create a file in .*: Read-only file system"; }
@test "subreaper: --install into a read-only DIR: refused" { t_mount sub ro "unable to create a file in .*: Read-only file system"; }
@test "pid1: --install into a DIR too small for the binary: refused, the partial copy removed" {
	t_mount pid1 size=16k "unable to write a copy into .*: No space left on device"
}
@test "subreaper: --install into a DIR too small for the binary: refused, the partial copy removed" {
	t_mount sub size=16k "unable to write a copy into .*: No space left on device"
}

t_usage() {
	run_minit "$1" --install
	assert_exit 1 "--install without DIR"
	[[ $stderr == *"option --install needs a value"* ]] || fail "$stderr"
	mkdir "$T/bin"
	run_minit "$1" --install "$T/bin" -- true
	assert_exit 1 "--install with a command"
	[[ $stderr == *"--install takes no command, but got 'true'"* ]] || fail "$stderr"
	[[ ! -e $T/bin/minit ]] || fail "installed all the same"
	# only the command line asks for it: MINIT_INSTALL is not an action
	EXTRA_ENV=(MINIT_INSTALL="$T/bin")
	run_minit "$1" -- sh -c 'exit 4'
	assert_exit 4 "the command's, MINIT_INSTALL ignored"
	[[ ! -e $T/bin/minit ]] || fail "MINIT_INSTALL installed"
}
@test "pid1: --install without DIR or with a command: usage errors; MINIT_INSTALL does nothing" { t_usage pid1; }
@test "subreaper: --install without DIR or with a command: usage errors; MINIT_INSTALL does nothing" { t_usage sub; }
