/*
 * orphans: create N orphan processes by double fork.
 *
 * Usage: orphans N [P] [-s MS]
 *   N      number of orphans to create
 *   P      number of parallel creator processes (default 1), N split among them
 *   -s MS  each orphan sleeps MS milliseconds (default 0) and then _exit(0)s
 *
 * Each orphan is made by an intermediate child that forks it and exits at
 * once, so the orphan is re-parented to the nearest subreaper or PID 1, which
 * must reap it. Orphans have stdin, stdout and stderr on /dev/null and no
 * other fd, so `$(orphans ...)` returns without waiting for them. The
 * creators wait for their intermediate children only. A fork failing with
 * EAGAIN or ENOMEM is retried every 1 ms, up to 5000 times.
 *
 * Orphans that exit at once (no -s) are made with clone(CLONE_VM | SIGCHLD)
 * rather than fork(): still separate processes with their own pid, parent
 * and exit status, but no page tables are copied. fork() costs 1-4 ms on a
 * small busy VM, which made a 20,000-orphan storm a matter of minutes; it
 * is meant to load the reaper, not the fork path (as bench/probes/storm.c).
 *
 * Output (stdout): `orphans <N> created in <ms> ms` (ms with 3 decimals,
 * CLOCK_MONOTONIC, from start until every orphan was forked), exit 0.
 * If some could not be created: `orphans: <K> of <N> created` on stderr, exit 1.
 * Usage error: exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_BYTES  16384
#define GRAND_STACKS 64 /* a ring: an earlier orphan may still be running */
#define FORK_TRIES   5000

static int devnull = -1;
static char inter_stack[STACK_BYTES] __attribute__((aligned(64)));
static char grand_stacks[GRAND_STACKS][STACK_BYTES] __attribute__((aligned(64)));

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* fork(), retrying transient failures. */
static pid_t fork_retry(void)
{
	for (int tries = 0;; tries++) {
		pid_t pid = fork();

		if (pid >= 0 || (errno != EAGAIN && errno != ENOMEM) || tries >= FORK_TRIES)
			return pid;
		sleep_ms(1);
	}
}

static int orphan_fn(void *arg)
{
	(void)arg;
	_exit(0);
}

/* The intermediate of a clone double fork: arg picks the orphan's stack. */
static int intermediate_fn(void *arg)
{
	char *stack = grand_stacks[(uintptr_t)arg % GRAND_STACKS] + STACK_BYTES;

	for (int tries = 0;; tries++) {
		if (clone(orphan_fn, stack, CLONE_VM | SIGCHLD, NULL) >= 0)
			_exit(0);
		if ((errno != EAGAIN && errno != ENOMEM) || tries >= FORK_TRIES)
			_exit(1);
		sleep_ms(1);
	}
}

/* The intermediate child of orphan i, made by clone when the orphan exits at once. */
static pid_t intermediate(long i, long sleep_for)
{
	for (int tries = 0; sleep_for == 0; tries++) {
		pid_t pid = clone(intermediate_fn, inter_stack + STACK_BYTES, CLONE_VM | SIGCHLD,
				  (void *)(uintptr_t)i);

		if (pid >= 0 || (errno != EAGAIN && errno != ENOMEM) || tries >= FORK_TRIES)
			return pid;
		sleep_ms(1);
	}
	return fork_retry();
}

static pid_t wait_retry(pid_t pid, int *st)
{
	pid_t r;

	while ((r = waitpid(pid, st, 0)) < 0 && errno == EINTR)
		;
	return r;
}

/* Create n orphans; return how many were created. */
static long create(long n, long sleep_for)
{
	long done = 0;

	for (long i = 0; i < n; i++) {
		pid_t mid = intermediate(i, sleep_for);
		int st;

		if (mid < 0)
			continue;
		if (mid == 0) {
			pid_t orphan = fork_retry();

			if (orphan == 0) {
				/* Hold no pipe open: neither $(orphans ...) nor our
				 * count pipe must wait for the orphans. */
				for (int fd = 0; fd < 3; fd++)
					dup2(devnull, fd);
				close_range(3, ~0U, 0);
				if (sleep_for > 0)
					sleep_ms(sleep_for);
				_exit(0);
			}
			_exit(orphan > 0 ? 0 : 1);
		}
		if (wait_retry(mid, &st) == mid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			done++;
	}
	return done;
}

static void usage(void)
{
	fprintf(stderr, "usage: orphans N [P] [-s MS]\n");
	exit(2);
}

static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	long n = -1, p = 1, sleep_for = 0, done = 0;
	double start = now_ms();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sleep_for = number(argv[++i]);
		else if (n < 0)
			n = number(argv[i]);
		else if (p == 1)
			p = number(argv[i]);
		else
			usage();
	}
	if (n < 0 || p < 1)
		usage();
	if (p > n)
		p = n > 0 ? n : 1;
	fflush(stdout);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (p == 1) {
		done = create(n, sleep_for);
	} else {
		/* Each creator makes its share and writes its count to the pipe. */
		int pfd[2];
		long got;

		if (pipe(pfd) < 0) {
			perror("orphans: pipe");
			return 1;
		}
		for (long k = 0; k < p; k++) {
			pid_t pid = fork_retry();

			if (pid == 0) {
				close(pfd[0]);
				got = create(n / p + (k < n % p), sleep_for);
				_exit(write(pfd[1], &got, sizeof(got)) == sizeof(got) ? 0 : 1);
			}
		}
		close(pfd[1]);
		for (;;) {
			ssize_t r = read(pfd[0], &got, sizeof(got));

			if (r == sizeof(got))
				done += got;
			else if (r == 0 || errno != EINTR)
				break;
		}
		while (wait(NULL) > 0 || errno == EINTR)
			;
	}
	if (done != n) {
		fprintf(stderr, "orphans: %ld of %ld created\n", done, n);
		return 1;
	}
	printf("orphans %ld created in %.3f ms\n", n, now_ms() - start);
	return 0;
}
