# Shared helpers for the Docker end-to-end suite (tests/e2e/*.bats).
#
# The suite-wide set-up lives in setup_suite.bash (engine up, base image, the
# images built once per run); this file holds what every test file needs:
# names and labels of containers, cleanup, polling with deadlines, looking at
# processes inside a container, timing.
#
# Environment knobs:
#   MINIT                 the static binary under test (default: <repo>/minit)
#   MINIT_E2E_DIR         state directory (default: <repo>/build/e2e)
#   E2E_TIMEOUT_MULT      multiply every deadline (slow or loaded machines)
#   MINIT_E2E_KEEP_ENGINE 1: leave a dockerd this run started running at the end

bats_load_library bats-support
bats_load_library bats-assert

: "${BATS_TEST_TIMEOUT:=240}" # safety net per test; our own deadlines are shorter

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_ROOT=$(cd "$E2E_DIR/../.." && pwd)
E2E_STATE=${MINIT_E2E_DIR:-$E2E_ROOT/build/e2e}
MINIT=${MINIT:-$E2E_ROOT/minit}
[[ $MINIT == /* ]] || MINIT=$PWD/$MINIT
E2E_TIMEOUT_MULT=${E2E_TIMEOUT_MULT:-1}
export DOCKER_BUILDKIT=0 # no buildx here: the legacy builder (see tests/e2e/README.md)

# Images (built by setup_suite.bash, reused while their inputs are unchanged).
BASE_IMAGE=debian:bookworm-slim
IMG_NGINX=minit-e2e/nginx-example:latest # Dockerfile.example, as a user builds it
IMG_SCRATCH=minit-e2e/scratch:latest     # FROM scratch: minit, busybox, static probes
IMG_PAUSE=minit-e2e/pause:latest         # examples/kubernetes/pause.Dockerfile
E2E_LABEL=org.minit.e2e                  # every container: $E2E_LABEL.run=<run id>
E2E_INPUTS_LABEL=org.minit.e2e.inputs    # every image: hash of its build inputs
# Static probes copied into the scratch image (glibc static builds of the
# same sources as build/tests/*, which are dynamic).
E2E_PROBES=(sigrec orphans crash sigprobe prefork-server notify-server)

e2e_say() { echo "e2e: $*" >&2; }

# ---------------------------------------------------------------------------
# time and polling

now_ms() { # wall clock in ms (EPOCHREALTIME, no fork)
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# wait_for [-t SECONDS] [-m MESSAGE] CMD...: run CMD every 0.1 s until it
# succeeds; fail the test after the deadline (default 30 s, times
# E2E_TIMEOUT_MULT). Never a fixed sleep: the loop ends as soon as CMD holds.
wait_for() {
	local timeout=30 msg=""
	while (($#)); do
		case $1 in
		-t) timeout=$2; shift 2 ;;
		-m) msg=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local deadline
	deadline=$(($(now_ms) + $(awk -v t="$timeout" -v m="$E2E_TIMEOUT_MULT" 'BEGIN { printf "%d", t * m * 1000 }')))
	while :; do
		"$@" && return 0
		if (($(now_ms) > deadline)); then
			fail "timed out after ${timeout}s waiting for: ${msg:-$*}"
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------
# containers

# cname SUFFIX: a container name unique to this run
cname() { echo "minit-e2e-${E2E_RUN:?setup_suite did not run}-$1"; }

# dstart NAME DOCKER-RUN-ARGS...: `docker run -d` with this run's label, never
# pulling; NAME is removed in teardown. Prints nothing; fails the test with
# docker's message if the container cannot be created.
dstart() {
	local name=$1 out
	shift
	E2E_CONTAINERS+=("$name")
	out=$(docker run -d --pull never --name "$name" --label "$E2E_LABEL.run=$E2E_RUN" \
		--label "$E2E_LABEL.owner=$E2E_OWNER" "$@" 2>&1) ||
		fail "docker run -d --name $name $* failed: $out"
}

# drm NAME...: remove containers (ignores missing ones)
drm() { docker rm -f "$@" >/dev/null 2>&1 || true; }

# inspect NAME FORMAT
inspect() { docker inspect -f "$2" "$1"; }
is_running() { [[ $(inspect "$1" '{{.State.Running}}' 2>/dev/null) == true ]]; }
is_exited() { [[ $(inspect "$1" '{{.State.Status}}' 2>/dev/null) == exited ]]; }
exit_code() { inspect "$1" '{{.State.ExitCode}}'; }

logs() { docker logs "$1" 2>&1; }

# log_has NAME REGEX: docker logs of NAME (stdout and stderr) have a line
# matching the extended REGEX
log_has() { logs "$1" | grep -qE -- "$2"; }

# log_count NAME REGEX
log_count() {
	local n
	n=$(logs "$1" | grep -cE -- "$2") || true
	echo "${n:-0}"
}

wait_log() { # NAME REGEX [TIMEOUT]
	wait_for -t "${3:-30}" -m "a line /$2/ in the logs of $1" log_has "$1" "$2"
}

# assert_log NAME REGEX / refute_log NAME REGEX
assert_log() {
	log_has "$1" "$2" || fail "no line /$2/ in the logs of $1:
$(logs "$1" | tail -n 40)"
}
refute_log() {
	local bad
	bad=$(logs "$1" | grep -E -- "$2") || true
	[[ -z $bad ]] || fail "unexpected line(s) /$2/ in the logs of $1:
$bad"
}

# cexec NAME CMD...: docker exec, stdin closed
cexec() { docker exec "$1" "${@:2}" </dev/null; }

# A process table from inside a container, with any POSIX sh (dash in the
# Debian image, busybox in the scratch image): one line per process,
# "PID PPID STATE CMDLINE" (pids as the container's PID namespace sees them).
# The listing shell and its own children are left out.
PS_SCRIPT='me=$$
for d in /proc/[0-9]*; do
	read -r s <"$d/stat" 2>/dev/null || continue
	p=${d#/proc/}
	r=${s##*") "}
	set -- $r
	[ "$p" = "$me" ] && continue
	[ "$2" = "$me" ] && continue
	c=
	[ "$1" = Z ] || c=$(tr "\0" " " <"$d/cmdline" 2>/dev/null)
	echo "$p $2 $1 $c"
done'

cps() { cexec "$1" sh -c "$PS_SCRIPT"; }

# Count of zombies (state Z) in the container's PID namespace (no cmdline
# reads: cheap even with a thousand processes).
ZOMBIE_SCRIPT='n=0
for d in /proc/[0-9]*; do
	read -r s <"$d/stat" 2>/dev/null || continue
	r=${s##*") "}
	case $r in Z*) n=$((n + 1)) ;; esac
done
echo $n'

zombies() { cexec "$1" sh -c "$ZOMBIE_SCRIPT"; }
no_zombies() { [[ $(zombies "$1") == 0 ]]; }
nprocs() { cexec "$1" sh -c 'n=0; for d in /proc/[0-9]*; do n=$((n + 1)); done; echo $((n - 1))'; }

# pids_matching NAME REGEX: pids whose "PID PPID STATE CMDLINE" line matches
pids_matching() { cps "$1" | awk -v re="$2" '$0 ~ re { print $1 }'; }

# A client container sharing NAME's network namespace (127.0.0.1 there),
# with busybox wget/nc; separate PID namespace, so nothing minit does to the
# processes of NAME touches it. Sets CLIENT.
client_start() {
	CLIENT=$1-client
	dstart "$CLIENT" --network "container:$1" --entrypoint /sbin/minit "$IMG_SCRATCH" --pause
}

# client_get URL: body of a GET from inside the client (busybox wget; its
# -T option crashes in busybox 1.35 static, so `timeout` bounds it)
client_get() { cexec "$CLIENT" timeout 10 wget -q -O - "$1"; }

# ---------------------------------------------------------------------------
# per-test set-up and clean-up

setup() {
	T=$BATS_TEST_TMPDIR
	E2E_CONTAINERS=()
	E2E_BG=()
	TMUX_SOCK=
	CLIENT=
	[[ -n ${E2E_RUN:-} ]] || fail "E2E_RUN unset: run the suite with bats tests/e2e (setup_suite.bash)"
}

# On failure, the last log lines of every container of the test (bats prints
# teardown output with the failing test).
teardown() {
	local c p
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
		for c in "${E2E_CONTAINERS[@]}"; do
			docker inspect "$c" >/dev/null 2>&1 || continue
			echo "--- $c: $(inspect "$c" '{{.State.Status}} exit={{.State.ExitCode}}') (last log lines)"
			logs "$c" | tail -n 25
		done
	fi
	[[ -z $TMUX_SOCK ]] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	# reverse order: clients (network namespace users) before their targets
	for ((p = ${#E2E_CONTAINERS[@]} - 1; p >= 0; p--)); do
		drm "${E2E_CONTAINERS[p]}"
	done
	for p in "${E2E_BG[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# bg CMD...: run CMD in the background (output as redirected by the caller;
# bats' fd 3 closed so bats never waits for it); killed in teardown if still
# running. Sets BG_PID.
bg() {
	"$@" 3>&- &
	BG_PID=$!
	E2E_BG+=("$BG_PID")
}

# ---------------------------------------------------------------------------
# nginx (the example image)

nginx_master() { pids_matching "$1" ' nginx: master process' | head -n 1; }

# nginx_workers NAME MASTER: the worker pids of MASTER, sorted, space-separated
nginx_workers() {
	cps "$1" | awk -v m="$2" '$2 == m && / nginx: worker process/ { print $1 }' | sort -n | xargs
}

# nginx_ready NAME [NOT_MASTER]: a master (other than NOT_MASTER) with
# workers, and the default page served to the client
nginx_ready() {
	local m
	m=$(nginx_master "$1")
	[[ -n $m && $m != "${2:-}" ]] || return 1
	[[ -n $(nginx_workers "$1" "$m") ]] || return 1
	client_get http://127.0.0.1/ 2>/dev/null | grep -q 'Welcome to nginx'
}

nginx_wait_ready() { wait_for -t 60 -m "nginx serving in $1" nginx_ready "$@"; }

# ---------------------------------------------------------------------------
# a request loop in the client container

# One GET of URL after another until /tmp/stop exists, at most 5000 requests
# or 120 s; one line per request: "ok N BODY" or "fail N ERROR", then "end N".
CLIENT_LOOP='url=$1 i=0 end=$(($(date +%s) + 120))
rm -f /tmp/stop
while [ ! -e /tmp/stop ] && [ $i -lt 5000 ] && [ $(date +%s) -lt $end ]; do
	i=$((i + 1))
	if out=$(timeout 10 wget -q -O - "$url" 2>&1); then
		echo "ok $i $out"
	else
		echo "fail $i $out"
	fi
done
echo "end $i"'

# client_loop_start URL LOG: start the loop in the background
client_loop_start() {
	bg sh -c 'docker exec "$1" sh -c "$2" loop "$3" >"$4" 2>&1 </dev/null' sh "$CLIENT" "$CLIENT_LOOP" "$1" "$2"
}

client_loop_stop() { # LOG
	cexec "$CLIENT" touch /tmp/stop
	wait_for -t 30 -m "the client loop to end" grep -q '^end ' "$1"
}

count_lines() { # FILE REGEX
	local n
	n=$(grep -cE -- "$2" "$1" 2>/dev/null) || true
	echo "${n:-0}"
}
