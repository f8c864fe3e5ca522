#!/usr/bin/env bats
# minit under podman (Debian 12's podman 4.3, rootful, daemonless): minit as
# podman's --init in place of catatonit, `podman stop` of a TERM-ignoring
# tree ended by minit's own ladder, and a pod whose infra container runs
# `minit --pause` with an app container in the pod's shared PID namespace.
#
# Podman gets a store and a configuration of its own under
# build/e2e/podman/ (CONTAINERS_STORAGE_CONF, CONTAINERS_CONF): the
# machine's /var/lib/containers is never touched, and removing what this
# file made removes everything of ours. No service is started: podman needs
# none (conmon watches each container and exits with it). Images are built
# locally with `podman build` from the FROM scratch contexts setup_suite.bash
# assembled for docker (minit, busybox, the static probes; the pause image):
# no registry is used. Containers run with --network none, each pod and
# container is labelled with the run (org.minit.e2e.run) and removed in
# teardown.

load lib

P_IMG_SCRATCH=localhost/minit-e2e/scratch:latest
P_IMG_PAUSE=localhost/minit-e2e/pause:latest
P_STATE=$E2E_STATE/podman

# podman with our store and configuration
p() { podman "$@"; }

p_config() {
	mkdir -p "$P_STATE/storage" "$P_STATE/tmp"
	# runroot holds sockets: keep it short (108 bytes) and in a tmpfs
	cat >"$P_STATE/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$P_STATE/storage"
		runroot = "/run/minit-e2e-podman"
	EOF
	# no systemd here: cgroupfs, events and logs to files. Rootful podman
	# gives every container RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, and
	# this machine drops CAP_SYS_RESOURCE from root's bounding set, so runc
	# cannot raise them ("error setting rlimit type 7: operation not
	# permitted"): containers get the caller's open-file limit, and a process
	# limit no higher than pid_max (podman lowers its own to that; runc
	# inherits it).
	local nproc
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited ]] || (($(cat /proc/sys/kernel/pid_max) < nproc)) && nproc=$(cat /proc/sys/kernel/pid_max)
	cat >"$P_STATE/containers.conf" <<-EOF
		[containers]
		log_driver = "k8s-file"
		default_ulimits = ["nofile=$(ulimit -Sn):$(ulimit -Hn)", "nproc=$nproc:$nproc"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$P_STATE/events.log"
		runtime = "runc"
		image_copy_tmp_dir = "$P_STATE/tmp"
	EOF
	export CONTAINERS_STORAGE_CONF=$P_STATE/storage.conf CONTAINERS_CONF=$P_STATE/containers.conf
	export TMPDIR=$P_STATE/tmp
}

