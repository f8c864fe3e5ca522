#!/usr/bin/env bats
# Orphans made inside a running container by `docker exec`: the exec'd
# process's parent is outside the container's PID namespace, so what it
# double-forks is re-parented to the namespace's PID 1, minit, which must reap
# every one (MINIT_WARN_ON_REAP=1 makes it log each) and leave no zombie.

load lib

@test "orphans: docker exec of a program that double-forks 1,000 times leaves no zombie; minit reaps all 1,000" {
	local c base
	c=$(cname orphans)
	dstart "$c" --network none -e MINIT_WARN_ON_REAP=1 "$IMG_SCRATCH" sigrec
	wait_log "$c" '^ready '
	base=$(nprocs "$c")

	# 4 creators, each orphan lives 20 ms: many are alive at once
	cexec "$c" orphans 1000 4 -s 20 >"$T/orphans.out" || fail "orphans failed: $(cat "$T/orphans.out")"
	grep -q '^orphans 1000 created in ' "$T/orphans.out" || fail "$(cat "$T/orphans.out")"

	wait_for -t 120 -m "1000 orphans reaped by minit" eval \
		"(( \$(log_count '$c' '^minit: warning: reaped zombie process [0-9]+: exited with status 0$') >= 1000 ))"
	wait_for -t 30 -m "no zombie in $c" no_zombies "$c"
	wait_for -t 30 -m "back to $base processes" eval "[[ \$(nprocs '$c') == $base ]]"
	[[ $(log_count "$c" '^minit: warning: reaped zombie process') == 1000 ]] ||
		fail "reaped $(log_count "$c" '^minit: warning: reaped zombie process') processes, expected exactly 1000"
	is_running "$c" || fail "the container stopped"
	refute_log "$c" '^sig ' # the application was not disturbed
}

@test "orphans: docker exec of a shell script that double-forks 300 times in the nginx example leaves no zombie" {
	local c
	c=$(cname orphans-sh)
	dstart "$c" --network none -e MINIT_WARN_ON_REAP=1 "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"

	# `( cmd & )`: the subshell forks cmd and exits at once, cmd is orphaned
	cexec "$c" sh -c 'i=0; while [ $i -lt 300 ]; do (sleep 0.05 &); i=$((i + 1)); done'

	wait_for -t 120 -m "300 orphans reaped by minit" eval \
		"(( \$(log_count '$c' '^minit: warning: reaped zombie process [0-9]+: exited with status 0$') >= 300 ))"
	wait_for -t 30 -m "no zombie in $c" no_zombies "$c"
	[[ $(log_count "$c" '^minit: warning: reaped zombie process') == 300 ]] ||
		fail "reaped $(log_count "$c" '^minit: warning: reaped zombie process'), expected exactly 300"
	[[ -z $(pids_matching "$c" ' sleep 0.05 $') ]] || fail "sleepers left: $(cps "$c")"
	client_get http://127.0.0.1/ | grep -q 'Welcome to nginx' || fail "nginx stopped serving"
}
