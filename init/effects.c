#include "effects.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../reaper/kill.h"
#include "../reaper/reaper.h"

#define PIDFILE_MAX		32
#define TERMINATION_LOG_DEFAULT "/dev/termination-log" /* Kubernetes' terminationMessagePath */
#define TERMINATION_MSG_MAX	4096		       /* what Kubernetes reads of it */

enum pidfile_problem { PF_SYMLINK = 1, PF_NOT_REGULAR = 2 };

/* The main child ended (or changed state): time to reap. */
static void on_pidfd(void *ctx)
{
	loop_reap_due(((struct effects *)ctx)->loop);
}

/* The child's start-up report: nothing yet, exec done, or why it failed. */
static void collect_report(struct effects *fx)
{
	int fd = fx->child.report_fd, code = 0;

	switch (spawn_report(fx->spawn, &fx->child, &code)) {
	case SPAWN_PENDING:
		return;
	case SPAWN_FAILED:
		fx->failed = code;
		break;
	case SPAWN_RUNNING:
		break;
	}
	loop_unwatch(fx->loop, fd);
}

static void on_report(void *ctx)
{
	collect_report(ctx);
}

/* pid becomes the main child that signals go to; watched through a pidfd
 * where the kernel has them (SIGCHLD tells the loop too). */
static void release_main(struct effects *fx);

static void follow(struct effects *fx, pid_t pid, pid_t pgid)
{
	release_main(fx); /* MAINPID= hands over while the old main child lives */
	fx->main = pid;
	fx->pgid = pgid;
	fx->pidfd = fd_move_above(kill_pidfd_open(pid), FD_FIRST_OWN);
	if (fx->pidfd >= 0 && loop_watch(fx->loop, fx->pidfd, on_pidfd, fx)) {
		close(fx->pidfd);
		fx->pidfd = -1;
	}
}

static void release_main(struct effects *fx)
{
	if (fx->pidfd >= 0) {
		loop_unwatch(fx->loop, fx->pidfd);
		close(fx->pidfd);
	}
	fx->pidfd = -1;
	fx->main = 0;
}

static int op_spawn(void *ctx, pid_t *pid)
{
	struct effects *fx = ctx;

	if (spawn_start(fx->spawn, &fx->child))
		return -1;
	fx->failed = 0;
	/* setsid or setpgid: the child leads a group of its own, unless it shares minit's */
	follow(fx, fx->child.pid, fx->spawn->session == SPAWN_SHARED ? getpgrp() : fx->child.pid);
	/* unwatched, the report is still read when the child is reaped */
	(void)loop_watch(fx->loop, fx->child.report_fd, on_report, fx);
	*pid = fx->child.pid;
	return 0;
}

static int op_reaped(void *ctx)
{
	struct effects *fx = ctx;
	int code;

	release_main(fx);
	if (fx->child.report_fd >= 0)
		collect_report(fx); /* the child is gone: its report is complete */
	code = fx->failed;
	fx->failed = 0;
	return code;
}

static void warn_pidfile(struct effects *fx, enum pidfile_problem p, const char *what)
{
	if (fx->pidfile_warned & p)
		return;
	fx->pidfile_warned |= p;
	log_msg(LOG_WARN, "--pidfile %s %s: not followed", fx->pidfile, what);
}

/* The pid in the pid file, or 0. Only a regular file is read, never through
 * a symbolic link, and never waited for: a FIFO or a device there (which a
 * child that can write the directory could put there) is refused. */
