# Servers under minit (part of lib/minit): prefork-server
# (tests/fixtures/prefork-server.c), nginx, apache2, gunicorn and PostgreSQL
# with private configs (tests/fixtures/) in the test's directory, on
# 127.0.0.1 and free ports only. The Debian packages come from
# scripts/packages.sh.

# free_port: prints a currently free TCP port on 127.0.0.1
free_port() { "$SVTOOL" freeport; }

# tcp_req PORT TEXT: send TEXT to 127.0.0.1:PORT, print the reply up to EOF
tcp_req() { "$SVTOOL" req "$@"; }

# prefork_ping PORT: a ping answered by a prefork-server worker
prefork_ping() { [[ $(tcp_req "$1" $'ping\n' 2>/dev/null) == pong* ]]; }

# need CMD...: skip the test unless every command exists
need() {
	local c
	for c in "$@"; do
		[[ -x $c ]] || command -v "$c" >/dev/null ||
			skip "$c is not installed (scripts/packages.sh installs it)"
	done
}

# server_packages: install what scripts/packages.sh lists (nginx, gunicorn,
# apache2, postgresql ...) when something is missing; idempotent and quick
# when everything is there. For setup_file of the files that need them.
server_packages() {
	[[ -x /usr/sbin/nginx && -x /usr/bin/gunicorn && -x /usr/sbin/apache2 &&
		-d /usr/lib/postgresql ]] && return 0
	"$TESTS_ROOT/scripts/packages.sh" >&2
}

# fill_fixture NAME OUT KEY=VALUE...: OUT = tests/fixtures/NAME with every
# @KEY@ replaced by VALUE
fill_fixture() {
	local text kv
	text=$(<"$FIXTURES/$1")
	for kv in "${@:3}"; do text=${text//"@${kv%%=*}@"/"${kv#*=}"}; done
	printf '%s\n' "$text" >"$2"
}

# pidfile_pid FILE: prints the pid in FILE (nothing if none)
pidfile_pid() { tr -dc '0-9' <"$1" 2>/dev/null || true; }

# http_get PORT PATH: prints the body of a GET (nothing on failure)
http_get() { curl -sS --max-time 5 "http://127.0.0.1:$1$2" 2>/dev/null; }
# http_ok PORT [PATH] [BODY]: GET PATH (/ping) answers BODY (pong...)
http_ok() { [[ $(http_get "$1" "${2:-/ping}") == "${3:-pong}"* ]]; }
# http_code PORT: prints the status code of GET / (000 when nothing answers)
http_code() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null; }
http_answers() { [[ $(http_code "$1") != 000 ]]; }

# nginx_conf DIR PORT DAEMON(on|off): DIR/nginx.conf from
# tests/fixtures/nginx.conf (pid, logs and temp paths in DIR; /ping answers
# "pong")
nginx_conf() {
	mkdir -p "$1/tmp"
	fill_fixture nginx.conf "$1/nginx.conf" DIR="$1" PORT="$2" DAEMON="$3"
}

# apache_conf DIR PORT: DIR/httpd.conf from tests/fixtures/httpd.conf, an
# apache2 prefork (pid file, logs, runtime dir in DIR; every request a 404)
apache_conf() {
	mkdir -p "$1/htdocs"
	fill_fixture httpd.conf "$1/httpd.conf" DIR="$1" PORT="$2" MODULES=/usr/lib/apache2/modules
}

# wsgi_app DIR: DIR/app.py, a WSGI module answering "pong"
# (tests/fixtures/wsgi_app.py; gunicorn --chdir DIR app:app)
wsgi_app() {
	mkdir -p "$1"
	cp "$FIXTURES/wsgi_app.py" "$1/app.py"
}

# PostgreSQL: a cluster made once per file (initdb takes seconds) in a
# directory owned by postgres (BATS_TEST_TMPDIR is root-only).
PG_BIN=/usr/lib/postgresql/15/bin

# pg_init: for setup_file; exports PG_DIR (the cluster's directory) or
# returns 1
pg_init() {
	[[ -x $PG_BIN/postgres ]] && id postgres >/dev/null 2>&1 || return 1
	PG_DIR=$(mktemp -d /tmp/minit-pg.XXXXXX) || return 1
	export PG_DIR
	mkdir -p "$PG_DIR/sock"
	chown -R postgres: "$PG_DIR"
	chmod 0700 "$PG_DIR"
	runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres \
		--no-sync >"$PG_DIR/initdb.log" 2>&1
}

pg_cleanup() { [[ -n ${PG_DIR:-} && $PG_DIR == /tmp/minit-pg.* ]] && rm -rf "$PG_DIR"; }

pg_ready() { runuser -u postgres -- "$PG_BIN/pg_isready" -q -h "$PG_DIR/sock" -p 5432; }
