#!/usr/bin/env bash
# Release tarballs, byte-for-byte reproducible (make dist).
#
#   scripts/dist.sh OUTDIR VERSION ARCH=BINARY...
#
# For each ARCH=BINARY: OUTDIR/minit-VERSION-ARCH.tar.gz holding
# minit-VERSION-ARCH/{minit,minit.1,LICENSE,README.md}; then
# OUTDIR/SHA256SUMS over every tarball. Reproducible: every file gets the
# time of the last commit (SOURCE_DATE_EPOCH, taken from git when unset),
# mode 0755 (minit) or 0644, owner and group 0 with no names; tar sorts the
# names (--sort=name, GNU format: no atime or ctime), gzip stores no name or
# time (-n). The binaries must be reproducible themselves (mk/ship.mk).
set -euo pipefail

me=dist.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
(($# >= 3)) || die "usage: $0 OUTDIR VERSION ARCH=BINARY..."
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$1 version=$2
shift 2
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
		die "SOURCE_DATE_EPOCH unset and no git history to take it from"
fi
[[ $SOURCE_DATE_EPOCH =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH is not a number"
export SOURCE_DATE_EPOCH LC_ALL=C TZ=UTC

mkdir -p "$out"
stage=$(mktemp -d "$out/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
tarballs=()
for spec; do
	arch=${spec%%=*} bin=${spec#*=}
	[[ $arch != "$spec" && -n $arch ]] || die "'$spec' is not ARCH=BINARY"
	file -L "$bin" 2>/dev/null | grep -q 'statically linked' || die "$bin is missing or not static (run make)"
	name=minit-$version-$arch
	d=$stage/$name
	mkdir -p "$d"
	chmod 0755 "$d"
	install -m 0755 "$bin" "$d/minit"
	install -m 0644 "$root/minit.1" "$root/LICENSE" "$root/README.md" "$d/"
	find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	tar -C "$stage" --format=gnu --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
		--owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -9n >"$out/$name.tar.gz.tmp"
	mv -f "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
	tarballs+=("$name.tar.gz")
done
(cd "$out" && sha256sum "${tarballs[@]}" | sort -k2 >SHA256SUMS.tmp && mv -f SHA256SUMS.tmp SHA256SUMS)
printf '%s: %s/SHA256SUMS (SOURCE_DATE_EPOCH=%s)\n' "$me" "$out" "$SOURCE_DATE_EPOCH"
sed 's/^/  /' "$out/SHA256SUMS"
