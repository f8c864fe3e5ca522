#!/usr/bin/env bash
# make check-cross: the cross builds tested on this machine, as TAP.
#
#   scripts/check-cross.sh ARCH[:FILE,FILE...]...
#
# For each ARCH (scripts/arch.sh; build/ARCH/minit and build/ARCH/tests/unit
# must be built, `make check-cross` does that):
#   - `file` names the architecture, the binary is static and stripped, and
#     its size is within the target of scripts/arch.sh (README's table);
#   - qemu-QEMU-static build/ARCH/minit -- sh -c 'exit 3' exits 3 (direct
#     emulation, no binfmt needed; natively for an ARCH this kernel runs);
#   - the unit tests (build/ARCH/tests/unit, TAP) under the same emulator;
#   - the core bats files (CROSS_BATS_FILES, or the FILEs given after the
#     colon, names under tests/ without .bats) with MINIT=build/ARCH/minit,
#     as PID 1 and as subreaper: the kernel runs the binary through
#     qemu-user-static registered with binfmt_misc (scripts/binfmt.sh), and
#     tests/lib/cross.bash recognises the emulated run. Where binfmt cannot
#     be registered the bats part is one skipped test naming the reason.
# Exit status 0 when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/arch.sh
source scripts/arch.sh

CROSS_BATS_FILES=${CROSS_BATS_FILES:-00-cli 01-exit-codes 02-signals 03-reaping 30-stop 32-restart 40-privs}
# shellcheck source=scripts/ship-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ship-lib.sh"

# the strings `file` prints for each ELF machine
file_says() {
	case $1 in
	x86_64) echo 'x86-64' ;;
	aarch64) echo 'ARM aarch64' ;;
	armhf) echo 'ARM, EABI5' ;;
	i386) echo 'Intel 80386' ;;
	esac
}

(($#)) || { echo "usage: $0 ARCH[:FILE,...]..." >&2; exit 2; }
for spec; do
	arch=${spec%%:*} files=$CROSS_BATS_FILES
	[[ $spec == *:* ]] && files=${spec#*:} && files=${files//,/ }
	if ! arch_info "$arch"; then
		tap not-ok "$arch: a known architecture" "scripts/arch.sh does not know '$arch'"
		continue
	fi
	bin=build/$arch/minit unit=build/$arch/tests/unit
	echo "# == $arch: $bin"

	desc=$(file -b "$bin" 2>&1)
	want=$(file_says "$arch")
	size=$(stat -c %s "$bin" 2>/dev/null || echo 0)
	if [[ $desc == *"$want"* && $desc == *"statically linked"* && $desc == *", stripped"* ]] &&
		((size <= ARCH_MAXKB * 1000)); then
		tap ok "$arch: $bin is a static stripped $want binary of $size bytes (target ${ARCH_MAXKB} KB)"
	else
		tap not-ok "$arch: $bin is a static stripped $want binary within ${ARCH_MAXKB} KB" \
			"file: $desc" "size: $size bytes"
	fi

	# the emulator, or nothing for an architecture this kernel runs
	emu=(qemu-"$ARCH_QEMU"-static)
	binfmt_out=$(scripts/binfmt.sh "$arch" 2>&1)
	binfmt_rc=$?
	[[ $binfmt_out == *"run natively"* ]] && emu=()
	if ((${#emu[@]})) && ! command -v "${emu[0]}" >/dev/null; then
		tap not-ok "$arch: ${emu[0]} is installed" "run scripts/packages.sh --cross"
		continue
	fi

	out=$("${emu[@]}" "$bin" -- sh -c 'exit 3' 2>&1)
	rc=$?
	if ((rc == 3)); then
		tap ok "$arch: ${emu[*]:+${emu[*]} }$bin -- sh -c 'exit 3' exits 3"
	else
		tap not-ok "$arch: ${emu[*]:+${emu[*]} }$bin -- sh -c 'exit 3' exits 3" "exit $rc: $out"
	fi

	if [[ -x $unit ]]; then
		uout=$("${emu[@]}" "$unit" 2>&1)
		urc=$?
		total=$(grep -cE '^ok [0-9]+' <<<"$uout")
		bad=$(grep -E '^not ok [0-9]+' <<<"$uout")
		if ((urc == 0 && total > 0)) && [[ -z $bad ]]; then
			tap ok "$arch: $total unit tests pass${emu[*]:+ under ${emu[*]}}"
		else
			tap not-ok "$arch: unit tests${emu[*]:+ under ${emu[*]}}" "exit $urc" "${bad:-$(tail -n 5 <<<"$uout")}"
		fi
	else
		tap not-ok "$arch: unit tests" "$unit is missing (make check-cross builds it)"
	fi

	paths=()
	for f in $files; do paths+=("tests/$f.bats"); done
	if ((binfmt_rc == 3)); then
		tap_skip "$arch: bats ${files// /, }" "${binfmt_out##*$'\n'}"
		continue
	elif ((binfmt_rc != 0)); then
		tap not-ok "$arch: binfmt_misc entry for qemu-$ARCH_QEMU" "$binfmt_out"
		continue
	fi
	[[ -n $binfmt_out && ${#emu[@]} -gt 0 ]] && printf '# %s\n' "$binfmt_out"
	echo "# bats ${paths[*]} with MINIT=$PWD/$bin"
	t0=$SECONDS before=$TAP_FAILED
	# bats' own TAP lines, renumbered after ours so the stream stays one plan
	while IFS= read -r line; do
		if [[ $line =~ ^(not )?ok\ [0-9]+(.*)$ ]]; then
			TAP_N=$((TAP_N + 1))
			[[ -n ${BASH_REMATCH[1]} ]] && TAP_FAILED=$((TAP_FAILED + 1))
			echo "${BASH_REMATCH[1]}ok $TAP_N $arch: ${BASH_REMATCH[2]# }"
		elif [[ $line =~ ^1\.\.[0-9]+$ ]]; then
			:
		elif [[ $line =~ ^#\ bats\ exit\ ([0-9]+)$ ]]; then
			((BASH_REMATCH[1] == 0 || TAP_FAILED > before)) ||
				tap not-ok "$arch: bats ${files// /, }" "bats exited ${BASH_REMATCH[1]} with no failing test"
		else
			echo "$line"
		fi
	done < <(MINIT=$PWD/$bin bats --tap "${paths[@]}" 2>&1; echo "# bats exit $?")
	echo "# $arch: bats took $((SECONDS - t0)) s"
done
tap_finish
