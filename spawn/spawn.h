/* Creating the child: fork, the child-side set-up in a fixed order (session
 * and terminal, listen fds, working directory, identity and privileges,
 * parent-death signal, signal mask), exec. minit never waits for any of it:
 * the child reports a failure before or at exec through a close-on-exec
 * pipe that the loop reads when it is readable, and exits with the code
 * minit will report (125 set-up; for exec, the codes configured: minit's are
 * 126 not executable, 127 not found). */
#ifndef MINIT_SPAWN_H
#define MINIT_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "privs.h"

#define SPAWN_LISTEN_MAX 16

enum spawn_session {
	SPAWN_OWN_GROUP,	/* own process group in minit's session (tini, minit) */
	SPAWN_OWN_SESSION,	/* own session, the terminal as its controlling one (--setsid) */
	SPAWN_SHARED,		/* minit's own group and session (dumb-init -c) */
};

struct spawn_cfg {
	char *const *argv;
	enum spawn_session session;
	int pdeathsig;			/* 0 = none */
	int cwd_fd;			/* the directory to start in; -1 = minit's own */
	struct {
		int not_found, denied, other;	/* exit codes for ENOENT, EACCES, the rest */
	} exec_codes;
	bool sh_fallback;		/* run a file without a #! line with /bin/sh (glibc's execvp) */
	const int *listen_fds;		/* passed as fds 3.. with LISTEN_* */
	size_t listen_len;
	const char *listen_names;	/* LISTEN_FDNAMES, colon-separated */
	const char *notify_socket;	/* NOTIFY_SOCKET for the child, NULL: none */
	uint64_t watchdog_usec;		/* WATCHDOG_USEC (and WATCHDOG_PID), 0: none */
	int cgroup_fd;			/* the server's cgroup to start in (clone3); -1: none */
	int cgroup_procs_fd;		/* its cgroup.procs, to join first where not started in it */
	const struct privs *privs;
};

struct spawn_child {
	pid_t pid;
	int report_fd;	/* the report pipe's read end (non-blocking); -1 once answered */
	bool placed;	/* started in the server's cgroup (clone3) */
	bool began;	/* placed, and it said it lives */
};

/* Forks the child, which sets itself up and execs while minit goes on.
 * Returns 0, or -errno when no child could be made (fork or pipe failed:
 * worth trying again later). */
int spawn_start(const struct spawn_cfg *c, struct spawn_child *child);

enum spawn_report {
	SPAWN_PENDING,	/* neither exec'd nor failed yet (it may be stopped) */
	SPAWN_RUNNING,	/* exec'd (or died before it could say anything) */
	SPAWN_FAILED,	/* set-up or exec failed, reason logged; it exits with *code */
	SPAWN_UNBORN,	/* placed, and ended before its first instruction: Linux
			 * 6.14+ SIGKILLs a child that clone3 starts in a cgroup
			 * whose cgroup.kill count differs from its parent's
			 * cgroup's (someone wrote minit's cgroup.kill once) */
	SPAWN_UNPLACED,	/* unable to join the server's cgroup (removed, or made
			 * to refuse members meanwhile): nothing logged, *code
			 * is the errno; it exits before exec */
};

/* Reads the child's report without waiting; closes report_fd once it has
 * the answer. */
enum spawn_report spawn_report(const struct spawn_cfg *c, struct spawn_child *child, int *code);

#endif
