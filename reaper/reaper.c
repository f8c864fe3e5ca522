#include "reaper.h"

#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../base/log.h"
#include "../base/status.h"

#define STATUS_TEXT_MAX 64

void reap_drain(pid_t main_pid, bool warn, struct reap_result *r)
{
	char what[STATUS_TEXT_MAX];
	int status;
	pid_t pid;

	r->main_exited = false;
	r->none_left = false;
	r->reaped = 0;
	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			r->reaped++;
			if (pid == main_pid && main_pid > 0) {
				r->main_exited = true;
				r->main_status = status;
			} else if (warn) {
				log_msg(LOG_WARN, "reaped zombie process %d: %s", (int)pid,
					status_describe(status, what, sizeof(what)));
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		r->none_left = pid < 0 && errno == ECHILD;
		return;
	}
}

bool reap_is_child(pid_t pid)
{
	siginfo_t si;

	/* WNOWAIT: only looks; a child that has already ended is still reaped later */
	return pid > 0 && !waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
}

int reap_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) ? -errno : 0;
}
