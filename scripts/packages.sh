#!/usr/bin/env bash
# Install, only when missing, the Debian packages minit needs to build, lint
# and test, so a fresh Debian 12 machine works with nothing installed by hand.
#
#   scripts/packages.sh [--e2e] [--bench] [--cross] [--deb] [--dry-run]
#
#   --e2e      also docker.io, podman and debootstrap (tests/e2e)
#   --bench    also gnuplot-nox and hyperfine (bench/)
#   --cross    also the cross compilers, Debian's musl-dev for each cross
#              architecture of scripts/arch.sh (multiarch: dpkg
#              --add-architecture) and qemu-user-static (make ARCH=..., dist)
#   --deb      also lintian (make deb)
#   --dry-run  only print what is missing; exit 1 if anything is
#
# Idempotent and fast: one dpkg-query call when everything is present.
# `apt-get update` runs at most once, and only if something is missing.
# No service is started by the install (a temporary policy-rc.d says 101).
# Safe with CI=true and no stdin. Prints one line per action.
# A name PKG:ARCH is that architecture's package (multiarch).
set -euo pipefail

me=packages.sh
say() { printf '%s: %s\n' "$me" "$*"; }
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }

e2e=0 bench=0 cross=0 deb=0 dry=0
for arg in "$@"; do
	case $arg in
	--e2e) e2e=1 ;;
	--bench) bench=1 ;;
	--cross) cross=1 ;;
	--deb) deb=1 ;;
	--dry-run) dry=1 ;;
	-h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) printf '%s: error: unknown argument %s (see --help)\n' "$me" "$arg" >&2; exit 2 ;;
	esac
done

# One entry per need; "a|b" means any one of them will do (the first is
# installed when none is). `script` comes from bsdutils on bookworm
# (Essential, always there); bsdextrautils has hexdump, column, ...
# libc6-dbg: valgrind needs the symbols of Debian's stripped ld.so (its
# mandatory strlen redirection), or every program dies at start-up.
wanted=(
	build-essential musl-tools gperf dpkg-dev file
	libseccomp-dev libcap-dev
	bats bats-support bats-assert
	busybox-static util-linux bsdutils bsdextrautils procps libcap2-bin perl
	clang cppcheck clang-tidy strace valgrind tmux
	libc6-dbg
	'nginx-light|nginx' apache2 gunicorn python3 postgresql
	tini dumb-init catatonit
)
((e2e)) && wanted+=(docker.io podman debootstrap)
((bench)) && wanted+=(gnuplot-nox hyperfine)
((deb)) && wanted+=(lintian)
# Cross builds: gcc-TRIPLET, the kernel headers for it (under
# /usr/TRIPLET/include), Debian's musl-dev of that architecture (its
# MUSL-gcc wrapper drives the cross gcc with musl's specs), qemu-user-static
# to run the result. Foreign architectures are added to dpkg first (see below).
foreign=()
if ((cross)); then
	# shellcheck source=scripts/arch.sh
	source "$(dirname "${BASH_SOURCE[0]}")/arch.sh"
	wanted+=(qemu-user-static)
	for a in $(arch_cross_list); do
		arch_info "$a"
		wanted+=("gcc-$ARCH_GNU" "linux-libc-dev-$ARCH_DEB-cross" "musl-dev:$ARCH_DEB")
		foreign+=("$ARCH_DEB")
	done
fi

# Prints the entries of "wanted" that are not satisfied, one per line.
missing_entries() {
	local names=() entry alt
	for entry in "${wanted[@]}"; do
		IFS='|' read -r -a alts <<<"$entry"
		names+=("${alts[@]}")
	done
	# dpkg-query exits 1 when it knows nothing of a name: that is expected.
	# (PKG:ARCH is installed when that architecture's PKG is; a bare PKG
	# when the native one or an Architecture: all one is)
	local -A have=()
	local pkg arch status native
	native=$(dpkg --print-architecture)
	while IFS=$'\t' read -r pkg arch status; do
		[[ $status == "install ok installed" ]] || continue
		have[$pkg:$arch]=1
		[[ $arch == "$native" || $arch == all ]] && have[$pkg]=1
	done < <(dpkg-query -W -f='${Package}\t${Architecture}\t${Status}\n' "${names[@]}" 2>/dev/null || true)
	for entry in "${wanted[@]}"; do
		IFS='|' read -r -a alts <<<"$entry"
		local ok=0
		for alt in "${alts[@]}"; do
			if [[ -n ${have[$alt]:-} ]]; then ok=1; break; fi
		done
		((ok)) || printf '%s\n' "$entry"
	done
}