static pid_t read_pidfile(struct effects *fx)
{
	char buf[PIDFILE_MAX], *end;
	struct stat st;
	ssize_t n;
	long pid;
	int fd;

	if (fstatat(fx->dir_fd, fx->pidfile, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	if (S_ISLNK(st.st_mode)) {
		warn_pidfile(fx, PF_SYMLINK, "is a symbolic link");
		return 0;
	}
	fd = S_ISREG(st.st_mode) ? openat(fx->dir_fd, fx->pidfile,
					  O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)
				 : -1;
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		if (errno != ENOENT)
			warn_pidfile(fx, PF_NOT_REGULAR, "is not a regular file");
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || pid <= 1 || pid > INT32_MAX)
		return 0;
	return (pid_t)pid;
}

/* Follows only a child of minit's (a daemon whose parent exited is
 * handed to minit): minit can wait for it and report its status. The
 * child's own word (MAINPID=) comes first, then the pid file. */
static pid_t op_handoff(void *ctx, pid_t old, pid_t hint)
{
	struct effects *fx = ctx;
	pid_t pid = hint;

	if (!pid || pid == old || !reap_is_child(pid))
		pid = fx->pidfile ? read_pidfile(fx) : 0;
	if (!pid || pid == old || !reap_is_child(pid))
		return 0;
	follow(fx, pid, getpgid(pid));
	return pid;
}

/* The termination message: where Kubernetes looks (/dev/termination-log,
 * when it is there) or --termination-log. Only a regular file, never
 * through a link, never waited for. */
static void op_finished(void *ctx, const char *why)
{
	struct effects *fx = ctx;
	const char *path = fx->termination_log ? fx->termination_log : TERMINATION_LOG_DEFAULT;
	int flags = O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
	char line[TERMINATION_MSG_MAX];
	struct stat st;
	int fd, len;

	fd = openat(fx->dir_fd, path, flags | (fx->termination_log ? O_CREAT : 0), 0644);
	if (fd < 0) {
		if (fx->termination_log || errno != ENOENT)
			log_msg(LOG_WARN, "unable to open the termination log %s: %s", path,
				strerror(errno));
		return;
	}
	len = snprintf(line, sizeof(line), "%s\n", why);
	if (len >= (int)sizeof(line))
		len = (int)sizeof(line) - 1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		log_msg(LOG_WARN, "the termination log %s is not a regular file: not written", path);
	else if (ftruncate(fd, 0) || write(fd, line, (size_t)len) != len)
		log_msg(LOG_WARN, "unable to write the termination log %s: %s", path, strerror(errno));
	close(fd);
}

/* The main child minit waits for: it cannot be reaped behind minit's back,
 * so its pid (and its group) cannot be reused while minit signals it. */
static int send_main(const struct effects *fx, int sig, const union sigval *value)
{
	pid_t pgid;

	if (fx->group) {
		pgid = getpgid(fx->main);
		/* never the group minit itself is in: that is the caller's */
		if (pgid > 0 && pgid != getpgrp())
			return kill_group(pgid, sig);
	}
	return kill_one(fx->pidfd, fx->main, sig, value);
}

/* The group the main child led: its pid cannot be reused while any member
 * of the group lives. */
static int send_group(const struct effects *fx, int sig)
{
	return fx->pgid > 0 && fx->pgid != getpgrp() ? kill_group(fx->pgid, sig) : 0;
}

/* minit's descendants through /proc; where /proc is not this namespace's
 * (a runtime left the host's), the main child's process group, where its
 * workers are. */
static int send_tree(struct effects *fx, int sig)
{
	if (kill_tree(sig) >= 0)
		return 0;
	if (!fx->said_foreign_proc)
		log_msg(LOG_INFO, "/proc is not this PID namespace's: signalling process group %d",
			(int)fx->pgid);
	fx->said_foreign_proc = true;
	return send_group(fx, sig);
}

static void op_send(void *ctx, enum sup_target to, int sig, const union sigval *value)
{
	static const char *const names[] = {
		[SUP_TO_MAIN] = "the main child", [SUP_TO_GROUP] = "its process group",
		[SUP_TO_TREE] = "minit's descendants", [SUP_TO_ALL] = "every process",
		[SUP_TO_SELF] = "minit",
	};
	struct effects *fx = ctx;
	char name[SIGNAL_NAME_MAX];
	int rc = 0;

	switch (to) {
	case SUP_TO_MAIN:
		rc = fx->main > 0 ? send_main(fx, sig, value) : 0;
		break;
	case SUP_TO_GROUP:
		rc = send_group(fx, sig);
		break;
	case SUP_TO_TREE:
		rc = send_tree(fx, sig);
		break;
	case SUP_TO_ALL:
		rc = fx->pid1 ? kill_everyone(sig) : send_tree(fx, sig);
		break;
	case SUP_TO_SELF:
		rc = kill_self(sig);
		break;
	}
	if (rc && rc != -ESRCH)
		log_msg(LOG_WARN, "unable to send SIG%s to %s: %s", signal_name(sig, name), names[to],
			strerror(-rc));
}

void fx_init(struct effects *fx, const struct fx_cfg *cfg, struct sup_ops *ops)
{
	*fx = (struct effects){ .spawn = cfg->spawn, .loop = cfg->loop, .pid1 = cfg->pid1,
				.group = cfg->group, .pidfile = cfg->pidfile,
				.termination_log = cfg->termination_log, .dir_fd = cfg->dir_fd,
				.pidfd = -1, .child = { 0, -1 } };
	*ops = (struct sup_ops){ fx, op_spawn, op_send, op_handoff, op_reaped, op_finished };
}
