/* The supervision policy as a state machine over events (a signal arrived,
 * the main child was reaped, nothing is left, a deadline passed). It decides;
 * effects (spawn, signal, follow a pid file) go through struct sup_ops, so the
 * policy can be driven in unit tests without real processes. It reads only
 * its own struct sup_cfg, filled once at start-up. */
#ifndef MINIT_SUPERVISE_H
#define MINIT_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../base/parse.h"
#include "notify_msg.h"

#define SUP_NEVER	     UINT64_MAX
#define KILL_REPEAT_MS	     100   /* re-send KILL to stragglers (fresh forks, reparenting) */
#define KILL_GIVE_UP_MS	     5000  /* main child gone: stop waiting for leftovers KILL cannot end */
#define BACKOFF_RESET_MS     10000 /* a child that ran this long starts back-off afresh */
#define HANDOFF_POLL_MS	     20	   /* re-read the pid file while the server daemonises */
#define HANDOFF_WAIT_MS	     5000  /* how long a daemonising server may take to write it */
#define LADDER_MAX	     8
#define RESTART_MAX_LIMIT    1000
#define RESTART_HISTORY	     (RESTART_MAX_LIMIT + 1)
#define EXIT_CODE_COUNT	     256
#define SUP_WHY_MAX	     512   /* the termination message, NUL included */
#define SUP_REASON_MAX	     64	   /* one exit's reason, for --status */
#define SUP_REASONS	     3	   /* the last reasons kept */

enum restart_mode { RESTART_NO, RESTART_ON_CRASH, RESTART_ON_FAILURE, RESTART_ALWAYS };

/* What happens to the other processes when the main child is gone for good. */
enum sup_leftovers {
	SUP_LEFT_END,		/* TERM (+CONT) them, KILL after the grace, exit when all are reaped */
	SUP_LEFT_TERM_GROUP,	/* TERM to the main child's process group once, exit (dumb-init) */
	SUP_LEFT_LEAVE,		/* exit at once, leave them running (tini; dumb-init -c) */
};

struct sup_cfg {
	const char *name;		/* the command, for log lines */
	bool pause;			/* no child: reap until TERM or INT */
	int rewrite[SIG_MAX + 1];	/* rewrite[s] = signal to send for s, 0 drops */
	bool stop_on[SIG_MAX + 1];	/* signals that are stop requests */
	int ladder[LADDER_MAX];
	size_t ladder_len;		/* 0 = the received signal, then KILL */
	uint64_t stop_timeout_ms;	/* SUP_NEVER: forward the stop request, never escalate */
	bool stop_cont;			/* follow every stop signal with CONT */
	enum sup_leftovers leftovers;
	uint64_t leftover_grace_ms;
	enum restart_mode restart;
	uint64_t backoff_min_ms, backoff_max_ms, restart_window_ms;
	unsigned restart_max;
	bool follow;			/* --pidfile: look for a successor when the child exits */
	const char *follow_from;	/* where the successor is named, for log lines */
	bool remap_exit[EXIT_CODE_COUNT];
	bool job_control;		/* TSTP, TTIN, TTOU also stop minit (dumb-init, not PID 1) */
	bool notify;			/* --notify: the child is starting until it says READY=1 */
	uint64_t ready_timeout_ms;	/* --ready-timeout (implies notify); 0: none */
	uint64_t watchdog_ms;		/* --watchdog: WATCHDOG=1 due this often; 0: none */
	uint64_t stop_delay_ms;		/* --stop-delay: before the first rung, within the timeout */
};

/* Why a main child is ended by minit for a restart (not a stop request). */
enum sup_end { SUP_END_NONE, SUP_END_WATCHDOG, SUP_END_NOT_READY };

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
	SUP_TO_GROUP,	/* the process group the last main child led, even once it is gone */
	SUP_TO_TREE,	/* minit's descendants: not what docker exec started beside it */
	SUP_TO_ALL,	/* every process minit can end: as PID 1 the whole namespace */
	SUP_TO_SELF,	/* minit itself (job control) */
};

#define SUP_UNBORN (-1)

