# Helpers for the supervision suite (tests/30-35: stop ladder, leftovers,
# restart, pid-file handoff, --listen, real servers). Load after lib/common:
#
#   load lib/common
#   load lib/supervise
#
# It adds:
#   - svtool (tests/helpers/svtool.c, built by make test-helpers): the
#     monotonic clock (same clock as sigrec's and crash's timestamps), a
#     signal sender that prints when it sent, a pidfd exit watcher (exit time
#     of any process, not only our children), a free-port finder, a one-shot
#     request and a connect loop that counts refused connections;
#   - timing assertions relative to a send time;
#   - a teardown that also kills everything below the launched minit and
#     every pid handed to sv_track (servers that clear their environment,
#     like nginx's workers, escape the MINITTEST_TAG sweep of lib/common);
#   - configs and start-up helpers for nginx, gunicorn, apache2, PostgreSQL.
#
#   - sv_timed: a timing test body is run again (up to SV_TRIES times) when
#     only a timing bound was missed, see below; sv_both runs a long, mostly
#     waiting body in both modes side by side.
#
# Knobs:
#   SV_TOL        ms a ladder rung, a KILL or an exit may be off its schedule
#                 (default 50, the issue's bound)
#   SV_GRACE_TOL  ms minit may add to a graceful child's own shutdown
#                 (default 10, the issue's bound)
#   SV_TRIES      attempts of a timing test whose only failure is a missed
#                 bound (default 3; 1 makes every miss fail at once)
#   SV_EXIT_SLACK ms added to the upper bounds on minit's own exit time
#                 (default 0, 500 for an ASan build or under valgrind: see below)
#
# Under valgrind (VALGRIND=1) SV_TOL and SV_GRACE_TOL default to 200 ms:
# minit runs 20-50 times slower there, and the first run of a code path
# (the KILL rung, a /proc scan) waits for valgrind to translate it, so on a
# busy machine minit acts 50-150 ms late. That stage checks memory, not
# timing: the bats and asan stages hold minit to the issue's bounds.
if ((VALGRIND)); then
	SV_TOL=${SV_TOL:-200}
	SV_GRACE_TOL=${SV_GRACE_TOL:-200}
fi
SV_TOL=${SV_TOL:-50}
SV_GRACE_TOL=${SV_GRACE_TOL:-10}
# An ASan build (make minit-asan) runs LeakSanitizer when it exits: its scan
# of the heap takes 50-300 ms (more on a busy machine) between minit's last
# reap and its death. Only the upper bounds on minit's own exit time get this
# allowance (sv_assert_exit); signals minit sends are held to SV_TOL.
# valgrind's exit (leak check, final report) takes about as long.
if [[ -z ${SV_EXIT_SLACK:-} ]]; then
	SV_EXIT_SLACK=0
	grep -q __asan_init "$MINIT" 2>/dev/null && SV_EXIT_SLACK=500
	((VALGRIND)) && SV_EXIT_SLACK=500
fi
SVTOOL=$TEST_HELPERS/svtool

# ---------------------------------------------------------------------------
# clean-up: lib/common's teardown, plus whatever is below the launched
# command and every tracked pid (checked against its start time)

eval "sv_common_$(declare -f teardown)"

SV_TRACKED=()

