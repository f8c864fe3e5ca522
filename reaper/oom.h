/* OOM kills, told apart from other KILLs: the kernel counts them per
 * memory cgroup (v2 memory.events "oom_kill", v1 memory.oom_control
 * "oom_kill"), readable even where the cgroup tree is read-only. minit
 * reads the counter of its own memory cgroup: when a process dies of a KILL
 * minit did not send and the counter rose, the OOM killer sent it. */
#ifndef MINIT_OOM_H
#define MINIT_OOM_H

#include <stdbool.h>
#include <stdint.h>

#include "mounts.h"

struct oom {
	int version;		/* 0: no counter found, 1 or 2 */
	int counter_fd;		/* memory.events (v2) or memory.oom_control (v1) */
	int watch_fd;		/* readable (v1 eventfd) or EPOLLPRI (v2) on an OOM; -1: none */
	uint64_t limit;		/* the memory limit in bytes, 0: none known */
};

/* The counter of minit's memory cgroup at: v2 where it has one, else v1. */
/* No counter yet: what an oom holds before oom_setup. */
#define OOM_NONE ((struct oom){ .counter_fd = -1, .watch_fd = -1 })

void oom_setup(struct oom *o, const struct cgroup_places *at);

/* The counter now (0 when unknown). */
uint64_t oom_count(const struct oom *o);

/* After watch_fd said something: take the notification. */
void oom_ack(const struct oom *o);

/* " (memory limit 64 MiB)", or "" when none is known, into buf. */
const char *oom_limit_text(const struct oom *o, char *buf, int len);

#endif
