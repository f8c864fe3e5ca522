#!/usr/bin/env bats
# docker kill -s SIG: minit (PID 1) forwards the signal to nginx's master and
# the container keeps running. HUP reloads (new workers, same master); USR1
# reopens the log files (a deleted access.log is created again and written).

load lib

@test "docker kill -s HUP, nginx example: reload with new worker pids under the same master, container keeps running" {
	local c master old new
	c=$(cname hup)
	dstart "$c" --network none "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"
	master=$(nginx_master "$c")
	old=$(nginx_workers "$c" "$master")

	docker kill -s HUP "$c" >/dev/null

	# every old worker gone, as many new ones under the same master
	reloaded() {
		new=$(nginx_workers "$c" "$master")
		[[ -n $new && $(wc -w <<<"$new") == $(wc -w <<<"$old") ]] || return 1
		local w
		for w in $old; do [[ " $new " != *" $w "* ]] || return 1; done
		for w in $(cps "$c" | awk '{ print $1 }'); do [[ " $old " != *" $w "* ]] || return 1; done
	}
	wait_for -t 30 -m "new workers replacing '$old' under master $master" reloaded
	[[ $(nginx_master "$c") == "$master" ]] || fail "the master changed: $(nginx_master "$c") instead of $master"
	assert_log "$c" "\[notice\] $master#$master: signal 1 \(SIGHUP\) received from 1, reconfiguring"
	is_running "$c" || fail "the container stopped"
	[[ $(inspect "$c" '{{.RestartCount}}') == 0 ]] || fail "docker restarted the container"
	[[ $(log_count "$c" '^minit: info: started nginx as pid') == 1 ]] || fail "minit started nginx again:
$(logs "$c" | grep '^minit:')"
	client_get http://127.0.0.1/ | grep -q 'Welcome to nginx' || fail "not serving after the reload"
	echo "# workers $old -> $new, master $master" >&3
}

@test "docker kill -s USR1, nginx example: nginx reopens its logs (a deleted access.log is created again and written)" {
	local c master
	c=$(cname usr1)
	dstart "$c" --network none "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"
	master=$(nginx_master "$c")
	# the image's access.log is a symlink to /dev/stdout; once it is gone, only
	# a reopen can make nginx log to a file of that name again
	cexec "$c" rm /var/log/nginx/access.log

	docker kill -s USR1 "$c" >/dev/null

	wait_log "$c" "\[notice\] $master#$master: signal 10 \(SIGUSR1\) received from 1, reopening logs"
	wait_for -t 20 -m "a new regular file /var/log/nginx/access.log" \
		cexec "$c" sh -c 'test -f /var/log/nginx/access.log && ! test -L /var/log/nginx/access.log'
	client_get http://127.0.0.1/after-reopen >/dev/null 2>&1 || true # 404, logged all the same
	wait_for -t 20 -m "the request logged to the reopened access.log" \
		cexec "$c" grep -q 'GET /after-reopen' /var/log/nginx/access.log
	[[ $(nginx_master "$c") == "$master" ]] || fail "the master changed"
	is_running "$c" || fail "the container stopped"
	refute_log "$c" "GET /after-reopen" # not on stdout any more
}
