# Suite-wide set-up of the Docker end-to-end tests. bats runs setup_suite once
# before the first file of tests/e2e and teardown_suite once after the last
# (also when a file or setup_suite itself failed).
#
# setup_suite
#   1. engine: scripts/docker-up.sh (installs docker.io when missing, starts
#      dockerd when `docker info` does not answer). If it fails, the suite
#      fails with docker-up's one-line error as "not ok 1 setup_suite": an
#      engine that cannot start is an error, never a skip.
#   2. base image debian:bookworm-slim: scripts/docker-base-image.sh (local
#      debootstrap, cached tarball in build/e2e/; no registry here).
#   3. static probes: tests/helpers/*.c and tests/fixtures/prefork-server.c
#      built with `gcc -static` into build/e2e/static/ (build/tests/* are
#      dynamic; the scratch image has no libc). No C is built inside images.
#   4. images, each from a fresh build context (a temporary directory holding
#      ./minit and the probes), rebuilt only when the hash of their inputs
#      (Dockerfile, every context file, the FROM image's ID) differs from the
#      image's org.minit.e2e.inputs label:
#        minit-e2e/nginx-example  Dockerfile.example (apt-get in RUN, so
#                                 `docker build --network host`)
#        minit-e2e/scratch        tests/e2e/scratch.Dockerfile
#        minit-e2e/pause          examples/kubernetes/pause.Dockerfile
#   5. containers left by an earlier run that died are removed.
# teardown_suite
#   removes this run's containers, then stops the engine if step 1 started
#   it (scripts/docker-down.sh stops only a dockerd docker-up.sh started), so
#   `make check` leaves the machine as it found it. MINIT_E2E_KEEP_ENGINE=1
#   keeps it running (faster reruns). An engine that was already running is
#   never stopped. Running a single file (`bats tests/e2e/10-stop.bats`) uses
#   the same set-up and tear-down.

# shellcheck source=tests/e2e/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

E2E_ENGINE_STARTED=

# progress on the TAP stream as comments (fd 3 is bats' stdout here)
e2e_progress() { echo "# e2e: $*" 2>/dev/null >&3 || echo "e2e: $*" >&2; }

e2e_die() {
	echo "e2e: error: $*" >&2
	return 1
}

# "PID STARTTIME" of a process (field 22 of /proc/PID/stat), or nothing
proc_id() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	echo "${20}"
}

e2e_engine() {
	local owner=$E2E_STATE/dockerd.owner before="" after="" out
	[[ ! -f $owner ]] || before=$(cat "$owner")
	if ! out=$("$E2E_ROOT/scripts/docker-up.sh" 2>&1); then
		echo "$out" >&2
		e2e_die "the Docker engine could not be started: $(tail -n 1 <<<"$out")"
		return 1
	fi
	[[ ! -f $owner ]] || after=$(cat "$owner")
	if [[ -n $after && $after != "$before" ]]; then
		E2E_ENGINE_STARTED=$after
		e2e_progress "started dockerd ($after); it is stopped at the end of the suite"
	else
		e2e_progress "engine already running: $(tail -n 1 <<<"$out")"
	fi
}

e2e_base_image() {
	local out
	if ! out=$(timeout 900 "$E2E_ROOT/scripts/docker-base-image.sh" 2>&1); then
		echo "$out" >&2
		e2e_die "no base image $BASE_IMAGE: $(tail -n 1 <<<"$out")"
		return 1
	fi
	e2e_progress "$(tail -n 1 <<<"$out")"
}

e2e_static_probes() {
	local dir=$E2E_STATE/static n src
	mkdir -p "$dir"
	for n in "${E2E_PROBES[@]}"; do
		src=$E2E_ROOT/tests/helpers/$n.c
		[[ -f $src ]] || src=$E2E_ROOT/tests/fixtures/$n.c
		[[ -f $src ]] || { e2e_die "no source for probe $n"; return 1; }
		[[ -x $dir/$n && ! $src -nt $dir/$n ]] && continue
		# glibc warns that getaddrinfo in a static binary needs NSS at run
		# time: prefork-server only resolves numeric addresses
		gcc -static -O2 -Wall -Wextra -o "$dir/$n.tmp" "$src" 2>"$dir/$n.log" ||
			{ cat "$dir/$n.log" >&2; e2e_die "cannot build static $n"; return 1; }
		mv -f "$dir/$n.tmp" "$dir/$n"
	done
}

