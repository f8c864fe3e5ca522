#include "effects.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../reaper/kill.h"
#include "../reaper/reaper.h"
#include "../reaper/tree.h"

#define PIDFILE_MAX		32
#define TERMINATION_LOG_DEFAULT "/dev/termination-log" /* Kubernetes' terminationMessagePath */
#define TERMINATION_MSG_MAX	4096		       /* what Kubernetes reads of it */
#define LIMIT_TEXT_MAX		48
#define COMM_MAX		32
#define PROC_PATH_LEN		40
#define OOM_LOOK_AGAIN_MS	50  /* after a v1 OOM notification, until the kill is counted */
#define OOM_LOOKS		10  /* that many times at most */
#define NS_PER_MS		1000000

enum pidfile_problem { PF_SYMLINK = 1, PF_NOT_REGULAR = 2 };

/* The main child ended (or changed state): time to reap. */
static void on_pidfd(void *ctx)
{
	loop_reap_due(((struct effects *)ctx)->loop);
}

/* The server could not join its cgroup: removed from outside while the
 * server was down, or made to refuse members (a controller enabled below
 * it). From now on minit's tree comes from /proc, as where cgroup mode
 * cannot run; the failed start is not the server's doing. */
static void leave_cgroup(struct effects *fx, int err)
{
	log_msg(LOG_WARN, "the server cannot join %s (%s): cgroup mode off, minit's tree from /proc",
		fx->cg->dir, strerror(err));
	loop_unwatch(fx->loop, fx->cg->events_fd);
	cgroup_teardown(fx->cg);
	fx->spawn->cgroup_fd = fx->spawn->cgroup_procs_fd = -1;
	loop_tree_empty(fx->loop, false);
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
	case SPAWN_UNBORN:
		fx->failed = SUP_UNBORN;
		break;
	case SPAWN_UNPLACED:
		leave_cgroup(fx, code);
		fx->failed = SUP_UNBORN;
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

/* The server cgroup's kill count may no longer be minit's own (minit or
 * someone else wrote its cgroup.kill), and a clone3 start there would die
 * at birth (SPAWN_UNBORN): from now on the server joins it after fork.
 * Whether it started with clone3 until now. */
static bool join_after_fork(struct effects *fx)
{
	bool was = fx->spawn->cgroup_fd >= 0;

	fx->spawn->cgroup_fd = -1;
	return was;
}

static int op_spawn(void *ctx, pid_t *pid)
{
	struct effects *fx = ctx;

	if (spawn_start(fx->spawn, &fx->child))
		return -1;
	fx->failed = 0;
	fx->oom_at_start = fx->oom_seen = oom_count(fx->oom);
	if (fx->cg->active) {
		loop_tree_empty(fx->loop, false); /* the child joins the cgroup now */
		if (fx->placed_said != fx->child.placed)
			log_msg(LOG_DEBUG, "the server %s", fx->child.placed
				? "starts in its cgroup (clone3)" : "joins its cgroup after fork");
		fx->placed_said = fx->child.placed;
	}
	/* setsid or setpgid: the child leads a group of its own, unless it shares minit's */
	follow(fx, fx->child.pid, fx->spawn->session == SPAWN_SHARED ? getpgrp() : fx->child.pid);
	/* unwatched, the report is still read when the child is reaped */
	(void)loop_watch(fx->loop, fx->child.report_fd, on_report, fx);
	*pid = fx->child.pid;
	return 0;
}

/* A KILL minit did not send, and the OOM-kill counter rose: the OOM killer. */
static void oom_note(struct effects *fx, int status, char *note, size_t len)
{
	char limit[LIMIT_TEXT_MAX];
	uint64_t now = oom_count(fx->oom);

	note[0] = '\0';
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL || now <= fx->oom_at_start)
		return;
	fx->oom_seen = now;
	log_msg(LOG_WARN, "pid %d (%s) killed by the OOM killer%s", (int)fx->main,
		fx->spawn->argv[0], oom_limit_text(fx->oom, limit, sizeof(limit)));
	if (fx->oom->limit)
		snprintf(note, len, "OOM killer, memory limit %llu MiB",
			 (unsigned long long)(fx->oom->limit >> 20));
	else
		snprintf(note, len, "OOM killer");
}

