#!/bin/bash
# Stop the dockerd that scripts/docker-up.sh started, and only that one.
#
#   scripts/docker-down.sh
#
# Reads build/e2e/dockerd.owner ("PID STARTTIME"); when that process is still the same
# dockerd (same start time, so not a reused PID), sends it SIGTERM and waits for it to exit
# (dockerd stops its containers first: up to its shutdown timeout, 15 s by default), then
# SIGKILL after MINIT_DOCKER_TIMEOUT seconds (default 60). No record: nothing to do, exit 0.
# An engine that was already running when docker-up.sh ran is never touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MINIT_E2E_DIR:-$ROOT/build/e2e}
TIMEOUT=${MINIT_DOCKER_TIMEOUT:-60}
OWNER=$STATE/dockerd.owner

die() { echo "docker-down: error: $*" >&2; exit 1; }
say() { echo "docker-down: $*" >&2; }

# Field 22 of /proc/PID/stat is the start time (guards against PID reuse); a zombie
# (state Z) counts as gone.
starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" != Z ] || return 1
	echo "${20}"
}

if [ ! -f "$OWNER" ]; then
	say "no dockerd started by docker-up.sh; nothing to stop"
	exit 0
fi
read -r pid start <"$OWNER" || true
if [ -z "${pid:-}" ] || [ "$(starttime "$pid" 2>/dev/null)" != "${start:-}" ]; then
	rm -f "$OWNER"
	say "dockerd ${pid:-?} (ours) already gone"
	exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + TIMEOUT))
while [ "$(starttime "$pid" 2>/dev/null)" = "$start" ]; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		say "dockerd $pid still running after ${TIMEOUT}s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		sleep 0.5
		[ "$(starttime "$pid" 2>/dev/null)" = "$start" ] && die "dockerd $pid survived SIGKILL"
		break
	fi
	sleep 0.2
done
rm -f "$OWNER"
say "stopped dockerd $pid"
