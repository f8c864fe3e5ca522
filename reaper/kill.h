/* Every signal minit sends goes out here, and nowhere else. A single process
 * is signalled through a pidfd wherever the kernel has them (Linux 5.3), so
 * a pid that was reused meanwhile is never hit; without pidfds (ENOSYS on an
 * old kernel, EPERM from a seccomp profile that denies them) through its
 * pid, as before, noted once at debug level. */
#ifndef MINIT_KILL_H
#define MINIT_KILL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A pidfd for pid (close-on-exec), or -1: gone, or no pidfds here. */
int kill_pidfd_open(pid_t pid);

/* Sends sig to one process: through pidfd when it is >= 0, else to pid.
 * With value, as sigqueue(3) would (si_code SI_QUEUE, the value kept).
 * Returns 0 or -errno. */
int kill_one(int pidfd, pid_t pid, int sig, const union sigval *value);

/* To every process of the group pgid. 0 or -errno. */
int kill_group(pid_t pgid, int sig);

/* kill(-1): every process of the PID namespace but minit (as PID 1). */
int kill_everyone(int sig);

/* To minit itself (stopping itself for job control). */
int kill_self(int sig);

/* To every descendant of minit found in /proc: each is opened with a pidfd
 * and its start time checked again before it is signalled, so a process
 * that took the pid of one that ended during the walk is left alone.
 * Returns how many were signalled, or -1 when /proc is not this PID
 * namespace's (the host's /proc in a new namespace) or cannot be read. */
int kill_tree(int sig);

#define KILL_LISTED_MAX 4096 /* pids of a list (cgroup.procs) signalled at once */

/* To each of pids, read from a list of members (cgroup.procs): each is
 * opened with a pidfd first, then relist(ctx, buf, max) reads the list
 * again, and only those still on it are signalled. A pid that ended and was
 * taken by another process between the two reads is not on the list, and
 * the pidfd's process keeps its pid. No /proc involved: a runtime's /proc
 * from another namespace is no trouble. Returns how many were signalled. */
int kill_listed(const pid_t *pids, size_t n, int sig,
		int (*relist)(void *ctx, pid_t *buf, size_t max), void *ctx);

#endif
