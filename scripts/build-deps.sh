#!/usr/bin/env bash
# Build static libseccomp and libcap for musl from Debian's source packages.
#
#   scripts/build-deps.sh [--arch ARCH] [OUTDIR]
#
# OUTDIR defaults to build/deps, or build/ARCH/deps for a cross ARCH of
# scripts/arch.sh (aarch64, armhf, i386): then the compiler is Debian's
# musl-dev:DEB wrapper MUSL-gcc (the cross gcc-GNU with musl's specs), the
# kernel headers are the cross gcc's (/usr/GNU/include), and the test
# program runs under qemu-QEMU-static when that is installed.
#
# Result:
#   OUTDIR/include/    seccomp.h seccomp-syscalls.h sys/capability.h sys/psx_syscall.h
#   OUTDIR/kinclude/   linux/ asm/ asm-generic/: the kernel UAPI headers, alone,
#                      for musl-gcc (which does not search /usr/include)
#   OUTDIR/lib/        libseccomp.a libcap.a
#   OUTDIR/flags.mk    DEPS_CFLAGS, DEPS_LIBS (and DEPS_CC) for `-include`
#                      (mk/ship.mk uses the same layout for cross builds)
#   OUTDIR/stamp       what the build was made from
#
# Sources: a deb-src twin of the machine's Debian apt sources is written to
# /etc/apt/sources.list.d/minit-src.sources (same URIs/Suites/Components/
# Signed-By), then `apt-get source` of the same Debian versions as the
# installed libseccomp2 and libcap2 (Debian patches applied) into
# build/src. Cached: nothing happens while the outputs exist and the stamp
# matches (source versions, musl, kernel headers, this script).
# Needs musl-tools gperf dpkg-dev make file (scripts/packages.sh installs them;
# `scripts/packages.sh --cross` the cross compilers and musl-dev:DEB).
set -euo pipefail

me=build-deps.sh
say() { printf '%s: %s\n' "$me" "$*"; }
died=0
die() { printf '%s: error: %s\n' "$me" "$*" >&2; died=1; exit 1; }
step=starting
# Any other failure (set -e) still ends with one line saying where.
on_exit() {
	local rc=$?
	((rc == 0 || died)) || printf '%s: error: failed (exit %s) while %s\n' "$me" "$rc" "$step" >&2
}
trap on_exit EXIT

srcver() { dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null || true; }

case ${1:-} in -h | --help) sed -n '2,28s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/arch.sh
source "$here/arch.sh"
arch=$ARCH_NATIVE
if [[ ${1:-} == --arch ]]; then
	arch=${2:-}
	shift 2 || die "usage: $0 [--arch ARCH] [OUTDIR]"
