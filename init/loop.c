#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "../base/fd.h"
#include "../base/log.h"
#include "../base/status.h"
#include "../reaper/reaper.h"

#define MS_PER_S	    1000
#define NS_PER_MS	    1000000
#define EVENTS_MAX	    (LOOP_WATCH_MAX + 1)
#define SIGNALS_PER_READ    16 /* one read takes this many pending signals */
#define SIGFD_TAG	    UINT32_MAX /* epoll data of the signalfd; watches use their slot */

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

int loop_init(struct loop *l, struct supervisor *sup, bool warn_on_reap)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = SIGFD_TAG };
	sigset_t all;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->sup = sup;
	l->self = getpid();
	l->warn_on_reap = warn_on_reap;
	for (i = 0; i < LOOP_WATCH_MAX; i++)
		l->watch[i].fd = -1;
	/* every signal, 32-34 too: libc's sigfillset leaves them out */
	memset(&all, 0xff, sizeof(all));
	l->epfd = fd_move_above(epoll_create1(EPOLL_CLOEXEC), FD_FIRST_OWN);
	l->sigfd = fd_move_above(signalfd(-1, &all, SFD_NONBLOCK | SFD_CLOEXEC), FD_FIRST_OWN);
	if (l->epfd < 0 || l->sigfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev))
		return -errno;
	return 0;
}

int loop_watch(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	return loop_watch_events(l, fd, EPOLLIN, fn, ctx);
}

int loop_watch_events(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx)
{
	struct epoll_event ev = { .events = events };
	uint32_t i;

	for (i = 0; i < LOOP_WATCH_MAX && l->watch[i].fd >= 0; i++)
		;
	if (i == LOOP_WATCH_MAX)
		return -ENOSPC;
	ev.data.u32 = i;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->watch[i] = (struct loop_watch){ fd, fn, ctx };
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < LOOP_WATCH_MAX; i++) {
		if (l->watch[i].fd != fd || fd < 0)
			continue;
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		l->watch[i].fd = -1;
	}
}

void loop_reap_due(struct loop *l)
{
	l->reap_due = true;
}

void loop_tree_empty(struct loop *l, bool empty)
{
	l->tree_empty = empty;
	l->reap_due = true;
}

static void reap(struct loop *l)
{
	struct reap_result r;
	uint64_t now;

	l->reap_due = false;
	reap_drain(l->sup->main, l->warn_on_reap, &r);
	/* the main child reaped just now counts as gone: the cgroup may have
	 * said empty before its SIGCHLD was read */
	r.none_left = r.none_left || (l->tree_empty && (!l->sup->main || r.main_exited));
	now = loop_now_ms();
	if (r.main_exited)
		sup_main_exited(l->sup, r.main_status, r.none_left, now);
	sup_children(l->sup, r.none_left, now);
}

/* Every pending signal, in the kernel's order (lowest first, then real-time
 * ones as queued): SIGCHLD reaps, the rest go to the supervisor. */
static void take_signals(struct loop *l)
{
	struct signalfd_siginfo si[SIGNALS_PER_READ];
	union sigval value;
	ssize_t n;
	size_t i;

	do
		n = read(l->sigfd, si, sizeof(si));
	while (n < 0 && errno == EINTR);
	for (i = 0; n > 0 && i < (size_t)n / sizeof(si[0]); i++) {
		if (si[i].ssi_signo == SIGCHLD) {
			reap(l);
			continue;
		}
		/* minit's own SIGPIPE from a write to a closed stderr is not forwarded */
		if ((pid_t)si[i].ssi_pid == l->self && si[i].ssi_code == SI_USER)
			continue;
		value.sival_ptr = (void *)(uintptr_t)si[i].ssi_ptr;
		sup_signal(l->sup, (int)si[i].ssi_signo, si[i].ssi_code == SI_QUEUE ? &value : NULL,
			   loop_now_ms());
	}
}

static int timeout_ms(const struct supervisor *s)
{
	uint64_t now;

	if (s->deadline == SUP_NEVER)
		return -1;
	now = loop_now_ms();
	if (s->deadline <= now)
		return 0;
	return s->deadline - now > INT_MAX ? INT_MAX : (int)(s->deadline - now);
}

/* The watches first, then the signals: what the main child said before it
 * died (MAINPID=, READY=1) is taken while it is still a zombie of minit's,
 * before the SIGCHLD reaps it (as systemd orders its notify socket before
 * SIGCHLD). */
static void dispatch(struct loop *l, const struct epoll_event *ev, int n)
{
	const struct loop_watch *w;
	bool signals = false;
	int i;

	for (i = 0; i < n && l->sup->state != SUP_DONE; i++) {
		if (ev[i].data.u32 == SIGFD_TAG) {
			signals = true;
			continue;
		}
		w = &l->watch[ev[i].data.u32];
		if (w->fd >= 0) /* not unwatched by an earlier callback of this wake-up */
			w->fn(w->ctx);
	}
	if (signals && l->sup->state != SUP_DONE)
		take_signals(l);
}

int loop_run(struct loop *l, int pending_signal, loop_fn started, void *ctx)
{
	struct epoll_event ev[EVENTS_MAX];
	struct supervisor *s = l->sup;
	uint64_t now;
	int n;

	sup_start(s, loop_now_ms());
	if (started)
		started(ctx);
	if (pending_signal)
		sup_signal(s, pending_signal, NULL, loop_now_ms());
	/* Reap at the first wake-up, which does not wait: the child may have
	 * failed already, or minit inherited zombies whose SIGCHLD is gone. */
	loop_reap_due(l);
	while (s->state != SUP_DONE) {
		n = epoll_wait(l->epfd, ev, EVENTS_MAX, l->reap_due ? 0 : timeout_ms(s));
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERROR, "unable to wait for events: %s", strerror(errno));
			return EXIT_MINIT_FAILED;
		}
		dispatch(l, ev, n);
		if (l->reap_due && s->state != SUP_DONE)
			reap(l);
		now = loop_now_ms();
		if (s->state != SUP_DONE && now >= s->deadline) {
			sup_tick(s, now);
			reap(l); /* what the tick did (a spawn that failed) may leave nothing */
		}
	}
	return s->exit_code;
}
