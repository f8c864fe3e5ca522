#!/bin/bash
# Create the local image debian:bookworm-slim for the end-to-end tests, without a registry.
#
#   scripts/docker-base-image.sh            # build/import when missing, else nothing
#   scripts/docker-base-image.sh --force    # rebuild the rootfs and re-import
#
# - `docker image inspect debian:bookworm-slim` works: nothing to do.
# - build/e2e/bookworm-slim.tar exists (made for the same mirror): `docker import` it (~2 s).
# - otherwise: `debootstrap --variant=minbase bookworm` from the machine's own Debian mirror
#   (first enabled deb stanza for bookworm in /etc/apt/sources.list.d/*.sources, deb822, or a
#   `deb` line in /etc/apt/sources.list; MINIT_DEBIAN_MIRROR overrides), slim it the way the
#   official -slim image is (no docs/man/locales, no apt lists or caches, apt configured to
#   stay that way), give it the host's Debian apt sources so `apt-get install` works in
#   `docker build --network host`, tar it to build/e2e/bookworm-slim.tar and import that.
#
# Starts the engine first (scripts/docker-up.sh). Installs debootstrap if missing.
# Environment: MINIT_E2E_DIR (default <repo>/build/e2e), MINIT_DEBIAN_MIRROR, MINIT_BASE_IMAGE
# (default debian:bookworm-slim).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${MINIT_E2E_DIR:-$ROOT/build/e2e}
IMAGE=${MINIT_BASE_IMAGE:-debian:bookworm-slim}
SUITE=bookworm
TARBALL=$STATE/$SUITE-slim.tar
META=$TARBALL.mirror
ROOTFS=$STATE/rootfs.tmp

die() { echo "docker-base-image: error: $*" >&2; exit 1; }
say() { echo "docker-base-image: $*" >&2; }

force=
case "${1:-}" in
'') ;;
--force) force=1 ;;
*) die "usage: $0 [--force]" ;;
esac
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and docker need it)"

"$ROOT/scripts/docker-up.sh"

# One builder at a time: a second run waits, then finds the image.
mkdir -p "$STATE"
exec 9>"$STATE/base-image.lock"
flock -w 900 9 || die "timed out waiting for another docker-base-image.sh ($STATE/base-image.lock)"

if [ -z "$force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
	say "$IMAGE already present ($(docker image inspect --format '{{.Id}}' "$IMAGE" | cut -c8-19))"
	exit 0
fi

# The first enabled `Types: deb` stanza whose Suites has $SUITE, in deb822 files; prints its
# first URI.
mirror_from_deb822() {
	awk -v suite="$SUITE" '
	function flush() {
		if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
		    tolower(enabled) != "no" && uris != "") {
			split(uris, u, " "); print u[1]; found = 1; exit
		}
		types = suites = uris = enabled = ""; key = ""
	}
	/^#/ { next }
	/^[ \t]*$/ { flush(); next }
	/^[ \t]/ { val = $0; sub(/^[ \t]+/, "", val)
		   if (key == "types") types = types " " val
		   else if (key == "suites") suites = suites " " val
		   else if (key == "uris") uris = uris " " val
		   next }
	{ key = tolower($0); sub(/:.*/, "", key)
	  val = $0; sub(/^[^:]*:[ \t]*/, "", val)
	  if (key == "types") types = val
	  else if (key == "suites") suites = val
	  else if (key == "uris") uris = val
	  else if (key == "enabled") enabled = val }
	END { if (!found) flush() }' "$@" 2>/dev/null | head -n 1
}

mirror_from_list() {
	awk -v suite="$SUITE" '$1 == "deb" {
		i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
		if ($(i + 1) == suite) { print $i; exit } }' "$@" 2>/dev/null | head -n 1
}

host_mirror() {
	local m='' f
	if [ -n "${MINIT_DEBIAN_MIRROR:-}" ]; then
		echo "$MINIT_DEBIAN_MIRROR"
		return
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		m=$(mirror_from_deb822 "$f")
		[ -n "$m" ] && break
	done
	if [ -z "$m" ]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			m=$(mirror_from_list "$f")
			[ -n "$m" ] && break
		done
	fi
	[ -n "$m" ] || die "no enabled 'deb' source for $SUITE in /etc/apt/sources.list{,.d/*} (set MINIT_DEBIAN_MIRROR)"
	echo "${m%/}"
}

MIRROR=$(host_mirror)
t0=$SECONDS

cleanup() {
	local m
	# anything debootstrap left mounted in the rootfs, deepest first
	awk -v r="$ROOTFS/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$ROOTFS"
}

