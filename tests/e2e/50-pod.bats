#!/usr/bin/env bats
# A Kubernetes-style pod with a shared PID namespace (shareProcessNamespace:
# true), simulated with docker: the sandbox ("pause") container runs
# `minit --pause` from examples/kubernetes/pause.Dockerfile and is PID 1; the
# app and a sidecar join its PID and network namespaces (--pid/--network
# container:PAUSE) and run `minit -- CMD`, where minit is not PID 1 and must
# be a child subreaper. The sidecar (busybox inside) is our window on the
# shared namespace.

load lib

pod_start() {
	P=$(cname pod-pause) S=$(cname pod-side) A=$(cname pod-app)
	dstart "$P" --network none "$IMG_PAUSE"
	dstart "$S" --pid "container:$P" --network "container:$P" -e MINIT_VERBOSITY=2 "$IMG_SCRATCH" sigrec
	wait_log "$S" '^ready '
}

@test "pod: the app's minit (not PID 1) is a subreaper; docker stop ends its whole tree, the sidecar and the pause container stay, no zombie" {
	local am main t0 took ms
	pod_start
	# the app: 10 orphans that sleep 10 min, then a TERM-ignoring tree of 3
	dstart "$A" --pid "container:$P" --network "container:$P" -e MINIT_VERBOSITY=2 \
		-e MINIT_STOP_TIMEOUT=3s "$IMG_SCRATCH" sh -c 'orphans 10 -s 600000 && exec sigrec -c 2'
	wait_for -t 30 -m "the app's sigrec tree ready" eval "(( \$(log_count '$A' '^ready ') >= 3 ))"
	assert_log "$A" '^orphans 10 created in '

	am=$(logs "$A" | sed -nE 's/^minit: info: not PID 1 \(pid ([0-9]+)\): registered as child subreaper$/\1/p')
	[[ -n $am && $am != 1 ]] || fail "the app's minit did not report itself as a non-PID-1 subreaper:
$(logs "$A")"
	cps "$S" >"$T/ps.before"
	awk '$1 == 1' "$T/ps.before" | grep -q ' /minit --pause $' || fail "PID 1 of the pod is not minit --pause:
$(cat "$T/ps.before")"
	awk -v p="$am" '$1 == p' "$T/ps.before" | grep -q ' /sbin/minit -- sh -c ' || fail "pid $am is not the app's minit:
$(cat "$T/ps.before")"
	# the orphans were re-parented to the app's minit, not to the pod's PID 1
	[[ $(awk -v p="$am" '$2 == p && / orphans 10 -s 600000 $/' "$T/ps.before" | wc -l) == 10 ]] ||
		fail "expected 10 orphans with parent $am:
$(cat "$T/ps.before")"
	main=$(logs "$A" | sed -nE 's/^minit: info: started sh as pid ([0-9]+)$/\1/p')

	t0=$(now_ms)
	docker stop -t 30 "$A" >/dev/null
	took=$(($(now_ms) - t0))

	[[ $(exit_code "$A") == 137 ]] || fail "app exit code $(exit_code "$A"), expected 137"
	((took >= 2900 && took < 10000)) || fail "docker stop took $took ms, expected about 3000 (--stop-timeout)"
	assert_log "$A" "^minit: info: stop requested by SIGTERM: sending TERM to pid $main, KILL in 3000 ms$"
	assert_log "$A" '^minit: warning: sending KILL to every remaining process$'
	ms=$(logs "$A" | sed -nE "s/^minit: info: pid $main killed by SIGKILL after ([0-9]+) ms$/\1/p")
	[[ -n $ms ]] || fail "minit did not see its child killed:
$(logs "$A")"

	# nothing of the app is left in the pod's namespace, and no zombie
	wait_for -t 20 -m "no zombie in the pod" no_zombies "$S"
	cps "$S" >"$T/ps.after"
	! grep -E ' (orphans|sh -c orphans|/sbin/minit -- sh -c)' "$T/ps.after" ||
		fail "processes of the app survived its stop:
$(cat "$T/ps.after")"
	[[ $(awk '$4 == "sigrec" && NF == 4' "$T/ps.after" | wc -l) == 1 ]] || fail "expected only the sidecar's sigrec:
$(cat "$T/ps.after")"
	# the rest of the pod is untouched: the app's minit signalled only its own tree
	is_running "$P" || fail "the pause container stopped"
	is_running "$S" || fail "the sidecar stopped"
	refute_log "$S" '^sig '
}

@test "pod: minit --pause as PID 1 reaps orphans of the shared namespace; docker stop ends it with exit 0 at once" {
	local t0 took
	pod_start
	# docker exec'd processes have their parent outside the namespace: their
	# orphans go to the namespace's PID 1, the pause container's minit
	cexec "$S" orphans 200 2 -s 50 | grep -q '^orphans 200 created'
	wait_for -t 60 -m "no zombie in the pod" no_zombies "$S"
	[[ $(cps "$S" | grep -c ' orphans ') == 0 ]] || fail "orphans left: $(cps "$S")"

	t0=$(now_ms)
	docker stop -t 30 "$P" >/dev/null
	took=$(($(now_ms) - t0))
	[[ $(exit_code "$P") == 0 ]] || fail "pause exit code $(exit_code "$P"), expected 0"
	((took < 5000)) || fail "docker stop of the pause container took $took ms"
	# PID 1 of the namespace gone: the kernel ends the rest of the pod
	wait_for -t 30 -m "the sidecar to end with the namespace" is_exited "$S"
}