static int op_reaped(void *ctx, int status, char *note, size_t len)
{
	struct effects *fx = ctx;
	int code;

	if (fx->child.report_fd >= 0)
		collect_report(fx); /* the child is gone: its report is complete */
	if (fx->failed != SUP_UNBORN)
		oom_note(fx, status, note, len);
	/* a cgroup.kill from outside looks like the OOM killer's KILL or a
	 * kill -9: any KILL ends the clone3 starts */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && join_after_fork(fx))
		log_msg(LOG_DEBUG, "the server %s: from now on it joins %s after fork",
			fx->failed == SUP_UNBORN ? "was killed at birth in its cgroup"
						 : "died of a KILL",
			fx->cg->dir);
	release_main(fx);
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

static void write_termination_log(struct effects *fx, const char *why);

/* The termination message: where Kubernetes looks (/dev/termination-log,
 * when it is there) or --termination-log. Only a regular file, never
 * through a link, never waited for. */
static void op_finished(void *ctx, const char *why)
{
	struct effects *fx = ctx;

	cgroup_teardown(fx->cg);
	write_termination_log(fx, why);
}

static void write_termination_log(struct effects *fx, const char *why)
{
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

static int server_members(void *ctx, pid_t *buf, size_t max)
{
	return cgroup_members(ctx, buf, max);
}

/* Cgroup mode: the server's cgroup holds all of its tree. A KILL is one
 * write to cgroup.kill; anything else goes to each member, through its
 * pidfd, if it is still a member once the pidfd is open. */
static int send_cgroup(struct effects *fx, int sig)
{
	static pid_t pids[KILL_LISTED_MAX];
	int n;

	if (sig == SIGKILL && !cgroup_kill(fx->cg)) {
		(void)join_after_fork(fx);
		return 0;
	}
	n = cgroup_members(fx->cg, pids, KILL_LISTED_MAX);
	if (n < 0)
		return n;
	kill_listed(pids, (size_t)n, sig, server_members, fx->cg);
	return 0;
}

/* minit's descendants: the server's cgroup, or through /proc; where /proc
 * is not this namespace's (a runtime left the host's), the main child's
 * process group, where its workers are. */
static int send_tree(struct effects *fx, int sig)
{
	char name[SIGNAL_NAME_MAX];
	bool left;
	int rc;

	if (fx->cg->active) {
		/* the cgroup empty, yet something is left (the caller knows): as a
		 * subreaper, workers that moved out of it, found in /proc */
		left = !fx->pid1 && !cgroup_populated(fx->cg);
		rc = send_cgroup(fx, sig);
		if (left && kill_tree(sig) > 0)
			log_msg(LOG_INFO, "SIG%s sent to processes that left the server's cgroup",
				signal_name(sig, name));
		return rc;
	}
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
	case SUP_TO_ALL: /* cgroup mode: the server's tree, not docker exec's sessions */
		rc = fx->pid1 && !fx->cg->active ? kill_everyone(sig) : send_tree(fx, sig);
		break;
	case SUP_TO_SELF:
		rc = kill_self(sig);
		break;
	}
	if (rc && rc != -ESRCH)
		log_msg(LOG_WARN, "unable to send SIG%s to %s: %s", signal_name(sig, name), names[to],
			strerror(-rc));
}

/* cgroup.events changed: whether anything is left of the server's tree.
 * Only PID 1 takes the cgroup's word for it: the orphans of docker exec
 * sessions become its children too, and must not hold it. A subreaper's
 * children are all of its tree, and a root worker may have left the
 * cgroup: waitpid's "no child" is the exact answer there. */
static void on_cgroup_events(void *ctx)
{
	struct effects *fx = ctx;
	bool empty = !cgroup_populated(fx->cg); /* the read also takes the event */

	loop_tree_empty(fx->loop, fx->pid1 && empty);
}

/* A zombie below minit that is not the main child: the OOM killer's victim
 * its parent has not reaped yet, if the walk is quick enough to see it. */
