#!/usr/bin/env bash
# The whole test run behind `make check`: unit tests, the bats suite against
# the static build, against the cross builds under qemu-user (check-cross),
# against the ASan/UBSan build (with --cgroup off: the /proc code) and under
# valgrind memcheck, the Docker and
# podman end-to-end suite, a brief fuzz run, a smoke run of the benchmark,
# and the release (check-dist: reproducible tarballs; check-deb: the .deb).
# Every stage's TAP lines are counted; the last line is "N passed, N
# failed". Expects `make check` to have built minit, minit-asan,
# minit-valgrind, the helpers and the unit tests. CHECK_STAGES limits the
# stages (e.g. CHECK_STAGES="unit bats").
set -uo pipefail
cd "$(dirname "$0")/.."

stages=${CHECK_STAGES:-unit bats cross asan valgrind e2e fuzz bench dist deb}
log_dir=build/check
mkdir -p "$log_dir"
passed=0 failed=0 skipped=0

# Runs a TAP-producing command, echoes its output, adds up its results.
tap_stage() {
	local name=$1 out=$log_dir/$1.tap rc p f s t0=$SECONDS
	shift
	echo "== $name: $*"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+' "$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+.*# skip' "$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$out" | tr -d ' ')
	if ((rc != 0 && f == 0)); then
		echo "not ok - $name: exited $rc with no failing test reported"
		f=1
	fi
	passed=$((passed + p - s)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "== $name: $((p - s)) passed, $f failed, $s skipped, $((SECONDS - t0)) s"
}

# A command that is one test: passes when it exits 0.
cmd_stage() {
	local name=$1 t0=$SECONDS
	shift
	echo "== $name: $*"
	if "$@" >"$log_dir/$name.log" 2>&1; then
		tail -n 30 "$log_dir/$name.log"
		passed=$((passed + 1))
		echo "ok - $name ($((SECONDS - t0)) s)"
	else
		tail -n 60 "$log_dir/$name.log"
		failed=$((failed + 1))
		echo "not ok - $name ($((SECONDS - t0)) s, log: $log_dir/$name.log)"
	fi
}

for stage in $stages; do
	case $stage in
	unit) tap_stage unit build/tests/unit ;;
	bats) tap_stage bats bats --tap tests ;;
	# with --cgroup off everywhere: the /proc walk runs where the other
	# stages take cgroup mode (tests/lib/launch.bash, TEST_CGROUP)
	asan) MINIT=$PWD/minit-asan TEST_CGROUP=off tap_stage asan bats --tap tests ;;
	# every minit under memcheck; a test fails on any valgrind error (tests/lib/valgrind.bash)
	valgrind) MINIT=$PWD/minit-valgrind VALGRIND=1 tap_stage valgrind bats --tap tests ;;
	e2e)
		if [[ -d tests/e2e ]] && compgen -G 'tests/e2e/*.bats' >/dev/null; then
			scripts/packages.sh --e2e
			tap_stage e2e bats --tap tests/e2e
		fi
		;;
	# the cross builds under qemu-user (mk/ship.mk, scripts/check-cross.sh)
	cross) tap_stage cross make --no-print-directory -s check-cross ;;
	fuzz) cmd_stage fuzz make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-5}" ;;
	bench) [[ -x bench/run.sh ]] && cmd_stage bench-smoke bench/run.sh --smoke --out "$log_dir/bench" ;;
	# release tarballs reproducible; the .deb lintian-clean, installs, runs, goes
	dist) tap_stage dist make --no-print-directory -s check-dist ;;
	deb) tap_stage deb make --no-print-directory -s check-deb ;;
	*) echo "unknown stage $stage" >&2; failed=$((failed + 1)) ;;
	esac
done

echo
((skipped)) && echo "($skipped skipped)"
echo "(all stages: $SECONDS s)"
echo "$passed passed, $failed failed"
((failed == 0))
