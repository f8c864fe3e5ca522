#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../reaper/reaper.h"
#include "log.h"

#define PIDFILE_MAX   32
#define MS_PER_S      1000
#define NS_PER_MS     1000000

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

static int op_spawn(void *ctx, pid_t *pid)
{
	struct runtime *rt = ctx;
	struct spawn_result r;

	switch (spawn_child(&rt->spawn, &r)) {
	case SPAWN_OK:
		*pid = r.pid;
		return 0;
	case SPAWN_RETRY:
		return -1;
	case SPAWN_FAILED:
		break;
	}
	return r.exit_code;
}

/* The main child is always minit's own child (spawned, or a followed process
 * minit inherited): its pid cannot be reused before minit reaps it, so a
 * plain kill is safe. */
static int send_main(const struct runtime *rt, pid_t main, int sig)
{
	pid_t pgid;

	if (rt->o->group) {
		pgid = getpgid(main);
		/* never the group minit itself is in: that is the caller's */
		if (pgid > 0 && pgid != getpgrp())
			return kill(-pgid, sig);
	}
	return kill(main, sig);
}

static void op_send(void *ctx, enum sup_target to, int sig)
{
	const struct runtime *rt = ctx;
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

/* Follows only a child of minit's (a daemon whose parent exited is
 * handed to minit): minit can wait for it and report its status. */
static pid_t op_handoff(void *ctx, pid_t old)
{
	const struct runtime *rt = ctx;
	pid_t pid = read_pidfile(rt->o->pidfile);

	return pid && pid != old && reap_is_child(pid) ? pid : 0;
}

void loop_start(struct runtime *rt)
{
	const struct sup_ops ops = { rt, op_spawn, op_send, op_handoff };

	sup_init(&rt->sup, rt->o, &ops);
	sup_start(&rt->sup, loop_now_ms());
}

/* Waits for one signal, until the supervisor's deadline if it has one, and
 * hands it over. One system call per wake-up, none when idle. Returns 1 for
 * SIGCHLD (time to reap), 0 for anything else or the deadline, -1 on failure. */
static int wait_signal(struct runtime *rt)
{
	struct timespec ts, *timeout = NULL;
	uint64_t now, wait_ms;
	siginfo_t si;
	int sig;

	if (rt->sup.deadline != SUP_NEVER) {
		now = loop_now_ms();
		wait_ms = rt->sup.deadline > now ? rt->sup.deadline - now : 0;
		ts.tv_sec = (time_t)(wait_ms / MS_PER_S);
		ts.tv_nsec = (long)(wait_ms % MS_PER_S) * NS_PER_MS;
		timeout = &ts;
	}
	sig = sigtimedwait(&rt->signals, &si, timeout);
	if (sig < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (sig == SIGCHLD)
		return 1;
	/* minit's own SIGPIPE from a write to a closed stderr is not forwarded */
	if (!(si.si_pid == rt->self && si.si_code == SI_USER))
		sup_signal(&rt->sup, sig, loop_now_ms());
	return 0;
}

static void reap(struct runtime *rt)
{
	struct reap_result r;
	uint64_t now;

	reap_drain(rt->sup.main, rt->o->warn_on_reap, &r);
	now = loop_now_ms();
	if (r.main_exited)
		sup_main_exited(&rt->sup, r.main_status, r.none_left, now);
	sup_children(&rt->sup, r.none_left, now);
}

int loop_run(struct runtime *rt)
{
	uint64_t now;
	int chld;

	/* Reap first: the child may have failed before the loop ever waited. */
	reap(rt);
	while (rt->sup.state != SUP_DONE) {
		chld = wait_signal(rt);
		if (chld < 0) {
			log_msg(LOG_ERROR, "unable to wait for signals: %s", strerror(errno));
			return EXIT_MINIT_FAILED;
		}
		/* waitpid only when a child changed state: a forwarded signal costs no more */
		if (chld)
			reap(rt);
		now = loop_now_ms();
		if (rt->sup.state != SUP_DONE && now >= rt->sup.deadline) {
			sup_tick(&rt->sup, now);
			reap(rt); /* what the tick did (a spawn that failed) may leave nothing */
		}
	}
	return rt->sup.exit_code;
}