static bool oom_victim(const struct effects *fx, pid_t *pid, char *comm, size_t len)
{
	struct tree_proc *tab;
	char path[PROC_PATH_LEN];
	size_t n, i;
	bool found = false;

	tab = tree_descendants(&n);
	for (i = 0; tab && i < n && !found; i++) {
		if (!tab[i].mine || tab[i].state != 'Z' || tab[i].pid == fx->main)
			continue;
		*pid = tab[i].pid;
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)*pid);
		found = fd_read_small(path, comm, len) > 0;
		comm[strcspn(comm, "\n")] = '\0';
	}
	free(tab);
	return found;
}

/* v1 says "OOM" before the victim is killed and counted: look again
 * shortly after, a few times, then never (no polling while idle). */
static void look_again(struct effects *fx)
{
	const struct itimerspec soon = { { 0, 0 }, { 0, (long)OOM_LOOK_AGAIN_MS * NS_PER_MS } };

	if (fx->oom_timer >= 0 && fx->oom_looks && !timerfd_settime(fx->oom_timer, 0, &soon, NULL))
		fx->oom_looks--;
}

/* The OOM-kill counter rose: a worker the main child survives is logged
 * too (the main child's own death is told when it is reaped). */
static void oom_look(struct effects *fx)
{
	char limit[LIMIT_TEXT_MAX], comm[COMM_MAX];
	struct tree_proc main;
	uint64_t now;
	pid_t victim;

	now = oom_count(fx->oom);
	if (now <= fx->oom_seen) {
		look_again(fx);
		return;
	}
	fx->oom_seen = now;
	if (!fx->main || (!tree_read(fx->main, &main) && main.state == 'Z'))
		return; /* gone, or the main child itself: told when it is reaped */
	oom_limit_text(fx->oom, limit, sizeof(limit));
	if (oom_victim(fx, &victim, comm, sizeof(comm)))
		log_msg(LOG_WARN, "pid %d (%s) killed by the OOM killer%s", (int)victim, comm, limit);
	else
		log_msg(LOG_WARN, "a process of pid %d's tree was killed by the OOM killer%s",
			(int)fx->main, limit);
}

static void on_oom(void *ctx)
{
	struct effects *fx = ctx;

	oom_ack(fx->oom);
	fx->oom_looks = OOM_LOOKS;
	oom_look(fx);
}

static void on_oom_timer(void *ctx)
{
	struct effects *fx = ctx;
	uint64_t expirations;

	(void)!read(fx->oom_timer, &expirations, sizeof(expirations));
	oom_look(fx);
}

/* OOM kills watched where the memory cgroup lets minit (oom.h); without
 * a watch a KILL is only a KILL. */
static void watch_oom(struct effects *fx)
{
	fx->oom_timer = -1;
	if (fx->oom->watch_fd < 0 ||
	    loop_watch_events(fx->loop, fx->oom->watch_fd, fx->oom->version == 2 ? EPOLLPRI : EPOLLIN,
			      on_oom, fx))
		return;
	fx->oom_timer = fd_move_above(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
				      FD_FIRST_OWN);
	if (fx->oom_timer >= 0 && loop_watch(fx->loop, fx->oom_timer, on_oom_timer, fx)) {
		close(fx->oom_timer);
		fx->oom_timer = -1;
	}
}

void fx_init(struct effects *fx, const struct fx_cfg *cfg, struct sup_ops *ops)
{
	*fx = (struct effects){ .spawn = cfg->spawn, .loop = cfg->loop, .pid1 = cfg->pid1,
				.group = cfg->group, .pidfile = cfg->pidfile,
				.termination_log = cfg->termination_log, .dir_fd = cfg->dir_fd,
				.pidfd = -1, .child = { .report_fd = -1 }, .placed_said = -1,
				.cg = cfg->cg, .oom = cfg->oom, .oom_timer = -1 };
	*ops = (struct sup_ops){ fx, op_spawn, op_send, op_handoff, op_reaped, op_finished };
	if (fx->cg->active &&
	    loop_watch_events(fx->loop, fx->cg->events_fd, EPOLLPRI, on_cgroup_events, fx))
		log_msg(LOG_WARN, "unable to watch %s/cgroup.events", fx->cg->dir);
}

void fx_oom_ready(struct effects *fx)
{
	fx->oom_at_start = fx->oom_seen = oom_count(fx->oom);
	watch_oom(fx);
}
