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
 * Output (stdout): `orphans <N> created in <ms> ms` (ms with 3 decimals,
 * CLOCK_MONOTONIC, from start until every orphan was forked), exit 0.
 * If some could not be created: `orphans: <K> of <N> created` on stderr, exit 1.
 * Usage error: exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int devnull = -1;

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

		if (pid >= 0 || (errno != EAGAIN && errno != ENOMEM) || tries >= 5000)
			return pid;
		sleep_ms(1);
	}
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
		pid_t mid = fork_retry();
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
