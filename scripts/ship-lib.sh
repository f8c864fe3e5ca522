# shellcheck shell=bash
# Shared by the release scripts (dist.sh, deb.sh) and the checks that print
# TAP (check-cross.sh, check-dist.sh, check-deb.sh). Source it; `me` names
# the script in error lines.

# die MESSAGE: one error line, exit 1
die() { printf '%s: error: %s\n' "${me:-${0##*/}}" "$*" >&2; exit 1; }

# ---- TAP ---------------------------------------------------------------------
TAP_N=0 TAP_FAILED=0

# tap ok|not-ok DESCRIPTION [DETAIL...]: one test line (details as comments)
tap() {
	local r=$1 d=$2
	shift 2
	TAP_N=$((TAP_N + 1))
	if [[ $r == ok ]]; then
		echo "ok $TAP_N - $d"
	else
		echo "not ok $TAP_N - $d"
		TAP_FAILED=$((TAP_FAILED + 1))
		(($#)) && printf '# %s\n' "$@"
	fi
	return 0
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # skip $2"
}

# tap_finish: the plan line; exit 1 if a test failed
tap_finish() {
	echo "1..$TAP_N"
	exit $((TAP_FAILED > 0))
}

# ---- releases --------------------------------------------------------------------
# ship_epoch ROOT: export SOURCE_DATE_EPOCH (the last commit's time unless
# set), LC_ALL=C and TZ=UTC
ship_epoch() {
	if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
		SOURCE_DATE_EPOCH=$(git -C "$1" log -1 --format=%ct 2>/dev/null) ||
			die "SOURCE_DATE_EPOCH unset and no git history to take it from"
	fi
	[[ $SOURCE_DATE_EPOCH =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH is not a number"
	export SOURCE_DATE_EPOCH LC_ALL=C TZ=UTC
}

# ship_stage OUTDIR: STAGE = a new scratch directory in OUTDIR, removed at exit
ship_stage() {
	mkdir -p "$1" || die "cannot create $1"
	STAGE=$(mktemp -d "$1/.stage.XXXXXX") || die "cannot create a directory in $1"
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "rm -rf '$STAGE'" EXIT
}

# ship_spec ARCH=BINARY: sets SPEC_ARCH and SPEC_BIN; dies unless BINARY is
# a static executable
ship_spec() {
	SPEC_ARCH=${1%%=*} SPEC_BIN=${1#*=}
	[[ $SPEC_ARCH != "$1" && -n $SPEC_ARCH ]] || die "'$1' is not ARCH=BINARY"
	file -L "$SPEC_BIN" 2>/dev/null | grep -q 'statically linked' ||
		die "$SPEC_BIN is missing or not static (run make)"
}
