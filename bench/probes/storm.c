/*
 * storm: the child under test for the orphan-storm figure.
 *
 * Usage: storm [-f] N P FIFO
 *
 * Writes record 0 to FIFO when ready and waits for SIGUSR1 (sent to PID 1,
 * which forwards it), so the observer can note PID 1's children first. Then
 * writes the start time (CLOCK_MONOTONIC ns), has P creator processes
 * double-fork N orphans between them (each orphan _exit(0)s at once and is
 * re-parented to PID 1, which must reap it), waits for the creators, and
 * writes the time the last orphan was forked. Then sleeps until SIGTERM
 * (10 minutes at most). A fork failing with EAGAIN/ENOMEM is retried every
 * 1 ms, at most 2000 times per creator; failures are reported on stderr.
 *
 * The two forks of each double fork are clone(CLONE_VM | SIGCHLD) calls, not
 * fork(): still separate processes (own pid, parent, exit status), but
 * without copying page tables, so creation runs about ten times faster than
 * with fork() (0.5 ms each on small VMs) and the storm stresses the reaper
 * rather than the fork path. `-f` as the first argument uses fork().
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "common.h"

#define STACK 16384
#define NGRAND 64

static int use_fork;
static char inter_stack[STACK] __attribute__((aligned(64)));
static char grand_stack[NGRAND][STACK] __attribute__((aligned(64)));
static unsigned grand_next;

static int grand_fn(void *arg)
{
	(void)arg;
	_exit(0);
}

static int inter_fn(void *arg)
{
	/* a ring of stacks: an earlier orphan may still be running */
	char *stack = grand_stack[(uintptr_t)arg % NGRAND] + STACK;

	_exit(clone(grand_fn, stack, CLONE_VM | SIGCHLD, NULL) < 0);
}

static pid_t make_orphan(void)
{
	pid_t pid;

	if (!use_fork)
		return clone(inter_fn, inter_stack + STACK, CLONE_VM | SIGCHLD,
			     (void *)(uintptr_t)grand_next++);
	pid = fork();
	if (pid == 0)
		_exit(fork() < 0);
	return pid;
}

static int creator(long n)
{
	long fails = 0;

	for (long i = 0; i < n; i++) {
		pid_t pid = make_orphan();

		if (pid < 0) {
			if ((errno != EAGAIN && errno != ENOMEM) || ++fails > 2000)
				return 1;
			sleep_ns(1000000);
			i--;
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t usr1;
	int report, sig, failed = 0;
	long n, p;

	if (argc > 1 && !strcmp(argv[1], "-f")) {
		use_fork = 1;
		argc--;
		argv++;
	}
	if (argc != 4 || (n = atol(argv[1])) < 1 || (p = atol(argv[2])) < 1 || p > 64) {
		fprintf(stderr, "usage: storm N P FIFO\n");
		return 2;
	}
	report = open_report(argv[3]);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	alarm(600);
	put_rec(report, 0);
	sigwait(&usr1, &sig);
	put_rec(report, now_ns());
	for (long i = 0; i < p; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			failed = 1;
			break;
		}
		if (pid == 0)
			_exit(creator(n / p + (i < n % p)));
	}
	for (;;) {
		int st;

		if (wait(&st) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed = 1;
	}
	put_rec(report, now_ns());
	if (failed)
		fprintf(stderr, "storm: some orphans could not be created\n");
	for (;;)
		pause();
}
