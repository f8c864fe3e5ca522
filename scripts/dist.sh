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
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/ship-lib.sh
source "$root/scripts/ship-lib.sh"
(($# >= 3)) || die "usage: $0 OUTDIR VERSION ARCH=BINARY..."
out=$1 version=$2
shift 2
ship_epoch "$root"

ship_stage "$out"
tarballs=()
for spec; do
	ship_spec "$spec"
	name=minit-$version-$SPEC_ARCH
	d=$STAGE/$name
	mkdir -p "$d"
	chmod 0755 "$d"
	install -m 0755 "$SPEC_BIN" "$d/minit"
	install -m 0644 "$root/minit.1" "$root/LICENSE" "$root/README.md" "$d/"
	find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	tar -C "$STAGE" --format=gnu --sort=name --mtime="@$SOURCE_DATE_EPOCH" \
		--owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -9n >"$out/$name.tar.gz.tmp"
	mv -f "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
	tarballs+=("$name.tar.gz")
done
(cd "$out" && sha256sum "${tarballs[@]}" | sort -k2 >SHA256SUMS.tmp && mv -f SHA256SUMS.tmp SHA256SUMS)
printf '%s: %s/SHA256SUMS (SOURCE_DATE_EPOCH=%s)\n' "$me" "$out" "$SOURCE_DATE_EPOCH"
sed 's/^/  /' "$out/SHA256SUMS"
