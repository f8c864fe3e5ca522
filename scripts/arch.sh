#!/usr/bin/env bash
# The one table of the architectures minit is built for: every other script
# and mk/ship.mk take their names from here.
#
#   scripts/arch.sh ARCH       prints "DEB GNU MUSL QEMU MAXKB" for ARCH, exit 2 if unknown
#   scripts/arch.sh --list     prints the cross architectures, one a line
#   source scripts/arch.sh; arch_info ARCH   sets ARCH_DEB ARCH_GNU ARCH_MUSL ARCH_QEMU ARCH_MAXKB
#
# ARCH is minit's name (uname -m style, the build/ARCH/ directory, the
# suffix of the dist tarballs); DEB is dpkg's architecture (multiarch
# musl-dev:DEB, the .deb); GNU is the cross gcc's triplet (gcc-GNU, its
# kernel headers in /usr/GNU/include); MUSL is the triplet of Debian's
# musl-dev for it (/usr/lib/MUSL, /usr/bin/MUSL-gcc); QEMU is the name of
# the qemu-user-static emulator (qemu-QEMU-static) and of its binfmt entry;
# MAXKB is the size target of the static stripped binary (README's table;
# make check-cross checks it).
# x86_64 is the native build (./minit); the others are cross builds.

ARCH_TABLE='x86_64 amd64 x86_64-linux-gnu x86_64-linux-musl x86_64 200
aarch64 arm64 aarch64-linux-gnu aarch64-linux-musl aarch64 220
armhf armhf arm-linux-gnueabihf arm-linux-musleabihf arm 170
i386 i386 i686-linux-gnu i386-linux-musl i386 210'
ARCH_NATIVE=x86_64

# arch_info ARCH: sets ARCH_DEB ARCH_GNU ARCH_MUSL ARCH_QEMU ARCH_MAXKB; 1 if unknown
arch_info() {
	local a d g m q k
	while read -r a d g m q k; do
		if [[ $a == "$1" ]]; then
			ARCH_DEB=$d ARCH_GNU=$g ARCH_MUSL=$m ARCH_QEMU=$q ARCH_MAXKB=$k
			return 0
		fi
	done <<<"$ARCH_TABLE"
	return 1
}

# the cross architectures (every one but the native)
arch_cross_list() { awk -v n="$ARCH_NATIVE" '$1 != n { print $1 }' <<<"$ARCH_TABLE"; }

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	case ${1:-} in
	--list) arch_cross_list ;;
	'' | -h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0" ;;
	*)
		arch_info "$1" || {
			echo "arch.sh: error: unknown architecture '$1' (known: $(awk '{ printf "%s ", $1 }' <<<"$ARCH_TABLE"))" >&2
			exit 2
		}
		echo "$ARCH_DEB $ARCH_GNU $ARCH_MUSL $ARCH_QEMU $ARCH_MAXKB"
		;;
	esac
fi
