/* The supervisor's effects on real processes (struct sup_ops): start the
 * child and watch its pidfd and start-up report in the loop, send signals
 * to the right processes, follow the process a pid file names. The
 * supervisor decides; this file only does. */
#ifndef MINIT_EFFECTS_H
#define MINIT_EFFECTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../spawn/spawn.h"
#include "loop.h"
#include "supervise.h"

struct effects {
	const struct spawn_cfg *spawn;
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
	int failed;		/* exit code of a start that failed before exec, or 0 */
	unsigned pidfile_warned; /* problems with the pid file already logged (bits) */
	bool said_foreign_proc;	/* logged that /proc is not this namespace's */
};

/* What fx_init needs from the set-up. */
struct fx_cfg {
	const struct spawn_cfg *spawn;
	struct loop *loop;
	bool pid1, group;
	const char *pidfile, *termination_log;
	int dir_fd;		/* the directory minit was started in, or AT_FDCWD */
};

/* Fills fx and ops (whose ctx is fx). */
void fx_init(struct effects *fx, const struct fx_cfg *cfg, struct sup_ops *ops);

#endif
