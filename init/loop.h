/* The one event loop. minit blocks every signal and waits in a single
 * epoll_wait over a signalfd, the descriptors other parts register (the main
 * child's pidfd, its start-up report; later sockets and event files), and
 * the supervisor's single deadline as the wait's timeout (none when nothing
 * is due, so an idle minit never wakes). Each wake-up takes the pending
 * signals in order, reaping at once on SIGCHLD, runs the callbacks of the
 * descriptors that are ready, reaps again if one asked, then fires what is
 * due. Nothing else in minit waits. */
#ifndef MINIT_LOOP_H
#define MINIT_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervise.h"

#define LOOP_WATCH_MAX 8

typedef void (*loop_fn)(void *ctx);

struct loop_watch {
	int fd;		/* -1: a free slot */
	loop_fn fn;
	void *ctx;
};

struct loop {
	int epfd, sigfd;
	pid_t self;
	bool warn_on_reap;
	bool reap_due;
	bool tree_empty;	/* the kernel says minit's tree is empty (cgroup mode) */
	struct supervisor *sup;
	struct loop_watch watch[LOOP_WATCH_MAX];
};

uint64_t loop_now_ms(void);

/* Creates the epoll instance and the signalfd (every signal must already
 * be blocked). Returns 0 or -errno. */
int loop_init(struct loop *l, struct supervisor *sup, bool warn_on_reap);

/* Calls fn(ctx) whenever fd is readable, until loop_unwatch. 0 or -errno. */
int loop_watch(struct loop *l, int fd, loop_fn fn, void *ctx);
/* The same for other epoll events (EPOLLPRI: a cgroup file changed). */
int loop_watch_events(struct loop *l, int fd, uint32_t events, loop_fn fn, void *ctx);
void loop_unwatch(struct loop *l, int fd);

/* From a callback: a child changed state, reap before the deadline fires. */
void loop_reap_due(struct loop *l);

/* From the cgroup watch: whether minit's tree is empty by the kernel's
 * count; the next reap tells the supervisor so even if waitpid still has
 * children of minit's outside it (docker exec's orphans). */
void loop_tree_empty(struct loop *l, bool empty);

/* Starts the supervisor, then calls started(ctx) (the set-up the child's
 * start need not wait for; NULL: none), hands it pending_signal (0 for
 * none: a signal that came before the loop could take it), and runs until
 * the supervisor is done. Returns minit's exit code. */
int loop_run(struct loop *l, int pending_signal, loop_fn started, void *ctx);

#endif
