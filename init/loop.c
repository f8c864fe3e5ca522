#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../reaper/reaper.h"
#include "log.h"

#define SIGINFO_BATCH 16
#define PIDFILE_MAX   32
#define MS_PER_S      1000
#define NS_PER_MS     1000000

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

/* Holds the main child by a pidfd (0: none), so signals cannot reach a reused pid. */
static void hold_main(struct runtime *rt, pid_t pid)
{
	if (rt->pidfd >= 0)
		close(rt->pidfd);
	rt->pidfd = pid > 0 ? reap_pidfd_open(pid) : -1;
	rt->pidfd_pid = rt->pidfd >= 0 ? pid : 0;
}

static int op_spawn(void *ctx, pid_t *pid)
{
	struct runtime *rt = ctx;
	struct spawn_result r;

	switch (spawn_child(&rt->spawn, &r)) {
	case SPAWN_OK:
		*pid = r.pid;
		hold_main(rt, r.pid);
		rt->spawned = true;
		return 0;
	case SPAWN_RETRY:
		return -1;
	case SPAWN_FAILED:
		break;
	}
	return r.exit_code;
}

static int send_main(struct runtime *rt, pid_t main, int sig)
{
	pid_t pgid;

	if (rt->o->group) {
		pgid = getpgid(main);
		/* never the group minit itself is in: that is the caller's */
		if (pgid > 0 && pgid != getpgrp())
			return kill(-pgid, sig);
	}
	/* A child minit started keeps its pid until minit reaps it, so kill is
	 * safe; a followed process may be a grandchild whose pid can be reused. */
#ifdef SYS_pidfd_send_signal
	if (!rt->spawned && rt->pidfd >= 0 && rt->pidfd_pid == main)
		return (int)syscall(SYS_pidfd_send_signal, rt->pidfd, sig, NULL, 0);
#endif
	return kill(main, sig);
}

static void op_send(void *ctx, enum sup_target to, int sig)
{
	struct runtime *rt = ctx;
	char name[SIGNAL_NAME_MAX];
	pid_t main = rt->sup.main;

	if (to != SUP_TO_MAIN) {
		reap_signal_all(sig, to == SUP_TO_ALL && rt->pid1);
		return;
	}
	if (main > 0 && send_main(rt, main, sig) && errno != ESRCH)
		log_msg(LOG_WARN, "unable to send SIG%s to pid %d: %s", signal_name(sig, name),
			(int)main, strerror(errno));
}

static pid_t read_pidfile(const char *path)
{
	char buf[PIDFILE_MAX];
	ssize_t n;
	long pid;
	char *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
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

static pid_t op_handoff(void *ctx, pid_t old)
{
	struct runtime *rt = ctx;
	pid_t pid = read_pidfile(rt->o->pidfile);

	if (!pid || pid == old || pid == rt->self || kill(pid, 0) ||
	    !reap_is_descendant(pid, rt->pid1))
		return 0;
	hold_main(rt, pid);
	rt->spawned = false;
	return pid;
}

void loop_start(struct runtime *rt)
{
	const struct sup_ops ops = { rt, op_spawn, op_send, op_handoff };

	rt->pidfd = -1;
	sup_init(&rt->sup, rt->o, &ops);
	sup_start(&rt->sup, loop_now_ms());
}

enum { EV_SIGNAL = 1, EV_MAIN_ENDED = 2 };

/* ppoll on the signalfd and the main child's pidfd, up to timeout. Returns
 * EV_* bits, or -1 on failure. */
static int poll_events(const struct runtime *rt, const struct timespec *timeout)
{
	struct pollfd fds[2] = { { rt->sigfd, POLLIN, 0 }, { rt->pidfd, POLLIN, 0 } };

	if (ppoll(fds, rt->pidfd >= 0 ? 2 : 1, timeout, NULL) < 0)
		return errno == EINTR ? 0 : -1;
	return (fds[0].revents ? EV_SIGNAL : 0) | (rt->pidfd >= 0 && fds[1].revents ? EV_MAIN_ENDED : 0);
}

/* Reads every pending signal and hands it to the supervisor; returns whether
 * SIGCHLD was among them. The signalfd blocks: with no deadline pending this
 * read is the whole wait, one system call per wake-up. A batch that is not
 * full was all there was; after a full one, look before reading again. */
static bool drain_signals(struct runtime *rt)
{
	static const struct timespec no_wait;
	struct signalfd_siginfo si[SIGINFO_BATCH];
	bool chld = false;
	ssize_t n;
	size_t i;
	int ev;

	for (;;) {
		n = read(rt->sigfd, si, sizeof(si));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return chld;
		}
		for (i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			if (si[i].ssi_signo == SIGCHLD) {
				chld = true;
				continue;
			}
			/* minit's own SIGPIPE from a write to a closed stderr */
			if ((pid_t)si[i].ssi_pid == rt->self && si[i].ssi_code == SI_USER)
				continue;
			sup_signal(&rt->sup, (int)si[i].ssi_signo, loop_now_ms());
		}
		if (n < (ssize_t)sizeof(si))
			return chld;
		ev = poll_events(rt, &no_wait);
		if (ev <= 0 || !(ev & EV_SIGNAL))
			return chld;
	}
}

static void reap(struct runtime *rt)
{
	struct reap_result r;
	uint64_t now;

	reap_drain(rt->sup.main, rt->o->warn_on_reap, &r);
	now = loop_now_ms();
	if (r.main_exited) {
		hold_main(rt, 0);
		sup_main_exited(&rt->sup, r.main_status, r.none_left, now);
	}
	sup_children(&rt->sup, r.none_left, now);
}

/* With a deadline: waits for a signal, the main child's end or the deadline.
 * Without one, the blocking read in drain_signals does the waiting. */
static int wait_events(const struct runtime *rt)
{
	struct timespec ts;
	uint64_t now = loop_now_ms();
	uint64_t wait_ms = rt->sup.deadline > now ? rt->sup.deadline - now : 0;

	if (rt->sup.deadline == SUP_NEVER)
		return EV_SIGNAL;
	ts.tv_sec = (time_t)(wait_ms / MS_PER_S);
	ts.tv_nsec = (long)(wait_ms % MS_PER_S) * NS_PER_MS;
	return poll_events(rt, &ts);
}

int loop_run(struct runtime *rt)
{
	uint64_t now;
	bool chld;
	int ev;

	/* Reap first: the child may have failed before the loop ever waited. */
	reap(rt);
	while (rt->sup.state != SUP_DONE) {
		ev = wait_events(rt);
		if (ev < 0) {
			log_msg(LOG_ERROR, "unable to wait for events: %s", strerror(errno));
			return EXIT_MINIT_FAILED;
		}
		chld = (ev & EV_SIGNAL) && drain_signals(rt);
		/* waitpid only when a child changed state: a forwarded signal costs no more */
		if (chld || (ev & EV_MAIN_ENDED))
			reap(rt);
		now = loop_now_ms();
		if (rt->sup.state != SUP_DONE && now >= rt->sup.deadline) {
			sup_tick(&rt->sup, now);
			reap(rt); /* what the tick did (a spawn that failed) may leave nothing */
		}
	}
	return rt->sup.exit_code;
}
