#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fd.h"
#include "mounts.h"

#define PROCS_READ_MAX 65536 /* bytes of cgroup.procs read at once */
#define SUBPATH_ROOM   32    /* "/init/cgroup.procs" and the like after a directory */
#define LINE_MAX_LEN   1024

static int write_text(int dirfd, const char *file, const char *text)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text))
		rc = n < 0 ? -errno : -EIO;
	close(fd);
	return rc;
}

static int join(const char *dir, pid_t pid)
{
	char num[24];

	snprintf(num, sizeof(num), "%d", (int)pid);
	return write_text(AT_FDCWD, dir, num);
}

static void close_all(struct cgroup *c)
{
	if (c->server_fd >= 0)
		close(c->server_fd);
	if (c->procs_fd >= 0)
		close(c->procs_fd);
	if (c->events_fd >= 0)
		close(c->events_fd);
	c->server_fd = c->procs_fd = c->events_fd = -1;
}

/* dir/name made, or -errno */
static int make(const char *dir, const char *name)
{
	char path[CGROUP_PATH_MAX + SUBPATH_ROOM];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

void cgroup_setup(struct cgroup *c, const char *under, char *why, size_t len)
{
	char path[CGROUP_PATH_MAX + SUBPATH_ROOM], rel[CGROUP_PATH_MAX];
	unsigned rnd = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->server_fd = c->procs_fd = c->events_fd = -1;
	if (under) {
		if (snprintf(c->own, sizeof(c->own), "%s", under) >= (int)sizeof(c->own) ||
		    mounts_cgroup2_rel(under, rel, sizeof(rel))) {
			snprintf(why, len, "--cgroup %s is not a directory of a cgroup v2 mount", under);
			return;
		}
	} else if ((rc = mounts_own_cgroup2(c->own, sizeof(c->own), rel, sizeof(rel)))) {
		snprintf(why, len, "no cgroup v2 for minit (%s)", strerror(-rc));
		return;
	}
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
		rnd = (unsigned)getpid() * 2654435761U;
	if (snprintf(c->dir, sizeof(c->dir), "%s/minit-%d-%08x", c->own, (int)getpid(), rnd) >=
	    (int)sizeof(c->dir)) {
		snprintf(why, len, "cgroup path too long");
		return;
	}
	if (snprintf(c->server_rel, sizeof(c->server_rel), "%s%s/server", strcmp(rel, "/") ? rel : "",
		     c->dir + strlen(c->own)) >= (int)sizeof(c->server_rel)) {
		snprintf(why, len, "cgroup path too long");
		return;
	}
	if (mkdir(c->dir, 0755)) {
		snprintf(why, len, "unable to make %s: %s", c->dir, strerror(errno));
		return;
	}
	if ((rc = make(c->dir, "server")) || (rc = make(c->dir, "init"))) {
		snprintf(why, len, "unable to make cgroups in %s: %s", c->dir, strerror(-rc));
		goto undo;
	}
	snprintf(path, sizeof(path), "%s/server", c->dir);
	c->server_fd = fd_move_above(open(path, O_PATH | O_DIRECTORY | O_CLOEXEC), FD_FIRST_OWN);
	if (c->server_fd >= 0) {
		c->procs_fd = fd_move_above(openat(c->server_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC),
					    FD_FIRST_OWN);
		c->events_fd = fd_move_above(openat(c->server_fd, "cgroup.events", O_RDONLY | O_CLOEXEC),
					     FD_FIRST_OWN);
	}
	if (c->server_fd < 0 || c->procs_fd < 0 || c->events_fd < 0) {
		snprintf(why, len, "unable to open %s: %s", path, strerror(errno));
		goto undo;
	}
	/* minit out of the way, in a leaf of its own: the server's cgroup then
	 * holds only the server's tree (not needed for the kill or the events) */
	snprintf(path, sizeof(path), "%s/init/cgroup.procs", c->dir);
	c->moved = !join(path, getpid());
	c->active = true;
	snprintf(why, len, "the server runs in %s/server", c->dir);
	return;
undo:
	close_all(c);
	snprintf(path, sizeof(path), "%s/server", c->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/init", c->dir);
	rmdir(path);
	rmdir(c->dir);
}

bool cgroup_populated(const struct cgroup *c)
{
	char buf[LINE_MAX_LEN];
	const char *p;
	ssize_t n;

	if (!c->active || lseek(c->events_fd, 0, SEEK_SET) < 0)
		return false;
	n = read(c->events_fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return true; /* cannot tell: assume there is still something */
	buf[n] = '\0';
	p = strstr(buf, "populated ");
	return !p || p[10] != '0';
}

int cgroup_kill(const struct cgroup *c)
{
	int rc = write_text(c->server_fd, "cgroup.kill", "1");

	return rc == -EACCES && faccessat(c->server_fd, "cgroup.kill", F_OK, 0) ? -ENOENT : rc;
}

int cgroup_members(const struct cgroup *c, pid_t *pids, size_t max)
{
	char *buf, *p, *end;
	int fd = openat(c->server_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;
	size_t count = 0;
	long v;

	if (fd < 0)
		return -errno;
	buf = malloc(PROCS_READ_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < PROCS_READ_MAX && (n = read(fd, buf + got, (size_t)(PROCS_READ_MAX - got))) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	for (p = buf; count < max; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0)
			pids[count++] = (pid_t)v;
	}
	free(buf);
	return (int)count;
}

bool cgroup_has(const struct cgroup *c, pid_t pid)
{
	char path[64], line[CGROUP_PATH_MAX + 8];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strncmp(line, "0::", 3) && !strcmp(line + 3, c->server_rel);
	}
	fclose(f);
	return found;
}

void cgroup_teardown(struct cgroup *c)
{
	char path[CGROUP_PATH_MAX + SUBPATH_ROOM];

	if (!c->active)
		return;
	close_all(c);
	if (c->moved) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", c->own);
		(void)join(path, getpid());
	}
	snprintf(path, sizeof(path), "%s/server", c->dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/init", c->dir);
	rmdir(path);
	rmdir(c->dir);
	c->active = false;
}
