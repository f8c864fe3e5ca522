/* minit's process tree as /proc shows it: whether /proc can be trusted (it
 * is this PID namespace's), the processes below minit, and whether one
 * process is among them. Reads only; kill.c signals. */
#ifndef MINIT_TREE_H
#define MINIT_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tree_proc {
	pid_t pid, ppid;
	unsigned long long start;	/* field 22 of /proc/PID/stat: start time in ticks */
	char state;			/* field 3: R, S, D, Z, ... */
	bool mine;			/* a descendant of minit */
};

/* /proc is a procfs of minit's own PID namespace (/proc/self is minit). */
bool tree_proc_is_ours(void);

/* One process's parent and start time. 0, or -1 when it is gone. */
int tree_read(pid_t pid, struct tree_proc *p);

/* Every process in /proc, minit's descendants marked (malloc'd, *n of them);
 * NULL when /proc is not this namespace's or cannot be read. */
struct tree_proc *tree_descendants(size_t *n);

/* pid is a descendant of minit. Without a /proc of its own minit knows
 * only its children. */
bool tree_has(pid_t pid);

#endif
