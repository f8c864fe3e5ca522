#!/usr/bin/env bash
# make check-deb: the package installs, runs and goes away, as TAP.
#
#   scripts/check-deb.sh DEB
#
# dpkg -i DEB, then /usr/sbin/minit --version, a command through it, the
# docker-init name's tini-style version line, the man page; dpkg --purge
# minit, and no file of the package may be left. A minit package that is
# installed already (not by this script) is left alone: the test skips.
# dpkg waits for a lock held by another package run (up to 10 minutes).
set -uo pipefail

# shellcheck source=scripts/ship-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ship-lib.sh"
check() { # DESCRIPTION CMD...: one test, passes when CMD exits 0
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then tap ok "$d"; else tap not-ok "$d" "$out"; fi
}
# tap_if DESCRIPTION DETAIL CONDITION...: one test, passes when CONDITION holds
tap_if() {
	local d=$1 detail=$2
	shift 2
	if "$@"; then tap ok "$d"; else tap not-ok "$d" "$detail"; fi
}

deb=${1:?usage: $0 DEB}
[[ -f $deb ]] || { tap not-ok "package $deb exists" "run make deb"; tap_finish; }
[[ $(id -u) == 0 ]] || { tap_skip "install $deb" "not root"; tap_finish; }
if [[ $(dpkg-query -W -f='${Status}' minit 2>/dev/null) == *" installed" ]]; then
	tap_skip "install $deb" "a minit package is installed on this machine already: left alone"
	tap_finish
fi

# dpkg with its lock: retried while another dpkg or apt holds it
dpkg_locked() {
	local i out
	for ((i = 0; i < 300; i++)); do
		out=$(DEBIAN_FRONTEND=noninteractive dpkg "$@" 2>&1) && { echo "$out"; return 0; }
		grep -qiE 'lock|locked' <<<"$out" || { echo "$out"; return 1; }
		sleep 2
	done
	echo "$out"
	return 1
}

mapfile -t files < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^/$')
installed=0
# shellcheck disable=SC2317 # run by the trap
cleanup() { ((installed)) && dpkg_locked --purge minit >/dev/null; }
trap cleanup EXIT

if out=$(dpkg_locked -i "$deb"); then
	installed=1
	tap ok "dpkg -i ${deb##*/}"
else
	tap not-ok "dpkg -i ${deb##*/}" "$out"
	tap_finish
fi
v=$(/usr/sbin/minit --version 2>&1)
tap_if "/usr/sbin/minit --version: $v" "$v" grep -qxE 'minit version [0-9.]+ - git\.[0-9a-f]+' <<<"$v"
out=$(/usr/sbin/minit -- sh -c 'exit 3' 2>&1)
rc=$?
tap_if "/usr/sbin/minit -- sh -c 'exit 3' exits 3" "exit $rc: $out" [ "$rc" = 3 ]
v=$(/usr/libexec/minit/docker-init --version 2>&1)
tap_if "/usr/libexec/minit/docker-init --version in dockerd's format: $v" "$v" \
	grep -qxE 'tini version minit-[0-9.]+ - git\.[0-9a-f]+' <<<"$v"
check "the man page is /usr/share/man/man1/minit.1.gz and reads as one" \
	sh -c 'zcat /usr/share/man/man1/minit.1.gz | grep -q "^\.TH MINIT 1"'
check "dpkg -L minit lists the binary and the docker-init link" \
	sh -c 'dpkg -L minit | grep -qx /usr/sbin/minit && dpkg -L minit | grep -qx /usr/libexec/minit/docker-init'

if out=$(dpkg_locked --purge minit); then
	installed=0
	tap ok "dpkg --purge minit"
else
	tap not-ok "dpkg --purge minit" "$out"
fi
left=()
for f in "${files[@]}"; do
	# directories that other packages own (/usr/share/man/man1, ...) stay
	if [[ -L $f || -f $f ]] || { [[ -d $f ]] && [[ $f == */minit ]]; }; then left+=("$f"); fi
done
[[ $(dpkg-query -W -f='${Status}' minit 2>/dev/null) != *" installed" ]] || left+=("dpkg still lists minit as installed")
tap_if "nothing of the package is left after the purge" "${left[*]}" [ "${#left[@]}" = 0 ]
tap_finish