# hash of a build context: paths, modes, symlink targets, file contents, and
# the IDs of the images named by FROM in its Dockerfile
context_hash() {
	local ctx=$1 from
	{
		(cd "$ctx" && find . -printf '%p %m %y %l\n' | LC_ALL=C sort)
		(cd "$ctx" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		for from in $(awk 'toupper($1) == "FROM" { print $2 }' "$ctx/Dockerfile"); do
			[[ $from == scratch ]] && continue
			echo "$from $(docker image inspect -f '{{.Id}}' "$from")"
		done
	} | sha256sum | cut -c1-16
}

# e2e_build IMAGE DOCKERFILE CONTEXT NETWORK: build unless up to date
e2e_build() {
	local image=$1 dockerfile=$2 ctx=$3 net=$4 hash have log t0
	cp "$dockerfile" "$ctx/Dockerfile"
	hash=$(context_hash "$ctx")
	have=$(docker image inspect -f "{{index .Config.Labels \"$E2E_INPUTS_LABEL\"}}" "$image" 2>/dev/null) || have=
	if [[ $have == "$hash" ]]; then
		e2e_progress "$image up to date (inputs $hash)"
		return 0
	fi
	log=$E2E_STATE/build-${image//[\/:]/_}.log
	e2e_progress "building $image from ${dockerfile#"$E2E_ROOT"/} (inputs $hash)"
	t0=$SECONDS
	if ! timeout 900 docker build --network "$net" --label "$E2E_INPUTS_LABEL=$hash" \
		-t "$image" "$ctx" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		e2e_die "docker build of $image failed (log: $log)"
		return 1
	fi
	# the image this one replaces, now untagged
	docker image prune -f --filter "label=$E2E_INPUTS_LABEL" >/dev/null 2>&1 || true
	e2e_progress "built $image in $((SECONDS - t0)) s"
}

e2e_images() {
	local ctx=$BATS_RUN_TMPDIR/ctx a root
	file -L "$MINIT" 2>/dev/null | grep -q 'statically linked' ||
		{ e2e_die "$MINIT is missing or not static (run make)"; return 1; }
	file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' ||
		{ e2e_die "/bin/busybox is missing or not static (install busybox-static)"; return 1; }

	# Dockerfile.example: the context a user has, minit next to the Dockerfile
	mkdir -p "$ctx/nginx"
	cp "$MINIT" "$ctx/nginx/minit"
	e2e_build "$IMG_NGINX" "$E2E_ROOT/Dockerfile.example" "$ctx/nginx" host || return 1

	root=$ctx/scratch/rootfs
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/local/bin" "$root/etc" "$root/tmp"
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	cp "$MINIT" "$root/sbin/minit"
	for a in "${E2E_PROBES[@]}"; do cp "$E2E_STATE/static/$a" "$root/usr/local/bin/$a"; done
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	e2e_build "$IMG_SCRATCH" "$E2E_DIR/scratch.Dockerfile" "$ctx/scratch" none || return 1

	mkdir -p "$ctx/pause"
	cp "$MINIT" "$ctx/pause/minit"
	e2e_build "$IMG_PAUSE" "$E2E_ROOT/examples/kubernetes/pause.Dockerfile" "$ctx/pause" none
}

# containers of earlier runs whose bats process is gone
e2e_remove_stale() {
	local id owner pid start
	while read -r id owner; do
		[[ -n $id ]] || continue
		pid=${owner%%:*} start=${owner#*:}
		if [[ $owner == "$E2E_OWNER" ]] || [[ -n $pid && "$(proc_id "$pid")" == "$start" ]]; then
			continue
		fi
		docker rm -f "$id" >/dev/null 2>&1 || true
	done < <(docker ps -a --filter "label=$E2E_LABEL.run" \
		--format "{{.ID}} {{.Label \"$E2E_LABEL.owner\"}}" 2>/dev/null)
}

setup_suite() {
	local t0=$SECONDS
	mkdir -p "$E2E_STATE"
	E2E_RUN=$(printf '%04x%04x' "$$" "$RANDOM")
	E2E_OWNER="$$:$(proc_id $$)"
	export E2E_RUN E2E_OWNER
	e2e_engine || return 1
	e2e_base_image || return 1
	e2e_static_probes || return 1
	# one builder at a time when several suites run at once
	exec {lockfd}>"$E2E_STATE/images.lock"
	flock -w 1800 "$lockfd" || { e2e_die "timed out waiting for $E2E_STATE/images.lock"; return 1; }
	e2e_images || return 1
	exec {lockfd}>&-
	e2e_remove_stale
	e2e_progress "set-up done in $((SECONDS - t0)) s (run $E2E_RUN)"
}

teardown_suite() {
	local ids
	if [[ -n ${E2E_RUN:-} ]]; then
		ids=$(docker ps -aq --filter "label=$E2E_LABEL.run=$E2E_RUN" 2>/dev/null) || ids=
		# shellcheck disable=SC2086
		[[ -z $ids ]] || docker rm -f $ids >/dev/null 2>&1 || true
	fi
	if [[ -n $E2E_ENGINE_STARTED ]]; then
		if [[ ${MINIT_E2E_KEEP_ENGINE:-0} == 1 ]]; then
			e2e_progress "leaving dockerd running (MINIT_E2E_KEEP_ENGINE=1; scripts/docker-down.sh stops it)"
		else
			"$E2E_ROOT/scripts/docker-down.sh" || return 1
			e2e_progress "stopped the dockerd this run started"
		fi
	fi
}
