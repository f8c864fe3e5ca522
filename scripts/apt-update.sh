# Sourced by packages.sh and build-deps.sh: apt_update LOG runs `apt-get
# update` with the caller's say(). apt-get cannot wait for the lists lock by
# itself: it is retried while the lock is held (up to 30 x 5 s). A mirror
# caught mid-sync fails some index files ("File has unexpected size ...
# Mirror sync in progress?", with exit 0 and "E:" lines, or exit 100): it
# is tried again APT_UPDATE_TRIES times, APT_UPDATE_PAUSE_S apart, and then
# the caller goes on with the lists apt has; what it installs or fetches
# next says what is really missing.
APT_UPDATE_TRIES=3
APT_UPDATE_PAUSE_S=20
APT_LOCK_TRIES=30
APT_LOCK_PAUSE_S=5

apt_update() { # LOG
	local log=$1 rc lock_tries=0 fetch_tries=0
	while :; do
		rc=0
		apt-get -o DPkg::Lock::Timeout=600 -qq update >"$log" 2>&1 || rc=$?
		if ((rc != 0)) && grep -q 'Could not get lock' "$log" && ((++lock_tries < APT_LOCK_TRIES)); then
			sleep "$APT_LOCK_PAUSE_S"
			continue
		fi
		grep -q '^E:' "$log" || ((rc != 0)) || break
		if ((++fetch_tries < APT_UPDATE_TRIES)); then
			say "apt-get update: $(grep -m1 '^E:' "$log" || echo "exit $rc"); again in $APT_UPDATE_PAUSE_S s"
			sleep "$APT_UPDATE_PAUSE_S"
			continue
		fi
		cat "$log" >&2
		say "apt-get update failed $fetch_tries times: going on with the package lists apt has"
		break
	done
	rm -f "$log"
}
