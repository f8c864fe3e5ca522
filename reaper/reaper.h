/* Reaping: the one place minit waits for a child (waitpid drained until
 * none is ready, or none is left), whether a pid is minit's child, and the
 * subreaper registration. Knows no policy. */
#ifndef MINIT_REAPER_H
#define MINIT_REAPER_H

#include <stdbool.h>
#include <sys/types.h>

struct reap_result {
	bool main_exited;	/* main_pid was among the reaped */
	int main_status;	/* its wait status */
	bool none_left;		/* waitpid said ECHILD: minit has no child at all */
	unsigned reaped;	/* how many were reaped, main included */
};

/* Reaps every child that has ended, until none is ready (0) or none is left
 * (ECHILD). main_pid 0: no main child. With warn, logs each orphan reaped
 * (tini's -w). */
void reap_drain(pid_t main_pid, bool warn, struct reap_result *r);

/* True when pid is a child of minit's, alive or not yet reaped: one minit
 * can wait for. Needs no /proc, so it holds in any PID namespace. */
bool reap_is_child(pid_t pid);

int reap_become_subreaper(void);

#endif
