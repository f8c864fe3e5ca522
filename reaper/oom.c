#include "oom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../base/fd.h"
#include "mounts.h"

#define PATH_LEN      MOUNTS_PATH_MAX
#define TEXT_MAX      2048
#define UNLIMITED_V1  (1ULL << 60) /* v1 says "no limit" with a huge number */
#define MIB	      (1024ULL * 1024)

static int open_in(const char *dir, const char *file, int flags)
{
	char path[PATH_LEN + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return fd_move_above(open(path, flags | O_NONBLOCK | O_CLOEXEC), FD_FIRST_OWN);
}

/* The number after "key " in the text of fd, or 0. */
static uint64_t field(int fd, const char *key)
{
	char buf[TEXT_MAX], *p;
	size_t kl = strlen(key);
	ssize_t n;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, key)); p += kl)
		if ((p == buf || p[-1] == '\n') && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
	return 0;
}

static uint64_t limit_from(const char *dir, const char *file)
{
	char path[PATH_LEN + 32], buf[64];
	uint64_t v;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (fd_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	v = strtoull(buf, NULL, 10); /* "max" reads as 0: none */
	return v >= UNLIMITED_V1 ? 0 : v;
}

/* v1: an eventfd the kernel signals on every OOM in the cgroup; needs
 * cgroup.event_control writable (not in a container's read-only tree). */
static int v1_watch(const char *dir, int oom_fd)
{
	char line[64];
	int efd = fd_move_above(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), FD_FIRST_OWN);
	int ctl = open_in(dir, "cgroup.event_control", O_WRONLY);
	bool ok;

	if (efd < 0 || ctl < 0) {
		if (efd >= 0)
			close(efd);
		if (ctl >= 0)
			close(ctl);
		return -1;
	}
	snprintf(line, sizeof(line), "%d %d", efd, oom_fd);
	ok = write(ctl, line, strlen(line)) == (ssize_t)strlen(line);
	close(ctl);
	if (!ok) {
		close(efd);
		return -1;
	}
	return efd;
}

void oom_setup(struct oom *o, const struct cgroup_places *at)
{
	memset(o, 0, sizeof(*o));
	o->counter_fd = o->watch_fd = -1;
	if (!at->v2_rc && (o->counter_fd = open_in(at->v2, "memory.events", O_RDONLY)) >= 0) {
		o->version = 2;
		o->watch_fd = o->counter_fd;
		o->limit = limit_from(at->v2, "memory.max");
		return;
	}
	if (!at->memory_v1_rc &&
	    (o->counter_fd = open_in(at->memory_v1, "memory.oom_control", O_RDONLY)) >= 0) {
		o->version = 1;
		o->watch_fd = v1_watch(at->memory_v1, o->counter_fd);
		o->limit = limit_from(at->memory_v1, "memory.limit_in_bytes");
	}
}

uint64_t oom_count(const struct oom *o)
{
	return field(o->counter_fd, "oom_kill");
}

void oom_ack(const struct oom *o)
{
	uint64_t n;

	if (o->version == 1 && o->watch_fd >= 0)
		(void)!read(o->watch_fd, &n, sizeof(n));
	/* v2: reading the counter clears the file's event */
}

const char *oom_limit_text(const struct oom *o, char *buf, int len)
{
	if (!o->limit)
		snprintf(buf, (size_t)len, "%s", "");
	else
		snprintf(buf, (size_t)len, " (memory limit %llu MiB)", (unsigned long long)(o->limit / MIB));
	return buf;
}
