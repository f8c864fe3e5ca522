#!/usr/bin/env bats
# The child's identity and privileges: --user, --cap-drop/--cap-add,
# --no-new-privs, --seccomp. Each test reads the child's own
# /proc/self/status (Uid, Gid, Groups, Cap*, NoNewPrivs, Seccomp) to show an
# option's effect; the syscall-probe shows the seccomp deny list at work.
# Needs root (as minit's tests do): minit must be able to change identity.

load lib/minit

# capability numbers (linux/capability.h)
CAP_CHOWN=0
CAP_KILL=5
CAP_SETPCAP=8
CAP_SYS_PTRACE=19 # a confined root child loses it unless --cap-add names it
CAP_NET_BIND_SERVICE=10
CAP_NET_RAW=13
CAP_SYS_ADMIN=21
CAP_SYS_TIME=25
PORT_PRIVILEGED=80
# the native x86_64 syscalls of the --seccomp default deny list, as probed
DENIED_NATIVE=37

setup_file() {
	check_probes || return 1
	# a copy of the probe that any user can run: the test's own directories
	# are root-only
	PUBLIC_DIR=$(mktemp -d /tmp/minit-privs.XXXXXX)
	chmod 755 "$PUBLIC_DIR"
	cp "$TEST_HELPERS/syscall-probe" "$PUBLIC_DIR/"
	export PUBLIC_DIR
	PROBE=$PUBLIC_DIR/syscall-probe
	export PROBE
}

teardown_file() {
	[[ -z ${PUBLIC_DIR:-} ]] || rm -rf "$PUBLIC_DIR"
}

# ---------------------------------------------------------------------------
# helpers (run_via, mask: the library's)

# The wrapper for a private /etc/passwd and /etc/group (bind-mounted in a new
# mount namespace): user minitu 4242 in groups minitu 4242 (primary), minitx
# 4243 and minity 4244; uid 4250 exists with no group membership.
fake_etc() {
	cat >"$T/passwd" <<-EOF
		root:x:0:0:root:/root:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
		minitu:x:4242:4242:minit test:/home/minitu:/bin/sh
		minitv:x:4250:4250:minit test:/home/minitv:/bin/sh
	EOF
	cat >"$T/group" <<-EOF
		root:x:0:
		nogroup:x:65534:
		minitu:x:4242:
		minitx:x:4243:minitu,someone
		minity:x:4244:other,minitu
		minitv:x:4250:
	EOF
	chmod 644 "$T/passwd" "$T/group"
	FAKE_ETC=(unshare --mount sh -c
		'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"'
		sh "$T/passwd" "$T/group")
}

STATUS=(cat /proc/self/status)

# st FIELD: the value of FIELD: in the child's status dump ($output), fields
# joined by one space ("0 0 0 0"; Groups "" when empty)
st() {
	awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ +/, ""); print; exit }' <<<"$output"
}

assert_st() { # FIELD EXPECTED
	local v
	v=$(st "$1")
	[[ $v == "$2" ]] || fail "child's $1: expected '$2', got '$v'
status: $status, stderr: $stderr"
}

