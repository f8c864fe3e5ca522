/*
 * sigchild: the child under test for the signal-forwarding latency figure.
 *
 * Usage: sigchild FIFO
 *
 * Writes one 8-byte record 0 to FIFO when ready, then for every SIGUSR1 it
 * receives writes the CLOCK_MONOTONIC time (ns) at which its handler ran.
 * Ends on SIGTERM (default action), or after 10 minutes at the latest.
 */
#define _GNU_SOURCE
#include <signal.h>

#include "common.h"

static int report = -1;

static void on_usr1(int sig)
{
	uint64_t t = now_ns();

	(void)sig;
	put_rec(report, t);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t none;

	if (argc != 2) {
		fprintf(stderr, "usage: sigchild FIFO\n");
		return 2;
	}
	report = open_report(argv[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	alarm(600);
	put_rec(report, 0);
	for (;;)
		pause();
}
