#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../init/log.h"
#include "../init/parse.h"

#define PROC_STAT_MAX	   512
#define PROC_TABLE_INITIAL 256

void reap_drain(pid_t main_pid, bool warn, struct reap_result *r)
{
	char what[64];
	int status;
	pid_t pid;

	r->main_exited = false;
	r->none_left = false;
	r->reaped = 0;
	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			r->reaped++;
			if (pid == main_pid && main_pid > 0) {
				r->main_exited = true;
				r->main_status = status;
			} else if (warn) {
				log_msg(LOG_WARN, "reaped zombie process %d: %s", (int)pid,
					reap_describe(status, what, sizeof(what)));
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		r->none_left = pid < 0 && errno == ECHILD;
		return;
	}
}

int reap_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

const char *reap_describe(int status, char *buf, unsigned len)
{
	char name[SIGNAL_NAME_MAX];

	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s%s", signal_name(WTERMSIG(status), name),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	return buf;
}

bool reap_is_child(pid_t pid)
{
	siginfo_t si;

	/* WNOWAIT: only looks; a child that has already ended is still reaped later */
	return pid > 0 && !waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
}

int reap_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) ? -errno : 0;
}

/* Parent of pid from /proc/PID/stat, or -1. The command name may hold
 * spaces and parentheses, so the fields are read after the last ')'. */
static pid_t parent_of(pid_t pid)
{
	char path[32], buf[PROC_STAT_MAX];
	const char *p;
	ssize_t n;
	int fd, ppid;

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
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

struct proc_entry {
	pid_t pid, ppid;
	bool mine;
};

/* Every process in /proc with its parent. */
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
		tab[*n].pid = (pid_t)pid;
		tab[*n].ppid = parent_of((pid_t)pid);
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
	struct proc_entry key = { 0, 0, false };
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

int reap_signal_all(int sig, bool everyone)
{
	struct proc_entry *tab;
	size_t n, i;
	int count = 0;

	if (everyone)
		return kill(-1, sig) == 0;
	tab = proc_table(&n);
	if (!tab)
		return 0;
	mark_descendants(tab, n, getpid());
	for (i = 0; i < n; i++)
		if (tab[i].mine && kill(tab[i].pid, sig) == 0)
			count++;
	free(tab);
	return count;
}
