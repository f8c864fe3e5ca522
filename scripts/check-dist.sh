#!/usr/bin/env bash
# make check-dist: `make dist` is reproducible, as TAP.
#
# Clones the committed tree twice, at two different paths, builds `make
# dist` in each from nothing but the deps (build/deps and build/ARCH/deps are
# copied: they are Debian's libraries, path independent, and rebuilding them
# would only cost time), and compares: both SHA256SUMS must be identical, no
# binary may hold the path it was built at, and every tarball member has
# owner 0:0 and the last commit's time. Uncommitted changes are not in the
# clones: this checks HEAD.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
# shellcheck source=scripts/arch.sh
source scripts/arch.sh

# shellcheck source=scripts/ship-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/ship-lib.sh"

tmp=$(mktemp -d /tmp/minit-check-dist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
epoch=$(git log -1 --format=%ct)
dirs=("$tmp/one/minit" "$tmp/two/a/longer/path/minit-src")
for d in "${dirs[@]}"; do
	log=$tmp/$(basename "$(dirname "$d")").log
	if ! git clone -q --no-hardlinks "$root" "$d" >"$log" 2>&1; then
		tap not-ok "git clone into $d" "$(tail -n 5 "$log")"
		tap_finish
	fi
	mkdir -p "$d/build"
	[[ -d build/deps ]] && cp -a build/deps "$d/build/"
	for a in $(arch_cross_list); do
		[[ -d build/$a/deps ]] && mkdir -p "$d/build/$a" && cp -a "build/$a/deps" "$d/build/$a/"
	done
	t0=$SECONDS
	if make -C "$d" --no-print-directory dist >"$log" 2>&1; then
		tap ok "make dist in a fresh clone at $d ($((SECONDS - t0)) s)"
	else
		tap not-ok "make dist in a fresh clone at $d" "$(tail -n 15 "$log")"
		tap_finish
	fi
done

one=${dirs[0]}/dist two=${dirs[1]}/dist
if cmp -s "$one/SHA256SUMS" "$two/SHA256SUMS"; then
	tap ok "both clones give the same SHA256SUMS ($(wc -l <"$one/SHA256SUMS") tarballs)"
	sed 's/^/# /' "$one/SHA256SUMS"
else
	tap not-ok "both clones give the same SHA256SUMS" "$(diff "$one/SHA256SUMS" "$two/SHA256SUMS")"
fi
if out=$(cd "$one" && sha256sum --quiet -c SHA256SUMS 2>&1); then
	tap ok "SHA256SUMS matches the tarballs"
else
	tap not-ok "SHA256SUMS matches the tarballs" "$out"
fi

bad=()
stamp=$(date -u -d "@$epoch" '+%Y-%m-%d %H:%M')
for t in "$two"/minit-*.tar.gz; do
	members=$(tar -tzf "$t" | LC_ALL=C sort | tr '\n' ' ')
	name=$(basename "$t" .tar.gz)
	want="$name/ $name/LICENSE $name/README.md $name/minit $name/minit.1 "
	[[ $members == "$want" ]] || bad+=("${t##*/}: members $members")
	# "MODE OWNER/GROUP SIZE DAY HH:MM NAME"
	while read -r _ owner _ day hm name; do
		[[ $owner == 0/0 ]] || bad+=("${t##*/}: $name owned by $owner")
		[[ "$day $hm" == "$stamp" ]] || bad+=("${t##*/}: $name dated $day $hm, not $stamp")
	done < <(TZ=UTC tar --numeric-owner -tvzf "$t")
	tar -xzOf "$t" "$(basename "$t" .tar.gz)/minit" | grep -qaF "$tmp" && bad+=("${t##*/}: minit holds the build path $tmp")
done
if ((${#bad[@]} == 0)); then
	tap ok "each tarball holds minit, minit.1, LICENSE, README.md, owner 0:0, dated $(date -u -d "@$epoch" +%FT%TZ), no build path"
else
	tap not-ok "tarball contents, owners, times, no build path" "${bad[@]}"
fi
tap_finish
