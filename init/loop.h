/* The one event loop: waits on the signalfd (a blocking read when nothing is
 * due; ppoll with the main child's pidfd and a single deadline from the
 * supervisor otherwise); each wake-up drains signals, drains waitpid, then
 * fires what is due. Nothing else in minit sleeps. */
#ifndef MINIT_LOOP_H
#define MINIT_LOOP_H

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
	int sigfd;
	int pidfd;			/* main child's, -1 if none */
	pid_t pidfd_pid;		/* whose pidfd it is */
	bool spawned;			/* main child started by minit, not followed */
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
