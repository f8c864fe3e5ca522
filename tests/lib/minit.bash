# The minit bats library. Every tests/*.bats file loads this one entry point:
#
#   load lib/minit
#
# which sources the topic files beside it:
#   procs.bash     polling (wait_for, nap, wait_lines) and /proc inspection:
#                  states, descendants, zombies, minit's main child, host pids
#   launch.bash    starting minit in the two modes (launch, start_minit,
#                  run_minit, wait_minit), minit's log, per-test set-up and the
#                  teardown with its tagged clean-up
#   signals.bash   the sigrec recorder: signal numbers, ready lines, signal
#                  records, waits and assertions, the marker signal
#   timing.bash    svtool's clock and exit watcher, timing assertions,
#                  sv_timed retries, sv_both, sv_open (a supervision test's
#                  opening)
#   valgrind.bash  VALGRIND=1: every minit under valgrind memcheck
#   servers.bash   free ports, prefork-server, nginx, apache2, gunicorn and
#                  PostgreSQL (configs in tests/fixtures/)
#   cross.bash     a minit built for another architecture, under qemu-user
#   compat.bash    the differential compat suites (tests/5x-compat-*.bats):
#                  one body against a peer's binary (tini, dumb-init) and
#                  against minit under the peer's name
#
# Every behaviour is run in two modes:
#   pid1 - minit is PID 1 of a new PID namespace:
#          unshare --pid --fork --mount-proc MINIT ...
#          (unshare is our child; minit is unshare's child; minit's children
#          see it as pid 1)
#   sub  - minit is a plain child of the bats shell, i.e. not PID 1, so it
#          must make itself a child subreaper.
# A test body is a function taking the mode; each file has one @test per mode.
#
# Helpers that look something up return it in a variable named in their
# header comment (no output, no fork: a fork costs tens of ms on a busy
# machine); predicates return a status. Synchronisation is always by polling
# with a deadline (wait_for and friends), never by fixed sleeps.
#
# The C probes (tests/helpers/*.c, tests/fixtures/prefork-server.c) are built
# by the Makefile only (`make test-helpers`; make check, check-bats and the
# other check targets depend on it); setup_file checks that they are there.
#
# Environment knobs:
#   MINIT          binary under test (default: ../minit; e.g.
#                  MINIT=$PWD/minit-asan)
#   TEST_HELPERS   directory of the built probes (default: ../build/tests)
#   TIMEOUT_MULT   multiply every wait_for deadline (slow builds)
#   VALGRIND       1: run every minit under valgrind memcheck (make
#                  check-valgrind, with MINIT=./minit-valgrind); a test fails
#                  when valgrind reports an error (valgrind.bash)
#   SV_TOL, SV_GRACE_TOL, SV_TRIES, SV_EXIT_SLACK: timing bounds and retries
#                  of the supervision tests (timing.bash)

# bats-support gives fail(); its files are sourced directly because its
# load.bash forks a dirname per file, which adds up over 300 tests.
# (bats-assert is not used: load it in a file that wants it.)
_load_bats_support() {
	local d
	for d in ${BATS_LIB_PATH//:/ } /usr/lib/bats /usr/local/lib/bats; do
		if [[ -f $d/bats-support/src/output.bash ]]; then
			source "$d/bats-support/src/output.bash"
			source "$d/bats-support/src/error.bash"
			source "$d/bats-support/src/lang.bash"
			return 0
		fi
	done
	bats_load_library bats-support
}
_load_bats_support

: "${BATS_TEST_TIMEOUT:=90}" # safety net; our own deadlines are much shorter

TESTS_ROOT=${BATS_TEST_DIRNAME%/tests}
[[ $TESTS_ROOT != "$BATS_TEST_DIRNAME" ]] || TESTS_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MINIT=${MINIT:-$TESTS_ROOT/minit}
[[ $MINIT == /* ]] || MINIT=$PWD/$MINIT
TEST_HELPERS=${TEST_HELPERS:-$TESTS_ROOT/build/tests}
FIXTURES=$TESTS_ROOT/tests/fixtures
TIMEOUT_MULT=${TIMEOUT_MULT:-1}
VALGRIND=${VALGRIND:-0}
[[ $VALGRIND == 1 ]] || VALGRIND=0
# an ASan build (make minit-asan) is slower to exit (LeakSanitizer's scan)
ASAN_BUILD=0
grep -q __asan_init "$MINIT" 2>/dev/null && ASAN_BUILD=1

for _lib in procs launch signals timing valgrind servers cross compat; do
	source "${BASH_SOURCE[0]%/*}/$_lib.bash"
done
unset _lib

# check_probes: every probe the Makefile builds is in TEST_HELPERS and not
# older than its source; otherwise one line naming `make test-helpers`
check_probes() {
	local src name bad=()
	for src in "$TESTS_ROOT"/tests/helpers/*.c "$FIXTURES"/*.c; do
		name=${src##*/}
		name=${name%.c}
		[[ -x $TEST_HELPERS/$name && ! $src -nt $TEST_HELPERS/$name ]] || bad+=("$name")
	done
	((${#bad[@]} == 0)) && return 0
	echo "test probes missing or older than their source in $TEST_HELPERS: ${bad[*]}: run \`make test-helpers\`" >&2
	return 1
}

# A file that needs more in its setup_file defines its own and calls
# check_probes first.
setup_file() { check_probes; }
