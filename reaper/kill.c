#include "kill.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../base/log.h"

/* The same numbers on every architecture since Linux 5.1's unified table. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_STAT_MAX	   512
#define PROC_PATH_MAX	   32
#define PROC_TABLE_INITIAL 256
#define STAT_FIELDS_AFTER_PPID 17 /* fields 5..21 of /proc/PID/stat, before starttime */

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

bool kill_proc_is_ours(void)
{
	char self[PROC_PATH_MAX], want[PROC_PATH_MAX];
	struct statfs fs;
	ssize_t n;

	if (statfs("/proc", &fs) || fs.f_type != PROC_SUPER_MAGIC)
		return false;
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	snprintf(want, sizeof(want), "%d", (int)getpid());
	return !strcmp(self, want);
}

struct proc_entry {
	pid_t pid, ppid;
	unsigned long long start;	/* field 22: start time in clock ticks since boot */
	bool mine;
};

/* Parent and start time of pid from /proc/PID/stat. The command name may
 * hold spaces and parentheses, so the fields are read after the last ')'. */
static int read_stat(pid_t pid, struct proc_entry *e)
{
	char path[PROC_PATH_MAX], buf[PROC_STAT_MAX];
	char *p, *end;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &e->ppid) != 1)
		return -1;
	p += 2; /* ") " */
	for (i = 0; i < 2 + STAT_FIELDS_AFTER_PPID; i++) { /* state, ppid, then 5..21 */
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	e->start = strtoull(p, &end, 10);
	e->pid = pid;
	return end == p ? -1 : 0;
}

/* Every process in /proc with its parent and start time. */
static struct proc_entry *proc_table(size_t *n)
{
	struct proc_entry *tab = NULL, *bigger;
	size_t cap = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");
	long pid;
	char *end;

	*n = 0;
	if (!dir)
		return NULL;
	while ((d = readdir(dir))) {
		pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : PROC_TABLE_INITIAL;
			bigger = realloc(tab, cap * sizeof(*tab));
			if (!bigger)
				break;
			tab = bigger;
		}
		if (read_stat((pid_t)pid, &tab[*n]))
			continue; /* gone since readdir */
		tab[*n].mine = false;
		(*n)++;
	}
	closedir(dir);
	return tab;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc_entry *)a)->pid, y = ((const struct proc_entry *)b)->pid;

	return (x > y) - (x < y);
}

/* Marks descendants of self. Sorted by pid, a parent is found by binary
 * search, and mostly comes before its children, so one pass marks nearly
 * all; passes repeat until nothing changes (pids that wrapped around). */
static void mark_descendants(struct proc_entry *tab, size_t n, pid_t self)
{
	const struct proc_entry *parent;
	struct proc_entry key = { 0, 0, 0, false };
	bool changed = true;
	size_t i;

	qsort(tab, n, sizeof(*tab), by_pid);
	while (changed) {
		changed = false;
		for (i = 0; i < n; i++) {
			if (tab[i].mine)
				continue;
			key.pid = tab[i].ppid;
			parent = tab[i].ppid == self ? NULL : bsearch(&key, tab, n, sizeof(*tab), by_pid);
			if (tab[i].ppid == self || (parent && parent->mine))
				tab[i].mine = changed = true;
		}
	}
}

/* One process of the walk, if it is still the one the walk saw: the pidfd
 * pins whatever process has the pid when it is opened; if /proc then shows
 * the start time the walk read, that process was alive all along, so the
 * pidfd is it. */
static bool signal_entry(const struct proc_entry *e, int sig)
{
	struct proc_entry now;
	int fd = kill_pidfd_open(e->pid);
	bool same;

	if (fd < 0)
		return no_pidfds && kill_one(-1, e->pid, sig, NULL) == 0;
	same = !read_stat(e->pid, &now) && now.start == e->start;
	same = same && kill_one(fd, e->pid, sig, NULL) == 0;
	close(fd);
	return same;
}

int kill_tree(int sig)
{
	struct proc_entry *tab;
	size_t n, i;
	int count = 0;

	if (!kill_proc_is_ours())
		return -1;
	tab = proc_table(&n);
	if (!tab)
		return -1;
	mark_descendants(tab, n, getpid());
	for (i = 0; i < n; i++)
		if (tab[i].mine && signal_entry(&tab[i], sig))
			count++;
	free(tab);
	return count;
}
