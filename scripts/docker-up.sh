#!/bin/bash
# Make a Docker engine available for the end-to-end tests (tests/e2e/), idempotently.
#
#   scripts/docker-up.sh           # installs docker.io if needed, starts dockerd if needed
#
# - `docker info` already works: nothing to do (and docker-down.sh will leave that engine alone).
# - dockerd or the docker client missing: apt-get install docker.io (apt-get update first when
#   the install needs it).
# - otherwise: start /usr/sbin/dockerd in the background, detached (own session, stdin from
#   /dev/null, output to build/e2e/dockerd.log), and poll `docker info` until it answers or
#   the deadline passes. The started daemon is recorded in build/e2e/dockerd.owner so that
#   scripts/docker-down.sh stops only a daemon this script started.
#
# Environment:
#   MINIT_E2E_DIR              state directory (default: <repo>/build/e2e)
#   MINIT_DOCKER_TIMEOUT       seconds to wait for the daemon (default 60)
#   MINIT_DOCKER_STORAGE_DRIVER  pass --storage-driver (default: dockerd picks; overlay2 here)
#   MINIT_DOCKERD_ARGS         extra dockerd arguments (word-split)
#
# Exit status: 0 when `docker info` works at the end; 1 with a one-line error otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MINIT_E2E_DIR:-$ROOT/build/e2e}
TIMEOUT=${MINIT_DOCKER_TIMEOUT:-60}
LOG=$STATE/dockerd.log
PIDFILE=$STATE/dockerd.pid     # written and removed by dockerd itself (--pidfile)
OWNER=$STATE/dockerd.owner     # "PID STARTTIME" of the dockerd we started
DOCKERD=/usr/sbin/dockerd      # from docker.io; never a stray dockerd earlier in PATH

die() { echo "docker-up: error: $*" >&2; exit 1; }
say() { echo "docker-up: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (dockerd needs it)"

engine_ok() { docker info >/dev/null 2>&1; }

# Field 22 of /proc/PID/stat: start time in clock ticks since boot (guards against PID reuse).
starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }   # drop "pid (comm) ", comm may hold spaces
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" != Z ] || return 1   # a zombie counts as gone
	echo "${20}"
}

# The most telling line that dockerd logged since our last start header.
last_error() {
	awk '/^=== .* docker-up: /{n=0; delete l; next} NF{l[++n]=$0}
	     END{for(i=n;i>0;i--) if(l[i] ~ /level=(fatal|error)|^failed|^Status:|^Error/){print l[i]; exit}
	         if(n) print l[n]}' "$LOG" | sed -e 's/^time=.* msg=//' -e 's/^Status: //'
}

install_docker() {
	local pkgs=(docker.io)   # Depends: containerd, runc, iptables, tini (/usr/bin/docker-init)
	export DEBIAN_FRONTEND=noninteractive
	say "installing ${pkgs[*]}"
	if ! apt-get install -y -q --no-install-recommends "${pkgs[@]}" >"$STATE/apt.log" 2>&1; then
		apt-get update -q >>"$STATE/apt.log" 2>&1 || die "apt-get update failed (see $STATE/apt.log)"
		apt-get install -y -q --no-install-recommends "${pkgs[@]}" >>"$STATE/apt.log" 2>&1 ||
			die "apt-get install ${pkgs[*]} failed (see $STATE/apt.log)"
	fi
}

mkdir -p "$STATE"
# One docker-up at a time (parallel test jobs): the others wait here, then see the engine up.
exec 9>"$STATE/docker-up.lock"
flock -w "$((TIMEOUT + 600))" 9 || die "timed out waiting for another docker-up.sh ($STATE/docker-up.lock)"

if [ ! -x "$DOCKERD" ] || ! command -v docker >/dev/null 2>&1 || ! command -v docker-init >/dev/null 2>&1; then
	install_docker
	[ -x "$DOCKERD" ] || die "$DOCKERD still missing after installing docker.io"
	command -v docker >/dev/null 2>&1 || die "docker client still missing after installing docker.io"
fi

if engine_ok; then
	say "engine already running ($(docker version --format 'server {{.Server.Version}}, client {{.Client.Version}}' 2>/dev/null))"
	exit 0
fi

# A dockerd we started earlier may still be starting up (or another dockerd owns the socket
# and is starting): do not start a second one on the same socket, wait for it instead.
pid=
if [ -f "$OWNER" ]; then
	read -r opid ostart <"$OWNER" || true
	if [ -n "${opid:-}" ] && [ "$(starttime "$opid" 2>/dev/null)" = "${ostart:-}" ]; then
		pid=$opid
		say "dockerd $pid (ours) is alive but not answering yet; waiting for it"
	else
		rm -f "$OWNER"
	fi
fi
if [ -z "$pid" ] && [ -f /var/run/docker.pid ]; then
	other=$(cat /var/run/docker.pid 2>/dev/null || true)
	exe=$(readlink "/proc/${other:-0}/exe" 2>/dev/null || true)
	if [ -n "$other" ] && [[ $exe == *dockerd* ]]; then
		say "a dockerd (pid $other, not ours) is running but not answering; waiting for it"
		pid=$other
		other_owned=1
	fi
fi

if [ -z "$pid" ]; then
	if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then
		die "/sys/fs/cgroup is not mounted; dockerd cannot run containers"
	fi
	args=(--bridge=none --iptables=false --ip6tables=false --pidfile "$PIDFILE")
	[ -n "${MINIT_DOCKER_STORAGE_DRIVER:-}" ] && args+=(--storage-driver "$MINIT_DOCKER_STORAGE_DRIVER")
	# shellcheck disable=SC2206
	[ -n "${MINIT_DOCKERD_ARGS:-}" ] && args+=($MINIT_DOCKERD_ARGS)
	echo "=== $(date -u +%FT%TZ) docker-up: $DOCKERD ${args[*]}" >>"$LOG"
	# setsid: not in the caller's process group (a ^C in make or bats must not kill it);
	# </dev/null and the log redirect: it must not hold the caller's pipes open, or a
	# `$(...)`, a bats run or CI would wait for EOF for as long as dockerd lives; 9>&-: nor
	# the lock.
	setsid "$DOCKERD" "${args[@]}" </dev/null >>"$LOG" 2>&1 9>&- &
	pid=$!
	st=$(starttime "$pid") || die "dockerd exited at once (see $LOG)"
	echo "$pid $st" >"$OWNER"
	say "started dockerd pid $pid (log: $LOG)"
fi

deadline=$((SECONDS + TIMEOUT))
until engine_ok; do
	if ! starttime "$pid" >/dev/null; then   # not kill -0: our dead child is a zombie
		[ -z "${other_owned:-}" ] && rm -f "$OWNER"
		die "dockerd $pid exited before answering: $(last_error) (see $LOG)"
	fi
	[ "$SECONDS" -lt "$deadline" ] || die "dockerd $pid not answering 'docker info' after ${TIMEOUT}s (see $LOG)"
	sleep 0.2
done
say "engine ready after $((SECONDS + TIMEOUT - deadline))s: $(docker info --format 'server {{.ServerVersion}}, storage {{.Driver}}, cgroup v{{.CgroupVersion}}' 2>/dev/null)"
