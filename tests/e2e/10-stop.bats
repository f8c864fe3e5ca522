#!/usr/bin/env bats
# docker stop. The example image (Dockerfile.example): STOPSIGNAL SIGQUIT,
# minit's ladder QUIT,TERM,KILL over MINIT_STOP_TIMEOUT=8s, so nginx shuts
# down gracefully, a request in flight completes, the container exits 0 and
# the log tells the story. An app that ignores SIGTERM: minit's ladder ends it
# with KILL at --stop-timeout, long before docker's own SIGKILL.

load lib

# ts_ns NAME REGEX: docker's timestamp (ns since the epoch) of the first log
# line matching REGEX
ts_ns() {
	local ts
	ts=$(docker logs -t "$1" 2>&1 | grep -E -m 1 -- "$2" | cut -d' ' -f1)
	[[ -n $ts ]] || fail "no line /$2/ in the logs of $1"
	date -d "$ts" +%s%N
}

@test "docker stop, nginx example: QUIT to nginx, graceful exit 0 well within the stop timeout, minit's account in the logs" {
	local c master t0 took ms
	c=$(cname stop-nginx)
	dstart "$c" --network none "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"
	master=$(nginx_master "$c")
	[[ $(inspect "$c" '{{.Config.StopSignal}}') == SIGQUIT ]] || fail "image STOPSIGNAL is not SIGQUIT"

	t0=$(now_ms)
	docker stop "$c" >/dev/null
	took=$(($(now_ms) - t0))

	[[ $(exit_code "$c") == 0 ]] || fail "container exit code $(exit_code "$c"), expected 0"
	((took < 5000)) || fail "docker stop took $took ms; a graceful nginx stop should take well under the 8 s stop timeout"
	assert_log "$c" "^minit: info: stop requested by SIGQUIT: sending QUIT to pid $master, KILL in 8000 ms$"
	assert_log "$c" "\[notice\] $master#$master: signal 3 \(SIGQUIT\) received from 1, shutting down"
	assert_log "$c" "gracefully shutting down"
	ms=$(logs "$c" | sed -nE "s/^minit: info: pid $master exited with status 0 after ([0-9]+) ms$/\1/p")
	[[ -n $ms ]] || fail "no 'minit: info: pid $master exited with status 0 after N ms' line:
$(logs "$c" | tail -n 20)"
	# the ladder's second rung (TERM) is due at 8000/3 ms
	((ms < 2666)) || fail "nginx took $ms ms to quit: past the TERM rung of the ladder"
	refute_log "$c" "still running after|sending KILL|restart"
}

@test "docker stop, nginx example: a request in flight when QUIT arrives completes before nginx exits" {
	local c t0 took tq ta
	c=$(cname stop-inflight)
	# nginx-light has the echo module: a response that takes 2 s
	cat >"$T/slow.conf" <<-'EOF'
		server {
			listen 127.0.0.1:8081;
			location /slow { echo_sleep 2; echo "slow done"; }
		}
	EOF
	chmod 644 "$T/slow.conf"
	dstart "$c" --network none -v "$T/slow.conf:/etc/nginx/conf.d/e2e-slow.conf:ro" "$IMG_NGINX"
	client_start "$c"
	nginx_wait_ready "$c"

	bg sh -c 'docker exec "$1" timeout 30 wget -q -O - http://127.0.0.1:8081/slow >"$2/slow.out" 2>&1 </dev/null
		echo $? >"$2/slow.rc"' sh "$CLIENT" "$T"
	# the server side of the connection is established (local port 8081 = 1F91)
	wait_for -t 20 -m "the /slow request in flight" eval \
		"cexec '$CLIENT' cat /proc/net/tcp | awk '\$4 == \"01\" && \$2 ~ /:1F91\$/' | grep -q ."
	t0=$(now_ms)
	docker stop "$c" >/dev/null
	took=$(($(now_ms) - t0))

	wait_for -t 30 -m "the client's wget to end" test -s "$T/slow.rc"
	[[ $(cat "$T/slow.rc") == 0 ]] || fail "wget of /slow failed (exit $(cat "$T/slow.rc")): $(cat "$T/slow.out")"
	[[ $(cat "$T/slow.out") == "slow done" ]] || fail "incomplete response: $(cat "$T/slow.out")"
	[[ $(exit_code "$c") == 0 ]] || fail "container exit code $(exit_code "$c"), expected 0"
	# QUIT reached nginx before the slow response was logged as complete
	tq=$(ts_ns "$c" 'signal 3 \(SIGQUIT\) received from 1')
	ta=$(ts_ns "$c" '"GET /slow HTTP/1.1" 200')
	((tq < ta)) || fail "the request had completed before QUIT arrived: not in flight (took $took ms)"
	((took < 8000)) || fail "docker stop took $took ms"
	refute_log "$c" "still running after|sending KILL"
}

@test "docker stop -t 30, app ignoring SIGTERM: minit KILLs the tree at --stop-timeout 3s, long before docker's SIGKILL; exit 137" {
	local c main t0 took ms line
	c=$(cname stop-ignore)
	# sigrec records and ignores TERM; -c 2: two children doing the same
	dstart "$c" --network none -e MINIT_STOP_TIMEOUT=3s -e MINIT_VERBOSITY=2 "$IMG_SCRATCH" sigrec -c 2
	wait_for -t 30 -m "3 ready lines from sigrec" eval "(( \$(log_count '$c' '^ready ') >= 3 ))"
	main=$(logs "$c" | sed -nE 's/^minit: info: started sigrec as pid ([0-9]+)$/\1/p')
	[[ -n $main ]] || fail "no 'started sigrec as pid N' line"

	t0=$(now_ms)
	docker stop -t 30 "$c" >/dev/null
	took=$(($(now_ms) - t0))

	[[ $(exit_code "$c") == 137 ]] || fail "container exit code $(exit_code "$c"), expected 137 (KILL by minit's ladder)"
	((took >= 2900 && took < 10000)) || fail "docker stop took $took ms; expected about 3000 (minit's --stop-timeout), far below docker's 30 s"
	assert_log "$c" "^minit: info: stop requested by SIGTERM: sending TERM to pid $main, KILL in 3000 ms$"
	assert_log "$c" "^minit: warning: sending KILL to every remaining process$"
	ms=$(logs "$c" | sed -nE "s/^minit: info: pid $main killed by SIGKILL after ([0-9]+) ms$/\1/p")
	[[ -n $ms ]] || fail "no 'pid $main killed by SIGKILL after N ms' line"
	((ms >= 3000 && ms < 4000)) || fail "KILL came $ms ms after the stop request, expected 3000"
	# the app saw TERM once, from minit (pid 1), and ignored it
	line=$(logs "$c" | awk -v p="$main" '$1 == "sig" && $2 == "TERM" && $7 == p')
	[[ $(wc -l <<<"$line") == 1 && -n $line ]] || fail "expected one TERM record by pid $main, got: $line"
	[[ $(awk '{ print $5 }' <<<"$line") == 1 ]] || fail "TERM did not come from pid 1 (minit): $line"
	docker inspect -f '{{.State.OOMKilled}}' "$c" | grep -qx false
}