struct sup_ops {
	void *ctx;
	/* 0 with *pid set; -1 when no child could be made (fork failed). */
	int (*spawn)(void *ctx, pid_t *pid);
	/* value: a sigqueue payload to pass on, or NULL. */
	void (*send)(void *ctx, enum sup_target to, int sig, const union sigval *value);
	/* The live child of minit's that hint names (MAINPID=), or else the pid
	 * file, other than old; or 0. */
	pid_t (*handoff)(void *ctx, pid_t old, pid_t hint);
	/* The main child was reaped with status: 0 if it had started, the
	 * exit code of a start that failed before exec (the reason is logged),
	 * or SUP_UNBORN: it never ran, and a start now would. A note on how
	 * it died goes in note ("OOM killer, ..."), or "". */
	int (*reaped)(void *ctx, int status, char *note, size_t len);
	/* minit is done: why, in one line (the termination message). */
	void (*finished)(void *ctx, const char *why);
};

struct supervisor {
	const struct sup_cfg *cfg;
	struct sup_ops ops;
	enum sup_state state;
	pid_t main;			/* the live main child; 0 once reaped */
	pid_t last;			/* the last main child, reaped or not */
	int status;			/* the main child's last wait status */
	int exit_code;			/* what minit exits with */
	bool empty;			/* the last reap found no child at all */
	uint64_t deadline;
	uint64_t started_ms;		/* when the main child started */
	bool killing;			/* the final KILL went out: repeat it until empty */
	uint64_t kill_ms;		/* when it first went out */
	bool sent_kill;			/* minit forwarded KILL to this main child */
	char note[SUP_REASON_MAX];	/* how the last main child died, beyond its status (OOM) */
	/* talking to the child (sd_notify) */
	bool ready;			/* READY=1 since this start (not counted without --notify) */
	bool notified;			/* the child sent any notify message since this start */
	bool reloading, winding_down;	/* RELOADING=1, STOPPING=1 (until READY=1) */
	pid_t mainpid_hint;		/* MAINPID= from the child, 0 if none */
	char status_text[NOTIFY_STATUS_MAX]; /* the last STATUS= */
	uint64_t ready_by;		/* --ready-timeout's deadline, SUP_NEVER */
	uint64_t watchdog_by;		/* the next WATCHDOG=1 is due by then, SUP_NEVER */
	/* stopping */
	int ladder[LADDER_MAX];
	size_t ladder_len, rung;
	int stop_signal;		/* the signal that asked for the stop, 0 if minit ended it */
	enum sup_end ending;		/* minit ends the child for a restart (watchdog, not ready) */
	bool delaying;			/* --stop-delay: the first rung still to come */
	uint64_t stop_ms;		/* when the stop request came */
	uint64_t ladder_ms;		/* when the first rung went (after the delay) */
	uint64_t ladder_span;		/* from then to the final KILL */
	/* restarting */
	uint64_t backoff_ms;
	uint64_t restarts[RESTART_HISTORY]; /* ring of restart times */
	size_t restart_count;
	/* handing off */
	uint64_t handoff_until;
	/* what happened, for --status and the termination message */
	char reasons[SUP_REASONS][SUP_REASON_MAX]; /* the last exits' reasons, newest first */
	char why[SUP_WHY_MAX];		/* why minit ends, once it does */
};

void sup_init(struct supervisor *s, const struct sup_cfg *cfg, const struct sup_ops *ops);
void sup_start(struct supervisor *s, uint64_t now);
/* value: the payload of a signal sent with sigqueue, or NULL. */
void sup_signal(struct supervisor *s, int sig, const union sigval *value, uint64_t now);
void sup_main_exited(struct supervisor *s, int status, bool none_left, uint64_t now);
/* After every reap: whether any child is left at all. */
void sup_children(struct supervisor *s, bool none_left, uint64_t now);
void sup_tick(struct supervisor *s, uint64_t now);	/* call when now >= s->deadline */
/* A datagram on the notify socket from a process of minit's tree; false
 * when it came while no child runs, and was dropped. */
bool sup_notify(struct supervisor *s, const struct notify_msg *m, uint64_t now);

/* For --health: whether the main child runs, is not being stopped, and is
 * ready (with --notify, or once it has sent anything); else why not. */
bool sup_healthy(const struct supervisor *s, const char **why);

/* "running", "starting", "stopping", ...: for --status. */
const char *sup_state_name(const struct supervisor *s);

/* Offset of ladder rung k from the stop request: t, 2t, 4t... summing to the timeout. */
uint64_t sup_rung_offset_ms(uint64_t timeout_ms, size_t len, size_t k);

#endif
