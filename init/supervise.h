/* The supervision policy as a state machine over events (a signal arrived,
 * the main child was reaped, nothing is left, a deadline passed). It decides;
 * effects (spawn, signal, follow a pid file) go through struct sup_ops, so the
 * policy can be driven in unit tests without real processes. */
#ifndef MINIT_SUPERVISE_H
#define MINIT_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "options.h"

#define SUP_NEVER	     UINT64_MAX
#define KILL_REPEAT_MS	     100   /* re-send KILL to stragglers (fresh forks, reparenting) */
#define BACKOFF_RESET_MS     10000 /* a child that ran this long starts back-off afresh */
#define HANDOFF_POLL_MS	     20	   /* re-read the pid file while the server daemonises */
#define HANDOFF_WAIT_MS	     5000  /* how long a daemonising server may take to write it */
#define RESTART_HISTORY	     (RESTART_MAX_LIMIT + 1)

enum sup_state {
	SUP_PAUSED,	/* --pause: no child, reap until TERM/INT */
	SUP_RUNNING,	/* the main child runs */
	SUP_STOPPING,	/* stop requested, main child still runs: climbing the ladder */
	SUP_BACKOFF,	/* main child crashed, restart due at the deadline */
	SUP_HANDOFF,	/* main child gone, waiting for the pid file to name its successor */
	SUP_DRAINING,	/* main child gone for good: ending and reaping the rest */
	SUP_DONE,
};

enum sup_target {
	SUP_TO_MAIN,	/* the main child (its group with -g) */
	SUP_TO_TREE,	/* minit's descendants: not what docker exec started beside it */
	SUP_TO_ALL,	/* every process minit can end: as PID 1 the whole namespace */
};

struct sup_ops {
	void *ctx;
	/* 0 with *pid set; -1 to retry later (fork failed); else an exit code. */
	int (*spawn)(void *ctx, pid_t *pid);
	void (*send)(void *ctx, enum sup_target to, int sig);
	/* The live process in minit's tree that the pid file names, other than old; or 0. */
	pid_t (*handoff)(void *ctx, pid_t old);
};

struct supervisor {
	const struct opts *o;
	struct sup_ops ops;
	enum sup_state state;
	pid_t main;
	int status;			/* the main child's last wait status */
	int exit_code;			/* what minit exits with */
	bool empty;			/* the last reap found no child at all */
	uint64_t deadline;
	uint64_t started_ms;		/* when the main child started */
	bool killing;			/* the final KILL went out: repeat it until empty */
	bool sent_kill;			/* minit forwarded KILL to this main child */
	/* stopping */
	int ladder[LADDER_MAX];
	size_t ladder_len, rung;
	uint64_t stop_ms;		/* when the stop request came */
	/* restarting */
	uint64_t backoff_ms;
	uint64_t restarts[RESTART_HISTORY]; /* ring of restart times */
	size_t restart_count;
	/* handing off */
	uint64_t handoff_until;
};

void sup_init(struct supervisor *s, const struct opts *o, const struct sup_ops *ops);
void sup_start(struct supervisor *s, uint64_t now);
void sup_signal(struct supervisor *s, int sig, uint64_t now);
void sup_main_exited(struct supervisor *s, int status, bool none_left, uint64_t now);
/* After every reap: whether any child is left at all. */
void sup_children(struct supervisor *s, bool none_left, uint64_t now);
void sup_tick(struct supervisor *s, uint64_t now);	/* call when now >= s->deadline */

/* Offset of ladder rung k from the stop request: t, 2t, 4t... summing to the timeout. */
uint64_t sup_rung_offset_ms(uint64_t timeout_ms, size_t len, size_t k);

#endif