# the bounding set minit starts with (the test shell's), and it minus CAPs
bounding() { awk '$1 == "CapBnd:" { print $2 }' /proc/self/status; }
bounding_without() {
	local b
	b=$(bounding)
	printf '%016x' $((16#$b & ~16#$(mask "$@")))
}

assert_ok() {
	[[ $status -eq 0 ]] || fail "expected exit 0, got $status; stderr: $stderr"
}

# exit 2, one line on stderr that contains TEXT, and the command did not run
assert_invalid() { # TEXT
	[[ $status -eq 2 ]] || fail "expected exit 2, got $status; stderr: $stderr"
	((${#stderr_lines[@]} == 1)) || fail "expected one line on stderr: $stderr"
	[[ ${stderr_lines[0]} == "minit: error: "*"$1"* ]] || fail "expected '$1' on stderr: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran"
	[[ -z $output ]] || fail "the command ran: $output"
}

# ---------------------------------------------------------------------------
# --user

t_user_name() {
	fake_etc
	unset HOME
	run_via "$1" "${FAKE_ETC[@]}" -- --user minitu -- sh -c 'cat /proc/self/status; echo "HOME: $HOME"'
	assert_ok
	assert_st Uid "4242 4242 4242 4242"
	assert_st Gid "4242 4242 4242 4242"
	assert_st Groups "4242 4243 4244"
	assert_st HOME /home/minitu
	assert_st CapEff 0000000000000000
	assert_st CapPrm 0000000000000000
	assert_st CapAmb 0000000000000000
	# HOME is the user's even when set (as gosu and su-exec); MINIT_USER means --user
	EXTRA_ENV=(HOME=/root MINIT_USER=minitu)
	run_via "$1" "${FAKE_ETC[@]}" -- sh -c 'cat /proc/self/status; echo "HOME: $HOME"'
	assert_ok
	assert_st Uid "4242 4242 4242 4242"
	assert_st HOME /home/minitu
}
@test "pid1: --user NAME: uid, primary and supplementary groups from /etc/group, HOME, no caps" { t_user_name pid1; }
@test "subreaper: --user NAME: uid, primary and supplementary groups from /etc/group, HOME, no caps" { t_user_name sub; }

t_user_forms() {
	fake_etc
	unset HOME
	# explicit group: that group only, like gosu and su-exec
	run_via "$1" "${FAKE_ETC[@]}" -- --user minitu:minity -- "${STATUS[@]}"
	assert_ok
	assert_st Uid "4242 4242 4242 4242"
	assert_st Gid "4244 4244 4244 4244"
	assert_st Groups "4244"
	# numeric uid: no supplementary groups, even with a passwd entry
	run_via "$1" "${FAKE_ETC[@]}" -- --user 4242 -- "${STATUS[@]}"
	assert_ok
	assert_st Uid "4242 4242 4242 4242"
	assert_st Gid "4242 4242 4242 4242"
	assert_st Groups "4242"
	# uid unknown to passwd: gid of the same number (not root's), HOME=/
	run_via "$1" "${FAKE_ETC[@]}" -- --user 5555 -- sh -c 'cat /proc/self/status; echo "HOME: $HOME"'
	assert_ok
	assert_st Uid "5555 5555 5555 5555"
	assert_st Gid "5555 5555 5555 5555"
	assert_st Groups "5555"
	assert_st HOME /
	run_via "$1" "${FAKE_ETC[@]}" -- --user 5555:4243 -- "${STATUS[@]}"
	assert_ok
	assert_st Gid "4243 4243 4243 4243"
	assert_st Groups "4243"
	# root by name: root's groups, every capability kept
	run_via "$1" "${FAKE_ETC[@]}" -- --user root -- "${STATUS[@]}"
	assert_ok
	assert_st Uid "0 0 0 0"
	assert_st Groups "0"
	assert_st CapEff "$(bounding)"
}
@test "pid1: --user NAME:GROUP, UID, UID:GID: groups as gosu does, never root's by accident" { t_user_forms pid1; }
@test "subreaper: --user NAME:GROUP, UID, UID:GID: groups as gosu does, never root's by accident" { t_user_forms sub; }

t_user_invalid() {
	fake_etc
	local spec want
	local -A cases=(
		[nosuchuser]="unknown user 'nosuchuser'"
		[nosuchuser:0]="unknown user 'nosuchuser'"
		[4294967295]="unknown user '4294967295'"
		[minitu:nosuchgroup]="unknown group 'nosuchgroup'"
		[4242:nosuchgroup]="unknown group 'nosuchgroup'"
		[$(printf 'u%.0s' {1..80})]="user name too long"
	)
	for spec in "${!cases[@]}"; do
		run_via "$1" "${FAKE_ETC[@]}" -- --user "$spec" -- touch "$T/ran"
		assert_invalid "${cases[$spec]}"
	done
}
@test "pid1: unknown user or group: exit 2, one line, nothing runs" { t_user_invalid pid1; }
@test "subreaper: unknown user or group: exit 2, one line, nothing runs" { t_user_invalid sub; }

# minit without the right to change identity: the child stops before exec
t_user_fails() {
	run_via "$1" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		--user daemon -- touch "$T/ran"
	[[ $status -eq 125 ]] || fail "expected exit 125, got $status; stderr: $stderr"
	[[ $stderr == *"unable to set the supplementary groups for touch: Operation not permitted"* ]] ||
		fail "no clear message: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran as minit's user"
	# dropping capabilities needs CAP_SETPCAP: refused before any child runs
	run_via "$1" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		--cap-drop chown -- touch "$T/ran"
	[[ $status -eq 125 ]] || fail "expected exit 125, got $status; stderr: $stderr"
	[[ $stderr == *"bounding set"* ]] || fail "no clear message: $stderr"
	[[ ! -e $T/ran ]] || fail "the command ran with the capabilities it should have lost"
}
@test "pid1: a failing identity or capability step stops the child before exec (exit 125)" { t_user_fails pid1; }
@test "subreaper: a failing identity or capability step stops the child before exec (exit 125)" { t_user_fails sub; }

# setuid clears the parent-death signal: it must be set after the identity
t_user_pdeathsig() {
	run_minit "$1" --pdeathsig TERM --user nobody -- "$PROBE" pdeathsig
	assert_ok
	[[ $output == "pdeathsig 15" ]] || fail "the child lost its parent-death signal: $output"
}
@test "pid1: --user keeps the child's parent-death signal" { t_user_pdeathsig pid1; }
@test "subreaper: --user keeps the child's parent-death signal" { t_user_pdeathsig sub; }

t_restart_identity() {
	start_minit "$1" --restart on-crash --backoff-min 10ms --user nobody \
		--cap-add net_bind_service -- sh -c \
		'ulimit -c 0; grep -E "^(Uid|Gid|Groups|CapEff|CapAmb):" /proc/self/status | tr -s "\t\n" "  "; echo; kill -s SEGV $$'
	wait_for -m "three starts of the child" eval '[[ $(wc -l <"$OUT") -ge 3 ]]'
	kill -TERM "$MINIT_PID"
	wait_minit
	local first
	first=${lines[0]}
	[[ $first == "Uid: 65534 65534 65534 65534 Gid: 65534 65534 65534 65534 Groups: 65534 CapEff: $(mask $CAP_NET_BIND_SERVICE) CapAmb: $(mask $CAP_NET_BIND_SERVICE) " ]] ||
		fail "unexpected identity: $first"
	local l
	for l in "${lines[@]}"; do
		[[ $l == "$first" ]] || fail "a restart changed the identity:
$output"
	done
}
@test "pid1: restarts keep the same identity and capabilities" { t_restart_identity pid1; }
@test "subreaper: restarts keep the same identity and capabilities" { t_restart_identity sub; }

# ---------------------------------------------------------------------------
# capabilities

t_cap_names() {
	local drop=(--cap-drop all)
	# three spellings, and all
	run_minit "$1" "${drop[@]}" --cap-add net_bind_service,CHOWN,CAP_KILL -- "${STATUS[@]}"
	assert_ok
	assert_st CapEff "$(mask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)"
	run_minit "$1" "${drop[@]}" --cap-add cap_kill,Cap_Chown -- "${STATUS[@]}"
	assert_ok
	assert_st CapEff "$(mask $CAP_CHOWN $CAP_KILL)"
	run_minit "$1" --cap-drop ALL --cap-add all -- "${STATUS[@]}"
	assert_ok
	assert_st CapBnd "$(bounding)"
	local bad
	for bad in nosuch chown2 12 cap_ CAP "net bind service" net-raw; do
		run_minit "$1" --cap-drop "$bad" -- touch "$T/ran"
		assert_invalid "unknown capability '$bad'"
	done
	run_minit "$1" --cap-add chown,cap_nosuch -- touch "$T/ran"
	assert_invalid "unknown capability 'cap_nosuch'"
	EXTRA_ENV=(MINIT_CAP_DROP=chown,bogus)
	run_minit "$1" touch "$T/ran"
	assert_invalid "unknown capability 'bogus'"
}
@test "pid1: capability names: any case, with or without CAP_, all; bad ones exit 2" { t_cap_names pid1; }
@test "subreaper: capability names: any case, with or without CAP_, all; bad ones exit 2" { t_cap_names sub; }

# --cap-add of a capability minit's bounding set lacks: an error, not a no-op
t_cap_add_missing() {
	run_via "$1" setpriv --bounding-set=-sys_time -- --cap-add sys_time -- touch "$T/ran"
	assert_invalid "cannot add capability 'sys_time': minit does not have it"
	# dropping it is fine: already gone
	run_via "$1" setpriv --bounding-set=-sys_time -- --cap-drop sys_time -- "${STATUS[@]}"
	assert_ok
	assert_st CapBnd "$(bounding_without $CAP_SYS_TIME $CAP_SYS_PTRACE)"
}
@test "pid1: --cap-add of a capability minit lacks: exit 2, nothing runs" { t_cap_add_missing pid1; }
@test "subreaper: --cap-add of a capability minit lacks: exit 2, nothing runs" { t_cap_add_missing sub; }

t_cap_drop_root() {
	run_minit "$1" --cap-drop net_raw,chown -- "${STATUS[@]}"
	assert_ok
	local want
	want=$(bounding_without $CAP_NET_RAW $CAP_CHOWN $CAP_SYS_PTRACE)
	assert_st Uid "0 0 0 0"
	assert_st CapBnd "$want"
	assert_st CapPrm "$want"
	assert_st CapEff "$want"
	assert_st CapInh 0000000000000000
	assert_st CapAmb 0000000000000000
	# --cap-add wins over --cap-drop
	run_minit "$1" --cap-drop chown,kill --cap-add chown -- "${STATUS[@]}"
	assert_ok
	assert_st CapBnd "$(bounding_without $CAP_KILL $CAP_SYS_PTRACE)"
	# a confined child keeps CAP_SYS_PTRACE only when asked
	run_minit "$1" --cap-drop kill --cap-add sys_ptrace -- "${STATUS[@]}"
	assert_ok
	assert_st CapBnd "$(bounding_without $CAP_KILL)"
	assert_st CapEff "$(bounding_without $CAP_KILL)"
	run_minit "$1" --cap-drop all -- "${STATUS[@]}"
	assert_ok
	assert_st CapBnd 0000000000000000
	assert_st CapPrm 0000000000000000
	assert_st CapEff 0000000000000000
}
@test "pid1: --cap-drop for a root child: bounding, permitted, effective" { t_cap_drop_root pid1; }
@test "subreaper: --cap-drop for a root child: bounding, permitted, effective" { t_cap_drop_root sub; }

# minit drops from its own bounding set what the child never gets
t_cap_narrow_self() {
	start_minit "$1" --cap-drop net_raw,sys_time -- sh -c \
		'cat /proc/self/status; exec sigrec -o "$1" -x TERM:0' sh "$REC"
	local want
	want=$(bounding_without $CAP_NET_RAW $CAP_SYS_TIME $CAP_SYS_PTRACE)
	wait_ready
	[[ $(status_field "$MINIT_PID" CapBnd) == "$want" ]] ||
		fail "minit's own bounding set: $(status_field "$MINIT_PID" CapBnd), expected $want"
	# its own effective set stays: restarts need it (setuid, setgroups, capset)
	[[ $(status_field "$MINIT_PID" CapEff) == "$(bounding)" ]] ||
		fail "minit's effective set: $(status_field "$MINIT_PID" CapEff)"
	kill -TERM "$MINIT_PID"
	wait_minit
	assert_ok
	assert_st CapBnd "$want"
}
@test "pid1: minit drops from its own bounding set what it drops for the child" { t_cap_narrow_self pid1; }
@test "subreaper: minit drops from its own bounding set what it drops for the child" { t_cap_narrow_self sub; }

t_cap_user() {
	local nbs
	nbs=$(mask $CAP_NET_BIND_SERVICE)
	run_minit "$1" --user nobody --cap-add net_bind_service -- "${STATUS[@]}"
	assert_ok
	assert_st Uid "65534 65534 65534 65534"
	assert_st CapPrm "$nbs"
	assert_st CapEff "$nbs"
	assert_st CapInh "$nbs"
	assert_st CapAmb "$nbs"
	assert_st CapBnd "$(bounding)"
	# only what --cap-add names: --cap-drop alone leaves a user nothing
	run_minit "$1" --user nobody --cap-drop chown -- "${STATUS[@]}"
	assert_ok
	assert_st CapEff 0000000000000000
	assert_st CapAmb 0000000000000000
	assert_st CapBnd "$(bounding_without $CAP_CHOWN)"
	run_minit "$1" --user nobody --cap-drop all --cap-add net_bind_service -- "${STATUS[@]}"
	assert_ok
	assert_st CapEff "$nbs"
	assert_st CapAmb "$nbs"
	assert_st CapBnd "$nbs"
}
@test "pid1: --user with --cap-add: the named capabilities survive exec (ambient)" { t_cap_user pid1; }
@test "subreaper: --user with --cap-add: the named capabilities survive exec (ambient)" { t_cap_user sub; }

t_bind_80() {
	run_minit "$1" --user nobody --cap-add net_bind_service -- "$PROBE" bind:$PORT_PRIVILEGED
	assert_ok
	[[ $output == "bind:$PORT_PRIVILEGED 0" ]] || fail "bind with the capability: $output; $stderr"
	run_minit "$1" --user nobody -- "$PROBE" bind:$PORT_PRIVILEGED
	assert_ok
	[[ $output == "bind:$PORT_PRIVILEGED EACCES" ]] || fail "bind without the capability: $output"
}
@test "pid1: --user nobody --cap-add net_bind_service can bind port 80" { t_bind_80 pid1; }
@test "subreaper: --user nobody --cap-add net_bind_service can bind port 80" { t_bind_80 sub; }

# ---------------------------------------------------------------------------
# no_new_privs and seccomp

t_defaults() {
	run_minit "$1" "${STATUS[@]}"
	assert_ok
	assert_st NoNewPrivs 0
	assert_st Seccomp 0
	assert_st CapBnd "$(bounding)"
	assert_st CapEff "$(bounding)"
}
@test "pid1: by default the child keeps minit's privileges, no filter, no no_new_privs" { t_defaults pid1; }
@test "subreaper: by default the child keeps minit's privileges, no filter, no no_new_privs" { t_defaults sub; }

t_no_new_privs() {
	run_minit "$1" --no-new-privs -- "${STATUS[@]}"
	assert_ok
	assert_st NoNewPrivs 1
	EXTRA_ENV=(MINIT_NO_NEW_PRIVS=yes)
	run_minit "$1" --user nobody -- "${STATUS[@]}"
	assert_ok
	assert_st NoNewPrivs 1
	assert_st Uid "65534 65534 65534 65534"
}
@test "pid1: --no-new-privs sets NoNewPrivs for the child" { t_no_new_privs pid1; }
@test "subreaper: --no-new-privs sets NoNewPrivs for the child" { t_no_new_privs sub; }

t_seccomp_status() {
	run_minit "$1" --seccomp default -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp 2
	assert_st Seccomp_filters 1
	assert_st NoNewPrivs 0 # root with CAP_SYS_ADMIN may load a filter as it is
	# without CAP_SYS_ADMIN loading a filter takes no_new_privs: implied
	run_minit "$1" --seccomp default --user nobody -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp 2
	assert_st NoNewPrivs 1
	run_minit "$1" --seccomp default --cap-drop sys_admin -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp 2
	assert_st NoNewPrivs 1
	run_minit "$1" --seccomp off -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp 0
	run_minit "$1" --seccomp strict -- touch "$T/ran"
	[[ $status -eq 2 && ! -e $T/ran ]] || fail "--seccomp strict: exit $status; $stderr"
}
@test "pid1: --seccomp default installs one filter, with no_new_privs when it must" { t_seccomp_status pid1; }
@test "subreaper: --seccomp default installs one filter, with no_new_privs when it must" { t_seccomp_status sub; }

# every denied syscall fails with EPERM under the filter, and not without it
t_seccomp_probe() {
	local l name err n=0
	run_minit "$1" --seccomp default -- "$PROBE"
	assert_ok
	for l in "${lines[@]}"; do
		read -r name err <<<"$l"
		[[ $err == EPERM ]] || fail "$name is not denied: $err"
		((++n))
	done
	((n == DENIED_NATIVE)) || fail "probed $n syscalls, expected $DENIED_NATIVE: $output"
	run_minit "$1" -- "$PROBE"
	assert_ok
	for l in "${lines[@]}"; do
		read -r name err <<<"$l"
		[[ $err != EPERM ]] || fail "$name fails with EPERM without the filter"
	done
	((${#lines[@]} == DENIED_NATIVE)) || fail "probe output: $output"
	# the x32 ABI of the same syscalls is filtered too (and not killed)
	local x32=(x32:reboot x32:mount x32:bpf x32:init_module x32:swapoff)
	run_minit "$1" --seccomp default -- "$PROBE" "${x32[@]}"
	assert_ok
	[[ $output == "$(printf '%s EPERM\n' "${x32[@]}")" ]] || fail "x32: $output"
	run_minit "$1" -- "$PROBE" "${x32[@]}"
	assert_ok
	[[ $output != *EPERM* ]] || fail "x32 without the filter: $output"
}
@test "pid1: --seccomp default: each denied syscall fails with EPERM, and only under the filter" { t_seccomp_probe pid1; }
@test "subreaper: --seccomp default: each denied syscall fails with EPERM, and only under the filter" { t_seccomp_probe sub; }

# i386 syscalls through int 0x80 must not bypass the list (where the kernel
# runs them at all)
t_seccomp_i386() {
	local i386=(i386:reboot i386:umount i386:stime i386:swapoff)
	run_minit "$1" -- "$PROBE" i386:reboot
	[[ $output != *SIGSEGV* ]] || skip "this kernel has no IA32 emulation"
	run_minit "$1" --seccomp default -- "$PROBE" "${i386[@]}"
	assert_ok
	[[ $output == "$(printf '%s EPERM\n' "${i386[@]}")" ]] || fail "i386: $output"
}
@test "pid1: --seccomp default covers i386 syscalls" { t_seccomp_i386 pid1; }
@test "subreaper: --seccomp default covers i386 syscalls" { t_seccomp_i386 sub; }

# auto installs only when minit itself is unconfined. Nested filters show
# Seccomp: 2 either way: Seccomp_filters counts them. The inner minit's own
# loop runs under the outer filter and still reports its child's status.
t_seccomp_auto() {
	run_minit "$1" --seccomp auto -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp_filters 1
	EXTRA_ENV=(MINIT_SECCOMP=auto)
	run_minit "$1" "${STATUS[@]}"
	assert_ok
	assert_st Seccomp_filters 1
	EXTRA_ENV=()
	run_minit "$1" --seccomp default -- "${MINIT_WRAP[@]}" "$MINIT" --seccomp auto -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp 2
	assert_st Seccomp_filters 1
	run_minit "$1" --seccomp default -- "${MINIT_WRAP[@]}" "$MINIT" --seccomp default -- "${STATUS[@]}"
	assert_ok
	assert_st Seccomp_filters 2
	run_minit "$1" --seccomp default -- "${MINIT_WRAP[@]}" "$MINIT" --seccomp auto -- sh -c 'exit 7'
	[[ $status -eq 7 ]] || fail "the inner minit under the filter: exit $status; $stderr"
}
@test "pid1: --seccomp auto installs only when minit runs unconfined" { t_seccomp_auto pid1; }
@test "subreaper: --seccomp auto installs only when minit runs unconfined" { t_seccomp_auto sub; }
