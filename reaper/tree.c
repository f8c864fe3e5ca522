#include "tree.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/fd.h"
#include "reaper.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif
#define PROC_STAT_MAX	       512
#define PROC_PATH_MAX	       32
#define PROC_TABLE_INITIAL     256
#define STAT_FIELDS_AFTER_PPID 17 /* fields 5..21 of /proc/PID/stat, before starttime */
#define TREE_DEPTH_MAX	       4096 /* parent links followed before giving up (a loop) */

bool tree_proc_is_ours(void)
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

/* Parent and start time of pid from /proc/PID/stat. The command name may
 * hold spaces and parentheses, so the fields are read after the last ')'. */
int tree_read(pid_t pid, struct tree_proc *e)
{
	char path[PROC_PATH_MAX], buf[PROC_STAT_MAX];
	char *p, *end;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fd_read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", &e->state, &e->ppid) != 2)
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
static struct tree_proc *proc_table(size_t *n)
{
	struct tree_proc *tab = NULL, *bigger;
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
		if (tree_read((pid_t)pid, &tab[*n]))
			continue; /* gone since readdir */
		tab[*n].mine = false;
		(*n)++;
	}
	closedir(dir);
	return tab;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct tree_proc *)a)->pid, y = ((const struct tree_proc *)b)->pid;

	return (x > y) - (x < y);
}

/* Marks descendants of self. Sorted by pid, a parent is found by binary
 * search, and mostly comes before its children, so one pass marks nearly
 * all; passes repeat until nothing changes (pids that wrapped around). */
static void mark_descendants(struct tree_proc *tab, size_t n, pid_t self)
{
	const struct tree_proc *parent;
	struct tree_proc key = { 0 };
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

struct tree_proc *tree_descendants(size_t *n)
{
	struct tree_proc *tab;

	*n = 0;
	if (!tree_proc_is_ours())
		return NULL;
	tab = proc_table(n);
	if (tab)
		mark_descendants(tab, *n, getpid());
	return tab;
}

bool tree_has(pid_t pid)
{
	struct tree_proc p;
	pid_t self = getpid();
	int depth;

	if (reap_is_child(pid))
		return true;
	if (!tree_proc_is_ours())
		return false;
	for (depth = 0; depth < TREE_DEPTH_MAX && pid > 1; depth++) {
		if (tree_read(pid, &p))
			return false;
		if (p.ppid == self)
			return true;
		pid = p.ppid;
	}
	return false;
}
