#include "cgroup.h"

#include <dirent.h>
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
#define NO_WAIT        (O_NONBLOCK | O_CLOEXEC) /* a FIFO mounted over a cgroup file */
#define LINE_MAX_LEN   1024
#define NEST_DEPTH_MAX 8    /* levels of the server's own cgroups below its cgroup walked */
#define NEST_DIRS_MAX  256  /* and directories in all */

static int write_text(int dirfd, const char *file, const char *text)
{
	int fd = openat(dirfd, file, O_WRONLY | NO_WAIT), rc = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text))
		rc = n < 0 ? -errno : -EIO;
	close(fd);
	return rc;
}

static void close_all(struct cgroup *c)
{
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->procs_fd >= 0)
		close(c->procs_fd);
	if (c->events_fd >= 0)
		close(c->events_fd);
	c->dir_fd = c->procs_fd = c->events_fd = -1;
}

void cgroup_setup(struct cgroup *c, const char *under, const struct cgroup_places *at, char *why,
		  size_t len)
{
	char rel[CGROUP_PATH_MAX];
	unsigned rnd = 0;

	memset(c, 0, sizeof(*c));
	c->dir_fd = c->procs_fd = c->events_fd = -1;
	if (under) {
		if (snprintf(c->own, sizeof(c->own), "%s", under) >= (int)sizeof(c->own) ||
		    mounts_cgroup2_rel(under, rel, sizeof(rel))) {
			snprintf(why, len, "--cgroup %s is not a directory of a cgroup v2 mount", under);
			return;
		}
	} else if (at->v2_rc) {
		snprintf(why, len, "no cgroup v2 for minit (%s)", strerror(-at->v2_rc));
		return;
	} else {
		snprintf(c->own, sizeof(c->own), "%s", at->v2);
	}
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
		rnd = (unsigned)getpid() * 2654435761U;
	if (snprintf(c->dir, sizeof(c->dir), "%s/minit-%d-%08x", c->own, (int)getpid(), rnd) >=
	    (int)sizeof(c->dir)) {
		snprintf(why, len, "cgroup path too long");
		return;
	}
	/* minit itself stays where it is: moving a process between cgroups
	 * waits out an RCU grace period (milliseconds), and with no controller
	 * enabled below minit's cgroup it may hold processes and children both */
	if (mkdir(c->dir, 0755)) {
		snprintf(why, len, "unable to make %s: %s", c->dir, strerror(errno));
		return;
	}
	c->dir_fd = fd_move_above(open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), FD_FIRST_OWN);
	if (c->dir_fd >= 0) {
		c->procs_fd = fd_move_above(openat(c->dir_fd, "cgroup.procs", O_WRONLY | NO_WAIT),
					    FD_FIRST_OWN);
		c->events_fd = fd_move_above(openat(c->dir_fd, "cgroup.events", O_RDONLY | NO_WAIT),
					     FD_FIRST_OWN);
	}
	if (c->dir_fd < 0 || c->procs_fd < 0 || c->events_fd < 0) {
		snprintf(why, len, "unable to open %s: %s", c->dir, strerror(errno));
		close_all(c);
		rmdir(c->dir);
		return;
	}
	c->active = true;
	snprintf(why, len, "the server runs in %s", c->dir);
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
	int rc = write_text(c->dir_fd, "cgroup.kill", "1");

	return rc == -EACCES && faccessat(c->dir_fd, "cgroup.kill", F_OK, 0) ? -ENOENT : rc;
}

/* The server's cgroups: its own and those it made below it. */
struct walk {
	unsigned dirs;	/* directories visited so far */
	pid_t *pids;	/* the members found (cgroup_members) */
	size_t count, max;
	char *buf;	/* PROCS_READ_MAX + 1 bytes for a cgroup.procs */
};

/* Calls visit(parent, fd, name, w) for each cgroup below dirfd, deepest
 * first, within NEST_DEPTH_MAX levels and NEST_DIRS_MAX directories in all:
 * the server may make cgroups of its own (docker-in-docker, systemd does),
 * as deep and as many as it likes. */
static void walk_below(int dirfd, unsigned depth, struct walk *w,
		       void (*visit)(int parent, int fd, const char *name, struct walk *w))
{
	struct dirent *e;
	DIR *d;
	int fd, sub;

	if (depth >= NEST_DEPTH_MAX)
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | NO_WAIT);
	if (fd < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) && w->dirs < NEST_DIRS_MAX) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		w->dirs++;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | NO_WAIT);
		if (sub < 0)
			continue;
		walk_below(sub, depth + 1, w, visit);
		visit(dirfd, sub, e->d_name, w);
		close(sub);
	}
	closedir(d);
}

/* Appends the pids of fd's cgroup.procs to w. */
static int read_procs(int fd, struct walk *w)
{
	ssize_t n, got = 0;
	char *p, *end;
	long v;

	fd = openat(fd, "cgroup.procs", O_RDONLY | NO_WAIT);
	if (fd < 0)
		return -errno;
	while (got < PROCS_READ_MAX && (n = read(fd, w->buf + got, (size_t)(PROCS_READ_MAX - got))) > 0)
		got += n;
	close(fd);
	w->buf[got] = '\0';
	for (p = w->buf; w->count < w->max; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0)
			w->pids[w->count++] = (pid_t)v;
	}
	return 0;
}

static void visit_members(int parent, int fd, const char *name, struct walk *w)
{
	(void)parent;
	(void)name;
	(void)read_procs(fd, w);
}

int cgroup_members(const struct cgroup *c, pid_t *pids, size_t max)
{
	struct walk w = { .pids = pids, .max = max };
	int rc;

	w.buf = malloc(PROCS_READ_MAX + 1);
	if (!w.buf)
		return -ENOMEM;
	rc = read_procs(c->dir_fd, &w);
	if (!rc)
		walk_below(c->dir_fd, 0, &w, visit_members);
	free(w.buf);
	return rc ? rc : (int)w.count;
}

static void visit_remove(int parent, int fd, const char *name, struct walk *w)
{
	(void)fd;
	(void)w;
	(void)unlinkat(parent, name, AT_REMOVEDIR);
}

void cgroup_teardown(struct cgroup *c)
{
	struct walk w = { 0 };

	if (!c->active)
		return;
	/* cgroups the server made below its own are removed first, if any */
	if (rmdir(c->dir) && errno == EBUSY) {
		walk_below(c->dir_fd, 0, &w, visit_remove);
		(void)rmdir(c->dir);
	}
	close_all(c);
	c->active = false;
}
