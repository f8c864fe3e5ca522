#!/usr/bin/env bats
# examples/kubernetes/ stays consistent with minit: no cluster runs here
# (50-pod.bats simulates the pod with docker), so check what can be checked
# without one. Every MINIT_* variable in the manifests is one minit knows,
# with a value the real binary accepts; every pod's minit stop timeout ends
# before the kubelet's SIGKILL (terminationGracePeriodSeconds); the shared-PID
# variant is what its comments say; the --install variant copies minit into
# an emptyDir that the app container runs it from.

load lib

K8S=$E2E_ROOT/examples/kubernetes

# env_of FILE: "CONTAINER NAME=VALUE" for every MINIT_* variable of every
# container (manifests indented as ours are: containers at 4, env at 8)
env_of() {
	awk '
	/^    - name: / { c = $3 }
	/^        - name: MINIT_/ { n = $3; next }
	n != "" && /^          value: / {
		v = $0; sub(/^          value: */, "", v); sub(/ *#.*$/, "", v); gsub(/"/, "", v)
		print c, n "=" v; n = ""
	}' "$1"
}

duration_ms() { # 25s, 1500ms, 2m, 1.5s, 30 -> ms
	awk -v d="$1" 'BEGIN {
		if (d ~ /ms$/) { sub(/ms$/, "", d); m = 1 }
		else if (d ~ /s$/) { sub(/s$/, "", d); m = 1000 }
		else if (d ~ /m$/) { sub(/m$/, "", d); m = 60000 }
		else m = 1000
		printf "%d", d * m }'
}

@test "kubernetes examples: every MINIT_* variable exists and has a value minit accepts" {
	local f c kv name opt help envs n=0
	help=$("$MINIT" --help)
	for f in "$K8S"/*.yaml; do
		for c in $(env_of "$f" | awk '{ print $1 }' | sort -u); do
			envs=()
			for kv in $(env_of "$f" | awk -v c="$c" '$1 == c { print $2 }'); do
				name=${kv%%=*}
				opt=${name#MINIT_}
				opt=--${opt,,}
				opt=${opt//_/-}
				[[ $name == MINIT_VERBOSITY ]] || grep -qE -- "(^| )$opt( |$)" <<<"$help" ||
					fail "${f##*/}, container $c: $name is not a minit option ($opt not in --help)"
				envs+=("$kv")
				n=$((n + 1))
			done
			# the binary itself judges the values: exit 2 on an invalid one
			run env -i "${envs[@]}" "$MINIT" -- true
			[[ $status == 0 ]] || fail "${f##*/}, container $c: minit rejects ${envs[*]}: $output"
		done
	done
	((n > 0)) || fail "no MINIT_* variable found in $K8S/*.yaml"
}

@test "kubernetes examples: MINIT_STOP_TIMEOUT ends before terminationGracePeriodSeconds in every pod" {
	local f grace kv ms
	for f in "$K8S"/*.yaml; do
		grace=$(awk '$1 == "terminationGracePeriodSeconds:" { print $2 }' "$f")
		[[ $grace =~ ^[0-9]+$ ]] || fail "${f##*/}: no terminationGracePeriodSeconds"
		for kv in $(env_of "$f" | awk '{ print $2 }' | grep '^MINIT_STOP_TIMEOUT='); do
			ms=$(duration_ms "${kv#*=}")
			# at least 2 s of margin for the runtime's own stop work
			((ms + 2000 <= grace * 1000)) ||
				fail "${f##*/}: $kv does not end at least 2 s before terminationGracePeriodSeconds=$grace"
		done
		env_of "$f" | grep -q ' MINIT_STOP_TIMEOUT=' || fail "${f##*/}: no MINIT_STOP_TIMEOUT"
	done
}

@test "kubernetes examples: the shared-PID pod and the minit pause image fit together" {
	grep -qx '  shareProcessNamespace: true' "$K8S/pod-shared-pid.yaml" || fail "pod-shared-pid.yaml does not share the PID namespace"
	grep -qx 'ENTRYPOINT \["/minit", "--pause"\]' "$K8S/pause.Dockerfile" || fail "pause.Dockerfile does not run minit --pause"
	local img
	img=$(sed -nE 's/^ *sandbox_image = "([^"]+)"$/\1/p' "$K8S/containerd-config.toml")
	[[ -n $img ]] || fail "no sandbox_image in containerd-config.toml"
	grep -qF -- "-t $img" "$K8S/pause.Dockerfile" || fail "pause.Dockerfile's build line does not tag $img"
	# the image the pod test used is the one this Dockerfile builds
	[[ $(docker image inspect -f '{{json .Config.Entrypoint}} {{.Config.User}}' "$IMG_PAUSE") == '["/minit","--pause"] 65535:65535' ]] ||
		fail "$IMG_PAUSE: $(docker image inspect -f '{{json .Config.Entrypoint}} {{.Config.User}}' "$IMG_PAUSE")"
}