mapfile -t missing < <(missing_entries)
if ((${#missing[@]} == 0)); then
	say "all ${#wanted[@]} packages present"
	exit 0
fi
if ((dry)); then
	say "missing: ${missing[*]}"
	exit 1
fi

command -v apt-get >/dev/null || die "apt-get not found: this script is for Debian 12"
[[ $(id -u) == 0 ]] || die "must run as root to install: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true
exec </dev/null

# Serialise with scripts/build-deps.sh (make -j) and wait for other apt users.
lock=/run/lock/minit-apt.lock
[[ -d /run/lock ]] || lock=/tmp/minit-apt.lock
exec 9>"$lock"
if ! flock -n 9; then
	say "waiting for another minit apt run ($lock)"
	flock -w 900 9 || die "timed out waiting for $lock"
fi
# Someone else may have installed things meanwhile.
mapfile -t missing < <(missing_entries)
if ((${#missing[@]} == 0)); then
	say "all ${#wanted[@]} packages present"
	exit 0
fi
say "missing: ${missing[*]}"

# Foreign architectures for the multiarch packages (--cross).
for a in "${foreign[@]}"; do
	if ! dpkg --print-foreign-architectures | grep -qxF "$a"; then
		dpkg --add-architecture "$a" || die "dpkg --add-architecture $a failed"
		say "added dpkg architecture $a"
	fi
done

apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

say "apt-get update"
# shellcheck source=scripts/apt-update.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-update.sh"
apt_update /tmp/minit-apt-update.$$

# Resolve "a|b": the first alternative that apt knows.
pkgs=()
for entry in "${missing[@]}"; do
	IFS='|' read -r -a alts <<<"$entry"
	pick=
	for alt in "${alts[@]}"; do
		cand=$(apt-cache policy "$alt" 2>/dev/null | awk '/Candidate:/ { print $2 }')
		if [[ -n $cand && $cand != "(none)" ]]; then pick=$alt; break; fi
	done
	[[ -n $pick ]] || die "no installable package for '$entry' in the apt sources"
	pkgs+=("$pick")
done

# No service may start during the install: on a machine without systemd,
# invoke-rc.d would start nginx, apache2 (both on port 80: the second one
# fails its postinst), postgresql and dockerd. policy-rc.d exit 101 = "not
# allowed". Keep a policy that already denies; otherwise swap ours in and
# put things back on exit.
policy=/usr/sbin/policy-rc.d
saved=
restore_policy() {
	if [[ -n $saved ]]; then
		if [[ $saved == none ]]; then rm -f "$policy"; else mv -f "$saved" "$policy"; fi
		say "restored $policy"
	fi
}
rc=0
[[ -x $policy ]] && { "$policy" minit-probe start >/dev/null 2>&1 || rc=$?; }
if [[ $rc != 101 ]]; then
	if [[ -e $policy ]]; then
		saved=$policy.minit-saved
		mv -f "$policy" "$saved"
	else
		saved=none
	fi
	trap restore_policy EXIT
	printf '#!/bin/sh\n# temporary, from minit scripts/packages.sh: start no service\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	say "installed temporary $policy (exit 101: no service starts)"
fi

say "apt-get install ${pkgs[*]}"
if ! apt-get "${apt_opts[@]}" -y -q --no-install-recommends install "${pkgs[@]}" \
	>/tmp/minit-apt-install.$$ 2>&1; then
	tail -n 40 /tmp/minit-apt-install.$$ >&2
	rm -f /tmp/minit-apt-install.$$
	die "apt-get install failed: ${pkgs[*]}"
fi
rm -f /tmp/minit-apt-install.$$

mapfile -t still < <(missing_entries)
((${#still[@]} == 0)) || die "still missing after install: ${still[*]}"
say "installed ${#pkgs[@]} package(s); all ${#wanted[@]} present"
