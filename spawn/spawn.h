/* Creating the child: fork, the child-side set-up in a fixed order (session,
 * terminal, listen fds, identity and privileges, parent-death signal, signal
 * mask), exec. A failure before or at exec comes back to the parent through
 * a close-on-exec pipe, so the parent can name the step and the reason. */
#ifndef MINIT_SPAWN_H
#define MINIT_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "privs.h"

#define EXIT_MINIT_FAILED   125
#define SPAWN_LISTEN_MAX    16
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND	    127

struct spawn_cfg {
	char *const *argv;
	sigset_t mask;			/* the caller's mask, restored before exec */
	bool setsid;			/* own session (dumb-init) instead of own process group */
	int pdeathsig;			/* 0 = none */
	const int *listen_fds;		/* passed as fds 3.. with LISTEN_* */
	size_t listen_len;
	const char *listen_names;	/* LISTEN_FDNAMES, colon-separated */
	const struct privs *privs;	/* NULL = keep minit's identity */
};

enum spawn_status {
	SPAWN_OK,
	SPAWN_RETRY,	/* fork failed (EAGAIN, ENOMEM): worth trying again later */
	SPAWN_FAILED,	/* set-up or exec failed: exit_code says how */
};

struct spawn_result {
	pid_t pid;
	int exit_code;	/* with SPAWN_FAILED: 125, 126 or 127 */
};

enum spawn_status spawn_child(const struct spawn_cfg *cfg, struct spawn_result *r);

#endif
