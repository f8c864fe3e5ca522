/* Where minit's cgroups are: its lines of /proc/self/cgroup matched with
 * the cgroup mounts of /proc/self/mountinfo (never an assumed path: a
 * hybrid host has cgroup v2 at /sys/fs/cgroup/unified, a container at
 * /sys/fs/cgroup with its own root). */
#ifndef MINIT_MOUNTS_H
#define MINIT_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#define MOUNTS_PATH_MAX 512

/* minit's own cgroups, found with one read of each file (mountinfo takes
 * ~45 us to read here). Each rc: 0, or -errno (-ENOENT: no such mount, or
 * minit's cgroup is not under it). */
struct cgroup_places {
	bool found;				/* mounts_find has filled it in */
	int v2_rc;
	char v2[MOUNTS_PATH_MAX];		/* minit's cgroup v2 directory */
	int memory_v1_rc;
	char memory_v1[MOUNTS_PATH_MAX];	/* its v1 memory controller directory */
};

void mounts_find(struct cgroup_places *p);

/* rel for an absolute path under a cgroup v2 mount. 0 or -ENOENT. */
int mounts_cgroup2_rel(const char *abs, char *rel, size_t rlen);

#endif
