/* Where minit's cgroups are: its lines of /proc/self/cgroup matched with
 * the cgroup mounts of /proc/self/mountinfo (never an assumed path: a
 * hybrid host has cgroup v2 at /sys/fs/cgroup/unified, a container at
 * /sys/fs/cgroup with its own root). */
#ifndef MINIT_MOUNTS_H
#define MINIT_MOUNTS_H

#include <stddef.h>

/* minit's cgroup v2 directory: abs (a path to it) and rel (as /proc/PID/cgroup
 * names it). 0 or -errno (-ENOENT: no cgroup v2 mount, or minit's cgroup
 * is not under it). */
int mounts_own_cgroup2(char *abs, size_t alen, char *rel, size_t rlen);

/* rel for an absolute path under a cgroup v2 mount. 0 or -ENOENT. */
int mounts_cgroup2_rel(const char *abs, char *rel, size_t rlen);

/* minit's cgroup v1 directory of the memory controller. 0 or -ENOENT. */
int mounts_own_memory_v1(char *abs, size_t alen);

#endif