# p_build IMAGE CONTEXT: podman build of CONTEXT/Dockerfile unless the image's
# input label matches the context's contents
p_build() {
	local image=$1 ctx=$2 hash have log=$P_STATE/build-${1//[\/:]/_}.log
	[[ -f $ctx/Dockerfile ]] || { e2e_say "no build context $ctx (setup_suite.bash makes it)"; return 1; }
	hash=$(tar -C "$ctx" --sort=name --mtime=@0 --owner=0 --group=0 -cf - . | sha256sum | cut -c1-16)
	have=$(p image inspect -f "{{index .Labels \"$E2E_INPUTS_LABEL\"}}" "$image" 2>/dev/null) || have=
	[[ $have == "$hash" ]] && return 0
	timeout 600 podman build --network none --pull=never --label "$E2E_INPUTS_LABEL=$hash" \
		-t "$image" "$ctx" >"$log" 2>&1 || {
		tail -n 20 "$log" >&2
		e2e_say "podman build of $image failed (log: $log)"
		return 1
	}
}

# pods and containers of runs whose bats process is gone
p_remove_stale() {
	local kind id owner pid start
	for kind in pod container; do
		while read -r id owner; do
			[[ -n $id ]] || continue
			pid=${owner%%:*} start=${owner#*:}
			[[ -n $pid && "$(awk '{ print $22 }' "/proc/$pid/stat" 2>/dev/null)" == "$start" ]] && continue
			p "$kind" rm -f "$id" >/dev/null 2>&1 || true
		done < <(p "$kind" ls -a --filter "label=$E2E_LABEL.run" \
			--format "{{.ID}} {{index .Labels \"$E2E_LABEL.owner\"}}" 2>/dev/null)
	done
}

setup_file() {
	if ! command -v podman >/dev/null; then
		"$E2E_ROOT/scripts/packages.sh" --e2e >&2 || { e2e_say "podman cannot be installed"; return 1; }
	fi
	p_config
	p_remove_stale
	p_build "$P_IMG_SCRATCH" "$BATS_RUN_TMPDIR/ctx/scratch" || return 1
	p_build "$P_IMG_PAUSE" "$BATS_RUN_TMPDIR/ctx/pause" || return 1
}

teardown_file() {
	local kind
	for kind in pod container; do
		p "$kind" ls -aq --filter "label=$E2E_LABEL.run=$E2E_RUN" 2>/dev/null |
			xargs -r podman "$kind" rm -f >/dev/null 2>&1 || true
	done
}

setup() {
	T=$BATS_TEST_TMPDIR
	P_CONTAINERS=()
	P_PODS=()
	[[ -n ${E2E_RUN:-} ]] || fail "E2E_RUN unset: run the suite with bats tests/e2e (setup_suite.bash)"
}

teardown() {
	local c
	if [[ -z ${BATS_TEST_COMPLETED:-} ]]; then
		for c in "${P_CONTAINERS[@]}"; do
			echo "--- $c: $(p inspect -f '{{.State.Status}} exit={{.State.ExitCode}}' "$c" 2>&1) (last log lines)"
			p logs "$c" 2>&1 | tail -n 25
		done
	fi
	for c in "${P_PODS[@]}"; do p pod rm -f "$c" >/dev/null 2>&1 || true; done
	for c in "${P_CONTAINERS[@]}"; do p rm -f "$c" >/dev/null 2>&1 || true; done
}

P_LABELS=()
p_labels() { P_LABELS=(--label "$E2E_LABEL.run=$E2E_RUN" --label "$E2E_LABEL.owner=$E2E_OWNER"); }

# pstart NAME PODMAN-RUN-ARGS...: podman run -d, labelled, never pulling
pstart() {
	local name=$1 out
	shift
	p_labels
	P_CONTAINERS+=("$name")
	out=$(p run -d --pull never --name "$name" "${P_LABELS[@]}" "$@" 2>&1) ||
		fail "podman run -d --name $name $* failed: $out"
}

plogs() { p logs "$1" 2>&1; }
plog_has() { plogs "$1" | grep -qE -- "$2"; }
pwait_log() { wait_for -t "${3:-30}" -m "a line /$2/ in the podman logs of $1" plog_has "$1" "$2"; }
plog_count() {
	local n
	n=$(plogs "$1" | grep -cE -- "$2") || true
	echo "${n:-0}"
}
pexit() { p inspect -f '{{.State.ExitCode}}' "$1"; }
pexited() { [[ $(p inspect -f '{{.State.Status}}' "$1" 2>/dev/null) == exited ]]; }
pexec() { p exec "$1" "${@:2}" </dev/null; }
pps() { pexec "$1" sh -c "$PS_SCRIPT"; }
p_no_zombies() { [[ $(pexec "$1" sh -c "$ZOMBIE_SCRIPT") == 0 ]]; }

@test "podman: run --init --init-path ./minit: minit is PID 1 in place of catatonit, statuses pass through" {
	local out rc
	p_labels
	out=$(p run --rm --pull never --network none "${P_LABELS[@]}" --init --init-path "$MINIT" \
		--entrypoint /bin/sh "$P_IMG_SCRATCH" -c 'tr "\0" " " </proc/1/cmdline; echo; exit 7' 2>&1) && rc=0 || rc=$?
	[[ $rc == 7 ]] || fail "exit status $rc, expected the child's 7: $out"
	# podman bind-mounts the init binary at /run/podman-init and runs it as PID 1
	grep -qx '/run/podman-init -- /bin/sh -c .*' <<<"$out" || fail "PID 1 is not podman's init path running the command: $out"
	# PID 1's executable from the host: minit is not dumpable, so the
	# container's root (without CAP_SYS_PTRACE) cannot open its /proc/1/exe
	local c pid
	c=$(cname init-pid1)
	pstart "$c" --network none --init --init-path "$MINIT" --entrypoint /bin/sh "$P_IMG_SCRATCH" -c 'exec sleep 60'
	pid=$(p inspect -f '{{.State.Pid}}' "$c")
	cmp -s "/proc/$pid/exe" "$MINIT" || fail "PID 1 (host pid $pid, $(readlink "/proc/$pid/exe")) is not $MINIT"
	out=$(pexec "$c" /run/podman-init --version 2>&1) || fail "/run/podman-init --version: $out"
	[[ $out == "minit version "* ]] || fail "/run/podman-init is not minit: $out"
	p rm -f "$c" >/dev/null
	# a child killed by a signal (USR1: no crash, no restart) gives 128+N
	p run --rm --pull never --network none "${P_LABELS[@]}" --init --init-path "$MINIT" \
		--entrypoint /bin/sh "$P_IMG_SCRATCH" -c 'kill -USR1 $$' >/dev/null 2>&1 && rc=0 || rc=$?
	[[ $rc == 138 ]] || fail "a child killed by USR1 gave $rc, expected 138"
}

@test "podman: podman stop of a TERM-ignoring tree ends by minit's --stop-timeout (2 s, exit 137), not podman's 30 s" {
	local c t0 took main
	c=$(cname podman-stop)
	# sigrec records TERM and lives on; -c 2: two children doing the same.
	# The image's own minit entrypoint is replaced: podman's init is the minit.
	pstart "$c" --network none --init --init-path "$MINIT" -e MINIT_STOP_TIMEOUT=2s \
		-e MINIT_VERBOSITY=2 --entrypoint /usr/local/bin/sigrec "$P_IMG_SCRATCH" -c 2
	wait_for -t 30 -m "three sigrec ready lines" eval "(( \$(plog_count '$c' '^ready ') >= 3 ))"
	main=$(plogs "$c" | sed -nE 's/^minit: info: started .*sigrec as pid ([0-9]+)$/\1/p')
	[[ -n $main ]] || fail "minit did not log its child's start: $(plogs "$c")"

	t0=$(now_ms)
	p stop -t 30 "$c" >/dev/null
	took=$(($(now_ms) - t0))
	[[ $(pexit "$c") == 137 ]] || fail "exit code $(pexit "$c"), expected 137 (minit's KILL)"
	((took >= 1900 && took < 10000)) || fail "podman stop took $took ms, expected about 2000 (minit's --stop-timeout)"
	plog_has "$c" "^minit: info: stop requested by SIGTERM: sending TERM to pid $main, KILL in 2000 ms$" ||
		fail "minit's stop line missing: $(plogs "$c")"
	plog_has "$c" "^sig TERM 15 " || fail "the child never got TERM: $(plogs "$c")"
	plog_has "$c" '^minit: warning: sending KILL to every remaining process$' ||
		fail "minit did not end the tree itself: $(plogs "$c")"
}

@test "podman: a pod whose infra container runs minit --pause; the app's minit there is a subreaper, podman stop ends its tree only" {
	local pod infra side app am t0 took
	pod=$(cname podman-pod) side=$(cname podman-pod-side) app=$(cname podman-pod-app)
	p_labels
	P_PODS+=("$pod")
	# --infra-command /minit: the pause image's MINIT_PAUSE=1 makes a bare minit pause
	p pod create --name "$pod" "${P_LABELS[@]}" --network none --share pid,ipc,uts,net \
		--infra-image "$P_IMG_PAUSE" --infra-command /minit >/dev/null ||
		fail "podman pod create --infra-image $P_IMG_PAUSE failed"
	p pod start "$pod" >/dev/null || fail "podman pod start $pod failed"
	infra=$(p pod inspect -f '{{.InfraContainerID}}' "$pod")
	pstart "$side" --pod "$pod" -e MINIT_STOP_TIMEOUT=1s "$P_IMG_SCRATCH" sigrec
	pwait_log "$side" '^ready '
	pps "$side" >"$T/ps.pod"
	awk '$1 == 1' "$T/ps.pod" | grep -q ' /minit $' || fail "PID 1 of the pod is not the infra's minit:
$(cat "$T/ps.pod")"

	# the app: 10 orphans that sleep 10 min, then a TERM-ignoring tree of 3
	pstart "$app" --pod "$pod" -e MINIT_VERBOSITY=2 -e MINIT_STOP_TIMEOUT=3s \
		"$P_IMG_SCRATCH" sh -c 'orphans 10 -s 600000 && exec sigrec -c 2'
	wait_for -t 30 -m "the app's sigrec tree ready" eval "(( \$(plog_count '$app' '^ready ') >= 3 ))"
	am=$(plogs "$app" | sed -nE 's/^minit: info: not PID 1 \(pid ([0-9]+)\): registered as child subreaper$/\1/p')
	[[ -n $am && $am != 1 ]] || fail "the app's minit did not report itself as a subreaper: $(plogs "$app")"
	pps "$side" >"$T/ps.before"
	[[ $(awk -v p="$am" '$2 == p && / orphans 10 -s 600000 $/' "$T/ps.before" | wc -l) == 10 ]] ||
		fail "expected 10 orphans re-parented to the app's minit (pid $am):
$(cat "$T/ps.before")"

	t0=$(now_ms)
	p stop -t 30 "$app" >/dev/null
	took=$(($(now_ms) - t0))
	[[ $(pexit "$app") == 137 ]] || fail "app exit code $(pexit "$app"), expected 137"
	((took >= 2900 && took < 10000)) || fail "podman stop took $took ms, expected about 3000"
	wait_for -t 20 -m "no zombie in the pod" p_no_zombies "$side"
	pps "$side" >"$T/ps.after"
	! grep -E ' (orphans|sh -c orphans|/sbin/minit -- sh -c)' "$T/ps.after" ||
		fail "processes of the app survived its stop:
$(cat "$T/ps.after")"
	[[ $(p inspect -f '{{.State.Status}}' "$infra") == running ]] || fail "the infra container stopped"
	[[ $(p inspect -f '{{.State.Status}}' "$side") == running ]] || fail "the sidecar stopped"

	# the infra's minit --pause ends on podman's TERM with 0, and the pod with it
	t0=$(now_ms)
	p pod stop -t 10 "$pod" >/dev/null
	took=$(($(now_ms) - t0))
	[[ $(pexit "$infra") == 0 ]] || fail "infra exit code $(pexit "$infra"), expected 0"
	((took < 8000)) || fail "podman pod stop took $took ms"
}

@test "podman: run --sdnotify=container: the server's READY=1 reaches podman's NOTIFY_SOCKET through minit" {
	local c log=$T/up.log recv
	# the NOTIFY_SOCKET of podman's caller (systemd's, for a unit of Type=notify)
	"$E2E_ROOT/build/tests/dgram-recv" "$T/up.sock" "$log" &
	recv=$!
	wait_for -t 10 -m "the caller's notify socket" grep -qx listening "$log"
	c=$(cname sdnotify)
	NOTIFY_SOCKET=$T/up.sock pstart "$c" --network none --sdnotify=container -e MINIT_NOTIFY=1 -e MINIT_VERBOSITY=2 \
		"$P_IMG_SCRATCH" notify-server -o /tmp/rec -r 500 -s serving
	wait_for -t 30 -m "READY=1 on the caller's socket" grep -q 'READY=1' "$log"
	pwait_log "$c" '^minit: info: pid [0-9]+ is ready$'
	kill "$recv"
}