# _sv_stime PID: SV_ST = its start time (field 22 of /proc/PID/stat)
_sv_stime() {
	local s a
	SV_ST=
	read -r s <"/proc/$1/stat" 2>/dev/null || return 1
	s=${s##*) }
	read -r -a a <<<"$s"
	SV_ST=${a[19]}
}

# sv_track PID...: kill PID at teardown if it is still the same process
sv_track() {
	local p st
	for p in "$@"; do
		_sv_stime "$p" || continue
		SV_TRACKED+=("$p:$SV_ST")
	done
}

sv_kill_tree() {
	local pids=() p st e i SV_ST
	for i in 1 2 3 4 5; do
		pids=()
		if [[ -n ${LAUNCH_PID:-} ]]; then
			sv_desc "$LAUNCH_PID"
			pids=("${SV_DESC[@]}")
		fi
		for e in "${SV_TRACKED[@]}"; do
			p=${e%%:*} st=${e#*:}
			_sv_stime "$p" && [[ $SV_ST == "$st" ]] && pids+=("$p")
		done
		((${#pids[@]})) || return 0
		kill -STOP "${pids[@]}" 2>/dev/null || true
		kill -KILL "${pids[@]}" 2>/dev/null || true
		sv_nap 0.02
	done
}

teardown() {
	local rc=0
	sv_kill_tree
	sv_common_teardown || rc=$? # e.g. valgrind's errors (VALGRIND=1)
	SV_TRACKED=()
	return "$rc"
}

# ---------------------------------------------------------------------------
# time: every timestamp (sigrec, crash -o, svtool) is CLOCK_MONOTONIC in ms
# with 3 decimals; the helpers turn them into integer microseconds and
# compute in bash, without forking (a fork costs tens of ms on a busy box).
# Results come back in variables, not on stdout.

# _sv_us TEXT: SV_US = TEXT ("1234.567" ms) in microseconds
_sv_us() {
	local i=${1%%.*} f=000
	[[ $1 == *.* ]] && f=${1#*.}000
	SV_US=$((10#$i * 1000 + 10#${f:0:3}))
}

# sv_fmt US: SV_FMT = US as "123.4" ms (for messages)
sv_fmt() {
	local v=$1 sign=
	((v < 0)) && sign=- v=$((-v))
	SV_FMT=$sign$((v / 1000)).$(((v % 1000) / 100))
}

# sv_send SIG PID: send SIG to PID; SV_T0 = when it was sent (us)
sv_send() {
	local t
	sv_num "$1"
	t=$("$SVTOOL" kill "$SV_N" "$2") || fail "could not send SIG$1 to pid $2"
	_sv_us "$t"
	SV_T0=$SV_US
}

# sv_assert_span US LO_MS HI_MS WHAT: LO <= US/1000 <= HI (integers in ms).
# Inside sv_timed, a miss before the last attempt ends the attempt with
# SV_TIMING_RC so that it is run again.
sv_assert_span() {
	if (($1 < $2 * 1000 || $1 > $3 * 1000)); then
		sv_fmt "$1"
		if [[ -n ${SV_ATTEMPT:-} ]] && ((SV_ATTEMPT < SV_TRIES)); then
			printf '# attempt %d of %d: %s: %s ms is outside [%s, %s] ms (retrying)\n' \
				"$SV_ATTEMPT" "$SV_TRIES" "$4" "$SV_FMT" "$2" "$3" >&3
			exit "$SV_TIMING_RC"
		fi
		fail "$4: $SV_FMT ms is outside [$2, $3] ms$(diag_tail)$(sv_diag)"
	fi
}

# sv_timed FUNC ARGS...: run a test body with timing bounds up to SV_TRIES
# times. Timing is measured against the wall of a shared, often busy machine:
# a late wake-up of minit or of a probe is noise, a wrong schedule is not.
# So only a missed timing bound (sv_assert_span) is retried, after the
# attempt's processes were killed and its files removed; any other failure
# fails at once, and the last attempt fails as usual. Every retry is
# reported as a TAP comment.
SV_TRIES=${SV_TRIES:-3}
SV_TIMING_RC=86
sv_timed() {
	local i rc
	for ((i = 1; i <= SV_TRIES; i++)); do
		if ((i > 1)); then
			find "$T" -mindepth 1 -maxdepth 1 ! -name '.*' -exec rm -rf {} +
		fi
		rc=0
		(
			trap teardown EXIT
			SV_ATTEMPT=$i
			"$@"
		) &
		wait "$!" || rc=$?
		((rc == SV_TIMING_RC)) || return "$rc"
	done
	return 1
}

# sv_assert_exit US LO_MS HI_MS WHAT: like sv_assert_span for minit's own
# exit time: HI is raised by SV_EXIT_SLACK (an ASan build's leak check)
sv_assert_exit() {
	local what=$4
	((SV_EXIT_SLACK == 0)) || what+=" (with a $SV_EXIT_SLACK ms ASan/valgrind exit allowance)"
	sv_assert_span "$1" "$2" $(($3 + SV_EXIT_SLACK)) "$what"
}

# sv_assert_at US EXPECTED_MS WHAT: within SV_TOL ms of EXPECTED
sv_assert_at() {
	sv_assert_span "$1" $(($2 - SV_TOL)) $(($2 + SV_TOL)) "$3"
}

sv_diag() {
	[[ -s ${SV_WATCH:-/nonexistent} ]] && printf '\n--- watch.log:\n%s' "$(cat "$SV_WATCH")"
	return 0
}

# sv_stays_alive PID MS: PID must stay alive for MS ms (a bounded
# observation of something that must NOT happen, not a synchronisation)
sv_stays_alive() {
	local end=$((${EPOCHREALTIME/./} + $2 * 1000))
	while ((${EPOCHREALTIME/./} < end)); do
		is_alive "$1" || fail "pid $1 ended within $2 ms$(diag_tail)"
		sv_nap
	done
}

# sv_both FUNC ARGS...: run `FUNC pid1 ARGS` and `FUNC sub ARGS` side by side,
# each in a subshell with its own directory ($T/pid1, $T/sub) and clean-up,
# for bodies that mostly wait (a 10 s run): both modes, half the time.
sv_both() {
	local mode pids=() rc=0 p
	for mode in pid1 sub; do
		mkdir -p "$T/$mode"
		(
			T=$T/$mode
			# its own tag too: teardown kills whatever carries the tag, and
			# the half that ends first must not kill the other's minit
			TAG="minit-bats:$T"
			OUT=$T/minit.out ERR=$T/minit.err REC=$T/rec.log
			trap teardown EXIT
			"$1" "$mode" "${@:2}"
		) 2>"$T/$mode.diag" &
		pids+=("$!")
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	if ((rc)); then
		for mode in pid1 sub; do
			[[ -s $T/$mode.diag ]] && printf -- '--- %s:\n%s\n' "$mode" "$(cat "$T/$mode.diag")" >&2
		done
	fi
	return "$rc"
}

# ---------------------------------------------------------------------------
# exit watching (pidfd: any pid, also grandchildren and minit itself)

SV_WATCH=
SV_NWATCH=0

_sv_watching() { # N: at least N "watching" lines
	local n=0 w _
	[[ -f $SV_WATCH ]] || return 1
	while read -r w _; do [[ $w == watching ]] && n=$((n + 1)); done <"$SV_WATCH"
	((n >= $1))
}

# sv_watch PID...: start a watcher for these (host) pids; returns once every
# pidfd is open. Exit times land in $SV_WATCH.
sv_watch() {
	SV_WATCH=$T/watch.log
	"$SVTOOL" watch "$SV_WATCH" "$@" &
	BG_PIDS+=("$!")
	SV_NWATCH=$((SV_NWATCH + 1))
	wait_for -m "the exit watcher to start" _sv_watching "$SV_NWATCH"
}

# _sv_exited PID: SV_T = its exit time (us) if the watcher saw it end
_sv_exited() {
	local w p t
	SV_T=
	[[ -f $SV_WATCH ]] || return 1
	while read -r w p t; do
		if [[ ($w == exit || $w == gone) && $p == "$1" ]]; then
			_sv_us "$t"
			SV_T=$SV_US
			return 0
		fi
	done <"$SV_WATCH"
	return 1
}

# sv_exit_time PID [TIMEOUT]: wait until the watcher saw PID end; SV_T = when
sv_exit_time() {
	wait_for -t "${2:-10}" -m "pid $1 to exit (watched)" _sv_exited "$1"
}

# ---------------------------------------------------------------------------
# sigrec records: "ready PID PGID SID" and
# "sig NAME NUM TIME_MS SI_PID SI_CODE PID" (pids as minit's namespace sees them)

# sv_num NAME|NUMBER: SV_N = the number (common.bash's signum: RTMIN = 34, as sigrec)
sv_num() {
	signum "$1"
	SV_N=$SIGNUM
}

# sv_sig SIG [FILE] [NSPID] [FROM] [AFTER_US]: SV_COUNT = records of SIG (by
# NSPID, sent by FROM); SV_T = time (us) of the first one at or after AFTER
# (empty if none)
sv_sig() {
	local kind name num t spid code pid
	sv_num "$1"
	SV_COUNT=0 SV_T=
	[[ -f ${2:-$REC} ]] || return 0
	while read -r kind name num t spid code pid; do
		[[ $kind == sig && $num == "$SV_N" ]] || continue
		[[ -z ${3:-} || $pid == "$3" ]] || continue
		[[ -z ${4:-} || $spid == "$4" ]] || continue
		SV_COUNT=$((SV_COUNT + 1))
		if [[ -z $SV_T ]]; then
			_sv_us "$t"
			((SV_US >= ${5:-0})) && SV_T=$SV_US
		fi
	done <"${2:-$REC}"
}

_sv_sig_seen() { sv_sig "$@" && [[ -n $SV_T ]]; }

# sv_wait_sig SIG [FILE] [NSPID] [FROM] [AFTER_US]: wait for such a record;
# sets SV_T and SV_COUNT like sv_sig
sv_wait_sig() {
	wait_for -m "signal $1 recorded${3:+ by pid $3}${4:+ from pid $4}" _sv_sig_seen "$@"
}

# sv_assert_once_from SIG FROM [FILE] [NSPID]: wait for SIG; it came exactly
# once, and from pid FROM
sv_assert_once_from() {
	sv_wait_sig "$1" "${3:-$REC}" "${4:-}"
	[[ $SV_COUNT -eq 1 ]] || fail "signal $1 recorded $SV_COUNT times, expected once:
$(cat "${3:-$REC}")"
	sv_sig "$1" "${3:-$REC}" "${4:-}" "$2"
	[[ $SV_COUNT -eq 1 ]] || fail "signal $1 did not come from pid $2:
$(cat "${3:-$REC}")"
}

# sv_refute_sig SIG [FILE] [NSPID]
sv_refute_sig() {
	sv_sig "$1" "${2:-$REC}" "${3:-}"
	[[ $SV_COUNT -eq 0 ]] || fail "signal $1 should not have been recorded:
$(cat "${2:-$REC}")"
}

# sv_assert_rung SIG OFFSET_MS NSPID: SIG came from minit exactly once, at
# SV_T0 + OFFSET (+-SV_TOL), and a CONT from minit followed within SV_TOL
sv_assert_rung() {
	local t
	sv_wait_sig "$1" "$REC" "$3" "$MINIT_SELF"
	t=$SV_T
	[[ $SV_COUNT -eq 1 ]] || fail "SIG$1 sent $SV_COUNT times by minit, expected once:
$(cat "$REC")"
	sv_assert_at $((t - SV_T0)) "$2" "SIG$1 (rung at +$2 ms)"
	sv_wait_sig CONT "$REC" "$3" "$MINIT_SELF" "$t"
	sv_assert_span $((SV_T - t)) 0 "$SV_TOL" "SIGCONT after SIG$1"
}

# _sv_lines FILE WORD: SV_LINES = lines of FILE whose first word is WORD
_sv_lines() {
	local w _
	SV_LINES=0
	[[ -f $1 ]] || return 0
	while read -r w _; do [[ $w == "$2" ]] && SV_LINES=$((SV_LINES + 1)); done <"$1"
	return 0
}
_sv_enough() { _sv_lines "$1" "$2" && ((SV_LINES >= $3)); }

# sv_wait_word FILE WORD COUNT [TIMEOUT]: wait for COUNT lines starting with WORD
sv_wait_word() {
	wait_for -t "${4:-10}" -m "$3 '$2' line(s) in ${1##*/}" _sv_enough "$1" "$2" "$3"
}

# sv_wait_ready [FILE] [COUNT]: wait for COUNT sigrec ready lines
sv_wait_ready() { sv_wait_word "${1:-$REC}" ready "${2:-1}"; }

# sv_ready_field N [FILE]: SV_F = field N (2 pid, 3 pgid, 4 sid) of the
# last ready line (the main sigrec writes its ready line after its children)
sv_ready_field() {
	local a
	SV_F=
	while read -r -a a; do
		[[ ${a[0]} == ready ]] && SV_F=${a[$(($1 - 1))]}
	done <"${2:-$REC}"
}

SV_MARK=54 # RTMIN+20: a signal the tests never use otherwise

# sv_mark [FILE]: send the marker signal to minit and wait until the main
# child recorded it: minit has then read every signal sent to it before
# (signalfd hands out lower-numbered signals first)
sv_mark() {
	local before
	sv_sig $SV_MARK "${1:-$REC}"
	before=$SV_COUNT
	kill -n $SV_MARK "$MINIT_PID"
	wait_for -m "the marker signal through minit" _sv_more_marks "${1:-$REC}" "$before"
}
_sv_more_marks() { sv_sig $SV_MARK "$1" && ((SV_COUNT > $2)); }

# sv_host_pid NSPID: SV_P = the host pid of the process in minit's tree that
# minit's namespace calls NSPID
sv_host_pid() {
	SV_P=
	if [[ $MODE != pid1 ]]; then
		SV_P=$1
		return 0
	fi
	local p k v ns
	sv_desc "$MINIT_PID"
	for p in "${SV_DESC[@]}"; do
		ns=
		while read -r k v; do
			[[ $k == NSpid: ]] && ns=${v##*[[:space:]]} && break
		done <"/proc/$p/status"
		[[ $ns == "$1" ]] && SV_P=$p && return 0
	done 2>/dev/null
	return 1
}

# sv_ready_host_pids [FILE]: SV_PIDS = host pids of every ready line's process
sv_ready_host_pids() {
	local a
	SV_PIDS=()
	while read -r -a a; do
		[[ ${a[0]} == ready ]] || continue
		sv_host_pid "${a[1]}" && SV_PIDS+=("$SV_P")
	done <"${1:-$REC}"
}

# sv_count_log LEVEL [REGEX]: SV_LINES = minit's stderr lines "minit: LEVEL: ...REGEX"
sv_count_log() {
	local l re="^minit: $1: .*${2:-}"
	SV_LINES=0
	[[ -f $ERR ]] || return 0
	while IFS= read -r l; do [[ $l =~ $re ]] && SV_LINES=$((SV_LINES + 1)); done <"$ERR"
	return 0
}

# sv_wait_log LEVEL REGEX [COUNT] [TIMEOUT]
sv_wait_log() {
	wait_for -t "${4:-10}" -m "${3:-1} minit $1 line(s) /$2/" _sv_log_enough "$1" "$2" "${3:-1}"
}
_sv_log_enough() { sv_count_log "$1" "$2" && ((SV_LINES >= $3)); }

# sv_count_re FILE REGEX: SV_LINES = lines of FILE matching the bash REGEX
sv_count_re() {
	local l
	SV_LINES=0
	[[ -f $1 ]] || return 0
	while IFS= read -r l; do [[ $l =~ $2 ]] && SV_LINES=$((SV_LINES + 1)); done <"$1"
	return 0
}
_sv_re_enough() { sv_count_re "$1" "$2" && ((SV_LINES >= $3)); }

# sv_wait_re FILE REGEX [COUNT] [TIMEOUT]: wait for COUNT lines matching REGEX
sv_wait_re() {
	wait_for -t "${4:-10}" -m "${3:-1} line(s) /$2/ in ${1##*/}" _sv_re_enough "$1" "$2" "${3:-1}"
}

# ---------------------------------------------------------------------------
# processes

# sv_desc PID: SV_DESC = PID's descendants, parents first (no fork)
sv_desc() {
	local DESC
	collect_descendants "$1"
	SV_DESC=("${DESC[@]}")
}

# sv_nap [SECONDS]: sleep ~15 ms without forking (read with a timeout on a
# fifo nobody writes)
sv_nap() {
	if [[ -z ${SV_NAP_FD:-} ]]; then
		mkfifo "$T/.sv_nap" 2>/dev/null || true
		exec {SV_NAP_FD}<>"$T/.sv_nap"
	fi
	read -r -t "${1:-0.015}" -u "$SV_NAP_FD" _ || true
}

# _sv_has_children PID
_sv_has_children() {
	local f k
	for f in /proc/"$1"/task/*/children; do
		k=
		read -r k <"$f" 2>/dev/null
		[[ -n $k ]] && return 0
	done
	return 1
}

# sv_main: SV_P = host pid of minit's main child (its oldest child)
sv_main() {
	local f c kids st best= bstart=
	SV_P=
	for f in /proc/"$MINIT_PID"/task/*/children; do
		kids=()
		read -r -a kids <"$f" 2>/dev/null || true
		for c in "${kids[@]}"; do
			_sv_stime "$c" || continue
			if [[ -z $best ]] || ((SV_ST < bstart)); then best=$c bstart=$SV_ST; fi
		done
	done
	SV_P=$best
	[[ -n $SV_P ]]
}

# sv_start MODE ARGS...: start_minit and wait for minit's first child
sv_start() {
	start_minit "$@"
	wait_for -m "minit's first child" _sv_has_children "$MINIT_PID"
}

# sv_default_prog: a wrapper that runs minit without lib/common's
# MINIT_RESTART=no, so minit's built-in restart default applies (exec keeps
# the pid, so in pid1 mode minit is still PID 1). Prints its path.
sv_default_prog() {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nunset MINIT_RESTART\nexec %s "$@"\n' "${MINIT_WRAP[*]} \"$MINIT\"" >"$T/bin/minit-defaults"
	chmod +x "$T/bin/minit-defaults"
	echo "$T/bin/minit-defaults"
}

# ---------------------------------------------------------------------------
# prefork-server

# sv_port: a free port on 127.0.0.1
sv_port() { "$SVTOOL" freeport; }

sv_req() { "$SVTOOL" req "$@"; }

# sv_ping PORT: a ping answered by a prefork worker
sv_ping() { [[ $(sv_req "$1" $'ping\n' 2>/dev/null) == pong* ]]; }

# ---------------------------------------------------------------------------
# real servers

sv_need() { # CMD...: skip unless every command exists
	local c
	for c in "$@"; do
		[[ -x $c ]] || command -v "$c" >/dev/null ||
			skip "$c is not installed (scripts/packages.sh installs it)"
	done
}

# sv_packages: install what scripts/packages.sh lists (nginx, gunicorn,
# apache2, postgresql ...) when something is missing; idempotent and quick
# when everything is there. For setup_file of the files that need them.
sv_packages() {
	[[ -x /usr/sbin/nginx && -x /usr/bin/gunicorn && -x /usr/sbin/apache2 &&
		-d /usr/lib/postgresql ]] && return 0
	"$TESTS_ROOT/scripts/packages.sh" >&2
}

# sv_nginx_conf DIR PORT DAEMON(on|off): a private nginx config in DIR
# (pid, logs and temp paths there; answers /ping with "pong"). The tag env
# is kept for the workers and for a binary upgrade's new master.
sv_nginx_conf() {
	local d=$1
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
daemon $3;
master_process on;
user root;
worker_processes 2;
pid $d/nginx.pid;
error_log $d/error.log notice;
env MINITTEST_TAG;
events { worker_connections 64; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	server {
		listen 127.0.0.1:$2;
		location /ping { return 200 "pong\n"; }
		location / { return 200 "nginx \$pid\n"; }
	}
}
EOF
}

# sv_http PORT PATH: the body of a GET (empty on failure)
sv_http() { curl -sS --max-time 5 "http://127.0.0.1:$1$2" 2>/dev/null; }
sv_http_ok() { [[ $(sv_http "$1" "${2:-/ping}") == "${3:-pong}"* ]]; }

# sv_pidfile_pid FILE: the pid in FILE (empty if none)
sv_pidfile_pid() { tr -dc '0-9' <"$1" 2>/dev/null || true; }

# sv_apache_conf DIR PORT: a private apache2 prefork config in DIR (pid file,
# logs, runtime dir there; nothing served: every request gets a 404)
sv_apache_conf() {
	local d=$1 m=/usr/lib/apache2/modules
	mkdir -p "$d/htdocs"
	cat >"$d/httpd.conf" <<EOF2
ServerName localhost
ServerRoot $d
DefaultRuntimeDir $d
PidFile $d/httpd.pid
ErrorLog $d/error.log
LogLevel info
Listen 127.0.0.1:$2
LoadModule mpm_prefork_module $m/mod_mpm_prefork.so
LoadModule authz_core_module $m/mod_authz_core.so
User www-data
Group www-data
StartServers 2
MinSpareServers 1
MaxSpareServers 3
GracefulShutdownTimeout 5
Timeout 10
DocumentRoot $d/htdocs
EOF2
}

# sv_http_code PORT: the status code of GET / (000 when nothing answers)
sv_http_code() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null; }
sv_http_answers() { [[ $(sv_http_code "$1") != 000 ]]; }

# sv_wsgi_app DIR: a WSGI module DIR/app.py answering "pong"
sv_wsgi_app() {
	mkdir -p "$1"
	cat >"$1/app.py" <<'EOF2'
def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'pong\n']
EOF2
}

# PostgreSQL: a cluster made once per file (initdb takes seconds) in a
# directory owned by postgres (BATS_TEST_TMPDIR is root-only).
SV_PGBIN=/usr/lib/postgresql/15/bin

# sv_pg_init: for setup_file; exports SV_PG (the directory) or returns 1
sv_pg_init() {
	[[ -x $SV_PGBIN/postgres ]] && id postgres >/dev/null 2>&1 || return 1
	SV_PG=$(mktemp -d /tmp/minit-pg.XXXXXX) || return 1
	export SV_PG
	mkdir -p "$SV_PG/sock"
	chown -R postgres: "$SV_PG"
	chmod 0700 "$SV_PG"
	runuser -u postgres -- "$SV_PGBIN/initdb" -D "$SV_PG/data" -A trust -U postgres \
		--no-sync >"$SV_PG/initdb.log" 2>&1
}

sv_pg_cleanup() { [[ -n ${SV_PG:-} && $SV_PG == /tmp/minit-pg.* ]] && rm -rf "$SV_PG"; }

sv_pg_ready() { runuser -u postgres -- "$SV_PGBIN/pg_isready" -q -h "$SV_PG/sock" -p 5432; }
