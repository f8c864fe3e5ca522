/* The supervisor's effects on real processes (struct sup_ops): start the
 * child and watch its pidfd and start-up report in the loop, send signals
 * to the right processes, follow the process a pid file names. The
 * supervisor decides; this file only does. */
#ifndef MINIT_EFFECTS_H
#define MINIT_EFFECTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../reaper/cgroup.h"
#include "../reaper/oom.h"
#include "../spawn/spawn.h"
#include "loop.h"
#include "supervise.h"

struct effects {
	struct spawn_cfg *spawn;
	struct loop *loop;
	bool pid1;
	bool group;		/* -g: signals for the main child go to its process group */
	const char *pidfile;	/* relative to dir_fd; NULL: none */
	const char *termination_log; /* relative to dir_fd; NULL: /dev/termination-log if there */
	int dir_fd;		/* the directory minit was started in */
	pid_t main;		/* the main child minit signals (spawned or followed) */
	int pidfd;		/* its pidfd, -1 without */
	pid_t pgid;		/* the process group it led, kept once it is gone */
	struct spawn_child child; /* the last spawn's report */
	int failed;		/* exit code of a start that failed before exec,
				 * SUP_UNBORN, or 0 */
	int placed_said;	/* how the server starts, as last logged: -1 not yet,
				 * 1 in its cgroup (clone3), 0 joining after fork */
	unsigned pidfile_warned; /* problems with the pid file already logged (bits) */
	bool said_foreign_proc;	/* logged that /proc is not this namespace's */
	struct cgroup *cg;	/* the server's cgroup (cg->active: cgroup mode) */
	const struct oom *oom;	/* the OOM-kill counter */
	uint64_t oom_at_start;	/* its value when the main child started */
	uint64_t oom_seen;	/* its value at the last look */
	int oom_timer;		/* a second look shortly after a v1 notification; -1: none */
	unsigned oom_looks;	/* second looks left for this notification */
};

/* What fx_init needs from the set-up. */
struct fx_cfg {
	struct spawn_cfg *spawn;
	struct loop *loop;
	bool pid1, group;
	const char *pidfile, *termination_log;
	int dir_fd;		/* the directory minit was started in, or AT_FDCWD */
	struct cgroup *cg;
	const struct oom *oom;
};

/* Fills fx and ops (whose ctx is fx). */
void fx_init(struct effects *fx, const struct fx_cfg *cfg, struct sup_ops *ops);

/* The OOM counter is set up (after the first start): its count now is the
 * start's, and its notifications are watched. */
void fx_oom_ready(struct effects *fx);

#endif