if [ -n "$force" ] || [ ! -s "$TARBALL" ] || [ "$(cat "$META" 2>/dev/null)" != "$MIRROR" ]; then
	command -v debootstrap >/dev/null 2>&1 || {
		export DEBIAN_FRONTEND=noninteractive
		say "installing debootstrap"
		apt-get install -y -q debootstrap >"$STATE/apt.log" 2>&1 || {
			apt-get update -q >>"$STATE/apt.log" 2>&1 &&
				apt-get install -y -q debootstrap >>"$STATE/apt.log" 2>&1
		} || die "apt-get install debootstrap failed (see $STATE/apt.log)"
	}
	mkdir -p "$STATE"
	trap cleanup EXIT
	cleanup
	say "debootstrap --variant=minbase $SUITE from $MIRROR (log: $STATE/debootstrap.log)"
	keyring=()
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
	debootstrap --variant=minbase "${keyring[@]}" "$SUITE" "$ROOTFS" "$MIRROR" \
		>"$STATE/debootstrap.log" 2>&1 ||
		die "debootstrap failed: $(grep -E '^[EW]:' "$STATE/debootstrap.log" | tail -n 1) (see $STATE/debootstrap.log)"
	t1=$SECONDS

	# Keep it slim from now on too, like the official -slim images: no docs (copyright
	# files stay), man pages, info, locales; apt keeps no downloaded .debs and no
	# translations, and suggests are not autoremove-protected.
	cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/minit-e2e-slim" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/groff/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/lintian/*
		path-exclude /usr/share/locale/*
	EOF
	cat >"$ROOTFS/etc/apt/apt.conf.d/minit-e2e-slim" <<-'EOF'
		APT::Install-Recommends "false";
		APT::AutoRemove::SuggestsImportant "false";
		Acquire::Languages "none";
		Acquire::GzipIndexes "true";
		Acquire::CompressionTypes::Order:: "gz";
		DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
	EOF
	find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
	find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete
	rm -rf "$ROOTFS"/usr/share/{man,groff,info,lintian,locale}/* \
		"$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/* \
		"$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/var/lib/dpkg/*-old \
		"$ROOTFS"/var/log/{dpkg.log,alternatives.log,apt/*,bootstrap.log} \
		"$ROOTFS"/etc/hostname "$ROOTFS"/etc/resolv.conf \
		"$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/*
	: >"$ROOTFS/etc/machine-id"

	# The same Debian sources as this machine (comments dropped), so apt-get update and
	# install inside `docker build --network host` reach the mirror the host reaches.
	rm -f "$ROOTFS/etc/apt/sources.list"
	n=0
	for f in /etc/apt/sources.list.d/*.sources; do
		if [ ! -f "$f" ] || [ -z "$(mirror_from_deb822 "$f")" ]; then continue; fi
		grep -v '^#' "$f" >"$ROOTFS/etc/apt/sources.list.d/$(basename "$f")"
		n=$((n + 1))
	done
	if [ "$n" = 0 ]; then
		if [ -n "${MINIT_DEBIAN_MIRROR:-}" ] || ! grep -hqsE "^deb .* $SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/*.list; then
			echo "deb $MIRROR $SUITE main" >"$ROOTFS/etc/apt/sources.list"
		else
			grep -hsE "^deb .* $SUITE(-updates|-security)? " /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
				>"$ROOTFS/etc/apt/sources.list"
		fi
	fi

	# Numeric owners, device nodes left out (the engine gives every container its own /dev).
	tar -C "$ROOTFS" --numeric-owner --xattrs --exclude='./dev/*' --exclude='./proc/*' \
		--exclude='./sys/*' -cf "$TARBALL.tmp" .
	mv "$TARBALL.tmp" "$TARBALL"
	echo "$MIRROR" >"$META"
	cleanup
	trap - EXIT
	say "rootfs tarball $TARBALL: $(du -h "$TARBALL" | cut -f1) (debootstrap $((t1 - t0))s, total $((SECONDS - t0))s)"
else
	say "using cached rootfs tarball $TARBALL"
fi

t2=$SECONDS
docker import --change 'CMD ["bash"]' - "$IMAGE" <"$TARBALL" >/dev/null ||
	die "docker import of $TARBALL as $IMAGE failed"
docker image inspect "$IMAGE" >/dev/null 2>&1 || die "$IMAGE missing right after docker import"
say "imported $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')) in $((SECONDS - t2))s; total $((SECONDS - t0))s"
