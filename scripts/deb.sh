#!/usr/bin/env bash
# A Debian package of minit (make deb), checked with lintian.
#
#   scripts/deb.sh OUTDIR VERSION ARCH=BINARY...
#
# For each ARCH=BINARY (scripts/arch.sh names; the .deb takes dpkg's name):
# OUTDIR/minit_VERSION_DEB.deb with
#   /usr/sbin/minit                       the static binary
#   /usr/libexec/minit/docker-init        -> ../../sbin/minit: for dockerd's
#                                         --init-path (minit then has tini's
#                                         defaults and version format)
#   /usr/share/man/man1/minit.1.gz
#   /usr/share/doc/minit/copyright, changelog.gz
#   /usr/share/lintian/overrides/minit    the tags we keep, each with why
# Built-Using names the Debian sources linked in (libseccomp and libcap2 from
# build/src, as scripts/build-deps.sh built them; musl). Reproducible like
# the tarballs: SOURCE_DATE_EPOCH (from git when unset) for every time,
# owner root. Then `lintian --fail-on error,warning` on each package
# (LINTIAN=0 skips it); lintian comes from `scripts/packages.sh --deb`.
set -euo pipefail

me=deb.sh
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/ship-lib.sh
source "$root/scripts/ship-lib.sh"
# shellcheck source=scripts/arch.sh
source "$root/scripts/arch.sh"
(($# >= 3)) || die "usage: $0 OUTDIR VERSION ARCH=BINARY..."
out=$1 version=$2
shift 2
ship_epoch "$root"
maint="The minit authors <minit@users.noreply.github.com>"

# built_using ARCH: "src (= version), ..." of what the deps of ARCH were built from
built_using() {
	local deps=$root/build/deps stamp name ver v list=()
	[[ $1 == "$ARCH_NATIVE" ]] || deps=$root/build/$1/deps
	stamp=$deps/stamp
	[[ -f $stamp ]] || die "no $stamp: build minit for $1 first (make)"
	# "built: libseccomp 2.5.4-1+deb12u1 libcap2 2.66-4+deb12u3" (no epochs):
	# the .dsc that was unpacked has the full version
	# shellcheck disable=SC2046 # the words are the fields
	set -- $(sed -n 's/^built: //p' "$stamp")
	while (($# >= 2)); do
		name=$1 ver=$2
		shift 2
		v=$(sed -n 's/^Version: //p' "$root/build/src/${name}_$ver.dsc" 2>/dev/null)
		list+=("$name (= ${v:-$ver})")
	done
	v=$(dpkg-query -W -f='${source:Version}' "musl-dev:$ARCH_DEB" 2>/dev/null) ||
		die "musl-dev:$ARCH_DEB is not installed"
	list+=("musl (= $v)")
	local joined="" x
	for x in "${list[@]}"; do joined+="${joined:+, }$x"; done
	echo "$joined"
}

ship_stage "$out"
debs=()
for spec; do
	ship_spec "$spec"
	arch=$SPEC_ARCH
	arch_info "$arch" || die "unknown architecture '$arch' (scripts/arch.sh)"
	p=$STAGE/$arch
	doc=$p/usr/share/doc/minit
	mkdir -p "$p/DEBIAN" "$p/usr/sbin" "$p/usr/libexec/minit" "$p/usr/share/man/man1" \
		"$doc" "$p/usr/share/lintian/overrides"
	install -m 0755 "$SPEC_BIN" "$p/usr/sbin/minit"
	ln -s ../../sbin/minit "$p/usr/libexec/minit/docker-init"
	gzip -9n <"$root/minit.1" >"$p/usr/share/man/man1/minit.1.gz"
	{
		echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
		echo "Upstream-Name: minit"
		echo "Comment: /usr/sbin/minit is linked statically with three Debian"
		echo " libraries, named with their versions in the package's Built-Using field:"
		echo " libseccomp (LGPL-2.1, /usr/share/common-licenses/LGPL-2.1), libcap"
		echo " (BSD-3-clause or GPL-2, /usr/share/common-licenses/GPL-2; the BSD terms"
		echo " head each libcap source file) and musl (Expat, as below, copyright"
		echo " 2005-2020 Rich Felker, et al.). Their sources are Debian's source"
		echo " packages libseccomp, libcap2 and musl of those versions."
		echo
		echo "Files: *"
		echo "Copyright: 2026 The minit authors"
		echo "License: Expat"
		echo
		echo "License: Expat"
		sed -e '1,/^Permission/{/^Permission/!d}' -e 's/^$/./' -e 's/^/ /' "$root/LICENSE"
	} >"$doc/copyright"
	{
		echo "minit ($version) unstable; urgency=medium"
		echo
		echo "  * Release $version, built from git commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)."
		echo
		echo " -- $maint  $(date -u -d "@$SOURCE_DATE_EPOCH" -R)"
	} | gzip -9n >"$doc/changelog.gz"
	# tags kept on purpose (lintian prints them as overridden)
	cat >"$p/usr/share/lintian/overrides/minit" <<-'EOF'
		# minit is a container's PID 1: it has to run in images without any
		# libc (FROM scratch) or with another one, so it is linked statically
		# (the libraries it links are named in Built-Using).
		minit: statically-linked-binary [usr/sbin/minit]
		# the compilers' identification strings (GCC's, in minit's objects and
		# in musl's and the libraries'): 62 bytes, kept as built
		minit: binary-has-unneeded-section .comment [usr/sbin/minit]
	EOF
	installed=$(du -sk --apparent-size --exclude=DEBIAN "$p" | cut -f1)
	cat >"$p/DEBIAN/control" <<-EOF
		Package: minit
		Version: $version
		Architecture: $ARCH_DEB
		Maintainer: $maint
		Installed-Size: $installed
		Built-Using: $(built_using "$arch")
		Section: admin
		Priority: optional
		Description: tiny static init for containers
		 minit runs a container's server as its child (PID 1 of the container),
		 forwards signals to it, reaps every orphan, stops the whole process tree
		 in bounded time, restarts the server when it crashes, and exits with
		 the server's status. It replaces tini and dumb-init, and runs as a
		 Kubernetes pause process.
		 .
		 The binary is static, so it can be copied into any image. Installed as
		 /usr/libexec/minit/docker-init it is docker's init for
		 "docker run --init" (dockerd --init-path).
	EOF
	(cd "$p" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum >DEBIAN/md5sums)
	find "$p" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	chmod -R u=rwX,go=rX "$p"
	deb=minit_${version}_$ARCH_DEB.deb
	dpkg-deb --root-owner-group -Zxz --build "$p" "$out/$deb.tmp" >/dev/null ||
		die "dpkg-deb --build of $deb failed"
	mv -f "$out/$deb.tmp" "$out/$deb"
	debs+=("$out/$deb")
	printf '%s: %s (%s bytes)\n' "$me" "$out/$deb" "$(stat -c %s "$out/$deb")"
done

[[ ${LINTIAN:-1} == 0 ]] && exit 0
command -v lintian >/dev/null || die "lintian is not installed (scripts/packages.sh --deb)"
for d in "${debs[@]}"; do
	# (as root it says so on stderr: not a finding)
	rc=0
	log=$STAGE/lintian.log
	lintian --fail-on error,warning --display-info "$d" >"$log" 2>&1 || rc=$?
	sed -i '/^running with root privileges is not recommended!$/d' "$log"
	if ((rc)); then
		cat "$log" >&2
		die "lintian found errors or warnings in ${d##*/} (exit $rc, above)"
	fi
	printf '%s: lintian %s: %s\n' "$me" "${d##*/}" \
		"$(if [[ -s $log ]]; then paste -sd';' "$log"; else echo clean; fi)"
done
