#!/usr/bin/env bats
# minit as the engine's init: `docker run --init` bind-mounts the daemon's
# init binary at /sbin/docker-init and runs it as PID 1. A second dockerd,
# with its own data root, exec root and socket under build/e2e/d2, runs with
# --init-path pointing at a copy of minit named docker-init (so minit takes
# its docker-init defaults: tini-compatible, no restart). The main engine is
# left as it is. setup_file starts that daemon, teardown_file stops it.

load lib

D2=$E2E_STATE/d2
D2_SOCK=unix://$D2/docker.sock
D2_INIT=$D2/bin/docker-init

d2() { docker -H "$D2_SOCK" "$@"; }

d2_pid() { # the running second dockerd, if any
	local p
	p=$(cat "$D2/dockerd.pid" 2>/dev/null) || return 1
	[[ $(readlink "/proc/$p/exe" 2>/dev/null) == */dockerd ]] || return 1
	grep -qzxF -- "$D2/data" "/proc/$p/cmdline" 2>/dev/null || return 1
	echo "$p"
}

d2_stop() {
	local p i
	p=$(d2_pid) || return 0
	kill -TERM "$p" 2>/dev/null || true
	# dockerd stops its containers (15 s at most) then exits
	for ((i = 0; i < 600; i++)); do
		[[ -d /proc/$p && $(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) != Z ]] || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
}

