/* Reaping and the process tree: drains waitpid, decodes statuses, registers
 * as subreaper, signals every process in minit's tree. Knows no policy. */
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
 * (ECHILD). With warn, logs each orphan reaped (tini's -w). */
void reap_drain(pid_t main_pid, bool warn, struct reap_result *r);

/* 0..255 for an exit, 128+N for death by signal N (the shell's convention). */
int reap_exit_code(int status);

/* Describes a wait status for a log line: "exited with status 3", "killed by SIGSEGV". */
const char *reap_describe(int status, char *buf, unsigned len);

int reap_become_subreaper(void);

/* With everyone, every process of the namespace but minit (kill(-1), only
 * for PID 1); otherwise every descendant of minit found through /proc.
 * Returns how many were signalled (with everyone: 1 if any, 0 if none). */
int reap_signal_all(int sig, bool everyone);

/* True when pid is a child of minit's, alive or not yet reaped: one minit
 * can wait for. Needs no /proc, so it holds in any PID namespace. */
bool reap_is_child(pid_t pid);

#endif
