#include "kill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/log.h"
#include "tree.h"

/* The same numbers on every architecture since Linux 5.1's unified table. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define LISTED_BATCH 64 /* pidfds kill_listed holds at once: well within any RLIMIT_NOFILE */
#define PIDFD_GONE   (-2)

/* Private to this file: whether this kernel (and seccomp profile) has pidfds. */
static bool no_pidfds;

static void pidfds_unavailable(int err)
{
	if (no_pidfds)
		return;
	no_pidfds = true;
	log_msg(LOG_DEBUG, "no pidfds here (%s): signalling by pid", strerror(err));
}

int kill_pidfd_open(pid_t pid)
{
	int fd;

	if (no_pidfds || pid <= 0)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		pidfds_unavailable(errno);
	return fd;
}

int kill_one(int pidfd, pid_t pid, int sig, const union sigval *value)
{
	siginfo_t info;

	if (value) {
		memset(&info, 0, sizeof(info));
		info.si_signo = sig;
		info.si_code = SI_QUEUE;
		info.si_pid = getpid();
		info.si_uid = getuid();
		info.si_value = *value;
	}
	if (pidfd >= 0 && !no_pidfds) {
		if (!syscall(SYS_pidfd_send_signal, pidfd, sig, value ? &info : NULL, 0))
			return 0;
		if (errno != ENOSYS)
			return -errno;
		pidfds_unavailable(errno);
	}
	if (value)
		return sigqueue(pid, sig, *value) ? -errno : 0;
	return kill(pid, sig) ? -errno : 0;
}

int kill_group(pid_t pgid, int sig)
{
	return pgid > 0 && kill(-pgid, sig) ? -errno : 0;
}

int kill_everyone(int sig)
{
	return kill(-1, sig) ? -errno : 0;
}

int kill_self(int sig)
{
	return kill(getpid(), sig) ? -errno : 0;
}

/* One process of the walk, if it is still the one the walk saw: the pidfd
 * pins whatever process has the pid when it is opened; if /proc then shows
 * the start time the walk read, that process was alive all along, so the
 * pidfd is it. */
static bool signal_entry(const struct tree_proc *e, int sig)
{
	struct tree_proc now;
	int fd = kill_pidfd_open(e->pid);
	bool same;

	if (fd < 0)
		return no_pidfds && kill_one(-1, e->pid, sig, NULL) == 0;
	same = !tree_read(e->pid, &now) && now.start == e->start;
	same = same && kill_one(fd, e->pid, sig, NULL) == 0;
	close(fd);
	return same;
}

int kill_tree(int sig)
{
	struct tree_proc *tab;
	size_t n, i;
	int count = 0;

	tab = tree_descendants(&n);
	if (!tab)
		return -1;
	for (i = 0; i < n; i++)
		if (tab[i].mine && signal_entry(&tab[i], sig))
			count++;
	free(tab);
	return count;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int kill_listed(const pid_t *pids, size_t n, int sig,
		int (*relist)(void *ctx, pid_t *buf, size_t max), void *ctx)
{
	static pid_t now[KILL_LISTED_MAX];
	int fds[LISTED_BATCH], count = 0, have;
	size_t i, j, len;

	for (i = 0; i < n; i += len) {
		len = n - i < LISTED_BATCH ? n - i : LISTED_BATCH;
		for (j = 0; j < len; j++) {
			fds[j] = kill_pidfd_open(pids[i + j]);
			if (fds[j] < 0 && !no_pidfds && errno == ESRCH)
				fds[j] = PIDFD_GONE;
		}
		have = relist(ctx, now, KILL_LISTED_MAX);
		if (have > 0)
			qsort(now, (size_t)have, sizeof(now[0]), pid_cmp);
		for (j = 0; j < len; j++) {
			/* fd -1: no pidfds here, or none to spare (EMFILE): by pid */
			if (fds[j] != PIDFD_GONE && have > 0 &&
			    bsearch(&pids[i + j], now, (size_t)have, sizeof(now[0]), pid_cmp))
				count += !kill_one(fds[j], pids[i + j], sig, NULL);
			if (fds[j] >= 0)
				close(fds[j]);
		}
	}
	return count;
}