setup_file() {
	local i
	((${#D2} < 80)) || { echo "e2e: error: $D2 is too long for a unix socket path" >&2; return 1; }
	d2_stop # left over from an interrupted run
	mkdir -p "$D2/bin"
	cp "$MINIT" "$D2_INIT.tmp" && mv -f "$D2_INIT.tmp" "$D2_INIT"
	echo "=== $(date -u +%FT%TZ) e2e 40-docker-init" >>"$D2/dockerd.log"
	# detached like docker-up.sh does it: own session, no inherited pipes
	setsid /usr/sbin/dockerd --data-root "$D2/data" --exec-root "$D2/exec" \
		--pidfile "$D2/dockerd.pid" -H "$D2_SOCK" --bridge=none --iptables=false \
		--ip6tables=false --init-path "$D2_INIT" </dev/null >>"$D2/dockerd.log" 2>&1 3>&- &
	for ((i = 0; i < 600; i++)); do
		d2 info >/dev/null 2>&1 && break
		if ((i > 20)) && ! d2_pid >/dev/null; then
			echo "e2e: error: the second dockerd exited: $(tail -n 3 "$D2/dockerd.log")" >&2
			return 1
		fi
		sleep 0.1
	done
	d2 info >/dev/null 2>&1 || { echo "e2e: error: the second dockerd is not answering after 60 s (log: $D2/dockerd.log)" >&2; return 1; }
	# its image store is its own: give it the scratch image (unless it has that very image)
	if [[ $(d2 image inspect -f '{{.Id}}' "$IMG_SCRATCH" 2>/dev/null) != "$(docker image inspect -f '{{.Id}}' "$IMG_SCRATCH")" ]]; then
		docker save "$IMG_SCRATCH" | d2 load >/dev/null || { echo "e2e: error: cannot load $IMG_SCRATCH into the second dockerd" >&2; return 1; }
	fi
}

teardown_file() {
	local ids
	ids=$(d2 ps -aq 2>/dev/null) || true
	# shellcheck disable=SC2086
	[[ -z $ids ]] || d2 rm -f $ids >/dev/null 2>&1 || true
	d2_stop
}

# the version line dockerd parses ("tini version X - git.COMMIT")
init_commit() {
	local v
	v=$("$D2_INIT" --version)
	[[ $v =~ ^tini\ version\ (minit-[^ ]+)\ -\ git\.([^ .]+)$ ]] ||
		fail "docker-init --version printed '$v', not 'tini version minit-X - git.COMMIT'"
	INIT_VERSION=${BASH_REMATCH[1]} INIT_COMMIT=${BASH_REMATCH[2]}
}

@test "--init-path: docker info and docker version report minit as the engine's init, with its version" {
	init_commit
	[[ $(d2 info --format '{{.InitBinary}}') == "$D2_INIT" ]] || fail "InitBinary: $(d2 info --format '{{.InitBinary}}')"
	[[ $(d2 info --format '{{.InitCommit.ID}}') == "$INIT_COMMIT" ]] ||
		fail "docker info InitCommit.ID '$(d2 info --format '{{.InitCommit.ID}}')', expected '$INIT_COMMIT'"
	d2 info 2>/dev/null | grep -qxF " init version: $INIT_COMMIT" ||
		fail "no ' init version: $INIT_COMMIT' in docker info: $(d2 info 2>/dev/null | grep -i init)"
	local comps
	comps=$(d2 version --format '{{range .Server.Components}}{{.Name}}={{.Version}}/{{.Details.GitCommit}} {{end}}')
	[[ " $comps " == *" docker-init=$INIT_VERSION/$INIT_COMMIT "* ]] ||
		fail "docker version components: $comps (expected docker-init=$INIT_VERSION/$INIT_COMMIT)"
}

# PID 1's executable is read from the host: minit is not dumpable, so the
# container's root (without CAP_SYS_PTRACE) cannot open its /proc/1/exe
@test "docker run --init: PID 1 is minit (the daemon's init binary) and the command is its child" {
	local out want c pid
	want=$(sha256sum <"$D2_INIT" | cut -d' ' -f1)
	c=$(cname init-pid1)
	d2 run -d --pull never --name "$c" --init --network none --entrypoint '' "$IMG_SCRATCH" \
		sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo "me=$$ parent=$PPID"; exec sleep 60' >/dev/null
	wait_for -t 20 -m "the command's me= line" eval "d2 logs '$c' 2>&1 | grep -q '^me='"
	out=$(d2 logs "$c" 2>/dev/null)
	pid=$(d2 inspect -f '{{.State.Pid}}' "$c")
	[[ $(sed -n 1p <<<"$out") == "/sbin/docker-init -- sh -c "* ]] || fail "PID 1's command line: $out"
	[[ $(sha256sum <"/proc/$pid/exe" | cut -d' ' -f1) == "$want" ]] ||
		fail "PID 1 (host pid $pid, $(readlink "/proc/$pid/exe")) is not the minit binary"
	[[ $(grep '^me=' <<<"$out") =~ ^me=([0-9]+)\ parent=1$ && ${BASH_REMATCH[1]} != 1 ]] ||
		fail "the command is not PID 1's child: $out"
	d2 rm -f "$c" >/dev/null
}

@test "docker run --init: exit statuses pass through, a crash is not restarted (docker-init defaults), docker stop forwards TERM" {
	local c rc=0 t0 took
	d2 run --rm --pull never --init --network none --entrypoint '' "$IMG_SCRATCH" crash exit:3 || rc=$?
	[[ $rc == 3 ]] || fail "exit 3 came out as $rc"
	rc=0
	d2 run --rm --pull never --init --network none --entrypoint '' "$IMG_SCRATCH" crash SEGV 2>"$T/err" || rc=$?
	[[ $rc == 139 ]] || fail "SIGSEGV came out as $rc, expected 139: $(cat "$T/err")"
	grep -qE '^minit: warning: pid [0-9]+ killed by SIGSEGV$' "$T/err" || fail "stderr: $(cat "$T/err")"

	c=$(cname init-stop)
	d2 run -d --pull never --name "$c" --init --network none --entrypoint '' "$IMG_SCRATCH" sleep 1000 >/dev/null
	wait_for -t 20 -m "sleep running under docker-init" eval \
		"d2 exec '$c' sh -c 'tr \"\\0\" \" \" </proc/1/cmdline' | grep -q '^/sbin/docker-init -- sleep 1000'"
	t0=$(now_ms)
	d2 stop -t 20 "$c" >/dev/null
	took=$(($(now_ms) - t0))
	[[ $(d2 inspect -f '{{.State.ExitCode}}' "$c") == 143 ]] || fail "exit $(d2 inspect -f '{{.State.ExitCode}}' "$c"), expected 143 (sleep killed by the forwarded TERM)"
	((took < 5000)) || fail "docker stop took $took ms: TERM was not forwarded"
	d2 rm -f "$c" >/dev/null
}
