#!/usr/bin/env bash
# make demo: minit as PID 1 of a fresh PID namespace, supervising a small
# preforking server, the way it would run as a container's ENTRYPOINT.
# Shows forwarding, a crash and its restart with no refused connection
# (the socket is held by --listen), and a docker-stop-like graceful stop.
set -euo pipefail
cd "$(dirname "$0")/.."

MINIT=${MINIT:-./minit}
SERVER=build/tests/prefork-server
PORT=${DEMO_PORT:-18080}
DEADLINE_S=10
work=$(mktemp -d /tmp/minit-demo.XXXXXX)
log=$work/minit.log
pid=

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
	[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# One request on 127.0.0.1:PORT; prints the reply or fails.
request() {
	local reply
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
	printf '%s\n' "$1" >&3
	IFS= read -r -t 5 reply <&3 || true
	exec 3<&-
	printf '%s\n' "$reply"
}

# Polls a command until it succeeds or the deadline passes.
wait_for() {
	local end=$((SECONDS + DEADLINE_S))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < end)) || { echo "demo: timed out waiting for: $*" >&2; exit 1; }
		sleep 0.02
	done
}

minit_line() { grep -q -- "$1" "$log"; }

say "Starting: unshare --pid --fork --mount-proc $MINIT -v --listen tcp:127.0.0.1:$PORT --stop-ladder QUIT,TERM,KILL --stop-timeout 6s -- $SERVER -w 3"
unshare --pid --fork --mount-proc "$MINIT" -v --listen "tcp:127.0.0.1:$PORT" \
	--stop-ladder QUIT,TERM,KILL --stop-timeout 6s -- "$SERVER" -w 3 >"$work/server.out" 2>"$log" &
pid=$!
wait_for request ping
minit_pid=$(pgrep -P "$pid" | head -n1)
echo "minit (host pid $minit_pid) is PID 1 of the new namespace; the server and its workers:"
ps -o pid,ppid,cmd --forest -g "$(ps -o sid= -p "$minit_pid" | tr -d ' ')" | sed 's/^/  /' || true
for i in 1 2 3; do echo "  request $i -> $(request ping)"; done

say "Crash: the master dies of SIGSEGV; minit restarts it, clients keep being served"
ok=0 refused=0
request crash >/dev/null
for i in $(seq 1 50); do
	if request ping >/dev/null 2>&1; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
done
wait_for minit_line "restart 1 of"
grep -E 'SIGSEGV|restart|started' "$log" | sed 's/^/  /'
echo "  50 requests across the crash: $ok answered, $refused refused"

say "docker stop: SIGTERM to PID 1 becomes the ladder QUIT (graceful), TERM at 2 s, KILL at 6 s"
start=$(date +%s%N)
kill -TERM "$minit_pid"
rc=0
wait "$pid" || rc=$?
pid=
end=$(date +%s%N)
grep -E '^minit: .*(stop requested|exited|KILL)' "$log" | tail -n 3 | sed 's/^/  /' || true
echo "  minit exited with status $rc after $(((end - start) / 1000000)) ms"

say "Done. Try: $MINIT --help"
