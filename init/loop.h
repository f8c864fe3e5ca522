/* The one event loop: every signal is blocked and taken with sigtimedwait,
 * bounded by the supervisor's single deadline (no bound when nothing is due);
 * a SIGCHLD drains waitpid, then what is due fires. Nothing else in minit
 * sleeps. */
#ifndef MINIT_LOOP_H
#define MINIT_LOOP_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../spawn/spawn.h"
#include "options.h"
#include "supervise.h"

#define LISTEN_NAMES_MAX (LISTEN_MAX * LISTEN_NAME_MAX)

struct runtime {
	const struct opts *o;
	bool pid1;
	pid_t self;
	sigset_t signals;		/* every signal: blocked, and waited for */
	int listen_fds[LISTEN_MAX];
	char listen_names[LISTEN_NAMES_MAX];
	struct privs privs;
	struct spawn_cfg spawn;
	struct supervisor sup;
};

uint64_t loop_now_ms(void);

/* Wires the supervisor's effects to this runtime and starts it. */
void loop_start(struct runtime *rt);

/* Runs until the supervisor is done; returns minit's exit code. */
int loop_run(struct runtime *rt);

#endif