fi
(($# <= 1)) || die "usage: $0 [--arch ARCH] [OUTDIR]"
arch_info "$arch" || die "unknown architecture '$arch' (scripts/arch.sh)"
cross=0
[[ $arch == "$ARCH_NATIVE" ]] || cross=1
if ((cross)); then
	out=${1:-$root/build/$arch/deps}
	cc=$ARCH_MUSL-gcc                   # from musl-dev:$ARCH_DEB
	ksrc=/usr/$ARCH_GNU/include         # linux-libc-dev-$ARCH_DEB-cross
	host=(--host="$ARCH_GNU")
	tools=(AR="$ARCH_GNU-ar" RANLIB="$ARCH_GNU-ranlib")
	emu=qemu-$ARCH_QEMU-static
	kver=$(srcver "linux-libc-dev-$ARCH_DEB-cross")
else
	out=${1:-$root/build/deps}
	cc=musl-gcc
	ksrc=
	host=()
	tools=()
	emu=
	kver=$(srcver linux-libc-dev)
fi
step="creating $out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
src=$root/build/src
stamp=$out/stamp

want_seccomp=$(srcver libseccomp2)
want_cap=$(srcver libcap2)
key="libseccomp=${want_seccomp:-latest} libcap2=${want_cap:-latest}"
key+=" arch=$arch musl=$(srcver "musl-dev:$ARCH_DEB") linux=$kver"
key+=" script=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

up_to_date() {
	local f
	for f in lib/libseccomp.a lib/libcap.a include/seccomp.h include/seccomp-syscalls.h \
		include/sys/capability.h kinclude/linux/seccomp.h kinclude/asm/unistd.h flags.mk; do
		[[ -s $out/$f ]] || return 1
	done
	[[ -f $stamp && $(sed -n 's/^key: //p' "$stamp") == "$key" ]]
}
if up_to_date; then
	say "up to date in $out ($(sed -n 's/^built: //p' "$stamp"))"
	exit 0
fi

# ---- prerequisites ---------------------------------------------------------
step="checking tools"
miss=()
for t in "$cc" gcc gperf make dpkg-source file apt-get ar flock ${tools[@]+"${tools[@]#*=}"}; do
	command -v "$t" >/dev/null || miss+=("$t")
done
((${#miss[@]} == 0)) || die "missing ${miss[*]}: run scripts/packages.sh$( ((cross)) && echo ' --cross') first"
[[ $(id -u) == 0 ]] || die "must run as root (writes /etc/apt/sources.list.d, runs apt-get update)"
# One build at a time (make -j, two checkouts' Makefiles): lock this script
# file, then look again: the other run may have just built it.
exec 8<"${BASH_SOURCE[0]}"
if ! flock -n 8; then
	say "waiting for another build-deps.sh run"
	flock -w 900 8 || die "timed out waiting for another build-deps.sh run"
	if up_to_date; then
		say "up to date in $out ($(sed -n 's/^built: //p' "$stamp"))"
		exit 0
	fi
fi

exec </dev/null
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
say "building static libseccomp + libcap for musl ($arch) into $out"
t0=$SECONDS

# ---- deb-src entries ---------------------------------------------------------
step="writing the deb-src apt source"
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
[[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
srcfile=/etc/apt/sources.list.d/minit-src.sources
listfile=/etc/apt/sources.list.d/minit-src.list
tmp=$(mktemp)
# deb822 stanzas with Types: deb, a Suite of this release ("bookworm",
# "bookworm-updates", "bookworm-security") and not disabled -> same stanza
# with Types: deb-src. Continuation lines (an inline Signed-By key) are kept.
shopt -s nullglob
for f in /etc/apt/sources.list.d/*.sources; do
	[[ $f == "$srcfile" ]] && continue
	awk -v cn="$codename" -v from="$f" '
	function flush(   i, ok, n, s, types) {
		if (nl == 0) return
		types = " " tolower(fld["types"]) " "
		ok = types ~ / deb / && types !~ / deb-src / && tolower(fld["enabled"]) != "no"
		if (ok) {
			ok = 0; n = split(fld["suites"], s, /[ \t]+/)
			for (i = 1; i <= n; i++) if (s[i] == cn || index(s[i], cn "-") == 1) ok = 1
		}
		if (ok) {
			printf "# deb-src twin of %s (minit scripts/build-deps.sh)\n", from
			for (i = 1; i <= nl; i++) {
				if (tolower(line[i]) ~ /^types:/) print "Types: deb-src"
				else print line[i]
			}
			print ""
		}
		nl = 0; delete fld
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	{
		line[++nl] = $0
		if ($0 !~ /^[ \t]/) {
			k = tolower($0); sub(/:.*/, "", k)
			v = $0; sub(/^[^:]*:[ \t]*/, "", v)
			fld[k] = v
		}
	}
	END { flush() }' "$f" >>"$tmp"
done
# One-line format (/etc/apt/sources.list, *.list): deb lines for this release.
tmpl=$(mktemp)
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[[ -f $f && $f != "$listfile" ]] || continue
	awk -v cn="$codename" '
	$1 == "deb" {
		i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
		s = $(i + 1)
		if (s == cn || index(s, cn "-") == 1) { $1 = "deb-src"; print }
	}' "$f" >>"$tmpl"
done
shopt -u nullglob
[[ -s $tmp || -s $tmpl ]] || die "no Debian '$codename' deb entry in /etc/apt/sources.list{,.d} to derive deb-src from"
changed=0
install_if_changed() { # tmpfile dest
	if [[ -s $1 ]]; then
		if ! cmp -s "$1" "$2"; then
			install -m 644 "$1" "$2"
			say "wrote $2"
			changed=1
		fi
	elif [[ -e $2 ]]; then
		rm -f "$2"
		changed=1
	fi
	rm -f "$1"
}
install_if_changed "$tmp" "$srcfile"
install_if_changed "$tmpl" "$listfile"

# Serialise with scripts/packages.sh (make -j) for the apt part.
lock=/run/lock/minit-apt.lock
[[ -d /run/lock ]] || lock=/tmp/minit-apt.lock
exec 9>"$lock"
flock -w 900 9 || die "timed out waiting for $lock"

have_src() { # srcpkg [version]: does apt know that source (version)?
	# (no `grep -q` in a pipe: with pipefail its early exit is a SIGPIPE failure)
	local vs
	vs=$(apt-cache showsrc --only-source "$1" 2>/dev/null | sed -n 's/^Version: //p')
	[[ -n $vs ]] || return 1
	[[ -z ${2:-} ]] || grep -qxF -- "$2" <<<"$vs"
}
if ((changed)) || ! have_src libseccomp "$want_seccomp" || ! have_src libcap2 "$want_cap"; then
	step="running apt-get update"
	say "apt-get update"
	# shellcheck source=scripts/apt-update.sh
	source "$here/apt-update.sh"
	apt_update "$out/apt-update.log"
fi

# Pin to the installed Debian version when its source is still served,
# else take the newest source apt knows.
spec() { # srcpkg version
	if [[ -n $2 ]] && have_src "$1" "$2"; then printf '%s=%s' "$1" "$2"; else printf '%s' "$1"; fi
}
step="downloading the source packages"
mkdir -p "$src"
specs=("$(spec libseccomp "$want_seccomp")" "$(spec libcap2 "$want_cap")")
say "apt-get source ${specs[*]}"
(cd "$src" && apt-get -q --download-only source --only-source "${specs[@]}" \
	>"$src/apt-source.log" 2>&1) || { cat "$src/apt-source.log" >&2; die "apt-get source failed"; }
flock -u 9

# The .dsc apt just fetched (hash-checked against the signed Sources list).
dsc_of() { # srcpkg spec
	local v
	v=$(apt-cache showsrc --only-source "$1" | sed -n 's/^Version: //p' | sort -V | tail -n1)
	[[ $2 == *=* ]] && v=${2#*=}
	v=${v#*:}
	printf '%s' "$src/${1}_$v.dsc"
}
dsc_seccomp=$(dsc_of libseccomp "${specs[0]}")
dsc_cap=$(dsc_of libcap2 "${specs[1]}")
for f in "$dsc_seccomp" "$dsc_cap"; do
	[[ -f $f ]] || die "expected $f after apt-get source (see $src/apt-source.log)"
done

step="unpacking the sources"
work=$src/work
((cross)) && work=$src/work-$arch
rm -rf "$work"
mkdir -p "$work"
dpkg-source --no-check -x "$dsc_seccomp" "$work/libseccomp" >"$work/unpack.log" 2>&1 ||
	{ cat "$work/unpack.log" >&2; die "dpkg-source -x $dsc_seccomp failed"; }
dpkg-source --no-check -x "$dsc_cap" "$work/libcap" >>"$work/unpack.log" 2>&1 ||
	{ cat "$work/unpack.log" >&2; die "dpkg-source -x $dsc_cap failed"; }

# ---- kernel headers ------------------------------------------------------------
# musl-gcc searches only musl's include dir, which has no <linux/...>. Giving
# it -I/usr/include would let glibc's headers shadow or mix with musl's, so
# copy the kernel UAPI headers alone (what Alpine's linux-headers is).
step="copying the kernel headers"
multiarch=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
stage=$out.tmp
rm -rf "$stage"
mkdir -p "$stage/include/sys" "$stage/lib" "$stage/kinclude"
if ((cross)); then
	cp -a "$ksrc/linux" "$ksrc/asm-generic" "$ksrc/asm" "$stage/kinclude/"
else
	cp -a /usr/include/linux /usr/include/asm-generic "$stage/kinclude/"
	cp -a "/usr/include/$multiarch/asm" "$stage/kinclude/asm"
fi
[[ -f $stage/kinclude/linux/seccomp.h && -f $stage/kinclude/asm/unistd.h ]] ||
	die "kernel headers incomplete (is linux-libc-dev$( ((cross)) && echo "-$ARCH_DEB-cross") installed?)"
kinc=$stage/kinclude

jobs=$(nproc 2>/dev/null || echo 2)
opt="-Os -ffunction-sections -fdata-sections"

# ---- libseccomp ------------------------------------------------------------------
step="building libseccomp (log: $work/libseccomp.log)"
say "building libseccomp from $(basename "$dsc_seccomp")"
(
	cd "$work/libseccomp"
	# Uses the shipped ./configure: Debian's patches (syscall table) touch no
	# autotools input. If one ever does, make wants automake and fails here.
	CC=$cc CFLAGS="$opt -isystem $kinc" ./configure ${host[@]+"${host[@]}"} --enable-static \
		--disable-shared --disable-python --prefix=/usr
	make -j"$jobs" -C src libseccomp.la
) >"$work/libseccomp.log" 2>&1 || { tail -n 30 "$work/libseccomp.log" >&2; die "libseccomp build failed"; }
cp "$work/libseccomp/src/.libs/libseccomp.a" "$stage/lib/"
cp "$work/libseccomp/include/seccomp.h" "$work/libseccomp/include/seccomp-syscalls.h" "$stage/include/"

# ---- libcap ----------------------------------------------------------------------
step="building libcap (log: $work/libcap.log)"
say "building libcap from $(basename "$dsc_cap")"
(
	cd "$work/libcap"
	make -j"$jobs" -C libcap libcap.a CC="$cc" BUILD_CC=gcc ${tools[@]+"${tools[@]}"} \
		COPTS="$opt -isystem $kinc" BUILD_COPTS=-O2
) >"$work/libcap.log" 2>&1 || { tail -n 30 "$work/libcap.log" >&2; die "libcap build failed"; }
cp "$work/libcap/libcap/libcap.a" "$stage/lib/"
cp "$work/libcap/libcap/include/sys/capability.h" "$work/libcap/psx/psx_syscall.h" "$stage/include/sys/"

# ---- flags.mk --------------------------------------------------------------------
# Paths relative to flags.mk itself, so build/ can move.
cat >"$stage/flags.mk" <<'EOF'
# Generated by scripts/build-deps.sh: static libseccomp + libcap for musl.
# Use with CC = musl-gcc and -static. -isystem: headers that are not ours
# raise no warnings. kinclude holds only the kernel UAPI headers (linux/,
# asm/, asm-generic/), which musl-gcc cannot see otherwise.
DEPS_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
DEPS_CC = musl-gcc
DEPS_CFLAGS = -isystem $(DEPS_DIR)/include -isystem $(DEPS_DIR)/kinclude
DEPS_LIBS = -L$(DEPS_DIR)/lib -lseccomp -lcap
EOF
sed -i "s/^DEPS_CC = musl-gcc\$/DEPS_CC = $cc/" "$stage/flags.mk"

# ---- verify ----------------------------------------------------------------------
step="verifying with a static test program (dir: $work/verify)"
mkdir -p "$work/verify"
cat >"$work/verify/t.c" <<'EOF'
#include <seccomp.h>
#include <sys/capability.h>
#include <linux/seccomp.h>
#include <linux/capability.h>
#include <stdio.h>

int main(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return 1;
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), SCMP_SYS(reboot), 0) != 0)
		return 2;
	seccomp_release(ctx);
	cap_t caps = cap_get_proc();
	if (!caps)
		return 3;
	char *s = cap_to_text(caps, NULL);
	if (!s)
		return 4;
	cap_free(s);
	cap_free(caps);
	printf("ok %d %d\n", SECCOMP_MODE_FILTER, CAP_LAST_CAP);
	return 0;
}
EOF
cat >"$work/verify/Makefile" <<EOF
include $stage/flags.mk
t: t.c
	\$(DEPS_CC) -static -Os -Wall -Wextra -Werror \$(DEPS_CFLAGS) -o \$@ t.c \$(DEPS_LIBS) -Wl,--gc-sections -s
EOF
make -s -C "$work/verify" >"$work/verify/build.log" 2>&1 ||
	{ cat "$work/verify/build.log" >&2; die "test program did not build"; }
if ((!cross)); then
	res=$("$work/verify/t") || die "test program failed: $res"
elif command -v "$emu" >/dev/null; then
	res=$("$emu" "$work/verify/t") || die "test program failed under $emu: $res"
else
	res="ok (not run: no $emu)"
fi
[[ $res == ok* ]] || die "test program printed '$res'"
ftype=$(file -b "$work/verify/t")
[[ $ftype == *"statically linked"* || $ftype == *"static-pie linked"* ]] ||
	die "test program is not static: $ftype"
size=$(stat -c %s "$work/verify/t")

# ---- publish -------------------------------------------------------------------
step="installing into $out"
got_seccomp=$(basename "$dsc_seccomp" .dsc)
got_cap=$(basename "$dsc_cap" .dsc)
{
	printf 'key: %s\n' "$key"
	printf 'built: %s %s\n' "${got_seccomp/_/ }" "${got_cap/_/ }"
	printf 'date: %s\n' "$(date -u +%FT%TZ)"
} >"$stage/stamp"
rm -rf "$out.old"
mv "$out" "$out.old"
mv "$stage" "$out"
rm -rf "$out.old"
# kinclude moved with the rest; flags.mk is path-independent.
say "verified: static test program ($ftype), $size bytes stripped"
say "done in $((SECONDS - t0))s: $(sed -n 's/^built: //p' "$out/stamp")"
