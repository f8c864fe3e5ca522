/* The kernel's own record of minit's tree: a cgroup v2 directory that holds
 * the server and everything it starts, whatever it does (setsid, double
 * fork, reparenting). Found from /proc/self/cgroup and the cgroup2 mount in
 * /proc/self/mountinfo; used only where minit can create a directory there.
 * Then the final KILL is one write to cgroup.kill, and "nothing left" is
 * cgroup.events' populated 0. */
#ifndef MINIT_CGROUP_H
#define MINIT_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mounts.h"

#define CGROUP_PATH_MAX MOUNTS_PATH_MAX

struct cgroup {
	bool active;			/* the server runs in a cgroup of its own */
	char own[CGROUP_PATH_MAX];	/* the cgroup minit was started in */
	char dir[CGROUP_PATH_MAX];	/* own/minit-PID-RANDOM: the server's */
	int dir_fd;			/* dir */
	int procs_fd;			/* dir/cgroup.procs, for a forked child to join
					 * where clone3 cannot start it in dir */
	int events_fd;			/* dir/cgroup.events, watched */
};

/* under: NULL (auto: in minit's own cgroup v2, at->v2, where possible), or a
 * cgroup2 directory to make the server's under. Fills c; c->active false
 * with the reason in why when cgroup mode cannot run (no cgroup v2,
 * read-only, no permission). */
void cgroup_setup(struct cgroup *c, const char *under, const struct cgroup_places *at, char *why,
		  size_t len);

/* Whether any process is left in the server's cgroup. */
bool cgroup_populated(const struct cgroup *c);

/* Every process of the server's cgroup: one write to cgroup.kill (Linux
 * 5.14). 0, -ENOENT without cgroup.kill, or -errno. */
int cgroup_kill(const struct cgroup *c);

/* The pids in the server's cgroup (at most max), as minit's PID namespace
 * numbers them (whatever /proc is mounted); how many, or -errno. */
int cgroup_members(const struct cgroup *c, pid_t *pids, size_t max);

/* minit is done: the server's directory removed where empty. */
void cgroup_teardown(struct cgroup *c);

#endif