@test "kubernetes examples: pod-install-init.yaml installs minit into an emptyDir that the app runs it from" {
	local f=$K8S/pod-install-init.yaml dir vol mounts
	[[ -f $f ]] || fail "no $f"
	awk '/^  initContainers:/ { i = NR } /^  containers:/ { c = NR } END { exit !(i && c && i < c) }' "$f" ||
		fail "${f##*/}: no initContainers section before containers"
	dir=$(sed -nE 's|^      command: \["/minit", "--install", "([^"]+)"\]$|\1|p' "$f")
	[[ -n $dir ]] || fail "${f##*/}: no initContainer running [\"/minit\", \"--install\", DIR]"
	grep -qxF "      command: [\"$dir/minit\", \"--\"]" "$f" || fail "${f##*/}: the app does not run $dir/minit --"
	# the volume both mount at DIR is an emptyDir
	vol=$(awk '/^    - name: / { n = $3 } /^      emptyDir: \{\}$/ { print n; exit }' "$f")
	[[ -n $vol ]] || fail "${f##*/}: no emptyDir volume"
	mounts=$(awk -v v="$vol" -v d="$dir" '/^        - name: / { n = $3; next }
		n == v && $0 == "          mountPath: " d { k++ } { n = "" } END { print k + 0 }' "$f")
	[[ $mounts == 2 ]] || fail "${f##*/}: volume $vol is mounted at $dir $mounts times, expected 2 (installer and app)"
}

@test "kubernetes examples: minit --install DIR, as pod-install-init.yaml runs it, copies the binary to DIR/minit, mode 0755" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	run "$MINIT" --install "$BATS_TEST_TMPDIR/bin"
	[[ $status == 0 ]] || fail "minit --install DIR exited $status: $output"
	cmp -s "$MINIT" "$BATS_TEST_TMPDIR/bin/minit" || fail "DIR/minit is not a copy of the running binary"
	[[ $(stat -c %a "$BATS_TEST_TMPDIR/bin/minit") == 755 ]] || fail "DIR/minit has mode $(stat -c %a "$BATS_TEST_TMPDIR/bin/minit"), expected 755"
}

# The pod of pod-install-init.yaml with docker: the initContainer (the
# FROM-scratch pause image, user 65535, minit its PID 1) installs minit into
# a shared directory (an emptyDir: mode 0777); the app container, a Debian
# image without minit, runs it from there as its PID 1.
@test "kubernetes examples: the initContainer's minit --install, as PID 1 of a FROM-scratch image, gives the app container its init" {
	local vol=$BATS_TEST_TMPDIR/emptydir c out
	mkdir "$vol" && chmod 0777 "$vol"
	c=$(cname install-init)
	dstart "$c" --network none -v "$vol:/mnt/bin" --entrypoint /minit "$IMG_PAUSE" --install /mnt/bin
	wait_for -t 20 -m "the initContainer to finish" is_exited "$c"
	[[ $(exit_code "$c") == 0 ]] || fail "minit --install exited $(exit_code "$c"): $(logs "$c")"
	cmp -s "$MINIT" "$vol/minit" || fail "the emptyDir's minit is not the image's"
	[[ $(stat -c %a "$vol/minit") == 755 ]] || fail "mode $(stat -c %a "$vol/minit")"
	c=$(cname install-app)
	dstart "$c" --network none -v "$vol:/mnt/bin:ro" --entrypoint /mnt/bin/minit "$BASE_IMAGE" \
		-- sh -c 'tr "\0" " " </proc/1/cmdline; echo; exit 3'
	wait_for -t 20 -m "the app container to finish" is_exited "$c"
	[[ $(exit_code "$c") == 3 ]] || fail "the app container exited $(exit_code "$c"), not its command's 3: $(logs "$c")"
	out=$(logs "$c")
	[[ $out == "/mnt/bin/minit -- sh -c "* ]] || fail "PID 1 of the app container is not the installed minit: $out"
}
