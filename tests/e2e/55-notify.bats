#!/usr/bin/env bats
# Talking to the orchestrator under Docker (issue 12): a HEALTHCHECK of
# `minit --health` goes from starting to healthy on the server's READY=1,
# and to unhealthy when a hung server is ended by the watchdog; --stop-delay
# keeps the server serving for its delay after `docker stop`; the
# termination message lands in /dev/termination-log, where Kubernetes
# mounts it. The server is tests/fixtures/notify-server (FROM scratch image).

load lib

health() { inspect "$1" '{{.State.Health.Status}}'; }
health_is() { [[ $(health "$1") == "$2" ]]; }

@test "notify: HEALTHCHECK minit --health: starting, healthy on READY=1, unhealthy once the watchdog ends the hung server" {
	local c
	c=$(cname health)
	dstart "$c" --network none --health-cmd "/sbin/minit --health" --health-interval 1s --health-start-period 60s \
		--health-retries 1 --health-timeout 5s \
		-e MINIT_NOTIFY=1 -e MINIT_WATCHDOG=2s -e MINIT_BACKOFF_MIN=60s -e MINIT_BACKOFF_MAX=60s -e MINIT_VERBOSITY=2 \
		"$IMG_SCRATCH" notify-server -o /tmp/rec -r 4000 -b -H /tmp/hang
	wait_for -t 10 -m "a first health check" eval '[[ $(inspect "$c" "{{len .State.Health.Log}}") -ge 1 ]]'
	health_is "$c" starting || fail "before READY=1 the container is $(health "$c")"
	wait_for -t 20 -m "healthy after READY=1" health_is "$c" healthy
	wait_log "$c" '^minit: info: pid [0-9]+ is ready$'
	cexec "$c" touch /tmp/hang
	wait_log "$c" '^minit: warning: watchdog: no WATCHDOG=1 from pid [0-9]+ in 2000 ms: ending it$' 15
	wait_for -t 20 -m "unhealthy after the watchdog" health_is "$c" unhealthy
	[[ $(cexec "$c" /sbin/minit --status) == backoff:* ]] || fail "--status: $(cexec "$c" /sbin/minit --status)"
	is_running "$c" || fail "the container stopped"
}

@test "notify: --stop-delay 3s: after docker stop the server answers for 3 s, then gets its TERM; exit 0" {
	local c t0 t1 n=0
	c=$(cname stop-delay)
	dstart "$c" --network none -e MINIT_STOP_DELAY=3s -e MINIT_VERBOSITY=2 \
		"$IMG_SCRATCH" notify-server -o /tmp/rec -l 8080
	client_start "$c"
	wait_for -t 20 -m "the server answering" eval '[[ $(cexec "$CLIENT" sh -c "echo ping | nc 127.0.0.1 8080") == pong ]]'
	t0=$(now_ms)
	bg docker stop -t 20 "$c" >/dev/null
	wait_log "$c" '^minit: info: stop requested by SIGTERM: sending TERM to pid [0-9]+ after 3000 ms'
	while (($(now_ms) - t0 < 2500)); do
		[[ $(cexec "$CLIENT" sh -c "echo ping | nc 127.0.0.1 8080") == pong ]] ||
			fail "no answer $(($(now_ms) - t0)) ms after docker stop"
		n=$((n + 1))
	done
	((n >= 2)) || fail "only $n requests during the delay"
	wait_for -t 20 -m "the container exited" is_exited "$c"
	t1=$(now_ms)
	(($(exit_code "$c") == 0)) || fail "exit code $(exit_code "$c")"
	((t1 - t0 >= 3000)) || fail "the container exited $((t1 - t0)) ms after docker stop, before the delay"
}

@test "notify: the termination message goes to /dev/termination-log, as Kubernetes mounts it" {
	local c
	c=$(cname termlog)
	: >"$T/termination-log"
	chmod 666 "$T/termination-log"
	dstart "$c" --network none -v "$T/termination-log:/dev/termination-log" "$IMG_SCRATCH" sh -c 'exit 3'
	wait_for -t 20 -m "the container exited" is_exited "$c"
	(($(exit_code "$c") == 3)) || fail "exit code $(exit_code "$c")"
	[[ $(cat "$T/termination-log") == "sh exited with status 3" ]] || fail "termination log: $(cat "$T/termination-log")"
}
