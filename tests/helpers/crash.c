/*
 * crash: die of a signal, or exit with a code, optionally after a delay.
 *
 * Usage: crash WHAT [-d MS] [-o FILE]
 *   WHAT    SEGV, SIGSEGV, segv, 11, RTMIN+1 ...: die of that signal
 *           0 or exit:N: exit with code N (0 = exit 0)
 *   -d MS   sleep MS milliseconds first (default 0)
 *   -o FILE append `start <pid> <time_ms>` to FILE at start (before the delay);
 *           time_ms is CLOCK_MONOTONIC in ms with 3 decimals
 * Options may come before or after WHAT.
 *
 * The signal is raised with its default disposition and unblocked, core dumps
 * disabled (PR_SET_DUMPABLE 0), so the parent sees WIFSIGNALED with that
 * signal. A signal whose default action is to ignore (CHLD, CONT, URG, WINCH)
 * or to stop (STOP, TSTP, TTIN, TTOU: once continued) can't kill: crash then
 * exits with 128+SIG. Usage error: exit 2 (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: crash SIG|0|exit:N [-d MS] [-o FILE]\n");
	exit(2);
}

static long number(const char *s, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > max)
		usage();
	return v;
}

static int parse_sig(const char *s)
{
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN+", 6))
		return SIGRTMIN + (int)number(s + 6, SIGRTMAX - SIGRTMIN);
	if (!strncasecmp(s, "RTMAX-", 6))
		return SIGRTMAX - (int)number(s + 6, SIGRTMAX - SIGRTMIN);
	if (!strcasecmp(s, "RTMIN"))
		return SIGRTMIN;
	if (!strcasecmp(s, "RTMAX"))
		return SIGRTMAX;
	for (int i = 1; i < SIGRTMIN; i++)
		if (sigabbrev_np(i) && !strcasecmp(s, sigabbrev_np(i)))
			return i;
	return (int)number(s, 64);
}

int main(int argc, char **argv)
{
	const char *what = NULL, *file = NULL;
	long delay = 0;
	int sig = 0, code = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc)
			delay = number(argv[++i], 86400000L);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			file = argv[++i];
		else if (!what)
			what = argv[i];
		else
			usage();
	}
	if (!what)
		usage();
	if (!strncmp(what, "exit:", 5))
		code = (int)number(what + 5, 255);
	else
		sig = parse_sig(what);

	if (file) {
		struct timespec ts;
		char line[80];
		int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		int len;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		len = snprintf(line, sizeof(line), "start %d %.3f\n", (int)getpid(),
			       ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
		if (fd < 0 || write(fd, line, (size_t)len) != len) {
			perror(file);
			return 2;
		}
		close(fd);
	}
	if (delay > 0) {
		struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (sig > 0) {
		sigset_t set;

		prctl(PR_SET_DUMPABLE, 0);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 128 + sig;
	}
	return code;
}
